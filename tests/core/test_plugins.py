"""The plugin system, proven with a plugin that exists only in this test and is discovered through
the same entry-point group as the built-in ones. Every hook in core/hookspecs.py has a test named
test_hook_<name> here and a section in docs/plugins.md (both checked below)."""
from __future__ import annotations

import importlib
import inspect
import re
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from core import hookspecs
from core.db import db
from core.plugins import PluginError, collect
from core.tenants import tenant_by_slug
from tests.conftest import DEMO_FILE, _empty_all_tables, make_app, post_form

ROOT = Path(__file__).resolve().parents[2]
BUILT_IN = ["applications", "catalog", "decisions", "disclosure", "gazette", "open_day", "opinions"]
HOOKS = sorted(name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
               if getattr(fn, "cms_spec", None) is not None)

NOTICEBOARD = '''
"""A third-party plugin: a notice board for towns and villages."""
import click
from flask import Blueprint, g, jsonify, url_for
from markupsafe import Markup

from core.plugin_api import (NavItem, Permission, PluginInfo, PluginRoutes, SearchDocument, SearchSource,
                             SharedDocument, Widget, hookimpl, operation, requires)

public = Blueprint("noticeboard", __name__)
admin = Blueprint("noticeboard_admin", __name__)
api = Blueprint("noticeboard_api", __name__)
PROVISIONED = []


@public.get("/")
def index():
    return f"<h1>公告栏：{g.tenant.name}</h1>"


@admin.get("/")
@requires(Permission.CONTENT_EDIT)
def manage():
    return "公告栏管理"


@api.get("/")
@operation("公告栏", tags=("noticeboard",))
def api_index():
    return jsonify(tenant=g.tenant.slug)


@hookimpl
def plugin_info():
    return PluginInfo(name="noticeboard", title="公告栏", tenant_kinds=("town", "village"))


@hookimpl
def routes():
    return PluginRoutes(plugin="noticeboard", public=public, admin=admin, api=api)


@hookimpl
def portal_nav(tenant):
    return [NavItem(plugin="noticeboard", title="公告栏", url=url_for("noticeboard.index", tenant=tenant))]


@hookimpl
def admin_nav(tenant, user):
    return [NavItem(plugin="noticeboard", title="管理公告栏", url=url_for("noticeboard_admin.manage", tenant=tenant))]


@hookimpl
def dashboard_widgets(tenant, user):
    return [Widget(plugin="noticeboard", title="公告栏待办", html=Markup("<p>3 条公告待审核</p>"))]


@hookimpl
def tenant_provisioned(tenant):
    PROVISIONED.append(tenant.slug)


class Notice:
    """Stands for the plugin's model; this test plugin keeps no table."""


def notice_document(notice):
    return SearchDocument(plugin="noticeboard", kind="notice", id=notice.id, tenant_id=notice.tenant_id,
                          title="停水通知", body="明日停水", url="/")


@hookimpl
def search_sources():
    return [SearchSource(plugin="noticeboard", kind="notice", label="公告", model=Notice, document=notice_document,
                         candidates=lambda: None, watch=("title", "body"))]


@hookimpl
def lookup_documents(tenant, query, refs):
    notice = SharedDocument(ref="noticeboard:notice:1", plugin="noticeboard", title="停水通知", url="/n/1",
                            doc_no="白水公告〔2026〕1号")
    if refs is not None:
        return [notice] if notice.ref in refs else []
    return [notice] if query and query in notice.title + notice.doc_no else []


@hookimpl
def document_references(tenant, ref):
    return [NavItem(plugin="noticeboard", title="公告栏转载", url="/n/1")] if ref == "catalog:record:1" else []


DEMO_RUNS = []


@hookimpl
def demo_content():
    DEMO_RUNS.append(1)
    return ["公告栏：示例公告已加载"] if len(DEMO_RUNS) == 1 else []


PURGED = []
SENT = []


@hookimpl
def deliver_notification(notification):
    if notification.recipient.startswith("139"):
        SENT.append(notification.subject)
        return "test-sms"
    return None


@hookimpl
def purge_personal_data(before):
    PURGED.append(before)
    return [f"公告栏：删除 {before} 之前的联系人 2 条"]


@hookimpl
def home_sections(tenant):
    from datetime import date
    from core.plugin_api import HomeEntry, HomeSection
    if tenant.kind != "town":   # a section without entries is left out of the page
        return [HomeSection("noticeboard", "村里的公告", ())]
    return [HomeSection("noticeboard", "最新公告", (HomeEntry("停水通知", "/n/1", date(2026, 3, 2), "全镇"),),
                        more_url="/n/", order=5)]


@hookimpl
def cli_commands():
    @click.command("noticeboard-hello")
    @click.argument("name")
    def hello(name):
        """Say hello."""
        click.echo(f"你好，{name}")
    return [hello]
'''


