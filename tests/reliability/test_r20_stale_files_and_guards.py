"""R20: the output is exactly this build (plus the keep-list); dangerous output folders are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitekit import post


def test_renamed_post_old_url_is_gone_and_keep_list_survives(make_site, blog_cli):
    root = make_site({"content/posts/2024-05-01-old-name.md": post(title="Post")})
    assert blog_cli("-C", root, "build").code == 0
    out = root / "output"
    assert (out / "blog/old-name/index.html").is_file()
    (out / ".git").mkdir()
    (out / ".git/HEAD").write_text("ref: refs/heads/gh-pages\n")
    (out / "CNAME").write_text("blog.example.org\n")
    (out / "stray.html").write_text("stale")
    (root / "content/posts/2024-05-01-old-name.md").rename(root / "content/posts/2024-05-01-new-name.md")
    assert blog_cli("-C", root, "build").code == 0
    assert not (out / "blog/old-name").exists()
    assert (out / "blog/new-name/index.html").is_file()
    assert (out / ".git/HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert (out / "CNAME").read_text() == "blog.example.org\n"
    assert not (out / "stray.html").exists()


@pytest.mark.parametrize("target", [".", "..", "/", "HOME", "content", "content/posts"])
def test_dangerous_output_folders_are_refused(make_site, blog_cli, target):
    root = make_site({"content/posts/2024-05-01-a.md": post()})
    output = str(Path.home()) if target == "HOME" else target
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    result = blog_cli("-C", root, "build", "--output", output if target in ("/", "HOME") else str(root / output))
    assert result.code == 1
    assert "refusing" in result.err
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_folder_holding_the_content_is_refused(make_site, blog_cli, tmp_path):
    root = make_site({"content/posts/2024-05-01-a.md": post()})
    result = blog_cli("-C", root, "build", "--output", str(tmp_path))
    assert result.code == 1
    assert "refusing" in result.err
