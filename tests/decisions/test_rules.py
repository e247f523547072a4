"""The rules of the decision list: a published list is never edited silently (a removed item stays,
shown as 已调整 with its reason, in the change log); another tenant's editor changes nothing; the
public sees only published lists; overdue items reach supervision; stages follow the procedures."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from core.accounts import SYSTEM, user_by_username
from core.clock import china_today
from core.db import db
from core.errors import DomainError
from core.tenants import tenant_by_slug, tenant_scope
from plugins.decisions import services
from plugins.decisions.models import DecisionItem, DecisionList
from tests.conftest import Auth, post_form
from tests.decisions.fixtures import APPROVAL, item_data, make_list


def test_removing_an_item_of_a_published_list_leaves_it_visible_as_adjusted(demo, ctx, client):
    list_id, (kept, removed) = make_list(items=("白水镇农村供水管理办法", "白水镇老街改造方案"), publish=True)
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        item = db.session.get(DecisionItem, removed)
        with pytest.raises(DomainError, match="写明理由"):
            services.remove_item(SYSTEM, item, "  ")
        with pytest.raises(DomainError, match="不能删除"):
            services.delete_item(SYSTEM, item)
        services.remove_item(SYSTEM, item, "上级规划调整，老街改造并入县城区更新项目。")
        db.session.commit()
        assert item.status == "removed" and item.removed_on == china_today()
        row = db.session.get(DecisionList, list_id)
        assert [(c.kind, c.item_name, c.reason) for c in row.changes] == [
            ("remove", "白水镇老街改造方案", "上级规划调整，老街改造并入县城区更新项目。")]
        assert len(row.items) == 2                                 # never deleted
    page = client.get(f"/qinglan/baishui/decisions/lists/{list_id}").get_data(as_text=True)
    line = re.search(r'<tr class="removed">(.*?)</tr>', page, re.S).group(1)
    assert "白水镇老街改造方案" in line and "已调整" in line and "并入县城区更新项目" in line
    assert 'id="changes"' in page and "调出事项" in page and china_today().isoformat() in page
    item_page = client.get(f"/qinglan/baishui/decisions/items/{removed}").get_data(as_text=True)
    assert "已调整" in item_page and "并入县城区更新项目" in item_page
    api = client.get(f"/api/v1/tenants/baishui/decisions/lists/{list_id}").get_json()
    assert {i["name"]: i["status"] for i in api["items"]}["白水镇老街改造方案"] == "removed"


def test_a_published_item_is_adjusted_with_a_reason_and_added_items_are_dated(demo, ctx):
    list_id, (item_id,) = make_list(publish=True)
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        item = db.session.get(DecisionItem, item_id)
        later = item_data(due_on=date(china_today().year + 1, 6, 30))
        with pytest.raises(DomainError) as refused:
            services.update_item(SYSTEM, item, later, "")
        assert refused.value.field == "reason"
        assert services.update_item(SYSTEM, item, later, "需补充开展水源地评估，延期完成。")
        added = services.add_item(SYSTEM, item.decision_list, item_data("白水镇敬老院改扩建"), "镇人大会议新增民生实事。")
        db.session.commit()
        changes = item.decision_list.changes
        assert [c.kind for c in changes] == ["modify", "add"]
        assert "计划完成时限由" in changes[0].summary and changes[0].reason == "需补充开展水源地评估，延期完成。"
        assert added.added_on == china_today() and added.number == 2


def test_the_public_sees_only_published_lists(demo, ctx, client):
    draft_id, (draft_item,) = make_list(items=("草稿中的决策事项",))
    assert client.get(f"/qinglan/baishui/decisions/lists/{draft_id}").status_code == 404
    assert client.get(f"/qinglan/baishui/decisions/items/{draft_item}").status_code == 404
    assert client.get(f"/api/v1/tenants/baishui/decisions/lists/{draft_id}").status_code == 404
    assert client.get(f"/api/v1/tenants/baishui/decisions/items/{draft_item}").status_code == 404
    assert client.get("/api/v1/tenants/baishui/decisions/lists").get_json() == []
    assert "草稿中的决策事项" not in client.get("/qinglan/baishui/decisions/").get_data(as_text=True)
    assert "草稿中的决策事项" not in client.get("/qinglan/baishui/decisions/feed.atom").get_data(as_text=True)
    assert "/decisions/items/" not in client.get("/qinglan/baishui/search?q=草稿中的决策事项").get_data(as_text=True)
    with tenant_scope(tenant_by_slug("baishui")):
        services.publish_list(SYSTEM, db.session.get(DecisionList, draft_id), APPROVAL | {"approved_on": china_today()})
        db.session.commit()
    assert client.get(f"/qinglan/baishui/decisions/items/{draft_item}").status_code == 200
    assert "/decisions/items/" in client.get("/qinglan/baishui/search?q=草稿中的决策事项").get_data(as_text=True)


def test_another_tenants_editor_cannot_change_a_list_an_item_or_a_stage(demo, ctx, app):
    list_id, (item_id,) = make_list(slug="qinglan", items=("青岚县决策事项",))
    with tenant_scope(tenant_by_slug("qinglan")):
        stage = services.record_stage(SYSTEM, db.session.get(DecisionItem, item_id), "expert",
                                      {"happened_on": china_today(), "text": "专家意见"})
        db.session.commit()
        stage_id = stage.id
    li = app.test_client()
    Auth(li).login("li")                                           # 白水镇's editor
    own = li.get("/admin/baishui/decisions/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', own).group(1)
    for url in (f"/admin/qinglan/decisions/{list_id}", f"/admin/qinglan/decisions/{list_id}/publish",
                f"/admin/qinglan/decisions/items/{item_id}", f"/admin/qinglan/decisions/items/{item_id}/remove",
                f"/admin/qinglan/decisions/items/{item_id}/stages/expert", f"/admin/qinglan/decisions/stages/{stage_id}/delete",
                # the county's ids under the editor's own town: 404 too
                f"/admin/baishui/decisions/{list_id}", f"/admin/baishui/decisions/items/{item_id}",
                f"/admin/baishui/decisions/items/{item_id}/stages/expert", f"/admin/baishui/decisions/stages/{stage_id}/delete",
                f"/admin/baishui/decisions/items/{item_id}/delete"):
        answer = li.post(url, data={"csrf_token": token, "name": "改掉", "reason": "改掉", "happened_on": "2026-01-01",
                                    "text": "改掉"})
        assert answer.status_code == 404, url
    with tenant_scope(tenant_by_slug("qinglan")):
        item = db.session.get(DecisionItem, item_id)
        assert item.name == "青岚县决策事项" and item.stage("expert").text == "专家意见"
        assert db.session.get(DecisionList, list_id).status == "draft"
        with pytest.raises(Exception):
            services.update_item(user_by_username("li"), item, item_data("改掉"), "理由")


def test_supervision_lists_overdue_items_of_published_lists(demo, ctx, app):
    today = china_today()
    year = today.year - 1                                          # all of last year's items are past their date
    list_id, (late, decided) = make_list(year=year, items=("逾期事项", "已决策事项"), publish=True)
    make_list(year=year, slug="liuhe", items=("柳河镇草稿事项",))   # a draft list is not supervised
    with tenant_scope(tenant_by_slug("baishui")):
        services.record_stage(SYSTEM, db.session.get(DecisionItem, decided), "result",
                              {"happened_on": date(year, 11, 1), "text": "镇人民政府印发实施。"})
        db.session.commit()
    registry = app.extensions["cms"]
    towns = [tenant_by_slug(s) for s in ("baishui", "liuhe", "qinglan")]
    with app.test_request_context():
        notices = [n for part in registry.hook.supervision_notices(tenants=towns, as_of=today) for n in (part or [])
                   if n.plugin == "decisions"]
    assert [(n.tenant_id, n.count) for n in notices] == [(tenant_by_slug("baishui").id, 1)]
    assert notices[0].url.endswith("/admin/baishui/decisions/?filter=overdue")
    wang = app.test_client()
    Auth(wang).login("li")
    page = wang.get("/admin/baishui/decisions/?filter=overdue").get_data(as_text=True)
    assert "逾期事项" in page and "已决策事项" not in page


def test_stages_follow_the_procedures_the_item_requires(demo, ctx, client):
    list_id, (item_id,) = make_list(publish=True)                  # participation, expert, legality, collective
    with tenant_scope(tenant_by_slug("baishui")):
        item = db.session.get(DecisionItem, item_id)
        with pytest.raises(DomainError, match="不包括“听证”"):
            services.record_stage(SYSTEM, item, "hearing_record", {"happened_on": china_today(), "text": "听证"})
        with pytest.raises(DomainError) as future:
            services.record_stage(SYSTEM, item, "expert", {"happened_on": china_today() + timedelta(days=1), "text": "x"})
        assert future.value.field == "happened_on"
        with pytest.raises(DomainError) as unknown:
            services.record_stage(SYSTEM, item, "result", {"happened_on": china_today(), "ref": "catalog:record:999999"})
        assert unknown.value.field == "ref"
        services.record_stage(SYSTEM, item, "meeting", {"happened_on": china_today(), "name": "镇长办公会议"})
        db.session.commit()
    page = client.get(f"/qinglan/baishui/decisions/items/{item_id}").get_data(as_text=True)
    stages = page.split("决策过程", 1)[1]
    assert "专家论证" in stages and "合法性审查" in stages and "镇长办公会议" in stages
    assert "听证" not in stages and "风险评估" not in stages      # not required: not shown as missing


def test_the_years_completion_is_published_with_reasons(demo, ctx, client):
    year = china_today().year - 1
    list_id, (done, going, gone) = make_list(year=year, items=("完成的事项", "推进中的事项", "调整的事项"), publish=True)
    with tenant_scope(tenant_by_slug("baishui")):
        row = db.session.get(DecisionList, list_id)
        services.remove_item(SYSTEM, db.session.get(DecisionItem, gone), "并入县级事项。")
        with pytest.raises(DomainError, match="请写明原因"):
            services.set_progress(SYSTEM, row, {going: ("in_progress", "")})
        with pytest.raises(DomainError, match="还没有填写完成情况"):
            services.publish_completion(SYSTEM, row)
        services.set_progress(SYSTEM, row, {done: ("done", ""), going: ("in_progress", "等待上级规划批复。")})
        services.publish_completion(SYSTEM, row, "年度事项 3 项，完成 1 项。")
        db.session.commit()
    page = client.get(f"/qinglan/baishui/decisions/lists/{list_id}").get_data(as_text=True)
    completion = page.split('id="completion"', 1)[1]
    assert "已完成 1 项，推进中 1 项，已撤回/调整 1 项" in completion
    assert "等待上级规划批复。" in completion and "并入县级事项。" in completion


def test_the_office_drafts_publishes_and_adjusts_a_list_in_the_browser(demo, app):
    editor, reviewer, public = (app.test_client() for _ in range(3))
    Auth(editor).login("li")
    year = china_today().year
    made = post_form(editor, "/admin/baishui/decisions/", {"year": str(year)}, url="/admin/baishui/decisions/new")
    assert made.status_code == 302
    list_url = made.headers["Location"]
    new_item = list_url + "/items/new"
    wrong = post_form(editor, new_item, {"name": "白水镇垃圾中转站建设", "decision_type": "project", "unit": "",
                                         "due_on": "明年", "procedures": ["expert"]})
    assert wrong.status_code == 422
    body = wrong.get_data(as_text=True)
    assert 'id="unit-error">此项必填。' in body
    wrong = post_form(editor, new_item, {"name": "白水镇垃圾中转站建设", "decision_type": "project", "unit": "白水镇社会事务办公室",
                                         "due_on": "明年", "procedures": ["expert"]})
    assert wrong.status_code == 422 and 'id="due_on-error">计划完成时限格式应为' in wrong.get_data(as_text=True)
    added = post_form(editor, new_item, {"name": "白水镇垃圾中转站建设", "decision_type": "project", "unit": "白水镇社会事务办公室",
                                         "due_on": f"{year}-12-31", "procedures": ["expert", "collective"]})
    assert added.status_code == 302
    item_url = added.headers["Location"]
    assert post_form(editor, list_url, {}, url=list_url + "/publish").status_code in (403, 404)   # an editor cannot publish

    Auth(reviewer).login("zhao")
    missing = post_form(reviewer, list_url, {"approved_by": "白水镇人民政府", "approval_meeting": "", "approved_on": ""},
                        url=list_url + "/publish")
    assert missing.status_code == 422 and 'id="approval_meeting-error">此项必填。' in missing.get_data(as_text=True)
    done = post_form(reviewer, list_url, {"approved_by": "白水镇人民政府", "approval_meeting": "镇长办公会议",
                                          "approved_on": china_today().isoformat()}, url=list_url + "/publish")
    assert done.status_code == 302

    no_reason = post_form(editor, item_url, {"reason": ""}, url=item_url + "/remove")
    assert no_reason.status_code == 422 and 'id="reason-error">此项必填。' in no_reason.get_data(as_text=True)
    removed = post_form(editor, item_url, {"reason": "选址未确定，调入明年目录。"}, url=item_url + "/remove")
    assert removed.status_code == 302
    item_id = item_url.rsplit("/", 1)[-1]
    page = public.get(f"/qinglan/baishui/decisions/items/{item_id}").get_data(as_text=True)
    assert "已调整" in page and "选址未确定，调入明年目录。" in page
