"""The orchestrator: one function whose body is the list of build stages.

Every stage returns values. Pages are staged beside the output as they are rendered, and the
output folder changes only once every page has rendered, so a failed build leaves the previous
output exactly as it was.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from functools import partial
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from . import content, feeds, freshness, routes, sitemap, writer
from .cache import BuildCache, decode_diagnostics, decode_post, digest, encode_diagnostics, encode_post, engine_key
from .config import SiteConfig
from .errors import BuildError, Diagnostic, raise_if_errors
from .fingerprints import ALWAYS_PRODUCED, Fingerprints
from .model import FEED_KINDS, BuildOptions, BuildReport, Entry, Output, Post, Route, Site, Source, StaticFile, TagRef
from .rendering import Progress, Renderings, no_progress, production_order, render_keys, start_workers
from .resident import Resident
from .site import Related, assemble, reading_order, related_indexes
from .themefiles import ENTRY_BODY, TEMPLATES, theme_static_files

if TYPE_CHECKING:
    import jinja2


def as_one_bar(progress: Progress, totals: dict[str, int]) -> Progress:
    """Progress of stages that may run at the same time (rendering posts while pages are made),
    shown as one "build" bar; `totals` is read at each report, so a stage's total can be set
    once it is known."""
    done = dict.fromkeys(totals, 0)

    def report(stage: str, count: int, total: int) -> None:
        done[stage] = count
        progress("build", sum(done.values()), sum(totals.values()))

    return report


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
            post = decode_post(data, content.body_of(source, data["body_line"])) if data is not None else None
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


def cached_absolutize(store: BuildCache) -> feeds.Absolutize:
    """Feed link rewriting remembered across builds: a post's HTML sits in several feeds, and
    rewriting parses the whole document. HTML that a scan shows has nothing to rewrite (most
    posts) is neither digested nor stored: the scan costs less than looking it up."""

    def absolutize(html: str, base: str) -> str:
        if not feeds.may_need_rewriting(html):
            return html
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


def derived_rows(plan: Sequence[Route]) -> int:
    """At most how many derived results a build that made every page reads: the feeds' absolute
    links (a summary and a content for each post in a feed, if it has links to rewrite) and the
    related posts.

    An edit remakes only the feeds that show the edited post, so it reads only their rows; had
    the prune judged by those, the first edit after a cold build would drop the rest (10 MB at
    1,000 posts, 40 ms to delete), to be made again when their feeds change.
    """
    return 2 * len({entry.post.source for route in plan if route.kind in FEED_KINDS for entry in route.entries}) + 1


def extra_routes(config: SiteConfig, statics: Sequence[StaticFile]) -> tuple[Route, ...]:
    """Theme static files (unless content/ has a file at the same path) and the Pygments CSS."""
    taken = {s.output_path for s in statics}
    theme_files = tuple(
        Route(url="/" + f.output_path, output_path=f.output_path, kind="theme_static", sources=(f.source,), static=f)
        for f in theme_static_files(config)
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
    if route.kind in TEMPLATES:
        from . import theme

        return theme.render_page(env, route, site, config)
    data, found = produce_file(route, site, plan, config, absolutize)
    return data, found, frozenset({ENTRY_BODY})


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
            from . import stylesheet

            return stylesheet.pygments_css(config.highlight_style, config.highlight_style_dark).encode("utf-8"), ()
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
    order: Sequence[int] | None = None,
    preload: bool = False,
) -> tuple[list[Diagnostic], dict[str, list]]:
    """Bytes for every route, handed to `staging` as they are made; with `reuse`, a page whose
    fingerprint is unchanged is kept from the last build without being read.

    `env` is a template environment made earlier for this configuration and these templates.
    `order` (indexes into `plan`) is the order to make the routes in; their problems are still
    reported in the plan's order. Pages kept are settled first; with `preload` (renderings are
    being made elsewhere meanwhile), the templates of the pages to make are then compiled before
    the first page waits for a rendering. Returns the problems and the fingerprint records of
    the pages rendered now. The caller stores the records only once the output is written: a
    record must never describe bytes that never reached the disk.
    """
    from . import theme  # Jinja: a build that finds nothing changed never gets here

    env = env if env is not None else theme.make_env(config)
    absolutize = cached_absolutize(reuse.store) if reuse else feeds.absolutize_html
    keys = [digest(reuse.scope, r.output_path) if reuse else "" for r in plan]
    records = reuse.store.get_many("pages", keys) if reuse else {}
    todo: list[int] = []
    kept = 0
    for index in order if order is not None else range(len(plan)):
        route = plan[index]
        if reuse is not None and route.kind not in ALWAYS_PRODUCED and is_unchanged(route, reuse, records.get(keys[index])):
            staging.keep_old(route.output_path)
            kept += 1
            progress("write", kept, len(plan))
        else:
            todo.append(index)
    if preload:
        theme.preload(env, [plan[index] for index in todo])
    fresh: dict[str, list] = {}
    found_at: dict[int, tuple[Diagnostic, ...]] = {}
    for done, index in enumerate(todo, start=kept + 1):
        route, key = plan[index], keys[index]
        data, found_at[index], read = produce(route, site, plan, config, env, absolutize)
        if data is not None:
            staging.put(Output(route.output_path, data))
            if reuse is not None and route.kind not in ALWAYS_PRODUCED:
                fresh[key] = [reuse.prints.route(route, read), sorted(read)]
        progress("write", done, len(plan))
    return [d for index in sorted(found_at) for d in found_at[index]], fresh


def shown_posts(route: Route) -> tuple[str, ...]:
    """Sources of the posts whose renderings a route shows: its own, or its list's."""
    own = (route.entry.post.source,) if route.entry is not None else ()
    return own + tuple(entry.post.source for entry in route.entries)


