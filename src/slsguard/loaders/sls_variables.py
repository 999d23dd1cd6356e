"""Offline resolution of Serverless Framework variables (`${source:address, fallback}`).

Whatever can be known without AWS and without running code is resolved: self, opt, sls,
aws:region, env, param, strToBool and file() of YAML, JSON or text. Everything else becomes
an explicit `Unresolved` named after its source, so a rule can tell "comes from SSM" from
"not set". The input is untrusted: file() stays inside the project, JS/TS files are never
run, and cycles, nesting and output growth are bounded so a hostile file cannot hang us.

The syntax follows the v3 parser (lib/configuration/variables/parse.js): a variable starts
with a lowercase source type, so CloudFormation's `${AWS::Region}` or `${MyBucket}` in
Fn::Sub strings are left alone.
"""

from __future__ import annotations

import functools
import json
import os
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

from slsguard.loaders.yaml_source import DocumentError, parse_json, parse_yaml
from slsguard.model.source import DocPath, PathPart
from slsguard.model.values import Unresolved

MAX_HOPS = 50  # variables whose resolution is in progress at once (reference chains)
MAX_NESTING = 150  # containers and variable strings in progress at once (Python stack)
MAX_NODES = 250_000  # values copied into the output by references (self-reference bombs)
MAX_STRING = 1_000_000  # characters of one string built from variables
MAX_CHARS = 20_000_000  # characters built from variables in total
MAX_FILE_BYTES = 2_000_000  # a file() target larger than this is not read
MAX_ISSUES = 1_000

_CODE_SUFFIXES = frozenset({".js", ".cjs", ".mjs", ".ts", ".cts", ".mts"})
_YAML_SUFFIXES = frozenset({".yml", ".yaml"})
_JSON_SUFFIXES = frozenset({".json", ".tfstate"})
_DEFAULT_STAGE = "dev"
_DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class VariableContext:
    root: Path  # project root; ${file(...)} must stay inside it
    config_file: Path  # the serverless.yml being resolved
    stage: str | None = None  # --stage
    region: str | None = None  # --region
    params: Mapping[str, str] = field(default_factory=dict)  # --param KEY=VALUE
    env: Mapping[str, str] = field(default_factory=dict)  # environment for ${env:X}
    options: Mapping[str, str] = field(default_factory=dict)  # other ${opt:x} CLI options


@dataclass(frozen=True)
class VariableIssue:
    path: DocPath  # where in the document
    reason: str  # one line


def resolve_variables(data: Any, ctx: VariableContext) -> tuple[Any, list[VariableIssue]]:
    """A copy of data with every `${...}` resolved where possible offline, and the issues.

    The input is not modified. Where one node references a container, the output holds a copy.
    """
    resolver = _Resolver(data, ctx)
    try:
        value, _ = resolver.node(resolver.main, (), data)
    except RecursionError:  # a safety net only: the limits above keep well below it
        resolver.issue(resolver.main, (), "variables nest too deeply to resolve")
        return Unresolved("cycle", "${...}"), resolver.issues
    return value, resolver.issues


# --- syntax -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Literal:
    """A fallback written as a value: 'dev', "dev", 10, true, null."""

    value: Any


@dataclass(frozen=True, slots=True)
class _Source:
    type: str  # "self", "file", "ssm" ... without a (region) or .region part
    params: tuple[_Template, ...]  # file(./x.yml) -> (("./x.yml",),)
    address: _Template | None  # None when there is no ":" part


@dataclass(frozen=True, slots=True)
class _Var:
    sources: tuple[_Source | _Literal, ...]  # the first choice, then its fallbacks
    text: str  # as written, "${...}"

    @property
    def kind(self) -> str:
        first = self.sources[0]
        return first.type if isinstance(first, _Source) else "literal"


# Literal text and variables, in order; addresses and params may nest variables too.
_Template: TypeAlias = tuple[str | _Var, ...]

