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

_PLACEHOLDER = util.HTML_PLACEHOLDER % r"([0-9]+)"
_WRAPPED_OR_BARE = re.compile(f"<p>{_PLACEHOLDER}</p>|{_PLACEHOLDER}")


class FlatRawHtml(RawHtmlPostprocessor):
    """The one-pass `run`, mixed into the class of the registered pass (md_in_html registers a
    subclass that also puts back stashed elements). Where a piece is an element rather than
    text, or holds STX, the registered class's own `run` does the work."""

    def run(self, text: str) -> str:
        stash = self.md.htmlStash
        pieces = stash.rawHtmlBlocks
        if not stash.html_counter or any(not isinstance(piece, str) or util.STX in piece for piece in pieces):
            return super().run(text)

        def restore(match: re.Match[str]) -> str:
            wrapped = match.group(1) is not None
            key = int(match.group(1) if wrapped else match.group(2))
            if key >= stash.html_counter:
                return match.group(0)
            html = self.stash_to_string(pieces[key])
            return html if not wrapped or self.isblocklevel(html) else f"<p>{html}</p>"

        return _WRAPPED_OR_BARE.sub(restore, text)


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
