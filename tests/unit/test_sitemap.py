"""sitemap.xml and robots.txt, checked on values."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

from blog.config import SiteConfig
from blog.model import Entry, Rendered, Route, RouteKind
from blog.sitemap import robots, sitemap, w3c_datetime
from sitekit import post_value

S = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
CONFIG = SiteConfig(base_url="https://blog.example.org/")
CEST = timezone(timedelta(hours=2))
UTC = timezone.utc


def make_entry(url: str, date: datetime | None, updated: datetime | None = None) -> Entry:
    post = post_value(
        source=f"content{url.rstrip('/')}.md",
        kind="post" if url.startswith("/blog/") else "page",
        title="T",
        date=date,
        updated=updated,
        slug=url.strip("/").rsplit("/", 1)[-1],
        url=url,
    )
    return Entry(post=post, rendered=Rendered(html="", excerpt_html="", has_more=False))


def route(url: str, kind: RouteKind, entry: Entry | None = None) -> Route:
    output = url.strip("/") + "/index.html" if url.endswith("/") else url.lstrip("/")
    return Route(url=url, output_path=output.lstrip("/"), kind=kind, sources=("x",), entry=entry)


ROUTES = (
    route("/tags/python/", "tag"),
    route(
        "/blog/second/",
        "post",
        make_entry("/blog/second/", datetime(2024, 5, 2, tzinfo=CEST), datetime(2024, 6, 1, tzinfo=UTC)),
    ),
    route("/", "index"),
    route("/page/2/", "index"),
    route("/about/", "page", make_entry("/about/", None)),
    route("/blog/first/", "post", make_entry("/blog/first/", datetime(2024, 5, 1, 9, 30, tzinfo=CEST))),
    route("/tags/", "tags"),
    route("/archive/", "archive"),
    route("/404.html", "404"),
    route("/atom.xml", "atom"),
    route("/rss.xml", "rss"),
    route("/tags/python/atom.xml", "tag_atom"),
    route("/sitemap.xml", "sitemap"),
    route("/robots.txt", "robots"),
    route("/images/a.png", "static"),
    route("/theme/style.css", "theme_static"),
    route("/pygments.css", "pygments_css"),
)


def urls(data: bytes) -> list[tuple[str | None, str | None]]:
    root = ET.fromstring(data)
    assert root.tag == f"{S}urlset"
    return [(url.findtext(f"{S}loc"), url.findtext(f"{S}lastmod")) for url in root.findall(f"{S}url")]


def test_sitemap_lists_html_pages_sorted_with_post_dates() -> None:
    assert urls(sitemap(ROUTES, CONFIG)) == [
        ("https://blog.example.org/", None),
        ("https://blog.example.org/about/", None),
        ("https://blog.example.org/archive/", None),
        ("https://blog.example.org/blog/first/", "2024-05-01T09:30:00+02:00"),
        ("https://blog.example.org/blog/second/", "2024-06-01T00:00:00Z"),
        ("https://blog.example.org/page/2/", None),
        ("https://blog.example.org/tags/", None),
        ("https://blog.example.org/tags/python/", None),
    ]


def test_sitemap_bytes_are_deterministic_whatever_the_route_order() -> None:
    data = sitemap(ROUTES, CONFIG)
    assert data == sitemap(tuple(reversed(ROUTES)), CONFIG)
    assert data.startswith(
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    )
    assert data.endswith(b"</urlset>\n")
    assert b"  <url>\n    <loc>https://blog.example.org/</loc>\n  </url>\n" in data


def test_sitemap_keeps_the_base_path_and_percent_encodes() -> None:
    config = SiteConfig(base_url="https://example.org/notes/")
    data = sitemap((route("/tags/café/", "tag"), route("/a&b/", "page")), config)
    assert urls(data) == [
        ("https://example.org/notes/a&b/", None),
        ("https://example.org/notes/tags/caf%C3%A9/", None),
    ]
    assert b"<loc>https://example.org/notes/a&amp;b/</loc>" in data


def test_empty_sitemap_is_still_a_urlset() -> None:
    assert urls(sitemap((), CONFIG)) == []


def test_w3c_datetime() -> None:
    assert w3c_datetime(datetime(2024, 1, 2, 3, 4, 5, 678, tzinfo=CEST)) == "2024-01-02T03:04:05+02:00"
    assert w3c_datetime(datetime(2024, 1, 2)) == "2024-01-02T00:00:00Z"


def test_robots_names_the_absolute_sitemap() -> None:
    assert robots(CONFIG) == b"User-agent: *\nAllow: /\n\nSitemap: https://blog.example.org/sitemap.xml\n"
    config = SiteConfig(base_url="https://example.org/notes/")
    expected = b"Sitemap: https://example.org/notes/maps/sitemap.xml\n"
    assert robots(config, sitemap_url="/maps/sitemap.xml").endswith(expected)
