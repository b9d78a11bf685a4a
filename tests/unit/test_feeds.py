"""Atom and RSS output, and the HTML link rewriting they rely on, checked on values."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blog import feeds
from blog.config import SiteConfig
from blog.feeds import (
    _URL_ATTRIBUTE_START,
    _url_attribute_starts,
    may_need_rewriting,
    _rewrite_links,
    absolute_srcset,
    absolutize_html,
    atom,
    rfc3339,
    rfc822,
    rss,
    xml_text,
)
from blog.model import Entry, Rendered, TagRef
from sitekit import post_value

A = "{http://www.w3.org/2005/Atom}"
CEST = timezone(timedelta(hours=2))
CONFIG = SiteConfig(
    title="Test blog",
    base_url="https://blog.example.org/",
    author="Tess Tester",
    description="A site made by the tests.",
    language="de",
)
BASE = "https://blog.example.org/blog/first/"


def make_entry(
    title: str = "First post",
    url: str = "/blog/first/",
    html: str = "<p>Hello.</p>",
    excerpt: str = "<p>Hello.</p>",
    date: datetime | None = datetime(2024, 5, 1, 9, 30, tzinfo=CEST),
    updated: datetime | None = None,
    tags: tuple[TagRef, ...] = (),
) -> Entry:
    post = post_value(
        source=f"content/posts{url.rstrip('/')}.md",
        title=title,
        date=date,
        updated=updated,
        tags=tuple(tag.name for tag in tags),
        slug=url.strip("/").rsplit("/", 1)[-1],
        url=url,
    )
    rendered = Rendered(html=html, excerpt_html=excerpt, has_more=html != excerpt)
    return Entry(post=post, rendered=rendered, tags=tags)


def build_atom(
    entries: tuple[Entry, ...], updated: datetime | None = None, config: SiteConfig = CONFIG
) -> bytes:
    return atom(entries, config, feed_url="/atom.xml", page_url="/", title="Test blog", updated=updated)


def build_rss(
    entries: tuple[Entry, ...], updated: datetime | None = None, config: SiteConfig = CONFIG
) -> bytes:
    return rss(entries, config, feed_url="/rss.xml", page_url="/", title="Test blog", updated=updated)


# --- absolutize_html -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/about/", "https://blog.example.org/about/"),
        ("../second/", "https://blog.example.org/blog/second/"),
        ("diagram.png", "https://blog.example.org/blog/first/diagram.png"),
        ("./notes.txt", "https://blog.example.org/blog/first/notes.txt"),
        ("?page=2", "https://blog.example.org/blog/first/?page=2"),
        ("//cdn.example.net/x.js", "https://cdn.example.net/x.js"),
    ],
)
def test_relative_links_become_absolute(href: str, expected: str) -> None:
    assert absolutize_html(f'<a href="{href}">x</a>', BASE) == f'<a href="{expected}">x</a>'


@pytest.mark.parametrize(
    "href",
    [
        "#section-2",
        "mailto:tess@example.org",
        "https://other.example/x",
        "http://a.example/",
        "data:,hi",
        "tel:+123",
        "",
    ],
)
def test_fragments_schemes_and_absolute_links_are_left_alone(href: str) -> None:
    html = f'<p><a href="{href}">x</a></p>'
    assert absolutize_html(html, BASE) == html


def test_src_poster_and_srcset_are_rewritten() -> None:
    html = (
        '<video poster="still.jpg" src="/media/clip.mp4"></video>'
        '<img src="a.png" srcset="a.png 1x, /b.png 2x" alt="">'
    )
    assert absolutize_html(html, BASE) == (
        f'<video poster="{BASE}still.jpg" src="https://blog.example.org/media/clip.mp4"></video>'
        f'<img src="{BASE}a.png" srcset="{BASE}a.png 1x, https://blog.example.org/b.png 2x" alt="">'
    )


def test_srcset_keeps_commas_inside_urls_and_width_descriptors() -> None:
    srcset = "small.png 480w,  data:image/png;base64,AAA= 800w, big.png"
    assert absolute_srcset(srcset, BASE) == (
        "https://blog.example.org/blog/first/small.png 480w, data:image/png;base64,AAA= 800w, "
        "https://blog.example.org/blog/first/big.png"
    )


def test_untouched_html_is_copied_byte_for_byte() -> None:
    html = (
        "<!DOCTYPE html><P Class='x'>AT&T &copy 2024 &#169; &#x1F600; a < b</P>\r\n"
        "<!-- <a href=\"rel\"> --><br/><input disabled>\n"
        '<script>if (a < b && c) { x = "<a href=\'y\'>"; }</script>'
        "<pre><code>&lt;a href=&quot;rel&quot;&gt;</code></pre><![CDATA[ z ]]>"
    )
    assert absolutize_html(html, BASE) == html


def test_rewritten_tag_keeps_its_other_attributes_escaped_and_the_rest_verbatim() -> None:
    html = (
        "<p>one &amp; two</p>\n"
        "<a\n  class=btn title='say \"hi\" &amp; go' href=next.html data-x>go</a> <img src=x.png />"
    )
    assert absolutize_html(html, BASE) == (
        "<p>one &amp; two</p>\n"
        f'<a class="btn" title="say &quot;hi&quot; &amp; go" href="{BASE}next.html" data-x>go</a> '
        f'<img src="{BASE}x.png" />'
    )


def test_attribute_values_are_unescaped_before_joining_and_escaped_after() -> None:
    html = '<a href="search?q=a&amp;b=c">s</a>'
    assert absolutize_html(html, BASE) == f'<a href="{BASE}search?q=a&amp;b=c">s</a>'


# Pieces of HTML for the property test: URL attributes spelled, quoted and valued in every way
# that matters to the quick scan, mixed with text, comments and scripts that may hide them.
_NAMES = ("href", "HREF", "src", "srcset", "poster", "xhref", "title", "\u017frc", "data-x")
_VALUES = (
    "#top", "https://a.example/", "mailto:m@example.org", "../up/", "/root/", "pic.png", "", "a b",
    "\x01http:x", "&#104;ttp://a.example/", "a.png 1x, /b.png 2x", "https://a.example/ <a href=rel>",
)
_QUOTES = ('="{}"', "='{}'", "={}", " = {}", "=={}", '="{}')
_TEXT = (
    "<p>", "</p>", "text ", '<span class="k">def</span>', "<!-- ", " -->", "<script>", "</script>",
    "\n", "&amp;", "<", "\u0130",
)


@st.composite
def _tag(draw: st.DrawFn) -> str:
    attribute = st.tuples(st.sampled_from(_NAMES), st.sampled_from(_QUOTES), st.sampled_from(_VALUES))
    attributes = "".join(f" {name}{quote.format(value)}" for name, quote, value in draw(st.lists(attribute, max_size=3)))
    return f"<{draw(st.sampled_from(('a', 'img', 'video')))}{attributes}{draw(st.sampled_from(('>', '/>', ' >', '')))}"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_tag(), st.sampled_from(_TEXT)), max_size=12).map("".join))
def test_the_quick_scan_never_skips_a_link_the_parser_would_rewrite(html: str) -> None:
    assert absolutize_html(html, BASE) == _rewrite_links(html, BASE)


@pytest.mark.parametrize(
    "html",
    [
        '<p>See <a href="https://a.example/x">x</a><sup id="fnref:1"><a href="#fn:1">1</a></sup></p>',
        "<pre><code><span class=\"k\">import</span> <span class=\"nn\">os</span></code></pre>",
        '<P><A HREF="https://a.example/">x</A></P>',
        "<p><a href='mailto:m@example.org'>mail</a> <img src=https://a.example/p.png alt=\"\"></p>",
    ],
)
def test_html_with_only_absolute_links_skips_the_parser(html: str) -> None:
    assert not may_need_rewriting(html)


@pytest.mark.parametrize(
    "html",
    [
        '<a href="/about/">a</a>',
        '<p>href="https://a.example/ <a href=rel>x</a>"</p>',  # a real link hides behind a fake one
        '<img srcset="https://a.example/a.png 2x">',
        '<a href="&#104;ttps://a.example/">entity</a>',
        "<a href==https://a.example/>odd</a>",
        '<p>\u0130</p><a href="https://a.example/">x</a>',  # lower-casing shifts the offsets
    ],
)
def test_anything_not_plainly_absolute_goes_to_the_parser(html: str) -> None:
    assert may_need_rewriting(html)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["href", "src", "srcset", "poster", "hrefsrc", "postersrc", "=", " ", "\n", "h", "s", "<span class=\"s\">", "x"]), max_size=30))
def test_url_attributes_are_found_where_a_regex_search_finds_them(pieces: list[str]) -> None:
    text = "".join(pieces)
    found = sorted((m.start(), m.end()) for m in _url_attribute_starts(text))
    assert found == [(m.start(), m.end()) for m in _URL_ATTRIBUTE_START.finditer(text)]


# --- dates and text ---------------------------------------------------------------------------


def test_rfc3339_keeps_the_offset_and_writes_utc_as_z() -> None:
    assert rfc3339(datetime(2024, 5, 1, 9, 30, 15, 123, tzinfo=CEST)) == "2024-05-01T09:30:15+02:00"
    assert rfc3339(datetime(2024, 5, 1, 9, 30, tzinfo=timezone.utc)) == "2024-05-01T09:30:00Z"
    assert rfc3339(datetime(2024, 5, 1, 9, 30)) == "2024-05-01T09:30:00Z"


def test_rfc822() -> None:
    assert rfc822(datetime(2024, 5, 1, 9, 30, tzinfo=CEST)) == "Wed, 01 May 2024 09:30:00 +0200"


def test_xml_text_drops_only_what_xml_forbids() -> None:
    assert xml_text("a\x00b\x01c\x0bd\x1fe\ufffef\uffffg\ud800h") == "abcdefgh"
    allowed = [chr(c) for c in range(0x110000) if is_xml_char(c)]
    forbidden = [chr(c) for c in range(0x110000) if not is_xml_char(c)]
    assert xml_text("".join(allowed)) == "".join(allowed)
    assert xml_text("".join(forbidden)) == ""
    assert xml_text("tab\tnl\ncr\r é 😀 \ufffd \ue000") == "tab\tnl\ncr\r é 😀 \ufffd \ue000"


def test_the_wide_characters_feeds_drop_are_those_the_regex_names() -> None:
    wide = [chr(code) for code in range(0x80, 0x110000) if not 0xD800 <= code <= 0xDFFF and feeds._ILLEGAL_XML.match(chr(code))]
    assert sorted(char.encode("utf-8") for char in wide) == sorted(feeds._ILLEGAL_WIDE)


def is_xml_char(code: int) -> bool:
    """The `Char` production of XML 1.0, section 2.2."""
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=[chr(code) for code in range(0x80)] + ["é", "\ud800", "\ufffd", "\ufffe", "\uffff", "\uefbf", "\U0001ffff"], max_size=40))
def test_xml_text_of_any_text_keeps_exactly_the_xml_characters(text: str) -> None:
    """Text is checked by its UTF-8 bytes, text UTF-8 cannot encode by the regex; both keep
    exactly XML's characters."""
    assert xml_text(text) == "".join(char for char in text if is_xml_char(ord(char)))


