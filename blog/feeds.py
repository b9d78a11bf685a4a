"""Atom and RSS feeds, built as element trees so that escaping is the XML library's job.

Feed readers show a post far from its page: every link inside the HTML is made absolute, the
text is stripped of characters XML 1.0 forbids (one stray control character makes the whole
feed unreadable), and dates come from the posts, never from the clock, so a rebuild of
unchanged content gives identical bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from email.utils import format_datetime
from html import escape
from html.parser import HTMLParser
from typing import Sequence
from urllib.parse import urljoin, urlsplit

from .config import SiteConfig
from .model import Entry

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
GENERATOR = "blog"
# Stands in for "updated" when no post has a date: fixed, so the output never depends on the clock.
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# Everything outside the XML 1.0 `Char` production (lone surrogates included).
_ILLEGAL_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_URL_ATTRIBUTES = ("href", "src", "poster")


def xml_text(text: str) -> str:
    """Drop the characters no XML 1.0 document may contain, escaped or not."""
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


class _Absolutizer(HTMLParser):
    """Copies HTML token by token, rewriting only the start tags that carry a relative URL."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=False)
        self.base = base
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(self._tag(tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(self._tag(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_entityref(self, name: str) -> None:
        self.parts.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.parts.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.parts.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.parts.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.parts.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.parts.append(f"<![{data}]>")

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> str:
        """The tag as written when nothing changes; otherwise rebuilt from its attributes."""
        original = self.get_starttag_text() or ""
        rewritten = [(name, self._rewrite(name, value)) for name, value in attrs]
        if rewritten == attrs:
            return original
        attributes = "".join(f" {name}" if value is None else f' {name}="{escape(value)}"' for name, value in rewritten)
        closing = " />" if original.endswith("/>") else ">"
        return f"<{tag}{attributes}{closing}"

    def _rewrite(self, name: str, value: str | None) -> str | None:
        if value is None:
            return None
        if name in _URL_ATTRIBUTES:
            return absolute_link(value, self.base)
        if name == "srcset":
            return absolute_srcset(value, self.base)
        return value


def absolutize_html(html: str, base: str) -> str:
    """Make every relative `href`, `src`, `srcset` and `poster` in `html` absolute against `base`.

    Feed readers resolve relative links against the feed, not the post, so `../img.png` breaks
    there; `base` is the post's absolute URL, which is how a browser reads the same HTML.
    """
    parser = _Absolutizer(base)
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def rfc3339(moment: datetime) -> str:
    """`2024-05-01T09:30:00+02:00`; a naive time is taken as UTC so an offset is always there."""
    return _aware(moment).isoformat(timespec="seconds")


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


def _serialise(root: ET.Element, default_namespace: str | None = None) -> bytes:
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", default_namespace=default_namespace)
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
) -> bytes:
    """An Atom 1.0 feed of `entries` in the order given; `updated` is the newest post's date."""
    a = f"{{{ATOM_NS}}}"
    feed_updated = updated or EPOCH
    root = ET.Element(f"{a}feed", {f"{{{XML_NS}}}lang": xml_text(config.language)})
    _child(root, f"{a}title", title)
    if config.description:
        _child(root, f"{a}subtitle", config.description)
    _child(root, f"{a}id", config.absolute_url(page_url))
    _child(root, f"{a}link", href=config.absolute_url(feed_url), rel="self", type="application/atom+xml")
    _child(root, f"{a}link", href=config.absolute_url(page_url), rel="alternate", type="text/html")
    _child(root, f"{a}updated", rfc3339(feed_updated))
    _child(_child(root, f"{a}author"), f"{a}name", _author(config))
    _child(root, f"{a}generator", GENERATOR)
    for entry in entries:
        post, url = entry.post, _post_url(entry, config)
        item = _child(root, f"{a}entry")
        _child(item, f"{a}title", post.title, type="text")
        _child(item, f"{a}link", href=url, rel="alternate", type="text/html")
        _child(item, f"{a}id", url)
        if post.date is not None:
            _child(item, f"{a}published", rfc3339(post.date))
        _child(item, f"{a}updated", rfc3339(_entry_updated(entry, feed_updated)))
        _child(_child(item, f"{a}author"), f"{a}name", _author(config))
        for tag in entry.tags:
            _child(item, f"{a}category", term=tag.slug, label=tag.name)
        _child(item, f"{a}summary", absolutize_html(entry.rendered.excerpt_html, url), type="html")
        _child(item, f"{a}content", absolutize_html(entry.rendered.html, url), type="html")
    return _serialise(root, default_namespace=ATOM_NS)


def rss(
    entries: Sequence[Entry],
    config: SiteConfig,
    *,
    feed_url: str,
    page_url: str,
    title: str,
    updated: datetime | None,
) -> bytes:
    """An RSS 2.0 feed of `entries` in the order given; `lastBuildDate` is the newest post's date.

    The `atom` prefix is written literally rather than through `ET.register_namespace`, which
    would change a process-wide table.
    """
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
        _child(item, "description", absolutize_html(entry.rendered.html, url))
    return _serialise(root)
