"""Python source -> IR (ir.py) with the standard `ast` module: the code is parsed, never
imported, executed or evaluated.

Callee names are resolved through imports (`import subprocess as sp`, `from os import
system`, module- and function-level imports alike) and, for `Call.qualname`, through the
single assignment of a local or global variable (`cur = conn.cursor()`), so that sink
tables can name `psycopg2.connect().cursor().execute` or `requests.Session().get`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from slsguard.code import ir

_BINOPS: dict[type[ast.operator], str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
    ast.Mod: "%", ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|",
    ast.BitXor: "^", ast.BitAnd: "&", ast.MatMult: "@",
}  # fmt: skip
_CMPOPS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
    ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
}  # fmt: skip
_UNARY: dict[type[ast.unaryop], str] = {
    ast.Not: "not", ast.USub: "-", ast.UAdd: "+", ast.Invert: "~",
}  # fmt: skip
# Longer chains of one operator (generated code) become flat Unknown nodes: no deep trees.
_MAX_CHAIN = 16
_MAX_ORIGIN_DEPTH = 6
_DefNode = ast.FunctionDef | ast.AsyncFunctionDef
# Converts a nested block in the enclosing scope (passed to handler() and match()).
_Sub = Callable[[Sequence[ast.stmt]], tuple[ir.Stmt, ...]]


class CodeParseError(ValueError):
    """The file is not valid Python (or too deeply nested to analyse)."""

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def parse_module(text: str, path: str) -> ir.Module:
    """Parse Python `text` (the file at `path`) into an IR module."""
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise CodeParseError(f"not valid Python: {exc.msg}", exc.lineno or 0) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise CodeParseError(f"cannot be parsed: {exc}") from None
    try:
        return _Builder(text, path).module(tree)
    except RecursionError:
        raise CodeParseError("expressions nested too deeply to analyse") from None


@dataclass(slots=True)
class _Scope:
    """Names bound in one function (or the module) and the expressions bound to them."""

    parent: _Scope | None
    bound: dict[str, list[ast.expr | None]] = field(default_factory=dict)
    resolved: dict[str, str | None] = field(default_factory=dict)

    def owner(self, name: str) -> _Scope | None:
        scope: _Scope | None = self
        while scope is not None and name not in scope.bound:
            scope = scope.parent
        return scope


class _Builder:
    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.text = text
        self.lines: list[str] | None = None
        self.imports: dict[str, str] = {}
        self.functions: dict[str, ir.Function] = {}
        self.pending: list[ir.Stmt] = []  # walrus assignments hoisted before their statement
        self.literals: list[ir.NamedLiteral] = []
        self.ascii = text.isascii()

    # -- positions ------------------------------------------------------------------------

    def pos(self, node: ast.AST) -> tuple[int, int]:
        line: int = getattr(node, "lineno", 0)
        offset: int = getattr(node, "col_offset", 0)
        if self.ascii:
            return line, offset + 1
        if self.lines is None:
            self.lines = self.text.splitlines()
        if 0 < line <= len(self.lines):
            text = self.lines[line - 1]
            if not text.isascii():  # ast columns count UTF-8 bytes
                offset = len(text.encode()[:offset].decode(errors="ignore"))
        return line, offset + 1

    # -- module, scopes, names ---------------------------------------------------------------

    def module(self, tree: ast.Module) -> ir.Module:
        self._collect_imports(tree)
        scope = _Scope(None, _bindings(tree.body))
        body = self.block(tree.body, scope, prefix="", class_name=None, parent=None)
        return ir.Module(self.path, self.functions, body, self.imports, tuple(self.literals))

    def named(self, name: str | None, value: ir.Expr | None) -> None:
        """Remember a string literal stored under `name` (hard-coded secrets)."""
        if name and isinstance(value, ir.Const) and isinstance(value.value, str):
            self.literals.append(ir.NamedLiteral(name, value))

    def _collect_imports(self, tree: ast.Module) -> None:
        for node in _statements(tree.body, into_defs=True):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.imports[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".")[0]
                        self.imports.setdefault(head, head)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                for alias in node.names:
                    if alias.name != "*":
                        full = f"{base}.{alias.name}" if base else alias.name
                        self.imports[alias.asname or alias.name] = full

    def display(self, node: ast.expr, scope: _Scope) -> str:
        """The dotted name as written, imports resolved: `sp.run` -> `subprocess.run`;
        parts that are not names are written "?" (`clients["s3"].get` -> `?.get`)."""
        if isinstance(node, ast.Name):
            if scope.owner(node.id) is not None:
                return node.id
            return self.imports.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            return f"{self.display(node.value, scope)}.{node.attr}"
        if isinstance(node, ast.Call):
            return f"{self.display(node.func, scope)}()"
        return "?"

    def qualify(self, node: ast.expr, scope: _Scope, depth: int = 0) -> str:
        """Like display(), and variables assigned once resolve to what they were assigned."""
        if isinstance(node, ast.Name):
            return self._resolve_name(node.id, scope, depth)
        if isinstance(node, ast.Attribute):
            return f"{self.qualify(node.value, scope, depth)}.{node.attr}"
        if isinstance(node, ast.Call):
            return f"{self.qualify(node.func, scope, depth)}()"
        return "?"

    def _resolve_name(self, name: str, scope: _Scope, depth: int) -> str:
        owner = scope.owner(name)
        if owner is None:
            return self.imports.get(name, name)
        if name in owner.resolved:
            return owner.resolved[name] or name
        owner.resolved[name] = None  # cycle guard (`x = x.child()`)
        found: set[str] = set()
        for value in owner.bound[name]:
            if isinstance(value, ast.Constant) and value.value is None:
                continue  # `client = None` placeholders
            target = ""
            if value is not None and depth < _MAX_ORIGIN_DEPTH:
                target = self.qualify(value, owner, depth + 1)
            found.add("" if target.startswith("?") else target)
        result = found.pop() if len(found) == 1 else ""
        owner.resolved[name] = result or None
        return result or name

    # -- statements -------------------------------------------------------------------------

    def block(
        self,
        nodes: Sequence[ast.stmt],
        scope: _Scope,
        *,
        prefix: str,
        class_name: str | None,
        parent: str | None,
    ) -> tuple[ir.Stmt, ...]:
        out: list[ir.Stmt] = []
        for node in nodes:
            if isinstance(node, _DefNode):
                self.function(node, scope, prefix, class_name, parent)
                if parent is not None:
                    out.append(ir.Def(node.name, prefix + node.name, *self.pos(node)))
                continue
            if isinstance(node, ast.ClassDef):
                self.classdef(node, scope, prefix, parent, out)
                continue
            converted = self.stmt(node, scope, prefix, class_name, parent)
            out.extend(self.pending)
            self.pending.clear()
            out.extend(converted)
        return tuple(out)

    def classdef(
        self,
        node: ast.ClassDef,
        scope: _Scope,
        prefix: str,
        parent: str | None,
        out: list[ir.Stmt],
    ) -> None:
        qual = f"{prefix}{node.name}."
        for item in node.body:
            if isinstance(item, _DefNode):
                self.function(item, scope, qual, node.name, parent)
            elif isinstance(item, ast.ClassDef):
                self.classdef(item, scope, qual, parent, out)
            else:  # class attributes run at load time, like module statements
                converted = self.stmt(item, scope, qual, node.name, parent)
                out.extend(self.pending)
                self.pending.clear()
                out.extend(converted)
        if parent is not None:
            out.append(ir.Def(node.name, prefix + node.name, *self.pos(node)))

    def function(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        outer: _Scope,
        prefix: str,
        class_name: str | None,
        parent: str | None,
    ) -> None:
        qualname = prefix + node.name
        decorators = tuple(self.expr(d, outer) for d in node.decorator_list)
        params = self.params(node.args, outer)
        scope = _Scope(outer, _bindings(node.body))
        for param in params:
            scope.bound[param.name] = [None]
        body = self.block(node.body, scope, prefix=qualname + ".", class_name=None, parent=qualname)
        self.functions[qualname] = ir.Function(
            node.name,
            qualname,
            params,
            body,
            decorators,
            *self.pos(node),
            class_name=class_name,
            parent=parent,
        )

    def params(self, args: ast.arguments, scope: _Scope) -> tuple[ir.Param, ...]:
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults += args.defaults
        out = [
            ir.Param(a.arg, *self.pos(a), "", self._opt(d, scope))
            for a, d in zip(positional, defaults, strict=True)
        ]
        if args.vararg:
            out.append(ir.Param(args.vararg.arg, *self.pos(args.vararg), "*"))
        for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            out.append(ir.Param(a.arg, *self.pos(a), "kw", self._opt(d, scope)))
        if args.kwarg:
            out.append(ir.Param(args.kwarg.arg, *self.pos(args.kwarg), "**"))
        for param in out:
            self.named(param.name, param.default)
        return tuple(out)

    def _opt(self, node: ast.expr | None, scope: _Scope) -> ir.Expr | None:
        return None if node is None else self.expr(node, scope)

    def stmt(
        self,
        node: ast.stmt,
        scope: _Scope,
        prefix: str,
        class_name: str | None,
        parent: str | None,
    ) -> list[ir.Stmt]:
        def sub(nodes: Sequence[ast.stmt]) -> tuple[ir.Stmt, ...]:
            # Walrus assignments of the header stay pending for the enclosing block.
            header, self.pending = self.pending, []
            try:
                return self.block(nodes, scope, prefix=prefix, class_name=class_name, parent=parent)
            finally:
                self.pending = header

        line, col = self.pos(node)
        match node:
            case ast.Assign(targets=targets, value=value):
                v = self.expr(value, scope)
                assign = ir.Assign(tuple(self.target(t, scope) for t in targets), v, line, col)
                for t in assign.targets:
                    self.named(_stored_name(t), v)
                return [assign]
            case ast.AnnAssign(target=target, value=value) if value is not None:
                t, v = self.target(target, scope), self.expr(value, scope)
                self.named(_stored_name(t), v)
                return [ir.Assign((t,), v, line, col)]
            case ast.AugAssign(target=target, op=op, value=value):
                left = self.expr(target, scope)
                right = self.expr(value, scope)
                combined = self.binop(_BINOPS.get(type(op), "?"), [left, right], [target, value])
                return [ir.Assign((self.target(target, scope),), combined, line, col)]
            case ast.Expr(value=value):
                return [ir.ExprStmt(self.expr(value, scope), line, col)]
            case ast.Return(value=value):
                return [ir.Return(self._opt(value, scope), line, col)]
            case ast.Raise(exc=exc):
                return [ir.Raise(self._opt(exc, scope), line, col)]
            case ast.Break():
                return [ir.Jump("break", line, col)]
            case ast.Continue():
                return [ir.Jump("continue", line, col)]
            case ast.If(test=test, body=body, orelse=orelse):
                return [ir.If(self.expr(test, scope), sub(body), sub(orelse), line, col)]
            case ast.While(test=test, body=body, orelse=orelse):
                t = self.expr(test, scope)
                return [ir.Loop(None, None, t, sub(body), sub(orelse), line, col)]
            case (
                ast.For(target=target, iter=it, body=body, orelse=orelse)
                | ast.AsyncFor(target=target, iter=it, body=body, orelse=orelse)
            ):
                tgt, source = self.target(target, scope), self.expr(it, scope)
                return [ir.Loop(tgt, source, None, sub(body), sub(orelse), line, col)]
            case (
                ast.Try(body=body, handlers=handlers, orelse=orelse, finalbody=final)
                | ast.TryStar(body=body, handlers=handlers, orelse=orelse, finalbody=final)
            ):
                hs = tuple(self.handler(h, scope, sub) for h in handlers)
                return [ir.Try(sub(body), hs, sub(orelse), sub(final), line, col)]
            case ast.With(items=items, body=body) | ast.AsyncWith(items=items, body=body):
                ws = tuple(
                    ir.WithItem(
                        self.expr(i.context_expr, scope),
                        None if i.optional_vars is None else self.target(i.optional_vars, scope),
                    )
                    for i in items
                )
                return [ir.With(ws, sub(body), line, col)]
            case ast.Assert(test=test):  # `assert x in ALLOWED` guards like an early raise
                guard = ir.Unary("not", self.expr(test, scope), line, col)
                return [ir.If(guard, (ir.Raise(None, line, col),), (), line, col)]
            case ast.Match(subject=subject, cases=cases):
                return [self.match(self.expr(subject, scope), cases, scope, sub)]
        return []

    def handler(self, node: ast.ExceptHandler, scope: _Scope, sub: _Sub) -> ir.Handler:
        types: list[ast.expr] = []
        if isinstance(node.type, ast.Tuple):
            types = list(node.type.elts)
        elif node.type is not None:
            types = [node.type]
        names = tuple(self.display(t, scope) for t in types)
        return ir.Handler(names, node.name, sub(node.body), *self.pos(node))

    def match(
        self, subject: ir.Expr, cases: list[ast.match_case], scope: _Scope, sub: _Sub
    ) -> ir.Stmt:
        """Cases become nested Ifs; names captured by a pattern are bound to the subject."""
        line, col = subject.line, subject.col
        result: ir.Stmt | None = None
        for case in reversed(cases):
            binds: list[ir.Stmt] = []
            for node in ast.walk(case.pattern):
                name = getattr(node, "name", None) or getattr(node, "rest", None)
                if isinstance(name, str):
                    binds.append(ir.Assign((ir.Name(name, line, col),), subject, line, col))
            body = (*binds, *sub(case.body))
            orelse = () if result is None else (result,)
            test = ir.Unknown((subject,), line, col)
            result = ir.If(test, body, orelse, line, col)
        return result or ir.ExprStmt(subject, line, col)

    # -- expressions ------------------------------------------------------------------------

    def target(self, node: ast.expr, scope: _Scope) -> ir.Expr:
        line, col = self.pos(node)
        if isinstance(node, ast.Tuple | ast.List):
            kind = "tuple" if isinstance(node, ast.Tuple) else "list"
            return ir.Seq(kind, tuple(self.target(e, scope) for e in node.elts), line, col)
        if isinstance(node, ast.Starred):
            return ir.Spread(self.target(node.value, scope), line, col)
        return self.expr(node, scope)

    def expr(self, node: ast.expr, scope: _Scope) -> ir.Expr:
        line, col = self.pos(node)
        match node:
            case ast.Name(id=name):
                return ir.Name(name, line, col)
            case ast.Constant(value=value):
                const: ir.ConstValue = None
                if isinstance(value, str | bytes | int | float | bool):
                    const = value  # complex and Ellipsis are kept as None
                return ir.Const(const, line, col)
            case ast.Attribute(value=value, attr=attr):
                return ir.Attr(self.expr(value, scope), attr, line, col)
            case ast.Subscript(value=value, slice=key):
                return ir.Index(self.expr(value, scope), self.expr(key, scope), line, col)
            case ast.Call():
                return self.call(node, scope, line, col)
            case ast.JoinedStr(values=values):
                parts = tuple(self.expr(v, scope) for v in values)
                return ir.StrBuild("fstring", parts, line, col)
            case ast.FormattedValue(value=value):
                return self.expr(value, scope)
            case ast.BinOp(op=op):
                operands = _chain(node, type(op))
                converted = [self.expr(o, scope) for o in operands]
                return self.binop(_BINOPS.get(type(op), "?"), converted, operands)
            case ast.BoolOp(op=op, values=values):
                kind = "and" if isinstance(op, ast.And) else "or"
                return ir.BoolOp(kind, tuple(self.expr(v, scope) for v in values), line, col)
            case ast.Compare(left=left, ops=ops, comparators=comps):
                names = tuple(_CMPOPS[type(o)] for o in ops)
                rest = tuple(self.expr(c, scope) for c in comps)
                return ir.Compare(names, self.expr(left, scope), rest, line, col)
            case ast.UnaryOp(op=op, operand=operand):
                return ir.Unary(_UNARY[type(op)], self.expr(operand, scope), line, col)
            case ast.IfExp(test=test, body=body, orelse=orelse):
                t, b, o = (self.expr(n, scope) for n in (test, body, orelse))
                return ir.Cond(t, b, o, line, col)
            case ast.Dict(keys=keys, values=values):
                ks = tuple(None if k is None else self.expr(k, scope) for k in keys)
                vs = tuple(self.expr(v, scope) for v in values)
                for k, v in zip(ks, vs, strict=True):
                    if isinstance(k, ir.Const) and isinstance(k.value, str):
                        self.named(k.value, v)
                return ir.Dict(ks, vs, line, col)
            case ast.List(elts=elts) | ast.Tuple(elts=elts) | ast.Set(elts=elts):
                kind = {ast.List: "list", ast.Tuple: "tuple"}.get(type(node), "set")
                return ir.Seq(kind, tuple(self.expr(e, scope) for e in elts), line, col)
            case ast.ListComp() | ast.SetComp() | ast.GeneratorExp() | ast.DictComp():
                return self.comprehension(node, scope, line, col)
            case ast.Lambda(args=args, body=body):
                names = tuple(p.arg for p in (*args.posonlyargs, *args.args, *args.kwonlyargs))
                return ir.Lambda(names, self.expr(body, scope), line, col)
            case ast.Starred(value=value):
                return ir.Spread(self.expr(value, scope), line, col)
            case ast.Await(value=value):
                return self.expr(value, scope)
            case ast.NamedExpr(target=target, value=value):
                v = self.expr(value, scope)
                self.pending.append(ir.Assign((self.target(target, scope),), v, line, col))
                return self.expr(target, scope)
        kids = [c for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr)]
        return ir.Unknown(tuple(self.expr(c, scope) for c in kids), line, col)

    def call(self, node: ast.Call, scope: _Scope, line: int, col: int) -> ir.Expr:
        func = node.func
        args = tuple(self.expr(a, scope) for a in node.args)
        kwargs = tuple(ir.Keyword(k.arg, self.expr(k.value, scope)) for k in node.keywords)
        for kw in kwargs:
            self.named(kw.name, kw.value)
        if isinstance(func, ast.Attribute) and func.attr == "format" and _stringish(func.value):
            fmt = self.expr(func.value, scope)
            return ir.StrBuild("format", (fmt, *args, *(k.value for k in kwargs)), line, col)
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "join"
            and isinstance(func.value, ast.Constant)
            and isinstance(func.value.value, str | bytes)
        ):
            return ir.StrBuild("join", (self.expr(func.value, scope), *args), line, col)
        name = self.display(func, scope)
        qualname = self.qualify(func, scope)
        return ir.Call(self.expr(func, scope), name, qualname, args, kwargs, line, col)

    def binop(self, op: str, parts: list[ir.Expr], nodes: Sequence[ast.expr]) -> ir.Expr:
        line, col = parts[0].line, parts[0].col
        if op == "+" and any(_stringish(n) for n in nodes):
            return ir.StrBuild("concat", tuple(parts), line, col)
        if op == "%" and len(parts) == 2 and _stringish(nodes[0]):
            right = parts[1]
            tuple_ = isinstance(right, ir.Seq) and right.kind == "tuple"
            values = right.items if isinstance(right, ir.Seq) and tuple_ else (right,)
            return ir.StrBuild("percent", (parts[0], *values), line, col)
        if len(parts) > _MAX_CHAIN:
            return ir.Unknown(tuple(parts), line, col)
        result = parts[0]
        for part in parts[1:]:
            result = ir.BinOp(op, result, part, line, col)
        return result

    def comprehension(
        self,
        node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
        scope: _Scope,
        line: int,
        col: int,
    ) -> ir.Expr:
        loops = tuple(
            ir.CompLoop(
                self.target(g.target, scope),
                self.expr(g.iter, scope),
                tuple(self.expr(c, scope) for c in g.ifs),
            )
            for g in node.generators
        )
        if isinstance(node, ast.DictComp):
            key, value = self.expr(node.key, scope), self.expr(node.value, scope)
            return ir.Comp("dict", value, key, loops, line, col)
        kind = {ast.ListComp: "list", ast.SetComp: "set"}.get(type(node), "gen")
        return ir.Comp(kind, self.expr(node.elt, scope), None, loops, line, col)


def _stored_name(target: ir.Expr) -> str:
    """The name a value is stored under: `x`, `obj.x`, `d["x"]`."""
    if isinstance(target, ir.Name):
        return target.id
    if isinstance(target, ir.Attr):
        return target.attr
    if isinstance(target, ir.Index) and isinstance(target.key, ir.Const):
        return str(target.key.value)
    return ""


def _stringish(node: ast.expr) -> bool:
    """A string literal or an f-string: `+` and `%` with it build strings."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str | bytes)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _stringish(node.left)
    return False


