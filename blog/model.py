"""The values that flow between build stages.

Each stage returns a new frozen value instead of filling in a shared object, so a stage can be
tested by handing it a literal and so the render cache can store a stage result as it is.
Flow: `Source` → `Post` → `Rendered` → `Site` (with `Entry`, `Tag`) → `Route` → `Output`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Mapping, NamedTuple

EMPTY: Mapping[str, Any] = MappingProxyType({})

PostKind = Literal["post", "page"]


@dataclass(frozen=True, slots=True)
class Source:
    """A content file found on disk: `path` relative to the site root (posix), raw bytes."""

    path: str
    data: bytes
    kind: PostKind


@dataclass(frozen=True, slots=True)
class StaticFile:
    """A file under `content/` (or the theme's `static/`) copied to the output as it is."""

    source: str  # path shown in diagnostics, relative to the site root
    absolute: Path  # where to read the bytes from
    output_path: str  # relative path inside the output folder, posix


@dataclass(frozen=True, slots=True)
class Post:
    """A post or page with validated metadata and its Markdown body (not yet rendered)."""

    source: str
    kind: PostKind
    title: str
    date: datetime | None  # timezone-aware; pages may have none
    updated: datetime | None
    tags: tuple[str, ...]  # as the author spelled them, duplicates removed, in order
    slug: str
    url: str  # site-relative URL, starts with "/"; ends with "/" or names a file ("/x.html")
    summary: str | None
    draft: bool
    image: str | None
    description: str | None
    template: str | None
    body: str  # Markdown after the front matter, newlines normalised to "\n"
    body_line: int  # 1-based line number of the body's first line in the source file
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY)  # front-matter keys the engine does not know


class PostText(NamedTuple):
    """What rendering reads of a post (`markup.render`). A plain tuple to send to a worker
    process: a `Post` took three times as long to pickle, and ten times as long to unpickle."""

    source: str
    body: str
    summary: str | None
    body_line: int

    @classmethod
    def of(cls, post: Post) -> PostText:
        return cls(post.source, post.body, post.summary, post.body_line)


@dataclass(frozen=True, slots=True)
class TocItem:
    level: int
    id: str
    title: str  # plain text
    children: tuple["TocItem", ...] = ()


@dataclass(frozen=True, slots=True)
class Rendered:
    """The pure result of rendering one post's Markdown; cacheable by its inputs."""

    html: str  # the whole body
    excerpt_html: str  # well-formed, no ids or footnote references
    has_more: bool  # True when the excerpt is not the whole post
    toc: tuple[TocItem, ...] = ()


NO_RENDERING = Rendered(html="", excerpt_html="", has_more=False)  # what a post that failed to render shows


@dataclass(frozen=True, slots=True)
class TagRef:
    """A tag as a link: display name and slug."""

    name: str
    slug: str
    url: str  # "/tags/<slug>/"


@dataclass(frozen=True, slots=True)
class Entry:
    """A post or page together with its rendering and the links the site graph gives it."""

    post: Post
    rendered: Rendered
    tags: tuple[TagRef, ...] = ()
    previous: Post | None = None  # older neighbour (posts only)
    next: Post | None = None  # newer neighbour (posts only)
    related: tuple[Post, ...] = ()


@dataclass(frozen=True, slots=True)
class Tag:
    """One tag after merging spellings by slug; posts newest first."""

    name: str  # display spelling: most frequent, ties by first use
    slug: str
    url: str
    entries: tuple[Entry, ...]
    spellings: tuple[str, ...]  # every spelling seen, sorted


@dataclass(frozen=True, slots=True)
class MonthGroup:
    year: int
    month: int
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class YearGroup:
    year: int
    months: tuple[MonthGroup, ...]  # newest month first


@dataclass(frozen=True, slots=True)
class Site:
    """The whole content graph of one build: every list a page or feed needs, already sorted."""

    entries: tuple[Entry, ...]  # published posts, newest first (date desc, then source asc)
    pages: tuple[Entry, ...]  # standalone pages, by source
    tags: tuple[Tag, ...]  # by slug
    archive: tuple[YearGroup, ...]  # newest year first
    static_files: tuple[StaticFile, ...]  # by output path
    updated: datetime | None  # newest post date (or updated); never the build time


@dataclass(frozen=True, slots=True)
class Paginator:
    """Where one page of a paginated list sits among its siblings."""

    number: int  # 1-based
    count: int  # total pages
    previous_url: str | None
    next_url: str | None
    first_url: str


RouteKind = Literal[
    "index",
    "post",
    "page",
    "tag",
    "tags",
    "archive",
    "404",
    "atom",
    "rss",
    "tag_atom",
    "sitemap",
    "robots",
    "static",
    "theme_static",
    "pygments_css",
]
FEED_KINDS: frozenset[RouteKind] = frozenset({"atom", "rss", "tag_atom"})  # the kinds that are feeds


@dataclass(frozen=True, slots=True)
class Route:
    """One output file: where it goes, what makes it, and the values its producer needs."""

    url: str  # "/tags/python/page/2/"; for files, the file's URL ("/atom.xml")
    output_path: str  # "tags/python/page/2/index.html", relative, posix
    kind: RouteKind
    sources: tuple[str, ...]  # what produced it, to name both sides of a URL collision
    template: str | None = None  # theme template for HTML routes
    entry: Entry | None = None  # post and page routes
    entries: tuple[Entry, ...] = ()  # list routes: this page's slice; feeds: their items
    tag: Tag | None = None
    paginator: Paginator | None = None
    static: StaticFile | None = None


@dataclass(frozen=True, slots=True)
class Output:
    """Bytes bound for one file of the output folder."""

    path: str  # relative, posix
    data: bytes


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What a single build run was asked to do (from the command line)."""

    drafts: bool = False
    future: bool = False
    output_dir: Path | None = None  # None: the config's output folder
    base_url: str | None = None  # overrides the config's base_url
    debug: bool = False
    now: datetime | None = None  # "now" for future-post filtering; None: the real clock
    cache: bool = True  # False: ignore and do not update .blog-cache/ (`--no-cache`)


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did, for the one-screen summary."""

    output_dir: Path
    counts: Mapping[str, int]  # route kind → files
    written: int  # files whose bytes changed
    unchanged: int
    removed: int
    seconds: float
    warnings: tuple = field(default_factory=tuple)  # tuple[Diagnostic, ...]


def freeze(value: Any) -> Any:
    """Lists → tuples and tables → read-only mappings, so metadata cannot be changed downstream."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(item) for item in value)
    return value
