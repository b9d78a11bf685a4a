"""Write the built site into its output folder: staged beside it, then swapped in whole.

Staging means a build that fails or is killed leaves the previous site exactly as it was, and a
reader (the preview server, a web server) never sees a half-written tree. Files whose bytes did
not change are hard links to the old ones, so they keep their inode and mtime and rsync, browser
caches and mtime-based tools see them as untouched. A build hands its pages over while it still
renders the rest, and a background thread stages them, so the disk work overlaps the rendering.

Every build also writes a marker file, `.blog-build`, so a later build can tell its own previous
output from a folder it must never replace, and a manifest, `.blog-manifest.json` (every output
path with its sha256 and size), staged with the tree, so `blog publish --no-build` can prove that
`output/` holds one complete build and nothing else. Neither is counted in `WriteStats`.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import queue
import re
import shutil
import stat
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from .errors import BuildError, Diagnostic, error
from .model import Output

KEEP = (".git", "CNAME", ".nojekyll")
MARKER = ".blog-build"
MARKER_DATA = b"Written by blog: this folder is replaced whole on every build.\n"
MANIFEST = ".blog-manifest.json"
MANIFEST_VERSION = 1
RECORD_VERSION = 1  # of the record kept beside a retained tree (see `_record_of`)
FILE_MODE = 0o644
DIR_MODE = 0o755

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_NO_EXCHANGE = (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP)


@dataclass(frozen=True, slots=True)
class WriteStats:
    """Files of this build written fresh, kept as they were, and old files that disappeared.

    Only the build's own outputs count: the marker file and kept entries (`.git`, ...) do not.
    `files` describes what the new output holds, as `freshness.output_record` would read it back
    (kept entries aside), so the caller need not walk the tree it was just handed.
    """

    written: int
    unchanged: int
    removed: int
    files: Mapping[str, list[int]] = field(default_factory=dict, compare=False)


# ---------------------------------------------------------------------------------------------
# Guarding the output folder


def check_output_dir(out_dir: Path, site_root: Path, content_dir: Path) -> None:
    """Refuse an output folder whose replacement would destroy something that is not a build.

    Relative paths resolve against the current directory, symlinks are followed.
    """
    out = out_dir.resolve()
    problem = _danger(out, site_root.resolve(), content_dir.resolve(), _home()) or _foreign(out, KEEP)
    if problem is not None:
        raise BuildError([_refusal(out_dir, out, problem)])


def _danger(out: Path, site: Path, content: Path, home: Path | None) -> str | None:
    """Why `out` is a folder no build may replace, judged from where it sits; None if it is fine."""
    checks = (
        (out.parent == out, "it is the filesystem root"),
        (out == home, "it is your home folder"),
        (out == site, "it is the site folder"),
        (site.is_relative_to(out), "it contains the site folder"),
        (out == content, "it is the content folder"),
        (content.is_relative_to(out), "it contains the content folder"),
        (out.is_relative_to(content), "it is inside the content folder"),
        (home is not None and home.is_relative_to(out), "it contains your home folder"),
    )
    return next((reason for hit, reason in checks if hit), None)


def _foreign(out: Path, keep: Sequence[str]) -> str | None:
    """Why the existing `out` is not ours to replace; None if missing, empty or an earlier build."""
    if not os.path.lexists(out):
        return None
    if not out.is_dir():
        return "it exists and is not a folder"
    entries = set(os.listdir(out))
    if MARKER in entries or entries <= set(keep):
        return None
    return f"it is not empty and has no {MARKER} marker of an earlier build; empty it or pick another folder"


def _refusal(given: Path, out: Path, problem: str) -> Diagnostic:
    return error(given.as_posix(), f"refusing to write the site into {out}: {problem}")


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError):
        return None


# ---------------------------------------------------------------------------------------------
# Validating the outputs


def _validated(paths: Iterable[str]) -> tuple[str, ...]:
    """The paths in order, or BuildError naming every bad, duplicate or clashing path."""
    ordered = tuple(sorted(paths))
    problems = [error(_shown(path), reason) for path in ordered if (reason := _path_problem(path))]
    problems += _clashes(ordered)
    if problems:
        raise BuildError(problems)
    return ordered


def _path_problem(path: str) -> str | None:
    """Why `path` cannot name a file inside the output folder; None if it can."""
    if not path:
        return "output path is empty"
    if "\0" in path or "\\" in path:
        return "output path contains a NUL or a backslash"
    if path.startswith("/"):
        return "output path is absolute"
    segments = path.split("/")
    if any(s in ("", ".", "..") for s in segments):
        return "output path has an empty, '.' or '..' segment"
    if segments[0] in (MARKER, MANIFEST):
        return f"output path {segments[0]} is reserved for the build marker and manifest"
    return None


def _clashes(paths: tuple[str, ...]) -> list[Diagnostic]:
    """Paths produced twice, and paths that would have to be both a file and a folder."""
    problems: list[Diagnostic] = []
    seen: set[str] = set()
    for path in paths:
        if path in seen:
            problems.append(error(_shown(path), "two outputs for the same path"))
        seen.add(path)
    for path in sorted(seen):
        segments = path.split("/")
        for end in range(1, len(segments)):
            folder = "/".join(segments[:end])
            if folder in seen:
                problems.append(error(_shown(folder), f"output path is both a file and a folder (of {path})"))
    return problems


def _shown(path: str) -> str:
    """The path with control characters escaped, so a diagnostic cannot garble a terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in path) or "(empty)"


