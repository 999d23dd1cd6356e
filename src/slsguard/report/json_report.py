"""Machine-readable JSON report; the shape is documented in docs/output-formats.md.

The shape is versioned by the top-level "version" key: adding keys keeps the version,
renaming or removing one bumps it. Output is deterministic (no timestamps or durations)
so that two scans of the same tree diff cleanly.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from slsguard.findings import Category, Diagnostic, DiagnosticLevel, Finding, ScanResult, Severity
from slsguard.rules.base import RuleMeta

SCHEMA_VERSION = 1

JsonObject = dict[str, Any]


def render(result: ScanResult, rules: Sequence[RuleMeta], *, tool_version: str) -> str:
    """Return the JSON report for `result`, indented by 2 and ending with a newline.

    `rules` is accepted for a uniform reporter signature; each finding already carries its
    rule id, name, category and severity.
    """
    return json.dumps(to_dict(result, tool_version=tool_version), indent=2) + "\n"


def to_dict(result: ScanResult, *, tool_version: str) -> JsonObject:
    findings = sorted(result.findings, key=Finding.sort_key)
    diagnostics = sorted(result.diagnostics, key=lambda d: (d.file, d.line))
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "slsguard", "version": tool_version},
        "summary": _summary(result),
        "findings": [_finding(f) for f in findings],
        "diagnostics": [_diagnostic(d) for d in diagnostics],
    }


def _summary(result: ScanResult) -> JsonObject:
    active = result.active
    severities = Counter(f.severity for f in active)
    categories = Counter(f.category for f in active)
    # Every severity and category is always present so consumers can index without guards.
    return {
        "files_scanned": len(result.files_scanned),
        "findings": len(active),
        "suppressed": len(result.suppressed),
        "by_severity": {str(s): severities[s] for s in reversed(Severity)},
        "by_category": {str(c): categories[c] for c in Category},
        "errors": sum(1 for d in result.diagnostics if d.level is DiagnosticLevel.ERROR),
    }


def _finding(finding: Finding) -> JsonObject:
    loc = finding.location
    suppressed = None
    if finding.suppressed_by is not None:
        suppressed = {"kind": finding.suppressed_by, "reason": finding.suppression_reason}
    return {
        "rule_id": finding.rule_id,
        "rule_name": finding.rule_name,
        "category": str(finding.category),
        "severity": str(finding.severity),
        "confidence": str(finding.confidence),
        "message": finding.message,
        "subject": finding.subject,
        "file": loc.file,
        "line": loc.line,
        "column": loc.column,
        "path": loc.dotted(),
        "fingerprint": finding.fingerprint,
        "fix": finding.fix,
        "suppressed": suppressed,
    }


def _diagnostic(diagnostic: Diagnostic) -> JsonObject:
    return {
        "file": diagnostic.file,
        "line": diagnostic.line or None,  # 0 means "whole file"; null says so explicitly
        "level": str(diagnostic.level),
        "reason": diagnostic.reason,
    }
