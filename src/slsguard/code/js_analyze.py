"""Entry point of the code analysis for JavaScript and TypeScript handler files: the
tree-sitter front end, then the language-neutral engine with data/javascript.toml.
slsguard.code.analyze may re-export `analyze_javascript`: this module imports it lazily."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from slsguard.code import ir, parse_cache
from slsguard.code.finding import CodeFinding
from slsguard.code.js_exports import exported_functions
from slsguard.code.js_frontend import parse_javascript

if TYPE_CHECKING:
    from slsguard.code.project import ProjectFiles

__all__ = ["analyze_javascript", "handler_function"]


def analyze_javascript(
    text: str,
    rel: str,
    handler: str,
    *,
    typescript: bool = False,
    has_authorizer: bool = False,
    project: ProjectFiles | None = None,
) -> list[CodeFinding]:
    """Findings of the code rules in one JavaScript (or TypeScript) handler file.

    `rel` is the file's path relative to the scan root (a `.tsx` suffix selects TSX);
    `handler` the export the function's handler setting names ("handler", "default", or
    the whole "index.handler"), resolved to the function it exports; its first parameter is
    the event. `has_authorizer` says whether an authorizer protects the function's HTTP
    events (SLS0901). Module-level findings do not depend on `handler`. `project` lists
    the project modules the handler imports: calls into them are followed (project.py).
    tree-sitter recovers from syntax errors, so only nesting too deep to walk raises
    CodeParseError.
    """
    from slsguard.code.analyze import analyze_module  # analyze may import this module

    tsx = rel.lower().endswith(".tsx")
    module = _parse(text, rel, typescript or tsx, tsx)
    entry = handler_function(module, handler)
    return analyze_module(
        module,
        text,
        entry,
        language="javascript",
        has_authorizer=has_authorizer,
        project=project,
        parse=parse_module_file,
    )


def _parse(text: str, rel: str, typescript: bool, tsx: bool) -> ir.Module:
    # Several functions' handlers often live in one file, and the least-privilege analysis
    # reads them too: parse it once per app (parse_cache.py).
    dialect = "tsx" if tsx else "typescript" if typescript else "javascript"
    return parse_cache.parsed(
        dialect, text, rel, lambda: parse_javascript(text, rel, typescript=typescript, tsx=tsx)
    )


def parse_module_file(text: str, rel: str) -> ir.Module:
    """A project module, its dialect chosen by its suffix (.ts, .tsx, .js ...); cached."""
    suffix = PurePosixPath(rel).suffix.lower()
    typescript = suffix in (".ts", ".mts", ".cts", ".tsx")
    return _parse(text, rel, typescript, suffix == ".tsx")


def handler_function(module: ir.Module, handler: str) -> str:
    """The qualname of the function that export `handler` (or "file.export") names."""
    exports = exported_functions(module)
    candidates = [handler]
    if "." in handler:  # Lambda's "dir/file.export": the export follows the file's first dot
        candidates.append(handler.rsplit("/", 1)[-1].split(".", 1)[1])
        candidates.append(handler.rsplit(".", 1)[1])
    for name in candidates:
        if name in exports:
            return exports[name]
    return next((name for name in candidates if name in module.functions), candidates[-1])
