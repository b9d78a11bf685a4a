"""`blog publish` to a git branch: scenario against a bare repository, history, the user's repository."""

from __future__ import annotations

import os
from pathlib import Path

from publishkit import bare_remote, branch_files, build_files, commits, config_with, git, run_scenario, site_files


def test_git_branch_target_scenario(make_site, blog_cli, tmp_path: Path) -> None:
    remote = bare_remote(tmp_path / "remote.git")
    root = make_site(site_files(), config_with(f'url = "git+file://{remote}#gh-pages"'))
    run_scenario(blog_cli, root, lambda: branch_files(remote, "gh-pages"), added=1)
    history = commits(remote, "gh-pages")
    assert len(history) == 3  # first publish, the edit, the removal; the no-op made no commit
    assert git("--git-dir", remote, "rev-list", "--count", "--merges", "gh-pages").strip() == "0"
    assert branch_files(remote, "gh-pages")[".nojekyll"] == b""
    assert branch_files(remote, "main") == {"README.md": b"the project\n"}


def test_a_remote_of_the_sites_repository_leaves_its_working_tree_alone(make_site, blog_cli, tmp_path: Path) -> None:
    remote = bare_remote(tmp_path / "remote.git")
    root = make_site(site_files(), config_with('url = "git:origin#gh-pages"'))
    (root / ".gitignore").write_text("output/\n.blog-cache/\n")
    git("init", "--quiet", "--initial-branch=main", root)
    git("remote", "add", "origin", remote, cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "--quiet", "-m", "sources", cwd=root)
    (root / "content/posts/alpha.md").write_text("---\ntitle: Alpha, edited but not committed\ndate: 2024-01-10\n---\nText.\n")
    git("add", "content/posts/alpha.md", cwd=root)  # staged, so the index is not the tree
    state = lambda: (git("status", "--porcelain", cwd=root), git("rev-parse", "HEAD", cwd=root),
                     (root / ".git" / "index").read_bytes(), git("branch", "--list", cwd=root), git("stash", "list", cwd=root))
    before = state()
    result = blog_cli("-C", root, "publish")
    assert result.code == 0, result.err
    assert state() == before
    assert branch_files(remote, "gh-pages")["blog/alpha/index.html"] == build_files(root)["blog/alpha/index.html"]
    assert b"Alpha, edited but not committed" in branch_files(remote, "gh-pages")["blog/alpha/index.html"]


def test_publishing_works_without_any_git_identity(make_site, blog_cli, monkeypatch, tmp_path: Path) -> None:
    remote = bare_remote(tmp_path / "remote.git")
    root = make_site(site_files(), config_with(f'url = "git+file://{remote}#gh-pages"'))
    (tmp_path / "empty-home").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "empty-home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "empty-home"))
    for name in [n for n in os.environ if n.startswith(("GIT_AUTHOR_", "GIT_COMMITTER_")) or n == "EMAIL"]:
        monkeypatch.delenv(name)
    result = blog_cli("-C", root, "publish")
    assert result.code == 0, result.err
    assert git("--git-dir", remote, "log", "-1", "--format=%an <%ae>", "gh-pages").strip() == "blog publish <blog-publish@localhost>"
