"""The taint engine: runs over the IR of one module (ir.py), any language.

Sources: the handler's first parameter (whatever its name; "event" in messages) and what
the tables name (Flask's `request`, Powertools' `app.current_event`, route parameters),
plus secrets (SLS0507) and exception text (SLS1001), which are sources of their own kind.

Each function is analysed once into a `Summary`, with its parameters as symbolic sources:
which parameters (and which intrinsic sources) flow to its return value, and which
parameters reach which sinks. A call to a function of the same module, or of a project
module the handler imports (project.py: the sink is then reported in that module's file),
applies the callee's summary to what is passed (memoised; recursion and depth are bounded,
an unknown or recursive callee is treated like a library call). The handler's summary,
applied to the event, gives the event findings; intrinsic sources are reported where they
meet a sink.

Closures and callbacks (callbacks.py): a nested function reads its enclosing functions'
variables, symbolic in its summary and bound where it is called or passed from within them;
a function passed to a call is applied there, its parameters given what a known iterator
passes (`xs.forEach(x => ...)`, `map(f, xs)`, `p.then(v => ...)`) and nothing elsewhere.

Within a function the analysis is flow-sensitive along straight-line code (a reassignment
replaces a value, `x = int(x)` cleans x), joins both branches of an `if`, runs loop bodies
to a fixpoint (at most `_MAX_LOOP` times) and treats a branch that returns or raises as
not falling through, which is what makes guards (guards.py) work:
`if x not in ALLOWED: return ...`, `assert x in ALLOWED`, `if x in ALLOWED: <use x>`,
`x if x in ALLOWED else default`. A lookup in data that is not event data (`ALLOWED[x]`,
`ALLOWED.get(x, default)`) is clean: reading a field never yields the key's taint.
Sanitisers (the tables) make a value safe for some rules only: `int(n)` ends injection
but `range(n)` is still unbounded (SLS0807); `os.path.basename(p)` ends SLS0105 only.

Not supported: writes to an enclosing function's variables from a nested function
(closures are read-only), values held in object attributes across functions, taint
through `global` writes inside functions, aliasing of mutable containers, calls through
variables, and callbacks given to the project's own higher-order functions (only known
iterators pass data to a callback's parameters).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from slsguard.code import ir
from slsguard.code.callbacks import bound_names, parameter_sources, result_kind
from slsguard.code.calls import bind, sanitised, sanitiser_applies
from slsguard.code.finding import CodeFinding, FlowStep
from slsguard.code.guards import Refinement, refined, refinements
from slsguard.code.sinks import (
    KIND_OF,
    dotted,
    false_const,
    fixed_host_prefix,
    secret_field,
    secret_name,
    sink_args,
    static_hit,
    taint_ok,
)
from slsguard.code.syntax import (
    callee_root,
    last_path_part,
    mentioned_words,
    plain_target,
    root_name,
    segment,
    sequence_literal,
    string_constants,
    written,
)
from slsguard.code.tables import CallInfo, SecretSource, SinkSpec, Tables
from slsguard.code.values import (
    CLEAN,
    Env,
    Kind,
    Taint,
    TaintSet,
    compose,
    derived,
    evolve,
    join_env,
    relocated,
    signature,
    union,
)

_MAX_LOOP = 3  # loop bodies run until nothing changes, at most this often
_MAX_DEPTH = 12  # nested summary computations; deeper callees are treated as unknown
_REQUEST_PARAM_NAMES = frozenset({"request", "req"})


class Linker(Protocol):
    """Resolves calls into the project's other modules (project.py)."""

    active: list[tuple[str, str]]

    def resolve(self, importer: Analysis, name: str) -> tuple[Analysis, ir.Function] | None: ...


@dataclass(frozen=True, slots=True)
class SinkHit:
    """Taint reaching a sink; in a summary the taint is relative to a parameter."""

    rule: str
    line: int
    col: int
    sink: str
    what: str
    pred: str
    kind: Kind  # the kind of source the sink is about
    taint: Taint
    file: str = ""  # "" the module analysed; else the project module the sink is in


@dataclass(frozen=True, slots=True)
class Summary:
    ret: TaintSet
    hits: tuple[SinkHit, ...]


