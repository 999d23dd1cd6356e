"""The IR of every source file the current app's functions read, parsed once.

The least-privilege analysis (while the app loads) and the code rules (after the
configuration rules) both walk all of an app's handlers and the modules they import, one
pass after the other: a small LRU would have forgotten the first file by the time the
second pass needs it. The engine clears this at the start of each scanned file, so only
one app's modules stay in memory (and the process does not free thousands at exit).
"""

from __future__ import annotations

from collections.abc import Callable

from slsguard.code import ir

_modules: dict[tuple[str, str, str], ir.Module] = {}


def parsed(dialect: str, text: str, rel: str, parse: Callable[[], ir.Module]) -> ir.Module:
    """The module `parse()` builds for `text` at `rel` in `dialect`, built once."""
    key = (dialect, rel, text)
    found = _modules.get(key)
    if found is None:
        found = _modules[key] = parse()
    return found


def clear() -> None:
    _modules.clear()
