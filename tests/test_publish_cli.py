"""`blog publish` on the command line: choosing a target, usage errors (exit 2), the summary."""

from __future__ import annotations

from pathlib import Path

from publishkit import build_files, config_with, site_files

from conftest import DEFAULT_CONFIG, snapshot


def test_usage_errors_exit_2_and_publish_nothing(make_site, blog_cli, tmp_path: Path) -> None:
    root = make_site(site_files())
    none = blog_cli("-C", root, "publish")
    assert none.code == 2 and "no publish targets configured" in none.err
    (root / "blog.toml").write_text(DEFAULT_CONFIG + f'[publish.a]\nurl = "{tmp_path}/a"\n[publish.b]\nurl = "{tmp_path}/b"\n')
    several = blog_cli("-C", root, "publish")
    assert several.code == 2 and "several publish targets (a, b); name one: blog publish a" in several.err
    unknown = blog_cli("-C", root, "publish", "c")
    assert unknown.code == 2 and "no publish target named 'c'; configured: a, b" in unknown.err
    for bad in ("-1", "many"):
        result = blog_cli("-C", root, "publish", "a", "--max-deletes", bad)
        assert result.code == 2 and "--max-deletes" in result.err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_the_output_reads_build_plan_result(make_site, blog_cli, tmp_path: Path) -> None:
    www = tmp_path / "www"
    root = make_site(site_files(), config_with(f'url = "{www}"'))
    result = blog_cli("-C", root, "publish")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    count = len(build_files(root))
    assert lines[0].startswith(f"Built {count} files in ")
    assert lines[2] == f"Plan for web ({www}): {count} new, 0 changed, 0 unchanged, 0 to delete; " + lines[2].split("; ")[1]
    assert lines[3].startswith("Published to web in ") and f": {count} uploaded (" in lines[3]
    assert lines[3].endswith("0 deleted, 0 unchanged")
    assert snapshot(www) == build_files(root)


def test_a_failed_build_publishes_nothing(make_site, blog_cli, tmp_path: Path) -> None:
    www = tmp_path / "www"
    root = make_site(site_files() | {"content/posts/bad.md": "---\ntitle: x\ndate: someday\n---\n"}, config_with(f'url = "{www}"'))
    result = blog_cli("-C", root, "publish")
    assert result.code == 1
    assert "content/posts/bad.md" in result.err and "Plan for" not in result.out
    assert not www.exists()


def test_drafts_and_future_posts_are_never_published(make_site, blog_cli, tmp_path: Path) -> None:
    www = tmp_path / "www"
    files = site_files() | {
        "content/posts/draft.md": "---\ntitle: Secret draft\ndate: 2024-01-01\ndraft: true\n---\nNot yet.\n",
        "content/posts/future.md": "---\ntitle: From the future\ndate: 2999-01-01\n---\nLater.\n",
    }
    root = make_site(files, config_with(f'url = "{www}"'))
    assert blog_cli("-C", root, "build", "--drafts", "--future").code == 0
    assert (root / "output/blog/draft/index.html").exists()
    result = blog_cli("-C", root, "publish")
    assert result.code == 0, result.err
    published = b"".join(snapshot(www).values())
    assert b"Secret draft" not in published and b"From the future" not in published
