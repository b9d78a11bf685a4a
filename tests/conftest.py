"""Shared fixtures: small sites built from inline text, and the `--update-golden` option."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import pytest

DEFAULT_CONFIG = """\
title = "Test blog"
base_url = "https://blog.example.org/"
author = "Tess Tester"
description = "A site made by the tests."
timezone = "UTC"
"""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the expected/ trees of tests/sites from the current build",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write `files` (relative path → text or bytes) below `root`."""
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8", newline="")


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    """make_site(files={...}, config=...) → the root of a new site folder in tmp_path."""

    def make(files: Mapping[str, str | bytes] | None = None, config: str | None = DEFAULT_CONFIG, name: str = "site") -> Path:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        if config is not None:
            (root / "blog.toml").write_text(config, encoding="utf-8")
        write_files(root, files or {})
        return root

    return make


@dataclass(frozen=True)
class CliRun:
    code: int
    out: str
    err: str


@pytest.fixture
def blog_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliRun]:
    """Run the real command line in-process: blog_cli("-C", root, "build") → CliRun."""
    from blog.cli import main

    def run(*argv: str | Path) -> CliRun:
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err)

    return run


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` (relative posix path → bytes), to compare whole trees."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }
