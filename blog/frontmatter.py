"""Front matter: bytes → text, then YAML (`---`) or TOML (`+++`) metadata with file positions.

Everything here works on values, so every encoding and parsing case is testable on strings.
YAML is read with a deliberately small dialect: no anchors or aliases (alias bombs), no tags
beyond `!!str` (object construction), and YAML 1.2 core scalars so `no` stays a string.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Mapping

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError
from yaml.resolver import Resolver

from .config import key_positions
from .errors import BuildError, Diagnostic, error

EMPTY: Mapping[str, Any] = MappingProxyType({})
BOM = b"\xef\xbb\xbf"

_YAML_OPEN = re.compile(r"---[ \t]*")
_YAML_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_TOML_FENCE = re.compile(r"\+\+\+[ \t]*")

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
# Fields whose plain scalars must keep the author's text: `tags: [no, 1.10]` means "no" and "1.10".
TEXT_FIELDS = ("tags",)


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
        close, parse = _YAML_CLOSE, _parse_yaml
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


# ---------------------------------------------------------------------------------------- YAML


class _Loader(yaml.SafeLoader):
    """SafeLoader without anchors, aliases or custom tags, resolving plain scalars like YAML 1.2.

    The resolver table is built once below and never changed afterwards.
    """

    yaml_implicit_resolvers: dict = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            message = "anchors and aliases ('&x', '*x') are not allowed"
            raise ConstructorError(None, None, message, event.start_mark)
        tag = getattr(event, "tag", None)
        if tag not in (None, _STR):
            shown = tag.replace("tag:yaml.org,2002:", "!!", 1)
            raise ConstructorError(None, None, f"the tag '{shown}' is not allowed", event.start_mark)
        return super().compose_node(parent, index)


def _construct_int(loader: SafeConstructor, node: ScalarNode) -> int:
    """YAML 1.2 core integers: `012` is twelve, `0o12` is ten."""
    text = node.value
    try:
        return int(text, 0) if text.startswith(("0o", "0x")) else int(text, 10)
    except ValueError:
        raise ConstructorError(None, None, "integer is too long", node.start_mark) from None


def _construct_timestamp(loader: SafeConstructor, node: ScalarNode) -> date | datetime | str:
    """A date-shaped value that is not a real date (2024-13-01) stays text for a field error."""
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return node.value


def _core_schema() -> None:
    """Plain scalars as the YAML 1.2 core schema reads them (plus YAML 1.1 timestamps for dates)."""
    add = _Loader.add_implicit_resolver
    add("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    add("tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
    add(
        "tag:yaml.org,2002:float",
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        list("-+.0123456789"),
    )
    add(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
    add(
        "tag:yaml.org,2002:timestamp",
        re.compile(
            r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}"
            r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
            r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$"
        ),
        list("0123456789"),
    )
    _Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    _Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


_core_schema()

# Anchors, aliases and tags all start with one of these; without them, the checks of `_Loader`
# cannot fire, and libyaml's parser (ten times faster) reads the text to the same nodes. Tabs are
# left to the pure-Python parser too: libyaml accepts some that it refuses (after a quoted value).
_NEEDS_CHECKS = re.compile(r"[&*!\t]")

if yaml.__with_libyaml__:
    from yaml.cyaml import CParser

    class _FastLoader(CParser, SafeConstructor, Resolver):
        """`_Loader`'s schema over libyaml's parser, for text that cannot hold what it refuses."""

        yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
        yaml_constructors = _Loader.yaml_constructors

        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)


def _yaml_mark(path: str, mark: yaml.Mark | None, message: str) -> Diagnostic:
    """A position inside the YAML text → file position (the text starts on file line 2)."""
    if mark is None:
        return error(path, message, 1, 1)
    return error(path, message, mark.line + 2, mark.column + 1)


def _keep_text(node: Node) -> None:
    """Make every non-null plain scalar below `node` construct as the text the author wrote."""
    if isinstance(node, ScalarNode):
        if node.tag != _NULL:
            node.tag = _STR
    elif isinstance(node, SequenceNode):
        for child in node.value:
            _keep_text(child)
    elif isinstance(node, MappingNode):
        for key, value in node.value:
            _keep_text(key)
            _keep_text(value)


def _parse_yaml(text: str, path: str) -> tuple[Mapping[str, Any], Mapping[str, tuple[int, int]]]:
    """Fields and positions; libyaml reads text it may, and any problem it finds is read again
    by the pure-Python parser, so every error is worded and placed the same way."""
    if yaml.__with_libyaml__ and not _NEEDS_CHECKS.search(text):
        try:
            return _read_yaml(_FastLoader, text, path)
        except BuildError:
            pass
    return _read_yaml(_Loader, text, path)


def _read_yaml(loader_class: Any, text: str, path: str) -> tuple[Mapping[str, Any], Mapping[str, tuple[int, int]]]:
    try:
        loader = loader_class(text)
    except ReaderError as exc:  # a control character, found before any parsing
        line = text.count("\n", 0, exc.position)
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1)
        message = f"front matter: character U+{exc.character:04X} is not allowed here"
        raise BuildError([error(path, message, line + 2, column + 1)]) from None
    try:
        root = loader.get_single_node()
        if root is None:
            return EMPTY, EMPTY
        if not isinstance(root, MappingNode):
            message = "front matter: expected 'key: value' fields"
            raise BuildError([_yaml_mark(path, root.start_mark, message)])
        meta, positions = _yaml_fields(loader, root, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise BuildError([_yaml_mark(path, mark, f"front matter: {problem}")]) from None
    except ReaderError:  # libyaml checks characters while it parses; the Python reader words it
        raise BuildError([error(path, "front matter: unreadable character")]) from None
    finally:
        loader.dispose()
    return MappingProxyType(meta), MappingProxyType(positions)


def _yaml_fields(
    loader: Any, root: MappingNode, path: str
) -> tuple[dict[str, Any], dict[str, tuple[int, int]]]:
    """Top-level fields one by one, so keys are text and duplicates are caught, not overwritten."""
    meta: dict[str, Any] = {}
    positions: dict[str, tuple[int, int]] = {}
    problems: list[Diagnostic] = []
    for key_node, value_node in root.value:
        if not isinstance(key_node, ScalarNode):
            problems.append(_yaml_mark(path, key_node.start_mark, "front matter: a field name must be text"))
            continue
        key = key_node.value
        if key in meta:
            problems.append(_yaml_mark(path, key_node.start_mark, f"{key}: field is given twice"))
            continue
        if key in TEXT_FIELDS:
            _keep_text(value_node)
        meta[key] = freeze(loader.construct_object(value_node, deep=True))
        same_line = value_node.start_mark.line == key_node.start_mark.line
        column = (value_node if same_line else key_node).start_mark.column
        positions[key] = (key_node.start_mark.line + 2, column + 1)
    if problems:
        raise BuildError(problems)
    return meta, positions


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


# -------------------------------------------------------------------------------------- values


def freeze(value: Any) -> Any:
    """Lists → tuples and tables → read-only mappings, so metadata cannot be changed downstream."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(item) for item in value)
    return value
