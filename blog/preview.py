"""`blog serve`: build into a private folder, serve it, rebuild on every change, tell the browser.

The build loop runs in the main thread, because the per-post render time budget of `markup` uses
signals, which only the main thread receives; the HTTP server and the file watchers run in daemon
threads. Only one build runs at a time. Each build is swapped in whole by the writer, and the
browser is told only after `build()` has returned, so it never sees a half-built site. A failed
build leaves the last good one in place and puts its diagnostics in an overlay on every page.
"""

from __future__ import annotations

import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TextIO

from .build import build
from .cache import CACHE_DIR, BuildCache
from .config import SiteConfig, load_config, options_from_config
from .errors import BuildError, Diagnostic, error, format_diagnostic
from .freshness import state_key
from .model import BuildOptions, BuildReport
from .rendering import render_post
from .resident import Resident
from .server import EventKind, LiveState, PreviewServer, Status, is_loopback
from .site import reading_order
from .watch import Watcher, WatchTargets, gather, watch_targets
from .writer import remove_retained

QUIET_SECONDS = 0.2  # a burst of saves is over once the sources were quiet this long (notify batches come 50 ms apart at most)
FIRST_QUIET_SECONDS = 0.02  # after a calm spell, a save is built almost at once (notify already merged its events)
CALM_SECONDS = 0.5  # no build for this long: the next change starts a new burst
LONGEST_WAIT_SECONDS = 2.0  # build at the latest this long after the first change of a burst
WATCH_FAILED = "(watching failed)"  # the change reported when a watcher broke: it is replaced
WATCH_RESTARTED = "(watching restarted)"  # the change that asks for one build after a replacement


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """What `blog serve` was asked to do."""

    root: Path
    host: str = "127.0.0.1"
    port: int = 8000
    drafts: bool = True  # drafts and future posts, each with its badge
    open_browser: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    """One build attempt: the configuration it read (if any), its report or its problems."""

    config: SiteConfig | None
    report: BuildReport | None
    problems: tuple[Diagnostic, ...]
    seconds: float


def build_once(
    root: Path, site_dir: Path, options: ServeOptions, base_url: str, cache: BuildCache | None = None, resident: Resident | None = None
) -> Outcome:
    """Read the configuration and build into `site_dir`; problems are returned, not raised.

    `cache` is the site's build cache and `resident` what the session keeps in memory, both kept
    by the caller across the builds of a session.
    """
    started = time.perf_counter()
    config: SiteConfig | None = None
    try:
        config = load_config(root)
        build_options = BuildOptions(drafts=options.drafts, future=options.drafts, output_dir=site_dir, base_url=base_url)
        report = build(config, build_options, cache=cache, resident=resident)
    except BuildError as exc:
        return Outcome(config, None, exc.diagnostics, time.perf_counter() - started)
    except (OSError, ValueError) as exc:  # the disk or a broken file under our feet, not a bug
        problem = error(root.as_posix(), f"cannot build: {exc}")
        return Outcome(config, None, (problem,), time.perf_counter() - started)
    return Outcome(config, report, report.warnings, time.perf_counter() - started)


def event_kind(changed: frozenset[str], previous: Status, outcome: Outcome) -> EventKind:
    """Stylesheets alone can be swapped in place; everything else, and any failure, reloads."""
    only_css = bool(changed) and all(path.lower().endswith(".css") for path in changed)
    return "css" if only_css and outcome.report is not None and not previous.failed else "reload"


def describe(changed: frozenset[str]) -> str:
    ordered = sorted(changed)
    more = f" and {len(ordered) - 3} more" if len(ordered) > 3 else ""
    return ", ".join(ordered[:3]) + more


