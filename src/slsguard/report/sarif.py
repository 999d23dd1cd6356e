"""SARIF 2.1.0 report, shaped for GitHub code scanning.

GitHub reads `security-severity` and `tags` from the rule's properties, the level from
each result, and `partialFingerprints` to track an alert across commits; suppressed
findings stay in the log with `suppressions` so they show as dismissed, not fixed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from slsguard.findings import Confidence, Diagnostic, DiagnosticLevel, Finding, ScanResult, Severity
from slsguard.rules.base import RuleMeta

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/slsguard/slsguard"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "slsguardFingerprint/v1"

LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub buckets security-severity: >= 9.0 critical, >= 7.0 high, >= 4.0 medium, else low.
SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
PRECISION: dict[Confidence, str] = {
    Confidence.HIGH: "high",
    Confidence.MEDIUM: "medium",
    Confidence.LOW: "low",
}
# Suppressions written next to the code are "inSource"; config files and baselines are not.
SUPPRESSION_KINDS: dict[str, str] = {
    "inline": "inSource",
    "metadata": "inSource",
    "config": "external",
    "baseline": "external",
}

JsonObject = dict[str, Any]


def render(result: ScanResult, rules: Sequence[RuleMeta], *, tool_version: str) -> str:
    """Return the SARIF log for `result`, indented by 2 and ending with a newline."""
    return json.dumps(to_sarif(result, rules, tool_version=tool_version), indent=2) + "\n"


def to_sarif(result: ScanResult, rules: Sequence[RuleMeta], *, tool_version: str) -> JsonObject:
    rule_index = {meta.id: i for i, meta in enumerate(rules)}
    findings = sorted(result.findings, key=Finding.sort_key)
    run: JsonObject = {
        "tool": {
            "driver": {
                "name": "slsguard",
                "version": tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(meta) for meta in rules],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(result.root)}},
        "invocations": [_invocation(result.diagnostics)],
        "results": [_result(f, rule_index.get(f.rule_id)) for f in findings],
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _rule(meta: RuleMeta) -> JsonObject:
    return {
        "id": meta.id,
        "name": meta.name,
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": meta.rationale},
        "help": {"text": _help_text(meta), "markdown": _help_markdown(meta)},
        "helpUri": meta.help_uri,
        "defaultConfiguration": {"level": LEVELS[meta.severity]},
        "properties": {
            "tags": ["security", str(meta.category)],
            "security-severity": SECURITY_SEVERITY[meta.severity],
            "precision": PRECISION[meta.confidence],
        },
    }


def _help_text(meta: RuleMeta) -> str:
    parts = [meta.rationale, f"Fix: {meta.fix}"]
    if meta.references:
        parts.append("References:\n" + "\n".join(meta.references))
    return "\n\n".join(parts)


def _help_markdown(meta: RuleMeta) -> str:
    parts = [f"**{meta.title}** ({meta.category})", meta.rationale, f"**Fix:** {meta.fix}"]
    if meta.references:
        parts.append("**References:**\n\n" + "\n".join(f"- <{ref}>" for ref in meta.references))
    return "\n\n".join(parts)


def _result(finding: Finding, rule_index: int | None) -> JsonObject:
    out: JsonObject = {"ruleId": finding.rule_id}
    if rule_index is not None:  # a finding of a rule not passed in still gets reported
        out["ruleIndex"] = rule_index
    out["level"] = LEVELS[finding.severity]
    out["message"] = {"text": finding.message}
    out["locations"] = [_location(finding)]
    out["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    out["properties"] = {"subject": finding.subject, "confidence": str(finding.confidence)}
    if finding.fix:
        out["properties"]["fix"] = finding.fix
    if finding.flow:
        out["codeFlows"] = [_code_flow(finding)]
    if finding.suppressed_by is not None:
        out["suppressions"] = [_suppression(finding)]
    return out


def _code_flow(finding: Finding) -> JsonObject:
    """The path from the event to the sink, one thread-flow location per step."""
    steps: list[JsonObject] = [
        {"location": {**_physical(src.file, src.line, src.column), "message": {"text": what}}}
        for src, what in finding.flow
    ]
    return {"threadFlows": [{"locations": steps}]}


def _location(finding: Finding) -> JsonObject:
    loc = finding.location
    out = _physical(loc.file, loc.line, loc.column)
    if loc.path:
        out["logicalLocations"] = [{"fullyQualifiedName": loc.dotted()}]
    return out


def _physical(file: str, line: int, column: int = 0) -> JsonObject:
    physical: JsonObject = {"artifactLocation": {"uri": quote(file), "uriBaseId": SRCROOT}}
    if line > 0:  # SARIF regions are 1-based; line 0 means the whole file
        region = {"startLine": line}
        if column > 0:
            region["startColumn"] = column
        physical["region"] = region
    return {"physicalLocation": physical}


def _suppression(finding: Finding) -> JsonObject:
    kind = SUPPRESSION_KINDS.get(finding.suppressed_by or "", "external")
    out: JsonObject = {"kind": kind}
    if finding.suppression_reason:
        out["justification"] = finding.suppression_reason
    return out


def _invocation(diagnostics: Sequence[Diagnostic]) -> JsonObject:
    ordered = sorted(diagnostics, key=lambda d: (d.file, d.line))
    return {
        "executionSuccessful": not any(d.level is DiagnosticLevel.ERROR for d in diagnostics),
        "toolExecutionNotifications": [_notification(d) for d in ordered],
    }


def _notification(diagnostic: Diagnostic) -> JsonObject:
    out: JsonObject = {"level": str(diagnostic.level), "message": {"text": diagnostic.reason}}
    if diagnostic.file:
        out["locations"] = [_physical(diagnostic.file, diagnostic.line)]
    return out


def _root_uri(root: str) -> str:
    uri = Path(root).resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"
