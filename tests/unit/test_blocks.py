"""blog.blocks on strings: which characters a test needs, and HTML equal to Python-Markdown's."""

from __future__ import annotations

import re

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockQuoteProcessor, HashHeaderProcessor, HRProcessor, OListProcessor, ParagraphProcessor, ReferenceProcessor
from markdown.extensions.abbr import AbbrBlockprocessor
from markdown.extensions.admonition import AdmonitionProcessor
from markdown.extensions.footnotes import FootnoteBlockProcessor
from markdown.extensions.tables import TableProcessor

from blog import blocks, markup
from blog.blocks import ScreenedBlockParser, screen
from blog.regexchars import required_chars
from sitekit import assert_converts_alike


def sets(*groups: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(group) for group in groups)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"(?:^|\n)(?P<level>#{1,6})(?P<header>.*?)#*(?:\n|$)", sets("#")),
        (r"^.*?\n[=-]+[ ]*(\n|$)", sets("\n", "=-")),
        (r"(^|\n)[ ]{0,3}>[ ]?(.*)", sets(">")),
        (r"ab|c", sets("ac")),  # one character of either branch
        (r"(?=x)y", sets("x", "y")),  # what a lookahead must find is in the text too
        (r"(?<=x)y", sets("x", "y")),
        (r"(?!x)y", sets("y")),  # what a negative one must not find is not needed
        (r"(?>ab)", sets("a", "b")),
        (r"é", sets("é")),
    ],
)
def test_characters_a_regex_needs(pattern: str, expected: tuple[frozenset[str], ...]) -> None:
    assert required_chars(re.compile(pattern, re.MULTILINE)) == expected


@pytest.mark.parametrize("pattern", ["", r"a?", r"a*", r"\d+", r"[a-z]", r"[^a]", r".", r"(?i:a)", r"a|\d", r"(?:ab)?", r"(?!a)", r"(?P<x>a?)(?P=x)"])
def test_regexes_that_need_nothing_certain(pattern: str) -> None:
    assert required_chars(re.compile(pattern)) == ()


def test_ignoring_case_needs_nothing_certain() -> None:
    assert required_chars(re.compile("k", re.IGNORECASE)) == ()  # the Kelvin sign matches too


def parser() -> BlockParser:
    return markup._markdown().parser


def test_tests_that_search_or_match_their_regex_are_screened() -> None:
    found = {type(p): screen(p) for p in parser().blockprocessors}
    assert found[HashHeaderProcessor] == sets("#")
    assert found[BlockQuoteProcessor] == sets(">")  # `... and not nearing_recursion_limit()`
    assert found[OListProcessor] == sets(".", " ")
    assert found[HRProcessor] == sets("-_*")  # the lookahead holds the characters; `run` reads the match the test keeps
    assert found[TableProcessor] == sets("|")  # not a search, but known to need one


def test_a_test_that_goes_on_after_its_search_is_asked_the_rest() -> None:
    """Admonition's test also asks whether the block continues the admonition before it."""
    admonition = next(p for p in parser().blockprocessors if type(p) is AdmonitionProcessor)
    assert screen(admonition) == sets("!") and blocks.rest_of_test(admonition) is blocks._continues


def test_other_tests_are_always_asked() -> None:
    found = {type(p): screen(p) for p in parser().blockprocessors}
    assert found[ParagraphProcessor] == ()

    class Rewritten(HashHeaderProcessor):
        def test(self, parent: object, block: str) -> bool:
            return bool(self.RE.search(block)) or block.startswith("%")

    assert screen(Rewritten(parser())) == ()


def stock_markdown(monkeypatch: pytest.MonkeyPatch) -> markdown.Markdown:
    with monkeypatch.context() as patch:
        patch.setattr(blocks.ScreenedBlockExtension, "extendMarkdown", lambda self, md: None)
        return markup._markdown()


def test_the_posts_markdown_screens_its_block_processors(monkeypatch: pytest.MonkeyPatch) -> None:
    assert type(markup._markdown().parser) is ScreenedBlockParser
    assert type(stock_markdown(monkeypatch).parser) is BlockParser


def test_html_equals_python_markdowns_on_the_sample_and_test_sites(monkeypatch: pytest.MonkeyPatch) -> None:
    assert_converts_alike(markup._markdown(), stock_markdown(monkeypatch))


LINES = [
    "# H", "## H ##", "Title", "===", "---", "- a", "* b", "+ c", "1. one", "2) two", "> q", "> > qq", ">", "term", ": def",
    "!!! note", "!!! warning \"T\"", "    indented", "\tTab", "| a | b |", "|---|---|", "[^1]: note", "*[HTML]: markup",
    "[x]: /u", "***", "_ _ _", "<div markdown=\"1\">", "</div>", "```python", "```", "text # not a heading", "a: b",
    "a > b", "x - y", "> [^2]: quoted note", "- *[CSS]: in a list", "   [y]: /v 'T'", "[z]:/w", "    [^3]: indented", "[^", "*[", "]:", "a | b", "--- | ---", "|a", "|", "| - |", "x|", "-|-", "", "", "",
]


@pytest.mark.parametrize(
    "text",
    [
        "!!! note\n    First.\n\n    Second, the admonition's too.\n\n    Third.\n\nAfter.\n",
        "- item\n\n    !!! tip\n        Inside.\n\n        Still inside.\n",
        "!!! warning \"T\"\n    a\n\n***\n\n_ _ _\n\n- - -\n\ntext *em* and_under\n",
    ],
)
def test_html_equals_python_markdowns_on_admonitions_and_rules(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert markup._markdown().convert(text) == stock_markdown(monkeypatch).convert(text)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(LINES), max_size=30))
def test_html_equals_python_markdowns_on_any_blocks(lines: list[str]) -> None:
    """Also with and without footnote, abbreviation and reference definitions, which the
    screened parser does not look for in a document whose source cannot hold them."""
    text = "\n".join(lines)
    with pytest.MonkeyPatch.context() as patch:
        stock = stock_markdown(patch)
    assert markup._markdown().convert(text) == stock.convert(text)


def test_definitions_are_looked_for_only_in_documents_that_can_hold_them() -> None:
    kinds = {FootnoteBlockProcessor, AbbrBlockprocessor, ReferenceProcessor}
    assert blocks._undefined("Plain [text](url) and *emphasis*.") == kinds
    assert blocks._undefined("x[^1]") == kinds - {FootnoteBlockProcessor}
    assert blocks._undefined("*[HTML]: markup") == {FootnoteBlockProcessor}  # "]:" too
