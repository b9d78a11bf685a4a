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
from .themefiles import ENTRY_BODY

# Route kinds whose bytes are cheap enough to produce on every build (or that read files).
ALWAYS_PRODUCED = frozenset({"sitemap", "robots", "static", "theme_static"})


class Fingerprints:
    """Digests for one build's routes; memoised, since list pages share their entries.

    Each digest comes in two depths: with the post's body (its whole source) for pages whose
    templates read what the body renders to (`ENTRY_BODY`), and front matter only for the rest.
    """

    def __init__(self, site: Site, base: str, post_keys: Mapping[str, str]) -> None:
        self.site = site
        self.base = base  # engine, configuration and templates
        self.post_keys = post_keys  # source path → digest of the source and all settings that parse it
        self._entries: dict[tuple[str, bool], str] = {}
        self._collections: dict[tuple[str, bool], str] = {}
        self._around: dict[str, str] = {}
        self._links: dict[str, str] = {}

    def entry(self, entry: Entry, body: bool = True) -> str:
        """An entry as templates see it: its post (with or without its body), tags, neighbours
        and related posts.

        Neighbours and related posts count only by what a template can read of them (title, URL
        and date), so editing a post's body does not re-render every page that links to it.
        """
        key = (entry.post.source, body)
        if key not in self._entries:
            post = self.post_keys[entry.post.source] if body else front_matter(entry.post)
            self._entries[key] = digest(post, self._surroundings(entry))
        return self._entries[key]

    def _surroundings(self, entry: Entry) -> str:
        """An entry's tags, neighbours and related posts, the same at either depth."""
        source = entry.post.source
        if source not in self._around:
            linked = (entry.previous, entry.next, *entry.related)
            self._around[source] = digest(repr(entry.tags), *(self._link(p) for p in linked))
        return self._around[source]

    def _link(self, post: Post | None) -> str:
        if post is None:
            return ""
        if post.source not in self._links:
            self._links[post.source] = link(post)
        return self._links[post.source]

    def entries(self, entries: Iterable[Entry], body: bool = True) -> str:
        return digest(*(self.entry(e, body) for e in entries))

    def collection(self, name: str, body: bool = True) -> str:
        if (name, body) not in self._collections:
            self._collections[(name, body)] = self._collection(name, body)
        return self._collections[(name, body)]

    def tag_posts(self, tag: Tag, body: bool = True) -> str:
        """`tag.posts`, digested once for all the pages of a tag (slugs are unique in a site)."""
        key = (f"tag.posts\0{tag.slug}", body)
        if key not in self._collections:
            self._collections[key] = self.entries(tag.entries, body)
        return self._collections[key]

    def _collection(self, name: str, body: bool) -> str:
        site = self.site
        if name == "site.posts":
            return self.entries(site.entries, body)
        if name == "site.pages":
            return self.entries(site.pages, body)
        if name == "site.tags":
            return digest(*(digest(t.name, t.slug, self.entries(t.entries, body)) for t in site.tags))
        if name == "site.archive":
            months = (m for y in site.archive for m in y.months)
            return digest(*(digest(str(m.year), str(m.month), self.entries(m.entries, body)) for m in months))
        if name == "site.updated":
            return repr(site.updated)
        raise ValueError(f"unknown site collection {name!r}")

    def route(self, route: Route, dependencies: Iterable[str]) -> str:
        """The fingerprint of `route` given what its templates read: site collections, the
        tag's posts, and whether any post's body (`ENTRY_BODY`)."""
        read = sorted(set(dependencies))
        body = ENTRY_BODY in read
        own: list[str] = [route.kind, route.url, route.output_path, route.template or ""]
        if route.entry is not None:
            own.append(self.entry(route.entry, body))
        if route.entries:
            own.append(self.entries(route.entries, body))
        if route.paginator is not None:
            own.append(repr(route.paginator))
        if route.tag is not None:
            own += [route.tag.name, route.tag.slug, str(len(route.tag.entries))]
        if route.kind == "tags":
            own.append(self.collection("site.tags", body))
        if route.kind == "archive":
            own.append(self.collection("site.archive", body))
        if route.kind in ("atom", "rss"):
            own.append(self.collection("site.updated"))
        for name in read:
            if name == ENTRY_BODY:
                own.append(name)
            elif name == "tag.posts" and route.tag:
                own += [name, self.tag_posts(route.tag, body)]
            else:
                own += [name, self.collection(name, body)]
        return digest(self.base, *own)


def front_matter(post: Post) -> str:
    """Everything of a post but its body: what a page that shows no body can read of it."""
    fields = (post.source, post.kind, post.title, post.date, post.updated, post.tags, post.slug, post.url)
    return repr((*fields, post.summary, post.draft, post.image, post.description, post.template, dict(post.extra)))


def link(post: Post | None) -> str:
    """What a template can read of a linked post (see theme.LinkView)."""
    return "" if post is None else repr((post.title, post.url, post.date))
