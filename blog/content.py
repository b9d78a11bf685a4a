"""Content: find the site's files, then turn one source into a validated `Post`.

`discover` is the only function here that touches the disk. `parse_post` checks every field of
a file and reports all of its problems at once, each at the line of the field, because fixing
one error per build run is the slowest way to repair a post.
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, Callable, Iterator, Mapping
from zoneinfo import ZoneInfo

from .config import SiteConfig
from .errors import BuildError, Diagnostic, error, sort_diagnostics, warning
from .frontmatter import FrontMatter, body_at, decode, split
from .model import EMPTY, Post, PostKind, Source, StaticFile

MARKDOWN_SUFFIXES = (".md", ".markdown")
KIND_FOLDERS: Mapping[str, PostKind] = MappingProxyType({"posts": "post", "pages": "page"})
KNOWN_FIELDS = (
    "title", "date", "updated", "tags", "slug", "url", "summary", "draft", "image", "description", "template",
)
_TEXT_FIELDS = ("summary", "image", "description", "template")

_JUNK_NAMES = frozenset({"4913", "Thumbs.db", "desktop.ini"})
_JUNK_SUFFIXES = ("~", ".swp", ".swo", ".swx")
_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.*)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$", re.IGNORECASE)
_URL = re.compile(r"^/(?:[A-Za-z0-9_-][A-Za-z0-9._-]*/)*(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\.html)?$")
# Letters that Unicode does not decompose into ASCII but that readers expect to see folded.
_FOLD = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "þ": "th", "ð": "d"}
)

_BAD_DATE = "expected YYYY-MM-DD or an ISO 8601 date-time"


# ----------------------------------------------------------------------------------- discovery


def is_ignored(name: str) -> bool:
    """Hidden files and the litter of editors and operating systems are never content."""
    return (
        name.startswith(".")
        or name in _JUNK_NAMES
        or name.endswith(_JUNK_SUFFIXES)
        or (name.startswith("#") and name.endswith("#"))
    )


def discover(
    config: SiteConfig, read: Callable[[Path], bytes] = Path.read_bytes
) -> tuple[tuple[Source, ...], tuple[StaticFile, ...], tuple[Diagnostic, ...]]:
    """Every post, page and static file under the content folder, sorted by path; `read`
    gives a file's bytes (a serving process remembers them, see `seenfiles`).

    Symbolic links are followed only while they resolve inside the site root, so a link to
    `~/.ssh` can never copy private bytes into the published site.
    """
    site = os.path.realpath(config.root)
    top = PurePosixPath(config.content_dir).as_posix()
    folder = Path(config.root) / top
    if not os.path.lexists(folder):
        return (), (), (warning(top, "content folder not found"),)
    if not os.path.isdir(folder):
        return (), (), (error(top, "expected a folder"),)
    sources: list[Source] = []
    statics: list[StaticFile] = []
    problems: list[Diagnostic] = []
    for found in _walk(site, folder, top, ()):
        if isinstance(found, Diagnostic):
            problems.append(found)
            continue
        path, real = found
        relative = path[len(top) + 1 :]
        kind = _kind(relative)
        if kind is None:
            statics.append(StaticFile(path, real, relative))
            continue
        try:
            sources.append(Source(path, read(real), kind))
        except OSError as exc:
            problems.append(error(path, f"cannot read file: {exc.strerror}"))
    return (
        tuple(sorted(sources, key=lambda s: s.path)),
        tuple(sorted(statics, key=lambda s: s.source)),
        tuple(sorted(problems, key=lambda d: d.path)),
    )


def _walk(
    site: str, entry: Path, path: str, seen: tuple[str, ...]
) -> Iterator[tuple[str, Path] | Diagnostic]:
    """Files below `entry` as (site-relative path, real path), and a diagnostic for each bad link.

    `seen` holds the real folders on the way down, so a link back up is reported, not followed.
    """
    real = os.path.realpath(entry)
    if real != site and not real.startswith(site.rstrip(os.sep) + os.sep):
        yield error(path, "symbolic link points outside the site")
    elif not os.path.exists(real):
        yield error(path, "symbolic link is broken or loops")
    elif os.path.isdir(real):
        yield from _walk_folder(site, real, path, seen)
    elif os.path.isfile(real):
        yield path, Path(real)


def _walk_folder(site: str, real: str, path: str, seen: tuple[str, ...]) -> Iterator[tuple[str, Path] | Diagnostic]:
    """The files of the folder at the real path `real`, in name order.

    Only symbolic links need resolving: an entry that is not one has the real path of its
    folder plus its name, which keeps a walk of thousands of posts to one scan per folder.
    """
    if real in seen:
        yield error(path, "symbolic link loops back to a folder above it")
        return
    try:
        with os.scandir(real) as listing:
            entries = sorted((e for e in listing if not is_ignored(e.name)), key=lambda e: e.name)
    except OSError as exc:
        yield error(path, f"cannot read folder: {exc.strerror}")
        return
    below = seen + (real,)
    for entry in entries:
        child = f"{path}/{entry.name}"
        if entry.is_symlink():
            yield from _walk(site, Path(entry.path), child, below)
        elif entry.is_dir(follow_symlinks=False):
            yield from _walk_folder(site, entry.path, child, below)
        elif entry.is_file(follow_symlinks=False):
            yield child, Path(entry.path)


def _kind(relative: str) -> PostKind | None:
    """`posts/**/*.md` are posts and `pages/**/*.md` pages; everything else is copied."""
    folder, _, rest = relative.partition("/")
    if rest and folder in KIND_FOLDERS and rest.lower().endswith(MARKDOWN_SUFFIXES):
        return KIND_FOLDERS[folder]
    return None


# ------------------------------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class _Fields:
    """Front matter plus the means to locate a field, passed to the field checks."""

    source: Source
    front: FrontMatter
    zone: ZoneInfo

    def at(self, key: str) -> tuple[int, int]:
        return self.front.positions.get(key, (1, 1))

    def problem(self, key: str, message: str) -> Diagnostic:
        return error(self.source.path, f"{key}: {message}", *self.at(key))


def parse_post(source: Source, config: SiteConfig) -> tuple[Post | None, tuple[Diagnostic, ...]]:
    """Validate one source; returns the Post (None if any error) and every diagnostic found."""
    try:
        front = split(decode(source.data, source.path), source.path)
    except BuildError as exc:
        return None, exc.diagnostics
    fields = _Fields(source, front, config.zone)
    meta = front.meta
    stem = _stem(source.path)
    problems: list[Diagnostic] = list(_unknown_fields(fields))

    title = _check(problems, fields, "title", _title)
    if meta.get("title") is None:
        problems.append(error(source.path, "title: required field is missing", 1, 1))
    date_value = _post_date(problems, fields, stem)
    updated = _check(problems, fields, "updated", lambda v: _date(v, fields.zone))
    tags = _check(problems, fields, "tags", _tags) or ()
    draft = _check(problems, fields, "draft", _bool) or False
    texts = {key: _check(problems, fields, key, _text) for key in _TEXT_FIELDS}
    explicit_slug = meta.get("slug") is not None
    slug = _check(problems, fields, "slug", _slug) if explicit_slug else _default_slug(problems, fields, stem)
    url = _check(problems, fields, "url", _url)
    if any(p.is_error for p in problems):
        return None, sort_diagnostics(problems)
    if url is None:
        url = _permalink(config.permalink, date_value, slug) if source.kind == "post" else f"/{slug}/"
    extra = {key: value for key, value in meta.items() if key not in KNOWN_FIELDS}
    post = Post(
        source=source.path,
        kind=source.kind,
        title=title,
        date=date_value,
        updated=updated,
        tags=tags,
        slug=slug,
        url=url,
        draft=draft,
        body=front.body,
        body_line=front.body_line,
        extra=MappingProxyType(extra) if extra else EMPTY,
        **texts,
    )
    return post, sort_diagnostics(problems)


def body_of(source: Source, body_line: int) -> str:
    """The body of a source parsed before, whose body starts on `body_line`."""
    return body_at(decode(source.data, source.path), body_line)


def is_published(post: Post, drafts: bool, future: bool, now: datetime) -> bool:
    """Whether a build shows `post`: drafts only with `drafts`, future posts only with `future`.

    `now` must be timezone-aware, like every Post date.
    """
    if post.draft and not drafts:
        return False
    return future or post.kind != "post" or post.date is None or post.date <= now


def _check(problems: list[Diagnostic], fields: _Fields, key: str, convert: Callable[[Any], Any]) -> Any:
    """Run one field's converter; a ValueError becomes a located diagnostic and the value None."""
    value = fields.front.meta.get(key)
    if value is None:
        return None
    try:
        return convert(value)
    except ValueError as exc:
        problems.append(fields.problem(key, str(exc)))
        return None


