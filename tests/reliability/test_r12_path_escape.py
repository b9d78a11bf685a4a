"""R12: slugs and URLs that point outside the output fail the build naming the source."""

from __future__ import annotations

import pytest

from sitekit import post

BAD_VALUES = ["../../x", "/etc/x", "%2e%2e/x", "..\\x", ""]


def files_outside(root, tmp_path):
    return sorted(p for p in tmp_path.rglob("*") if root not in p.parents and p != root)


@pytest.mark.parametrize("field", ["slug", "url"])
@pytest.mark.parametrize("value", BAD_VALUES)
def test_escaping_slug_or_url_is_refused(make_site, blog_cli, tmp_path, field, value):
    root = make_site({"content/posts/2024-05-01-a.md": post(**{field: value})})
    before = files_outside(root, tmp_path)
    result = blog_cli("-C", root, "build")
    assert result.code == 1
    assert "content/posts/2024-05-01-a.md:" in result.err
    assert "Traceback" not in result.err
    assert files_outside(root, tmp_path) == before
    assert not (root / "output").exists()
