"""blog.markup on strings: highlighting, fence options, excerpts, TOC, template syntax, CSS."""

from __future__ import annotations

import re
import threading
import types
from html.parser import HTMLParser
from pathlib import Path

import html5lib
import markdown
from markdown.extensions.footnotes import FN_BACKLINK_TEXT, NBSP_PLACEHOLDER, FootnotePostprocessor
from markdown.extensions.attr_list import AttrListTreeprocessor
from markdown.extensions.md_in_html import HtmlBlockPreprocessor
from markdown.preprocessors import NormalizeWhitespace
from markdown.treeprocessors import UnescapeTreeprocessor
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blog.config import SiteConfig
from blog.config import MarkupOptions, options_from_config
from blog import lexing, markup, quickpasses
from blog.markup import render
from blog.model import Post, Rendered, TocItem
from sitekit import post_value

SOURCE = "content/posts/2024-05-01-tips.md"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def make_post(body: str, summary: str | None = None, body_line: int = 5) -> Post:
    return post_value(
        source=SOURCE,
        title="Tips",
        date=None,
        slug="tips",
        url="/blog/tips/",
        summary=summary,
        body=body,
        body_line=body_line,
    )


def rendered(body: str, summary: str | None = None, paragraphs: int = 1) -> Rendered:
    """Render a body that must produce no diagnostics at all."""
    result, diagnostics = render(make_post(body, summary), MarkupOptions(excerpt_paragraphs=paragraphs))
    assert diagnostics == ()
    return result


def code_of(html: str) -> str:
    """The inside of the first <code> element."""
    match = re.search(r"<code>(.*?)</code>", html, re.S)
    assert match, html
    return match.group(1)


