"""The Lambda runtime table (slsguard/data/lambda_runtimes.json) and SLS0604's date logic,
with today's date injected."""

from __future__ import annotations

import datetime
import json
from importlib import resources

import pytest

from slsguard.findings import Severity
from slsguard.model.app import App, Format, Function, Setting
from slsguard.model.source import SourceRef
from slsguard.rules.sas06_dependencies import sls0604_deprecated_runtime as rule

SRC = SourceRef("serverless.yml", 1, 1)


def _hits(runtime: object, today: datetime.date, monkeypatch: pytest.MonkeyPatch) -> list:  # type: ignore[type-arg]
    monkeypatch.setattr(rule, "today", lambda: today)
    fn = Function("fn", Format.SERVERLESS, SRC, runtime=Setting(runtime, SRC), handler="app.h")
    app = App("serverless.yml", Format.SERVERLESS, SRC, functions=(fn,))
    return list(rule.deprecated_runtime.check(fn, app))


def test_table_is_complete_and_dated() -> None:
    raw = resources.files("slsguard").joinpath("data", "lambda_runtimes.json").read_text()
    data = json.loads(raw)
    assert data["source"] == "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"
    datetime.date.fromisoformat(data["refreshed"])
    assert data["refresh"]
    for identifier, row in data["runtimes"].items():
        assert set(row) == {"name", "os", "deprecated", "block_create", "block_update"}, identifier
        for key in ("deprecated", "block_create", "block_update"):
            assert row[key] is None or datetime.date.fromisoformat(row[key])
    for known in ("python3.8", "python3.9", "nodejs16.x", "nodejs18.x", "go1.x", "provided.al2023"):
        assert known in data["runtimes"]


def test_deprecated_runtime_is_high(monkeypatch: pytest.MonkeyPatch) -> None:
    (hit,) = _hits("python3.9", datetime.date(2026, 11, 29), monkeypatch)
    assert hit.severity is None  # the rule's default, high
    assert "deprecated since 2025-12-15" in hit.message


def test_runtime_deprecated_within_180_days_is_low(monkeypatch: pytest.MonkeyPatch) -> None:
    (hit,) = _hits("nodejs22.x", datetime.date(2026, 11, 29), monkeypatch)
    assert hit.severity == Severity.LOW
    assert "deprecation on 2027-04-30, within 180 days" in hit.message


def test_supported_runtime_far_from_deprecation(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _hits("python3.14", datetime.date(2026, 11, 29), monkeypatch) == []
    assert _hits("provided.al2023", datetime.date(2026, 11, 29), monkeypatch) == []


def test_os_only_runtimes(monkeypatch: pytest.MonkeyPatch) -> None:
    (hit,) = _hits("provided.al2", datetime.date(2026, 11, 29), monkeypatch)
    assert "deprecated since 2026-07-31" in hit.message
    assert _hits("provided.al2", datetime.date(2025, 11, 29), monkeypatch) == []


def test_the_date_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _hits("python3.9", datetime.date(2025, 1, 1), monkeypatch) == []
    (soon,) = _hits("python3.9", datetime.date(2025, 10, 1), monkeypatch)
    assert soon.severity == Severity.LOW


@pytest.mark.parametrize("runtime", ["nodejs99.x", "provided.al2023023", "Node.js14", ""])
def test_unknown_runtimes_are_not_reported(runtime: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _hits(runtime, datetime.date(2026, 11, 29), monkeypatch) == []


def test_runtime_without_announced_date(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _hits("java17.al2023", datetime.date(2026, 11, 29), monkeypatch) == []


def test_inherited_runtime_does_not_apply_to_an_image_function(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rule, "today", lambda: datetime.date(2026, 11, 29))
    fn = Function("fn", Format.SERVERLESS, SRC, runtime=Setting("python3.8", SRC))
    app = App("serverless.yml", Format.SERVERLESS, SRC, functions=(fn,))
    assert list(rule.deprecated_runtime.check(fn, app)) == []