# --- Atom -------------------------------------------------------------------------------------


def serialised_whole(entries: tuple[Entry, ...], updated: datetime) -> bytes:
    """The feed `build_atom` makes, built as one element tree with its entries in it and
    serialised whole: what `atom` must write, though it makes each entry on its own."""
    import xml.etree.ElementTree as ET

    root = ET.Element("feed", {"xmlns": feeds.ATOM_NS, "xml:lang": CONFIG.language})
    feeds._child(root, "title", "Test blog")
    if CONFIG.description:
        feeds._child(root, "subtitle", CONFIG.description)
    feeds._child(root, "id", CONFIG.absolute_url("/"))
    feeds._child(root, "link", href=CONFIG.absolute_url("/atom.xml"), rel="self", type="application/atom+xml")
    feeds._child(root, "link", href=CONFIG.absolute_url("/"), rel="alternate", type="text/html")
    feeds._child(root, "updated", feeds.rfc3339(updated))
    feeds._child(feeds._child(root, "author"), "name", CONFIG.author or CONFIG.title)
    feeds._child(root, "generator", feeds.GENERATOR)
    for entry in entries:
        url = CONFIG.absolute_url(entry.post.url)
        item = feeds._child(root, "entry")
        feeds._child(item, "title", entry.post.title, type="text")
        feeds._child(item, "link", href=url, rel="alternate", type="text/html")
        feeds._child(item, "id", url)
        if entry.post.date is not None:
            feeds._child(item, "published", feeds.rfc3339(entry.post.date))
        feeds._child(item, "updated", feeds.rfc3339(entry.post.updated or entry.post.date or updated))
        feeds._child(feeds._child(item, "author"), "name", CONFIG.author or CONFIG.title)
        for tag in entry.tags:
            feeds._child(item, "category", term=tag.slug, label=tag.name)
        feeds._child(item, "summary", feeds.absolutize_html(entry.rendered.excerpt_html, url), type="html")
        feeds._child(item, "content", feeds.absolutize_html(entry.rendered.html, url), type="html")
    return feeds._serialise(root)


