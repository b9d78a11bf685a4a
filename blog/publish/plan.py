"""What a publish will do, as a value, and the complete build it sends.

Every target answers the same question first: which files of the build are new, changed or
unchanged on the target, and which of the target's files are stale. That answer, a `Plan`, is
printed, checked against `max_deletes` and only then applied, so a dry run and a real run can never
disagree about what they would do.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

from ..writer import KEEP, MANIFEST, MARKER, parse_manifest

# progress(stage, done, total), as the build calls it, so the CLI's progress bar fits both.
Progress = Callable[[str, int, int], None]

# Top-level names a target keeps even when the build has no such file: a custom domain, a
# GitHub Pages switch, a web server's own checkout.
PROTECTED = KEEP


class PublishError(Exception):
    """A publish that must not go on, or that failed; the message is written for the user."""


@dataclass(frozen=True, slots=True)
class LocalFile:
    """One file of the build: path inside output/ (posix), and its bytes' sha256 and size."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class LocalSite:
    """A complete build checked against its manifest: exactly the files a publish sends."""

    root: Path
    files: tuple[LocalFile, ...]  # by path

    def by_path(self) -> dict[str, LocalFile]:
        return {f.path: f for f in self.files}

    def read(self, item: LocalFile) -> bytes:
        """The bytes of one file, refused if they changed since the build was checked."""
        data = (self.root / item.path).read_bytes()
        if hashlib.sha256(data).hexdigest() != item.sha256:
            raise PublishError(f"{self.root / item.path} changed while publishing; build again and re-run")
        return data

    def size(self, paths: Iterable[str]) -> int:
        """Bytes of the build's files among `paths` (paths a target adds itself count 0)."""
        sizes = {f.path: f.size for f in self.files}
        return sum(sizes.get(path, 0) for path in paths)


@dataclass(frozen=True, slots=True)
class Plan:
    """Paths by what a publish does to them, each sorted; `base` is the target state it is for."""

    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    base: str | None = None  # git: the branch tip the plan was computed against

    @property
    def uploads(self) -> tuple[str, ...]:
        return tuple(sorted(self.new + self.changed))

    @property
    def is_empty(self) -> bool:
        return not self.new and not self.changed and not self.deleted


def diff(local: Mapping[str, str], remote: Mapping[str, str | None], base: str | None = None) -> Plan:
    """Compare the build with the target by content key (a hash, maybe with headers).

    A remote key of None means "unknown", so that file is sent again. Remote files under a
    protected top-level name (`CNAME`, `.nojekyll`, `.git`) are never deleted.
    """
    deleted = tuple(sorted(p for p in remote if p not in local and p.split("/")[0] not in PROTECTED))
    return Plan(
        new=tuple(sorted(p for p in local if p not in remote)),
        changed=tuple(sorted(p for p in local if p in remote and (remote[p] is None or remote[p] != local[p]))),
        unchanged=tuple(sorted(p for p in local if p in remote and remote[p] is not None and remote[p] == local[p])),
        deleted=deleted,
        base=base,
    )


def check_deletes(plan: Plan, limit: int, confirmed: bool) -> None:
    """Stop a plan that deletes more than `limit` files unless the user confirmed it."""
    if len(plan.deleted) > limit and not confirmed:
        raise PublishError(
            f"the plan deletes {len(plan.deleted)} files, more than max_deletes = {limit}; nothing was changed. "
            "Check it with --dry-run, then re-run with --yes (or raise --max-deletes) if it is right"
        )


# ---------------------------------------------------------------------------------------------
# The build on disk


def load_build(out_dir: Path) -> LocalSite:
    """The build in `out_dir`, or PublishError unless it is one complete, untouched build.

    Complete means: the marker and manifest of a finished build are there, every listed file has
    the listed size and sha256, the build is not empty, and nothing else is in the folder except
    the marker, the manifest and the writer's kept entries (`.git`, `CNAME`, `.nojekyll`).
    """
    out = out_dir.resolve()
    if not (out / MARKER).is_file():
        raise PublishError(f"{out_dir} holds no complete build (no {MARKER} marker); run blog publish without --no-build")
    try:
        entries = parse_manifest((out / MANIFEST).read_bytes())
    except FileNotFoundError:
        raise PublishError(f"{out_dir} holds no complete build (no {MANIFEST}); run blog publish without --no-build") from None
    except ValueError as exc:
        raise PublishError(f"{out_dir / MANIFEST} is damaged ({exc}); build again") from None
    if not entries:
        raise PublishError(f"{out_dir} holds an empty build; refusing to publish it")
    files = tuple(LocalFile(path, digest, size) for path, digest, size in entries)
    problems = _mismatches(out, files) + [f"{path}: not part of the build" for path in _extras(out, files)]
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise PublishError(f"{out_dir} does not match its build manifest ({shown}); build again")
    return LocalSite(out, files)


def _mismatches(out: Path, files: tuple[LocalFile, ...]) -> list[str]:
    problems = []
    for item in files:
        path = out / item.path
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            problems.append(f"{item.path}: missing")
            continue
        if not stat.S_ISREG(info.st_mode):
            problems.append(f"{item.path}: not a plain file")
        elif info.st_size != item.size or sha256_file(path) != item.sha256:
            problems.append(f"{item.path}: changed since the build")
    return problems


def _extras(out: Path, files: tuple[LocalFile, ...]) -> list[str]:
    """Files in the folder that the manifest does not list (kept top-level entries aside)."""
    listed = {f.path for f in files}
    produced_tops = {f.path.split("/")[0] for f in files}
    ignored = {MARKER, MANIFEST} | (set(KEEP) - produced_tops)
    found = []
    for folder, dirnames, filenames in os.walk(out):
        relative = Path(folder).relative_to(out)
        if relative == Path("."):
            dirnames[:] = [d for d in dirnames if d not in ignored]
            filenames = [f for f in filenames if f not in ignored]
        links = [d for d in dirnames if os.path.islink(os.path.join(folder, d))]
        found += [(relative / name).as_posix() for name in filenames + links]
    return sorted(path for path in found if path not in listed)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# What the user reads


def format_size(count: int) -> str:
    """Bytes for people: 512 B, 12.3 KiB, 4.0 MiB."""
    if count < 1024:
        return f"{count} B"
    size = count / 1024
    for unit in ("KiB", "MiB"):
        if size < 1024:
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


def format_plan(plan: Plan, site: LocalSite, label: str, listing: bool) -> str:
    """The plan's counts on one line; with `listing`, every path it touches below it."""
    head = (
        f"Plan for {label}: {len(plan.new)} new, {len(plan.changed)} changed, {len(plan.unchanged)} unchanged, "
        f"{len(plan.deleted)} to delete; {format_size(site.size(plan.uploads))} to upload"
    )
    if not listing:
        return head
    rows = [f"  + {p}" for p in plan.new] + [f"  ~ {p}" for p in plan.changed] + [f"  - {p}" for p in plan.deleted]
    return "\n".join([head, *rows])
