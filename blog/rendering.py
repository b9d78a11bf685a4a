"""Every post's rendering for one build: from memory, from the cache, or made now.

A rendering found in memory or in the cache is used as it is (a cached one is decoded only if a
page reads it). The others, the misses, are made by `markup.render`: by a process pool on every
core when there are many; by one worker process when there are a few and this process has not
loaded Markdown and Pygments (loading them then overlaps with the rest of the build); else here.
Workers' results are streamed: `Renderings.start` submits the misses in the order the build will
need them, and a page that reads a rendering not made yet waits for that one only. So pages are
rendered and written while the workers are still at work, instead of after them.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from itertools import repeat
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Sequence

from .cache import BuildCache, decode_diagnostics, decode_rendered, digest, encode_diagnostics, encode_rendered, engine_key
from .config import MarkupOptions, SiteConfig, options_from_config
from .errors import Diagnostic, error
from .model import NO_RENDERING, Post, PostText, Rendered
from .resident import Renders, Resident

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

PARALLEL_THRESHOLD = 24  # fewer misses render in one worker or in-process: a pool costs more than it saves
MAX_WORKERS = 8
MAX_CHUNK = 16  # posts per task sent to a worker: small, so results arrive steadily and no worker idles long at the end

# progress(stage, done, total): called as work advances so the CLI can draw a bar.
Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """Default progress sink for callers that do not display progress."""


def render_keys(data_digests: Mapping[str, str], config: SiteConfig) -> dict[str, str]:
    """Each source's render key (source → key): everything the rendering of its post depends on.
    That is the markup settings in the config, and the path and bytes of the source (its digest
    in `data_digests`), of which the post's body, summary and body line are a pure function
    (they do not depend on the configuration), so it is known before the source is parsed."""
    options = repr(options_from_config(config))
    return {source: digest(engine_key(), "render", options, source, data) for source, data in data_digests.items()}


def _stored(keys: Sequence[str], store: BuildCache, memo: Mapping[str, Renders]) -> tuple[dict[str, Any], set[str]]:
    """The cached diagnostics of the renderings not in `memo`, and the keys whose rendering is
    cached with them: a rendering without its diagnostics counts as missing."""
    notes = store.get_many("notes", [key for key in keys if key not in memo])
    return notes, store.has_many("rendered", [key for key in keys if key in notes])


def start_workers(keys: Sequence[str], store: BuildCache, resident: Resident | None) -> Workers | None:
    """The workers for a build whose posts may have the render `keys` (one per source), started
    now; None leaves the choice to `Renderings.start`.

    A build calls this once it knows it is not fresh and before it parses anything, so that a
    worker loads Markdown and Pygments while this process parses and plans: after a cold
    build, a one-post edit's page used to wait for that. The sources without a rendering are
    the most misses the build can have (some may be drafts); it starts as many workers as
    `Renderings` would start for that many.
    """
    if renderer_loaded() or not _can_fork():
        return None
    memo = resident.rendered if resident is not None else {}
    _, cached = _stored(keys, store, memo)
    count = _worker_count(sum(1 for key in keys if key not in cached and key not in memo), loaded=False)
    return _start(count, "fork", _warm_worker) if count else None


def _worker_count(misses: int, loaded: bool) -> int:
    """How many worker processes make `misses` renderings; 0 makes them in this process, as
    when it has loaded Markdown and Pygments already."""
    cores = min(os.cpu_count() or 1, MAX_WORKERS)
    if misses >= PARALLEL_THRESHOLD and cores >= 2:
        return cores
    if not misses or loaded or cores < 2 or not _can_fork():
        return 0
    return 1


@dataclass(frozen=True, slots=True)
class Workers:
    """A process pool of `count` workers that render posts."""

    pool: ProcessPoolExecutor
    count: int


def _start(count: int, method: str, initializer: Callable[[int], None]) -> Workers:
    """`count` workers started now by `method`, each running `initializer` with this process's id."""
    import multiprocessing  # only a build that renders in workers pays for the pool's imports
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context(method), initializer=initializer, initargs=(os.getpid(),))
    pool.submit(os.getpid)  # the first task starts the workers
    return Workers(pool, count)


def render_post(post: Post | PostText, options: MarkupOptions) -> Renders:
    """`markup.render`, loading Markdown and Pygments on first use (in a worker: on its first post)."""
    from . import markup

    return markup.render(post, options)


