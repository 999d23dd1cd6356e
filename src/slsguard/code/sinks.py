"""Conditions on sink calls (the `when` of a sink in the tables) and on the taint that
reaches them.

A tainted sink is checked in two parts: at the call site, `sink_args` says which argument
expressions matter and with which taint predicate (the structure of the call: `shell=True`,
a `$where` key); when taint is known to reach them, `taint_ok` checks the predicate on it
(the shape of the data: parsed from JSON, the whole event, a client-supplied identity).
The split lets a function summary record a parameter reaching a sink and have the
predicate checked later against what each caller passes.
"""

from __future__ import annotations

import re

from slsguard.code import ir
from slsguard.code.tables import SinkSpec
from slsguard.code.values import Kind, Taint
from slsguard.secrets import looks_secret_name

SAFE_YAML_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})
# Access paths of the whole event, its headers or its body (SLS0506).
WHOLE_PATHS = frozenset(
    {
        (),
        (".headers",),
        (".multiValueHeaders",),
        (".body",),
        (".json_body",),
        (".raw_event",),
        (".decoded_body",),
    }
)
# Parts of a request that the client writes (SLS0901).
CLIENT_PARTS = frozenset(
    {
        ".body", ".json_body", ".decoded_body", ".queryStringParameters",
        ".multiValueQueryStringParameters", ".query_string_parameters", ".pathParameters",
        ".path_parameters", ".headers", ".multiValueHeaders", ".args", ".form", ".json",
        ".values", ".view_args", ".data",
    }
)  # fmt: skip
IDENTITY_NAMES = frozenset(
    {
        "userid", "user", "uid", "tenant", "tenantid", "owner", "ownerid", "account",
        "accountid", "customerid",
    }
)  # fmt: skip
KIND_OF = {"event": Kind.EVENT, "secret": Kind.SECRET, "exception": Kind.EXCEPTION}
# Secret-named, but pagination/CSRF tokens and the like are not secrets worth reporting.
_NOT_SECRET = re.compile(
    r"(?:next|page|pagination|continuation|csrf|xsrf|cursor|sync|resume|last|start)_?token",
    re.IGNORECASE,
)
_SECRET_HEADERS = frozenset({"authorization", "cookie", "x-api-key", "x-amz-security-token"})
_FIXED_HOST = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#{}%\s]+[/?#]")


def sink_args(spec: SinkSpec, call: ir.Call) -> list[tuple[ir.Expr, str]]:
    """The argument expressions of a tainted sink that matter, each with its predicate."""
    exprs = _selected(spec, call)
    match spec.when:
        case "shell":
            shell = call.kwarg("shell")
            pred = "any" if shell is not None and not false_const(shell) else "not_element"
            return [(e, pred) for e in exprs]
        case "yaml_unsafe":
            loader = call.arg(1, "Loader")
            if loader is not None and dotted(loader).rsplit(".", 1)[-1] in SAFE_YAML_LOADERS:
                return []
            return [(e, "any") for e in exprs]
        case "mongo_filter":
            return [pair for e in exprs for pair in _mongo(e)]
        case "whole_event" | "identity":
            return [(e, spec.when) for e in exprs]
    return [(e, "any") for e in exprs]


def static_hit(spec: SinkSpec, call: ir.Call) -> bool:
    """Whether a sink that needs no taint (`taint = "none"`) applies to this call."""
    when = spec.when
    if when == "no_timeout":
        timeout = call.kwarg("timeout")
        if timeout is not None:
            return isinstance(timeout, ir.Const) and timeout.value is None
        positional = spec.timeout_arg is not None and len(call.args) > spec.timeout_arg
        spread = any(isinstance(a, ir.Spread) for a in call.args)
        return not (positional or spread or call.has_spread_kwargs)
    if when == "jwt_unverified":
        return _jwt_unverified(call)
    if when.startswith("flag:"):
        value = call.kwarg(when[5:])
        return value is not None and _true(value)
    return when == ""


def taint_ok(pred: str, taint: Taint, has_authorizer: bool) -> bool:
    match pred:
        case "not_element":
            return not taint.element
        case "parsed":
            return taint.parsed
        case "whole_event":
            return taint.exact and taint.path in WHOLE_PATHS
        case "identity":
            return has_authorizer and is_client_identity(taint)
    return True


def is_client_identity(taint: Taint) -> bool:
    """A user/tenant/owner/account id read from what the client sends."""
    if taint.kind is not Kind.EVENT or not taint.path:
        return False
    client = taint.root == "request" or taint.path[0] in CLIENT_PARTS
    return client and any(_norm(seg) in IDENTITY_NAMES for seg in taint.path)


def fixed_host_prefix(text: str) -> bool:
    """`https://api.example.com/...`: the URL's scheme and host are fixed by the code."""
    return _FIXED_HOST.match(text) is not None


def dotted(expr: ir.Expr) -> str:
    """`yaml.SafeLoader` for Attr(Name(yaml), SafeLoader); "" when not a dotted name."""
    parts: list[str] = []
    while isinstance(expr, ir.Attr):
        parts.append(expr.attr)
        expr = expr.obj
    if not isinstance(expr, ir.Name):
        return ""
    parts.append(expr.id)
    return ".".join(reversed(parts))


def _selected(spec: SinkSpec, call: ir.Call) -> list[ir.Expr]:
    if spec.any_arg:
        return [*call.args, *(kw.value for kw in call.kwargs)]
    out = [e for i in spec.args if (e := call.arg(i)) is not None]
    out += [kw.value for kw in call.kwargs if kw.name in spec.keywords]
    return out


def _mongo(expr: ir.Expr) -> list[tuple[ir.Expr, str]]:
    """`{"$where": js}` runs JavaScript; any other part is dangerous only when it may be an
    object parsed from the request (`{"password": {"$ne": null}}`)."""
    if not isinstance(expr, ir.Dict):
        return [(expr, "parsed")]
    out: list[tuple[ir.Expr, str]] = []
    for key, value in zip(expr.keys, expr.values, strict=True):
        where = isinstance(key, ir.Const) and key.value in ("$where", "$function", "$accumulator")
        out.append((value, "any" if where else "parsed"))
    return out


def _jwt_unverified(call: ir.Call) -> bool:
    options = call.kwarg("options")
    if isinstance(options, ir.Dict):
        for key, value in zip(options.keys, options.values, strict=True):
            if isinstance(key, ir.Const) and key.value == "verify_signature" and false_const(value):
                return True
    verify = call.kwarg("verify")
    if verify is not None and false_const(verify):
        return True
    algorithms = call.kwarg("algorithms")
    items = algorithms.items if isinstance(algorithms, ir.Seq) else (algorithms,)
    return any(isinstance(i, ir.Const) and str(i.value).lower() == "none" for i in items)


def false_const(expr: ir.Expr) -> bool:
    return isinstance(expr, ir.Const) and not expr.value and expr.value is not None


def _true(expr: ir.Expr) -> bool:
    if isinstance(expr, ir.Const):
        value = expr.value
        return value.lower() in ("true", "1") if isinstance(value, str) else bool(value)
    return False


def _norm(segment: str) -> str:
    return segment.lstrip(".").replace("_", "").replace("-", "").lower()


def secret_name(name: str) -> bool:
    return looks_secret_name(name) and _NOT_SECRET.search(name) is None


def secret_field(segment: str) -> bool:
    name = segment.lstrip(".")
    return name.lower() in _SECRET_HEADERS or secret_name(name)
