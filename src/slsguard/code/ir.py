"""A small language-agnostic IR of one source module, enough for taint dataflow.

Front ends (Python `ast` in python_frontend.py; JavaScript/TypeScript tree-sitter next) turn
one file into a `Module`; the engine (taint.py) never sees a language's own syntax tree.
Every node carries `line` and `col`, both 1-based, the column counted in characters.

Module
    `functions`: every function, method and nested function, keyed by `qualname`
    ("handler", "Repo.save", "outer.inner"); `body`: the statements run at load time
    (module level, class bodies' plain statements, `if __name__ == ...` blocks);
    `imports`: local alias -> dotted module path (JS: `require`/`import` bindings);
    `literals`: string literals stored under a name, for hard-coded secrets (SLS0703): the
    targets of assignments (`DB_PASSWORD = "..."`, `self.token = "..."`, `cfg["key"] =
    "..."`), keyword arguments, dict/object literal keys and parameter defaults.
Function
    `params` in order (a method's receiver first: JS front ends add a `this` parameter;
    `Param.kind` says positional, vararg "*", kwarg "**", keyword-only "kw"); `decorators`
    are expressions; `class_name` is the enclosing class, `parent` the enclosing
    function's qualname (nested functions). `self.m()`, `cls.m()` and `this.m()` call the
    enclosing class's method `m` (from a function nested in a method too); the functions
    of a JS object literal bound to a name (`const svc = {...}`) have `class_name` "svc"
    and the decorator `staticmethod` (no receiver parameter).

Expressions (`Expr`)
    Name(id)                     variable, parameter, global or imported name
    Const(value)                 literal: str, bytes, int, float, bool or None
    Attr(obj, attr)              `obj.attr`
    Index(obj, key)              `obj[key]`; slices have an Unknown key
    Call(func, name, qualname, args, kwargs)
        `name` is the callee as written with imports resolved (`subprocess.run` for
        `sp.run`, `os.system` for `system` after `from os import system`, `cur.execute`);
        `qualname` also resolves local variables through their single assignment
        (`cur.execute` -> `psycopg2.connect().cursor().execute`). A call inside a dotted
        name is written `f()`, any other part that is not a name `?` (`clients["s3"].get`
        -> `?.get`, `(lambda: 1)()` -> `?`).
        `args` may hold Spread (`*xs`); Keyword.name None is `**kwargs`.
    StrBuild(kind, parts)        string building: kind "fstring" (JS template literal),
                                 "percent" (`fmt % args`), "concat" (`+` with a string side),
                                 "format" (`fmt.format(...)`: parts = fmt, args...),
                                 "join" (`sep.join(xs)`: parts = sep, xs)
    BinOp(op, left, right)       other binary operators ("+", "*", "%", "&", ...)
    BoolOp(op, values)           "and" / "or" (JS `&&`, `||`, `??`)
    Compare(ops, left, comparators)  "==", "!=", "<", "in", "not in", "is", ...
    Unary(op, operand)           "not", "-", "+", "~"
    Cond(test, body, orelse)     `body if test else orelse` (JS `test ? body : orelse`)
    Dict(keys, values)           a key None is a `**spread`
    Seq(kind, items)             "list" / "tuple" / "set" literal (JS array)
    Comp(kind, element, key, loops)  comprehension; `loops` are (target, iter, conditions)
    Lambda(params, body)         opaque: its value is a function, never tainted data
    Spread(value)                `*xs` in a call or a target
    Unknown(children)            anything else: its value is derived from its children

Assignment targets are Name, Attr, Index or Seq (destructuring, with Spread for a starred
name). JS object destructuring `const {a, b: c} = obj` becomes one Assign per name
(`a = obj.a`, `c = obj.b`), so field paths stay precise.

Statements (`Stmt`)
    Assign(targets, value)       `a = b = value`; `x += y` is Assign(x, BinOp/StrBuild(x, y))
    ExprStmt(value) / Return(value) / Raise(value) / Jump(kind "break"|"continue")
    If(test, body, orelse)       JS `switch` may become nested Ifs
    Loop(target, iter, test, body, orelse)  `for target in iter` (JS for-of/for-in) or
                                 `while test`
    Try(body, handlers, orelse, finalbody)  Handler(types, name, body): `except T as name`
    With(items, body)            WithItem(context, target)
    Def(name, qualname)          a nested function or class defined here (its body is in
                                 Module.functions)
"""

from __future__ import annotations

from dataclasses import dataclass, field

ConstValue = str | bytes | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Name:
    id: str
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Const:
    value: ConstValue
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Attr:
    obj: Expr
    attr: str
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Index:
    obj: Expr
    key: Expr
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Keyword:
    name: str | None  # None: `**mapping`
    value: Expr


