"""OSV advisory records (https://ossf.github.io/osv-schema/): parsing, range evaluation
and severity.

Only the PyPI and npm ecosystems are evaluated. Range evaluation follows the schema's
`IsVulnerable` pseudocode exactly; a version that an ecosystem's ordering cannot place makes
the verdict UNKNOWN, which callers must not report as affected.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, NamedTuple

from cvss import CVSS2, CVSS3, CVSS4  # type: ignore[import-untyped]

from slsguard.deps.versions import (
    ECOSYSTEMS,
    NPM,
    PYPI,
    Comparable,
    canonical_ecosystem,
    normalize_name,
    parse_pep440,
    parse_semver,
    parse_version,
)
from slsguard.findings import Severity

INTRODUCED: Final = "introduced"
FIXED: Final = "fixed"
LAST_AFFECTED: Final = "last_affected"
LIMIT: Final = "limit"
_EVENT_KINDS: Final = (INTRODUCED, FIXED, LAST_AFFECTED, LIMIT)
# At equal versions "introduced" sorts first, so {introduced X, fixed X} affects nothing.
_KIND_RANK: Final = {INTRODUCED: 0, FIXED: 1, LAST_AFFECTED: 1, LIMIT: 2}
_ORDERED_RANGES: Final = ("ECOSYSTEM", "SEMVER")
# CVSS v3 first: almost every record has one, so scores stay comparable across advisories.
_CVSS_PREFERENCE: Final = ("CVSS_V3", "CVSS_V4", "CVSS_V2")
_GITHUB_LEVELS: Final = {
    "LOW": Severity.LOW,
    "MODERATE": Severity.MEDIUM,
    "MEDIUM": Severity.MEDIUM,
    "HIGH": Severity.HIGH,
    "CRITICAL": Severity.CRITICAL,
}
_SUMMARY_MAX: Final = 200


class OSVFormatError(ValueError):
    """The data is not an OSV record (no string id, or not a JSON object)."""


class Verdict(enum.Enum):
    AFFECTED = "affected"
    UNAFFECTED = "unaffected"
    UNKNOWN = "unknown"  # a version that the ecosystem's ordering cannot place


class PackageRef(NamedTuple):
    ecosystem: str
    name: str
    version: str


@dataclass(frozen=True, slots=True)
class Event:
    kind: str  # INTRODUCED, FIXED, LAST_AFFECTED or LIMIT
    version: str


# An event's parsed version; None is introduced "0" (below all) or limit "*" (above all).
_Key = Comparable | None


@dataclass(frozen=True, slots=True)
class Bounds:
    """A range compiled for its ecosystem: limits, and the other events sorted by version."""

    limits: tuple[_Key, ...]
    events: tuple[tuple[str, _Key], ...]


@dataclass(frozen=True, slots=True)
class Range:
    type: str  # ECOSYSTEM, SEMVER or GIT
    events: tuple[Event, ...]
    # Compiled once per record, not per query; None when the range cannot be ordered (GIT,
    # a version that does not parse, an ecosystem slsguard does not evaluate).
    bounds: Bounds | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class AffectedPackage:
    ecosystem: str  # "PyPI"/"npm", or as written for ecosystems slsguard does not evaluate
    name: str  # normalised (PEP 503 for PyPI)
    ranges: tuple[Range, ...]
    versions: tuple[str, ...]
    severity: tuple[tuple[str, str], ...]  # (type, score) pairs of affected[].severity
    # versions[] parsed: equal under the ecosystem's rules counts ("0.8.0-alpha2" is 0.8.0a2).
    parsed_versions: frozenset[Comparable] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    modified: str
    withdrawn: str | None
    affected: tuple[AffectedPackage, ...]
    severity: tuple[tuple[str, str], ...]  # (type, score) pairs of the top-level severity
    database_severity: str  # database_specific.severity (GitHub: LOW ... CRITICAL)

    @property
    def cves(self) -> tuple[str, ...]:
        return tuple(a for a in (self.id, *self.aliases) if a.startswith("CVE-"))

    def entries(self, ecosystem: str, name: str) -> list[AffectedPackage]:
        """The affected[] entries for one package (`name` already normalised)."""
        return [e for e in self.affected if e.ecosystem == ecosystem and e.name == name]


@dataclass(frozen=True, slots=True)
class Score:
    level: Severity
    score: float | None  # None when only a qualitative level is known
    source: str  # "CVSS_V3", "CVSS_V4", "CVSS_V2" or "database_specific"
    vector: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    """One advisory that affects one queried package version."""

    advisory_id: str
    aliases: tuple[str, ...]
    summary: str
    severity: Severity | None
    score: float | None
    fixed: str | None  # the smallest fixed version above the queried one, if any

    @property
    def cves(self) -> tuple[str, ...]:
        return tuple(a for a in (self.advisory_id, *self.aliases) if a.startswith("CVE-"))


# --- parsing -------------------------------------------------------------------------------


def parse_advisory(data: object) -> Advisory:
    """An `Advisory` from a decoded OSV JSON record; unknown or malformed parts are skipped."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
        raise OSVFormatError("not an OSV record: no string 'id'")
    withdrawn = data.get("withdrawn")
    return Advisory(
        id=data["id"],
        aliases=tuple(a for a in _list(data.get("aliases")) if isinstance(a, str)),
        summary=_summary(data),
        modified=_str(data.get("modified")),
        withdrawn=withdrawn if isinstance(withdrawn, str) and withdrawn else None,
        affected=tuple(_affected(a) for a in _list(data.get("affected")) if _has_package(a)),
        severity=_severity_pairs(data.get("severity")),
        database_severity=_str(_dict(data.get("database_specific")).get("severity")),
    )


