"""Line and column of keys in JSON and TOML text.

`json` and `tomllib` give data without positions, and the YAML-event parser in
`slsguard.loaders.yaml_source` is too slow for lock files with thousands of entries. These
scanners only tokenise what positions need (strings, brackets, keys), in C-speed regexes,
after the real parser has already accepted the text: they locate, they never validate.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from slsguard.deps.model import ManifestError
from slsguard.model.source import DocPath

Position = tuple[int, int]  # 1-based line, column

# --- JSON -----------------------------------------------------------------------------------

# A string (unrolled loop: far faster than an alternation per character), with a colon
# after it when it is a key, or a bracket.
_JSON_TOKEN = re.compile(r'("[^"\\\n]*(?:\\.[^"\\\n]*)*")(\s*:)?|[{}\[\]]')
_COLON = re.compile(r"\s*:")


def load_json(text: str) -> Any:
    """Parsed JSON, or ManifestError with the line and column of the problem."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise ManifestError(f"invalid JSON: {where}: {exc.msg}") from None
    except RecursionError:
        raise ManifestError("invalid JSON: nesting too deep") from None


class _Lines:
    """Line and column of increasing offsets, counting newlines only once."""

    __slots__ = ("counted", "line", "line_start", "text")

    def __init__(self, text: str) -> None:
        self.text, self.line, self.line_start, self.counted = text, 1, 0, 0

    def at(self, offset: int) -> Position:
        newlines = self.text.count("\n", self.counted, offset)
        if newlines:
            self.line += newlines
            self.line_start = self.text.rfind("\n", self.counted, offset) + 1
        self.counted = offset
        return self.line, offset - self.line_start + 1


def json_key_positions(text: str) -> dict[DocPath, Position]:
    """Position of each object key, by its path; keys inside arrays are not recorded."""
    positions: dict[DocPath, Position] = {(): (1, 1)}
    lines = _Lines(text)
    # One [path, last key] per open container; path None inside arrays.
    stack: list[list[Any]] = []
    for match in _JSON_TOKEN.finditer(text):
        raw = match.group(1)
        if raw is None:
            char = match.group(0)
            if char == "{" or char == "[":
                path = None
                if not stack:
                    path = ()
                elif stack[-1][0] is not None and stack[-1][1] is not None:
                    path = (*stack[-1][0], stack[-1][1])
                stack.append([path if char == "{" else None, None])
            elif stack:
                stack.pop()
        elif match.group(2) is not None and stack:
            key = json.loads(raw) if "\\" in raw else raw[1:-1]
            frame = stack[-1]
            frame[1] = key
            if frame[0] is not None:
                positions[(*frame[0], key)] = lines.at(match.start())
    return positions


def locate_json_keys(text: str, keys: list[str], start: int = 0) -> list[Position] | None:
    """Positions of keys that appear in this order from start, each as a `"key":`.

    A fast path for lock files whose keys cannot occur elsewhere as keys (install paths
    such as "node_modules/a"); None when one is not found, so the caller can scan fully.
    """
    lines = _Lines(text)
    out: list[Position] = []
    at = start
    for key in keys:
        needle = json.dumps(key, ensure_ascii=False)
        while True:
            found = text.find(needle, at)
            if found < 0:
                return None
            at = found + len(needle)
            if _COLON.match(text, at):
                break
        out.append(lines.at(found))
    return out


# --- TOML -----------------------------------------------------------------------------------

