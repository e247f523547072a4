"""Tests of the decisions plugin (重大行政决策事项目录): collected only where it is installed and on."""
REQUIRES_PLUGINS = ("decisions",)
