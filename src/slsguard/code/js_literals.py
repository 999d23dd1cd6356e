"""String literals stored under a name in a JavaScript/TypeScript module (for hard-coded
secrets, SLS0703), read from the IR the front end built: assignment targets (`const
DB_PASSWORD = "..."`, `this.token = "..."`, `cfg["key"] = "..."`), object literal keys
(`{ password: "..." }`, options objects included) and parameter defaults."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from slsguard.code import ir


def named_literals(
    body: Iterable[ir.Stmt], functions: Iterable[ir.Function]
) -> tuple[ir.NamedLiteral, ...]:
    out: list[ir.NamedLiteral] = []
    seen: set[int] = set()  # option objects are shared by a call's args and kwargs
    for stmt in _statements(body, functions):
        if isinstance(stmt, ir.Assign):
            for target in stmt.targets:
                out.extend(_literal(_stored_name(target), stmt.value))
        for expr in _expressions(stmt):
            if isinstance(expr, ir.Dict) and id(expr) not in seen:
                seen.add(id(expr))
                for key, value in zip(expr.keys, expr.values, strict=True):
                    if isinstance(key, ir.Const) and isinstance(key.value, str):
                        out.extend(_literal(key.value, value))
    for fn in functions:
        for param in fn.params:
            out.extend(_literal(param.name, param.default))
    return tuple(sorted(out, key=lambda lit: (lit.value.line, lit.value.col)))


def _literal(name: str, value: ir.Expr | None) -> list[ir.NamedLiteral]:
    if name and isinstance(value, ir.Const) and isinstance(value.value, str):
        return [ir.NamedLiteral(name, value)]
    return []


def _stored_name(target: ir.Expr) -> str:
    """The name a value is stored under: `x`, `obj.x`, `d["x"]`."""
    if isinstance(target, ir.Name):
        return target.id
    if isinstance(target, ir.Attr):
        return target.attr
    if isinstance(target, ir.Index) and isinstance(target.key, ir.Const):
        return str(target.key.value)
    return ""


def _statements(body: Iterable[ir.Stmt], functions: Iterable[ir.Function]) -> Iterator[ir.Stmt]:
    stack: list[ir.Stmt] = [*body]
    for fn in functions:
        stack.extend(fn.body)
    while stack:
        stmt = stack.pop()
        yield stmt
        match stmt:
            case ir.If(body=a, orelse=b) | ir.Loop(body=a, orelse=b):
                stack.extend((*a, *b))
            case ir.Try(body=a, handlers=handlers, orelse=b, finalbody=c):
                stack.extend((*a, *b, *c, *(s for h in handlers for s in h.body)))
            case ir.With(body=a):
                stack.extend(a)


def _expressions(stmt: ir.Stmt) -> Iterator[ir.Expr]:
    """Every expression of one statement (not of the statements nested in it)."""
    roots: list[ir.Expr] = []
    match stmt:
        case ir.Assign(targets=targets, value=value):
            roots = [*targets, value]
        case ir.ExprStmt(value=value) | ir.Return(value=value) | ir.Raise(value=value):
            roots = [] if value is None else [value]
        case ir.If(test=test):
            roots = [test]
        case ir.Loop(target=target, iter=it, test=test):
            roots = [e for e in (target, it, test) if e is not None]
        case ir.With(items=items):
            roots = [i.context for i in items]
    stack = roots
    while stack:
        expr = stack.pop()
        yield expr
        stack.extend(ir.children(expr))
