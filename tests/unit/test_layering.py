"""Imports flow one way (ARCHITECTURE.md, principle 8): a module imports only modules below it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "blog"

# Lowest first. A module may import only modules listed before it.
LAYERS = (
    "errors", "model", "cache", "config", "frontmatter", "content", "markup", "taxonomy", "site", "routes",
    "feeds", "sitemap", "theme", "writer", "freshness", "build", "progress", "scaffold", "watch", "server", "preview",
    "cli", "__main__",
)


def internal_imports(path: Path) -> set[str]:
    """Names of `blog` modules imported by the file at `path`."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("blog."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("blog."))
    return found - {"__init__", ""}


def test_every_module_has_a_layer():
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert modules <= set(LAYERS), modules - set(LAYERS)


def test_imports_only_go_down():
    upward = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.stem == "__init__":
            continue
        level = LAYERS.index(path.stem)
        for name in internal_imports(path):
            if name in LAYERS and LAYERS.index(name) >= level:
                upward.append(f"{path.stem} imports {name}")
    assert upward == []
