"""R23 rsync and git guards: an empty or partial build is never published; more deletions than
`max_deletes` abort with the target unchanged; the git branch target keeps CNAME/.nojekyll and
history, never force-pushes by default, refuses the checked-out and the default branch, and exits
non-zero with git's message when the push fails [ghp-import#56, mkdocs#967, hugoDocs#1343]."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest
from publishkit import bare_remote, branch_files, build_files, commits, config_with, git, site_files

from blog.config import parse_config
from blog.publish import open_target
from blog.publish.plan import PublishError, load_build
from blog.writer import MANIFEST, write_site
from conftest import snapshot
from sitekit import post

needs_rsync = pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed (.ci/run installs it)")
KINDS = [pytest.param("rsync", marks=needs_rsync), "git"]


def make_target(kind: str, tmp_path: Path) -> tuple[str, Callable[[], object]]:
    """A target's config line and a reader of its whole state (files, and the git history)."""
    if kind == "rsync":
        www = tmp_path / "www"
        return f'url = "rsync:{www}"', lambda: snapshot(www) if www.exists() else None
    remote = bare_remote(tmp_path / "remote.git")
    return f'url = "git+file://{remote}#gh-pages"', lambda: (git("--git-dir", remote, "show-ref"), branch_files(remote, "gh-pages"))


def _spoil(root: Path, how: str) -> None:
    out = root / "output"
    if how == "missing output":
        shutil.rmtree(out)
    elif how == "file missing":
        (out / "blog/alpha/index.html").unlink()
    elif how == "file changed":
        (out / "index.html").write_bytes(b"<p>half written</p>")
    elif how == "stray file":
        (out / "blog/unknown.html").write_text("not from the build")
    elif how == "no manifest":
        (out / MANIFEST).unlink()
    elif how == "empty build":
        write_site((), out)


@pytest.mark.parametrize("kind", KINDS)
def test_an_empty_partial_or_failed_build_is_never_published(kind: str, make_site, blog_cli, tmp_path: Path) -> None:
    line, state = make_target(kind, tmp_path)
    root = make_site(site_files(), config_with(line))
    assert blog_cli("-C", root, "publish").code == 0
    published = state()
    (root / "content/posts/alpha.md").write_text(post("Alpha", "2024-01-10", body="Changed, so a publish would send it.\n"))

    (root / "content/posts/broken.md").write_text("---\ntitle: [unclosed\n---\n")
    failed = blog_cli("-C", root, "publish")
    assert failed.code == 1 and "error" in failed.err
    assert state() == published
    (root / "content/posts/broken.md").unlink()

    for how in ("missing output", "file missing", "file changed", "stray file", "no manifest", "empty build"):
        assert blog_cli("-C", root, "build").code == 0
        _spoil(root, how)
        result = blog_cli("-C", root, "publish", "--no-build")
        assert result.code == 1, how
        assert "blog: publish failed:" in result.err and ("complete build" in result.err or "empty build" in result.err
                                                          or "does not match its build manifest" in result.err), result.err
        assert state() == published, how
    assert blog_cli("-C", root, "publish").code == 0  # a fresh, complete build does go out
    assert state() != published


@pytest.mark.parametrize("kind", KINDS)
def test_more_deletions_than_max_deletes_abort_with_the_target_unchanged(kind: str, make_site, blog_cli, tmp_path: Path) -> None:
    line, state = make_target(kind, tmp_path)
    root = make_site(site_files(), config_with(line, "max_deletes = 3"))
    assert blog_cli("-C", root, "publish").code == 0
    published = state()
    (root / "content/posts/beta.md").unlink()  # its page, tag page and tag feed go, lists change
    (root / "content/posts/gamma.md").unlink()

    dry = blog_cli("-C", root, "publish", "--dry-run")
    assert dry.code == 0 and "A real run would stop here" in dry.out and "more than max_deletes = 3" in dry.out
    aborted = blog_cli("-C", root, "publish")
    assert aborted.code == 1
    assert "more than max_deletes = 3; nothing was changed" in aborted.err
    assert state() == published
    lowered = blog_cli("-C", root, "publish", "--max-deletes", "2")
    assert lowered.code == 1 and "max_deletes = 2" in lowered.err
    assert state() == published

    confirmed = blog_cli("-C", root, "publish", "--yes")
    assert confirmed.code == 0, confirmed.err
    assert state() != published


def _pages_remote(tmp_path: Path) -> Path:
    """A GitHub Pages style remote: `main` with sources, `gh-pages` with a custom domain and an old page."""
    remote = bare_remote(tmp_path / "remote.git")
    pages = tmp_path / "pages-seed"
    git("init", "--quiet", "--initial-branch=gh-pages", pages)
    (pages / "CNAME").write_text("blog.example.org\n")
    (pages / ".nojekyll").write_text("")
    (pages / "old.html").write_text("an old page\n")
    git("add", "-A", cwd=pages)
    git("commit", "--quiet", "-m", "hand-made pages", cwd=pages)
    git("push", "--quiet", remote, "gh-pages", cwd=pages)
    return remote


