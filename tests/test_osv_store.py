"""The offline OSV database: range evaluation, severity, fixes, import from a directory and
from a zip, on real advisory records (tests/fixtures/osv/README.md)."""

from __future__ import annotations

import itertools
import json
import random
import shutil
import sqlite3
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from slsguard.deps import osv
from slsguard.deps.cache import default_path
from slsguard.deps.osv import PackageRef, Verdict
from slsguard.deps.store import AdvisoryDB, DatabaseError
from slsguard.deps.versions import parse_version
from slsguard.findings import Severity

FIXTURES = Path(__file__).parent / "fixtures" / "osv"
RECORDS = FIXTURES / "records"
ZIP = FIXTURES / "records.zip"

REQUESTS = {"GHSA-j8r2-6x86-q33q", "PYSEC-2023-74"}
URLLIB3 = {"GHSA-v845-jxx5-vc9f", "PYSEC-2023-192"}
PYYAML = {"GHSA-8q59-q68h-6hv4", "PYSEC-2021-142"}
PY = {"GHSA-w596-4wvx-j9j6", "PYSEC-2022-42969"}
LODASH = {"GHSA-35jh-r3h4-6jhm"}
MINIMIST = {"GHSA-xvch-5gv4-984h"}

# (ecosystem, name, version, ids that must match - exactly)
BOUNDARIES = [
    # requests: introduced 2.3.0, fixed 2.31.0
    ("PyPI", "requests", "2.2.1", set()),
    ("PyPI", "requests", "2.3.0", REQUESTS),
    ("PyPI", "requests", "2.30.0", REQUESTS),
    ("PyPI", "requests", "2.31.0rc1", REQUESTS),  # a pre-release sorts below its release
    ("PyPI", "requests", "2.31.0", set()),
    ("PyPI", "requests", "2.32.3", set()),
    # urllib3: [0, 1.26.17) and [2.0.0, 2.0.6); PYSEC lists the events unsorted
    ("PyPI", "urllib3", "1.26.16", URLLIB3),
    ("PyPI", "urllib3", "1.26.17", set()),
    ("PyPI", "urllib3", "1.26.18", set()),
    ("PyPI", "urllib3", "2.0.0a1", set()),  # between the ranges
    ("PyPI", "urllib3", "2.0.0", URLLIB3),
    ("PyPI", "urllib3", "2.0.5", URLLIB3),
    ("PyPI", "urllib3", "2.0.6", set()),
    # PyYAML: fixed 5.4; GHSA spells "PyYAML", PYSEC "pyyaml"
    ("PyPI", "PyYAML", "5.3.1", PYYAML),
    ("PyPI", "pyyaml", "5.3.1", PYYAML),
    ("PyPI", "PyYaml", "5.4b2", PYYAML),
    ("PyPI", "pyyaml", "5.4", set()),
    ("PyPI", "PyYAML", "5.4.1", set()),
    ("PyPI", "py-yaml", "5.3.1", set()),  # another project under PEP 503
    # py: last_affected 1.11.0 is inclusive
    ("PyPI", "py", "0.8.0a2", PY),  # PYSEC lists it as "0.8.0-alpha2"
    ("PyPI", "py", "1.11.0", PY),
    ("PyPI", "py", "1.11.1.dev0", set()),
    ("PyPI", "py", "1.11.1", set()),
    # withdrawn
    ("PyPI", "loguru", "0.5.3", set()),
    # npm lodash: fixed 4.17.21; also lodash-es
    ("npm", "lodash", "4.17.20", LODASH),
    ("npm", "lodash", "4.17.21-rc.1", LODASH),
    ("npm", "lodash", "4.17.21", set()),
    ("npm", "lodash", "4.17.21+build.5", set()),  # build metadata does not order
    ("npm", "lodash-es", "4.17.15", LODASH),
    ("npm", "Lodash", "4.17.20", set()),  # npm names are not case-folded
    # npm minimist: [0, 0.2.4) and [1.0.0, 1.2.6)
    ("npm", "minimist", "0.2.3", MINIMIST),
    ("npm", "minimist", "0.2.4", set()),
    ("npm", "minimist", "0.3.0", set()),
    ("npm", "minimist", "1.0.0-beta", set()),
    ("npm", "minimist", "1.0.0", MINIMIST),
    ("npm", "minimist", "1.2.5", MINIMIST),
    ("npm", "minimist", "1.2.6", set()),
    ("npm", "minimist", "v1.2.5", MINIMIST),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdvisoryDB]:
    path = tmp_path_factory.mktemp("osv") / "osv.sqlite"
    with AdvisoryDB.open(path, create=True) as database:
        database.import_osv(RECORDS)
        yield database


