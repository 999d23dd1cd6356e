"""Calls: binding arguments to a summarised function's parameters; sanitiser results."""

from __future__ import annotations

from slsguard.code import ir
from slsguard.code.sinks import dotted
from slsguard.code.syntax import const_str
from slsguard.code.tables import Sanitiser
from slsguard.code.values import CLEAN, TaintSet, evolve, union


def bind(
    target: ir.Function,
    c: ir.Call,
    args: list[TaintSet],
    kwargs: list[tuple[str | None, TaintSet]],
) -> dict[str, TaintSet]:
    """Which taint each parameter of `target` receives from the call `c`."""
    params = list(target.params)
    static = any(dotted(d).endswith("staticmethod") for d in target.decorators)
    if isinstance(c.func, ir.Attr) and target.class_name and params and not static:
        params = params[1:]  # the receiver (self/cls)
    positional = [p for p in params if p.kind == ""]
    vararg = next((p for p in params if p.kind == "*"), None)
    kwarg = next((p for p in params if p.kind == "**"), None)
    bound: dict[str, TaintSet] = {}

    def add(name: str, taints: TaintSet) -> None:
        if taints:
            bound[name] = union(bound.get(name, CLEAN), taints)

    i = 0
    for expr, taints in zip(c.args, args, strict=True):
        if isinstance(expr, ir.Spread):  # *xs may fill any parameter from here on
            for p in (*positional[i:], *((vararg,) if vararg else ())):
                add(p.name, taints)
        elif i < len(positional):
            add(positional[i].name, taints)
            i += 1
        elif vararg is not None:
            add(vararg.name, taints)
    names = {p.name for p in params if p.kind in ("", "kw")}
    for name, taints in kwargs:
        if name is None:
            for p in params:
                add(p.name, taints)
        elif name in names:
            add(name, taints)
        elif kwarg is not None:
            add(kwarg.name, taints)
    return bound


def sanitiser_applies(sanitiser: Sanitiser, c: ir.Call, args: list[TaintSet]) -> bool:
    if sanitiser.when == "clean_arg":  # `min(n, LIMIT)`: some bound is not event data
        return not all(args)
    if sanitiser.when == "removes_separator":
        old, new = (*c.args, None, None)[:2]
        return const_str(old) == "/" and "/" not in (const_str(new) or "/")
    return True


def sanitised(sanitiser: Sanitiser, everything: TaintSet) -> TaintSet:
    if "*" in sanitiser.safe_for:
        return CLEAN
    return tuple(
        evolve(t, safe_for=t.safe_for | sanitiser.safe_for, exact=False, element=False)
        for t in everything
    )
