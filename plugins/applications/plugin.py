"""Hook implementations of the applications plugin: 依申请公开, from the public's form to the reply
letter, on the statutory clock."""
from __future__ import annotations

from pathlib import Path

from core.plugin_api import hookimpl, PluginInfo, PluginRoutes

NAME = "applications"


@hookimpl
def plugin_info():
    return PluginInfo(
        name=NAME,
        title="依申请公开",
        description="政府信息公开申请的受理、办理、答复与统计（法定时限）",
        tenant_kinds=("district", "town"),
        migrations=str(Path(__file__).parent / "migrations" / "versions"),
    )


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
