"""Tests of the disclosure plugin (政府信息公开专栏, 公开指南, 年度报告): collected only where it is installed and on."""
REQUIRES_PLUGINS = ("disclosure",)
