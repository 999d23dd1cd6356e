#!/usr/bin/env python3
"""OSV store benchmark: import synthetic advisories, then answer a project with query_many.

Generates N synthetic OSV records (default 100,000) in a temporary zip shaped like the
official `<ecosystem>/all.zip` exports: PyPI and npm, ~20,000 package names with a skewed
(Zipf-like) number of advisories per package, one to three ranges per affected entry,
`last_affected` in some, PYSEC-style `versions[]` lists, CVSS vectors, aliases and details
text. Then:

  import   AdvisoryDB.build() from the zip (one transaction, atomic swap), wall time
  size     the SQLite file
  query    query_many() for a project of P packages (default 500) on a freshly opened
           database (cold: new connection, empty parse cache), median and max over runs:
           P names drawn at random with random versions; the P most-advised names with
           random versions (a stress case); the same names at versions newer than every
           advisory (the usual case of an up-to-date project)

    .venv/bin/python bench/osv_store.py
    .venv/bin/python bench/osv_store.py --advisories 20000 --runs 3 --json
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from slsguard.deps.osv import PackageRef  # noqa: E402
from slsguard.deps.store import AdvisoryDB  # noqa: E402

WORDS = [
    "request",
    "header",
    "parser",
    "buffer",
    "overflow",
    "injection",
    "prototype",
    "pollution",
    "denial",
    "service",
    "regular",
    "expression",
    "redirect",
    "cookie",
    "token",
    "session",
    "path",
    "traversal",
    "archive",
    "template",
    "command",
    "execution",
    "sandbox",
    "escape",
    "deserialization",
    "untrusted",
    "input",
    "validation",
    "memory",
]
CVSS_METRICS = (
    ("AV", "NALP"),
    ("AC", "LH"),
    ("PR", "NLH"),
    ("UI", "NR"),
    ("S", "UC"),
    ("C", "HLN"),
    ("I", "HLN"),
    ("A", "HLN"),
)


def version(rng: random.Random, major_max: int = 9) -> tuple[int, int, int]:
    return (rng.randint(0, major_max), rng.randint(0, 30), rng.randint(0, 20))


def text(v: tuple[int, int, int]) -> str:
    return ".".join(map(str, v))


def names(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(ecosystem, name): half PyPI, half npm, some npm names scoped."""
    out = []
    for i in range(count):
        word = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{i}"
        if i % 2:
            out.append(("npm", f"@{rng.choice(WORDS)}/{word}" if i % 7 == 1 else word))
        else:
            out.append(("PyPI", word.replace("-", rng.choice("-_."))))
    return out


def ranges(rng: random.Random) -> list[dict[str, Any]]:
    """One to three disjoint intervals, in one range or one range each."""
    points = sorted({version(rng) for _ in range(2 * rng.randint(1, 3))})
    events: list[dict[str, str]] = []
    for low, high in zip(points[::2], points[1::2], strict=False):
        events.append({"introduced": "0" if not events and rng.random() < 0.4 else text(low)})
        if rng.random() < 0.1:
            events.append({"last_affected": text(high)})
        else:
            events.append({"fixed": text(high)})
    if len(events) > 2 and rng.random() < 0.5:  # GHSA style: one range object per interval
        return [
            {"type": "ECOSYSTEM", "events": events[i : i + 2]}
            for i in (0, 2, 4)[: len(events) // 2]
        ]
    return [{"type": "ECOSYSTEM", "events": events}]


def record(index: int, packages: list[tuple[str, str]], rng: random.Random) -> dict[str, Any]:
    ecosystem = packages[0][0]
    pysec = ecosystem == "PyPI" and index % 3 == 0
    vuln_id = f"PYSEC-{2015 + index % 10}-{index}" if pysec else f"GHSA-synt-{index:05x}-bench"
    affected = []
    for eco, name in packages:
        entry: dict[str, Any] = {"package": {"ecosystem": eco, "name": name}}
        entry["ranges"] = ranges(rng)
        if pysec:  # PYSEC records enumerate the affected versions too
            entry["versions"] = [text(version(rng)) for _ in range(rng.randint(10, 80))]
        affected.append(entry)
    vector = "CVSS:3.1/" + "/".join(f"{m}:{rng.choice(v)}" for m, v in CVSS_METRICS)
    details = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 120)))
    return {
        "schema_version": "1.4.0",
        "id": vuln_id,
        "modified": "2024-05-01T00:00:00Z",
        "published": "2023-01-01T00:00:00Z",
        "aliases": [f"CVE-{2015 + index % 10}-{10000 + index}"],
        "summary": " ".join(rng.choice(WORDS) for _ in range(6)).capitalize(),
        "details": details,
        "severity": [] if pysec else [{"type": "CVSS_V3", "score": vector}],
        "affected": affected,
        "references": [
            {"type": "WEB", "url": f"https://example.org/advisories/{vuln_id}/{n}"}
            for n in range(rng.randint(2, 5))
        ],
        "database_specific": {"severity": rng.choice(["LOW", "MODERATE", "HIGH", "CRITICAL"])},
    }


