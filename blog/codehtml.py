"""Pygments tokens → the HTML of Pygments' `HtmlFormatter`, in one loop instead of its pipeline.

For each code block pymdownx makes a new `HtmlFormatter` and runs its chain of generators (one
per wrapping element, one yield per line, a `StringIO` write per line). For the tokens of the
benchmark's code blocks that took 80 µs per block, and this loop takes 50. Only the part that
follows the tokens is done here; everything that could differ between Pygments versions is asked
of Pygments:

* the tag each token type opens (`<span class="k">`, nothing for plain text) comes from
  formatting that token type alone;
* which characters are escaped, and how, comes from formatting each of `&<>"'` alone.

What remains is the layout Pygments documents for this formatter: a token's text, escaped, inside
its type's tag; neighbouring text of the same type on one line shares one tag; every tag is
closed before a line break, which stays outside the tags.
"""

from __future__ import annotations

import functools
from io import StringIO
from typing import Iterable

from pygments.formatters import HtmlFormatter
from pygments.style import Style
from pygments.token import Text, _TokenType

_PROBE = "\ue000"  # a private-use character: no lexer gives it meaning and no formatter escapes it


def code_html(tokens: Iterable[tuple[int, _TokenType, str]], style: type[Style] | str) -> str:
    """The lines of highlighted code that `HtmlFormatter(style=style)` writes for `tokens`
    (offset, type, text: what a lexer's `get_tokens_unprocessed` gives), without the elements
    it wraps them in: what its `nowrap=True` output is."""
    tags, escapes = _tags(style), _escapes(style)
    special = frozenset(char for char, _ in escapes)
    out: list[str] = []
    add = out.append
    open_tag = ""  # the tag of the run of text this line is in: "" when none is open
    for _, kind, value in tokens:
        if not value:
            continue
        tag = tags.get(kind)
        if tag is None:
            tag = tags[kind] = _opener(style, kind)
        if not special.isdisjoint(value):
            for char, escaped in escapes:
                value = value.replace(char, escaped)
        if "\n" in value:
            lines = value.split("\n")
            value = lines.pop()
            for part in lines:  # each ends a line, which closes any tag
                if part and tag != open_tag:
                    add(f"</span>{tag}" if open_tag else tag)
                    open_tag = tag
                add(f"{part}</span>\n" if open_tag else f"{part}\n")
                open_tag = ""
            if not value:
                continue
        if tag != open_tag:
            add(f"</span>{tag}" if open_tag else tag)
            open_tag = tag
        add(value)
    if out and not out[-1].endswith("\n"):  # Pygments ends the last line too
        add("</span>\n" if open_tag else "\n")
    return "".join(out)


def _format_alone(style: type[Style] | str, kind: _TokenType, text: str) -> str:
    out = StringIO()
    HtmlFormatter(nowrap=True, style=style).format([(kind, text)], out)
    return out.getvalue()


@functools.cache
def _tags(style: type[Style] | str) -> dict[_TokenType, str]:
    """The start tags of the token types met so far (a dict: cheaper to ask than a function)."""
    return {}


def _opener(style: type[Style] | str, kind: _TokenType) -> str:
    """The start tag Pygments writes before a token of type `kind`."""
    html = _format_alone(style, kind, _PROBE)
    return html[: html.index(_PROBE)]


@functools.cache
def _escapes(style: type[Style] | str) -> tuple[tuple[str, str], ...]:
    """(character, replacement) for each character Pygments escapes, `&` first."""
    found = []
    for char in "&<>\"'":
        html = _format_alone(style, Text, _PROBE + char + _PROBE)
        escaped = html[html.index(_PROBE) + 1 : html.rindex(_PROBE)]
        if escaped != char:
            found.append((char, escaped))
    return tuple(found)