def _summary(data: Mapping[str, Any]) -> str:
    summary = _str(data.get("summary")).strip()
    if not summary:
        lines = _str(data.get("details")).strip().splitlines()
        summary = lines[0] if lines else ""
    if len(summary) <= _SUMMARY_MAX:
        return summary
    # PYSEC records have no summary and a long first line: cut at a word, visibly.
    return summary[: _SUMMARY_MAX - 3].rsplit(" ", 1)[0].rstrip(",;:") + "..."


def _has_package(entry: object) -> bool:
    package = _dict(_dict(entry).get("package"))
    return bool(_str(package.get("ecosystem")) and _str(package.get("name")))


def _affected(entry: Mapping[str, Any]) -> AffectedPackage:
    package = entry["package"]
    raw_ecosystem = package["ecosystem"]
    ecosystem = canonical_ecosystem(raw_ecosystem) or raw_ecosystem
    versions = tuple(v for v in _list(entry.get("versions")) if isinstance(v, str))
    parsed = (parse_version(ecosystem, v) for v in versions) if ecosystem in ECOSYSTEMS else ()
    return AffectedPackage(
        ecosystem=ecosystem,
        name=normalize_name(ecosystem, package["name"]),
        ranges=tuple(
            _range(r, ecosystem) for r in _list(entry.get("ranges")) if isinstance(r, dict)
        ),
        versions=versions,
        severity=_severity_pairs(entry.get("severity")),
        parsed_versions=frozenset(p for p in parsed if p is not None),
    )


def _range(raw: Mapping[str, Any], ecosystem: str) -> Range:
    events = []
    for event in _list(raw.get("events")):
        # A schema-invalid event with two keys still means both; keep each.
        for kind in _EVENT_KINDS:
            value = _dict(event).get(kind)
            if isinstance(value, str) and value:
                events.append(Event(kind, value))
    kind = _str(raw.get("type")).upper()
    return Range(kind, tuple(events), _compile(kind, events, ecosystem))


