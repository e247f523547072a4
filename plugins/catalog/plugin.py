"""Hook implementations of the catalog plugin."""
from core.plugins import PluginInfo, hookimpl


@hookimpl
def plugin_info():
    return PluginInfo(
        name="catalog",
        title="政务公开目录",
        description="标准目录、政府信息发布与时效监督",
        tenant_kinds=("district", "town", "village"),
    )