def report_line(outcome: Outcome, first: bool) -> str:
    """One terminal line per build, so the author sees at a glance whether the page is current."""
    if outcome.report is None:
        errors = sum(1 for d in outcome.problems if d.is_error)
        kept = "nothing to serve yet" if first else "still serving the last good build"
        return f"Build failed with {errors} error{'s' if errors != 1 else ''} ({kept})"
    r = outcome.report
    verb = "Built" if first else "Rebuilt"
    return f"{verb} {sum(r.counts.values())} files in {outcome.seconds:.2f} s ({r.written} written, {r.unchanged} unchanged)"


class Session:
    """The state of one `blog serve` run: the generation counter and what is being watched."""

    def __init__(self, options: ServeOptions, site_dir: Path, out: TextIO, err: TextIO) -> None:
        self.options = options
        self.root = options.root.absolute()
        self.site_dir = site_dir
        self.out = out
        self.err = err
        self.instance = secrets.token_hex(4)
        self.builds = 0
        self.cache = BuildCache.for_site(self.root)
        self.resident = Resident()  # parsed posts, renderings and compiled templates, between builds
        self.last_built = time.monotonic()  # when the last build ended

    def build(self, url: str) -> Outcome:
        try:
            return build_once(self.root, self.site_dir, self.options, url, self.cache, self.resident)
        finally:
            self.last_built = time.monotonic()

    def warm_up(self, outcome: Outcome) -> None:
        """Do now, while nothing is waiting, what the author's first save would otherwise pay for.

        A first build served from the cache never loads Markdown or Pygments, so the newest post
        is rendered once and the result thrown away: that imports them and compiles the regexes
        of the lexers it uses.
        """
        if outcome.report is None or outcome.config is None:
            return
        posts = [post for post, _ in self.resident.parsed.values() if post is not None and post.kind == "post"]
        if posts:
            newest = {post.source: post for post in posts}[reading_order(posts)[0]]
            render_post(newest, options_from_config(outcome.config))

    def retained_tree(self) -> Path | None:
        """The writer's retained tree for this session's private folder (in the site's cache)."""
        return self.cache.retained_tree(state_key(self.site_dir.absolute()))

    def status_of(self, outcome: Outcome) -> Status:
        self.builds += 1
        return Status(f"{self.instance}-{self.builds}", outcome.problems if outcome.report is None else ())

    def show(self, outcome: Outcome, first: bool) -> None:
        for problem in outcome.problems:
            print(format_diagnostic(problem), file=self.err, flush=True)
        print(report_line(outcome, first), file=self.out, flush=True)

    def targets(self, outcome: Outcome | None) -> WatchTargets:
        """What to watch for the configuration a build read (before the first: read it now)."""
        if outcome is None:
            try:
                return watch_targets(load_config(self.root))
            except BuildError:
                return watch_targets(SiteConfig(root=self.root))
        return watch_targets(outcome.config or SiteConfig(root=self.root))


