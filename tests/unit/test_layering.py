"""Imports flow one way (ARCHITECTURE.md, principle 8): a module imports only modules below it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "blog"

# Lowest first. A module may import only modules listed before it. A subpackage is one layer
# ("publish" for every module of blog/publish/): its modules may import each other.
LAYERS = (
    "errors", "model", "cache", "config", "yamlfront", "frontmatter", "content", "seenfiles", "lexing", "regexchars", "inlines", "blocks", "rawhtml", "quickpasses", "codehtml", "markup", "stylesheet", "taxonomy", "site",
    "routes", "feeds", "sitemap", "themefiles", "theme", "resident", "rendering", "writer", "freshness", "fingerprints", "build",
    "progress", "publish", "scaffold", "watch", "server", "preview",
    "cli", "__main__",
)


def module_name(path: Path) -> tuple[str, ...]:
    """("publish", "s3") for blog/publish/s3.py, ("publish",) for its __init__.py, () for blog's."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[:-1] if parts[-1] == "__init__" else parts


def internal_imports(source: str, module: tuple[str, ...], is_package: bool) -> set[str]:
    """Layers (top-level modules or subpackages of `blog`) imported by the source of `module`."""
    package = module if is_package else module[:-1]  # where relative imports start
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            if node.module:
                found.add((base + tuple(node.module.split(".")))[0])
            else:
                found.update((base + (alias.name,))[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("blog."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("blog."))
    return found - {"__init__", ""}


def upward_imports(source: str, module: tuple[str, ...], is_package: bool = False) -> list[str]:
    """Imports of layers at or above the module's own (its own subpackage aside)."""
    own = module[0]
    level = LAYERS.index(own)
    return sorted(
        f"{'.'.join(module)} imports {name}"
        for name in internal_imports(source, module, is_package)
        if name in LAYERS and name != own and LAYERS.index(name) >= level
    )


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if module_name(p))


def test_every_module_has_a_layer():
    layers = {module_name(p)[0] for p in modules()}
    assert layers <= set(LAYERS), layers - set(LAYERS)


def test_imports_only_go_down():
    upward = []
    for path in modules():
        upward += upward_imports(path.read_text(encoding="utf-8"), module_name(path), path.stem == "__init__")
    assert upward == []


def test_the_checker_sees_upward_imports_in_modules_and_subpackages():
    assert upward_imports("from .publish import publish\nfrom . import writer\n", ("build",)) == ["build imports publish"]
    source = "from ..cli import main\nfrom .plan import Plan\nfrom .. import writer\nimport blog.preview\n"
    assert upward_imports(source, ("publish", "s3")) == ["publish.s3 imports cli", "publish.s3 imports preview"]
    assert upward_imports("from .folder import FolderTarget\nfrom ..config import X\n", ("publish",), is_package=True) == []
