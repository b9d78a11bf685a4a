"""`blog publish` to a folder on this machine: the shared scenario, atomic and minimal writes, guards."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from publishkit import build_files, config_with, run_scenario, site_files

from blog.publish.folder import check_local_target
from blog.publish.plan import PublishError
from conftest import snapshot


def test_folder_target_scenario(make_site, blog_cli, tmp_path: Path) -> None:
    www = tmp_path / "www"
    root = make_site(site_files(), config_with(f'url = "{www}"'))
    run_scenario(blog_cli, root, lambda: snapshot(www) if www.exists() else {})


def test_file_url_and_relative_paths_name_the_same_kind_of_target(make_site, blog_cli, tmp_path: Path) -> None:
    root = make_site(site_files(), config_with('url = "./public"') + f'[publish.other]\nurl = "file://{tmp_path}/other%20site"\n')
    assert blog_cli("-C", root, "publish", "web").code == 0
    assert blog_cli("-C", root, "publish", "other", "--no-build").code == 0
    assert snapshot(root / "public") == snapshot(tmp_path / "other site") == build_files(root)


def test_unchanged_files_keep_their_inode_and_protected_entries_stay(make_site, blog_cli, tmp_path: Path) -> None:
    www = tmp_path / "www"
    root = make_site(site_files(), config_with(f'url = "{www}"'))
    assert blog_cli("-C", root, "publish").code == 0
    (www / "CNAME").write_text("blog.example.org\n")
    (www / ".nojekyll").write_text("")
    (www / ".git").mkdir()
    (www / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (www / "stale.html").write_text("old page")
    old = build_files(root)
    before = {p: os.lstat(www / p).st_ino for p in old}
    (root / "content/posts/alpha.md").write_text(site_files()["content/posts/alpha.md"].replace("Alpha body", "New alpha"))
    result = blog_cli("-C", root, "publish")
    assert result.code == 0, result.err
    now = build_files(root)
    rewritten = {p for p in before if os.lstat(www / p).st_ino != before[p]}
    assert rewritten == {p for p in now if now[p] != old[p]}
    assert "blog/alpha/index.html" in rewritten and "blog/beta/index.html" not in rewritten
    assert not (www / "stale.html").exists()
    assert (www / "CNAME").read_text() == "blog.example.org\n" and (www / ".nojekyll").exists()
    assert (www / ".git" / "HEAD").exists()
    assert not (www / ".blog-build").exists() and not (www / ".blog-manifest.json").exists()


def test_whatever_stands_in_a_files_way_is_replaced(make_site, blog_cli, tmp_path: Path) -> None:
    www, elsewhere = tmp_path / "www", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (www / "blog" / "alpha" / "index.html").mkdir(parents=True)  # a folder where a file goes
    (www / "tags").symlink_to(elsewhere)  # a link that would lead writes outside the target
    root = make_site(site_files(), config_with(f'url = "{www}"'))
    result = blog_cli("-C", root, "publish")
    assert result.code == 0, result.err
    assert snapshot(www) == build_files(root)
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("url", [".", "..", "./content", "./content/posts/x", "./output", "./output/x", "~", "~/"])
def test_dangerous_folders_are_refused_before_anything_is_read(make_site, blog_cli, monkeypatch, tmp_path: Path, url: str) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "site"))  # "~" is the site folder here, never the real home
    root = make_site(site_files(), config_with(f'url = "{url}"'))
    result = blog_cli("-C", root, "publish", "--dry-run")
    assert result.code == 1
    assert "refusing to publish into" in result.err
    assert "Plan for" not in result.out


@pytest.mark.parametrize(
    "target, reason",
    [("/", "filesystem root"), ("home", "home folder"), ("site", "site folder"), (".", "home folder"),
     ("site/content/posts", "content folder"), ("site/output", "output folder"), ("site/output/sub", "output folder"),
     ("file", "not a folder")],
)
def test_the_guard_names_the_danger(monkeypatch, tmp_path: Path, target: str, reason: str) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    (tmp_path / "site" / "content" / "posts").mkdir(parents=True)
    (tmp_path / "file").write_text("x")
    site = tmp_path / "site"
    with pytest.raises(PublishError, match=f"refusing to publish into .*{reason}"):
        check_local_target(tmp_path / target, site, site / "content", site / "output")
    check_local_target(site / "public", site, site / "content", site / "output")  # inside the site is fine
