"""Templates: a Jinja2 environment over the site's templates and its theme, and read-only views.

Autoescape is always on and only rendered Markdown is `Markup`, so a hostile title or tag can
never become markup. `StrictUndefined` turns a misspelt name into an error, and every template
error comes back as a located diagnostic (`templates/post.html:12: ...`), never a traceback.
The template context is documented in `blog/themes/default/README.md`.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Callable, Iterable, Mapping, MutableMapping
from urllib.parse import urlsplit

import jinja2
from jinja2.bccache import Bucket
from markupsafe import Markup

from .cache import BuildCache, digest, engine_key
from .config import SiteConfig
from .errors import Diagnostic, error
from .model import Entry, MonthGroup, Post, Rendered, Route, Site, Tag, TagRef, TocItem, YearGroup, freeze
from .themefiles import DEFAULT_THEME, ENTRY_BODY, PACKAGED_THEMES, TEMPLATES, theme_dir

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DIRECTIVE = re.compile(r"%(-?)(.)", re.DOTALL)


# --- the environment ---------------------------------------------------------------------------


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept in the build cache: a build compiles only the templates
    that changed since they were last compiled (compiling the default theme's took about 25 ms,
    a tenth of a one-post edit at 1,000 posts).

    The one cached value that runs. It runs with no more power than the templates it was
    compiled from, which can reach into Python already. Jinja checks each entry against the
    checksum of its template's source and its own and Python's versions, and compiles again
    when they differ; an entry that cannot be read is compiled again too.
    """

    def __init__(self, store: BuildCache) -> None:
        self._store = store

    @staticmethod
    def _key(bucket: Bucket) -> str:
        return digest(engine_key(), "template", bucket.key)  # the engine sets the environment's options

    def load_bytecode(self, bucket: Bucket) -> None:
        text = self._store.get("templates", self._key(bucket))
        if not isinstance(text, str):
            return
        try:
            bucket.bytecode_from_string(base64.b64decode(text, validate=True))
        except Exception:  # a damaged entry (Jinja unpickles its checksum): compile the template again
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._store.put("templates", self._key(bucket), base64.b64encode(bucket.bytecode_to_string()).decode("ascii"))


class _Environment(jinja2.Environment):
    """An environment whose templates see its globals as one plain dict.

    Jinja gives each template a ChainMap of its own globals and the environment's, so that
    globals added to the environment later still show. Every page copies those globals into
    its context, and iterating a ChainMap runs Python code: 7-9% of rendering a page. Ours are
    all added in `make_env`, before any template is loaded, and never changed after.
    """

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def make_env(config: SiteConfig, store: BuildCache | None = None) -> jinja2.Environment:
    """Site templates first, then the theme (then the default theme); `theme/x` is the theme's x.

    With `store`, compiled templates are kept in it (see `CompiledTemplates`)."""
    templates = theme_dir(config) / "templates"
    default = PACKAGED_THEMES / DEFAULT_THEME / "templates"
    theme_loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(templates)]
    if templates.resolve() != default.resolve():
        theme_loaders.append(jinja2.FileSystemLoader(default))
    theme = jinja2.ChoiceLoader(theme_loaders)
    loader = jinja2.ChoiceLoader(
        [
            jinja2.PrefixLoader({"theme": theme}, delimiter="/"),
            jinja2.FileSystemLoader(config.root / "templates"),
            theme,
        ]
    )
    env = _Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # Else Jinja stats a template's file each time a page includes or extends it (17,000
        # times for 1,000 posts). An environment's templates never change: the preview server
        # makes a new environment when `freshness.templates_digest` changes.
        auto_reload=False,
        bytecode_cache=CompiledTemplates(store) if store is not None else None,
    )
    prefix = url_prefix(config)
    helpers: dict[str, Callable[..., str]] = {
        "url": lambda path: prefixed(prefix, path),
        "absolute_url": lambda path: absolute_url(config, path),
        "date": format_date,
        "isodate": isodate,
    }
    env.filters.update(helpers)
    env.globals.update(helpers)
    return env


def url_prefix(config: SiteConfig) -> str:
    """The base URL's path without its last slash: what site-relative links start with. Worked
    out once per environment (templates make some 50 links per page)."""
    return urlsplit(config.base_url).path.rstrip("/")


def prefixed(prefix: str, path: str) -> str:
    """A site-relative URL ("/tags/x/") as a link: with the base URL's path (`url_prefix`) before it."""
    if not path.startswith("/") or path.startswith("//"):
        return path
    return prefix + path