class Analysis:
    """One module: globals, summaries and the findings collected so far."""

    def __init__(
        self,
        module: ir.Module,
        tables: Tables,
        *,
        has_authorizer: bool,
        linker: Linker | None = None,
        file: str = "",
    ) -> None:
        self.module = module
        self.tables = tables
        self.has_authorizer = has_authorizer
        self.linker = linker  # calls into other project modules (project.py)
        self.file = file  # "" the handler's module; else this module's path (relative)
        self.findings: dict[tuple[str, str, int, int], CodeFinding] = {}
        self.summaries: dict[str, Summary] = {}
        self.exported: dict[str, Summary] = {}  # summaries as other modules see them
        self.closures: dict[str, frozenset[str]] = {}  # nested function -> names it reads
        self.bound: dict[str, frozenset[str]] = {}
        self._members: dict[tuple[str, str], list[ir.Function]] | None = None
        # Summaries being computed: shared by all modules a handler reaches (the depth bound).
        self.active: list[tuple[str, str]] = [] if linker is None else linker.active
        self.globals: Env = {}
        self.global_calls: dict[str, ir.Call] = {}
        self.loading: _Run | None = None  # the run of the module body, while it runs
        self.loaded = False
        self.handler = ""
        self.constants = string_constants(module.body)
        self._mentions: frozenset[str] | None = None
        self.routes = frozenset(
            name for name, fn in module.functions.items() if any(map(self._route, fn.decorators))
        )

    @property
    def mentions(self) -> frozenset[str]:
        """The module's string literals and attribute names (computed on first use)."""
        if self._mentions is None:
            self._mentions = mentioned_words(self.module)
        return self._mentions

    def run(self, handler: str) -> list[CodeFinding]:
        functions = self.module.functions
        if handler not in functions and "." in handler:
            handler = handler.rsplit(".", 1)[-1]
        self.handler = handler
        self.load()
        for fn in functions.values():
            self.summary(fn)
        entry = functions.get(handler)
        summary = self.summaries.get(handler)
        if entry is not None and entry.params and summary is not None:
            event = Taint(Kind.EVENT, "event")
            for hit in summary.hits:
                if hit.taint.root == entry.params[0].name:
                    self.emit(replace(hit, taint=compose(event, hit.taint, None)))
        return sorted(self.findings.values(), key=CodeFinding.sort_key)

    def load(self) -> None:
        """Run the module body (once): the globals its functions see."""
        if self.loaded:
            return
        self.loaded = True
        top = self.loading = _Run(self, None)
        top.block(self.module.body)
        for fn in self.module.functions.values():
            for decorator in fn.decorators:
                top.expr(decorator)
        self.globals, self.global_calls, self.loading = top.env, top.calls, None

    def summary(self, fn: ir.Function) -> Summary | None:
        done = self.summaries.get(fn.qualname)
        if done is not None:
            return done
        key = (self.file, fn.qualname)
        if key in self.active or len(self.active) >= _MAX_DEPTH:
            return None
        self.active.append(key)
        try:
            run = _Run(self, fn)
            run.start()
            summary = Summary(run.ret, tuple(run.hits.values()))
        finally:
            self.active.pop()
        self.summaries[fn.qualname] = summary
        return summary

    def closure_names(self, fn: ir.Function) -> frozenset[str]:
        """The variables of its enclosing functions a nested function may read."""
        if fn.parent is None:
            return frozenset()
        done = self.closures.get(fn.qualname)
        if done is None:
            outer: set[str] = set()
            parent = self.module.functions.get(fn.parent)
            while parent is not None:
                outer |= self._bound_names(parent)
                parent = self.module.functions.get(parent.parent) if parent.parent else None
            done = self.closures[fn.qualname] = frozenset(outer - self._bound_names(fn))
        return done

    def members(self) -> dict[tuple[str, str], list[ir.Function]]:
        """Methods by (class, name): object-literal members are named by their key alone."""
        if self._members is None:
            self._members = {}
            for fn in self.module.functions.values():
                if fn.class_name is not None:
                    self._members.setdefault((fn.class_name, fn.name), []).append(fn)
        return self._members

    def _bound_names(self, fn: ir.Function) -> frozenset[str]:
        done = self.bound.get(fn.qualname)
        if done is None:
            done = self.bound[fn.qualname] = bound_names(fn)
        return done

    def exported_summary(self, fn: ir.Function) -> Summary | None:
        """The summary of `fn` for a caller in another module: steps and sinks in "this
        file" are in this module's file."""
        done = self.exported.get(fn.qualname)
        if done is not None:
            return done
        summary = self.summary(fn)
        if summary is None:
            return None
        file = self.file
        moved = Summary(
            tuple(relocated(t, file) for t in summary.ret),
            tuple(
                replace(hit, file=hit.file or file, taint=relocated(hit.taint, file))
                for hit in summary.hits
            ),
        )
        self.exported[fn.qualname] = moved
        return moved

    def _route(self, decorator: ir.Expr) -> bool:
        if isinstance(decorator, ir.Call):
            return self.tables.routes.match(decorator.name, decorator.qualname)
        return self.tables.routes.match(dotted(decorator))

    # -- findings -----------------------------------------------------------------------------

    def emit(self, hit: SinkHit) -> None:
        t = hit.taint
        if t.kind is not hit.kind or hit.rule in t.safe_for or "*" in t.safe_for:
            return
        if not taint_ok(hit.pred, t, self.has_authorizer):
            return
        messages = self.tables.messages
        template = messages.get(hit.rule, messages["default"])
        named = t.via in (t.root, t.label) or t.label.endswith(f" {t.via}")
        via = f" via {t.via}" if t.via and not named else ""
        message = template.format(source=t.label, sink=hit.sink, what=hit.what, via=via)
        flow = (*t.steps, (hit.line, hit.col, f"{hit.sink}: {hit.what}", hit.file))
        self.add(hit.rule, hit.line, hit.col, message, flow, hit.file)

    def add_static(self, rule: str, line: int, col: int, sink: str, what: str) -> None:
        message = self.tables.messages["none"].format(sink=sink, what=what)
        self.add(rule, line, col, message, ())

    def add(
        self,
        rule: str,
        line: int,
        col: int,
        message: str,
        flow: Sequence[FlowStep],
        file: str = "",
    ) -> None:
        key = (rule, file, line, col)
        if key not in self.findings:
            self.findings[key] = CodeFinding(rule, line, col, message, tuple(flow), file)


