"""Each rule's bad fixtures produce exactly the findings marked `# expect: ID` (rule id and
line), and its good fixtures produce none of that rule. Fixtures live in
tests/fixtures/rules/<RULE>/<format>/<bad|good>/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from slsguard.engine import ScanOptions, scan
from slsguard.rules import ALL_RULES, RULES_BY_ID

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
# Real OSV records (tests/fixtures/osv/README.md) for the dependency rules' fixtures.
OSV_RECORDS = Path(__file__).parent / "fixtures" / "osv" / "records"
EXPECT = re.compile(r"(?:#|//)\s*expect:\s*([A-Z0-9, ]+)")
FORMATS = ("serverless", "sam", "cloudformation")


def expected(folder: Path) -> set[tuple[str, str, int]]:
    """`# expect: ID` comments, or lines `ID file:line` in an EXPECT file (for JSON)."""
    marks = set()
    sidecar = folder / "EXPECT"
    if sidecar.is_file():
        for entry in sidecar.read_text().split("\n"):
            if entry.strip():
                rule_id, where = entry.split()
                file, line = where.rsplit(":", 1)
                marks.add((rule_id, file, int(line)))
    for file in sorted(folder.rglob("*")):
        if not file.is_file() or file.name == "EXPECT":
            continue
        for number, line in enumerate(file.read_text().splitlines(), 1):
            match = EXPECT.search(line)
            if match:
                rel = file.relative_to(folder).as_posix()
                marks.update((rid.strip(), rel, number) for rid in match.group(1).split(","))
    return marks


def found(folder: Path, rule_id: str) -> set[tuple[str, str, int]]:
    options = ScanOptions(paths=(folder,), select=(rule_id,), env={}, osv_db=OSV_RECORDS)
    result = scan(options, ALL_RULES)
    assert not [d for d in result.diagnostics if d.level == "error"], result.diagnostics
    assert result.files_scanned, f"nothing scanned in {folder}"
    return {(f.rule_id, f.location.file, f.location.line) for f in result.findings}


CASES = sorted(
    (rule_dir.name, fmt, kind)
    for rule_dir in FIXTURES.iterdir()
    for fmt in FORMATS
    for kind in ("bad", "good")
    if (rule_dir / fmt / kind).is_dir()
)


@pytest.mark.parametrize(("rule_id", "fmt", "kind"), CASES)
def test_fixture(rule_id: str, fmt: str, kind: str) -> None:
    folder = FIXTURES / rule_id / fmt / kind
    marks = expected(folder)
    if kind == "bad":
        assert marks, f"bad fixture {folder} marks no expected finding"
    else:
        assert not marks
    assert found(folder, rule_id) == marks


@pytest.mark.parametrize("rule_id", sorted(RULES_BY_ID))
def test_every_rule_has_bad_and_good_fixtures_per_format(rule_id: str) -> None:
    meta = RULES_BY_ID[rule_id].meta
    for fmt in meta.formats:
        for kind in ("bad", "good"):
            assert (FIXTURES / rule_id / fmt / kind).is_dir(), f"missing {fmt}/{kind}"
