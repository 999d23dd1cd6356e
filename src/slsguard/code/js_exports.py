"""Which functions a JavaScript/TypeScript module exports, read from its IR.

The front end writes every export as an assignment in `Module.body`: CommonJS as written
(`exports.x = f`, `module.exports.x = f`, `module.exports = {x, y: z}`, `module.exports =
f`), ESM as `exports.NAME = value`. A value resolves to a function through a Lambda
(`Lambda(params, Name(qualname))`), a module-level function name, a module-level alias
(`const handler = base`) or a wrapper call (`middy(base).use(...)`: its first function)."""

from __future__ import annotations

from collections.abc import Iterable

from slsguard.code import ir

_MAX_DEPTH = 8


def exported_functions(module: ir.Module) -> dict[str, str]:
    """Export name -> function qualname (`module.exports = f` exports "default")."""
    exports: dict[str, ir.Expr] = {}
    aliases: dict[str, list[ir.Expr]] = {}
    for stmt in _top_level(module.body):
        if not isinstance(stmt, ir.Assign):
            continue
        for target in stmt.targets:
            _record(target, stmt.value, exports, aliases)
    resolver = _Resolver(module, aliases)
    found: dict[str, str] = {}
    for name, value in exports.items():
        qualname = resolver.resolve(value, 0)
        if qualname is not None:
            found[name] = qualname
    return found


def _top_level(body: Iterable[ir.Stmt]) -> Iterable[ir.Stmt]:
    """Module statements, into plain blocks (`if`, `try`) but not loops or functions."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ir.If):
            yield from _top_level((*stmt.body, *stmt.orelse))
        elif isinstance(stmt, ir.Try):
            yield from _top_level((*stmt.body, *stmt.orelse, *stmt.finalbody))


def _record(
    target: ir.Expr,
    value: ir.Expr,
    exports: dict[str, ir.Expr],
    aliases: dict[str, list[ir.Expr]],
) -> None:
    if isinstance(target, ir.Name):
        aliases.setdefault(target.id, []).append(value)
        return
    if _is_module_exports(target):  # replaces the exports object
        exports.clear()
        if isinstance(value, ir.Dict):
            for key, item in zip(value.keys, value.values, strict=True):
                if isinstance(key, ir.Const) and isinstance(key.value, str):
                    exports[key.value] = item
        else:
            exports["default"] = value
        return
    name = _export_name(target)
    if name is not None:
        exports[name] = value


def _is_module_exports(expr: ir.Expr) -> bool:
    return (
        isinstance(expr, ir.Attr)
        and expr.attr == "exports"
        and isinstance(expr.obj, ir.Name)
        and expr.obj.id == "module"
    )


def _export_name(target: ir.Expr) -> str | None:
    """`exports.x`, `module.exports.x`, `exports["x"]` -> "x"."""
    obj: ir.Expr
    if isinstance(target, ir.Attr):
        obj, name = target.obj, target.attr
    elif (
        isinstance(target, ir.Index)
        and isinstance(target.key, ir.Const)
        and isinstance(target.key.value, str)
    ):
        obj, name = target.obj, target.key.value
    else:
        return None
    is_exports = isinstance(obj, ir.Name) and obj.id == "exports"
    return name if is_exports or _is_module_exports(obj) else None


class _Resolver:
    def __init__(self, module: ir.Module, aliases: dict[str, list[ir.Expr]]) -> None:
        self.functions = module.functions
        self.aliases = aliases

    def resolve(self, value: ir.Expr, depth: int) -> str | None:
        if depth > _MAX_DEPTH:
            return None
        if isinstance(value, ir.Lambda) and isinstance(value.body, ir.Name):
            return value.body.id if value.body.id in self.functions else None
        if isinstance(value, ir.Name | ir.Attr):
            return self._named(value, depth)
        if isinstance(value, ir.Call):
            return self._wrapped(value, depth)
        return None

    def _named(self, value: ir.Name | ir.Attr, depth: int) -> str | None:
        dotted = _dotted(value)
        if dotted is None:
            return None
        if dotted in self.functions:
            return dotted
        bound = self.aliases.get(dotted, [])
        if len(bound) == 1:  # `const handler = middy(base)`: follow the one assignment
            return self.resolve(bound[0], depth + 1)
        return None

    def _wrapped(self, call: ir.Call, depth: int) -> str | None:
        """`middy(base).use(m)`, `wrap(base)`: the first function found inside."""
        if isinstance(call.func, ir.Attr) and isinstance(call.func.obj, ir.Call):
            inner = self._wrapped(call.func.obj, depth + 1)
            if inner is not None:
                return inner
        for arg in call.args:
            found = self.resolve(arg, depth + 1)
            if found is not None:
                return found
        return None


def _dotted(expr: ir.Expr) -> str | None:
    parts: list[str] = []
    while isinstance(expr, ir.Attr):
        parts.append(expr.attr)
        expr = expr.obj
    if not isinstance(expr, ir.Name):
        return None
    parts.append(expr.id)
    return ".".join(reversed(parts))
