"""R15: two sources that produce one URL fail the build naming both."""

from __future__ import annotations

from sitekit import post


def test_two_posts_with_one_slug(make_site, blog_cli):
    root = make_site({
        "content/posts/2024-05-01-intro.md": post(title="One"),
        "content/posts/deeper/2024-06-01-intro.md": post(title="Two", date="2024-06-01"),
    })
    result = blog_cli("-C", root, "build")
    assert result.code == 1
    assert "content/posts/2024-05-01-intro.md" in result.err
    assert "content/posts/deeper/2024-06-01-intro.md" in result.err
    assert "/blog/intro/" in result.err
    assert not (root / "output").exists()


def test_page_and_static_file_with_one_url(make_site, blog_cli):
    root = make_site({
        "content/posts/2024-05-01-a.md": post(),
        "content/pages/about.md": "---\ntitle: About\n---\nMe.\n",
        "content/about/index.html": "<p>static</p>",
    })
    result = blog_cli("-C", root, "build")
    assert result.code == 1
    assert "content/pages/about.md" in result.err and "content/about/index.html" in result.err