def absolute_url(config: SiteConfig, path: str) -> str:
    """A site-relative URL as an absolute one (canonical links, Open Graph); others unchanged."""
    if not path.startswith("/") or path.startswith("//"):
        return path
    return config.absolute_url(path)


def format_date(moment: date, fmt: str = "%B %-d, %Y") -> str:
    """strftime with English names whatever the locale; `%-d` drops the leading zero."""
    if not isinstance(moment, date):
        raise TypeError(f"date: expected a date, got {moment!r}")
    at = moment if isinstance(moment, datetime) else datetime(moment.year, moment.month, moment.day)

    def field(match: re.Match[str]) -> str:
        unpadded, code = match.groups()
        if code not in _DATE_FIELDS:
            raise ValueError(f"date: unsupported directive %{code}; use one of %{' %'.join(_DATE_FIELDS)}")
        value = _DATE_FIELDS[code](at)
        if unpadded and value.isdigit():
            return value.lstrip("0") or "0"
        return value

    return _DIRECTIVE.sub(field, fmt)


_DATE_FIELDS: dict[str, Callable[[datetime], str]] = {
    "Y": lambda at: f"{at.year:04d}",
    "y": lambda at: f"{at.year % 100:02d}",
    "m": lambda at: f"{at.month:02d}",
    "d": lambda at: f"{at.day:02d}",
    "j": lambda at: f"{at.timetuple().tm_yday:03d}",
    "H": lambda at: f"{at.hour:02d}",
    "I": lambda at: f"{(at.hour - 1) % 12 + 1:02d}",
    "M": lambda at: f"{at.minute:02d}",
    "S": lambda at: f"{at.second:02d}",
    "p": lambda at: "AM" if at.hour < 12 else "PM",
    "B": lambda at: MONTHS[at.month - 1],
    "b": lambda at: MONTHS[at.month - 1][:3],
    "A": lambda at: WEEKDAYS[at.weekday()],
    "a": lambda at: WEEKDAYS[at.weekday()][:3],
    "Z": lambda at: at.tzname() or "",
    "z": lambda at: at.strftime("%z"),
    "%": lambda at: "%",
}


def isodate(moment: date) -> str:
    """ISO 8601, for `<time datetime=...>`."""
    if not isinstance(moment, date):
        raise TypeError(f"isodate: expected a date, got {moment!r}")
    return moment.isoformat()


# --- read-only views ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkView:
    """A neighbour or related post: enough to link to it."""

    title: str
    url: str
    date: datetime | None

    @classmethod
    def of(cls, post: Post | None) -> LinkView | None:
        return None if post is None else cls(post.title, post.url, post.date)


@dataclass(frozen=True, slots=True)
class EntryView:
    """A post or page as templates see it; strings stay plain so autoescape escapes them.

    Reading anything made from the Markdown body (content, excerpt, has_more, toc) is noted in
    `_read` (as `ENTRY_BODY`): a page that never does, like the archive, lists only front matter
    and need not be rendered again when a post's body is edited.
    """

    _entry: Entry
    _read: set[str] = field(default_factory=set)

    title = property(lambda self: self._entry.post.title)
    date = property(lambda self: self._entry.post.date)
    updated = property(lambda self: self._entry.post.updated)
    url = property(lambda self: self._entry.post.url)
    slug = property(lambda self: self._entry.post.slug)
    kind = property(lambda self: self._entry.post.kind)
    draft = property(lambda self: self._entry.post.draft)
    image = property(lambda self: self._entry.post.image)
    description = property(lambda self: self._entry.post.description)
    summary = property(lambda self: self._entry.post.summary)
    source = property(lambda self: self._entry.post.source)
    @property
    def has_more(self) -> bool:
        return self._body().has_more

    @property
    def content(self) -> Markup:
        return Markup(self._body().html)

    @property
    def excerpt(self) -> Markup:
        return Markup(self._body().excerpt_html)

    @property
    def tags(self) -> tuple[TagRef, ...]:
        return self._entry.tags

    @property
    def extra(self) -> Mapping[str, Any]:
        return freeze(self._entry.post.extra)  # a Post made in code may hold plain dicts

    @property
    def previous(self) -> LinkView | None:
        return LinkView.of(self._entry.previous)

    @property
    def next(self) -> LinkView | None:
        return LinkView.of(self._entry.next)

    @property
    def related(self) -> tuple[LinkView, ...]:
        return tuple(LinkView(p.title, p.url, p.date) for p in self._entry.related)

    @property
    def toc(self) -> tuple[TocItem, ...]:
        return self._body().toc

    def _body(self) -> Rendered:
        self._read.add(ENTRY_BODY)
        return self._entry.rendered


