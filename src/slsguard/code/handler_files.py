"""What resolving a handler yields, and reading project files without leaving the project."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from slsguard.discovery import FileRejected, read_text

MAX_SOURCE_BYTES = 2 * 1024 * 1024

LANGUAGE_BY_SUFFIX = {
    ".py": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
}


@dataclass(frozen=True, slots=True)
class HandlerSource:
    function_id: str
    language: str  # "python", "javascript", "typescript"
    path: Path | None  # the source file; None for inline code
    rel: str  # posix, relative to the scan root; "<template>#<FunctionId>" for inline code
    export: str  # the handler's function/export name as written ("create", "handler", "default")
    text: str
    line_offset: int = 0  # inline code: template line = line in `text` + line_offset
    template_file: str | None = None  # inline code: the template's rel path
    # The directory the handler string is relative to (service dir, CodeUri, CDK asset):
    # absolute Python imports resolve against it. None for inline code.
    code_root: Path | None = None


@dataclass(frozen=True, slots=True)
class Unresolvable:
    function_id: str
    reason: str  # one line


class SourceRejected(Exception):
    """A one-line reason why a project file is not read."""


def lexical(path: str | Path) -> Path:
    """Absolute and normalised without touching the file system: a link keeps its name."""
    return Path(os.path.normpath(os.path.abspath(path)))


def join(base: Path, rel: str) -> Path:
    # A leading "/" would make os.path.join drop base: handlers are always relative.
    return lexical(os.path.join(base, rel.lstrip("/")))


def rel_to(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


def lexically_inside(path: Path, root: Path) -> bool:
    return os.path.commonpath([path, root]) == str(root)


def is_file(path: Path) -> bool:
    """Like Path.is_file, but False for names the OS refuses (too long, NUL bytes)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def language_of(path: Path) -> str | None:
    return LANGUAGE_BY_SUFFIX.get(path.suffix)


def read_source(path: Path, real_root: str) -> str:
    """The text of a project file, or SourceRejected: it must stay inside the project once
    links are followed, be under the size cap, and be UTF-8 text."""
    try:
        real = os.path.realpath(path)
        size = os.stat(real).st_size
    except (OSError, ValueError) as exc:
        raise SourceRejected(f"cannot read: {exc}") from None
    if os.path.commonpath([real, real_root]) != real_root:
        raise SourceRejected("symlink to outside the project")
    if size > MAX_SOURCE_BYTES:
        raise SourceRejected(f"file is {_megabytes(size)}, over the 2 MB limit")
    try:
        return read_text(Path(real), MAX_SOURCE_BYTES)
    except FileRejected as exc:
        raise SourceRejected(str(exc)) from None


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"
