"""Load a script of scripts/ as a module, for tests of what it generates."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from skyframe.paths import PROJECT_ROOT


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