def generate(path: Path, advisories: int, pool: list[tuple[str, str]], seed: int) -> Counter[str]:
    rng = random.Random(seed)
    per_name: Counter[str] = Counter()
    # Zipf-like: a few packages collect many advisories, most have a handful.
    cumulative = list(itertools.accumulate(1.0 / (rank + 10) for rank in range(len(pool))))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for index in range(advisories):
            first = rng.choices(pool, cum_weights=cumulative)[0]
            same = [p for p in rng.sample(pool, 3) if p[0] == first[0]]
            packages = [first] + (same[:1] if rng.random() < 0.1 else [])
            for package in packages:
                per_name["\x1f".join(package)] += 1
            data = record(index, packages, rng)
            archive.writestr(f"{data['id']}.json", json.dumps(data, indent=2))
    return per_name


def project(pool: list[tuple[str, str]], count: int, rng: random.Random) -> list[PackageRef]:
    return [PackageRef(e, n, text(version(rng))) for e, n in rng.sample(pool, count)]


def time_queries(db_path: Path, packages: Sequence[PackageRef], runs: int) -> dict[str, float]:
    walls = []
    matches = 0
    for _ in range(runs):
        with AdvisoryDB.open(db_path, readonly=True) as db:  # cold: nothing cached
            start = time.perf_counter()
            result = db.query_many(packages)
            walls.append(time.perf_counter() - start)
        matches = sum(len(m) for m in result.values())
    return {"median_s": statistics.median(walls), "max_s": max(walls), "matches": matches}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--advisories", type=int, default=100_000)
    parser.add_argument("--names", type=int, default=20_000)
    parser.add_argument("--packages", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=601)
    parser.add_argument("--json", action="store_true", help="print one line of JSON only")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="slsguard-osv-bench-") as tmp:
        work = Path(tmp)
        pool = names(args.names, random.Random(args.seed))
        start = time.perf_counter()
        per_name = generate(work / "all.zip", args.advisories, pool, args.seed)
        generated = time.perf_counter() - start

        start = time.perf_counter()
        AdvisoryDB.build(work / "osv.sqlite", [work / "all.zip"]).close()
        imported = time.perf_counter() - start
        rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        rng = random.Random(args.seed + 1)
        random_project = project(pool, args.packages, rng)
        heavy = [tuple(k.split("\x1f")) for k, _ in per_name.most_common(args.packages)]
        heavy_project = [PackageRef(e, n, text(version(rng))) for e, n in heavy]
        latest_project = [PackageRef(e, n, "10.0.0") for e, n in heavy]
        figures = {
            "advisories": args.advisories,
            "names_with_advisories": len(per_name),
            "zip_mib": round((work / "all.zip").stat().st_size / 2**20, 1),
            "generate_s": round(generated, 2),
            "import_s": round(imported, 2),
            "import_per_s": round(args.advisories / imported),
            "db_mib": round((work / "osv.sqlite").stat().st_size / 2**20, 1),
            "peak_rss_mib": round(rss_mib),
            "query_random": time_queries(work / "osv.sqlite", random_project, args.runs),
            "query_heavy": time_queries(work / "osv.sqlite", heavy_project, args.runs),
            "query_heavy_latest": time_queries(work / "osv.sqlite", latest_project, args.runs),
            "heavy_advisories_per_package": round(
                sum(n for _, n in per_name.most_common(args.packages)) / args.packages, 1
            ),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        }
    if args.json:
        print(json.dumps(figures))
    else:
        report(figures, args.packages)
    return 0


def report(f: dict[str, Any], packages: int) -> None:
    print(f"advisories      {f['advisories']:,} over {f['names_with_advisories']:,} package names")
    print(f"generate        {f['generate_s']} s (zip {f['zip_mib']} MiB)")
    print(f"import          {f['import_s']} s ({f['import_per_s']:,} advisories/s)")
    print(f"database size   {f['db_mib']} MiB")
    print(f"peak RSS        {f['peak_rss_mib']} MiB (generation, import and queries)")
    for label, key in (
        ("random", "query_random"),
        ("most-advised", "query_heavy"),
        ("most-advised, up-to-date", "query_heavy_latest"),
    ):
        q = f[key]
        print(
            f"query_many      {packages} {label} packages: median {q['median_s'] * 1000:.0f} ms, "
            f"max {q['max_s'] * 1000:.0f} ms, {q['matches']} matches"
        )
    print(f"                (most-advised: {f['heavy_advisories_per_package']} advisories/package)")
    print(f"machine         {f['cpus']} CPUs, Python {f['python']}")


if __name__ == "__main__":
    raise SystemExit(main())
