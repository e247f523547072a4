"""Login, logout, CSRF, session cookies, and the one permission check across roles."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.accounts import Permission, User, has_permission, require_permission
from core.audit import AuditEntry
from core.db import db
from core.errors import AccessDenied, NotFound
from core.tenants import tenant_by_slug
from tests.conftest import csrf_from


def test_login_and_logout(demo, client, auth):
    response = auth.login("li")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/")
    # li's only grant is 白水镇 (with its villages): the admin index goes straight to its dashboard
    assert client.get("/admin/").headers["Location"].endswith("/admin/baishui/")
    dashboard = client.get("/admin/baishui/")
    assert "<h1>白水镇" in dashboard.get_data(as_text=True)
    assert dashboard.headers["Cache-Control"] == "no-store"
    out = auth.logout()
    assert out.status_code == 302 and out.headers["Location"].endswith("/admin/login")
    assert client.get("/admin/baishui/").status_code == 302  # back to the login page


@pytest.mark.parametrize("username, password", [("li", "wrong-password"), ("nobody", "qinglan-demo-2026")])
def test_a_wrong_password_or_unknown_user_gets_the_same_generic_error(demo, client, auth, username, password):
    response = auth.login(username, password)
    body = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "用户名或密码错误" in body
    assert "不存在" not in body
    with demo.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.login_failed")).one()
        assert entry.actor_name == username and entry.ip == "127.0.0.1"


def test_successful_login_is_audited(demo, auth):
    auth.login("zhao")
    with demo.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.login")).one()
        assert entry.actor_name == "zhao"


def test_a_deactivated_user_cannot_log_in_and_loses_the_session(demo, client, auth):
    auth.login("chen")
    assert client.get("/admin/dongpo/").status_code == 200
    with demo.app_context():
        db.session.scalar(select(User).where(User.username == "chen")).active = False
        db.session.commit()
    assert client.get("/admin/dongpo/").status_code == 302
    assert auth.login("chen").status_code == 401


def test_a_post_without_csrf_token_gets_400(demo, client):
    response = client.post("/admin/login", data={"username": "li", "password": "qinglan-demo-2026"})
    assert response.status_code == 400
    assert "安全校验" in response.get_data(as_text=True)


def test_a_post_with_a_forged_csrf_token_gets_400(demo, client):
    client.get("/admin/login")
    response = client.post("/admin/login", data={"username": "li", "password": "qinglan-demo-2026",
                                                  "csrf_token": "forged"})
    assert response.status_code == 400


def test_session_cookie_is_httponly_and_samesite(demo, client, auth):
    response = auth.login("li")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # only when SESSION_COOKIE_SECURE is configured


def test_secure_cookie_when_configured(migrated, tmp_path):
    from tests.conftest import make_app
    app = make_app(migrated, tmp_path, SESSION_COOKIE_SECURE=True)
    with app.test_client() as client:
        page = client.get("/admin/login", base_url="https://localhost")
        cookie = next(h for h in page.headers.getlist("Set-Cookie") if h.startswith("session="))
        assert "Secure" in cookie
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/%09/evil.example", "/\\evil.example",
                                    "/%0a/evil.example", "javascript:alert(1)"])
def test_login_redirects_only_to_local_paths(demo, client, target):
    page = client.get("/admin/login")
    response = client.post(f"/admin/login?next={target}",
                           data={"username": "li", "password": "qinglan-demo-2026",
                                 "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.headers["Location"] == "/admin/"


def test_login_keeps_a_local_next(demo, client):
    page = client.get("/admin/login")
    response = client.post("/admin/login?next=/admin/dongpo/",
                           data={"username": "li", "password": "qinglan-demo-2026",
                                 "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.headers["Location"] == "/admin/dongpo/"


def test_nul_bytes_are_refused_with_400(demo, client):
    page = client.get("/admin/login")
    response = client.post("/admin/login", data={"username": "wa\x00ng", "password": "x",
                                                  "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 400 and "控制字符" in response.get_data(as_text=True)
    assert client.get("/api/v1/tenants?status=a%00b").status_code == 400


# --- the permission check -----------------------------------------------------------------

def _user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


@pytest.mark.parametrize("username, permission, slug, allowed", [
    ("wang", Permission.TENANT_MANAGE, "qinglan", True),
    ("wang", Permission.TENANT_MANAGE, "dongpo", True),    # a district grant covers the whole subtree
    ("wang", Permission.USERS_MANAGE, "dongpo", False),    # 三员分立: accounts are the security admin's
    ("wang", Permission.AUDIT_READ, "qinglan", False),     # and the log the audit admin's
    ("qian", Permission.USERS_MANAGE, "dongpo", True),
    ("qian", Permission.TENANT_MANAGE, "qinglan", False),
    ("qian", Permission.CONTENT_VIEW, "qinglan", False),
    ("zhou", Permission.AUDIT_READ, "dongpo", True),
    ("zhou", Permission.CONTENT_VIEW, "qinglan", False),
    ("zhou", Permission.USERS_MANAGE, "qinglan", False),
    ("wang", Permission.CONTENT_PUBLISH, "baishui", False),  # admin and editor, not reviewer
    ("li", Permission.CONTENT_EDIT, "baishui", True),
    ("li", Permission.CONTENT_EDIT, "dongpo", True),       # the town editor helps her villages
    ("li", Permission.CONTENT_EDIT, "liuhe", False),       # but not the neighbouring town
    ("li", Permission.CONTENT_EDIT, "qinglan", False),     # nor upwards
    ("li", Permission.CONTENT_PUBLISH, "baishui", False),
    ("li", Permission.USERS_MANAGE, "baishui", False),
    ("zhao", Permission.CONTENT_PUBLISH, "xihe", True),
    ("zhao", Permission.CONTENT_EDIT, "baishui", False),
    ("chen", Permission.CONTENT_EDIT, "dongpo", True),
    ("chen", Permission.CONTENT_EDIT, "xihe", False),
    ("chen", Permission.CONTENT_VIEW, "baishui", False),
    ("admin", Permission.USERS_MANAGE, "shangzhuang", True),
])
def test_permission_matrix(demo, ctx, username, permission, slug, allowed):
    assert has_permission(_user(username), permission, tenant_by_slug(slug)) is allowed


def test_require_permission_hides_unrelated_tenants_with_not_found(demo, ctx):
    li = _user("li")
    with pytest.raises(NotFound):
        require_permission(li, Permission.CONTENT_VIEW, tenant_by_slug("liuhe"))
    with pytest.raises(AccessDenied):
        require_permission(li, Permission.USERS_MANAGE, tenant_by_slug("baishui"))


def test_admin_role_alone_does_not_edit_content(demo, ctx):
    from core.accounts import grant_role, SYSTEM, create_user
    user = create_user("adminonly", "admin-only-pass")
    grant_role(SYSTEM, user, tenant_by_slug("liuhe"), "admin")
    assert has_permission(user, Permission.TENANT_MANAGE, tenant_by_slug("liuhecun"))
    assert not has_permission(user, Permission.CONTENT_EDIT, tenant_by_slug("liuhe"))
    assert not has_permission(user, Permission.USERS_MANAGE, tenant_by_slug("liuhe"))


def test_anonymous_has_no_permission(demo, ctx):
    from flask_login import AnonymousUserMixin
    assert not has_permission(AnonymousUserMixin(), Permission.CONTENT_VIEW, tenant_by_slug("baishui"))
    assert not has_permission(None, Permission.CONTENT_VIEW, tenant_by_slug("baishui"))
