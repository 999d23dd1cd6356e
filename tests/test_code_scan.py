"""Handler code analysis inside `slsguard scan`: findings name the function and its trigger,
carry the source-to-sink path (SARIF codeFlows), honour inline suppressions in code, and a
handler that cannot be found or parsed is a diagnostic, not a silent skip."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from slsguard.cli import main

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
SERVERLESS = """\
service: c
provider: {name: aws, runtime: python3.12}
functions:
  run:
    handler: handler.run
    events:
      - http: POST run
  worker:
    handler: handler.work
    events:
      - sqs: arn:aws:sqs:us-east-1:123456789012:q
  lost:
    handler: missing/module.main
"""
HANDLER = """\
import os
import subprocess


def run(event, context):
    cmd = event["body"]
    os.system("echo " + cmd)
    return {"statusCode": 200}


def work(event, context):
    for record in event["Records"]:
        # slsguard: ignore[SLS0101] the queue is written by our own service only
        subprocess.run(record["body"], shell=True)
    os.system(f"ls {event['Records'][0]['body']}")
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "serverless.yml").write_text(SERVERLESS)
    (tmp_path / "handler.py").write_text(HANDLER)
    return tmp_path


def scan_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    main(["scan", *args, "--format", "json"])
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_code_findings_name_function_trigger_and_path(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = scan_json(capsys, str(project), "--select", "SLS0101")
    rows = [
        (f["rule_id"], f["file"], f["line"], f["severity"], f["suppressed"] is not None)
        for f in report["findings"]
    ]
    assert rows == [
        ("SLS0101", "handler.py", 7, "critical", False),
        ("SLS0101", "handler.py", 14, "high", True),
        ("SLS0101", "handler.py", 15, "high", False),
    ]
    public, _, internal = report["findings"]
    assert public["message"] == (
        "event.body reaches os.system (command injection) via cmd "
        "(function run, reachable from POST run without authorizer)"
    )
    assert internal["message"].endswith("(function worker, triggered by sqs)")
    suppressed = report["findings"][1]["suppressed"]
    assert suppressed == {
        "kind": "inline",
        "reason": "the queue is written by our own service only",
    }


def test_unresolvable_handler_is_a_warning_naming_the_function(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = scan_json(capsys, str(project), "--select", "SLS0101")
    [diag] = [d for d in report["diagnostics"] if "lost" in d["reason"]]
    assert (diag["file"], diag["line"], diag["level"]) == ("serverless.yml", 12, "warning")
    assert diag["reason"].startswith("function lost: handler missing/module.main: no ")


def test_unparseable_handler_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "serverless.yml").write_text(SERVERLESS.split("  worker:")[0])
    (tmp_path / "handler.py").write_text("def run(event, context:\n")
    report = scan_json(capsys, str(tmp_path), "--select", "SAS-1")
    [diag] = [d for d in report["diagnostics"] if d["file"] == "handler.py"]
    assert diag["level"] == "warning"
    assert diag["reason"].startswith("not analysed: ")


def test_sarif_has_a_code_flow_from_source_to_sink(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["scan", str(project), "--select", "SLS0101", "--format", "sarif"])
    sarif = json.loads(capsys.readouterr().out)
    jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).validate(sarif)
    first = sarif["runs"][0]["results"][0]
    steps = first["codeFlows"][0]["threadFlows"][0]["locations"]
    source = steps[0]["location"]
    assert (source["physicalLocation"]["region"]["startLine"], source["message"]["text"]) == (
        6,
        "event.body",
    )
    assert steps[-1]["location"]["physicalLocation"]["region"]["startLine"] == 7
    rule_ids = [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert "SLS0101" in rule_ids and len(rule_ids) == len(set(rule_ids))


def test_code_rules_are_listed_and_explained(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    ids = [r["id"] for r in json.loads(capsys.readouterr().out)]
    assert {"SLS0101", "SLS0103", "SLS0703", "SLS1001"} <= set(ids)
    assert ids.count("SLS1002") == 1
    assert main(["explain", "SLS0101"]) == 0
    assert capsys.readouterr().out.startswith("# SLS0101: Event data reaches an OS command")


def test_request_body_is_not_an_ssrf_and_custom_resources_answer_their_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two false positives found on the corpus: tainted data in a Request's body made
    urlopen(req) an SSRF, and custom resource handlers PUT to CloudFormation's ResponseURL."""
    (tmp_path / "template.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Resources:\n"
        "  Notify:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties:\n"
        "      Runtime: python3.12\n"
        "      Handler: index.handler\n"
        "      Role: arn:aws:iam::123456789012:role/r\n"
        "      Code:\n"
        "        ZipFile: |\n"
        "          import json, os\n"
        "          from urllib import request\n"
        "          def handler(event, context):\n"
        "              data = json.dumps({'text': event['detail']}).encode()\n"
        "              req = request.Request(os.environ['URL'], data=data)\n"
        "              request.urlopen(req, timeout=5)\n"
        "  Custom:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties:\n"
        "      Runtime: python3.12\n"
        "      Handler: index.handler\n"
        "      Role: arn:aws:iam::123456789012:role/r\n"
        "      Code:\n"
        "        ZipFile: |\n"
        "          import urllib3\n"
        "          def handler(event, context):\n"
        "              urllib3.PoolManager().request('PUT', event['ResponseURL'], timeout=5)\n"
        "  Resource:\n"
        "    Type: Custom::Thing\n"
        "    Properties:\n"
        "      ServiceToken: !GetAtt Custom.Arn\n"
    )
    report = scan_json(capsys, str(tmp_path), "--select", "SLS0106")
    assert report["findings"] == []


def test_every_code_rule_has_bad_and_good_fixtures_per_language() -> None:
    from slsguard.code.rules import CODE_RULES

    code = Path(__file__).parent / "fixtures" / "code"
    for meta in CODE_RULES:
        for language in ("python", "javascript"):
            for kind in ("bad", "good"):
                # JavaScript fixtures may be .js, .mjs or .ts (TypeScript syntax)
                assert list((code / language / meta.id).glob(f"{kind}.*")), (
                    meta.id,
                    language,
                    kind,
                )


def test_the_example_app_shows_a_code_finding_per_language_with_its_path(
    capsys: pytest.CaptureFixture[str],
) -> None:
    examples = Path(__file__).resolve().parents[1] / "examples"
    main(["scan", str(examples), "--select", "SLS0101", "--format", "sarif"])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    files = sorted(
        {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    )
    assert files == ["orders-app/src/notify/index.js", "orders-app/src/orders/app.py"]
    assert all(len(r["codeFlows"][0]["threadFlows"][0]["locations"]) >= 2 for r in results)