def test_a_feed_of_entries_made_one_by_one_reads_as_one_tree_written_whole() -> None:
    entries = (
        make_entry(tags=(TagRef("Py", "py", "/tags/py/"),)),
        make_entry(title="<entry-slot /> & <entry>", url="/blog/two/", html="<p>a <entry-slot /> b</p>", date=None),
        make_entry(title="Third", url="/blog/three/", updated=datetime(2024, 6, 1, tzinfo=timezone.utc)),
    )
    data = build_atom(entries, updated=datetime(2024, 6, 1, tzinfo=timezone.utc))
    assert data.count(b"<entry>") == 3 and b"entry-slot />" not in data.replace(b"&lt;entry-slot /&gt;", b"")
    assert data == serialised_whole(entries, datetime(2024, 6, 1, tzinfo=timezone.utc))


def test_an_entry_in_two_feeds_is_made_once() -> None:
    entry = make_entry(title="Shared", url="/blog/shared/")
    feeds._atom_entry.cache_clear()
    build_atom((entry,), updated=datetime(2024, 6, 1, tzinfo=timezone.utc))
    atom((entry,), CONFIG, feed_url="/tags/x/atom.xml", page_url="/tags/x/", title="x", updated=datetime(2024, 6, 1, tzinfo=timezone.utc))
    assert feeds._atom_entry.cache_info().hits == 1


