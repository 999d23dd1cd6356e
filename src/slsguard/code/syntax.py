"""Small questions about the shape of IR expressions."""

from __future__ import annotations

from collections.abc import Sequence

from slsguard.code import ir
from slsguard.code.sinks import dotted


def string_constants(body: Sequence[ir.Stmt]) -> dict[str, str]:
    """Module-level names assigned a string literal once (`API = "https://..."`)."""
    values: dict[str, str | None] = {}
    for s in body:
        if isinstance(s, ir.Assign):
            for target in s.targets:
                if isinstance(target, ir.Name):
                    const = s.value.value if isinstance(s.value, ir.Const) else None
                    fresh = target.id not in values and isinstance(const, str)
                    values[target.id] = const if fresh and isinstance(const, str) else None
    return {name: value for name, value in values.items() if value is not None}


def const_str(expr: ir.Expr | None) -> str | None:
    if isinstance(expr, ir.Const) and isinstance(expr.value, str):
        return expr.value
    return None


def last_path_part(obj: ir.Expr, key: ir.Expr) -> bool:
    """`key.split("/")[-1]`, `key.rsplit("/", 1)[-1]`: a base name."""
    return (
        isinstance(obj, ir.Call)
        and isinstance(obj.func, ir.Attr)
        and obj.func.attr in ("split", "rsplit")
        and bool(obj.args)
        and const_str(obj.args[0]) == "/"
        and isinstance(key, ir.Unary)
        and key.op == "-"
        and isinstance(key.operand, ir.Const)
        and key.operand.value == 1
    )


def written(target: ir.Expr) -> str:
    """`app.config["DEBUG"]` as written (for messages)."""
    if isinstance(target, ir.Index) and isinstance(target.key, ir.Const):
        return f"{written(target.obj)}[{target.key.value!r}]"
    return dotted(target) or "…"


def segment(key: ir.Expr) -> str:
    if isinstance(key, ir.Const) and isinstance(key.value, str):
        return f".{key.value}"
    return "[]"


def root_name(expr: ir.Expr) -> str | None:
    """The variable that `a.b[c].d` is part of."""
    while isinstance(expr, ir.Attr | ir.Index):
        expr = expr.obj
    return expr.id if isinstance(expr, ir.Name) else None


def callee_root(expr: ir.Expr) -> str | None:
    """The variable a callee is reached from: `db.run` -> db, `Repo().save` -> Repo."""
    while True:
        if isinstance(expr, ir.Attr | ir.Index):
            expr = expr.obj
        elif isinstance(expr, ir.Call):
            expr = expr.func
        else:
            return expr.id if isinstance(expr, ir.Name) else None


def plain_target(target: ir.Seq, count: int) -> bool:
    return len(target.items) == count and not any(isinstance(i, ir.Spread) for i in target.items)


def sequence_literal(expr: ir.Expr) -> bool:
    """`"x"`, `b"x"`, `[0]`: what `*` repeats into a string or list of any size."""
    if isinstance(expr, ir.Const):
        return isinstance(expr.value, str | bytes)
    return isinstance(expr, ir.Seq | ir.StrBuild)


def mentioned_words(module: ir.Module) -> frozenset[str]:
    """Every string literal and attribute name of the module (`"FunctionError"`,
    `resp.FunctionError`): what its code looks at, for sources that checks defuse."""
    words: set[str] = set()
    stack: list[ir.Expr] = []
    bodies: list[Sequence[ir.Stmt]] = [module.body, *(f.body for f in module.functions.values())]
    while bodies:
        for s in bodies.pop():
            match s:
                case ir.Assign(targets=targets, value=value):
                    stack += [*targets, value]
                case ir.ExprStmt(value=value):
                    stack.append(value)
                case ir.Return(value=value) | ir.Raise(value=value):
                    stack += [value] if value is not None else []
                case ir.If(test=test, body=body, orelse=orelse):
                    stack.append(test)
                    bodies += [body, orelse]
                case ir.Loop(iter=it, test=test, body=body, orelse=orelse):
                    stack += [e for e in (it, test) if e is not None]
                    bodies += [body, orelse]
                case ir.Try(body=body, handlers=handlers, orelse=orelse, finalbody=final):
                    bodies += [body, orelse, final, *(h.body for h in handlers)]
                case ir.With(items=items, body=body):
                    stack += [i.context for i in items]
                    bodies.append(body)
    while stack:
        e = stack.pop()
        if isinstance(e, ir.Const) and isinstance(e.value, str) and len(e.value) < 64:
            words.add(e.value)
        elif isinstance(e, ir.Attr):
            words.add(e.attr)
        elif isinstance(e, ir.Lambda):
            stack.append(e.body)
        stack.extend(ir.children(e))
    return frozenset(words)
