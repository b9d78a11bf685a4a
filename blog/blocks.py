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
"""

from __future__ import annotations

import functools
import re
from typing import Any, Callable, Sequence

import markdown
from markdown import util
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension

from .regexchars import Needs, required_chars


# The forms of test that pass only when the regex `RE` matches the block. Their code is compared
# with each processor's, never called.
def _searches(self: Any, parent: Any, block: str) -> bool:
    return bool(self.RE.search(block))


def _matches(self: Any, parent: Any, block: str) -> bool:
    return bool(self.RE.match(block))


def _searches_unless_deep(self: Any, parent: Any, block: str) -> bool:
    return bool(self.RE.search(block)) and not util.nearing_recursion_limit()


_FORMS = (_searches, _matches, _searches_unless_deep)


def _code(function: Callable[..., Any]) -> tuple[Any, ...] | None:
    code = getattr(function, "__code__", None)
    return None if code is None else (code.co_code, code.co_names, code.co_varnames, code.co_consts)


_FORM_CODES = frozenset(_code(form) for form in _FORMS)


@functools.cache
def _needs_of(test: Callable[..., Any], regex: Any) -> Needs:
    if not isinstance(regex, re.Pattern) or _code(test) not in _FORM_CODES:
        return ()
    return required_chars(regex)


def screen(processor: BlockProcessor) -> Needs:
    """What a block must hold for `processor`'s test to pass; () when it is always asked."""
    return _needs_of(type(processor).test, getattr(processor, "RE", None))


def _may_pass(needs: Needs, block: str) -> bool:
    """Whether `block` holds a character of each set (loops: generators cost more than the test)."""
    for chars in needs:
        for char in chars:
            if char in block:
                break
        else:
            return False
    return True


class ScreenedBlockParser(BlockParser):
    """`BlockParser` whose loop over the block processors skips those whose test cannot pass."""

    def parseBlocks(self, parent: Any, blocks: list[str]) -> None:  # noqa: N802
        """Python-Markdown's loop: each block goes to the first processor whose test passes and
        whose run does not decline it."""
        processors: Sequence[tuple[BlockProcessor, Needs]] = [(p, screen(p)) for p in self.blockprocessors]
        while blocks:
            for processor, needs in processors:
                if needs and not _may_pass(needs, blocks[0]):
                    continue
                if processor.test(parent, blocks[0]) and processor.run(parent, blocks) is not False:
                    break


class ScreenedBlockExtension(Extension):
    """Makes the parser of a Markdown instance a `ScreenedBlockParser`, when it is Python-Markdown's
    own: the subclass only replaces one method, so the parser keeps its state and processors."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        if type(md.parser) is BlockParser:
            md.parser.__class__ = ScreenedBlockParser
