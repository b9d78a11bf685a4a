"""The command line as a user meets it: commands, options, exit codes, messages."""

from __future__ import annotations

import io
from pathlib import Path

import feedparser

from blog import __version__
from blog.progress import ProgressBar
from sitekit import post


def test_version(blog_cli, capsys):
    try:
        blog_cli("--version")
    except SystemExit as exit_:
        assert exit_.code == 0
    assert f"blog {__version__}" in capsys.readouterr().out


def test_usage_errors_exit_2(blog_cli):
    assert blog_cli().code == 2
    assert blog_cli("build", "--no-such-option").code == 2
    result = blog_cli("frobnicate")
    assert result.code == 2 and "invalid choice" in result.err


def test_init_makes_a_site_that_builds(blog_cli, tmp_path):
    result = blog_cli("init", tmp_path / "fresh")
    assert result.code == 0
    built = blog_cli("-C", tmp_path / "fresh", "build")
    assert built.code == 0, built.err
    assert "1 post" in built.out
    assert (tmp_path / "fresh/output/about/index.html").is_file()


def test_init_refuses_a_folder_with_files(blog_cli, tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy/notes.txt").write_text("mine")
    result = blog_cli("init", tmp_path / "busy")
    assert result.code == 1
    assert "not empty" in result.err
    assert sorted(p.name for p in (tmp_path / "busy").iterdir()) == ["notes.txt"]


def test_new_creates_a_dated_post_that_builds(blog_cli, make_site):
    root = make_site()
    result = blog_cli("-C", root, "new", "Pattern matching in Python 3.12", "--tags", "python, tips")
    assert result.code == 0, result.err
    path = Path(result.out.strip())
    assert path.parent == root / "content/posts"
    assert path.name.endswith("-pattern-matching-in-python-3-12.md")
    assert 'title: "Pattern matching in Python 3.12"' in path.read_text()
    assert blog_cli("-C", root, "build").code == 0
    assert (root / "output/tags/tips/index.html").is_file()
    again = blog_cli("-C", root, "new", "Pattern matching in Python 3.12")
    assert again.code == 1 and "already exists" in again.err


def test_tags_lists_counts_and_merged_spellings(blog_cli, make_site):
    root = make_site({
        "content/posts/2024-01-01-a.md": post(title="A", tags=("Python", "SQLite")),
        "content/posts/2024-01-02-b.md": post(title="B", date="2024-01-02", tags=("python",)),
        "content/posts/2024-01-03-c.md": post(title="C", date="2024-01-03", tags=("python",)),
    })
    result = blog_cli("-C", root, "tags")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split()[:3] == ["python", "3", "/tags/python/"]
    assert "merged: Python, python" in lines[0]
    assert lines[1].split()[:2] == ["SQLite", "1"]


def test_drafts_and_future_only_on_request(blog_cli, make_site):
    root = make_site({
        "content/posts/2024-01-01-live.md": post(title="Live"),
        "content/posts/2024-01-02-draft.md": post(title="Draft", date="2024-01-02", draft=True),
        "content/posts/2999-01-01-later.md": post(title="Later", date="2999-01-01"),
    })
    assert blog_cli("-C", root, "build").code == 0
    assert sorted(p.name for p in (root / "output/blog").iterdir()) == ["live"]
    assert blog_cli("-C", root, "build", "--drafts", "--future").code == 0
    assert sorted(p.name for p in (root / "output/blog").iterdir()) == ["draft", "later", "live"]


def test_base_url_and_output_options(blog_cli, make_site, tmp_path):
    root = make_site({"content/posts/2024-01-01-a.md": post()})
    result = blog_cli("-C", root, "build", "--output", tmp_path / "staging-site", "--base-url", "https://staging.example.org/preview")
    assert result.code == 0, result.err
    feed = feedparser.parse((tmp_path / "staging-site/atom.xml").read_bytes())
    assert feed.entries[0].link == "https://staging.example.org/preview/blog/a/"
    assert not (root / "output").exists()


def test_errors_are_listed_without_traceback(blog_cli, make_site):
    root = make_site({"content/posts/x.md": "---\ntitle: [unclosed\n---\n"})
    result = blog_cli("-C", root, "build")
    assert result.code == 1
    assert result.err.startswith("content/posts/x.md:2:")
    assert "Traceback" not in result.err
    assert result.err.rstrip().endswith("blog: 1 error; output left unchanged")


def test_warnings_do_not_fail_the_build(blog_cli, make_site):
    root = make_site({"content/posts/2024-01-01-a.md": post(body="```klingon\nqapla'\n```\n")})
    result = blog_cli("-C", root, "build")
    assert result.code == 0
    assert "content/posts/2024-01-01-a.md:7: warning: unknown code language 'klingon'" in result.err


def test_progress_bar_waits_a_second_and_only_on_terminals():
    stream = io.StringIO()
    bar = ProgressBar(stream, enabled=True)
    bar("render", 1, 10)
    assert stream.getvalue() == ""
    bar.started -= 2
    bar("render", 5, 10)
    assert "[###############---------------] 5/10" in stream.getvalue()
    quiet = io.StringIO()
    ProgressBar(quiet)("render", 5, 10)
    assert quiet.getvalue() == ""


def test_a_build_runs_with_the_cycle_collector_paused_and_restores_it(blog_cli, make_site, monkeypatch):
    import gc

    from blog import cli

    seen: list[bool] = []
    real_build = cli.build

    def build(*args, **kwargs):
        seen.append(gc.isenabled())
        return real_build(*args, **kwargs)

    monkeypatch.setattr(cli, "build", build)
    root = make_site({"content/posts/2024-01-01-a.md": post()})
    assert gc.isenabled()
    assert blog_cli("-C", root, "build").code == 0
    root.joinpath("content/posts/2024-01-01-a.md").write_text("---\ntitle: [\n---\n")  # a failing build
    assert blog_cli("-C", root, "build").code == 1
    assert seen == [False, False]
    assert gc.isenabled()


LIBRARIES = ("jinja2", "markupsafe", "yaml", "markdown", "pygments")
LOADED = (
    "import sys\nfrom blog.cli import main\ncode = main(['-C', sys.argv[1], 'build'])\n"
    f"print(code, sorted(name for name in {LIBRARIES!r} if name in sys.modules))"
)


def test_a_no_change_rebuild_loads_no_template_markdown_or_yaml_library(make_site):
    import subprocess
    import sys

    root = make_site({"content/posts/2024-01-01-a.md": post(body="```python\nx = 1\n```\n")})

    def build_in_a_new_process() -> str:
        done = subprocess.run([sys.executable, "-c", LOADED, str(root)], capture_output=True, text=True, check=True)
        return done.stdout.splitlines()[-1]

    # A first build needs them all, but Markdown only in the worker process that renders the post
    # (the style sheet takes Pygments alone).
    assert build_in_a_new_process() == f"0 {sorted(set(LIBRARIES) - {'markdown'})}"
    assert build_in_a_new_process() == "0 []"
