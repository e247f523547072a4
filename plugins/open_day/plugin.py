"""Hook implementations of the open_day plugin."""
from core.plugins import PluginInfo, hookimpl


@hookimpl
def plugin_info():
    return PluginInfo(
        name="open_day",
        title="政府开放日",
        description="开放日活动、报名、签到与活动回顾",
        tenant_kinds=("district", "town"),
    )