def is_unchanged(route: Route, reuse: PageReuse, record: list | None) -> bool:
    """True when the last build's file of `route` is intact and nothing it depends on changed,
    by the fingerprint `record` the last build stored for it."""
    if record is None or route.output_path not in reuse.intact:
        return False
    fingerprint, read = record
    return reuse.prints.route(route, read) == fingerprint


def _plan(
    site: Site, config: SiteConfig, statics: Sequence[StaticFile], problems: Sequence[Diagnostic]
) -> tuple[tuple[Route, ...] | None, list[Diagnostic]]:
    """Every route of the site, or None with the planning errors when the build cannot go on:
    `problems` (found so far) hold an error, or routes collide."""
    if any(d.is_error for d in problems):
        return None, []
    try:
        return routes.plan(site, config, extra_routes(config, statics)), []
    except BuildError as failure:
        return None, list(failure.diagnostics)


def build(
    config: SiteConfig,
    options: BuildOptions = BuildOptions(),
    progress: Progress = no_progress,
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
    if resident is not None:
        sources, statics, discovered = content.discover(config, resident.files.read)
        resident.files.forget_unread()
        hashes = [resident.files.digest(source.data) for source in sources]
    else:
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

    keys = render_keys({source.path: data for source, data in zip(sources, hashes)}, config)
    workers = start_workers(list(keys.values()), store, resident)  # they load Markdown while this parses
    try:
        parsed, problems, post_keys = parse_sources(sources, config, store, resident, hashes)
    except BaseException:
        if workers is not None:
            workers.pool.shutdown(cancel_futures=True)
        raise
    from . import theme  # Jinja and the page views: only a build that makes pages loads them
    problems = list(store.warnings) + list(discovered) + problems
    posts = [p for p in parsed if content.is_published(p, options.drafts, options.future, now)]
    with Renderings(posts, keys, config, store, resident, workers) as renderings:
        totals = {"render": len(renderings.misses), "write": 0}  # pages are counted once planned
        progress = as_one_bar(progress, totals)
        renderings.start(reading_order(posts), progress)  # before the writer's thread: workers fork
        site, assembled = assemble(renderings.items, statics, config, cached_related(store))
        plan, planned = _plan(site, config, statics, problems + list(assembled))
        if plan is None:  # the build fails; it reports every post's problems with the rest
            raise BuildError(problems + renderings.finish() + list(assembled) + planned)
        totals["write"] = len(plan)
        prints = Fingerprints(site, digest(engine_key(), repr(config), templates), post_keys)
        reuse = PageReuse(store, scope, freshness.intact_files(state, current), prints)
        make_env = partial(theme.make_env, config, store)
        env = resident.env(prints.base, make_env) if resident is not None else make_env()
        paths = [route.output_path for route in plan]
        retained = store.retained_tree(scope)
        order = production_order([shown_posts(route) for route in plan], renderings)
        with writer.Staging(out_dir, paths, retained=retained, old_files=current or None) as staging:
            found, records = render_site(plan, site, config, progress, staging, reuse, env, order, renderings.in_workers)
            problems += renderings.finish() + list(assembled) + found
            raise_if_errors(problems)
            stats = staging.finish()
    for key, record in records.items():
        store.put("pages", key, record)
    store.prune(live={"derived": derived_rows(plan)})

    counts: dict[str, int] = {}
    for route in plan:
        counts[route.kind] = counts.get(route.kind, 0) + 1
    counts = dict(sorted(counts.items()))
    warnings = tuple(d for d in problems if not d.is_error)
    due = [p.date for p in parsed if p.date is not None and p.date > now and not p.draft and not options.future]
    store.put("state", scope, freshness.make_state(fingerprint, min(due, default=None), stats.files, counts, warnings))
    if resident is not None:
        resident.outputs[scope] = dict(stats.files)
    return BuildReport(
        output_dir=out_dir,
        counts=counts,
        written=stats.written,
        unchanged=stats.unchanged,
        removed=stats.removed,
        seconds=time.perf_counter() - started,
        warnings=warnings,
    )
