"""The ES modules under static/js: every import finds its file, no module
imports itself back through others, and the service worker's app shell holds
every module the shell's pages load (else a page offline misses a module and
none of its scripts run)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import url_for

STATIC = Path(__file__).resolve().parent.parent / "static"
JS = STATIC / "js"
IMPORT = re.compile(r"""^\s*(?:import|export)\b[^"';]*?["'](\.{1,2}/[^"']+)["']""", re.MULTILINE)
SHELL_ENTRIES = ("js/app.js", "js/offline.js")  # base.html's script and the offline page's


def own_modules() -> list[Path]:
    return sorted(path for path in JS.rglob("*.js") if not path.name.endswith(".min.js"))


def imports_of(path: Path) -> list[Path]:
    return [(path.parent / found).resolve() for found in IMPORT.findall(path.read_text())]


def graph() -> dict[Path, list[Path]]:
    return {path.resolve(): imports_of(path) for path in own_modules()}


def reachable(entry: Path, edges: dict[Path, list[Path]]) -> set[Path]:
    seen, queue = set(), [entry.resolve()]
    while queue:
        path = queue.pop()
        if path not in seen:
            seen.add(path)
            queue += edges.get(path, [])
    return seen


def test_every_import_names_a_module_that_exists():
    missing = [
        f"{path.relative_to(JS)} → {target}"
        for path, targets in graph().items()
        for target in targets
        if not target.is_file()
    ]
    assert missing == []


def test_no_module_imports_itself_back():
    edges = graph()
    circles = [
        path.relative_to(JS).as_posix()
        for path in edges
        if any(path in reachable(target, edges) for target in edges[path])
    ]
    assert circles == []


def test_the_app_shell_holds_every_module_its_pages_load(app, client):
    script = client.get("/sw.js").get_data(as_text=True)
    shell = set(json.loads(re.search(r"const SHELL = (\[.*?\]);", script).group(1)))
    edges = graph()
    needed = set().union(*(reachable(JS.parent / entry, edges) for entry in SHELL_ENTRIES))
    with app.test_request_context():
        urls = {url_for("static", filename=path.relative_to(STATIC).as_posix()) for path in needed}
    assert urls - shell == set()
