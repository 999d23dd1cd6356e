"""Entry points of the code analysis: one per language, and the language-neutral core."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from slsguard.code import ir, parse_cache, tables
from slsguard.code.finding import CodeFinding
from slsguard.code.python_frontend import CodeParseError, parse_module
from slsguard.code.secrets_scan import hardcoded_secrets
from slsguard.code.taint import Analysis

if TYPE_CHECKING:
    from slsguard.code.project import ProjectFiles

__all__ = [
    "CodeFinding",
    "CodeParseError",
    "analyze_javascript",
    "analyze_module",
    "analyze_python",
]


def analyze_python(
    text: str,
    rel: str,
    handler: str,
    *,
    has_authorizer: bool = False,
    project: ProjectFiles | None = None,
) -> list[CodeFinding]:
    """Findings of the code rules in one Python handler file.

    `rel` is the file's path relative to the scan root; `handler` the name of the handler
    function in it (its first parameter is the event; "app.handler" is read as "handler");
    `has_authorizer` says whether an authorizer protects the function's HTTP events
    (SLS0901). Module-level findings (secrets, debug switches, calls without timeouts ...)
    do not depend on `handler`. `project` lists the project modules the handler imports:
    calls into them are followed (project.py) and findings in them name their `file`.
    Raises CodeParseError when the text is not valid Python.
    """
    module = _parse_python(text, rel)
    return analyze_module(
        module,
        text,
        handler,
        language="python",
        has_authorizer=has_authorizer,
        project=project,
        parse=_parse_python,
    )


def _parse_python(text: str, rel: str) -> ir.Module:
    # One file often holds several functions' handlers, and the least-privilege analysis
    # reads them too: parse it once per app (parse_cache.py).
    return parse_cache.parsed("python", text, rel, lambda: parse_module(text, rel))


def analyze_module(
    module: ir.Module,
    text: str,
    handler: str,
    *,
    language: str,
    has_authorizer: bool = False,
    project: ProjectFiles | None = None,
    parse: Callable[[str, str], ir.Module] | None = None,
) -> list[CodeFinding]:
    """Findings of the code rules in a module any front end produced, with the tables of
    `language` (data/<language>.toml); `text` is the source, for hard-coded secrets.
    With `project` and `parse` (the front end, for the project's other modules), calls
    into the modules the handler imports are followed."""
    table = tables.load(language)
    linker = None
    if project is not None and parse is not None:
        from slsguard.code.project import Linker

        linker = Linker(project, language, table, parse, has_authorizer=has_authorizer)
    try:
        analysis = Analysis(module, table, has_authorizer=has_authorizer, linker=linker)
        findings = analysis.run(handler)
    except RecursionError:
        raise CodeParseError("expressions nested too deeply to analyse") from None
    findings += hardcoded_secrets(text, module)
    return sorted(findings, key=CodeFinding.sort_key)


def analyze_javascript(
    text: str,
    rel: str,
    handler: str,
    *,
    typescript: bool = False,
    has_authorizer: bool = False,
    project: ProjectFiles | None = None,
) -> list[CodeFinding]:
    """Findings of the code rules in one JavaScript/TypeScript handler file (tree-sitter)."""
    from slsguard.code.js_analyze import analyze_javascript as run

    return run(
        text, rel, handler, typescript=typescript, has_authorizer=has_authorizer, project=project
    )