def _compile(kind: str, events: list[Event], ecosystem: str) -> Bounds | None:
    if kind not in _ORDERED_RANGES or ecosystem not in ECOSYSTEMS:
        return None
    parse = _parser(kind, ecosystem)
    limits: list[_Key] = []
    others: list[tuple[str, _Key]] = []
    for event in events:
        special = (event.kind == INTRODUCED and event.version == "0") or (
            event.kind == LIMIT and "*" in event.version
        )
        key = None if special else parse(event.version)
        if key is None and not special:
            return None
        if event.kind == LIMIT:
            limits.append(key)
        else:
            others.append((event.kind, key))
    bottom = [(k, v) for k, v in others if v is None]
    ordered = sorted(
        ((k, v) for k, v in others if v is not None), key=lambda e: (e[1], _KIND_RANK[e[0]])
    )
    return Bounds(tuple(limits), (*bottom, *ordered))


def _parser(kind: str, ecosystem: str) -> Callable[[str], Comparable | None]:
    # SEMVER ranges are SemVer 2.0 whatever the ecosystem; ECOSYSTEM ranges use its order.
    if kind == "SEMVER" or ecosystem == NPM:
        return parse_semver
    return parse_pep440 if ecosystem == PYPI else _unparsable


def _unparsable(version: str) -> None:
    return None


def _severity_pairs(raw: object) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in _list(raw):
        kind, score = _dict(item).get("type"), _dict(item).get("score")
        if isinstance(kind, str) and isinstance(score, str):
            pairs.append((kind.upper(), score.strip()))
    return tuple(pairs)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


# --- range evaluation ----------------------------------------------------------------------


def affected(advisory: Advisory, ecosystem: str, name: str, version: str) -> bool:
    """True only when the advisory certainly affects this package version."""
    return status(advisory, ecosystem, name, version) is Verdict.AFFECTED


def status(advisory: Advisory, ecosystem: str, name: str, version: str) -> Verdict:
    """AFFECTED, UNAFFECTED, or UNKNOWN when a version involved cannot be ordered."""
    canonical = canonical_ecosystem(ecosystem)
    if canonical is None:
        return Verdict.UNKNOWN
    if advisory.withdrawn:
        return Verdict.UNAFFECTED
    entries = advisory.entries(canonical, normalize_name(canonical, name))
    return _combine(_entry_status(e, canonical, version) for e in entries)


def _combine(verdicts: Iterable[Verdict]) -> Verdict:
    seen = set(verdicts)
    for verdict in (Verdict.AFFECTED, Verdict.UNKNOWN):
        if verdict in seen:
            return verdict
    return Verdict.UNAFFECTED


def _entry_status(entry: AffectedPackage, ecosystem: str, version: str) -> Verdict:
    if _listed(entry, ecosystem, version):
        return Verdict.AFFECTED
    ordered = [r for r in entry.ranges if r.type in _ORDERED_RANGES]
    verdict = _combine(_range_status(r, ecosystem, version) for r in ordered)
    if verdict is Verdict.AFFECTED:
        return verdict
    if parse_version(ecosystem, version) is None:
        return Verdict.UNKNOWN
    # GIT ranges need the repository; without an expanded versions[] list they are unknown.
    if not ordered and not entry.versions and entry.ranges:
        return Verdict.UNKNOWN
    return verdict


def _listed(entry: AffectedPackage, ecosystem: str, version: str) -> bool:
    if version in entry.versions:
        return True
    parsed = parse_version(ecosystem, version)
    return parsed is not None and parsed in entry.parsed_versions


def _range_status(rng: Range, ecosystem: str, version: str) -> Verdict:
    target = _parser(rng.type, ecosystem)(version)
    if target is None or rng.bounds is None:
        return Verdict.UNKNOWN
    limits = rng.bounds.limits
    if limits and not any(limit is None or target < limit for limit in limits):
        return Verdict.UNAFFECTED
    return Verdict.AFFECTED if _vulnerable(target, rng.bounds.events) else Verdict.UNAFFECTED


