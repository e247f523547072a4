"""Tests of the gazette plugin: collected only where it is installed and on (tests/conftest.py)."""
REQUIRES_PLUGINS = ("gazette",)