# ---------------------------------------------------------------------------------------------
# Writing


def write_site(
    outputs: Iterable[Output],
    out_dir: Path,
    keep: Sequence[str] = KEEP,
    retained: Path | None = None,
    unchanged: Iterable[str] = (),
) -> WriteStats:
    """Replace `out_dir` with exactly `outputs` (plus the kept entries of the old output).

    `unchanged` names more files of the new tree whose bytes the caller knows to be exactly those
    of the old output's file at the same path (see `Staging.keep_old`). `retained` is explained
    at `Staging`. A build streams its outputs into a `Staging` itself; this does it in one call.
    """
    produced, kept = tuple(outputs), tuple(unchanged)
    with Staging(out_dir, [o.path for o in produced] + list(kept), keep, retained) as staging:
        for item in produced:
            staging.put(item)
        for path in kept:
            staging.keep_old(path)
        return staging.finish()


class Staging:
    """A new output tree being written beside `out_dir` while the build still produces it.

    It is opened with every path the new tree will hold, checked up front. Outputs are handed
    over with `put` as they are rendered and written by a background thread, so creating files
    and folders, system calls that wait on the disk, overlaps with rendering. `finish` adds the
    marker and the manifest and swaps the tree in, so `out_dir` always holds one complete build;
    `discard` drops it, as does leaving a `with` block on an exception. The live output is only
    read until the swap. A symlinked `out_dir` is written through.

    Without `retained`, the tree is staged in a fresh `.<name>.staging-<pid>` folder and the old
    tree is deleted after the swap. With `retained` (a folder on the same file system, e.g. in the
    build cache), the tree swapped out last time is kept there and brought up to date instead: a
    rebuild that changes a few files then creates and deletes a few files, not a whole tree of
    folders, which is what makes incremental builds of large sites fast. A build with no output
    to swap out (the first, or one after `blog clean`) would leave no tree to retain, so its
    writer also links each file it stages into a mirror, while the build still renders; the
    mirror becomes the retained tree, and the next build need not make one folder per post at
    once.

    `old_files` is the record (path → [size, mtime_ns, inode]) of the live output, from a caller
    that has just read it; it spares walking the live output. When it is given, the tree swapped
    out is the one it describes, so the record is kept beside the retained tree (see
    `_record_of`): the next build then prunes that tree by its record and skips the files
    it already shares with the live output, instead of walking it and looking at every file
    (at 1,000 posts, the walk took longer than rendering a one-post edit). The record is removed
    before the tree is touched, so a tree left half-updated by a killed build has none, and is
    walked and reconciled file by file.
    """

    def __init__(
        self,
        out_dir: Path,
        paths: Iterable[str],
        keep: Sequence[str] = KEEP,
        retained: Path | None = None,
        old_files: Mapping[str, list[int]] | None = None,
    ) -> None:
        for name in keep:
            if name in ("", ".", "..") or "/" in name:
                raise ValueError(f"keep entries are top-level names, not {name!r}")
        self.out_dir, self.out, self.keep = out_dir, out_dir.resolve(), keep
        self.paths = _validated(paths)
        clean_stale_staging(self.out)
        problem = _foreign(self.out, keep)
        if problem is not None:
            raise BuildError([_refusal(out_dir, self.out, problem)])
        self.reuse = retained is not None and _same_device(retained.parent, self.out.parent)
        self.staging = retained if self.reuse and retained is not None else _sibling(self.out, "staging")
        self._entries: dict[str, tuple[str, int]] = {}  # produced path → (sha256, size)
        self._sizes: dict[str, int] = {}  # path kept from the old output → size
        self._records: dict[str, list[int]] = {}  # staged path → [size, mtime_ns, inode], for `WriteStats.files`
        self._written = self._unchanged = 0
        self._failure: BaseException | None = None
        self._live: Mapping[str, list[int]] = old_files or {}
        self._retained_files: Mapping[str, list[int]] = {}  # the retained tree's, when its record says so
        self._mirror = _mirror_of(self.staging) if self.reuse and not os.path.lexists(self.out) else None
        self._mirrored: set[str] = set()  # folders of the mirror made so far
        self._old: frozenset[str] = frozenset()
        self._made: set[str] = set()
        self._old_manifest: dict[str, tuple[str, int]] = {}
        self._queue: queue.SimpleQueue[tuple[Output | None, str | None] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._drain, args=(old_files,), name="blog-writer", daemon=True)
        self._thread.start()

    def _prepare(self, old_files: Mapping[str, list[int]] | None) -> None:
        """An empty staging folder, or the retained tree pruned to the new paths; the old files
        (as `walk_files` lists them; given by a caller that has just recorded the output itself)
        and the old manifest. Done in the writer's thread, while the build starts rendering."""
        self.staging.parent.mkdir(parents=True, exist_ok=True)
        if self.reuse:
            _remove(_mirror_of(self.staging))  # a killed build's
            record = _take_record(_record_of(self.staging))  # taken whether or not the tree is there
            self._retained_files = record if self.staging.is_dir() and not self.staging.is_symlink() else {}
        if self._mirror is not None:
            _make_dir(self._mirror)
        if self.staging.is_dir() and not self.staging.is_symlink():
            wanted = set(self.paths) | {MARKER, MANIFEST}
            if self._retained_files:
                _prune_recorded(self.staging, self._retained_files, wanted, self.keep)
            else:
                _prune(self.staging, wanted)
        else:
            _remove(self.staging)
            _make_dir(self.staging)
        self._old = frozenset(old_files) if old_files is not None else _old_files(self.out, self.keep)
        self._made = {str(self.staging)}
        self._old_manifest = _old_manifest(self.out) if MANIFEST in self._old else {}

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        """Leaving on an exception drops the staged tree (after `finish`, there is none left)."""
        if kind is not None:
            self.discard()

    def put(self, item: Output) -> None:
        """Stage one output (written in the background)."""
        self._queue.put((item, None))

    def keep_old(self, path: str) -> None:
        """Stage the old output's file at `path` as it is, unread: the caller knows its bytes are
        exactly this build's (the page fingerprints of an incremental build say so). Its manifest
        entry comes from the old manifest."""
        self._queue.put((None, path))

    def _drain(self, old_files: Mapping[str, list[int]] | None) -> None:
        try:
            self._prepare(old_files)
        except BaseException as exc:  # reported by finish(), in the building thread
            self._failure = exc
        while (job := self._queue.get()) is not None:
            if self._failure is not None:
                continue
            item, path = job
            try:
                if item is not None:
                    self._entries[item.path] = (hashlib.sha256(item.data).hexdigest(), len(item.data))
                    if _place(item, self.out, self.staging, self._old, self._made):
                        self._unchanged += 1
                    else:
                        self._written += 1
                    self._records[item.path] = _stat_record(os.path.join(self.staging, item.path))
                    if self._mirror is not None:
                        self._mirror_file(item.path)
                elif path is not None:
                    self._records[path] = self._keep(path)
                    self._sizes[path] = self._records[path][0]
            except BaseException as exc:  # reported by finish(), in the building thread
                self._failure = exc

    def _mirror_file(self, path: str) -> None:
        """Link a staged file into the mirror; a mirror that fails is dropped, not the build."""
        assert self._mirror is not None
        try:
            os.link(os.path.join(self.staging, path), _target(self._mirror, path, self._mirrored))
        except OSError:
            self._drop_mirror()

    def _drop_mirror(self) -> None:
        if self._mirror is not None:
            _remove(self._mirror)
            self._mirror = None

    def _keep(self, path: str) -> list[int]:
        """Link the old file at `path` into the tree, unless the records say the retained tree
        already holds that very file (same inode, size and time in both); returns its record."""
        live = self._live.get(path)
        if live is not None and self._retained_files.get(path) == live:
            return live
        return _link_old(path, self.out, self.staging, self._made)

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def finish(self) -> WriteStats:
        """Complete the tree and swap it in; every path it was opened with must have been staged."""
        try:
            self._stop()
            if self._failure is not None:
                raise self._failure
            staged = set(self._entries) | set(self._sizes)
            if staged != set(self.paths) or len(self._entries) + len(self._sizes) != len(self.paths):
                raise ValueError(f"staged {len(staged)} of the {len(self.paths)} announced output paths")
            stats = self._complete()
            old_tree = _swap(self.staging, self.out)
        except BaseException as exc:
            _remove(self.staging)
            self._drop_mirror()
            if isinstance(exc, OSError):
                raise self._cannot_write(exc) from exc
            raise
        if old_tree is not None and self.reuse:
            if old_tree != self.staging:  # the two-rename fallback left the old tree under another name
                os.rename(old_tree, self.staging)
            if self._live:
                _keep_record(_record_of(self.staging), self._live)
        elif old_tree is not None:
            _remove_old(old_tree, self.out_dir)
        elif self._mirror is not None:
            os.rename(self._mirror, self.staging)  # the staged tree went live and left its place free
            _keep_record(_record_of(self.staging), {path: self._records[path] for path in self._entries})
        return stats

    def _complete(self) -> WriteStats:
        """The marker, the manifest and the kept entries (`.git`, ...), then the record of files."""
        made, paths = self._made, set(self.paths)
        _place(Output(MARKER, MARKER_DATA), self.out, self.staging, self._old, made)
        manifest = _manifest_text(self._entries | _old_entries(self._sizes, self._old_manifest, self.out))
        _place(Output(MANIFEST, manifest), self.out, self.staging, self._old, made)
        produced_tops = {path.split("/")[0] for path in paths}
        _carry_kept(self.out, self.staging, tuple(k for k in self.keep if k not in produced_tops))
        removed = len(self._old - paths - {MARKER, MANIFEST})
        files = {path: self._records[path] for path in sorted(paths) if path.split("/", 1)[0] not in self.keep}
        files |= {name: _stat_record(os.path.join(self.staging, name)) for name in (MARKER, MANIFEST)}
        return WriteStats(self._written, self._unchanged + len(self._sizes), removed, files)

    def discard(self) -> None:
        """Drop the staged tree; the live output stays exactly as it was."""
        self._stop()
        _remove(self.staging)
        self._drop_mirror()

    def _cannot_write(self, exc: OSError) -> BuildError:
        return BuildError([error(self.out_dir.as_posix(), f"cannot write the site: {exc}")])


