"""Where a model node came from: file, line, column and its path inside the document."""

from __future__ import annotations

from dataclasses import dataclass

PathPart = str | int
DocPath = tuple[PathPart, ...]


@dataclass(frozen=True, slots=True)
class SourceRef:
    file: str  # posix path relative to the scan root
    line: int  # 1-based
    column: int  # 1-based
    path: DocPath = ()

    def dotted(self) -> str:
        return ".".join(str(p) for p in self.path)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"
