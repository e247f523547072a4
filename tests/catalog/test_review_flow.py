"""The review flow as the clerk and her reviewer live it (issue 18, point 4): a submitted record is
locked for its author with a 待审核 notice, she can 撤回 it, the reviewer 退回 it with a reason she
sees on the record and on her dashboard, and the reviewer's queue lists what waits in the subtree
with its age."""
from __future__ import annotations

import re
import time_machine

from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.catalog.models import Record
from tests.catalog.fixtures import leaf
from tests.conftest import csrf_from, post_form


def _new_record(client, title: str, then: str = "submit") -> str:
    page = client.get("/admin/baishui/catalog/records/new")
    html = page.get_data(as_text=True)
    item_id = re.search(r'<option value="(\d+)"', html).group(1)
    response = client.post("/admin/baishui/catalog/records/new", data={
        "csrf_token": csrf_from(html), "item_id": item_id, "title": title, "body": "<p>正文</p>",
        "disclosure": "proactive", **({"then": then} if then else {})})
    assert response.status_code == 302
    return response.headers["Location"]


def test_submitted_record_is_locked_for_its_author_who_can_withdraw_it(demo, client, auth):
    auth.login("li")
    edit = _new_record(client, "白水镇冬季防火通告")
    html = client.get(edit).get_data(as_text=True)
    assert "待审核" in html and "正在等待审核人员审核" in html and "请先在下方“撤回”" in html
    assert 'name="title"' not in html and ">保存<" not in html and "删除草稿" not in html
    # Saving anyway (an old tab) is refused, and nothing changes
    refused = client.post(edit, data={"csrf_token": csrf_from(html), "title": "改过的标题"}, follow_redirects=True)
    assert "改过的标题" not in refused.get_data(as_text=True)
    withdrawn = post_form(client, edit, {}, url=edit + "/withdraw", follow_redirects=True)
    page = withdrawn.get_data(as_text=True)
    assert "已撤回，信息改为草稿" in page and 'name="title"' in page and "提交审核" in page
    with demo.app_context():
        town = tenant_by_slug("baishui")
        with tenant_scope(town):
            record = db.session.scalar(db.select(Record).where(Record.title == "白水镇冬季防火通告"))
            assert record.status == "draft" and record.submitted_at is None
    # A draft cannot be withdrawn twice
    again = post_form(client, edit, {}, url=edit + "/withdraw", follow_redirects=True)
    assert "只有待审核的信息可以撤回" in again.get_data(as_text=True)
    assert "撤回“白水镇冬季防火通告”" in client.get(edit).get_data(as_text=True)   # in the record's history


def test_reviewer_returns_with_a_reason_the_author_sees_then_approves(demo, client, auth):
    auth.login("li")
    edit = _new_record(client, "白水镇道路维修公告")
    auth.logout()

    auth.login("zhao")
    queue = client.get("/admin/baishui/catalog/review").get_data(as_text=True)
    assert "白水镇道路维修公告" in queue and "已等待" in queue and "不到 1 小时" in queue
    dashboard = client.get("/admin/baishui/").get_data(as_text=True)
    assert "待您审核 1 条" in dashboard
    no_reason = post_form(client, edit, {"note": "  "}, url=edit + "/return", follow_redirects=True)
    assert "退回时请写明原因" in no_reason.get_data(as_text=True)
    returned = post_form(client, edit, {"note": "请补充施工时间和绕行路线。"}, url=edit + "/return", follow_redirects=True)
    assert "已退回编辑修改" in returned.get_data(as_text=True)
    assert "白水镇道路维修公告" not in client.get("/admin/baishui/catalog/review").get_data(as_text=True)
    auth.logout()

    auth.login("li")
    record_page = client.get(edit).get_data(as_text=True)
    assert "审核退回" in record_page and "请补充施工时间和绕行路线。" in record_page
    dashboard = client.get("/admin/baishui/").get_data(as_text=True)
    assert "退回给您修改的信息 1 条" in dashboard and "请补充施工时间和绕行路线。" in dashboard
    html = client.get(edit).get_data(as_text=True)
    item_id = re.search(r'<option selected value="(\d+)"|<option value="(\d+)" selected', html)
    saved = client.post(edit, data={"csrf_token": csrf_from(html), "item_id": item_id.group(1) or item_id.group(2),
                                    "title": "白水镇道路维修公告", "body": "<p>施工时间：12月10日至20日，请绕行X032。</p>",
                                    "disclosure": "proactive"}, follow_redirects=True)
    assert "已保存" in saved.get_data(as_text=True)
    post_form(client, edit, {}, url=edit + "/submit")
    assert "退回给您修改的信息" not in client.get("/admin/baishui/").get_data(as_text=True)
    auth.logout()

    auth.login("zhao")
    done = post_form(client, edit, {"review_confirmed": "y"}, url=edit + "/publish", follow_redirects=True)
    assert "已发布，索引号" in done.get_data(as_text=True)
    auth.logout()

    auth.login("li")                                   # the author is told it went out
    dashboard = client.get("/admin/baishui/").get_data(as_text=True)
    assert "您的信息已审核发布（近 7 天）1 条" in dashboard and "白水镇道路维修公告" in dashboard