class Balance(HTMLParser):
    """An independent check that every opened element is closed, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> with open {self.stack}")
        else:
            self.stack.pop()


def assert_well_formed(fragment: str) -> None:
    checker = Balance()
    checker.feed(fragment)
    checker.close()
    assert checker.errors == [] and checker.stack == [], (fragment, checker.errors, checker.stack)
    html5lib.HTMLParser(strict=True).parseFragment(fragment)  # raises on a parse error


def ids_in(fragment: str) -> list[str]:
    tree = html5lib.parseFragment(fragment, namespaceHTMLElements=False)
    return [element.get("id") for element in tree.iter() if element.get("id") is not None]


# --------------------------------------------------------------------------- highlighting


@pytest.mark.parametrize(
    ("language", "code", "expected"),
    [
        ("python", "def f():\n    return None", '<span class="k">def</span>'),
        ("pycon", ">>> 1 + 1\n2", '<span class="gp">&gt;&gt;&gt; </span>'),
        ("pytb", 'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\nValueError: bad',
         '<span class="gt">Traceback (most recent call last):</span>'),
        ("sql", "SELECT id FROM t;", '<span class="k">SELECT</span>'),
        ("bash", 'echo "hi"', '<span class="nb">echo</span>'),
        ("console", "$ ls -l\ntotal 0", '<span class="gp">$ </span>'),
        ("toml", '[tool]\nname = "x"', '<span class="k">[tool]</span>'),
        ("yaml", "a: 1", '<span class="nt">a</span>'),
        ("json", '{"a": 1}', '<span class="nt">"a"</span>'),
        ("html", "<p>x</p>", '<span class="nt">p</span>'),
        ("javascript", "let x = 1;", '<span class="kd">let</span>'),
    ],
)
def test_code_is_highlighted_with_css_classes(language: str, code: str, expected: str) -> None:
    html = rendered(f"Intro.\n\n```{language}\n{code}\n```\n").html
    assert '<div class="highlight"><pre>' in html
    assert expected in html
    assert "style=" not in html


@pytest.mark.parametrize("alias", ["PYTHON", "Python", "py", "python3", "{.python}", "{.PY #x}"])
def test_language_names_are_case_insensitive_aliases(alias: str) -> None:
    reference = code_of(rendered("```python\nimport os\nx = [1]\n```").html)
    assert '<span class="kn">import</span>' in reference
    assert code_of(rendered(f"```{alias}\nimport os\nx = [1]\n```").html) == reference


def test_unknown_language_is_plain_text_with_a_located_warning() -> None:
    body = "Intro.\n\nMore text.\n\n```xyz\nif a < b: pass\n```\n"
    result, diagnostics = render(make_post(body, body_line=7), MarkupOptions())
    assert [(d.path, d.line, d.severity, d.message) for d in diagnostics] == [
        (SOURCE, 11, "warning", "unknown code language 'xyz'; rendered as plain text")
    ]
    assert code_of(result.html) == "if a &lt; b: pass\n"


def test_unknown_languages_in_lists_and_quotes_are_each_reported() -> None:
    body = "1. Step\n\n    ```nope\n    x\n    ```\n\n> ```Nada\n> y\n> ```\n\n```python\nok\n```\n"
    _, diagnostics = render(make_post(body, body_line=1), MarkupOptions())
    assert [(d.line, d.message) for d in diagnostics] == [
        (3, "unknown code language 'nope'; rendered as plain text"),
        (7, "unknown code language 'Nada'; rendered as plain text"),
    ]


def test_fence_shown_inside_indented_code_is_not_a_fence() -> None:
    result = rendered("How to write a fence:\n\n    ```nope\n    x\n    ```\n")
    assert "```nope" in code_of(result.html)


def test_fence_without_language_is_plain_and_never_guessed() -> None:
    html = rendered("```\ndef f():\n    return '<b>'\n```\n").html
    assert code_of(html) == "def f():\n    return '&lt;b&gt;'\n"


def test_indented_code_is_plain_text() -> None:
    assert code_of(rendered("Text.\n\n    def f(): pass\n").html) == "def f(): pass\n"


def test_linenums_adds_classed_line_numbers() -> None:
    html = rendered('```python linenums="1"\na = 1\nb = 2\n```\n').html
    assert '<td class="linenos">' in html
    assert '<span class="normal">1</span>' in html and '<span class="normal">2</span>' in html
    assert '<span class="normal">3</span>' not in html
    html = rendered('```python linenums="41"\na = 1\n```\n').html
    assert '<span class="normal">41</span>' in html


def test_hl_lines_marks_exactly_those_lines() -> None:
    html = rendered('```python hl_lines="2 3"\nfirst = 1\nsecond = 2\nthird = 3\nfourth = 4\n```\n').html
    marked = re.findall(r'<span class="hll">(.*?)\n</span>', html)
    assert len(marked) == 2
    assert "second" in marked[0] and "third" in marked[1]


def test_title_is_an_escaped_caption_above_the_code() -> None:
    html = rendered('```python title="app/<main> & co.py"\nx = 1\n```\n').html
    caption = '<span class="filename">app/&lt;main&gt; &amp; co.py</span>'
    assert caption in html
    assert html.index(caption) < html.index("<pre>")


def test_highlighting_reads_no_style_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Code blocks are formatted with a style that has no rules, to save building a style sheet
    per block; this holds only while Pygments, writing CSS classes, never reads the style."""
    body = (
        '```python linenums="3" hl_lines="2" title="a.py"\nimport os\nx = [1, "s"]  # c\n```\n\n'
        "```sql\nSELECT 1;\n```\n\n```console\n$ ls\nfile\n```\n\n    indented = 1\n\n"
        "```\nplain <b>\n```\n"
    )
    plain = markup._markdown().convert(body)
    configs = markup._extension_configs

    def styled_configs() -> dict[str, dict[str, object]]:
        made = configs()
        made["pymdownx.highlight"]["pygments_style"] = "monokai"
        return made

    monkeypatch.setattr(markup, "_extension_configs", styled_configs)
    assert markup._markdown().convert(body) == plain
    assert '<span class="hll">' in plain and '<span class="normal">3</span>' in plain

def test_code_is_lexed_through_the_tables() -> None:
    """`blog.lexing` proves its tokens equal Pygments'; this checks highlighting goes through it."""
    lexing._tabled_kind.cache_clear()
    lexing._tabled.clear()
    lexing._uses.clear()
    rendered("```python\nx = 1\n```\n\n" * lexing.PLAIN_USES)
    assert lexing._tabled_kind.cache_info().currsize == 0  # a few blocks are not worth the tables
    rendered("```python\nx = 1\n```\n")
    assert lexing._tabled_kind.cache_info().currsize == 1  # the Python lexer's tabled class