def install_plugin(site: Path, module: str, source: str, entry_name: str) -> None:
    """Write a module and an installed distribution whose entry point names it, as pip would."""
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    dist = site / f"{module.replace('_', '-')}-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[cms.plugins]\n{entry_name} = {module}\n")
    sys.path.insert(0, str(site))
    importlib.invalidate_caches()


def uninstall_plugin(site: Path, module: str) -> None:
    sys.path.remove(str(site))
    sys.modules.pop(module, None)
    importlib.invalidate_caches()


@pytest.fixture
def plugin_app(migrated, tmp_path, request):
    site = tmp_path / "site"
    install_plugin(site, "cms_noticeboard", NOTICEBOARD, "noticeboard")
    try:
        # The test plugin alone (the built-in four installed but left unloaded, PLUGINS_OFF), unless
        # the test is about the built-in ones too.
        off = [] if request.node.get_closest_marker("builtin_plugins") else BUILT_IN
        app = make_app(migrated, tmp_path, PLUGINS_OFF=off)
        from core.tenants.provisioning import sync_file
        with app.app_context():
            sync_file(DEMO_FILE)
        yield app
        with app.app_context():
            db.session.remove()
            _empty_all_tables()
            db.engine.dispose()
    finally:
        uninstall_plugin(site, "cms_noticeboard")


@pytest.fixture
def pclient(plugin_app):
    return plugin_app.test_client()


def login(client, username: str):
    from tests.conftest import Auth
    Auth(client).login(username)


@pytest.mark.builtin_plugins
def test_the_builtin_plugins_come_through_the_entry_point_group(app):
    names = {ep.name for ep in entry_points(group="cms.plugins")}
    assert {"catalog", "opinions", "open_day", "gazette", "applications", "disclosure", "decisions"} <= names
    assert set(app.extensions["cms"].infos) == names


def test_hook_plugin_info(plugin_app):
    info = plugin_app.extensions["cms"].infos["noticeboard"]
    assert info.title == "公告栏" and info.tenant_kinds == ("town", "village")


def test_hook_routes(plugin_app, pclient):
    page = pclient.get("/qinglan/baishui/noticeboard/")
    assert page.status_code == 200 and "公告栏：白水镇" in page.get_data(as_text=True)
    assert pclient.get("/qinglan/baishui/dongpo/noticeboard/").status_code == 200
    assert pclient.get("/qinglan/noticeboard/").status_code == 404  # the plugin does not serve districts
    assert pclient.get("/api/v1/tenants/dongpo/noticeboard/").get_json() == {"tenant": "dongpo"}
    assert "/api/v1/tenants/{tenant_slug}/noticeboard/" in pclient.get("/api/v1/openapi.json").get_json()["paths"]
    assert pclient.get("/admin/baishui/noticeboard/").status_code == 302  # login first
    login(pclient, "li")
    assert pclient.get("/admin/baishui/noticeboard/").get_data(as_text=True) == "公告栏管理"
    assert pclient.get("/admin/liuhe/noticeboard/").status_code == 404  # another town


