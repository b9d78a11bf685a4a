"""Site configuration: `blog.toml`, else `[tool.blog]` in `pyproject.toml`, into a frozen value.

Every problem is reported at once with its line, and a misspelt key gets a suggestion, because a
silently ignored setting is the hardest kind of configuration bug to find.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import BuildError, Diagnostic, error

PERMALINK_TOKENS = ("year", "month", "day", "slug")

PublishKind = Literal["folder", "git", "rsync", "s3"]
DEFAULT_MAX_DELETES = 256


@dataclass(frozen=True, slots=True)
class PublishTarget:
    """One `[publish.NAME]` table: where `blog publish NAME` sends the built site."""

    name: str
    url: str
    kind: PublishKind  # told by the URL's form, see publish_kind()
    max_deletes: int = DEFAULT_MAX_DELETES
    endpoint_url: str | None = None  # s3 only, like the three below
    region: str | None = None
    profile: str | None = None
    cache_control: tuple[tuple[str, str], ...] = ()  # (glob, header) in file order; first match wins


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Every setting of a site, with the defaults a new site gets."""

    root: Path = Path(".")
    config_path: str = "blog.toml"
    title: str = "My technical blog"
    base_url: str = "http://localhost:8000/"
    author: str = ""
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    posts_per_page: int = 10
    permalink: str = "/blog/{slug}/"
    theme: str = "default"
    highlight_style: str = "friendly"
    highlight_style_dark: str = "github-dark"
    read_more_text: str = "Read more..."
    excerpt_paragraphs: int = 1
    render_timeout: float = 10.0
    related_posts: int = 5
    feed_items: int = 20
    content_dir: str = "content"
    output_dir: str = "output"
    tag_aliases: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    publish: tuple[PublishTarget, ...] = ()  # by name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def absolute_url(self, url: str) -> str:
        """Join a site-relative URL ("/blog/x/") onto `base_url`, keeping any base path."""
        return self.base_url.rstrip("/") + "/" + url.lstrip("/")


@dataclass(frozen=True, slots=True)
class MarkupOptions:
    """Everything besides a post's own text that changes its rendering (part of the cache key)."""

    excerpt_paragraphs: int = 1
    timeout: float = 10.0  # seconds per post


def options_from_config(config: SiteConfig) -> MarkupOptions:
    return MarkupOptions(excerpt_paragraphs=config.excerpt_paragraphs, timeout=config.render_timeout)


# Keys as written in the file → (field name, expected type). Types are checked, not coerced.
_SCALAR_KEYS: dict[str, type | tuple[type, ...]] = {
    "title": str,
    "base_url": str,
    "author": str,
    "description": str,
    "language": str,
    "timezone": str,
    "posts_per_page": int,
    "permalink": str,
    "theme": str,
    "highlight_style": str,
    "highlight_style_dark": str,
    "read_more_text": str,
    "excerpt_paragraphs": int,
    "render_timeout": (int, float),
    "related_posts": int,
    "feed_items": int,
    "content_dir": str,
    "output_dir": str,
}
_TABLE_KEYS = ("tags", "publish")
_TAGS_KEYS = ("aliases",)
_PUBLISH_KEYS: dict[str, type] = {"url": str, "max_deletes": int, "endpoint_url": str, "region": str, "profile": str}
_S3_ONLY_KEYS = ("endpoint_url", "region", "profile", "cache_control")
# URL forms of publish targets, tried in order: (kind, regular expression of the whole URL).
_PUBLISH_FORMS: tuple[tuple[PublishKind, str], ...] = (
    ("s3", r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/\S*)?"),
    ("git", r"git\+(file|ssh|https?)://[^#\s]+#[^#\s]+|git:[^#\s/:@]+#[^#\s]+"),
    ("rsync", r"rsync://[^/\s]+/\S*|rsync:(?!//)\S+|[^@/\s:]+@[^/\s:]+:\S*"),
    ("folder", r"file:///.*|/.*|\.\.?(/.*)?|~(/.*)?"),
)
PUBLISH_FORMS_HELP = (
    "a folder (/srv/www/blog, ./public, file:///srv/www/blog), a git branch (git+file:///path/repo.git#gh-pages, "
    "git+ssh://host/repo.git#gh-pages, git:origin#gh-pages), rsync (rsync://host/module/path, user@host:path, "
    "rsync:DESTINATION) or S3 (s3://bucket/prefix)"
)
_POSITIVE = ("posts_per_page", "excerpt_paragraphs", "feed_items", "render_timeout")


