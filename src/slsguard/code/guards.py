r"""Guards: what a condition says about a variable where it holds (allow-lists, checks).

`if x in ALLOWED:` cleans x inside the branch and `if x not in ALLOWED: return` after it;
`x == "literal"` likewise; `x.isdigit()` and friends make x safe for the injection rules;
`p.startswith(BASE)` / `p.is_relative_to(BASE)` for paths and URLs. `not`, `and` and `or`
combine them.

Regular expressions guard like `isalnum()` when they must match the whole value and admit
only harmless characters: Python `re.fullmatch(P, x)`, `re.match(P, x)` with P ending in `$`
or `\Z`, `re.search(P, x)` anchored at both ends, the same methods of `re.compile(P)`;
JavaScript `/^...$/.test(x)`, `RE.test(x)` with `const RE = /^...$/` and `x.match(/^...$/)`.
The pattern must be a constant and use only letters, digits, `_ - : @ , =`, classes of those
(ranges within a-z, A-Z, 0-9), `\d`, `\w`, groups and quantifiers: a wildcard `.`, `\s`,
`\S`, `\W`, a negated class, an unanchored alternative, the multiline or global flag make
it no guard at all. A literal dot (`[a-z0-9.-]+`) lets `..` and host names through: such a
pattern guards neither paths (SLS0105) nor URLs (SLS0106).
"""

from __future__ import annotations

import string
from collections.abc import Callable

from slsguard.code import ir
from slsguard.code.sinks import dotted
from slsguard.code.values import CLEAN, Env, evolve

INJECTION = frozenset({"SLS0101", "SLS0102", "SLS0103", "SLS0104", "SLS0105", "SLS0106"})
_ALL = frozenset({"*"})
_PATH_RULES = frozenset({"SLS0105", "SLS0106"})
_DOTTED = INJECTION - _PATH_RULES  # what a pattern admitting `.` still guards
_STR_CHECKS = frozenset({"isdigit", "isdecimal", "isnumeric", "isalnum", "isalpha", "isidentifier"})
# How much of the value a Python regex call must match by itself: "full", "start", "any".
_PY_REGEX = {
    f"{module}.{function}": mode
    for module in ("re", "regex")
    for function, mode in (("fullmatch", "full"), ("match", "start"), ("search", "any"))
}
_PY_METHODS = {"fullmatch": "full", "match": "start", "search": "any"}
_PY_COMPILE = frozenset({"re.compile", "regex.compile"})
_PY_SAFE_FLAGS = ("I", "IGNORECASE", "A", "ASCII")
_JS_SAFE_FLAGS = frozenset("iusd")  # not m (per line), g/y (stateful), v (class syntax)
_PREFIX_CHECKS = frozenset({"startswith", "startsWith", "is_relative_to"})
_SAFE_CHARS = frozenset(string.ascii_letters + string.digits + "_-:@,=")
_RANGES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)
Refinement = dict[str, frozenset[str]]  # variable -> rules it is safe for ("*": clean)
Known = Callable[[ir.Expr], ir.Expr]  # a variable's known value (a constant, a call)


def refinements(
    test: ir.Expr, clean: Callable[[ir.Expr], bool], known: Known | None = None
) -> tuple[Refinement, Refinement]:
    """What `test` being true (first) or false (second) says about variables; `clean`
    tells whether an expression holds no event data, `known` what a variable holds
    (regular expressions kept in constants)."""
    match test:
        case ir.Unary(op="not", operand=inner):
            then_ref, else_ref = refinements(inner, clean, known)
            return else_ref, then_ref
        case ir.BoolOp(op="and", values=values):
            then_all: Refinement = {}
            for v in values:
                then_all.update(refinements(v, clean, known)[0])
            return then_all, {}
        case ir.BoolOp(op="or", values=values):
            else_all: Refinement = {}
            for v in values:
                else_all.update(refinements(v, clean, known)[1])
            return {}, else_all
        case ir.Compare(ops=(op,), left=ir.Name(id=name), comparators=(other,)):
            if op in ("in", "==") and clean(other):
                return {name: _ALL}, {}
            if op in ("not in", "!=") and clean(other):
                return {}, {name: _ALL}
        case ir.Call():
            matched = _regex_guard(test, known or _itself)
            if matched is not None:
                return {matched[0]: matched[1]}, {}
            match test:
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


def _itself(expr: ir.Expr) -> ir.Expr:
    return expr


def _regex_guard(c: ir.Call, known: Known) -> tuple[str, frozenset[str]] | None:
    """(variable, rules it is safe for) when `c` matches a variable against a safe pattern."""
    func = c.func
    match c:
        case ir.Call(name=callee, args=(pattern, ir.Name(id=name), *rest)) if callee in _PY_REGEX:
            flags = rest[0] if rest else c.kwarg("flags")
            rules = _python_pattern(known(pattern), flags, _PY_REGEX[callee])
            return (name, rules) if rules else None
    if not isinstance(func, ir.Attr) or len(c.args) != 1 or c.kwargs:
        return None
    (arg,) = c.args
    receiver = known(func.obj)
    compiled = isinstance(receiver, ir.Call) and receiver.name in _PY_COMPILE and receiver.args
    if func.attr in _PY_METHODS and isinstance(arg, ir.Name) and isinstance(receiver, ir.Call):
        if not compiled:
            return None
        # `NAME_RE.fullmatch(x)` with `NAME_RE = re.compile(...)`
        flags = receiver.args[1] if len(receiver.args) > 1 else receiver.kwarg("flags")
        rules = _python_pattern(known(receiver.args[0]), flags, _PY_METHODS[func.attr])
        return (arg.id, rules) if rules else None
    if func.attr == "test" and isinstance(arg, ir.Name):  # `/^[a-z]+$/.test(x)`
        rules = _js_pattern(receiver)
        return (arg.id, rules) if rules else None
    if func.attr == "match" and isinstance(func.obj, ir.Name):  # `x.match(/^[a-z]+$/)`
        rules = _js_pattern(known(arg))
        return (func.obj.id, rules) if rules else None
    return None


