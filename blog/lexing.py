"""Pygments' regex lexers with fewer regex attempts per token, and exactly the same tokens.

A `RegexLexer` tries the rules of its current state in order at every position until one
matches. For Python code about 35 rules fail for each one that matches, and those attempts are
most of what highlighting costs, which is the largest part of a cold build. Most rules can only
match text that begins with certain characters (`def` only at a `d`, a number only at a digit),
and the regex itself tells which. So each state gets a table: for every ASCII character, the
rules that could match at it, in their original order. At any other character, and at the end
of the text, every rule is tried. A rule that can match the empty string, or whose start is not
understood, is tried everywhere, so skipping a rule never changes which rule matches first.
"""

from __future__ import annotations

import functools
import re
import weakref
from collections import Counter
from re import _constants as sre  # the parsed form of a regex: public in all but name since 3.11
from re import _parser
from typing import Any, Callable, Iterator, Sequence

from pygments.lexer import Lexer, RegexLexer
from pygments.token import Error, Whitespace, _TokenType

_ASCII = tuple(chr(code) for code in range(128))
_EVERY = frozenset(_ASCII)
_CASE_AND_CLASS_FLAGS = re.IGNORECASE | re.ASCII | re.DOTALL

_CATEGORIES = {
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_NOT_WORD: r"\W",
}

Rule = tuple[Callable[..., Any], Any, Any]  # (bound `match` of the regex, token or callback, new state)
Choices = tuple[dict[str, tuple[Rule, ...]], tuple[Rule, ...]]  # by next character; all rules


# A lexer class's tables cost about 12 ms to make (reading its regexes), and save about 0.7 ms
# per Python code block, so a process makes them only once it has lexed this many blocks with
# that class: a rebuild that renders one edited post does not pay for them.
PLAIN_USES = 16

_uses: Counter[type] = Counter()


def accelerated(lexer: Lexer) -> Lexer:
    """An equal lexer driven by the tables, when `lexer` is driven by `RegexLexer`'s own loop
    and its class has been used often enough in this process to pay for them.

    Other lexers (delegating, extended, hand-written) come back unchanged.
    """
    kind = type(lexer)
    if kind.get_tokens_unprocessed is not RegexLexer.get_tokens_unprocessed or "_tokens" not in kind.__dict__:
        return lexer
    _uses[kind] += 1
    if _uses[kind] <= PLAIN_USES:
        return lexer
    if lexer not in _tabled:
        _tabled[lexer] = _tabled_kind(kind)(**lexer.options)
    return _tabled[lexer]


_tabled: weakref.WeakKeyDictionary[Lexer, Lexer] = weakref.WeakKeyDictionary()  # a lexer → its tabled twin


@functools.cache
def _tabled_kind(kind: type[RegexLexer]) -> type[RegexLexer]:
    """A subclass that shares `kind`'s compiled rules (so nothing is compiled again) and reads
    them through the tables."""
    return type(kind.__name__, (kind,), {"_tokens": kind._tokens, "get_tokens_unprocessed": _tabled_tokens})


def _tabled_tokens(lexer: RegexLexer, text: str, stack: Sequence[str] = ("root",)) -> Iterator[tuple[int, Any, str]]:
    """`RegexLexer.get_tokens_unprocessed`, trying at each position only the rules that can match."""
    choices = _choices_of(type(lexer))
    pos = 0
    states = list(stack)
    by_char, every = choices(states[-1])
    while True:
        for match, action, new_state in by_char.get(text[pos : pos + 1], every):
            found = match(text, pos)
            if found:
                if action is not None:
                    if type(action) is _TokenType:
                        yield pos, action, found.group()
                    else:
                        yield from action(lexer, found)
                pos = found.end()
                if new_state is not None:
                    _change_state(states, new_state)
                    by_char, every = choices(states[-1])
                break
        else:  # no rule matched here
            if pos >= len(text):
                return
            if text[pos] == "\n":  # a line no rule takes ends; start over in the root state
                states = ["root"]
                by_char, every = choices("root")
                yield pos, Whitespace, "\n"
            else:
                yield pos, Error, text[pos]
            pos += 1


def _change_state(states: list[str], new_state: Any) -> None:
    """Apply a rule's state change to the stack, as Pygments defines them."""
    if isinstance(new_state, tuple):
        for state in new_state:
            if state == "#pop":
                if len(states) > 1:
                    states.pop()
            elif state == "#push":
                states.append(states[-1])
            else:
                states.append(state)
    elif isinstance(new_state, int):  # `#pop:n` is -n; the bottom state always stays
        if abs(new_state) >= len(states):
            del states[1:]
        else:
            del states[new_state:]
    elif new_state == "#push":
        states.append(states[-1])
    else:
        raise ValueError(f"unknown state change {new_state!r}")