def test_hook_portal_nav(plugin_app, pclient):
    assert 'href="/qinglan/baishui/noticeboard/">公告栏</a>' in pclient.get("/qinglan/baishui/").get_data(as_text=True)
    assert "公告栏" not in pclient.get("/qinglan/").get_data(as_text=True)


def test_hook_admin_nav(plugin_app, pclient):
    login(pclient, "li")
    assert 'href="/admin/baishui/noticeboard/">管理公告栏</a>' in pclient.get("/admin/baishui/").get_data(as_text=True)


def test_hook_dashboard_widgets(plugin_app, pclient):
    login(pclient, "li")
    html = pclient.get("/admin/baishui/").get_data(as_text=True)
    assert "公告栏待办" in html and "<p>3 条公告待审核</p>" in html


def test_hook_tenant_provisioned(plugin_app):
    provisioned = sys.modules["cms_noticeboard"].PROVISIONED
    # called for the towns and villages it serves, not for the district
    assert set(provisioned) == {"chengguan", "nanmen", "beiguan", "baishui", "dongpo", "xihe", "liuhe", "liuhecun",
                                "shangzhuang"}


@pytest.mark.builtin_plugins
def test_hook_search_sources(plugin_app):
    """Registered at start-up next to the built-in sources, by model, with its facet label."""
    from core.search import sources
    with plugin_app.app_context():
        registry = sources()
        notice = registry.source("noticeboard.notice")
        assert notice is not None and notice.label == "公告"
        model = sys.modules["cms_noticeboard"].Notice
        assert registry.by_model[model] == [notice]
        assert {"catalog.record", "opinions.consultation", "open_day.open_day", "gazette.article"} <= \
            {s.key for s in registry.all}


def test_hook_lookup_documents(plugin_app):
    """Reached through the services of another plugin, only where the provider is enabled."""
    hook = plugin_app.extensions["cms"]
    with plugin_app.app_context():
        baishui, qinglan = tenant_by_slug("baishui"), tenant_by_slug("qinglan")
        found = collect(hook.hook_for(baishui, "lookup_documents"), tenant=baishui, query="停水", refs=None)
        assert [d.ref for d in found] == ["noticeboard:notice:1"]
        by_ref = collect(hook.hook_for(baishui, "lookup_documents"), tenant=baishui, query=None,
                         refs=["noticeboard:notice:1"])
        assert [d.doc_no for d in by_ref] == ["白水公告〔2026〕1号"]
        # 青岚县 is a district: the noticeboard serves towns and villages only, so it is not asked.
        assert collect(hook.hook_for(qinglan, "lookup_documents"), tenant=qinglan, query="停水", refs=None) == []


def test_hook_document_references(plugin_app):
    hook = plugin_app.extensions["cms"]
    with plugin_app.app_context():
        baishui = tenant_by_slug("baishui")
        links = collect(hook.hook_for(baishui, "document_references"), tenant=baishui, ref="catalog:record:1")
        assert [link.title for link in links if link.plugin == "noticeboard"] == ["公告栏转载"]


def test_hook_cli_commands(plugin_app):
    result = plugin_app.test_cli_runner().invoke(args=["noticeboard-hello", "李科长"])
    assert result.exit_code == 0 and result.output == "你好，李科长\n"


def test_hook_demo_content(plugin_app):
    runner = plugin_app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and "公告栏：示例公告已加载" in first.output
    assert "公告栏" not in runner.invoke(args=["demo"]).output


