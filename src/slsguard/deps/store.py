"""The local OSV advisory database (SQLite), so that a scan needs no network.

Each advisory's JSON is stored once (zlib-compressed) with an index of the packages it
names: (ecosystem, normalised name) -> advisory. A query reads the candidate advisories of a
package by that index and evaluates their ranges in Python (`slsguard.deps.osv`).

    db = AdvisoryDB.open(create=True)        # ~/.cache/slsguard/osv.sqlite
    db.import_osv(Path("PyPI-all.zip"))      # or a directory of *.json
    db.query("PyPI", "requests", "2.30.0")   # -> [Match(...), ...]

A connection belongs to one process: open the database in each worker, not before a fork.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

from slsguard.deps.cache import default_path
from slsguard.deps.osv import (
    Advisory,
    Match,
    PackageRef,
    ceiling,
    match_for,
    parse_advisory,
)
from slsguard.deps.versions import ECOSYSTEMS, canonical_ecosystem, normalize_name, parse_version

SCHEMA_VERSION: Final = 1
# The largest PyPI/npm records are well under 1 MiB; anything far bigger is not one.
MAX_RECORD_BYTES: Final = 16 * 1024 * 1024
# Names per IN (...) list: far below SQLite's variable limit, one round trip per chunk.
_CHUNK: Final = 500
_PARSED_CACHE: Final = 4096

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS advisory (
    aid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    modified TEXT NOT NULL,
    record BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS affects (
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    aid INTEGER NOT NULL REFERENCES advisory(aid) ON DELETE CASCADE,
    ceiling TEXT,  -- highest version it can affect (osv.ceiling); NULL: unbounded or unknown
    PRIMARY KEY (ecosystem, name, aid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS affects_by_advisory ON affects(aid);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class DatabaseError(Exception):
    """The advisory database is missing, unreadable or of another schema; one-line message."""


class PackageLike(Protocol):
    """Anything with an ecosystem, a name and a version (None: unknown, not queried)."""

    @property
    def ecosystem(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Metadata:
    path: str
    imported_at: str | None  # ISO 8601 UTC of the last import
    sources: tuple[str, ...]  # file names imported since the database was created
    advisories: int
    per_ecosystem: dict[str, int] = field(default_factory=dict)  # advisories per ecosystem
    schema_version: int = SCHEMA_VERSION


@dataclass(slots=True)
class _Stats:
    stored: int = 0
    withdrawn: int = 0
    skipped: int = 0  # not JSON, not OSV, too large, or naming no PyPI/npm package


class AdvisoryDB:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._parsed: dict[int, Advisory] = {}

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: Path | str | None = None, *, create: bool = False, readonly: bool = False
    ) -> AdvisoryDB:
        """Open the database at `path` (default: the user's cache directory). Without
        `create` a missing file is a DatabaseError that says how to make one."""
        target = Path(path) if path is not None else default_path()
        if not target.exists() and not create:
            raise DatabaseError(
                f"no OSV database at {target}: run 'slsguard db update' or pass --osv-db PATH"
            )
        if create:
            target.parent.mkdir(parents=True, exist_ok=True)
        mode = "ro" if readonly else ("rwc" if create else "rw")
        try:
            conn = sqlite3.connect(f"{target.resolve().as_uri()}?mode={mode}", uri=True)
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot open OSV database {target}: {exc}") from None
        db = cls(conn, target)
        try:
            db._prepare(create=create, writable=not readonly)
        except (sqlite3.Error, DatabaseError) as exc:
            conn.close()
            if isinstance(exc, DatabaseError):
                raise
            raise DatabaseError(f"cannot open OSV database {target}: {exc}") from None
        return db

    @classmethod
    def build(cls, path: Path | str | None, sources: Sequence[Path]) -> AdvisoryDB:
        """A fresh database from `sources`, swapped in atomically: a failed build leaves the
        previous database untouched, and open readers keep their old file."""
        target = Path(path) if path is not None else default_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".osv-", suffix=".sqlite", dir=target.parent)
        os.close(fd)
        try:
            with cls.open(tmp, create=True) as db:
                # The file is discarded on failure: no need for durability while building.
                db._conn.execute("PRAGMA journal_mode=OFF")
                db._conn.execute("PRAGMA synchronous=OFF")
                for source in sources:
                    db.import_osv(source)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return cls.open(target)

    def _prepare(self, *, create: bool, writable: bool) -> None:
        self._conn.execute("PRAGMA foreign_keys=ON")
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        tables = self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if version == 0 and tables == 0 and create and writable:
            self._conn.executescript(_SCHEMA)
            self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self._conn.commit()
        elif version != SCHEMA_VERSION:
            raise DatabaseError(
                f"{self.path} is not an slsguard OSV database of schema {SCHEMA_VERSION} "
                f"(found {version}): run 'slsguard db update'"
            )

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> AdvisoryDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- import ----------------------------------------------------------------------------

    def import_osv(self, source: Path | str, *, replace_all: bool = False) -> int:
        """Import OSV records from a directory (searched recursively for *.json), a zip (such
        as the official PyPI/all.zip) or one .json file, in one transaction. A record replaces
        the stored one with the same id; a withdrawn record removes it. `replace_all` empties
        the database first. Returns the number of advisories stored."""
        path = Path(source)
        stats = _Stats()
        try:
            with self._conn:
                if replace_all:
                    self._conn.execute("DELETE FROM affects")
                    self._conn.execute("DELETE FROM advisory")
                # One record in memory at a time: the import is bounded whatever the source.
                for data, blob in _records(path, stats):
                    self._store(data, blob, stats)
                self._record_import(path)
        except sqlite3.Error as exc:
            raise DatabaseError(f"import into {self.path} failed: {exc}") from None
        self._parsed.clear()
        return stats.stored

    def _store(self, data: dict[str, Any], blob: bytes, stats: _Stats) -> None:
        advisory_id = data["id"]
        # Re-import replaces: the old record and its index rows go (ON DELETE CASCADE).
        self._conn.execute("DELETE FROM advisory WHERE id = ?", (advisory_id,))
        advisory = parse_advisory(data)
        keys = {(e.ecosystem, e.name) for e in advisory.affected if e.ecosystem in ECOSYSTEMS}
        if advisory.withdrawn:
            stats.withdrawn += 1
            return
        if not keys:
            stats.skipped += 1
            return
        modified = data.get("modified")
        cursor = self._conn.execute(
            "INSERT INTO advisory (id, modified, record) VALUES (?, ?, ?)",
            (advisory_id, modified if isinstance(modified, str) else "", zlib.compress(blob, 6)),
        )
        self._conn.executemany(
            "INSERT INTO affects (ecosystem, name, aid, ceiling) VALUES (?, ?, ?, ?)",
            [(e, n, cursor.lastrowid, ceiling(advisory, e, n)) for e, n in sorted(keys)],
        )
        stats.stored += 1

    def _record_import(self, source: Path) -> None:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        sources = [*self._meta_list("sources"), source.name]
        self._set_meta("imported_at", now)
        self._set_meta("sources", json.dumps(sources))

    def _set_meta(self, key: str, value: str) -> None:
        self._conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def _meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _meta_list(self, key: str) -> list[str]:
        try:
            value = json.loads(self._meta(key) or "[]")
        except json.JSONDecodeError:
            return []
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    # --- queries ---------------------------------------------------------------------------

    def query(self, ecosystem: str, name: str, version: str) -> list[Match]:
        """The advisories that certainly affect this package version, sorted by id."""
        return self.query_many([PackageRef(ecosystem, name, version)]).get(
            PackageRef(ecosystem, name, version), []
        )

    def query_many(self, packages: Iterable[PackageLike]) -> dict[PackageRef, list[Match]]:
        """Matches for each package with a known version, keyed by PackageRef(ecosystem, name,
        version) as given. One SQL query per ecosystem and chunk of names."""
        wanted: dict[tuple[str, str], list[PackageRef]] = {}
        for package in packages:
            canonical = canonical_ecosystem(package.ecosystem)
            if canonical is None or not package.version:
                continue
            ref = PackageRef(package.ecosystem, package.name, package.version)
            wanted.setdefault((canonical, normalize_name(canonical, package.name)), []).append(ref)
        results: dict[PackageRef, list[Match]] = {r: [] for refs in wanted.values() for r in refs}
        for key, advisory in self._candidates(wanted):
            for ref in wanted[key]:
                match = match_for(advisory, key[0], key[1], ref.version)
                if match is not None:
                    results[ref].append(match)
        for matches in results.values():
            matches.sort(key=lambda m: m.advisory_id)
        return results

    def _candidates(
        self, wanted: dict[tuple[str, str], list[PackageRef]]
    ) -> Iterator[tuple[tuple[str, str], Advisory]]:
        for ecosystem, chunk in _chunks(wanted):
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                "SELECT f.name, f.ceiling, a.aid, a.record FROM affects f JOIN advisory a "
                f"ON a.aid = f.aid WHERE f.ecosystem = ? AND f.name IN ({marks})",
                (ecosystem, *chunk),
            )
            for name, top, aid, record in rows:
                key = (ecosystem, name)
                # Most records of a popular package concern older versions: skip them undecoded.
                if top is not None and _all_above(ecosystem, top, wanted[key]):
                    continue
                advisory = self._advisory(aid, record)
                if advisory is not None:
                    yield key, advisory

    def _advisory(self, aid: int, record: bytes) -> Advisory | None:
        cached = self._parsed.get(aid)
        if cached is not None:
            return cached
        try:
            advisory = parse_advisory(json.loads(zlib.decompress(record)))
        except (zlib.error, ValueError):  # ValueError covers JSON and OSV format errors
            return None
        if len(self._parsed) >= _PARSED_CACHE:
            self._parsed.pop(next(iter(self._parsed)))
        self._parsed[aid] = advisory
        return advisory

    def advisory(self, advisory_id: str) -> Advisory | None:
        """The stored advisory with this id, if any."""
        row = self._conn.execute(
            "SELECT aid, record FROM advisory WHERE id = ?", (advisory_id,)
        ).fetchone()
        return self._advisory(row[0], row[1]) if row else None

    def metadata(self) -> Metadata:
        total = self._conn.execute("SELECT count(*) FROM advisory").fetchone()[0]
        per = self._conn.execute(
            "SELECT ecosystem, count(DISTINCT aid) FROM affects GROUP BY ecosystem"
        ).fetchall()
        counts = {eco: 0 for eco in ECOSYSTEMS} | {eco: n for eco, n in per}
        return Metadata(
            path=str(self.path),
            imported_at=self._meta("imported_at"),
            sources=tuple(self._meta_list("sources")),
            advisories=total,
            per_ecosystem=counts,
        )


def _chunks(wanted: dict[tuple[str, str], list[PackageRef]]) -> Iterator[tuple[str, list[str]]]:
    by_ecosystem: dict[str, list[str]] = {}
    for ecosystem, name in wanted:
        by_ecosystem.setdefault(ecosystem, []).append(name)
    for ecosystem, names in sorted(by_ecosystem.items()):
        for start in range(0, len(names), _CHUNK):
            yield ecosystem, names[start : start + _CHUNK]


def _all_above(ecosystem: str, ceiling_text: str, refs: list[PackageRef]) -> bool:
    """Every queried version is above the record's ceiling (so none can be affected)."""
    top = parse_version(ecosystem, ceiling_text)
    if top is None:
        return False
    targets = [parse_version(ecosystem, ref.version) for ref in refs]
    return all(target is not None and target > top for target in targets)


# --- reading sources -----------------------------------------------------------------------


def _records(source: Path, stats: _Stats) -> Iterator[tuple[dict[str, Any], bytes]]:
    """(decoded, raw) OSV records from a zip, a directory or a file, one at a time."""
    if source.is_dir():
        blobs = _directory_blobs(source)
    elif zipfile.is_zipfile(source):
        blobs = _zip_blobs(source)
    elif source.is_file():
        blobs = iter([_read_capped(source)])
    else:
        raise DatabaseError(f"{source}: not a directory, zip or JSON file")
    for blob in blobs:
        data = _decode(blob)
        if data is None or blob is None:
            stats.skipped += 1
        else:
            yield data, blob


def _directory_blobs(root: Path) -> Iterator[bytes | None]:
    # os.walk does not follow symlinked directories, so a link loop cannot trap the import.
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for filename in sorted(files):
            if filename.endswith(".json"):
                yield _read_capped(Path(folder) / filename)


def _zip_blobs(path: Path) -> Iterator[bytes | None]:
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir() or not info.filename.endswith(".json"):
                    continue
                if info.file_size > MAX_RECORD_BYTES:
                    yield None
                    continue
                with archive.open(info) as member:
                    # The declared size can lie: read at most one byte past the cap.
                    blob = member.read(MAX_RECORD_BYTES + 1)
                yield blob if len(blob) <= MAX_RECORD_BYTES else None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise DatabaseError(f"{path}: unreadable zip: {exc}") from None


def _read_capped(path: Path) -> bytes | None:
    try:
        with path.open("rb") as handle:
            blob = handle.read(MAX_RECORD_BYTES + 1)
    except OSError:
        return None
    return blob if len(blob) <= MAX_RECORD_BYTES else None


def _decode(blob: bytes | None) -> dict[str, Any] | None:
    if blob is None:
        return None
    try:
        data = json.loads(blob)
    except (ValueError, RecursionError):  # ValueError covers bad UTF-8 too
        return None
    # The store relies on a string id only; the rest is read leniently at query time.
    if isinstance(data, dict) and isinstance(data.get("id"), str) and data["id"]:
        return data
    return None
