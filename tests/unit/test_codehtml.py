"""blog.codehtml on tokens, and markup's plain code blocks: HTML equal to Pygments' and pymdownx's."""

from __future__ import annotations

from io import StringIO
from typing import Any

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import RawTokenLexer
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, String, Text, Token, Whitespace, _TokenType
from pymdownx.highlight import Highlight

from blog import markup
from blog.codehtml import code_html

KINDS = [Text, Whitespace, Keyword, Keyword.Constant, Name, Name.Function, Name.Other.Made.Up, String.Double, Comment.Single,
         Number.Integer, Operator, Error, Token]
VALUES = st.text(alphabet="ab \n\t&<>\"'é\ue000", max_size=12)


def located(tokens: list[tuple[_TokenType, str]]) -> list[tuple[int, _TokenType, str]]:
    """Tokens as `code_html` takes them, with offsets (which it does not read)."""
    return [(0, kind, value) for kind, value in tokens]


def pygments_lines(tokens: list[tuple[_TokenType, str]], style: Any = "default") -> str:
    out = StringIO()
    HtmlFormatter(nowrap=True, style=style).format(tokens, out)
    return out.getvalue()


@pytest.mark.parametrize(
    "tokens",
    [
        [],
        [(Text, "")],
        [(Keyword, "def"), (Text, " "), (Name.Function, "f")],  # no newline at the end: Pygments adds one
        [(String, "a\nb\n"), (String, "c")],  # a run is closed at each line end and reopened after it
        [(Name, "x"), (Name, "y\n"), (Name, "\n\nz"), (Text, "\n")],
        [(Comment, "<&>\"'")],
    ],
)
def test_lines_equal_pygments_formatter(tokens: list[tuple[_TokenType, str]]) -> None:
    assert code_html(located(tokens), "default") == pygments_lines(tokens)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(KINDS), VALUES), max_size=30))
def test_lines_equal_pygments_formatter_for_any_tokens(tokens: list[tuple[_TokenType, str]]) -> None:
    assert code_html(located(tokens), markup._NoRules) == pygments_lines(tokens, markup._NoRules)


CODE = st.text(alphabet="abdefinorstu \n\t_()[]{}:;,.=+-*/#'\"<>&\\0123456789é", max_size=200)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.sampled_from(["python", "sql", "bash", "text", "js"]), CODE)
def test_lines_equal_pygments_formatter_for_lexed_code(language: str, code: str) -> None:
    tokens = list(get_lexer_by_name(language).get_tokens(code))
    assert code_html(located(tokens), markup._NoRules) == pygments_lines(tokens, markup._NoRules)


LEXER_OPTIONS = [{}, {"stripall": True}, {"stripnl": False}, {"ensurenl": False}, {"tabsize": 4}, {"filters": ["whitespace"]}]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.sampled_from(["python", "sql", "console", "text", "raw"]), st.sampled_from(LEXER_OPTIONS), st.booleans(),
       st.text(alphabet="abdefin \n\r\t\ufeff:$#>()'\"", max_size=60))
def test_markups_tokens_are_the_lexers_tokens(language: str, options: dict[str, Any], upper: bool, code: str) -> None:
    lexer = RawTokenLexer(**options) if language == "raw" else get_lexer_by_name(language, **options)  # raw: its own get_tokens
    if upper:
        lexer.add_filter("keywordcase", case="upper")
    assert [(kind, value) for _, kind, value in markup._tokens(lexer, code)] == list(lexer.get_tokens(code))


# --------------------------------------------------------------------------- markup's code blocks


def highlighter() -> markup._TabledHighlight:
    return markup._TabledHighlight(markdown.Markdown(), pygments_style=markup._NoRules)


def stock_block(src: str, language: str, **options: Any) -> str:
    """What pymdownx's own `Highlight.highlight` makes of the block."""
    result: str = Highlight.highlight(highlighter(), src, language, "highlight", **options)
    return result


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.sampled_from(["python", "sql", "bash", "text", "", "no-such-language"]), CODE)
def test_a_plain_block_equals_pymdownxs(language: str, code: str) -> None:
    assert highlighter().highlight(code, language, "highlight", code_block_count=1) == stock_block(code, language, code_block_count=1)


PLAIN_OPTIONS = {"hl_lines": [], "linestart": -1, "linestep": -1, "linespecial": -1, "classes": [], "id_value": "", "attrs": {},
                 "title": None, "code_block_count": 3}


def test_superfences_options_of_a_plain_block_count_as_plain() -> None:
    assert highlighter()._is_plain("python", PLAIN_OPTIONS)
    assert highlighter()._is_plain("python", {**PLAIN_OPTIONS, "title": "  "})


@pytest.mark.parametrize(
    "changed",
    [{"hl_lines": [2]}, {"linestart": 1}, {"classes": ["x"]}, {"id_value": "a"}, {"attrs": {"data-x": "1"}},
     {"title": "a.py"}, {"inline": True}],
)
def test_any_other_block_goes_through_pymdownx(changed: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    assert not highlighter()._is_plain("python", {**PLAIN_OPTIONS, **changed})
    monkeypatch.setattr(markup, "code_html", lambda *args: pytest.fail("a block with options went through codehtml"))
    highlighter().highlight("x = 1\n", "python", "highlight", **{**PLAIN_OPTIONS, **changed})


@pytest.mark.parametrize("changed", [{"an_option_of_a_later_pymdownx": 1}, {"linestart": "1"}])
def test_options_not_understood_are_not_plain(changed: dict[str, Any]) -> None:
    assert not highlighter()._is_plain("python", {**PLAIN_OPTIONS, **changed})


@pytest.mark.parametrize(
    "setting",
    [{"use_pygments": False}, {"noclasses": True}, {"linenums": True}, {"auto_title": True}, {"pygments_lang_class": True},
     {"line_spans": "s"}, {"line_anchors": "a"}, {"anchor_linenums": True}],
)
def test_a_highlighter_set_up_otherwise_leaves_every_block_to_pymdownx(setting: dict[str, Any]) -> None:
    custom = markup._TabledHighlight(markdown.Markdown(), pygments_style=markup._NoRules, **setting)
    assert not custom._is_plain("python", PLAIN_OPTIONS)


def test_a_block_without_language_is_plain_unless_there_is_a_default() -> None:
    assert highlighter()._is_plain("", PLAIN_OPTIONS)
    assert not markup._TabledHighlight(markdown.Markdown(), default_lang="python")._is_plain("", PLAIN_OPTIONS)


def test_posts_code_blocks_are_written_by_codehtml(monkeypatch: pytest.MonkeyPatch) -> None:
    markup._frame(markup._NoRules, "highlight")  # made once per process, from a probe block
    calls: list[object] = []
    monkeypatch.setattr(markup, "code_html", lambda tokens, style: calls.append(tokens) or code_html(tokens, style))
    html = markup._markdown().convert("```python\nx = 1\n```\n\n```sql\nSELECT 1;\n```\n")
    assert len(calls) == 2
    assert html.startswith('<div class="highlight"><pre><span></span><code><span class="n">x</span>')
