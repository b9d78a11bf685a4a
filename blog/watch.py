"""Watching a site's sources for the preview: which paths matter, and when a burst of saves is over.

Editors save in bursts (vim writes `4913`, renames `x.md` to `x.md~`, writes a new `x.md`, then
deletes the backup), so changes are gathered until the folders have been quiet for a moment and
the preview then builds once. The watching is done by watchfiles (Rust notify) in daemon threads
that only put filtered batches on a queue; the main thread, which builds, takes them from there.
Two watchers run side by side: the content, templates and theme folders recursively, and the site
root on its own level only, for the configuration file, so a large root (`.venv/`, `.git/`) costs
nothing and a configuration saved by rename is still seen.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from watchfiles._rust_notify import RustNotify

from .config import SiteConfig
from .content import is_ignored
from .errors import BuildError
from .themefiles import theme_dir

CONFIG_NAMES = ("blog.toml", "pyproject.toml")
# JetBrains IDEs save through `x___jb_tmp___` and keep `x___jb_old___` for a moment.
_IDE_SUFFIXES = ("___jb_tmp___", "___jb_old___")

# Rust notify gathers events for at most this long before handing a batch over (milliseconds).
_NOTIFY_DEBOUNCE_MS = 50
_NOTIFY_STEP_MS = 10

# A batch of changed paths (site-relative where possible, with `/`), or why watching stopped.
Batch = frozenset[str] | Exception


def is_editor_junk(name: str) -> bool:
    """Swap, backup, lock and probe files of editors and desktops: never a reason to rebuild."""
    return is_ignored(name) or name.endswith(_IDE_SUFFIXES)


@dataclass(frozen=True, slots=True)
class WatchTargets:
    """What to watch for one configuration of a site."""

    root: Path  # watched on its own level only
    folders: tuple[Path, ...]  # watched recursively, each an existing folder, sorted
    top_names: tuple[str, ...]  # entries directly in `root` whose change matters, sorted

    def relevant(self, path: str) -> bool:
        """True when a change at the absolute `path` can change the built site."""
        for folder in self.folders:
            relative = _relative_parts(path, folder)
            if relative:
                return not any(is_editor_junk(part) for part in relative)
        relative = _relative_parts(path, self.root)
        return relative is not None and len(relative) == 1 and relative[0] in self.top_names

    def shown(self, path: str) -> str:
        """`path` as the user knows it: relative to the site root when it is inside it."""
        relative = _relative_parts(path, self.root)
        return "/".join(relative) if relative else path

    def is_top_folder(self, shown: str) -> bool:
        """True for a shown path naming a top-level folder the recursive watcher depends on."""
        return "/" not in shown and shown in self.top_names and shown not in CONFIG_NAMES


def _relative_parts(path: str, folder: Path) -> tuple[str, ...] | None:
    """The parts of `path` below `folder`, () for the folder itself, None when it is outside."""
    base = str(folder)
    if path == base:
        return ()
    if not path.startswith(base.rstrip(os.sep) + os.sep):
        return None
    return tuple(part for part in path[len(base.rstrip(os.sep)) + 1 :].split(os.sep) if part)


def watch_targets(config: SiteConfig) -> WatchTargets:
    """Content, the site's templates and themes, and the theme in use (which may be packaged)."""
    root = Path(config.root).absolute()
    candidates = [root / config.content_dir, root / "templates", root / "themes"]
    try:
        candidates.append(theme_dir(config).absolute())
    except BuildError:
        pass  # an unknown theme is reported by the build; a new themes/<name>/ is seen via themes/
    existing = sorted({c for c in candidates if c.is_dir()})
    folders = tuple(f for f in existing if not any(f != o and f.is_relative_to(o) for o in existing))
    content_top = Path(config.content_dir).parts[0] if Path(config.content_dir).parts else "content"
    names = {config.config_path, *CONFIG_NAMES, content_top, "templates", "themes"}
    return WatchTargets(root=root, folders=folders, top_names=tuple(sorted(names)))


def gather(first: frozenset[str], next_batch: Callable[[float], Batch | None], quiet: float, longest: float,
           clock: Callable[[], float] = time.monotonic) -> frozenset[str] | Exception:
    """Merge batches after `first` until none came for `quiet` seconds or `longest` seconds passed.

    `next_batch(timeout)` returns a batch or None when `timeout` passed without one. The cap keeps
    a file that is rewritten without pause from postponing the preview for ever.
    """
    changed = set(first)
    deadline = clock() + longest
    while (left := deadline - clock()) > 0:
        batch = next_batch(min(quiet, left))
        if batch is None:
            break
        if isinstance(batch, Exception):
            return batch
        changed |= batch
    return frozenset(changed)


class Watcher:
    """Rust notify watchers in daemon threads, putting filtered batches of changes on one queue."""

    def __init__(self, targets: WatchTargets) -> None:
        self.targets = targets
        self._queue: queue.SimpleQueue[Batch] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._notifiers: list[RustNotify] = []

    def start(self) -> None:
        """Begin watching; returns once the watches are in place, so no later save is missed."""
        plans = [(list(map(str, self.targets.folders)), True), ([str(self.targets.root)], False)]
        for paths, recursive in plans:
            if paths:
                notifier = RustNotify(paths, False, False, 300, recursive, True)
                self._notifiers.append(notifier)
                thread = threading.Thread(target=self._run, args=(notifier,), name="blog-watch", daemon=True)
                self._threads.append(thread)
                thread.start()

    def _run(self, notifier: RustNotify) -> None:
        try:
            while not self._stop.is_set():
                raw = notifier.watch(_NOTIFY_DEBOUNCE_MS, _NOTIFY_STEP_MS, 0, self._stop)
                if isinstance(raw, str):
                    continue  # "stop" ends the loop above; "timeout"/"signal" do not apply here
                shown = frozenset(self.targets.shown(path) for _, path in raw if self.targets.relevant(path))
                if shown:
                    self._queue.put(shown)
        except Exception as exc:  # a watch that broke (a watched folder vanished, ...) is reported
            self._queue.put(exc)

    def get(self, timeout: float | None) -> Batch | None:
        """The next batch, or None when `timeout` seconds passed without one."""
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def take_over(self, previous: Watcher) -> None:
        """Carry over what `previous` queued but nobody read yet (when watching is restarted)."""
        while (batch := previous.get(0)) is not None:
            self._queue.put(batch)

    def request(self, batch: frozenset[str]) -> None:
        """Queue a batch that no file system event produced (a build the caller wants anyway)."""
        self._queue.put(batch)

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)
        for notifier in self._notifiers:
            notifier.close()
