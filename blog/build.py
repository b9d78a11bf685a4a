"""The orchestrator: one function whose body is the list of build stages.

Every stage returns values; nothing is written until every page has rendered, so a failed build
leaves the previous output exactly as it was.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

from . import content, feeds, markup, routes, sitemap, theme, writer
from .config import SiteConfig
from .errors import Diagnostic, raise_if_errors
from .model import BuildOptions, BuildReport, Entry, Output, Post, Rendered, Route, Site, StaticFile
from .site import assemble

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


def read_posts(config: SiteConfig, options: BuildOptions) -> tuple[tuple[Post, ...], tuple[StaticFile, ...], list[Diagnostic]]:
    """Discover and parse every source; keep the posts this build publishes."""
    sources, statics, diagnostics = content.discover(config)
    problems = list(diagnostics)
    now = options.now or datetime.now(timezone.utc)
    posts: list[Post] = []
    for source in sources:
        post, found = content.parse_post(source, config)
        problems.extend(found)
        if post is not None and content.is_published(post, options.drafts, options.future, now):
            posts.append(post)
    return tuple(posts), statics, problems


def render_posts(posts: Sequence[Post], config: SiteConfig, progress: Progress) -> tuple[list[tuple[Post, Rendered]], list[Diagnostic]]:
    """Markdown and highlighting for every post: the expensive, pure part of a build."""
    options = markup.options_from_config(config)
    rendered: list[tuple[Post, Rendered]] = []
    problems: list[Diagnostic] = []
    for done, post in enumerate(posts, start=1):
        result, found = markup.render(post, options)
        problems.extend(found)
        rendered.append((post, result))
        progress("render", done, len(posts))
    return rendered, problems


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


def produce(route: Route, site: Site, plan: Sequence[Route], config: SiteConfig, env) -> tuple[bytes | None, tuple[Diagnostic, ...]]:
    """The bytes of one route, by the producer its kind calls for."""
    match route.kind:
        case "atom" | "rss":
            make = feeds.atom if route.kind == "atom" else feeds.rss
            return make(route.entries, config, feed_url=route.url, page_url="/", title=config.title, updated=site.updated), ()
        case "tag_atom":
            assert route.tag is not None
            title = f"{config.title}: {route.tag.name}"
            return feeds.atom(route.entries, config, feed_url=route.url, page_url=route.tag.url, title=title, updated=newest(route.tag.entries)), ()
        case "sitemap":
            return sitemap.sitemap(plan, config), ()
        case "robots":
            return sitemap.robots(config), ()
        case "static" | "theme_static":
            assert route.static is not None
            return route.static.absolute.read_bytes(), ()
        case "pygments_css":
            return markup.pygments_css(config.highlight_style, config.highlight_style_dark).encode("utf-8"), ()
        case _:
            return theme.render_route(env, route, site, config)


def render_site(plan: Sequence[Route], site: Site, config: SiteConfig, progress: Progress) -> tuple[list[Output], list[Diagnostic]]:
    env = theme.make_env(config)
    outputs: list[Output] = []
    problems: list[Diagnostic] = []
    for done, route in enumerate(plan, start=1):
        data, found = produce(route, site, plan, config, env)
        problems.extend(found)
        if data is not None:
            outputs.append(Output(route.output_path, data))
        progress("write", done, len(plan))
    return outputs, problems


def build(config: SiteConfig, options: BuildOptions = BuildOptions(), progress: Progress = _no_progress) -> BuildReport:
    """Build the whole site into the output folder; raises BuildError listing every problem."""
    started = time.perf_counter()
    config = effective_config(config, options)
    out_dir = output_dir(config, options)
    writer.check_output_dir(out_dir, config.root, config.root / config.content_dir)

    posts, statics, problems = read_posts(config, options)
    rendered, found = render_posts(posts, config, progress)
    problems += found
    raise_if_errors(problems)
    site, found = assemble(rendered, statics, config)
    problems += found
    raise_if_errors(problems)
    plan = routes.plan(site, config, extra_routes(config, statics))
    outputs, found = render_site(plan, site, config, progress)
    problems += found
    raise_if_errors(problems)
    stats = writer.write_site(outputs, out_dir)

    counts: dict[str, int] = {}
    for route in plan:
        counts[route.kind] = counts.get(route.kind, 0) + 1
    return BuildReport(
        output_dir=out_dir,
        counts=dict(sorted(counts.items())),
        written=stats.written,
        unchanged=stats.unchanged,
        removed=stats.removed,
        seconds=time.perf_counter() - started,
        warnings=tuple(d for d in problems if not d.is_error),
    )
