"""Which dependency manifests ship in which function.

A function's code directory is its SAM `CodeUri`, its CDK asset (`aws:asset:path`), or, for
the Serverless Framework (which packages the whole service by default), the service
directory. Every manifest, lock file and vendored package found there ships in the
function, except development-only dependencies.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from slsguard.deps.manifests import find_manifests, parse_manifest
from slsguard.deps.model import Manifest, ManifestError
from slsguard.findings import Diagnostic, DiagnosticLevel
from slsguard.model.app import App, Format, Function, ShippedManifest
from slsguard.model.values import GetAtt, Ref, Unresolved


def code_dirs(app: App, app_dir: Path) -> dict[Path, list[str]]:
    """Code directory -> ids of the functions packaged from it (their layers included)."""
    dirs: dict[Path, list[str]] = defaultdict(list)
    layers = _layer_dirs(app, app_dir)
    for fn in app.functions:
        if app.format is Format.SERVERLESS and fn.format is Format.SERVERLESS:
            folder: Path | None = app_dir
        elif fn.code_path:
            folder = app_dir / fn.code_path
        else:
            folder = None  # inline code, an S3 object or a container image: nothing to read
        folders = [folder] if folder is not None else []
        folders += [layers[layer] for layer in _layer_ids(fn) if layer in layers]
        for candidate in folders:
            if candidate.is_dir():
                dirs[candidate.resolve()].append(fn.id)
    return dirs


def _layer_dirs(app: App, app_dir: Path) -> dict[str, Path]:
    """Layers whose content is in the project, by logical id."""
    found = {layer: app_dir / path for layer, path in app.layer_dirs}
    for res in app.resources:
        content = res.properties.get("ContentUri")  # AWS::Serverless::LayerVersion
        if res.type == "AWS::Lambda::LayerVersion":
            content = res.metadata.get("aws:asset:path")  # CDK synth output
        if res.type.endswith("LayerVersion") and isinstance(content, str):
            found[res.id] = app_dir / content
    return found


def _layer_ids(fn: Function) -> list[str]:
    ids = []
    for layer in fn.layers:
        value = layer.value
        if isinstance(value, (Ref, GetAtt)):
            ids.append(value.logical_id)
        elif isinstance(value, Unresolved) and value.kind == "ref":
            ids.append(value.expr)  # a layer the framework generates (serverless `layers:`)
    return ids


def _packaged(rel_to_service: str, patterns: tuple[str, ...]) -> bool:
    """serverless.yml `package.patterns`: later patterns win, `!` excludes."""
    included = True
    for pattern in patterns:
        negated = pattern.startswith("!")
        if fnmatch.fnmatch(rel_to_service, pattern.lstrip("!")):
            included = not negated
    return included


def attach_dependencies(
    app: App, app_dir: Path, root: Path, cache: dict[Path, Manifest | None]
) -> tuple[App, list[Diagnostic]]:
    """The app with the manifests its functions ship; unreadable ones become warnings."""
    shipped: dict[Path, set[str]] = defaultdict(set)
    for folder, function_ids in code_dirs(app, app_dir).items():
        for path in find_manifests(folder, root):
            service = app_dir.resolve()
            if path.is_relative_to(service) and not _packaged(
                path.relative_to(service).as_posix(), app.package_patterns
            ):
                continue  # excluded from the deployment package
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
