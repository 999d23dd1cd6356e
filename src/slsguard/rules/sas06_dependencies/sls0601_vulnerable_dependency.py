from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas06_dependencies.common import KIND_PRIORITY, exposure, shipped_in


@rule(
    id="SLS0601",
    name="vulnerable-dependency",
    category=Category.SAS_6,
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    title="Dependency with a known vulnerability ships in a function",
    rationale=(
        "A package version with a published advisory (OSV: GitHub, PyPA, npm) ships in the "
        "function's deployment package, so event data can reach the vulnerable code."
    ),
    fix=(
        "Upgrade the package to the fixed version named in the finding (or later) in the "
        "manifest or lock file the finding points at, regenerate the lock file, redeploy."
    ),
    fixes=(
        (
            "serverless",
            "Upgrade the package to the fixed version in the requirements/package.json or lock "
            "file at the finding's line (e.g. `requests==2.31.0`), re-lock, and redeploy with "
            "`serverless deploy`.",
        ),
        (
            "sam",
            "Upgrade the package to the fixed version in the requirements.txt/package.json or "
            "lock file under the function's `CodeUri`, re-lock, then `sam build && sam deploy`.",
        ),
    ),
    references=(
        "https://osv.dev/",
        "https://owasp.org/www-project-serverless-top-10/",
    ),
    formats=("serverless", "sam"),
)
def vulnerable_dependency(app: App, _: App) -> Iterator[Hit]:
    if not app.advisories:
        return  # no advisory source was consulted, or nothing is affected
    shipped = sorted(app.dependencies, key=lambda s: KIND_PRIORITY.get(s.manifest.kind, 0))
    seen: set[tuple[str, str, str, str]] = set()
    for entry in shipped:
        for package in entry.manifest.packages:
            if package.dev or not package.version:
                continue
            key = (package.ecosystem, package.name, package.version)
            for match in app.advisories.get(key, ()):
                if (*key, match.advisory_id) in seen:
                    continue  # the same version listed twice (manifest and vendored copy)
                seen.add((*key, match.advisory_id))
                cves = [a for a in match.aliases if a.startswith("CVE-")]
                ids = ", ".join([match.advisory_id, *cves])
                fixed = f"; fixed in {match.fixed}" if match.fixed else "; no fixed version yet"
                yield Hit(
                    package.src,
                    f"{package.name} {package.version} has a known vulnerability ({ids}: "
                    f"{match.summary.rstrip('.')}){fixed}; ships in "
                    f"{shipped_in(entry.functions)}{exposure(entry.functions, app)}",
                    subject=f"package {package.name}",
                    severity=match.severity,
                )
