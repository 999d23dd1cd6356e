"""discover -> load -> run rules -> suppress. No printing here: callers render results."""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from slsguard import suppress
from slsguard.discovery import Candidate, FileRejected, discover, looks_like_template, read_text
from slsguard.findings import Diagnostic, DiagnosticLevel, Finding, ScanResult, Severity
from slsguard.loaders.yaml_source import Document, DocumentError, parse_json, parse_yaml
from slsguard.model.app import (
    Api,
    App,
    Bucket,
    DataStore,
    Format,
    Function,
    LogGroup,
    Permission,
    Resource,
    Role,
)
from slsguard.rules.base import Rule, RuleMeta

if TYPE_CHECKING:
    from slsguard.deps.advisories import AdvisorySource
    from slsguard.deps.model import Manifest

# Rules that need the dependency manifests each function ships.
DEPENDENCY_RULES = frozenset({"SLS0601", "SLS0602"})
# Rules that compare what each function's code needs from IAM with what its role grants.
LEAST_PRIVILEGE_RULES = frozenset({"SLS0404", "SLS0408", "SLS0409"})


@dataclass(frozen=True, slots=True)
class ScanOptions:
    paths: tuple[Path, ...] = (Path("."),)
    stage: str | None = None
    region: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    severity_overrides: Mapping[str, Severity] = field(default_factory=dict)
    per_path_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    baseline: frozenset[str] = frozenset()
    max_file_bytes: int = 5 * 1024 * 1024
    min_severity: Severity = Severity.INFO  # findings below it are not reported at all
    jobs: int | None = None  # worker processes for large scans; None: one per CPU, at most 8
    osv_db: Path | None = None  # an OSV directory/zip/JSON or an slsguard database
    online: bool = False  # ask the OSV API (the only network use, and only when asked)
    osv_url: str = "https://api.osv.dev"
    # Set by scan(): read dependency manifests, and where advisories come from.
    dependencies: bool = False
    advisory_source: AdvisorySource | None = None
    code_rules: frozenset[str] = frozenset()  # handler code rules to run
    needs: bool = False  # work out each function's IAM needs from its code (least_privilege/)
    env: Mapping[str, str] | None = None  # for ${env:X}; the process environment by default


def scan_root(paths: tuple[Path, ...]) -> Path:
    """The directory findings are reported relative to."""
    dirs = [p if p.is_dir() else p.parent for p in paths]
    return Path(os.path.commonpath([os.path.abspath(d) for d in dirs]))