def _mirror_of(retained: Path) -> Path:
    return retained.parent / f".{retained.name}.mirror"


def remove_retained(retained: Path) -> None:
    """Remove a retained tree, its record and a mirror, once their output folder is gone."""
    for path in (retained, _mirror_of(retained)):
        shutil.rmtree(path, ignore_errors=True)
    _record_of(retained).unlink(missing_ok=True)


def _record_of(retained: Path) -> Path:
    """Where the record of the files of the retained tree is kept, beside it."""
    return retained.parent / f".{retained.name}.record.json"


def _keep_record(where: Path, files: Mapping[str, list[int]]) -> None:
    """Write the record of a retained tree just made; failing costs only the next build's speed."""
    try:
        where.write_text(json.dumps({"version": RECORD_VERSION, "files": files}, separators=(",", ":")), encoding="utf-8")
    except OSError:
        where.unlink(missing_ok=True)


def _take_record(where: Path) -> dict[str, list[int]]:
    """The record of a retained tree, removed before the tree is touched; empty when there is
    none, or it is not one of ours."""
    try:
        document = json.loads(where.read_bytes())
        where.unlink()
    except (OSError, ValueError):
        where.unlink(missing_ok=True)
        return {}
    files = document.get("files") if isinstance(document, dict) and document.get("version") == RECORD_VERSION else None
    valid = isinstance(files, dict) and all(
        isinstance(info, list) and len(info) == 3 and all(type(n) is int for n in info)
        and (path in (MARKER, MANIFEST) or _path_problem(path) is None)
        for path, info in files.items()
    )
    return files if valid else {}


