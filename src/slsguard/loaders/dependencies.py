"""Which dependency manifests ship in which function.

A function's code directory is its SAM `CodeUri`, its CDK asset (`aws:asset:path`), or, for
the Serverless Framework (which packages the whole service by default), the service
directory. Every manifest, lock file and vendored package found there ships in the
function, except development-only dependencies.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from slsguard.deps.manifests import find_manifests, parse_manifest
from slsguard.deps.model import Manifest, ManifestError
from slsguard.findings import Diagnostic, DiagnosticLevel
from slsguard.model.app import App, Format, ShippedManifest


def code_dirs(app: App, app_dir: Path) -> dict[Path, list[str]]:
    """Code directory -> ids of the functions packaged from it."""
    dirs: dict[Path, list[str]] = defaultdict(list)
    for fn in app.functions:
        if app.format is Format.SERVERLESS and fn.format is Format.SERVERLESS:
            folder: Path | None = app_dir
        elif fn.code_path:
            folder = app_dir / fn.code_path
        else:
            folder = None  # inline code, an S3 object or a container image: nothing to read
        if folder is not None and folder.is_dir():
            dirs[folder.resolve()].append(fn.id)
    return dirs


def attach_dependencies(
    app: App, app_dir: Path, root: Path, cache: dict[Path, Manifest | None]
) -> tuple[App, list[Diagnostic]]:
    """The app with the manifests its functions ship; unreadable ones become warnings."""
    shipped: dict[Path, set[str]] = defaultdict(set)
    for folder, function_ids in code_dirs(app, app_dir).items():
        for path in find_manifests(folder, root):
            shipped[path].update(function_ids)
    diagnostics: list[Diagnostic] = []
    entries = []
    for path in sorted(shipped):
        rel = path.relative_to(root.resolve()).as_posix() if path.is_absolute() else str(path)
        if path not in cache:
            try:
                cache[path] = parse_manifest(path, rel, root=root)
            except ManifestError as exc:
                cache[path] = None
                diagnostics.append(Diagnostic(rel, str(exc), DiagnosticLevel.WARNING))
        manifest = cache[path]
        if manifest is not None:
            entries.append(ShippedManifest(manifest, tuple(sorted(shipped[path]))))
    return replace(app, dependencies=tuple(entries)), diagnostics