def test_queue_covers_the_subtree_oldest_first_with_age_and_stays_within_it(demo, client, auth, runner):
    runner.invoke(args=["users", "create", "sun", "--password", "sun-reviewer-pw"])
    runner.invoke(args=["users", "grant", "sun", "reviewer", "qinglan"])
    runner.invoke(args=["users", "create", "liu", "--password", "liuhe-password"])
    runner.invoke(args=["users", "grant", "liu", "reviewer", "liuhe"])
    with time_machine.travel("2026-12-01 02:00:00+00:00", tick=False):
        auth.login("li")
        _new_record(client, "白水镇较早提交的信息")
        auth.logout()
    auth.login("li")
    _new_record(client, "白水镇刚提交的信息")
    auth.logout()

    auth.login("sun", "sun-reviewer-pw")
    queue = client.get("/admin/qinglan/catalog/review").get_data(as_text=True)
    earlier, later = queue.index("白水镇较早提交的信息"), queue.index("白水镇刚提交的信息")
    assert earlier < later
    assert re.search(r"\d+ 天", queue)
    assert "/admin/baishui/catalog/records/" in queue      # each links into its own unit
    assert "待您审核 2 条" in client.get("/admin/qinglan/").get_data(as_text=True)
    auth.logout()

    auth.login("liu", "liuhe-password")         # a reviewer of a sibling town sees none of it
    assert "白水镇" not in client.get("/admin/liuhe/catalog/review").get_data(as_text=True)
    assert client.get("/admin/baishui/catalog/review").status_code == 404
    auth.logout()
    auth.login("li")                                # an editor has no queue
    assert client.get("/admin/baishui/catalog/review").status_code == 403
    auth.logout()
    assert client.get("/admin/baishui/catalog/review").status_code in (302, 401)


def test_withdraw_and_return_through_the_api(demo, client, runner):
    li = runner.invoke(args=["users", "token", "li"]).output.strip().splitlines()[-1]
    zhao = runner.invoke(args=["users", "token", "zhao"]).output.strip().splitlines()[-1]
    with demo.app_context():
        town = tenant_by_slug("baishui")
        with tenant_scope(town):
            item_id = leaf(town, "法律援助").id
    as_li = {"Authorization": f"Bearer {li}"}
    as_zhao = {"Authorization": f"Bearer {zhao}"}
    created = client.post("/api/v1/tenants/baishui/catalog/records", json={"item_id": item_id, "title": "API 提交的信息"},
                          headers=as_li).get_json()
    url = f"/api/v1/tenants/baishui/catalog/records/{created['id']}"
    assert client.post(url + "/submit", headers=as_li).get_json()["status"] == "submitted"
    assert client.post(url + "/withdraw", headers=as_li).get_json()["status"] == "draft"
    conflict = client.post(url + "/withdraw", headers=as_li)
    assert conflict.status_code == 409 and "只有待审核的信息可以撤回" in conflict.get_json()["error"]
    client.post(url + "/submit", headers=as_li)
    assert client.post(url + "/return", json={"note": ""}, headers=as_zhao).status_code in (400, 422)
    assert client.post(url + "/return", json={"note": "x"}, headers=as_li).status_code == 403
    back = client.post(url + "/return", json={"note": "请补充附件"}, headers=as_zhao)
    assert back.status_code == 200 and back.get_json()["status"] == "draft"


