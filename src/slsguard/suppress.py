"""Suppressions: inline comments, template Metadata, config path ignores, baseline.

A suppressed finding is kept (counted, shown in SARIF `suppressions`), only marked.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from slsguard.findings import Finding
from slsguard.model.app import App

# `# slsguard: ignore[SLS0401, SAS-4] reason` or `// slsguard: ignore[...] reason`
_INLINE = re.compile(r"(?:#|//)\s*slsguard:\s*ignore\[([^\]]+)\]\s*(.*)$")


def _matches(finding: Finding, ids: Iterable[str]) -> bool:
    return any(i in (finding.rule_id, finding.category.value) for i in ids)


def inline_suppression(finding: Finding, lines: list[str]) -> tuple[str, str] | None:
    """A comment on the flagged line, or a comment line just above it."""
    line = finding.location.line
    for number in (line, line - 1):
        if 1 <= number <= len(lines):
            text = lines[number - 1]
            if number < line and not text.lstrip().startswith(("#", "//")):
                continue  # a trailing comment speaks for its own line only
            match = _INLINE.search(text)
            if match:
                ids = [part.strip() for part in match.group(1).split(",")]
                if _matches(finding, ids):
                    return "inline", match.group(2).strip()
    return None


def metadata_suppression(finding: Finding, app: App) -> tuple[str, str] | None:
    path = finding.location.path
    for prefix, ids in app.ignores:
        if path[: len(prefix)] == prefix and _matches(finding, ids):
            return "metadata", "Metadata slsguard ignore on the resource"
    return None


def path_suppression(
    finding: Finding, per_path: dict[str, tuple[str, ...]]
) -> tuple[str, str] | None:
    for pattern, ids in per_path.items():
        if fnmatch.fnmatch(finding.location.file, pattern) and _matches(finding, ids):
            return "config", f"per-path-ignores {pattern}"
    return None


def apply(
    findings: list[Finding],
    checks: list[Callable[[Finding], tuple[str, str] | None]],
) -> list[Finding]:
    out = []
    for finding in findings:
        for check in checks:
            hit = check(finding)
            if hit is not None:
                finding = dataclasses.replace(
                    finding, suppressed_by=hit[0], suppression_reason=hit[1]
                )
                break
        out.append(finding)
    return out


# -- baseline -------------------------------------------------------------------------------

BASELINE_VERSION = 1


def read_baseline(path: Path) -> set[str]:
    data = json.loads(path.read_text("utf-8"))
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION:
        raise ValueError(f"{path}: not a slsguard baseline (version {BASELINE_VERSION})")
    return {str(entry["fingerprint"]) for entry in data.get("findings", [])}


def write_baseline(path: Path, findings: Iterable[Finding]) -> None:
    entries = sorted(
        (
            {
                "fingerprint": f.fingerprint,
                "rule_id": f.rule_id,
                "file": f.location.file,
                "subject": f.subject,
            }
            for f in findings
            if f.suppressed_by is None
        ),
        key=lambda e: (e["file"], e["rule_id"], e["fingerprint"]),
    )
    payload = {"version": BASELINE_VERSION, "findings": entries}
    path.write_text(json.dumps(payload, indent=2) + "\n", "utf-8")
