"""Dependency rules through the scanner: the advisory source is explicit, offline by
default, and a scan without one says so instead of passing silently."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
from test_osv_online import FakeOSV, fake, no_proxy  # noqa: F401  (pytest fixtures)

from slsguard.cli import main
from slsguard.engine import ScanOptions, scan
from slsguard.rules import ALL_RULES

FIXTURES = Path(__file__).parent / "fixtures"
BAD = FIXTURES / "rules" / "SLS0601" / "serverless" / "bad"
RECORDS = FIXTURES / "osv" / "records"
EXPECTED = [
    ("SLS0601", "package-lock.json", 7, "high"),
    ("SLS0601", "requirements.txt", 2, "medium"),
    ("SLS0601", "requirements.txt", 3, "critical"),
]


def findings(result: object) -> list[tuple[str, str, int, str]]:
    return sorted(
        (f.rule_id, f.location.file, f.location.line, f.severity.value)
        for f in result.findings  # type: ignore[attr-defined]
    )


def test_without_a_database_sls0601_is_reported_as_not_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    code = main(["scan", str(BAD), "--select", "SLS0601", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["findings"] == []
    assert report["diagnostics"] == [
        {
            "file": "",
            "line": None,
            "level": "note",
            "reason": "SLS0601 not checked: no advisory database; run `slsguard db update` or "
            "pass --osv-db PATH (an OSV directory, zip or slsguard database), or use --online",
        }
    ]


def test_offline_scan_with_records_opens_no_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a scan without --online must not open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    result = scan(ScanOptions(paths=(BAD,), select=("SLS0601",), osv_db=RECORDS), ALL_RULES)
    assert findings(result) == EXPECTED


def test_database_built_by_db_import_is_used_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert main(["db", "import", str(RECORDS / ".." / "records.zip")]) == 0
    assert (tmp_path / "cache" / "slsguard" / "osv.sqlite").is_file()
    capsys.readouterr()
    result = scan(ScanOptions(paths=(BAD,), select=("SLS0601",)), ALL_RULES)
    assert findings(result) == EXPECTED


def test_online_scan_asks_the_osv_api(fake: FakeOSV) -> None:  # noqa: F811
    options = ScanOptions(paths=(BAD,), select=("SLS0601",), online=True, osv_url=fake.base_url)
    assert findings(scan(options, ALL_RULES)) == EXPECTED


def test_unreachable_api_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    options = ScanOptions(
        paths=(BAD,), select=("SLS0601",), online=True, osv_url="http://127.0.0.1:9"
    )
    result = scan(options, ALL_RULES)
    assert result.findings == []
    [diag] = result.diagnostics
    assert (diag.file, diag.level.value) == ("serverless.yml", "warning")
    assert diag.reason.startswith("known vulnerabilities not checked: ")


def test_the_example_app_shows_one_vulnerable_dependency_per_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    examples = Path(__file__).resolve().parents[1] / "examples"
    main(
        [
            "scan",
            str(examples),
            "--select",
            "SLS0601",
            "--osv-db",
            str(examples / "osv"),
            "--format",
            "json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert sorted((f["file"], f["message"].split(" has ")[0]) for f in report["findings"]) == [
        ("orders-app/package-lock.json", "lodash 4.17.20"),
        ("orders-app/requirements.txt", "requests 2.25.0"),
    ]


def test_unpinned_and_vendored_copies(tmp_path: Path) -> None:
    project = tmp_path / "svc"
    shutil.copytree(BAD, project)
    vendored = project / "node_modules" / "lodash"
    vendored.mkdir(parents=True)
    (vendored / "package.json").write_text('{"name": "lodash", "version": "4.17.20"}')
    result = scan(ScanOptions(paths=(project,), select=("SLS0601",), osv_db=RECORDS), ALL_RULES)
    assert findings(result) == EXPECTED  # the vendored copy of the locked version adds nothing


def test_layers_ship_their_dependencies_to_the_functions_using_them(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Deps:\n"
        "    Type: AWS::Serverless::LayerVersion\n"
        "    Properties: {ContentUri: layer/}\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      CodeUri: fn/\n"
        "      Handler: app.handler\n"
        "      Runtime: python3.12\n"
        "      Layers: [!Ref Deps]\n"
    )
    (tmp_path / "fn").mkdir()
    (tmp_path / "layer").mkdir()
    (tmp_path / "layer" / "requirements.txt").write_text("requests==2.25.0\n")
    result = scan(ScanOptions(paths=(tmp_path,), select=("SLS0601",), osv_db=RECORDS), ALL_RULES)
    assert [(f.location.file, f.location.line) for f in result.findings] == [
        ("layer/requirements.txt", 1)
    ]
    assert "ships in function Fn" in result.findings[0].message


def test_serverless_layers_and_package_patterns(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(
        "service: s\n"
        "provider: {name: aws, runtime: python3.12}\n"
        "package:\n  patterns: ['!tools/**']\n"
        "layers:\n  shared-deps: {path: layer}\n"
        "functions:\n"
        "  fn:\n    handler: app.handler\n    layers: [{Ref: SharedDashdepsLambdaLayer}]\n"
    )
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "requirements.txt").write_text("PyYAML==5.3.1\n")  # not packaged
    (tmp_path / "layer").mkdir()
    (tmp_path / "layer" / "requirements.txt").write_text("requests==2.25.0\n")
    result = scan(ScanOptions(paths=(tmp_path,), select=("SLS0601",), osv_db=RECORDS), ALL_RULES)
    assert [(f.location.file, f.location.line) for f in result.findings] == [
        ("layer/requirements.txt", 1)
    ]
