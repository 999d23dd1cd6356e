"""JavaScript/TypeScript source -> IR (ir.py) with tree-sitter: the code is parsed, never run.

The IR is shaped like the Python front end's, so one taint engine serves both:

- Every function is an `ir.Function`: declarations, methods (`Class.method`, receiver
  `this` first; static ones carry the decorator `staticmethod`), functions bound to a name
  (`const f = () => ...`, `exports.f = function () {...}`: qualname `f`), object-literal
  members (`{ get() {} }`: by key; in `const svc = {...}` static members of class `svc`)
  and anonymous callbacks (`<anonymous@LINE:COL>`). Inside
  a function each is announced by a `Def`, like a nested `def`. A function used as a value
  is `Lambda(params, Name(qualname))`: opaque, but it names the body it stands for.
- Exports are written out as `exports.NAME = value` assignments (CommonJS as written, ESM
  `export` synthesised), from which `exported_functions` reads the handler table.
- Destructuring is one Assign per name (`a = obj.a`, `b = arr[1]`, defaults as `x || d`);
  a source that is not a plain access path is first stored in `<tmp@LINE:COL>`, and a
  destructured parameter or catch binding is named `<argN>` / `<tmp@LINE:COL>`.
- `switch` is nested Ifs (`disc == label`); `for (;;)` is its initialiser then a Loop with
  the update at the end of the body; `do ... while` is a while Loop; `x++` is `x = x + 1`.
- Calls: `new X(a)` is a Call of X (the IR has no mark for construction); a tagged
  template is `tag([strings], ...values)`; `[..].join(sep)` is StrBuild "join";
  `xs.includes(x)` / `s.has(x)` are Compare `x in xs`, as Python writes membership; the
  last object literal passed also reads as `kwargs` (options objects are JavaScript's
  keyword arguments: `{ shell: true }`, `{ timeout: 5000 }`), staying in `args` too.
  Callee names resolve `require`/`import` bindings (js_scope.py).
- `await`, parentheses and TypeScript casts are transparent; types, interfaces, type
  aliases, enums and `declare` statements are dropped; ERROR nodes become Unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from slsguard.code import ir
from slsguard.code.js_exports import exported_functions
from slsguard.code.js_literals import named_literals
from slsguard.code.js_nodes import (
    DECLARATIONS,
    ParamShape,
    array_items,
    case_groups,
    chain,
    declared_names,
    function_pos,
    header_expr,
    param_shape,
    sequence,
    stringish,
    strip_parens,
)
from slsguard.code.js_scope import (
    CLASS_TYPES,
    FUNCTION_TYPES,
    IDENTIFIERS,
    PATTERN_TYPES,
    Imports,
    Names,
    Scope,
    bind_pattern,
    bindings,
    is_import_binding,
    module_source,
)
from slsguard.code.js_syntax import (
    TS_WRAPPERS,
    Source,
    cast_operand,
    is_type_node,
    named,
    number_value,
    parse_tree,
    string_value,
    unescape,
    unwrap,
)
from slsguard.code.python_frontend import CodeParseError

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ["exported_functions", "parse_javascript", "parse_js_source"]

_TS_SUFFIXES = (".ts", ".mts", ".cts")
_CMPOPS = {
    "==": "==", "===": "==", "!=": "!=", "!==": "!=", "<": "<", "<=": "<=", ">": ">",
    ">=": ">=", "in": "in", "instanceof": "instanceof",
}  # fmt: skip
_UNARY = {"!": "not", "-": "-", "+": "+", "~": "~"}
_LOGICAL = {"&&": "and", "||": "or", "??": "or"}
_MAX_CHAIN = 16  # longer chains of one operator become flat Unknown nodes
_FUNCTION_VALUES = frozenset(
    {"arrow_function", "function_expression", "function", "generator_function", "class"}
)
# Statements with no runtime effect that matters here (types, ambient declarations).
_IGNORED = frozenset(
    {
        "empty_statement", "debugger_statement", "import_statement", "hash_bang_line",
        "interface_declaration", "type_alias_declaration", "enum_declaration",
        "ambient_declaration", "function_signature", "module", "import_alias",
        "abstract_method_signature", "method_signature", "index_signature",
    }
)  # fmt: skip


def parse_javascript(
    text: str, rel: str, *, typescript: bool = False, tsx: bool = False
) -> ir.Module:
    """Parse JavaScript (or TypeScript, or TSX) `text`, the file at `rel`, into an IR module.

    tree-sitter recovers from syntax errors, so a broken file still yields its functions;
    only nesting too deep to walk raises CodeParseError."""
    dialect = "tsx" if tsx else "typescript" if typescript else "javascript"
    src = Source(text)
    tree = parse_tree(src.data, dialect)
    try:
        return _Builder(src, rel).module(tree.root_node)
    except RecursionError:
        raise CodeParseError("expressions nested too deeply to analyse") from None


def parse_js_source(text: str, rel: str) -> ir.Module:
    """parse_javascript with the dialect chosen by the file's suffix (.ts, .tsx, .js ...)."""
    suffix = PurePosixPath(rel).suffix.lower()
    return parse_javascript(text, rel, typescript=suffix in _TS_SUFFIXES, tsx=suffix == ".tsx")


@dataclass(frozen=True, slots=True)
class _Ctx:
    scope: Scope
    prefix: str  # qualname prefix of functions defined here
    parent: str | None  # qualname of the enclosing function
    in_switch: bool = False  # a plain `break` here leaves a switch, not a loop