def test_hook_deliver_notification(plugin_app):
    from core.notify import Notification, deliver_committed, notify
    with plugin_app.app_context():
        taken = notify(tenant_id=None, recipient="13900001111", kind="test", subject="报名成功", body="您已报名。")
        kept = notify(tenant_id=None, recipient="13800001111", kind="test", subject="候补", body="您在候补名单中。")
        assert sys.modules["cms_noticeboard"].SENT == []  # nothing leaves before the transaction commits
        db.session.commit()
        assert deliver_committed() == 2
        assert (taken.delivered_by, kept.delivered_by) == ("test-sms", "")
        assert sys.modules["cms_noticeboard"].SENT == ["报名成功"]
        assert db.session.query(Notification).count() == 2 and kept.masked_recipient == "138****1111"
        rolled_back = notify(tenant_id=None, recipient="13900002222", kind="test", subject="不会发出", body="")
        db.session.rollback()
        assert rolled_back is not None and deliver_committed() == 0
        assert sys.modules["cms_noticeboard"].SENT == ["报名成功"]


def test_hook_purge_personal_data(plugin_app):
    runner = plugin_app.test_cli_runner()
    dry = runner.invoke(args=["privacy", "purge", "--before", "2026-06-30", "--dry-run"])
    assert "（试运行）公告栏：删除 2026-06-30 之前的联系人 2 条" in dry.output
    result = runner.invoke(args=["privacy", "purge", "--before", "2026-06-30"])
    assert result.exit_code == 0 and "公告栏：删除 2026-06-30 之前的联系人 2 条" in result.output
    from datetime import date
    assert sys.modules["cms_noticeboard"].PURGED[-1] == date(2026, 6, 30)
    bad = runner.invoke(args=["privacy", "purge", "--before", "yesterday"])
    assert bad.exit_code != 0


def test_hook_assessment_components(plugin_app):
    """A plugin adds a measure to the yearly assessment; pluggy checks its arguments at registration.
    The catalog's use of it (scores, 未启用, weights) is tested in tests/catalog/test_supervision.py."""
    from core.plugin_api import AssessmentComponent, hookimpl

    class Replies:
        @hookimpl
        def assessment_components(self, tenants, year):
            return [AssessmentComponent("application", "依申请按时答复率", {t.id: 0.75 for t in tenants})]

    registry = plugin_app.extensions["cms"]
    with plugin_app.app_context():
        baishui = tenant_by_slug("baishui")
        before = collect(registry.hook.assessment_components, tenants=[baishui], year=2026)   # installed plugins'
        registry.pm.register(Replies(), name="test-replies")
        try:
            answers = collect(registry.hook.assessment_components, tenants=[baishui], year=2026)
        finally:
            registry.pm.unregister(name="test-replies")
    assert [a for a in answers if a not in before] == [AssessmentComponent("application", "依申请按时答复率",
                                                                          {baishui.id: 0.75})]


def test_hook_application_statistics(plugin_app):
    """The annual report reads the statistics of 依申请公开 through this hook; the first answer counts
    (firstresult). The applications plugin's tables are tested in tests/applications/test_stats.py."""
    from core.plugin_api import hookimpl

    class Statistics:
        @hookimpl(tryfirst=True)
        def application_statistics(self, tenant, year):
            return {"tenant": tenant.slug, "year": year} if tenant.kind == "town" else None

    registry = plugin_app.extensions["cms"]
    with plugin_app.app_context():
        baishui = tenant_by_slug("baishui")
        registry.pm.register(Statistics(), name="test-statistics")
        try:
            assert registry.hook.application_statistics(tenant=baishui, year=2026) == {"tenant": "baishui", "year": 2026}
        finally:
            registry.pm.unregister(name="test-statistics")


def test_hook_application_channels(plugin_app):
    """A plugin offers the way to apply for a tenant's information; pluggy checks its arguments at
    registration. The catalog's item page shows it (tests/integration/test_supervision_notices.py)."""
    from core.plugin_api import hookimpl, NavItem

    class Form:
        @hookimpl
        def application_channels(self, tenant):
            return [NavItem("test-form", f"向{tenant.name}申请", "/apply")]

    registry = plugin_app.extensions["cms"]
    with plugin_app.app_context():
        baishui = tenant_by_slug("baishui")
        registry.pm.register(Form(), name="test-form")
        try:
            answers = collect(registry.hook.application_channels, tenant=baishui)
        finally:
            registry.pm.unregister(name="test-form")
    assert NavItem("test-form", "向白水镇申请", "/apply") in answers