def _same_device(first: Path, second: Path) -> bool:
    """Folders can only be swapped by rename within one file system."""
    try:
        first.mkdir(parents=True, exist_ok=True)
        return first.stat().st_dev == second.stat().st_dev
    except OSError:
        return False


def file_record(info: os.stat_result) -> list[int]:
    """What records of output files hold for each file: [size, mtime_ns, inode]."""
    return [info.st_size, info.st_mtime_ns, info.st_ino]


def _stat_record(path: str) -> list[int]:
    """The record of the file at `path` (not following a symlink)."""
    return file_record(os.lstat(path))


def _prune_recorded(staging: Path, record: Mapping[str, list[int]], wanted: set[str], keep: Sequence[str]) -> None:
    """`_prune` for a retained tree that holds exactly the files of its `record` (and perhaps
    kept top-level entries), without walking it: each unwanted file goes, or the highest of its
    folders that no wanted file needs."""
    folders = {"/".join(path.split("/")[:end]) for path in wanted for end in range(1, path.count("/") + 1)}
    for path in sorted(record):
        if path in wanted:
            continue
        segments = path.split("/")
        unwanted = next((end for end in range(1, len(segments)) if "/".join(segments[:end]) not in folders), None)
        _remove(staging.joinpath(*segments[:unwanted]) if unwanted is not None else staging / path)
    for name in keep:
        _remove(staging / name)


