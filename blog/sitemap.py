"""`sitemap.xml` and `robots.txt`: where crawlers find every page a reader can land on.

Only HTML pages are listed (feeds, static files and the 404 page are not pages to index), sorted
by URL, with dates from the posts themselves so an unchanged site gives identical bytes.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from typing import Sequence
from urllib.parse import quote

from .config import SiteConfig
from .model import Route

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_URL = "/sitemap.xml"
PAGE_KINDS = frozenset({"index", "post", "page", "tag", "tags", "archive"})


def w3c_datetime(moment: datetime) -> str:
    """`2024-05-01T09:30:00+02:00`, the W3C datetime form sitemaps use; naive times are UTC."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
    text = aware.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _location(url: str, config: SiteConfig) -> str:
    """The absolute URL, percent-encoded: the sitemap protocol wants URLs in ASCII."""
    return quote(config.absolute_url(url), safe=":/?#[]@!$&'()*+,;=%~")


def _lastmod(route: Route) -> datetime | None:
    """When a post or page last changed; list pages have no single date of their own."""
    if route.kind not in ("post", "page") or route.entry is None:
        return None
    return route.entry.post.updated or route.entry.post.date


def sitemap(routes: Sequence[Route], config: SiteConfig) -> bytes:
    """A sitemaps.org `urlset` of every HTML page among `routes`, sorted by absolute URL."""
    pages = sorted(
        ((_location(route.url, config), _lastmod(route)) for route in routes if route.kind in PAGE_KINDS),
        key=lambda page: page[0],
    )
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    for loc, lastmod in pages:
        lines += ["  <url>", f"    <loc>{escape(loc, quote=False)}</loc>"]
        if lastmod is not None:
            lines.append(f"    <lastmod>{w3c_datetime(lastmod)}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(config: SiteConfig, *, sitemap_url: str = SITEMAP_URL) -> bytes:
    """A `robots.txt` that allows everything and names the sitemap by its absolute URL."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {config.absolute_url(sitemap_url)}\n".encode("utf-8")
