"""The preview loop's decisions: what the browser is told, what the terminal shows, one build."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from blog.errors import error
from blog.model import BuildReport
from blog.preview import Outcome, ServeOptions, build_once, describe, event_kind, report_line
from blog.server import Status
from servekit import ServeProcess, get, wait_until
from sitekit import post

REPORT = BuildReport(output_dir=Path("/tmp/x"), counts={"post": 2, "index": 1}, written=1, unchanged=2, removed=0, seconds=0.1)
GOOD = Outcome(None, REPORT, (), 0.25)
BAD = Outcome(None, None, (error("content/posts/a.md", "title: required", 1, 1), error("b.md", "x")), 0.1)


def test_stylesheets_alone_are_swapped_in_place():
    assert event_kind(frozenset({"themes/x/static/style.css", "content/a.CSS"}), Status("g"), GOOD) == "css"


def test_everything_else_reloads():
    assert event_kind(frozenset({"content/posts/a.md", "static/style.css"}), Status("g"), GOOD) == "reload"
    assert event_kind(frozenset({"style.css"}), Status("g"), BAD) == "reload"
    failed_before = Status("g", (error("a.md", "broken"),))
    assert event_kind(frozenset({"style.css"}), failed_before, GOOD) == "reload"  # the overlay must go
    assert event_kind(frozenset(), Status("g"), GOOD) == "reload"


def test_describe_names_a_few_changes():
    assert describe(frozenset({"b", "a"})) == "a, b"
    assert describe(frozenset("abcde")) == "a, b, c and 2 more"


def test_report_lines():
    assert report_line(GOOD, first=True) == "Built 3 files in 0.25 s (1 written, 2 unchanged)"
    assert report_line(GOOD, first=False).startswith("Rebuilt 3 files")
    assert report_line(BAD, first=False) == "Build failed with 2 errors (still serving the last good build)"
    assert report_line(BAD, first=True).endswith("(nothing to serve yet)")


def test_build_once_builds_drafts_into_the_given_folder_and_never_output(make_site, tmp_path):
    root = make_site({"content/posts/2024-01-01-a.md": post("A draft", draft=True)})
    outcome = build_once(root, tmp_path / "preview", ServeOptions(root), "http://127.0.0.1:9/")
    assert outcome.report is not None and outcome.problems == ()
    assert (tmp_path / "preview" / "index.html").is_file() and not (root / "output").exists()
    assert "http://127.0.0.1:9/" in (tmp_path / "preview" / "index.html").read_text()
    assert (tmp_path / "preview" / "blog" / "a" / "index.html").is_file()
    without = build_once(root, tmp_path / "published", ServeOptions(root, drafts=False), "http://127.0.0.1:9/")
    assert without.report is not None and not (tmp_path / "published" / "blog" / "a").exists()


def test_build_once_returns_problems_instead_of_raising(make_site, tmp_path):
    root = make_site({"content/posts/2024-01-01-a.md": "---\ntitle: [unclosed\n---\nText\n"})
    outcome = build_once(root, tmp_path / "preview", ServeOptions(root), "http://127.0.0.1:9/")
    assert outcome.report is None and outcome.problems
    assert outcome.problems[0].path == "content/posts/2024-01-01-a.md" and outcome.problems[0].line == 2
    broken_config = make_site(config="title = \n", name="other")
    assert build_once(broken_config, tmp_path / "p2", ServeOptions(broken_config), "http://x/").problems[0].path == "blog.toml"


# --- the real command, stopped the ways a user stops it ------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_stopping_removes_the_private_folder_and_never_touches_output(make_site, tmp_path, sig):
    root = make_site({"content/posts/2024-01-01-a.md": post("A")})
    private = tmp_path / "tmp"
    private.mkdir()
    serve = ServeProcess(root, env={"TMPDIR": str(private)})
    cache = root / ".blog-cache"
    try:
        assert get(serve.port, "/blog/a/").status == 200
        folders = [p for p in cache.iterdir() if p.name.startswith("serve-")]  # beside the retained tree
        assert len(folders) == 1 and (folders[0] / "site" / "index.html").is_file()
        (root / "content/posts/2024-01-01-a.md").write_text(post("A", body="Changed.\n"))
        serve.wait_for_builds(1, timeout=20)  # a rebuild keeps a retained tree in .blog-cache/
        assert [p.name for p in cache.iterdir() if p.name.startswith("previous-")]
    finally:
        code = serve.stop(sig)
    assert code == 0 and list(private.iterdir()) == []  # nothing in the system's temp folder either
    assert not [p.name for p in cache.iterdir() if p.name.startswith(("previous-", "serve-"))]
    assert serve.lines[-1] == "Stopped; the preview folder is removed."
    assert not (root / "output").exists()
    assert not [line for line in serve.errors if "Traceback" in line]


def test_no_drafts_leaves_drafts_out(make_site):
    root = make_site({"content/posts/2024-01-01-a.md": post("A", draft=True), "content/posts/2024-01-02-b.md": post("B")})
    with ServeProcess(root, "--no-drafts") as serve:
        assert "drafts and future posts left out" in serve.lines[1]
        assert get(serve.port, "/blog/a/").status == 404 and get(serve.port, "/blog/b/").status == 200


def test_a_port_in_use_is_a_short_error(make_site):
    root = make_site({"content/posts/2024-01-01-a.md": post("A")})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "blog", "-C", str(root), "serve", "--port", str(port)],
            capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"blog serve: cannot listen on 127.0.0.1:{port}: " in result.stderr


def test_a_bad_port_is_a_usage_error(blog_cli, make_site):
    result = blog_cli("-C", make_site(), "serve", "--port", "70000")
    assert result.code == 2 and "--port" in result.err


def test_a_templates_folder_created_while_serving_is_watched(make_site):
    root = make_site({"content/posts/2024-01-01-a.md": post("A", body="Body text.\n")})
    with ServeProcess(root) as serve:
        (root / "templates").mkdir()
        serve.wait_for_builds(1, timeout=20)
        (root / "templates" / "post.html").write_text(
            '{% extends "base.html" %}{% block content %}<p>From the site template.</p>{% endblock %}\n'
        )
        wait_until(lambda: "From the site template." in get(serve.port, "/blog/a/").text, timeout=20,
                   what="the new template in use")
        settled = len(serve.builds())
        time.sleep(1.5)
        assert len(serve.builds()) == settled  # the follow-up build after restarting does not repeat


def test_open_starts_the_users_browser_on_the_bound_url(make_site, tmp_path):
    root = make_site({"content/posts/2024-01-01-a.md": post("A")})
    opened = tmp_path / "opened.txt"
    browser = f"{sys.executable} -c 'import sys; open(sys.argv[1], \"w\").write(sys.argv[2])' {opened} %s"
    with ServeProcess(root, "--open", env={"BROWSER": browser}) as serve:
        wait_until(opened.exists, timeout=20, what="the browser command")
        wait_until(lambda: opened.read_text() == serve.url, timeout=5, what=f"{serve.url} opened")