def key_positions(text: str) -> dict[tuple[str, ...], tuple[int, int]]:
    """Map each dotted key path of a TOML text to the (line, col) where it is written.

    tomllib gives values but no positions; this scan of table headers and `key =` lines is enough
    to point a diagnostic at the right line of ordinary hand-written configuration.
    """
    positions: dict[tuple[str, ...], tuple[int, int]] = {}
    table: tuple[str, ...] = ()
    header = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    assignment = re.compile(r"^(\s*)((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if m := header.match(line):
            table = _split_dotted(m.group(1))
            for end in range(1, len(table) + 1):  # [publish.web] also places `publish`
                positions.setdefault(table[:end], (number, line.index("[") + 1))
        elif m := assignment.match(line):
            key = table + _split_dotted(m.group(2))
            positions.setdefault(key, (number, len(m.group(1)) + 1))
    return positions


def _split_dotted(key: str) -> tuple[str, ...]:
    parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+)", key)
    return tuple(next(p for p in groups if p) if any(groups) else "" for groups in parts)


def _suggest(name: str, known: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _type_name(expected: type | tuple[type, ...]) -> str:
    if expected == (int, float):
        return "a number"
    return {str: "a string", int: "an integer", bool: "true or false"}.get(expected, str(expected))  # type: ignore[arg-type]


def validate(
    table: Mapping[str, Any],
    path: str,
    positions: Mapping[tuple[str, ...], tuple[int, int]],
    prefix: tuple[str, ...],
) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Check one configuration table; returns SiteConfig keyword arguments and all problems."""
    values: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    known = list(_SCALAR_KEYS) + list(_TABLE_KEYS)

    def where(*key: str) -> tuple[int | None, int | None]:
        return positions.get(prefix + key, (None, None))

    for key, value in table.items():
        line, col = where(key)
        if key in _SCALAR_KEYS:
            expected = _SCALAR_KEYS[key]
            if isinstance(value, bool) or not isinstance(value, expected):
                problems.append(error(path, f"{key}: expected {_type_name(expected)}, got {value!r}", line, col))
                continue
            if key in _POSITIVE and value <= 0:
                problems.append(error(path, f"{key}: must be greater than 0", line, col))
                continue
            if key == "related_posts" and value < 0:
                problems.append(error(path, f"{key}: must not be negative", line, col))
                continue
            values[key] = float(value) if key == "render_timeout" else value
        elif key == "publish":
            values["publish"], found = _publish_targets(value, path, where)
            problems.extend(found)
        elif key == "tags":
            if not isinstance(value, dict):
                problems.append(error(path, "tags: expected a table", line, col))
                continue
            for sub, subvalue in value.items():
                sline, scol = where("tags", sub)
                if sub != "aliases":
                    problems.append(error(path, f"unknown key 'tags.{sub}'{_suggest(sub, _TAGS_KEYS)}", sline, scol))
                elif not isinstance(subvalue, dict) or not all(isinstance(v, str) for v in subvalue.values()):
                    problems.append(error(path, "tags.aliases: expected a table of strings", sline, scol))
                else:
                    values["tag_aliases"] = MappingProxyType(dict(sorted(subvalue.items())))
        else:
            problems.append(error(path, f"unknown key '{key}'{_suggest(key, known)}", line, col))

    problems.extend(_check_values(values, path, where))
    return values, problems


def publish_kind(url: str) -> PublishKind | None:
    """The kind of target a publish URL names, from its form alone; None for no known form."""
    return next((kind for kind, form in _PUBLISH_FORMS if re.fullmatch(form, url)), None)


def _publish_targets(value: Any, path: str, where) -> tuple[tuple[PublishTarget, ...], list[Diagnostic]]:
    """Every `[publish.NAME]` table, checked, by name."""
    if not isinstance(value, dict):
        return (), [error(path, "publish: expected tables such as [publish.production]", *where("publish"))]
    targets: list[PublishTarget] = []
    problems: list[Diagnostic] = []
    for name in sorted(value):
        target, found = _publish_target(name, value[name], path, where)
        problems.extend(found)
        if target is not None:
            targets.append(target)
    return tuple(targets), problems


def _publish_target(name: str, table: Any, path: str, where) -> tuple[PublishTarget | None, list[Diagnostic]]:
    """One publish target; None with the problems when it is not usable."""
    label = f"publish.{name}"
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        return None, [error(path, f"{label}: a target name may only use letters, digits, '-' and '_'", *where("publish", name))]
    if not isinstance(table, dict):
        return None, [error(path, f"{label}: expected a table with a url", *where("publish", name))]
    values: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    for key, item in table.items():
        at = where("publish", name, key)
        if key == "cache_control":
            if isinstance(item, dict) and all(isinstance(v, str) for v in item.values()):
                values[key] = tuple(item.items())
            else:
                problems.append(error(path, f"{label}.cache_control: expected a table of glob = \"header\" strings", *at))
        elif key not in _PUBLISH_KEYS:
            known = list(_PUBLISH_KEYS) + ["cache_control"]
            problems.append(error(path, f"unknown key '{label}.{key}'{_suggest(key, known)}", *at))
        elif isinstance(item, bool) or not isinstance(item, _PUBLISH_KEYS[key]):
            problems.append(error(path, f"{label}.{key}: expected {_type_name(_PUBLISH_KEYS[key])}, got {item!r}", *at))
        elif key == "max_deletes" and item < 0:
            problems.append(error(path, f"{label}.max_deletes: must not be negative", *at))
        elif key == "endpoint_url" and not re.fullmatch(r"https?://[^/\s]+/?", item):
            problems.append(error(path, f"{label}.endpoint_url: expected an http(s) URL such as 'http://127.0.0.1:9000'", *at))
        else:
            values[key] = item
    url = values.get("url")
    kind = publish_kind(url) if url is not None else None
    if "url" not in table:
        problems.append(error(path, f"{label}: missing url, e.g. url = \"s3://bucket/blog\"", *where("publish", name)))
    elif url is not None and kind is None:
        problems.append(error(path, f"{label}.url: {url!r} is none of {PUBLISH_FORMS_HELP}", *where("publish", name, "url")))
    if kind is not None and kind != "s3":
        for key in sorted(set(table) & set(_S3_ONLY_KEYS)):
            problems.append(error(path, f"{label}.{key}: only s3:// targets take this key", *where("publish", name, key)))
    if problems or kind is None:
        return None, problems
    return PublishTarget(name=name, kind=kind, **values), []


def _check_values(values: Mapping[str, Any], path: str, where) -> list[Diagnostic]:
    """Checks that need the value, not just its type."""
    problems: list[Diagnostic] = []
    if "timezone" in values:
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(error(path, f"timezone: unknown time zone {values['timezone']!r}", *where("timezone")))
    for key in ("highlight_style", "highlight_style_dark"):
        if key in values and not _is_pygments_style(values[key]):
            problems.append(error(path, f"{key}: unknown Pygments style {values[key]!r}", *where(key)))
    if "base_url" in values and not re.match(r"^https?://[^/\s]+(/[^\s]*)?$", values["base_url"]):
        problems.append(error(path, "base_url: expected an absolute http(s) URL such as 'https://example.org/'", *where("base_url")))
    if "permalink" in values:
        permalink = values["permalink"]
        tokens = re.findall(r"\{([^}]*)\}", permalink)
        unknown = [t for t in tokens if t not in PERMALINK_TOKENS]
        if unknown:
            problems.append(error(path, f"permalink: unknown token {{{unknown[0]}}}; use {{year}}, {{month}}, {{day}}, {{slug}}", *where("permalink")))
        elif "slug" not in tokens:
            problems.append(error(path, "permalink: must contain {slug}", *where("permalink")))
        elif not permalink.startswith("/"):
            problems.append(error(path, "permalink: must start with '/'", *where("permalink")))
    for key in ("content_dir", "output_dir"):
        if key in values and (not values[key] or Path(values[key]).is_absolute() or ".." in Path(values[key]).parts):
            problems.append(error(path, f"{key}: expected a folder inside the site", *where(key)))
    return problems


def _is_pygments_style(name: str) -> bool:
    """Imported here so sites that keep the default styles never load Pygments' style registry."""
    from pygments.styles import get_style_by_name
    from pygments.util import ClassNotFound

    try:
        get_style_by_name(name)
    except ClassNotFound:
        return False
    return True


def _decode_error(exc: tomllib.TOMLDecodeError, path: str) -> Diagnostic:
    message = str(exc)
    m = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if m:
        return error(path, message[: m.start()].strip(), int(m.group(1)), int(m.group(2)))
    return error(path, message)


def parse_config(text: str, path: str = "blog.toml", root: Path = Path("."), pyproject: bool = False) -> SiteConfig:
    """Parse configuration text; in a `pyproject.toml` only `[tool.blog]` is read."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BuildError([_decode_error(exc, path)]) from None
    prefix: tuple[str, ...] = ()
    if pyproject:
        prefix = ("tool", "blog")
        data = data.get("tool", {}).get("blog", {})
        if not isinstance(data, dict):
            raise BuildError([error(path, "[tool.blog] must be a table")])
    values, problems = validate(data, path, key_positions(text), prefix)
    if problems:
        raise BuildError(problems)
    return SiteConfig(root=root, config_path=path, **values)


def load_config(root: Path) -> SiteConfig:
    """Read the site's configuration from `root`: `blog.toml` wins over `pyproject.toml`."""
    root = root.resolve()
    for name, pyproject in (("blog.toml", False), ("pyproject.toml", True)):
        candidate = root / name
        if candidate.is_file():
            try:
                text = candidate.read_bytes().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise BuildError([error(name, f"byte {exc.start}: not valid UTF-8")]) from None
            return parse_config(text, name, root, pyproject)
    return SiteConfig(root=root)