def _entries(entries: tuple[Entry, ...], read: set[str]) -> tuple[EntryView, ...]:
    return tuple(EntryView(e, read) for e in entries)


@dataclass(frozen=True, slots=True)
class TagView:
    """A tag with its post count, its posts (newest first) and its Atom feed.

    On the tag's own page (`_own`), reading all of the tag's posts is noted in `_read` (as
    `tag.posts`): the page then depends on every post of the tag, not just the ones it lists.
    Elsewhere the tag comes from `site.tags`, which is noted already.
    """

    _tag: Tag
    _read: set[str] = field(default_factory=set)
    _own: bool = False

    name = property(lambda self: self._tag.name)
    slug = property(lambda self: self._tag.slug)
    url = property(lambda self: self._tag.url)
    count = property(lambda self: len(self._tag.entries))
    feed_url = property(lambda self: self._tag.url + "atom.xml")

    @property
    def posts(self) -> tuple[EntryView, ...]:
        if self._own:
            self._read.add("tag.posts")
        return _entries(self._tag.entries, self._read)


@dataclass(frozen=True, slots=True)
class MonthView:
    _group: MonthGroup
    _read: set[str]

    year = property(lambda self: self._group.year)
    month = property(lambda self: self._group.month)
    name = property(lambda self: MONTHS[self._group.month - 1])

    @property
    def posts(self) -> tuple[EntryView, ...]:
        return _entries(self._group.entries, self._read)


@dataclass(frozen=True, slots=True)
class YearView:
    _group: YearGroup
    _read: set[str]

    year = property(lambda self: self._group.year)
    count = property(lambda self: sum(len(m.entries) for m in self._group.months))

    @property
    def months(self) -> tuple[MonthView, ...]:
        return tuple(MonthView(m, self._read) for m in self._group.months)


def _archive(site: Site, read: set[str]) -> tuple[YearView, ...]:
    return tuple(YearView(y, read) for y in site.archive)


def _tags(site: Site, read: set[str]) -> tuple[TagView, ...]:
    return tuple(TagView(t, read) for t in site.tags)


@dataclass(frozen=True, slots=True)
class SiteView:
    """The whole site; lists are built when a template asks for them, so unused ones cost nothing.

    Every site-wide collection a template reads is noted in `_read`, so an incremental build
    knows which pages depend on all posts (and must be rendered again when any post changes)
    and which do not.
    """

    _site: Site
    _config: SiteConfig
    _read: set[str] = field(default_factory=set)

    title = property(lambda self: self._config.title)
    description = property(lambda self: self._config.description)
    author = property(lambda self: self._config.author)
    base_url = property(lambda self: self._config.base_url)
    language = property(lambda self: self._config.language)

    @property
    def updated(self) -> datetime | None:
        self._read.add("site.updated")
        return self._site.updated

    @property
    def posts(self) -> tuple[EntryView, ...]:
        self._read.add("site.posts")
        return _entries(self._site.entries, self._read)

    @property
    def pages(self) -> tuple[EntryView, ...]:
        self._read.add("site.pages")
        return _entries(self._site.pages, self._read)

    @property
    def tags(self) -> tuple[TagView, ...]:
        self._read.add("site.tags")
        return _tags(self._site, self._read)

    @property
    def archive(self) -> tuple[YearView, ...]:
        self._read.add("site.archive")
        return _archive(self._site, self._read)


@dataclass(frozen=True, slots=True)
class RouteView:
    url: str
    kind: str


def template_context(route: Route, site: Site, config: SiteConfig, read: set[str] | None = None) -> dict[str, Any]:
    """Every name a template can use; each is always defined (None or empty when it does not apply).

    `read` collects the names of the site-wide collections the templates use (see SiteView).
    """
    read = read if read is not None else set()
    return {
        "config": config,
        "site": SiteView(site, config, read),
        "route": RouteView(route.url, route.kind),
        "page": EntryView(route.entry, read) if route.entry is not None else None,
        "posts": _entries(route.entries, read),
        "paginator": route.paginator,
        "tag": TagView(route.tag, read, _own=True) if route.tag is not None else None,
        "tags": _tags(site, read) if route.kind == "tags" else (),
        "archive": _archive(site, read) if route.kind == "archive" else (),
    }


