"""Hook implementations of the decisions plugin: the yearly 重大行政决策事项目录 of districts and
towns, each item followed through its stages (国务院令第713号)."""
from __future__ import annotations

from pathlib import Path

from core.plugin_api import hookimpl, MenuEntry, NavItem, Permission, PluginInfo, PluginRoutes

NAME = "decisions"


@hookimpl
def plugin_info():
    return PluginInfo(
        name=NAME,
        title="重大行政决策",
        description="年度重大行政决策事项目录，各事项从预公开、听证、专家论证、风险评估、合法性审查、集体讨论决定到决策结果和执行评估的全过程公开",
        tenant_kinds=("district", "town"),
        enabled_by_default=True,
        migrations=str(Path(__file__).parent / "migrations" / "versions"),
        portal_menu=(MenuEntry("重大行政决策", "decisions.index", order=22),),
        admin_menu=(MenuEntry("重大行政决策", "decisions_admin.index", order=22, permission=Permission.CONTENT_VIEW),),
    )


@hookimpl
def routes():
    from plugins.decisions import admin, api, views
    return PluginRoutes(plugin=NAME, public=views.bp, admin=admin.bp, api=api.bp)


@hookimpl
def document_references(tenant, ref):
    """A consultation (预公开) or a record (决策结果) shows the decision item it belongs to."""
    from core.plugin_api import url_path_for
    from plugins.decisions.services import references
    return [NavItem(plugin=NAME, title=f"属于重大行政决策事项：{item.name}",
                    url=url_path_for("decisions.item", tenant=tenant, decision_id=item.id), order=30)
            for item in references(tenant, ref)]


@hookimpl
def supervision_notices(tenants, as_of):
    from plugins.decisions.oversight import notices
    return notices(tenants, as_of)


@hookimpl
def search_sources():
    from plugins.decisions.search import sources
    return sources()


@hookimpl
def home_sections(tenant):
    from plugins.decisions.views import home_section
    return home_section(tenant)


@hookimpl(trylast=True)   # after the consultations and records its items point at
def demo_content():
    from plugins.decisions.demo import load_demo
    return load_demo()
