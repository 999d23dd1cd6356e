"""`slsguard fix --least-privilege` and `slsguard policy`: the statements each function's code
needs, as a diff of the user's own file (written with --write) or as a policy document.

A function whose needs are not fully known (an SDK call whose service or operation cannot
be told, a library that calls AWS by itself, no handler source) is shown with what is
missing and is not written unless --force: a policy without a permission the code uses
fails at run time.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # `slsguard --help` builds these parsers: keep the import light
    from slsguard.least_privilege.needs import FunctionNeeds
    from slsguard.model.app import App

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2  # as cli.py


@dataclass(frozen=True, slots=True)
class _AppFile:
    path: Path
    rel: str
    text: str
    app: App


def add_arguments(fix: argparse.ArgumentParser, policy: argparse.ArgumentParser) -> None:
    fix.add_argument("paths", nargs="*", type=Path, default=[Path(".")], metavar="PATH")
    fix.add_argument(
        "--least-privilege",
        action="store_true",
        required=True,
        help="write each function's IAM statements from the AWS calls in its code",
    )
    fix.add_argument(
        "--function", action="append", default=[], metavar="NAME", help="only this function"
    )
    fix.add_argument("--write", action="store_true", help="edit the files in place")
    fix.add_argument(
        "--force",
        action="store_true",
        help="write functions whose needs are not all known (calls that could not be inferred)",
    )
    policy.add_argument("function", metavar="FUNCTION")
    policy.add_argument("paths", nargs="*", type=Path, default=[Path(".")], metavar="PATH")
    policy.add_argument("--format", choices=("json", "yaml"), default="json")
    for parser in (fix, policy):
        parser.add_argument("--stage", help="serverless stage for ${sls:stage}/${opt:stage}")
        parser.add_argument("--region", help="region for ${opt:region}/${aws:region}")
        parser.add_argument(
            "--param", action="append", default=[], type=_param, metavar="KEY=VALUE"
        )


def _param(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError("expected KEY=VALUE")
    return key, value


def run_fix(args: argparse.Namespace) -> int:
    files, code = _load(args)
    if code:
        return code
    wanted = set(args.function)
    found = {fn.id for f in files for fn in f.app.functions}
    unknown = sorted(wanted - found)
    if unknown:
        print(f"slsguard: error: no function named {', '.join(unknown)}", file=sys.stderr)
        return EXIT_USAGE
    failures = 0
    for app_file in files:
        failures += _fix_file(app_file, wanted, write=args.write, force=args.force)
    if files:
        from slsguard.iam.sdk_map import action_mapping_source

        print(f"(IAM actions from {action_mapping_source()})")
    return EXIT_FINDINGS if failures else EXIT_CLEAN


def run_policy(args: argparse.Namespace) -> int:
    from slsguard.least_privilege.statements import kept_by, policy_document

    files, code = _load(args)
    if code:
        return code
    matches = [(f, fn) for f in files for fn in f.app.functions if fn.id == args.function]
    if not matches:
        print(f"slsguard: error: no function named {args.function}", file=sys.stderr)
        return EXIT_USAGE
    if len(matches) > 1:
        shown = ", ".join(f.rel for f, _ in matches)
        print(
            f"slsguard: error: function {args.function} is in several files ({shown}); "
            "name one of them as PATH",
            file=sys.stderr,
        )
        return EXIT_USAGE
    app_file, fn = matches[0]
    needs = (app_file.app.needs or {})[fn.id]
    document = policy_document(needs, kept_by(fn, app_file.app))
    if args.format == "yaml":
        import yaml

        print(yaml.safe_dump(document, sort_keys=False), end="")
    else:
        print(json.dumps(document, indent=2))
    for line in _unknowns(needs):
        print(f"slsguard: {app_file.rel}: function {fn.id}: {line}", file=sys.stderr)
    return EXIT_CLEAN


# -- one file ------------------------------------------------------------------------------------


def _fix_file(app_file: _AppFile, wanted: set[str], *, write: bool, force: bool) -> int:
    from slsguard.fix.writer import CannotFix, PolicyChange, apply_changes
    from slsguard.least_privilege.statements import kept_by, managed_policies, statements
    from slsguard.rules.sas04_permissions.common import role_users

    app = app_file.app
    needs_by_fn = app.needs or {}
    changes = []
    failures = 0
    for fn in app.functions:
        if wanted and fn.id not in wanted:
            continue
        needs = needs_by_fn.get(fn.id)
        if needs is None:
            continue
        print(f"{app_file.rel}: function {fn.id}")
        proposed = statements(needs, kept_by(fn, app))
        _print_statements(proposed, known=needs.complete)
        missing = list(_unknowns(needs))
        for line in missing:
            print(f"  could not infer: {line}")
        blocking = not needs.complete
        if blocking and not force:
            print("  not written: the code's needs are not all known (--force writes anyway)")
            failures += 1
            continue
        if fn.role is not None and fn.role.external is not None:
            print(f"  not written: the function uses an existing role ({fn.role.external})")
            failures += 1
            continue
        shared = fn.role is not None and len(role_users(fn.role, app)) > 1
        changes.append(PolicyChange(fn.id, tuple(proposed), shared, managed_policies(fn)))
    if not changes:
        return failures
    try:
        new_text = apply_changes(app_file.text, app_file.rel, str(app.format), changes)
    except CannotFix as exc:
        print(f"slsguard: {app_file.rel}: cannot fix: {exc}", file=sys.stderr)
        return failures + 1
    if new_text == app_file.text:
        print(f"{app_file.rel}: already least privilege, nothing to change")
        return failures
    diff = difflib.unified_diff(
        app_file.text.splitlines(keepends=True),
        new_text.splitlines(keepends=True),
        f"a/{app_file.rel}",
        f"b/{app_file.rel}",
    )
    sys.stdout.writelines(_ending(diff))
    if write:
        try:
            _write(app_file.path, new_text)
        except OSError as exc:
            print(f"slsguard: {app_file.rel}: cannot write: {exc.strerror or exc}", file=sys.stderr)
            return failures + 1
        print(f"{app_file.rel}: written")
    return failures


def _ending(lines: Iterator[str]) -> Iterator[str]:
    for line in lines:
        yield line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"


def _write(path: Path, text: str) -> None:
    """Replace the file atomically, keeping its permissions."""
    tmp = path.with_name(f".{path.name}.slsguard-tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _print_statements(proposed: list[dict[str, Any]], *, known: bool) -> None:
    if not proposed:
        print("  needs no AWS permission beyond its logs" if known else "  no known AWS call")
    for stmt in proposed:
        resources = ", ".join(_shown(r) for r in stmt["Resource"])
        print(f"  allow {', '.join(stmt['Action'])} on {resources}")


def _shown(resource: Any) -> str:
    if isinstance(resource, dict) and len(resource) == 1:
        ((key, value),) = resource.items()
        if key == "Fn::GetAtt":
            return f"!GetAtt {'.'.join(value)}"
        return f"!{key.removeprefix('Fn::')} {value}"
    return str(resource)


def _unknowns(needs: FunctionNeeds) -> Iterator[str]:
    yield from needs.gaps
    for u in needs.uninferred:
        yield f"{u.file}:{u.line} {u.text}: {u.reason}"


# -- loading -------------------------------------------------------------------------------------


def _load(args: argparse.Namespace) -> tuple[list[_AppFile], int]:
    from slsguard.discovery import FileRejected, discover, read_text
    from slsguard.engine import ScanOptions, load_candidate, scan_root
    from slsguard.loaders.yaml_source import DocumentError

    paths = tuple(args.paths)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"slsguard: error: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return [], EXIT_USAGE
    root = scan_root(paths)
    options = ScanOptions(
        paths=paths, stage=args.stage, region=args.region, params=dict(args.param), needs=True
    )
    candidates, diagnostics = discover(list(paths), root, ())
    for d in diagnostics:
        print(f"slsguard: {d}", file=sys.stderr)
    files: list[_AppFile] = []
    for cand in candidates:
        try:
            text = read_text(cand.path, options.max_file_bytes)
            _, app, _problems = load_candidate(cand, text, root, options)
        except (FileRejected, DocumentError, RecursionError) as exc:
            print(f"slsguard: {cand.rel}: {exc}", file=sys.stderr)
            continue
        if app is not None and app.needs:
            files.append(_AppFile(cand.path, cand.rel, text, app))
    return files, 0
