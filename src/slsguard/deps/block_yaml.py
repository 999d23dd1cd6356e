"""A fast reader for the block-YAML subset that pnpm and yarn berry write lock files in.

The event-based parser in `slsguard.loaders.yaml_source` handles any YAML safely but spends
tens of microseconds per lock entry. Lock files only use nested block mappings of
single-line scalars, which a line scan reads in a fraction of that. Anything else (block
sequences, multi-line scalars, anchors, tags, tabs, odd indentation) returns None and the
caller falls back to the full parser, so this never has to be right about general YAML.

Differences from the full parser, which lock readers do not depend on: plain scalars stay
strings (only true/false/null are typed), and one-line flow collections other than {} and
[] are kept as their source text.
"""

from __future__ import annotations

import json
import re
from typing import Any

from slsguard.loaders.yaml_source import Document
from slsguard.model.source import DocPath

_PLAIN = {"true": True, "True": True, "false": False, "False": False}
_NULL = ("", "~", "null", "Null", "NULL")
_NOT_PLAIN = frozenset("-?[]{},&*!|>%@`'\"#")


class _Unsupported(Exception):
    """The text uses YAML this reader does not handle."""


def parse_block_yaml(text: str, file: str, *, depth: int = 2) -> Document | None:
    """The document, or None when the text is not in the supported subset.

    Positions are recorded for keys up to `depth` levels down (lock readers locate entries,
    not their fields); `Document.ref` gives deeper paths their nearest recorded ancestor.
    """
    try:
        return _parse(text, file, depth)
    except _Unsupported:
        return None


# The common line, in one regex: indent, a plain/single/double-quoted key, and an optional
# plain/quoted/empty-collection value. Other lines go through _key and _value.
_FIRST = r"[^\s'\"#?\[\]{},&*!|>%@`-]"
# A one-line flow collection without nesting: "{integrity: sha512-...}", "{node: '>=14'}".
_FLOW_BODY = r"[^{}\[\]#'\"]*(?:(?:'[^']*'|\"[^\"\\]*\")[^{}\[\]#'\"]*)*"
_FLOW = rf"\{{{_FLOW_BODY}\}}|\[{_FLOW_BODY}\]"
# The rest of a plain value: blanks only when more value follows, so that trailing blanks
# and a ` # comment` are matched one way only (no backtracking over long runs of blanks).
_PLAIN_REST = r"(?:[^#'\" ]| +(?=[^ #'\"]))*"
_LINE = re.compile(
    rf"( *)(?:({_FIRST}[^:#'\"]*)|'((?:[^']|'')*)'|\"([^\"\\]*)\"):"
    rf"(?: +(?:({_FIRST}{_PLAIN_REST})|'((?:[^']|'')*)'|\"([^\"\\]*)\"|({_FLOW})))?"
    r"(?: +#.*)? *$"
)
_PENDING = object()  # a key with nothing after it: a nested block follows, or null


def _parse(text: str, file: str, depth: int) -> Document:
    root: dict[str, Any] = {}
    positions: dict[DocPath, tuple[int, int]] = {(): (1, 1)}
    # Open mappings: [indent of their keys (-1 until the first one), mapping, path]
    stack: list[list[Any]] = [[-1, root, ()]]
    pending: tuple[int, dict[str, Any], str, DocPath] | None = None  # key awaiting a block
    for number, raw in enumerate(text.splitlines(), 1):
        parsed = _line(raw, number)
        if parsed is None:
            continue
        indent, key, value = parsed
        if pending is not None:
            parent_indent, parent, parent_key, parent_path = pending
            pending = None
            if indent > parent_indent:  # the pending key's value is this nested block
                child: dict[str, Any] = {}
                parent[parent_key] = child
                stack.append([indent, child, parent_path])
        while len(stack) > 1 and indent < stack[-1][0]:
            stack.pop()
        frame = stack[-1]
        if frame[0] == -1:
            frame[0] = indent
        elif indent != frame[0]:
            raise _Unsupported
        if value is _PENDING:
            path = (*frame[2], key)
            frame[1][key] = None
            pending = (indent, frame[1], key, path)
            if len(path) <= depth:
                positions[path] = (number, indent + 1)
        else:
            frame[1][key] = value
            if len(frame[2]) < depth:
                positions[(*frame[2], key)] = (number, indent + 1)
    return Document(file, root, positions, text)


