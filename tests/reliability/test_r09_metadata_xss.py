"""R09: hostile metadata never becomes markup; titles and meta tags hold the literal text."""

from __future__ import annotations

from pathlib import Path

import html5lib

from sitekit import post

TITLE = '"><script>alert(1)</script>'
TAG = "<img src=x onerror=alert(1)>"
DESCRIPTION = 'Quotes " and \' & ampersands <b>'


def parse(path: Path):
    return html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)


def test_metadata_is_escaped_on_every_page(make_site, blog_cli):
    root = make_site({
        "content/posts/2024-05-01-evil.md": post(title=TITLE, tags=(TAG, "python"), description=DESCRIPTION, body="Body text.\n"),
        "content/posts/2024-05-02-plain.md": post(title="Plain", tags=(TAG,), body="Other.\n"),
    })
    result = blog_cli("-C", root, "build")
    assert result.code == 0, result.err
    pages = sorted((root / "output").rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        doc = parse(page)
        assert doc.findall(".//script") == [], page
        for element in doc.iter():
            bad = [name for name in element.attrib if name.lower().startswith("on")]
            assert bad == [], (page, element.tag, bad)
    post_doc = parse(root / "output/blog/evil/index.html")
    assert TITLE in post_doc.find(".//title").text
    descriptions = [m.get("content") for m in post_doc.iter("meta") if m.get("name") == "description"]
    assert descriptions == [DESCRIPTION]
    tag_pages = [p for p in (root / "output/tags").iterdir() if p.is_dir()]
    headings = ["".join(parse(p / "index.html").find(".//h1").itertext()) for p in tag_pages]
    assert f"Entries tagged with {TAG}" in headings
