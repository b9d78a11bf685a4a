"""The orchestrator: one function whose body is the list of build stages.

Every stage returns values; nothing is written until every page has rendered, so a failed build
leaves the previous output exactly as it was.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, replace
from functools import partial
from itertools import repeat
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

import jinja2

from . import content, feeds, freshness, routes, sitemap, theme, writer
from .cache import (
    BuildCache,
    decode_diagnostics,
    decode_post,
    decode_rendered,
    digest,
    encode_diagnostics,
    encode_post,
    encode_rendered,
    engine_key,
)
from .config import SiteConfig
from .errors import Diagnostic, raise_if_errors
from .fingerprints import ALWAYS_PRODUCED, Fingerprints
from .model import BuildOptions, BuildReport, Entry, Output, Post, Rendered, Route, Site, Source, StaticFile, TagRef
from .resident import Renders, Resident
from .site import Related, assemble, related_indexes

PARALLEL_THRESHOLD = 24  # cache misses below this render in-process: a pool costs more than it saves
MAX_WORKERS = 8
MAX_CHUNK = 16  # posts per task sent to a worker: small, so no worker is left idle long at the end

# progress(stage, done, total): called as work advances so the CLI can draw a bar.
Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    """Default progress sink for callers that do not display progress."""


def effective_config(config: SiteConfig, options: BuildOptions) -> SiteConfig:
    """The configuration after command-line overrides."""
    if options.base_url:
        base = options.base_url if options.base_url.endswith("/") else options.base_url + "/"
        return replace(config, base_url=base)
    return config


def output_dir(config: SiteConfig, options: BuildOptions) -> Path:
    if options.output_dir is not None:
        return Path(options.output_dir).absolute()
    return config.root / config.output_dir


def read_posts(config: SiteConfig, options: BuildOptions, store: BuildCache | None = None) -> tuple[tuple[Post, ...], tuple[StaticFile, ...], list[Diagnostic]]:
    """Discover and parse every source; keep the posts this build publishes."""
    store = store if store is not None else BuildCache(None)
    sources, statics, diagnostics = content.discover(config)
    parsed, problems, _ = parse_sources(sources, config, store)
    now = options.now or datetime.now(timezone.utc)
    posts = tuple(p for p in parsed if content.is_published(p, options.drafts, options.future, now))
    return posts, statics, list(diagnostics) + problems


def parse_sources(
    sources: Sequence[Source],
    config: SiteConfig,
    store: BuildCache,
    resident: Resident | None = None,
    hashes: Sequence[str] | None = None,
) -> tuple[list[Post], list[Diagnostic], dict[str, str]]:
    """Front matter of every source, from memory or the cache when the file's bytes were seen before.

    `hashes` are the digests of the sources' bytes when the caller has them already. Also returns
    each source's cache key (source path → key): a digest of everything its post and rendering
    depend on, which page fingerprints use to identify the post.
    """
    base = digest(engine_key(), "parse", repr(config))
    hashes = hashes if hashes is not None else [digest(source.data) for source in sources]
    keys = [digest(base, source.path, source.kind, data) for source, data in zip(sources, hashes)]
    memo = resident.parsed if resident is not None else {}
    hits = store.get_many("parsed", [key for key in keys if key not in memo])
    posts: list[Post] = []
    problems: list[Diagnostic] = []
    for source, key in zip(sources, keys):
        if key in memo:
            post, found = memo[key]
        elif key in hits:
            data, stored = hits[key]
            post = decode_post(data) if data is not None else None
            found = decode_diagnostics(stored)
        else:
            post, found = content.parse_post(source, config)
            try:
                store.put("parsed", key, [encode_post(post) if post is not None else None, encode_diagnostics(found)])
            except TypeError:  # a front-matter value the cache cannot store (a TOML time): just not cached
                pass
        memo[key] = (post, found)
        problems.extend(found)
        if post is not None:
            posts.append(post)
    if resident is not None:
        resident.keep_parsed(keys)
    return posts, problems, {source.path: key for source, key in zip(sources, keys)}


def render_key(post: Post, config: SiteConfig) -> str:
    """Everything a post's rendering depends on: its text and the markup settings in the config."""
    settings = repr((config.excerpt_paragraphs, config.render_timeout))
    summary = "\0none" if post.summary is None else post.summary
    return digest(engine_key(), "render", settings, post.source, str(post.body_line), post.body, summary)


