"""R11 feed validity: hostile titles and bodies still give feeds that strict parsers accept.

One `&`, `<` or control character in one post title is enough to make a whole feed unreadable
(pelican#2049). Entries are built as values here, so the check does not depend on the rest of the
build pipeline: every feed must parse with expat and minidom, feedparser must report no error,
links must be absolute, and `updated` must be the newest post's date, never the build time.
"""

from __future__ import annotations

import xml.dom.minidom
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from typing import Callable
from urllib.parse import urlsplit

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blog.config import SiteConfig
from blog.feeds import atom, rss
from blog.model import Entry, Rendered, TagRef
from sitekit import post_value

A = "{http://www.w3.org/2005/Atom}"
CONFIG = SiteConfig(
    title="Tom & Jerry's <notes>",
    base_url="https://blog.example.org/",
    author="Tess <Tester> & Co",
    description='Quotes " and \' and & and ]]> too',
)
HOSTILE = (
    "Fish & chips",
    "a < b && b > c",
    "<script>alert(1)</script>",
    "CDATA end ]]> inside",
    "controls \x00\x01\x08\x0b\x0c\x0e\x1f\x7f end",
    "non-characters \ufffe and \uffff end",
    "lone surrogates \ud800 and \udfff end",
    "emoji 😀🎉 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "entity-like &amp; &#1; &#xFFFE; &bogus;",
)
Feed = Callable[..., bytes]
FEEDS = {"atom": atom, "rss": rss}


def xml_legal(text: str) -> str:
    """The oracle: keep exactly the characters of the XML 1.0 `Char` production."""

    def legal(code: int) -> bool:
        return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code > 0xFFFF

    return "".join(c for c in text if legal(ord(c)))


def make_entry(number: int, title: str, body: str) -> Entry:
    url = f"/blog/post-{number}/"
    date = datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=1))) + timedelta(days=number)
    html = (
        f"<p>{body}</p>\n<p><a href=\"../post-0/\">prev</a> <a href=\"/about/\">about</a> "
        f"<img src=\"figure.png\" srcset=\"figure.png 1x, /img/figure@2x.png 2x\"> "
        f"<a href=\"#top\">top</a> <a href=\"mailto:me@example.org\">mail</a></p>"
    )
    post = post_value(
        source=f"content/posts/post-{number}.md",
        title=title,
        date=date,
        tags=(title,),
        slug=f"post-{number}",
        url=url,
        body=body,
        body_line=4,
    )
    rendered = Rendered(html=html, excerpt_html=f"<p>{body}</p>", has_more=True)
    return Entry(post=post, rendered=rendered, tags=(TagRef(title, f"tag-{number}", f"/tags/tag-{number}/"),))


def hostile_entries() -> tuple[Entry, ...]:
    """Newest first, as the site stage hands them to the feeds."""
    entries = [make_entry(n, f"{text} #{n}", f"{text} &amp; {text}") for n, text in enumerate(HOSTILE)]
    return tuple(reversed(entries))


def build(feed: Feed, entries: tuple[Entry, ...], config: SiteConfig = CONFIG) -> bytes:
    newest = max((e.post.date for e in entries if e.post.date is not None), default=None)
    return feed(entries, config, feed_url="/feed.xml", page_url="/", title=config.title, updated=newest)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.urls.append(value)
            elif name == "srcset" and value is not None:
                self.urls += [candidate.split()[0] for candidate in value.split(",")]


