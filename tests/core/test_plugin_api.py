"""Plugins use core only through core/plugin_api.py, the supported surface (issue 16): every built-in
plugin, and the third-party plugins the tests install, import nothing else of core."""
from __future__ import annotations

import ast
from pathlib import Path

import core.plugin_api as api
from tests.core.test_plugin_removal import BULLETIN, MIGRATION
from tests.core.test_plugins import NOTICEBOARD

ROOT = Path(__file__).resolve().parents[2]


def imports_of_core(source: str) -> list[str]:
    """Every module of core a piece of source imports, other than the supported surface."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and \
                (node.module == "core" or node.module.startswith("core.")):
            if node.module != "core.plugin_api":
                found.append(f"from {node.module} import {', '.join(a.name for a in node.names)}")
        elif isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name == "core" or a.name.startswith("core.")]
    return found


def test_the_built_in_plugins_import_core_only_through_the_plugin_api():
    files = sorted((ROOT / "plugins").rglob("*.py"))
    present = {f.relative_to(ROOT / "plugins").parts[0] for f in files if f.parent != ROOT / "plugins"}
    assert present and all(len([f for f in files if f"plugins/{name}/" in str(f)]) >= 5 for name in present)
    outside = {str(f.relative_to(ROOT)): found for f in files
               if (found := imports_of_core(f.read_text(encoding="utf-8")))}
    assert outside == {}


def test_the_test_plugins_are_written_against_the_same_surface():
    for source in (NOTICEBOARD, BULLETIN, MIGRATION):
        assert imports_of_core(source) == []
    assert "core.plugin_api" in NOTICEBOARD and "core.plugin_api" in BULLETIN


def test_the_check_sees_an_import_from_core_outside_the_surface():
    assert imports_of_core("from core.accounts import Permission\nimport core.db\nfrom core import audit\n") == [
        "from core.accounts import Permission", "import core.db", "from core import audit"]
    assert imports_of_core("from core.plugin_api import db\nfrom .models import Record\n") == []


def test_the_surface_exports_exactly_what_it_names():
    public = {name for name in vars(api) if not name.startswith("_") and name != "annotations"}
    assert set(api.__all__) == public
    assert all(getattr(api, name) is not None for name in api.__all__)
