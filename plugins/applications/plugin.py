"""Hook implementations of the applications plugin: 依申请公开, from the public's form to the reply
letter, on the statutory clock."""
from __future__ import annotations

from pathlib import Path

from core.plugin_api import DashboardWidget, hookimpl, MenuEntry, Permission, PluginInfo, PluginRoutes

NAME = "applications"
# The unit kinds that receive applications: districts and towns. Villages do not (第二十九条 names the
# 行政机关; a village committee is not one): they forward them to their town.
TENANT_KINDS = ("district", "town")


@hookimpl
def plugin_info():
    return PluginInfo(
        name=NAME,
        title="依申请公开",
        description="政府信息公开申请的受理、办理、答复与统计（法定时限）",
        tenant_kinds=TENANT_KINDS,
        migrations=str(Path(__file__).parent / "migrations" / "versions"),
        portal_menu=(MenuEntry("依申请公开", "applications.apply", order=25),),
        admin_menu=(MenuEntry("依申请公开", "applications_admin.index", order=15, permission=Permission.CONTENT_VIEW),),
        dashboard=(DashboardWidget("依申请公开", "applications/widget.html", office_dashboard, order=15,
                                   permission=Permission.CONTENT_VIEW),),
    )


def office_dashboard(tenant) -> dict:
    """The dashboard box: open applications, due within 5 working days, overdue."""
    from plugins.applications.admin import office_dashboard as context
    return context(tenant)


@hookimpl
def routes():
    from plugins.applications import admin, api, views
    return PluginRoutes(plugin=NAME, public=views.bp, admin=admin.bp, api=api.bp)


@hookimpl
def supervision_notices(tenants, as_of):
    from plugins.applications.oversight import notices
    return notices(tenants, as_of)


@hookimpl
def assessment_components(tenants, year):
    from core.plugin_api import china_today
    from plugins.applications.oversight import components
    return components(tenants, year, china_today())


@hookimpl
def application_statistics(tenant, year):
    from plugins.applications.stats import compute
    return compute(tenant, year) if tenant.kind in TENANT_KINDS else None


@hookimpl
def purge_personal_data(before):
    from plugins.applications.privacy import purge_personal_data as purge
    erased = purge(before)
    return [f"依申请公开：删除 {erased} 件已办结申请的申请人姓名和联系方式"] if erased else []


@hookimpl
def demo_content():
    from plugins.applications.demo import load_demo
    return load_demo()


@hookimpl
def application_channels(tenant):
    """The online form of the unit that receives the application: the tenant itself, or for a
    village its town (第二十九条: applications go to the 行政机关), where the plugin is on."""
    from flask import current_app, url_for

    from core.plugin_api import NavItem
    target = tenant.parent if tenant.kind == "village" else tenant
    if target is None or not current_app.extensions["cms"].is_enabled(target, NAME):
        return []
    return [NavItem(NAME, f"在线提交政府信息公开申请（{target.name}）", url_for("applications.apply", tenant=target), order=10)]
