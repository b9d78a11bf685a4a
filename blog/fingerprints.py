"""Fingerprints of routes: a digest of everything a page's bytes can depend on.

A page is rendered again only when its fingerprint changes. The fingerprint covers the engine,
the configuration and every template, the route's own values (its post, or the posts on a list
page, each identified by the digest of its source and of its neighbours and related posts), and
the site-wide collections (`site.posts`, `site.tags`, ..., and a tag page's `tag.posts`) that its
templates actually read the
last time it was rendered. Reading one of those collections is recorded by the theme, so a page
whose template starts using `site.posts` records that dependency on its next render.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from .cache import digest
from .model import Entry, Post, Route, Site, Tag

# Route kinds whose bytes are cheap enough to produce on every build (or that read files).
ALWAYS_PRODUCED = frozenset({"sitemap", "robots", "static", "theme_static"})


class Fingerprints:
    """Digests for one build's routes; memoised, since list pages share their entries."""

    def __init__(self, site: Site, base: str, post_keys: Mapping[str, str]) -> None:
        self.site = site
        self.base = base  # engine, configuration and templates
        self.post_keys = post_keys  # source path → digest of the source and all settings that parse it
        self._entries: dict[str, str] = {}
        self._collections: dict[str, str] = {}

    def entry(self, entry: Entry) -> str:
        """An entry as templates see it: its post, rendering, tags, neighbours and related posts.

        Neighbours and related posts count only by what a template can read of them (title, URL
        and date), so editing a post's body does not re-render every page that links to it.
        """
        source = entry.post.source
        if source not in self._entries:
            linked = (entry.previous, entry.next, *entry.related)
            self._entries[source] = digest(self.post_keys[source], repr(entry.tags), *(link(p) for p in linked))
        return self._entries[source]

    def entries(self, entries: Iterable[Entry]) -> str:
        return digest(*(self.entry(e) for e in entries))

    def collection(self, name: str) -> str:
        if name not in self._collections:
            self._collections[name] = self._collection(name)
        return self._collections[name]

    def tag_posts(self, tag: Tag) -> str:
        """`tag.posts`, digested once for all the pages of a tag (slugs are unique in a site)."""
        key = f"tag.posts\0{tag.slug}"
        if key not in self._collections:
            self._collections[key] = self.entries(tag.entries)
        return self._collections[key]

    def _collection(self, name: str) -> str:
        site = self.site
        if name == "site.posts":
            return self.entries(site.entries)
        if name == "site.pages":
            return self.entries(site.pages)
        if name == "site.tags":
            return digest(*(digest(t.name, t.slug, self.entries(t.entries)) for t in site.tags))
        if name == "site.archive":
            return digest(*(digest(str(m.year), str(m.month), self.entries(m.entries)) for y in site.archive for m in y.months))
        if name == "site.updated":
            return repr(site.updated)
        raise ValueError(f"unknown site collection {name!r}")

    def route(self, route: Route, dependencies: Iterable[str]) -> str:
        """The fingerprint of `route` given the site collections its templates read."""
        own: list[str] = [route.kind, route.url, route.output_path, route.template or ""]
        if route.entry is not None:
            own.append(self.entry(route.entry))
        own.append(self.entries(route.entries))
        if route.paginator is not None:
            own.append(repr(route.paginator))
        if route.tag is not None:
            own += [route.tag.name, route.tag.slug, str(len(route.tag.entries))]
        if route.kind == "tags":
            own.append(self.collection("site.tags"))
        if route.kind == "archive":
            own.append(self.collection("site.archive"))
        if route.kind in ("atom", "rss"):
            own.append(self.collection("site.updated"))
        for name in sorted(set(dependencies)):
            own += [name, self.tag_posts(route.tag) if name == "tag.posts" and route.tag else self.collection(name)]
        return digest(self.base, *own)


def link(post: Post | None) -> str:
    """What a template can read of a linked post (see theme.LinkView)."""
    return "" if post is None else repr((post.title, post.url, post.date))
