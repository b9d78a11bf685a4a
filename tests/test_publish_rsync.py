"""`blog publish` with the rsync program between local folders: scenario, contents not nested, errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from publishkit import build_files, config_with, run_scenario, site_files

from conftest import snapshot

pytestmark = pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed (.ci/run installs it)")


def test_rsync_target_scenario(make_site, blog_cli, tmp_path: Path) -> None:
    www = tmp_path / "www"
    root = make_site(site_files(), config_with(f'url = "rsync:{www}"'))
    run_scenario(blog_cli, root, lambda: snapshot(www) if www.exists() else {})


def test_the_target_gets_the_sites_contents_never_output_or_build_files(make_site, blog_cli, tmp_path: Path) -> None:
    www = tmp_path / "www"
    www.mkdir()
    (www / "CNAME").write_text("blog.example.org\n")
    (www / ".git").mkdir()
    (www / ".git" / "config").write_text("[core]\n")
    (www / "old.html").write_text("stale")
    root = make_site(site_files(), config_with(f'url = "rsync:{www}/"'))
    (root / "output").mkdir()
    (root / "output" / ".nojekyll").write_text("")  # kept by the writer, not part of the build
    result = blog_cli("-C", root, "publish")
    assert result.code == 0, result.err
    assert not (www / "output").exists()
    assert (www / "index.html").read_bytes() == (root / "output" / "index.html").read_bytes()
    assert snapshot(www) == build_files(root) | {"CNAME": b"blog.example.org\n"}
    assert (www / ".git" / "config").read_text() == "[core]\n"
    assert not (www / ".nojekyll").exists()
    assert "1 deleted" in result.out


def test_an_rsync_failure_exits_1_with_rsyncs_message(make_site, blog_cli, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    root = make_site(site_files(), config_with(f'url = "rsync:{blocker}/www"'))
    result = blog_cli("-C", root, "publish")
    assert result.code == 1
    assert result.err.startswith("blog: publish failed: rsync failed (exit ")
    assert "Not a directory" in result.err


def test_a_relative_destination_is_inside_the_site_whatever_the_working_folder(make_site, blog_cli, monkeypatch, tmp_path: Path) -> None:
    root = make_site(site_files(), config_with('url = "rsync:./deploy"'))
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = blog_cli("-C", root, "publish")
    assert result.code == 0, result.err
    assert snapshot(root / "deploy") == build_files(root)
    assert list((tmp_path / "elsewhere").iterdir()) == []
