"""blog.rawhtml on strings: stashed HTML put back in one pass gives Python-Markdown's HTML."""

from __future__ import annotations

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.extensions.md_in_html import MarkdownInHTMLPostprocessor
from markdown.postprocessors import RawHtmlPostprocessor

from blog import markup, rawhtml
from sitekit import assert_converts_alike


def stock_markdown() -> markdown.Markdown:
    """The post's Markdown with the registered raw HTML pass left as it is."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rawhtml.FlatRawHtmlExtension, "extendMarkdown", lambda self, md: None)
        return markup._markdown()


def test_the_posts_markdown_restores_raw_html_in_one_pass() -> None:
    restorer = markup._markdown().postprocessors["raw_html"]
    assert isinstance(restorer, rawhtml.FlatRawHtml) and isinstance(restorer, MarkdownInHTMLPostprocessor)
    assert type(stock_markdown().postprocessors["raw_html"]) is MarkdownInHTMLPostprocessor


def test_a_replaced_run_is_left_alone() -> None:
    class Own(RawHtmlPostprocessor):
        def run(self, text: str) -> str:
            return text

    md = markdown.Markdown()
    md.postprocessors.register(Own(md), "raw_html", 30)
    rawhtml.FlatRawHtmlExtension().extendMarkdown(md)
    assert type(md.postprocessors["raw_html"]) is Own


def test_plain_markdown_gets_the_one_pass_too() -> None:
    md = markdown.Markdown(extensions=[rawhtml.FlatRawHtmlExtension()])
    assert isinstance(md.postprocessors["raw_html"], rawhtml.FlatRawHtml)
    text = "<div>x</div>\n\na <b>b</b> &copy;\n"
    assert md.convert(text) == markdown.Markdown().convert(text)


@pytest.mark.parametrize(
    "text",
    [
        "<div>\n```python\nx = 1\n```\n</div>\n",  # a highlighted block's placeholder inside a raw HTML block
        '<div markdown="1">\n```python\nx = 1\n```\n</div>\n',  # the stash holds an element
    ],
)
def test_html_stashed_inside_stashed_html_is_restored_too(text: str) -> None:
    html = markup._markdown().convert(text)
    assert '<span class="mi">1</span>' in html and "\x02" not in html
    assert html == stock_markdown().convert(text)


def test_html_equals_python_markdowns_on_the_sample_and_test_sites() -> None:
    assert_converts_alike(markup._markdown(), stock_markdown())


PIECES = [
    "<div>\n", "</div>\n", '<div markdown="1">\n', "<span>s</span>", "<b>", "</b>", "<!-- c -->", "<!-- more -->\n",
    "&copy;", "&#35;", "```python\nx = '<p>'\n```\n", "    code <p>\n", "`<p>`", "text", "# H\n", "- item\n", "> q\n",
    "\n", "\n\n", "<p>raw</p>\n", "<hr>\n", "<br/>", "<https://a.b/>", "[^1]", "[^1]: note\n", "*em*", "\x02", "\x03",
]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_html_equals_python_markdowns_on_any_document(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert markup._markdown().convert(text) == stock_markdown().convert(text)


TEXT_PIECES = ["<p>", "</p>", "\x02wzxhzdk:0\x03", "\x02wzxhzdk:1\x03", "\x02wzxhzdk:9\x03", "\x02wzxhzdk:\x03", "\x02amp\x03",
               "\x02", "\x03", "x", "\n", "<p", "p>"]


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(TEXT_PIECES), max_size=16))
def test_one_pass_equals_python_markdowns_on_any_text(pieces: list[str]) -> None:
    """Placeholders alone in a paragraph or not, next to each other, unknown or not placeholders."""
    assert_one_pass_equals_python_markdowns("".join(pieces))


@pytest.mark.parametrize("text", ["\x02wzxhzdk:1\x03</p><p>", "p>\x02wzxhzdk:0\x03</p>", "<p>\x02wzxhzdk:0\x03</p><p>\x02wzxhzdk:1\x03</p>"])
def test_one_pass_equals_python_markdowns_at_the_edges(text: str) -> None:
    assert_one_pass_equals_python_markdowns(text)


def assert_one_pass_equals_python_markdowns(text: str) -> None:
    ours, theirs = markdown.Markdown(extensions=[rawhtml.FlatRawHtmlExtension()]), markdown.Markdown()
    for md in (ours, theirs):
        md.htmlStash.store("<div>block</div>")
        md.htmlStash.store("<b>inline</b>")
    assert ours.postprocessors["raw_html"].run(text) == theirs.postprocessors["raw_html"].run(text)