def render_posts(
    posts: Sequence[Post], config: SiteConfig, progress: Progress, store: BuildCache | None = None, resident: Resident | None = None
) -> tuple[list[tuple[Post, Rendered]], list[Diagnostic]]:
    """Markdown and highlighting for every post: from memory or the cache by content, misses in parallel.

    A cached rendering is not read here: each post gets a `CachedRendered` that reads its HTML
    only if a page or feed being produced needs it, so an edit to one post of ten thousand does
    not decode ten thousand posts' HTML. Its diagnostics (warnings) are read now, to be reported.
    """
    store = store if store is not None else BuildCache(None)
    keys = [render_key(post, config) for post in posts]
    memo = resident.rendered if resident is not None else {}
    notes = store.get_many("notes", [key for key in keys if key not in memo])
    cached = store.has_many("rendered", [key for key in keys if key in notes])
    misses = [i for i, key in enumerate(keys) if key not in cached and key not in memo]
    fresh = render_many([posts[i] for i in misses], config, progress) if misses else []
    results: dict[int, tuple[Rendered, tuple[Diagnostic, ...]]] = {}
    for i, (rendered, found) in zip(misses, fresh):
        results[i] = (rendered, found)
        if not any(d.is_error for d in found):  # a time-out may not happen next time: never cache errors
            store.put("rendered", keys[i], encode_rendered(rendered))
            store.put("notes", keys[i], encode_diagnostics(found))
            memo[keys[i]] = (rendered, found)
    items: list[tuple[Post, Rendered]] = []
    problems: list[Diagnostic] = []
    for i, (post, key) in enumerate(zip(posts, keys)):
        if i in results:
            rendered, found = results[i]
        elif key in memo:
            rendered, found = memo[key]
        else:
            found = decode_diagnostics(notes[key])
            rendered = CachedRendered(store, key, post, config, found, memo)  # type: ignore[assignment]  # reads like a Rendered
        items.append((post, rendered))
        problems.extend(found)
    if resident is not None:
        resident.keep_rendered(keys)
    return items, problems


class CachedRendered:
    """A post's `Rendered` in the cache, read on first use; behaves like the value it holds.

    Once read, it is also put in `memo` (a `Resident`'s renderings) with the post's warnings.
    Should the row have gone missing meanwhile (another process pruned it), the post is simply
    rendered again: the result is the same, since rendering is pure.
    """

    __slots__ = ("_store", "_key", "_post", "_config", "_found", "_memo", "_value")

    def __init__(
        self, store: BuildCache, key: str, post: Post, config: SiteConfig, found: tuple[Diagnostic, ...], memo: dict[str, Renders]
    ) -> None:
        self._store, self._key, self._post, self._config = store, key, post, config
        self._found, self._memo = found, memo
        self._value: Rendered | None = None

    def _load(self) -> Rendered:
        if self._value is None:
            data = self._store.get("rendered", self._key)
            if data is None:
                from . import markup

                self._value = markup.render(self._post, markup.options_from_config(self._config))[0]
            else:
                self._value = decode_rendered(data)
            self._memo[self._key] = (self._value, self._found)
        return self._value

    html = property(lambda self: self._load().html)
    excerpt_html = property(lambda self: self._load().excerpt_html)
    has_more = property(lambda self: self._load().has_more)
    toc = property(lambda self: self._load().toc)