# v1 also wrote the region after a dot: ${cf.us-east-1:stack.Output}.
_TYPE = re.compile(r"[a-z][a-zA-Z0-9]*(?:\.[a-z0-9-]+)?")
_BARE = re.compile(r"[^\s,}'\"$]+")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_SPACES = re.compile(r"[ \t]*")
# What a scan stops at: an escape, a "${" that may open a variable (a lowercase type must
# follow), or a char ending the enclosing part. Searching in C keeps long strings cheap.
_OPEN = r"\\|\$\{(?=[ \t]*[a-z])"
_STOPS = {
    "": re.compile(_OPEN),
    ",}": re.compile(_OPEN + "|[,}]"),
    ",)}": re.compile(_OPEN + "|[,)}]"),
}
_PARSE_DEPTH = 16  # variables written inside variables
_CACHED_TEXT = 4_096  # longer strings are parsed each time rather than kept in the cache


def _parse(text: str) -> _Template | None:
    """The template of text, or None when it holds no variable (kept cheap: most don't)."""
    if "${" not in text:
        return None
    if len(text) > _CACHED_TEXT:
        return _parse_text(text)
    return _parse_cached(text)


@functools.lru_cache(maxsize=4_096)
def _parse_cached(text: str) -> _Template | None:
    return _parse_text(text)


def _parse_text(text: str) -> _Template | None:
    template, _ = _Parser(text).template(0, "", 0)
    return template if any(isinstance(part, _Var) for part in template) else None


class _Parser:
    """Recursive descent over one string; anything that is not a well-formed variable
    (no closing brace, uppercase type, stray quote) stays literal text."""

    def __init__(self, text: str) -> None:
        self.text = text
        # Each "${" is parsed once, and one that ran out of text is never scanned past again:
        # that keeps a hostile run of unclosed "${a:${a:..." linear.
        self.seen: dict[int, tuple[_Var, int] | None] = {}
        self.dead: set[int] = set()
        self.ran_out = False

    def char(self, index: int) -> str:
        return self.text[index] if index < len(self.text) else ""

    def skip(self, index: int) -> int:
        match = _SPACES.match(self.text, index)
        return match.end() if match else index

    def template(self, start: int, stops: str, depth: int) -> tuple[_Template, int]:
        """Text and variables from start up to the first char of stops outside a variable."""
        text, pattern = self.text, _STOPS[stops]
        parts: list[str | _Var] = []
        literal_from = index = start
        while (match := pattern.search(text, index)) is not None:
            index = match.start()
            char = text[index]
            if char in stops:
                break
            if char == "\\":  # as in v3, an escaped "$" does not open a variable
                index += 2
                continue
            found = self.variable(index, depth + 1)
            if found is None and stops and index in self.dead:
                index = len(text)  # what left that one unclosed leaves this one unclosed too
                break
            if found is None:
                index += 1
                continue
            if index > literal_from:
                parts.append(text[literal_from:index])
            parts.append(found[0])
            index = literal_from = found[1]
        else:
            index = len(text)
        if stops and index >= len(text):
            self.ran_out = True
        if index > literal_from:
            parts.append(text[literal_from:index])
        return tuple(parts), index

    def variable(self, start: int, depth: int) -> tuple[_Var, int] | None:
        if start not in self.seen:
            self.ran_out = False
            found = self._variable(start, depth) if depth <= _PARSE_DEPTH else None
            self.seen[start] = found
            if found is None and self.ran_out:
                self.dead.add(start)
        return self.seen[start]

    def _variable(self, start: int, depth: int) -> tuple[_Var, int] | None:
        sources: list[_Source | _Literal] = []
        index = start + 2
        while True:
            parsed = self.source(self.skip(index), not sources, depth)
            if parsed is None:
                return None
            sources.append(parsed[0])
            index = self.skip(parsed[1])
            char = self.char(index)
            if char == "}":
                return _Var(tuple(sources), self.text[start : index + 1]), index + 1
            if char != ",":
                return None
            index += 1

    def source(self, index: int, first: bool, depth: int) -> tuple[_Source | _Literal, int] | None:
        char = self.char(index)
        if char in ("'", '"'):
            quoted = None if first else self.quoted(index)
            return None if quoted is None else (_Literal(quoted[0]), quoted[1])
        match = _TYPE.match(self.text, index)
        if char and match and self.char(match.end()) in (":", "("):
            return self.typed(match.group().split(".")[0], match.end(), depth)
        bare = None if first else _BARE.match(self.text, index)
        return None if bare is None else (_Literal(_literal(bare.group())), bare.end())

    def typed(self, kind: str, index: int, depth: int) -> tuple[_Source, int] | None:
        params: tuple[_Template, ...] = ()
        if self.text[index] == "(":
            got = self.params(index + 1, depth)
            if got is None:
                return None
            params, index = got
            if self.char(self.skip(index)) != ":":
                return _Source(kind, params, None), index
            index = self.skip(index)
        address = self.address(self.skip(index + 1), depth)
        if address is None:
            return None
        return _Source(kind, params, address[0]), address[1]

    def address(self, index: int, depth: int) -> tuple[_Template, int] | None:
        char = self.char(index)
        if char in ("'", '"'):
            quoted = self.quoted(index)
            return None if quoted is None else ((quoted[0],), quoted[1])
        if char == ":":  # "${x::y}" is CloudFormation-like text, not a variable
            return None
        template, end = self.template(index, ",}", depth)
        return _strip(template), end

    def params(self, index: int, depth: int) -> tuple[tuple[_Template, ...], int] | None:
        items: list[_Template] = []
        while True:
            index = self.skip(index)
            char = self.char(index)
            if char == ")":
                return tuple(items), index + 1
            if char in ("'", '"'):
                quoted = self.quoted(index)
                if quoted is None:
                    return None
                items.append((quoted[0],))
                index = quoted[1]
            else:
                template, index = self.template(index, ",)}", depth)
                items.append(_strip(template))
            index = self.skip(index)
            char = self.char(index)
            if char == ",":
                index += 1
            elif char != ")":
                return None

    def quoted(self, index: int) -> tuple[str, int] | None:
        text, quote = self.text, self.text[index]
        end = text.find(quote, index + 1)
        if quote == "'":
            return None if end < 0 else (text[index + 1 : end], end + 1)
        while end >= 0 and _escaped(text, end):
            end = text.find(quote, end + 1)
        if end < 0:
            return None
        try:
            value = json.loads(text[index : end + 1])
        except ValueError:
            return None
        return (value, end + 1) if isinstance(value, str) else None


