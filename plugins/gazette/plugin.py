"""Hook implementations of the gazette plugin."""
from core.plugins import PluginInfo, hookimpl


@hookimpl
def plugin_info():
    return PluginInfo(
        name="gazette",
        title="政府公报",
        description="电子公报、期刊目录与历史检索",
        tenant_kinds=("district",),
    )
