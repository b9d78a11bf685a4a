"""The persistent build cache: pure, expensive results keyed by everything they depend on.

A key is a SHA-256 over the exact inputs of a step (source bytes, configuration, engine code and
library versions), so a hit is always right and nothing is guessed from modification times. The
store is SQLite under `.blog-cache/`; values are JSON with a few tagged types (never pickle: a
cache file must not be able to run code). The one exception is compiled templates, which run
with no more power than the site's templates themselves (see `theme.CompiledTemplates`). A cache
that cannot be read is treated as empty, with a warning, and rebuilt.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sqlite3
import sys
from dataclasses import fields
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

from . import __version__
from .errors import Diagnostic, warning
from .model import Post, Rendered, TocItem

CACHE_DIR = ".blog-cache"
CACHE_FILE = "cache.sqlite3"
SCHEMA = "blog-cache-2"  # 2: renderings are rows of `rendered_row`
LIBRARIES = ("markdown", "pymdown-extensions", "pygments", "pyyaml", "jinja2")
TABLES = ("parsed", "rendered", "notes", "derived", "pages", "state", "templates")
# Rows a build adds are written once this much of their text is pending, inside the transaction
# `commit` ends: a cold build's 30 MB are then written while it renders, not all after it.
WRITE_BATCH = 4 << 20


@functools.cache
def engine_key() -> str:
    """Engine source and library versions: a change of either invalidates every cached result.

    Computed once per process: the code a running process executes cannot change under it.
    """
    digest = hashlib.sha256(f"{SCHEMA}\0{__version__}".encode())
    for name in LIBRARIES:
        digest.update(f"\0{name}={installed_version(name) or '?'}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def installed_version(name: str) -> str | None:
    """The version of the installed distribution `name`, None when there is none.

    Read from the name of its `.dist-info` folder, the first on `sys.path` as importlib.metadata
    looks for it: importing that module (with the e-mail parser it reads metadata with) took
    16 ms, a tenth of a rebuild that changes nothing. Other installs are asked of it.
    """
    wanted = _project_key(name)
    for folder in sys.path:
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in entries:
            project, _, version = entry.removesuffix(".dist-info").partition("-")
            if entry.endswith(".dist-info") and version and _project_key(project) == wanted:
                return version
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _project_key(name: str) -> str:
    """A project name as packaging compares them: case, `-`, `_` and `.` do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def digest(*parts: str | bytes) -> str:
    """SHA-256 of the parts, each length-prefixed so ("ab", "c") and ("a", "bc") differ."""
    chunks: list[bytes] = []
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        chunks += (len(data).to_bytes(8, "little"), data)
    return hashlib.sha256(b"".join(chunks)).hexdigest()


# --- JSON with the types front matter produces ---------------------------------------------------


def encode_value(value: Any) -> Any:
    """Front-matter values → JSON, tagging what JSON cannot tell apart (tuples, dates, mappings)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime):
        zone = value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else None
        return {"$datetime": value.isoformat(), "zone": zone}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tuple": [encode_value(item) for item in value]}
    if isinstance(value, list):
        return [encode_value(item) for item in value]
    if isinstance(value, Mapping):
        return {"$map": [[key, encode_value(item)] for key, item in value.items()]}
    raise TypeError(f"cannot cache a value of type {type(value).__name__}")


def decode_value(value: Any) -> Any:
    if isinstance(value, list):
        return [decode_value(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "$datetime" in value:
        moment = datetime.fromisoformat(value["$datetime"])
        return moment.astimezone(ZoneInfo(value["zone"])) if value["zone"] else moment
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    if "$tuple" in value:
        return tuple(decode_value(item) for item in value["$tuple"])
    return MappingProxyType({key: decode_value(item) for key, item in value["$map"]})


def encode_post(post: Post) -> Any:
    """Every field but the body. The body is cut from the source's bytes again on the way back
    (`content.body_of`): the key of a parsed post covers those bytes, and reading 10 MB of bodies
    back for 1,000 posts cost more than cutting them."""
    return {f.name: encode_value(getattr(post, f.name)) for f in fields(Post) if f.name != "body"}


def decode_post(data: Mapping[str, Any], body: str) -> Post:
    return Post(**{key: decode_value(value) for key, value in data.items()}, body=body)


def _encode_toc(items: tuple[TocItem, ...]) -> list[Any]:
    return [[item.level, item.id, item.title, _encode_toc(item.children)] for item in items]


def _decode_toc(items: list[Any]) -> tuple[TocItem, ...]:
    return tuple(TocItem(level, id_, title, _decode_toc(children)) for level, id_, title, children in items)


def encode_rendered(rendered: Rendered) -> Any:
    return [rendered.html, rendered.excerpt_html, rendered.has_more, _encode_toc(rendered.toc)]


def decode_rendered(data: list[Any]) -> Rendered:
    html, excerpt, has_more, toc = data
    return Rendered(html, excerpt, has_more, _decode_toc(toc))


def encode_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Any]:
    return [[d.path, d.message, d.line, d.col, d.severity] for d in diagnostics]


def decode_diagnostics(data: list[Any]) -> tuple[Diagnostic, ...]:
    return tuple(Diagnostic(path, message, line, col, severity) for path, message, line, col, severity in data)


def to_json(value: Any) -> str:
    """How the store writes a value."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def rendered_row(value: list[Any]) -> str:
    """How the store writes an encoded rendering: its two HTML texts as they are, after a JSON
    line with their lengths and the other fields. As JSON, every quote and line break of the
    HTML was escaped: 50 µs for a post of 18 KB, and about as long to read back."""
    html, excerpt, has_more, toc = value
    return f"{to_json([len(html), len(excerpt), has_more, toc])}\n{html}{excerpt}"


