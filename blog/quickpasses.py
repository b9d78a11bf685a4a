"""Python-Markdown's passes, left out of a document where they cannot change anything.

Several passes search the whole source or HTML, or visit every element, for something most
posts do not hold: tabs and space-only lines, raw HTML, backslash escapes, placeholders. A
cheap look for the characters that thing needs (one `in` each) shows when a pass would give its
input back unchanged, and then it is not run. Otherwise the stock pass runs, so the HTML is
always Python-Markdown's; tests compare each quick pass with the stock one on random documents.

The document's *prose*, the source once superfences has stashed its code blocks, is kept as
`md.prose` by the raw-HTML pass: all the text later passes find in the tree comes from it.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ElementTree

import markdown
from markdown import util
from markdown.extensions import Extension
from markdown.extensions.footnotes import FootnotePostprocessor
from markdown.extensions.md_in_html import HtmlBlockPreprocessor
from markdown.postprocessors import AndSubstitutePostprocessor, Postprocessor
from markdown.preprocessors import NormalizeWhitespace
from markdown.treeprocessors import UnescapeTreeprocessor


class QuickNormalizeWhitespace(NormalizeWhitespace):
    """Python-Markdown's first pass, left out where all it would do is add the two empty lines
    that end every document.

    It removes STX and ETX, ends every line in "\n", expands tabs, then empties each line of
    only spaces with a regex search that tries every position: 2% of a post's rendering. In a
    source without those characters, without " \n" and not ending in a space, no step finds
    anything to change.
    """

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        if source.endswith(" ") or " \n" in source or any(char in source for char in _NORMALIZED):
            return super().run(lines)
        return (source + "\n\n").split("\n")


_NORMALIZED = (util.STX, util.ETX, "\r", "\t")


class QuickHtmlBlockPreprocessor(HtmlBlockPreprocessor):
    """md_in_html's raw-HTML pass, left out for a source that holds neither "<" nor "&".

    It feeds the whole source through an HTML parser (2% of a post's rendering), which reports
    such a source as one run of text, and that is put back as it was. Code blocks are out of
    the source by then (superfences stashed them), so most posts hold neither character.

    That source is kept as the document's `prose`: all the text later passes find in the tree
    comes from it, or is the fixed text of extensions (footnotes' back links, headings' ids).
    """

    def run(self, lines: list[str]) -> list[str]:
        source = self.md.prose = "\n".join(lines)  # type: ignore[attr-defined]
        if "<" in source or "&" in source:
            return super().run(lines)
        return source.split("\n")


class QuickUnescapeTreeprocessor(UnescapeTreeprocessor):
    """Python-Markdown's last tree pass, left out for a document whose prose (see
    `QuickHtmlBlockPreprocessor`) holds no backslash.

    It puts back the characters that backslash escapes, and backslashes in code spans, were
    turned into (STX, the character's number, ETX), visiting the text, tail and attributes of
    every element: 1.4% of a post's rendering. Only a backslash makes such an escape, and the
    whitespace pass removed any STX the source held.
    """

    def run(self, root: ElementTree.Element) -> None:
        if "\\" in getattr(self.md, "prose", "\\"):
            super().run(root)


class QuickPlaceholders(Postprocessor):
    """A pass that only swaps placeholders for their text, left out for HTML without STX.

    Footnotes' pass and Python-Markdown's `&` pass each replace placeholders that begin with STX
    (footnotes' back link and no-break space, and `&`) by searching the whole HTML for them:
    about 5 µs per search in a benchmark post's 18 KB, where a search for the one character STX
    takes well under 1 µs, and finds none in most posts.
    """

    def run(self, text: str) -> str:
        return super().run(text) if util.STX in text else text


@functools.cache
def _quick_placeholders(kind: type[Postprocessor]) -> type[Postprocessor]:
    return type(f"Quick{kind.__name__}", (QuickPlaceholders, kind), {})


class QuickPassesExtension(Extension):
    """Python-Markdown's passes above, replaced by their quick forms (after md_in_html, whose
    raw-HTML pass replaced Python-Markdown's own, and footnotes, whose pass the placeholders'
    form joins as the pass's class, so it keeps its state)."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.preprocessors.register(QuickNormalizeWhitespace(md), "normalize_whitespace", 30)
        md.preprocessors.register(QuickHtmlBlockPreprocessor(md), "html_block", 20)
        md.treeprocessors.register(QuickUnescapeTreeprocessor(md), "unescape", 0)
        for name, kind in (("footnote", FootnotePostprocessor), ("amp_substitute", AndSubstitutePostprocessor)):
            if name in md.postprocessors and type(md.postprocessors[name]) is kind:
                md.postprocessors[name].__class__ = _quick_placeholders(kind)
