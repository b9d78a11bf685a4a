"""Publish with the `rsync` program to a host (or, for tests and mounts, a local folder).

rsync compares by checksum itself, so the plan is its own dry run (`--itemize-changes`) read
back into a `Plan`; the real run is the same command without `--dry-run`. The source always
ends in `/`, so the target receives the site's contents and never an `output/` folder inside it.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..writer import MANIFEST, MARKER
from .plan import PROTECTED, LocalSite, Plan, Progress, PublishError

_ITEM = re.compile(r"([<>ch.*])([fdLDS])([^ ]{9}) (.+)")
_DELETING = "*deleting "
_NAME_COLUMN = 12  # rsync prints an 11-character change summary and a space before each name


def rsync_destination(url: str) -> str:
    """What rsync is given as the destination: the URL itself, or what follows `rsync:`."""
    if url.startswith("rsync:") and not url.startswith("rsync://"):
        return url[len("rsync:"):]
    return url


def local_folder(destination: str) -> Path | None:
    """The folder a destination names when rsync treats it as local (no `host:` before a `/`)."""
    if destination.startswith("rsync://") or re.match(r"[^/]*:", destination):
        return None
    return Path(destination).expanduser()


def parse_itemized(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(new, changed, deleted) files from `--itemize-changes` output; folders are left out."""
    new: list[str] = []
    changed: list[str] = []
    deleted: list[str] = []
    for line in text.splitlines():
        name = line[_NAME_COLUMN:]
        if line.startswith(_DELETING) and not name.endswith("/"):
            deleted.append(name)
        elif _is_sent_file(line):
            (new if line[2:11] == "+" * 9 else changed).append(name)
    return tuple(sorted(new)), tuple(sorted(changed)), tuple(sorted(deleted))


def _is_sent_file(line: str) -> bool:
    m = _ITEM.fullmatch(line)
    return m is not None and m.group(1) in "<>" and m.group(2) == "f"


def deletion_limit(deleted: tuple[str, ...]) -> int:
    """rsync's `--max-delete` for a plan: its files plus every folder they might leave empty.

    rsync counts folders too; a limit no higher than this catches a target that gained files
    between the dry run and the real one, while the plan itself still goes through.
    """
    folders = {"/".join(p.split("/")[:end]) for p in deleted for end in range(1, p.count("/") + 1)}
    return max(len(deleted) + len(folders), 1)


def rsync_command(source: Path, destination: str, excluded: tuple[str, ...], dry_run: bool, max_delete: int | None) -> list[str]:
    """The one rsync invocation used for both the plan and the publish."""
    command = [
        "rsync", "--recursive", "--links", "--perms", "--times", "--checksum", "--delete", "--delete-after",
        "--delay-updates", "--itemize-changes", "--8-bit-output", "--chmod=D755,F644",
    ]
    command += [f"--exclude=/{name}" for name in excluded]
    if dry_run:
        command.append("--dry-run")
    if max_delete is not None:
        command.append(f"--max-delete={max_delete}")
    return [*command, f"{source}/", destination]


def excluded_names(site: LocalSite) -> tuple[str, ...]:
    """Top-level names never sent nor deleted: marker, manifest, and protected entries the build lacks."""
    produced = {f.path.split("/")[0] for f in site.files}
    return (MARKER, MANIFEST) + tuple(name for name in PROTECTED if name not in produced)


@dataclass(frozen=True, slots=True)
class RsyncTarget:
    """An rsync destination: `rsync://host/module/path`, `user@host:path` or a local folder."""

    destination: str

    def plan(self, site: LocalSite) -> Plan:
        command = rsync_command(site.root, self.destination, excluded_names(site), True, None)
        with self._start(command) as process:
            output, _ = process.communicate()
        if process.returncode != 0:
            raise PublishError(f"rsync failed (exit {process.returncode}): {_messages(output)}")
        new, changed, deleted = parse_itemized(output)
        sent = set(new) | set(changed)
        return Plan(new, changed, tuple(f.path for f in site.files if f.path not in sent), deleted)

    def apply(self, plan: Plan, site: LocalSite, progress: Progress) -> None:
        limit = deletion_limit(plan.deleted)
        command = rsync_command(site.root, self.destination, excluded_names(site), False, limit)
        total, done, lines = len(plan.uploads), 0, []
        with self._start(command) as process:
            assert process.stdout is not None
            for line in process.stdout:
                lines.append(line)
                if _is_sent_file(line.rstrip("\n")):
                    done += 1
                    progress("upload", min(done, total), total)
        if process.returncode != 0:
            raise PublishError(f"rsync failed (exit {process.returncode}): {_messages(''.join(lines))}")

    @staticmethod
    def _start(command: list[str]) -> subprocess.Popen[str]:
        """rsync with its messages and itemised changes on one pipe, read in order."""
        try:
            return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="surrogateescape")
        except FileNotFoundError:
            raise PublishError("the rsync target needs the rsync program; install it (e.g. apt-get install rsync)") from None


def _messages(output: str) -> str:
    """rsync's own messages among its itemised lines."""
    lines = [line for line in output.splitlines() if not (_ITEM.fullmatch(line) or line.startswith(_DELETING))]
    return " ".join(line.strip() for line in lines if line.strip()) or "no message"
