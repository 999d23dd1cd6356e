"""The taint engine: runs over the IR of one module (ir.py), any language.

Sources: the handler's first parameter (whatever its name; "event" in messages) and what
the tables name (Flask's `request`, Powertools' `app.current_event`, route parameters),
plus secrets (SLS0507) and exception text (SLS1001), which are sources of their own kind.

Each function is analysed once into a `Summary`, with its parameters as symbolic sources:
which parameters (and which intrinsic sources) flow to its return value, and which
parameters reach which sinks. A call to a function of the same module applies the callee's
summary to what is passed (memoised; recursion and depth are bounded, an unknown or
recursive callee is treated like a library call). The handler's summary, applied to the
event, gives the event findings; intrinsic sources are reported where they meet a sink.

Within a function the analysis is flow-sensitive along straight-line code (a reassignment
replaces a value, `x = int(x)` cleans x), joins both branches of an `if`, runs loop bodies
to a fixpoint (at most `_MAX_LOOP` times) and treats a branch that returns or raises as
not falling through, which is what makes guards (guards.py) work:
`if x not in ALLOWED: return ...`, `assert x in ALLOWED`, `if x in ALLOWED: <use x>`,
`x if x in ALLOWED else default`. A lookup in data that is not event data (`ALLOWED[x]`,
`ALLOWED.get(x, default)`) is clean: reading a field never yields the key's taint.
Sanitisers (the tables) make a value safe for some rules only: `int(n)` ends injection
but `range(n)` is still unbounded (SLS0807); `os.path.basename(p)` ends SLS0105 only.

Not supported: closures (a nested function does not see its parent's variables), values
held in object attributes across functions, taint through `global` writes inside
functions, aliasing of mutable containers, and calls through variables or higher-order
functions (`map(f, xs)`), which are opaque.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from slsguard.code import ir
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
    last_path_part,
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
    signature,
    union,
)

_MAX_LOOP = 3  # loop bodies run until nothing changes, at most this often
_MAX_DEPTH = 12  # nested summary computations; deeper callees are treated as unknown
_REQUEST_PARAM_NAMES = frozenset({"request", "req"})


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


@dataclass(frozen=True, slots=True)
class Summary:
    ret: TaintSet
    hits: tuple[SinkHit, ...]


class Analysis:
    """One module: globals, summaries and the findings collected so far."""

    def __init__(self, module: ir.Module, tables: Tables, *, has_authorizer: bool) -> None:
        self.module = module
        self.tables = tables
        self.has_authorizer = has_authorizer
        self.findings: dict[tuple[str, int, int], CodeFinding] = {}
        self.summaries: dict[str, Summary] = {}
        self.active: list[str] = []
        self.globals: Env = {}
        self.loading: _Run | None = None  # the run of the module body, while it runs
        self.handler = ""
        self.constants = string_constants(module.body)
        self.routes = frozenset(
            name for name, fn in module.functions.items() if any(map(self._route, fn.decorators))
        )

    def run(self, handler: str) -> list[CodeFinding]:
        functions = self.module.functions
        if handler not in functions and "." in handler:
            handler = handler.rsplit(".", 1)[-1]
        self.handler = handler
        top = self.loading = _Run(self, None)
        top.block(self.module.body)
        for fn in functions.values():
            for decorator in fn.decorators:
                top.expr(decorator)
        self.globals, self.loading = top.env, None
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

    def summary(self, fn: ir.Function) -> Summary | None:
        done = self.summaries.get(fn.qualname)
        if done is not None:
            return done
        if fn.qualname in self.active or len(self.active) >= _MAX_DEPTH:
            return None
        self.active.append(fn.qualname)
        try:
            run = _Run(self, fn)
            run.start()
            summary = Summary(run.ret, tuple(run.hits.values()))
        finally:
            self.active.pop()
        self.summaries[fn.qualname] = summary
        return summary

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
        flow = (*t.steps, (hit.line, hit.col, f"{hit.sink}: {hit.what}"))
        self.add(hit.rule, hit.line, hit.col, message, flow)

    def add_static(self, rule: str, line: int, col: int, sink: str, what: str) -> None:
        message = self.tables.messages["none"].format(sink=sink, what=what)
        self.add(rule, line, col, message, ())

    def add(self, rule: str, line: int, col: int, message: str, flow: Sequence[FlowStep]) -> None:
        key = (rule, line, col)
        if key not in self.findings:
            self.findings[key] = CodeFinding(rule, line, col, message, tuple(flow))


class _Run:
    """One pass over one function body (or the module body when `fn` is None)."""

    def __init__(self, analysis: Analysis, fn: ir.Function | None) -> None:
        self.an = analysis
        self.tables = analysis.tables
        self.fn = fn
        # Functions called at import time see the globals assigned so far, as in Python.
        loading = analysis.loading
        self.env: Env = dict(analysis.globals if loading is None else loading.env)
        self.ret: TaintSet = CLEAN
        self.hits: dict[tuple[str, int, int, str], SinkHit] = {}
        self.exits: list[list[Env]] = []  # envs at break/continue, per enclosing loop
        self.responder = fn is not None and (
            fn.qualname == analysis.handler or fn.qualname in analysis.routes
        )

    def start(self) -> None:
        assert self.fn is not None
        route = self.fn.qualname in self.an.routes
        for i, p in enumerate(self.fn.params):
            origin = (p.line, p.col, f"parameter {p.name}")
            if route and not (i == 0 and self.fn.class_name):
                if p.name in _REQUEST_PARAM_NAMES:
                    taint = Taint(Kind.EVENT, "request", (), (origin,))
                else:
                    label = f"request.{p.name}"
                    taint = Taint(Kind.EVENT, "request", (f".{p.name}",), ((p.line, p.col, label),))
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
        step = (handler.line, handler.col, f"exception caught as {name}")
        return (Taint(Kind.EXCEPTION, name, (), (step,), via=name),)

    # -- guards ---------------------------------------------------------------------------------

    def refinements(self, test: ir.Expr) -> tuple[Refinement, Refinement]:
        return refinements(test, self._constant)

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
        target = self._local_function(c)
        if target is not None:
            applied = self.apply(target, c, args, kwargs)
            if applied is not None:
                return applied
        info = self.tables.call(c.name, c.qualname)
        if info.sinks:
            known = {id(a): t for a, t in zip(c.args, args, strict=True)}
            known.update((id(kw.value), t) for kw, (_, t) in zip(c.kwargs, kwargs, strict=True))
            for spec in info.sinks:
                self.sink(spec, c, known)
        everything = union(receiver, *args, *(t for _, t in kwargs))
        return self._result(info, c, receiver, args, everything)

    def _result(
        self,
        info: CallInfo,
        c: ir.Call,
        receiver: TaintSet,
        args: list[TaintSet],
        everything: TaintSet,
    ) -> TaintSet:
        if info.secret is not None:
            secret = self._secret_source(info.secret, c)
            if secret:
                return secret
        if info.exception:
            step = (c.line, c.col, f"{c.name}()")
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
            scope = self.fn.qualname if self.fn is not None else None
            while scope is not None:
                found = functions.get(f"{scope}.{func.id}")
                if found is not None:
                    return found
                owner = functions.get(scope)
                scope = owner.parent if owner is not None else None
            return functions.get(func.id)
        if isinstance(func, ir.Attr) and isinstance(func.obj, ir.Name):
            base = func.obj.id
            if base in ("self", "cls", "this") and self.fn is not None and self.fn.class_name:
                prefix = self.fn.qualname.rsplit(".", 1)[0]
                return functions.get(f"{prefix}.{func.attr}")
            found = functions.get(f"{base}.{func.attr}")
            if found is not None:
                return found
        # `Runner().start(...)`, `runner.start(...)` with `runner = Runner()`.
        found = functions.get(c.qualname.replace("().", ".")) if "()." in c.qualname else None
        return found if found is not None and found.class_name is not None else None

    def apply(
        self,
        target: ir.Function,
        c: ir.Call,
        args: list[TaintSet],
        kwargs: list[tuple[str | None, TaintSet]],
    ) -> TaintSet | None:
        summary = self.an.summary(target)
        if summary is None:
            return None
        bound = bind(target, c, args, kwargs)

        def call_step(param: str) -> FlowStep:
            return (c.line, c.col, f"passed to {target.name}() as {param}")

        out: list[TaintSet] = []
        for t in summary.ret:
            if t.kind is Kind.PARAM:
                step = call_step(t.root)
                out.append(tuple(compose(a, t, step) for a in bound.get(t.root, CLEAN)))
            else:
                out.append((t.step(c.line, c.col, f"returned by {target.name}()"),))
        for hit in summary.hits:
            step = call_step(hit.taint.root)
            for a in bound.get(hit.taint.root, CLEAN):
                self.report(replace(hit, taint=compose(a, hit.taint, step)))
        return union(*out)

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
                self.hits.setdefault((hit.rule, hit.line, hit.col, t.root), hit)
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
        return (Taint(Kind.EVENT, root, (), ((e.line, e.col, root),)),)

    def _environ(self, obj: ir.Expr, key: ir.Expr, e: ir.Expr) -> TaintSet:
        """`os.environ["DB_PASSWORD"]`: a secret when the variable's name says so."""
        if self._dotted(obj) not in self.tables.environ:
            return CLEAN
        if not (isinstance(key, ir.Const) and isinstance(key.value, str)):
            return CLEAN
        if not secret_name(key.value):
            return CLEAN
        label = f"environment variable {key.value}"
        return (Taint(Kind.SECRET, label, (), ((e.line, e.col, label),)),)

    def _secret_source(self, spec: SecretSource, c: ir.Call) -> TaintSet:
        label = spec.label
        if spec.name_arg is not None:
            name = c.arg(spec.name_arg, "key")
            if not (isinstance(name, ir.Const) and isinstance(name.value, str)):
                return CLEAN
            if not secret_name(name.value):
                return CLEAN
            label = label.format(name=name.value)
        if spec.flag:
            flag = c.kwarg(spec.flag)
            if flag is None or false_const(flag):
                return CLEAN
        step = (c.line, c.col, f"{label} read by {c.name or c.qualname}()")
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
        return (Taint(Kind.SECRET, label, (), ((line, col, label),), via=name),)

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