def _python_pattern(pattern: ir.Expr, flags: ir.Expr | None, mode: str) -> frozenset[str]:
    if not (isinstance(pattern, ir.Const) and isinstance(pattern.value, str)):
        return frozenset()
    if flags is not None and not all(
        dotted(part).rsplit(".", 1)[-1] in _PY_SAFE_FLAGS for part in _flag_parts(flags)
    ):
        return frozenset()
    return safe_pattern(pattern.value, mode)


def _flag_parts(flags: ir.Expr) -> list[ir.Expr]:
    """`re.I | re.A` -> [re.I, re.A]."""
    if isinstance(flags, ir.BinOp) and flags.op == "|":
        return [*_flag_parts(flags.left), *_flag_parts(flags.right)]
    return [flags]


def _js_pattern(literal: ir.Expr) -> frozenset[str]:
    """A JavaScript regular expression literal (`/body/flags`, as the front end keeps it)."""
    if not (isinstance(literal, ir.Const) and isinstance(literal.value, str)):
        return frozenset()
    text = literal.value
    end = text.rfind("/")
    if not text.startswith("/") or end <= 0 or not set(text[end + 1 :]) <= _JS_SAFE_FLAGS:
        return frozenset()
    return safe_pattern(text[1:end], "any")


def safe_pattern(pattern: str, mode: str) -> frozenset[str]:
    """The rules a value is safe for once it matched `pattern` ("full": the whole value must
    match, "start": from its start, "any": anywhere); empty when no rule."""
    body = pattern
    starts, ends = mode in ("full", "start"), mode == "full"
    for anchor in ("^", "\\A"):
        if body.startswith(anchor):
            body, starts = body[len(anchor) :], True
            break
    for anchor in ("$", "\\Z", "\\z"):
        head = body[: -len(anchor)]
        if body.endswith(anchor) and (len(head) - len(head.rstrip("\\"))) % 2 == 0:
            body, ends = head, True
            break
    if not (starts and ends):
        return frozenset()
    dots = _harmless(body, alternatives=mode == "full")
    if dots is None:
        return frozenset()
    return _DOTTED if dots else INJECTION


def _harmless(body: str, *, alternatives: bool) -> bool | None:
    """None when `body` may match a character outside the safe set; else whether it may
    match a dot. Top-level `|` is allowed only when the whole value must match anyway."""
    dots = False
    depth = 0
    i, n = 0, len(body)
    while i < n:
        ch = body[i]
        if ch == "\\":
            kind = _escape(body[i + 1 : i + 2], in_class=False)
            if kind is None:
                return None
            dots |= kind == "."
            i += 2
            continue
        if ch == "[":
            end = _class_end(body, i + 1)
            if end is None:
                return None
            inner = _class_members(body[i + 1 : end])
            if inner is None:
                return None
            dots |= inner
            i = end + 1
            continue
        if ch == "(":
            if body.startswith("(?", i):
                if not body.startswith("(?:", i):
                    return None  # lookarounds, inline flags, named groups
                i += 1
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return None
        elif ch == "|":
            if depth == 0 and not alternatives:
                return None
        elif ch == "{":
            close = body.find("}", i)
            if close < 0 or not all(c.isdigit() or c == "," for c in body[i + 1 : close]):
                return None
            i = close
        elif ch not in "*+?" and ch not in _SAFE_CHARS:
            return None  # `.`, `^`, `$` inside, spaces, `;`, `/` ...
        i += 1
    return dots if depth == 0 else None


def _escape(ch: str, *, in_class: bool) -> str | None:
    """What `\\ch` stands for: "" harmless, "." a literal dot, None anything else."""
    if ch in ("d", "w") or (ch == "b" and not in_class):
        return ""
    if ch == ".":
        return "."
    return "" if ch in _SAFE_CHARS and not ch.isalnum() else None


def _class_end(body: str, start: int) -> int | None:
    i = start
    if body[i : i + 1] in ("^", "]"):
        return None  # a negated class; `]` first is a member in Python, not in JavaScript
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        if body[i] == "]":
            return i
        if body[i] == "[":
            return None  # nested sets, POSIX classes
        i += 1
    return None


def _class_members(inner: str) -> bool | None:
    """Whether a class's members are harmless (None if not), and whether a dot is one."""
    dots = False
    members: list[str] = []  # single characters, "" for \d and \w
    i = 0
    while i < len(inner):
        ch = inner[i]
        if ch == "\\":
            kind = _escape(inner[i + 1 : i + 2], in_class=True)
            if kind is None:
                return None
            dots |= kind == "."
            escaped = inner[i + 1]
            members.append("" if escaped in ("d", "w") else escaped)  # `\-` ends a range too
            i += 2
            continue
        if ch == "-" and members and members[-1] and i + 1 < len(inner):
            low, high = members[-1], inner[i + 1]
            if not any(low in r and high in r and low <= high for r in _RANGES):
                return None
            members.append(high)
            i += 2
            continue
        if ch == ".":
            dots = True
        elif ch not in _SAFE_CHARS:
            return None
        members.append(ch)
        i += 1
    return dots
