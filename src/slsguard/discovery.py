"""Find the files to scan: serverless.yml, SAM/CloudFormation templates, CDK synth output.

Templates are recognised by content, not by name. Directories that hold dependencies,
build output or VCS data are skipped; symbolic links to directories are never followed
(loops and escapes are reported), and files are read with a size cap.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from slsguard.findings import Diagnostic, DiagnosticLevel

SKIP_DIRS = frozenset(
    {
        "node_modules",
        ".serverless",
        ".aws-sam",
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".terraform",
        "site-packages",
        ".idea",
        ".vscode",
        ".esbuild",
        ".webpack",
    }
)
SERVERLESS_NAMES = ("serverless.yml", "serverless.yaml")
_RUN_TO_READ = "a JavaScript/TypeScript config must be run to be read; slsguard never runs code"
UNEVALUATED_CONFIGS = {
    "serverless.ts": _RUN_TO_READ,
    "serverless.js": _RUN_TO_READ,
    "serverless.cjs": _RUN_TO_READ,
    "serverless.mjs": _RUN_TO_READ,
    "serverless.json": "serverless.json configs are not supported yet; convert to serverless.yml",
}
TEMPLATE_SUFFIXES = (".yml", ".yaml", ".json", ".template")
DEFAULT_MAX_BYTES = 5 * 1024 * 1024

_TYPE_MARKER = re.compile(r"[\"']?Type[\"']?\s*:\s*[\"']?AWS::")
# `Resources:` at the start of a line (YAML) or after `{`/`,` (JSON, minified included)
_RESOURCES = re.compile(r"(?:^|[{,])\s*[\"']?Resources[\"']?\s*:", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Candidate:
    path: Path
    rel: str  # posix, relative to the scan root
    kind: str  # "serverless" or "template"
    explicit: bool = False  # named on the command line


def _is_skipped_dir(name: str) -> bool:
    return name in SKIP_DIRS or (name.startswith("asset.") and len(name) > 40)


def discover(
    paths: list[Path], root: Path, exclude: tuple[str, ...] = ()
) -> tuple[list[Candidate], list[Diagnostic]]:
    candidates: list[Candidate] = []
    diagnostics: list[Diagnostic] = []
    for path in paths:
        if not path.is_dir():  # a file, or a FIFO/device that read_text will refuse
            if path.name in UNEVALUATED_CONFIGS:
                reason = f"not scanned: {UNEVALUATED_CONFIGS[path.name]}"
                diagnostics.append(Diagnostic(_rel(path, root), reason, DiagnosticLevel.NOTE))
                continue
            kind = _kind_by_name(path.name) or "template"
            candidates.append(Candidate(path, _rel(path, root), kind, explicit=True))
        else:
            _walk(path, root, exclude, candidates, diagnostics)
    return candidates, diagnostics


def _walk(
    top: Path,
    root: Path,
    exclude: tuple[str, ...],
    candidates: list[Candidate],
    diagnostics: list[Diagnostic],
) -> None:
    real_root = os.path.realpath(root)
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        here = Path(dirpath)
        kept = []
        for name in sorted(dirnames):
            full = here / name
            rel = _rel(full, root)
            if _is_skipped_dir(name) or _excluded(rel, exclude):
                continue
            if full.is_symlink():
                diagnostics.append(_symlink_note(full, rel, real_root))
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            full = here / name
            rel = _rel(full, root)
            if _excluded(rel, exclude):
                continue
            if name in UNEVALUATED_CONFIGS:
                diagnostics.append(
                    Diagnostic(
                        rel, f"not scanned: {UNEVALUATED_CONFIGS[name]}", DiagnosticLevel.NOTE
                    )
                )
                continue
            kind = _kind_by_name(name)
            if kind is None and not name.endswith(TEMPLATE_SUFFIXES):
                continue
            if full.is_symlink():
                target = os.path.realpath(full)
                if not os.path.exists(target):
                    diagnostics.append(Diagnostic(rel, "symlink loop or dangling symlink"))
                    continue
                if os.path.commonpath([target, real_root]) != real_root:
                    diagnostics.append(
                        Diagnostic(
                            rel,
                            "symlink points outside the project; not followed",
                            DiagnosticLevel.WARNING,
                        )
                    )
                    continue
            candidates.append(Candidate(full, rel, kind or "template?"))


def _symlink_note(full: Path, rel: str, real_root: str) -> Diagnostic:
    # Directory links are never followed (a loop cannot hang the scan); say what was skipped.
    try:
        target = full.resolve(strict=True)
    except (OSError, RuntimeError):
        return Diagnostic(
            rel, "symlink loop or dangling symlink; not followed", DiagnosticLevel.NOTE
        )
    inside = os.path.commonpath([str(target), real_root]) == real_root
    if inside and os.path.commonpath([str(target), os.path.realpath(full.parent)]) == str(target):
        return Diagnostic(
            rel, "symlink loop (points at its own ancestor); not followed", DiagnosticLevel.NOTE
        )
    where = "inside" if inside else "outside"
    return Diagnostic(
        rel, f"symlinked directory ({where} the project) not followed", DiagnosticLevel.NOTE
    )


def _kind_by_name(name: str) -> str | None:
    if name in SERVERLESS_NAMES:
        return "serverless"
    return None


def _excluded(rel: str, patterns: tuple[str, ...]) -> bool:
    return any(
        fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern.rstrip("/") + "/*")
        for pattern in patterns
    )


def _rel(path: Path, root: Path) -> str:
    """The path as the user sees it: never resolved, so a link is named, not its target."""
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    return rel.replace(os.sep, "/")


def looks_like_template(text: str) -> bool:
    """CloudFormation/SAM by content: the format version, the SAM transform, or AWS:: types
    under a Resources section."""
    if "AWSTemplateFormatVersion" in text or "AWS::Serverless-2016-10-31" in text:
        return True
    return bool(_RESOURCES.search(text) and _TYPE_MARKER.search(text))


class FileRejected(Exception):
    """A one-line reason why a file cannot be read as text."""


def _human(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{size} bytes"


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block the scan forever
            raise FileRejected("not a regular file")
        if info.st_size > max_bytes:
            raise FileRejected(
                f"file is {_human(info.st_size)}, over the {_human(max_bytes)} limit "
                "(--max-file-size)"
            )
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileRejected:
        raise
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno == errno.ELOOP:
            reason = "symlink loop"
        raise FileRejected(f"cannot read: {reason}") from None
    if len(data) > max_bytes:
        raise FileRejected(f"file grew over the {_human(max_bytes)} limit while reading")
    if b"\x00" in data[:8192]:
        raise FileRejected("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRejected(f"not UTF-8 text (invalid byte at offset {exc.start})") from None
