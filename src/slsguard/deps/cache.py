"""Where the advisory database lives by default (kept apart from the store so that finding
out there is none costs no import of the version and CVSS libraries)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

DB_FILENAME: Final = "osv.sqlite"


def default_path() -> Path:
    """$XDG_CACHE_HOME/slsguard/osv.sqlite, else ~/.cache/slsguard/osv.sqlite."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says relative values are invalid and must be ignored.
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "slsguard" / DB_FILENAME
