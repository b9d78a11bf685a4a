"""Atom and RSS feeds, built as element trees so that escaping is the XML library's job.

Feed readers show a post far from its page: every link inside the HTML is made absolute, the
text is stripped of characters XML 1.0 forbids (one stray control character makes the whole
feed unreadable), and dates come from the posts, never from the clock, so a rebuild of
unchanged content gives identical bytes.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from email.utils import format_datetime
from html import escape
from html.parser import HTMLParser
from typing import Callable, Iterator, Sequence
from urllib.parse import urljoin, urlsplit

from .config import SiteConfig
from .model import Entry

ATOM_NS = "http://www.w3.org/2005/Atom"
GENERATOR = "blog"
# Stands in for "updated" when no post has a date: fixed, so the output never depends on the clock.
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# Everything outside the XML 1.0 `Char` production (lone surrogates included). Written as the
# characters it excludes: the negated class of those it allows took 3 ms to compile at start-up.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_URL_ATTRIBUTES = ("href", "src", "poster")


# The ASCII characters of `_ILLEGAL_XML`, and the UTF-8 of its other characters that UTF-8 can
# encode (lone surrogates it cannot; a test checks the two against the regex). Looking for these
# bytes in the text's UTF-8 is three to five times faster than the regex search (a feed's entries
# carry each post's whole HTML). None of them can be found across other characters' UTF-8: ASCII
# bytes never occur inside one, and 0xEF only ever begins one.
_ILLEGAL_ASCII = bytes(code for code in range(0x80) if _ILLEGAL_XML.match(chr(code)))
_ILLEGAL_WIDE = ("\ufffe".encode("utf-8"), "\uffff".encode("utf-8"))


def xml_text(text: str) -> str:
    """Drop the characters no XML 1.0 document may contain, escaped or not."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return _ILLEGAL_XML.sub("", text)
    if len(data.translate(None, _ILLEGAL_ASCII)) == len(data) and not any(wide in data for wide in _ILLEGAL_WIDE):
        return text
    return _ILLEGAL_XML.sub("", text)


def absolute_link(value: str, base: str) -> str:
    """Resolve a relative URL against `base`; fragments and URLs with a scheme stay as written."""
    stripped = value.strip()
    if not stripped or stripped.startswith("#") or urlsplit(stripped).scheme:
        return value
    return urljoin(base, stripped)


def absolute_srcset(value: str, base: str) -> str:
    """Resolve every image candidate URL of a `srcset`, keeping each candidate's descriptors."""
    return ", ".join(
        " ".join((absolute_link(url, base), descriptors)) if descriptors else absolute_link(url, base)
        for url, descriptors in _srcset_candidates(value)
    )


def _srcset_candidates(value: str) -> list[tuple[str, str]]:
    """Split a `srcset` into (url, descriptors) pairs as the HTML standard reads it.

    A URL may itself contain commas (a `data:` URL), so candidates are not split on every comma:
    a URL runs to the next whitespace, and only then does a comma end the candidate.
    """
    candidates: list[tuple[str, str]] = []
    position, length = 0, len(value)
    while position < length:
        while position < length and (value[position].isspace() or value[position] == ","):
            position += 1
        start = position
        while position < length and not value[position].isspace():
            position += 1
        url = value[start:position]
        if not url:
            break
        if url.endswith(","):
            candidates.append((url.rstrip(","), ""))
            continue
        start, depth = position, 0
        while position < length and (value[position] != "," or depth):
            depth += {"(": 1, ")": -1}.get(value[position], 0)
            position += 1
        candidates.append((url, " ".join(value[start:position].split())))
    return candidates


_Attributes = list[tuple[str, str | None]]


class _StartTags(HTMLParser):
    """Records where each start tag sits in the source, with its parsed attributes.

    Only start tags carry URLs, so only they are ever rewritten; text, comments, entities and
    end tags are copied from the source as they are, which keeps the copy faithful.
    """

    def __init__(self, html: str) -> None:
        super().__init__()
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", html)]
        self.tags: list[tuple[int, str, str, _Attributes]] = []

    def handle_starttag(self, tag: str, attrs: _Attributes) -> None:
        line, column = self.getpos()
        self.tags.append((self.line_starts[line - 1] + column, self.get_starttag_text() or "", tag, attrs))


def _rewrite_attribute(name: str, value: str | None, base: str) -> str | None:
    if value is None:
        return None
    if name in _URL_ATTRIBUTES:
        return absolute_link(value, base)
    if name == "srcset":
        return absolute_srcset(value, base)
    return value