def record(advisory_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((RECORDS / f"{advisory_id}.json").read_text())
    return data


def ids(matches: list[osv.Match]) -> set[str]:
    return {m.advisory_id for m in matches}


# --- matching ------------------------------------------------------------------------------


@pytest.mark.parametrize(("ecosystem", "name", "version", "expected"), BOUNDARIES)
def test_boundaries(
    db: AdvisoryDB, ecosystem: str, name: str, version: str, expected: set[str]
) -> None:
    assert ids(db.query(ecosystem, name, version)) == expected


def test_query_many_equals_single_queries_in_one_round_per_chunk(db: AdvisoryDB) -> None:
    packages = [PackageRef(e, n, v) for e, n, v, _ in BOUNDARIES]
    statements: list[str] = []
    db._conn.set_trace_callback(statements.append)  # the SQL the store sends
    try:
        results = db.query_many(packages)
    finally:
        db._conn.set_trace_callback(None)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2
    for ecosystem, name, version, expected in BOUNDARIES:
        assert ids(results[PackageRef(ecosystem, name, version)]) == expected


def test_query_many_skips_unknown_versions_and_ecosystems(db: AdvisoryDB) -> None:
    class Pkg:
        def __init__(self, ecosystem: str, name: str, version: str | None) -> None:
            self.ecosystem, self.name, self.version = ecosystem, name, version

    results = db.query_many(
        [Pkg("PyPI", "requests", None), Pkg("Go", "requests", "1.0.0"), Pkg("pypi", "py", "1.0")]
    )
    assert list(results) == [PackageRef("pypi", "py", "1.0")]
    assert ids(results[PackageRef("pypi", "py", "1.0")]) == PY


@pytest.mark.parametrize(
    ("ecosystem", "name", "version"),
    [
        ("PyPI", "requests", "not a version"),
        ("PyPI", "requests", ""),
        ("PyPI", "requests", "2." * 300),
        ("npm", "lodash", "latest"),
        ("npm", "lodash", "^4.17.0"),
        ("npm", "lodash", "4.17"),
    ],
)
def test_invalid_versions_are_unknown_never_affected(
    db: AdvisoryDB, ecosystem: str, name: str, version: str
) -> None:
    assert db.query(ecosystem, name, version) == []
    advisory = osv.parse_advisory(record(next(iter(LODASH if ecosystem == "npm" else REQUESTS))))
    assert osv.status(advisory, ecosystem, name, version) is Verdict.UNKNOWN


def test_an_unparsable_version_listed_verbatim_still_matches() -> None:
    data = record("PYSEC-2022-42969")
    data["affected"][0]["versions"].append("1.4.7-weird_tag")
    advisory = osv.parse_advisory(data)
    assert osv.affected(advisory, "PyPI", "py", "1.4.7-weird_tag")
    assert parse_version("PyPI", "1.4.7-weird_tag") is None


# --- fixes and severity --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ecosystem", "name", "version", "fixed"),
    [
        ("PyPI", "requests", "2.30.0", "2.31.0"),
        ("PyPI", "urllib3", "1.25.0", "1.26.17"),
        ("PyPI", "urllib3", "2.0.3", "2.0.6"),
        ("PyPI", "PyYAML", "5.1", "5.4"),
        ("PyPI", "py", "1.10.0", None),  # last_affected: no fix is known
        ("npm", "lodash", "4.17.20", "4.17.21"),
        ("npm", "minimist", "0.1.0", "0.2.4"),
        ("npm", "minimist", "1.2.0", "1.2.6"),
    ],
)
def test_fixed_is_the_smallest_fix_above(
    db: AdvisoryDB, ecosystem: str, name: str, version: str, fixed: str | None
) -> None:
    matches = db.query(ecosystem, name, version)
    assert matches
    assert {m.fixed for m in matches} == {fixed}