def test_hook_supervision_notices(plugin_app):
    """A plugin reports counts on the catalog's supervision page; pluggy checks its arguments at
    registration. The page's use of it is tested in tests/integration/test_supervision_notices.py."""
    from datetime import date

    from core.plugin_api import hookimpl, SupervisionNotice

    class Overdue:
        @hookimpl
        def supervision_notices(self, tenants, as_of):
            return [SupervisionNotice("test-overdue", t.id, "逾期未答复", 2) for t in tenants]

    registry = plugin_app.extensions["cms"]
    with plugin_app.app_context():
        baishui = tenant_by_slug("baishui")
        registry.pm.register(Overdue(), name="test-overdue")
        try:
            answers = collect(registry.hook.supervision_notices, tenants=[baishui], as_of=date(2026, 12, 7))
        finally:
            registry.pm.unregister(name="test-overdue")
    assert answers == [SupervisionNotice("test-overdue", baishui.id, "逾期未答复", 2)]


def test_a_plugin_switched_off_for_a_tenant_disappears_there_only(plugin_app, pclient):
    login(pclient, "wang")
    post_form(pclient, "/admin/baishui/plugins", {"plugin-catalog": "1"})
    assert pclient.get("/qinglan/baishui/noticeboard/").status_code == 404
    assert pclient.get("/api/v1/tenants/baishui/noticeboard/").status_code == 404
    assert "公告栏" not in pclient.get("/qinglan/baishui/").get_data(as_text=True)
    assert pclient.get("/qinglan/liuhe/noticeboard/").status_code == 200  # still on elsewhere
    # switched on again: the tenant is seeded again through tenant_provisioned (which must be idempotent)
    before = len(sys.modules["cms_noticeboard"].PROVISIONED)
    post_form(pclient, "/admin/baishui/plugins", {"plugin-catalog": "1", "plugin-noticeboard": "1"})
    assert pclient.get("/qinglan/baishui/noticeboard/").status_code == 200
    assert sys.modules["cms_noticeboard"].PROVISIONED[before:] == ["baishui"]


@pytest.mark.parametrize("source, message", [
    ("from core.plugins import hookimpl\n@hookimpl\ndef portal_navv(tenant):\n    return []\n", "实现了未定义的钩子"),
    ("import not_a_module_anywhere\n", "无法加载：ModuleNotFoundError"),
    ("from core.plugins import hookimpl\n@hookimpl\ndef portal_nav(tenant, colour):\n    return []\n", "无法注册"),
    ("x = 1\n", "没有实现 plugin_info"),
])
def test_a_broken_plugin_stops_start_up_with_a_clear_message(migrated, tmp_path, source, message):
    site = tmp_path / "site"
    install_plugin(site, "cms_broken", source, "broken")
    try:
        with pytest.raises(PluginError) as caught:
            make_app(migrated, tmp_path)
        assert message in str(caught.value) and "broken" in str(caught.value)
    finally:
        uninstall_plugin(site, "cms_broken")


def test_every_hook_is_documented_and_tested():
    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^### `(\w+)`", docs, re.M))
    assert HOOKS and set(HOOKS) == documented, f"undocumented: {set(HOOKS) - documented}, stale: {documented - set(HOOKS)}"
    tested = {name[len("test_hook_"):] for name in globals() if name.startswith("test_hook_")}
    assert set(HOOKS) <= tested, f"hooks without a test: {set(HOOKS) - tested}"


