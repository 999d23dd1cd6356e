"""The manifest next to a lock file: it tells which locked packages are direct (and dev)."""

from __future__ import annotations

from pathlib import Path

from slsguard.deps.model import ManifestError, read_text

MAX_SIBLING_BYTES = 5 * 1024 * 1024


def sibling_text(lock: Path, name: str) -> str | None:
    """Text of `name` in the lock file's directory; None when absent or unreadable."""
    path = lock.parent / name
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_SIBLING_BYTES:
            return None
        return read_text(path)
    except (OSError, ManifestError):
        return None
