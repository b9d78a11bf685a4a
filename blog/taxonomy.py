"""Tag names → slugs, and the merging of the spellings authors use into one tag per slug.

What counts as *one tag*: two spellings are the same tag when they are equal after NFKC, case
folding and accent folding (`Café`, `Cafe\\u0301`, `CAFÉ`), or when `[tags.aliases]` maps one onto
the other. Their posts share one tag page. Two spellings that are *different* tags by that rule
but still reduce to one slug (`node.js` and `node-js`) are an error, not a silent merge: only the
author knows whether they meant one thing, and an alias is the one-line way to say so.

Pages do not take part in tags: only posts are listed on tag pages.
"""

from __future__ import annotations

import functools

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Mapping, Sequence

from .errors import Diagnostic, error, raise_if_errors
from .model import Post

# Letters NFKD does not split into an ASCII base plus marks, folded the way readers expect.
_LETTERS = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ŧ": "t", "ı": "i",
                          "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"})
# Rewrites that keep technical names apart before punctuation is dropped (else c, c++ and c# merge).
_TECHNICAL = (
    (re.compile(r"(?<=\w)\++"), lambda m: "p" * len(m.group())),  # c++ → cpp, g++ → gpp
    (re.compile(r"(?<=\w)#"), lambda m: "sharp"),  # c# → csharp, f# → fsharp
    (re.compile(r"\.net(?![^\W_])"), lambda m: "dotnet"),  # .net → dotnet, asp.net → aspdotnet
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class TagSummary:
    """One merged tag without its posts: what tag links need, and a row of `blog tags`."""

    name: str  # display spelling: most frequent, ties by first use
    slug: str
    url: str
    count: int  # posts carrying the tag
    spellings: tuple[str, ...]  # every spelling authors wrote, sorted


@functools.lru_cache(maxsize=65536)  # called for every tag of every post on every build
def tag_key(name: str) -> str:
    """The identity of a tag: two names with equal keys are one tag (see the module docstring)."""
    folded = _fold_accents(unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


def _fold_accents(text: str) -> str:
    """Drop combining marks that sit on an ASCII letter (é → e), leaving other scripts intact.

    Marks on non-Latin letters are meaning, not decoration (Japanese が is not か), so only
    marks whose base is ASCII are removed.
    """
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept).translate(_LETTERS))


@functools.lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """A URL segment of `[a-z0-9-]`, never empty; equal `tag_key`s always give equal slugs.

    A name with no ASCII letters or digits left (`日本語`) gets `tag-` and 8 hex digits of the
    SHA-1 of its key: stable across builds and distinct between names.
    """
    key = tag_key(text)
    technical = key
    for pattern, replacement in _TECHNICAL:
        technical = pattern.sub(replacement, technical)
    slug = _NOT_SLUG.sub("-", technical).strip("-")
    return slug or "tag-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]


def alias_index(aliases: Mapping[str, str]) -> dict[str, str]:
    """Alias slug → target name; aliases are compared by slug so `GoLang` matches `golang`.

    When two alias keys share a slug the alphabetically first wins (`check_aliases` reports
    the clash when their targets differ).
    """
    index: dict[str, str] = {}
    for key in sorted(aliases):
        index.setdefault(slugify(key), aliases[key])
    return index


def resolve(name: str, index: Mapping[str, str]) -> str:
    """The name a tag stands for after aliasing (one step: targets are not aliased again)."""
    return index.get(slugify(name), name)


def tag_slug(name: str, aliases: Mapping[str, str]) -> str:
    """The slug of one tag name as written, after the site's aliases."""
    return slugify(resolve(name, alias_index(aliases)))


def tag_url(slug: str) -> str:
    return f"/tags/{slug}/"


def check_aliases(aliases: Mapping[str, str], config_path: str) -> tuple[Diagnostic, ...]:
    """Alias keys that are one alias by slug but point at different tags."""
    targets: dict[str, tuple[str, str]] = {}
    problems: list[Diagnostic] = []
    for key in sorted(aliases):
        slug = slugify(key)
        if slug not in targets:
            targets[slug] = (key, aliases[key])
            continue
        first_key, first_target = targets[slug]
        if tag_key(first_target) != tag_key(aliases[key]):
            problems.append(error(
                config_path,
                f"tags.aliases: {first_key!r} and {key!r} are the same alias but map to different tags "
                f"({first_target!r} and {aliases[key]!r})",
            ))
    return tuple(problems)


@dataclass(slots=True)
class _Group:
    """Everything seen for one slug while merging (local to one `collect_tags` call)."""

    votes: Counter[str]
    first_use: dict[str, int]  # display candidate → order of first use
    spellings: set[str]
    sources: set[str]
    identities: dict[str, tuple[str, str]]  # tag_key → (first spelling, its source), in first-use order


def _chronological(post: Post) -> tuple[bool, datetime, str]:
    """Oldest first, then source path: the order in which a spelling counts as 'used first'."""
    return (post.date is None, post.date or _EARLIEST, post.source)


def collect_tags(
    posts: Sequence[Post], aliases: Mapping[str, str]
) -> tuple[tuple[TagSummary, ...], tuple[Diagnostic, ...]]:
    """Merge the tags of `posts` (any order; pages are skipped) into one summary per slug, by slug.

    Errors name both spellings when two different tags share a slug.
    """
    index = alias_index(aliases)
    groups: dict[str, _Group] = {}
    order = 0
    for post in sorted((p for p in posts if p.kind == "post"), key=_chronological):
        for spelling in post.tags:
            name = resolve(spelling, index)
            group = groups.setdefault(slugify(name), _Group(Counter(), {}, set(), set(), {}))
            group.votes[name] += 1
            group.first_use.setdefault(name, order)
            group.spellings.add(spelling)
            group.sources.add(post.source)
            group.identities.setdefault(tag_key(name), (spelling, post.source))
            order += 1
    summaries = tuple(_summary(slug, groups[slug]) for slug in sorted(groups))
    problems = tuple(p for slug in sorted(groups) for p in _collisions(slug, groups[slug]))
    return summaries, problems


def _summary(slug: str, group: _Group) -> TagSummary:
    name = min(group.votes, key=lambda n: (-group.votes[n], group.first_use[n]))
    return TagSummary(name, slug, tag_url(slug), len(group.sources), tuple(sorted(group.spellings)))


def _collisions(slug: str, group: _Group) -> list[Diagnostic]:
    """One error per tag that shares its slug with an earlier, different tag."""
    (first, first_source), *others = group.identities.values()
    return [
        error(
            source,
            f"tag {spelling!r} and tag {first!r} (in {first_source}) are different tags with the same URL "
            f"{tag_url(slug)}; use one spelling, or add an alias under [tags.aliases]",
        )
        for spelling, source in others
    ]


def tag_report(posts: Sequence[Post], aliases: Mapping[str, str]) -> tuple[TagSummary, ...]:
    """The rows of `blog tags`: most-used tags first, then by slug; raises BuildError on clashes."""
    summaries, problems = collect_tags(posts, aliases)
    raise_if_errors(problems)
    return tuple(sorted(summaries, key=lambda s: (-s.count, s.slug)))
