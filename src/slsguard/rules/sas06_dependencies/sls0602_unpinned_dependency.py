from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas06_dependencies.common import LOCK_KINDS, shipped_in

# Manifests that state ranges; requirements files may pin each line themselves.
_RANGE_MANIFESTS = frozenset({"package.json", "pyproject", "pipfile"})


@rule(
    id="SLS0602",
    name="unpinned-dependency",
    category=Category.SAS_6,
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    title="Dependency not pinned, or no lock file for a function that ships dependencies",
    rationale=(
        "Without an exact version every build may ship a different release, including a "
        "compromised or vulnerable one, and what was reviewed is not what runs."
    ),
    fix=(
        "Pin exact versions (`pkg==1.2.3` in requirements files) or commit the lock file "
        "(package-lock.json, yarn.lock, pnpm-lock.yaml, poetry.lock, uv.lock, Pipfile.lock) "
        "next to the manifest and deploy from it."
    ),
    fixes=(
        (
            "serverless",
            "Pin with `==` in requirements.txt (e.g. `pip-compile` output) or commit the lock "
            "file next to package.json; `serverless package` then ships exactly those versions.",
        ),
        (
            "sam",
            "Pin with `==` in the requirements.txt under `CodeUri` or commit the lock file "
            "next to its package.json; `sam build` then installs exactly those versions.",
        ),
    ),
    references=(
        "https://pip.pypa.io/en/stable/topics/repeatable-installs/",
        "https://docs.npmjs.com/cli/configuring-npm/package-lock-json",
    ),
    formats=("serverless", "sam"),
)
def unpinned_dependency(app: App, _: App) -> Iterator[Hit]:
    locked_dirs = {
        (_folder(s.manifest.file), s.manifest.ecosystem)
        for s in app.dependencies
        if s.manifest.kind in LOCK_KINDS.get(s.manifest.ecosystem, ())
    }
    for entry in app.dependencies:
        manifest = entry.manifest
        if (_folder(manifest.file), manifest.ecosystem) in locked_dirs or manifest.is_lock:
            continue
        loose = [p for p in manifest.packages if p.direct and not p.dev and not p.pinned]
        if not loose:
            continue
        where = shipped_in(entry.functions)
        if manifest.kind in _RANGE_MANIFESTS:
            names = ", ".join(p.name for p in loose[:3]) + (" ..." if len(loose) > 3 else "")
            yield Hit(
                loose[0].src,
                f"{manifest.file} has no lock file and leaves {len(loose)} dependencies to "
                f"version ranges ({names}); ships in {where}",
                subject=f"manifest {manifest.file}",
            )
            continue
        for package in loose:
            yield Hit(
                package.src,
                f"{package.spec} in {manifest.file} is not pinned to one version; ships in {where}",
                subject=f"package {package.name}",
            )


def _folder(file: str) -> str:
    return file.rsplit("/", 1)[0] if "/" in file else ""
