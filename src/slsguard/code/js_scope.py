"""Names in JavaScript/TypeScript: module bindings (`require`, `import`, dynamic `import()`),
the variables each function binds, and callee names with both resolved, the same way the
Python front end resolves them (`cp.execSync` -> `child_process.execSync`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slsguard.code.js_syntax import Source, named, string_value, unwrap

if TYPE_CHECKING:
    from tree_sitter import Node

MAX_ORIGIN_DEPTH = 6
FUNCTION_TYPES = frozenset(
    {
        "function_declaration", "generator_function_declaration", "function_expression",
        "function", "generator_function", "arrow_function", "method_definition",
    }
)  # fmt: skip
CLASS_TYPES = frozenset({"class_declaration", "abstract_class_declaration", "class"})
PATTERN_TYPES = frozenset({"object_pattern", "array_pattern"})
IDENTIFIERS = frozenset(
    {"identifier", "shorthand_property_identifier_pattern", "shorthand_property_identifier"}
)
_DECLARING = frozenset(
    {
        "function_declaration", "generator_function_declaration", "class_declaration",
        "abstract_class_declaration",
    }
)  # fmt: skip
_NO_VALUE = frozenset({"null", "undefined"})


@dataclass(frozen=True, slots=True)
class Origin:
    """A name bound by destructuring: the field path `path` of the value `node`."""

    node: Node
    path: tuple[str, ...]


@dataclass(slots=True)
class Scope:
    """Names bound in one function (or the module) and the values bound to them."""

    parent: Scope | None
    bound: dict[str, list[Node | Origin | None]] = field(default_factory=dict)
    resolved: dict[str, str | None] = field(default_factory=dict)

    def owner(self, name: str) -> Scope | None:
        scope: Scope | None = self
        while scope is not None and name not in scope.bound:
            scope = scope.parent
        return scope


def normalise_module(spec: str) -> str:
    return spec.removeprefix("node:")  # `node:child_process` is `child_process`


def module_source(node: Node, src: Source) -> str | None:
    """The specifier of `require("x")` / `import("x")`, else None."""
    node = unwrap(node)
    if node.type != "call_expression":
        return None
    func, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
    if func is None or args is None or args.type != "arguments":
        return None
    if not (func.type == "import" or (func.type == "identifier" and src.text(func) == "require")):
        return None
    values = named(args)
    if len(values) != 1 or values[0].type != "string":
        return None
    return normalise_module(string_value(values[0], src))


def module_path(node: Node, src: Source) -> str | None:
    """`require("a").b.c` -> "a.b.c"; None when `node` is not rooted in a module load."""
    node = unwrap(node)
    if node.type == "member_expression":
        prop = node.child_by_field_name("property")
        obj = node.child_by_field_name("object")
        if prop is None or obj is None:
            return None
        base = module_path(obj, src)
        return None if base is None else f"{base}.{src.text(prop)}"
    return module_source(node, src)


class Imports:
    """Collects the module bindings of a whole file, at any depth (like Python's imports)."""

    def __init__(self, src: Source) -> None:
        self.src = src
        self.names: dict[str, str] = {}

    def collect(self, root: Node) -> dict[str, str]:
        stack = [root]
        while stack:
            node = stack.pop()
            if node.type == "import_statement":
                self._import(node)
                continue
            if node.type == "variable_declarator":
                self._bind(node.child_by_field_name("name"), node.child_by_field_name("value"))
            elif node.type == "assignment_expression":
                self._bind(node.child_by_field_name("left"), node.child_by_field_name("right"))
            stack.extend(reversed(node.named_children))
        return self.names

    def _import(self, node: Node) -> None:
        source = node.child_by_field_name("source")
        if any(c.type == "type" for c in node.children):
            return  # `import type`: no runtime binding
        for child in named(node):
            if child.type == "import_require_clause":  # TS `import fs = require("fs")`
                ident, spec = child.named_children[0], child.child_by_field_name("source")
                if spec is not None:
                    self.names[self.src.text(ident)] = normalise_module(
                        string_value(spec, self.src)
                    )
            elif child.type == "import_clause" and source is not None:
                self._clause(child, normalise_module(string_value(source, self.src)))

    def _clause(self, clause: Node, base: str) -> None:
        text = self.src.text
        for part in named(clause):
            if part.type == "identifier":  # default import: the module, as the brief's axios
                self.names[text(part)] = base
            elif part.type == "namespace_import":
                self.names[text(named(part)[-1])] = base
            elif part.type == "named_imports":
                for spec in named(part):
                    name = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias") or name
                    if name is not None and alias is not None:
                        self.names[text(alias)] = f"{base}.{text(name)}"

    def _bind(self, target: Node | None, value: Node | None) -> None:
        if target is None or value is None:
            return
        base = module_path(value, self.src)
        if base is None:
            return
        if target.type == "identifier":
            self.names[self.src.text(target)] = base
        elif target.type == "object_pattern":
            for local, key in _pattern_fields(target, self.src):
                self.names[local] = f"{base}.{key}"


def is_import_binding(target: Node, value: Node | None, src: Source) -> bool:
    """`const x = require("m")` / `const {a} = require("m")`: a binding Imports records."""
    return (
        value is not None
        and target.type in ("identifier", "object_pattern")
        and module_path(value, src) is not None
    )


def _pattern_fields(pattern: Node, src: Source) -> list[tuple[str, str]]:
    """(local name, property) for the flat fields of `{a, b: c, d = 1}`."""
    out: list[tuple[str, str]] = []
    for item in named(pattern):
        if item.type == "shorthand_property_identifier_pattern":
            out.append((src.text(item), src.text(item)))
        elif item.type == "object_assignment_pattern":
            left = item.child_by_field_name("left")
            if left is not None:
                out.append((src.text(left), src.text(left)))
        elif item.type == "pair_pattern":
            key, value = item.child_by_field_name("key"), item.child_by_field_name("value")
            if value is not None and value.type == "assignment_pattern":
                value = value.child_by_field_name("left")
            if key is not None and value is not None and value.type == "identifier":
                out.append((src.text(value), _key_text(key, src)))
    return out


def _key_text(key: Node, src: Source) -> str:
    return string_value(key, src) if key.type == "string" else src.text(key)


def bindings(body: Node | None, src: Source) -> dict[str, list[Node | Origin | None]]:
    """Names bound in one function body (nested functions excluded) and their values."""
    bound: dict[str, list[Node | Origin | None]] = {}
    stack = [] if body is None else [body]
    while stack:
        node = stack.pop()
        kind = node.type
        if kind in FUNCTION_TYPES or kind in CLASS_TYPES:
            name = node.child_by_field_name("name")
            if kind in _DECLARING and name is not None:
                bound.setdefault(src.text(name), []).append(None)
            continue
        if kind == "variable_declarator":
            _declarator(node, src, bound)
        elif kind == "assignment_expression":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is not None and not is_import_binding(left, right, src):
                bind_pattern(left, right, src, bound)
        elif kind in ("catch_clause", "for_in_statement"):
            target = node.child_by_field_name("parameter") or node.child_by_field_name("left")
            if target is not None:
                bind_pattern(target, None, src, bound)
        stack.extend(node.named_children)
    return bound


def _declarator(node: Node, src: Source, bound: dict[str, list[Node | Origin | None]]) -> None:
    name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
    if name is None or is_import_binding(name, value, src):
        return
    if value is not None and unwrap(value).type in _NO_VALUE:
        value = None  # `let client = null` placeholders, like Python's `x = None`
    if value is None and name.type == "identifier":
        bound.setdefault(src.text(name), [])  # `let x;`: bound, but nothing to resolve
        return
    bind_pattern(name, value, src, bound)


def bind_pattern(
    target: Node,
    value: Node | None,
    src: Source,
    bound: dict[str, list[Node | Origin | None]],
    path: tuple[str, ...] = (),
) -> None:
    """Bind the names of an identifier or destructuring pattern (values for object fields)."""
    kind = target.type
    if kind in IDENTIFIERS:
        origin: Node | Origin | None = value
        if value is not None and path:
            origin = Origin(value, path)
        bound.setdefault(src.text(target), []).append(origin)
    elif kind == "object_pattern":
        for item in named(target):
            sub, key = _object_item(item, src)
            if sub is not None:
                bind_pattern(sub, value, src, bound, (*path, key) if key else ())
    elif kind in ("array_pattern", "rest_pattern", "assignment_pattern"):
        for item in named(target):
            if kind == "assignment_pattern" and item is not target.child_by_field_name("left"):
                continue
            bind_pattern(item, None, src, bound)
    elif kind in ("required_parameter", "optional_parameter"):
        pattern = target.child_by_field_name("pattern")
        if pattern is not None:
            bind_pattern(pattern, None, src, bound)


def _object_item(item: Node, src: Source) -> tuple[Node | None, str]:
    """The bound sub-pattern of one object-pattern entry and its property ("" if none)."""
    if item.type == "shorthand_property_identifier_pattern":
        return item, src.text(item)
    if item.type == "object_assignment_pattern":
        left = item.child_by_field_name("left")
        return left, "" if left is None else src.text(left)
    if item.type == "pair_pattern":
        key, value = item.child_by_field_name("key"), item.child_by_field_name("value")
        if value is not None and value.type == "assignment_pattern":
            value = value.child_by_field_name("left")
        plain = key is not None and key.type in ("property_identifier", "string")
        return value, _key_text(key, src) if key is not None and plain else ""
    if item.type == "rest_pattern":
        inner = named(item)
        return (inner[0] if inner else None), ""
    return None, ""


class Names:
    """Callee names: `display` resolves imports, `qualify` also single local assignments.
    Parts that are not names are written "?" (`(() => f)()` -> `?`, `xs[i].run` -> `?.run`)."""

    def __init__(self, src: Source, imports: dict[str, str]) -> None:
        self.src = src
        self.imports = imports

    def display(self, node: Node, scope: Scope) -> str:
        return self._dotted(node, scope, None)

    def qualify(self, node: Node, scope: Scope, depth: int = 0) -> str:
        return self._dotted(node, scope, depth)

    def _dotted(self, node: Node, scope: Scope, depth: int | None) -> str:
        node = unwrap(node)
        kind = node.type
        if kind in ("identifier", "this", "super"):
            name = self.src.text(node)
            if depth is None or kind != "identifier":
                return name if scope.owner(name) is not None else self.imports.get(name, name)
            return self._resolve(name, scope, depth)
        if kind in ("member_expression", "subscript_expression"):
            return self._member(node, scope, depth)
        if kind in ("call_expression", "new_expression"):
            spec = module_source(node, self.src)
            if spec is not None:
                return spec
            func = node.child_by_field_name(
                "function" if kind == "call_expression" else "constructor"
            )
            base = "?" if func is None else self._dotted(func, scope, depth)
            if base.rsplit(".", 1)[-1] == "promisify":
                wrapped = self._promisified(node, scope, depth)
                if wrapped is not None:
                    return wrapped
            return f"{base}()"
        return "?"

    def _promisified(self, call: Node, scope: Scope, depth: int | None) -> str | None:
        """`util.promisify(exec)` behaves as `exec`: name it so."""
        args = call.child_by_field_name("arguments")
        values = [] if args is None else named(args)
        return self._dotted(values[0], scope, depth) if len(values) == 1 else None

    def _member(self, node: Node, scope: Scope, depth: int | None) -> str:
        obj = node.child_by_field_name("object")
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            attr = None if prop is None else self.src.text(prop)
        else:  # obj["name"] names obj.name; obj[i] is not a name
            index = node.child_by_field_name("index")
            attr = string_value(index, self.src) if index and index.type == "string" else None
        if obj is None or attr is None:
            return "?"
        return f"{self._dotted(obj, scope, depth)}.{attr}"

    def _resolve(self, name: str, scope: Scope, depth: int) -> str:
        owner = scope.owner(name)
        if owner is None:
            return self.imports.get(name, name)
        if name in owner.resolved:
            return owner.resolved[name] or name
        owner.resolved[name] = None  # cycle guard (`x = x.child()`)
        found: set[str] = set()
        for value in owner.bound[name]:
            target = ""
            if value is not None and depth < MAX_ORIGIN_DEPTH:
                node = value.node if isinstance(value, Origin) else value
                target = self._dotted(node, owner, depth + 1)
                if isinstance(value, Origin):
                    target = ".".join((target, *value.path))
            found.add("" if target.startswith("?") else target)
        result = found.pop() if len(found) == 1 else ""
        owner.resolved[name] = result or None
        return result or name