# --- rendering ---------------------------------------------------------------------------------


def render_route(
    env: jinja2.Environment, route: Route, site: Site, config: SiteConfig
) -> tuple[bytes | None, tuple[Diagnostic, ...]]:
    """One HTML page as UTF-8 bytes ending in a newline, or (None, diagnostics) on a template error."""
    data, diagnostics, _ = render_page(env, route, site, config)
    return data, diagnostics


def preload(env: jinja2.Environment, routes: Iterable[Route]) -> None:
    """Compile the templates of `routes` now (not those they extend or include: finding those
    would cost a parse of its own).

    A build does this while a worker process renders posts, so its first page does not compile
    them after waiting. A template with an error is left for that page to report, located.
    """
    for name in sorted({route.template or TEMPLATES[route.kind] for route in routes if route.kind in TEMPLATES}):
        try:
            env.get_template(name)
        except jinja2.TemplateError:
            continue


def render_page(
    env: jinja2.Environment, route: Route, site: Site, config: SiteConfig
) -> tuple[bytes | None, tuple[Diagnostic, ...], frozenset[str]]:
    """`render_route`, plus the site-wide collections the templates read while rendering.

    Only the HTML kinds of `TEMPLATES` are rendered here; feeds, sitemap, robots and static files
    have their own producers, and asking for one of them is a programming error (ValueError).
    """
    if route.kind not in TEMPLATES:
        raise ValueError(f"render_route renders HTML routes, not {route.kind!r}")
    name = route.template or TEMPLATES[route.kind]
    read: set[str] = set()
    data, diagnostics = _render(env, name, route, site, config, read)
    return data, diagnostics, frozenset(read)


def _render(
    env: jinja2.Environment, name: str, route: Route, site: Site, config: SiteConfig, read: set[str]
) -> tuple[bytes | None, tuple[Diagnostic, ...]]:
    try:
        text = env.get_template(name).render(template_context(route, site, config, read))
    except jinja2.TemplateSyntaxError as exc:
        where = _display_path(exc.filename, config) if exc.filename else None
        return None, (_located(exc.message or str(exc), where, exc.lineno, route, config),)
    except RecursionError:
        message = f"template {name!r} includes or extends itself in a loop"
        return None, (_located(message, _template_path(env, name, config), None, route, config),)
    except Exception as exc:  # template code may raise anything; locate it if it came from a template
        where, line = _innermost_template_frame(exc.__traceback__, config)
        if where is None and not isinstance(exc, jinja2.TemplateError):
            raise
        return None, (_located(_message(exc), where, line, route, config),)
    if not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8"), ()


def _located(message: str, where: str | None, line: int | None, route: Route, config: SiteConfig) -> Diagnostic:
    """A template error at its template line, or at the route's source when no template is known."""
    if where is None:
        return error(_route_source(route, config), f"{message} (rendering {route.url})")
    return error(where, message, line)


def _template_path(env: jinja2.Environment, name: str, config: SiteConfig) -> str | None:
    """Where the loader finds `name`, as shown in diagnostics."""
    try:
        _, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    except jinja2.TemplateNotFound:
        return None
    return _display_path(filename, config) if filename else None


def _route_source(route: Route, config: SiteConfig) -> str:
    return route.sources[0] if route.sources else config.config_path


def _message(exc: Exception) -> str:
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"template not found: {exc.name}"
    if isinstance(exc, jinja2.TemplateError) and exc.message:
        return exc.message
    return f"{type(exc).__name__}: {exc}"


def _innermost_template_frame(tb: TracebackType | None, config: SiteConfig) -> tuple[str | None, int | None]:
    """Jinja rewrites tracebacks so template frames carry the template's file and line."""
    found: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        shown = _display_path(tb.tb_frame.f_code.co_filename, config)
        if shown is not None:
            found = (shown, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _display_path(filename: str, config: SiteConfig) -> str | None:
    """`templates/x.html` for the site's own templates, `themes/<name>/templates/x.html` for a theme's."""
    path = Path(filename)
    roots = (
        (config.root / "templates", "templates"),
        (theme_dir(config), f"themes/{config.theme}"),
        (PACKAGED_THEMES / DEFAULT_THEME, f"themes/{DEFAULT_THEME}"),
    )
    for folder, shown in roots:
        if path.is_relative_to(folder):
            return f"{shown}/{path.relative_to(folder).as_posix()}"
    return None