def test_each_language_gets_one_lexer_per_process(monkeypatch) -> None:
    import pymdownx.highlight

    made: list[str] = []
    real = pymdownx.highlight.get_lexer_by_name
    monkeypatch.setattr(pymdownx.highlight, "get_lexer_by_name", lambda name, **options: made.append(name) or real(name, **options))
    monkeypatch.setattr(markup, "_lexers", {})
    first = rendered("```python\nx = 1\n```\n\n```sql\nSELECT 1;\n```\n\n```python\ny = 2\n```\n")
    again = rendered("```sql\nSELECT 2;\n```\n\n```python\nx = 1\n```\n")
    assert sorted(made) == ["python", "sql"]
    assert '<span class="n">y</span>' in first.html and '<span class="k">SELECT</span>' in first.html  # each block lexed
    assert '<span class="k">SELECT</span>' in again.html and '<span class="n">x</span>' in again.html


# --------------------------------------------------------------------------- template syntax


@pytest.mark.parametrize(
    "body",
    [
        "Use {{ x }} and {% y %} here.",
        "Ends with a tag\n{% y %}",
        "Ends with output\n{{ x }}",
        "*emph*{{ x }} and *emph*{% y %}",
        "# Heading {{ x }}",
        "## Heading {% y %}",
        "Jinja comment {# note #}",
        "| a | b |\n|---|---|\n| {{ x }} | {% y %} |",
    ],
)
def test_template_syntax_comes_out_literally(body: str) -> None:
    html = rendered(body).html
    for needle in ("{{ x }}", "{% y %}", "{# note #}"):
        assert needle not in body or needle in html, html
    tree = html5lib.parseFragment(html, namespaceHTMLElements=False)
    assert {name for element in tree.iter() for name in element.attrib} <= {"id"}, html


def test_template_syntax_in_code_comes_out_literally() -> None:
    html = rendered("```jinja\n{% for x in y %}{{ x }}{% endfor %}\n```\n\n`{{ x }}`").html
    text = re.sub(r"<[^>]+>", "", html)
    assert "{% for x in y %}{{ x }}{% endfor %}" in text and "{{ x }}" in text


def test_attribute_lists_still_work() -> None:
    html = rendered("# Title {#custom}\n\nPara\n{: .note }\n\n*e*{.x}").html
    assert '<h1 id="custom">Title</h1>' in html
    assert '<p class="note">Para</p>' in html
    assert '<em class="x">e</em>' in html


# --------------------------------------------------------------------------- excerpts


@pytest.mark.parametrize("marker", ["<!-- more -->", "<!--more-->", "<!--More-->", "<!--   MORE   -->", "<!--\tmore-->"])
def test_more_marker_variants_split_the_post(marker: str) -> None:
    result = rendered(f"First paragraph.\n\n{marker}\n\nSecond paragraph.")
    assert result.excerpt_html == "<p>First paragraph.</p>"
    assert result.has_more
    assert result.html == "<p>First paragraph.</p>\n<p>Second paragraph.</p>"


def test_more_marker_mid_paragraph_splits_inside_it() -> None:
    result = rendered("Intro text <!-- more --> and the rest.\n\nNext.")
    assert result.excerpt_html == "<p>Intro text </p>"
    assert result.has_more
    assert "more --" not in result.html and "Intro text  and the rest." in result.html


def test_more_marker_inside_fenced_code_is_ignored() -> None:
    body = "Para one.\n\n```html\n<!-- more -->\n```\n\nPara two.\n\n<!-- more -->\n\nPara three."
    result = rendered(body)
    assert '<span class="cm">&lt;!-- more --&gt;</span>' in result.html
    assert result.excerpt_html.startswith("<p>Para one.</p>")
    assert "Para two." in result.excerpt_html and "Para three." not in result.excerpt_html


def test_more_marker_inside_indented_and_inline_code_is_ignored() -> None:
    result = rendered("Write `<!-- more -->` like this:\n\n    <!-- more -->\n\nSecond paragraph.")
    assert result.html.count("&lt;!-- more --&gt;") == 2
    assert result.excerpt_html == "<p>Write <code>&lt;!-- more --&gt;</code> like this:</p>"
    assert result.has_more


def test_later_markers_vanish() -> None:
    result = rendered("One.\n\n<!-- more -->\n\nTwo <!-- more --> two.\n\n<!-- more -->\n\nThree.")
    assert result.html == "<p>One.</p>\n<p>Two  two.</p>\n<p>Three.</p>"
    assert result.excerpt_html == "<p>One.</p>"
    assert not re.search("[\ue000-\uf8ff]", result.html + result.excerpt_html)


