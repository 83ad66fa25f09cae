"""The project's own documents follow the tree: the README's architecture map
names every package and top-level module, and the docs it points to exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "skyframe"


def architecture_map() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    return section.split("```", 2)[1]


def test_the_readme_map_names_every_package_and_module():
    mapped = architecture_map()
    names = [p.name + "/" for p in PACKAGE.iterdir() if (p / "__init__.py").exists()]
    names += [p.name for p in PACKAGE.glob("*.py")]
    missing = [name for name in names if not re.search(rf"(?<![\w/.]){re.escape(name)}", mapped)]
    assert missing == []


def test_the_map_names_nothing_that_is_gone():
    mapped = architecture_map()
    listed = re.findall(r"^  ([a-z_]+(?:\.py|/))", mapped, flags=re.MULTILINE)
    gone = [name for name in listed if not (PACKAGE / name.rstrip("/")).exists()]
    assert gone == []


def test_the_design_documents_exist_and_stay_inside_the_repository():
    for name in ("architecture.md", "data-flow.md"):
        text = (ROOT / "docs" / name).read_text(encoding="utf-8")
        assert "../shared" not in text
        assert "SPEC" not in text
