"""Terminal report: findings grouped by file, then diagnostics, then a summary.

A pure function of its inputs. Colors are plain ANSI escapes so that rendering never
imports rich; with color=False the output contains no escape characters at all.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from slsguard.findings import Category, Diagnostic, Finding, ScanResult, Severity
from slsguard.rules.base import RuleMeta

_RESET = "\x1b[0m"
_BOLD = "1"
_DIM = "2"
_SEVERITY_STYLE = {
    Severity.CRITICAL: "1;35",
    Severity.HIGH: "1;31",
    Severity.MEDIUM: "33",
    Severity.LOW: "36",
    Severity.INFO: "2",
}
_LEVEL_STYLE = {"error": "31", "warning": "33", "note": "2"}

# A sentence ends at . ! or ? followed by whitespace, except after "e.g." / "i.e.".
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!e\.g\.)(?<!i\.e\.)\s+")


def render(
    result: ScanResult,
    rules: Sequence[RuleMeta],
    *,
    color: bool,
    show_suppressed: bool = False,
    fail_on: Severity | None = None,
) -> str:
    """Return the terminal report for `result`, ending with a newline."""
    paint = _Painter(color)
    by_id = {meta.id: meta for meta in rules}
    shown = result.findings if show_suppressed else result.active
    lines: list[str] = []
    lines += _finding_lines(sorted(shown, key=Finding.sort_key), by_id, paint)
    lines += _diagnostic_lines(result.diagnostics, paint)
    lines += _summary_lines(result, fail_on, paint)
    return "\n".join(lines) + "\n"


class _Painter:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str) -> str:
        return f"\x1b[{style}m{text}{_RESET}" if self.enabled else text


def first_sentence(text: str) -> str:
    """The first sentence of `text` with whitespace (including newlines) collapsed."""
    flat = " ".join(text.split())
    return _SENTENCE_END.split(flat, maxsplit=1)[0]


def _finding_lines(
    findings: list[Finding], by_id: dict[str, RuleMeta], paint: _Painter
) -> list[str]:
    lines: list[str] = []
    for file, group in itertools.groupby(findings, key=lambda f: f.location.file):
        lines.append(paint(file, _BOLD))
        for finding in group:
            lines += _one_finding(finding, by_id.get(finding.rule_id), paint)
        lines.append("")
    return lines


def _one_finding(finding: Finding, meta: RuleMeta | None, paint: _Painter) -> list[str]:
    loc = finding.location
    severity = paint(finding.severity.upper(), _SEVERITY_STYLE[finding.severity])
    head = (
        f"  {loc.line}:{loc.column}  {severity}  {finding.rule_id}  {finding.message}"
        f"  [{finding.category}]"
    )
    if finding.suppressed_by is not None:
        # Suppressed findings are listed only on request: one dimmed line, no advice.
        why = f": {finding.suppression_reason}" if finding.suppression_reason else ""
        return [paint(f"{head}  (suppressed by {finding.suppressed_by}{why})", _DIM)]
    lines = [head]
    if meta is not None:
        lines.append(paint(f"      why: {first_sentence(meta.rationale)}", _DIM))
        lines.append(paint(f"      fix: {first_sentence(finding.fix or meta.fix)}", _DIM))
    return lines


def _diagnostic_lines(diagnostics: Iterable[Diagnostic], paint: _Painter) -> list[str]:
    ordered = sorted(diagnostics, key=lambda d: (d.file, d.line))
    lines = [paint(str(d), _LEVEL_STYLE.get(d.level, "")) for d in ordered]
    return [*lines, ""] if lines else []


def _summary_lines(result: ScanResult, fail_on: Severity | None, paint: _Painter) -> list[str]:
    active = result.active
    files = _plural(len(result.files_scanned), "file")
    if active:
        lines = [paint(f"Found {_plural(len(active), 'finding')} in {files}.", _BOLD)]
        lines += _count_lines(active)
    else:
        lines = [paint(f"No findings in {files}.", _BOLD)]
    lines.append(f"  suppressed: {len(result.suppressed)}")
    if result.diagnostics:
        levels = Counter(str(d.level) for d in result.diagnostics)
        order = ("error", "warning", "note")
        counts = ", ".join(_plural(levels[lvl], lvl) for lvl in order if levels[lvl])
        lines.append(f"  diagnostics: {counts}")
    lines.append(f"  duration: {result.duration_s:.2f}s")
    if fail_on is not None:
        failing = sum(1 for f in active if f.severity.rank >= fail_on.rank)
        text = f"  fail-on {fail_on}: {_plural(failing, 'finding')} at or above it"
        lines.append(paint(text, "31" if failing else "32"))
    return lines


def _count_lines(active: list[Finding]) -> list[str]:
    severities = Counter(f.severity for f in active)
    categories = Counter(f.category for f in active)
    by_sev = ", ".join(f"{sev} {severities[sev]}" for sev in reversed(Severity) if severities[sev])
    lines = [f"  by severity: {by_sev}", "  by category:"]
    lines += [f"    {cat:<6} {cat.label}: {categories[cat]}" for cat in Category if categories[cat]]
    return lines


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