def _escaped(text: str, index: int) -> bool:
    start = index
    while index > 0 and text[index - 1] == "\\":
        index -= 1
    return (start - index) % 2 == 1


def _strip(template: _Template) -> _Template:
    if template and isinstance(template[-1], str):
        last = template[-1].rstrip()
        return (*template[:-1], last) if last else template[:-1]
    return template


def _literal(token: str) -> Any:
    """An unquoted fallback, read as the v3 parser does (JSON-like words and numbers)."""
    words = {"true": True, "false": False, "null": None}
    if token in words:
        return words[token]
    if _NUMBER.fullmatch(token):
        return float(token) if any(c in token for c in ".eE") else int(token)
    return token  # v3 rejects other bare words; taking them as text is the lenient reading


# --- resolution -------------------------------------------------------------------------------

_Result: TypeAlias = tuple[Any, int]  # a resolved value and how many nodes it holds


@dataclass(slots=True)
class _Doc:
    key: str  # "" for the config itself, else the file's real path
    data: Any
    base_dir: str  # what file() paths written in it are relative to
    label: str  # the file as named in issues, relative to the project root


@dataclass(frozen=True, slots=True)
class _Missing:
    """The source has no value, and offline we know it: the next fallback applies."""

    why: str | None = None  # the issue to report when no fallback is left


@dataclass(frozen=True, slots=True)
class _Call:
    var: _Var
    address: str | None
    params: tuple[str, ...]


_Outcome: TypeAlias = "_Result | _Missing"
_Handler: TypeAlias = Callable[["_Doc", DocPath, _Call], "_Result | _Missing"]
_ABSENT = _Missing()
_UNSET: Any = object()


