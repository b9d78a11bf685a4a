"""Python-Markdown's block parser, skipping block processors whose test cannot pass.

For every block of a document (a paragraph, a heading, a list...), the parser asks each of its
block processors in turn whether the block is theirs, and most of those tests are a regex search
of the whole block: is there a `#` heading line, a `>` quote line, a `:` definition line? That
was a tenth of a post's rendering. A regex often needs certain characters to match at all
(`#` for a heading), so a block holding none of them is not offered to that processor: its test
could only have said no, and a test that says no changes nothing.

Only tests known to be exactly such a search or match are skipped: a processor's `test` must
compile to the same code as one of the forms below, so a test written any other way, in this
version of Python-Markdown or a later one, is always asked, and the HTML stays Python-Markdown's.
One form goes on after its search: admonition's test also asks whether the block is the
indented rest of the admonition before it, and for a block its regex cannot match, only that
question is asked.

The processors of footnote, abbreviation and link-reference definitions take every block and
search it themselves; they are left out of a document whose source holds none of their text.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Callable, Sequence

import markdown
from markdown import util
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor, ReferenceProcessor
from markdown.extensions.abbr import AbbrBlockprocessor
from markdown.extensions.footnotes import FootnoteBlockProcessor
from markdown.extensions.tables import TableProcessor
from markdown.extensions import Extension

from .regexchars import Needs, required_chars


# The forms of test that pass only when a regex matches the block. Their code is compared with
# each processor's, never called.
def _searches(self: Any, parent: Any, block: str) -> bool:
    return bool(self.RE.search(block))


def _matches(self: Any, parent: Any, block: str) -> bool:
    return bool(self.RE.match(block))


def _searches_unless_deep(self: Any, parent: Any, block: str) -> bool:
    return bool(self.RE.search(block)) and not util.nearing_recursion_limit()


# The horizontal rule's: the match is kept for its `run`, and nothing is kept without one.
def _searches_and_keeps(self: Any, parent: Any, block: str) -> bool:
    found = self.SEARCH_RE.search(block)
    if found:
        self.match = found
        return True
    return False


# A form whose search decides only when it finds: else the test asks `_continues` (is the block
# the indented rest of the admonition before it?), which is then asked without the search.
def _searches_or_continues(self: Any, parent: Any, block: str) -> bool:
    if self.RE.search(block):
        return True
    return self.parse_content(parent, block)[0] is not None


def _continues(self: Any, parent: Any, block: str) -> bool:
    return self.parse_content(parent, block)[0] is not None


def _code(function: Callable[..., Any]) -> tuple[Any, ...] | None:
    """What a function does: its instructions, names and constants (not its locals' names)."""
    code = getattr(function, "__code__", None)
    return None if code is None else (code.co_code, code.co_names, code.co_consts, code.co_argcount)


Rest = Callable[[Any, Any, str], bool]  # what a test asks when its regex cannot match

# Form → the processor attribute holding its regex, and what the test asks when that cannot match
# (None: nothing, the test fails).
_FORMS: dict[Any, tuple[str, Rest | None]] = {
    _code(_searches): ("RE", None),
    _code(_matches): ("RE", None),
    _code(_searches_unless_deep): ("RE", None),
    _code(_searches_and_keeps): ("SEARCH_RE", None),
    _code(_searches_or_continues): ("RE", _continues),
}


@functools.cache
def _form_of(test: Callable[..., Any]) -> tuple[str, Rest | None] | None:
    """The form a test is written in; asked for each processor whenever the parser starts on a
    run of blocks, so remembered."""
    return _FORMS.get(_code(test))


# Tests not written as a search that pass only for a block holding one of these characters: a
# table's first line splits into cells, or starts or ends with a border, at a "|".
_TEST_NEEDS: dict[type[BlockProcessor], Needs] = {TableProcessor: (frozenset("|"),)}


def screen(processor: BlockProcessor) -> Needs:
    """What a block must hold for the regex of `processor`'s test to match (or for a test of
    `_TEST_NEEDS` to pass); () when its test is always asked."""
    if type(processor) in _TEST_NEEDS:
        return _TEST_NEEDS[type(processor)]
    form = _form_of(type(processor).test)
    regex = getattr(processor, form[0], None) if form is not None else None
    return required_chars(regex) if isinstance(regex, re.Pattern) else ()


def rest_of_test(processor: BlockProcessor) -> Rest | None:
    """What `processor`'s test asks when its regex cannot match the block; None when nothing."""
    form = _form_of(type(processor).test)
    return None if form is None else form[1]


def _may_pass(needs: Needs, block: str) -> bool:
    """Whether `block` holds a character of each set (loops: generators cost more than the test)."""
    for chars in needs:
        for char in chars:
            if char in block:
                break
        else:
            return False
    return True


# Processors of definitions (footnotes, abbreviations, link references): each test passes every
# block, and each run searches the block for a definition and, finding none, puts the block back
# as it was and declines it. A definition holds this text, so a document whose source does not
# hold it gives them nothing to take. (Blocks are that source with line prefixes such as "> "
# taken off, which cannot join the text's characters.)
_DEFINED_BY: dict[type[BlockProcessor], str] = {FootnoteBlockProcessor: "[^", AbbrBlockprocessor: "*[", ReferenceProcessor: "]:"}


@functools.lru_cache(maxsize=4)
def _undefined(source: str) -> frozenset[type[BlockProcessor]]:
    """The processors of definitions that `source` cannot hold (see `_DEFINED_BY`).

    (`rfind`, not `in`: CPython's forward search for two characters took 7 µs in a 10 KB post,
    3 times as long.)"""
    return frozenset(kind for kind, text in _DEFINED_BY.items() if source.rfind(text) < 0)


class ScreenedBlockParser(BlockParser):
    """`BlockParser` whose loop over the block processors skips those whose test cannot pass,
    and those of definitions the document cannot hold."""

    def parseBlocks(self, parent: Any, blocks: list[str]) -> None:  # noqa: N802
        """Python-Markdown's loop: each block goes to the first processor whose test passes and
        whose run does not decline it."""
        source = getattr(self.md, "source", None)
        skipped = _undefined(source) if isinstance(source, str) else frozenset()
        processors: Sequence[tuple[BlockProcessor, Needs, Rest | None]] = [
            (p, screen(p), rest_of_test(p)) for p in self.blockprocessors if type(p) not in skipped
        ]
        while blocks:
            for processor, needs, rest in processors:
                if not needs or _may_pass(needs, blocks[0]):
                    passes = processor.test(parent, blocks[0])
                elif rest is not None:
                    passes = rest(processor, parent, blocks[0])
                else:
                    continue
                if passes and processor.run(parent, blocks) is not False:
                    break


class ScreenedBlockExtension(Extension):
    """Makes the parser of a Markdown instance a `ScreenedBlockParser`, when it is Python-Markdown's
    own: the subclass only replaces one method, so the parser keeps its state and processors."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        if type(md.parser) is BlockParser:
            md.parser.__class__ = ScreenedBlockParser
