"""Which plugins a test run has, and what a test path needs (REQUIRES_PLUGINS), read without
importing anything: used by tests/conftest.py to leave out tests of absent plugins, and by
tests/stages.py for the runs that name their files."""
from __future__ import annotations

import ast
import os
from importlib.metadata import entry_points
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def available_plugins(environ=os.environ) -> frozenset[str]:
    """Installed (the cms.plugins entry points) and not switched off (PLUGINS_OFF)."""
    off = {name.strip() for name in environ.get("PLUGINS_OFF", "").split(",") if name.strip()}
    return frozenset(ep.name for ep in entry_points(group="cms.plugins")) - off


def required_plugins(path: Path) -> tuple[str, ...]:
    """REQUIRES_PLUGINS of a test module or package."""
    source = path / "__init__.py" if path.is_dir() else path
    if source.suffix != ".py" or not source.is_file():
        return ()
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "REQUIRES_PLUGINS" for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    return ()


def missing_for(path: Path, available: frozenset[str]) -> set[str]:
    """The plugins a test file needs, itself or through its packages, that the run does not have."""
    path = path.resolve()
    needed = set(required_plugins(path))
    for parent in path.parents:
        if parent == TESTS.parent or TESTS not in (parent, *parent.parents):
            break
        needed |= set(required_plugins(parent))
    return needed - available
