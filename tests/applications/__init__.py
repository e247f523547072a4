"""Tests of the applications plugin (依申请公开): collected only where it is installed and on."""
REQUIRES_PLUGINS = ("applications",)