class _Resolver:
    def __init__(self, data: Any, ctx: VariableContext) -> None:
        self.ctx = ctx
        self.root = os.path.realpath(ctx.root)
        config_dir = os.path.dirname(os.path.abspath(ctx.config_file))
        self.main = _Doc("", data, config_dir, "")
        self.issues: list[VariableIssue] = []
        self._reported: set[tuple[DocPath, str]] = set()
        self._memo: dict[tuple[str, DocPath], _Result] = {}
        self._active: set[tuple[str, DocPath]] = set()
        self._files: dict[str, _Doc | str | None] = {}
        self._hops = 0
        self._copied = 0
        self._chars = 0
        self._anchor: DocPath = ()  # where in the config the file being resolved was included
        self._trail: list[tuple[_Doc, DocPath, str]] = []  # variable strings being resolved
        self._stage: Any = _UNSET
        self._region: Any = _UNSET
        self._handlers: dict[str, _Handler] = {
            "self": self._self,
            "opt": self._opt,
            "env": self._env,
            "param": self._param,
            "sls": self._sls,
            "aws": self._aws,
            "file": self._file,
            "strToBool": self._str_to_bool,
        }

    # -- documents ----------------------------------------------------------------------------

    def node(self, doc: _Doc, path: DocPath, value: Any) -> _Result:
        """The resolved value at path, computed once (references reuse it)."""
        if isinstance(value, str):
            if _parse(value) is None:
                return value, 1
        elif not isinstance(value, (dict, list)):
            return value, 1
        key = (doc.key, path)
        done = self._memo.get(key)
        if done is not None:
            return done
        if key in self._active:
            return self._cycle(doc, path, value)
        if len(self._active) >= MAX_NESTING:
            return self._too_deep(doc, path, value)
        self._active.add(key)
        try:
            result = self._build(doc, path, value)
        finally:
            self._active.discard(key)
        self._memo[key] = result
        return result

    def _build(self, doc: _Doc, path: DocPath, value: Any) -> _Result:
        if isinstance(value, dict):
            mapping: dict[Any, Any] = {}
            size = 1
            for key, child in value.items():
                mapping[key], count = self.node(doc, (*path, key), child)
                size += count
            return mapping, size
        if isinstance(value, list):
            items: list[Any] = []
            size = 1
            for index, child in enumerate(value):
                item, count = self.node(doc, (*path, index), child)
                items.append(item)
                size += count
            return items, size
        return self._string(doc, path, value)

    def _too_deep(self, doc: _Doc, path: DocPath, value: Any) -> _Result:
        """Plain data is still copied (without recursion); variables this deep are not resolved."""
        if not _has_variables(value):
            size = _count(value, MAX_NODES - self._copied + 1)
            if self._copied + size <= MAX_NODES:
                self._copied += size
                return _copy(value), size
        self.issue(doc, path, f"{_dotted(path)} nests more than {MAX_NESTING} levels deep")
        return Unresolved("cycle", value if isinstance(value, str) else _dotted(path)), 1

    def _cycle(self, doc: _Doc, path: DocPath, value: Any) -> _Result:
        """Reported where the variable closing the loop is written, naming the node it reenters."""
        target = f"{doc.label}:{_dotted(path)}" if doc.key else _dotted(path)
        if self._trail:
            doc, path, value = self._trail[-1]
        text = value if isinstance(value, str) else target
        self.issue(doc, path, f"{text} refers back to {target} (circular reference)")
        return Unresolved("cycle", text), 1

    def _lookup(self, doc: _Doc, keys: list[str]) -> _Result | None:
        """The resolved value at a dotted address, None when absent.

        Walks the document as written, resolving only the nodes on the way: resolving a whole
        parent would make `custom.b: ${self:custom.a}` look circular.
        """
        node: Any = doc.data
        path: DocPath = ()
        walked_out = False  # inside a value a variable produced, which is resolved already
        for key in keys:
            if not walked_out and isinstance(node, str) and _parse(node) is not None:
                node, _ = self.node(doc, path, node)
                walked_out = True
            if isinstance(node, Unresolved):
                return node, 1
            child = _child(node, key)
            if child is None:
                return None
            step, node = child
            path = (*path, step)
        if walked_out:  # counting stops past the budget _share will check it against
            return None if node is None else (node, _count(node, MAX_NODES - self._copied + 1))
        result = self.node(doc, path, node)
        return None if result[0] is None else result

    def _share(self, doc: _Doc, path: DocPath, found: _Result, var: _Var) -> _Result:
        """A referenced value for a new place: containers are copied, within the budget."""
        value, size = found
        if not isinstance(value, (dict, list)):
            return found
        if self._copied + size > MAX_NODES:
            self.issue(doc, path, f"{var.text} expands the configuration past {MAX_NODES} values")
            return Unresolved("cycle", var.text), 1
        self._copied += size
        return _copy(value), size

    # -- strings and variables ----------------------------------------------------------------

    def _string(self, doc: _Doc, path: DocPath, text: str) -> _Result:
        template = _parse(text)
        if template is None:
            return text, 1
        self._trail.append((doc, path, text))
        try:
            if len(template) == 1 and isinstance(template[0], _Var):
                return self._variable(doc, path, template[0])  # keeps the value's type
            return self._join(doc, path, template, text), 1
        finally:
            self._trail.pop()

    def _join(self, doc: _Doc, path: DocPath, template: _Template, text: str) -> Any:
        """The string the template spells, or Unresolved when a part is not known."""
        if len(template) == 1 and isinstance(template[0], str):
            return template[0]  # an address or param written plainly
        pieces: list[str] = []
        unknown: str | None = None
        for part in template:
            if isinstance(part, str):
                pieces.append(part)
                continue
            value, _ = self._variable(doc, path, part)
            piece = _text_of(value)
            if piece is not None:
                pieces.append(piece)
            elif unknown is None:
                unknown = self._unembeddable(doc, path, part, value)
        if unknown is not None:
            return Unresolved(unknown, text)
        total = sum(map(len, pieces))
        if total > MAX_STRING or self._chars + total > MAX_CHARS:
            limit = MAX_STRING if total > MAX_STRING else MAX_CHARS
            self.issue(doc, path, f"{text} expands past {limit} characters")
            return Unresolved("cycle", text)
        self._chars += total
        return "".join(pieces)

    def _unembeddable(self, doc: _Doc, path: DocPath, var: _Var, value: Any) -> str:
        if isinstance(value, Unresolved):
            return value.kind
        what = {dict: "a mapping", list: "a list", type(None): "null"}.get(type(value), "a value")
        self.issue(doc, path, f"{var.text} is {what} and cannot be part of a string")
        return var.kind

    def _variable(self, doc: _Doc, path: DocPath, var: _Var) -> _Result:
        if self._hops >= MAX_HOPS:
            self.issue(doc, path, f"{var.text} nests more than {MAX_HOPS} variables deep")
            return Unresolved("cycle", var.text), 1
        self._hops += 1
        try:
            return self._first_value(doc, path, var)
        finally:
            self._hops -= 1

    def _first_value(self, doc: _Doc, path: DocPath, var: _Var) -> _Result:
        """The first source with a value; a source unknowable offline ends the chain."""
        why: str | None = None
        for source in var.sources:
            if isinstance(source, _Literal):
                return source.value, 1
            outcome = self._source(doc, path, source, var)
            if not isinstance(outcome, _Missing):
                return outcome
            why = why or outcome.why
        if why:
            self.issue(doc, path, why)
        return Unresolved(var.kind, var.text), 1

    def _source(self, doc: _Doc, path: DocPath, source: _Source, var: _Var) -> _Outcome:
        handler = self._handlers.get(source.type)
        if handler is None:  # ssm, cf, s3, unknown plugins: only known at deploy time
            return Unresolved(source.type, var.text), 1
        params = tuple(self._join(doc, path, param, var.text) for param in source.params)
        address = None
        if source.address is not None:
            address = self._join(doc, path, source.address, var.text)
        for arg in (address, *params):
            if isinstance(arg, Unresolved):
                return Unresolved(arg.kind, var.text), 1
        return handler(doc, path, _Call(var, address, params))

    # -- sources ------------------------------------------------------------------------------

    def _self(self, doc: _Doc, path: DocPath, call: _Call) -> _Outcome:
        keys = call.address.split(".") if call.address else []
        found = self._lookup(self.main, keys)
        if found is not None:
            return self._share(doc, path, found, call.var)
        if keys == ["provider", "stage"]:  # v1/v2 filled these in before resolving
            return self._effective_stage(), 1
        if keys == ["provider", "region"]:
            return self._effective_region(), 1
        return _Missing(f"{call.var.text} is not defined")

    def _opt(self, doc: _Doc, path: DocPath, call: _Call) -> _Outcome:
        ctx = self.ctx
        named = {"stage": ctx.stage or None, "region": ctx.region or None}
        if not call.address:
            everything = {**ctx.options, **{k: v for k, v in named.items() if v is not None}}
            return everything, 1 + len(everything)
        value = named[call.address] if call.address in named else ctx.options.get(call.address)
        return _ABSENT if value is None else (value, 1)

    def _env(self, doc: _Doc, path: DocPath, call: _Call) -> _Outcome:
        value = self.ctx.env.get(call.address) if call.address else None
        return _ABSENT if value is None else (value, 1)

    def _param(self, doc: _Doc, path: DocPath, call: _Call) -> _Outcome:
        name = call.address
        if not name:
            return _ABSENT
        if name in self.ctx.params:
            return self.ctx.params[name], 1
        stage = _text_of(self._effective_stage())
        if stage is None:  # which stage block applies is not known
            return Unresolved("param", call.var.text), 1
        for block in (stage, "default"):  # the stage's own value wins over the default
            found = self._lookup(self.main, ["params", block, name])
            if found is not None:
                return self._share(doc, path, found, call.var)
        return _ABSENT

    def _sls(self, doc: _Doc, path: DocPath, call: _Call) -> _Outcome:
        if call.address == "stage":
            return self._effective_stage(), 1
        return Unresolved("sls", call.var.text), 1  # instanceId is made per deployment

    def _aws(self, doc: _Doc, path: DocPath, call: _Call) -> _Outcome:
        if call.address == "region":
            return self._effective_region(), 1
        return Unresolved("aws", call.var.text), 1  # accountId needs credentials

    def _str_to_bool(self, doc: _Doc, path: DocPath, call: _Call) -> _Outcome:
        word = call.params[0].strip().lower() if call.params else ""
        if word in ("true", "1", "false", "0"):
            return word in ("true", "1"), 1
        self.issue(doc, path, f"{call.var.text} is not a boolean")
        return Unresolved("strToBool", call.var.text), 1

    def _effective_stage(self) -> Any:
        """What `sls deploy` would use: --stage, else provider.stage, else "dev"."""
        if self.ctx.stage:
            return self.ctx.stage
        if self._stage is _UNSET:
            found = self._lookup(self.main, ["provider", "stage"])
            self._stage = _DEFAULT_STAGE if found is None else _setting(found[0], "stage")
        return self._stage

    def _effective_region(self) -> Any:
        if self.ctx.region:
            return self.ctx.region
        if self._region is _UNSET:
            found = self._lookup(self.main, ["provider", "region"])
            self._region = _DEFAULT_REGION if found is None else _setting(found[0], "region")
        return self._region

    # -- file() -------------------------------------------------------------------------------

    def _file(self, doc: _Doc, path: DocPath, call: _Call) -> _Outcome:
        var = call.var
        relative = call.params[0] if call.params else ""
        target = os.path.realpath(os.path.join(doc.base_dir, relative)) if relative else ""
        problem = self._file_problem(relative, target)
        if problem:
            self.issue(doc, path, f"{var.text} {problem}")
            return Unresolved("file", var.text), 1
        loaded = self._load(target)
        if loaded is None:
            return _Missing(f"{var.text}: {relative} not found")
        if isinstance(loaded, str):
            self.issue(doc, path, f"{var.text}: {loaded}")
            return Unresolved("file", var.text), 1
        keys = call.address.split(".") if call.address else []
        outer = self._anchor
        self._anchor = outer if doc.key else path
        try:
            found = self._lookup(loaded, keys)
        finally:
            self._anchor = outer
        if found is None and keys:
            return _Missing(f"{var.text}: {call.address} is not defined in {relative}")
        if found is None:
            return _Missing(f"{var.text}: {relative} is empty")
        return self._share(doc, path, found, var)

    def _file_problem(self, relative: str, target: str) -> str | None:
        if not relative:
            return "has no file path"
        if not self._inside(target):
            return "points outside the project"
        if os.path.splitext(target)[1].lower() in _CODE_SUFFIXES:
            return "is code, not evaluated"
        return None

    def _inside(self, target: str) -> bool:
        try:
            return os.path.commonpath([self.root, target]) == self.root
        except ValueError:  # another drive
            return False

    def _load(self, target: str) -> _Doc | str | None:
        """The parsed file, a one-line problem, or None when it does not exist."""
        if target not in self._files:
            self._files[target] = self._read(target)
        return self._files[target]

    def _read(self, target: str) -> _Doc | str | None:
        label = Path(os.path.relpath(target, self.root)).as_posix()
        try:
            info = os.stat(target)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):  # never open a FIFO or device: it could block
            return f"{label} is not a regular file"
        if info.st_size > MAX_FILE_BYTES:
            return f"{label} is larger than {MAX_FILE_BYTES} bytes"
        try:
            text = Path(target).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeError) as exc:
            return f"{label} cannot be read: {exc}"
        suffix = os.path.splitext(target)[1].lower()
        try:
            if suffix in _YAML_SUFFIXES:
                data = parse_yaml(text, label).data
            elif suffix in _JSON_SUFFIXES:
                data = parse_json(text, label).data
            else:
                data = text  # Serverless reads any other file as plain text
        except DocumentError as exc:
            return f"{label}: {exc}"
        return _Doc(target, data, os.path.dirname(target), label)

    # -- issues -------------------------------------------------------------------------------

    def issue(self, doc: _Doc, path: DocPath, reason: str) -> None:
        """Record once; inside an included file, at the config node that included it."""
        if doc.key:
            inner = f":{_dotted(path)}" if path else ""
            reason = f"{doc.label}{inner}: {reason}"
            path = self._anchor
        reason = _one_line(reason)
        if (path, reason) in self._reported or len(self.issues) >= MAX_ISSUES:
            return
        self._reported.add((path, reason))
        self.issues.append(VariableIssue(path, reason))


