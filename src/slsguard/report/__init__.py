"""Reporters: turn a ScanResult into text, JSON or SARIF.

Each format lives in its own module and is imported only when chosen, so `--format json`
never pays for the terminal renderer (or rich) and vice versa.
"""

from __future__ import annotations

from collections.abc import Sequence

from slsguard.findings import ScanResult, Severity
from slsguard.rules.base import RuleMeta

FORMATS: tuple[str, ...] = ("text", "json", "sarif")


def render(
    fmt: str,
    result: ScanResult,
    rules: Sequence[RuleMeta],
    *,
    tool_version: str,
    color: bool = False,
    show_suppressed: bool = False,
    fail_on: Severity | None = None,
) -> str:
    """Render `result` in format `fmt` (one of FORMATS); options a format lacks are ignored."""
    if fmt == "text":
        from slsguard.report import text

        return text.render(
            result, rules, color=color, show_suppressed=show_suppressed, fail_on=fail_on
        )
    if fmt == "json":
        from slsguard.report import json_report

        return json_report.render(result, rules, tool_version=tool_version)
    if fmt == "sarif":
        from slsguard.report import sarif

        return sarif.render(result, rules, tool_version=tool_version)
    raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
