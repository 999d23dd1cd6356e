"""Handler code analysis inside a scan: find each function's handler source, run the
language's front end and the taint engine, and turn what they report into Findings that
name the function and its trigger.

A finding reachable from an unauthenticated HTTP route keeps the rule's severity; one
reachable only from internal triggers (queues, streams, schedules) drops one step, since an
attacker must first be able to write to that source. Calls into the project modules a handler
imports are followed: a sink reached there is reported in that module's file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from slsguard.findings import Diagnostic, DiagnosticLevel, Finding, Severity
from slsguard.model.app import App, Function
from slsguard.model.source import SourceRef
from slsguard.rules.base import RuleMeta

if TYPE_CHECKING:
    from slsguard.code.finding import CodeFinding
    from slsguard.code.handler_files import HandlerSource, Unresolvable


@dataclass(frozen=True, slots=True)
class CodeResult:
    findings: list[Finding]
    diagnostics: list[Diagnostic]
    lines: dict[str, list[str]]  # handler (and module) file -> its lines, for suppressions


def code_rule_metas(config_ids: set[str]) -> tuple[RuleMeta, ...]:
    """The code rules' metadata, minus ids a configuration rule already documents."""
    from slsguard.code.rules import CODE_RULES

    return tuple(meta for meta in CODE_RULES if meta.id not in config_ids)


def analyze_app(
    app: App, app_file: str, app_dir: Path, root: Path, selected: frozenset[str]
) -> CodeResult:
    from slsguard.code.analyze import CodeParseError
    from slsguard.code.handlers import resolve_handlers
    from slsguard.code.rules import CODE_RULES_BY_ID
    from slsguard.rules.sas05_monitoring.common import custom_resource_handlers

    sources, unresolved = resolve_handlers(app, app_dir, root)
    custom_handlers = custom_resource_handlers(app)
    functions = {fn.id: fn for fn in app.functions}
    diagnostics = _unresolved_diagnostics(app_file, unresolved, functions, any_found=bool(sources))
    findings: dict[tuple[str, str, int, int], Finding] = {}
    lines: dict[str, list[str]] = {}
    listings: dict[Path, frozenset[str]] = {}  # directory contents, for import look-ups
    for source in sources:
        fn = functions.get(source.function_id)
        if fn is None:
            continue
        try:
            found = _analyze(source, fn, root, listings)
        except CodeParseError as exc:
            diagnostics.append(
                Diagnostic(source.rel, f"not analysed: {exc}", DiagnosticLevel.WARNING)
            )
            continue
        if found is None:
            continue  # a language without a front end yet
        file = source.template_file or source.rel
        if source.path is not None:
            lines[file] = source.text.splitlines()
        for code_finding in found:
            meta = CODE_RULES_BY_ID.get(code_finding.rule_id)
            if meta is None or code_finding.rule_id not in selected:
                continue
            if (
                code_finding.rule_id == "SLS0106"
                and fn.id in custom_handlers
                and (code_finding.message.startswith("event.ResponseURL "))
            ):
                continue  # the custom resource protocol: answer CloudFormation's presigned URL
            offset = source.line_offset
            where, line = _place(code_finding.file, code_finding.line, file, offset)
            if code_finding.file and where not in lines:
                lines[where] = _module_lines(root, where)
            key = (meta.id, where, line, code_finding.column)
            if key in findings:
                continue  # module-level findings of a file shared by several functions
            findings[key] = Finding(
                rule_id=meta.id,
                rule_name=meta.name,
                category=meta.category,
                severity=_exposed_severity(meta.severity, fn),
                confidence=meta.confidence,
                message=f"{code_finding.message} (function {fn.id}{_trigger(fn)})",
                location=SourceRef(where, line, code_finding.column, ("code", fn.id, meta.id)),
                subject=f"function {fn.id}",
                fix=meta.fix,
                flow=tuple(
                    (SourceRef(*_place(step_file, step_line, file, offset), column, ()), what)
                    for step_line, column, what, step_file in code_finding.flow
                ),
            )
    return CodeResult(list(findings.values()), diagnostics, lines)


def _analyze(
    source: HandlerSource, fn: Function, root: Path, listings: dict[Path, frozenset[str]]
) -> list[CodeFinding] | None:
    """The code findings of one handler, or None for a language without a front end yet."""
    from slsguard.code import analyze
    from slsguard.code.project import project_files

    has_authorizer = bool(fn.http_events) and all(
        e.authorizer is not None for e in fn.http_events if e.kind in ("http", "httpApi")
    )
    project = project_files(source, root, listings)
    if source.language == "python":
        return analyze.analyze_python(
            source.text,
            source.rel,
            source.export,
            has_authorizer=has_authorizer,
            project=project,
        )
    analyze_javascript = getattr(analyze, "analyze_javascript", None)
    if analyze_javascript is None:
        return None
    result: list[CodeFinding] = analyze_javascript(
        source.text,
        source.rel,
        source.export,
        typescript=source.language == "typescript",
        has_authorizer=has_authorizer,
        project=project,
    )
    return result


def _place(step_file: str, line: int, file: str, offset: int) -> tuple[str, int]:
    """Where a finding or flow step is: "" is the handler's file (inline code: lines of the
    template, `offset` lines down); any other file is a project module it calls into."""
    return (step_file, line) if step_file else (file, line + offset)


def _module_lines(root: Path, rel: str) -> list[str]:
    """The lines of a project module a finding is in (its inline suppressions)."""
    import os

    from slsguard.code.handler_files import SourceRejected, lexical, read_source

    top = lexical(root)
    try:
        return read_source(top / rel, os.path.realpath(top)).splitlines()
    except SourceRejected:
        return []


def _unresolved_diagnostics(
    app_file: str, unresolved: list[Unresolvable], functions: dict[str, Function], any_found: bool
) -> list[Diagnostic]:
    """A warning per handler that cannot be found; when none of the app's handlers is in
    the tree (a templates-only repository), one note instead of a warning per function."""
    if not unresolved:
        return []
    if not any_found:
        names = ", ".join(u.function_id for u in unresolved[:3])
        more = f" and {len(unresolved) - 3} more" if len(unresolved) > 3 else ""
        reason = (
            f"handler code not analysed: no handler source found for {names}{more} "
            f"(first: {unresolved[0].reason})"
        )
        return [Diagnostic(app_file, reason, DiagnosticLevel.NOTE)]
    return [
        Diagnostic(
            app_file,
            f"function {u.function_id}: {u.reason}",
            DiagnosticLevel.WARNING,
            functions[u.function_id].src.line if u.function_id in functions else 0,
        )
        for u in unresolved
    ]


def _trigger(fn: Function) -> str:
    route = fn.public_route()
    if route is not None:
        return f", reachable from {route} without authorizer"
    kinds = sorted({e.kind for e in fn.events})
    return f", triggered by {', '.join(kinds)}" if kinds else ""


def _exposed_severity(severity: Severity, fn: Function) -> Severity:
    if fn.public_route() is not None or any(e.is_http for e in fn.events) or not fn.events:
        return severity
    return severity.shifted(-1)
