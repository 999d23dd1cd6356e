"""What the code analysis reports: one finding per rule and sink position."""

from __future__ import annotations

from dataclasses import dataclass

FlowStep = tuple[int, int, str]  # line, column (both 1-based), what happens there


@dataclass(frozen=True, slots=True)
class CodeFinding:
    rule_id: str
    line: int
    column: int
    message: str  # names the source path and the sink, never a secret's value
    flow: tuple[FlowStep, ...] = ()  # source -> ... -> sink (SARIF codeFlows)

    def sort_key(self) -> tuple[int, int, str]:
        return (self.line, self.column, self.rule_id)