def is_selected(meta: RuleMeta, select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    """--select/--ignore: rule ids, id prefixes ("SLS04") or SAS categories ("SAS-4")."""

    def matches(patterns: tuple[str, ...]) -> bool:
        return any(
            meta.id.startswith(p.upper()) or meta.category.value == p.upper() for p in patterns
        )

    return (not select or matches(select)) and not matches(ignore)


def selected_rules(
    rules: tuple[Rule, ...], select: tuple[str, ...], ignore: tuple[str, ...]
) -> list[Rule]:
    return [r for r in rules if is_selected(r.meta, select, ignore)]


def selected_code_rules(select: tuple[str, ...], ignore: tuple[str, ...]) -> frozenset[str]:
    from slsguard.code.rules import CODE_RULES

    return frozenset(m.id for m in CODE_RULES if is_selected(m, select, ignore))


def load_candidate(
    cand: Candidate, text: str, root: Path, options: ScanOptions
) -> tuple[Document | None, App | None, list[Diagnostic]]:
    """Parse and model one file. Discovered files that are not templates are skipped quietly."""
    if cand.kind != "serverless" and not looks_like_template(text):
        if cand.explicit:
            return (
                None,
                None,
                [
                    Diagnostic(
                        cand.rel,
                        "not a serverless.yml or a CloudFormation/SAM template",
                        DiagnosticLevel.ERROR,
                    )
                ],
            )
        return None, None, []
    parse = parse_json if cand.rel.endswith(".json") or text.lstrip()[:1] == "{" else parse_yaml
    doc = parse(text, cand.rel)
    if cand.kind == "serverless":
        from slsguard.loaders.serverless import load_serverless
        from slsguard.loaders.sls_variables import VariableContext

        ctx = VariableContext(
            root=root,
            config_file=cand.path,
            stage=options.stage,
            region=options.region,
            params=dict(options.params),
            env=dict(os.environ if options.env is None else options.env),
        )
        app, diagnostics = load_serverless(doc, ctx, dict(options.params))
        if app is not None:
            app, more = _with_dependencies(app, cand, root, options)
            diagnostics = [*diagnostics, *more]
            app = _with_needs(app, cand, root, options)
        return doc, app, diagnostics
    if not isinstance(doc.data, dict):
        return doc, None, [Diagnostic(cand.rel, "template is not a mapping")]
    app, diagnostics = _with_dependencies(build_template_app(doc, options), cand, root, options)
    return doc, _with_needs(app, cand, root, options), diagnostics


def _with_needs(app: App, cand: Candidate, root: Path, options: ScanOptions) -> App:
    if not options.needs or not app.functions or app.cloud != "aws":
        return app
    from slsguard.least_privilege.needs import analyze_app

    return dataclasses.replace(app, needs=analyze_app(app, cand.path.parent, root))


# Manifests read in this process, by path: functions and apps often share a directory.
_manifest_cache: dict[Path, Manifest | None] = {}


def _with_dependencies(
    app: App, cand: Candidate, root: Path, options: ScanOptions
) -> tuple[App, list[Diagnostic]]:
    """The manifests the app's functions ship and, when a source is set, their advisories."""
    if not options.dependencies:
        return app, []
    from slsguard.deps.advisories import AdvisoryLookupError, lookup
    from slsguard.loaders.dependencies import attach_dependencies

    app, diagnostics = attach_dependencies(app, cand.path.parent, root, _manifest_cache)
    if options.advisory_source is None or not app.dependencies:
        return app, diagnostics
    packages = [p for shipped in app.dependencies for p in shipped.manifest.packages]
    try:
        advisories = lookup(options.advisory_source, packages)
    except AdvisoryLookupError as exc:
        reason = f"known vulnerabilities not checked: {exc}"
        return app, [*diagnostics, Diagnostic(cand.rel, reason, DiagnosticLevel.WARNING)]
    return dataclasses.replace(app, advisories=advisories), diagnostics


def build_template_app(doc: Document, options: ScanOptions) -> App:
    from slsguard.loaders.cloudformation import TemplateBuilder
    from slsguard.loaders.sam import SamBuilder, is_sam

    sam = is_sam(doc.data)
    builder_type = SamBuilder if sam else TemplateBuilder
    builder = builder_type(doc, doc.data, params=options.params, region=options.region)
    parts = builder.build()
    description = doc.data.get("Description")
    return App(
        file=doc.file,
        format=Format.SAM if sam else Format.CLOUDFORMATION,
        src=doc.ref(()),
        name=description if isinstance(description, str) else None,
        functions=tuple(parts.functions),
        roles=tuple(parts.roles),
        buckets=tuple(parts.buckets),
        apis=tuple(parts.apis),
        resources=tuple(parts.resources),
        permissions=tuple(parts.permissions),
        log_groups=tuple(parts.log_groups),
        stores=tuple(parts.stores),
        alarms=tuple(parts.alarms),
        parameters=tuple(parts.parameters),
        outputs=tuple(parts.outputs),
        ignores=tuple(parts.ignores),
        locate=doc.ref,
    )


def _scopes(app: App) -> dict[type, tuple[object, ...]]:
    """The nodes each rule scope visits, computed once per app."""
    return {
        App: (app,),
        Function: app.functions,
        Role: app.roles,
        Bucket: app.buckets,
        Api: app.apis,
        Resource: app.resources,
        Permission: app.permissions,
        LogGroup: app.log_groups,
        DataStore: app.stores,
    }


def run_rules(app: App, rules: list[Rule], options: ScanOptions) -> list[Finding]:
    findings: list[Finding] = []
    scopes = _scopes(app)
    for rule in rules:
        meta = rule.meta
        if app.format.value not in meta.formats or (app.cloud != "aws" and not meta.any_cloud):
            continue
        default = options.severity_overrides.get(meta.id, meta.severity)
        for node in scopes[rule.scope]:
            for hit in rule.check(node, app):
                severity = options.severity_overrides.get(meta.id) or hit.severity or default
                if severity.rank < options.min_severity.rank:
                    continue
                findings.append(
                    Finding(
                        rule_id=meta.id,
                        rule_name=meta.name,
                        category=meta.category,
                        severity=severity,
                        confidence=meta.confidence,
                        message=hit.message,
                        location=hit.src,
                        subject=hit.subject,
                        fix=meta.fix_for(app.format.value),
                    )
                )
    return _dedupe(findings)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per rule and place: an inherited setting or a shared role is reached
    from several functions, and the finding names them all."""
    grouped: dict[tuple[str, str, int, int], list[Finding]] = {}
    for f in findings:
        key = (f.rule_id, f.location.file, f.location.line, f.location.column)
        grouped.setdefault(key, []).append(f)
    out = []
    for group in grouped.values():
        first = group[0]
        others = sorted({f.subject for f in group[1:]} - {first.subject})
        if others:
            first = dataclasses.replace(
                first, message=f"{first.message} (also {', '.join(others)})"
            )
        out.append(first)
    return out


def _suppressed(
    findings: list[Finding], lines_by_file: dict[str, list[str]], app: App, options: ScanOptions
) -> list[Finding]:
    per_path = dict(options.per_path_ignores)

    def baseline(finding: Finding) -> tuple[str, str] | None:
        return ("baseline", "in baseline") if finding.fingerprint in options.baseline else None

    return suppress.apply(
        findings,
        [
            lambda f: suppress.inline_suppression(f, lines_by_file.get(f.location.file, [])),
            lambda f: suppress.metadata_suppression(f, app),
            lambda f: suppress.path_suppression(f, per_path),
            baseline,
        ],
    )


def _add_code_lines(
    lines_by_file: dict[str, list[str]], findings: list[Finding], root: Path
) -> None:
    """The lines of handler files that findings point into (SLS0409 at an SDK call), for
    inline suppressions."""
    from slsguard.code.handler_files import SourceRejected, read_source

    real_root = os.path.realpath(root)
    for finding in findings:
        file = finding.location.file
        if file in lines_by_file:
            continue
        try:
            lines_by_file[file] = read_source(root / file, real_root).splitlines()
        except SourceRejected:
            lines_by_file[file] = []


def _as_configured(findings: list[Finding], options: ScanOptions) -> list[Finding]:
    """Severity overrides and --min-severity, as run_rules applies them to its findings."""
    out = []
    for finding in findings:
        severity = options.severity_overrides.get(finding.rule_id, finding.severity)
        if severity.rank >= options.min_severity.rank:
            out.append(dataclasses.replace(finding, severity=severity))
    return out


ProgressFn = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class FileResult:
    """What scanning one file contributes to the ScanResult."""

    rel: str
    scanned: bool
    findings: tuple[Finding, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    ships_packages: bool = False


def scan_file(cand: Candidate, root: Path, options: ScanOptions, rules: list[Rule]) -> FileResult:
    """Read, load, check and suppress one file; every failure becomes a diagnostic."""
    if "slsguard.code.parse_cache" in sys.modules:  # the previous app's parsed handlers
        sys.modules["slsguard.code.parse_cache"].clear()
    try:
        text = read_text(cand.path, options.max_file_bytes)
        doc, app, diagnostics = load_candidate(cand, text, root, options)
    except (FileRejected, DocumentError) as exc:
        return FileResult(cand.rel, False, diagnostics=(Diagnostic(cand.rel, str(exc)),))
    except RecursionError:
        return FileResult(cand.rel, False, diagnostics=(Diagnostic(cand.rel, "nesting too deep"),))
    if doc is None or app is None:
        return FileResult(cand.rel, False, diagnostics=tuple(diagnostics))
    findings = run_rules(app, rules, options)
    lines_by_file = {cand.rel: doc.lines} if findings else {}
    if options.code_rules:
        from slsguard.engine_code import analyze_app

        code = analyze_app(app, cand.rel, cand.path.parent, root, options.code_rules)
        findings += _as_configured(code.findings, options)
        diagnostics = [*diagnostics, *code.diagnostics]
        lines_by_file = {cand.rel: doc.lines, **code.lines}
    if findings:
        _add_code_lines(lines_by_file, findings, root)
        findings = _suppressed(findings, lines_by_file, app, options)
    ships = any(shipped.manifest.packages for shipped in app.dependencies)
    return FileResult(cand.rel, True, tuple(findings), tuple(diagnostics), ships)


# Below this many files a worker pool costs more than it saves (fork, pickling results).
PARALLEL_MIN_FILES = 64
_worker_job: tuple[Path, ScanOptions, list[Rule]] | None = None


def _scan_in_worker(cand: Candidate) -> FileResult:
    assert _worker_job is not None
    return scan_file(cand, *_worker_job)


def _results(
    candidates: list[Candidate], root: Path, options: ScanOptions, rules: list[Rule]
) -> Iterator[FileResult]:
    """One FileResult per candidate, in order; on several cores for large scans."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = options.jobs if options.jobs is not None else min(cpus or 1, 8)
    if workers < 2 or len(candidates) < PARALLEL_MIN_FILES or not _can_fork():
        for cand in candidates:
            yield scan_file(cand, root, options, rules)
        return
    import concurrent.futures
    import multiprocessing

    global _worker_job
    _worker_job = (root, options, rules)  # inherited by the forked workers
    try:
        with concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("fork")
        ) as pool:
            yield from pool.map(_scan_in_worker, candidates, chunksize=8)
    finally:
        _worker_job = None


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def scan(
    options: ScanOptions,
    rules: tuple[Rule, ...],
    on_file: ProgressFn | None = None,
    on_total: Callable[[int], None] | None = None,
) -> ScanResult:
    started = time.perf_counter()
    root = scan_root(options.paths)
    result = ScanResult(root=str(root))
    active_rules = selected_rules(rules, options.select, options.ignore)
    candidates, diagnostics = discover(list(options.paths), root, options.exclude)
    result.diagnostics.extend(diagnostics)
    if on_total:
        on_total(len(candidates))
    no_advisories = ""
    _manifest_cache.clear()  # files may have changed since a previous scan in this process
    options = dataclasses.replace(
        options, code_rules=selected_code_rules(options.select, options.ignore)
    )
    if LEAST_PRIVILEGE_RULES & {r.id for r in active_rules}:
        options = dataclasses.replace(options, needs=True)
    if DEPENDENCY_RULES & {r.id for r in active_rules}:
        from slsguard.deps import advisories

        source, no_advisories = advisories.prepare(options.osv_db, options.online, options.osv_url)
        options = dataclasses.replace(options, dependencies=True, advisory_source=source)
    try:
        _collect(result, _results(candidates, root, options, active_rules), on_file)
    finally:
        if options.dependencies:
            advisories.cleanup()
    if no_advisories and "SLS0601" in {r.id for r in active_rules} and result.ships_packages:
        result.diagnostics.append(Diagnostic("", no_advisories, DiagnosticLevel.NOTE))
    result.findings.sort(key=Finding.sort_key)
    result.duration_s = time.perf_counter() - started
    return result


def _collect(
    result: ScanResult, file_results: Iterator[FileResult], on_file: ProgressFn | None
) -> None:
    for file_result in file_results:
        if on_file:
            on_file(file_result.rel)
        result.diagnostics.extend(file_result.diagnostics)
        if file_result.scanned:
            result.files_scanned.append(file_result.rel)
        result.findings.extend(file_result.findings)
        result.ships_packages = result.ships_packages or file_result.ships_packages
