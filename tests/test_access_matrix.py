"""Every route of the URL map, tried with another tenant's identifiers by the public and by another
town's editor (logged in, and with an API token): nothing of the victim town leaks, nothing fails.

MATRIX names each core route's kind, and each plugin's pytest plugin names its own (tests/access.py).
A route missing from them fails `test_every_route_is_in_the_matrix`, so a new page cannot ship
without saying who may reach it and being tried here.

Victim: 白水镇 (baishui), with drafts whose titles carry SECRET. Attacker: the editor of 柳河镇
(liuhe), who has a role there and nowhere else. Each route is requested twice:
  * in the victim's tenant, with the ids of its drafts (not public, not the attacker's);
  * in the attacker's own tenant, with the ids of the victim's published objects (reusing another
    tenant's ids where the attacker does have rights).
"""
from __future__ import annotations

import io
import re

import pytest

from core.accounts import SYSTEM, create_user, grant_role, issue_token, user_by_username
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from tests.access import KINDS, SECRET
from tests.conftest import Auth, csrf_from

# Core's own routes; each plugin adds its own (tests/access.py). Kinds are described there.
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
    ("portal.attachment", "/<tenant:tenant_path>/files/<token>/<path:name>"): "public",
    ("portal.attachment", "/<tenant:tenant_path>/files/<token>"): "public",
    ("portal.display", "/display/<mode>"): "open",
    ("portal.healthz", "/healthz"): "open",
    ("portal.home", "/<tenant:tenant_path>/"): "public",
    ("portal.index", "/"): "open",
    ("portal.robots", "/robots.txt"): "open",
    ("portal.search", "/<tenant:tenant_path>/search"): "public",
    ("portal.site_map", "/<tenant:tenant_path>/sitemap"): "public",
    ("portal.sitemap", "/<tenant:tenant_path>/sitemap.xml"): "public",
    ("portal.sitemap_index", "/sitemap.xml"): "open",
}


def full_matrix(config) -> dict[tuple[str, str], str]:
    """Core's routes and those of every plugin the run has (tests/access.py)."""
    matrix = dict(MATRIX)
    for part in config.hook.pytest_cms_access_routes():
        assert not set(part) & set(matrix), "a route claimed twice"
        matrix.update(part)
    return matrix


def _routes(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def test_every_route_is_in_the_matrix(app, pytestconfig):
    matrix = full_matrix(pytestconfig)
    routes = {(r.endpoint, r.rule) for r in _routes(app)}
    assert routes - set(matrix) == set(), "new routes: add each to the matrix with who may reach it"
    assert set(matrix) - routes == set(), "routes gone: remove them from the matrix"
    assert set(matrix.values()) <= KINDS


@pytest.fixture
def world(demo, pytestconfig):
    """The victim town's objects (drafts carrying SECRET, published ones, made by core and by each
    plugin's pytest plugin) and the attacker."""
    from werkzeug.datastructures import FileStorage
    from core.attachments import save_upload
    with demo.app_context():
        town, county = tenant_by_slug("baishui"), tenant_by_slug("qinglan")
        attacker = create_user("liuhe-editor", "river-willow-lamp")
        grant_role(SYSTEM, attacker, tenant_by_slug("liuhe"), "editor")
        _, token = issue_token(attacker, "attack")
        with tenant_scope(town):
            internal = save_upload(FileStorage(io.BytesIO(b"%PDF-1.4 secret"), filename=f"{SECRET}.pdf"), uploaded_by=SYSTEM)
            public_file = save_upload(FileStorage(io.BytesIO(b"%PDF-1.4 public"), filename="公开.pdf"), uploaded_by=SYSTEM,
                                      is_public=True)
        li = user_by_username("li")
        parts = [{"blueprints": ("admin", "api", "portal"), "draft": {"token": internal.token, "attachment_id": internal.id},
                  "published": {"token": public_file.token, "attachment_id": public_file.id},
                  "any": {"user_id": li.id, "grant_id": li.grants[0].id, "child_slug": "dongpo", "action": "unlock",
                          "mode": "elder", "name": "file.pdf"},
                  "objects": {"token", "attachment_id", "grant_id", "user_id", "child_slug"},
                  "private": {"token", "attachment_id"}, "owned": {"token", "attachment_id"}}]
        parts += pytestconfig.hook.pytest_cms_access_objects(town=town, county=county)
        db.session.flush()
        # Each blueprint's routes take the values of the part that made them (two plugins may both
        # have a <code>); the union of object arguments decides which routes are tried both ways.
        world = {"values": {}, "objects": set(), "private": set(), "owned": set()}
        for part in parts:
            for key in ("objects", "private", "owned"):
                world[key] |= part.get(key, set())
            values = {variant: {**part.get("any", {}), **part.get(variant, {})} for variant in ("draft", "published")}
            for blueprint in part["blueprints"]:
                world["values"][blueprint] = values
        db.session.commit()
    world["token"] = token
    return world


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


def test_nothing_of_another_tenant_leaks_on_any_route(demo, world, pytestconfig):
    matrix = full_matrix(pytestconfig)
    browsers = {"anonymous": demo.test_client(), "attacker": demo.test_client()}
    Auth(browsers["attacker"]).login("liuhe-editor", "river-willow-lamp")
    problems = []
    for rule in sorted(_routes(demo), key=lambda r: r.rule):
        kind = matrix[(rule.endpoint, rule.rule)]
        if kind == "open":
            continue            # no tenant in the URL; tried by the other tests of the pages they serve
        method = _method(rule)
        values = world["values"][rule.endpoint.partition(".")[0]]
        variants = [("victim", "qinglan/baishui" if "tenant_path" in rule.arguments else "baishui", values["draft"])]
        if world["objects"] & set(rule.arguments):     # the attacker's own tenant, with the victim's objects
            variants.append(("own", "qinglan/liuhe" if "tenant_path" in rule.arguments else "liuhe", values["published"]))
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
                if kind in ("public", "api_read", "public_post") and variant == "own" and rule.arguments & world["owned"]:
                    allowed = allowed - {200}             # another tenant's object under one's own tenant
                if kind == "public" and variant == "victim" and rule.arguments & world["private"]:
                    allowed = allowed - {200}             # drafts and internal files are not public
                if response.status_code not in allowed:
                    problems.append(f"{who} {method} {url} ({kind}, {variant}): {response.status_code}")
                if SECRET in body:
                    problems.append(f"{who} {method} {url} ({kind}, {variant}): the victim's draft is in the answer")
    assert problems == [], "\n".join(problems)
    # Control: the town's own editor does see the drafts the others could not
    owner = demo.test_client()
    Auth(owner).login("li")
    pages = [page for part in pytestconfig.hook.pytest_cms_access_owner_pages(values=world["values"]) for page in part]
    for page in pages:
        assert SECRET in owner.get(page).get_data(as_text=True), page