def _rewritten_tag(source: str, tag: str, attrs: _Attributes, base: str) -> str | None:
    """The start tag rebuilt with absolute URLs, or None when it has nothing to change."""
    rewritten = [(name, _rewrite_attribute(name, value, base)) for name, value in attrs]
    if rewritten == attrs:
        return None
    attributes = "".join(
        f" {name}" if value is None else f' {name}="{escape(value)}"' for name, value in rewritten
    )
    return f"<{tag}{attributes}{' />' if source.endswith('/>') else '>'}"


# Where a URL attribute could start in lower-cased HTML: a superset, since text, comments and
# `xhref=` match too. The value that follows must be plainly written to be trusted: quoted or
# bare, no whitespace, `&`, `<` or `>` inside, so that any HTML parser reads the same value.
_URL_ATTRIBUTE_START = re.compile(r"(?:href|src(?:set)?|poster)\s*=")
_PLAIN_VALUE = re.compile(r"""\s*(?:"([^"\s<>&]*)"|'([^'\s<>&]*)'|([^\s"'<>&=`]+)(?=[\s>]))""")
_KEPT_AS_IS = re.compile(r"#|[A-Za-z][A-Za-z0-9+.-]*:")  # a fragment, or a URL with a scheme


@functools.lru_cache(maxsize=4096)  # a post sits in several feeds, as one string
def may_need_rewriting(html: str) -> bool:
    """False when every URL attribute in `html` is empty, a fragment or absolute, proven by a scan.

    Most posts link only to other sites and to their own footnotes, while their code blocks hold
    hundreds of `<span>` tags: this text scan is much cheaper than parsing them all. Anything
    not plainly an absolute URL (`srcset` included) goes to the parser. The scan runs on the
    lower-cased text, which has the same offsets unless a character grew when lower-cased.
    """
    lowered = html.lower()
    if len(lowered) != len(html):
        return True
    for start in _url_attribute_starts(lowered):
        value = _PLAIN_VALUE.match(html, start.end())
        if value is None or start.group(0).startswith("srcset"):
            return True
        text = value.group(1) or value.group(2) or value.group(3) or ""
        if text and not _KEPT_AS_IS.match(text):
            return True
    return False


def _url_attribute_starts(lowered: str) -> Iterator[re.Match[str]]:
    """Every match of `_URL_ATTRIBUTE_START` in `lowered`, found from its names by `str.find`:
    a regex search would stop at every `s`, `p` and `h` of the `<span>` tags of code (ten
    times slower). No match can begin inside another, so none is missed."""
    for name in ("href", "src", "poster"):  # `src` finds `srcset` too
        at = lowered.find(name)
        while at != -1:
            start = _URL_ATTRIBUTE_START.match(lowered, at)
            if start is not None:
                yield start
            at = lowered.find(name, at + 1)


# absolutize(html, base URL) → html with absolute links; a build may pass a cached one.
Absolutize = Callable[[str, str], str]


@functools.lru_cache(maxsize=4096)  # one post sits in several feeds; a preview server rebuilds often
def absolutize_html(html: str, base: str) -> str:
    """Make every relative `href`, `src`, `srcset` and `poster` in `html` absolute against `base`.

    Feed readers resolve relative links against the feed, not the post, so `../img.png` breaks
    there; `base` is the post's absolute URL, which is how a browser reads the same HTML.
    """
    return _rewrite_links(html, base) if may_need_rewriting(html) else html


def _rewrite_links(html: str, base: str) -> str:
    """`absolutize_html` by parsing every start tag."""
    parser = _StartTags(html)
    parser.feed(html)
    parser.close()
    parts: list[str] = []
    cursor = 0
    for start, source, tag, attrs in parser.tags:
        replacement = _rewritten_tag(source, tag, attrs, base)
        if replacement is not None:
            parts += [html[cursor:start], replacement]
            cursor = start + len(source)
    parts.append(html[cursor:])
    return "".join(parts)


