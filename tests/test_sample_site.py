"""The repository's own sample blog: built by the real CLI, checked the way a reader's tools see it."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
import html5lib
import pytest

from conftest import snapshot

REPO = Path(__file__).resolve().parents[1]
BASE = "https://example.org/"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """A copy of the sample blog built once for this module."""
    from blog.cli import main

    root = tmp_path_factory.mktemp("sample") / "site"
    root.mkdir()
    shutil.copy(REPO / "pyproject.toml", root)
    shutil.copytree(REPO / "content", root / "content")
    assert main(["-C", str(root), "build"]) == 0
    return root / "output"


class LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_every_page_parses_without_errors(sample):
    for page in html_pages(sample):
        parser = html5lib.HTMLParser(strict=False)
        parser.parse(page.read_bytes())
        assert parser.errors == [], (page, parser.errors[:3])


def test_every_feed_parses_without_errors(sample):
    feeds = [sample / "atom.xml", sample / "rss.xml", *sorted((sample / "tags").glob("*/atom.xml"))]
    assert len(feeds) > 3
    for feed in feeds:
        parsed = feedparser.parse(feed.read_bytes())
        assert not parsed.bozo, (feed, parsed.get("bozo_exception"))
        assert parsed.entries, feed
        for entry in parsed.entries:
            assert entry.link.startswith(BASE)


def test_every_internal_link_resolves(sample):
    missing = []
    for page in html_pages(sample):
        collector = LinkCollector()
        collector.feed(page.read_text(encoding="utf-8"))
        page_url = BASE + page.relative_to(sample).as_posix()
        for link in collector.links:
            absolute = urljoin(page_url, link)
            if not absolute.startswith(BASE):
                continue
            path = unquote(urlsplit(absolute).path)
            target = sample / path.lstrip("/")
            if path.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                missing.append((page.relative_to(sample).as_posix(), link))
    assert missing == []


def test_python_tag_page_lists_excerpts_with_read_more(sample):
    page = (sample / "tags/python/index.html").read_text(encoding="utf-8")
    doc = html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=False)
    assert "".join(doc.find(".//h1").itertext()).strip() == "Entries tagged with python"
    read_more = [a for a in doc.iter("a") if "Read more..." in "".join(a.itertext())]
    assert len(read_more) >= 3
    for link in read_more:
        target = sample / link.get("href").lstrip("/") / "index.html"
        assert target.is_file()


def test_post_pages_show_highlighted_python(sample):
    highlighted = [p for p in (sample / "blog").glob("*/index.html") if 'class="highlight"' in p.read_text() and '<span class="k">' in p.read_text()]
    assert len(highlighted) >= 5


def test_building_twice_gives_identical_output(sample, tmp_path):
    from blog.cli import main

    assert main(["-C", str(sample.parent), "build", "--output", str(tmp_path / "again")]) == 0
    assert snapshot(tmp_path / "again") == snapshot(sample)