def test_marker_at_the_end_means_no_more() -> None:
    result = rendered("Only this.\n\n<!-- more -->\n")
    assert result.excerpt_html == "<p>Only this.</p>" and not result.has_more


def test_marker_in_a_heading_keeps_its_id_and_toc_title() -> None:
    result = rendered("Intro.\n\n## Setting up <!-- more --> the tools\n\nBody.")
    assert '<h2 id="setting-up-the-tools">' in result.html
    assert result.toc == (TocItem(2, "setting-up-the-tools", "Setting up the tools"),)
    assert result.excerpt_html == "<p>Intro.</p>\n<h2>Setting up </h2>"


def test_marker_wins_over_summary() -> None:
    result = rendered("A.\n\n<!-- more -->\n\nB.", summary="The summary.")
    assert result.excerpt_html == "<p>A.</p>"


def test_summary_is_the_excerpt_when_there_is_no_marker() -> None:
    result = rendered("Body paragraph.", summary="A *short* summary[^n].\n\n[^n]: note")
    assert result.excerpt_html == "<p>A <em>short</em> summary.</p>"
    assert result.has_more


def test_first_paragraph_is_the_default_excerpt() -> None:
    result = rendered("First.\n\nSecond.\n\nThird.")
    assert result.excerpt_html == "<p>First.</p>" and result.has_more
    result, _ = render(make_post("First.\n\nSecond.\n\nThird."), MarkupOptions(excerpt_paragraphs=2))
    assert result.excerpt_html == "<p>First.</p>\n<p>Second.</p>" and result.has_more


def test_one_paragraph_post_has_no_more() -> None:
    result = rendered("Just one paragraph, with **bold** text.")
    assert result.excerpt_html == result.html and not result.has_more


def test_default_excerpt_takes_lists_tables_and_code_whole() -> None:
    body = (
        "- first item\n\n- second item\n\n"  # a loose list: its <p>s are not top-level paragraphs
        "Para one.\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "```python\nx = 1\n\ny = 2\n```\n\n"
        "Para two.\n\nPara three."
    )
    excerpt = rendered(body, paragraphs=2).excerpt_html
    assert excerpt.startswith("<ul>") and excerpt.count("<li>") == 2
    assert "<td>2</td>" in excerpt and "</table>" in excerpt
    assert '<span class="n">y</span>' in excerpt and excerpt.endswith("<p>Para two.</p>")
    assert_well_formed(excerpt)


def test_default_excerpt_without_paragraphs_is_the_first_element() -> None:
    result = rendered("```python\nx = 1\n```\n\n- a\n- b")
    assert result.excerpt_html.startswith('<div class="highlight">') and "<ul>" not in result.excerpt_html
    assert result.has_more


def test_default_excerpt_of_a_long_post_is_found_early() -> None:
    long_code = "```python\n" + "value = compute(1, 2)\n" * 400 + "```\n\n"
    body = long_code + "The first paragraph.\n\n" + "More text here.\n\n" * 500
    result = rendered(body)
    assert result.excerpt_html.endswith("<p>The first paragraph.</p>")
    assert result.excerpt_html.count("value") == 400 and result.has_more
    assert rendered(long_code + "The only paragraph.").has_more is False


@pytest.mark.parametrize(
    "body",
    [
        "| a | b |\n|---|---|\n| 1 <!-- more --> | 2 |\n| 3 | 4 |",
        "- one\n- two <!-- more --> still two\n- three",
        "> quoted\n> text <!-- more --> more\n\nafter",
        "See [the *docs* <!-- more --> here](https://example.org).",
        "Some **bold <!-- more --> text** here.",
        '!!! note "Heads up"\n    Admonition text <!-- more --> continues.\n\nAfter.',
        "<div>\n<p>raw html</p>\n<!-- more -->\n<p>rest</p>\n</div>",
        "Term\n:   Definition <!-- more --> rest",
        "Text[^1] then <!-- more --> rest.\n\n[^1]: The note.",
    ],
)
def test_excerpt_cut_anywhere_is_well_formed(body: str) -> None:
    result = rendered(body)
    assert result.has_more
    assert_well_formed(result.excerpt_html)
    assert_well_formed(result.html)


