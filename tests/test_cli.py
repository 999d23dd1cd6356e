"""The command line end to end: exit codes, selection, suppressions, config, baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slsguard.cli import main

SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicRead
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Timeout: 60
      Events:
        Get:
          Type: Api
          Properties: {Path: /x, Method: get}
"""


def project(tmp_path: Path, text: str = SAM, name: str = "template.yaml") -> Path:
    (tmp_path / name).write_text(text)
    return tmp_path


# The sample's findings are pinned to the rules it was written for (unless a test selects),
# so that new rules elsewhere in the catalogue do not change what these tests are about.
SAMPLE_RULES = ("--select", "SLS0201", "--select", "SLS0301", "--select", "SLS0801")


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    pinned = () if "--select" in args else SAMPLE_RULES
    code = main(["scan", "--format", "json", *pinned, *args])
    return code, json.loads(capsys.readouterr().out)


def found(report: dict, suppressed: bool = False) -> list[tuple[str, int]]:  # type: ignore[type-arg]
    return [
        (f["rule_id"], f["line"])
        for f in report["findings"]
        if (f["suppressed"] is not None) == suppressed
    ]


def test_findings_at_or_above_threshold_exit_1(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, report = run_json(capsys, str(project(tmp_path)))
    assert code == 1
    assert found(report) == [("SLS0301", 7), ("SLS0801", 13), ("SLS0201", 15)]


def test_fail_on_above_every_finding_exits_0(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _ = run_json(capsys, str(project(tmp_path)), "--fail-on", "critical")
    assert code == 0


def test_clean_project_exits_0(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    text = SAM.replace("AccessControl: PublicRead", "AccessControl: Private")
    text = text.replace("Timeout: 60", "Timeout: 20").replace(
        "Path: /x, Method: get", "Path: /x, Method: get, Auth: {Authorizer: AWS_IAM}"
    )
    code, report = run_json(capsys, str(project(tmp_path, text)))
    assert (code, found(report)) == (0, [])


def test_select_and_ignore_by_id_and_category(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = str(project(tmp_path))
    _, report = run_json(capsys, root, "--select", "SAS-3")
    assert found(report) == [("SLS0304", 4), ("SLS0305", 4), ("SLS0301", 7)]
    _, report = run_json(capsys, root, "--ignore", "SLS0301", "--ignore", "sas-8")
    assert found(report) == [("SLS0201", 15)]


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "does-not-exist"],
        ["scan", ".", "--select", "SLS9999"],
        ["scan", "--format", "xml"],
        ["scan", ".", "--param", "novalue"],
    ],
)
def test_usage_errors_exit_2(args: list[str], tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        raise SystemExit(main(args))
    assert exit_info.value.code == 2


def test_explicit_unparseable_file_exits_2_discovered_one_exits_1(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    broken = project(tmp_path, "AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n", "bad.yaml")
    code, report = run_json(capsys, str(broken / "bad.yaml"))
    assert code == 2
    assert report["diagnostics"] == [
        {
            "file": "bad.yaml",
            "line": None,
            "level": "error",
            "reason": "invalid YAML: line 3, column 1: did not find expected node content",
        }
    ]
    code, _ = run_json(capsys, str(broken), "--fail-on", "critical")
    assert code == 1


def test_inline_suppression_with_reason(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    text = SAM.replace(
        "      AccessControl: PublicRead",
        "      # slsguard: ignore[SLS0301] public website assets only\n"
        "      AccessControl: PublicRead",
    )
    _, report = run_json(capsys, str(project(tmp_path, text)))
    assert found(report) == [("SLS0801", 14), ("SLS0201", 16)]
    assert found(report, suppressed=True) == [("SLS0301", 8)]
    (suppressed,) = [f for f in report["findings"] if f["suppressed"]]
    assert suppressed["suppressed"] == {"kind": "inline", "reason": "public website assets only"}
    assert report["summary"]["suppressed"] == 1


def test_inline_suppression_needs_the_matching_id(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    text = SAM.replace(
        "AccessControl: PublicRead",
        "AccessControl: PublicRead  # slsguard: ignore[SLS0401] wrong id",
    )
    _, report = run_json(capsys, str(project(tmp_path, text)))
    assert ("SLS0301", 7) in found(report)


def test_metadata_suppression_on_a_resource(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    text = SAM.replace(
        "  Site:\n    Type: AWS::S3::Bucket\n",
        "  Site:\n    Type: AWS::S3::Bucket\n"
        "    Metadata:\n      slsguard:\n        ignore: [SLS0301]\n",
    )
    _, report = run_json(capsys, str(project(tmp_path, text)))
    assert found(report, suppressed=True) == [("SLS0301", 10)]


def test_sarif_lists_suppressions(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    text = SAM.replace(
        "AccessControl: PublicRead", "AccessControl: PublicRead  # slsguard: ignore[SAS-3] ok"
    )
    main(["scan", "--format", "sarif", *SAMPLE_RULES, str(project(tmp_path, text))])
    sarif = json.loads(capsys.readouterr().out)
    results = sarif["runs"][0]["results"]
    assert [(r["ruleId"], r.get("suppressions")) for r in results] == [
        ("SLS0301", [{"kind": "inSource", "justification": "ok"}]),
        ("SLS0801", None),
        ("SLS0201", None),
    ]


def test_config_file_ignore_severity_and_per_path(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = project(tmp_path)
    (root / ".slsguard.yml").write_text(
        "ignore: [SLS0201]\nseverity: {SLS0801: critical}\n"
        "per-path-ignores: {'templ*.yaml': [SLS0301]}\n"
    )
    _, report = run_json(capsys, str(root))
    assert found(report) == [("SLS0801", 13)]
    assert report["findings"][1]["severity"] == "critical"
    assert found(report, suppressed=True) == [("SLS0301", 7)]


def test_pyproject_config(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = project(tmp_path)
    (root / "pyproject.toml").write_text(
        '[tool.slsguard]\nselect = ["SLS0801"]\nfail-on = "critical"\n'
    )
    code = main(["scan", "--format", "json", str(root)])
    report = json.loads(capsys.readouterr().out)
    assert (code, found(report)) == (0, [("SLS0801", 13)])


def test_bad_config_is_a_usage_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = project(tmp_path)
    (root / ".slsguard.yml").write_text("ignroe: [SLS0201]\n")
    assert main(["scan", str(root)]) == 2
    assert "unknown setting(s): ignroe" in capsys.readouterr().err


def test_baseline_survives_line_moves(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = project(tmp_path)
    baseline = tmp_path / "baseline.json"
    main(["scan", str(root), *SAMPLE_RULES, "--write-baseline", str(baseline), "--quiet"])
    capsys.readouterr()
    entries = json.loads(baseline.read_text())["findings"]
    assert sorted(e["rule_id"] for e in entries) == ["SLS0201", "SLS0301", "SLS0801"]
    (root / "template.yaml").write_text("# a comment\n# another\n" + SAM)
    code, report = run_json(capsys, str(root), "--baseline", str(baseline))
    assert code == 0
    assert found(report) == []
    assert found(report, suppressed=True) == [("SLS0301", 9), ("SLS0801", 15), ("SLS0201", 17)]


def test_output_file_and_text_format(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "app").mkdir()
    root = project(tmp_path / "app")
    out = tmp_path / "report.txt"
    assert main(["scan", str(root), "--output", str(out)]) == 1
    text = out.read_text()
    assert "  7:7  HIGH  SLS0301  bucket Site has AccessControl PublicRead  [SAS-3]" in text
    assert "\x1b" not in text


def test_rules_json_lists_every_rule(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["rules", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    ids = [r["id"] for r in rows]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert {"SLS0201", "SLS0301", "SLS0401", "SLS0402", "SLS0701", "SLS0801"} <= set(ids)
    assert next(r for r in rows if r["id"] == "SLS0401") == {
        "id": "SLS0401",
        "name": "iam-admin-action",
        "category": "SAS-4",
        "severity": "high",
        "title": 'IAM statement allows every action (Action: "*")',
    }


def test_stage_and_param_options_reach_the_loaders(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "serverless.yml").write_text(
        "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n"
        "  timeout: ${param:timeout, 10}\nfunctions:\n  f:\n    handler: h.f\n"
        "    events:\n      - http: GET x\n        \n"
    )
    _, report = run_json(capsys, str(tmp_path), "--select", "SLS0801")
    assert found(report) == []
    _, report = run_json(capsys, str(tmp_path), "--select", "SLS0801", "--param", "timeout=60")
    assert found(report) == [("SLS0801", 5)]


def test_min_severity_hides_lower_findings(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = str(project(tmp_path))
    _, report = run_json(capsys, root, "--min-severity", "high")
    assert found(report) == [("SLS0301", 7), ("SLS0201", 15)]
    (tmp_path / ".slsguard.yml").write_text("min-severity: critical\n")
    code, report = run_json(capsys, root)
    assert (code, found(report)) == (0, [])


def test_a_reader_that_goes_away_gets_no_traceback(tmp_path: Path) -> None:
    """`slsguard fix --least-privilege . | head -1`: the closed pipe ends the run quietly."""
    import subprocess
    import sys

    functions = "".join(
        f"  f{i}:\n    handler: h.f\n    events: [{{sqs: arn:aws:sqs:us-east-1:1:q{i}}}]\n"
        for i in range(400)  # a diff larger than a pipe's buffer (64 KiB)
    )
    (tmp_path / "serverless.yml").write_text(
        f"service: s\nprovider: {{name: aws, runtime: python3.12}}\nfunctions:\n{functions}"
    )
    (tmp_path / "h.py").write_text("def f(event, context):\n    return None\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "slsguard.cli", "fix", "--least-privilege", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert "Traceback" not in err and "BrokenPipe" not in err
