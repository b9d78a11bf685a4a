"""Front matter in YAML: a deliberately small dialect, read with positions in the file.

No anchors or aliases (alias bombs), no tags beyond `!!str` (object construction), and YAML 1.2
core scalars so `no` stays a string. Kept apart from `frontmatter` so that PyYAML loads only
when a build parses a YAML head: a rebuild whose posts all come from the cache never does.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Mapping

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError
from yaml.resolver import Resolver

from .errors import BuildError, Diagnostic, error
from .model import EMPTY, freeze

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
# Fields whose plain scalars must keep the author's text: `tags: [no, 1.10]` means "no" and "1.10".
TEXT_FIELDS = ("tags",)


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


def parse_yaml(text: str, path: str) -> tuple[Mapping[str, Any], Mapping[str, tuple[int, int]]]:
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
