"""Reporters: exact text lines, the JSON shape, and SARIF that validates against 2.1.0."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from slsguard.findings import (
    Category,
    Confidence,
    Diagnostic,
    DiagnosticLevel,
    Finding,
    ScanResult,
    Severity,
)
from slsguard.model.source import SourceRef
from slsguard.report import json_report, progress, render, sarif, text
from slsguard.rules.base import RuleMeta

# The official OASIS schema, vendored (identical to ../shared/schemas/sarif-schema-2.1.0.json).
SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"

IAM = RuleMeta(
    id="SLS0401",
    name="iam-admin-action",
    category=Category.SAS_4,
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    title="IAM statement allows all actions",
    rationale=(
        "A role that allows `*` can do anything in the account. "
        "An injected payload inherits every permission."
    ),
    fix="List only the actions the function calls.\nSee the per-format examples below.",
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",),
)
SECRET = RuleMeta(
    id="SLS0701",
    name="plaintext-secret-env",
    category=Category.SAS_7,
    severity=Severity.CRITICAL,
    confidence=Confidence.MEDIUM,
    title="Secret in a plaintext environment variable",
    rationale="Anyone with lambda:GetFunctionConfiguration can read it. It also leaks to logs.",
    fix="Store it in SSM Parameter Store or Secrets Manager. Read it at runtime.",
)
RETENTION = RuleMeta(
    id="SLS0501",
    name="log-retention-missing",
    category=Category.SAS_5,
    severity=Severity.LOW,
    confidence=Confidence.LOW,
    title="Log group keeps logs forever",
    rationale="Logs kept forever cost money, e.g. for chatty functions. Attackers mine them.",
    fix="Set a retention period. Fourteen days is a common default.",
)
# Deliberately not in finding order, so ruleIndex is tested as an index into this list.
RULES = (RETENTION, IAM, SECRET)

F_IAM = Finding(
    rule_id="SLS0401",
    rule_name="iam-admin-action",
    category=Category.SAS_4,
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    message='Statement allows Action "*"',
    location=SourceRef("serverless.yml", 12, 5, ("provider", "iam", "statements", 0, "Action")),
    subject="function hello",
)
F_SECRET = Finding(
    rule_id="SLS0701",
    rule_name="plaintext-secret-env",
    category=Category.SAS_7,
    severity=Severity.CRITICAL,
    confidence=Confidence.MEDIUM,
    message="DB_PASSWORD holds a plaintext secret",
    location=SourceRef(
        "serverless.yml", 30, 9, ("functions", "hello", "environment", "DB_PASSWORD")
    ),
    subject="function hello",
    suppressed_by="inline",
    suppression_reason="test fixture, not a real secret",
)
F_RETENTION = Finding(
    rule_id="SLS0501",
    rule_name="log-retention-missing",
    category=Category.SAS_5,
    severity=Severity.LOW,
    confidence=Confidence.LOW,
    message="Log group ApiFnLogs has no RetentionInDays",
    location=SourceRef("stacks/api/template.yaml", 4, 3, ()),
    subject="resource ApiFnLogs",
)
D_ERROR = Diagnostic(
    "broken.yml", "could not parse YAML: bad indentation", DiagnosticLevel.ERROR, 3
)
D_NOTE = Diagnostic("serverless.ts", "TypeScript config is not evaluated", DiagnosticLevel.NOTE)


def make_result() -> ScanResult:
    return ScanResult(
        root="/srv/app",
        # Out of order on purpose: every reporter sorts by file, line.
        findings=[F_RETENTION, F_SECRET, F_IAM],
        diagnostics=[D_NOTE, D_ERROR],
        files_scanned=["serverless.yml", "stacks/api/template.yaml", "broken.yml"],
        duration_s=0.25,
    )


# --- text -------------------------------------------------------------------------------

EXPECTED_TEXT = """\
serverless.yml
  12:5  HIGH  SLS0401  Statement allows Action "*"  [SAS-4]
      why: A role that allows `*` can do anything in the account.
      fix: List only the actions the function calls.

stacks/api/template.yaml
  4:3  LOW  SLS0501  Log group ApiFnLogs has no RetentionInDays  [SAS-5]
      why: Logs kept forever cost money, e.g. for chatty functions.
      fix: Set a retention period.

broken.yml:3: error: could not parse YAML: bad indentation
serverless.ts: note: TypeScript config is not evaluated

Found 2 findings in 3 files.
  by severity: high 1, low 1
  by category:
    SAS-4  Over-privileged function permissions and roles: 1
    SAS-5  Inadequate function monitoring and logging: 1
  suppressed: 1
  diagnostics: 1 error, 1 note
  duration: 0.25s