class _Builder:
    def __init__(self, src: Source, path: str) -> None:
        self.src = src
        self.path = path
        self.functions: dict[str, ir.Function] = {}
        self.taken: set[str] = set()
        self.pending: list[ir.Stmt] = []  # hoisted before the statement being converted
        self.imports: dict[str, str] = {}
        self.names = Names(src, self.imports)

    def pos(self, node: Node) -> tuple[int, int]:
        return self.src.pos(node)

    def text(self, node: Node) -> str:
        return self.src.text(node)

    def module(self, root: Node) -> ir.Module:
        self.imports.update(Imports(self.src).collect(root))
        ctx = _Ctx(Scope(None, bindings(root, self.src)), "", None)
        body = self.block(named(root), ctx)
        literals = named_literals(body, self.functions.values())
        return ir.Module(self.path, self.functions, body, self.imports, literals)

    # -- blocks and statements --------------------------------------------------------------

    def block(self, nodes: Sequence[Node], ctx: _Ctx) -> tuple[ir.Stmt, ...]:
        header, self.pending = self.pending, []
        out: list[ir.Stmt] = []
        try:
            for node in nodes:
                converted = self.stmt(node, ctx)
                out.extend(self.pending)
                self.pending.clear()
                out.extend(converted)
        finally:
            self.pending = header
        return tuple(out)

    def sub(self, node: Node | None, ctx: _Ctx) -> tuple[ir.Stmt, ...]:
        if node is None:
            return ()
        if node.type in ("statement_block", "else_clause", "finally_clause"):
            return self.block(named(node), ctx)
        return self.block([node], ctx)

    def isolated(self, convert: Callable[[], list[ir.Stmt]]) -> list[ir.Stmt]:
        """Convert outside the current statement: its hoisted parts stay with it."""
        header, self.pending = self.pending, []
        try:
            converted = convert()
            return [*self.pending, *converted]
        finally:
            self.pending = header

    def stmt(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        kind = node.type
        handler = _STATEMENTS.get(kind)
        if handler is not None:
            return handler(self, node, ctx) + self.stray_errors(node, ctx)
        if kind in _IGNORED or is_type_node(node) or kind == "comment":
            return []
        if kind.endswith(("_statement", "_declaration")):
            return []  # an unfamiliar statement: nothing to say about it
        return self.expr_stmt(node, ctx)

    def stray_errors(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        """ERROR nodes tree-sitter left beside a statement's parts (`const x = ) y`)."""
        if not node.has_error or node.type == "ERROR":
            return []
        errors = [c for c in node.children if c.type == "ERROR"]
        for decl in node.named_children:
            if decl.type == "variable_declarator":
                errors += [c for c in decl.children if c.type == "ERROR"]
        return [
            ir.ExprStmt(self.unknown(named(e), ctx, *self.pos(e)), *self.pos(e)) for e in errors
        ]

    def expression_statement(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        kids = named(node)
        if len(kids) != 1:
            line, col = self.pos(node)
            return [ir.ExprStmt(self.unknown(kids, ctx, line, col), line, col)]
        if kids[0].type == "internal_module":  # TS `namespace N { ... }`
            return list(self.sub(kids[0].child_by_field_name("body"), ctx))
        return self.expr_stmt(kids[0], ctx)

    def expr_stmt(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        """An expression used as a statement (also `for` headers)."""
        kind = node.type
        if kind == "parenthesized_expression" and len(named(node)) == 1:
            return self.expr_stmt(named(node)[0], ctx)
        if kind == "assignment_expression":
            return self.assignment(node, ctx)
        if kind == "augmented_assignment_expression":
            return [self.augmented(node, ctx)]
        if kind == "update_expression":
            return [self.update(node, ctx)]
        if kind == "sequence_expression":
            return [s for item in sequence(node) for s in self.isolated_stmt(item, ctx)]
        line, col = self.pos(node)
        return [ir.ExprStmt(self.expr(node, ctx), line, col)]

    def isolated_stmt(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        return self.isolated(lambda: self.expr_stmt(node, ctx))

    def error_stmt(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        """An ERROR node: the statements tree-sitter recovered inside, the rest Unknown."""
        line, col = self.pos(node)
        statements: list[ir.Stmt] = []
        values: list[Node] = []
        for kid in named(node):
            if kid.type in _STATEMENTS and kid.type != "expression_statement":
                statements.extend(self.isolated(partial(self.stmt, kid, ctx)))
            else:
                values.append(kid)
        return [ir.ExprStmt(self.unknown(values, ctx, line, col), line, col), *statements]

    def declaration(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for decl in named(node):
            if decl.type == "variable_declarator":
                out.extend(self.declarator(decl, ctx))
        return out

    def declarator(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        target, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        if target is None or value is None or is_import_binding(target, value, self.src):
            return []  # `let x;` binds nothing yet; module bindings live in Module.imports
        line, col = self.pos(node)
        if target.type == "identifier":
            name = self.text(target)
            if unwrap(value).type in _FUNCTION_VALUES:
                self.named_value(value, ctx, name)  # like `def name`: no assignment
                return []
            if unwrap(value).type == "object":  # `const svc = { run(x) {...} }`: svc.run
                converted = self.object(unwrap(value), ctx, owner=name)
            else:
                converted = self.expr(value, ctx)
            return [ir.Assign((ir.Name(name, *self.pos(target)),), converted, line, col)]
        return self.destructure(target, self.expr(value, ctx), ctx, line, col)

    def function_declaration(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        name = node.child_by_field_name("name")
        self.define(node, ctx, None if name is None else self.text(name))
        return []

    def class_declaration(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        stmts, _ = self.classdef(node, ctx, None)
        return stmts

    def if_statement(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        line, col = self.pos(node)
        test = self.opt_expr(node.child_by_field_name("condition"), ctx, line, col)
        body = self.sub(node.child_by_field_name("consequence"), ctx)
        orelse = self.sub(node.child_by_field_name("alternative"), ctx)
        return [ir.If(test, body, orelse, line, col)]

    def switch(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        """Cases become nested Ifs on `disc == label`; fall-through labels are or-ed."""
        line, col = self.pos(node)
        prelude, disc = self.stored(
            self.opt_expr(node.child_by_field_name("value"), ctx, line, col), line, col
        )
        groups = case_groups(node.child_by_field_name("body"))
        inner = replace(ctx, in_switch=True)
        result: tuple[ir.Stmt, ...] = ()
        for labels, is_default, statements in reversed(groups):
            if is_default:
                continue
            tests = [self.case_test(disc, label, ctx) for label in labels]
            if not tests:
                continue
            test = tests[0] if len(tests) == 1 else ir.BoolOp("or", tuple(tests), line, col)
            body = self.block(statements, inner)
            result = (ir.If(test, body, result, tests[0].line, tests[0].col),)
        default = [g for g in groups if g[1]]
        if default:
            fallback = self.block(default[0][2], inner)
            result = fallback if not result else (_with_final_else(result[0], fallback),)
        return [*prelude, *result]

    def case_test(self, disc: ir.Expr, label: Node, ctx: _Ctx) -> ir.Expr:
        line, col = self.pos(label)
        return ir.Compare(("==",), disc, (self.expr(label, ctx),), line, col)

    def for_statement(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        line, col = self.pos(node)
        init = node.child_by_field_name("initializer")
        before: list[ir.Stmt] = []
        if init is not None and init.type != "empty_statement":
            before = self.isolated(lambda: self.stmt(init, ctx))
        cond = header_expr(node.child_by_field_name("condition"))
        test = ir.Const(True, line, col) if cond is None else self.expr(cond, ctx)
        loop_ctx = replace(ctx, in_switch=False)
        body = self.sub(node.child_by_field_name("body"), loop_ctx)
        incr = header_expr(node.child_by_field_name("increment"))
        step = [] if incr is None else self.isolated_stmt(incr, loop_ctx)
        return [*before, ir.Loop(None, None, test, (*body, *step), (), line, col)]

    def for_in(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        """`for (t of xs)` and `for (k in obj)` (keys: the object itself stands for them)."""
        line, col = self.pos(node)
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        source = self.opt_expr(right, ctx, line, col)
        target: ir.Expr | None = None
        prologue: list[ir.Stmt] = []
        if left is not None:
            target, prologue = self.bind_target(left, ctx)
        body = self.sub(node.child_by_field_name("body"), replace(ctx, in_switch=False))
        return [ir.Loop(target, source, None, (*prologue, *body), (), line, col)]

    def while_statement(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        line, col = self.pos(node)
        test = self.opt_expr(node.child_by_field_name("condition"), ctx, line, col)
        body = self.sub(node.child_by_field_name("body"), replace(ctx, in_switch=False))
        return [ir.Loop(None, None, test, body, (), line, col)]

    def try_statement(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        line, col = self.pos(node)
        body = self.sub(node.child_by_field_name("body"), ctx)
        handlers: list[ir.Handler] = []
        clause = node.child_by_field_name("handler")
        if clause is not None:
            handlers.append(self.catch(clause, ctx))
        final = node.child_by_field_name("finalizer")
        finalbody = () if final is None else self.sub(final.child_by_field_name("body"), ctx)
        return [ir.Try(body, tuple(handlers), (), finalbody, line, col)]

    def catch(self, node: Node, ctx: _Ctx) -> ir.Handler:
        param = node.child_by_field_name("parameter")
        name: str | None = None
        prologue: list[ir.Stmt] = []
        if param is not None:
            target, prologue = self.bind_target(param, ctx)
            name = target.id if isinstance(target, ir.Name) else None
        body = self.sub(node.child_by_field_name("body"), ctx)
        return ir.Handler((), name, (*prologue, *body), *self.pos(node))

    def return_statement(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        line, col = self.pos(node)
        kids = named(node)
        value = self.expr(kids[0], ctx) if kids else None
        if node.type == "throw_statement":
            return [ir.Raise(value, line, col)]
        return [ir.Return(value, line, col)]

    def jump(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        kind = "break" if node.type == "break_statement" else "continue"
        if kind == "break" and ctx.in_switch and node.child_by_field_name("label") is None:
            return []  # leaves the switch: the nested Ifs already end there
        return [ir.Jump(kind, *self.pos(node))]

    def labeled(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        body = node.child_by_field_name("body")
        return [] if body is None else self.stmt(body, ctx)

    def statement_block(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        return list(self.block(named(node), ctx))

    def with_statement(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        line, col = self.pos(node)
        context = self.opt_expr(node.child_by_field_name("object"), ctx, line, col)
        body = self.sub(node.child_by_field_name("body"), ctx)
        return [ir.With((ir.WithItem(context, None),), body, line, col)]

    # -- assignments and destructuring ------------------------------------------------------

    def assignment(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        line, col = self.pos(node)
        targets: list[Node] = []
        current = node
        while current.type == "assignment_expression":  # `a = b = value`
            left, right = current.child_by_field_name("left"), current.child_by_field_name("right")
            if left is None or right is None:
                return [ir.ExprStmt(self.unknown(named(current), ctx, line, col), line, col)]
            targets.append(left)
            current = strip_parens(right)
        if len(targets) == 1:
            left = targets[0]
            if is_import_binding(left, current, self.src):
                return []
            if left.type in PATTERN_TYPES:
                return self.destructure(left, self.expr(current, ctx), ctx, line, col)
            if unwrap(current).type in _FUNCTION_VALUES:
                return self.assign_function(left, current, ctx, line, col)
        value = self.expr(current, ctx)
        plain = tuple(self.target(t, ctx) for t in targets if t.type not in PATTERN_TYPES)
        out: list[ir.Stmt] = [ir.Assign(plain, value, line, col)] if plain else []
        for pattern in (t for t in targets if t.type in PATTERN_TYPES):
            out.extend(self.destructure(pattern, value, ctx, line, col))
        return out

    def assign_function(
        self, left: Node, value: Node, ctx: _Ctx, line: int, col: int
    ) -> list[ir.Stmt]:
        """`f = () => ...` is a def of f; `exports.f = ...` defines f and assigns it."""
        if left.type == "identifier":
            self.named_value(value, ctx, self.text(left))
            return []
        function = self.named_value(value, ctx, self.member_label(left))
        return [ir.Assign((self.target(left, ctx),), function, line, col)]

    def member_label(self, node: Node) -> str | None:
        """The name a function assigned to `node` goes by: `module.exports` is "default"."""
        node = unwrap(node)
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            obj = node.child_by_field_name("object")
            if prop is None:
                return None
            if obj is not None and self.text(obj) == "module" and self.text(prop) == "exports":
                return "default"
            return self.text(prop)
        if node.type == "subscript_expression":
            index = node.child_by_field_name("index")
            if index is not None and index.type == "string":
                return string_value(index, self.src)
        return None

    def augmented(self, node: Node, ctx: _Ctx) -> ir.Stmt:
        line, col = self.pos(node)
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        operator = node.child_by_field_name("operator")
        if left is None or right is None or operator is None:
            return ir.ExprStmt(self.unknown(named(node), ctx, line, col), line, col)
        op = operator.type[:-1]
        parts = [self.expr(left, ctx), self.expr(right, ctx)]
        if op in _LOGICAL:
            combined: ir.Expr = ir.BoolOp(_LOGICAL[op], tuple(parts), line, col)
        else:
            combined = self.binop(op, parts, [left, right])
        return ir.Assign((self.target(left, ctx),), combined, line, col)

    def update(self, node: Node, ctx: _Ctx) -> ir.Stmt:
        line, col = self.pos(node)
        arg = node.child_by_field_name("argument")
        if arg is None:
            return ir.ExprStmt(self.unknown(named(node), ctx, line, col), line, col)
        op = "-" if any(c.type == "--" for c in node.children) else "+"
        value = ir.BinOp(op, self.expr(arg, ctx), ir.Const(1, line, col), line, col)
        return ir.Assign((self.target(arg, ctx),), value, line, col)

    def target(self, node: Node, ctx: _Ctx) -> ir.Expr:
        node = unwrap(node)
        if node.type in IDENTIFIERS:
            return ir.Name(self.text(node), *self.pos(node))
        return self.expr(node, ctx)

    def bind_target(self, node: Node, ctx: _Ctx) -> tuple[ir.Expr, list[ir.Stmt]]:
        """A loop or catch target: a pattern binds a temporary, then destructures it."""
        if node.type not in PATTERN_TYPES:
            return self.target(node, ctx), []
        line, col = self.pos(node)
        tmp = ir.Name(f"<tmp@{line}:{col}>", line, col)
        return tmp, self.isolated(lambda: self.destructure(node, tmp, ctx, line, col))

    def stored(self, value: ir.Expr, line: int, col: int) -> tuple[list[ir.Stmt], ir.Expr]:
        """`value` if it is an access path, else a temporary assigned it (evaluated once)."""
        if _is_path(value):
            return [], value
        tmp = ir.Name(f"<tmp@{line}:{col}>", line, col)
        return [ir.Assign((tmp,), value, line, col)], tmp

    def destructure(
        self, pattern: Node, source: ir.Expr, ctx: _Ctx, line: int, col: int
    ) -> list[ir.Stmt]:
        """`{a, b: {c}, d = 1, ...r} = src` -> a = src.a; c = src.b.c; d = src.d || 1; r = src."""
        items = named(pattern)
        out: list[ir.Stmt] = []
        if len(items) > 1:
            out, source = self.stored(source, line, col)
        if pattern.type == "object_pattern":
            for item in items:
                out.extend(self.object_item(item, source, ctx))
        elif pattern.type == "array_pattern":
            for index, item in array_items(pattern):
                iline, icol = self.pos(item)
                key: ir.Expr = ir.Const(index, iline, icol)
                if item.type == "rest_pattern":
                    key = ir.Unknown((), iline, icol)  # a slice
                out.extend(self.bind_to(item, ir.Index(source, key, iline, icol), ctx))
        else:
            out.extend(self.bind_to(pattern, source, ctx))
        return out

    def object_item(self, item: Node, source: ir.Expr, ctx: _Ctx) -> list[ir.Stmt]:
        line, col = self.pos(item)
        kind = item.type
        if kind in ("shorthand_property_identifier_pattern", "object_assignment_pattern"):
            left = item.child_by_field_name("left") if kind == "object_assignment_pattern" else None
            name = self.text(item if left is None else left)
            value: ir.Expr = ir.Attr(source, name, line, col)
            default = item.child_by_field_name("right")
            if default is not None:
                value = ir.BoolOp("or", (value, self.expr(default, ctx)), line, col)
            return [ir.Assign((ir.Name(name, line, col),), value, line, col)]
        if kind == "pair_pattern":
            key, sub = item.child_by_field_name("key"), item.child_by_field_name("value")
            if key is None or sub is None:
                return []
            return self.bind_to(sub, self.field(source, key, ctx), ctx)
        if kind == "rest_pattern":
            return self.bind_to(item, source, ctx)
        return []

    def field(self, source: ir.Expr, key: Node, ctx: _Ctx) -> ir.Expr:
        line, col = self.pos(key)
        if key.type in ("property_identifier", "private_property_identifier"):
            return ir.Attr(source, self.text(key), line, col)
        if key.type == "string":
            return ir.Attr(source, string_value(key, self.src), line, col)
        inner = named(key) if key.type == "computed_property_name" else [key]
        index = self.expr(inner[0], ctx) if inner else ir.Unknown((), line, col)
        return ir.Index(source, index, line, col)

    def bind_to(self, node: Node, value: ir.Expr, ctx: _Ctx) -> list[ir.Stmt]:
        """Bind one pattern element (identifier, default, nested pattern, rest) to `value`."""
        line, col = self.pos(node)
        if node.type == "assignment_pattern":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is None:
                return []
            if right is not None:
                value = ir.BoolOp("or", (value, self.expr(right, ctx)), line, col)
            return self.bind_to(left, value, ctx)
        if node.type == "rest_pattern":
            inner = named(node)
            return self.bind_to(inner[0], value, ctx) if inner else []
        if node.type in PATTERN_TYPES:
            return self.destructure(node, value, ctx, line, col)
        return [ir.Assign((self.target(node, ctx),), value, line, col)]

    # -- functions and classes --------------------------------------------------------------

    def claim(self, qualname: str, line: int, col: int) -> str:
        """A qualname not used yet in this module (redefinitions get `@LINE:COL`)."""
        if qualname in self.taken:
            qualname = f"{qualname}@{line}:{col}"
        self.taken.add(qualname)
        return qualname

    def define(
        self,
        node: Node,
        ctx: _Ctx,
        name: str | None,
        *,
        class_name: str | None = None,
        receiver: bool = False,
        decorators: tuple[ir.Expr, ...] = (),
        announce: bool = True,
    ) -> ir.Function:
        """Register the function `node` and, inside a function, announce it with a Def."""
        line, col = function_pos(node, self.src)
        label = name or f"<anonymous@{line}:{col}>"
        qualname = self.claim(ctx.prefix + label, line, col)
        body = node.child_by_field_name("body")
        scope = Scope(ctx.scope, bindings(body, self.src))
        inner = _Ctx(scope, qualname + ".", qualname)
        params, prologue = self.params(node, inner)
        if receiver:
            params = (ir.Param("this", line, col), *params)
        statements = self.function_body(body, inner)
        function = ir.Function(
            label,
            qualname,
            params,
            (*prologue, *statements),
            decorators,
            line,
            col,
            class_name=class_name,
            parent=ctx.parent,
        )
        self.functions[qualname] = function
        if announce and ctx.parent is not None:
            self.pending.append(ir.Def(label, qualname, line, col))
        return function

    def function_body(self, body: Node | None, ctx: _Ctx) -> tuple[ir.Stmt, ...]:
        if body is None:
            return ()
        if body.type == "statement_block":
            return self.block(named(body), ctx)
        line, col = self.pos(body)  # `x => expr`
        return tuple(self.isolated(lambda: [ir.Return(self.expr(body, ctx), line, col)]))

    def params(self, node: Node, ctx: _Ctx) -> tuple[tuple[ir.Param, ...], list[ir.Stmt]]:
        """Parameters, and the statements binding destructured ones and TS `private x`."""
        holder = node.child_by_field_name("parameters") or node.child_by_field_name("parameter")
        if holder is None:
            return (), []
        items = [holder] if holder.type in IDENTIFIERS else named(holder)
        shapes = [s for s in (param_shape(i) for i in items) if s is not None]
        for pattern, _, _, _ in shapes:
            bind_pattern(pattern, None, self.src, ctx.scope.bound)
        return self.isolated_params(shapes, ctx)

    def isolated_params(
        self, shapes: list[ParamShape], ctx: _Ctx
    ) -> tuple[tuple[ir.Param, ...], list[ir.Stmt]]:
        params: list[ir.Param] = []
        prologue: list[ir.Stmt] = []

        def convert() -> list[ir.Stmt]:
            for index, (pattern, default, kind, prop) in enumerate(shapes):
                line, col = self.pos(pattern)
                value = None if default is None else self.expr(default, ctx)
                if pattern.type in PATTERN_TYPES:
                    name = f"<arg{index}>"
                    src = ir.Name(name, line, col)
                    prologue.extend(self.destructure(pattern, src, ctx, line, col))
                else:
                    name = self.text(pattern)
                if prop:  # TS parameter property: `constructor(private db: Db)`
                    this = ir.Attr(ir.Name("this", line, col), name, line, col)
                    prologue.append(ir.Assign((this,), ir.Name(name, line, col), line, col))
                params.append(ir.Param(name, line, col, kind, value))
            return []

        hoisted = self.isolated(convert)
        return tuple(params), [*hoisted, *prologue]

    def named_value(self, node: Node, ctx: _Ctx, name: str | None) -> ir.Expr:
        """A function or class bound to `name`; other values are plain expressions."""
        inner = unwrap(node)
        if inner.type in CLASS_TYPES:
            stmts, value = self.classdef(inner, ctx, name)
            self.pending.extend(stmts)
            return value
        if inner.type in FUNCTION_TYPES:
            return self.lambda_of(self.define(inner, ctx, name))
        return self.expr(node, ctx)

    def lambda_of(self, function: ir.Function) -> ir.Expr:
        line, col = function.line, function.col
        params = tuple(p.name for p in function.params)
        return ir.Lambda(params, ir.Name(function.qualname, line, col), line, col)

    def classdef(self, node: Node, ctx: _Ctx, name: str | None) -> tuple[list[ir.Stmt], ir.Expr]:
        """Methods become `Class.method`; fields and static blocks run where the class is."""
        line, col = self.pos(node)
        own = node.child_by_field_name("name")
        cname = name or (self.text(own) if own is not None else f"<class@{line}:{col}>")
        cctx = replace(ctx, prefix=f"{ctx.prefix}{cname}.", in_switch=False)
        out: list[ir.Stmt] = []
        body = node.child_by_field_name("body")
        decorators: list[ir.Expr] = []
        for member in [] if body is None else named(body):
            if member.type == "decorator":
                decorators.extend(self.decorators([member], ctx))
                continue
            out.extend(self.member(member, cname, cctx, tuple(decorators)))
            decorators.clear()
        if ctx.parent is not None:
            out.append(ir.Def(cname, ctx.prefix + cname, line, col))
        return out, ir.Name(cname, line, col)

    def member(
        self, node: Node, cname: str, ctx: _Ctx, decorators: tuple[ir.Expr, ...]
    ) -> list[ir.Stmt]:
        static = any(c.type == "static" for c in node.children)
        if node.type == "method_definition":
            own = tuple(self.decorators(node.children, ctx))
            marks = (ir.Name("staticmethod", *self.pos(node)),) if static else ()
            name = self.member_name(node.child_by_field_name("name"))
            self.define(
                node,
                ctx,
                name,
                class_name=cname,
                receiver=not static,
                decorators=(*decorators, *own, *marks),
                announce=False,
            )
            return []
        if node.type in ("field_definition", "public_field_definition"):
            return self.class_field(node, cname, ctx, static)
        if node.type == "class_static_block":
            return list(self.sub(node.child_by_field_name("body"), ctx))
        return []

    def class_field(self, node: Node, cname: str, ctx: _Ctx, static: bool) -> list[ir.Stmt]:
        key = node.child_by_field_name("property") or node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        name = self.member_name(key)
        if value is None or name is None:
            return []
        line, col = self.pos(node)
        if unwrap(value).type in FUNCTION_TYPES:  # `handle = async (e) => {}`: a method
            function = unwrap(value)
            self.define(function, ctx, name, class_name=cname, receiver=not static, announce=False)
            return []
        owner = ir.Name(cname if static else "this", line, col)
        target = ir.Attr(owner, name, line, col)
        return self.isolated(lambda: [ir.Assign((target,), self.expr(value, ctx), line, col)])

    def member_name(self, node: Node | None) -> str | None:
        if node is None or node.type == "computed_property_name":
            return None
        if node.type == "string":
            return string_value(node, self.src)
        return self.text(node)

    def decorators(self, nodes: Sequence[Node], ctx: _Ctx) -> list[ir.Expr]:
        out: list[ir.Expr] = []
        for node in nodes:
            if node.type == "decorator":
                kids = named(node)
                if kids:
                    out.append(self.expr(kids[0], ctx))
        return out

    # -- exports ----------------------------------------------------------------------------

    def export(self, node: Node, ctx: _Ctx) -> list[ir.Stmt]:
        """ESM exports become `exports.NAME = value` (as TypeScript compiles them)."""
        line, col = self.pos(node)
        if node.child_by_field_name("source") is not None:
            return []  # a re-export: defined in another module
        default = any(c.type == "default" for c in node.children)
        decl = node.child_by_field_name("declaration")
        if decl is not None:
            out = self.stmt(decl, ctx)
            names = declared_names(decl, self.src)
            if default:
                names = names[:1]
            return out + [
                self.export_assign("default" if default else n, ir.Name(n, line, col), line, col)
                for n in names
            ]
        value = node.child_by_field_name("value")
        if value is not None:
            return [
                self.export_assign("default", self.named_value(value, ctx, "default"), line, col)
            ]
        out = []
        for kid in named(node):
            if kid.type == "export_clause":
                out.extend(self.export_clause(kid))
            elif any(c.type == "=" for c in node.children):  # TS `export = handler`
                target = ir.Attr(ir.Name("module", line, col), "exports", line, col)
                out.append(ir.Assign((target,), self.expr(kid, ctx), line, col))
        return out

    def export_clause(self, node: Node) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for spec in named(node):
            name, alias = spec.child_by_field_name("name"), spec.child_by_field_name("alias")
            if name is None:
                continue
            line, col = self.pos(spec)
            local = ir.Name(self.text(name), *self.pos(name))
            exported = self.member_name(alias or name) or self.text(name)
            out.append(self.export_assign(exported, local, line, col))
        return out

    def export_assign(self, name: str, value: ir.Expr, line: int, col: int) -> ir.Stmt:
        target = ir.Attr(ir.Name("exports", line, col), name, line, col)
        return ir.Assign((target,), value, line, col)

    # -- expressions ------------------------------------------------------------------------

    def opt_expr(self, node: Node | None, ctx: _Ctx, line: int, col: int) -> ir.Expr:
        return ir.Unknown((), line, col) if node is None else self.expr(node, ctx)

    def unknown(self, nodes: Sequence[Node], ctx: _Ctx, line: int, col: int) -> ir.Expr:
        kids = [n for n in nodes if n.is_named and not is_type_node(n)]
        return ir.Unknown(tuple(self.expr(n, ctx) for n in kids), line, col)

    def expr(self, node: Node, ctx: _Ctx) -> ir.Expr:
        handler = _EXPRESSIONS.get(node.type)
        if handler is not None:
            return handler(self, node, ctx)
        line, col = self.pos(node)
        if node.type in TS_WRAPPERS:
            inner = cast_operand(node)
            return self.unknown([], ctx, line, col) if inner == node else self.expr(inner, ctx)
        return self.unknown(named(node), ctx, line, col)

    def name(self, node: Node, ctx: _Ctx) -> ir.Expr:
        return ir.Name(self.text(node), *self.pos(node))

    def literal(self, node: Node, ctx: _Ctx) -> ir.Expr:
        line, col = self.pos(node)
        kind = node.type
        value: ir.ConstValue = None
        if kind in ("true", "false"):
            value = kind == "true"
        elif kind == "number":
            value = number_value(self.text(node))
        elif kind == "string":
            value = string_value(node, self.src)
        elif kind == "regex":
            value = self.text(node)  # a constant pattern
        return ir.Const(value, line, col)

    def template(self, node: Node, ctx: _Ctx) -> ir.Expr:
        """`a${b}c` -> StrBuild("fstring", ("a", b, "c")); without `${}` it is a constant."""
        line, col = self.pos(node)
        parts: list[ir.Expr] = []
        run: list[Node] = []
        for kid in node.named_children:
            if kid.type == "template_substitution":
                self.flush_text(run, parts)
                inner = [k for k in named(kid) if not is_type_node(k)]
                parts.append(
                    self.expr(inner[0], ctx) if inner else self.unknown([], ctx, line, col)
                )
            elif kid.type != "comment":
                run.append(kid)
        self.flush_text(run, parts)
        if all(isinstance(p, ir.Const) for p in parts):
            text = "".join(str(p.value) for p in parts if isinstance(p, ir.Const))
            return ir.Const(text, line, col)
        return ir.StrBuild("fstring", tuple(parts), line, col)

    def flush_text(self, run: list[Node], parts: list[ir.Expr]) -> None:
        if run:
            raw = self.src.data[run[0].start_byte : run[-1].end_byte].decode("utf-8", "replace")
            parts.append(ir.Const(unescape(raw), *self.pos(run[0])))
            run.clear()

    def member_expr(self, node: Node, ctx: _Ctx) -> ir.Expr:
        line, col = self.pos(node)
        obj, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
        if obj is None or prop is None:
            return self.unknown(named(node), ctx, line, col)
        return ir.Attr(self.expr(obj, ctx), self.text(prop), line, col)

    def subscript(self, node: Node, ctx: _Ctx) -> ir.Expr:
        line, col = self.pos(node)
        obj, index = node.child_by_field_name("object"), node.child_by_field_name("index")
        if obj is None or index is None:
            return self.unknown(named(node), ctx, line, col)
        return ir.Index(self.expr(obj, ctx), self.expr(index, ctx), line, col)

    def call(self, node: Node, ctx: _Ctx) -> ir.Expr:
        line, col = self.pos(node)
        func, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
        if func is None:
            return self.unknown(named(node), ctx, line, col)
        if args is not None and args.type == "template_string":  # tag`...`: tag(strings, ...)
            values = self.tagged(args, ctx)
        else:
            values = self.arguments(args, ctx)
        special = self.join(func, values, args, ctx, line, col) or self.membership(
            func, values, ctx, line, col
        )
        if special is not None:
            return special
        if func.type == "import":  # import("m")
            name = qualname = "import"
        else:
            name = self.names.display(func, ctx.scope)
            qualname = self.names.qualify(func, ctx.scope)
        return ir.Call(self.expr(func, ctx), name, qualname, values, _options(values), line, col)

    def new(self, node: Node, ctx: _Ctx) -> ir.Expr:
        """`new X(...)` is a call of X (the IR has no mark for construction)."""
        line, col = self.pos(node)
        ctor = node.child_by_field_name("constructor")
        if ctor is None:
            return self.unknown(named(node), ctx, line, col)
        values = self.arguments(node.child_by_field_name("arguments"), ctx)
        name = self.names.display(ctor, ctx.scope)
        qualname = self.names.qualify(ctor, ctx.scope)
        return ir.Call(self.expr(ctor, ctx), name, qualname, values, _options(values), line, col)

    def arguments(self, node: Node | None, ctx: _Ctx) -> tuple[ir.Expr, ...]:
        if node is None:
            return ()
        return tuple(self.expr(a, ctx) for a in named(node) if not is_type_node(a))

    def tagged(self, node: Node, ctx: _Ctx) -> tuple[ir.Expr, ...]:
        built = self.template(node, ctx)
        parts = built.parts if isinstance(built, ir.StrBuild) else (built,)
        strings = tuple(p for p in parts if isinstance(p, ir.Const))
        values = tuple(p for p in parts if not isinstance(p, ir.Const))
        return (ir.Seq("list", strings, built.line, built.col), *values)

    def join(
        self,
        func: Node,
        values: tuple[ir.Expr, ...],
        args: Node | None,
        ctx: _Ctx,
        line: int,
        col: int,
    ) -> ir.Expr | None:
        """`xs.join(sep)` -> StrBuild("join", (sep, xs)); never `path.join(a, b)`."""
        func = unwrap(func)
        if func.type != "member_expression" or args is None or len(values) > 1:
            return None
        prop, obj = func.child_by_field_name("property"), func.child_by_field_name("object")
        if prop is None or obj is None or self.text(prop) != "join":
            return None
        arg_nodes = named(args)
        literal_sep = not arg_nodes or arg_nodes[0].type in ("string", "template_string")
        if unwrap(obj).type != "array" and not (literal_sep and not self.imported(obj, ctx)):
            return None
        sep = values[0] if values else ir.Const(",", line, col)
        return ir.StrBuild("join", (sep, self.expr(obj, ctx)), line, col)

    def membership(
        self, func: Node, values: tuple[ir.Expr, ...], ctx: _Ctx, line: int, col: int
    ) -> ir.Expr | None:
        """`xs.includes(x)` / `set.has(x)` test membership: Compare(x in xs), as in Python."""
        func = unwrap(func)
        if func.type != "member_expression" or len(values) != 1:
            return None
        prop, obj = func.child_by_field_name("property"), func.child_by_field_name("object")
        if prop is None or obj is None or self.text(prop) not in ("includes", "has"):
            return None
        if isinstance(values[0], ir.Spread):
            return None
        return ir.Compare(("in",), values[0], (self.expr(obj, ctx),), line, col)

    def imported(self, node: Node, ctx: _Ctx) -> bool:
        """Is `node` (`path`, `path.posix`, `require("path")`) rooted in a module binding?"""
        node = unwrap(node)
        while node.type == "member_expression":
            obj = node.child_by_field_name("object")
            if obj is None:
                return False
            node = unwrap(obj)
        if module_source(node, self.src) is not None:
            return True
        name = self.text(node)
        return node.type == "identifier" and name in self.imports and not ctx.scope.owner(name)

    def binary(self, node: Node, ctx: _Ctx) -> ir.Expr:
        line, col = self.pos(node)
        operator = node.child_by_field_name("operator")
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if operator is None or left is None or right is None:
            return self.unknown(named(node), ctx, line, col)
        op = operator.type
        if op in _CMPOPS:
            return ir.Compare(
                (_CMPOPS[op],), self.expr(left, ctx), (self.expr(right, ctx),), line, col
            )
        operands = chain(node, op)
        parts = [self.expr(o, ctx) for o in operands]
        if op in _LOGICAL:
            return ir.BoolOp(_LOGICAL[op], tuple(parts), line, col)
        return self.binop(op, parts, operands)

    def binop(self, op: str, parts: list[ir.Expr], nodes: Sequence[Node]) -> ir.Expr:
        line, col = parts[0].line, parts[0].col
        if op == "+" and any(stringish(n) for n in nodes):
            return ir.StrBuild("concat", tuple(parts), line, col)
        if len(parts) > _MAX_CHAIN:
            return ir.Unknown(tuple(parts), line, col)
        result = parts[0]
        for part in parts[1:]:
            result = ir.BinOp(op, result, part, line, col)
        return result

    def unary(self, node: Node, ctx: _Ctx) -> ir.Expr:
        line, col = self.pos(node)
        operator = node.child_by_field_name("operator")
        arg = node.child_by_field_name("argument")
        if operator is None or arg is None:
            return self.unknown(named(node), ctx, line, col)
        op = _UNARY.get(operator.type, operator.type)  # typeof, void, delete kept as written
        return ir.Unary(op, self.expr(arg, ctx), line, col)

    def assign_expr(self, node: Node, ctx: _Ctx) -> ir.Expr:
        """An assignment inside an expression: hoisted before the statement (like walrus)."""
        if node.type == "assignment_expression":
            self.pending.extend(self.assignment(node, ctx))
        elif node.type == "augmented_assignment_expression":
            self.pending.append(self.augmented(node, ctx))
        else:
            self.pending.append(self.update(node, ctx))
        target = node.child_by_field_name("left") or node.child_by_field_name("argument")
        line, col = self.pos(node)
        if target is None or target.type in PATTERN_TYPES:
            return ir.Unknown((), line, col)
        return self.target(target, ctx)

    def ternary(self, node: Node, ctx: _Ctx) -> ir.Expr:
        line, col = self.pos(node)
        fields = ("condition", "consequence", "alternative")
        kids = [node.child_by_field_name(f) for f in fields]
        if any(k is None for k in kids):
            return self.unknown(named(node), ctx, line, col)
        test, body, orelse = (self.expr(k, ctx) for k in kids if k is not None)
        return ir.Cond(test, body, orelse, line, col)

    def sequence(self, node: Node, ctx: _Ctx) -> ir.Expr:
        """`(a, b, c)`: a and b run first (hoisted), the value is c."""
        items = sequence(node)
        for item in items[:-1]:
            self.pending.extend(self.expr_stmt(item, ctx))
        return self.expr(items[-1], ctx)

    def transparent(self, node: Node, ctx: _Ctx) -> ir.Expr:
        """Parentheses and `await`: the value is the inner expression."""
        kids = [k for k in named(node) if not is_type_node(k)]
        if len(kids) == 1:
            return self.expr(kids[0], ctx)
        line, col = self.pos(node)
        return self.unknown(kids, ctx, line, col)

    def spread(self, node: Node, ctx: _Ctx) -> ir.Expr:
        line, col = self.pos(node)
        kids = named(node)
        value = self.expr(kids[0], ctx) if kids else ir.Unknown((), line, col)
        return ir.Spread(value, line, col)

    def array(self, node: Node, ctx: _Ctx) -> ir.Expr:
        items = tuple(self.expr(k, ctx) for k in named(node))
        return ir.Seq("list", items, *self.pos(node))

    def object(self, node: Node, ctx: _Ctx, owner: str | None = None) -> ir.Expr:
        """An object literal; bound to a name (`owner`), its functions are members of class
        `owner`, like static methods (`owner.key()` and `this.key()` call them)."""
        line, col = self.pos(node)
        keys: list[ir.Expr | None] = []
        values: list[ir.Expr] = []
        for item in named(node):
            kind = item.type
            if kind == "pair":
                key, value = item.child_by_field_name("key"), item.child_by_field_name("value")
                if key is None or value is None:
                    continue
                keys.append(self.key(key, ctx))
                name = self.member_name(key)
                if owner is not None and unwrap(value).type in FUNCTION_TYPES:
                    values.append(
                        self.lambda_of(self.object_member(unwrap(value), ctx, name, owner))
                    )
                else:
                    values.append(self.named_value(value, ctx, name))
            elif kind == "shorthand_property_identifier":
                keys.append(ir.Const(self.text(item), *self.pos(item)))
                values.append(ir.Name(self.text(item), *self.pos(item)))
            elif kind == "spread_element":
                keys.append(None)
                values.append(self.transparent(item, ctx))
            elif kind == "method_definition":
                key = item.child_by_field_name("name")
                keys.append(self.key(key, ctx) if key else ir.Unknown((), line, col))
                name = self.member_name(key)
                if owner is not None:
                    function = self.object_member(item, ctx, name, owner)
                else:
                    function = self.define(item, ctx, name)
                values.append(self.lambda_of(function))
        return ir.Dict(tuple(keys), tuple(values), line, col)

    def object_member(self, node: Node, ctx: _Ctx, name: str | None, owner: str) -> ir.Function:
        """A function of an object literal bound to `owner`: named by its key as any object
        member, with class `owner` and no receiver parameter (marked static, so that
        `owner.key(x)` binds x to its first parameter)."""
        static = (ir.Name("staticmethod", *self.pos(node)),)
        return self.define(node, ctx, name, class_name=owner, decorators=static)

    def key(self, node: Node, ctx: _Ctx) -> ir.Expr:
        line, col = self.pos(node)
        if node.type == "computed_property_name":
            kids = named(node)
            return self.expr(kids[0], ctx) if kids else ir.Unknown((), line, col)
        if node.type in ("string", "number"):
            return self.literal(node, ctx)
        return ir.Const(self.text(node), line, col)

    def function_value(self, node: Node, ctx: _Ctx) -> ir.Expr:
        name = node.child_by_field_name("name")
        own = None if name is None else self.text(name)
        if node.type in DECLARATIONS:  # a declaration where an expression was expected
            self.define(node, ctx, own)
            return ir.Name(own or "", *self.pos(node))
        return self.lambda_of(self.define(node, ctx, own))

    def class_value(self, node: Node, ctx: _Ctx) -> ir.Expr:
        stmts, value = self.classdef(node, ctx, None)
        self.pending.extend(stmts)
        return value

    def jsx(self, node: Node, ctx: _Ctx) -> ir.Expr:
        """JSX: only the embedded `{expressions}` matter; tags and text are constant."""
        line, col = self.pos(node)
        values: list[ir.Expr] = []
        stack = list(reversed(node.named_children))
        while stack:
            kid = stack.pop()
            if kid.type in ("jsx_expression", "spread_element"):
                values.append(self.transparent(kid, ctx))
            elif kid.type.startswith("jsx_"):
                stack.extend(reversed(kid.named_children))
        return ir.Unknown(tuple(values), line, col)


def _options(args: tuple[ir.Expr, ...]) -> tuple[ir.Keyword, ...]:
    """The last object literal passed also reads as keyword arguments (`{shell: true}`,
    `{timeout: 5000}`, `{algorithms: ["none"]}`): JavaScript's options objects are what
    Python's keywords are, and sink conditions look for them by name. It stays in `args`."""
    options = next((a for a in reversed(args) if isinstance(a, ir.Dict)), None)
    if options is None:
        return ()
    out: list[ir.Keyword] = []
    for key, value in zip(options.keys, options.values, strict=True):
        if key is None:
            out.append(ir.Keyword(None, value))  # `{...opts}`: any option may be set
        elif isinstance(key, ir.Const) and isinstance(key.value, str):
            out.append(ir.Keyword(key.value, value))
    return tuple(out)


def _is_path(expr: ir.Expr) -> bool:
    """A name or constant, or fields of one: evaluating it twice changes nothing."""
    while True:
        if isinstance(expr, ir.Name | ir.Const):
            return True
        match expr:
            case ir.Attr(obj=obj) | ir.Index(obj=obj, key=ir.Const()):
                expr = obj
            case _:
                return False


def _with_final_else(stmt: ir.Stmt, fallback: tuple[ir.Stmt, ...]) -> ir.Stmt:
    """Put `fallback` (the default case) in the innermost else of a chain of Ifs."""
    if not isinstance(stmt, ir.If):
        return stmt
    if stmt.orelse and isinstance(stmt.orelse[0], ir.If):
        inner = _with_final_else(stmt.orelse[0], fallback)
        return replace(stmt, orelse=(inner,))
    return replace(stmt, orelse=fallback)


_Handler = Callable[[_Builder, "Node", _Ctx], list[ir.Stmt]]
_STATEMENTS: dict[str, _Handler] = {
    "expression_statement": _Builder.expression_statement,
    "lexical_declaration": _Builder.declaration,
    "variable_declaration": _Builder.declaration,
    "function_declaration": _Builder.function_declaration,
    "generator_function_declaration": _Builder.function_declaration,
    "class_declaration": _Builder.class_declaration,
    "abstract_class_declaration": _Builder.class_declaration,
    "if_statement": _Builder.if_statement,
    "switch_statement": _Builder.switch,
    "for_statement": _Builder.for_statement,
    "for_in_statement": _Builder.for_in,
    "while_statement": _Builder.while_statement,
    "do_statement": _Builder.while_statement,
    "try_statement": _Builder.try_statement,
    "return_statement": _Builder.return_statement,
    "throw_statement": _Builder.return_statement,
    "break_statement": _Builder.jump,
    "continue_statement": _Builder.jump,
    "labeled_statement": _Builder.labeled,
    "statement_block": _Builder.statement_block,
    "with_statement": _Builder.with_statement,
    "export_statement": _Builder.export,
    "ERROR": _Builder.error_stmt,
}
_ExprHandler = Callable[[_Builder, "Node", _Ctx], ir.Expr]
_EXPRESSIONS: dict[str, _ExprHandler] = {
    **dict.fromkeys(
        (
            "identifier", "shorthand_property_identifier", "property_identifier",
            "shorthand_property_identifier_pattern", "private_property_identifier",
            "statement_identifier", "this", "super", "import",
        ),
        _Builder.name,
    ),
    **dict.fromkeys(
        ("null", "undefined", "true", "false", "number", "string", "regex"), _Builder.literal
    ),
    "template_string": _Builder.template,
    "member_expression": _Builder.member_expr,
    "subscript_expression": _Builder.subscript,
    "call_expression": _Builder.call,
    "new_expression": _Builder.new,
    "binary_expression": _Builder.binary,
    "unary_expression": _Builder.unary,
    **dict.fromkeys(
        ("assignment_expression", "augmented_assignment_expression", "update_expression"),
        _Builder.assign_expr,
    ),
    "ternary_expression": _Builder.ternary,
    "sequence_expression": _Builder.sequence,
    "parenthesized_expression": _Builder.transparent,
    "await_expression": _Builder.transparent,
    "spread_element": _Builder.spread,
    "array": _Builder.array,
    "object": _Builder.object,
    **dict.fromkeys(
        (*_FUNCTION_VALUES - {"class"}, *DECLARATIONS), _Builder.function_value
    ),
    **dict.fromkeys(CLASS_TYPES, _Builder.class_value),
    **dict.fromkeys(
        ("jsx_element", "jsx_self_closing_element", "jsx_fragment"), _Builder.jsx
    ),
}  # fmt: skip