_BARE = r"[A-Za-z0-9_-]+"
_BASIC = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
_LITERAL = r"'[^'\n]*'"
_SIMPLE_KEY = rf"(?:{_BARE}|{_BASIC}|{_LITERAL})"
_KEY = rf"{_SIMPLE_KEY}(?:[ \t]*\.[ \t]*{_SIMPLE_KEY})*"
_TOML_TOKEN = re.compile(
    r"(?P<nl>\n)|(?P<comment>#[^\n]*)"
    r'|(?P<ml>"""[\s\S]*?"""(?:"{1,2}(?!"))?|\'\'\'[\s\S]*?\'\'\'(?:\'{1,2}(?!\'))?)'
    # A key starts a word: retrying inside a long bare value (a number) would be quadratic.
    rf"|(?<![A-Za-z0-9_-])(?P<key>{_KEY})[ \t]*=(?!=)"
    rf"|(?P<str>{_BASIC}|{_LITERAL})"
    r"|(?P<open>[\[{])|(?P<close>[\]}])"
)
_HEADER = re.compile(rf"\[(\[)?[ \t]*(?P<key>{_KEY})[ \t]*\]\]?")
_KEY_PART = re.compile(rf"{_BARE}|{_BASIC}|{_LITERAL}")


@dataclass(slots=True)
class TomlPositions:
    """First position of each table header or key, and of the strings in array values."""

    keys: dict[tuple[str, ...], Position] = field(default_factory=dict)
    # Strings directly inside the array value of a key: (value, line, column) in order.
    items: dict[tuple[str, ...], list[tuple[str, int, int]]] = field(default_factory=dict)

    def key(self, path: tuple[str, ...], default: Position = (1, 1)) -> Position:
        """Position of path, else of its nearest located ancestor, else default."""
        for end in range(len(path), 0, -1):
            found = self.keys.get(path[:end])
            if found is not None:
                return found
        return default


def _unquote(raw: str) -> str:
    if raw.startswith('"'):
        if "\\" in raw:
            try:
                return str(json.loads(raw))
            except ValueError:
                return raw[1:-1]
        return raw[1:-1]
    if raw.startswith("'"):
        return raw[1:-1]
    return raw


def _key_parts(raw: str) -> tuple[str, ...]:
    return tuple(_unquote(part) for part in _KEY_PART.findall(raw))


def toml_positions(text: str) -> TomlPositions:
    """Locate headers, keys (dotted and inline-table keys included) and array strings."""
    out = TomlPositions()
    table: tuple[str, ...] = ()
    stack: list[tuple[str, tuple[str, ...] | None]] = []  # ("[" or "{", owning key path)
    pending: tuple[str, ...] | None = None  # the key whose value comes next
    line, line_start, at_line_start = 1, 0, True
    pos = 0
    while True:
        match = _TOML_TOKEN.search(text, pos)
        if match is None:
            break
        kind, start, pos = match.lastgroup, match.start(), match.end()
        column = start - line_start + 1
        if kind == "nl":
            line, line_start, at_line_start = line + 1, pos, True
            if not stack:
                pending = None
            continue
        if kind == "comment":
            continue
        if kind == "ml":
            newlines = match.group(0).count("\n")
            if newlines:
                line, line_start = line + newlines, text.rfind("\n", start, pos) + 1
            pending, at_line_start = None, False
            continue
        if kind == "open" and not stack and at_line_start:
            header = _HEADER.match(text, start)
            if header is not None:
                table = _key_parts(header.group("key"))
                out.keys.setdefault(table, (line, column))
                pos, at_line_start = header.end(), False
                continue
        at_line_start = False
        if kind == "key":
            if stack and stack[-1][0] == "[":
                continue  # not a key: TOML has no keys directly inside arrays
            base = stack[-1][1] if stack else table
            if base is None:
                continue
            pending = (*base, *_key_parts(match.group("key")))
            out.keys.setdefault(pending, (line, column))
        elif kind == "open":
            stack.append((match.group(0), pending))
            pending = None
        elif kind == "close":
            if stack:
                stack.pop()
            pending = None
        elif kind == "str":
            owner = stack[-1] if stack else None
            if owner is not None and owner[0] == "[" and owner[1] is not None:
                value = (_unquote(match.group(0)), line, column)
                out.items.setdefault(owner[1], []).append(value)
            pending = None
    return out
