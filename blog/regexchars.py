"""What every match of a regex must contain, read from the parsed regex: the characters it
begins with, and characters it holds somewhere.

Markdown's passes try many regexes on texts that cannot match them; `inlines` and `blocks` use
these readings to skip such tries. A reading must hold for every text, so where the regex is not
plain enough to be sure (case ignored, a category such as `\\w`, a back-reference) it claims
nothing, and the regex is always tried.
"""

from __future__ import annotations

import functools
import re
from re import _constants as sre  # the parsed form of a regex: public in all but name since 3.11
from re import _parser
from typing import Any

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


Needs = tuple[frozenset[str], ...]  # a text must hold a character of each set


@functools.cache
def required_chars(regex: re.Pattern[str]) -> Needs:
    """Sets of characters of which every text `regex` matches in holds at least one each: in
    the match, or around it where a lookahead or lookbehind must find them. () when nothing
    certain can be said (case ignored, a form this reading does not know)."""
    if regex.flags & re.IGNORECASE or not isinstance(regex.pattern, str):
        return ()
    try:
        items = _parser.parse(regex.pattern, regex.flags)
    except Exception:
        return ()
    return _sequence_needs(items)


def _sequence_needs(items: Any) -> Needs:
    return tuple(dict.fromkeys(needs for op, arg in items for needs in _item_needs(op, arg)))


def _item_needs(op: Any, arg: Any) -> Needs:
    if op == sre.LITERAL:
        return (frozenset(chr(arg)),)
    if op == sre.IN:
        if all(member == sre.LITERAL for member, _ in arg):
            return (frozenset(chr(code) for _, code in arg),)
        return ()
    if op == sre.SUBPATTERN:
        _, add, _, inner = arg
        return () if add & re.IGNORECASE else _sequence_needs(inner)
    if op == sre.ATOMIC_GROUP:
        return _sequence_needs(arg)
    if op == sre.ASSERT:  # what a lookahead or lookbehind must find is in the text too
        _, inner = arg
        return _sequence_needs(inner)
    if op in _REPEATS:
        least, _, inner = arg
        return _sequence_needs(inner) if least >= 1 else ()
    if op == sre.BRANCH:  # each branch needs one of its own characters: one of their union
        branches = [_sequence_needs(branch) for branch in arg[1]]
        if any(not needs for needs in branches):
            return ()
        return (frozenset().union(*(min(needs, key=len) for needs in branches)),)
    return ()  # anchors, negative assertions, back-references, categories, anything else: nothing certain