def _line(raw: str, number: int) -> tuple[int, str, Any] | None:
    """(indent, key, value or _PENDING) of a mapping line; None for blanks and comments."""
    match = _LINE.match(raw)
    if match is not None:
        spaces, plain, single, double, value, v_single, v_double, flow = match.groups()
        if plain is not None:
            key = plain.rstrip()
        else:
            key = single.replace("''", "'") if single is not None else double
        if value is not None:
            value = value.rstrip()
            if ": " in value or value.endswith(":"):
                raise _Unsupported
            return len(spaces), key, _PLAIN.get(value, None if value in _NULL else value)
        if v_single is not None:
            return len(spaces), key, v_single.replace("''", "'")
        if v_double is not None:
            return len(spaces), key, v_double
        if flow is not None:
            empty = not flow[1:-1].strip()
            return len(spaces), key, ({} if flow[0] == "{" else []) if empty else flow
        return len(spaces), key, _PENDING
    body = raw.lstrip(" ")
    if not body or body[0] == "#":
        return None
    if body[0] == "\t" or body.startswith(("---", "...")):
        if number == 1 and body.rstrip() == "---":
            return None
        raise _Unsupported
    key, rest = _key(body)
    if rest == "" or rest[0] == "#":
        return len(raw) - len(body), key, _PENDING
    return len(raw) - len(body), key, _value(rest)


def _key(body: str) -> tuple[str, str]:
    """(key, the rest of the line after `: `) of a `key: value` line."""
    first = body[0]
    if first == "'" or first == '"':
        end = _closing(body, first)
        key = _quoted(body[: end + 1])
        after = body[end + 1 :].lstrip(" ")
        if not after.startswith(":"):
            raise _Unsupported
        rest = after[1:]
    elif first in _NOT_PLAIN:
        raise _Unsupported
    else:
        cut = body.find(": ")
        if cut < 0:
            if not body.rstrip().endswith(":"):
                raise _Unsupported  # a multi-line scalar, or not a mapping at all
            cut = len(body.rstrip()) - 1
        key, rest = body[:cut].rstrip(), body[cut + 1 :]
        if " #" in key:
            raise _Unsupported
    if rest and rest[0] != " ":
        raise _Unsupported
    return key, rest.strip()


def _value(rest: str) -> Any:
    first = rest[0]
    if first == "'" or first == '"':
        end = _closing(rest, first)
        tail = rest[end + 1 :].strip()
        if tail and not tail.startswith("#"):
            raise _Unsupported
        return _quoted(rest[: end + 1])
    if first == "{" or first == "[":
        return _flow(rest)
    if first in _NOT_PLAIN:
        raise _Unsupported
    comment = rest.find(" #")
    value = rest[:comment].rstrip() if comment >= 0 else rest
    if ": " in value or value.endswith(":"):
        raise _Unsupported
    if value in _NULL:
        return None
    return _PLAIN.get(value, value)


def _flow(rest: str) -> Any:
    """{} and [] as such; any other one-line flow collection as its source text."""
    depth, quote, end = 0, "", -1
    for at, char in enumerate(rest):
        if quote:
            if char == quote:
                quote = ""
        elif char == "'" or char == '"':
            quote = char
        elif char == "{" or char == "[":
            depth += 1
        elif char == "}" or char == "]":
            depth -= 1
            if depth == 0:
                end = at
                break
    tail = rest[end + 1 :].strip() if end >= 0 else "unclosed"
    if tail and not tail.startswith("#"):
        raise _Unsupported  # spans lines, or text follows the collection
    value = rest[: end + 1]
    if value[1:-1].strip() == "":
        return {} if value[0] == "{" else []
    return value


def _closing(text: str, quote: str) -> int:
    """Index of the quote closing the scalar that opens text[0]."""
    at = 1
    while True:
        end = text.find(quote, at)
        if end < 0:
            raise _Unsupported  # continues on the next line
        if quote == "'":
            if text[end + 1 : end + 2] == "'":  # '' is an escaped quote
                at = end + 2
                continue
            return end
        backslashes = len(text[at:end]) - len(text[at:end].rstrip("\\"))
        if backslashes % 2 == 0:
            return end
        at = end + 1


def _quoted(token: str) -> str:
    if token[0] == "'":
        return token[1:-1].replace("''", "'")
    if "\\" not in token:
        return token[1:-1]
    try:
        return str(json.loads(token))  # YAML's double-quoted escapes, where JSON has them
    except ValueError:
        raise _Unsupported from None
