"""Markdown + Pygments → HTML for one post: body, excerpt, table of contents, within a time budget.

Rendering is a pure function of the post's text and `MarkupOptions`, so its result can be cached.
Heading ids, footnote numbers and the abbreviation list must not leak from one post into the
next. Still, each thread keeps one `markdown.Markdown` instance and resets it before every
document, because building one with these extensions takes about 0.3 ms, some 5% of a typical
post's render; an instance whose conversion was interrupted is thrown away, never reused.

Time budget. Python-Markdown has inputs that take super-linear time (`'[a](' * 20_000` runs for
minutes) or recurse past the interpreter's limit (`'1. ' * 10_000`). `render` therefore runs the
work under a deadline and turns both failures into an error diagnostic naming the file:

* In the main thread it arms `signal.setitimer(ITIMER_REAL)` whose handler raises a private
  `BaseException` (so no `except Exception` inside a library can swallow it). Measured: CPython's
  regex engine checks for pending signals every few thousand steps, so even a backtracking
  pattern stuck inside `re` is interrupted; every R18 generator stops within milliseconds of the
  deadline. This costs nothing per post, which matters because most posts are small.
* Signals only reach the main thread, so elsewhere (a preview server rebuilding in a worker
  thread) the post is rendered in a child process (fork where available: no re-import, about a
  millisecond) that is killed when the deadline passes.
"""

from __future__ import annotations

import functools
import html
import multiprocessing
import re
import signal
import threading
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from html.parser import HTMLParser
from multiprocessing.connection import Connection
from typing import Any, Callable, Iterator, Mapping, Sequence

import markdown
from markdown.extensions.abbr import AbbrExtension
from markdown.extensions.admonition import AdmonitionExtension
from markdown.extensions.attr_list import AttrListExtension, AttrListTreeprocessor
from markdown.extensions.def_list import DefListExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.md_in_html import MarkdownInHtmlExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension, TocTreeprocessor, slugify_unicode
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.style import Style
from pygments.token import Text
from pygments.util import ClassNotFound
from pymdownx.highlight import Highlight, HighlightExtension
from pymdownx.superfences import SuperFencesCodeExtension

from .blocks import ScreenedBlockExtension
from .codehtml import code_html
from .config import MarkupOptions
from .errors import Diagnostic, error, warning
from .inlines import ScreenedInlineExtension
from .lexing import accelerated
from .model import NO_RENDERING, Post, PostText, Rendered, TocItem
from .quickpasses import QuickPassesExtension
from .rawhtml import FlatRawHtmlExtension


# --------------------------------------------------------------------------- Markdown instance

# Given as classes, not names: Python-Markdown looks a name up among installed entry points
# first, which loads importlib.metadata (about 20 ms in every render worker).
_EXTENSIONS: tuple[type[markdown.Extension], ...] = (
    SuperFencesCodeExtension,
    TableExtension,
    FootnoteExtension,
    AdmonitionExtension,
    DefListExtension,
    AbbrExtension,
    MarkdownInHtmlExtension,
)


class _NoRules(Style):
    """A style with no rules, for highlighting with CSS classes only.

    Pygments' `HtmlFormatter` turns its style into a style sheet when it is created, and
    pymdownx creates one for every code block: 0.15 ms each, a tenth of a cold build's CPU time
    when measured. With classes, the HTML it writes never reads that sheet; our colours come
    from `pygments_css`.
    """


_NoRules._styles = {}  # StyleMeta gave it every standard token; iterating it now yields none


def _extension_configs() -> dict[str, dict[str, Any]]:
    """A new dict per instance, because extensions keep a reference to what they are given."""
    return {
        # Never guess a language: a wrong guess colours prose as code and differs between
        # Pygments versions. Classes only, so the light and dark style sheets can switch.
        "pymdownx.highlight": {
            "guess_lang": False,
            "use_pygments": True,
            "noclasses": False,
            "pygments_style": _NoRules,
        },
        "toc": {"permalink": False, "slugify": slugify_unicode},
    }


# attr_list's `{...}` at the end of a block also matches template syntax that technical posts
# quote in prose (`{% raw %}`, `{{ x }}`, `{# note #}`) and turns it into attributes. This
# lookahead leaves those alone while `{#id}`, `{.class}` and `{: key=value }` keep working.
_TEMPLATE_SAFE_ATTRS = r"\{\:?[ ]*(?![%{]|#[^\}\n]*#[ ]*\})([^\}\n ][^\n]*)\}"


