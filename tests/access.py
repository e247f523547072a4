"""The access matrix's plugin interface (a pytest plugin, loaded by tests/conftest.py).

Each plugin's pytest plugin (tests/<plugin>/fixtures.py) implements these hooks for its own routes,
so tests/test_access_matrix.py covers every route of whatever set of plugins is installed, and a
plugin removed takes its entries with it.

Kinds: open (no tenant data behind it: login, health, the API description, one's own account);
public (pages for everyone); public_post (forms the public sends); admin (a tenant's admin area);
api_read (the public API); api_write (the API with a token).
"""
from __future__ import annotations

import pytest

SECRET = "机密甲乙丙"
KINDS = {"open", "public", "public_post", "admin", "api_read", "api_write"}


class AccessSpecs:
    @pytest.hookspec
    def pytest_cms_access_routes(self) -> dict[tuple[str, str], str]:
        """(endpoint, rule) -> kind for each route of the plugin."""

    @pytest.hookspec
    def pytest_cms_access_objects(self, town, county) -> dict:
        """The victim's objects, made in its scope as SYSTEM, for the plugin's routes:
        blueprints: the plugin's blueprint names, whose routes take these values;
        draft: {url argument: id of an object that is not public, carrying SECRET};
        published: {argument: id of a public object}; any: {argument: value for both};
        objects: the arguments naming an object (those routes are also tried under the attacker's
        own tenant); private: arguments whose draft must not answer 200 to the public; owned:
        arguments whose object must not answer 200 under another tenant."""

    @pytest.hookspec
    def pytest_cms_access_owner_pages(self, values: dict) -> list[str]:
        """Admin pages where the victim town's own editor does see the drafts (the control);
        `values` maps each blueprint to its {"draft": ..., "published": ...}."""


def pytest_addhooks(pluginmanager):
    pluginmanager.add_hookspecs(AccessSpecs)