def test_a_fix_that_another_range_still_affects_is_skipped() -> None:
    data = {
        "id": "TEST-1",
        "affected": [
            {
                "package": {"ecosystem": "npm", "name": "x"},
                "ranges": [
                    {"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.1.0"}]},
                    {"type": "SEMVER", "events": [{"introduced": "1.1.0"}, {"fixed": "1.3.0"}]},
                ],
            }
        ],
    }
    advisory = osv.parse_advisory(data)
    assert osv.smallest_fix_above(advisory, "npm", "x", "1.0.0") == "1.3.0"


@pytest.mark.parametrize(
    ("advisory_id", "level", "score"),
    [
        ("GHSA-j8r2-6x86-q33q", Severity.MEDIUM, 6.1),
        ("GHSA-v845-jxx5-vc9f", Severity.MEDIUM, 5.9),
        ("PYSEC-2023-192", Severity.HIGH, 8.1),
        ("GHSA-8q59-q68h-6hv4", Severity.CRITICAL, 9.8),
        ("GHSA-w596-4wvx-j9j6", Severity.MEDIUM, 5.3),
        ("GHSA-35jh-r3h4-6jhm", Severity.HIGH, 7.2),
        ("GHSA-xvch-5gv4-984h", Severity.CRITICAL, 9.8),
        ("PYSEC-2023-74", None, None),  # no CVSS, no database_specific level
    ],
)
def test_severity_from_cvss(advisory_id: str, level: Severity | None, score: float | None) -> None:
    result = osv.severity_of(osv.parse_advisory(record(advisory_id)))
    assert (result.level if result else None, result.score if result else None) == (level, score)


def test_severity_falls_back_to_github_level() -> None:
    data = record("GHSA-j8r2-6x86-q33q")
    del data["severity"]
    result = osv.severity_of(osv.parse_advisory(data))
    assert result == osv.Score(Severity.MEDIUM, None, "database_specific")
    data["severity"] = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:X/garbage"}]
    assert osv.severity_of(osv.parse_advisory(data)) == result


def test_severity_cvss_v4_and_affected_level() -> None:
    vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    data = record("GHSA-35jh-r3h4-6jhm")
    del data["severity"]
    data["affected"][0]["severity"] = [{"type": "CVSS_V4", "score": vector}]
    advisory = osv.parse_advisory(data)
    assert osv.severity_of(advisory, "npm", "lodash") == osv.Score(
        Severity.CRITICAL, 9.3, "CVSS_V4", vector
    )
    # lodash-es has no per-package score: the GitHub level applies.
    assert osv.severity_of(advisory, "npm", "lodash-es") == osv.Score(
        Severity.HIGH, None, "database_specific"
    )


def test_match_carries_ids_aliases_and_cves(db: AdvisoryDB) -> None:
    (match,) = db.query("npm", "lodash", "4.17.20")
    assert match.advisory_id == "GHSA-35jh-r3h4-6jhm"
    assert match.cves == ("CVE-2021-23337",)
    assert match.summary == "Command Injection in lodash"
    assert (match.severity, match.score, match.fixed) == (Severity.HIGH, 7.2, "4.17.21")


def test_merge_aliases_reports_each_vulnerability_once(db: AdvisoryDB) -> None:
    (merged,) = osv.merge_aliases("PyPI", db.query("PyPI", "urllib3", "2.0.5"))
    assert merged.advisory_id == "GHSA-v845-jxx5-vc9f"
    assert merged.aliases == ("CVE-2023-43804", "PYSEC-2023-192")
    assert (merged.severity, merged.score, merged.fixed) == (Severity.HIGH, 8.1, "2.0.6")
    assert len(osv.merge_aliases("npm", db.query("npm", "minimist", "1.2.5"))) == 1


