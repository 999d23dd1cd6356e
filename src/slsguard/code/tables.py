"""Sources, sinks, sanitisers and propagators as data (data/<language>.toml), typed.

Callee patterns: `*` matches any characters (dots included), `{a,b}` expands to
alternatives, `@name` stands for the patterns of `[groups].name`. A call matches when its
written name (imports resolved) or its qualified name (variables resolved) matches.
Lookups are cached per name pair: handler files share most callee names.

Sections: `[groups]`; `[[source]]` (match, root); `[routes]` (decorators);
`[propagate]` (parse, stringify, accessors, mutators); `[[sanitiser]]` (callees,
safe_for, when: "clean_arg" | "removes_separator"); `[secrets]` (environ) and
`[[secret_source]]` (callees, label, name_arg, flag, command); `[[payload_source]]`
(callees, label, command, unless: another function's raw response); `[exceptions]` (callees,
client_facing); `[[sink]]` (rule, callees, args, keywords, any_arg, taint, when,
timeout_arg, what; `when` is one of sinks.py's: shell, yaml_unsafe, mongo_filter,
whole_event, identity, no_timeout, jwt_unverified, flag:<keyword>); `[[operator_sink]]`;
`[debug_assign]`; `[messages]` (per rule id, "default" and "none").
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

_CACHE_LIMIT = 20_000


@dataclass(frozen=True, slots=True)
class SinkSpec:
    rule: str
    what: str
    args: tuple[int, ...] = ()
    keywords: tuple[str, ...] = ()
    any_arg: bool = False
    taint: str = "event"  # "event" | "secret" | "exception" | "none"
    when: str = ""  # a condition of sinks.py; "flag:<keyword>" for keyword switches
    timeout_arg: int | None = None


@dataclass(frozen=True, slots=True)
class Sanitiser:
    safe_for: frozenset[str]  # rule ids; "*" for all
    when: str = ""


@dataclass(frozen=True, slots=True)
class SecretSource:
    label: str
    name_arg: int | None = None
    flag: str = ""
    # SDK v3 `client.send(new GetSecretValueCommand(...))`: only when the first argument is
    # (a variable assigned) a command these patterns name; `flag` is then one of its options.
    command: Patterns | None = None
    # "secret", or "exception" for another function's raw response (its errorMessage and
    # stackTrace when it failed), which is no source where the module names `unless`
    # (code that looks at "FunctionError" handles the failure).
    kind: str = "secret"
    unless: str = ""


@dataclass(frozen=True, slots=True)
class OperatorSink:
    rule: str
    op: str
    what: str


@dataclass(frozen=True, slots=True)
class DebugAssign:
    rule: str
    attributes: frozenset[str]
    config_keys: frozenset[str]
    what: str


@dataclass(frozen=True, slots=True)
class CallInfo:
    """Everything the tables say about one callee."""

    sinks: tuple[SinkSpec, ...] = ()
    sanitiser: Sanitiser | None = None
    parse: bool = False
    stringify: bool = False
    secrets: tuple[SecretSource, ...] = ()
    exception: bool = False


class Patterns:
    """A set of callee patterns, matched as exact names or one combined regex."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.exact: set[str] = set()
        wild: list[str] = []
        for pattern in patterns:
            if "*" in pattern:
                wild.append(re.escape(pattern).replace(r"\*", ".*"))
            else:
                self.exact.add(pattern)
        self.regex = re.compile("|".join(wild)) if wild else None

    def match(self, *names: str) -> bool:
        for name in names:
            if name and (
                name in self.exact or (self.regex is not None and self.regex.fullmatch(name))
            ):
                return True
        return False


