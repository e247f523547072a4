"""Tests of the open_day plugin: collected only where it is installed and on (tests/conftest.py)."""
REQUIRES_PLUGINS = ("open_day",)
