"""The content graph of one build: posts in order, their tags, neighbours, related posts, archive.

Built in one pass into final values: every `Entry` is made once, with its tags, neighbours and
related posts, and the same object is then shared by `Site.entries`, `Tag.entries` and the
archive, so no list can disagree with another. Neighbours and related posts are `Post`s, not
`Entry`s, which keeps the graph free of cycles.
"""

from __future__ import annotations

import heapq
from collections import Counter
from itertools import chain, islice
from datetime import datetime, timezone
from typing import Callable, Mapping, Sequence
from zoneinfo import ZoneInfo

from .config import SiteConfig
from .errors import Diagnostic, warning
from .model import Entry, MonthGroup, Post, Rendered, Site, StaticFile, Tag, TagRef, YearGroup
from .taxonomy import TagSummary, alias_index, check_aliases, collect_tags, resolve, slugify

Item = tuple[Post, Rendered]
# related(tag refs of each post newest first, limit) → for each post, positions of related posts
Related = Callable[[Sequence[tuple[TagRef, ...]], int], tuple[tuple[int, ...], ...]]
_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


def assemble(
    items: Sequence[Item],
    static_files: Sequence[StaticFile],
    config: SiteConfig,
    related: Related | None = None,
) -> tuple[Site, tuple[Diagnostic, ...]]:
    """The site graph of the published `items` (drafts and future posts already removed).

    Input order does not matter; every list is sorted by explicit keys. Diagnostics hold tag
    slug clashes and alias clashes (errors) and tags on pages (warnings). `related` computes
    related posts (default `related_indexes`); a build passes a cached version of it, since on
    a large site it is the one step here whose work grows faster than the number of posts.
    """
    posts = newest_first([item for item in items if item[0].kind == "post"])
    pages = tuple(sorted((item for item in items if item[0].kind == "page"), key=lambda item: item[0].source))
    summaries, problems = collect_tags([post for post, _ in posts], config.tag_aliases)
    problems += check_aliases(config.tag_aliases, config.config_path)
    problems += tuple(
        warning(post.source, "tags on a page are ignored; only posts are listed on tag pages")
        for post, _ in pages
        if post.tags
    )

    entries = _post_entries(posts, summaries, config, related or related_indexes)
    site = Site(
        entries=entries,
        pages=tuple(Entry(post, rendered) for post, rendered in pages),
        tags=_tags(entries, summaries),
        archive=archive(entries, config.zone),
        static_files=tuple(sorted(static_files, key=lambda f: (f.output_path, f.source))),
        updated=max((d for e in entries if (d := e.post.updated or e.post.date) is not None), default=None),
    )
    return site, problems


def newest_first(items: Sequence[Item]) -> tuple[Item, ...]:
    """Date descending, then source path ascending; undated items last."""
    by_source = sorted(items, key=lambda item: item[0].source)
    return tuple(sorted(by_source, key=lambda item: _dated(item[0]), reverse=True))


def reading_order(posts: Sequence[Post]) -> tuple[str, ...]:
    """The sources of `posts` in the order the site lists them: posts newest first (as
    `newest_first` orders them), then pages by path."""
    by_source = sorted(posts, key=lambda post: post.source)
    listed = sorted((post for post in by_source if post.kind == "post"), key=_dated, reverse=True)
    return tuple(post.source for post in (*listed, *(post for post in by_source if post.kind == "page")))


def _dated(post: Post) -> tuple[bool, datetime]:
    """Sort key that puts undated posts below every dated one when reversed."""
    return (post.date is not None, post.date or _EARLIEST)


def _post_entries(
    posts: Sequence[Item], summaries: Sequence[TagSummary], config: SiteConfig, related_of: Related
) -> tuple[Entry, ...]:
    """Final entries for `posts` (newest first): tags, older/newer neighbours, related posts."""
    by_slug = {summary.slug: summary for summary in summaries}
    index = alias_index(config.tag_aliases)
    refs = tuple(tag_refs(post, index, by_slug) for post, _ in posts)
    related = related_of(refs, config.related_posts)
    last = len(posts) - 1
    return tuple(
        Entry(
            post=post,
            rendered=rendered,
            tags=refs[i],
            previous=posts[i + 1][0] if i < last else None,
            next=posts[i - 1][0] if i > 0 else None,
            related=tuple(posts[j][0] for j in related[i]),
        )
        for i, (post, rendered) in enumerate(posts)
    )


def tag_refs(post: Post, index: Mapping[str, str], by_slug: Mapping[str, TagSummary]) -> tuple[TagRef, ...]:
    """A post's tags in its own order, one per slug, named by the merged tag's display name."""
    refs: dict[str, TagRef] = {}
    for spelling in post.tags:
        summary = by_slug[slugify(resolve(spelling, index))]
        refs.setdefault(summary.slug, TagRef(summary.name, summary.slug, summary.url))
    return tuple(refs.values())


def related_indexes(refs: Sequence[tuple[TagRef, ...]], limit: int) -> tuple[tuple[int, ...], ...]:
    """For each post (by position, newest first), up to `limit` others sharing the most tags.

    Ties go to the newer post (the lower position), which already encodes date then source.
    On large sites one tag is on most posts, so its list of holders is never counted through:
    a post sharing two or more tags is in one of the other lists, where counting (in C) finds
    it, and the rest share one tag only and are taken in order from the front of the lists.
    """
    holders: dict[str, list[int]] = {}
    for i, tags in enumerate(refs):
        for ref in tags:
            holders.setdefault(ref.slug, []).append(i)
    members = {slug: set(positions) for slug, positions in holders.items()}
    result: list[tuple[int, ...]] = []
    for i, tags in enumerate(refs):
        if limit == 0 or not tags:
            result.append(())
            continue
        slugs = sorted((ref.slug for ref in tags), key=lambda slug: len(holders[slug]))
        largest = slugs[-1]
        counts = Counter(chain.from_iterable(holders[slug] for slug in slugs[:-1]))
        for j in counts:
            counts[j] += j in members[largest]
        counts.pop(i, None)
        several = sorted((j for j, n in counts.items() if n > 1), key=lambda j: (-counts[j], j))[:limit]
        if len(several) < limit:
            once = heapq.merge(*(holders[slug] for slug in slugs))
            several += list(islice((j for j in once if j != i and counts.get(j, 1) == 1), limit - len(several)))
        result.append(tuple(several))
    return tuple(result)


def _tags(entries: Sequence[Entry], summaries: Sequence[TagSummary]) -> tuple[Tag, ...]:
    """One `Tag` per summary (already by slug), holding the shared entries newest first."""
    tagged: dict[str, list[Entry]] = {summary.slug: [] for summary in summaries}
    for entry in entries:
        for ref in entry.tags:
            tagged[ref.slug].append(entry)
    return tuple(Tag(s.name, s.slug, s.url, tuple(tagged[s.slug]), s.spellings) for s in summaries)


def archive(entries: Sequence[Entry], zone: ZoneInfo) -> tuple[YearGroup, ...]:
    """Dated entries by year and month in the site's time zone, newest first at every level."""
    months: dict[tuple[int, int], list[Entry]] = {}
    for entry in entries:
        if entry.post.date is not None:
            local = entry.post.date.astimezone(zone)
            months.setdefault((local.year, local.month), []).append(entry)
    years: dict[int, list[MonthGroup]] = {}
    for year, month in sorted(months, reverse=True):
        years.setdefault(year, []).append(MonthGroup(year, month, tuple(months[year, month])))
    return tuple(YearGroup(year, tuple(years[year])) for year in sorted(years, reverse=True))
