"""Version ordering per ecosystem: PEP 440 for PyPI, SemVer 2.0 (npm's ordering) for npm.

A version that does not parse is *unknown*: `parse_version` returns None and callers must
neither crash nor guess that it is affected.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Final, Protocol

import semver
from packaging.version import InvalidVersion
from packaging.version import Version as Pep440Version

PYPI: Final = "PyPI"
NPM: Final = "npm"
ECOSYSTEMS: Final = (PYPI, NPM)

# Lock files, manifests and users spell ecosystems in several ways; OSV uses "PyPI"/"npm".
_ECOSYSTEM_ALIASES: Final = {"pypi": PYPI, "pip": PYPI, "python": PYPI, "npm": NPM}
# Longer strings are not versions; refusing them keeps hostile input cheap.
_MAX_VERSION_LEN: Final = 256
_PEP503_SEPARATORS: Final = re.compile(r"[-_.]+")


class Comparable(Protocol):
    """A parsed version: totally ordered against versions parsed by the same parser."""

    def __lt__(self, other: Any, /) -> bool: ...
    def __le__(self, other: Any, /) -> bool: ...
    def __gt__(self, other: Any, /) -> bool: ...
    def __ge__(self, other: Any, /) -> bool: ...


def canonical_ecosystem(ecosystem: str) -> str | None:
    """The OSV name ("PyPI" or "npm") of a supported ecosystem spelling, else None."""
    return _ECOSYSTEM_ALIASES.get(ecosystem.strip().lower())


def normalize_name(ecosystem: str, name: str) -> str:
    """The name advisories are indexed by: PEP 503 for PyPI, unchanged for npm."""
    if ecosystem == PYPI:
        return _PEP503_SEPARATORS.sub("-", name.strip()).lower()
    # npm names are case-sensitive (legacy packages such as "JSONStream" exist).
    return name.strip()


def parse_version(ecosystem: str, text: str) -> Comparable | None:
    """The ecosystem's ordering of `text`, or None when it is not a valid version there."""
    if ecosystem == PYPI:
        return parse_pep440(text)
    if ecosystem == NPM:
        return parse_semver(text)
    return None


@functools.lru_cache(maxsize=65536)
def parse_pep440(text: str) -> Comparable | None:
    if not _plausible(text):
        return None
    try:
        return Pep440Version(text.strip())
    except InvalidVersion:
        return None


@functools.lru_cache(maxsize=65536)
def parse_semver(text: str) -> Comparable | None:
    """SemVer 2.0 precedence, as npm's `semver.compare` (build metadata ignored)."""
    if not _plausible(text):
        return None
    # npm's strict parser accepts a leading "v" (and "=" in loose mode); nothing else.
    cleaned = text.strip().removeprefix("=").removeprefix("v")
    try:
        return semver.Version.parse(cleaned)
    except (ValueError, TypeError):
        return None


def _plausible(text: str) -> bool:
    return isinstance(text, str) and 0 < len(text) <= _MAX_VERSION_LEN
