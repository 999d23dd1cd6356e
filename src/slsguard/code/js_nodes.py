"""Shapes of tree-sitter nodes of the JavaScript/TypeScript grammars that the front end
reads in more than one place: parameters, `for` headers, operator chains, switch cases,
array patterns and exported declarations (both grammar versions' spellings)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from slsguard.code.js_scope import CLASS_TYPES, Origin, bind_pattern
from slsguard.code.js_syntax import Source, is_type_node, named, unwrap

if TYPE_CHECKING:
    from tree_sitter import Node

DECLARATIONS = frozenset({"function_declaration", "generator_function_declaration"})

# (pattern, default, kind, TS parameter property)
ParamShape: TypeAlias = "tuple[Node, Node | None, str, bool]"


def param_shape(item: Node) -> ParamShape | None:
    """Unpack a formal parameter of either grammar; None for TS `this: T` and decorators."""
    prop = False
    default: Node | None = None
    kind = ""
    pattern: Node | None = item
    if item.type in ("required_parameter", "optional_parameter"):
        prop = any(c.type in ("accessibility_modifier", "readonly") for c in item.children)
        pattern = item.child_by_field_name("pattern")
        default = item.child_by_field_name("value")
    elif item.type == "assignment_pattern":
        pattern, default = item.child_by_field_name("left"), item.child_by_field_name("right")
    if pattern is not None and pattern.type == "rest_pattern":
        kind = "*"
        inner = named(pattern)
        pattern = inner[0] if inner else None
    if pattern is None or pattern.type in ("this", "decorator") or is_type_node(pattern):
        return None
    return pattern, default, kind, prop


def function_pos(node: Node, src: Source) -> tuple[int, int]:
    """Where a function starts, after its decorators (like a Python `def` line)."""
    for kid in node.children:
        if kid.type != "decorator":
            return src.pos(kid)
    return src.pos(node)


def strip_parens(node: Node) -> Node:
    while node.type == "parenthesized_expression" and len(named(node)) == 1:
        node = named(node)[0]
    return node


def sequence(node: Node) -> list[Node]:
    """The items of `a, b, c` (older grammars nest them to the right)."""
    items: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "sequence_expression":
            stack.extend(reversed(named(current)))
        else:
            items.append(current)
    return items


def header_expr(node: Node | None) -> Node | None:
    """A `for` header part: older grammars wrap it in an expression statement."""
    if node is None or node.type == "empty_statement":
        return None
    if node.type == "expression_statement":
        kids = named(node)
        return kids[0] if kids else None
    return node


def chain(node: Node, op: str) -> list[Node]:
    """The operands of a left-nested chain of one operator (`a + b + c`), without recursion."""
    operands: list[Node] = []
    current: Node = node
    while current.type == "binary_expression":
        operator = current.child_by_field_name("operator")
        left, right = current.child_by_field_name("left"), current.child_by_field_name("right")
        if operator is None or operator.type != op or left is None or right is None:
            break
        operands.append(right)
        current = left
    operands.append(current)
    operands.reverse()
    return operands


def stringish(node: Node) -> bool:
    """A string or template literal, or a `+` with one: `+` with it builds a string."""
    node = unwrap(node)
    if node.type in ("string", "template_string"):
        return True
    if node.type == "binary_expression":
        operator = node.child_by_field_name("operator")
        if operator is not None and operator.type == "+":
            return any(stringish(o) for o in chain(node, "+"))
    return False


def array_items(pattern: Node) -> list[tuple[int, Node]]:
    """(index, element) of an array pattern, holes (`[a, , b]`) counted."""
    out: list[tuple[int, Node]] = []
    index = 0
    for kid in pattern.children:
        if kid.type == ",":
            index += 1
        elif kid.is_named and kid.type != "comment":
            out.append((index, kid))
    return out


def case_groups(body: Node | None) -> list[tuple[list[Node], bool, list[Node]]]:
    """Switch cases as (labels, has default, statements); empty cases fall into the next."""
    groups: list[tuple[list[Node], bool, list[Node]]] = []
    labels: list[Node] = []
    is_default = False
    for case in [] if body is None else named(body):
        value = case.child_by_field_name("value")
        if case.type == "switch_default":
            is_default = True
        elif value is not None:
            labels.append(value)
        statements = [s for s in case.children_by_field_name("body") if s.type != "comment"]
        if statements:
            groups.append((labels, is_default, statements))
            labels, is_default = [], False
    return groups


def declared_names(node: Node, src: Source) -> list[str]:
    """Names an exported declaration binds (`export const a = 1, {b} = o`)."""
    if node.type in ("lexical_declaration", "variable_declaration"):
        bound: dict[str, list[Node | Origin | None]] = {}
        for decl in named(node):
            target = decl.child_by_field_name("name")
            if decl.type == "variable_declarator" and target is not None:
                bind_pattern(target, None, src, bound)
        return list(bound)
    name = node.child_by_field_name("name")
    if name is None or node.type not in (*DECLARATIONS, *CLASS_TYPES):
        return []
    return [src.text(name)]
