"""Python-Markdown's inline pass, trying only the patterns that can match a text.

For every run of text in a document (about 45 per post), Python-Markdown tries each of its
inline patterns (code spans, escapes, links, images, autolinks, line breaks, raw HTML,
entities, emphasis) in priority order, and each try costs a Python call and a regex search even
when the text holds none of the characters the pattern begins with. That was a quarter of a
post's rendering. Almost every pattern's regex says which characters a match begins with
(`[` for a link, `&` for an entity), so a pattern is skipped for a text that holds none of
them: its search could not have matched, and a pattern that does not match changes nothing.
Patterns whose first character is not that plain are tried as before, so the HTML is exactly
Python-Markdown's.
"""

from __future__ import annotations

import functools
import re
from re import _constants as sre  # the parsed form of a regex: public in all but name since 3.11
from re import _parser
from typing import Any

import markdown
from markdown import inlinepatterns, util
from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor

_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


@functools.cache
def literal_starts(regex: re.Pattern[str]) -> frozenset[str] | None:
    """The characters every match of `regex` begins with, when the regex spells them out: after
    any zero-width assertions, a literal or a class of literals. None when a match may begin
    with anything else, may be empty, or when case is ignored.

    `lexing` reads regexes too, but answers only for ASCII characters (it fills a table, and
    tries every rule elsewhere); a screen must hold for every character, so this reading trusts
    nothing but literals."""
    if regex.flags & re.IGNORECASE:
        return None
    try:
        items = _parser.parse(regex.pattern, regex.flags)
    except Exception:  # a form this reading does not know: the pattern is always tried
        return None
    return _sequence_starts(items)


def _sequence_starts(items: Any) -> frozenset[str] | None:
    for op, arg in items:
        if op in _ZERO_WIDTH:  # they only narrow where what follows may match
            continue
        return _item_starts(op, arg)
    return None  # nothing consumes a character: the match may be empty


def _item_starts(op: Any, arg: Any) -> frozenset[str] | None:
    if op == sre.LITERAL:
        return frozenset(chr(arg))
    if op == sre.IN:
        if all(member == sre.LITERAL for member, _ in arg):
            return frozenset(chr(code) for _, code in arg)
        return None
    if op == sre.SUBPATTERN:
        _, add, _, inner = arg
        return None if add & re.IGNORECASE else _sequence_starts(inner)
    if op == sre.ATOMIC_GROUP:
        return _sequence_starts(arg)
    if op in _REPEATS:
        least, _, inner = arg
        return _sequence_starts(inner) if least >= 1 else None
    if op == sre.BRANCH:
        branches = [_sequence_starts(branch) for branch in arg[1]]
        if any(chars is None for chars in branches):
            return None
        return frozenset().union(*branches)  # type: ignore[arg-type]
    return None


def _screen(pattern: inlinepatterns.Pattern) -> frozenset[str] | None:
    """The characters a text must hold for `pattern` to match in it; None: always try it.

    Old-style patterns wrap their regex in `^(.*?)…(.*)$`, which begins with anything."""
    if not isinstance(pattern, inlinepatterns.InlineProcessor):
        return None
    return literal_starts(pattern.getCompiledRegExp())


class ScreenedInlineProcessor(InlineProcessor):
    """`InlineProcessor` whose loop over the patterns skips those that cannot match the text.

    It replaces the one method with that loop, so everything else, including how a match is
    applied, is Python-Markdown's own.
    """

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        self._screens = tuple((pattern, _screen(pattern)) for pattern in self.inlinePatterns)
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802
        """The text with every inline pattern from `patternIndex` on applied, matches replaced
        by placeholders: each pattern is applied until it no longer matches, then the next."""
        if isinstance(data, util.AtomicString):
            return data
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        screens = self._screens
        held = set(data)
        start = 0  # where the current pattern's next search begins
        while patternIndex < len(screens):
            pattern, needs = screens[patternIndex]
            if needs is None or not needs.isdisjoint(held):
                data, matched, start = apply(pattern, data, patternIndex, start)
                if matched:
                    held = set(data)
                    continue
            start = 0
            patternIndex += 1
        return data


def can_screen() -> bool:
    """Whether this Python-Markdown has the two private methods the screened loop relies on."""
    return hasattr(InlineProcessor, "_InlineProcessor__handleInline") and hasattr(InlineProcessor, "_InlineProcessor__applyPattern")


class ScreenedInlineExtension(Extension):
    """Puts `ScreenedInlineProcessor` in the place of Python-Markdown's inline pass, where this
    Python-Markdown is one it fits; elsewhere the stock pass stays."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        if can_screen():
            md.treeprocessors.register(ScreenedInlineProcessor(md), "inline", 20)
