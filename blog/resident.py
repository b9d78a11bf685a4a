"""What a long-running process (the preview server) keeps in memory from one build to the next.

The build cache on disk already spares a rebuild the Markdown of unchanged posts, but reading it
back still costs a decode per post, and a fresh template environment compiles every template
again. `blog serve` rebuilds after every save, so it keeps those results here: parsed posts and
renderings by the same content keys the disk cache uses, the compiled templates by the digest
of the templates and configuration, and the bytes of content files (see `seenfiles`). Keys are
digests of everything a value depends on, so a value found here is always the right one; each
build drops what it no longer uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, TypeVar

from .errors import Diagnostic
from .model import Post, Rendered
from .seenfiles import SeenFiles

if TYPE_CHECKING:
    import jinja2

Parsed = tuple[Post | None, tuple[Diagnostic, ...]]  # a source's post (None if it has none) and its problems
Renders = tuple[Rendered, tuple[Diagnostic, ...]]  # a post's rendering and its warnings

_Value = TypeVar("_Value")


class Resident:
    """Values a build can take from memory instead of the disk cache; one per serving process.

    Its owner keeps the output folder to itself (the preview's private folder), so the record of
    the files the last build left there (`outputs`) stands in for listing the folder again. A
    build takes that record out when it starts and puts a new one back only when it succeeds.
    """

    def __init__(self) -> None:
        self.parsed: dict[str, Parsed] = {}
        self.rendered: dict[str, Renders] = {}
        self._env: tuple[str, jinja2.Environment] | None = None
        self.outputs: dict[str, dict[str, list[int]]] = {}  # output folder's state key → its files as last written
        self.files = SeenFiles()  # content files as last read

    def env(self, key: str, make: Callable[[], jinja2.Environment]) -> jinja2.Environment:
        """The template environment for `key` (templates and configuration): compiled templates
        are reused until either changes."""
        if self._env is None or self._env[0] != key:
            self._env = (key, make())
        return self._env[1]

    def keep_parsed(self, keys: Iterable[str]) -> None:
        """Forget parsed sources that are not among `keys` (the current build's)."""
        _keep_only(self.parsed, keys)

    def keep_rendered(self, keys: Iterable[str]) -> None:
        """Forget renderings that are not among `keys` (the current build's).

        The table is changed in place: renderings read lazily later in the same build are
        added to it (see `rendering.CachedRendered`) and must still be there for the next build.
        """
        _keep_only(self.rendered, keys)


def _keep_only(table: dict[str, _Value], keys: Iterable[str]) -> None:
    wanted = set(keys)
    for key in [key for key in table if key not in wanted]:
        del table[key]