@dataclass(frozen=True, slots=True)
class Call:
    func: Expr
    name: str
    qualname: str
    args: tuple[Expr, ...]
    kwargs: tuple[Keyword, ...]
    line: int
    col: int

    def kwarg(self, name: str) -> Expr | None:
        for kw in self.kwargs:
            if kw.name == name:
                return kw.value
        return None

    def arg(self, position: int, keyword: str = "") -> Expr | None:
        """The argument passed at `position` or as `keyword`; None when not passed."""
        if 0 <= position < len(self.args) and not any(
            isinstance(a, Spread) for a in self.args[: position + 1]
        ):
            return self.args[position]
        return self.kwarg(keyword) if keyword else None

    @property
    def has_spread_kwargs(self) -> bool:
        return any(kw.name is None for kw in self.kwargs)


@dataclass(frozen=True, slots=True)
class StrBuild:
    kind: str  # "fstring" | "percent" | "concat" | "format" | "join"
    parts: tuple[Expr, ...]
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class BinOp:
    op: str
    left: Expr
    right: Expr
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: str  # "and" | "or"
    values: tuple[Expr, ...]
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Compare:
    ops: tuple[str, ...]
    left: Expr
    comparators: tuple[Expr, ...]
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Unary:
    op: str
    operand: Expr
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Cond:
    test: Expr
    body: Expr
    orelse: Expr
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Dict:
    keys: tuple[Expr | None, ...]
    values: tuple[Expr, ...]
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Seq:
    kind: str  # "list" | "tuple" | "set"
    items: tuple[Expr, ...]
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class CompLoop:
    target: Expr
    iter: Expr
    conditions: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Comp:
    kind: str  # "list" | "set" | "dict" | "gen"
    element: Expr
    key: Expr | None  # dict comprehensions
    loops: tuple[CompLoop, ...]
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Lambda:
    params: tuple[str, ...]
    body: Expr
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Spread:
    value: Expr
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Unknown:
    children: tuple[Expr, ...]
    line: int
    col: int


Expr = (
    Name | Const | Attr | Index | Call | StrBuild | BinOp | BoolOp | Compare | Unary | Cond
    | Dict | Seq | Comp | Lambda | Spread | Unknown
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Assign:
    targets: tuple[Expr, ...]
    value: Expr
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class ExprStmt:
    value: Expr
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Return:
    value: Expr | None
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Raise:
    value: Expr | None
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Jump:
    kind: str  # "break" | "continue"
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class If:
    test: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Loop:
    target: Expr | None
    iter: Expr | None
    test: Expr | None
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Handler:
    types: tuple[str, ...]  # dotted exception names as written; () catches everything
    name: str | None
    body: tuple[Stmt, ...]
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Try:
    body: tuple[Stmt, ...]
    handlers: tuple[Handler, ...]
    orelse: tuple[Stmt, ...]
    finalbody: tuple[Stmt, ...]
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class WithItem:
    context: Expr
    target: Expr | None


@dataclass(frozen=True, slots=True)
class With:
    items: tuple[WithItem, ...]
    body: tuple[Stmt, ...]
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Def:
    name: str
    qualname: str
    line: int
    col: int


Stmt = Assign | ExprStmt | Return | Raise | Jump | If | Loop | Try | With | Def


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    line: int
    col: int
    kind: str = ""  # "" positional, "*" vararg, "**" kwarg, "kw" keyword-only
    default: Expr | None = None


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    qualname: str
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]
    decorators: tuple[Expr, ...]
    line: int
    col: int
    class_name: str | None = None
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class NamedLiteral:
    name: str
    value: Const  # a string


@dataclass(frozen=True, slots=True)
class Module:
    path: str
    functions: dict[str, Function] = field(default_factory=dict)
    body: tuple[Stmt, ...] = ()
    imports: dict[str, str] = field(default_factory=dict)
    literals: tuple[NamedLiteral, ...] = ()


def children(expr: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of `expr` (for walks that need no per-kind logic)."""
    match expr:
        case Attr(obj=obj):
            return (obj,)
        case Index(obj=obj, key=key):
            return (obj, key)
        case Call(func=func, args=args, kwargs=kwargs):
            return (func, *args, *(kw.value for kw in kwargs))
        case StrBuild(parts=parts):
            return parts
        case BinOp(left=left, right=right):
            return (left, right)
        case BoolOp(values=values):
            return values
        case Compare(left=left, comparators=comparators):
            return (left, *comparators)
        case Unary(operand=operand):
            return (operand,)
        case Cond(test=test, body=body, orelse=orelse):
            return (test, body, orelse)
        case Dict(keys=keys, values=values):
            return (*(k for k in keys if k is not None), *values)
        case Seq(items=items) | Unknown(children=items):
            return items
        case Comp(element=element, key=key, loops=loops):
            inner = [element] if key is None else [key, element]
            for loop in loops:
                inner += [loop.iter, *loop.conditions]
            return tuple(inner)
        case Spread(value=value):
            return (value,)
        case _:
            return ()
