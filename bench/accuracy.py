"""Score slsguard (and optionally Checkov) against the labelled corpus.

    python bench/accuracy.py [--corpus ../shared/corpus] [--checkov-bin PATH]

Runs `slsguard scan <corpus>/speed --format sarif`, then applies the matching rule of
../shared/corpus/README.md: a `flag` label is found when a result of the same SAS category
lies in the same file within 3 lines of `line` or of a `related` line; a `clean` label is
violated when such a result appears there. Prints recall per SAS category, the missed flags
and every violated clean label. Checkov's results carry no SAS category, so for Checkov the
score is category-blind (any failed check within 3 lines), an upper bound on its recall.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
WINDOW = 3


@dataclass(frozen=True)
class Result:
    file: str  # relative to the corpus folder, e.g. speed/serverless-patterns/x/template.yaml
    line: int
    category: str | None  # None when the tool does not say (Checkov)
    rule: str


def slsguard_results(corpus: Path) -> list[Result]:
    exe = Path(sys.executable).parent / "slsguard"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "slsguard.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.sarif"
        subprocess.run(
            [*cmd, "scan", str(corpus / "speed"), "--format", "sarif", "-o", str(out), "-q"],
            check=False,
            stderr=subprocess.DEVNULL,
        )
        sarif = json.loads(out.read_text())
    run = sarif["runs"][0]
    tags = {
        r["id"]: next(t for t in r["properties"]["tags"] if t.startswith("SAS-"))
        for r in run["tool"]["driver"]["rules"]
    }
    results = []
    for r in run["results"]:
        if r.get("suppressions"):
            continue
        loc = r["locations"][0]["physicalLocation"]
        results.append(
            Result(
                "speed/" + loc["artifactLocation"]["uri"],
                loc["region"]["startLine"],
                tags[r["ruleId"]],
                r["ruleId"],
            )
        )
    return results


def checkov_results(corpus: Path, checkov: str) -> list[Result]:
    proc = subprocess.run(
        [
            checkov,
            "-d",
            str(corpus / "speed"),
            "--framework",
            "cloudformation",
            "serverless",
            "-o",
            "json",
            "--quiet",
            "--compact",
            "--skip-download",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    data: Any = json.loads(proc.stdout or "[]")
    reports = data if isinstance(data, list) else [data]
    results = []
    for report in reports:
        for check in report.get("results", {}).get("failed_checks", []):
            path = check["file_path"].lstrip("/")
            start = check.get("file_line_range", [0, 0])[0]
            results.append(Result("speed/" + path, start, None, check["check_id"]))
    return results


def near(label: dict[str, Any], results: list[Result], blind: bool) -> list[Result]:
    lines = [label["line"]]
    for related in label.get("related") or []:
        lines.append(int(str(related).rsplit(":", 1)[1]))
    return [
        r
        for r in results
        if r.file == label["file"]
        and (blind or r.category == label["category"])
        and any(abs(r.line - line) <= WINDOW for line in lines)
    ]


def score(name: str, labels: list[dict[str, Any]], results: list[Result], blind: bool) -> None:
    found: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    missed, violated = [], []
    for label in labels:
        hits = near(label, results, blind)
        if label["expected"] == "flag":
            total[label["category"]] += 1
            if hits:
                found[label["category"]] += 1
            else:
                missed.append(label)
        elif hits:
            violated.append((label, hits))
    all_found, all_total = sum(found.values()), sum(total.values())
    print(
        f"\n{name}: recall {all_found}/{all_total} = {all_found / all_total:.0%}"
        f"{' (category-blind)' if blind else ''}; violated clean labels: {len(violated)}"
    )
    for category in sorted(total, key=lambda c: int(c.split("-")[1])):
        print(
            f"  {category:<7} {found[category]:>2}/{total[category]:<2}"
            f" {found[category] / total[category]:>5.0%}"
        )
    for label in missed:
        print(
            f"  missed  {label['id']:<10} {label['category']:<7} {label['file']}:{label['line']}"
            f"  {label['rule'][:70]}"
        )
    for label, hits in violated:
        rules = ", ".join(sorted({h.rule for h in hits}))
        print(
            f"  VIOLATED {label['id']:<9} {label['category']:<7} {label['file']}:"
            f"{label['line']} by {rules}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--checkov-bin", help="also score Checkov (its own venv's executable)")
    args = parser.parse_args()
    labels = yaml.safe_load((args.corpus / "labels.yaml").read_text())["labels"]
    score("slsguard", labels, slsguard_results(args.corpus), blind=False)
    if args.checkov_bin:
        score("checkov", labels, checkov_results(args.corpus, args.checkov_bin), blind=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
