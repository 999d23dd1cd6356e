"""The real-world corpus in ../shared/corpus (present in CI next to the repository): every
file is loaded or named with a reason, and no `clean` label of the ground truth is violated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from slsguard.cli import main

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not (CORPUS / "speed").is_dir(), reason="corpus not present")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    out = tmp_path_factory.mktemp("corpus") / "report.json"
    code = main(
        ["scan", str(CORPUS / "speed"), "--format", "json", "--output", str(out), "--quiet"]
    )
    assert code in (0, 1)
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def test_every_file_is_loaded_or_named_with_a_reason(report: dict) -> None:  # type: ignore[type-arg]
    files = {
        p.relative_to(CORPUS / "speed").as_posix()
        for p in (CORPUS / "speed").rglob("*")
        if p.suffix in (".yml", ".yaml", ".json")
    }
    errors = {d["file"] for d in report["diagnostics"] if d["level"] == "error"}
    scanned = report["summary"]["files_scanned"]
    assert scanned + len(errors) == len(files)
    assert len(errors) / len(files) < 0.01


def test_no_clean_label_is_violated(report: dict) -> None:  # type: ignore[type-arg]
    labels = yaml.safe_load((CORPUS / "labels.yaml").read_text())["labels"]
    violated = []
    for label in labels:
        if label["expected"] != "clean":
            continue
        lines = [label["line"]] + [int(r.rsplit(":", 1)[1]) for r in label.get("related") or []]
        file = label["file"].removeprefix("speed/")
        for f in report["findings"]:
            if (
                f["file"] == file
                and f["category"] == label["category"]
                and any(abs(f["line"] - line) <= 3 for line in lines)
            ):
                violated.append((label["id"], f["rule_id"], f["line"]))
    assert violated == []
