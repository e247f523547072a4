"""Every route of the URL map, tried with another tenant's identifiers by the public and by another
town's editor (logged in, and with an API token): nothing of the victim town leaks, nothing fails.

MATRIX names each route's kind. A route missing from it fails `test_every_route_is_in_the_matrix`,
so a new page cannot ship without saying who may reach it and being tried here.

Victim: 白水镇 (baishui), with drafts whose titles carry SECRET. Attacker: the editor of 柳河镇
(liuhe), who has a role there and nowhere else. Each route is requested twice:
  * in the victim's tenant, with the ids of its drafts (not public, not the attacker's);
  * in the attacker's own tenant, with the ids of the victim's published objects (reusing another
    tenant's ids where the attacker does have rights).
"""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest

from core.accounts import SYSTEM, create_user, grant_role, issue_token, user_by_username
from core.clock import utcnow
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from tests.conftest import Auth, csrf_from

SECRET = "机密甲乙丙"

# kind: what may answer. open: no tenant data behind it (login, health, the API description, one's
# own account); public: pages for everyone; public_post: forms the public sends; admin: a tenant's
# admin area; api_read: the public API; api_write: the API with a token.
MATRIX = {
    ("admin.account", "/admin/account"): "open",
    ("admin.attachments", "/admin/<tenant_slug>/attachments"): "admin",
    ("admin.audit_all", "/admin/audit"): "open",
    ("admin.audit_log", "/admin/<tenant_slug>/audit"): "admin",
    ("admin.calendar", "/admin/calendar"): "open",
    ("admin.calendar_year", "/admin/calendar/<int:year>"): "open",
    ("admin.dashboard", "/admin/<tenant_slug>/"): "admin",
    ("admin.index", "/admin/"): "open",
    ("admin.login", "/admin/login"): "open",
    ("admin.login_totp", "/admin/login/totp"): "open",
    ("admin.logout", "/admin/logout"): "open",
    ("admin.outbox", "/admin/<tenant_slug>/outbox"): "admin",
    ("admin.plugins", "/admin/<tenant_slug>/plugins"): "admin",
    ("admin.revoke", "/admin/<tenant_slug>/grants/<int:grant_id>/revoke"): "admin",
    ("admin.settings", "/admin/<tenant_slug>/settings"): "admin",
    ("admin.switch", "/admin/switch"): "open",
    ("admin.tenant_status", "/admin/<tenant_slug>/tenants/<child_slug>/status"): "admin",
    ("admin.tenants", "/admin/<tenant_slug>/tenants"): "admin",
    ("admin.totp_setup", "/admin/login/totp/setup"): "open",
    ("admin.user_action", "/admin/<tenant_slug>/users/<int:user_id>/<action>"): "admin",
    ("admin.users", "/admin/<tenant_slug>/users"): "admin",
    ("api.get_attachment", "/api/v1/tenants/<tenant_slug>/attachments/<int:attachment_id>"): "api_read",
    ("api.get_tenant", "/api/v1/tenants/<tenant_slug>"): "api_read",
    ("api.list_tenants", "/api/v1/tenants"): "open",
    ("api.me", "/api/v1/me"): "open",
    ("api.openapi", "/api/v1/openapi.json"): "open",
    ("api.upload_attachment", "/api/v1/tenants/<tenant_slug>/attachments"): "api_write",
    ("catalog.feed", "/<tenant:tenant_path>/catalog/feed.atom"): "public",
    ("catalog.index", "/<tenant:tenant_path>/catalog/"): "public",
    ("catalog.item", "/<tenant:tenant_path>/catalog/items/<int:item_id>"): "public",
    ("catalog.record", "/<tenant:tenant_path>/catalog/records/<int:record_id>"): "public",
    ("catalog.records", "/<tenant:tenant_path>/catalog/records/"): "public",
    ("catalog_admin.add_missing", "/admin/<tenant_slug>/catalog/consistency/add-missing"): "admin",
    ("catalog_admin.consistency", "/admin/<tenant_slug>/catalog/consistency"): "admin",
    ("catalog_admin.export_catalog", "/admin/<tenant_slug>/catalog/export.xlsx"): "admin",
    ("catalog_admin.import_catalog", "/admin/<tenant_slug>/catalog/import"): "admin",
    ("catalog_admin.index", "/admin/<tenant_slug>/catalog/"): "admin",
    ("catalog_admin.item_adopt", "/admin/<tenant_slug>/catalog/items/<int:item_id>/adopt"): "admin",
    ("catalog_admin.item_applicability", "/admin/<tenant_slug>/catalog/items/<int:item_id>/applicability"): "admin",
    ("catalog_admin.item_delete", "/admin/<tenant_slug>/catalog/items/<int:item_id>/delete"): "admin",
    ("catalog_admin.item_edit", "/admin/<tenant_slug>/catalog/items/<int:item_id>/edit"): "admin",
    ("catalog_admin.item_new", "/admin/<tenant_slug>/catalog/items/new"): "admin",
    ("catalog_admin.items", "/admin/<tenant_slug>/catalog/items"): "admin",
    ("catalog_admin.record_delete", "/admin/<tenant_slug>/catalog/records/<int:record_id>/delete"): "admin",
    ("catalog_admin.record_edit", "/admin/<tenant_slug>/catalog/records/<int:record_id>"): "admin",
    ("catalog_admin.record_new", "/admin/<tenant_slug>/catalog/records/new"): "admin",
    ("catalog_admin.record_publish", "/admin/<tenant_slug>/catalog/records/<int:record_id>/publish"): "admin",
    ("catalog_admin.record_return", "/admin/<tenant_slug>/catalog/records/<int:record_id>/return"): "admin",
    ("catalog_admin.record_submit", "/admin/<tenant_slug>/catalog/records/<int:record_id>/submit"): "admin",
    ("catalog_admin.record_validity", "/admin/<tenant_slug>/catalog/records/<int:record_id>/validity"): "admin",
    ("catalog_admin.records", "/admin/<tenant_slug>/catalog/records"): "admin",
    ("catalog_admin.settings", "/admin/<tenant_slug>/catalog/settings"): "admin",
    ("catalog_admin.supervision", "/admin/<tenant_slug>/catalog/supervision"): "admin",
    ("catalog_admin.supervision_csv", "/admin/<tenant_slug>/catalog/supervision.csv"): "admin",
    ("catalog_admin.supervision_tenant", "/admin/<tenant_slug>/catalog/supervision/<slug>"): "admin",
    ("catalog_api.create_record", "/api/v1/tenants/<tenant_slug>/catalog/records"): "api_write",
    ("catalog_api.domains", "/api/v1/tenants/<tenant_slug>/catalog/domains"): "api_read",
    ("catalog_api.item", "/api/v1/tenants/<tenant_slug>/catalog/items/<int:item_id>"): "api_read",
    ("catalog_api.items", "/api/v1/tenants/<tenant_slug>/catalog/items"): "api_read",
    ("catalog_api.lapse_record", "/api/v1/tenants/<tenant_slug>/catalog/records/<int:record_id>/lapse"): "api_write",
    ("catalog_api.publish_record", "/api/v1/tenants/<tenant_slug>/catalog/records/<int:record_id>/publish"): "api_write",
    ("catalog_api.record", "/api/v1/tenants/<tenant_slug>/catalog/records/<int:record_id>"): "api_read",
    ("catalog_api.records", "/api/v1/tenants/<tenant_slug>/catalog/records"): "api_read",
    ("catalog_api.submit_record", "/api/v1/tenants/<tenant_slug>/catalog/records/<int:record_id>/submit"): "api_write",
    ("catalog_api.update_record", "/api/v1/tenants/<tenant_slug>/catalog/records/<int:record_id>"): "api_write",
    ("gazette.article", "/<tenant:tenant_path>/gazette/articles/<int:article_id>"): "public",
    ("gazette.browse", "/<tenant:tenant_path>/gazette/browse"): "public",
    ("gazette.feed", "/<tenant:tenant_path>/gazette/feed.atom"): "public",
    ("gazette.index", "/<tenant:tenant_path>/gazette/"): "public",
    ("gazette.issue", "/<tenant:tenant_path>/gazette/<int(min=1900,max=2200):year>/<int(min=1,max=999):number>/"): "public",
    ("gazette.issue_pdf", "/<tenant:tenant_path>/gazette/<int(min=1900,max=2200):year>/<int(min=1,max=999):number>.pdf"): "public",
    ("gazette.search", "/<tenant:tenant_path>/gazette/search"): "public",
    ("gazette.year", "/<tenant:tenant_path>/gazette/<int(min=1900,max=2200):year>/"): "public",
    ("gazette_admin.article_delete", "/admin/<tenant_slug>/gazette/articles/<int:article_id>/delete"): "admin",
    ("gazette_admin.article_edit", "/admin/<tenant_slug>/gazette/articles/<int:article_id>"): "admin",
    ("gazette_admin.article_move", "/admin/<tenant_slug>/gazette/articles/<int:article_id>/move"): "admin",
    ("gazette_admin.article_new", "/admin/<tenant_slug>/gazette/issues/<int:issue_id>/articles/new"): "admin",
    ("gazette_admin.article_validity", "/admin/<tenant_slug>/gazette/articles/<int:article_id>/validity"): "admin",
    ("gazette_admin.index", "/admin/<tenant_slug>/gazette/"): "admin",
    ("gazette_admin.issue", "/admin/<tenant_slug>/gazette/issues/<int:issue_id>"): "admin",
    ("gazette_admin.issue_delete", "/admin/<tenant_slug>/gazette/issues/<int:issue_id>/delete"): "admin",
    ("gazette_admin.issue_edit", "/admin/<tenant_slug>/gazette/issues/<int:issue_id>/edit"): "admin",
    ("gazette_admin.issue_new", "/admin/<tenant_slug>/gazette/issues/new"): "admin",
    ("gazette_admin.issue_pdf", "/admin/<tenant_slug>/gazette/issues/<int:issue_id>/preview.pdf"): "admin",
    ("gazette_admin.issue_publish", "/admin/<tenant_slug>/gazette/issues/<int:issue_id>/publish"): "admin",
    ("gazette_admin.settings", "/admin/<tenant_slug>/gazette/settings"): "admin",
    ("gazette_api.add_article", "/api/v1/tenants/<tenant_slug>/gazette/issues/<int:issue_id>/articles"): "api_write",
    ("gazette_api.article", "/api/v1/tenants/<tenant_slug>/gazette/articles/<int:article_id>"): "api_read",
    ("gazette_api.create_issue", "/api/v1/tenants/<tenant_slug>/gazette/issues"): "api_write",
    ("gazette_api.delete_article", "/api/v1/tenants/<tenant_slug>/gazette/articles/<int:article_id>"): "api_write",
    ("gazette_api.issue", "/api/v1/tenants/<tenant_slug>/gazette/issues/<int:issue_id>"): "api_read",
    ("gazette_api.issue_by_number", "/api/v1/tenants/<tenant_slug>/gazette/issues/<int(min=1900,max=2200):year>/<int(min=1,max=999):number>"): "api_read",
    ("gazette_api.issues", "/api/v1/tenants/<tenant_slug>/gazette/issues"): "api_read",
    ("gazette_api.move_article", "/api/v1/tenants/<tenant_slug>/gazette/articles/<int:article_id>/move"): "api_write",
    ("gazette_api.publish", "/api/v1/tenants/<tenant_slug>/gazette/issues/<int:issue_id>/publish"): "api_write",
    ("gazette_api.search", "/api/v1/tenants/<tenant_slug>/gazette/search"): "api_read",
    ("gazette_api.update_article", "/api/v1/tenants/<tenant_slug>/gazette/articles/<int:article_id>"): "api_write",
    ("gazette_api.update_issue", "/api/v1/tenants/<tenant_slug>/gazette/issues/<int:issue_id>"): "api_write",
    ("gazette_api.validity", "/api/v1/tenants/<tenant_slug>/gazette/articles/<int:article_id>/validity"): "api_write",
    ("open_day.cancel", "/<tenant:tenant_path>/open-day/registration/<code>/cancel"): "public_post",
    ("open_day.event", "/<tenant:tenant_path>/open-day/<int:event_id>"): "public",
    ("open_day.feed", "/<tenant:tenant_path>/open-day/feed.atom"): "public",
    ("open_day.find_registration", "/<tenant:tenant_path>/open-day/registration"): "public",
    ("open_day.ics", "/<tenant:tenant_path>/open-day/<int:event_id>/calendar.ics"): "public",
    ("open_day.index", "/<tenant:tenant_path>/open-day/"): "public",
    ("open_day.qr", "/<tenant:tenant_path>/open-day/registration/<code>/qr.svg"): "public",
    ("open_day.rate", "/<tenant:tenant_path>/open-day/registration/<code>/rate"): "public_post",
    ("open_day.register", "/<tenant:tenant_path>/open-day/<int:event_id>/register"): "public_post",
    ("open_day.registration", "/<tenant:tenant_path>/open-day/registration/<code>"): "public",
    ("open_day_admin.cancel", "/admin/<tenant_slug>/open-day/<int:event_id>/cancel"): "admin",
    ("open_day_admin.cancel_registration", "/admin/<tenant_slug>/open-day/<int:event_id>/registrations/<int:registration_id>/cancel"): "admin",
    ("open_day_admin.check_in", "/admin/<tenant_slug>/open-day/<int:event_id>/check-in"): "admin",
    ("open_day_admin.edit", "/admin/<tenant_slug>/open-day/<int:event_id>/edit"): "admin",
    ("open_day_admin.export", "/admin/<tenant_slug>/open-day/<int:event_id>/export.csv"): "admin",
    ("open_day_admin.index", "/admin/<tenant_slug>/open-day/"): "admin",
    ("open_day_admin.manage", "/admin/<tenant_slug>/open-day/<int:event_id>"): "admin",
    ("open_day_admin.new", "/admin/<tenant_slug>/open-day/new"): "admin",
    ("open_day_admin.publish", "/admin/<tenant_slug>/open-day/<int:event_id>/publish"): "admin",
    ("open_day_admin.review", "/admin/<tenant_slug>/open-day/<int:event_id>/review"): "admin",
    ("open_day_api.cancel", "/api/v1/tenants/<tenant_slug>/open-day/registrations/<code>/cancel"): "api_read",
    ("open_day_api.cancel_event", "/api/v1/tenants/<tenant_slug>/open-day/events/<int:event_id>/cancel"): "api_write",
    ("open_day_api.check_in", "/api/v1/tenants/<tenant_slug>/open-day/events/<int:event_id>/check-in"): "api_write",
    ("open_day_api.create", "/api/v1/tenants/<tenant_slug>/open-day/events"): "api_write",
    ("open_day_api.event", "/api/v1/tenants/<tenant_slug>/open-day/events/<int:event_id>"): "api_read",
    ("open_day_api.events", "/api/v1/tenants/<tenant_slug>/open-day/events"): "api_read",
    ("open_day_api.publish", "/api/v1/tenants/<tenant_slug>/open-day/events/<int:event_id>/publish"): "api_write",
    ("open_day_api.register", "/api/v1/tenants/<tenant_slug>/open-day/events/<int:event_id>/registrations"): "api_read",
    ("open_day_api.registration", "/api/v1/tenants/<tenant_slug>/open-day/registrations/<code>"): "api_read",
    ("open_day_api.review", "/api/v1/tenants/<tenant_slug>/open-day/events/<int:event_id>/review"): "api_write",
    ("open_day_api.update", "/api/v1/tenants/<tenant_slug>/open-day/events/<int:event_id>"): "api_write",
    ("opinions.comment", "/<tenant:tenant_path>/opinions/<int:consultation_id>/comments"): "public_post",
    ("opinions.consultation", "/<tenant:tenant_path>/opinions/<int:consultation_id>"): "public",
    ("opinions.feed", "/<tenant:tenant_path>/opinions/feed.atom"): "public",
    ("opinions.feedback", "/<tenant:tenant_path>/opinions/<int:consultation_id>/feedback"): "public",
    ("opinions.feedback_csv", "/<tenant:tenant_path>/opinions/<int:consultation_id>/feedback.csv"): "public",
    ("opinions.index", "/<tenant:tenant_path>/opinions/"): "public",
    ("opinions.thanks", "/<tenant:tenant_path>/opinions/<int:consultation_id>/thanks"): "public",
    ("opinions.track", "/<tenant:tenant_path>/opinions/track"): "public",
    ("opinions_admin.announce", "/admin/<tenant_slug>/opinions/<int:consultation_id>/announce"): "admin",
    ("opinions_admin.disposition", "/admin/<tenant_slug>/opinions/<int:consultation_id>/comments/<int:comment_id>/disposition"): "admin",
    ("opinions_admin.edit", "/admin/<tenant_slug>/opinions/<int:consultation_id>/edit"): "admin",
    ("opinions_admin.export_csv", "/admin/<tenant_slug>/opinions/<int:consultation_id>/export.csv"): "admin",
    ("opinions_admin.export_xlsx", "/admin/<tenant_slug>/opinions/<int:consultation_id>/export.xlsx"): "admin",
    ("opinions_admin.extend", "/admin/<tenant_slug>/opinions/<int:consultation_id>/extend"): "admin",
    ("opinions_admin.group", "/admin/<tenant_slug>/opinions/<int:consultation_id>/groups/<int:group_id>"): "admin",
    ("opinions_admin.group", "/admin/<tenant_slug>/opinions/<int:consultation_id>/groups"): "admin",
    ("opinions_admin.group_delete", "/admin/<tenant_slug>/opinions/<int:consultation_id>/groups/<int:group_id>/delete"): "admin",
    ("opinions_admin.index", "/admin/<tenant_slug>/opinions/"): "admin",
    ("opinions_admin.manage", "/admin/<tenant_slug>/opinions/<int:consultation_id>"): "admin",
    ("opinions_admin.moderate", "/admin/<tenant_slug>/opinions/<int:consultation_id>/comments/<int:comment_id>/moderate"): "admin",
    ("opinions_admin.new", "/admin/<tenant_slug>/opinions/new"): "admin",
    ("opinions_admin.offline", "/admin/<tenant_slug>/opinions/<int:consultation_id>/offline"): "admin",
    ("opinions_admin.publish_feedback", "/admin/<tenant_slug>/opinions/<int:consultation_id>/feedback"): "admin",
    ("opinions_api.announce", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>/announce"): "api_write",
    ("opinions_api.comments", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>/comments"): "api_read",
    ("opinions_api.consultation", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>"): "api_read",
    ("opinions_api.consultations", "/api/v1/tenants/<tenant_slug>/opinions/consultations"): "api_read",
    ("opinions_api.create", "/api/v1/tenants/<tenant_slug>/opinions/consultations"): "api_write",
    ("opinions_api.disposition", "/api/v1/tenants/<tenant_slug>/opinions/comments/<int:comment_id>/disposition"): "api_write",
    ("opinions_api.extend", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>/extend"): "api_write",
    ("opinions_api.feedback", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>/feedback"): "api_read",
    ("opinions_api.group", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>/groups"): "api_write",
    ("opinions_api.moderate", "/api/v1/tenants/<tenant_slug>/opinions/comments/<int:comment_id>/moderate"): "api_write",
    ("opinions_api.offline", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>/offline-comments"): "api_write",
    ("opinions_api.publish_feedback", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>/feedback"): "api_write",
    ("opinions_api.submit", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>/comments"): "api_read",
    ("opinions_api.track", "/api/v1/tenants/<tenant_slug>/opinions/track/<code>"): "api_read",
    ("opinions_api.update", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>"): "api_write",
    ("portal.attachment", "/<tenant:tenant_path>/files/<token>/<path:name>"): "public",
    ("portal.attachment", "/<tenant:tenant_path>/files/<token>"): "public",
    ("portal.display", "/display/<mode>"): "open",
    ("portal.healthz", "/healthz"): "open",
    ("portal.home", "/<tenant:tenant_path>/"): "public",
    ("portal.index", "/"): "open",
    ("portal.robots", "/robots.txt"): "open",
    ("portal.search", "/<tenant:tenant_path>/search"): "public",
    ("portal.sitemap", "/<tenant:tenant_path>/sitemap.xml"): "public",
    ("portal.sitemap_index", "/sitemap.xml"): "open",
}
KINDS = {"open", "public", "public_post", "admin", "api_read", "api_write"}


def _routes(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def test_every_route_is_in_the_matrix(app):
    routes = {(r.endpoint, r.rule) for r in _routes(app)}
    assert routes - set(MATRIX) == set(), "new routes: add each to MATRIX with who may reach it"
    assert set(MATRIX) - routes == set(), "routes gone: remove them from MATRIX"
    assert set(MATRIX.values()) <= KINDS


@pytest.fixture
def world(demo):
    """The victim town's objects: drafts carrying SECRET, published ones, and the attacker."""
    from plugins.catalog import services as catalog
    from plugins.gazette import services as gazette
    from plugins.open_day import services as open_day
    from plugins.opinions import services as opinions
    from core.attachments import save_upload
    from core.clock import china_today
    from tests.catalog.conftest import leaf
    from werkzeug.datastructures import FileStorage
    ids = {"draft": {}, "published": {}}
    with demo.app_context():
        town, county = tenant_by_slug("baishui"), tenant_by_slug("qinglan")
        attacker = create_user("liuhe-editor", "river-willow-lamp")
        grant_role(SYSTEM, attacker, tenant_by_slug("liuhe"), "editor")
        _, token = issue_token(attacker, "attack")
        now, today = utcnow(), china_today()
        with tenant_scope(town):
            item = leaf(town, "法律援助")
            draft = catalog.create_record(SYSTEM, town, {"item_id": item.id, "title": f"{SECRET}草稿记录", "body": f"<p>{SECRET}</p>"})
            published = catalog.create_record(SYSTEM, town, {"item_id": item.id, "title": "白水镇公开记录", "body": "<p>公开</p>"})
            catalog.publish(SYSTEM, published, review_confirmed=True)
            c_draft = opinions.create_consultation(SYSTEM, town, {
                "title": f"{SECRET}征求意见草稿", "draft_html": f"<p>{SECRET}</p>", "starts_on": today - timedelta(days=1),
                "ends_on": today + timedelta(days=29), "moderation": "review"})
            c_open = opinions.create_consultation(SYSTEM, town, {
                "title": "白水镇公开征求意见", "draft_html": "<p>第一条</p>", "starts_on": today - timedelta(days=1),
                "ends_on": today + timedelta(days=29), "moderation": "review"})
            opinions.announce(SYSTEM, c_open)
            pending = opinions.submit_comment(c_open, {"content": f"待审核的意见 {SECRET}", "author_name": f"{SECRET}张",
                                                        "consent": True})
            event_data = {"place": "便民服务中心", "starts_at": now + timedelta(days=5), "ends_at": now + timedelta(days=5, hours=2),
                          "registration_opens_at": now - timedelta(hours=1), "registration_closes_at": now + timedelta(days=3),
                          "places": 10, "max_group_size": 1, "waitlist_enabled": False}
            e_draft = open_day.create_event(SYSTEM, town, {"title": f"{SECRET}开放日草稿", **event_data})
            e_open = open_day.create_event(SYSTEM, town, {"title": "白水镇开放日", **event_data})
            open_day.publish_event(SYSTEM, e_open)
            registration = open_day.register(e_open, {"name": f"{SECRET}李", "phone": "13900000001", "consent": True})
            internal = save_upload(FileStorage(io.BytesIO(b"%PDF-1.4 secret"), filename=f"{SECRET}.pdf"), uploaded_by=SYSTEM)
            public_file = save_upload(FileStorage(io.BytesIO(b"%PDF-1.4 public"), filename="公开.pdf"), uploaded_by=SYSTEM,
                                      is_public=True)
        with tenant_scope(county):
            issue = gazette.create_issue(SYSTEM, county, {"year": 2029, "number": 3, "total_number": 9003,
                                                           "published_on": today.replace(year=2029)})
            article = gazette.add_article(SYSTEM, issue, {"section": "规范性文件", "title": f"{SECRET}公报草稿",
                                                          "issuers": ["青岚县人民政府"], "body": f"<p>{SECRET}</p>"})
        db.session.flush()
        li = user_by_username("li")
        base = {"item_id": item.id, "comment_id": pending.id, "group_id": 1, "registration_id": registration.id,
                "user_id": li.id, "grant_id": li.grants[0].id, "child_slug": "dongpo", "slug": "baishui",
                "action": "unlock", "mode": "elder", "name": "file.pdf", "year": 2029, "number": 3,
                "issue_id": issue.id, "article_id": article.id}
        ids["draft"] = {**base, "record_id": draft.id, "consultation_id": c_draft.id, "event_id": e_draft.id,
                        "code": registration.code, "token": internal.token, "attachment_id": internal.id}
        ids["published"] = {**base, "record_id": published.id, "consultation_id": c_open.id, "event_id": e_open.id,
                            "code": registration.code, "token": public_file.token, "attachment_id": public_file.id}
        db.session.commit()
    return {"ids": ids, "token": token}


def _url(rule, tenant: str, values: dict) -> str:
    url = rule.rule
    for arg in rule.arguments:
        value = {"tenant_path": tenant, "tenant_slug": tenant.rsplit("/", 1)[-1]}.get(arg, values.get(arg))
        assert value is not None, f"no value for <{arg}> in {rule.rule}"
        url = re.sub(r"<(?:[^<>:]+:)?%s>" % arg, str(value), url)
        url = re.sub(r"<int\([^)]*\):%s>" % arg, str(value), url)
    return url


def _method(rule) -> str:
    methods = rule.methods - {"HEAD", "OPTIONS"}
    return "GET" if "GET" in methods else sorted(methods)[0]


ALLOWED = {
    # (kind, who) -> statuses that leak nothing; the body is checked for SECRET as well
    # To the login page; 404 where the plugin is off for that tenant (the gazette in a town).
    ("admin", "anonymous"): {302, 404},
    ("admin", "attacker"): {403, 404},
    ("api_write", "anonymous"): {401, 404},
    # 400: the JSON body ({} here) is checked before the object is looked up; it names body fields only.
    ("api_write", "attacker"): {400, 403, 404},
    ("public", "anonymous"): {200, 404, 302, 308},
    ("public", "attacker"): {200, 404, 302, 308},
    ("api_read", "anonymous"): {200, 404, 400, 422},
    ("api_read", "attacker"): {200, 404, 400, 422},
    ("public_post", "anonymous"): {302, 400, 404, 422},
    ("public_post", "attacker"): {302, 400, 404, 422},
}
OBJECT_ARGS = {"record_id", "consultation_id", "event_id", "code", "token", "attachment_id", "issue_id", "article_id",
               "year", "item_id", "comment_id", "registration_id", "grant_id", "user_id", "child_slug", "slug"}


def test_nothing_of_another_tenant_leaks_on_any_route(demo, world):
    browsers = {"anonymous": demo.test_client(), "attacker": demo.test_client()}
    Auth(browsers["attacker"]).login("liuhe-editor", "river-willow-lamp")
    problems = []
    for rule in sorted(_routes(demo), key=lambda r: r.rule):
        kind = MATRIX[(rule.endpoint, rule.rule)]
        if kind == "open":
            continue            # no tenant in the URL; tried by the other tests of the pages they serve
        method = _method(rule)
        variants = [("victim", "qinglan/baishui" if "tenant_path" in rule.arguments else "baishui", world["ids"]["draft"])]
        if OBJECT_ARGS & set(rule.arguments):     # the attacker's own tenant, with the victim's objects
            variants.append(("own", "qinglan/liuhe" if "tenant_path" in rule.arguments else "liuhe", world["ids"]["published"]))
        for who, client in browsers.items():
            for variant, tenant, values in variants:
                url = _url(rule, tenant, values)
                headers = {"Authorization": f"Bearer {world['token']}"} if who == "attacker" and url.startswith("/api/") else {}
                data = None
                if method != "GET" and not url.startswith("/api/"):
                    page = client.get("/admin/account" if who == "attacker" else "/admin/login")
                    data = {"csrf_token": csrf_from(page.get_data(as_text=True))}
                response = client.open(url, method=method, headers=headers, data=data,
                                       json={} if url.startswith("/api/") and method != "GET" else None)
                body = response.get_data(as_text=True) if response.mimetype.startswith(("text/", "application/")) else ""
                allowed = ALLOWED[(kind, who)]
                if kind in ("public", "api_read", "public_post") and variant == "own" and rule.arguments & {
                        "record_id", "consultation_id", "event_id", "attachment_id", "article_id", "code", "token",
                        "item_id", "comment_id"}:
                    allowed = allowed - {200}             # another tenant's object under one's own tenant
                if kind == "public" and variant == "victim" and rule.arguments & {
                        "record_id", "consultation_id", "event_id", "token", "attachment_id", "article_id", "year"}:
                    allowed = allowed - {200}             # drafts and internal files are not public
                if response.status_code not in allowed:
                    problems.append(f"{who} {method} {url} ({kind}, {variant}): {response.status_code}")
                if SECRET in body:
                    problems.append(f"{who} {method} {url} ({kind}, {variant}): the victim's draft is in the answer")
    assert problems == [], "\n".join(problems)
    # Control: the town's own editor does see the drafts the others could not
    owner = demo.test_client()
    Auth(owner).login("li")
    draft = world["ids"]["draft"]
    assert SECRET in owner.get(f"/admin/baishui/catalog/records/{draft['record_id']}").get_data(as_text=True)
    assert SECRET in owner.get(f"/admin/baishui/opinions/{draft['consultation_id']}").get_data(as_text=True)
