"""Renderings made by the process pool reach the pages as they are made: the output is the same
as when every post renders in this process first, whatever the templates read, and a build that
fails reports the posts' problems with every other one."""

from __future__ import annotations

import multiprocessing
import os
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from blog import markup, rendering
from blog.build import as_one_bar, build
from blog.config import load_config
from blog.errors import BuildError, format_diagnostic
from blog.model import BuildOptions
from blog.rendering import production_order
from conftest import snapshot
from sitekit import post

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
POSTS = 30  # above rendering.PARALLEL_THRESHOLD, so a build with 2 cores uses the pool

needs_a_pool = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the pool is used on 2 cores or more")

# Every post page also shows the whole body of the oldest post, the last one the pool renders;
# every tag page shows the newest post's excerpt, the first one it renders.
POST_TEMPLATE = (
    '{% extends "base.html" %}{% block content %}{{ page.content }}'
    "<aside>{{ (site.posts|last).content }}</aside>{% endblock %}"
)
TAG_TEMPLATE = '{% extends "base.html" %}{% block content %}{% for e in posts %}{{ e.excerpt }}{% endfor %}{{ (site.posts|first).excerpt }}{% endblock %}'


def site_files(count: int = POSTS) -> dict[str, str]:
    files = {
        f"content/posts/2024-01-{d:02d}-p{d}.md": post(
            title=f"Post {d}",
            date=f"2024-01-{d:02d}",
            tags=("python",) if d % 3 else ("python", "sql"),
            body=f"Opening {d}.\n\n<!-- more -->\n\n## Part {d}\n\n```python\nvalue = {d} * 2\n```\n",
        )
        for d in range(1, count + 1)
    }
    return {**files, "templates/post.html": POST_TEMPLATE, "templates/tag.html": TAG_TEMPLATE}


def cold_build(root: Path, target: str) -> dict[str, bytes]:
    build(load_config(root), BuildOptions(now=NOW, cache=False, output_dir=root / target))
    return snapshot(root / target)


@needs_a_pool
def test_streamed_pool_build_equals_rendering_everything_first(make_site, monkeypatch):
    root = make_site(site_files())
    assert POSTS >= rendering.PARALLEL_THRESHOLD
    pooled = cold_build(root, "pooled")
    monkeypatch.setattr(rendering, "PARALLEL_THRESHOLD", 10**6)
    in_process = cold_build(root, "in-process")
    assert pooled == in_process
    assert "Part 1" in pooled["blog/p30/index.html"].decode()  # the oldest post's body on the newest post's page


@needs_a_pool
def test_a_failing_pool_build_reports_the_posts_errors_with_the_others(make_site):
    files = site_files()
    files["content/posts/2024-01-07-p7.md"] = post(title="Slow", date="2024-01-07", body="[a](" * 20_000 + "\n")
    files["content/posts/2024-01-08-p8.md"] = post(title="Post 8", date="2024-01-08", slug="p9")  # p9 has this URL
    root = make_site(files, config='title = "T"\nbase_url = "https://example.org/"\nrender_timeout = 0.5\n')
    with pytest.raises(BuildError) as failure:
        build(load_config(root), BuildOptions(now=NOW, cache=False))
    messages = [format_diagnostic(d) for d in failure.value.diagnostics]
    assert any("2024-01-07-p7.md" in m and "rendering took longer than 0.5 s" in m for m in messages), messages
    assert any("2024-01-08-p8.md" in m and "/blog/p9/" in m for m in messages), messages
    assert not (root / "output").exists()


def _die_on_post_5(post, options):
    """Stands in for `markup.render` in the workers: a worker that dies, as one killed would."""
    if post.title == "Post 5":
        os._exit(3)
    return markup.render(post, options)


