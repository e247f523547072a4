"""Hook implementations of the disclosure plugin: the 政府信息公开专栏 of districts and towns in the
national layout (国办公开办函〔2019〕61号), its 公开指南, the 政府信息公开工作年度报告 and the county's
政策文件库 (which reads the policy_documents hook)."""
from __future__ import annotations

from pathlib import Path

from core.plugin_api import hookimpl, MenuEntry, NavItem, Permission, PluginInfo, PluginRoutes

NAME = "disclosure"


@hookimpl
def plugin_info():
    return PluginInfo(
        name=NAME,
        title="政府信息公开专栏",
        description="政府信息公开指南、制度、法定主动公开内容、年度报告和依申请公开的统一入口",
        tenant_kinds=("district", "town"),
        enabled_by_default=True,
        migrations=str(Path(__file__).parent / "migrations" / "versions"),
        portal_menu=(MenuEntry("政府信息公开", "disclosure.index", order=5),),
        admin_menu=(MenuEntry("政府信息公开年报", "disclosure_admin.reports", order=16,
                              permission=Permission.CONTENT_VIEW),),
    )


@hookimpl
def routes():
    from plugins.disclosure import admin, api, views
    return PluginRoutes(plugin=NAME, public=views.bp, admin=admin.bp, api=api.bp)


@hookimpl
def disclosure_column_parts(tenant):
    """This plugin's parts of the column: 10 the guide, 40 the annual reports, 50 the way to apply
    (the application_channels hook: absent where no plugin offers one)."""
    from flask import current_app

    from core.plugin_api import collect, url_path_for
    parts = [NavItem(NAME, "政府信息公开指南", url_path_for("disclosure.guide", tenant=tenant), order=10),
             NavItem(NAME, "政府信息公开年报", url_path_for("disclosure.reports", tenant=tenant), order=40)]
    channels = collect(current_app.extensions["cms"].hook.application_channels, tenant=tenant)
    if channels:
        first = sorted(channels, key=lambda c: (c.order, c.title))[0]
        parts.append(NavItem(NAME, "依申请公开", first.url, order=50))
    library = library_url(tenant)
    if library:
        parts.append(NavItem(NAME, "政策文件库", library, order=70))
    return parts


def library_url(tenant) -> str:
    """The county's 政策文件库, for a town filtered to the town; "" where the county has it off. After
    the national parts (61号), not among them: it gathers what 法定主动公开内容 and the gazette hold."""
    from flask import current_app

    from core.plugin_api import url_path_for
    district = tenant.root
    if district.id == tenant.id:
        return url_path_for("disclosure.policies", tenant=tenant)
    if not current_app.extensions["cms"].is_enabled(district, NAME):
        return ""
    return url_path_for("disclosure.policies", tenant=district, unit=tenant.slug)


@hookimpl
def portal_nav(tenant):
    """政策文件库 in the district's menu (a town's column links to it, filtered to the town)."""
    if tenant.kind != "district":
        return []
    return [NavItem(NAME, "政策文件库", library_url(tenant), order=41)]


@hookimpl
def supervision_notices(tenants, as_of):
    from plugins.disclosure.oversight import notices
    return notices(tenants, as_of)


@hookimpl
def search_sources():
    from plugins.disclosure.search import sources
    return sources()


@hookimpl(trylast=True)   # after the applications and records it counts
def demo_content():
    from plugins.disclosure.demo import load_demo
    return load_demo()
