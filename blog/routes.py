"""Every output file of a build, planned before anything is rendered or written.

Planning first means two problems are caught while nothing is on disk yet: two sources that
would write one file (including files that differ only in letter case, which case-insensitive
file systems and hosts merge), and URLs that would put a file outside the output folder.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Iterable, Sequence
from urllib.parse import unquote

from .config import SiteConfig
from .errors import BuildError, Diagnostic, error
from .model import Entry, Paginator, Route, RouteKind, Site, Tag


def plan(site: Site, config: SiteConfig, extra: Sequence[Route] = ()) -> tuple[Route, ...]:
    """All routes of `site` plus `extra`, sorted by output path; raises BuildError listing every
    unsafe path and every collision."""
    routes = (
        *_index_routes(site, config),
        *_entry_routes(site),
        *_tag_routes(site, config),
        *_fixed_routes(site, config),
        *_static_routes(site),
        *extra,
    )
    reasons = tuple((route, _unsafe_reason(route)) for route in routes)
    safe = tuple(route for route, reason in reasons if reason is None)
    problems = [_unsafe(route, reason) for route, reason in reasons if reason is not None] + collisions(safe)
    if problems:
        raise BuildError(problems)
    return tuple(sorted(safe, key=lambda route: route.output_path))


def output_path(url: str) -> str:
    """The file a URL is served from: `/blog/x/` → `blog/x/index.html`, `/x.html` → `x.html`."""
    path = url[1:] if url.startswith("/") else url
    return path + "index.html" if url.endswith("/") else path


def page_url(base: str, number: int) -> str:
    """Page 1 of a list lives at `base`; page N at `base` + `page/N/`."""
    return base if number == 1 else f"{base}page/{number}/"


def paginate(
    entries: Sequence[Entry], per_page: int, base: str
) -> tuple[tuple[tuple[Entry, ...], Paginator], ...]:
    """Slices of `entries` with their paginators; always at least one (possibly empty) page."""
    count = max(1, -(-len(entries) // per_page))
    return tuple(
        (
            tuple(entries[(n - 1) * per_page : n * per_page]),
            Paginator(
                number=n,
                count=count,
                previous_url=page_url(base, n - 1) if n > 1 else None,
                next_url=page_url(base, n + 1) if n < count else None,
                first_url=base,
            ),
        )
        for n in range(1, count + 1)
    )


def _route(url: str, kind: RouteKind, source: str, **values: Any) -> Route:
    return Route(url=url, output_path=output_path(url), kind=kind, sources=(source,), **values)


def _list_source(name: str, number: int) -> str:
    """A readable source for page `number` of a generated list: `<tag python>`, `<tag python page 2>`."""
    return f"<{name}>" if number == 1 else f"<{name} page {number}>"


def _index_routes(site: Site, config: SiteConfig) -> Iterable[Route]:
    for entries, paginator in paginate(site.entries, config.posts_per_page, "/"):
        url = page_url("/", paginator.number)
        yield _route(url, "index", _list_source("home", paginator.number), template="index.html",
                     entries=entries, paginator=paginator)


def _entry_routes(site: Site) -> Iterable[Route]:
    lists: tuple[tuple[RouteKind, tuple[Entry, ...]], ...] = (("post", site.entries), ("page", site.pages))
    for kind, entries in lists:
        for entry in entries:
            template = entry.post.template or f"{kind}.html"
            yield _route(entry.post.url, kind, entry.post.source, template=template, entry=entry)


def _tag_routes(site: Site, config: SiteConfig) -> Iterable[Route]:
    yield _route("/tags/", "tags", "<tag list>", template="tags.html")
    for tag in site.tags:
        yield from _one_tag(tag, config)


def _one_tag(tag: Tag, config: SiteConfig) -> Iterable[Route]:
    for entries, paginator in paginate(tag.entries, config.posts_per_page, tag.url):
        url = page_url(tag.url, paginator.number)
        yield _route(url, "tag", _list_source(f"tag {tag.slug}", paginator.number), template="tag.html",
                     entries=entries, tag=tag, paginator=paginator)
    newest = tag.entries[: config.feed_items]
    yield _route(tag.url + "atom.xml", "tag_atom", f"<tag {tag.slug} feed>", entries=newest, tag=tag)


def _fixed_routes(site: Site, config: SiteConfig) -> Iterable[Route]:
    newest = site.entries[: config.feed_items]
    yield _route("/archive/", "archive", "<archive>", template="archive.html", entries=site.entries)
    yield _route("/404.html", "404", "<404 page>", template="404.html")
    yield _route("/atom.xml", "atom", "<atom feed>", entries=newest)
    yield _route("/rss.xml", "rss", "<rss feed>", entries=newest)
    yield _route("/sitemap.xml", "sitemap", "<sitemap>")
    yield _route("/robots.txt", "robots", "<robots.txt>")


def _static_routes(site: Site) -> Iterable[Route]:
    for static in site.static_files:
        yield _route("/" + static.output_path, "static", static.source, static=static)


def _unsafe_reason(route: Route) -> str | None:
    """Why a route's file could land outside the output folder (or nowhere); None when safe.

    Segments are also checked after percent-decoding, because a server decodes `%2e%2e`
    to `..` before it looks for the file.
    """
    path = route.output_path
    if not route.url.startswith("/"):
        return "a URL must start with '/'"
    if "\x00" in path or "\\" in path:
        return "NUL characters and backslashes are not allowed"
    if not path or path.startswith("/"):
        return "the path must be relative"
    for segment in path.split("/"):
        decoded = unquote(segment)
        if segment == "" or decoded in (".", ".."):
            return "empty, '.' and '..' path segments are not allowed"
        if any(char in decoded for char in "\x00\\/"):
            return "encoded slashes, backslashes and NUL characters are not allowed"
    return None


def _unsafe(route: Route, reason: str) -> Diagnostic:
    return error(
        _location(route),
        f"URL {route.url!r} would be written to {route.output_path!r}, which is not a safe path inside "
        f"the output folder: {reason}",
    )


def _fold(path: str) -> str:
    """The form under which case-insensitive (and normalising) file systems see a path as one."""
    return unicodedata.normalize("NFC", path).lower()


def collisions(routes: Sequence[Route]) -> list[Diagnostic]:
    """One error per route that would write a file already written by another route.

    Compared after case folding, and a file that sits where another route needs a folder
    (`x` against `x/index.html`) counts too.
    """
    ordered = sorted(routes, key=lambda route: (route.output_path, route.sources, route.kind))
    files: dict[str, Route] = {}
    problems: list[Diagnostic] = []
    for route in ordered:
        key = _fold(route.output_path)
        if key in files:
            problems.append(_clash(files[key], route))
        else:
            files[key] = route
    folders: dict[str, Route] = {}
    for route in ordered:
        parts = _fold(route.output_path).split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folders.setdefault("/".join(parts[:depth]), route)
    problems += [_folder_clash(route, folders[key]) for key, route in files.items() if key in folders]
    return problems


def _is_file(route: Route) -> bool:
    """True when a route comes from a file the author can change (not a generated page)."""
    return not _location(route).startswith("<")


def _location(route: Route) -> str:
    """Where a diagnostic about `route` points: its first source (its URL if it names none)."""
    return route.sources[0] if route.sources else route.url


def _names(route: Route) -> str:
    return ", ".join(route.sources) or route.url


def _reporter(first: Route, second: Route) -> tuple[Route, Route]:
    """(route to report at, the other one): at a real file when either side is one."""
    return (first, second) if _is_file(first) and not _is_file(second) else (second, first)


def _clash(first: Route, second: Route) -> Diagnostic:
    here, there = _reporter(first, second)
    if here.output_path == there.output_path:
        return error(_location(here), f"URL {here.url} is also produced by {_names(there)}")
    return error(
        _location(here),
        f"URL {here.url} differs only in letter case (or Unicode form) from URL {there.url} produced by {_names(there)}; "
        "case-insensitive file systems and web hosts would treat them as one file",
    )


def _folder_clash(file: Route, inside: Route) -> Diagnostic:
    here, _ = _reporter(inside, file)
    return error(
        _location(here),
        f"URL {file.url} ({_names(file)}) is a file at {file.output_path!r}, "
        f"where URL {inside.url} ({_names(inside)}) needs a folder",
    )
