"""Every rule tells its fix in the words of each format it checks, and a finding carries the
fix of the format of the file it is in."""

from __future__ import annotations

from pathlib import Path

import pytest

from slsguard.engine import ScanOptions, scan
from slsguard.rules import ALL_RULES, RULES_BY_ID

FIXTURES = Path(__file__).parent / "fixtures" / "rules"


@pytest.mark.parametrize("rule_id", sorted(RULES_BY_ID))
def test_one_fix_per_declared_format(rule_id: str) -> None:
    meta = RULES_BY_ID[rule_id].meta
    formats = [fmt for fmt, _ in meta.fixes]
    assert len(formats) == len(set(formats)), f"a format is listed twice: {formats}"
    assert set(formats) == set(meta.formats), f"fixes for {formats}, formats {meta.formats}"


@pytest.mark.parametrize("rule_id", sorted(RULES_BY_ID))
def test_fix_texts_are_filled_in_and_differ_per_format(rule_id: str) -> None:
    meta = RULES_BY_ID[rule_id].meta
    texts = [text for _, text in meta.fixes]
    assert all(text.strip() for text in texts), "an empty fix"
    assert len(set(texts)) == len(texts), "two formats share one fix text"
    assert meta.fix.strip(), "the general fix (the fallback) is empty"
    for fmt in meta.formats:
        assert meta.fix_for(fmt) == dict(meta.fixes)[fmt]


def test_every_rule_module_is_covered() -> None:
    assert len(ALL_RULES) == len(RULES_BY_ID)
    assert all(rule.meta.fixes for rule in ALL_RULES)


def test_a_finding_carries_the_fix_of_its_file_format() -> None:
    meta = RULES_BY_ID["SLS0801"].meta
    fixes = {}
    for fmt in ("sam", "serverless"):
        folder = FIXTURES / "SLS0801" / fmt / "bad"
        result = scan(ScanOptions(paths=(folder,), select=("SLS0801",), env={}), ALL_RULES)
        assert result.findings, f"no SLS0801 finding in {folder}"
        assert {f.fix for f in result.findings} == {meta.fix_for(fmt)}
        fixes[fmt] = meta.fix_for(fmt)
    assert fixes["sam"] != fixes["serverless"]
    assert meta.fix not in fixes.values()  # the general text is only the fallback