def serve(options: ServeOptions, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run the preview until Ctrl-C (or SIGTERM); returns the exit code."""
    temp = _private_folder(options.root.absolute() / CACHE_DIR)
    session = Session(options, temp / "site", out, err)
    server: PreviewServer | None = None
    try:
        with _interrupt_on_sigterm():
            server = PreviewServer(session.site_dir, LiveState(Status("starting")), options.host, options.port)
            _run(session, server)
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        if server is not None:
            raise
        print(f"blog serve: cannot listen on {options.host}:{options.port}: {exc.strerror or exc}", file=err)
        return 1
    finally:
        _clean_up(server, temp)
        retained = session.retained_tree()
        if retained is not None:  # it belongs to the private folder just removed
            remove_retained(retained)
        session.cache.close()
    print("Stopped; the preview folder is removed.", file=out, flush=True)
    return 0


def _run(session: Session, server: PreviewServer) -> None:
    """First build, start serving, then the watch → gather → build → publish loop."""
    watcher = Watcher(session.targets(None))
    watcher.start()  # before the first build, so a save made during it is not missed
    try:
        first = session.build(server.url)
        server.live.publish(session.status_of(first), "reload")
        session.show(first, first=True)
        watcher = _rewatch(watcher, session.targets(first), frozenset())
        _announce(session, server)
        session.warm_up(first)
        while True:
            changed = _next_burst(watcher, session)
            print(f"Changed: {describe(changed)}", file=session.out, flush=True)
            previous = server.live.status
            outcome = session.build(server.url)
            server.live.publish(session.status_of(outcome), event_kind(changed, previous, outcome))
            session.show(outcome, first=False)  # after publishing: whoever reads this line sees the new state
            watcher = _rewatch(watcher, session.targets(outcome), changed)
    finally:
        watcher.close()


def _announce(session: Session, server: PreviewServer) -> None:
    """Start answering requests and tell the author where."""
    options = session.options
    server.start()
    if not is_loopback(options.host):
        print(f"warning: listening on {options.host}: other machines can see this preview, drafts included",
              file=session.err, flush=True)
    extra = "drafts and future posts included" if options.drafts else "drafts and future posts left out"
    print(f"Serving {session.root} at {server.url} ({extra}); Ctrl-C stops", file=session.out, flush=True)
    if options.open_browser:
        threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()


def _next_burst(watcher: Watcher, session: Session) -> frozenset[str]:
    """The next finished burst of relevant changes; a broken watch is reported as a change.

    The first save after a calm spell is built at once, which is what makes a single save show
    quickly; while saves keep coming, they are gathered until they pause. A burst therefore
    costs at most two builds: its first save's, and one for everything after it.
    """
    first = None
    while first is None:
        first = watcher.get(timeout=1.0)
    calm = time.monotonic() - session.last_built >= CALM_SECONDS
    quiet = FIRST_QUIET_SECONDS if calm else QUIET_SECONDS
    batch = first if isinstance(first, Exception) else gather(first, watcher.get, quiet, LONGEST_WAIT_SECONDS)
    if isinstance(batch, Exception):
        print(f"warning: watching stopped ({batch}); starting again", file=session.err, flush=True)
        return frozenset({WATCH_FAILED})
    return batch


def _rewatch(watcher: Watcher, targets: WatchTargets, changed: frozenset[str]) -> Watcher:
    """A new watcher when the folders to watch changed, one of them was replaced, or watching failed.

    A save that landed after the old watcher's event but before the new watcher began (a file
    written into a just-created `templates/`, say) is caught by one more build, which the new
    watcher is asked for at once.
    """
    replaced = WATCH_FAILED in changed or any(watcher.targets.is_top_folder(path) for path in changed)
    if targets == watcher.targets and not replaced:
        return watcher
    fresh = Watcher(targets)
    fresh.start()  # before the old one stops, so nothing falls between the two
    watcher.close()
    fresh.take_over(watcher)
    fresh.request(frozenset({WATCH_RESTARTED}))
    return fresh


def _private_folder(cache_dir: Path) -> Path:
    """A new folder for the preview's output, inside the build cache when that can be written.

    There it is on the same file system as the writer's retained tree, so each rebuild brings
    that tree up to date and swaps it in; from another file system (a tmpfs `/tmp` is common),
    every rebuild would stage all files and folders afresh.
    """
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="serve-", dir=cache_dir))
    except OSError:
        return Path(tempfile.mkdtemp(prefix="blog-serve-"))


def _clean_up(server: PreviewServer | None, temp: Path) -> None:
    """Stop serving and remove the private folder; a second Ctrl-C meanwhile is ignored."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if _main_thread() else None
    try:
        if server is not None:
            server.stop()
        shutil.rmtree(temp, ignore_errors=True)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


class _interrupt_on_sigterm:
    """Treat SIGTERM like Ctrl-C while serving, so `kill` also removes the temp folder."""

    def __enter__(self) -> None:
        self.previous = signal.signal(signal.SIGTERM, self._raise) if _main_thread() else None

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)

    @staticmethod
    def _raise(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()
