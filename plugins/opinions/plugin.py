"""Hook implementations of the opinions plugin."""
from core.plugins import PluginInfo, hookimpl


@hookimpl
def plugin_info():
    return PluginInfo(
        name="opinions",
        title="意见征集",
        description="草案公开征求意见与采纳情况反馈",
        tenant_kinds=("district", "town"),
    )