def _chain(node: ast.BinOp, op: type[ast.operator]) -> list[ast.expr]:
    """The operands of a left-nested chain of one operator (`a + b + c`), without recursion."""
    operands: list[ast.expr] = []
    current: ast.expr = node
    while isinstance(current, ast.BinOp) and type(current.op) is op:
        operands.append(current.right)
        current = current.left
    operands.append(current)
    operands.reverse()
    return operands


def _bindings(body: Iterable[ast.stmt]) -> dict[str, list[ast.expr | None]]:
    """Names bound by the statements of one scope (nested functions and classes excluded),
    each with the expressions bound to it (None: bound some other way)."""
    bound: dict[str, list[ast.expr | None]] = {}

    def other(target: ast.expr | None) -> None:
        for name in _stored(target):
            bound.setdefault(name, []).append(None)

    for node in _statements(body, into_defs=False):
        match node:
            case (
                ast.FunctionDef(name=name)
                | ast.AsyncFunctionDef(name=name)
                | ast.ClassDef(name=name)
            ):
                bound.setdefault(name, []).append(None)
            case (
                ast.Assign(targets=[ast.Name(id=name)], value=value)
                | ast.AnnAssign(target=ast.Name(id=name), value=value)
            ):
                bound.setdefault(name, []).append(value)
            case ast.Assign(targets=targets):
                for target in targets:
                    other(target)
            case (
                ast.AugAssign(target=target) | ast.For(target=target) | ast.AsyncFor(target=target)
            ):
                other(target)
            case ast.With(items=items) | ast.AsyncWith(items=items):
                for item in items:
                    if isinstance(item.optional_vars, ast.Name):
                        bound.setdefault(item.optional_vars.id, []).append(item.context_expr)
                    else:
                        other(item.optional_vars)
            case ast.Try(handlers=handlers) | ast.TryStar(handlers=handlers):
                for handler in handlers:
                    if handler.name:
                        bound.setdefault(handler.name, []).append(None)
            case ast.Match(cases=cases):
                for case in cases:
                    for sub in ast.walk(case.pattern):
                        captured = getattr(sub, "name", None) or getattr(sub, "rest", None)
                        if isinstance(captured, str):
                            bound.setdefault(captured, []).append(None)
    return bound


def _stored(target: ast.expr | None) -> list[str]:
    """The names an assignment target binds (`a, (b, *c)` -> a, b, c)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [name for element in target.elts for name in _stored(element)]
    if isinstance(target, ast.Starred):
        return _stored(target.value)
    return []


def _statements(body: Iterable[ast.stmt], *, into_defs: bool) -> Iterator[ast.stmt]:
    """Every statement of `body`, nested blocks included (function and class bodies only
    when `into_defs`); expressions are not visited."""
    stack = list(body)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if into_defs:
                stack.extend(node.body)
            continue
        for name in ("body", "orelse", "finalbody"):
            stack.extend(getattr(node, name, ()))
        for handler in getattr(node, "handlers", ()):
            stack.extend(handler.body)
        for case in getattr(node, "cases", ()):
            stack.extend(case.body)