def test_git_keeps_cname_nojekyll_and_history(make_site, blog_cli, tmp_path: Path) -> None:
    remote = _pages_remote(tmp_path)
    first = commits(remote, "gh-pages")
    root = make_site(site_files(), config_with(f'url = "git+file://{remote}#gh-pages"'))
    result = blog_cli("-C", root, "publish")
    assert result.code == 0, result.err
    history = commits(remote, "gh-pages")
    assert history[1:] == first  # one new commit on top of the old tip
    files = branch_files(remote, "gh-pages")
    assert files["CNAME"] == b"blog.example.org\n" and files[".nojekyll"] == b""
    assert "old.html" not in files
    assert {p: d for p, d in files.items() if p not in ("CNAME", ".nojekyll")} == build_files(root)


def test_git_never_force_pushes_by_default(make_site, tmp_path: Path) -> None:
    remote = _pages_remote(tmp_path)
    root = make_site(site_files(), config_with(f'url = "git+file://{remote}#gh-pages"'))
    config = parse_config((root / "blog.toml").read_text(), root=root)
    from blog.build import build

    build(config)
    site = load_build(root / "output")
    with open_target(config.publish[0], root, root / "content", root / "output") as target:
        plan = target.plan(site)
        other = tmp_path / "other-clone"  # someone else publishes between our plan and our push
        git("clone", "--quiet", "--branch", "gh-pages", remote, other)
        (other / "theirs.html").write_text("their page\n")
        git("add", "-A", cwd=other)
        git("commit", "--quiet", "-m", "theirs", cwd=other)
        git("push", "--quiet", "origin", "gh-pages", cwd=other)
        theirs = commits(remote, "gh-pages")
        with pytest.raises(PublishError, match=r"(?s)git push failed: .*\[rejected\]"):
            target.apply(plan, site, lambda *_: None)
    assert commits(remote, "gh-pages") == theirs
    with open_target(config.publish[0], root, root / "content", root / "output", force=True) as target:
        target.apply(target.plan(site), site, lambda *_: None)  # --force only when asked


def test_force_is_only_for_git_targets(make_site, blog_cli, tmp_path: Path) -> None:
    root = make_site(site_files(), config_with(f'url = "{tmp_path / "www"}"'))
    result = blog_cli("-C", root, "publish", "--force")
    assert result.code == 2 and "--force applies to git branch targets only" in result.err
    assert not (tmp_path / "www").exists()


def test_git_refuses_the_default_and_the_checked_out_branch(make_site, blog_cli, tmp_path: Path) -> None:
    remote = bare_remote(tmp_path / "remote.git")
    refs = git("--git-dir", remote, "show-ref")
    root = make_site(site_files(), config_with(f'url = "git+file://{remote}#main"') + '[publish.mine]\nurl = "git:origin#work"\n'
                     + f'[publish.checkout]\nurl = "git+file://{tmp_path / "checkout"}#feature"\n')
    default = blog_cli("-C", root, "publish", "web")
    assert default.code == 1
    assert "refusing to publish to branch 'main'" in default.err and "default branch" in default.err

    git("init", "--quiet", "--initial-branch=work", root)
    git("remote", "add", "origin", remote, cwd=root)
    checked_out = blog_cli("-C", root, "publish", "mine")
    assert checked_out.code == 1
    assert "refusing to publish to branch 'work': it is checked out" in checked_out.err

    git("init", "--quiet", "--initial-branch=feature", tmp_path / "checkout")  # a working copy on `feature`
    (tmp_path / "checkout" / "notes.txt").write_text("work in progress\n")
    git("add", "-A", cwd=tmp_path / "checkout")
    git("commit", "--quiet", "-m", "wip", cwd=tmp_path / "checkout")
    other = blog_cli("-C", root, "publish", "checkout")
    assert other.code == 1 and "refusing to publish to branch 'feature'" in other.err
    assert (tmp_path / "checkout" / "notes.txt").read_text() == "work in progress\n"
    assert git("--git-dir", remote, "show-ref") == refs


def test_a_rejected_push_exits_1_with_gits_message(make_site, blog_cli, tmp_path: Path) -> None:
    remote = bare_remote(tmp_path / "remote.git")
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'this mirror is read-only' >&2\nexit 1\n")
    hook.chmod(0o755)
    root = make_site(site_files(), config_with(f'url = "git+file://{remote}#gh-pages"'))
    result = blog_cli("-C", root, "publish")
    assert result.code == 1
    assert "blog: publish failed: git push failed:" in result.err
    assert "this mirror is read-only" in result.err
    assert branch_files(remote, "gh-pages") == {}
