"""Python-Markdown's inline pass, trying only the patterns that can match a text.

For every run of text in a document (about 45 per post), Python-Markdown tries each of its
inline patterns (code spans, escapes, links, images, autolinks, line breaks, raw HTML,
entities, emphasis) in priority order, and each try costs a Python call and a regex search even
when the text holds none of the characters the pattern begins with. That was a quarter of a
post's rendering. Almost every pattern's regex says which characters a match begins with
(`[` for a link, `&` for an entity), so a pattern is skipped for a text that holds none of
them: its search could not have matched, and a pattern that does not match changes nothing.
Patterns whose first character is not that plain are tried as before, so the HTML is exactly
Python-Markdown's. Characters a match must hold further on count too (the line break `  \\n`
begins with a space, which nearly every text holds, but also needs a newline).
"""

from __future__ import annotations

import functools
import re
from typing import Any, Iterable

import markdown
from markdown import inlinepatterns, util
from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor

from .regexchars import Needs, literal_starts, required_chars


def _screen(pattern: inlinepatterns.Pattern) -> Needs:
    """Sets of characters a text must hold one of each for `pattern` to match in it: those a
    match begins with, and those it holds somewhere (the line break's `  \\n` needs a `\\n`, not
    only a space). () when the pattern is always tried.

    Old-style patterns wrap their regex in `^(.*?)…(.*)$`, which begins with anything."""
    if not isinstance(pattern, inlinepatterns.InlineProcessor):
        return ()
    return _needs(pattern.getCompiledRegExp())


@functools.cache
def _needs(regex: re.Pattern[str]) -> Needs:
    starts = literal_starts(regex)
    return tuple(dict.fromkeys(((starts,) if starts is not None else ()) + required_chars(regex)))


class ScreenedInlineProcessor(InlineProcessor):
    """`InlineProcessor` whose loop over the patterns skips those that cannot match the text.

    It replaces the one method with that loop, so everything else, including how a match is
    applied, is Python-Markdown's own.
    """

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        self._screens = tuple((pattern, _screen(pattern)) for pattern in self.inlinePatterns)
        self._alphabet = _alphabet(needs for _, needs in self._screens)
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802
        """The text with every inline pattern from `patternIndex` on applied, matches replaced
        by placeholders: each pattern is applied until it no longer matches, then the next."""
        if isinstance(data, util.AtomicString):
            return data
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        screens, alphabet = self._screens, self._alphabet
        held = _held(data, alphabet)
        start = 0  # where the current pattern's next search begins
        while patternIndex < len(screens):
            pattern, needs = screens[patternIndex]
            for chars in needs:
                if chars.isdisjoint(held):
                    break
            else:  # the text holds a character of each set
                data, matched, start = apply(pattern, data, patternIndex, start)
                if matched:
                    held = _held(data, alphabet)
                    continue
            start = 0
            patternIndex += 1
        return data


_LARGEST_ALPHABET = 64  # beyond this many characters, `set(text)` is the cheaper way to know which a text holds


def _held(text: str, alphabet: tuple[str, ...] | None) -> set[str]:
    """The characters of `alphabet` that `text` holds (all of its characters when None)."""
    return set(text) if alphabet is None else {char for char in alphabet if char in text}


def _alphabet(screens: Iterable[Needs]) -> tuple[str, ...] | None:
    """Every character the screens ask about, or None when they are too many to look up one by one.

    A text's screening needs to know only which of these characters it holds. Looking each up
    (`char in text`, a `memchr`) costs 0.4 µs for the 17 of the stock patterns in a paragraph of
    500 characters, where making the set of all its characters costs 2.5 µs.
    """
    chars = sorted(frozenset().union(*(chars for needs in screens for chars in needs)))
    return tuple(chars) if len(chars) <= _LARGEST_ALPHABET else None


def can_screen() -> bool:
    """Whether this Python-Markdown has the two private methods the screened loop relies on."""
    return hasattr(InlineProcessor, "_InlineProcessor__handleInline") and hasattr(InlineProcessor, "_InlineProcessor__applyPattern")


class ScreenedInlineExtension(Extension):
    """Puts `ScreenedInlineProcessor` in the place of Python-Markdown's inline pass, where this
    Python-Markdown is one it fits; elsewhere the stock pass stays."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        if can_screen():
            md.treeprocessors.register(ScreenedInlineProcessor(md), "inline", 20)