# --- helpers ----------------------------------------------------------------------------------

_INDEX = re.compile(r"-?[0-9]+")


def _child(node: Any, key: str) -> tuple[PathPart, Any] | None:
    """The entry a dotted-address key names: a mapping key, or a list index like `a.0.b`."""
    if isinstance(node, dict):
        if key in node:
            return key, node[key]
        if _INDEX.fullmatch(key) and int(key) in node:
            return int(key), node[int(key)]
        return None
    if isinstance(node, list) and _INDEX.fullmatch(key) and 0 <= int(key) < len(node):
        return int(key), node[int(key)]
    return None


def _setting(value: Any, name: str) -> Any:
    """provider.stage or provider.region as text; a mapping there is not a usable name."""
    if isinstance(value, Unresolved):
        return value
    text = _text_of(value)
    return Unresolved("self", f"${{self:provider.{name}}}") if text is None else text


def _text_of(value: Any) -> str | None:
    """A value as JavaScript would write it into a string; None for what it refuses."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    return None


def _count(value: Any, limit: int) -> int:
    """Nodes in value, or a number past limit as soon as it is reached."""
    count, stack = 0, [value]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _has_variables(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and _parse(item) is not None:
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _copy(value: Any) -> Any:
    """Deep copy of nested dicts and lists, without recursion (the depth is not ours)."""
    top = dict(value) if isinstance(value, dict) else list(value)
    stack: list[Any] = [top]
    while stack:
        container = stack.pop()
        entries = list(container.items() if isinstance(container, dict) else enumerate(container))
        for key, child in entries:
            if isinstance(child, (dict, list)):
                clone = dict(child) if isinstance(child, dict) else list(child)
                container[key] = clone
                stack.append(clone)
    return top


def _dotted(path: DocPath) -> str:
    return ".".join(str(part) for part in path) if path else "(document root)"


def _one_line(text: str, limit: int = 300) -> str:
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"
