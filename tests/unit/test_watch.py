"""Which changes matter to the preview, when a burst is over, and the watcher on a real folder."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from blog.config import SiteConfig, load_config
from blog.themefiles import PACKAGED_THEMES
from blog.watch import Watcher, WatchTargets, gather, is_editor_junk, watch_targets

TARGETS = WatchTargets(
    root=Path("/site"),
    folders=(Path("/site/content"), Path("/site/templates"), Path("/pkg/themes/default")),
    top_names=("blog.toml", "content", "pyproject.toml", "templates", "themes"),
)


@pytest.mark.parametrize(
    "name", ["4913", ".x.md.swp", "x.md.swo", "x.md~", ".#x.md", "#x.md#", ".DS_Store", "x.md___jb_tmp___", "x.md___jb_old___"]
)
def test_editor_junk(name):
    assert is_editor_junk(name)


@pytest.mark.parametrize("name", ["x.md", "style.css", "post.html", "4913.md", "notes~draft.md", "photo.jpg"])
def test_real_files_are_not_junk(name):
    assert not is_editor_junk(name)


@pytest.mark.parametrize(
    "path",
    [
        "/site/content/posts/x.md",
        "/site/content/photos/a.jpg",
        "/site/templates/post.html",
        "/pkg/themes/default/static/style.css",
        "/site/blog.toml",
        "/site/pyproject.toml",
        "/site/content",  # the folder itself, seen from the root's own level
    ],
)
def test_relevant_changes(path):
    assert TARGETS.relevant(path)


@pytest.mark.parametrize(
    "path",
    [
        "/site/content/posts/.x.md.swp",
        "/site/content/posts/4913",
        "/site/content/posts/x.md~",
        "/site/content/.git/index",
        "/site/content/posts/.obsidian/workspace.json",
        "/site/output/index.html",
        "/site/README.md",
        "/site/.blog-cache",
        "/site/blog.toml~",
        "/site/contents/x.md",  # a sibling whose name starts like a watched folder
        "/elsewhere/content/x.md",
    ],
)
def test_irrelevant_changes(path):
    assert not TARGETS.relevant(path)


def test_shown_paths_are_site_relative():
    assert TARGETS.shown("/site/content/posts/x.md") == "content/posts/x.md"
    assert TARGETS.shown("/pkg/themes/default/static/style.css") == "/pkg/themes/default/static/style.css"
    assert TARGETS.is_top_folder("content") and TARGETS.is_top_folder("templates")
    assert not TARGETS.is_top_folder("blog.toml") and not TARGETS.is_top_folder("content/posts")


def test_watch_targets_of_a_site_with_its_own_theme(make_site):
    files = {"content/posts/a.md": "x", "templates/post.html": "x", "themes/mine/templates/base.html": "x"}
    root = make_site(files, config='title = "Mine"\ntheme = "mine"\n')
    targets = watch_targets(load_config(root))
    assert targets.root == root
    assert targets.folders == (root / "content", root / "templates", root / "themes")
    assert {"blog.toml", "content", "templates", "themes", "pyproject.toml"} == set(targets.top_names)


def test_watch_targets_include_a_packaged_theme_and_skip_missing_folders(tmp_path):
    (tmp_path / "src" / "posts").mkdir(parents=True)
    targets = watch_targets(SiteConfig(root=tmp_path, content_dir="src/posts"))
    assert targets.folders == tuple(sorted((tmp_path / "src" / "posts", (PACKAGED_THEMES / "default").absolute())))
    assert "src" in targets.top_names


class FakeFeed:
    """Batches arriving at given times on a fake clock, for `gather`."""

    def __init__(self, arrivals: list[tuple[float, frozenset[str]]]) -> None:
        self.now = 0.0
        self.arrivals = arrivals
        self.calls = 0

    def clock(self) -> float:
        return self.now

    def next_batch(self, timeout: float) -> frozenset[str] | None:
        self.calls += 1
        if self.arrivals and self.arrivals[0][0] <= self.now + timeout:
            self.now = max(self.now, self.arrivals[0][0])
            return self.arrivals.pop(0)[1]
        self.now += timeout
        return None


def test_gather_waits_for_quiet():
    feed = FakeFeed([(0.1, frozenset({"b"})), (0.25, frozenset({"c"})), (0.9, frozenset({"late"}))])
    assert gather(frozenset({"a"}), feed.next_batch, 0.2, 2.0, feed.clock) == {"a", "b", "c"}
    assert feed.now == pytest.approx(0.45)
    assert feed.arrivals == [(0.9, frozenset({"late"}))]


def test_gather_stops_at_the_longest_wait_even_if_saves_never_pause():
    feed = FakeFeed([(0.1 * i, frozenset({f"v{i}"})) for i in range(1, 60)])
    changed = gather(frozenset({"v0"}), feed.next_batch, 0.2, 2.0, feed.clock)
    assert feed.now <= 2.0 and len(changed) == 21  # v0..v20, the rest is left for the next build


def test_gather_passes_a_broken_watch_on():
    broken = RuntimeError("gone")
    assert gather(frozenset({"a"}), lambda timeout: broken, 0.2, 2.0) is broken


def _batches_until_quiet(watcher: Watcher, seconds: float) -> set[str]:
    seen: set[str] = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        batch = watcher.get(timeout=0.5)
        if isinstance(batch, Exception):
            raise batch
        if batch:
            seen |= batch
        elif seen:
            break
    return seen


def test_watcher_reports_content_and_config_saves_and_ignores_junk(make_site):
    root = make_site({"content/posts/a.md": "one"})
    watcher = Watcher(watch_targets(load_config(root)))
    watcher.start()
    try:
        post = root / "content" / "posts" / "a.md"
        (root / "content" / "posts" / ".a.md.swp").write_text("swap")
        (root / "content" / "posts" / "4913").write_text("")
        os.remove(root / "content" / "posts" / "4913")
        os.rename(post, root / "content" / "posts" / "a.md~")  # vim: backup by rename, then a new file
        post.write_text("two")
        os.remove(root / "content" / "posts" / "a.md~")
        config = root / "blog.toml"
        os.rename(config, root / "blog.toml~")
        config.write_text('title = "Renamed"\n')
        os.remove(root / "blog.toml~")
        (root / "notes.txt").write_text("not part of the site")
        assert _batches_until_quiet(watcher, 10) == {"content/posts/a.md", "blog.toml"}
        config.write_text('title = "Again"\n')  # the new inode is watched too
        assert _batches_until_quiet(watcher, 10) == {"blog.toml"}
    finally:
        watcher.close()
