"""Is `output/` already the build of exactly these inputs? Then a build has nothing to do.

The answer rests on content, not on modification times: a fingerprint over the engine's code and
libraries, the configuration and options, and the bytes of every source, static file, template
and theme file. A build that finishes records that fingerprint with the list of files it left in
the output folder (size, mtime, inode) and the moment its set of published posts would change (the
first future post falling due). The next build is skipped only when all three still hold.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Mapping, Sequence

from .cache import digest, encode_diagnostics, engine_key
from .config import SiteConfig
from .errors import Diagnostic
from .model import BuildOptions, Source, StaticFile
from .themefiles import DEFAULT_THEME, PACKAGED_THEMES, theme_dir
from .writer import file_record, walk_files


def template_files(config: SiteConfig) -> list[Path]:
    """Every file a template lookup or theme static copy can read, in a fixed order."""
    folders = (config.root / "templates", theme_dir(config), PACKAGED_THEMES / DEFAULT_THEME)
    found: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            found.extend(sorted(p for p in folder.rglob("*") if p.is_file()))
    return found


def templates_digest(config: SiteConfig) -> str:
    """One digest over every template and theme file (a template change re-renders every page)."""
    parts: list[str | bytes] = []
    for path in template_files(config):
        parts += [str(path), path.read_bytes()]
    return digest(*parts)


def input_fingerprint(
    config: SiteConfig,
    options: BuildOptions,
    sources: Sequence[Source],
    hashes: Sequence[str],
    statics: Sequence[StaticFile],
    templates: str,
) -> str:
    """The digest of every input of a build; `hashes` are the digests of the sources' bytes."""
    parts: list[str | bytes] = [engine_key(), repr(config), repr((options.drafts, options.future)), templates]
    for source, data in zip(sources, hashes, strict=True):
        parts += [source.path, source.kind, data]
    for static in statics:
        parts += [static.output_path, static.source, digest(static.absolute.read_bytes())]
    return digest(*parts)


def output_record(out_dir: Path) -> dict[str, list[int]]:
    """path → [size, mtime_ns, inode] of every file in the output, except the keep-list entries."""
    record: dict[str, list[int]] = {}
    for path, entry in walk_files(out_dir):
        record[path] = file_record(entry.stat(follow_symlinks=False))
    return dict(sorted(record.items()))


def make_state(
    fingerprint: str,
    valid_until: datetime | None,
    files: Mapping[str, list[int]],
    counts: Mapping[str, int],
    warnings: Sequence[Diagnostic],
) -> dict[str, Any]:
    """What a finished build records; `files` is the output as `output_record` reads it."""
    return {
        "fingerprint": fingerprint,
        "valid_until": valid_until.isoformat() if valid_until else None,
        "files": dict(files),
        "counts": dict(counts),
        "warnings": encode_diagnostics(warnings),
    }


def current_record(out_dir: Path) -> dict[str, list[int]]:
    """`output_record`, or empty when the output changes under it (a file removed while read)."""
    try:
        return output_record(out_dir)
    except OSError:
        return {}


def is_fresh(state: Mapping[str, Any] | None, fingerprint: str, now: datetime, current: Mapping[str, list[int]]) -> bool:
    """True when the recorded build had these inputs, no future post is due, and output is as left."""
    if not state or state.get("fingerprint") != fingerprint:
        return False
    if state["valid_until"] is not None and now >= datetime.fromisoformat(state["valid_until"]):
        return False
    return dict(current) == state["files"]


def intact_files(state: Mapping[str, Any] | None, current: Mapping[str, list[int]]) -> frozenset[str]:
    """Output files still exactly as the last build left them (same size, mtime and inode)."""
    if not state:
        return frozenset()
    recorded = state["files"]
    return frozenset(path for path, info in current.items() if recorded.get(path) == info)


def state_key(out_dir: Path) -> str:
    return digest("output", str(out_dir))
