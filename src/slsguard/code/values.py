"""Taint values: what the engine knows about one value, and the joins of those facts.

A value carries a `TaintSet`: at most one `Taint` per source (kind, root), each with the
access path from the source ("event" + (".body", ".cmd") -> "event.body.cmd"), the flow
steps that brought it here (the first witness is kept), the rules it has been made safe
for by a sanitiser, and a few shape facts that some sinks need.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

Step = tuple[int, int, str, str]  # line, column, what happened there, file ("" this one)
_MAX_PATH = 8  # longer access paths stop growing (loops such as `node = node["next"]`)
_MAX_STEPS = 16  # the source step and the latest steps are kept


class Kind(enum.StrEnum):
    EVENT = "event"  # request/event data: the handler's event, Flask's request ...
    PARAM = "param"  # a parameter of the function being summarised (symbolic)
    SECRET = "secret"  # a secret read from the environment or a secret store
    EXCEPTION = "exception"  # text of a caught exception or a traceback


@dataclass(frozen=True, slots=True)
class Taint:
    kind: Kind
    root: str  # "event", "request", a parameter name, "environment variable DB_PASSWORD"
    path: tuple[str, ...] = ()  # ".body", ".Records", "[]" ...
    steps: tuple[Step, ...] = ()
    safe_for: frozenset[str] = frozenset()  # rule ids a sanitiser made this safe for
    via: str = ""  # the last variable it was assigned to
    exact: bool = True  # the value is the object at `path` (or its text), not derived
    parsed: bool = False  # parsed from JSON/a query string: may hold objects and operators
    stringified: bool = False  # turned into text since it was read
    element: bool = False  # held in a list/tuple/dict literal built here

    @property
    def key(self) -> tuple[Kind, str]:
        return self.kind, self.root

    @property
    def label(self) -> str:
        """How messages name the source: "event.body.cmd", "exception text (e.args)"."""
        if self.kind is Kind.EXCEPTION:
            if " " in self.root:  # a description ("another function's raw response ...")
                return self.root
            return f"exception text ({self.root}{''.join(self.path)})"
        if self.kind is Kind.SECRET:
            return self.root
        return self.root + "".join(self.path)

    def step(self, line: int, col: int, text: str) -> Taint:
        steps = (*self.steps, (line, col, text, ""))
        if len(steps) > _MAX_STEPS:
            steps = (steps[0], *steps[-(_MAX_STEPS - 1) :])
        return evolve(self, steps=steps)

    def access(self, segment: str, line: int, col: int) -> Taint:
        """Field or item `segment` of this value (`.body`, `[]`)."""
        if self.element:  # reading back what a literal container holds
            return evolve(self, element=False)
        path = self.path if len(self.path) >= _MAX_PATH else (*self.path, segment)
        accessed = evolve(self, path=path)
        if len(self.steps) <= 1:  # still at the source: point at the deepest read
            return evolve(accessed, steps=((line, col, accessed.label, ""),))
        return accessed

    def assigned(self, name: str, line: int, col: int) -> Taint:
        return evolve(self.step(line, col, f"assigned to {name}"), via=name)


def evolve(
    t: Taint,
    *,
    path: tuple[str, ...] | None = None,
    steps: tuple[Step, ...] | None = None,
    safe_for: frozenset[str] | None = None,
    via: str | None = None,
    exact: bool | None = None,
    parsed: bool | None = None,
    stringified: bool | None = None,
    element: bool | None = None,
) -> Taint:
    """A copy with some fields changed (dataclasses.replace is several times slower)."""
    return Taint(
        t.kind,
        t.root,
        t.path if path is None else path,
        t.steps if steps is None else steps,
        t.safe_for if safe_for is None else safe_for,
        t.via if via is None else via,
        t.exact if exact is None else exact,
        t.parsed if parsed is None else parsed,
        t.stringified if stringified is None else stringified,
        t.element if element is None else element,
    )


TaintSet = tuple[Taint, ...]
Env = dict[str, TaintSet]
CLEAN: TaintSet = ()


def merge(a: Taint, b: Taint) -> Taint:
    """Join of two taints of one source: keep a's witness, the weaker guarantees."""
    merged = evolve(
        a,
        safe_for=a.safe_for & b.safe_for,
        exact=a.exact or b.exact,
        parsed=a.parsed or b.parsed,
        stringified=a.stringified and b.stringified,
        element=a.element and b.element,
    )
    return a if merged == a else merged


def union(*sets: TaintSet) -> TaintSet:
    present = [s for s in sets if s]
    if len(present) <= 1:
        return present[0] if present else CLEAN
    out: dict[tuple[Kind, str], Taint] = {}
    for taints in present:
        for t in taints:
            old = out.get(t.key)
            out[t.key] = t if old is None else merge(old, t)
    return tuple(out.values())


def derived(taints: TaintSet) -> TaintSet:
    """Computed from the values (not the values themselves)."""
    return tuple(evolve(t, exact=False, element=False) for t in taints)


def compose(outer: Taint, inner: Taint, call: Step | None) -> Taint:
    """`inner` is relative to a parameter of a summarised function; `outer` is what the
    caller passed for that parameter. The result is the caller's view of `inner`."""
    steps = outer.steps + ((call,) if call else ()) + inner.steps
    if len(steps) > _MAX_STEPS:
        steps = (steps[0], *steps[-(_MAX_STEPS - 1) :])
    return Taint(
        kind=outer.kind,
        root=outer.root,
        path=(*outer.path, *inner.path)[:_MAX_PATH],
        steps=steps,
        safe_for=outer.safe_for | inner.safe_for,
        via=inner.via or outer.via,
        exact=outer.exact and inner.exact,
        parsed=inner.parsed or (outer.parsed and not inner.stringified),
        stringified=outer.stringified or inner.stringified,
        element=inner.element or outer.element,
    )


def relocated(t: Taint, file: str) -> Taint:
    """`t` as seen from another module: its steps in "this file" are steps in `file`."""
    if all(step[3] for step in t.steps):
        return t
    steps = tuple(step if step[3] else (step[0], step[1], step[2], file) for step in t.steps)
    return evolve(t, steps=steps)


def join_env(*envs: Env) -> Env:
    if len(envs) == 1:
        return dict(envs[0])
    out: Env = {}
    for env in envs:
        for name, taints in env.items():
            old = out.get(name)
            out[name] = taints if old is None else union(old, taints)
    return out


def signature(env: Env) -> dict[str, frozenset[tuple[object, ...]]]:
    """What a loop fixpoint compares: the facts, not the (first-witness) steps."""
    return {
        name: frozenset(
            (t.key, t.path, t.safe_for, t.exact, t.parsed, t.stringified, t.element) for t in taints
        )
        for name, taints in env.items()
        if taints
    }
