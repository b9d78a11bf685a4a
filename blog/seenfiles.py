"""Content files as a serving process last read them, read again only when their status changes.

A rebuild in `blog serve` reads every content file again (the watcher's events can miss or
merge changes, so they only say when to build, never what changed). At 1,000 posts that read
and digest were a third of a one-post rebuild. A file whose status (modification and change
times to the nanosecond, size, inode, device) is the same as when it was read still holds the
bytes read then, with one exception that git calls racy: a write in the same clock tick as the
read leaves the status as it was. So a file is trusted only once its change time is a few
seconds older than the read; the file just saved is always read again. The price is memory:
the bytes of every content file stay in the serving process (9 MB for the benchmark's 1,000
posts), about what their parsed posts take already.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from .cache import digest

RACY_SECONDS = 5.0  # more than the timestamp granularity of any file system (FAT's is 2 s)


@dataclass(frozen=True, slots=True)
class _Seen:
    status: tuple[int, ...]
    data: bytes
    digest: str
    trusted: bool  # the status was old enough when read to rule out a write in the same tick


def _status(path: Path) -> tuple[int, ...]:
    found = os.stat(path)
    return (found.st_mtime_ns, found.st_ctime_ns, found.st_size, found.st_ino, found.st_dev)


class SeenFiles:
    """`read` and `digest` of content files, remembered between the builds of one process."""

    def __init__(self) -> None:
        self._seen: dict[Path, _Seen] = {}
        self._digests: dict[int, tuple[bytes, str]] = {}  # id(data) → (data, digest) of bytes given out
        self._asked: set[Path] = set()  # files read since `forget_unread`

    def read(self, path: Path) -> bytes:
        """The file's bytes: those read before if its status has not changed since, and that
        status was old enough to trust; else read now."""
        self._asked.add(path)
        status = _status(path)
        seen = self._seen.get(path)
        if seen is not None and seen.trusted and seen.status == status:
            return seen.data
        data = path.read_bytes()
        trusted = time.time_ns() - status[1] > RACY_SECONDS * 1e9 and _status(path) == status
        seen = self._seen[path] = _Seen(status, data, digest(data), trusted)
        self._digests[id(data)] = (data, seen.digest)
        return data

    def digest(self, data: bytes) -> str:
        """`digest(data)`, without hashing bytes this object gave out."""
        known = self._digests.get(id(data))
        return known[1] if known is not None and known[0] is data else digest(data)

    def forget_unread(self) -> None:
        """Forget the files not read since the last call: the content folder no longer has them."""
        self._seen = {path: seen for path, seen in self._seen.items() if path in self._asked}
        self._digests = {id(seen.data): (seen.data, seen.digest) for seen in self._seen.values()}
        self._asked = set()