def cached_absolutize(store: BuildCache) -> feeds.Absolutize:
    """Feed link rewriting remembered across builds: a post's HTML sits in several feeds, and
    rewriting parses the whole document."""

    def absolutize(html: str, base: str) -> str:
        key = digest(engine_key(), "absolute", base, html)
        hit = store.get("derived", key)
        if hit is None:
            hit = feeds.absolutize_html(html, base)
            store.put("derived", key, hit)
        return hit

    return absolutize


def cached_related(store: BuildCache) -> Related:
    """`related_indexes`, remembered by its exact input: every post's tags, in order."""

    def related(refs: Sequence[tuple[TagRef, ...]], limit: int) -> tuple[tuple[int, ...], ...]:
        key = digest(engine_key(), "related", str(limit), *("\0".join(ref.slug for ref in tags) for tags in refs))
        hit = store.get("derived", key)
        if hit is not None:
            return tuple(tuple(positions) for positions in hit)
        value = related_indexes(refs, limit)
        store.put("derived", key, [list(positions) for positions in value])
        return value

    return related


def render_many(posts: Sequence[Post], config: SiteConfig, progress: Progress) -> list[tuple[Rendered, tuple[Diagnostic, ...]]]:
    """Render posts in order; on several cores and enough work, in a process pool.

    Markdown is pure Python, so threads would not help. A small site never pays for the pool.
    Workers run each post in their main thread, where markup's time budget can use signals.
    """
    from . import markup  # imported only when something has to be rendered: a no-change build never loads it

    options = markup.options_from_config(config)
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    results: list[tuple[Rendered, tuple[Diagnostic, ...]]] = []
    if len(posts) < PARALLEL_THRESHOLD or workers < 2:
        for done, post in enumerate(posts, start=1):
            results.append(markup.render(post, options))
            progress("render", done, len(posts))
        return results
    import multiprocessing  # only a large batch of misses pays for the pool's imports
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    portable = [replace(post, extra={}) for post in posts]  # rendering never reads extra; mappingproxy can't be pickled
    chunk = max(1, min(MAX_CHUNK, len(posts) // (workers * 4)))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
        for done, result in enumerate(pool.map(markup.render, portable, repeat(options), chunksize=chunk), start=1):
            results.append(result)
            progress("render", done, len(posts))
    return results


def extra_routes(config: SiteConfig, statics: Sequence[StaticFile]) -> tuple[Route, ...]:
    """Theme static files (unless content/ has a file at the same path) and the Pygments CSS."""
    taken = {s.output_path for s in statics}
    theme_files = tuple(
        Route(url="/" + f.output_path, output_path=f.output_path, kind="theme_static", sources=(f.source,), static=f)
        for f in theme.theme_static_files(config)
        if f.output_path not in taken
    )
    css = Route(url="/static/pygments.css", output_path="static/pygments.css", kind="pygments_css", sources=("<pygments styles>",))
    return theme_files + (css,)


def newest(entries: Sequence[Entry]) -> datetime | None:
    """The date a feed was last updated: its newest entry's, never the build time."""
    dates = [e.post.updated or e.post.date for e in entries if (e.post.updated or e.post.date) is not None]
    return max(dates) if dates else None


def produce(
    route: Route, site: Site, plan: Sequence[Route], config: SiteConfig, env, absolutize: feeds.Absolutize = feeds.absolutize_html
) -> tuple[bytes | None, tuple[Diagnostic, ...], frozenset[str]]:
    """The bytes of one route by the producer its kind calls for, and what of the site it read.

    Feeds carry every entry's whole content, so every other producer counts as reading bodies.
    """
    if route.kind in theme.TEMPLATES:
        return theme.render_page(env, route, site, config)
    data, found = produce_file(route, site, plan, config, absolutize)
    return data, found, frozenset({theme.ENTRY_BODY})


def produce_file(
    route: Route, site: Site, plan: Sequence[Route], config: SiteConfig, absolutize: feeds.Absolutize = feeds.absolutize_html
) -> tuple[bytes | None, tuple[Diagnostic, ...]]:
    """Feeds, sitemap, robots.txt, static files and the Pygments stylesheet."""
    match route.kind:
        case "atom" | "rss":
            make = feeds.atom if route.kind == "atom" else feeds.rss
            feed = make(route.entries, config, feed_url=route.url, page_url="/", title=config.title, updated=site.updated, absolutize=absolutize)
            return feed, ()
        case "tag_atom":
            assert route.tag is not None
            title = f"{config.title}: {route.tag.name}"
            updated = newest(route.tag.entries)
            feed = feeds.atom(route.entries, config, feed_url=route.url, page_url=route.tag.url, title=title, updated=updated, absolutize=absolutize)
            return feed, ()
        case "sitemap":
            return sitemap.sitemap(plan, config), ()
        case "robots":
            return sitemap.robots(config), ()
        case "static" | "theme_static":
            assert route.static is not None
            return route.static.absolute.read_bytes(), ()
        case "pygments_css":
            from . import markup

            return markup.pygments_css(config.highlight_style, config.highlight_style_dark).encode("utf-8"), ()
        case _:
            raise ValueError(f"no producer for route kind {route.kind!r}")


@dataclass(frozen=True, slots=True)
class PageReuse:
    """What lets a build keep a page from the last build instead of rendering it again."""

    store: BuildCache
    scope: str  # the output folder's state key: records of one folder never serve another
    intact: frozenset[str]  # output files exactly as the last build left them
    prints: Fingerprints


def render_site(
    plan: Sequence[Route],
    site: Site,
    config: SiteConfig,
    progress: Progress,
    staging: writer.Staging,
    reuse: PageReuse | None = None,
    env: jinja2.Environment | None = None,
) -> tuple[list[Diagnostic], dict[str, list]]:
    """Bytes for every route, handed to `staging` as they are made; with `reuse`, a page whose
    fingerprint is unchanged is kept from the last build without being read.

    `env` is a template environment made earlier for this configuration and these templates.
    Returns the problems and the fingerprint records of the pages rendered now. The caller stores
    the records only once the output is written: a record must never describe bytes that never
    reached the disk.
    """
    env = env if env is not None else theme.make_env(config)
    absolutize = cached_absolutize(reuse.store) if reuse else feeds.absolutize_html
    keys = [digest(reuse.scope, r.output_path) if reuse else "" for r in plan]
    records = reuse.store.get_many("pages", keys) if reuse else {}
    fresh: dict[str, list] = {}
    problems: list[Diagnostic] = []
    for done, (route, key) in enumerate(zip(plan, keys), start=1):
        if reuse is not None and route.kind not in ALWAYS_PRODUCED and is_unchanged(route, reuse, records.get(key)):
            staging.keep_old(route.output_path)
        else:
            data, found, read = produce(route, site, plan, config, env, absolutize)
            problems.extend(found)
            if data is not None:
                staging.put(Output(route.output_path, data))
                if reuse is not None and route.kind not in ALWAYS_PRODUCED:
                    fresh[key] = [reuse.prints.route(route, read), sorted(read)]
        progress("write", done, len(plan))
    return problems, fresh


def is_unchanged(route: Route, reuse: PageReuse, record: list | None) -> bool:
    """True when the last build's file of `route` is intact and nothing it depends on changed,
    by the fingerprint `record` the last build stored for it."""
    if record is None or route.output_path not in reuse.intact:
        return False
    fingerprint, read = record
    return reuse.prints.route(route, read) == fingerprint


def build(
    config: SiteConfig,
    options: BuildOptions = BuildOptions(),
    progress: Progress = _no_progress,
    cache: BuildCache | None = None,
    resident: Resident | None = None,
) -> BuildReport:
    """Build the whole site into the output folder; raises BuildError listing every problem.

    `cache` lets a long-running caller (the preview server) keep one cache open across builds;
    by default the site's `.blog-cache/` is opened for this build (or none with `options.cache`
    off). `resident` is what such a caller keeps in memory between its builds.
    """
    started = time.perf_counter()
    config = effective_config(config, options)
    out_dir = output_dir(config, options)
    writer.check_output_dir(out_dir, config.root, config.root / config.content_dir)
    store = cache if cache is not None else BuildCache.for_site(config.root, options.cache)
    try:
        return _build(config, options, out_dir, store, progress, started, resident)
    finally:
        if cache is None:
            store.close()
        else:
            store.commit()


def _build(
    config: SiteConfig,
    options: BuildOptions,
    out_dir: Path,
    store: BuildCache,
    progress: Progress,
    started: float,
    resident: Resident | None,
) -> BuildReport:
    now = options.now or datetime.now(timezone.utc)
    sources, statics, discovered = content.discover(config)
    hashes = [digest(source.data) for source in sources]
    templates = freshness.templates_digest(config)
    fingerprint = freshness.input_fingerprint(config, options, sources, hashes, statics, templates)
    scope = freshness.state_key(out_dir)
    state = store.get("state", scope)
    known = resident.outputs.pop(scope, None) if resident is not None else None
    current = known if known is not None else freshness.current_record(out_dir)
    if freshness.is_fresh(state, fingerprint, now, current):
        assert state is not None
        if resident is not None:
            resident.outputs[scope] = current  # the folder is exactly as recorded
        files = len([path for path in state["files"] if path not in (writer.MARKER, writer.MANIFEST)])
        warnings = store.warnings + decode_diagnostics(state["warnings"])
        return BuildReport(out_dir, state["counts"], 0, files, 0, time.perf_counter() - started, warnings)

    parsed, problems, post_keys = parse_sources(sources, config, store, resident, hashes)
    problems = list(store.warnings) + list(discovered) + problems
    posts = [p for p in parsed if content.is_published(p, options.drafts, options.future, now)]
    rendered, found = render_posts(posts, config, progress, store, resident)
    problems += found
    raise_if_errors(problems)
    site, found = assemble(rendered, statics, config, cached_related(store))
    problems += found
    raise_if_errors(problems)
    plan = routes.plan(site, config, extra_routes(config, statics))
    prints = Fingerprints(site, digest(engine_key(), repr(config), templates), post_keys)
    reuse = PageReuse(store, scope, freshness.intact_files(state, current), prints)
    make_env = partial(theme.make_env, config)
    env = resident.env(prints.base, make_env) if resident is not None else make_env()
    paths = [route.output_path for route in plan]
    in_place = resident.retained.pop(scope, None) if resident is not None else None  # see Resident
    retained = store.retained_tree(scope)
    with writer.Staging(out_dir, paths, retained=retained, old_files=current or None, retained_files=in_place) as staging:
        found, records = render_site(plan, site, config, progress, staging, reuse, env)
        problems += found
        raise_if_errors(problems)
        stats = staging.finish()
    for key, record in records.items():
        store.put("pages", key, record)
    store.prune()

    counts: dict[str, int] = {}
    for route in plan:
        counts[route.kind] = counts.get(route.kind, 0) + 1
    counts = dict(sorted(counts.items()))
    warnings = tuple(d for d in problems if not d.is_error)
    due = [p.date for p in parsed if p.date is not None and p.date > now and not p.draft and not options.future]
    store.put("state", scope, freshness.make_state(fingerprint, min(due, default=None), stats.files, counts, warnings))
    if resident is not None:
        resident.outputs[scope] = dict(stats.files)
        if staging.reuse:
            resident.retained[scope] = current  # the tree just swapped out is now the retained one
    return BuildReport(
        output_dir=out_dir,
        counts=counts,
        written=stats.written,
        unchanged=stats.unchanged,
        removed=stats.removed,
        seconds=time.perf_counter() - started,
        warnings=warnings,
    )