def test_long_details_make_a_short_summary(db: AdvisoryDB) -> None:
    summaries = {m.advisory_id: m.summary for m in db.query("PyPI", "urllib3", "2.0.5")}
    assert len(summaries["PYSEC-2023-192"]) <= 200
    assert summaries["PYSEC-2023-192"].endswith("...")


# --- range evaluation details --------------------------------------------------------------


def one_range(events: list[dict[str, str]], kind: str = "ECOSYSTEM") -> osv.Advisory:
    return osv.parse_advisory(
        {
            "id": "TEST-R",
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": "pkg"},
                    "ranges": [{"type": kind, "events": events}],
                }
            ],
        }
    )


@pytest.mark.parametrize(
    ("events", "version", "verdict"),
    [
        ([{"introduced": "1.0"}, {"fixed": "1.0"}], "1.0", Verdict.UNAFFECTED),
        ([{"fixed": "2.0"}, {"introduced": "1.0"}], "1.5", Verdict.AFFECTED),
        ([{"introduced": "0"}], "0.0.0.dev0", Verdict.AFFECTED),
        ([{"introduced": "1.0"}, {"limit": "1.5"}], "1.4", Verdict.AFFECTED),
        ([{"introduced": "1.0"}, {"limit": "1.5"}], "1.5", Verdict.UNAFFECTED),
        ([{"introduced": "1.0"}, {"limit": "*"}], "99", Verdict.AFFECTED),
        ([{"introduced": "0"}, {"fixed": "not-a-version!"}], "1.0", Verdict.UNKNOWN),
        ([{"introduced": "0"}, {"last_affected": "2.0"}], "2.0.post1", Verdict.UNAFFECTED),
    ],
)
def test_range_events(events: list[dict[str, str]], version: str, verdict: Verdict) -> None:
    assert osv.status(one_range(events), "PyPI", "pkg", version) is verdict


def test_semver_ranges_use_semver_whatever_the_ecosystem() -> None:
    advisory = one_range([{"introduced": "1.0.0"}, {"fixed": "1.2.0"}], kind="SEMVER")
    assert osv.status(advisory, "PyPI", "pkg", "1.1.9") is Verdict.AFFECTED
    assert osv.status(advisory, "PyPI", "pkg", "1.1") is Verdict.UNKNOWN  # not SemVer


def test_git_only_ranges_are_unknown() -> None:
    advisory = one_range([{"introduced": "0"}, {"fixed": "abc123"}], kind="GIT")
    assert osv.status(advisory, "PyPI", "pkg", "1.0") is Verdict.UNKNOWN


def test_withdrawn_records_are_never_affected(db: AdvisoryDB) -> None:
    assert db.advisory("PYSEC-2022-15") is None
    data = {**record("GHSA-35jh-r3h4-6jhm"), "withdrawn": "2024-01-01T00:00:00Z"}
    assert not osv.affected(osv.parse_advisory(data), "npm", "lodash", "4.17.20")


# --- import --------------------------------------------------------------------------------


def dump(database: AdvisoryDB) -> tuple[list[Any], list[Any]]:
    conn = database._conn
    advisories = [
        (i, m, json.loads(zlib.decompress(r)))
        for i, m, r in conn.execute("SELECT id, modified, record FROM advisory ORDER BY id")
    ]
    affects = conn.execute(
        "SELECT f.ecosystem, f.name, a.id FROM affects f JOIN advisory a USING (aid) "
        "ORDER BY 1, 2, 3"
    ).fetchall()
    return advisories, affects


def test_the_zip_fixture_holds_the_record_files() -> None:
    with zipfile.ZipFile(ZIP) as archive:
        zipped = {n: archive.read(n) for n in archive.namelist()}
    assert zipped == {p.name: p.read_bytes() for p in RECORDS.glob("*.json")}


