"""Where a scan gets its advisories: a local OSV database (the default, offline), OSV
records the user points at (imported into a throw-away database for this scan), or the OSV
API when the user asks for it with --online. Nothing here touches the network otherwise."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from slsguard.deps.model import Package
from slsguard.deps.osv import Match, PackageRef, merge_aliases

if TYPE_CHECKING:
    from slsguard.deps.store import AdvisoryDB

Key = tuple[str, str, str]  # (ecosystem, name, version) as the manifest spells them


@dataclass(frozen=True, slots=True)
class AdvisorySource:
    """How to look advisories up; opened lazily in each process that needs it."""

    database: Path | None = None  # an slsguard OSV SQLite database
    online_url: str | None = None  # the OSV API base URL, when --online


class AdvisoryLookupError(Exception):
    """The source exists but could not be read; the message is one line."""


_open_db: dict[
    Path, AdvisoryDB
] = {}  # one connection per database per process (not shared by forks)


def prepare(osv: Path | None, online: bool, online_url: str) -> tuple[AdvisorySource | None, str]:
    """The source for this scan and, when there is none, the one-line reason why.

    A directory or zip of OSV records is imported into a temporary database that lives as
    long as the process (the scan), never into the user's cache.
    """
    if online:
        return AdvisorySource(online_url=online_url), ""
    if osv is not None and (osv.is_dir() or osv.suffix.lower() in (".zip", ".json")):
        from slsguard.deps.store import AdvisoryDB, DatabaseError

        folder = Path(tempfile.mkdtemp(prefix="slsguard-osv-"))
        _TEMP_DIRS.append(folder)
        try:
            AdvisoryDB.build(folder / "osv.sqlite", [osv]).close()
        except (DatabaseError, OSError, ValueError) as exc:
            raise AdvisoryLookupError(f"cannot import OSV records from {osv}: {exc}") from None
        return AdvisorySource(database=folder / "osv.sqlite"), ""
    database = osv if osv is not None else _default_database()
    if database.is_file():
        return AdvisorySource(database=database), ""
    return None, (
        "SLS0601 not checked: no advisory database; run `slsguard db update` or pass "
        "--osv-db PATH (an OSV directory, zip or slsguard database), or use --online"
    )


_TEMP_DIRS: list[Path] = []


def _default_database() -> Path:
    from slsguard.deps.cache import default_path

    return default_path()


def cleanup() -> None:
    import shutil

    for db in _open_db.values():
        db.close()
    _open_db.clear()
    while _TEMP_DIRS:
        shutil.rmtree(_TEMP_DIRS.pop(), ignore_errors=True)


def lookup(source: AdvisorySource, packages: Iterable[Package]) -> dict[Key, tuple[Match, ...]]:
    """Known advisories for every package with a version; one finding per vulnerability
    (a PYSEC record and its GHSA twin are merged)."""
    wanted = [p for p in packages if p.version and not p.dev]
    if not wanted:
        return {}
    results: dict[PackageRef, list[Match]]
    if source.online_url is not None:
        from slsguard.deps.online import OnlineClient, OnlineError

        try:
            results = OnlineClient(source.online_url).query_batch(wanted)
        except OnlineError as exc:
            raise AdvisoryLookupError(str(exc)) from None
    else:
        assert source.database is not None
        results = _database(source.database).query_many(wanted)
    return {
        (ref.ecosystem, ref.name, ref.version): tuple(merge_aliases(ref.ecosystem, matches))
        for ref, matches in results.items()
        if matches
    }


def _database(path: Path) -> AdvisoryDB:
    from slsguard.deps.store import AdvisoryDB, DatabaseError

    if path not in _open_db:
        try:
            _open_db[path] = AdvisoryDB.open(path, readonly=True)
        except DatabaseError as exc:
            raise AdvisoryLookupError(str(exc)) from None
    return _open_db[path]
