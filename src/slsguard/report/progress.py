"""A small stderr progress indicator for scans of many files.

The CLI enables it only when stderr is a TTY, more than 20 files are queued and --quiet is
not given; disabled, it writes nothing at all. rich is imported only when enabled.
"""

from __future__ import annotations

import shutil
import sys
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress


MIN_FILES = 20  # smaller scans finish before a bar would be worth drawing


def wanted(total: int, *, quiet: bool, stream: TextIO | None = None) -> bool:
    """The CLI's rule: show progress for more than MIN_FILES files on an interactive stderr."""
    out = stream if stream is not None else sys.stderr
    return not quiet and total > MIN_FILES and out.isatty()


class _Backend(Protocol):
    def advance(self, path: str) -> None: ...
    def close(self) -> None: ...


class Progress:
    """Counts files as they are scanned: `advance(path)` after each one, `close()` at the end."""

    def __init__(
        self, total: int, enabled: bool, *, stream: TextIO | None = None, plain: bool = False
    ) -> None:
        self._backend: _Backend | None = None
        if enabled:
            out = stream if stream is not None else sys.stderr
            rich_bar = None if plain else _rich_backend(total, out)
            self._backend = rich_bar or _PlainLine(total, out)

    def advance(self, path: str) -> None:
        if self._backend is not None:
            self._backend.advance(path)

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
            self._backend = None  # close() twice, or advance() after it, is a no-op

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _rich_backend(total: int, out: TextIO) -> _Backend | None:
    try:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
        from rich.progress import Progress as RichProgress
    except ImportError:  # rich is a dependency, but a trimmed install still gets a line
        return None
    bar = RichProgress(
        TextColumn("scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}", style="dim"),
        console=Console(file=out),
        transient=True,  # leave no trace once the report is printed
    )
    return _RichBar(bar, total)


class _RichBar:
    def __init__(self, bar: RichProgress, total: int) -> None:
        self._bar = bar
        self._task = bar.add_task("", total=total)
        bar.start()

    def advance(self, path: str) -> None:
        self._bar.update(self._task, advance=1, description=path)

    def close(self) -> None:
        self._bar.stop()


class _PlainLine:
    """One line rewritten in place with a carriage return."""

    def __init__(self, total: int, out: TextIO) -> None:
        self._total = total
        self._done = 0
        self._out = out
        self._width = max(20, shutil.get_terminal_size(fallback=(80, 24)).columns - 1)

    def advance(self, path: str) -> None:
        self._done += 1
        prefix = f"scanning {self._done}/{self._total} "
        room = max(8, self._width - len(prefix))
        shown = path if len(path) <= room else "..." + path[-(room - 3) :]
        self._write(f"\r{(prefix + shown).ljust(self._width)}")

    def close(self) -> None:
        self._write("\r" + " " * self._width + "\r")

    def _write(self, text: str) -> None:
        self._out.write(text)
        self._out.flush()
