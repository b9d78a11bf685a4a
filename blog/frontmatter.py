"""Front matter: bytes → text, then YAML (`---`) or TOML (`+++`) metadata with file positions.

Everything here works on values, so every encoding and parsing case is testable on strings.
YAML is read by `yamlfront`, with a deliberately small dialect.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from .config import key_positions
from .errors import BuildError, error
from .model import EMPTY, freeze

BOM = b"\xef\xbb\xbf"

_YAML_OPEN = re.compile(r"---[ \t]*")
_YAML_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_TOML_FENCE = re.compile(r"\+\+\+[ \t]*")


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The parsed head of a content file.

    `positions` maps each top-level key to (line, col) in the file: the key's line, and the
    column where its value starts when the value is on that line (else the key's column), so a
    diagnostic about a field points at the value the author has to fix.
    """

    meta: Mapping[str, Any]  # deeply frozen: lists are tuples, tables are read-only mappings
    body: str
    body_line: int  # 1-based line of the body's first line in the file
    positions: Mapping[str, tuple[int, int]]


def decode(data: bytes, path: str) -> str:
    """UTF-8 (with or without BOM) → text with "\\n" newlines; anything else is a located error."""
    start = len(BOM) if data.startswith(BOM) else 0
    try:
        text = data[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BuildError([error(path, f"byte {start + exc.start}: not valid UTF-8")]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text  # the test is a fast scan


def body_at(text: str, body_line: int) -> str:
    """The body `split` finds in `text`, given the line it starts on, without parsing the head."""
    start = 0
    for _ in range(body_line - 1):
        start = text.find("\n", start) + 1
        if not start:
            return ""
    return text[start:]


def split(text: str, path: str) -> FrontMatter:
    """Separate and parse the front matter; a file without a fence is all body."""
    lines = text.split("\n")
    if _YAML_OPEN.fullmatch(lines[0]):
        from .yamlfront import parse_yaml  # PyYAML: a build whose posts all come from the cache never loads it

        close, parse = _YAML_CLOSE, parse_yaml
    elif _TOML_FENCE.fullmatch(lines[0]):
        close, parse = _TOML_FENCE, _parse_toml
    else:
        return FrontMatter(EMPTY, text, 1, EMPTY)
    end = next((i for i in range(1, len(lines)) if close.fullmatch(lines[i])), None)
    if end is None:
        fence = lines[0].rstrip()
        raise BuildError([error(path, f"front matter: no closing '{fence}' line", 1, 1)])
    meta, positions = parse("\n".join(lines[1:end]), path)
    return FrontMatter(meta, "\n".join(lines[end + 1 :]), end + 2, positions)


# ---------------------------------------------------------------------------------------- TOML


def _parse_toml(text: str, path: str) -> tuple[Mapping[str, Any], Mapping[str, tuple[int, int]]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column (\d+)\)", message)
        if found:
            problem = message[: found.start()].strip()
            line, col = int(found.group(1)) + 1, int(found.group(2))
        else:
            problem, line, col = re.sub(r"\s*\(at end of document\)", "", message), text.count("\n") + 2, 1
        raise BuildError([error(path, f"front matter: {problem}", line, col)]) from None
    lines = text.split("\n")
    positions = {
        key[0]: (line + 1, _toml_value_col(lines[line - 1], col))
        for key, (line, col) in key_positions(text).items()
        if len(key) == 1
    }
    return freeze(data), MappingProxyType(positions)


def _toml_value_col(line: str, key_col: int) -> int:
    """Column of the value in `key = value`; the key's column for table headers."""
    found = re.compile(r"(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')\s*=\s*").match(line, key_col - 1)
    return found.end() + 1 if found else key_col
