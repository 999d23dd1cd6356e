"""Taint through calls into the project's own modules: a handler passes the event to helpers
it imports (Python `from lib.db import run_query`, JavaScript `require("./lib/db")`), and the
finding is reported at the sink, in the helper's file and line, with a flow across files.

The fixture projects mark expected findings like the rule fixtures (`# expect: RULE`,
`// expect: RULE`), in whichever file the sink is."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from slsguard.cli import main
from slsguard.code.analyze import analyze_python
from slsguard.code.handler_files import HandlerSource, lexical
from slsguard.code.project import MAX_MODULES, project_files
from slsguard.code.rules import CODE_RULES_BY_ID

PROJECTS = Path(__file__).parent / "fixtures" / "code" / "projects"
_EXPECT = re.compile(r"(?:#|//)\s*expect:\s*([A-Z0-9, ]+)")
SUFFIXES = (".py", ".js", ".ts")


def _expected(root: Path) -> set[tuple[str, str, int]]:
    out: set[tuple[str, str, int]] = set()
    for path in sorted(p for p in root.rglob("*") if p.suffix in SUFFIXES):
        rel = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = _EXPECT.search(line)
            if match:
                out.update((rule.strip(), rel, number) for rule in match.group(1).split(","))
    return out


def _scan(capsys: pytest.CaptureFixture[str], root: Path, fmt: str = "json") -> dict:  # type: ignore[type-arg]
    main(["scan", str(root), "--format", fmt])
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _code_findings(report: dict) -> list[dict]:  # type: ignore[type-arg]
    return [f for f in report["findings"] if f["rule_id"] in CODE_RULES_BY_ID]


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_sinks_in_imported_modules_are_reported_in_their_file(
    language: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = PROJECTS / language
    found = _code_findings(_scan(capsys, root))
    assert {(f["rule_id"], f["file"], f["line"]) for f in found} == _expected(root)


def test_python_project_exact_findings_and_suppression(
    capsys: pytest.CaptureFixture[str],
) -> None:
    found = _code_findings(_scan(capsys, PROJECTS / "python"))
    rows = {(f["rule_id"], f["file"], f["line"], f["suppressed"] is not None) for f in found}
    assert rows == {
        ("SLS0103", "lib/db.py", 7, False),  # run_query(body["name"])
        ("SLS0103", "lib/db.py", 12, False),  # Repo().save(body["id"])
        ("SLS0101", "lib/shell.py", 8, True),  # slsguard: ignore in lib/shell.py
        ("SLS0101", "lib/shell.py", 9, False),  # through lib/quote.py (relative import)
        ("SLS0507", "utils.py", 20, False),  # a secret another helper returned
    }


def test_javascript_project_exact_findings_and_suppression(
    capsys: pytest.CaptureFixture[str],
) -> None:
    found = _code_findings(_scan(capsys, PROJECTS / "javascript"))
    rows = {(f["rule_id"], f["file"], f["line"], f["suppressed"] is not None) for f in found}
    assert rows == {
        ("SLS0103", "src/lib/db.js", 6, False),  # destructured require, and an ESM import
        ("SLS0101", "src/lib/shell.js", 6, False),  # namespace import / module object
        ("SLS0105", "src/lib/convert.js", 6, True),  # module.exports = (file) => ...
        ("SLS0104", "src/lib/repo.js", 8, False),  # new Repo().remove(...)
        ("SLS0101", "src/lib/render.ts", 9, False),  # TypeScript default export, `./x.js`
    }
    render = [f for f in found if f["file"] == "src/lib/render.ts"]
    assert render[0]["message"].startswith("event.name reaches child_process.execFileSync")
    assert "(function esm," in render[0]["message"]


def test_the_flow_crosses_files(capsys: pytest.CaptureFixture[str]) -> None:
    sarif = _scan(capsys, PROJECTS / "python", "sarif")
    [result] = [
        r
        for r in sarif["runs"][0]["results"]
        if r["ruleId"] == "SLS0101"
        and r["locations"][0]["physicalLocation"]["region"]["startLine"] == 9
    ]
    steps = [
        (
            loc["location"]["physicalLocation"]["artifactLocation"]["uri"],
            loc["location"]["physicalLocation"]["region"]["startLine"],
            loc["location"]["message"]["text"],
        )
        for loc in result["codeFlows"][0]["threadFlows"][0]["locations"]
    ]
    assert steps == [
        ("handler.py", 10, "event.body"),
        ("handler.py", 10, "assigned to body"),
        ("handler.py", 12, "passed to convert() as path"),
        ("lib/shell.py", 6, "parameter path"),
        ("lib/shell.py", 9, "passed to wrap() as text"),
        ("lib/quote.py", 1, "parameter text"),
        ("lib/quote.py", 2, "returned"),
        ("lib/shell.py", 9, "os.system: command injection"),
    ]


def _handler(root: Path, text: str) -> HandlerSource:
    path = lexical(root / "handler.py")
    path.write_text(text)
    return HandlerSource("f", "python", path, "handler.py", "handler", text, code_root=root)


def test_a_module_that_does_not_parse_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def run(cmd:\n")
    (tmp_path / "good.py").write_text("import os\ndef run(cmd):\n    os.system(cmd)\n")
    source = _handler(
        tmp_path,
        "import broken, good\ndef handler(event, context):\n"
        "    broken.run(event['a'])\n    good.run(event['b'])\n",
    )
    project = project_files(source, tmp_path)
    findings = analyze_python(source.text, "handler.py", "handler", project=project)
    assert [(f.rule_id, f.file, f.line) for f in findings] == [("SLS0101", "good.py", 3)]


def test_recursion_between_modules_ends(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "import os\nimport b\ndef run(x):\n    b.run(x)\n    os.system(x)\n"
    )
    (tmp_path / "b.py").write_text("import a\ndef run(x):\n    return a.run(x)\n")
    source = _handler(tmp_path, "import b\ndef handler(event, context):\n    b.run(event['k'])\n")
    project = project_files(source, tmp_path)
    findings = analyze_python(source.text, "handler.py", "handler", project=project)
    assert [(f.rule_id, f.file, f.line) for f in findings] == [("SLS0101", "a.py", 5)]


def test_modules_are_bounded(tmp_path: Path) -> None:
    names = [f"m{i}" for i in range(MAX_MODULES + 5)]
    for i, name in enumerate(names):
        nxt = names[(i + 1) % len(names)]
        (tmp_path / f"{name}.py").write_text(
            f"import os\nimport {nxt}\ndef run(x):\n    os.system(x)\n    {nxt}.run(x)\n"
        )
    imports = "\n".join(f"import {n}" for n in names)
    calls = "\n".join(f"    {n}.run(event['k'])" for n in names)
    source = _handler(tmp_path, f"{imports}\ndef handler(event, context):\n{calls}\n")
    project = project_files(source, tmp_path)
    assert project is not None and len(project.modules) == MAX_MODULES
    findings = analyze_python(source.text, "handler.py", "handler", project=project)
    files = {f.file for f in findings}
    assert files == {f"{n}.py" for n in names[:MAX_MODULES]}
    assert {(f.rule_id, f.line) for f in findings} == {("SLS0101", 4)}


def test_a_local_variable_named_like_a_module_is_not_the_module(tmp_path: Path) -> None:
    (tmp_path / "db.py").write_text("import os\ndef run(x):\n    os.system(x)\n")
    source = _handler(
        tmp_path,
        "import db as database\n"
        "def handler(event, context):\n"
        "    db = make()\n"
        "    db.run(event['a'])\n"
        "    database.run(event['b'])\n",
    )
    project = project_files(source, tmp_path)
    findings = analyze_python(source.text, "handler.py", "handler", project=project)
    assert [(f.rule_id, f.file, f.line) for f in findings] == [("SLS0101", "db.py", 3)]
    assert findings[0].message.startswith("event.b reaches os.system")


def test_scan_of_a_copied_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same project elsewhere: paths are relative to the scan root, not to the tests."""
    shutil.copytree(PROJECTS / "javascript", tmp_path / "app")
    found = _code_findings(_scan(capsys, tmp_path))
    assert {(f["rule_id"], f["file"], f["line"]) for f in found} == {
        (rule, f"app/{file}", line) for rule, file, line in _expected(PROJECTS / "javascript")
    }
