"""The page cache of anonymous public pages, its invalidation, HTTP validators, /healthz, the
reverse-proxy setting and server-side sessions in Redis."""
from __future__ import annotations


from datetime import date

import pytest
import redis
from cachelib import NullCache, RedisCache, SimpleCache
from sqlalchemy import select

from core.accounts import SYSTEM
from core.db import db
from core.tenants.provisioning import create_tenant
from core.tenants import Tenant, tenant_by_slug, tenant_scope
from plugins.catalog import services as catalog
from plugins.catalog.models import Record
from tests.catalog.fixtures import make_record
from tests.conftest import at_china, make_app
from tests.open_day.fixtures import make_event, register

REQUIRES_PLUGINS = ("catalog", "open_day", "opinions")


@pytest.fixture
def cache(app):
    store = SimpleCache(threshold=500, default_timeout=60)
    app.extensions["cms_page_cache"] = store
    yield store
    app.extensions["cms_page_cache"] = NullCache()


def version(slug: str) -> int:
    return db.session.scalar(select(Tenant.content_version).where(Tenant.slug == slug))


def test_anonymous_pages_are_cached_with_validators(demo, client, cache):
    first = client.get("/qinglan/baishui/catalog/")
    assert first.headers["X-Cache"] == "MISS"
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    second = client.get("/qinglan/baishui/catalog/")
    assert second.headers["X-Cache"] == "HIT" and second.data == first.data
    assert second.headers["X-Content-Type-Options"] == "nosniff"          # headers still applied on a hit
    assert client.get("/qinglan/baishui/catalog/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get("/qinglan/baishui/catalog/",
                      headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304


def test_a_page_with_a_form_or_a_cookie_is_never_stored(demo, client, cache):
    with demo.app_context():
        from tests.opinions.fixtures import make_consultation
        consultation_id = make_consultation("baishui")
    for _ in range(2):
        response = client.get(f"/qinglan/baishui/opinions/{consultation_id}")
        assert 'name="csrf_token"' in response.get_data(as_text=True)
        assert response.headers.get("X-Cache") is None
        assert response.headers["Cache-Control"] == "private, no-cache"
    assert not any(b"csrf_token" in value[2] for value in cache._cache.values() if isinstance(value, tuple))


def test_logged_in_people_never_get_or_fill_the_cache(demo, client, auth, cache):
    public = client.get("/qinglan/baishui/catalog/")                    # cached for the public
    auth.login("li")
    response = client.get("/qinglan/baishui/catalog/")
    assert response.headers.get("X-Cache") is None and response.headers["Cache-Control"] == "no-store"
    auth.logout()
    again = client.get("/qinglan/baishui/catalog/")
    assert again.headers["X-Cache"] == "HIT" and again.data == public.data   # not the editor's page


def test_one_towns_page_is_never_served_for_another(demo, client, cache):
    with demo.app_context():
        make_record("baishui", "法律援助", "白水镇专属公告")
        make_record("liuhe", "法律援助", "柳河镇专属公告")
    a = client.get("/qinglan/baishui/catalog/records/").get_data(as_text=True)
    b = client.get("/qinglan/liuhe/catalog/records/")
    assert b.headers["X-Cache"] == "MISS"
    assert "柳河镇专属公告" in b.get_data(as_text=True) and "白水镇专属公告" not in b.get_data(as_text=True)
    assert "白水镇专属公告" in a


def test_the_host_and_the_display_mode_are_part_of_the_key(demo, client, cache):
    with demo.app_context():
        other = create_tenant(SYSTEM, slug="hexi", name="河西区", kind="district", parent=None, host="hexi.example.cn")
        db.session.commit()
        assert other.id
    page = client.get("/qinglan/", base_url="http://qinglan.example.cn")
    assert page.status_code == 200 and page.headers["X-Cache"] == "MISS"
    # on the other district's host the county is not there at all, cached or not
    assert client.get("/qinglan/", base_url="http://hexi.example.cn").status_code == 404
    client.set_cookie("display", "elder", domain="qinglan.example.cn")
    elder = client.get("/qinglan/", base_url="http://qinglan.example.cn")
    assert elder.headers["X-Cache"] == "MISS" and 'class="elder"' in elder.get_data(as_text=True)


def test_a_publication_shows_at_once_on_the_tenant_and_its_ancestors(demo, client, cache):
    with demo.app_context():
        draft_id = make_record("dongpo", "财务收支和“三资”管理情况", "东坡村11月财务公开", publish=False)
    pages = ["/qinglan/baishui/dongpo/catalog/records/", "/qinglan/baishui/dongpo/", "/qinglan/baishui/",
             "/qinglan/", "/qinglan/search?q=财务公开"]
    for path in pages:
        client.get(path)
        assert client.get(path).headers["X-Cache"] == "HIT", path
    unrelated = "/qinglan/liuhe/"
    client.get(unrelated)
    with demo.app_context():
        with tenant_scope(tenant_by_slug("dongpo")):
            catalog.publish(SYSTEM, db.session.get(Record, draft_id), review_confirmed=True)
            db.session.commit()
    for path in pages:
        assert client.get(path).headers["X-Cache"] == "MISS", path
    assert "东坡村11月财务公开" in client.get(pages[0]).get_data(as_text=True)
    assert "东坡村11月<mark>财务公开</mark>" in client.get(pages[-1]).get_data(as_text=True)
    assert client.get(unrelated).headers["X-Cache"] == "HIT"                # another town is untouched


def test_a_lapse_shows_at_once(demo, client, cache):
    with demo.app_context():
        record_id = make_record("baishui", "法律援助", "即将废止的指南")
    path = f"/qinglan/baishui/catalog/records/{record_id}"
    client.get(path)
    with demo.app_context():
        with tenant_scope(tenant_by_slug("baishui")):
            catalog.lapse(SYSTEM, db.session.get(Record, record_id), "repealed")
            db.session.commit()
    response = client.get(path)
    assert response.headers["X-Cache"] == "MISS" and "废止" in response.get_data(as_text=True)


def test_registrations_do_not_invalidate_anything(demo, client):
    with demo.app_context():
        event_id = make_event("baishui")
        before = (version("baishui"), version("qinglan"))
        for n in range(3):
            register("baishui", event_id, n)
        db.session.expire_all()
        assert (version("baishui"), version("qinglan")) == before


def test_healthz_reports_the_database_and_redis(app, client, redis_url):
    with at_china(date(2026, 6, 1)):        # holidays known (the calendar's warning: test_calendar_coverage.py)
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok", "calendar": "ok",
                                                              "redis": "not configured"}
    assert response.headers["Cache-Control"] == "no-store"
    app.config["REDIS_URL"] = redis_url
    assert client.get("/healthz").json["redis"] == "ok"
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"                     # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "error"
    assert response.json["redis"].startswith("error")