def _prune(staging: Path, wanted: set[str]) -> None:
    """Remove from a retained tree every entry that is not a wanted file or one of its folders.

    Symbolic links are always removed (the writer never makes any below the top level), and so
    are the kept top-level entries, which are carried over from the live output afresh.
    """
    folders = {"/".join(path.split("/")[:end]) for path in wanted for end in range(1, path.count("/") + 1)}
    stack = [(str(staging), "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as found:
            entries = list(found)
        for entry in entries:
            path = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if path in folders:
                    stack.append((entry.path, path + "/"))
                else:
                    shutil.rmtree(entry.path)
            elif entry.is_symlink() or path not in wanted:
                os.unlink(entry.path)


def manifest_bytes(outputs: Iterable[Output]) -> bytes:
    """The manifest of a build: every output path with its sha256 and size, in path order.

    It lists the build's own files only (not the marker, not kept entries such as `CNAME`), so a
    publisher can check the folder on disk against it and send exactly the build.
    """
    return _manifest_text(_entries(outputs))


def _entries(outputs: Iterable[Output]) -> dict[str, tuple[str, int]]:
    return {o.path: (hashlib.sha256(o.data).hexdigest(), len(o.data)) for o in outputs}


def _old_manifest(out: Path) -> dict[str, tuple[str, int]]:
    """path → (sha256, size) as the old output's manifest lists them; empty if it cannot be read."""
    try:
        return {path: (sha, size) for path, sha, size in parse_manifest((out / MANIFEST).read_bytes())}
    except (OSError, ValueError):
        return {}


def _old_entries(sizes: dict[str, int], known: dict[str, tuple[str, int]], out: Path) -> dict[str, tuple[str, int]]:
    """Manifest entries of unchanged files (path → size): the old manifest's (`known`) where it
    lists the file at that size, else hashed from the file."""
    entries: dict[str, tuple[str, int]] = {}
    for path, size in sizes.items():
        hit = known.get(path)
        entries[path] = hit if hit is not None and hit[1] == size else (_file_sha256(out / path), size)
    return entries


def _file_sha256(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _manifest_text(entries: dict[str, tuple[str, int]]) -> bytes:
    """The manifest as `json.dumps(..., indent=1, sort_keys=True)` lays it out, written line by
    line: the pure-Python indenting encoder takes longer than the rest of a small rebuild."""
    files = [
        f' {{\n   "path": {json.dumps(path, ensure_ascii=False)},\n   "sha256": "{sha}",\n   "size": {size}\n  }}'
        for path, (sha, size) in sorted(entries.items())
    ]
    listing = "[\n " + ",\n ".join(files) + "\n ]" if files else "[]"
    return f'{{\n "files": {listing},\n "version": {MANIFEST_VERSION}\n}}\n'.encode("utf-8")


def parse_manifest(data: bytes) -> tuple[tuple[str, str, int], ...]:
    """(path, sha256, size) of every file a manifest lists; ValueError when it is not one of ours."""
    try:
        document: Any = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not valid JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("version") != MANIFEST_VERSION:
        raise ValueError(f"not a version {MANIFEST_VERSION} manifest")
    entries = document.get("files")
    if not isinstance(entries, list):
        raise ValueError("'files' is not a list")
    found = tuple(_manifest_entry(entry) for entry in entries)
    paths = [path for path, _, _ in found]
    if paths != sorted(set(paths)):
        raise ValueError("paths are not unique and sorted")
    return found


def _manifest_entry(entry: Any) -> tuple[str, str, int]:
    if not isinstance(entry, dict) or set(entry) != {"path", "sha256", "size"}:
        raise ValueError(f"bad entry {entry!r}")
    path, digest, size = entry["path"], entry["sha256"], entry["size"]
    if not isinstance(path, str) or _path_problem(path) is not None:
        raise ValueError(f"bad path {path!r}")
    if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise ValueError(f"bad sha256 for {path!r}")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ValueError(f"bad size for {path!r}")
    return path, digest, size


def _old_files(out: Path, keep: Sequence[str]) -> frozenset[str]:
    """Relative paths of every non-folder entry of the old output, kept top-level entries aside."""
    return frozenset(path for path, _ in walk_files(out, keep))


def walk_files(folder: Path, keep: Sequence[str] = KEEP) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(relative path, entry) of every non-folder entry below `folder`, top-level `keep` names aside.

    Symlinked folders are listed, not followed, so nothing outside the tree is ever reached. A
    folder that cannot be read (or no folder at all) contributes nothing.
    """
    stack = [(str(folder), "")]
    while stack:
        current, prefix = stack.pop()
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError:
            continue
        for entry in entries:
            if not prefix and entry.name in keep:
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, prefix + entry.name + "/"))
            else:
                yield prefix + entry.name, entry


def _place(item: Output, out: Path, staging: Path, old: frozenset[str], made: set[str]) -> bool:
    """Put one output into the staging tree; True when it is the old output's unchanged file.

    A file already in a retained staging tree is never written in place (it may share its inode
    with the live output): it is kept only when it already is the old file, else replaced.
    """
    target = _target(staging, item.path, made)
    previous = out / item.path
    if item.path in old and _same_file(previous, item.data):
        if not _is_same_inode(target, previous):
            _discard(target)
            _link_or_copy(previous, target)
        return True
    _discard(target)
    _write_file(target, item.data)
    return False


def _link_old(path: str, out: Path, staging: Path, made: set[str]) -> list[int]:
    """Put the old output's file at `path` into the staging tree as it is, without reading it;
    returns the record of the staged file (the old file's own, when it is linked)."""
    target = _target(staging, path, made)
    previous = os.lstat(os.path.join(out, path))
    try:
        present = os.lstat(target)
    except FileNotFoundError:
        present = None
    same = present is not None and stat.S_ISREG(present.st_mode) and (present.st_ino, present.st_dev) == (previous.st_ino, previous.st_dev)
    if not same:
        _discard(target)
        if not _link_or_copy(os.path.join(out, path), target):
            return _stat_record(target)
    return file_record(previous)


def _is_same_inode(first: str | Path, second: str | Path) -> bool:
    try:
        return os.path.samefile(first, second) and not os.path.islink(first)
    except OSError:
        return False


def _discard(path: str) -> None:
    """Remove whatever a retained tree has at `path` (a file, or a folder where a file goes)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(info.st_mode):  # a folder itself, not a link to one
        shutil.rmtree(path)
    else:
        os.unlink(path)


def _target(staging: Path, path: str, made: set[str]) -> str:
    """Where `path` goes in the staging tree, its parent folders created; never outside it.

    Each folder on the way is looked at once per build (one lstat): a retained tree's file or
    symlink where a folder belongs is removed, and a missing folder is made by mkdir, which never
    follows a symlink. Files are created without following one either (O_EXCL, link), and the
    path's segments were validated, so the target always stays inside the staging folder.
    """
    folder = str(staging)
    for segment in path.split("/")[:-1]:
        folder = os.path.join(folder, segment)
        if folder not in made:
            try:
                is_folder = stat.S_ISDIR(os.lstat(folder).st_mode)
            except FileNotFoundError:
                is_folder = None
            if is_folder is False:
                os.unlink(folder)  # a retained tree's file or link where this build needs a folder
            if not is_folder:
                _make_dir(folder)
            made.add(folder)
    return os.path.join(folder, path.rsplit("/", 1)[-1])


def _same_file(path: Path, data: bytes) -> bool:
    """True when `path` is a plain file with our permissions and exactly these bytes."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(info.st_mode) or stat.S_IMODE(info.st_mode) != FILE_MODE:
        return False
    return info.st_size == len(data) and path.read_bytes() == data


def _write_file(target: str, data: bytes) -> None:
    """Create `target` with mode 0o644 whatever the umask (with `os.write`: a file object would
    ask the system three more questions per file)."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _make_dir(folder: str | Path) -> None:
    """Create `folder` with mode 0o755 whatever the umask."""
    os.mkdir(folder, DIR_MODE)
    os.chmod(folder, DIR_MODE)


def _link_or_copy(source: str | Path, target: str | Path) -> bool:
    """Share the old file's inode (bytes and mtime kept), or copy it with its metadata if linking
    fails; True when linked."""
    try:
        os.link(source, target, follow_symlinks=False)
        return True
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)
        return False


def _carry_kept(out: Path, staging: Path, names: Sequence[str]) -> None:
    """Bring the old output's kept top-level entries (`.git`, `CNAME`, ...) into the new tree."""
    for name in sorted(names):
        source, target = out / name, staging / name
        if source.is_symlink():
            os.symlink(os.readlink(source), target)
        elif source.is_dir():
            shutil.copytree(source, target, symlinks=True, copy_function=_link_or_copy)
        elif source.exists():
            _link_or_copy(source, target)


# ---------------------------------------------------------------------------------------------
# Swapping and cleaning up


def _sibling(out: Path, kind: str) -> Path:
    return out.parent / f".{out.name}.{kind}-{os.getpid()}"


def _swap(staging: Path, out: Path) -> Path | None:
    """Put `staging` at `out`; returns where the old tree now is (None if there was none)."""
    if not os.path.lexists(out):
        os.rename(staging, out)
        return None
    if _exchange(staging, out):
        return staging
    old = _sibling(out, "old")
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(old, out)
        raise
    return old


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically with Linux's renameat2; False when the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # only a build that swaps an old tree out needs it

    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _NO_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), str(second))


def _remove_old(old_tree: Path, out_dir: Path) -> None:
    try:
        _remove(old_tree)
    except OSError as exc:
        message = f"the new site is in place, but the old one could not be removed from {old_tree}: {exc}"
        raise BuildError([error(out_dir.as_posix(), message)]) from exc


def clean_stale_staging(out_dir: Path) -> None:
    """Tidy what a killed build left beside `out_dir`.

    If `out_dir` is missing while an `.old-*` folder exists, the kill came between the two
    renames of the fallback swap: that folder is the last good build, so it is put back.
    Every other `.<name>.staging-*` / `.<name>.old-*` sibling is removed.
    """
    out = out_dir.resolve()
    if not out.parent.is_dir():
        return
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(staging|old)-[0-9]+")
    found = (pattern.fullmatch(name) for name in os.listdir(out.parent))
    matches = sorted((m.group(1), m.group(0)) for m in found if m)
    leftovers = [out.parent / name for _, name in matches]
    olds = [out.parent / name for kind, name in matches if kind == "old"]
    if olds and not os.path.lexists(out):
        newest = max(olds, key=lambda p: (p.lstat().st_ctime_ns, p.name))
        os.rename(newest, out)
        leftovers.remove(newest)
    for path in leftovers:
        _remove(path)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()
