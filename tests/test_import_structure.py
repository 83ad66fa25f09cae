"""The package's import structure stays a house with floors: no import
circles, no domain module reaching up into a door, no hidden imports inside
functions, and no module grown past one idea.

Read from the source with ``ast`` (nothing is imported), so the test names
the exact files and imports that break a rule."""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "skyframe"
DOORS = ("skyframe.api", "skyframe.main", "skyframe.auth", "skyframe.admin", "skyframe.cli")
# The app factory and its wiring assemble the doors; nothing else may.
ASSEMBLY = {"skyframe", "skyframe.wiring"}
MAX_LINES = 500


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    inside_function: bool


def module_files() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _imported(node: ast.AST, module: str, is_package: bool, modules: dict) -> list[str]:
    """The package's modules an import statement loads."""

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    if isinstance(node, ast.Import):
        return [m for a in node.names if (m := owner(a.name))]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    found = []
    for alias in node.names:
        target = f"{source}.{alias.name}"
        found.append(target if target in modules else owner(source))
    return [m for m in found if m]


def _edges_of(module: str, path: Path, modules: dict[str, Path]) -> list[Edge]:
    edges = []
    is_package = path.name == "__init__.py"

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue  # annotations only: never run
            if isinstance(child, ast.Import | ast.ImportFrom):
                for target in _imported(child, module, is_package, modules):
                    if target != module:
                        edges.append(Edge(module, target, child.lineno, in_function))
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return edges


def import_edges() -> list[Edge]:
    modules = module_files()
    return [edge for module, path in modules.items() for edge in _edges_of(module, path, modules)]


def circles(edges: list[Edge]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for edge in edges:
        graph[edge.source].add(edge.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in list(graph):
        if node not in index:
            connect(node)
    return found


def is_door(module: str) -> bool:
    return any(module == door or module.startswith(door + ".") for door in DOORS)


def test_the_package_has_no_import_circles():
    assert circles(import_edges()) == []


def test_no_domain_module_imports_a_door():
    reaching_up = [
        f"{e.source} (line {e.line}) imports {e.target}"
        for e in import_edges()
        if is_door(e.target) and not is_door(e.source) and e.source not in ASSEMBLY
    ]
    assert reaching_up == []


def test_imports_of_the_package_sit_at_the_top_of_their_module():
    """Imports hidden in functions hide directions (and circles); only the app
    factory defers its own, so that importing one module does not build the app."""
    hidden = [
        f"{e.source} (line {e.line}) imports {e.target} inside a function"
        for e in import_edges()
        if e.inside_function and e.source != "skyframe"
    ]
    assert hidden == []


def test_no_module_outgrows_one_idea():
    long = {
        name: lines
        for name, path in module_files().items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_rules_see_a_circle_when_there_is_one():
    edges = [Edge("skyframe.a", "skyframe.b", 1, False), Edge("skyframe.b", "skyframe.a", 1, True)]
    assert circles(edges) == [["skyframe.a", "skyframe.b"]]