def test_atom_feed_metadata() -> None:
    data = build_atom((make_entry(),), updated=datetime(2024, 5, 2, tzinfo=timezone.utc))
    assert data.startswith(
        b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">'
    )
    assert data.endswith(b"</feed>\n")
    feed = ET.fromstring(data)
    assert feed.tag == f"{A}feed"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "de"
    assert feed.findtext(f"{A}title") == "Test blog"
    assert feed.findtext(f"{A}subtitle") == "A site made by the tests."
    assert feed.findtext(f"{A}id") == "https://blog.example.org/"
    links = [(link.get("rel"), link.get("href"), link.get("type")) for link in feed.findall(f"{A}link")]
    assert links == [
        ("self", "https://blog.example.org/atom.xml", "application/atom+xml"),
        ("alternate", "https://blog.example.org/", "text/html"),
    ]
    assert feed.findtext(f"{A}updated") == "2024-05-02T00:00:00Z"
    assert feed.findtext(f"{A}author/{A}name") == "Tess Tester"
    assert feed.findtext(f"{A}generator") == "blog"


def test_atom_entry() -> None:
    entry = make_entry(
        html='<p>Intro <img src="chart.png"></p><p>More, see <a href="/about/">about</a>.</p>',
        excerpt='<p>Intro <img src="chart.png"></p>',
        updated=datetime(2024, 6, 1, 8, 0, tzinfo=CEST),
        tags=(TagRef("Python", "python", "/tags/python/"), TagRef("SQLite", "sqlite", "/tags/sqlite/")),
    )
    item = ET.fromstring(build_atom((entry,))).find(f"{A}entry")
    assert item is not None
    assert item.findtext(f"{A}title") == "First post"
    assert item.find(f"{A}link").attrib == {"href": BASE, "rel": "alternate", "type": "text/html"}
    assert item.findtext(f"{A}id") == BASE
    assert item.findtext(f"{A}published") == "2024-05-01T09:30:00+02:00"
    assert item.findtext(f"{A}updated") == "2024-06-01T08:00:00+02:00"
    assert item.findtext(f"{A}author/{A}name") == "Tess Tester"
    assert [c.attrib for c in item.findall(f"{A}category")] == [
        {"term": "python", "label": "Python"},
        {"term": "sqlite", "label": "SQLite"},
    ]
    assert item.find(f"{A}summary").get("type") == "html"
    assert item.findtext(f"{A}summary") == f'<p>Intro <img src="{BASE}chart.png"></p>'
    assert item.find(f"{A}content").get("type") == "html"
    assert item.findtext(f"{A}content") == (
        f'<p>Intro <img src="{BASE}chart.png"></p>'
        '<p>More, see <a href="https://blog.example.org/about/">about</a>.</p>'
    )


def test_atom_entry_updated_falls_back_to_the_date() -> None:
    item = ET.fromstring(build_atom((make_entry(),))).find(f"{A}entry")
    assert item.findtext(f"{A}updated") == item.findtext(f"{A}published") == "2024-05-01T09:30:00+02:00"


