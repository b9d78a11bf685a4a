"""Python-Markdown's last step, putting stashed HTML back, in one pass when nothing is nested.

Python-Markdown stashes raw HTML, and pymdownx every highlighted code block, leaving a
placeholder in the text. At the end `RawHtmlPostprocessor` swaps each placeholder for its HTML
and then searches that HTML again for placeholders, because stashed pieces may hold others
(`md_in_html`). For a post that search runs over every code block, thousands of characters of
`<span>` tags, and never finds one. A placeholder begins with the character STX, so when no
stashed piece holds STX, the pieces are put back as they are: the same HTML, in one pass.
"""

from __future__ import annotations

import functools
import re

import markdown
from markdown import util
from markdown.extensions import Extension
from markdown.postprocessors import RawHtmlPostprocessor

_PLACEHOLDER = re.compile(util.HTML_PLACEHOLDER % r"([0-9]+)")


class FlatRawHtml(RawHtmlPostprocessor):
    """The one-pass `run`, mixed into the class of the registered pass (md_in_html registers a
    subclass that also puts back stashed elements). Where a piece is an element rather than
    text, or holds STX, the registered class's own `run` does the work.

    Placeholders are found by their first character, STX, which nothing else in the HTML holds
    but Python-Markdown's other placeholders: a search for STX skips the text between them, where
    a regex for `<p>` + placeholder + `</p>` or a placeholder alone stopped at every `<`.
    """

    def run(self, text: str) -> str:
        stash = self.md.htmlStash
        pieces = stash.rawHtmlBlocks
        if not stash.html_counter or any(not isinstance(piece, str) or util.STX in piece for piece in pieces):
            return super().run(text)

        out: list[str] = []
        done = 0  # the text before this is in `out`
        at = text.find(util.STX)
        while at != -1:
            found = _PLACEHOLDER.match(text, at)
            if found is None:
                at = text.find(util.STX, at + 1)
                continue
            start, end = at, found.end()
            wrapped = start >= 3 and text.startswith("<p>", start - 3) and text.startswith("</p>", end)
            if wrapped:  # alone in a paragraph: a block-level piece replaces the paragraph
                start, end = start - 3, end + 4
            key = int(found.group(1))
            if key < stash.html_counter:
                html = self.stash_to_string(pieces[key])
                out += (text[done:start], html if not wrapped or self.isblocklevel(html) else f"<p>{html}</p>")
                done = end
            at = text.find(util.STX, end)
        out.append(text[done:])
        return "".join(out)


@functools.cache
def _flat(kind: type[RawHtmlPostprocessor]) -> type[RawHtmlPostprocessor]:
    return type(f"Flat{kind.__name__}", (FlatRawHtml, kind), {})


class FlatRawHtmlExtension(Extension):
    """Gives the registered raw HTML pass the one-pass `run`, when its class runs Python-Markdown's
    own (the subclass only adds that method, so the pass keeps its state)."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        current = md.postprocessors["raw_html"]
        if isinstance(current, RawHtmlPostprocessor) and type(current).run is RawHtmlPostprocessor.run:
            current.__class__ = _flat(type(current))