def renderer_loaded() -> bool:
    """Whether this process has loaded Markdown and Pygments already (a preview server has)."""
    return "blog.markup" in sys.modules


def _can_fork() -> bool:
    """Forking is safe only while this process runs one thread."""
    import multiprocessing

    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


_PR_SET_PDEATHSIG = 1  # prctl option, from <linux/prctl.h>


def _die_with(parent: int) -> None:
    """A worker's first act: have Linux kill it when the build process dies, even by SIGKILL.

    Else a killed build's workers wait for work for ever: each holds its own copy of the
    pipe's writing end, so its reads never see the end of the input.
    """
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build died before the request was made
        os._exit(1)


def _warm_worker(parent: int) -> None:
    """`_die_with`, then load Markdown and Pygments and make this thread's Markdown instance
    before the first post arrives."""
    _die_with(parent)
    from . import markup

    markup.prepare()


class Renderings:
    """The renderings of one build's posts; `items` pairs each post with its own, in order.

    Misses are `PendingRendered` until `start` makes them. Use it as a context manager: leaving
    the block stops a pool that is still at work.
    """

    def __init__(
        self,
        posts: Sequence[Post],
        keys: Mapping[str, str],
        config: SiteConfig,
        store: BuildCache,
        resident: Resident | None = None,
        workers: Workers | None = None,
    ) -> None:
        """`keys` maps each post's source to its render key (see `render_keys`); `workers` are
        those `start_workers` started for this build, which this object now owns."""
        self._posts, self._config, self._store = posts, config, store
        self._progress: Progress = no_progress
        self._keys = [keys[post.source] for post in posts]
        self._memo: dict[str, Renders] = resident.rendered if resident is not None else {}
        notes, cached = _stored(self._keys, store, self._memo)
        self.misses = tuple(i for i, key in enumerate(self._keys) if key not in cached and key not in self._memo)
        self._known: dict[int, tuple[Diagnostic, ...]] = {}  # diagnostics of the posts that are no miss
        self._made: dict[int, Renders] = {}
        self._order: list[int] = []  # the misses in the order they are made
        self._positions: dict[str, int] = {}  # source → place in that order, for misses not made yet
        self._workers = workers
        self._stream: Iterator[Renders] | None = None
        self.items: list[tuple[Post, Rendered]] = []
        missing = set(self.misses)
        for i, (post, key) in enumerate(zip(posts, self._keys)):
            if i in missing:
                rendered: Rendered = PendingRendered(self, i)  # type: ignore[assignment]  # reads like a Rendered
            elif key in self._memo:
                rendered, self._known[i] = self._memo[key]
            else:
                self._known[i] = decode_diagnostics(notes[key])
                rendered = CachedRendered(store, key, post, config, self._known[i], self._memo)  # type: ignore[assignment]
            self.items.append((post, rendered))
        if resident is not None:
            resident.keep_rendered(self._keys)

    def __enter__(self) -> Renderings:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, first: Sequence[str] = (), progress: Progress | None = None) -> None:
        """Make the misses: those of the posts with sources `first` in that order, then the rest.

        Many go to a process pool on every core. A few are made here and now when this process
        has Markdown and Pygments loaded already (a preview server); else one forked worker
        makes them, so that loading those libraries overlaps with the rest of the build.
        Workers from `start_workers` are used as they are. A pool must start before any other
        thread does (it forks); its results are taken as pages read them, or by `finish`.
        """
        self._progress = progress or no_progress
        missing, index = set(self.misses), {post.source: i for i, post in enumerate(self._posts)}
        wanted = [index[source] for source in first if index.get(source) in missing]
        self._order = list(dict.fromkeys(wanted + list(self.misses)))
        if not self._order:
            return
        options = options_from_config(self._config)
        if self._workers is None:
            count = _worker_count(len(self._order), renderer_loaded())
            if count:
                self._workers = _start(count, "fork" if _can_fork() else "spawn", _die_with)
        if self._workers is None:
            for done, i in enumerate(self._order, start=1):
                self._keep(i, render_post(self._posts[i], options))
                self._progress("render", done, len(self._order))
            return
        portable = [PostText.of(self._posts[i]) for i in self._order]
        chunk = max(1, min(MAX_CHUNK, len(portable) // (self._workers.count * 4)))
        self._positions = {self._posts[i].source: n for n, i in enumerate(self._order)}
        self._stream = self._workers.pool.map(render_post, portable, repeat(options), chunksize=chunk)

    @property
    def in_workers(self) -> bool:
        """Whether worker processes are making renderings while this process goes on."""
        return self._stream is not None

    def position(self, source: str) -> int:
        """When the rendering of the post at `source` will be made, as a place in the pool's
        order; -1 when it is ready now."""
        return self._positions.get(source, -1)

    def result(self, index: int) -> Renders:
        """The rendering and warnings of post `index`, waiting for the pool to make it."""
        while index not in self._made:
            if self._stream is None:
                raise RuntimeError("a rendering was read before Renderings.start made it")
            try:
                made = next(self._stream)
            except Exception as exc:  # a worker died (killed, out of memory): every post still due fails
                self._lose_the_rest(exc)
                break
            self._keep(self._order[len(self._made)], made)
            self._progress("render", len(self._made), len(self._order))
        return self._made[index]

    def _lose_the_rest(self, exc: Exception) -> None:
        reason = f"the rendering process pool failed ({type(exc).__name__}: {exc}); build again, or report a bug"
        for i in self._order[len(self._made) :]:
            self._made[i] = (NO_RENDERING, (error(self._posts[i].source, reason, self._posts[i].body_line),))
        self.close()

    def finish(self) -> list[Diagnostic]:
        """Wait for every miss; then every post's diagnostics, in the posts' order."""
        for i in self.misses:
            self.result(i)
        self.close()
        return [d for i in range(len(self._posts)) for d in (self._made[i][1] if i in self._made else self._known[i])]

    def close(self) -> None:
        """Stop the pool, dropping work not started (after `finish`, there is none)."""
        if self._workers is not None:
            self._workers.pool.shutdown(wait=True, cancel_futures=True)
        self._workers, self._stream = None, None

    def _keep(self, index: int, made: Renders) -> None:
        """Record a new rendering, and cache it unless it failed (a time-out may not recur)."""
        self._made[index] = made
        rendered, found = made
        if not any(d.is_error for d in found):
            key = self._keys[index]
            self._store.put("rendered", key, encode_rendered(rendered))
            self._store.put("notes", key, encode_diagnostics(found))
            self._memo[key] = made


class _LaterRendered:
    """Reads like a `Rendered`, whose value `_load` fetches on first use."""

    __slots__ = ()

    def _load(self) -> Rendered:
        raise NotImplementedError

    html = property(lambda self: self._load().html)
    excerpt_html = property(lambda self: self._load().excerpt_html)
    has_more = property(lambda self: self._load().has_more)
    toc = property(lambda self: self._load().toc)


class PendingRendered(_LaterRendered):
    """A miss's `Rendered`; reading it waits until `Renderings` has made it."""

    __slots__ = ("_renderings", "_index")

    def __init__(self, renderings: Renderings, index: int) -> None:
        self._renderings, self._index = renderings, index

    def _load(self) -> Rendered:
        return self._renderings.result(self._index)[0]


class CachedRendered(_LaterRendered):
    """A post's `Rendered` in the cache, read on first use; behaves like the value it holds.

    Once read, it is also put in `memo` (a `Resident`'s renderings) with the post's warnings.
    Should the row have gone missing meanwhile (another process pruned it), the post is simply
    rendered again: the result is the same, since rendering is pure.
    """

    __slots__ = ("_store", "_key", "_post", "_config", "_found", "_memo", "_value")

    def __init__(
        self, store: BuildCache, key: str, post: Post, config: SiteConfig, found: tuple[Diagnostic, ...], memo: dict[str, Renders]
    ) -> None:
        self._store, self._key, self._post, self._config = store, key, post, config
        self._found, self._memo = found, memo
        self._value: Rendered | None = None

    def _load(self) -> Rendered:
        if self._value is None:
            data = self._store.get("rendered", self._key)
            if data is None:
                self._value = render_post(self._post, options_from_config(self._config))[0]
            else:
                self._value = decode_rendered(data)
            self._memo[self._key] = (self._value, self._found)
        return self._value


def production_order(needs: Sequence[Sequence[str]], renderings: Renderings) -> list[int]:
    """Indexes of routes, given the sources of the posts each one shows, in the order those
    posts' renderings will be ready (their own order among equals): a page is then made as soon
    as the pool has made what it shows."""

    def ready_at(sources: Sequence[str]) -> int:
        return max((renderings.position(source) for source in sources), default=-1)

    return sorted(range(len(needs)), key=lambda i: (ready_at(needs[i]), i))
