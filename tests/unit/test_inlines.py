"""blog.inlines on strings: which characters a pattern needs, and HTML equal to Python-Markdown's."""

from __future__ import annotations

import re

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.treeprocessors import InlineProcessor

from blog import inlines, markup
from blog.inlines import ScreenedInlineProcessor
from blog.regexchars import literal_starts
from sitekit import assert_converts_alike


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\[", "["),
        (r"(?<!\!)\[", "["),  # a lookbehind only narrows
        (r"\*|_", "*_"),
        (r"[*_]{1,3}x", "*_"),
        (r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)", "\\`"),  # Python-Markdown's code span
        (r"(?=a)b", "b"),
        (r"(?>ab)", "a"),
        (r"é+", "é"),  # a literal beyond ASCII is a literal too
    ],
)
def test_patterns_that_spell_out_their_first_character(pattern: str, expected: str) -> None:
    assert literal_starts(re.compile(pattern)) == frozenset(expected)


@pytest.mark.parametrize(
    "pattern",
    ["", r"a?b", r"a*", r"(?=a)", r"\b", r"\w+", r"[^<]", r".", r"[a-z]", r"a|b?", r"(a)|\1", r"(?i:a)", r"^(.*?)\[(.*)$"],
)
def test_other_patterns_are_always_tried(pattern: str) -> None:
    assert literal_starts(re.compile(pattern)) is None


def test_ignoring_case_is_always_tried() -> None:
    assert literal_starts(re.compile("k", re.IGNORECASE)) is None  # the Kelvin sign matches too


def stock_markdown(monkeypatch: pytest.MonkeyPatch) -> markdown.Markdown:
    with monkeypatch.context() as patch:
        patch.setattr(inlines, "can_screen", lambda: False)
        return markup._markdown()


def test_the_posts_markdown_screens_its_inline_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    assert type(markup._markdown().treeprocessors["inline"]) is ScreenedInlineProcessor
    assert type(stock_markdown(monkeypatch).treeprocessors["inline"]) is InlineProcessor


def test_most_inline_patterns_are_screened() -> None:
    patterns = list(markup._markdown().inlinePatterns)
    screened = [p for p in patterns if inlines._screen(p)]
    assert len(screened) >= len(patterns) - 1, [type(p).__name__ for p in patterns if p not in screened]


def test_a_markdown_without_the_private_loop_keeps_the_stock_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(InlineProcessor, "_InlineProcessor__applyPattern")
    assert type(markup._markdown().treeprocessors["inline"]) is InlineProcessor


def test_html_equals_python_markdowns_on_the_sample_and_test_sites(monkeypatch: pytest.MonkeyPatch) -> None:
    assert_converts_alike(markup._markdown(), stock_markdown(monkeypatch))


PIECES = [
    *"`\\[]()!<>&*_~^=:{}#|-+.\n ",
    "  \n", "**", "__", "``", "\\`", "\\\\", "[^1]", "[^1]: note\n", "[x]", "[x]: /u\n", "![i](/p.png)", "[a](/b \"t\")",
    "<https://a.b/c>", "<a@b.c>", "<em>", "</em>", "<span class=\"x\">", "&amp;", "&#35;", "&copy;", "*a*", "_b_",
    "***c***", "`code`", "word", "é", "中", "\t", "    ", "> ", "1. ", "- ", "| a | b |\n|---|---|\n", "*[HTML]: markup\n",
    "```python\nx = 1\n```\n", "{#id}", "{: .c }", "<!-- more -->",
]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_html_equals_python_markdowns_on_any_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(inlines, "can_screen", lambda: False)
        stock = markup._markdown()
    assert markup._markdown().convert(text) == stock.convert(text)


def test_a_pattern_is_screened_by_every_character_its_matches_need() -> None:
    """The line break `  \\n` begins with a space, which nearly every text holds; it also needs a
    line break, which most texts lack."""
    linebreak = markup._markdown().inlinePatterns["linebreak"]
    assert inlines._screen(linebreak) == (frozenset(" "), frozenset("\n"))


def test_a_text_is_asked_only_for_the_characters_the_screens_name() -> None:
    screens = [(frozenset("["), frozenset("]")), (), (frozenset("*_"),)]
    assert inlines._alphabet(screens) == ("*", "[", "]", "_")


def test_screens_naming_too_many_characters_read_the_whole_text() -> None:
    assert inlines._alphabet([(frozenset(map(chr, range(48, 48 + inlines._LARGEST_ALPHABET + 1))),)]) is None


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_html_is_the_same_when_the_whole_text_is_read(pieces: list[str]) -> None:
    text = "".join(pieces)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(inlines, "_LARGEST_ALPHABET", 0)
        whole = markup._markdown().convert(text)
    assert markup._markdown().convert(text) == whole
