"""`blog publish`: send a complete build to static hosting, planned first, changed files only.

One module per kind of target (folder, git branch, rsync, S3), each with the same two steps:
`plan(site) -> Plan` reads the target and changes nothing; `apply(plan, site, progress)` uploads
the new and changed files, then deletes the stale ones. `publish()` runs them in that order with
the checks every target shares: print the plan, stop for a dry run, stop when it deletes more
than `max_deletes`.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Protocol, Sequence

from ..config import PublishTarget
from .folder import FolderTarget, check_local_target, folder_path
from .gitbranch import GitBranchTarget, parse_git_url
from .plan import LocalSite, Plan, Progress, PublishError, check_deletes, format_plan, format_size, load_build
from .rsync import RsyncTarget, local_folder, rsync_destination
from .s3 import S3Target

__all__ = [
    "LocalSite", "Plan", "PublishError", "PublishOptions", "PublishReport", "Target", "UnknownTarget",
    "choose_target", "format_report", "load_build", "open_target", "publish",
]


class UnknownTarget(Exception):
    """The command line named no target, or one the config does not have (a usage error)."""


class Target(Protocol):
    def plan(self, site: LocalSite) -> Plan: ...

    def apply(self, plan: Plan, site: LocalSite, progress: Progress) -> None: ...


@dataclass(frozen=True, slots=True)
class PublishOptions:
    """What one `blog publish` run was asked to do."""

    dry_run: bool = False
    max_deletes: int | None = None  # None: the target's own max_deletes
    yes: bool = False  # go ahead with more deletions than max_deletes
    force: bool = False  # git: push with force


@dataclass(frozen=True, slots=True)
class PublishReport:
    """What a publish did, for the final summary."""

    target: str
    uploaded: int
    deleted: int
    unchanged: int
    bytes: int
    seconds: float
    dry_run: bool


def choose_target(targets: Sequence[PublishTarget], name: str | None) -> PublishTarget:
    """The target named on the command line, or the only one configured."""
    names = [t.name for t in targets]
    if not targets:
        raise UnknownTarget('no publish targets configured; add one to the config, e.g. [publish.production] url = "s3://bucket/blog"')
    if name is None:
        if len(targets) > 1:
            raise UnknownTarget(f"several publish targets ({', '.join(names)}); name one: blog publish {names[0]}")
        return targets[0]
    found = [t for t in targets if t.name == name]
    if not found:
        raise UnknownTarget(f"no publish target named {name!r}; configured: {', '.join(names)}")
    return found[0]


@contextlib.contextmanager
def open_target(target: PublishTarget, site_root: Path, content_dir: Path, out_dir: Path, force: bool = False) -> Iterator[Target]:
    """The target a configured URL names, ready to plan; its temporary files go when done."""
    if target.kind == "folder":
        path = folder_path(target.url, site_root)
        check_local_target(path, site_root, content_dir, out_dir)
        yield FolderTarget(path.resolve())
    elif target.kind == "rsync":
        destination = rsync_destination(target.url)
        local = local_folder(destination)
        if local is not None:  # rsync is given the absolute folder: it would not expand ~ nor know the site
            local = local if local.is_absolute() else site_root / local
            check_local_target(local, site_root, content_dir, out_dir)
            destination = str(local)
        yield RsyncTarget(destination)
    elif target.kind == "git":
        with tempfile.TemporaryDirectory(prefix="blog-publish-") as workdir:
            yield GitBranchTarget.open(parse_git_url(target.url), site_root, Path(workdir), force)
    else:
        yield S3Target.open(target)


def publish(
    target: PublishTarget,
    site: LocalSite,
    options: PublishOptions,
    site_root: Path,
    content_dir: Path,
    say: Callable[[str], None],
    progress: Progress,
) -> PublishReport:
    """Plan, show, check, then apply; raises PublishError without changing the target when a check fails."""
    if not site.files:
        raise PublishError("refusing to publish an empty build")
    started = time.perf_counter()
    label = f"{target.name} ({target.url})"
    with open_target(target, site_root, content_dir, site.root, options.force) as opened:
        plan = opened.plan(site)
        say(format_plan(plan, site, label, listing=options.dry_run))
        limit = target.max_deletes if options.max_deletes is None else options.max_deletes
        if options.dry_run and len(plan.deleted) > limit and not options.yes:
            say(f"A real run would stop here: {len(plan.deleted)} deletions are more than max_deletes = {limit}.")
        if not options.dry_run:
            check_deletes(plan, limit, options.yes)
            if not plan.is_empty:
                opened.apply(plan, site, progress)
    done = not options.dry_run
    return PublishReport(
        target=target.name,
        uploaded=len(plan.uploads) if done else 0,
        deleted=len(plan.deleted) if done else 0,
        unchanged=len(plan.unchanged),
        bytes=site.size(plan.uploads) if done else 0,
        seconds=time.perf_counter() - started,
        dry_run=options.dry_run,
    )


def format_report(report: PublishReport) -> str:
    """The last line of a publish: what changed on the target and how long it took."""
    if report.dry_run:
        return "Dry run: nothing was changed."
    if not report.uploaded and not report.deleted:
        return f"Nothing to publish: {report.target} is up to date ({report.unchanged} files unchanged)."
    return (
        f"Published to {report.target} in {report.seconds:.2f} s: {report.uploaded} uploaded "
        f"({format_size(report.bytes)}), {report.deleted} deleted, {report.unchanged} unchanged"
    )