def test_excerpt_has_no_ids_footnote_refs_or_notes() -> None:
    body = "# Title\n\nText[^1] with a note {#para-id}\n\n## Part\n\nMore[^2].\n\n[^1]: One.\n[^2]: Two."
    result = rendered(body, paragraphs=5)
    assert ids_in(result.html) and 'id="fnref:1"' in result.html
    assert ids_in(result.excerpt_html) == []
    assert "fnref" not in result.excerpt_html and "footnote" not in result.excerpt_html
    assert "<h1>Title</h1>" in result.excerpt_html and "<h2>Part</h2>" in result.excerpt_html
    assert "Text with a note" in result.excerpt_html
    assert_well_formed(result.excerpt_html)


def test_one_paragraph_with_a_footnote_has_more() -> None:
    result = rendered("Claim[^1].\n\n[^1]: Source.")
    assert result.excerpt_html == "<p>Claim.</p>" and result.has_more


# --------------------------------------------------------------------------- TOC and determinism


def test_toc_is_nested_plain_text() -> None:
    result = rendered("# Intro\n\n## Setup & *config*\n\n### Deep\n\n## Use `x`\n\n# Outro\n\n## Setup & *config*")
    assert result.toc == (
        TocItem(1, "intro", "Intro", (
            TocItem(2, "setup-config", "Setup & config", (TocItem(3, "deep", "Deep"),)),
            TocItem(2, "use-x", "Use x"),
        )),
        TocItem(1, "outro", "Outro", (TocItem(2, "setup-config_1", "Setup & config"),)),
    )


def test_toc_ids_keep_non_ascii_headings() -> None:
    assert rendered("## Überblick über 日本語").toc[0].id == "überblick-über-日本語"


def test_rendering_is_deterministic_and_independent_per_post() -> None:
    body = "# Title\n\nText[^1] and *[HTML]: x\n\n## Title\n\n```python\nx = 1\n```\n\n[^1]: Note.\n\n*[HTML]: HyperText"
    first = render(make_post(body), MarkupOptions())
    rendered("# Title\n\nOther[^1].\n\n[^1]: Other note.")  # must leave nothing behind
    assert render(make_post(body), MarkupOptions()) == first
    assert 'id="title_1"' in first[0].html and 'id="fn:1"' in first[0].html


def test_a_post_after_an_interrupted_render_comes_out_as_before() -> None:
    body = "# Title\n\nText[^1] and HTML.\n\n[^1]: Note.\n\n*[HTML]: HyperText"
    expected = render(make_post(body), MarkupOptions())
    _, problems = render(make_post("# Title\n\n" + "[a](" * 20_000), MarkupOptions(timeout=0.2))
    assert [d.message.startswith("rendering took longer") for d in problems] == [True]
    assert render(make_post(body), MarkupOptions()) == expected


def test_rendering_in_another_thread_gives_the_same_result() -> None:
    body = "# T\n\nIntro <!-- more --> rest.\n\n```nope\nx\n```\n"
    expected = render(make_post(body), MarkupOptions())
    results = []
    worker = threading.Thread(target=lambda: results.append(render(make_post(body), MarkupOptions())))
    worker.start()
    worker.join()
    assert results == [expected]
    assert expected[1][0].message.startswith("unknown code language")


# --------------------------------------------------------------------------- options and CSS


def test_options_from_config() -> None:
    config = SiteConfig(root=Path("."), excerpt_paragraphs=3, render_timeout=2.5)
    assert options_from_config(config) == MarkupOptions(excerpt_paragraphs=3, timeout=2.5)


# --------------------------------------------------------------------------- cutting at a token

TOKEN = "\ue000\ue001\ue000"


def regex_drop_token(text: str, token: str) -> str:
    """What `_drop_token` must give: the regex substitution it replaced."""
    return re.sub(rf"<p>\s*{re.escape(token)}\s*</p>\n?", "", text).replace(token, "").strip()


def regex_split_at(rendered: str, token: str) -> tuple[str, str, bool]:
    before, after = re.sub(rf"<p>\s*{re.escape(token)}\s*</p>", token, rendered).split(token, 1)
    return regex_drop_token(rendered, token), markup._clean_excerpt(before), re.fullmatch(r"(?:\s|</[^>]*>)*", after) is None


