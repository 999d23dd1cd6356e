"""Command line: argument parsing and exit codes only.

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it, or files found
in a directory that could not be scanned; 2 usage errors, a path that does not exist, or
a file named on the command line that could not be scanned.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from slsguard import __version__
from slsguard.findings import DiagnosticLevel, ScanResult, Severity

if TYPE_CHECKING:  # the engine and the rules load only when a command needs them
    from slsguard.engine import ScanOptions
    from slsguard.rules.base import Rule

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _param(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def _size(text: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    try:
        if text[-1:].lower() in units:
            return int(float(text[:-1]) * units[text[-1].lower()])
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a size such as 5M, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slsguard",
        description="Find the security risks of serverless applications (Serverless Top 10).",
    )
    parser.add_argument("--version", action="version", version=f"slsguard {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    scan = sub.add_parser("scan", help="scan serverless.yml, SAM and CloudFormation templates")
    scan.add_argument("paths", nargs="*", type=Path, default=[Path(".")], metavar="PATH")
    scan.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    scan.add_argument("--output", "-o", type=Path, help="write the report to FILE")
    scan.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity if s is not Severity.INFO],
        default=None,
        help="lowest severity that makes the exit code 1 (default: high)",
    )
    scan.add_argument(
        "--min-severity",
        choices=[s.value for s in Severity],
        default=None,
        help="report only findings at or above this severity (default: all)",
    )
    scan.add_argument("--stage", help="stage for ${opt:stage}/${sls:stage}")
    scan.add_argument("--region", help="region for ${opt:region} and AWS::Region")
    scan.add_argument(
        "--param",
        type=_param,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="serverless ${param:KEY} or CloudFormation parameter value",
    )
    scan.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="ID",
        help="only these rule ids, id prefixes or SAS categories (repeatable)",
    )
    scan.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="ID",
        help="skip these rule ids, id prefixes or SAS categories (repeatable)",
    )
    scan.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip paths matching GLOB (relative to the scan root)",
    )
    scan.add_argument("--baseline", type=Path, help="suppress findings listed in this baseline")
    scan.add_argument(
        "--write-baseline",
        type=Path,
        metavar="FILE",
        help="write current findings to FILE as a baseline",
    )
    scan.add_argument(
        "--config",
        type=Path,
        help="configuration file (default: .slsguard.yml "
        "or [tool.slsguard] in pyproject.toml in the scan root)",
    )
    scan.add_argument(
        "--max-file-size",
        type=_size,
        default=5 * 1024 * 1024,
        metavar="SIZE",
        help="skip files larger than SIZE (default 5M)",
    )
    scan.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when findings are reported (usage errors still exit 2)",
    )
    scan.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        metavar="N",
        help="worker processes for large scans (default: one per CPU; 1: none)",
    )
    scan.add_argument(
        "--osv-db",
        type=Path,
        metavar="PATH",
        help="advisories for SLS0601: an OSV directory, zip or JSON file, or an "
        "slsguard database (default: the one `slsguard db update` writes)",
    )
    scan.add_argument(
        "--online",
        action="store_true",
        help="ask the OSV API instead of a local database (sends package names "
        "and versions to api.osv.dev)",
    )
    scan.add_argument("--show-suppressed", action="store_true")
    scan.add_argument("--no-color", action="store_true")
    scan.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="no progress, no notes; findings, errors and the summary only",
    )

    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    explain = sub.add_parser("explain", help="show one rule's documentation")
    explain.add_argument("rule_id", metavar="ID")

    fix = sub.add_parser(
        "fix",
        help="write least-privilege IAM statements per function from the AWS calls in its code",
    )
    policy = sub.add_parser("policy", help="print the IAM policy one function's code needs")
    from slsguard.least_privilege.command import add_arguments

    add_arguments(fix, policy)

    db = sub.add_parser("db", help="the local OSV advisory database used by SLS0601")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    update = db_sub.add_parser("update", help="download the PyPI and npm OSV exports (network)")
    update.add_argument("--ecosystem", action="append", choices=("PyPI", "npm"), default=[])
    update.add_argument("--path", type=Path, help="database file (default: user cache)")
    importer = db_sub.add_parser("import", help="build the database from OSV records on disk")
    importer.add_argument("source", type=Path, nargs="+", help="OSV directories, zips or JSON")
    importer.add_argument("--path", type=Path, help="database file (default: user cache)")
    status = db_sub.add_parser("status", help="where the database is and what it holds")
    status.add_argument("--path", type=Path, help="database file (default: user cache)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except BrokenPipeError:
        # The reader went away (`slsguard ... | head`): stop quietly, without a traceback
        # and without Python's second complaint when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FINDINGS


def _run(args: argparse.Namespace) -> int:
    if args.command == "rules":
        return _rules(args.format)
    if args.command == "explain":
        return _explain(args.rule_id)
    if args.command in ("fix", "policy"):
        from slsguard.least_privilege import command

        return command.run_fix(args) if args.command == "fix" else command.run_policy(args)
    if args.command == "db":
        from slsguard.deps.commands import run_db_command

        return run_db_command(args)
    return _scan(args)


def _rules(fmt: str) -> int:
    from slsguard.rules import all_metas

    if fmt == "json":
        import json

        rows = [
            {
                "id": m.id,
                "name": m.name,
                "category": m.category.value,
                "severity": m.severity.value,
                "title": m.title,
            }
            for m in all_metas()
        ]
        print(json.dumps(rows, indent=2))
    else:
        for m in all_metas():
            print(f"{m.id}  {m.category.value:<6} {m.severity.value:<8} {m.name:<32} {m.title}")
    return EXIT_CLEAN


def _explain(rule_id: str) -> int:
    from slsguard.docs import rule_markdown
    from slsguard.rules import all_metas

    meta = next((m for m in all_metas() if m.id == rule_id.upper()), None)
    if meta is None:
        print(f"slsguard: unknown rule {rule_id!r}; see `slsguard rules`", file=sys.stderr)
        return EXIT_USAGE
    print(rule_markdown(meta), end="")
    return EXIT_CLEAN


def _usage_error(message: str) -> int:
    print(f"slsguard: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _scan(args: argparse.Namespace) -> int:
    from slsguard.config import ConfigError, load_config
    from slsguard.engine import ScanOptions, scan_root
    from slsguard.rules import ALL_RULES

    paths = tuple(args.paths)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        return _usage_error(f"no such file or directory: {', '.join(missing)}")
    root = scan_root(paths)
    try:
        config = load_config(root, args.config)
    except ConfigError as exc:
        return _usage_error(str(exc))
    baseline: frozenset[str] = frozenset()
    if args.baseline:
        from slsguard.suppress import read_baseline

        try:
            baseline = frozenset(read_baseline(args.baseline))
        except (OSError, ValueError, KeyError) as exc:
            return _usage_error(f"cannot read baseline {args.baseline}: {exc}")
    from slsguard.rules import all_metas

    known = {m.id for m in all_metas()} | {f"SAS-{i}" for i in range(1, 11)}
    for pattern in [*args.select, *args.ignore]:
        if not any(k.startswith(pattern.upper()) for k in known):
            return _usage_error(f"unknown rule or category {pattern!r}; see `slsguard rules`")
    options = ScanOptions(
        paths=paths,
        stage=args.stage,
        region=args.region,
        params=dict(args.param),
        select=tuple(args.select) or config.select,
        ignore=tuple(args.ignore) + config.ignore,
        exclude=tuple(args.exclude) + config.exclude,
        severity_overrides=config.severity,
        per_path_ignores=config.per_path_ignores,
        baseline=baseline,
        max_file_bytes=args.max_file_size,
        min_severity=Severity(args.min_severity or config.min_severity or Severity.INFO),
        jobs=args.jobs,
        osv_db=args.osv_db,
        online=args.online,
    )
    fail_on = Severity(args.fail_on) if args.fail_on else (config.fail_on or Severity.HIGH)
    result = _run_with_progress(options, ALL_RULES, quiet=args.quiet)
    if args.write_baseline:
        from slsguard.suppress import write_baseline

        write_baseline(args.write_baseline, result.findings)
    _report(args, result, fail_on)
    code = _exit_code(result, fail_on, explicit_files={str(p) for p in paths if not p.is_dir()})
    return EXIT_CLEAN if args.exit_zero and code == EXIT_FINDINGS else code


def _run_with_progress(options: ScanOptions, rules: tuple[Rule, ...], *, quiet: bool) -> ScanResult:
    from slsguard.engine import scan
    from slsguard.report.progress import Progress, wanted

    bar: Progress | None = None

    def on_total(total: int) -> None:
        nonlocal bar
        bar = Progress(total, wanted(total, quiet=quiet))

    def on_file(path: str) -> None:
        if bar is not None:
            bar.advance(path)

    try:
        return scan(options, rules, on_file=on_file, on_total=on_total)
    finally:
        if bar is not None:
            bar.close()


def _report(args: argparse.Namespace, result: ScanResult, fail_on: Severity) -> None:
    from slsguard.report import render
    from slsguard.rules import all_metas

    if args.quiet:
        result.diagnostics = [d for d in result.diagnostics if d.level != DiagnosticLevel.NOTE]
    to_terminal = args.output is None
    color = (
        args.format == "text"
        and to_terminal
        and not args.no_color
        and sys.stdout.isatty()
        and "NO_COLOR" not in os.environ
    )
    text = render(
        args.format,
        result,
        all_metas(),
        tool_version=__version__,
        color=color,
        show_suppressed=args.show_suppressed,
        fail_on=fail_on,
    )
    if args.output is not None:
        args.output.write_text(text, "utf-8")
    else:
        sys.stdout.write(text)
    if args.format != "text" or args.output is not None:
        # Machine formats go to stdout or a file; errors still reach a human on stderr.
        for diag in result.diagnostics:
            if diag.level != DiagnosticLevel.NOTE:
                print(f"slsguard: {diag}", file=sys.stderr)


def _exit_code(result: ScanResult, fail_on: Severity, explicit_files: set[str]) -> int:
    errors = [d for d in result.diagnostics if d.level == DiagnosticLevel.ERROR]
    if any(_names_explicit(d.file, explicit_files) for d in errors):
        return EXIT_USAGE
    if errors or any(f.severity.rank >= fail_on.rank for f in result.active):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _names_explicit(rel: str, explicit_files: set[str]) -> bool:
    return any(p == rel or p.endswith("/" + rel) or Path(p).name == rel for p in explicit_files)


if __name__ == "__main__":
    sys.exit(main())