@functools.cache
def _choices_of(kind: type[RegexLexer]) -> Callable[[str], Choices]:
    """The tables of a lexer class, each state's made the first time the lexer enters it."""

    @functools.cache
    def choices(state: str) -> Choices:
        rules: tuple[Rule, ...] = tuple(kind._tokens[state])
        starts = [_rule_starts(rule) for rule in rules]
        by_char = {char: tuple(rule for rule, chars in zip(rules, starts) if char in chars) for char in _ASCII}
        return by_char, rules

    return choices


def _rule_starts(rule: Rule) -> frozenset[str]:
    """The ASCII characters a match of the rule can begin with; all of them when it can match
    the empty string or its regex cannot be read."""
    pattern = getattr(rule[0], "__self__", None)
    if not isinstance(pattern, re.Pattern) or not isinstance(pattern.pattern, str):
        return _EVERY
    try:
        chars, can_be_empty = _sequence_starts(_parser.parse(pattern.pattern, pattern.flags), pattern.flags)
    except Exception:  # a form this reading does not know: try the rule everywhere
        return _EVERY
    return _EVERY if can_be_empty else chars


def _sequence_starts(items: Any, flags: int) -> tuple[frozenset[str], bool]:
    """The first characters of a sequence of parsed items, and whether it can match empty."""
    found: set[str] = set()
    for op, arg in items:
        chars, can_be_empty = _item_starts(op, arg, flags)
        found |= chars
        if not can_be_empty:
            return frozenset(found), False
    return frozenset(found), True


def _item_starts(op: Any, arg: Any, flags: int) -> tuple[frozenset[str], bool]:
    if op == sre.LITERAL:
        return _literal_chars(arg, flags), False
    if op == sre.NOT_LITERAL:
        return _EVERY - _literal_chars(arg, flags), False
    if op == sre.ANY:
        return _matching(".", flags), False
    if op == sre.IN:
        return _class_chars(arg, flags), False
    if op == sre.SUBPATTERN:
        _, add, remove, inner = arg
        return _sequence_starts(inner, (flags | add) & ~remove)
    if op == sre.ATOMIC_GROUP:
        return _sequence_starts(arg, flags)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        least, most, inner = arg
        if most == 0:
            return frozenset(), True
        chars, can_be_empty = _sequence_starts(inner, flags)
        return chars, can_be_empty or least == 0
    if op == sre.BRANCH:
        branches = [_sequence_starts(branch, flags) for branch in arg[1]]
        return frozenset().union(*(chars for chars, _ in branches)), any(empty for _, empty in branches)
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):  # zero-width: they only narrow what follows
        return frozenset(), True
    if op == sre.GROUPREF_EXISTS:
        _, yes, no = arg
        chars, yes_empty = _sequence_starts(yes, flags)
        other, no_empty = _sequence_starts(no, flags) if no is not None else (frozenset(), True)
        return chars | other, yes_empty or no_empty
    return _EVERY, True  # back-references and anything else


def _class_chars(members: Any, flags: int) -> frozenset[str]:
    """The ASCII characters a `[...]` class matches."""
    chars: set[str] = set()
    negated = False
    for op, arg in members:
        if op == sre.NEGATE:
            negated = True
        elif op == sre.LITERAL:
            chars |= _literal_chars(arg, flags)
        elif op == sre.RANGE and not flags & re.IGNORECASE:
            chars.update(_ASCII[arg[0] : arg[1] + 1])
        elif op == sre.RANGE:
            chars |= _matching(f"[{re.escape(chr(arg[0]))}-{re.escape(chr(arg[1]))}]", flags)
        elif op == sre.CATEGORY and arg in _CATEGORIES:
            chars |= _matching(_CATEGORIES[arg], flags)
        else:
            raise ValueError(f"unknown class member {op}")
    return _EVERY - chars if negated else frozenset(chars)


def _literal_chars(code: int, flags: int) -> frozenset[str]:
    if not flags & re.IGNORECASE:
        return frozenset(_ASCII[code : code + 1])
    return _matching(re.escape(chr(code)), flags)


@functools.cache
def _matching(pattern: str, flags: int) -> frozenset[str]:
    """The ASCII characters a one-character regex matches, asked of the regex engine itself, so
    case folding (`(?i)ſ` matches `s`) is exactly Python's."""
    compiled = re.compile(pattern, flags & _CASE_AND_CLASS_FLAGS)
    return frozenset(char for char in _ASCII if compiled.fullmatch(char))