def _unknown_fields(fields: _Fields) -> Iterator[Diagnostic]:
    """A warning for an unknown key that looks like a misspelt known one (`tag`, `titel`)."""
    for key in fields.front.meta:
        if key in KNOWN_FIELDS:
            continue
        close = difflib.get_close_matches(key, KNOWN_FIELDS, n=1, cutoff=0.75)
        if close:
            line, _ = fields.at(key)
            yield warning(fields.source.path, f"{key}: unknown field; did you mean '{close[0]}'?", line, 1)


# -------------------------------------------------------------------------------- field values


def _title(value: Any) -> str:
    title = _text(value).strip()
    if not title:
        raise ValueError("must not be empty")
    return title


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a string")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def _tags(value: Any) -> tuple[str, ...]:
    """A list or a comma-separated string; blanks dropped, exact repeats removed, order kept."""
    if isinstance(value, str):
        items: tuple[Any, ...] = tuple(value.split(","))
    elif isinstance(value, tuple):
        items = value
    else:
        raise ValueError("expected a list of strings or a comma-separated string")
    names: list[str] = []
    for item in items:
        if item is None:
            continue
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise ValueError("expected a list of strings or a comma-separated string")
        name = str(item).strip()
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _date(value: Any, zone: ZoneInfo) -> datetime:
    """A date or date-time in any accepted spelling → an aware datetime in the site's zone."""
    if isinstance(value, str):
        value = _parse_date_text(value.strip())
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=zone)
        return aware.astimezone(zone)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=zone)
    raise ValueError(_BAD_DATE)