@pytest.mark.builtin_plugins
def test_menus_declared_in_plugin_info_follow_the_tenant_and_the_permission(demo, client):
    """portal_menu and admin_menu (PluginInfo) instead of nav hooks: shown in their order where the
    plugin is on for the tenant, and in the admin area only to people with the entry's permission."""
    from tests.conftest import Auth
    html = client.get("/qinglan/baishui/").get_data(as_text=True)
    links = re.findall(r'href="/qinglan/baishui/(opinions|open-day)/">(意见征集|政府开放日)</a>', html)
    assert links[:2] == [("opinions", "意见征集"), ("open-day", "政府开放日")]       # order 20, then 30
    assert 'href="/qinglan/baishui/gazette/"' not in html                           # a district's plugin only
    with demo.app_context():
        baishui = tenant_by_slug("baishui")
        baishui.enabled_plugins = [p for p in baishui.enabled_plugins if p != "opinions"]
        db.session.commit()
    html = client.get("/qinglan/baishui/").get_data(as_text=True)
    assert ">意见征集</a>" not in html and 'href="/qinglan/baishui/open-day/">政府开放日</a>' in html
    Auth(client).login("li")                                                        # 白水镇's editor
    admin = client.get("/admin/baishui/").get_data(as_text=True)
    assert 'href="/admin/baishui/open-day/">政府开放日</a>' in admin and "/admin/baishui/opinions/" not in admin
    Auth(client).logout()
    Auth(client).login("qian")                                                      # security admin: no content
    page = client.get("/admin/qinglan/")
    assert page.status_code == 200 and "用户与权限" in page.get_data(as_text=True)
    assert "/admin/qinglan/open-day/" not in page.get_data(as_text=True)


@pytest.mark.builtin_plugins
def test_dashboard_boxes_declared_in_plugin_info_follow_the_tenant_and_the_permission(demo, client):
    """PluginInfo.dashboard instead of a dashboard_widgets hook: core checks the permission, renders
    the plugin's template with its context and orders the boxes; a plugin off for the tenant, or a
    person without the permission, gets no box (and its context is not even computed)."""
    from tests.conftest import Auth
    Auth(client).login("li")                                                        # 白水镇's editor
    html = client.get("/admin/baishui/").get_data(as_text=True)
    boxes = re.findall(r'<h2 id="widget-\d+">([^<]+)</h2>', html)
    assert boxes == ["政府信息公开", "依申请公开", "意见征集", "政府开放日"]             # order 10, 15, 20, 30
    assert "政府公报" not in boxes                                                   # a district's plugin only
    with demo.app_context():
        baishui = tenant_by_slug("baishui")
        baishui.enabled_plugins = [p for p in baishui.enabled_plugins if p != "opinions"]
        db.session.commit()
    html = client.get("/admin/baishui/").get_data(as_text=True)
    assert re.findall(r'<h2 id="widget-\d+">([^<]+)</h2>', html) == ["政府信息公开", "依申请公开", "政府开放日"]
    Auth(client).logout()
    Auth(client).login("qian")                                                      # security admin: no content
    with demo.app_context():
        registry = demo.extensions["cms"]
        with demo.test_request_context("/admin/qinglan/"):
            assert registry.widgets(tenant_by_slug("qinglan"), lambda permission: False) == []
    page = client.get("/admin/qinglan/").get_data(as_text=True)
    # No box for him, and no claim that the county has no modules: it has, he may not see them.
    assert '<h2 id="widget-' not in page and "尚未启用任何功能模块" not in page


