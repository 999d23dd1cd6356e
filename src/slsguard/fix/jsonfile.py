"""JSON templates: the planned edits are spliced into the original text.

The file is scanned with the json module's own decoder (keeping where each value
starts and ends); each new value is dumped with json.dumps in the file's indentation
and placed at its depth, so everything outside the edited entries stays byte for byte.
For a file written by json.dumps(indent=N) the result is exactly what re-dumping the
edited data with the same indent would give. Key order is kept.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from slsguard.fix.model import CannotFix
from slsguard.fix.ops import Append, Op, Path, RenameKey, SetKey, apply_ops, normalize

_INDENT = re.compile(r"[\[{][ \t]*\r?\n([ \t]+)\S")
_SPACE = " \t\r\n"


@dataclass
class _Node:
    start: int
    end: int
    pairs: dict[str, tuple[int, _Node]] | None = None  # object: key -> (key start, value)
    items: list[_Node] = field(default_factory=list)  # array items
    is_array: bool = False


class JsonWriter:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        try:
            self.raw: Any = json.loads(text)
            self.root = _Scanner(text).scan()
        except ValueError as exc:
            raise CannotFix(f"{path} is not valid JSON: {exc}") from None
        self.data: Any = normalize(self.raw)
        found = _INDENT.search(text)
        self.indent: int | str | None = None
        if found:
            space = found.group(1)
            line_start = text.rfind("\n", 0, found.start()) + 1
            outer = len(text[line_start : found.start()]) - len(
                text[line_start : found.start()].lstrip()
            )
            unit = space[outer:] if len(space) > outer else space
            self.indent = len(unit) if set(unit) == {" "} else unit
        self.ascii = text.isascii()
        self.separators = (", ", ": ") if self.indent is not None or '": ' in text else (",", ":")
        self.newline = "\r\n" if "\r\n" in text else "\n"

    def apply(self, ops: Sequence[Op]) -> str:
        edits = sorted(
            ((*self._edit(op), order) for order, op in enumerate(ops)),
            key=lambda e: (e[0], e[1], e[3]),
        )
        for before, after in itertools.pairwise(edits):
            if after[0] < before[1]:
                raise CannotFix(f"{self.path}: the edits overlap; apply the statements by hand")
        new = self.text
        for start, end, text, _ in reversed(edits):
            new = new[:start] + text + new[end:]
        try:
            ok = json.loads(new) == apply_ops(self.raw, ops)
        except ValueError:
            ok = False
        if not ok:
            raise CannotFix(f"{self.path}: the edit cannot be made safely; apply it by hand")
        return new

    def _edit(self, op: Op) -> tuple[int, int, str]:
        node = self._node(op.path)
        if isinstance(op, Append):
            return self._append(node, op.value)
        if node.pairs is None:
            raise CannotFix(f"{self.path}: {'.'.join(op.path)} is not an object")
        pairs = node.pairs
        if isinstance(op, SetKey):
            if op.key in pairs:
                key_start, value = pairs[op.key]
                compact = self._inline(value)
                return value.start, value.end, self._dump(op.value, key_start, compact)
            return self._insert(node, op.key, op.value, op.after)
        name = op.old if isinstance(op, RenameKey) else op.key
        if name not in pairs:
            raise CannotFix(f"{self.path}: {'.'.join((*op.path, name))} not found")
        key_start, value = pairs[name]
        if isinstance(op, RenameKey):
            compact = self._inline(value)
            return key_start, value.end, self._pair(op.key, op.value, key_start, compact)
        return self._delete(node, name)

    def _node(self, path: Path) -> _Node:
        node = self.root
        for key in path:
            if node.pairs is None or key not in node.pairs:
                raise CannotFix(f"{self.path}: {'.'.join(path)} not found")
            node = node.pairs[key][1]
        return node

    def _insert(self, node: _Node, key: str, value: Any, after: str | None) -> tuple[int, int, str]:
        assert node.pairs is not None
        if not node.pairs:
            inside = node.start + 1
            return inside, inside, self._pair(key, value, inside, compact=True)
        names = list(node.pairs)
        anchor = after if after in node.pairs else names[-1]
        first_start = node.pairs[names[0]][0]
        previous = node.pairs[anchor][1]
        compact = self._inline(previous)
        pair = self._pair(key, value, first_start, compact)
        if self._multiline(node.start, first_start):
            text = "," + self.newline + self._line_indent(first_start) + pair
        else:
            text = ", " + pair
        return previous.end, previous.end, text

    def _delete(self, node: _Node, name: str) -> tuple[int, int, str]:
        assert node.pairs is not None
        names = list(node.pairs)
        index = names.index(name)
        key_start, value = node.pairs[name]
        if index > 0:
            return node.pairs[names[index - 1]][1].end, value.end, ""
        if len(names) > 1:
            return key_start, node.pairs[names[1]][0], ""
        return key_start, value.end, ""

    def _append(self, node: _Node, value: Any) -> tuple[int, int, str]:
        if not node.is_array:
            raise CannotFix(f"{self.path}: cannot add {value} to a value that is not a list")
        if not node.items:
            inside = node.start + 1
            return inside, inside, self._dump(value, node.start, compact=True)
        first, last = node.items[0], node.items[-1]
        if self._multiline(node.start, first.start):
            text = "," + self.newline + self._line_indent(first.start)
        else:
            text = self.separators[0]
        return last.end, last.end, text + self._dump(value, first.start, self._inline(last))

    # -- rendering -----------------------------------------------------------------------

    def _pair(self, key: str, value: Any, at: int, compact: bool) -> str:
        name = json.dumps(key, ensure_ascii=self.ascii)
        return name + self.separators[1] + self._dump(value, at, compact)

    def _dump(self, value: Any, at: int, compact: bool) -> str:
        """`value` as JSON for a place on the line of index `at`: on one line when
        `compact` (or the file is on one line), else indented as the file is."""
        if self.indent is None or compact:
            return json.dumps(value, ensure_ascii=self.ascii, separators=self.separators)
        out = json.dumps(value, indent=self.indent, ensure_ascii=self.ascii)
        indent = self._line_indent(at)
        return (self.newline + indent).join(out.split("\n"))

    def _line_indent(self, index: int) -> str:
        start = self.text.rfind("\n", 0, index) + 1
        line = self.text[start:index]
        return line[: len(line) - len(line.lstrip(" \t"))]

    def _inline(self, node: _Node) -> bool:
        """A non-empty object or array written on one line."""
        filled = bool(node.pairs) or bool(node.items)
        return filled and "\n" not in self.text[node.start : node.end]

    def _multiline(self, open_at: int, first_at: int) -> bool:
        return "\n" in self.text[open_at:first_at]


class _Scanner:
    """Where each JSON value starts and ends (the text is known to be valid JSON)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.decoder = json.JSONDecoder()

    def scan(self) -> _Node:
        return self._value(self._skip(0))

    def _skip(self, index: int) -> int:
        while index < len(self.text) and self.text[index] in _SPACE:
            index += 1
        return index

    def _value(self, index: int) -> _Node:
        char = self.text[index]
        if char == "{":
            pairs: dict[str, tuple[int, _Node]] = {}
            node = _Node(index, index, pairs=pairs)
            index = self._skip(index + 1)
            while self.text[index] != "}":
                key, key_end = self.decoder.raw_decode(self.text, index)
                colon = self._skip(key_end)
                value = self._value(self._skip(colon + 1))
                pairs[key] = (index, value)
                index = self._skip(value.end)
                if self.text[index] == ",":
                    index = self._skip(index + 1)
            node.end = index + 1
            return node
        if char == "[":
            node = _Node(index, index, is_array=True)
            index = self._skip(index + 1)
            while self.text[index] != "]":
                item = self._value(index)
                node.items.append(item)
                index = self._skip(item.end)
                if self.text[index] == ",":
                    index = self._skip(index + 1)
            node.end = index + 1
            return node
        _, end = self.decoder.raw_decode(self.text, index)
        return _Node(index, end)