def _vulnerable(target: Comparable, events: tuple[tuple[str, _Key], ...]) -> bool:
    """The schema's loop over the events sorted by version."""
    vulnerable = False
    for kind, key in events:
        if key is not None and key > target:
            break  # sorted: no later event changes the state at `target`
        if kind == INTRODUCED:
            vulnerable = True
        elif key is not None and _closes(kind, target, key):
            vulnerable = False
    return vulnerable


def _closes(kind: str, target: Comparable, key: Comparable) -> bool:
    # `fixed` is the first unaffected version; `last_affected` is the last affected one.
    return target >= key if kind == FIXED else kind == LAST_AFFECTED and target > key


def ceiling(advisory: Advisory, ecosystem: str, name: str) -> str | None:
    """The highest version the advisory can affect for this package (inclusive), or None
    when that is unbounded or unknown. Lets the store skip records without decoding them,
    so it must never be too low: anything it cannot bound is None."""
    canonical = canonical_ecosystem(ecosystem)
    if canonical is None:
        return None
    highest: Comparable | None = None
    for entry in advisory.entries(canonical, normalize_name(canonical, name)):
        for top in _entry_top(entry, canonical):
            if top is None:
                return None
            if highest is None or top > highest:
                highest = top
    return str(highest) if highest is not None else None


def _entry_top(entry: AffectedPackage, ecosystem: str) -> list[Comparable | None]:
    """Upper bounds of one entry's affected versions; a None means unbounded."""
    tops: list[Comparable | None] = [parse_version(ecosystem, v) for v in entry.versions]
    for rng in entry.ranges:
        if rng.type == "GIT":
            tops += [] if entry.versions else [None]  # only versions[] bounds a GIT range
        elif rng.type in _ORDERED_RANGES:
            tops.append(_range_top(rng, ecosystem))
    return tops


def _range_top(rng: Range, ecosystem: str) -> Comparable | None:
    bounds = rng.bounds
    # Unparsable versions, limits, SemVer order inside PyPI: not worth bounding.
    if not bounds or not bounds.events or bounds.limits:
        return None
    if rng.type == "SEMVER" and ecosystem != NPM:
        return None
    kind, key = bounds.events[-1]
    # After a last `fixed`/`last_affected` nothing is affected; after `introduced`, all is.
    return None if kind == INTRODUCED else key


def smallest_fix_above(advisory: Advisory, ecosystem: str, name: str, version: str) -> str | None:
    """The smallest `fixed` version above `version` that the advisory does not affect."""
    canonical = canonical_ecosystem(ecosystem)
    target = parse_version(canonical, version) if canonical else None
    if canonical is None or target is None:
        return None
    candidates = []
    for entry in advisory.entries(canonical, normalize_name(canonical, name)):
        for rng in (r for r in entry.ranges if r.type in _ORDERED_RANGES):  # not GIT commits
            for event in rng.events:
                parsed = parse_version(canonical, event.version) if event.kind == FIXED else None
                if parsed is not None and parsed > target:
                    candidates.append((parsed, event.version))
    # A fix in one range may fall inside another range (re-introduced): skip those.
    for _, text in sorted(candidates, key=lambda c: c[0]):
        if status(advisory, canonical, name, text) is not Verdict.AFFECTED:
            return text
    return None


# --- severity ------------------------------------------------------------------------------


def severity_of(advisory: Advisory, ecosystem: str = "", name: str = "") -> Score | None:
    """CVSS (v3, else v4, else v2) of the record or of the package's affected[] entry, else
    GitHub's database_specific level; None when the record has none of them."""
    pairs = advisory.severity
    canonical = canonical_ecosystem(ecosystem) if ecosystem else None
    if canonical:
        entries = advisory.entries(canonical, normalize_name(canonical, name))
        pairs += tuple(p for e in entries for p in e.severity)
    for preferred in _CVSS_PREFERENCE:
        for kind, vector in pairs:
            score = cvss_score(kind, vector) if kind == preferred else None
            if score is not None:
                return score
    level = _GITHUB_LEVELS.get(advisory.database_severity.upper())
    return Score(level, None, "database_specific") if level else None


