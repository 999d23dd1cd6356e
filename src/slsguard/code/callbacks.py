"""Functions passed as values: what their parameters receive, and what nested functions see
of their enclosing functions (closures).

A function passed to a call (a JavaScript arrow or function expression, a Python `lambda`,
a function named by its name) is analysed at that call. Where the callee is a known iterator
its parameters get what the iterator passes: `xs.forEach(x => ...)` and `map(f, xs)` pass
an element of xs, `reduce` the initial value then an element, `p.then(v => ...)` the value
of p. Elsewhere (`new Promise((resolve) => ...)`, `setTimeout(() => ...)`, Node callbacks)
the parameters are unknown, but the function still sees its enclosing function's variables.

A nested function reads the variables its enclosing functions bind (read-only): each such
name is a symbolic input of its summary, bound at a call from within the enclosing function
to the value the name has there.
"""

from __future__ import annotations

from collections.abc import Iterable

from slsguard.code import ir

# What the parameters of a callback receive, in order: "item" an element of the receiver,
# "self" the receiver itself, "item:N" an element of the call's argument N, "arg:N" that
# argument itself, "" nothing known.
_ELEMENT = ("item", "", "self")
JS_METHODS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        (
            "forEach", "map", "flatMap", "filter", "some", "every", "find", "findIndex",
            "findLast", "findLastIndex",
        ),
        _ELEMENT,
    ),
    "reduce": ("arg:1", "item", "", "self"),
    "reduceRight": ("arg:1", "item", "", "self"),
    "sort": ("item", "item"),
    "then": ("self",),
}  # fmt: skip
PY_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "map": ("item:1", "item:2", "item:3"),
    "filter": ("item:1",),
    "functools.reduce": ("arg:2", "item:1"),
}
# `key=` functions: sorted(xs, key=f), min/max(xs, key=f), xs.sort(key=f).
PY_KEY_FUNCTIONS = frozenset({"sorted", "min", "max", "heapq.nsmallest", "heapq.nlargest"})
# Calls whose result holds what the callback returns: one per element ("each": `xs.map(f)`)
# or the value itself ("value": `p.then(f)`, `xs.reduce(f, init)`).
_RESULTS = {"map": "each", "flatMap": "each", "then": "value", "reduce": "value"}


def parameter_sources(c: ir.Call, position: int | str) -> tuple[str, ...]:
    """What a callback passed to `c` (at `position`, or as keyword `position`) receives."""
    func = c.func
    if position == "key":
        if isinstance(func, ir.Attr) and func.attr == "sort":
            return ("item",)
        return ("item:0",) if c.name in PY_KEY_FUNCTIONS else ()
    if isinstance(func, ir.Attr):
        return JS_METHODS.get(func.attr, ()) if position == 0 else ()
    if isinstance(func, ir.Name) and position == 0:
        return PY_FUNCTIONS.get(c.name, ())
    return ()


def result_kind(c: ir.Call) -> str:
    """How the result of `c` holds what its callback returns: "each", "value" or ""."""
    if isinstance(c.func, ir.Attr):
        return _RESULTS.get(c.func.attr, "")
    if isinstance(c.func, ir.Name):
        return {"map": "each", "functools.reduce": "value"}.get(c.name, "")
    return ""


def bound_names(fn: ir.Function) -> frozenset[str]:
    """The names `fn` binds itself: parameters, assignment, loop, `with` and `except`
    targets (nested functions are not data)."""
    names = {p.name for p in fn.params}
    stack: list[ir.Stmt] = list(fn.body)
    while stack:
        s = stack.pop()
        match s:
            case ir.Assign(targets=targets):
                for target in targets:
                    names.update(_target_names(target))
            case ir.Loop(target=target, body=body, orelse=orelse):
                if target is not None:
                    names.update(_target_names(target))
                stack.extend((*body, *orelse))
            case ir.If(body=body, orelse=orelse):
                stack.extend((*body, *orelse))
            case ir.Try(body=body, handlers=handlers, orelse=orelse, finalbody=finalbody):
                stack.extend((*body, *orelse, *finalbody))
                for handler in handlers:
                    if handler.name:
                        names.add(handler.name)
                    stack.extend(handler.body)
            case ir.With(items=items, body=body):
                for item in items:
                    if item.target is not None:
                        names.update(_target_names(item.target))
                stack.extend(body)
    return frozenset(names)


def _target_names(target: ir.Expr) -> Iterable[str]:
    match target:
        case ir.Name(id=name):
            yield name
        case ir.Seq(items=items):
            for item in items:
                yield from _target_names(item)
        case ir.Spread(value=value):
            yield from _target_names(value)
