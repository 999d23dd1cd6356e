"""YAML and JSON documents with a line and column for every node.

Built from libyaml's event stream (PyYAML's C parser) rather than its composer: the C
composer recurses and crashes the interpreter on deeply nested input, while events let
us bound depth and alias expansion ourselves and record positions as we go. Tags used by
CloudFormation (!Ref, !Sub, !GetAtt ...) become their long JSON form ({"Ref": ...}).
Nothing here evaluates anything: tags never construct Python objects.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from slsguard.model.source import DocPath, SourceRef

MAX_DEPTH = 200
# Nodes a document may expand to through aliases, relative to the nodes it spells out.
MAX_EXPANSION = 200_000

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_CFN_SHORT_TAGS = {
    "Ref": "Ref",
    "Condition": "Condition",
    **{
        name: f"Fn::{name}"
        for name in (
            "And",
            "Base64",
            "Cidr",
            "Contains",
            "EachMemberEquals",
            "EachMemberIn",
            "Equals",
            "FindInMap",
            "GetAtt",
            "GetAZs",
            "If",
            "ImportValue",
            "Join",
            "Length",
            "Not",
            "Or",
            "RefAll",
            "Select",
            "Split",
            "Sub",
            "ToJsonString",
            "Transform",
            "ValueOf",
            "ValueOfAll",
            "ForEach",
        )
    },
}


class DocumentError(Exception):
    """The file is not a document we can read; the message is the one-line reason."""


@dataclass(slots=True)
class Document:
    file: str  # relative posix path
    data: Any
    positions: dict[DocPath, tuple[int, int]] = field(default_factory=dict)
    text: str = ""

    def ref(self, path: DocPath) -> SourceRef:
        """Location of the node at path, or of its nearest located ancestor."""
        probe = path
        while True:
            pos = self.positions.get(probe)
            if pos is not None:
                return SourceRef(self.file, pos[0], pos[1], path)
            if not probe:
                return SourceRef(self.file, 1, 1, path)
            probe = probe[:-1]

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


# --- implicit scalar typing (YAML 1.1 core types, without timestamps) --------------------

_BOOL = {
    "yes": True,
    "Yes": True,
    "YES": True,
    "no": False,
    "No": False,
    "NO": False,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
    "on": True,
    "On": True,
    "ON": True,
    "off": False,
    "Off": False,
    "OFF": False,
}
_NULL = {"", "~", "null", "Null", "NULL"}
_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_INT_OTHER = re.compile(r"^[-+]?(0b[0-1_]+|0x[0-9a-fA-F_]+|0[0-7_]+)$")
_FLOAT = re.compile(
    r"^([-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


def _plain_scalar(value: str) -> Any:
    if value in _NULL:
        return None
    first = value[0]
    if first in "yYnNtTfFoO" and value in _BOOL:
        return _BOOL[value]
    if first in "-+0123456789.":
        if _INT.match(value):
            return int(value.replace("_", ""))
        if _FLOAT.match(value):
            low = value.lower()
            if low.endswith("inf"):
                return float("-inf") if low.startswith("-") else float("inf")
            if low.endswith("nan"):
                return float("nan")
            return float(value.replace("_", ""))
        if _INT_OTHER.match(value):
            sign = -1 if value.startswith("-") else 1
            digits = value.lstrip("+-").replace("_", "")
            if digits.startswith("0b"):
                return sign * int(digits[2:], 2)
            if digits.startswith("0x"):
                return sign * int(digits[2:], 16)
            return sign * int(digits, 8)
    return value


def _tagged(tag: str | None, value: Any) -> Any:
    if not tag or not tag.startswith("!") or tag.startswith("!!"):
        return value
    long_name = _CFN_SHORT_TAGS.get(tag[1:])
    if long_name is None:
        return value
    if long_name == "Fn::GetAtt" and isinstance(value, str):
        logical, _, attr = value.partition(".")
        value = [logical, attr]
    return {long_name: value}


# --- event-driven builder -----------------------------------------------------------------


class _Frame:
    __slots__ = ("anchor", "container", "key", "mark", "path", "size", "tag")

    def __init__(
        self, container: Any, path: DocPath, tag: str | None, anchor: str | None, mark: Any
    ) -> None:
        self.container = container
        self.path = path
        self.tag = tag
        self.anchor = anchor
        self.mark = mark
        self.key: Any = _NO_KEY
        self.size = 1


_NO_KEY = object()
_MERGE = "<<"


def parse_yaml(text: str, file: str) -> Document:
    """Parse the first YAML document of text, or raise DocumentError."""
    positions: dict[DocPath, tuple[int, int]] = {}
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[_Frame] = []
    root: Any = None
    have_root = False
    expanded = 0
    spelled = 0

    def attach(value: Any, size: int, mark: Any, anchor: str | None) -> None:
        nonlocal root, have_root, expanded
        if anchor:
            anchors[anchor] = (value, size)
        if not stack:
            root, have_root = value, True
            return
        frame = stack[-1]
        frame.size += size
        container = frame.container
        if isinstance(container, list):
            path = (*frame.path, len(container))
            container.append(value)
            if mark is not None:
                positions[path] = (mark.line + 1, mark.column + 1)
            return
        if frame.key is _NO_KEY:
            if isinstance(value, (dict, list)):
                raise DocumentError(f"line {_line(mark)}: a mapping key is itself a collection")
            frame.key = (value, mark)
            return
        key, key_mark = frame.key
        frame.key = _NO_KEY
        if key == _MERGE and isinstance(value, (dict, list)):
            for part in value if isinstance(value, list) else [value]:
                if isinstance(part, dict):
                    for k, v in part.items():
                        container.setdefault(k, v)
            return
        path = (*frame.path, key)
        container[key] = value
        if key_mark is not None:
            positions[path] = (key_mark.line + 1, key_mark.column + 1)

    try:
        event: Any
        for event in yaml.parse(text, Loader=_LOADER):
            kind = type(event)
            if kind is yaml.ScalarEvent:
                spelled += 1
                frame = stack[-1] if stack else None
                is_key = (
                    frame is not None and isinstance(frame.container, dict) and frame.key is _NO_KEY
                )
                if is_key or event.style or not event.implicit[0]:
                    value: Any = event.value
                else:
                    value = _plain_scalar(event.value)
                if event.tag and not is_key:
                    value = _tagged(event.tag, value)
                attach(value, 1, event.start_mark, event.anchor)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                spelled += 1
                if len(stack) >= MAX_DEPTH:
                    raise DocumentError(
                        f"line {_line(event.start_mark)}: nesting deeper than {MAX_DEPTH} levels"
                    )
                parent = stack[-1] if stack else None
                if parent is None:
                    path: DocPath = ()
                elif isinstance(parent.container, list):
                    path = (*parent.path, len(parent.container))
                elif parent.key is _NO_KEY:
                    raise DocumentError(
                        f"line {_line(event.start_mark)}: a mapping key is itself a collection"
                    )
                else:
                    path = (*parent.path, parent.key[0])
                container: Any = {} if kind is yaml.MappingStartEvent else []
                stack.append(_Frame(container, path, event.tag, event.anchor, event.start_mark))
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = stack.pop()
                value = _tagged(frame.tag, frame.container)
                expanded += frame.size
                attach(value, frame.size, frame.mark, frame.anchor)
            elif kind is yaml.AliasEvent:
                target = anchors.get(event.anchor)
                if target is None:
                    raise DocumentError(
                        f"line {_line(event.start_mark)}: unknown alias *{event.anchor}"
                    )
                value, size = target
                expanded += size
                if expanded > MAX_EXPANSION + 50 * spelled:
                    raise DocumentError(
                        f"line {_line(event.start_mark)}: aliases expand to more than "
                        f"{MAX_EXPANSION} nodes (YAML alias bomb?)"
                    )
                attach(value, size, event.start_mark, None)
            elif kind is yaml.DocumentEndEvent and have_root:
                break
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise DocumentError(f"invalid YAML: {where}{problem}") from None
    except yaml.YAMLError as exc:
        raise DocumentError(f"invalid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise DocumentError("nesting too deep") from None
    positions[()] = (1, 1)
    return Document(file, root, positions, text)


def _line(mark: Any) -> int:
    return int(mark.line) + 1 if mark is not None else 0


def parse_json(text: str, file: str) -> Document:
    """JSON through the YAML parser for positions; plain json when libyaml refuses it."""
    try:
        return parse_yaml(text, file)
    except DocumentError as yaml_error:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno}, column {exc.colno}"
            raise DocumentError(f"invalid JSON: {where}: {exc.msg}") from None
        except RecursionError:
            raise DocumentError("nesting too deep") from None
        if "nesting deeper" in str(yaml_error) or "alias" in str(yaml_error):
            raise
        return Document(file, data, {(): (1, 1)}, text)