def rendered_value(row: str) -> list[Any]:
    """An encoded rendering from `rendered_row`; ValueError when the row is not one."""
    head, _, texts = row.partition("\n")
    html_size, excerpt_size, has_more, toc = json.loads(head)
    if html_size + excerpt_size != len(texts):
        raise ValueError("the row's texts are not as long as its first line says")
    return [texts[:html_size], texts[html_size:], has_more, toc]


def _row(table: str, value: Any) -> str:
    """How the store writes a value of `table`: renderings by `rendered_row`, the rest as JSON."""
    return rendered_row(value) if table == "rendered" else to_json(value)


def _value(table: str, row: str) -> Any:
    return rendered_value(row) if table == "rendered" else json.loads(row)


# --- the store -------------------------------------------------------------------------------------


class BuildCache:
    """Key → JSON value tables in one SQLite file, or only in memory when `path` is None.

    The preview server keeps one instance open across rebuilds; the CLI opens one per build.
    Reads fall back to the in-memory layer first, so a long-running process never re-decodes.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.warnings: tuple[Diagnostic, ...] = ()
        self._memory: dict[str, dict[str, Any]] = {table: {} for table in TABLES}
        self._pending: dict[str, dict[str, str]] = {table: {} for table in TABLES}
        self._pending_size = 0  # characters of the rows in `_pending`
        self._used: dict[str, set[str]] = {table: set() for table in TABLES}
        self._db = self._connect() if path is not None else None

    @classmethod
    def for_site(cls, root: Path, enabled: bool = True) -> "BuildCache":
        return cls(root / CACHE_DIR / CACHE_FILE if enabled else None)

    def _connect(self) -> sqlite3.Connection | None:
        assert self.path is not None
        try:
            return self._open(self.path)
        except (sqlite3.DatabaseError, OSError, ValueError) as exc:
            shown = f"{CACHE_DIR}/{CACHE_FILE}"
            self.warnings = (warning(shown, f"cache could not be read ({exc}); starting with an empty cache"),)
            try:
                self.path.unlink(missing_ok=True)
                return self._open(self.path)
            except (sqlite3.DatabaseError, OSError, ValueError):
                return None

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / ".gitignore").write_text("*\n", encoding="utf-8")
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # A rollback journal, not a write-ahead log: a cold build adds some 30 MB of new rows in
        # one transaction, which a journal does not copy (only pages that existed are saved),
        # while a log writes every page twice, the second time once the build is otherwise done
        # (measured: about 0.1 CPU-s and 0.07 s of wall time of a 1,000-post cold build; edits
        # the same). FULL makes that journal safe against power loss.
        db.execute("PRAGMA journal_mode=DELETE")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is not None and row[0] != SCHEMA:
            raise ValueError(f"written by another version ({row[0]})")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA,))
        for table in TABLES:
            db.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("SELECT count(*) FROM parsed").fetchone()  # a corrupt file fails here, not mid-build
        return db

    def retained_tree(self, scope: str) -> Path | None:
        """Where the writer may keep the previous output tree of one output folder (see writer)."""
        return None if self.path is None else self.path.parent / f"previous-{scope[:16]}"

    def get_many(self, table: str, keys: Iterable[str]) -> dict[str, Any]:
        """The cached values of `keys` that exist; a row that does not decode counts as missing."""
        memory = self._memory[table]
        found, missing = self._split(table, keys)
        for key, text in self._select(table, "key, value", missing):
            try:
                found[key] = memory[key] = _value(table, text)
            except ValueError:
                continue
        return found

    def has_many(self, table: str, keys: Iterable[str]) -> set[str]:
        """Which of `keys` have a value, without reading the values (they may be large)."""
        found, missing = self._split(table, keys)
        return set(found) | {key for (key,) in self._select(table, "key", missing)}

    def _split(self, table: str, keys: Iterable[str]) -> tuple[dict[str, Any], list[str]]:
        """Mark `keys` as used; those already in memory with their values, and the rest."""
        keys = list(keys)
        self._used[table].update(keys)
        memory = self._memory[table]
        return {key: memory[key] for key in keys if key in memory}, [key for key in keys if key not in memory]

    def _select(self, table: str, columns: str, keys: list[str]) -> list[tuple[Any, ...]]:
        """Rows of `table` for `keys`, in chunks below SQLite's limit on bound parameters."""
        rows: list[tuple[Any, ...]] = []
        if self._db is None:
            return rows
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            try:
                rows += self._db.execute(f"SELECT {columns} FROM {table} WHERE key IN ({marks})", chunk).fetchall()
            except sqlite3.DatabaseError:
                continue
        return rows

    def get(self, table: str, key: str) -> Any | None:
        return self.get_many(table, [key]).get(key)

    def put(self, table: str, key: str, value: Any) -> None:
        """Store `value`, written at the next batch or commit."""
        self._used[table].add(key)
        self._memory[table][key] = value
        row = self._pending[table][key] = _row(table, value)
        self._pending_size += len(row)
        if self._pending_size >= WRITE_BATCH:
            self._write_pending()

    def _write_pending(self) -> None:
        """Write the rows added since the last write, in the transaction `commit` ends (begun
        here when none is open yet)."""
        if self._db is not None:
            try:
                if not self._db.in_transaction:
                    self._db.execute("BEGIN")
                for table, rows in self._pending.items():
                    self._db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)", rows.items())
            except sqlite3.DatabaseError:
                self._roll_back()
        for rows in self._pending.values():
            rows.clear()
        self._pending_size = 0

    def commit(self) -> None:
        """Write what this build added; a failure to write only costs speed next time."""
        self._write_pending()
        if self._db is not None and self._db.in_transaction:
            try:
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError:
                self._roll_back()

    def _roll_back(self) -> None:
        assert self._db is not None
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def prune(
        self, tables: Iterable[str] = ("parsed", "rendered", "notes", "derived", "templates"), live: Mapping[str, int] | None = None
    ) -> None:
        """Forget results no build has asked for since the last prune, once they outnumber the rest.

        Edited posts leave their old renderings behind; without this the cache would only grow.
        The slack (twice the live set) keeps a draft preview and a production build from evicting
        each other's entries on every run. `live` gives, for a table of which an incremental
        build reads only a part (the feeds' absolute links), how many rows a build that made
        every page would read, when that is more than this build read.
        """
        self.commit()
        for table in tables:
            used = self._used[table]
            memory = self._memory[table]
            for key in [key for key in memory if key not in used]:
                del memory[key]
            if self._db is not None:
                try:
                    (rows,) = self._db.execute(f"SELECT count(*) FROM {table}").fetchone()
                    if rows > 2 * max(len(used), (live or {}).get(table, 0)) + 100:
                        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
                        self._db.execute("DELETE FROM keep")
                        self._db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((key,) for key in used))
                        self._db.execute(f"DELETE FROM {table} WHERE key NOT IN (SELECT key FROM keep)")
                except sqlite3.DatabaseError:
                    pass
            used.clear()

    def close(self) -> None:
        self.commit()
        if self._db is not None:
            self._db.close()
            self._db = None


def clean(root: Path) -> bool:
    """Remove the site's cache folder; True when there was one."""
    import shutil

    folder = root / CACHE_DIR
    if not folder.exists():
        return False
    shutil.rmtree(folder)
    return True