class _Run:
    """One pass over one function body (or the module body when `fn` is None)."""

    def __init__(self, analysis: Analysis, fn: ir.Function | None) -> None:
        self.an = analysis
        self.tables = analysis.tables
        self.fn = fn
        # Functions called at import time see the globals assigned so far, as in Python.
        loading = analysis.loading
        self.env: Env = dict(analysis.globals if loading is None else loading.env)
        # The call last assigned to each variable (`cmd = new GetSecretValueCommand(...)`).
        self.calls: dict[str, ir.Call] = dict(
            analysis.global_calls if loading is None else loading.calls
        )
        self.ret: TaintSet = CLEAN
        self.hits: dict[tuple[str, str, int, int, str], SinkHit] = {}
        self.exits: list[list[Env]] = []  # envs at break/continue, per enclosing loop
        self.responder = fn is not None and (
            fn.qualname == analysis.handler or fn.qualname in analysis.routes
        )

    def start(self) -> None:
        assert self.fn is not None
        for name in self.an.closure_names(self.fn):
            origin = (self.fn.line, self.fn.col, f"{name} of the enclosing function", "")
            self.env[name] = (Taint(Kind.PARAM, name, (), (origin,)),)
        route = self.fn.qualname in self.an.routes
        for i, p in enumerate(self.fn.params):
            origin = (p.line, p.col, f"parameter {p.name}", "")
            if route and not (i == 0 and self.fn.class_name):
                if p.name in _REQUEST_PARAM_NAMES:
                    taint = Taint(Kind.EVENT, "request", (), (origin,))
                else:
                    label = f"request.{p.name}"
                    step = (p.line, p.col, label, "")
                    taint = Taint(Kind.EVENT, "request", (f".{p.name}",), (step,))
            else:
                taint = Taint(Kind.PARAM, p.name, (), (origin,))
            self.env[p.name] = (taint, *self._secret_named(p.name, None, p.line, p.col))
        self.block(self.fn.body)

    # -- statements ----------------------------------------------------------------------------

    def block(self, stmts: Sequence[ir.Stmt]) -> bool:
        """Run statements; True when the block always ends in return/raise/break/continue."""
        return any(self.stmt(s) for s in stmts)

    def stmt(self, s: ir.Stmt) -> bool:
        match s:
            case ir.Assign():
                self.assignment(s)
            case ir.ExprStmt(value=value):
                self.expr(value)
            case ir.Return(value=value):
                self.returned(value, s.line, s.col)
                return True
            case ir.Raise(value=value):
                if value is not None:
                    self.expr(value)
                return True
            case ir.Jump():
                if self.exits:
                    self.exits[-1].append(dict(self.env))
                return True
            case ir.If():
                return self.branch(s)
            case ir.Loop():
                self.loop(s)
            case ir.Try():
                return self.trial(s)
            case ir.With(items=items, body=body):
                for item in items:
                    entered = self.expr(item.context)
                    if item.target is not None:
                        self.assign(item.target, entered, s.line, s.col)
                return self.block(body)
        return False

    def assignment(self, s: ir.Assign) -> None:
        value = s.value
        parts: list[TaintSet] | None = None
        if isinstance(value, ir.Seq) and any(isinstance(t, ir.Seq) for t in s.targets):
            parts = [self.expr(item) for item in value.items]
            taints = tuple(evolve(t, element=True) for t in union(*parts))
        else:
            taints = self.expr(value)
        for target in s.targets:
            self._debug_switch(target, value)
            if (
                parts is not None
                and isinstance(target, ir.Seq)
                and plain_target(target, len(parts))
            ):
                for item, part in zip(target.items, parts, strict=True):
                    self.assign(item, part, s.line, s.col, None)
            else:
                self.assign(target, taints, s.line, s.col, value)

    def assign(
        self,
        target: ir.Expr,
        value: TaintSet,
        line: int,
        col: int,
        value_expr: ir.Expr | None = None,
    ) -> None:
        match target:
            case ir.Name(id=name):
                if isinstance(value_expr, ir.Call):
                    self.calls[name] = value_expr
                else:
                    self.calls.pop(name, None)
                stepped = tuple(t.assigned(name, line, col) for t in value)
                secret = self._secret_named(name, value_expr, line, col, value)
                self.env[name] = union(stepped, secret)
            case ir.Attr() | ir.Index():
                if isinstance(target, ir.Index):
                    self.expr(target.key)
                base = root_name(target)
                if base is not None and value:
                    held = tuple(evolve(t, element=True) for t in value)
                    self.env[base] = union(self.env.get(base, CLEAN), held)
            case ir.Seq(items=items):
                for item in items:
                    self.assign(item, self._iterate(value, line, col), line, col)
            case ir.Spread(value=inner):
                self.assign(inner, value, line, col)

    def returned(self, value: ir.Expr | None, line: int, col: int) -> None:
        if value is None:
            return
        taints = self.expr(value)
        self.ret = union(self.ret, tuple(t.step(line, col, "returned") for t in taints))
        if self.responder:
            sink = "the response"
            what = "exception details returned to the client"
            for t in taints:
                hit = SinkHit("SLS1001", line, col, sink, what, "any", Kind.EXCEPTION, t)
                self.report(hit)

    def branch(self, s: ir.If) -> bool:
        self.expr(s.test)
        then_ref, else_ref = self.refinements(s.test)
        base = self.env
        self.env = refined(base, then_ref)
        then_ends = self.block(s.body)
        then_env = self.env
        self.env = refined(base, else_ref)
        else_ends = self.block(s.orelse)
        else_env = self.env
        if then_ends and not else_ends:
            self.env = else_env
        elif else_ends and not then_ends:
            self.env = then_env
        else:
            self.env = join_env(then_env, else_env)
        return then_ends and else_ends

    def loop(self, s: ir.Loop) -> None:
        before = dict(self.env)
        items = self.expr(s.iter) if s.iter is not None else CLEAN
        for _ in range(_MAX_LOOP):
            head = dict(self.env)
            if s.target is not None:
                self.assign(s.target, self._iterate(items, s.line, s.col), s.line, s.col)
            if s.test is not None:
                self.expr(s.test)
            self.exits.append([])
            self.block(s.body)
            exits = self.exits.pop()
            self.env = join_env(head, self.env, *exits)
            if signature(self.env) == signature(head):
                break
        self.block(s.orelse)
        self.env = join_env(before, self.env)

    def trial(self, s: ir.Try) -> bool:
        seen = dict(self.env)
        body_ends = False
        for stmt in s.body:
            if self.stmt(stmt):
                body_ends = True
                break
            seen = join_env(seen, self.env)
        after = self.env
        outs: list[Env] = []
        if not body_ends and not self.block(s.orelse):
            outs.append(self.env)
        for handler in s.handlers:
            self.env = join_env(seen, after)
            if handler.name:
                self.env[handler.name] = self._caught(handler)
            if not self.block(handler.body):
                outs.append(self.env)
        self.env = join_env(*outs) if outs else after
        ends = not outs
        return self.block(s.finalbody) or ends

    def _caught(self, handler: ir.Handler) -> TaintSet:
        name = handler.name or "e"
        if handler.types and all(self.tables.client_facing.match(t) for t in handler.types):
            return CLEAN
        step = (handler.line, handler.col, f"exception caught as {name}", "")
        return (Taint(Kind.EXCEPTION, name, (), (step,), via=name),)

    # -- guards ---------------------------------------------------------------------------------

    def refinements(self, test: ir.Expr) -> tuple[Refinement, Refinement]:
        return refinements(test, self._constant, self._known)

    def _known(self, expr: ir.Expr) -> ir.Expr:
        """What a variable is known to hold: the call last assigned to it (`NAME_RE =
        re.compile(...)`) or a module-level string constant (`const RE = /^[a-z]+$/`)."""
        if isinstance(expr, ir.Name):
            call = self.calls.get(expr.id)
            if call is not None:
                return call
            text = self.an.constants.get(expr.id)
            if text is not None and not self.env.get(expr.id):
                return ir.Const(text, expr.line, expr.col)
        return expr

    def _constant(self, expr: ir.Expr) -> bool:
        """Data that is not event data: a literal or a variable/field holding none."""
        if not isinstance(expr, ir.Const | ir.Seq | ir.Dict | ir.Name | ir.Attr):
            return False
        return not self.expr(expr)

    # -- expressions ----------------------------------------------------------------------------

    def expr(self, e: ir.Expr) -> TaintSet:
        match e:
            case ir.Name(id=name):
                found = self.env.get(name)
                if found is not None:
                    return found
                return self._source(self.an.module.imports.get(name, ""), e)
            case ir.Const() | ir.Lambda():
                return CLEAN
            case ir.Attr(obj=obj, attr=attr):
                base = self.expr(obj)
                if base:
                    return tuple(t.access(f".{attr}", e.line, e.col) for t in base)
                if self._dotted(obj) in self.tables.environ:  # `process.env.DB_PASSWORD`
                    return self._environ(obj, ir.Const(attr, e.line, e.col), e)
                return self._source(self._dotted(e), e)
            case ir.Index(obj=obj, key=key):
                base = self.expr(obj)
                self.expr(key)
                if base:
                    part = segment(key)
                    read = tuple(t.access(part, e.line, e.col) for t in base)
                    if last_path_part(obj, key):
                        read = tuple(evolve(t, safe_for=t.safe_for | {"SLS0105"}) for t in read)
                    return read
                return self._environ(obj, key, e)
            case ir.Call():
                return self.call(e)
            case ir.StrBuild():
                return self.strbuild(e)
            case ir.BinOp(op=op, left=left, right=right):
                lt, rt = self.expr(left), self.expr(right)
                self._operator_sink(e, op, (left, lt), (right, rt))
                return derived(union(lt, rt))
            case ir.BoolOp(values=values):
                return union(*(self.expr(v) for v in values))
            case ir.Compare():
                for child in ir.children(e):
                    self.expr(child)
                return CLEAN
            case ir.Unary(op=op, operand=operand):
                inner = self.expr(operand)
                return CLEAN if op == "not" else derived(inner)
            case ir.Cond(test=test, body=body, orelse=orelse):
                self.expr(test)
                then_ref, else_ref = self.refinements(test)
                return union(
                    self._refining(then_ref, lambda: self.expr(body)),
                    self._refining(else_ref, lambda: self.expr(orelse)),
                )
            case ir.Dict() | ir.Seq():
                held = union(*(self.expr(child) for child in ir.children(e)))
                return tuple(evolve(t, element=True) for t in held)
            case ir.Comp():
                return self.comprehension(e)
            case ir.Spread(value=value):
                return self.expr(value)
        return derived(union(*(self.expr(child) for child in ir.children(e))))

    def call(self, c: ir.Call) -> TaintSet:
        func = c.func
        if isinstance(func, ir.Attr):
            receiver = self.expr(func.obj)
        elif isinstance(func, ir.Name):
            receiver = CLEAN
        else:
            receiver = self.expr(func)
        args = [self.expr(a) for a in c.args]
        kwargs = [(kw.name, self.expr(kw.value)) for kw in c.kwargs]
        returned = self._callbacks(c, receiver, args)
        owner, target = self.an, self._local_function(c)
        if target is None and self.an.linker is not None:
            linked = self._linked(c, self.an.linker)
            if linked is not None:
                owner, target = linked
        if target is not None:
            applied = self.apply(target, c, args, kwargs, owner)
            if applied is not None:
                return union(applied, returned)
        info = self.tables.call(c.name, c.qualname)
        if info.sinks:
            known = {id(a): t for a, t in zip(c.args, args, strict=True)}
            known.update((id(kw.value), t) for kw, (_, t) in zip(c.kwargs, kwargs, strict=True))
            for spec in info.sinks:
                self.sink(spec, c, known)
        everything = union(receiver, *args, *(t for _, t in kwargs))
        return union(self._result(info, c, receiver, args, everything), returned)

    def _result(
        self,
        info: CallInfo,
        c: ir.Call,
        receiver: TaintSet,
        args: list[TaintSet],
        everything: TaintSet,
    ) -> TaintSet:
        for spec in info.secrets:
            secret = self._secret_source(spec, c)
            if secret:
                return secret
        if info.exception:
            step = (c.line, c.col, f"{c.name}()", "")
            return (Taint(Kind.EXCEPTION, f"{c.name}()", (), (step,)),)
        if info.sanitiser is not None and sanitiser_applies(info.sanitiser, c, args):
            return sanitised(info.sanitiser, everything)
        if info.parse:
            return tuple(
                evolve(t, parsed=True, stringified=False, element=False) for t in everything
            )
        if info.stringify:
            return tuple(
                evolve(t, stringified=True, parsed=False, element=False) for t in everything
            )
        if isinstance(c.func, ir.Attr):
            method = c.func.attr
            if method in self.tables.accessors:
                return self._accessor(c, receiver, args)
            if method in self.tables.mutators:
                base = root_name(c.func.obj)
                if base is not None:
                    held = tuple(evolve(t, element=True) for t in union(*args))
                    self.env[base] = union(self.env.get(base, CLEAN), held)
                return CLEAN if method != "setdefault" else receiver
        # What an unknown call returns is not a secret it was given (a response, a hash);
        # a method of the secret itself (`secret.strip()`) still returns it.
        given = tuple(t for t in everything if t.kind is not Kind.SECRET)
        return derived(union(receiver, given))

    def _accessor(self, c: ir.Call, receiver: TaintSet, args: list[TaintSet]) -> TaintSet:
        """`d.get("k", default)`: field k of d, or the default; never the key itself."""
        first = c.args[0] if c.args else None
        if isinstance(first, ir.Const) and isinstance(first.value, str):
            read = tuple(t.access(f".{first.value}", c.line, c.col) for t in receiver)
        elif first is not None:
            read = tuple(t.access("[]", c.line, c.col) for t in receiver)
        else:
            read = receiver
        default = c.kwarg("default")
        extra = self.expr(default) if default is not None else CLEAN
        return union(read, *args[1:], extra)

    def strbuild(self, e: ir.StrBuild) -> TaintSet:
        parts = [self.expr(p) for p in e.parts]
        first = next((i for i, p in enumerate(parts) if p), len(parts))
        if first < len(parts) and self._host_fixed(e, first):
            # What follows a clean `scheme://host/` cannot choose where the request goes.
            parts[first:] = [
                tuple(evolve(t, safe_for=t.safe_for | {"SLS0106"}) for t in p)
                for p in parts[first:]
            ]
        return tuple(
            evolve(t, stringified=True, parsed=False, element=False) for t in union(*parts)
        )

    def comprehension(self, e: ir.Comp) -> TaintSet:
        saved = self.env
        self.env = dict(saved)
        try:
            for loop in e.loops:
                items = self.expr(loop.iter)
                self.assign(loop.target, self._iterate(items, e.line, e.col), e.line, e.col)
                for condition in loop.conditions:
                    self.expr(condition)
                    self.env = refined(self.env, self.refinements(condition)[0])
            element = self.expr(e.element)
            key = self.expr(e.key) if e.key is not None else CLEAN
        finally:
            self.env = saved
        return tuple(evolve(t, element=True) for t in union(element, key))

    def _host_fixed(self, e: ir.StrBuild, first_tainted: int) -> bool:
        """Whether the clean text before the first tainted part fixes a URL's host."""
        if e.kind in ("format", "percent"):
            template = self._text(e.parts[0]) if first_tainted > 0 else None
            if template is None:
                return False
            cut = min((i for i in (template.find("{"), template.find("%")) if i >= 0), default=-1)
            return fixed_host_prefix(template if cut < 0 else template[:cut])
        if e.kind not in ("fstring", "concat"):
            return False
        # Clean parts of unknown text (a configured base URL) stand for a scheme and host.
        prefix = "".join(self._text(p) or "https://host" for p in e.parts[:first_tainted])
        return fixed_host_prefix(prefix)

    def _text(self, e: ir.Expr) -> str | None:
        if isinstance(e, ir.Const) and isinstance(e.value, str):
            return e.value
        if isinstance(e, ir.Name):
            return self.an.constants.get(e.id)
        return None

    # -- calls into the module ------------------------------------------------------------------

    def _local_function(self, c: ir.Call) -> ir.Function | None:
        functions = self.an.module.functions
        func = c.func
        if isinstance(func, ir.Name):
            return self._named_function(func.id)
        if isinstance(func, ir.Attr) and isinstance(func.obj, ir.Name):
            base = func.obj.id
            owner = self._receiver_owner(base)
            if owner is not None and owner.class_name is not None:
                prefix, dot, _ = owner.qualname.rpartition(".")
                found = functions.get(f"{prefix}{dot}{func.attr}")
                if found is not None and found.class_name == owner.class_name:
                    return found
                return self._member(owner.class_name, func.attr)
            found = self._named_function(f"{base}.{func.attr}")  # `Cls.run()`
            if found is None and not self.env.get(base):
                found = self._member(base, func.attr)  # `svc.run()`, `const svc = {...}`
            if found is not None:
                return found
        # `Runner().start(...)`, `runner.start(...)` with `runner = Runner()`.
        found = functions.get(c.qualname.replace("().", ".")) if "()." in c.qualname else None
        return found if found is not None and found.class_name is not None else None

    def _receiver_owner(self, base: str) -> ir.Function | None:
        """The method whose class (or object literal) `self.m()` / `this.m()` calls into;
        a function nested in a method (an arrow callback) sees the method's receiver."""
        if base not in ("self", "cls", "this") or self.fn is None:
            return None
        fn: ir.Function | None = self.fn
        while fn is not None and fn.class_name is None:
            fn = self.an.module.functions.get(fn.parent) if fn.parent else None
        return fn if fn is not None and fn.class_name else None

    def _member(self, class_name: str, name: str) -> ir.Function | None:
        """Function `name` of class (or object literal) `class_name`, defined here or in a
        function enclosing this one."""
        for fn in self.an.members().get((class_name, name), ()):
            if fn.parent is None or self._encloses_scope(fn.parent):
                return fn
        return None

    def _encloses_scope(self, qualname: str) -> bool:
        functions = self.an.module.functions
        scope = self.fn
        while scope is not None:
            if scope.qualname == qualname:
                return True
            scope = functions.get(scope.parent) if scope.parent else None
        return False

    def _named_function(self, name: str) -> ir.Function | None:
        """The function `name` calls here: nested in an enclosing function, or global."""
        functions = self.an.module.functions
        scope = self.fn.qualname if self.fn is not None else None
        while scope is not None:
            found = functions.get(f"{scope}.{name}")
            if found is not None:
                return found
            owner = functions.get(scope)
            scope = owner.parent if owner is not None else None
        return functions.get(name)

    def _linked(self, c: ir.Call, linker: Linker) -> tuple[Analysis, ir.Function] | None:
        """A function of another project module: `run_query(...)` after `from lib.db import
        run_query`, `db.runQuery(...)` after `const db = require("./db")`."""
        root = callee_root(c.func)
        if root is not None and root not in self.env and root in self.an.module.imports:
            return linker.resolve(self.an, c.name)
        if "()." in c.qualname and c.qualname != c.name:  # `repo.save()`, `repo = Repo()`
            return linker.resolve(self.an, c.qualname)
        return None

    def apply(
        self,
        target: ir.Function,
        c: ir.Call,
        args: list[TaintSet],
        kwargs: list[tuple[str | None, TaintSet]],
        owner: Analysis | None = None,
    ) -> TaintSet | None:
        local = owner is None or owner is self.an
        summary = (
            self.an.summary(target) if owner is None or local else owner.exported_summary(target)
        )
        if summary is None:
            return None
        bound = bind(target, c, args, kwargs)
        captured = self._capture(target, bound) if local else frozenset()
        return self._applied(target, c, summary, bound, captured)

    def _applied(
        self,
        target: ir.Function,
        c: ir.Call,
        summary: Summary,
        bound: dict[str, TaintSet],
        captured: frozenset[str],
    ) -> TaintSet:
        """The caller's view of `summary`: its sink hits reported, its result returned."""
        name = "a callback" if target.name.startswith("<") else f"{target.name}()"

        def call_step(param: str) -> FlowStep:
            if param in captured:
                return (c.line, c.col, f"{param} seen by {name}", "")
            return (c.line, c.col, f"passed to {name} as {param}", "")

        out: list[TaintSet] = []
        for t in summary.ret:
            if t.kind is Kind.PARAM:
                step = call_step(t.root)
                out.append(tuple(compose(a, t, step) for a in bound.get(t.root, CLEAN)))
            else:
                out.append((t.step(c.line, c.col, f"returned by {name}"),))
        for hit in summary.hits:
            step = call_step(hit.taint.root)
            for a in bound.get(hit.taint.root, CLEAN):
                self.report(replace(hit, taint=compose(a, hit.taint, step)))
        return union(*out)

    def _capture(self, target: ir.Function, bound: dict[str, TaintSet]) -> frozenset[str]:
        """Bind the variables a nested function reads from its enclosing functions, when it
        is called (or passed) from within them; the names bound."""
        names = self.an.closure_names(target)
        if not names or not self._encloses(target):
            return frozenset()
        for name in names:
            taints = self.env.get(name)
            if taints:
                bound[name] = union(bound.get(name, CLEAN), taints)
        return names

    def _encloses(self, target: ir.Function) -> bool:
        """Whether this run is in the function that defines `target`, or nested in it."""
        return target.parent is not None and self._encloses_scope(target.parent)

    # -- callbacks ------------------------------------------------------------------------------

    def _callbacks(self, c: ir.Call, receiver: TaintSet, args: list[TaintSet]) -> TaintSet:
        """Functions passed to `c`, analysed with what the callee passes them (callbacks.py);
        what the result of `c` holds of what they return."""
        returns: list[TaintSet] = []
        for position, expr in enumerate(c.args):
            if isinstance(expr, ir.Lambda | ir.Name):
                returns.append(self._callback(c, expr, position, receiver, args))
        for kw in c.kwargs:
            if isinstance(kw.value, ir.Lambda | ir.Name) and kw.name is not None:
                returns.append(self._callback(c, kw.value, kw.name, receiver, args))
        kind = result_kind(c) if returns else ""
        if kind == "each":
            return tuple(evolve(t, element=True) for t in union(*returns))
        return union(*returns) if kind == "value" else CLEAN

    def _callback(
        self,
        c: ir.Call,
        expr: ir.Lambda | ir.Name,
        position: int | str,
        receiver: TaintSet,
        args: list[TaintSet],
    ) -> TaintSet:
        functions = self.an.module.functions
        fn: ir.Function | None = None
        if isinstance(expr, ir.Name):
            if self.env.get(expr.id):
                return CLEAN  # a variable holding data, not a function
            fn = self._named_function(expr.id)
            if fn is None:
                return CLEAN
        elif isinstance(expr.body, ir.Name):  # JavaScript: Lambda(params, Name(qualname))
            named = functions.get(expr.body.id)
            if named is not None and (named.line, named.col) == (expr.line, expr.col):
                fn = named
        sources = parameter_sources(c, position)
        taints = [self._passed(source, c, receiver, args) for source in sources]
        if fn is None:
            assert isinstance(expr, ir.Lambda)
            return self._inline_lambda(expr, taints)
        summary = self.an.summary(fn)
        if summary is None:
            return CLEAN
        params = [p for p in fn.params if p.kind == ""]
        bound = {p.name: t for p, t in zip(params, taints, strict=False) if t}
        captured = self._capture(fn, bound)
        return self._applied(fn, c, summary, bound, captured)

    def _passed(
        self, source: str, c: ir.Call, receiver: TaintSet, args: list[TaintSet]
    ) -> TaintSet:
        """What a callback parameter receives (see callbacks.py for `source`)."""
        if source in ("", "self"):
            return receiver if source else CLEAN
        if source == "item":
            return self._iterate(receiver, c.line, c.col)
        kind, _, index = source.partition(":")
        i = int(index)
        if i >= len(args) or any(isinstance(a, ir.Spread) for a in c.args[: i + 1]):
            return CLEAN
        return self._iterate(args[i], c.line, c.col) if kind == "item" else args[i]

    def _inline_lambda(self, lam: ir.Lambda, taints: list[TaintSet]) -> TaintSet:
        """A Python lambda: its body, evaluated here with its parameters bound."""
        saved = self.env
        self.env = dict(saved)
        for i, name in enumerate(lam.params):
            self.env[name] = taints[i] if i < len(taints) else CLEAN
        try:
            return self.expr(lam.body)
        finally:
            self.env = saved

    # -- sinks ----------------------------------------------------------------------------------

    def sink(self, spec: SinkSpec, c: ir.Call, known: dict[int, TaintSet]) -> None:
        sink = c.name or c.qualname
        if spec.taint == "none":
            if static_hit(spec, c):
                self.an.add_static(spec.rule, c.line, c.col, sink, spec.what)
            return
        kind = KIND_OF[spec.taint]
        for expr, pred in sink_args(spec, c):
            taints = known.get(id(expr))
            for t in self.expr(expr) if taints is None else taints:
                self.report(SinkHit(spec.rule, c.line, c.col, sink, spec.what, pred, kind, t))

    def report(self, hit: SinkHit) -> None:
        t = hit.taint
        if hit.rule in t.safe_for or "*" in t.safe_for:
            return
        if t.kind is Kind.PARAM:
            if self.fn is not None:
                self.hits.setdefault((hit.rule, hit.file, hit.line, hit.col, t.root), hit)
            return
        self.an.emit(hit)

    def _operator_sink(
        self,
        e: ir.BinOp,
        op: str,
        left: tuple[ir.Expr, TaintSet],
        right: tuple[ir.Expr, TaintSet],
    ) -> None:
        for spec in self.tables.operator_sinks:
            if spec.op != op:
                continue
            for (expr, _), (_, taints) in ((left, right), (right, left)):
                if sequence_literal(expr):
                    for t in taints:
                        hit = SinkHit(
                            spec.rule, e.line, e.col, f"'{op}'", spec.what, "any", Kind.EVENT, t
                        )
                        self.report(hit)

    def _debug_switch(self, target: ir.Expr, value: ir.Expr) -> None:
        """`app.debug = True`, `app.config["DEBUG"] = True`."""
        spec = self.tables.debug_assign
        if spec is None or not (isinstance(value, ir.Const) and value.value is True):
            return
        hit = isinstance(target, ir.Attr) and target.attr in spec.attributes
        if isinstance(target, ir.Index) and isinstance(target.obj, ir.Attr):
            key = target.key
            config = target.obj.attr == "config" and isinstance(key, ir.Const)
            hit = config and isinstance(key, ir.Const) and key.value in spec.config_keys
        if hit:
            sink = f"{written(target)} = True"
            self.an.add_static(spec.rule, target.line, target.col, sink, spec.what)

    # -- sources --------------------------------------------------------------------------------

    def _source(self, name: str, e: ir.Expr) -> TaintSet:
        root = self.tables.source_root(name) if name else None
        if root is None:
            return CLEAN
        return (Taint(Kind.EVENT, root, (), ((e.line, e.col, root, ""),)),)

    def _environ(self, obj: ir.Expr, key: ir.Expr, e: ir.Expr) -> TaintSet:
        """`os.environ["DB_PASSWORD"]`: a secret when the variable's name says so."""
        if self._dotted(obj) not in self.tables.environ:
            return CLEAN
        if not (isinstance(key, ir.Const) and isinstance(key.value, str)):
            return CLEAN
        if not secret_name(key.value):
            return CLEAN
        label = f"environment variable {key.value}"
        return (Taint(Kind.SECRET, label, (), ((e.line, e.col, label, ""),)),)

    def _secret_source(self, spec: SecretSource, c: ir.Call) -> TaintSet:
        label = spec.label
        options = c  # the call whose options `flag` is among
        if spec.command is not None:
            first = c.arg(0)
            if isinstance(first, ir.Name):
                first = self.calls.get(first.id)
            if not (isinstance(first, ir.Call) and spec.command.match(first.name, first.qualname)):
                return CLEAN
            options = first
        if spec.name_arg is not None:
            name = c.arg(spec.name_arg, "key")
            if not (isinstance(name, ir.Const) and isinstance(name.value, str)):
                return CLEAN
            if not secret_name(name.value):
                return CLEAN
            label = label.format(name=name.value)
        if spec.flag:
            flag = options.kwarg(spec.flag)
            if flag is None or false_const(flag):
                return CLEAN
        if spec.kind == "exception":
            if spec.unless and spec.unless in self.an.mentions:
                return CLEAN
            step = (c.line, c.col, f"{label} from {options.name or options.qualname}()", "")
            return (Taint(Kind.EXCEPTION, label, (), (step,)),)
        step = (c.line, c.col, f"{label} read by {options.name or options.qualname}()", "")
        return (Taint(Kind.SECRET, label, (), (step,)),)

    def _secret_named(
        self,
        name: str,
        value: ir.Expr | None,
        line: int,
        col: int,
        taints: TaintSet = CLEAN,
    ) -> TaintSet:
        if not secret_name(name):
            return CLEAN
        if isinstance(value, ir.Const) and (not value.value or not isinstance(value.value, str)):
            return CLEAN  # None, "", numbers and booleans are no secrets
        for t in taints:
            # Event data under a secret name (`token = params["nextToken"]`) is a secret
            # only when the field says so (`body["password"]`, the Authorization header).
            if t.kind in (Kind.EVENT, Kind.PARAM) and t.path and not secret_field(t.path[-1]):
                return CLEAN
        label = f"secret-named variable {name}"
        return (Taint(Kind.SECRET, label, (), ((line, col, label, ""),), via=name),)

    # -- helpers --------------------------------------------------------------------------------

    def _dotted(self, e: ir.Expr) -> str:
        name = dotted(e)
        head, dot, rest = name.partition(".")
        if head and head not in self.env:
            target = self.an.module.imports.get(head)
            if target:
                return target + dot + rest
        return name

    def _iterate(self, taints: TaintSet, line: int, col: int) -> TaintSet:
        return tuple(t.access("[]", line, col) for t in taints)

    def _refining(self, refinement: Refinement, evaluate: Callable[[], TaintSet]) -> TaintSet:
        if not refinement:
            return evaluate()
        saved = self.env
        self.env = refined(saved, refinement)
        try:
            return evaluate()
        finally:
            self.env = saved
