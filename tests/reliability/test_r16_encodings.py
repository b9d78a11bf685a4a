"""R16: BOM, CRLF, CR and trailing spaces give byte-identical output; non-UTF-8 is a located error."""

from __future__ import annotations

import pytest

from conftest import snapshot

PLAIN = "---\ntitle: Encodings\ndate: 2024-05-01\ntags: [python]\n---\n\nFirst paragraph.\n\n<!-- more -->\n\n```python\nprint('hi')\n```\n"

VARIANTS = {
    "bom": b"\xef\xbb\xbf" + PLAIN.encode(),
    "crlf": PLAIN.replace("\n", "\r\n").encode(),
    "cr": PLAIN.replace("\n", "\r").encode(),
    "trailing-spaces": PLAIN.replace("---\n", "---   \n").replace("---  \t\n", "---\t\n").encode(),
}


def build_tree(make_site, blog_cli, data: bytes, name: str) -> dict[str, bytes]:
    root = make_site({"content/posts/2024-05-01-enc.md": data}, name=name)
    result = blog_cli("-C", root, "build")
    assert result.code == 0, result.err
    return snapshot(root / "output")


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_matches_plain_file(make_site, blog_cli, variant):
    plain = build_tree(make_site, blog_cli, PLAIN.encode(), "plain")
    other = build_tree(make_site, blog_cli, VARIANTS[variant], variant)
    assert other == plain


def test_latin1_file_is_a_located_error(make_site, blog_cli):
    data = "---\ntitle: Café\ndate: 2024-05-01\n---\nbody\n".encode("latin-1")
    root = make_site({"content/posts/2024-05-01-latin.md": data})
    result = blog_cli("-C", root, "build")
    assert result.code == 1
    offset = data.index("é".encode("latin-1"))
    assert f"content/posts/2024-05-01-latin.md: byte {offset}: not valid UTF-8" in result.err
    assert "Traceback" not in result.err