def test_the_client_address_comes_from_trusted_proxies_only(migrated, tmp_path):
    from flask import request
    for count, expected in ((0, "127.0.0.1"), (1, "203.0.113.9")):
        app = make_app(migrated, tmp_path / str(count), TRUSTED_PROXY_COUNT=count)
        app.add_url_rule("/_whoami", "whoami", lambda: f"{request.remote_addr} {request.scheme}")
        body = app.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.9",
                                                          "X-Forwarded-Proto": "https"}).get_data(as_text=True)
        assert body == f"{expected} {'https' if count else 'http'}"


def test_sessions_live_in_redis_and_the_page_cache_is_shared_by_workers(migrated, tmp_path, demo, redis_url,
                                                                        redis_prefix):
    prefix = redis_prefix
    config = {"REDIS_URL": redis_url, "REDIS_KEY_PREFIX": prefix, "PAGE_CACHE": "redis"}
    one, two = (make_app(migrated, tmp_path / name, **config) for name in ("one", "two"))
    server = redis.from_url(redis_url)
    try:
        assert isinstance(one.extensions["cms_page_cache"], RedisCache)
        browser = one.test_client()
        assert browser.get("/qinglan/baishui/").headers["X-Cache"] == "MISS"
        assert "Set-Cookie" not in browser.get("/qinglan/baishui/").headers     # no session for a reader
        assert two.test_client().get("/qinglan/baishui/").headers["X-Cache"] == "HIT"   # the other worker
        # a login is a session in Redis; the cookie carries only its id, valid on the other worker
        from tests.conftest import DEMO_PASSWORD, csrf_from
        page = browser.get("/admin/login")
        before = browser.get_cookie("session").value
        login = browser.post("/admin/login", data={"username": "li", "password": DEMO_PASSWORD,
                                                   "csrf_token": csrf_from(page.get_data(as_text=True))})
        assert login.status_code == 302, login.get_data(as_text=True)
        sid = browser.get_cookie("session").value
        assert sid != before and not server.exists(prefix + "session:" + before)   # a new id at login
        assert browser.get("/admin/baishui/").status_code == 200
        assert server.exists(prefix + "session:" + sid)
        other = two.test_client()
        other.set_cookie("session", sid)
        assert other.get("/admin/baishui/").status_code == 200
        server.delete(prefix + "session:" + sid)                             # revoked: logged out everywhere
        assert other.get("/admin/baishui/").status_code == 302
        # Two-step login: the session id changes already at the password step, so a planted id
        # never holds a half-done login (nor the key about to be enrolled)
        planted = one.test_client()
        page = planted.get("/admin/login")
        before = planted.get_cookie("session").value
        step = planted.post("/admin/login", data={"username": "zhao", "password": DEMO_PASSWORD,
                                                  "csrf_token": csrf_from(page.get_data(as_text=True))})
        assert step.headers["Location"].endswith("/admin/login/totp/setup")
        assert planted.get_cookie("session").value != before and not server.exists(prefix + "session:" + before)
        attacker = two.test_client()
        attacker.set_cookie("session", before)
        assert attacker.get("/admin/login/totp/setup").headers["Location"].endswith("/admin/login")
    finally:
        for key in server.scan_iter(prefix + "*"):
            server.delete(key)


def test_a_transaction_raises_each_version_once_however_many_flushes_it_makes(demo):
    """A record written and published (several flushes, one commit) raises its town's version and
    the county's by one; a savepoint rolled back does not lose the raise of what is committed."""
    with demo.app_context():
        before = version("baishui"), version("qinglan"), version("liuhe")
        make_record("baishui", "法律援助", "一次提交、多次写入")
        assert (version("baishui"), version("qinglan"), version("liuhe")) == (before[0] + 1, before[1] + 1, before[2])
        town = tenant_by_slug("baishui")
        record_id = make_record("baishui", "法律援助", "保存点")
        after = version("baishui")
        with tenant_scope(town):
            record = db.session.get(Record, record_id)
            nested = db.session.begin_nested()
            record.title = "保存点里的改动"
            db.session.flush()                      # raises the version inside the savepoint...
            nested.rollback()                       # ...which is undone with it
            record.title = "提交的改动"
            db.session.commit()
        assert version("baishui") == after + 1
