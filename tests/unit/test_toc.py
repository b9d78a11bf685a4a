"""The post's Markdown skips toc's HTML table of contents only where no `[TOC]` could ask for it."""

from __future__ import annotations

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.extensions.toc import TocTreeprocessor

from blog import markup
from sitekit import assert_converts_alike


def stock_markdown() -> markdown.Markdown:
    """The same instance, with Python-Markdown's own toc pass."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(markup._LeanTocExtension, "TreeProcessorClass", TocTreeprocessor)
        return markup._markdown()


def converted(md: markdown.Markdown, text: str) -> tuple[str, object]:
    return md.reset().convert(text), md.toc_tokens  # type: ignore[attr-defined]


def test_the_posts_markdown_has_the_lean_toc_pass() -> None:
    assert type(markup._markdown().treeprocessors["toc"]) is markup._LeanTocTreeprocessor
    assert type(stock_markdown().treeprocessors["toc"]) is TocTreeprocessor


def test_a_marker_paragraph_still_becomes_the_table_of_contents() -> None:
    text = "# One\n\n[TOC]\n\n## Two\n\ntext\n"
    html, tokens = converted(markup._markdown(), text)
    assert '<div class="toc">' in html and "[TOC]" not in html
    assert (html, tokens) == converted(stock_markdown(), text)


def test_without_the_marker_the_html_toc_is_not_made() -> None:
    md = markup._markdown()
    html, tokens = converted(md, "# One\n\n## Two\n")
    assert md.toc == "<div></div>"  # type: ignore[attr-defined]  # nothing reads it
    assert [token["id"] for token in tokens] == ["one"]  # type: ignore[index]
    assert 'id="two"' in html


def test_html_equals_python_markdowns_on_the_sample_and_test_sites() -> None:
    assert_converts_alike(markup._markdown(), stock_markdown())


LINES = [
    "[TOC]", "  [TOC]  ", "[TOC] {: .wide }", "\\[TOC\\]", "`[TOC]`", "[TO", "C]", "[toc]", "- [TOC]", "> [TOC]",
    "# [TOC]", "## Heading", "### Sub {#custom}", "Title", "===", "text", "*[TOC]: table", "[TOC]: /url", "", "",
    "<div markdown=\"1\">", "</div>", "```", "    [TOC]", "!!! note", "    [TOC]",
]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(LINES), max_size=25))
def test_html_and_tokens_equal_python_markdowns_on_any_document(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert converted(markup._markdown(), text) == converted(stock_markdown(), text)
