"""Calls into the project's own modules: function summaries across files.

A handler often hands the event to helpers of its project (`from lib.db import run_query`,
`const { runQuery } = require("./lib/db")`). The modules it imports (handler_imports.py,
at most MAX_MODULES of them, nearest first) are read and parsed only when a call resolves
to one of them, each once per handler; their module body runs once for the globals their
functions see, and a called function is summarised with the same engine and applied at the
call like a function of the handler's own file. A sink reached that way is reported in the
helper's file and line, with flow steps naming the files they are in.

Resolution is by name, never by importing anything: a Python call whose dotted name (imports
resolved: `lib.db.run_query`, `utils.clean`, `lib.repo.Repo().save`) names a module among the
imported files, from the handler's directory, the code root or the calling module's package;
a JavaScript call whose name starts with a relative specifier (`./lib/db.runQuery`,
`./run` for a default export), resolved as Node does against the calling file and read
through the module's exports. A module that cannot be read or parsed is skipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from slsguard.code import ir
from slsguard.code.handler_files import (
    HandlerSource,
    SourceRejected,
    lexical,
    read_source,
    rel_to,
)
from slsguard.code.handler_imports import js_candidates, local_imports, may_import_local
from slsguard.code.js_exports import exported_functions
from slsguard.code.python_frontend import CodeParseError
from slsguard.code.tables import Tables
from slsguard.code.taint import Analysis

MAX_MODULES = 50  # project modules followed per handler, nearest imports first

Parse = Callable[[str, str], ir.Module]
Target = tuple[Analysis, ir.Function]


@dataclass(frozen=True, slots=True)
class ProjectFiles:
    """The project modules a handler imports, and where its imports resolve from."""

    handler: Path  # the handler's file (lexical)
    bases: tuple[Path, ...]  # absolute imports: the handler's directory, the code root
    modules: tuple[tuple[Path, str], ...]  # (lexical path, posix path relative to the root)
    real_root: str  # the scan root, links resolved: no file outside it is read


def project_files(
    source: HandlerSource, root: Path, listings: dict[Path, frozenset[str]] | None = None
) -> ProjectFiles | None:
    """The modules `source` imports from its project; None for inline code or none found.
    `listings` caches directory contents across the handlers of a scan."""
    if source.path is None:
        return None
    bases = [source.path.parent]
    if source.code_root is not None:
        bases.append(source.code_root)
    bases = list(dict.fromkeys(bases))
    if not may_import_local(source.path, source.text, bases, {} if listings is None else listings):
        return None
    found = local_imports(source, root)[:MAX_MODULES]
    if not found:
        return None
    top = lexical(root)
    return ProjectFiles(
        source.path,
        tuple(bases),
        tuple((path, rel_to(path, top)) for path in found),
        os.path.realpath(top),
    )


def python_module(files: ProjectFiles, importer: Path, parts: list[str]) -> Path | None:
    """The project module a dotted Python module name (`lib.db`) names from `importer`."""
    if not all(part.isidentifier() for part in parts):
        return None
    modules = {path for path, _ in files.modules}
    # sys.path first (the handler's directory, the code root), then relative imports
    # (`from .db import q` is written `db.q`) against the importing module's package.
    for base in (*files.bases, importer.parent, importer.parent.parent):
        stem = base.joinpath(*parts)
        for candidate in (stem.with_name(f"{parts[-1]}.py"), stem / "__init__.py"):
            if candidate in modules:
                return candidate
    return None


def js_module(files: ProjectFiles, importer: Path, name: str) -> tuple[Path, str] | None:
    """A JavaScript name with a relative specifier (`./lib/db.runQuery`) as the project module
    it is in and the rest of the name ("runQuery"; "" for the module itself)."""
    if not name.startswith("."):
        return None  # package imports are libraries; relative specifiers are the project
    modules = {path for path, _ in files.modules}
    start = name.rfind("/") + 1
    cuts = [len(name), *(i for i in range(len(name) - 1, start - 1, -1) if name[i] == ".")]
    for cut in cuts:
        spec, rest = name[:cut], name[cut + 1 :]
        if not spec:
            continue
        path = next(
            (c for c in js_candidates(lexical(importer.parent / spec)) if c in modules), None
        )
        if path is not None:
            return path, rest
    return None


class Linker:
    """Resolves calls of one handler's analysis (and of the modules it reaches) to functions
    of the project's modules, analysing each module on first use."""

    def __init__(
        self,
        files: ProjectFiles,
        language: str,
        tables: Tables,
        parse: Parse,
        *,
        has_authorizer: bool,
    ) -> None:
        self.files = files
        self.python = language == "python"
        self.tables = tables
        self.parse = parse
        self.has_authorizer = has_authorizer
        self.active: list[tuple[str, str]] = []  # summaries being computed, all modules
        self.rels = dict(files.modules)
        self.paths = {"": files.handler, **{rel: path for path, rel in files.modules}}
        self.analyses: dict[Path, Analysis | None] = {}
        self.exports: dict[Path, dict[str, str]] = {}
        self.resolved: dict[tuple[str, str], Target | None] = {}

    def resolve(self, importer: Analysis, name: str) -> Target | None:
        """The project function a call named `name` in `importer`'s module runs, if any."""
        key = (importer.file, name)
        if key not in self.resolved:
            path = self.paths.get(importer.file)
            found: Target | None = None
            if path is not None and name.count("()") <= 1:
                method = "()." in name
                plain = name.replace("().", ".")
                if not plain.endswith("()"):
                    if self.python:
                        found = self._python(path, plain, method)
                    else:
                        found = self._javascript(path, plain, method)
            self.resolved[key] = found
        return self.resolved[key]

    # -- Python -------------------------------------------------------------------------------

    def _python(self, importer: Path, name: str, method: bool) -> Target | None:
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            path = self._python_module(importer, parts[:cut])
            if path is None:
                continue
            analysis = self._analysis(path)
            if analysis is None:
                return None
            fn = analysis.module.functions.get(".".join(parts[cut:]))
            if fn is not None and (fn.class_name is not None or not method):
                return analysis, fn
        return None

    def _python_module(self, importer: Path, parts: list[str]) -> Path | None:
        return python_module(self.files, importer, parts)

    # -- JavaScript / TypeScript --------------------------------------------------------------

    def _javascript(self, importer: Path, name: str, method: bool) -> Target | None:
        if not name.startswith("."):
            return None  # package imports are libraries; relative specifiers are the project
        found = js_module(self.files, importer, name)
        if found is None:
            return None
        path, rest = found
        analysis = self._analysis(path)
        if analysis is None:
            return None
        return self._export(analysis, path, rest or "default", method)

    def _export(self, analysis: Analysis, path: Path, name: str, method: bool) -> Target | None:
        functions = analysis.module.functions
        if method or "." in name:  # `new Repo().save(...)`: a method of an exported class
            fn = functions.get(name)
            return (analysis, fn) if fn is not None and fn.class_name is not None else None
        exports = self.exports.get(path)
        if exports is None:
            exports = self.exports[path] = exported_functions(analysis.module)
        qualname = exports.get(name)
        fn = functions.get(qualname) if qualname is not None else None
        return (analysis, fn) if fn is not None else None

    # -- modules ------------------------------------------------------------------------------

    def _analysis(self, path: Path) -> Analysis | None:
        """The module at `path`, parsed and its body run once; None when it cannot be read."""
        if path in self.analyses:
            return self.analyses[path]
        self.analyses[path] = None  # while it loads, and for good when it fails
        rel = self.rels[path]
        try:
            module = self.parse(read_source(path, self.files.real_root), rel)
            analysis = Analysis(
                module, self.tables, has_authorizer=self.has_authorizer, linker=self, file=rel
            )
            self.analyses[path] = analysis
            analysis.load()
        except (SourceRejected, CodeParseError, RecursionError, ValueError):
            self.analyses[path] = None
        return self.analyses[path]
