"""Core is organised by feature, like the plugins, with no import circle (issue 16).

Every import counts, those inside functions too: a circle hidden in a function is still a circle,
it only fails later. `from core import clock` is an import of the module `core.clock`.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def core_modules() -> dict[str, Path]:
    return {module_name(p): p for p in CORE.rglob("*.py") if "migrations" not in p.relative_to(CORE).parts[:1]}


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    edges.add(target if target in modules else base)
            elif isinstance(node, ast.Import):
                edges.update(alias.name for alias in node.names)
        graph[name] = {e for e in edges if e in modules and e != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_finder_sees_a_circle_hidden_in_a_function(tmp_path):
    graph = {"core.a": {"core.b"}, "core.b": {"core.c"}, "core.c": {"core.a"}, "core.d": {"core.a"}}
    assert circles(graph) == [["core.a", "core.b", "core.c"]]
    assert circles({"core.a": {"core.b"}, "core.b": set()}) == []


def test_core_has_no_import_circle():
    modules = core_modules()
    assert "core.accounts.views" in modules and "core.web.hooks" in modules
    assert circles(import_graph(modules)) == []


FEATURES = ("tenants", "accounts", "attachments", "audit", "notify", "search", "workdays", "security", "backup")


def test_core_is_organised_by_feature_and_assembled_in_one_place():
    from core.app import FEATURES as assembled
    assert set(assembled) == set(FEATURES)
    for feature in FEATURES:
        assert (CORE / feature / "__init__.py").is_file(), feature
    graph = import_graph(core_modules())
    # Only the assembly knows every feature's views; no feature reaches into another's views.
    for name, edges in graph.items():
        if name == "core.app":
            continue
        foreign_views = {e for e in edges if e.endswith((".views", ".api", ".cli")) and e.split(".")[1] != name.split(".")[1]
                         and e not in ("core.api", "core.cli")}
        assert foreign_views == set(), name
    # The shells and helpers every feature hangs from import no feature's views.
    for leaf in ("core.web", "core.web.admin", "core.web.portal", "core.api", "core.cli", "core.forms", "core.actions"):
        assert not {e for e in graph[leaf] if e.endswith((".views", ".cli"))}, leaf