class _TemplateSafeAttrListTreeprocessor(AttrListTreeprocessor):
    """attr_list's pass with `_TEMPLATE_SAFE_ATTRS`, left out for a document whose prose (see
    `quickpasses`) holds no `{`: every attribute list does, and the pass searches the text of
    every element for one (1% of a post's rendering)."""

    BASE_RE = _TEMPLATE_SAFE_ATTRS
    HEADER_RE = re.compile(r"[ ]+{}[ ]*$".format(_TEMPLATE_SAFE_ATTRS))
    BLOCK_RE = re.compile(r"\n[ ]*{}[ ]*$".format(_TEMPLATE_SAFE_ATTRS))
    INLINE_RE = re.compile(r"^{}".format(_TEMPLATE_SAFE_ATTRS))

    def run(self, doc: ElementTree.Element) -> None:
        if "{" in getattr(self.md, "prose", "{"):
            super().run(doc)


class _TemplateSafeAttrListExtension(AttrListExtension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Registered under the standard name so superfences still sees attr_list as enabled.
        md.treeprocessors.register(_TemplateSafeAttrListTreeprocessor(md), "attr_list", 8)
        md.registerExtension(self)


class _TabledHighlight(Highlight):
    """pymdownx's highlighter, with lexers that try fewer rules per token (see `lexing`), each
    made once per process, and the HTML of plain blocks written by `codehtml`.

    pymdownx asks Pygments for a new lexer for every code block, a search of its lexer table
    (about 5% of a cold build's rendering). A lexer holds only its options, so one per
    language and options serves every block, as Sphinx's cache of lexers does too. With
    language guessing off, the source does not choose the lexer.
    """

    def get_lexer(self, src: str, language: str, inline: bool, stripnl: bool) -> tuple[Any, str]:
        key = (language, inline, stripnl)
        if key not in _lexers:
            _lexers[key] = super().get_lexer(src, language, inline, stripnl)
        lexer, name = _lexers[key]
        return accelerated(lexer), name

    def highlight(self, src: str, language: str, css_class: str = "highlight", **options: Any) -> Any:
        """A plain block (almost every one: no line numbers, marked lines, title, id, classes or
        attributes) has its tokens written by `codehtml`, inside the elements pymdownx puts
        around a plain block; any other goes through pymdownx as it is."""
        frame = _frame(self.pygments_style, css_class) if self._is_plain(language, options) else None
        if frame is None:
            return super().highlight(src, language, css_class, **options)
        lexer, _ = self.get_lexer(src, language, False, self.stripnl)
        return f"{frame[0]}{code_html(_tokens(lexer, src), self.pygments_style)}{frame[1]}"

    def _is_plain(self, language: str, options: Mapping[str, Any]) -> bool:
        """Whether pymdownx would write this block as Pygments' formatter alone writes it."""
        settings_plain = (
            self.use_pygments
            and not self.noclasses
            and not self.linenums
            and not self.auto_title
            and not self.pygments_lang_class
            and not self.line_spans
            and not self.line_anchors
            and (language or not self.default_lang)
        )
        start = options.get("linestart", -1)
        return bool(
            settings_plain
            and options.keys() <= _HIGHLIGHT_OPTIONS
            and not any(options.get(name) for name in ("inline", "hl_lines", "classes", "id_value", "attrs"))
            and not (options.get("title") or "").strip()
            and (start is None or (isinstance(start, int) and start <= 0))
        )


_lexers: dict[tuple[str, bool, bool], tuple[Any, str]] = {}  # see _TabledHighlight

# The keyword arguments of pymdownx's `Highlight.highlight` that `_is_plain` knows.
_HIGHLIGHT_OPTIONS = frozenset(
    "hl_lines linestart linestep linespecial inline classes id_value attrs title code_block_count".split()
)


@functools.lru_cache(maxsize=16)
def _frame(style: Any, css_class: str) -> tuple[str, str] | None:
    """What pymdownx writes before and after the lines of a plain block, read from its block of
    one line of plain text; None when those lines are not simply framed."""
    block = Highlight(None, pygments_style=style).highlight("probe", "text", css_class)
    before, found, after = block.partition(code_html([(0, Text, "probe")], style))
    return (before, after) if found and before and after else None


def _tokens(lexer: Lexer, src: str) -> Iterator[tuple[int, Any, str]]:
    """The tokens `lexer.get_tokens(src)` gives, with their offsets: what it wraps in one more
    generator, which drops the offsets and applies the lexer's filters.

    Without filters, that generator passes every token on as it is, and the lexer's own loop is
    asked directly for the text `get_tokens` would prepare. It costs about 60 ns per token, and
    Python code blocks have one token per 3 characters.
    """
    prepare = getattr(lexer, "_preprocess_lexer_input", None)  # Pygments' own step, since 2.15
    if lexer.filters or prepare is None or type(lexer).get_tokens is not Lexer.get_tokens:
        return ((0, kind, value) for kind, value in lexer.get_tokens(src))
    return lexer.get_tokens_unprocessed(prepare(src))


class _TabledHighlightExtension(HighlightExtension):
    def get_pymdownx_highlighter(self) -> type[Highlight]:
        # superfences highlights every fence with the class this returns
        return _TabledHighlight


class _LeanTocTreeprocessor(TocTreeprocessor):
    """toc's pass, making the table of contents as HTML only for a document that may ask for it.

    Pages list a post's headings from `toc_tokens`. toc also builds them as HTML, serializes
    that and runs every postprocessor on it, then searches the whole tree for a paragraph that
    is only the marker (`[TOC]`) to put it there: 2% of a post's rendering. A paragraph's text
    can be the marker only if the source holds the marker, so any other document skips both, and
    its `toc` attribute is an empty `<div>` that nothing reads.
    """

    def _may_hold_marker(self) -> bool:
        return bool(self.marker) and self.marker in getattr(self.md, "source", self.marker)

    def build_toc_div(self, toc_list: list) -> Any:
        if self._may_hold_marker():
            return super().build_toc_div(toc_list)
        return ElementTree.Element("div")

    def replace_marker(self, root: Any, elem: Any) -> None:
        if self._may_hold_marker():
            super().replace_marker(root, elem)


class _LeanTocExtension(TocExtension):
    TreeProcessorClass = _LeanTocTreeprocessor


class _Markdown(markdown.Markdown):
    """Python-Markdown, remembering which tags are block-level for the document at hand.

    Its passes ask that of almost every element, and each answer was a search of a list of some
    50 tag names (2% of a post's rendering). Answers are Python-Markdown's own, kept until the
    next `reset`, so a change to the list between documents is seen. It also keeps the source
    of the document it converts (`source`), which `_LeanTocTreeprocessor` reads, and its `prose`
    (the source, until `quickpasses` keeps the source without code blocks).
    """

    def __init__(self, **kwargs: Any) -> None:
        self._block_level: dict[Any, bool] = {}
        super().__init__(**kwargs)

    def convert(self, source: str) -> str:
        self.source = self.prose = source
        return super().convert(source)

    def build_extension(self, ext_name: str, configs: Mapping[str, Any]) -> markdown.Extension:
        """The one extension a name still asks for, without the entry-point search (see
        `_EXTENSIONS`): superfences names `pymdownx.highlight` to read its defaults, and
        pymdown-extensions registers no entry points, so its module's class is what it gets."""
        if ext_name == "pymdownx.highlight":
            return HighlightExtension(**configs)
        return super().build_extension(ext_name, configs)

    def reset(self) -> markdown.Markdown:
        self._block_level = {}
        return super().reset()

    def is_block_level(self, tag: Any) -> bool:
        known = self._block_level.get(tag)
        if known is None:
            known = self._block_level[tag] = super().is_block_level(tag)
        return known


def _markdown() -> markdown.Markdown:
    configs = _extension_configs()
    highlight = _TabledHighlightExtension(**configs.pop("pymdownx.highlight"))
    toc = _LeanTocExtension(**configs.pop("toc"))
    ours = [highlight, toc, _TemplateSafeAttrListExtension(), QuickPassesExtension(), ScreenedInlineExtension(),
            ScreenedBlockExtension(), FlatRawHtmlExtension()]
    return _Markdown(
        extensions=[*(kind() for kind in _EXTENSIONS), *ours],
        extension_configs=configs,
        output_format="html",
    )


class _IdleMarkdown(threading.local):
    """The calling thread's Markdown instance between two posts, or None while one is in use."""

    instance: markdown.Markdown | None = None


_idle = _IdleMarkdown()


def _borrow_markdown() -> markdown.Markdown:
    """A reset instance for this thread; the caller hands it back only after a clean conversion."""
    md, _idle.instance = _idle.instance, None
    return md.reset() if md is not None else _markdown()


def _return_markdown(md: markdown.Markdown) -> None:
    _idle.instance = md


def prepare() -> None:
    """Make this thread's Markdown instance before its first post (a worker does this while the
    build parses), so that post does not wait for the extensions to load."""
    _return_markdown(_borrow_markdown())


# --------------------------------------------------------------------------- source scan

_QUOTE_PREFIX = re.compile(r"^(?:[ ]{0,3}>[ ]?)+")
_LIST_ITEM = re.compile(r"^[ ]{0,3}(?:[*+-]|\d{1,9}[.)])(?:[ \t]|$)")
_FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_MORE = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Fence:
    line: int  # 0-based line of the opening fence in the body
    language: str


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where the body's code is, found line by line (Markdown's parser keeps no line numbers)."""

    fences: tuple[_Fence, ...]
    code_lines: frozenset[int]  # 0-based lines inside fenced or indented code, fences included


@functools.lru_cache(maxsize=256)  # a site's fences name a few languages, over and over
def _fence_language(info: str) -> str:
    """The language of a fence header: ```` ```lang opts ```` or ```` ```{.lang #id} ````."""
    info = info.strip()
    if info.startswith("{"):
        classes = [word[1:] for word in info.strip("{}").split() if word.startswith(".")]
        return classes[0] if classes else ""
    match = _LANGUAGE_NAME.match(info)
    return match.group(0) if match else ""


_LANGUAGE_NAME = re.compile(r"[\w#.+-]*")


def _scan(body: str, last_line: int | None = None) -> _Layout:
    """Find fences (with their languages) and code lines, as superfences and Markdown see them,
    in the whole body or up to its 0-based line `last_line`.

    Blockquote markers are stripped first; 4-space indented lines after a blank line are code
    unless they continue a list item.
    """
    fences: list[_Fence] = []
    code: set[int] = set()
    fence: str | None = None
    previous_blank, in_list, in_indented = True, False, False
    lines = body.split("\n")
    for number, raw in enumerate(lines if last_line is None else lines[: last_line + 1]):
        line = _QUOTE_PREFIX.sub("", raw, count=1) if ">" in raw[:4] else raw  # a quote marker starts early
        line = line.expandtabs(4) if "\t" in line else line
        stripped = line.strip()
        if fence is not None:
            code.add(number)
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                fence = None
            continue
        if not stripped:
            previous_blank = True
            continue
        indent = len(line) - len(line.lstrip(" "))
        in_indented = indent >= 4 and not in_list and (previous_blank or in_indented)
        if in_indented:
            code.add(number)
        elif (opening := _FENCE_OPEN.match(stripped)) and not (
            opening.group("fence")[0] == "`" and "`" in opening.group("info")
        ):
            fence = opening.group("fence")
            code.add(number)
            fences.append(_Fence(number, _fence_language(opening.group("info"))))
        elif _LIST_ITEM.match(line):
            in_list = True
        elif indent == 0 and previous_blank:
            in_list = False
        previous_blank = False
    return _Layout(tuple(fences), frozenset(code))


@functools.lru_cache(maxsize=256)  # Pygments looks names up by a linear scan of every lexer's aliases
def _is_known_language(language: str) -> bool:
    try:
        get_lexer_by_name(language)  # case-insensitive, knows every alias
    except ClassNotFound:
        return False
    return True


# Every line `_scan` could take for a fence, and more: after any quote markers and whitespace.
_FENCE_LIKE = re.compile(r"^[\s>]*(?:`{3,}|~{3,})(.*)$", re.MULTILINE)


def _fence_like_infos(body: str) -> Iterator[str]:
    """What follows the fence of every fence-like line: its lines are found by `str.find` of a
    fence, because a regex search for them tries every character of the body (2% of a render)."""
    for fence in ("```", "~~~"):
        at = body.find(fence) if fence[0] in body else -1  # one character is found far faster than three
        while at != -1:
            start = body.rfind("\n", 0, at) + 1
            end = body.find("\n", at)
            end = len(body) if end == -1 else end
            match = _FENCE_LIKE.match(body, start, end)
            if match is not None:
                yield match.group(1)
            at = body.find(fence, end)


def _language_warnings(body: str, source: str, body_line: int) -> tuple[Diagnostic, ...]:
    """A warning for each fence whose language Pygments does not know. The body is scanned
    only when some fence-like line names an unknown one (rare), to tell which lines are fences."""
    named = {_fence_language(info) for info in _fence_like_infos(body)}
    if all(_is_known_language(language) for language in named if language):
        return ()
    return tuple(
        warning(source, f"unknown code language '{f.language}'; rendered as plain text", body_line + f.line)
        for f in _scan(body).fences
        if f.language and not _is_known_language(f.language)
    )


# --------------------------------------------------------------------------- "more" markers

_MAX_MARKERS = 256


@dataclass(frozen=True, slots=True)
class _Markers:
    """Every `<!-- more -->` outside code, swapped for a unique private-use token before rendering.

    Tokens are plain text to Markdown, so a marker inside a paragraph splits that paragraph, and
    they contain no word characters, so a marker in a heading does not change the heading's id.
    """

    edge: str
    originals: tuple[str, ...]  # the marker text each token replaced, by token index
    pattern: re.Pattern[str]  # any token; group 1 is its index character

    def strip(self, text: str) -> str:
        return self.pattern.sub("", text) if self.originals else text


def _mark(body: str) -> tuple[str, _Markers]:
    """Replace markers on non-code lines by tokens; the render decides which one splits.

    Which lines are code is found only as far as the last line with a marker.
    """
    longest = max((len(run) for run in re.findall("\ue000+", body)), default=0) if "\ue000" in body else 0
    edge = "\ue000" * (longest + 1)
    pattern = _token_pattern(edge)
    originals: list[str] = []

    def swap(match: re.Match[str]) -> str:
        if len(originals) == _MAX_MARKERS:
            return match.group(0)
        originals.append(match.group(0))
        return f"{edge}{chr(0xE000 + len(originals))}{edge}"  # index i is chr(0xE001 + i)

    if not _MORE.search(body):  # a search of the whole body finds at least what one line holds
        return body, _Markers(edge, (), pattern)
    lines = body.split("\n")
    marked = [n for n, line in enumerate(lines) if "<!--" in line and _MORE.search(line)]
    code_lines = _scan(body, marked[-1]).code_lines if marked else frozenset()
    for n in marked:
        if n not in code_lines:
            lines[n] = _MORE.sub(swap, lines[n])
    return "\n".join(lines), _Markers(edge, tuple(originals), pattern)


def _token_pattern(edge: str) -> re.Pattern[str]:
    return re.compile(f"{re.escape(edge)}([\ue001-\ue100]){re.escape(edge)}")


# --------------------------------------------------------------------------- HTML events

_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
_CODE_CONTEXT = frozenset({"pre", "code", "kbd", "samp", "textarea"})
_RAW_CONTEXT = frozenset({"script", "style"})


@dataclass(frozen=True, slots=True)
class _Event:
    kind: str  # "start", "startend", "end", "data" or "other" (comments, entities, declarations)
    tag: str
    attrs: tuple[tuple[str, str | None], ...]
    raw: str  # the exact source text, so joining every event's raw gives the input back


class _Recorder(HTMLParser):
    """Cuts HTML into events that keep their source text, so untouched parts stay byte-identical."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[tuple[str, str, tuple[tuple[str, str | None], ...], tuple[int, int]]] = []

    def _add(self, kind: str, tag: str = "", attrs: list[tuple[str, str | None]] | None = None) -> None:
        self.found.append((kind, tag, tuple(attrs or ()), self.getpos()))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._add("start", tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._add("startend", tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self._add("end", tag)

    def handle_data(self, data: str) -> None:
        self._add("data")

    def handle_entityref(self, name: str) -> None:
        self._add("other")

    def handle_charref(self, name: str) -> None:
        self._add("other")

    def handle_comment(self, data: str) -> None:
        self._add("other")

    def handle_decl(self, decl: str) -> None:
        self._add("other")

    def handle_pi(self, data: str) -> None:
        self._add("other")

    def unknown_decl(self, data: str) -> None:
        self._add("other")


def _events(text: str) -> tuple[_Event, ...]:
    recorder = _Recorder()
    recorder.feed(text)
    recorder.close()
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    offsets = [line_starts[line - 1] + col for _, _, _, (line, col) in recorder.found] + [len(text)]
    return tuple(
        _Event(kind, tag, attrs, text[offsets[i] : offsets[i + 1]])
        for i, (kind, tag, attrs, _) in enumerate(recorder.found)
    )


def _start_tag(event: _Event, drop: str) -> str:
    """Rebuild a start tag without attribute `drop`; other tags keep their source text."""
    if not any(name == drop for name, _ in event.attrs):
        return event.raw
    attrs = "".join(
        f" {name}" if value is None else f' {name}="{html.escape(value)}"'
        for name, value in event.attrs
        if name != drop
    )
    return f"<{event.tag}{attrs}{' /' if event.kind == 'startend' else ''}>"


# --------------------------------------------------------------------------- excerpts


def _is_footnote_part(event: _Event) -> bool:
    attrs = dict(event.attrs)
    return (event.tag == "sup" and (attrs.get("id") or "").startswith("fnref")) or (
        event.tag == "div" and "footnote" in (attrs.get("class") or "").split()
    )


def _clean_excerpt(fragment: str) -> str:
    """Well-formed excerpt HTML: footnote references and lists dropped, ids removed, tags closed.

    Several excerpts share one list page, so ids would collide and footnote links would point at
    notes that are not there. Elements the cut left open are closed, or dropped when still empty.
    """
    return _clean_events(_events(fragment))


def _clean_events(events: Sequence[_Event]) -> str:
    """`_clean_excerpt` of the fragment these events were parsed from: callers that parsed it
    already pass their events, so an excerpt is parsed once."""
    out: list[str] = []
    stack: list[tuple[str, int]] = []  # open tag, index of its start tag in `out`
    skipping = 0  # depth inside a dropped footnote element
    for event in events:
        if skipping:
            if event.kind == "start" and event.tag not in _VOID:
                skipping += 1
            elif event.kind == "end":
                skipping -= 1
        elif event.kind in ("start", "startend") and _is_footnote_part(event):
            skipping = 1 if event.kind == "start" else 0
        elif event.kind == "start" and event.tag not in _VOID:
            stack.append((event.tag, len(out)))
            out.append(_start_tag(event, "id"))
        elif event.kind in ("start", "startend"):
            out.append(_start_tag(event, "id"))
        elif event.kind == "end":
            if any(tag == event.tag for tag, _ in stack):
                while stack:
                    tag, _ = stack.pop()
                    out.append(f"</{tag}>")
                    if tag == event.tag:
                        break
        else:
            out.append(event.raw)
    while stack:
        tag, start = stack.pop()
        if "".join(out[start + 1 :]).strip():
            out.append(f"</{tag}>")
        else:
            del out[start:]
    return "".join(out).strip()


@dataclass(frozen=True, slots=True)
class _Block:
    tag: str  # "#text" for loose text between elements
    start: int  # index of the first event
    end: int  # index after the last event


def _top_level_blocks(events: tuple[_Event, ...]) -> tuple[_Block, ...]:
    """The document's top-level elements, each whole, so a cut never lands inside one."""
    blocks: list[_Block] = []
    open_tags: list[str] = []
    start = 0
    for index, event in enumerate(events):
        if open_tags:
            if event.kind == "start" and event.tag not in _VOID:
                open_tags.append(event.tag)
            elif event.kind == "end" and event.tag in open_tags:
                while open_tags.pop() != event.tag:
                    pass
                if not open_tags:
                    blocks.append(_Block(events[start].tag, start, index + 1))
        elif event.kind == "start" and event.tag not in _VOID:
            start = index
            open_tags.append(event.tag)
        elif event.kind in ("start", "startend"):
            blocks.append(_Block(event.tag, index, index + 1))
        elif event.kind != "end" and event.raw.strip():  # stray end tags and blank text are no block
            blocks.append(_Block("#text", index, index + 1))
    if open_tags:
        blocks.append(_Block(events[start].tag, start, len(events)))
    return tuple(blocks)


_FIRST_PREFIX = 4096  # characters of HTML parsed first when looking for the leading paragraphs


def _leading_paragraphs(full_html: str, paragraphs: int) -> tuple[str, bool]:
    """Whole top-level elements up to the Nth paragraph (or the last one, or the first element).

    Parses a growing prefix of the HTML, because the opening paragraphs of a long post are
    usually in its first few kilobytes; the last block of a prefix may be cut off, so it only
    proves that more content follows.
    """
    size = _FIRST_PREFIX
    while size < len(full_html):
        events = _events(full_html[:size])
        certain = _top_level_blocks(events)[:-1]
        ends = [i + 1 for i, block in enumerate(certain) if block.tag == "p"]
        if len(ends) >= paragraphs:
            return _join_blocks(events, certain[: ends[paragraphs - 1]]), True
        size *= 4
    events = _events(full_html)
    blocks = _top_level_blocks(events)
    if not blocks:
        return "", False
    ends = [i + 1 for i, block in enumerate(blocks) if block.tag == "p"]
    count = ends[min(paragraphs, len(ends)) - 1] if ends else 1
    return _join_blocks(events, blocks[:count]), count < len(blocks)


def _join_blocks(events: tuple[_Event, ...], blocks: tuple[_Block, ...]) -> str:
    """The clean excerpt of whole blocks. Their events are those a parse of their text would
    give: the first starts at the top level, where the parser is in its initial state, and the
    last ends a complete element."""
    return _clean_events(events[blocks[0].start : blocks[-1].end])


def _resolve_markers(rendered: str, markers: _Markers) -> tuple[str, str | None, tuple[_Event, ...] | None]:
    """Put markers that landed in code or attributes back as text; return the splitting token,
    and the events of the HTML's start up to past that token when the HTML came back unchanged
    (else None), for `_split_at`.

    The first token in running text is the split; later ones vanish like the HTML comment they
    were. Markers inside code come back escaped, exactly as Markdown would have shown them.
    Only the HTML up to the tag after the last token needs parsing.
    """
    if not markers.originals:
        return rendered, None, None
    pattern = markers.pattern
    last = max((match.end() for match in pattern.finditer(rendered)), default=0)
    if not last:
        return rendered, None, None
    cut = rendered.find(">", last) + 1 or len(rendered)
    out: list[str] = []
    context: list[str] = []
    split: str | None = None
    removed: list[str] = []

    def restore(raw: str, escape: bool) -> str:
        def original(match: re.Match[str]) -> str:
            text = markers.originals[ord(match.group(1)) - 0xE001]
            return html.escape(text) if escape else text

        return pattern.sub(original, raw)

    events = _events(rendered[:cut])
    for event in events:
        if event.kind == "start" and event.tag not in _VOID:
            context.append(event.tag)
        elif event.kind == "end" and event.tag in context:
            while context.pop() != event.tag:
                pass
        if event.kind != "data":
            out.append(restore(event.raw, escape=True))
        elif any(tag in _RAW_CONTEXT for tag in context):
            out.append(restore(event.raw, escape=False))
        elif any(tag in _CODE_CONTEXT for tag in context):
            out.append(restore(event.raw, escape=True))
        else:
            for match in pattern.finditer(event.raw):
                if split is None:
                    split = match.group(0)
                else:
                    removed.append(match.group(0))
            out.append(event.raw)
    head = "".join(out)
    if not removed and head == rendered[:cut]:
        return rendered, split, events
    result = head + rendered[cut:]
    for token in removed:
        result = _drop_token(result, token)
    return result, split, None


def _token_span(text: str, at: int, token: str) -> tuple[int, int]:
    """Where the token found at `at` is, with the `<p>` and `</p>` around it when it is alone
    in its paragraph (whitespace aside); str methods, not a regex search of the whole HTML."""
    start, end = at, at + len(token)
    while start and text[start - 1].isspace():  # str.isspace is what a regex's `\s` matches
        start -= 1
    while end < len(text) and text[end].isspace():
        end += 1
    if start >= 3 and text.startswith("<p>", start - 3) and text.startswith("</p>", end):
        return start - 3, end + 4
    return at, at + len(token)


def _drop_token(text: str, token: str) -> str:
    """Remove every copy of a token, with the paragraph around it (and its line break) when it
    was the only thing in it."""
    kept: list[str] = []
    cursor, at = 0, text.find(token)
    while at != -1:
        start, end = _token_span(text, at, token)
        if end > at + len(token) and text.startswith("\n", end):
            end += 1
        kept.append(text[cursor:start])
        cursor = end
        at = text.find(token, end)
    kept.append(text[cursor:])
    return "".join(kept).strip()


def _split_at(rendered: str, token: str, events: Sequence[_Event] | None = None) -> tuple[str, str, bool]:
    """(full HTML, excerpt HTML, has_more) for a post cut at a marker token. `events`, when
    given, are those of the start of `rendered` up to past the token."""
    start, end = _token_span(rendered, rendered.index(token), token)
    has_more = re.fullmatch(r"(?:\s|</[^>]*>)*", rendered[end:]) is None
    head = _events_before(events, start) if events is not None else None
    excerpt = _clean_events(head) if head is not None else _clean_excerpt(rendered[:start])
    return _drop_token(rendered, token), excerpt, has_more


def _events_before(events: Sequence[_Event], end: int) -> list[_Event] | None:
    """The events a parse of the first `end` characters would give: those that end by then,
    and the text `end` falls in, cut short; None when `end` falls inside anything else.

    A parse meets every tag before `end` as the longer parse did, except where `end` cuts a tag
    or a comment (the parse reads the start of one as text, then the tags inside it), or cuts
    the text of a script or style element (which a parse drops when the input ends in it).
    Text is only ever copied into an excerpt, so it may come in other pieces than a parse
    would cut it in.
    """
    head: list[_Event] = []
    offset = 0
    raw_text_in: str | None = None  # the script or style element whose text the parser is in
    for event in events:
        if offset + len(event.raw) > end:
            if offset < end:
                if event.kind != "data" or raw_text_in is not None:
                    return None
                head.append(_Event("data", "", (), event.raw[: end - offset]))
            return head
        if event.kind == "start" and event.tag in HTMLParser.CDATA_CONTENT_ELEMENTS:
            raw_text_in = event.tag
        elif event.kind == "end" and event.tag == raw_text_in:
            raw_text_in = None
        head.append(event)
        offset += len(event.raw)
    return head if offset == end else None


# --------------------------------------------------------------------------- one post, unbounded


@dataclass(frozen=True, slots=True)
class _Job:
    """What rendering needs from a `Post`; small and picklable for a child process."""

    source: str
    body: str
    summary: str | None
    body_line: int
    excerpt_paragraphs: int


@dataclass(frozen=True, slots=True)
class _Failed:
    message: str


_Outcome = tuple[Rendered, tuple[Diagnostic, ...]] | _Failed


def _toc(tokens: list[Mapping[str, Any]], markers: _Markers) -> tuple[TocItem, ...]:
    return tuple(
        TocItem(
            level=int(token["level"]),
            id=markers.strip(token["id"]),
            title=" ".join(markers.strip(html.unescape(token["name"])).split()),
            children=_toc(token["children"], markers),
        )
        for token in tokens
    )


def _render_job(job: _Job) -> _Outcome:
    try:
        text, markers = _mark(job.body)
        md = _borrow_markdown()
        rendered = md.convert(text)
        toc = _toc(md.toc_tokens, markers)  # type: ignore[attr-defined]
        rendered, split, events = _resolve_markers(rendered, markers)
        if split is not None:
            full, excerpt, has_more = _split_at(rendered, split, events)
        elif job.summary:
            full, excerpt, has_more = rendered, _clean_excerpt(md.reset().convert(job.summary)), True
        else:
            full = rendered
            excerpt, has_more = _leading_paragraphs(rendered, job.excerpt_paragraphs)
        _return_markdown(md)
    except RecursionError:
        return _Failed("Markdown nested too deeply to render (RecursionError); simplify this post")
    return Rendered(full, excerpt, has_more, toc), _language_warnings(job.body, job.source, job.body_line)


# --------------------------------------------------------------------------- time budget


class _Timeout(BaseException):
    """Raised by the alarm handler; a BaseException so library `except Exception` lets it through."""


def _timeout_message(timeout: float) -> str:
    return f"rendering took longer than {timeout:g} s; simplify this post or raise render_timeout"


def _run_with_alarm(job: _Job, timeout: float) -> _Outcome:
    """Main thread: interrupt the render with SIGALRM, then restore any timer set by the caller."""
    armed = True

    def on_alarm(signum: int, frame: object) -> None:
        if armed:
            # Raised inside a garbage-collector callback or a `__del__`, the exception is only
            # printed; the alarm comes again until the render has stopped.
            signal.setitimer(signal.ITIMER_REAL, 0.05)
            raise _Timeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    started = time.monotonic()
    outer_delay, outer_interval = 0.0, 0.0
    try:
        try:
            outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, timeout)
            return _render_job(job)
        finally:
            armed = False  # an alarm delivered from here on is ignored, not raised
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Timeout:
        return _Failed(_timeout_message(timeout))
    finally:
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
        if outer_delay:
            remaining = outer_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(remaining, 1e-3), outer_interval)


def _child(connection: Connection, job: _Job) -> None:
    connection.send(_render_job(job))
    connection.close()


def _run_in_child(job: _Job, timeout: float) -> _Outcome:
    """Other threads: render in a child process and kill it when the deadline passes."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, job), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            return _Failed(_timeout_message(timeout))
        try:
            outcome: _Outcome = receiver.recv()
            return outcome
        except EOFError:  # the child died before sending anything
            pass
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    return _Failed(f"the renderer process died (exit code {process.exitcode}); simplify this post")


def _can_use_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def render(post: Post | PostText, options: MarkupOptions) -> tuple[Rendered, tuple[Diagnostic, ...]]:
    """Render a post's body, excerpt and TOC; problems come back as diagnostics, never raised."""
    job = _Job(post.source, post.body, post.summary, post.body_line, options.excerpt_paragraphs)
    run: Callable[[_Job, float], _Outcome] = _run_with_alarm if _can_use_alarm() else _run_in_child
    outcome = run(job, options.timeout)
    if isinstance(outcome, _Failed):
        return NO_RENDERING, (error(post.source, outcome.message, post.body_line),)
    return outcome