CUT_PIECES = ["<p>", "</p>", " ", "\n", "\t", "\u00a0", "\x1c", "\u3000", TOKEN, "x", "<em>", "</em>", "<p", "p>", "</div>"]


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(CUT_PIECES), max_size=16))
def test_cutting_at_a_token_equals_the_regex_substitution(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert markup._drop_token(text, TOKEN) == regex_drop_token(text, TOKEN)
    if TOKEN in text:
        assert markup._split_at(text, TOKEN) == regex_split_at(text, TOKEN)
        assert markup._split_at(text, TOKEN, markup._events(text)) == regex_split_at(text, TOKEN)


EXCERPT_PIECES = ["<p>", "</p>", "<div>", "</div>", "<script>", "</script>", '<h2 id="a">', "</h2>", "<br>", "<!-- c -->", "<!--", "-->",
                  "&amp;", "&", "&#12", ";", "<", ">", "<em", "x", " ", "\n", '<sup id="fnref:1">', "</sup>"]


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(EXCERPT_PIECES), max_size=20), st.integers(min_value=0), st.integers(min_value=1, max_value=4))
def test_leading_blocks_cleaned_from_their_events_equal_their_text_parsed_again(pieces: list[str], at: int, count: int) -> None:
    text = "".join(pieces)
    events = markup._events(text[: at % (len(text) + 1)])  # as `_leading_paragraphs` parses a prefix
    blocks = markup._top_level_blocks(events)[:-1][:count]
    if blocks:
        joined = "".join(event.raw for event in events[blocks[0].start : blocks[-1].end])
        assert markup._join_blocks(events, blocks) == markup._clean_excerpt(joined)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(EXCERPT_PIECES), max_size=16), st.integers(min_value=0))
def test_an_excerpt_from_the_events_of_longer_html_equals_one_parsed_on_its_own(pieces: list[str], at: int) -> None:
    text = "".join(pieces)
    end = at % (len(text) + 1)
    head = markup._events_before(markup._events(text), end)
    if head is not None:
        assert markup._clean_events(head) == markup._clean_excerpt(text[:end])


# --------------------------------------------------------------------------- code-language warnings


@pytest.mark.parametrize(
    "body",
    [
        "```nosuchlang\nx\n```\n",
        "> ```nosuchlang\n> x\n> ```\n",
        "\u3000```{.nosuchlang}\nx\n```\n",
        "- item\n\n    ~~~nosuchlang\n    x\n    ~~~\n",
    ],
)
def test_the_quick_language_check_finds_every_fence_the_scan_finds(body: str) -> None:
    assert [f.language for f in markup._scan(body).fences] == ["nosuchlang"]
    assert len(markup._language_warnings(body, "p.md", 1)) == 1


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["```", "~~~", "````", "nosuchlang", "python", " ", "    ", ">", "\t", "\n", "x", "`", "{.nosuchlang}", "- "]), max_size=20))
def test_language_warnings_are_those_of_every_fence_the_scan_finds(pieces: list[str]) -> None:
    body = "".join(pieces)
    expected = [f.line for f in markup._scan(body).fences if f.language and not markup._is_known_language(f.language)]
    assert [d.line - 1 for d in markup._language_warnings(body, "p.md", 1)] == expected


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["```", "~~~", "``", "~", "nosuchlang", " ", ">", "\t", "\n", "\r", "\u3000", "\x1c", "x", "{.a}"]), max_size=20))
def test_fence_like_lines_are_those_a_regex_search_of_the_body_finds(pieces: list[str]) -> None:
    body = "".join(pieces)
    assert sorted(set(markup._fence_like_infos(body))) == sorted({match.group(1) for match in markup._FENCE_LIKE.finditer(body)})


def test_block_level_answers_are_python_markdowns_and_follow_the_list_between_documents() -> None:
    md = markup._markdown()
    tags = ["p", "P", "div/", "span", "code", "pre", "details", "", 42]
    assert [md.is_block_level(tag) for tag in tags] == [markdown.Markdown.is_block_level(md, tag) for tag in tags]
    md.block_level_elements.append("span")
    md.reset()
    assert md.is_block_level("span")


