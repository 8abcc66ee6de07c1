"""The package's folders are its data flow, and nothing imports upward.

Stages in order: capture -> stats -> clustering -> analysis -> view -> zoo. A module may import
its own stage and the stages before it; the root's leaf helpers (`_validation`, `_files`) are
open to every stage, and the root `__init__`/`__main__` may import anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "rnnvis_widget"
STAGES = ("capture", "stats", "clustering", "analysis", "view", "zoo")
LEAVES = ("_validation", "_files")


def stage_of(module: str) -> str | None:
    """The stage of a dotted module name inside the package, or None for a root leaf."""
    parts = module.split(".")
    assert parts[0] == "rnnvis_widget", module
    if len(parts) == 1 or parts[1] in ("__init__", "__main__"):
        return "root"
    if parts[1] in LEAVES:
        return None
    assert parts[1] in STAGES, f"{module} is in no stage: add its folder to STAGES in order"
    return parts[1]


def imports_of(path: Path) -> list[str]:
    """Every package module that ``path`` imports (absolute names), top-level or lazy."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            if name.startswith("rnnvis_widget"):
                found.append(name)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.startswith("rnnvis_widget")]
    return found


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "static" not in p.parts)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_later_stage(path: Path) -> None:
    importer = stage_of(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
    if importer in ("root", None):
        # The root re-exports the public API; leaves import nothing of the package.
        if importer is None:
            assert imports_of(path) == [], f"{path.name} is a leaf and must not import the package"
        return
    rank = STAGES.index(importer)
    for name in imports_of(path):
        target = stage_of(name)
        assert target != "root", f"{path} imports the package root ({name}); import the stage"
        if target is not None:
            assert STAGES.index(target) <= rank, f"{path} ({importer}) imports upward: {name} ({target})"


def test_the_walk_sees_relative_imports() -> None:
    # Guards the test itself: a module known to import an earlier stage is seen doing so.
    names = imports_of(PACKAGE / "analysis" / "result.py")
    assert "rnnvis_widget.clustering" in names and "rnnvis_widget.capture" in names