class Tables:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self._groups: dict[str, list[str]] = dict(data.get("groups", {}))
        self.messages: dict[str, str] = dict(data["messages"])
        self._sources = tuple(
            (self._patterns(s["match"]), str(s["root"])) for s in data.get("source", ())
        )
        self.routes = self._patterns(data.get("routes", {}).get("decorators", ()))
        prop = data.get("propagate", {})
        self._parse = self._patterns(prop.get("parse", ()))
        self._stringify = self._patterns(prop.get("stringify", ()))
        self.accessors = frozenset(prop.get("accessors", ()))
        self.mutators = frozenset(prop.get("mutators", ()))
        self._sanitisers = tuple(
            (
                self._patterns(s["callees"]),
                Sanitiser(frozenset(s["safe_for"]), s.get("when", "")),
            )
            for s in data.get("sanitiser", ())
        )
        secrets = data.get("secrets", {})
        self.environ = frozenset(secrets.get("environ", ()))
        self._secret_sources = tuple(
            (
                self._patterns(s["callees"]),
                SecretSource(
                    s["label"],
                    s.get("name_arg"),
                    s.get("flag", ""),
                    self._patterns(s["command"]) if "command" in s else None,
                ),
            )
            for s in data.get("secret_source", ())
        ) + tuple(
            (
                self._patterns(s["callees"]),
                SecretSource(
                    s["label"],
                    None,
                    "",
                    self._patterns(s["command"]) if "command" in s else None,
                    kind="exception",
                    unless=s.get("unless", ""),
                ),
            )
            for s in data.get("payload_source", ())
        )
        exceptions = data.get("exceptions", {})
        self._exceptions = self._patterns(exceptions.get("callees", ()))
        self.client_facing = self._patterns(exceptions.get("client_facing", ()))
        self._sinks = tuple((self._patterns(s["callees"]), _sink(s)) for s in data.get("sink", ()))
        self.operator_sinks = tuple(
            OperatorSink(s["rule"], s["op"], s["what"]) for s in data.get("operator_sink", ())
        )
        debug = data.get("debug_assign")
        self.debug_assign = (
            DebugAssign(
                debug["rule"],
                frozenset(debug.get("attributes", ())),
                frozenset(debug.get("config_keys", ())),
                debug["what"],
            )
            if debug
            else None
        )
        self._calls: dict[tuple[str, str], CallInfo] = {}
        self._roots: dict[str, str | None] = {}

    def _patterns(self, patterns: Iterable[str]) -> Patterns:
        out: list[str] = []
        for pattern in patterns:
            names = self._groups.get(pattern[1:], ()) if pattern.startswith("@") else (pattern,)
            for name in names:
                out.extend(_expand(name))
        return Patterns(out)

    def call(self, name: str, qualname: str) -> CallInfo:
        key = (name, qualname)
        info = self._calls.get(key)
        if info is None:
            if len(self._calls) > _CACHE_LIMIT:
                self._calls.clear()
            info = self._calls[key] = self._classify(name, qualname)
        return info

    def _classify(self, name: str, qualname: str) -> CallInfo:
        sinks = tuple(spec for pats, spec in self._sinks if pats.match(name, qualname))
        sanitiser = next((s for pats, s in self._sanitisers if pats.match(name, qualname)), None)
        secrets = tuple(s for pats, s in self._secret_sources if pats.match(name, qualname))
        return CallInfo(
            sinks=sinks,
            sanitiser=sanitiser,
            parse=self._parse.match(name, qualname),
            stringify=self._stringify.match(name, qualname),
            secrets=secrets,
            exception=self._exceptions.match(name, qualname),
        )

    def source_root(self, dotted: str) -> str | None:
        """The source label of an expression with this dotted name (`flask.request`)."""
        if dotted not in self._roots:
            if len(self._roots) > _CACHE_LIMIT:
                self._roots.clear()
            self._roots[dotted] = next(
                (root for pats, root in self._sources if pats.match(dotted)), None
            )
        return self._roots[dotted]


def _sink(entry: Mapping[str, Any]) -> SinkSpec:
    return SinkSpec(
        rule=entry["rule"],
        what=entry["what"],
        args=tuple(entry.get("args", ())),
        keywords=tuple(entry.get("keywords", ())),
        any_arg=bool(entry.get("any_arg", False)),
        taint=entry.get("taint", "event"),
        when=entry.get("when", ""),
        timeout_arg=entry.get("timeout_arg"),
    )


_BRACES = re.compile(r"\{([^{}]*)\}")


def _expand(pattern: str) -> list[str]:
    """`os.{system,popen}` -> [`os.system`, `os.popen`] (every brace group, recursively)."""
    match = _BRACES.search(pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    out: list[str] = []
    for choice in match.group(1).split(","):
        out.extend(_expand(head + choice.strip() + tail))
    return out


@functools.cache
def load(language: str) -> Tables:
    """The tables of one language ("python"), parsed once per process."""
    text = resources.files("slsguard.code").joinpath("data", f"{language}.toml").read_text()
    return Tables(tomllib.loads(text))