def test_rendering_never_searches_installed_entry_points() -> None:
    """Every extension is given as a class, and the one superfences names is built directly:
    the entry-point search would load importlib.metadata in every render worker."""
    import subprocess
    import sys

    program = (
        "import sys\n"
        "from blog import markup, quickpasses\n"
        "markup.prepare()\n"
        "markup._render_job(markup._Job('p.md', '# T\\n\\n```python\\nx = 1\\n```\\n\\n| a |\\n|---|\\n| b |\\n', None, 1, 1))\n"
        "print('importlib.metadata' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.strip() == "False"


def test_superfences_gets_pymdownx_highlight_by_its_name() -> None:
    from pymdownx.highlight import HighlightExtension

    built = markup._markdown().build_extension("pymdownx.highlight", {"use_pygments": False})
    assert type(built) is HighlightExtension and built.getConfig("use_pygments") is False


# --------------------------------------------------------------------------- the first pass


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["", " ", "  ", "x", "x ", " x", "\t", " \t", "\r", "x\r", "\n", " \n", "\x02", "\x03", "é"]), max_size=6))
def test_the_quick_whitespace_pass_equals_python_markdowns(lines: list[str]) -> None:
    md = markdown.Markdown()
    assert quickpasses.QuickNormalizeWhitespace(md).run(list(lines)) == NormalizeWhitespace(md).run(list(lines))


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["", " ", "x", "<div>", "</div>", "<p>x</p>", "&amp;", "&#123", "&", "<", "<!-- c -->", "<?x?>", "\n"]),
                max_size=6))
def test_the_quick_raw_html_pass_equals_md_in_htmls(lines: list[str]) -> None:
    ours, theirs = markdown.Markdown(extensions=["md_in_html"]), markdown.Markdown(extensions=["md_in_html"])
    assert quickpasses.QuickHtmlBlockPreprocessor(ours).run(list(lines)) == HtmlBlockPreprocessor(theirs).run(list(lines))
    assert ours.htmlStash.rawHtmlBlocks == theirs.htmlStash.rawHtmlBlocks


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["\\", "\\\\", "`", "*", "_", "x", " ", "\n", "\n\n", "<b>", "&", "\x02", "65", "\x03", "[a](b)", "{: #x}", "# h",
                                 "```\n", "    "]), max_size=12))
def test_the_quick_unescape_pass_equals_python_markdowns(pieces: list[str]) -> None:
    source = "".join(pieces)
    stock = markup._markdown()
    stock.treeprocessors.register(UnescapeTreeprocessor(stock), "unescape", 0)
    assert markup._markdown().convert(source) == stock.convert(source)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["{", "}", "{: #x }", "{.c}", "{#i}", "{: a=b}", "# h", "x", " ", "\n", "\n\n", "- ", "| a | b |\n|---|---|\n",
                                 "*e*", "`{`", "```\n{: #c}\n```\n", "    {.d}\n", "> ", "term\n: def "]), max_size=12))
def test_the_quick_attribute_list_pass_equals_attr_lists(pieces: list[str]) -> None:
    source = "".join(pieces)
    stock = markup._markdown()
    attr_list = stock.treeprocessors["attr_list"]
    attr_list.run = types.MethodType(AttrListTreeprocessor.run, attr_list)  # the pass without the check
    assert markup._markdown().convert(source) == stock.convert(source)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["x", "&", "\x02", "\x03", "amp", markdown.util.AMP_SUBSTITUTE, FN_BACKLINK_TEXT, NBSP_PLACEHOLDER]), max_size=8))
def test_the_quick_placeholder_passes_equal_python_markdowns(pieces: list[str]) -> None:
    text = "".join(pieces)
    ours, theirs = markup._markdown(), markdown.Markdown(extensions=["footnotes"])
    for name in ("footnote", "amp_substitute"):
        assert ours.postprocessors[name].run(text) == theirs.postprocessors[name].run(text)


def test_documents_go_through_the_quick_passes() -> None:
    preprocessors = markup._markdown().preprocessors
    assert type(preprocessors["normalize_whitespace"]) is quickpasses.QuickNormalizeWhitespace
    assert type(preprocessors["html_block"]) is quickpasses.QuickHtmlBlockPreprocessor
    assert type(markup._markdown().treeprocessors["unescape"]) is quickpasses.QuickUnescapeTreeprocessor
    postprocessors = markup._markdown().postprocessors
    assert isinstance(postprocessors["footnote"], quickpasses.QuickPlaceholders) and isinstance(postprocessors["footnote"], FootnotePostprocessor)
    assert isinstance(postprocessors["amp_substitute"], quickpasses.QuickPlaceholders)
