"""Find each function's handler source: the file (or inline template code) Lambda would load.

Only paths are computed and text is read: nothing found here is imported, run or evaluated.
Handlers resolve the way the runtimes do: Python `dir/module.function` or `pkg.module.function`
(dots and slashes both separate packages); Node `dir/file.export`, the export being what
follows the first dot of the last path part. A TypeScript project whose handler names its
build output (`dist/`, `.build/`, `.esbuild/`, `.webpack/service/` ...) is read from its
source when the output is not there.

Functions without code to read are skipped silently: container images and runtimes other
than Python and Node.js (Java, Go, .NET, Ruby, custom runtimes), which are not analysed yet.
Every other function yields a HandlerSource or an Unresolvable saying why.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slsguard.code.handler_exports import has_export
from slsguard.code.handler_files import (
    MAX_SOURCE_BYTES,
    HandlerSource,
    SourceRejected,
    Unresolvable,
    is_dir,
    is_file,
    join,
    language_of,
    lexical,
    lexically_inside,
    read_source,
    rel_to,
)
from slsguard.code.handler_imports import local_imports
from slsguard.discovery import FileRejected, read_text
from slsguard.model.app import App, Format, Function, Resource
from slsguard.model.values import Unresolved

__all__ = [
    "HandlerSource",
    "Unresolvable",
    "has_export",
    "local_imports",
    "resolve_handlers",
]

PYTHON = "python"
NODE = "node"
OTHER = "other"  # a runtime whose code is not analysed (yet)
TYPESCRIPT = "typescript"

NODE_SUFFIXES = (".js", ".mjs", ".cjs", ".ts")
TS_SUFFIXES = (".ts", ".tsx", ".mts")
_FUNCTION_TYPES = frozenset({"AWS::Lambda::Function", "AWS::Serverless::Function"})

Outcome = HandlerSource | Unresolvable | None


Resolved = tuple[list[HandlerSource], list[Unresolvable]]
# The last app's answer: the least-privilege analysis and the code rules both ask for it, on
# copies of one App that share its functions (kept here, so their id cannot be reused).
_last: tuple[tuple[object, Path, Path], tuple[Function, ...], Resolved] | None = None


def resolve_handlers(app: App, app_dir: Path, root: Path) -> Resolved:
    """The handler source of every function of app (app_dir: the directory of its
    serverless.yml or template), and the functions whose source cannot be found."""
    global _last
    key = (id(app.functions), app_dir, root)
    if _last is not None and _last[0] == key and _last[1] is app.functions:
        return list(_last[2][0]), list(_last[2][1])
    ctx = _Context(app, lexical(app_dir), lexical(root))
    sources: list[HandlerSource] = []
    problems: list[Unresolvable] = []
    for fn in app.functions:
        outcome = _resolve(fn, ctx)
        if isinstance(outcome, HandlerSource):
            sources.append(outcome)
        elif outcome is not None:
            problems.append(outcome)
    _last = (key, app.functions, (sources, problems))
    return list(sources), list(problems)


# One scan asks for the same root's real path once per app: resolve it once.
_realpath = functools.lru_cache(maxsize=16)(os.path.realpath)


@dataclass(slots=True)
class _Context:
    app: App
    app_dir: Path
    root: Path
    real_root: str = ""
    resources: dict[str, Resource] = field(default_factory=dict)
    texts: dict[Path, str | SourceRejected] = field(default_factory=dict)
    template_lines: list[str] | None = None

    def __post_init__(self) -> None:
        self.real_root = _realpath(str(self.root))
        if self.app.format is not Format.SERVERLESS:  # a serverless app's resources are extras
            self.resources = {r.id: r for r in self.app.resources if r.type in _FUNCTION_TYPES}

    def read(self, path: Path) -> str | SourceRejected:
        """Read once per file: functions often share one."""
        if path not in self.texts:
            try:
                self.texts[path] = read_source(path, self.real_root)
            except SourceRejected as exc:
                self.texts[path] = exc
        return self.texts[path]

    def line(self, number: int) -> str:
        if self.template_lines is None:
            try:
                self.template_lines = read_text(self.root / self.app.file).splitlines()
            except FileRejected:
                self.template_lines = []
        lines = self.template_lines
        return lines[number - 1] if 0 < number <= len(lines) else ""


def _resolve(fn: Function, ctx: _Context) -> Outcome:
    resource = ctx.resources.get(fn.id)
    props: Mapping[str, Any] = resource.properties if resource is not None else {}
    language = _runtime_language(fn.runtime.value if fn.runtime else None)
    if _is_image(props) or language == OTHER:
        return None
    handler = fn.handler
    if handler is None:
        # A serverless function without a handler is an image (`image:`): nothing to read.
        return None if fn.format is Format.SERVERLESS else Unresolvable(fn.id, "no Handler set")
    if not isinstance(handler, str) or not handler:
        return Unresolvable(fn.id, f"handler is not statically known ({_unknown(handler)})")
    if resource is not None:
        inline = _inline_code(props)
        if inline is not None:
            return _inline_source(fn, handler, language, resource, *inline, ctx)
    base = _code_dir(fn, handler, resource, ctx)
    if isinstance(base, Unresolvable):
        return base
    return _file_source(fn, handler, language, base, ctx)


def _runtime_language(runtime: Any) -> str | None:
    """PYTHON, NODE, OTHER, or None when the runtime is not known (then both are tried)."""
    if not isinstance(runtime, str):
        return None
    name = runtime.strip().lower()
    if name.startswith("python"):
        return PYTHON
    return NODE if name.startswith("nodejs") else OTHER


def _is_image(props: Mapping[str, Any]) -> bool:
    return props.get("PackageType") == "Image" or "ImageUri" in props


# -- code directory ----------------------------------------------------------------------


def _code_dir(
    fn: Function, handler: str, resource: Resource | None, ctx: _Context
) -> Path | Unresolvable:
    """Where the handler path is relative to: the service directory (serverless), CodeUri
    (SAM), a local `Code` path (`aws cloudformation package`) or the CDK asset directory."""
    if fn.format is Format.SERVERLESS:
        return ctx.app_dir
    props: Mapping[str, Any] = resource.properties if resource is not None else {}
    code = props.get("Code")
    local = fn.code_path if fn.code_path is not None else code if isinstance(code, str) else None
    in_s3 = Unresolvable(fn.id, f"handler {handler}: code is in S3, not in the project")
    if local is not None:
        return in_s3 if local.startswith("s3://") else _existing_dir(fn, handler, local, ctx)
    if resource is not None and resource.type == "AWS::Serverless::Function":
        uri = props.get("CodeUri")
        if uri is None:  # sam build packages the template's directory
            return ctx.app_dir
        if isinstance(uri, dict) and "Bucket" in uri:
            return in_s3
        return Unresolvable(
            fn.id, f"handler {handler}: CodeUri is not statically known ({_unknown(uri)})"
        )
    if isinstance(code, dict) and "S3Bucket" in code:
        return in_s3
    return Unresolvable(
        fn.id, f"handler {handler}: Code is not statically known ({_unknown(code)})"
    )


def _existing_dir(fn: Function, handler: str, local: str, ctx: _Context) -> Path | Unresolvable:
    path = lexical(os.path.join(ctx.app_dir, local))  # CDK may record an absolute asset path
    shown = rel_to(path, ctx.root)
    if not lexically_inside(path, ctx.root):
        return Unresolvable(
            fn.id, f"handler {handler}: code directory {shown} is outside the project"
        )
    if is_dir(path):
        return path
    if is_file(path):
        return Unresolvable(fn.id, f"handler {handler}: code {shown} is a file (an archive?)")
    return Unresolvable(fn.id, f"handler {handler}: no code directory {shown}/")


# -- handler files -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    """Files that may hold the handler, in the order the runtime would look."""

    kind: str  # PYTHON, NODE or TYPESCRIPT (the source of a build output)
    export: str
    stem: Path  # the module path without extension
    files: tuple[Path, ...]


def _file_source(
    fn: Function, handler: str, language: str | None, base: Path, ctx: _Context
) -> HandlerSource | Unresolvable:
    plans = _plans(handler, language, base)
    if not plans:
        return Unresolvable(fn.id, f"handler {handler}: expected <file>.<function>")
    inside = [p for p in plans if lexically_inside(p.stem, ctx.root)]
    if not inside:
        shown = rel_to(plans[0].stem, ctx.root)
        return Unresolvable(fn.id, f"handler {handler}: {shown} is outside the project")
    for plan in inside:
        if plan.kind in (PYTHON, NODE) and not is_dir(plan.stem.parent):
            continue  # every candidate lies in that directory: one stat instead of ten
        for path in plan.files:
            if is_file(path):
                return _read_handler(fn, handler, plan, path, base, ctx)
    return Unresolvable(fn.id, f"handler {handler}: no {_tried(plans, ctx.root)}")


def _read_handler(
    fn: Function, handler: str, plan: _Plan, path: Path, base: Path, ctx: _Context
) -> HandlerSource | Unresolvable:
    rel = rel_to(path, ctx.root)
    text = ctx.read(path)
    if isinstance(text, SourceRejected):
        return Unresolvable(fn.id, f"handler {handler}: {rel}: {text}")
    language = language_of(path) or "javascript"
    return HandlerSource(fn.id, language, path, rel, plan.export, text, code_root=base)


def _plans(handler: str, language: str | None, base: Path) -> list[_Plan]:
    plans: list[_Plan | None] = []
    if language in (PYTHON, None):
        plans.append(_python_plan(handler, base))
    if language in (NODE, None):
        node = _node_plan(handler, base)
        plans += [node, _typescript_plan(handler, base, node.export if node else "")]
    return [p for p in plans if p is not None]


def _python_plan(handler: str, base: Path) -> _Plan | None:
    """`src/orders/app.create` and `orders.app.create`: the runtime imports the module with
    slashes read as dots, so both name orders/app.py (or the package orders/app/)."""
    module, _, function = handler.rpartition(".")
    if not module or not function:
        return None
    parts = _without_dot_slash(module).split("/")
    # `..` stays a parent reference, so that it is caught as leaving the project.
    stem = join(base, "/".join(p if p == ".." else p.replace(".", "/") for p in parts))
    # Python's finder takes a package directory before a module of the same name.
    return _Plan(PYTHON, function, stem, (stem / "__init__.py", _suffixed(stem, ".py")))


def _node_plan(handler: str, base: Path) -> _Plan | None:
    """`src/orders/app.create`: the file is what precedes the first dot of the last part."""
    module, export = _node_split(handler)
    if not module or not export:
        return None
    stem = join(base, module)
    files = [_suffixed(stem, s) for s in NODE_SUFFIXES]
    files += [stem / f"index{s}" for s in NODE_SUFFIXES]
    return _Plan(NODE, export, stem, tuple(files))


# Output directories of tsc and the bundler plugins; `.webpack/service/` is serverless-webpack.
_BUILD_PREFIX = re.compile(r"^(?:(?:dist|build|\.build|\.esbuild|\.webpack(?:/service)?|out)/)+")


def _typescript_plan(handler: str, base: Path, export: str) -> _Plan | None:
    """`dist/orders/app.handler` names tsc or bundler output; when that is absent (not built
    yet) the source is orders/app.ts or src/orders/app.ts."""
    module, _ = _node_split(handler)
    source = _BUILD_PREFIX.sub("", module)
    if not export or source == module or not source:
        return None
    stems = [source] if source.startswith("src/") else [source, f"src/{source}"]
    files = [_suffixed(join(base, stem), s) for stem in stems for s in TS_SUFFIXES]
    return _Plan(TYPESCRIPT, export, join(base, stems[0]), tuple(files))


def _node_split(handler: str) -> tuple[str, str]:
    folder, slash, last = handler.rpartition("/")
    module, _, export = last.partition(".")
    return _without_dot_slash(f"{folder}{slash}{module}"), export


def _without_dot_slash(path: str) -> str:
    while path.startswith("./"):
        path = path[2:]
    return path


def _suffixed(stem: Path, suffix: str) -> Path:
    return Path(f"{stem}{suffix}")  # not with_suffix: `app.v2` keeps its dot


def _tried(plans: list[_Plan], root: Path) -> str:
    """The files looked for, as briefly as they can be named."""
    kinds = [p.kind for p in plans]
    if kinds[:2] == [PYTHON, NODE] and plans[0].stem == plans[1].stem:
        # Runtime unknown, and both runtimes' readings name the same module.
        shown = rel_to(plans[0].stem, root)
        merged = f"{shown}.py, .js, .mjs, .cjs, .ts or index file under {shown}/"
        return "; ".join([merged, *(_tried_one(p, root) for p in plans[2:])])
    return "; ".join(_tried_one(p, root) for p in plans)


def _tried_one(plan: _Plan, root: Path) -> str:
    shown = rel_to(plan.stem, root)
    if plan.kind == PYTHON:
        return f"{shown}.py or {shown}/__init__.py"
    if plan.kind == NODE:
        return f"{shown}.js, .mjs, .cjs, .ts or index file under {shown}/"
    stems = dict.fromkeys(rel_to(f.with_name(f.stem), root) for f in plan.files)
    return "nor " + " or ".join(f"{stem}.ts, .tsx, .mts" for stem in stems)


# -- inline code -------------------------------------------------------------------------


def _inline_code(props: Mapping[str, Any]) -> tuple[tuple[str, ...], Any] | None:
    """CloudFormation `Code.ZipFile` or SAM `InlineCode`: the key path and its value."""
    code = props.get("Code")
    if isinstance(code, dict) and "ZipFile" in code:
        return ("Code", "ZipFile"), code["ZipFile"]
    if "InlineCode" in props:
        return ("InlineCode",), props["InlineCode"]
    return None


def _inline_source(
    fn: Function,
    handler: str,
    language: str | None,
    resource: Resource,
    keys: tuple[str, ...],
    value: Any,
    ctx: _Context,
) -> HandlerSource | Unresolvable:
    label = ".".join(keys)
    if language is None:
        return Unresolvable(fn.id, f"inline code ({label}): runtime not statically known")
    if not isinstance(value, str):
        return Unresolvable(
            fn.id, f"inline code ({label}) is not statically known ({_unknown(value)})"
        )
    if len(value.encode("utf-8", "surrogatepass")) > MAX_SOURCE_BYTES:
        return Unresolvable(fn.id, f"inline code ({label}) is over the 2 MB limit")
    if language == PYTHON:
        export, lang = handler.rpartition(".")[2], "python"
    else:
        export, lang = _node_split(handler)[1], "javascript"
    line = ctx.app.at((*resource.src.path, "Properties", *keys), resource.src).line
    return HandlerSource(
        fn.id,
        lang,
        None,
        f"{ctx.app.file}#{fn.id}",
        export,
        value,
        line_offset=_content_offset(ctx.line(line), line),
        template_file=ctx.app.file,
    )


def _unknown(value: Any) -> str:
    """One short line saying what keeps a value from being known."""
    if isinstance(value, Unresolved):
        variable = re.search(r"\$\{(?!!)([^}]+)\}", value.expr)
        text = f"uses ${{{variable[1]}}}" if variable else value.kind
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "..."


_KEY_LINE = re.compile(r"""\s*(?:-\s+)?["']?[\w:]+["']?\s*:\s*(.*)$""")


def _content_offset(key_line_text: str, line: int) -> int:
    """The template line of the code's first line, minus 1. A YAML block scalar (`|`, `>`,
    also after a tag such as !Sub) or a value on the next line starts below its key."""
    match = _KEY_LINE.match(key_line_text)
    if match is None:
        return line - 1
    rest = re.sub(r"^!\S+\s*", "", match[1]).strip()
    return line if not rest or rest[0] in "|>" else line - 1
