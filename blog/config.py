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
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import BuildError, Diagnostic, error

PERMALINK_TOKENS = ("year", "month", "day", "slug")


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

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def absolute_url(self, url: str) -> str:
        """Join a site-relative URL ("/blog/x/") onto `base_url`, keeping any base path."""
        return self.base_url.rstrip("/") + "/" + url.lstrip("/")


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
_TABLE_KEYS = ("tags",)
_TAGS_KEYS = ("aliases",)
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
            positions.setdefault(table, (number, line.index("[") + 1))
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
