"""SLS0703: hard-coded secrets in handler code.

Two sources: the regex plugins of the maintained `detect-secrets` library (cloud keys,
private keys, tokens of known services), run in-process through its plugin API on the
source text, and literals assigned to secret-named variables, keywords, dict keys and
parameter defaults (`DB_PASSWORD = "..."`, `connect(password="...")`), judged by
slsguard.secrets like plaintext secrets in configuration. Messages never quote a value.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from slsguard.code import ir
from slsguard.code.finding import CodeFinding
from slsguard.secrets import classify

if TYPE_CHECKING:
    from detect_secrets.plugins.base import BasePlugin

RULE = "SLS0703"
# Plugins left out: keyword guessing is done on the IR below, entropy is too noisy for
# source code, and a public IP address is not a secret.
_EXCLUDED_PLUGINS = frozenset(
    {"KeywordDetector", "Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector"}
)
_TOKEN = re.compile(r"[\w+/=-]{20,}")
_PLACEHOLDER = re.compile(
    r"example|change_?me|replace|your|placeholder|dummy|x{4,}|\*{3,}|<[^>]*>|redacted|fake|sample",
    re.IGNORECASE,
)


def hardcoded_secrets(text: str, module: ir.Module) -> list[CodeFinding]:
    found: dict[int, CodeFinding] = {}
    for line, col, kind in _library_matches(text):
        message = f"hard-coded secret in code: {kind} (detect-secrets)"
        found.setdefault(line, CodeFinding(RULE, line, col, message))
    for line, col, name, reason in _named_literals(module):
        message = f"hard-coded secret in code: {name} is a literal; {reason}"
        found.setdefault(line, CodeFinding(RULE, line, col, message))
    return list(found.values())


def preload() -> None:
    """Import and set up detect-secrets now (~0.1 s), e.g. before forking workers."""
    _plugins()


@functools.cache
def _plugins() -> tuple[BasePlugin, ...]:
    # Imported on first use: the library takes ~0.1 s to import.
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    classes: list[type[BasePlugin]] = list(get_mapping_from_secret_type_to_class().values())
    return tuple(cls() for cls in classes if cls.__name__ not in _EXCLUDED_PLUGINS)


def _library_matches(text: str) -> Iterator[tuple[int, int, str]]:
    """(line, column, secret type) of every secret the detect-secrets plugins find."""
    sample = "\n".join(line for line in text.splitlines() if _candidate(line))
    if not sample:
        return
    starts: list[int] | None = None
    for plugin in _plugins():
        for secret in set(plugin.analyze_string(sample)):
            if not secret or _PLACEHOLDER.search(secret):
                continue
            if starts is None:
                starts = _line_starts(text)
            for match in re.finditer(re.escape(secret), text):
                line = _line_of(starts, match.start())
                yield line, match.start() - starts[line - 1] + 1, str(plugin.secret_type)


def _candidate(line: str) -> bool:
    """Lines that may hold what the plugins look for: a token of 20+ characters with a
    digit (keys, tokens, hashes), a PEM header or a URL with credentials. The plugins'
    keyword regexes are slow; most lines of code are none of these."""
    if "PRIVATE KEY" in line or ("@" in line and "://" in line):
        return True
    return any(any(c.isdigit() for c in token) for token in _TOKEN.findall(line))


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts += [m.end() for m in re.finditer("\n", text)]
    return starts


def _line_of(starts: Sequence[int], offset: int) -> int:
    lo, hi = 0, len(starts)
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid
    return lo + 1


def _named_literals(module: ir.Module) -> Iterator[tuple[int, int, str, str]]:
    """(line, column, name, reason) of string literals stored under a secret name."""
    for literal in module.literals:
        value = literal.value
        match = classify(literal.name, value.value)
        if match is not None and match.confidence in ("medium", "high"):
            yield value.line, value.col, literal.name, match.reason
