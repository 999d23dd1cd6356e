"""Findings, severities and scan diagnostics (frozen, typed)."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field

from slsguard.model.source import SourceRef


class Severity(enum.StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self)

    def shifted(self, steps: int) -> Severity:
        """`steps` levels up (or down when negative), kept within info..critical."""
        index = min(max(self.rank + steps, 0), len(_SEVERITY_ORDER) - 1)
        return _SEVERITY_ORDER[index]


_SEVERITY_ORDER = list(Severity)


class Confidence(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Category(enum.StrEnum):
    """The Serverless Top 10 (PureSec 2018 / OWASP Serverless Top 10)."""

    SAS_1 = "SAS-1"
    SAS_2 = "SAS-2"
    SAS_3 = "SAS-3"
    SAS_4 = "SAS-4"
    SAS_5 = "SAS-5"
    SAS_6 = "SAS-6"
    SAS_7 = "SAS-7"
    SAS_8 = "SAS-8"
    SAS_9 = "SAS-9"
    SAS_10 = "SAS-10"

    @property
    def label(self) -> str:
        """The category's name, e.g. "Broken authentication"."""
        return CATEGORY_TITLES[self]


CATEGORY_TITLES = {
    Category.SAS_1: "Function event-data injection",
    Category.SAS_2: "Broken authentication",
    Category.SAS_3: "Insecure serverless deployment configuration",
    Category.SAS_4: "Over-privileged function permissions and roles",
    Category.SAS_5: "Inadequate function monitoring and logging",
    Category.SAS_6: "Insecure third-party dependencies",
    Category.SAS_7: "Insecure application secrets storage",
    Category.SAS_8: "Denial of service and financial resource exhaustion",
    Category.SAS_9: "Serverless business logic manipulation",
    Category.SAS_10: "Improper exception handling and verbose error messages",
}


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    rule_name: str
    category: Category
    severity: Severity
    confidence: Confidence
    message: str
    location: SourceRef
    subject: str  # the function or resource the finding is about, e.g. "function hello"
    suppressed_by: str | None = None  # "inline", "metadata", "config", "baseline"
    suppression_reason: str = ""
    fix: str = ""  # how to fix it, in the words of the file's format
    # Code findings: the steps from the event (source) to the dangerous call (sink).
    flow: tuple[tuple[SourceRef, str], ...] = ()

    @property
    def fingerprint(self) -> str:
        """Stable across line moves: rule, file, document path and subject."""
        key = "\x1f".join((self.rule_id, self.location.file, self.location.dotted(), self.subject))
        return hashlib.sha256(key.encode()).hexdigest()[:20]

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.file, loc.line, loc.column, self.rule_id)


class DiagnosticLevel(enum.StrEnum):
    ERROR = "error"  # a file that could not be scanned
    WARNING = "warning"  # scanned in part (e.g. a variable could not be read)
    NOTE = "note"  # not scanned on purpose, with a reason (e.g. serverless.ts)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    file: str
    reason: str
    level: DiagnosticLevel = DiagnosticLevel.ERROR
    line: int = 0

    def __str__(self) -> str:
        if not self.file:  # about the whole scan, not one file
            return f"{self.level}: {self.reason}"
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.level}: {self.reason}"


@dataclass(slots=True)
class ScanResult:
    root: str
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files_scanned: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    ships_packages: bool = False  # some function ships third-party packages

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed_by is None]

    @property
    def suppressed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed_by is not None]