@needs_a_pool
@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="patching the workers needs fork")
def test_a_dying_worker_fails_the_build_with_located_errors(make_site, monkeypatch):
    root = make_site(site_files())
    build(load_config(root), BuildOptions(now=NOW, cache=False))
    previous = snapshot(root / "output")
    if threading.active_count() != 1:
        pytest.skip("the pool forks only when no other thread runs")
    monkeypatch.setattr(markup, "render", _die_on_post_5)
    with pytest.raises(BuildError) as failure:
        build(load_config(root), BuildOptions(now=NOW, cache=False))
    errors = [d for d in failure.value.diagnostics if d.is_error]
    assert errors and all("the rendering process pool failed" in d.message for d in errors)
    assert any(d.path.endswith("2024-01-05-p5.md") for d in errors)
    assert snapshot(root / "output") == previous


class _Ready:
    """Stands in for `Renderings`: where each source is in the pool's order."""

    def __init__(self, positions: dict[str, int]) -> None:
        self.positions = positions

    def position(self, source: str) -> int:
        return self.positions.get(source, -1)


def test_routes_are_made_in_the_order_their_posts_are_ready():
    ready = _Ready({"a": 0, "b": 1, "c": 2})
    needs = [("c",), ("a", "b"), (), ("b",), ("x",), ("a",)]
    assert production_order(needs, ready) == [2, 4, 5, 1, 3, 0]


def test_concurrent_stages_show_as_one_bar():
    seen: list[tuple[str, int, int]] = []
    report = as_one_bar(lambda *call: seen.append(call), {"render": 4, "write": 10})
    report("render", 1, 4)
    report("write", 3, 10)
    report("render", 4, 4)
    assert seen == [("build", 1, 14), ("build", 4, 14), ("build", 7, 14)]


@needs_a_pool
@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="one worker is used only where it forks")
def test_a_few_misses_render_in_one_worker_when_markdown_is_not_loaded(make_site, monkeypatch):
    root = make_site(site_files(3))
    in_process = cold_build(root, "in-process")
    if threading.active_count() != 1:
        pytest.skip("the worker forks only when no other thread runs")
    monkeypatch.setattr(rendering, "renderer_loaded", lambda: False)
    started: list[bool] = []
    real_start = rendering.Renderings.start

    def start(self, *args, **kwargs):
        real_start(self, *args, **kwargs)
        started.append(self.in_workers)  # with 3 misses, below the pool's threshold: one worker

    monkeypatch.setattr(rendering.Renderings, "start", start)
    assert cold_build(root, "one-worker") == in_process
    assert started == [True]


@needs_a_pool
@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="workers start early only where they fork")
@pytest.mark.parametrize("draft", [False, True], ids=["published", "draft"])
def test_an_edit_starts_its_worker_before_parsing(make_site, monkeypatch, draft):
    """The edited post's worker is started from the sources alone; when the edit turns out to be
    a draft's, the build has nothing to render and stops that worker."""
    root = make_site(site_files(3))
    build(load_config(root), BuildOptions(now=NOW))
    if threading.active_count() != 1:
        pytest.skip("the worker forks only when no other thread runs")
    monkeypatch.setattr(rendering, "renderer_loaded", lambda: False)
    started: list[rendering.Workers | None] = []
    real_start_workers = rendering.start_workers

    def start_workers(*args, **kwargs):
        started.append(real_start_workers(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr("blog.build.start_workers", start_workers)
    pools: list[int] = []
    real_start = rendering._start
    monkeypatch.setattr(rendering, "_start", lambda count, *args: pools.append(count) or real_start(count, *args))
    edited = post(title="Post 2", date="2024-01-02", body="Edited.\n", draft=draft)
    (root / "content/posts/2024-01-02-p2.md").write_text(edited)
    build(load_config(root), BuildOptions(now=NOW))
    assert len(started) == 1 and started[0] is not None and started[0].count == 1
    assert pools == [1]  # the renderings used that worker, and no other
    with pytest.raises(RuntimeError):  # the build shut it down
        started[0].pool.submit(os.getpid)
    assert (b"Edited." in (root / "output/blog/p2/index.html").read_bytes()) if not draft else not (root / "output/blog/p2").exists()
    assert snapshot(root / "output") == cold_build(root, "cold")