def test_atom_without_updated_uses_the_epoch_not_the_clock() -> None:
    feed = ET.fromstring(build_atom(()))
    assert feed.findtext(f"{A}updated") == "1970-01-01T00:00:00Z"
    assert feed.findall(f"{A}entry") == []


def test_atom_author_falls_back_to_the_site_title_and_subtitle_is_optional() -> None:
    config = SiteConfig(title="Anonymous notes", base_url="https://n.example/", author="", description="")
    feed = ET.fromstring(build_atom((make_entry(),), config=config))
    assert feed.findtext(f"{A}author/{A}name") == "Anonymous notes"
    assert feed.find(f"{A}subtitle") is None


def test_feed_urls_keep_the_base_path() -> None:
    config = SiteConfig(base_url="https://example.org/notes/")
    feed = ET.fromstring(build_atom((make_entry(html='<a href="/x/">x</a>'),), config=config))
    assert feed.find(f"{A}link").get("href") == "https://example.org/notes/atom.xml"
    assert feed.findtext(f"{A}entry/{A}id") == "https://example.org/notes/blog/first/"


def test_atom_keeps_the_given_entry_order() -> None:
    older = make_entry(title="Older", url="/blog/older/", date=datetime(2023, 1, 1, tzinfo=timezone.utc))
    newer = make_entry(title="Newer", url="/blog/newer/", date=datetime(2024, 1, 1, tzinfo=timezone.utc))
    titles = [e.findtext(f"{A}title") for e in ET.fromstring(build_atom((newer, older))).findall(f"{A}entry")]
    assert titles == ["Newer", "Older"]


def test_atom_is_deterministic_and_parsed_by_feedparser() -> None:
    entries = (make_entry(tags=(TagRef("Go", "go", "/tags/go/"),)),)
    data = build_atom(entries, updated=datetime(2024, 5, 1, tzinfo=timezone.utc))
    assert data == build_atom(entries, updated=datetime(2024, 5, 1, tzinfo=timezone.utc))
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0
    assert parsed.version == "atom10"
    assert [e.link for e in parsed.entries] == [BASE]
    assert parsed.entries[0].tags[0].term == "go"


# --- RSS --------------------------------------------------------------------------------------


def test_rss_channel() -> None:
    data = build_rss((make_entry(),), updated=datetime(2024, 5, 2, 12, 0, tzinfo=CEST))
    assert data.startswith(
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        b'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
    )
    assert data.endswith(b"</rss>\n")
    channel = ET.fromstring(data).find("channel")
    assert channel.findtext("title") == "Test blog"
    assert channel.findtext("link") == "https://blog.example.org/"
    assert channel.findtext("description") == "A site made by the tests."
    assert channel.findtext("language") == "de"
    assert channel.findtext("lastBuildDate") == "Thu, 02 May 2024 12:00:00 +0200"
    assert channel.find(f"{A}link").attrib == {
        "href": "https://blog.example.org/rss.xml",
        "rel": "self",
        "type": "application/rss+xml",
    }


def test_rss_item() -> None:
    python = TagRef("Python", "python", "/tags/python/")
    entry = make_entry(html='<p><a href="../second/">next</a></p>', tags=(python,))
    item = ET.fromstring(build_rss((entry,))).find("channel/item")
    assert item.findtext("title") == "First post"
    assert item.findtext("link") == BASE
    assert item.find("guid").attrib == {"isPermaLink": "true"}
    assert item.findtext("guid") == BASE
    assert item.findtext("pubDate") == "Wed, 01 May 2024 09:30:00 +0200"
    assert [c.text for c in item.findall("category")] == ["Python"]
    assert item.findtext("description") == '<p><a href="https://blog.example.org/blog/second/">next</a></p>'


def test_rss_without_updated_uses_the_epoch_and_undated_items_have_no_pubdate() -> None:
    channel = ET.fromstring(build_rss((make_entry(date=None),))).find("channel")
    assert channel.findtext("lastBuildDate") == "Thu, 01 Jan 1970 00:00:00 +0000"
    assert channel.find("item/pubDate") is None


def test_rss_is_parsed_by_feedparser() -> None:
    parsed = feedparser.parse(build_rss((make_entry(),), updated=datetime(2024, 5, 1, tzinfo=timezone.utc)))
    assert parsed.bozo == 0
    assert parsed.version == "rss20"
    assert [e.link for e in parsed.entries] == [BASE]
    assert parsed.entries[0].id == BASE
