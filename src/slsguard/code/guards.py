"""Guards: what a condition says about a variable where it holds (allow-lists, checks).

`if x in ALLOWED:` cleans x inside the branch and `if x not in ALLOWED: return` after it;
`x == "literal"` likewise; `x.isdigit()` and friends or `re.fullmatch(CONST, x)` make x safe
for the injection rules; `p.startswith(BASE)` / `p.is_relative_to(BASE)` for paths and URLs.
`not`, `and` and `or` combine them.
"""

from __future__ import annotations

from collections.abc import Callable

from slsguard.code import ir
from slsguard.code.values import CLEAN, Env, evolve

INJECTION = frozenset({"SLS0101", "SLS0102", "SLS0103", "SLS0104", "SLS0105", "SLS0106"})
_ALL = frozenset({"*"})
_PATH_RULES = frozenset({"SLS0105", "SLS0106"})
_STR_CHECKS = frozenset({"isdigit", "isdecimal", "isnumeric", "isalnum", "isalpha", "isidentifier"})
_REGEX_CHECKS = frozenset({"re.fullmatch", "re.match", "regex.fullmatch", "regex.match"})
_PREFIX_CHECKS = frozenset({"startswith", "startsWith", "is_relative_to"})
Refinement = dict[str, frozenset[str]]  # variable -> rules it is safe for ("*": clean)


def refinements(test: ir.Expr, clean: Callable[[ir.Expr], bool]) -> tuple[Refinement, Refinement]:
    """What `test` being true (first) or false (second) says about variables; `clean`
    tells whether an expression holds no event data."""
    match test:
        case ir.Unary(op="not", operand=inner):
            then_ref, else_ref = refinements(inner, clean)
            return else_ref, then_ref
        case ir.BoolOp(op="and", values=values):
            then_all: Refinement = {}
            for v in values:
                then_all.update(refinements(v, clean)[0])
            return then_all, {}
        case ir.BoolOp(op="or", values=values):
            else_all: Refinement = {}
            for v in values:
                else_all.update(refinements(v, clean)[1])
            return {}, else_all
        case ir.Compare(ops=(op,), left=ir.Name(id=name), comparators=(other,)):
            if op in ("in", "==") and clean(other):
                return {name: _ALL}, {}
            if op in ("not in", "!=") and clean(other):
                return {}, {name: _ALL}
        case ir.Call(name=callee, args=(pattern, ir.Name(id=name), *_)) if callee in _REGEX_CHECKS:
            if _anchored(callee, pattern):
                return {name: INJECTION}, {}
        case ir.Call(func=ir.Attr(obj=ir.Name(id=name), attr=attr), args=args):
            if attr in _STR_CHECKS:
                return {name: INJECTION}, {}
            if attr in _PREFIX_CHECKS and args and clean(args[0]):
                return {name: _PATH_RULES}, {}
    return {}, {}


def refined(env: Env, refinement: Refinement) -> Env:
    if not refinement:
        return dict(env)
    out = dict(env)
    for name, rules in refinement.items():
        taints = out.get(name)
        if not taints:
            continue
        if "*" in rules:
            out[name] = CLEAN
        else:
            out[name] = tuple(evolve(t, safe_for=t.safe_for | rules) for t in taints)
    return out


def _anchored(callee: str, pattern: ir.Expr) -> bool:
    """A constant pattern that must match the whole value."""
    if not (isinstance(pattern, ir.Const) and isinstance(pattern.value, str)):
        return False
    if callee.endswith("fullmatch"):
        return True
    return pattern.value.endswith(("$", r"\Z"))