def _parse_date_text(text: str) -> date | datetime:
    try:
        if _DATE.match(text):
            return date.fromisoformat(text)
        if _DATE_TIME.match(text):
            return datetime.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(_BAD_DATE)


def _slug(value: Any) -> str:
    """An explicit slug is one safe path segment (R12): no separators, dots runs or escapes."""
    if not isinstance(value, str) or not _SLUG.match(value) or ".." in value:
        raise ValueError("expected letters, digits, '.', '_' or '-', starting with a letter or digit")
    return value


def _url(value: Any) -> str:
    """An explicit URL stays inside the output folder (R12): plain segments, no dot-dot or escapes."""
    if not isinstance(value, str) or not _URL.match(value) or ".." in value:
        raise ValueError("expected a site path such as '/about/' or '/notes/page.html'")
    return value


# ----------------------------------------------------------------------------- names and URLs


def _stem(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    for suffix in MARKDOWN_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def _post_date(problems: list[Diagnostic], fields: _Fields, stem: str) -> datetime | None:
    """`date` from the front matter, else from a `YYYY-MM-DD-slug.md` file name; posts need one."""
    if fields.front.meta.get("date") is not None:
        return _check(problems, fields, "date", lambda v: _date(v, fields.zone))
    path = fields.source.path
    found = _DATE_PREFIX.match(stem)
    if found:
        try:
            return _date(date(int(found.group(1)), int(found.group(2)), int(found.group(3))), fields.zone)
        except ValueError:
            problems.append(error(path, "date: the file name starts with an impossible date", 1, 1))
            return None
    if fields.source.kind == "post":
        message = "date: required field is missing (or name the file YYYY-MM-DD-slug.md)"
        problems.append(error(path, message, 1, 1))
    return None


def _default_slug(problems: list[Diagnostic], fields: _Fields, stem: str) -> str | None:
    found = _DATE_PREFIX.match(stem)
    slug = slugify(found.group(4) if found else stem)
    if not slug:
        message = "slug: the file name gives no usable slug; set 'slug'"
        problems.append(error(fields.source.path, message, 1, 1))
        return None
    return slug


def slugify(name: str) -> str:
    """A file name → a URL-safe slug: ASCII-folded, lowercase, `-` for anything unsafe."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).lower().translate(_FOLD))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9._-]+", "-", ascii_text)
    slug = re.sub(r"\.{2,}", ".", re.sub(r"-{2,}", "-", slug))
    return slug.strip("-._")


def _permalink(pattern: str, when: datetime, slug: str) -> str:
    """Fill the configured permalink; the date tokens come from the date in the site's zone."""
    values = {
        "year": f"{when.year:04d}", "month": f"{when.month:02d}", "day": f"{when.day:02d}", "slug": slug,
    }
    return re.sub(r"\{(year|month|day|slug)\}", lambda m: values[m.group(1)], pattern)