def test_a_record_waiting_for_review_cannot_be_deleted(demo, client, auth):
    auth.login("li")
    edit = _new_record(client, "待审核时删除")
    refused = post_form(client, edit, {}, url=edit + "/delete", follow_redirects=True)
    assert "待审核的信息不能删除；请先撤回" in refused.get_data(as_text=True)
    assert client.get(edit).status_code == 200


def test_a_reviewer_cannot_approve_a_version_they_did_not_see(demo, client, auth):
    """The reviewer opened the record; meanwhile its author withdrew it, changed it and submitted it
    again: the approval from the old page is refused, the new version is reviewed first."""
    auth.login("li")
    edit = _new_record(client, "审核期间被撤回的信息")
    auth.logout()
    auth.login("zhao")
    reviewer_page = client.get(edit).get_data(as_text=True)
    old_seen = re.search(r'name="seen" value="([^"]+)"', reviewer_page).group(1)
    auth.logout()
    auth.login("li")
    post_form(client, edit, {}, url=edit + "/withdraw")
    html = client.get(edit).get_data(as_text=True)
    item_id = re.search(r'<option selected value="(\d+)"|<option value="(\d+)" selected', html)
    client.post(edit, data={"csrf_token": csrf_from(html), "item_id": item_id.group(1) or item_id.group(2),
                            "title": "审核期间被撤回的信息", "body": "<p>改过的正文</p>", "disclosure": "proactive"})
    post_form(client, edit, {}, url=edit + "/submit")
    auth.logout()
    auth.login("zhao")
    refused = post_form(client, edit, {"review_confirmed": "y", "seen": old_seen}, url=edit + "/publish",
                        follow_redirects=True)
    assert "已被撤回或重新提交，请查看最新内容后再审核" in refused.get_data(as_text=True)
    refused = post_form(client, edit, {"note": "旧页面上的退回", "seen": old_seen}, url=edit + "/return",
                        follow_redirects=True)
    assert "已被撤回或重新提交" in refused.get_data(as_text=True)
    page = client.get(edit).get_data(as_text=True)
    assert "改过的正文" in page
    fresh = re.search(r'name="seen" value="([^"]+)"', page).group(1)
    assert fresh != old_seen
    done = post_form(client, edit, {"review_confirmed": "y", "seen": fresh}, url=edit + "/publish", follow_redirects=True)
    assert "已发布，索引号" in done.get_data(as_text=True)


def test_withdrawing_a_record_approved_meanwhile_is_refused(demo):
    """Two people at the same moment: the withdrawal works on the record as it read it, and finds
    the row already approved: refused, and the published record keeps its 索引号."""
    from core.accounts import SYSTEM
    from core.errors import Conflict
    from plugins.catalog import services
    with demo.app_context():
        town = tenant_by_slug("baishui")
        with tenant_scope(town):
            record = services.create_record(SYSTEM, town, {"item_id": leaf(town, "法律援助").id, "title": "并发"})
            services.submit(SYSTEM, record)
            db.session.commit()
            stale = db.session.get(Record, record.id)
            db.session.execute(db.update(Record).where(Record.id == record.id).values(status="published")   # another request
                               .execution_options(synchronize_session=False))
            try:
                services.withdraw(SYSTEM, stale)
            except Conflict as exc:
                assert "刚被其他人处理过" in exc.message
            else:
                raise AssertionError("a withdrawal of a record approved meanwhile went through")
            db.session.rollback()


def test_a_reviewer_who_wrote_a_record_does_not_find_it_in_their_queue(demo, client, auth, runner):
    runner.invoke(args=["users", "create", "ma", "--password", "ma-both-roles-pw"])
    runner.invoke(args=["users", "grant", "ma", "editor", "baishui"])
    runner.invoke(args=["users", "grant", "ma", "reviewer", "baishui"])
    auth.login("ma", "ma-both-roles-pw")
    client.get(_new_record(client, "马同志自己起草的信息"))       # (shows the confirmation)
    assert "马同志自己起草的信息" not in client.get("/admin/baishui/catalog/review").get_data(as_text=True)
    assert "待您审核" not in client.get("/admin/baishui/").get_data(as_text=True)
    auth.logout()
    auth.login("zhao")
    assert "马同志自己起草的信息" in client.get("/admin/baishui/catalog/review").get_data(as_text=True)
