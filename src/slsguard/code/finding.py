"""What the code analysis reports: one finding per rule and sink position."""

from __future__ import annotations

from dataclasses import dataclass

# line, column (both 1-based), what happens there, and the file: "" is the file being
# analysed (the handler's), else the path of a project module relative to the scan root.
FlowStep = tuple[int, int, str, str]


@dataclass(frozen=True, slots=True)
class CodeFinding:
    rule_id: str
    line: int
    column: int
    message: str  # names the source path and the sink, never a secret's value
    flow: tuple[FlowStep, ...] = ()  # source -> ... -> sink (SARIF codeFlows)
    file: str = ""  # "" the handler's file; a project module it calls into (relative path)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.rule_id)