def rfc3339(moment: datetime) -> str:
    """`2024-05-01T09:30:00+02:00` (`Z` for UTC); a naive time is taken as UTC, so an offset is
    always there."""
    text = _aware(moment).isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def rfc822(moment: datetime) -> str:
    """`Wed, 01 May 2024 09:30:00 +0200`, the date format RSS 2.0 requires."""
    return format_datetime(_aware(moment))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _child(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    """Append an element whose text and attribute values are cleaned of XML-illegal characters."""
    element = ET.SubElement(parent, tag, {name: xml_text(value) for name, value in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _serialise(root: ET.Element) -> bytes:
    """UTF-8 bytes with a double-quoted declaration, two-space indentation and a final newline.

    Namespace declarations are plain attributes on the root: ElementTree's qualified names would
    need `ET.register_namespace`, which changes a process-wide table, and its `default_namespace`
    refuses the unqualified attributes (`href`, `rel`) that Atom uses.
    """
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def _author(config: SiteConfig) -> str:
    """Atom requires an author name; a site without one is credited to its title."""
    return config.author or config.title


def _post_url(entry: Entry, config: SiteConfig) -> str:
    return config.absolute_url(entry.post.url)


def _entry_updated(entry: Entry, fallback: datetime) -> datetime:
    return entry.post.updated or entry.post.date or fallback


def atom(
    entries: Sequence[Entry],
    config: SiteConfig,
    *,
    feed_url: str,
    page_url: str,
    title: str,
    updated: datetime | None,
    absolutize: Absolutize = absolutize_html,
) -> bytes:
    """An Atom 1.0 feed of `entries` in the order given; `updated` is the newest post's date."""
    feed_updated = updated or EPOCH
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": xml_text(config.language)})
    _child(root, "title", title)
    if config.description:
        _child(root, "subtitle", config.description)
    _child(root, "id", config.absolute_url(page_url))
    _child(root, "link", href=config.absolute_url(feed_url), rel="self", type="application/atom+xml")
    _child(root, "link", href=config.absolute_url(page_url), rel="alternate", type="text/html")
    _child(root, "updated", rfc3339(feed_updated))
    _child(_child(root, "author"), "name", _author(config))
    _child(root, "generator", GENERATOR)
    made = []
    for entry in entries:
        post, url = entry.post, _post_url(entry, config)
        made.append(
            _atom_entry(
                post.title,
                url,
                rfc3339(post.date) if post.date is not None else None,
                rfc3339(_entry_updated(entry, feed_updated)),
                _author(config),
                tuple((tag.slug, tag.name) for tag in entry.tags),
                absolutize(entry.rendered.excerpt_html, url),
                absolutize(entry.rendered.html, url),
            )
        )
        ET.SubElement(root, _ENTRY_SLOT)
    parts = _serialise(root).split(f"<{_ENTRY_SLOT} />".encode())
    return b"".join(part for pair in zip(parts, made + [b""]) for part in pair)


# Where each entry goes in a feed's serialised head: an empty element, written `<entry-slot />`.
# No other text of a feed can read so, since text and attribute values have their `<` escaped.
_ENTRY_SLOT = "entry-slot"


@functools.lru_cache(maxsize=1024)  # a post sits in the site's feed and in each of its tags' feeds
def _atom_entry(
    title: str,
    url: str,
    published: str | None,
    updated: str,
    author: str,
    tags: tuple[tuple[str, str], ...],
    summary: str,
    content: str,
) -> bytes:
    """One `<entry>`, serialised as `_serialise` writes it at its depth in a feed, from the
    values it shows (all of them: equal values make equal bytes). Each post's entry is made once
    for all the feeds it is in, and the whole HTML of the post is most of a feed's work."""
    item = ET.Element("entry")
    _child(item, "title", title, type="text")
    _child(item, "link", href=url, rel="alternate", type="text/html")
    _child(item, "id", url)
    if published is not None:
        _child(item, "published", published)
    _child(item, "updated", updated)
    _child(_child(item, "author"), "name", author)
    for slug, name in tags:
        _child(item, "category", term=slug, label=name)
    _child(item, "summary", summary, type="html")
    _child(item, "content", content, type="html")
    ET.indent(item, space="  ", level=1)
    return ET.tostring(item, encoding="utf-8", xml_declaration=False)


def rss(
    entries: Sequence[Entry],
    config: SiteConfig,
    *,
    feed_url: str,
    page_url: str,
    title: str,
    updated: datetime | None,
    absolutize: Absolutize = absolutize_html,
) -> bytes:
    """An RSS 2.0 feed of `entries` in the order given; `lastBuildDate` is the newest post's date."""
    root = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS})
    channel = _child(root, "channel")
    _child(channel, "title", title)
    _child(channel, "link", config.absolute_url(page_url))
    _child(channel, "description", config.description or title)
    _child(channel, "language", config.language)
    _child(channel, "lastBuildDate", rfc822(updated or EPOCH))
    _child(channel, "generator", GENERATOR)
    _child(channel, "atom:link", href=config.absolute_url(feed_url), rel="self", type="application/rss+xml")
    for entry in entries:
        post, url = entry.post, _post_url(entry, config)
        item = _child(channel, "item")
        _child(item, "title", post.title)
        _child(item, "link", url)
        _child(item, "guid", url, isPermaLink="true")
        if post.date is not None:
            _child(item, "pubDate", rfc822(post.date))
        for tag in entry.tags:
            _child(item, "category", tag.name)
        _child(item, "description", absolutize(entry.rendered.html, url))
    return _serialise(root)
