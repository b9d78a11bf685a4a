"""R13: symlinks under content/ that resolve outside the site are errors; their bytes never leak."""

from __future__ import annotations

from sitekit import post

SECRET = b"TOP-SECRET-BYTES-4711"


def output_bytes(root):
    out = root / "output"
    return b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file()) if out.exists() else b""


def test_symlinked_file_outside_is_refused(make_site, blog_cli, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_bytes(b"---\ntitle: leak\ndate: 2024-01-01\n---\n" + SECRET)
    (outside / "secret.txt").write_bytes(SECRET)
    root = make_site({"content/posts/2024-05-01-a.md": post()})
    (root / "content/posts/leak.md").symlink_to(outside / "secret.md")
    (root / "content/secret.txt").symlink_to(outside / "secret.txt")
    result = blog_cli("-C", root, "build")
    assert result.code == 1
    assert "content/posts/leak.md" in result.err
    assert "content/secret.txt" in result.err
    assert SECRET not in output_bytes(root)


def test_symlinked_folder_outside_is_refused(make_site, blog_cli, tmp_path):
    outside = tmp_path / "photos-elsewhere"
    outside.mkdir()
    (outside / "cover.png").write_bytes(SECRET)
    root = make_site({"content/posts/2024-05-01-a.md": post()})
    (root / "content/photos").symlink_to(outside, target_is_directory=True)
    result = blog_cli("-C", root, "build")
    assert result.code == 1
    assert "content/photos" in result.err
    assert SECRET not in output_bytes(root)


def test_symlink_inside_the_site_is_followed(make_site, blog_cli):
    root = make_site({"content/posts/2024-05-01-a.md": post(), "assets/logo.txt": "logo"})
    (root / "content/logo.txt").symlink_to(root / "assets/logo.txt")
    result = blog_cli("-C", root, "build")
    assert result.code == 0, result.err
    assert (root / "output/logo.txt").read_text() == "logo"