"""


def test_text_plain_is_exact() -> None:
    out = text.render(make_result(), RULES, color=False)
    assert out == EXPECTED_TEXT
    assert "\x1b" not in out
    assert "SLS0701" not in out  # suppressed findings are hidden by default


def test_text_show_suppressed_and_fail_on() -> None:
    out = text.render(
        make_result(), RULES, color=False, show_suppressed=True, fail_on=Severity.HIGH
    )
    lines = out.splitlines()
    suppressed = (
        "  30:9  CRITICAL  SLS0701  DB_PASSWORD holds a plaintext secret  [SAS-7]"
        "  (suppressed by inline: test fixture, not a real secret)"
    )
    assert (
        lines.index(suppressed)
        == lines.index("      fix: List only the actions the function calls.") + 1
    )
    assert lines[-1] == "  fail-on high: 1 finding at or above it"
    assert "\x1b" not in out


def test_text_color_only_adds_escapes() -> None:
    colored = text.render(make_result(), RULES, color=True)
    assert "\x1b[1;31mHIGH\x1b[0m" in colored
    assert _strip_ansi(colored) == EXPECTED_TEXT


def test_text_empty_result() -> None:
    result = ScanResult(root="/srv/app", files_scanned=["a.yml", "b.yml"], duration_s=0.01)
    out = text.render(result, RULES, color=False)
    assert out == "No findings in 2 files.\n  suppressed: 0\n  duration: 0.01s\n"


def test_text_only_suppressed_findings_is_still_no_findings() -> None:
    result = ScanResult(root="/srv/app", findings=[F_SECRET], files_scanned=["serverless.yml"])
    assert text.render(result, RULES, color=False).splitlines()[0] == "No findings in 1 file."


def test_text_finding_of_unknown_rule_has_no_advice() -> None:
    result = ScanResult(root="/srv/app", findings=[F_IAM], files_scanned=["serverless.yml"])
    lines = text.render(result, (), color=False).splitlines()
    assert lines[:3] == [
        "serverless.yml",
        '  12:5  HIGH  SLS0401  Statement allows Action "*"  [SAS-4]',
        "",
    ]


def test_first_sentence() -> None:
    assert text.first_sentence("One, e.g. this.  Two.") == "One, e.g. this."
    assert text.first_sentence("Line one\ncontinues. Next") == "Line one continues."
    assert text.first_sentence("No stop") == "No stop"


# --- JSON -------------------------------------------------------------------------------


def test_json_shape_is_exact() -> None:
    doc = json.loads(json_report.render(make_result(), RULES, tool_version="0.1.0"))
    assert list(doc) == ["version", "tool", "summary", "findings", "diagnostics"]
    assert doc["version"] == 1
    assert doc["tool"] == {"name": "slsguard", "version": "0.1.0"}
    assert doc["summary"] == {
        "files_scanned": 3,
        "findings": 2,
        "suppressed": 1,
        "by_severity": {"critical": 0, "high": 1, "medium": 0, "low": 1, "info": 0},
        "by_category": {c.value: int(c in (Category.SAS_4, Category.SAS_5)) for c in Category},
        "errors": 1,
    }
    assert doc["findings"] == [
        {
            "rule_id": "SLS0401",
            "rule_name": "iam-admin-action",
            "category": "SAS-4",
            "severity": "high",
            "confidence": "high",
            "message": 'Statement allows Action "*"',
            "subject": "function hello",
            "file": "serverless.yml",
            "line": 12,
            "column": 5,
            "path": "provider.iam.statements.0.Action",
            "fingerprint": F_IAM.fingerprint,
            "fix": "",
            "suppressed": None,
        },
        {
            "rule_id": "SLS0701",
            "rule_name": "plaintext-secret-env",
            "category": "SAS-7",
            "severity": "critical",
            "confidence": "medium",
            "message": "DB_PASSWORD holds a plaintext secret",
            "subject": "function hello",
            "file": "serverless.yml",
            "line": 30,
            "column": 9,
            "path": "functions.hello.environment.DB_PASSWORD",
            "fingerprint": F_SECRET.fingerprint,
            "fix": "",
            "suppressed": {"kind": "inline", "reason": "test fixture, not a real secret"},
        },
        {
            "rule_id": "SLS0501",
            "rule_name": "log-retention-missing",
            "category": "SAS-5",
            "severity": "low",
            "confidence": "low",
            "message": "Log group ApiFnLogs has no RetentionInDays",
            "subject": "resource ApiFnLogs",
            "file": "stacks/api/template.yaml",
            "line": 4,
            "column": 3,
            "path": "",
            "fingerprint": F_RETENTION.fingerprint,
            "fix": "",
            "suppressed": None,
        },
    ]
    assert doc["diagnostics"] == [
        {
            "file": "broken.yml",
            "line": 3,
            "level": "error",
            "reason": "could not parse YAML: bad indentation",
        },
        {
            "file": "serverless.ts",
            "line": None,
            "level": "note",
            "reason": "TypeScript config is not evaluated",
        },
    ]


def test_json_is_indented_and_deterministic() -> None:
    out = json_report.render(make_result(), RULES, tool_version="0.1.0")
    assert out.startswith('{\n  "version": 1,\n  "tool": {\n    "name": "slsguard"')
    assert out == json_report.render(make_result(), RULES, tool_version="0.1.0")


# --- SARIF ------------------------------------------------------------------------------


def sarif_log(result: ScanResult | None = None) -> dict[str, Any]:
    out = sarif.render(result or make_result(), RULES, tool_version="0.1.0")
    doc: dict[str, Any] = json.loads(out)
    return doc


def test_sarif_validates_against_the_official_schema() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    for log in (sarif_log(), sarif_log(ScanResult(root="/srv/app"))):
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]
        assert errors == []


def test_sarif_header_and_driver() -> None:
    log = sarif_log()
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "slsguard"
    assert driver["version"] == "0.1.0"
    assert driver["informationUri"] == "https://github.com/slsguard/slsguard"
    assert [r["id"] for r in driver["rules"]] == ["SLS0501", "SLS0401", "SLS0701"]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///srv/app/"}}


def test_sarif_rule_metadata() -> None:
    rules = {r["id"]: r for r in sarif_log()["runs"][0]["tool"]["driver"]["rules"]}
    iam = rules["SLS0401"]
    assert iam["name"] == "iam-admin-action"
    assert iam["shortDescription"] == {"text": "IAM statement allows all actions"}
    assert iam["fullDescription"] == {"text": IAM.rationale}
    assert iam["helpUri"] == IAM.help_uri
    assert iam["defaultConfiguration"] == {"level": "error"}
    assert iam["properties"] == {
        "tags": ["security", "SAS-4"],
        "security-severity": "8.0",
        "precision": "high",
    }
    for part in (IAM.rationale, IAM.fix, IAM.references[0]):
        assert part in iam["help"]["text"]
        assert part in iam["help"]["markdown"]
    levels = {rid: r["defaultConfiguration"]["level"] for rid, r in rules.items()}
    assert levels == {"SLS0401": "error", "SLS0701": "error", "SLS0501": "note"}
    severities = {rid: r["properties"]["security-severity"] for rid, r in rules.items()}
    assert severities == {"SLS0401": "8.0", "SLS0701": "9.5", "SLS0501": "3.0"}
    assert rules["SLS0701"]["properties"]["tags"] == ["security", "SAS-7"]
    assert rules["SLS0701"]["properties"]["precision"] == "medium"
    assert rules["SLS0501"]["properties"]["precision"] == "low"


def test_sarif_results_are_exact() -> None:
    results = sarif_log()["runs"][0]["results"]
    assert results[0] == {
        "ruleId": "SLS0401",
        "ruleIndex": 1,
        "level": "error",
        "message": {"text": 'Statement allows Action "*"'},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "serverless.yml", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 12, "startColumn": 5},
                },
                "logicalLocations": [{"fullyQualifiedName": "provider.iam.statements.0.Action"}],
            }
        ],
        "partialFingerprints": {"slsguardFingerprint/v1": F_IAM.fingerprint},
        "properties": {"subject": "function hello", "confidence": "high"},
    }
    secret, retention = results[1], results[2]
    assert (secret["ruleId"], secret["ruleIndex"], secret["level"]) == ("SLS0701", 2, "error")
    assert secret["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 30,
        "startColumn": 9,
    }
    assert secret["suppressions"] == [
        {"kind": "inSource", "justification": "test fixture, not a real secret"}
    ]
    assert secret["partialFingerprints"] == {"slsguardFingerprint/v1": F_SECRET.fingerprint}
    assert (retention["ruleId"], retention["ruleIndex"], retention["level"]) == (
        "SLS0501",
        0,
        "note",
    )
    assert retention["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "stacks/api/template.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 4, "startColumn": 3},
            }
        }
    ]  # empty document path: no logicalLocations
    assert "suppressions" not in retention
    assert retention["partialFingerprints"] == {"slsguardFingerprint/v1": F_RETENTION.fingerprint}


@pytest.mark.parametrize(
    ("kind", "sarif_kind"),
    [
        ("inline", "inSource"),
        ("metadata", "inSource"),
        ("config", "external"),
        ("baseline", "external"),
    ],
)
def test_sarif_suppression_kinds(kind: str, sarif_kind: str) -> None:
    finding = dataclasses.replace(F_IAM, suppressed_by=kind, suppression_reason="ok")
    result = ScanResult(root="/srv/app", findings=[finding])
    assert sarif_log(result)["runs"][0]["results"][0]["suppressions"] == [
        {"kind": sarif_kind, "justification": "ok"}
    ]


def test_sarif_invocation_notifications() -> None:
    invocation = sarif_log()["runs"][0]["invocations"]
    assert invocation == [
        {
            "executionSuccessful": False,
            "toolExecutionNotifications": [
                {
                    "level": "error",
                    "message": {"text": "could not parse YAML: bad indentation"},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": "broken.yml", "uriBaseId": "%SRCROOT%"},
                                "region": {"startLine": 3},
                            }
                        }
                    ],
                },
                {
                    "level": "note",
                    "message": {"text": "TypeScript config is not evaluated"},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {
                                    "uri": "serverless.ts",
                                    "uriBaseId": "%SRCROOT%",
                                }
                            }
                        }
                    ],
                },
            ],
        }
    ]


def test_sarif_execution_successful_without_errors() -> None:
    result = ScanResult(root="/srv/app", diagnostics=[D_NOTE])
    assert sarif_log(result)["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_sarif_finding_of_unknown_rule_has_no_rule_index() -> None:
    orphan = dataclasses.replace(F_IAM, rule_id="SLS9999")
    result = sarif_log(ScanResult(root="/srv/app", findings=[orphan]))["runs"][0]["results"][0]
    assert result["ruleId"] == "SLS9999"
    assert "ruleIndex" not in result


# --- dispatch and imports ----------------------------------------------------------------


def test_dispatch_matches_modules() -> None:
    result = make_result()
    assert render("text", result, RULES, tool_version="x") == text.render(
        result, RULES, color=False
    )
    assert render("json", result, RULES, tool_version="x") == json_report.render(
        result, RULES, tool_version="x"
    )
    assert render("sarif", result, RULES, tool_version="x") == sarif.render(
        result, RULES, tool_version="x"
    )
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render("xml", result, RULES, tool_version="x")


def test_reporters_do_not_import_rich_without_color() -> None:
    code = (
        "import sys\n"
        "from slsguard.findings import ScanResult\n"
        "from slsguard.report import render\n"
        "from slsguard.report.progress import Progress\n"
        "for fmt in ('text', 'json', 'sarif'):\n"
        "    render(fmt, ScanResult(root='.'), (), tool_version='x')\n"
        "p = Progress(100, enabled=False); p.advance('a.yml'); p.close()\n"
        "assert 'rich' not in sys.modules, sorted(m for m in sys.modules if 'rich' in m)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- progress ---------------------------------------------------------------------------


def test_progress_disabled_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with progress.Progress(50, enabled=False) as bar:
        bar.advance("serverless.yml")
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")


def test_progress_plain_line_counts_and_clears() -> None:
    stream = io.StringIO()
    bar = progress.Progress(2, enabled=True, stream=stream, plain=True)
    bar.advance("a.yml")
    bar.advance("b.yml")
    bar.close()
    bar.close()
    frames = stream.getvalue().split("\r")
    assert [f.rstrip() for f in frames[1:3]] == ["scanning 1/2 a.yml", "scanning 2/2 b.yml"]
    assert frames[-1] == "" and frames[-2].strip() == ""  # the line is blanked at the end


def test_progress_rich_writes_only_to_its_stream(capsys: pytest.CaptureFixture[str]) -> None:
    stream = io.StringIO()
    with progress.Progress(3, enabled=True, stream=stream) as bar:
        bar.advance("a.yml")
    assert capsys.readouterr().out == ""


def test_progress_wanted() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert progress.wanted(21, quiet=False, stream=Tty())
    assert not progress.wanted(20, quiet=False, stream=Tty())
    assert not progress.wanted(21, quiet=True, stream=Tty())
    assert not progress.wanted(21, quiet=False, stream=io.StringIO())


# --- helpers ----------------------------------------------------------------------------


def _strip_ansi(s: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", s)
