"""tree-sitter plumbing for the JavaScript/TypeScript front end: grammars loaded lazily (the
CLI must start without them), one cached parser per thread and dialect, node positions in
characters, and the values of string and number literals. Source is only ever parsed."""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node, Parser, Tree

DIALECTS = ("javascript", "typescript", "tsx")
_local = threading.local()  # tree-sitter parsers must not be shared between threads

# Wrappers that only add type information: the value is the wrapped expression.
TS_WRAPPERS = frozenset(
    {"as_expression", "satisfies_expression", "non_null_expression", "type_assertion"}
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])")


def parse_tree(source: bytes, dialect: str) -> Tree:
    return _parser(dialect).parse(source)


def _parser(dialect: str) -> Parser:
    cache: dict[str, Parser] | None = getattr(_local, "parsers", None)
    if cache is None:
        cache = _local.parsers = {}
    parser = cache.get(dialect)
    if parser is None:
        parser = cache[dialect] = _new_parser(dialect)
    return parser


def _new_parser(dialect: str) -> Parser:
    from tree_sitter import Language, Parser

    if dialect == "javascript":
        import tree_sitter_javascript

        return Parser(Language(tree_sitter_javascript.language()))
    import tree_sitter_typescript

    if dialect == "tsx":
        return Parser(Language(tree_sitter_typescript.language_tsx()))
    return Parser(Language(tree_sitter_typescript.language_typescript()))


class Source:
    """The encoded text, for node text and 1-based (line, character column) positions."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8", "surrogatepass")
        self.ascii = text.isascii()

    def text(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def pos(self, node: Node) -> tuple[int, int]:
        row, column = node.start_point
        if not self.ascii and column:  # tree-sitter columns count UTF-8 bytes
            start = node.start_byte
            column = len(self.data[start - column : start].decode("utf-8", "replace"))
        return row + 1, column + 1


def named(node: Node) -> list[Node]:
    """Named children without comments."""
    return [c for c in node.named_children if c.type not in ("comment", "html_comment")]


def is_type_node(node: Node) -> bool:
    """TypeScript type syntax (annotations, arguments, parameters): stripped."""
    return "type" in node.type and node.type not in TS_WRAPPERS


def unwrap(node: Node) -> Node:
    """Strip parentheses, `await` and TypeScript casts around an expression."""
    while True:
        if node.type in ("parenthesized_expression", "await_expression"):
            inner = [c for c in named(node) if not is_type_node(c)]
            if len(inner) != 1:
                return node
            node = inner[0]
        elif node.type in TS_WRAPPERS:
            node = cast_operand(node)
        else:
            return node


def cast_operand(node: Node) -> Node:
    """The expression inside `x as T`, `x satisfies T`, `x!` or `<T>x`."""
    inner = [c for c in named(node) if not is_type_node(c)]
    if not inner:
        return node
    return inner[-1] if node.type == "type_assertion" else inner[0]


def string_value(node: Node, src: Source) -> str:
    """The value of a string literal (quotes removed, escapes decoded)."""
    raw = src.text(node)
    if len(raw) >= 2 and raw[0] in "'\"" and raw[-1] == raw[0]:
        raw = raw[1:-1]
    return unescape(raw)


def unescape(raw: str) -> str:
    return _ESCAPE.sub(_escaped, raw) if "\\" in raw else raw


def _escaped(match: re.Match[str]) -> str:
    body = match.group(1)
    if body in ("\n", "\r", "\r\n", "\u2028", "\u2029"):
        return ""  # line continuation
    if body[0] in "ux" and len(body) > 1:
        digits = body[2:-1] if body.startswith("u{") else body[1:]
        code = int(digits, 16)
        return chr(code) if code <= 0x10FFFF else "\ufffd"
    return _ESCAPES.get(body, body)


def number_value(raw: str) -> int | float | None:
    text = raw.replace("_", "").lower()
    if text.endswith("n"):  # BigInt
        text = text[:-1]
    try:
        if text.startswith(("0x", "0o", "0b")):
            return int(text, 0)
        if len(text) > 1 and text[0] == "0" and text.isdigit():
            return int(text, 8) if set(text) <= set("01234567") else int(text)  # legacy octal
        if text.isdigit():
            return int(text)
        return float(text)
    except ValueError:
        return None
