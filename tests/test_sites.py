"""Fixture sites: whole output trees compared with golden copies; broken sites with exact diagnostics.

Run `pytest tests/test_sites.py --update-golden` after an intended change of output, then review
the diff of tests/sites/ like any other change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import snapshot

SITES = Path(__file__).parent / "sites"
GOLDEN = sorted(p.name for p in SITES.iterdir() if p.is_dir() and p.name != "invalid")
INVALID = sorted(p.name for p in (SITES / "invalid").iterdir() if p.is_dir())


def copy_site(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns("expected", "expected.txt", "output"))
    return target


def replace_tree(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)


@pytest.mark.parametrize("name", GOLDEN)
def test_site_matches_golden_output(name, tmp_path, blog_cli, update_golden):
    root = copy_site(SITES / name, tmp_path / name)
    result = blog_cli("-C", root, "build")
    assert result.code == 0, result.err
    expected = SITES / name / "expected"
    if update_golden:
        replace_tree(root / "output", expected)
    built, golden = snapshot(root / "output"), snapshot(expected)
    assert sorted(built) == sorted(golden)
    for path in sorted(built):
        assert built[path] == golden[path], f"{name}/expected/{path} differs"


@pytest.mark.parametrize("name", INVALID)
def test_invalid_site_reports_exact_diagnostics(name, tmp_path, blog_cli, update_golden):
    root = copy_site(SITES / "invalid" / name, tmp_path / name)
    result = blog_cli("-C", root, "build")
    expected = SITES / "invalid" / name / "expected.txt"
    if update_golden:
        expected.write_text(result.err, encoding="utf-8")
    assert result.code == 1
    assert result.err == expected.read_text(encoding="utf-8")
    assert not (root / "output").exists()
