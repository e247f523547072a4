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


BUILT_IN = ("catalog", "opinions", "open_day", "gazette", "applications", "disclosure", "decisions")


def built_in_references(source: str) -> list[tuple[int, str, bool]]:
    """(line, module, whether the test around it is marked builtin_plugins) for each import of a
    built-in plugin or of its tests."""
    tree = ast.parse(source)
    found = []

    def marked(function) -> bool:
        return any(m in ast.unparse(d) for d in function.decorator_list for m in ("builtin_plugins", "needs_plugins"))

    def visit(node, inside_marked: bool) -> None:
        for child in ast.iter_child_nodes(node):
            here = inside_marked or (isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and marked(child))
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                names = [child.module or ""] if isinstance(child, ast.ImportFrom) else [a.name for a in child.names]
                for name in names:
                    parts = name.split(".")
                    if parts[0] in ("plugins", "tests") and len(parts) > 1 and parts[1] in BUILT_IN:
                        found.append((child.lineno, name, here))
            visit(child, here)

    visit(tree, False)
    return found


def test_the_finder_sees_plugin_imports_and_the_marker():
    source = ("import pytest\nfrom plugins.catalog import services\n\n"
              "@pytest.mark.builtin_plugins\ndef test_a():\n    from tests.open_day.fixtures import make_event\n\n"
              "def test_b():\n    from plugins.gazette.models import Issue\n")
    assert built_in_references(source) == [(2, "plugins.catalog", False), (6, "tests.open_day.fixtures", True),
                                           (9, "plugins.gazette.models", False)]


def test_core_tests_use_only_the_test_plugin():
    """tests/core runs with the four built-in plugins switched off (make test) or deleted: a test
    there that needs one says so with the builtin_plugins marker and imports it inside itself."""
    unmarked = {f"{path.name}:{line} {module}" for path in sorted((ROOT / "tests" / "core").glob("*.py"))
                for line, module, marked in built_in_references(path.read_text(encoding="utf-8")) if not marked}
    assert unmarked == set()


def test_a_plugins_tests_need_another_plugin_only_where_they_say_so():
    """tests/<plugin>/ runs wherever its plugin is: a test there that uses another built-in plugin
    (a gazette article citing a catalog record) is marked needs_plugins and imports it inside itself."""
    unmarked = set()
    for name in BUILT_IN:
        for path in sorted((ROOT / "tests" / name).glob("*.py")):
            unmarked |= {f"{name}/{path.name}:{line} {module}"
                         for line, module, marked in built_in_references(path.read_text(encoding="utf-8"))
                         if not marked and module.split(".")[1] != name}
    assert unmarked == set()