@functools.lru_cache(maxsize=4096)
def cvss_score(kind: str, vector: str) -> Score | None:
    """The base score of a CVSS vector, or None if it does not parse."""
    calculator = {"CVSS_V3": CVSS3, "CVSS_V4": CVSS4, "CVSS_V2": CVSS2}.get(kind)
    if calculator is None:
        return None
    try:
        score = float(calculator(vector).base_score)
    except Exception:  # a third-party parser on untrusted text: any failure means "no score"
        return None
    return Score(level_for_score(score, kind), score, kind, vector)


def level_for_score(score: float, kind: str = "CVSS_V3") -> Severity:
    """The CVSS qualitative bands (v2 has no "critical")."""
    if score >= 9.0 and kind != "CVSS_V2":
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    return Severity.LOW if score > 0.0 else Severity.INFO


# --- matches -------------------------------------------------------------------------------


def match_for(advisory: Advisory, ecosystem: str, name: str, version: str) -> Match | None:
    """A `Match` when the advisory certainly affects the package version, else None."""
    if not affected(advisory, ecosystem, name, version):
        return None
    return describe(advisory, ecosystem, name, version)


def describe(advisory: Advisory, ecosystem: str, name: str, version: str) -> Match:
    """The `Match` for a version already known to be affected (e.g. by the OSV API)."""
    score = severity_of(advisory, ecosystem, name)
    return Match(
        advisory_id=advisory.id,
        aliases=advisory.aliases,
        summary=advisory.summary,
        severity=score.level if score else None,
        score=score.score if score else None,
        fixed=smallest_fix_above(advisory, ecosystem, name, version),
    )


def merge_aliases(ecosystem: str, matches: Iterable[Match]) -> list[Match]:
    """One match per vulnerability: records that share an id or alias (a PYSEC record and
    its GHSA twin) merge, keeping the highest severity and the highest of their fixes (the
    version that escapes every record)."""
    groups: dict[str, list[Match]] = {}
    owner: dict[str, str] = {}
    for match in sorted(matches, key=lambda m: m.advisory_id):
        ids = (match.advisory_id, *match.aliases)
        roots = sorted({owner[i] for i in ids if i in owner})
        root = roots[0] if roots else match.advisory_id
        members = [match] + [m for r in roots for m in groups.pop(r)]
        groups[root] = members
        for m in members:
            for i in (m.advisory_id, *m.aliases):
                owner[i] = root
    return sorted((_merge(ecosystem, g) for g in groups.values()), key=lambda m: m.advisory_id)


def _merge(ecosystem: str, group: list[Match]) -> Match:
    # GHSA records carry severity more often than PYSEC ones: prefer them as the face.
    face = min(group, key=lambda m: (not m.advisory_id.startswith("GHSA-"), m.advisory_id))
    strongest = max(group, key=lambda m: (m.severity.rank if m.severity else -1, m.score or 0))
    ids = {i for m in group for i in (m.advisory_id, *m.aliases)} - {face.advisory_id}
    return replace(
        face,
        aliases=tuple(sorted(ids)),
        severity=strongest.severity,
        score=strongest.score,
        fixed=_highest_fix(ecosystem, [m.fixed for m in group]),
    )


def _highest_fix(ecosystem: str, fixes: list[str | None]) -> str | None:
    canonical = canonical_ecosystem(ecosystem) or ""
    parsed = [(parse_version(canonical, f), f) for f in fixes if f]
    known = [(p, f) for p, f in parsed if p is not None]
    if not known:
        return None
    # One record without a fix means the vulnerability has none that escapes every record.
    if any(f is None for f in fixes):
        return None
    return max(known, key=lambda c: c[0])[1]
