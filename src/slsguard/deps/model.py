"""The values every manifest reader returns, and the helpers they share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from slsguard.model.source import SourceRef

PYPI = "PyPI"
NPM = "npm"

# Words that mark a requirements file or an extra/group as development-only
# ("requirements-dev.txt", "test-requirements.txt", extra "tests"...).
_DEV_WORDS = frozenset(
    {"dev", "develop", "development", "test", "tests", "testing", "lint", "docs", "doc", "ci"}
)
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
# An exact npm version: 1.2.3, =1.2.3, v1.2.3, 1.2.3-rc.1+build (no ranges, no x, no spaces).
_NPM_EXACT = re.compile(r"^=?v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$")


@dataclass(frozen=True, slots=True)
class Package:
    ecosystem: str  # "PyPI" or "npm" (OSV ecosystem names)
    name: str  # PyPI: PEP 503-normalised; npm: as written ("@aws-sdk/client-s3")
    version: str | None  # exact installed/pinned version when known, else None
    spec: str  # the requirement as written: "requests>=2.31", "^1.2.3", "1.4.0"
    pinned: bool  # the version is exact (== pin, lock entry, exact npm version)
    direct: bool  # declared by the project itself (False for transitive lock entries)
    src: SourceRef  # the line that names the package
    dev: bool = False  # development-only: does not ship in the function


@dataclass(frozen=True, slots=True)
class Manifest:
    file: str  # relative posix path
    kind: str  # "requirements", "pipfile.lock", "package.json", ... (see manifests.KINDS)
    ecosystem: str
    is_lock: bool
    packages: tuple[Package, ...]
    # Things skipped while reading (an include outside the root, a missing -r file...).
    warnings: tuple[str, ...] = ()


class ManifestError(Exception):
    """The file cannot be read as the manifest it claims to be; the message is one line."""


def dev_named(name: str) -> bool:
    """True for names like "requirements-dev", "test", "docs" (a dev-only file or group)."""
    return any(word in _DEV_WORDS for word in _WORD_SPLIT.split(name.lower()))


def clip(text: str, limit: int = 80) -> str:
    """text shortened for a one-line message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def npm_exact(spec: str) -> str | None:
    """The version of an exact npm spec ("1.2.3", "=1.2.3", "v1.2.3"), else None."""
    match = _NPM_EXACT.match(spec.strip())
    return match.group(1) if match else None


def scalar_text(value: object) -> str | None:
    """A version-like scalar as text (YAML may have typed "1.10" as a float); None if absent."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def decode(data: bytes) -> str:
    """UTF-8 text without a byte-order mark, or ManifestError."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ManifestError(f"not UTF-8 text (byte {exc.start})") from None
    return text[1:] if text.startswith("\ufeff") else text


def read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"cannot read: {exc.strerror or exc}") from None
    return decode(data)