def links_in(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.urls


def assert_strictly_valid(data: bytes) -> None:
    ET.fromstring(data)
    xml.dom.minidom.parseString(data)
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")


@pytest.mark.parametrize("name", FEEDS)
def test_hostile_feeds_parse_strictly(name: str) -> None:
    data = build(FEEDS[name], hostile_entries())
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n')
    assert data.endswith(b"\n")
    data.decode("utf-8")
    assert_strictly_valid(data)


@pytest.mark.parametrize("name", FEEDS)
def test_hostile_titles_round_trip_without_illegal_characters(name: str) -> None:
    entries = hostile_entries()
    parsed = feedparser.parse(build(FEEDS[name], entries))
    assert len(parsed.entries) == len(HOSTILE)
    assert [e.title for e in parsed.entries] == [xml_legal(e.post.title) for e in entries]
    assert parsed.feed.title == CONFIG.title


def test_hostile_bodies_survive_as_text_in_atom() -> None:
    entries = hostile_entries()
    feed = ET.fromstring(build(atom, entries))
    contents = [item.findtext(f"{A}content") for item in feed.findall(f"{A}entry")]
    for entry, content in zip(entries, contents):
        assert content is not None
        assert content.startswith("<p>" + xml_legal(entry.post.body) + "</p>")
        assert "]]>" in content or "]]>" not in entry.post.body


def test_every_link_is_absolute() -> None:
    """Read from the XML itself: feedparser's sanitiser would drop `srcset` before we look."""
    atom_feed = ET.fromstring(build(atom, hostile_entries()))
    rss_feed = ET.fromstring(build(rss, hostile_entries()))
    bodies = [
        *(item.findtext(f"{A}content") for item in atom_feed.findall(f"{A}entry")),
        *(item.findtext("description") for item in rss_feed.findall("channel/item")),
    ]
    summaries = [item.findtext(f"{A}summary") for item in atom_feed.findall(f"{A}entry")]
    assert len(bodies) == 2 * len(HOSTILE)
    for html in bodies:
        urls = links_in(html or "")
        assert len(urls) == 7
        assert all(url.startswith(("https://blog.example.org/", "#", "mailto:")) for url in urls), urls
    assert all(links_in(html or "") == [] for html in summaries)
    links = [
        *(link.get("href") for link in atom_feed.iter(f"{A}link")),  # self, alternate, one per entry
        *(i.text for i in atom_feed.iter(f"{A}id")),  # the feed's and one per entry
        *(link.get("href") for link in rss_feed.iter(f"{A}link")),  # self
        *(link.text for link in rss_feed.iter("link")),  # the channel's and one per item
        *(guid.text for guid in rss_feed.iter("guid")),  # one per item
    ]
    assert len(links) == 5 + 4 * len(HOSTILE)
    assert all(urlsplit(link or "")[:2] == ("https", "blog.example.org") for link in links), links


def test_rewritten_links_point_where_the_page_does() -> None:
    feed = ET.fromstring(build(atom, (make_entry(3, "t", "b"),)))
    urls = links_in(feed.findtext(f"{A}entry/{A}content") or "")
    assert urls == [
        "https://blog.example.org/blog/post-0/",
        "https://blog.example.org/about/",
        "https://blog.example.org/blog/post-3/figure.png",
        "https://blog.example.org/blog/post-3/figure.png",
        "https://blog.example.org/img/figure@2x.png",
        "#top",
        "mailto:me@example.org",
    ]


def test_updated_is_the_newest_post_never_the_build_time() -> None:
    entries = hostile_entries()
    newest = entries[0].post.date
    assert newest is not None
    atom_feed = feedparser.parse(build(atom, entries))
    rss_feed = feedparser.parse(build(rss, entries))
    assert atom_feed.feed.updated == newest.isoformat(timespec="seconds")
    assert datetime(*rss_feed.feed.updated_parsed[:6], tzinfo=timezone.utc) == newest
    assert build(atom, entries) == build(atom, entries)
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d").encode()
    assert today not in build(atom, entries)


@pytest.mark.parametrize("name", FEEDS)
def test_no_dated_post_gives_the_epoch(name: str) -> None:
    parsed = feedparser.parse(build(FEEDS[name], ()))
    assert parsed.bozo == 0
    assert tuple(parsed.feed.updated_parsed[:6]) == (1970, 1, 1, 0, 0, 0)


ANY_CHARACTER = st.text(st.characters(codec=None, blacklist_categories=()), max_size=40)


@settings(max_examples=60, deadline=None)
@given(title=ANY_CHARACTER, body=ANY_CHARACTER, site_title=ANY_CHARACTER)
def test_any_text_gives_valid_feeds(title: str, body: str, site_title: str) -> None:
    config = SiteConfig(title=site_title, base_url="https://blog.example.org/", author=body, description=body)
    entries = (make_entry(1, title, body),)
    for feed in FEEDS.values():
        data = build(feed, entries, config)
        assert_strictly_valid(data)
        assert len(feedparser.parse(data).entries) == 1
    items = ET.fromstring(build(atom, entries, config)).findall(f"{A}entry")
    atom_titles = [item.findtext(f"{A}title") for item in items]
    assert atom_titles == [xml_legal(title).replace("\r\n", "\n").replace("\r", "\n")]  # XML's end-of-line rule
