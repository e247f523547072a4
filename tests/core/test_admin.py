"""The admin shell as its users meet it: dashboards, switcher, child tenants, users, plugins, audit."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.accounts import RoleGrant, User
from core.db import db
from core.tenants import tenant_by_slug
from tests.conftest import post_form


@pytest.mark.parametrize("username, path, status", [
    ("li", "/admin/baishui/", 200),
    ("li", "/admin/dongpo/", 200),
    ("li", "/admin/liuhe/", 404),
    ("li", "/admin/qinglan/", 404),
    ("li", "/admin/baishui/users", 403),
    ("li", "/admin/baishui/settings", 403),
    ("li", "/admin/liuhe/users", 404),
    ("li", "/admin/baishui/audit", 403),
    ("chen", "/admin/xihe/", 404),
    ("chen", "/admin/dongpo/attachments", 200),
    # 三员分立: the system admin runs tenants, the security admin accounts, the audit admin reads the log
    ("wang", "/admin/dongpo/settings", 200),
    ("wang", "/admin/dongpo/users", 403),
    ("wang", "/admin/qinglan/audit", 403),
    ("qian", "/admin/dongpo/users", 200),
    ("qian", "/admin/qinglan/audit", 403),
    ("qian", "/admin/qinglan/settings", 403),
    ("zhou", "/admin/qinglan/audit", 200),
    ("zhou", "/admin/dongpo/users", 403),
    ("zhou", "/admin/dongpo/settings", 403),
    ("zhou", "/admin/dongpo/attachments", 403),
    ("wang", "/admin/nosuchtown/", 404),
])
def test_admin_access(demo, client, auth, username, path, status):
    auth.login(username)
    assert client.get(path).status_code == status


def test_admin_requires_login(demo, client):
    response = client.get("/admin/baishui/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_dashboard_and_tenant_switcher_list_only_reachable_tenants(demo, client, auth):
    auth.login("li")
    html = client.get("/admin/baishui/").get_data(as_text=True)
    assert "切换单位" in html
    assert 'value="dongpo"' in html and 'value="xihe"' in html
    assert 'value="liuhe"' not in html and 'value="qinglan"' not in html
    assert client.get("/admin/switch?to=xihe").headers["Location"].endswith("/admin/xihe/")
    assert client.get("/admin/switch?to=liuhe").status_code == 404


def test_district_admin_provisions_a_village_from_the_web(demo, client, auth):
    auth.login("wang")
    response = post_form(client, "/admin/liuhe/tenants", {"name": "新河村", "slug": "xinhe", "unit_code": "11451103D"})
    assert response.status_code == 302
    page = client.get("/admin/liuhe/tenants").get_data(as_text=True)
    assert "已新建村（社区）“新河村”" in page
    with demo.app_context():
        village = tenant_by_slug("xinhe")
        assert village.kind == "village" and village.parent.slug == "liuhe"
    assert client.get("/qinglan/liuhe/xinhe/").status_code == 200


def test_provisioning_with_a_taken_slug_shows_the_error_and_writes_nothing(demo, client, auth):
    auth.login("wang")
    response = post_form(client, "/admin/liuhe/tenants", {"name": "重复村", "slug": "dongpo"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "slug“dongpo”已被使用" in page
    assert 'value="重复村"' in page  # what the user typed is kept
    with demo.app_context():
        assert tenant_by_slug("dongpo").parent.slug == "baishui"


def test_archive_and_restore_a_village(demo, client, auth):
    auth.login("wang")
    response = post_form(client, "/admin/baishui/tenants", {"status": "archived"}, url="/admin/baishui/tenants/xihe/status")
    assert response.status_code == 302
    with demo.app_context():
        assert tenant_by_slug("xihe").status == "archived"
    home = client.get("/qinglan/baishui/xihe/")
    assert home.status_code == 200 and "已撤并" in home.get_data(as_text=True)
    assert "西河村" not in client.get("/qinglan/baishui/").get_data(as_text=True)
    post_form(client, "/admin/baishui/tenants", {"status": "active"}, url="/admin/baishui/tenants/xihe/status")
    with demo.app_context():
        assert tenant_by_slug("xihe").status == "active"


def test_settings_are_saved_sanitized(demo, client, auth):
    auth.login("wang")
    response = post_form(client, "/admin/baishui/settings", {
        "name": "白水镇", "unit_code": "11451102X", "phone": "0123-1234567", "address": "新地址",
        "intro": '<p onclick="steal()">介绍<script>alert(1)</script></p>'})
    assert response.status_code == 302
    html = client.get("/qinglan/baishui/").get_data(as_text=True)
    assert "<p>介绍</p>" in html and "alert(1)" not in html and "onclick" not in html
    assert "新地址" in html


def test_town_security_admin_creates_a_user_for_a_village_only(demo, client, auth, runner):
    runner.invoke(args=["users", "create", "townadmin", "--password", "town-admin-pass"])
    runner.invoke(args=["users", "grant", "townadmin", "security_admin", "baishui"])
    auth.login("townadmin", "town-admin-pass")
    response = post_form(client, "/admin/baishui/users", {
        "new-username": "clerk", "new-display_name": "村文书", "new-password": "village-pass-91",
        "new-tenant": "xihe", "new-role": "editor"})
    assert response.status_code == 302
    # a tenant outside the admin's subtree is refused
    post_form(client, "/admin/baishui/users", {
        "new-username": "intruder", "new-password": "intruder-pass-1", "new-tenant": "liuhecun", "new-role": "editor"})
    with demo.app_context():
        grants = db.session.scalars(select(RoleGrant).join(User).where(User.username == "clerk")).all()
        assert [(g.tenant.slug, g.role) for g in grants] == [("xihe", "editor")]
        assert db.session.scalar(select(User).where(User.username == "intruder")) is None
    auth.logout()
    auth.login("clerk", "village-pass-91")
    assert client.get("/admin/xihe/").status_code == 200
    assert client.get("/admin/dongpo/").status_code == 404


def test_grant_and_revoke_from_the_web(demo, client, auth):
    auth.login("qian")
    post_form(client, "/admin/qinglan/users", {"grant-username": "chen", "grant-tenant": "xihe", "grant-role": "reviewer"})
    with demo.app_context():
        grant = db.session.scalar(select(RoleGrant).join(User).where(User.username == "chen", RoleGrant.role == "reviewer"))
        assert grant.tenant.slug == "xihe"
        grant_id = grant.id
    post_form(client, "/admin/qinglan/users", {}, url=f"/admin/qinglan/grants/{grant_id}/revoke")
    with demo.app_context():
        assert db.session.get(RoleGrant, grant_id) is None


def test_a_town_security_admin_cannot_revoke_a_grant_outside_the_town(demo, client, auth, runner):
    runner.invoke(args=["users", "create", "townadmin", "--password", "town-admin-pass"])
    runner.invoke(args=["users", "grant", "townadmin", "security_admin", "baishui"])
    with demo.app_context():
        wang_grant = db.session.scalar(select(RoleGrant).join(User).where(User.username == "wang")).id
    auth.login("townadmin", "town-admin-pass")
    response = post_form(client, "/admin/baishui/users", {}, url=f"/admin/baishui/grants/{wang_grant}/revoke")
    assert response.status_code == 404
    with demo.app_context():
        assert db.session.get(RoleGrant, wang_grant) is not None


@pytest.mark.builtin_plugins
def test_plugins_can_be_switched_off_per_tenant(demo, client, auth):
    auth.login("wang")
    page = client.get("/admin/baishui/plugins").get_data(as_text=True)
    assert "政务公开目录" in page and "政府公报" not in page  # the gazette serves districts only
    post_form(client, "/admin/baishui/plugins", {"plugin-catalog": "1"})
    with demo.app_context():
        assert tenant_by_slug("baishui").enabled_plugins == ["catalog"]


def test_audit_log_shows_the_subtree_only(demo, client, auth):
    auth.login("wang")
    post_form(client, "/admin/liuhe/settings", {"name": "柳河镇（新）"})
    post_form(client, "/admin/baishui/settings", {"name": "白水镇（新）"})
    auth.logout()
    with demo.app_context():
        db.session.add(RoleGrant(user=db.session.scalar(select(User).where(User.username == "zhao")),
                                 tenant=tenant_by_slug("baishui"), role="admin"))
        db.session.commit()
    auth.login("zhao")
    html = client.get("/admin/baishui/audit").get_data(as_text=True)
    assert "白水镇（新）" in html or "tenant.update" in html
    assert "柳河" not in html


def test_change_own_password(demo, client, auth):
    auth.login("li")
    bad = post_form(client, "/admin/account", {"current": "wrong", "new": "brand-new-pass", "confirm": "brand-new-pass"})
    assert "当前密码不正确" in bad.get_data(as_text=True)
    post_form(client, "/admin/account", {"current": "qinglan-demo-2026", "new": "brand-new-pass", "confirm": "brand-new-pass"})
    auth.logout()
    assert auth.login("li", "brand-new-pass").status_code == 302


def test_superadmin_sees_the_whole_log_including_logins(demo, client, auth):
    auth.login("li", "wrong-password")
    auth.login("admin")
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "user.login_failed" in html and "tenants.sync" in html
    auth.logout()
    auth.login("wang")
    assert client.get("/admin/audit").status_code == 404
