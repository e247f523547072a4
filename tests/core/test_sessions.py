"""Sessions revocable in every configuration (issue 17): without Redis sessions live in the
application's database, so a cookie copied before a logout, a password change or a deactivation
opens nothing afterwards, on SQLite, on PostgreSQL (the suite runs on both) and with Redis; the
cookie ends with the browser unless SESSION_PERMANENT says otherwise (等保 2.0 第三级 身份鉴别:
登录失败处理、会话结束后清除鉴别信息)."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from core.accounts import SYSTEM, set_active, user_by_username
from core.accounts.sessions import DatabaseSessionInterface, StoredSession
from core.db import db
from tests.conftest import Auth, make_app, post_form


@pytest.fixture(params=["database", "redis"])
def site(request, demo, tmp_path):
    """The demo county served with sessions in the database (no REDIS_URL), or in Redis."""
    if request.param == "database":
        return demo
    redis_prefix = request.getfixturevalue("redis_prefix")
    return make_app(demo.config["SQLALCHEMY_DATABASE_URI"], tmp_path, REDIS_URL=request.getfixturevalue("redis_url"),
                    REDIS_KEY_PREFIX=redis_prefix)


def cookie(client) -> str:
    return client.get_cookie("session").value


def replay(site, value: str):
    """Another browser, holding a copy of the cookie."""
    thief = site.test_client()
    thief.set_cookie("session", value)
    return thief.get("/admin/baishui/")


def test_the_store_follows_the_configuration(site):
    assert isinstance(site.session_interface, DatabaseSessionInterface) != bool(site.config.get("REDIS_URL"))


def test_a_cookie_copied_before_logout_opens_nothing_after_it(site):
    client = site.test_client()
    Auth(client).login("li")
    copied = cookie(client)
    assert replay(site, copied).status_code == 200                  # the copy works while the session lives
    Auth(client).logout()
    answer = replay(site, copied)
    assert answer.status_code == 302 and "/admin/login" in answer.headers["Location"]
    assert replay(site, copied).status_code == 302                  # and replaying it does not bring it back


def test_a_password_change_and_a_deactivation_end_every_session_of_the_person(site):
    phone, laptop = site.test_client(), site.test_client()
    Auth(phone).login("li")
    Auth(laptop).login("li")
    copied = cookie(laptop)
    changed = post_form(phone, "/admin/account", {"current": "qinglan-demo-2026", "new": "new-river-lamp-77",
                                                   "confirm": "new-river-lamp-77"})
    assert changed.status_code == 302
    assert replay(site, copied).status_code == 302
    Auth(laptop).login("li", "new-river-lamp-77")
    copied = cookie(laptop)
    with site.app_context():
        set_active(user_by_username("li"), False)
        db.session.commit()
    assert replay(site, copied).status_code == 302


def test_the_database_keeps_only_a_hash_of_the_cookie(demo, client):
    Auth(client).login("li")
    value = cookie(client)
    with demo.app_context():
        ids = db.session.scalars(select(StoredSession.session_id)).all()
    assert value not in ids and hashlib.sha256(value.encode()).hexdigest() in ids


def test_the_cookie_ends_with_the_browser_unless_configured(site, tmp_path):
    client = site.test_client()
    Auth(client).login("li")
    assert client.get_cookie("session").expires is None
    if not site.config.get("REDIS_URL"):
        kept = make_app(site.config["SQLALCHEMY_DATABASE_URI"], tmp_path, SESSION_PERMANENT=True)
        other = kept.test_client()
        Auth(other).login("li")
        assert other.get_cookie("session").expires is not None


def test_reading_a_page_does_not_write_the_session(demo, client, count_queries):
    """Stored when it changed only: a visitor's or an editor's page view is no database write."""
    Auth(client).login("li")
    client.get("/admin/baishui/")
    with count_queries() as statements:
        assert client.get("/admin/baishui/").status_code == 200
    assert not [s for s in map(str, statements) if "sessions" in s and not s.startswith("SELECT")]
    assert [s for s in map(str, statements) if s.startswith("SELECT sessions")]      # it was read