def test_import_from_dir_and_from_zip_give_the_same_database(
    db: AdvisoryDB, tmp_path: Path
) -> None:
    with AdvisoryDB.open(tmp_path / "zip.sqlite", create=True) as from_zip:
        assert from_zip.import_osv(ZIP) == 10
        assert dump(from_zip) == dump(db)
        packages = [PackageRef(e, n, v) for e, n, v, _ in BOUNDARIES]
        assert from_zip.query_many(packages) == db.query_many(packages)


def test_index_is_by_normalised_name(db: AdvisoryDB) -> None:
    names = db._conn.execute(
        "SELECT DISTINCT name FROM affects WHERE ecosystem = 'PyPI' ORDER BY name"
    ).fetchall()
    assert [n for (n,) in names] == ["py", "pyyaml", "requests", "urllib3"]


def test_metadata(db: AdvisoryDB) -> None:
    meta = db.metadata()
    assert (meta.advisories, meta.per_ecosystem) == (10, {"PyPI": 8, "npm": 2})
    assert meta.sources == ("records",)
    assert meta.imported_at and meta.imported_at.endswith("+00:00")


def test_reimport_replaces(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(RECORDS, source)
    with AdvisoryDB.open(tmp_path / "db.sqlite", create=True) as database:
        assert database.import_osv(source) == 10
        assert database.import_osv(source) == 10
        assert database.metadata().advisories == 10
        lodash = record("GHSA-35jh-r3h4-6jhm")
        lodash["affected"] = lodash["affected"][:1]  # lodash-es dropped upstream
        lodash["affected"][0]["ranges"][0]["events"][1]["fixed"] = "4.17.22"
        (source / "GHSA-35jh-r3h4-6jhm.json").write_text(json.dumps(lodash))
        database.import_osv(source / "GHSA-35jh-r3h4-6jhm.json")
        assert [m.fixed for m in database.query("npm", "lodash", "4.17.21")] == ["4.17.22"]
        assert database.query("npm", "lodash-es", "4.17.15") == []
        # A record withdrawn upstream leaves the database on the next import.
        (source / "GHSA-35jh-r3h4-6jhm.json").write_text(
            json.dumps({**lodash, "withdrawn": "2024-01-01T00:00:00Z"})
        )
        database.import_osv(source)
        assert database.query("npm", "lodash", "4.17.20") == []
        assert database.metadata().per_ecosystem == {"PyPI": 8, "npm": 1}
        assert database.import_osv(ZIP, replace_all=True) == 10
        assert database.metadata().advisories == 10


def test_import_skips_what_is_not_an_osv_record(tmp_path: Path) -> None:
    archive = tmp_path / "mixed.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("not-json.json", b"\xff{")
        out.writestr("array.json", b"[1, 2]")
        out.writestr("no-id.json", b'{"affected": []}')
        out.writestr("go.json", json.dumps({"id": "GO-1", "affected": [
            {"package": {"ecosystem": "Go", "name": "x"}}]}))  # fmt: skip
        out.writestr("README.md", b"not a record")
        out.writestr("ok.json", json.dumps(record("GHSA-xvch-5gv4-984h")))
    with AdvisoryDB.open(tmp_path / "db.sqlite", create=True) as database:
        assert database.import_osv(archive) == 1
        assert ids(database.query("npm", "minimist", "1.2.5")) == MINIMIST


def test_import_of_a_broken_source_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 truncated")
    with AdvisoryDB.open(tmp_path / "db.sqlite", create=True) as database:
        with pytest.raises(DatabaseError, match="not a directory, zip or JSON file"):
            database.import_osv(tmp_path / "missing")
        assert database.import_osv(tmp_path / "bad.zip") == 0


def test_build_swaps_atomically(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "osv.sqlite"
    with AdvisoryDB.build(path, [ZIP]) as built:
        assert built.metadata().advisories == 10
    with pytest.raises(DatabaseError):
        AdvisoryDB.build(path, [RECORDS, tmp_path / "missing"])
    with AdvisoryDB.open(path, readonly=True) as kept:
        assert kept.metadata().advisories == 10
    assert [p.name for p in path.parent.iterdir()] == ["osv.sqlite"]


# --- opening -------------------------------------------------------------------------------


def test_open_without_a_database_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="slsguard db update"):
        AdvisoryDB.open(tmp_path / "none.sqlite")


def test_open_refuses_another_sqlite_file(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(DatabaseError, match="not an slsguard OSV database"):
        AdvisoryDB.open(other)
    (tmp_path / "text.sqlite").write_text("hello")
    with pytest.raises(DatabaseError):
        AdvisoryDB.open(tmp_path / "text.sqlite")


def test_default_path_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_path() == tmp_path / "slsguard" / "osv.sqlite"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")  # invalid per the XDG spec
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_path() == tmp_path / "home" / ".cache" / "slsguard" / "osv.sqlite"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    with AdvisoryDB.open(create=True) as database:
        assert database.path == tmp_path / "xdg" / "slsguard" / "osv.sqlite"
        assert database.path.exists()


# --- version ordering ----------------------------------------------------------------------


def test_version_orders() -> None:
    semver_order = [  # SemVer 2.0 section 11, as npm orders them
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.10.0",
    ]
    pep440_order = ["1.0.dev0", "1.0a1", "1.0b1", "1.0rc1", "1.0", "1.0.post1", "1.1", "1.10"]
    for ecosystem, order in (("npm", semver_order), ("PyPI", pep440_order)):
        parsed = [parse_version(ecosystem, v) for v in order]
        assert all(a is not None and b is not None and a < b for a, b in itertools.pairwise(parsed))
    assert parse_version("PyPI", "1.0") == parse_version("PyPI", "1.0.0")
    assert parse_version("npm", "1.0.0+a") == parse_version("npm", "1.0.0+b")
    assert parse_version("Go", "1.0.0") is None


# --- the store's ceiling shortcut never hides a match ---------------------------------------


def random_record(index: int, rng: random.Random) -> dict[str, Any]:
    def v() -> str:
        return f"{rng.randint(0, 3)}.{rng.randint(0, 3)}.{rng.randint(0, 3)}"

    entries = []
    for _ in range(rng.randint(1, 2)):
        events: list[dict[str, str]] = [{"introduced": rng.choice(["0", v()])}]
        for _ in range(rng.randint(0, 3)):
            events.append({rng.choice(["introduced", "fixed", "fixed", "last_affected"]): v()})
        if rng.random() < 0.1:
            events.append({"limit": v()})
        rng.shuffle(events)
        entry: dict[str, Any] = {
            "package": {"ecosystem": "npm", "name": "pkg"},
            "ranges": [{"type": rng.choice(["ECOSYSTEM", "SEMVER"]), "events": events}],
        }
        if rng.random() < 0.3:
            entry["versions"] = [v() for _ in range(3)]
        entries.append(entry)
    return {"id": f"R-{index}", "affected": entries}


def test_store_answers_equal_brute_force_on_random_records(tmp_path: Path) -> None:
    rng = random.Random(601)
    records = [random_record(i, rng) for i in range(300)]
    source = tmp_path / "records"
    source.mkdir()
    for data in records:
        (source / f"{data['id']}.json").write_text(json.dumps(data))
    advisories = [osv.parse_advisory(r) for r in records]
    targets = [f"{a}.{b}.{c}" for a in range(5) for b in range(4) for c in range(4)]
    with AdvisoryDB.open(tmp_path / "db.sqlite", create=True) as database:
        database.import_osv(source)
        results = database.query_many([PackageRef("npm", "pkg", t) for t in targets])
    for target in targets:
        expected = [osv.match_for(a, "npm", "pkg", target) for a in advisories]
        assert results[PackageRef("npm", "pkg", target)] == sorted(
            (m for m in expected if m is not None), key=lambda m: m.advisory_id
        )
    for advisory in advisories:
        top = osv.ceiling(advisory, "npm", "pkg")
        top_key = parse_version("npm", top) if top else None
        for target in targets:
            key = parse_version("npm", target)
            if top_key is not None and key is not None and key > top_key:
                assert not osv.affected(advisory, "npm", "pkg", target)