@pytest.mark.builtin_plugins
def test_installed_plugins_can_be_left_unloaded(demo, migrated, tmp_path):
    """PLUGINS_OFF: installed, not loaded, as if absent (make test runs the core tests so, with all
    four built-in plugins off)."""
    from tests.conftest import make_app
    app = make_app(migrated, tmp_path, PLUGINS_OFF=["opinions", "gazette", "applications", "disclosure", "decisions"])
    assert set(app.extensions["cms"].infos) == {"catalog", "open_day"}
    client = app.test_client()
    html = client.get("/qinglan/").get_data(as_text=True)
    assert "政府开放日" in html and "意见征集" not in html and "政府公报" not in html
    assert client.get("/qinglan/opinions/").status_code == 404
    assert client.get("/qinglan/search?q=%E5%85%AC%E6%8A%A5").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_hook_home_sections(plugin_app, pclient):
    """A plugin's block on the portal home, each entry with its date; an empty one is left out."""
    home = pclient.get("/qinglan/baishui/").get_data(as_text=True)
    block = home.split(">最新公告</h2>", 1)[1].split("</section>", 1)[0]
    assert '<a href="/n/1">停水通知</a>' in block and '<time datetime="2026-03-02">2026-03-02</time> · 全镇' in block
    assert '<a href="/n/" aria-label="更多：最新公告">更多</a>' in block
    assert "村里的公告" not in pclient.get("/qinglan/baishui/dongpo/").get_data(as_text=True)


def test_hook_disclosure_column_parts(plugin_app):
    """The parts of the 政府信息公开专栏 a plugin holds, placed by `order` in the national layout; the
    disclosure plugin's page that gathers them is tested in tests/disclosure/."""
    from core.plugin_api import hookimpl, NavItem

    class Rules:
        @hookimpl
        def disclosure_column_parts(self, tenant):
            return [NavItem("test-rules", "政府信息公开制度", f"/{tenant.slug}/rules", order=20)]

    registry = plugin_app.extensions["cms"]
    with plugin_app.app_context():
        baishui = tenant_by_slug("baishui")
        registry.pm.register(Rules(), name="test-rules")
        try:
            parts = collect(registry.hook.disclosure_column_parts, tenant=baishui)
            assert [(p.title, p.url, p.order) for p in parts] == [("政府信息公开制度", "/baishui/rules", 20)]
        finally:
            registry.pm.unregister(name="test-rules")


def test_hook_proactive_disclosure_statistics(plugin_app):
    """Section 二 of the annual report, first answer only; the catalog's counting is tested in
    tests/catalog/ against a hand count of the demo's documents."""
    from core.plugin_api import hookimpl

    class Figures:
        @hookimpl(tryfirst=True)
        def proactive_disclosure_statistics(self, tenant, year):
            if tenant.kind != "town":
                return None
            return {"rules": {"issued": 0, "repealed": 0, "in_force": 0},
                    "normative": {"issued": 3, "repealed": 1, "in_force": 7}}

    registry = plugin_app.extensions["cms"]
    with plugin_app.app_context():
        registry.pm.register(Figures(), name="test-figures")
        try:
            answer = registry.hook.proactive_disclosure_statistics(tenant=tenant_by_slug("baishui"), year=2025)
            assert answer["normative"] == {"issued": 3, "repealed": 1, "in_force": 7}
            assert registry.hook.proactive_disclosure_statistics(tenant=tenant_by_slug("qinglan"), year=2025) is None
        finally:
            registry.pm.unregister(name="test-figures")


def test_hook_policy_documents(plugin_app):
    """Each plugin offers its policy documents of the given tenants; the library (tests/disclosure/)
    lists a document shown by two plugins once, through `same_as`."""
    from core.plugin_api import hookimpl, PolicyDocument

    class Policies:
        @hookimpl
        def policy_documents(self, tenant_ids):
            return [PolicyDocument(ref=f"test:doc:{t}", plugin="test-policies", tenant_id=t, title="停水补偿办法",
                                   url=f"/doc/{t}", doc_no="白政规〔2026〕1号", doc_type="normative") for t in tenant_ids]

    registry = plugin_app.extensions["cms"]
    with plugin_app.app_context():
        ids = [tenant_by_slug("baishui").id, tenant_by_slug("liuhe").id]
        registry.pm.register(Policies(), name="test-policies")
        try:
            found = collect(registry.hook.policy_documents, tenant_ids=ids)
            assert sorted(d.tenant_id for d in found) == sorted(ids)
            assert {d.validity for d in found} == {"valid"} and {d.same_as for d in found} == {""}
        finally:
            registry.pm.unregister(name="test-policies")
