"""Hostile inputs through the real CLI entry point.

Every case scans a project that holds the hostile file next to one ordinary SAM template
with two known findings, and checks four things: the exact one-line diagnostic for the
hostile file, the ordinary file's findings, the exit code (1 when the hostile file was
found in a directory, 2 when it was named on the command line) and, for the inputs that
could crash or exhaust the interpreter, a separate process under a memory limit and a
timeout so that a segfault, a hang or a memory blow-up fails the test.

`--fail-on critical` keeps the ordinary findings (high and medium) out of the exit code,
so 1 or 2 can only come from the hostile file; test_ordinary_project_alone is the control.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from slsguard.cli import main
from slsguard.discovery import UNEVALUATED_CONFIGS

ORDINARY = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
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
# SLS0801 at the Timeout line, SLS0201 at the `Get:` line.
ORDINARY_FINDINGS = [("SLS0801", "app.yaml", 9), ("SLS0201", "app.yaml", 11)]

CFN_HEADER = "AWSTemplateFormatVersion: '2010-09-09'\n"
MEMORY_LIMIT = 1024**3  # RLIMIT_AS for the subprocess runs: a blow-up fails, not swaps
TIMEOUT_S = 60

# How the hostile file reaches the scanner, and the exit code that must result.
DISCOVERED, EXPLICIT = "discovered", "explicit"
EXIT_FOR = {DISCOVERED: 1, EXPLICIT: 2}
MODES = pytest.mark.parametrize("mode", [DISCOVERED, EXPLICIT])
RUNNERS = pytest.mark.parametrize("runner", ["in-process", "subprocess"])

# A handler module that leaves a marker behind if anything imports or runs it.
PLANTED_SERVERLESS = """\
service: planted
provider:
  name: aws
  runtime: python3.12
functions:
  hello:
    handler: handler.hello
    events:
      - http: {path: /hi, method: get}
"""
PLANTED_FINDING = ("SLS0201", "serverless.yml", 9)


@dataclass
class Outcome:
    code: int
    report: dict[str, Any]
    stdout: str
    stderr: str

    @property
    def findings(self) -> list[tuple[str, str, int]]:
        return [(f["rule_id"], f["file"], f["line"]) for f in self.report["findings"]]

    @property
    def diagnostics(self) -> list[dict[str, Any]]:
        return list(self.report["diagnostics"])

    def diagnostics_for(self, file: str) -> list[dict[str, Any]]:
        return [d for d in self.diagnostics if d["file"] == file]


# The ordinary template's findings are pinned to the two rules it was written for, so that
# new rules elsewhere in the catalogue do not change what these tests are about.
ORDINARY_RULES = ("--select", "SLS0201", "--select", "SLS0801")


def make_project(tmp_path: Path, files: dict[str, str | bytes], name: str = "proj") -> Path:
    """tmp_path/name with app.yaml (the ordinary template) and `files`."""
    project = tmp_path / name
    project.mkdir()
    (project / "app.yaml").write_text(ORDINARY, "utf-8")
    for rel, content in files.items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")
    return project


def scan_paths(project: Path, hostile: str, mode: str) -> list[str]:
    if mode == DISCOVERED:
        return [str(project)]
    return [str(project / hostile), str(project / "app.yaml")]


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_subprocess(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "slsguard.cli", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        cwd=cwd,
        env=env,
        preexec_fn=_limit_memory,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode >= 0, f"killed by signal {-proc.returncode}: {proc.stderr}"
    return proc


def scan(
    paths: list[str],
    *extra: str,
    capsys: pytest.CaptureFixture[str],
    runner: str = "in-process",
    cwd: Path | None = None,
) -> Outcome:
    """`slsguard scan PATHS --format json --fail-on critical EXTRA` and its parsed report."""
    args = ["scan", *paths, "--format", "json", "--fail-on", "critical", *ORDINARY_RULES, *extra]
    if runner == "subprocess":
        proc = run_subprocess(args, cwd or Path(paths[0]).parent)
        code, out, err = proc.returncode, proc.stdout, proc.stderr
    else:
        capsys.readouterr()
        code = main(args)
        captured = capsys.readouterr()
        out, err = captured.out, captured.err
    return Outcome(code, json.loads(out), out, err)


def error(file: str, reason: str) -> dict[str, Any]:
    return {"file": file, "line": None, "level": "error", "reason": reason}


def warning(file: str, line: int | None, reason: str) -> dict[str, Any]:
    return {"file": file, "line": line, "level": "warning", "reason": reason}


def assert_one_error(outcome: Outcome, file: str, reason: str, mode: str) -> None:
    """The hostile file's single diagnostic, on stderr as one line, the ordinary findings
    intact, and the exit code for the mode."""
    assert outcome.diagnostics == [error(file, reason)]
    assert f"slsguard: {file}: error: {reason}" in outcome.stderr.splitlines()
    assert outcome.findings == ORDINARY_FINDINGS
    assert outcome.report["summary"]["files_scanned"] == 1
    assert outcome.code == EXIT_FOR[mode]


# --- control ---------------------------------------------------------------------------------


def test_ordinary_project_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project(tmp_path, {})
    outcome = scan([str(project)], capsys=capsys)
    assert outcome.findings == ORDINARY_FINDINGS
    assert outcome.diagnostics == []
    assert outcome.stderr == ""
    assert outcome.code == 0


# --- 1. YAML alias bomb ----------------------------------------------------------------------


def _alias_bomb() -> str:
    """Billion laughs: 9 levels of 9 aliases each, 9**9 leaves if expanded."""
    lines = [CFN_HEADER.rstrip("\n"), "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 9):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{refs}]")
    lines.append("Resources: *l8")
    return "\n".join(lines) + "\n"


@MODES
@RUNNERS
def test_alias_bomb(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str, runner: str
) -> None:
    project = make_project(tmp_path, {"template.yaml": _alias_bomb()})
    outcome = scan(scan_paths(project, "template.yaml", mode), capsys=capsys, runner=runner)
    reason = "line 7: aliases expand to more than 200000 nodes (YAML alias bomb?)"
    assert "alias" in reason
    assert_one_error(outcome, "template.yaml", reason, mode)


# --- 2. deep nesting ---------------------------------------------------------------------------


@MODES
@RUNNERS
def test_deep_flow_nesting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str, runner: str
) -> None:
    """100,000 `[`: libyaml stops at its own limit (1000 levels) before building anything."""
    hostile = CFN_HEADER + "Resources: " + "[" * 100_000 + "\n"
    project = make_project(tmp_path, {"template.yaml": hostile})
    outcome = scan(scan_paths(project, "template.yaml", mode), capsys=capsys, runner=runner)
    reason = "invalid YAML: line 2, column 1011: exceeded maximum nesting depth"
    assert_one_error(outcome, "template.yaml", reason, mode)


@MODES
@RUNNERS
def test_deep_block_nesting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str, runner: str
) -> None:
    """300 nested block mappings: our MAX_DEPTH (200) stops it at line 202."""
    nested = "".join("  " * (level + 1) + f"k{level}:\n" for level in range(300))
    hostile = CFN_HEADER + "Resources:\n" + nested + "  " * 301 + "leaf: 1\n"
    project = make_project(tmp_path, {"template.yaml": hostile})
    outcome = scan(scan_paths(project, "template.yaml", mode), capsys=capsys, runner=runner)
    assert_one_error(outcome, "template.yaml", "line 202: nesting deeper than 200 levels", mode)


# --- 3. size limit -------------------------------------------------------------------------------


def _oversized_template() -> str:
    text = CFN_HEADER + "Description: " + "x" * 2048 + "\n"
    assert len(text.encode()) > 2048
    return text


@MODES
def test_file_over_size_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    project = make_project(tmp_path, {"template.yaml": _oversized_template()})
    paths = scan_paths(project, "template.yaml", mode)
    outcome = scan(paths, "--max-file-size", "1k", capsys=capsys)
    [diag] = outcome.diagnostics_for("template.yaml")
    assert diag["level"] == "error"
    assert "over the" in diag["reason"]
    assert diag["reason"].endswith(" limit (--max-file-size)")
    assert_one_error(outcome, "template.yaml", diag["reason"], mode)


def test_size_limit_reason_states_the_real_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path, {"template.yaml": _oversized_template()})
    outcome = scan([str(project)], "--max-file-size", "1k", capsys=capsys)
    [diag] = outcome.diagnostics_for("template.yaml")
    assert not re.search(r"\b0(\.0)? MB\b", diag["reason"]), diag["reason"]
    assert re.search(r"\b(1024 bytes|1(\.0)? ?(KB|KiB|k))\b", diag["reason"]), diag["reason"]


# --- 4. binary -----------------------------------------------------------------------------------


@MODES
def test_binary_template(tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str) -> None:
    hostile = CFN_HEADER.encode() + b"Resources:\x00\x01\x02\xff\x00\n"
    project = make_project(tmp_path, {"template.yaml": hostile})
    outcome = scan(scan_paths(project, "template.yaml", mode), capsys=capsys)
    assert_one_error(outcome, "template.yaml", "binary file (contains NUL bytes)", mode)


# --- 5. not UTF-8 ----------------------------------------------------------------------------


@MODES
def test_latin1_template(tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str) -> None:
    hostile = CFN_HEADER.encode() + "Description: café\n".encode("latin-1")
    project = make_project(tmp_path, {"template.yaml": hostile})
    outcome = scan(scan_paths(project, "template.yaml", mode), capsys=capsys)
    offset = hostile.index(b"\xe9")
    reason = f"not UTF-8 text (invalid byte at offset {offset})"
    assert "UTF-8" in reason
    assert_one_error(outcome, "template.yaml", reason, mode)


# --- 6. symlink loops ------------------------------------------------------------------------


def test_directory_symlink_loop_scan_finishes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """sub/loop -> .. points back at the project root: never followed, noted as a loop."""
    project = make_project(tmp_path, {"sub/readme.txt": "hi\n"})
    (project / "sub" / "loop").symlink_to("..", target_is_directory=True)
    outcome = scan([str(project)], capsys=capsys, runner="subprocess")
    [diag] = outcome.diagnostics
    assert (diag["level"], diag["reason"]) == (
        "note",
        "symlink loop (points at its own ancestor); not followed",
    )
    assert outcome.findings == ORDINARY_FINDINGS
    assert outcome.report["summary"]["files_scanned"] == 1
    assert outcome.code == 0


def test_directory_symlink_loop_diagnostic_names_the_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path, {"sub/readme.txt": "hi\n"})
    (project / "sub" / "loop").symlink_to("..", target_is_directory=True)
    outcome = scan([str(project)], capsys=capsys)
    assert outcome.diagnostics == [
        {
            "file": "sub/loop",
            "line": None,
            "level": "note",
            "reason": "symlink loop (points at its own ancestor); not followed",
        }
    ]


def test_root_symlink_to_parent_scan_finishes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ln -s .. loop` at the project root leaves the project: a note, not followed."""
    project = make_project(tmp_path, {})
    (project / "loop").symlink_to("..", target_is_directory=True)
    outcome = scan([str(project)], capsys=capsys, runner="subprocess")
    [diag] = outcome.diagnostics
    assert (diag["level"], diag["reason"]) == (
        "note",
        "symlinked directory (outside the project) not followed",
    )
    assert outcome.findings == ORDINARY_FINDINGS
    assert outcome.code == 0


def test_root_symlink_to_parent_note_names_the_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path, {})
    (project / "loop").symlink_to("..", target_is_directory=True)
    outcome = scan([str(project)], capsys=capsys)
    assert outcome.diagnostics == [
        {
            "file": "loop",
            "line": None,
            "level": "note",
            "reason": "symlinked directory (outside the project) not followed",
        }
    ]
    assert str(tmp_path) not in outcome.stdout


@RUNNERS
def test_file_symlink_loop(tmp_path: Path, capsys: pytest.CaptureFixture[str], runner: str) -> None:
    project = make_project(tmp_path, {})
    (project / "a.yaml").symlink_to("b.yaml")
    (project / "b.yaml").symlink_to("a.yaml")
    outcome = scan([str(project)], capsys=capsys, runner=runner)
    assert [(d["file"], d["level"]) for d in outcome.diagnostics] == [
        ("a.yaml", "error"),
        ("b.yaml", "error"),
    ]
    assert all(d["reason"].startswith("symlink loop") for d in outcome.diagnostics)
    for name in ("a.yaml", "b.yaml"):
        assert any(
            line.startswith(f"slsguard: {name}: error: symlink loop")
            for line in outcome.stderr.splitlines()
        )
    assert outcome.findings == ORDINARY_FINDINGS
    assert outcome.code == 1


def test_file_symlink_loop_named_explicitly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A looping path on the command line does not exist: a usage error before scanning."""
    project = make_project(tmp_path, {})
    (project / "a.yaml").symlink_to("b.yaml")
    (project / "b.yaml").symlink_to("a.yaml")
    capsys.readouterr()
    code = main(["scan", str(project / "a.yaml"), "--format", "json"])
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"slsguard: error: no such file or directory: {project / 'a.yaml'}\n"
    assert code == 2


# --- a FIFO where a template is expected ---------------------------------------------------


@MODES
def test_fifo_named_template(tmp_path: Path, mode: str) -> None:
    """Subprocess only: in-process, the hang would stall the whole test run."""
    project = make_project(tmp_path, {})
    os.mkfifo(project / "template.yaml")
    paths = scan_paths(project, "template.yaml", mode)
    proc = run_subprocess(
        ["scan", *paths, "--format", "json", "--fail-on", "critical", *ORDINARY_RULES], tmp_path
    )
    outcome = Outcome(proc.returncode, json.loads(proc.stdout), proc.stdout, proc.stderr)
    [diag] = outcome.diagnostics
    assert (diag["file"], diag["level"]) == ("template.yaml", "error")
    assert "not a regular file" in diag["reason"]
    assert outcome.findings == ORDINARY_FINDINGS
    assert outcome.code == EXIT_FOR[mode]


# --- 7. broken YAML in serverless.yml ------------------------------------------------------


BROKEN_SERVERLESS = """\
service: broken
provider:
  name: aws
  tags: [a, b
functions: {}
"""


@MODES
def test_broken_serverless_yml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    project = make_project(tmp_path, {"serverless.yml": BROKEN_SERVERLESS})
    outcome = scan(scan_paths(project, "serverless.yml", mode), capsys=capsys)
    reason = "invalid YAML: line 5, column 10: did not find expected ',' or ']'"
    assert reason.startswith("invalid YAML: line ")
    assert_one_error(outcome, "serverless.yml", reason, mode)


BROKEN_INCLUDES_SERVERLESS = """\
service: includes
provider:
  name: aws
custom:
  a: ${file(./a.yml)}
  b: ${file(./b.yml)}
"""


def test_two_broken_includes_each_get_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = "x: [1, 2\ny: 3\n"
    files = {"serverless.yml": BROKEN_INCLUDES_SERVERLESS, "a.yml": broken, "b.yml": broken}
    project = make_project(tmp_path, files)
    outcome = scan([str(project)], capsys=capsys)
    problem = "invalid YAML: line 2, column 2: did not find expected ',' or ']'"
    assert outcome.diagnostics == [
        warning("serverless.yml", 5, f"${{file(./a.yml)}}: a.yml: {problem}"),
        warning("serverless.yml", 6, f"${{file(./b.yml)}}: b.yml: {problem}"),
    ]
    assert outcome.findings == ORDINARY_FINDINGS
    assert outcome.code == 0


# --- 8. ${file(...)} outside the project ------------------------------------------------------


CANARY = "CANARY-7f3a9c-outside-the-project"


def _outside_files(tmp_path: Path) -> Path:
    """tmp_path/etc/passwd, reached from tmp_path/ws/proj by ../../etc/passwd."""
    passwd = tmp_path / "etc" / "passwd"
    passwd.parent.mkdir()
    passwd.write_text(f"root:x:0:0:{CANARY}:/root:/bin/bash\n", "utf-8")
    return passwd


def _assert_no_canary(outcome: Outcome) -> None:
    assert CANARY not in outcome.stdout
    assert CANARY not in outcome.stderr
    hostname = Path("/etc/hostname")
    if hostname.is_file():
        name = hostname.read_text("utf-8", "replace").strip()
        if len(name) >= 8:  # short names could occur in the report by chance
            assert name not in outcome.stdout
            assert name not in outcome.stderr


ESCAPING_SERVERLESS = """\
service: escape
provider:
  name: aws
  runtime: python3.12
  environment:
    PASSWD: ${file(../../etc/passwd)}
    HOST: ${file(/etc/hostname)}
functions:
  hello:
    handler: handler.hello
    description: ${file(../../etc/passwd)}
"""


@RUNNERS
def test_file_variable_outside_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], runner: str
) -> None:
    _outside_files(tmp_path)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    project = make_project(workspace, {"serverless.yml": ESCAPING_SERVERLESS})
    assert (project / "../../etc/passwd").resolve() == tmp_path / "etc" / "passwd"
    outcome = scan([str(project)], capsys=capsys, runner=runner)
    _assert_no_canary(outcome)
    # One warning per distinct reference, at its first line (line 11 repeats line 6).
    expected = [
        warning("serverless.yml", 6, "${file(../../etc/passwd)} points outside the project"),
        warning("serverless.yml", 7, "${file(/etc/hostname)} points outside the project"),
    ]
    assert outcome.diagnostics == expected
    for diag in expected:
        line = f"slsguard: serverless.yml:{diag['line']}: warning: {diag['reason']}"
        assert line in outcome.stderr.splitlines()
    assert outcome.findings == ORDINARY_FINDINGS
    assert outcome.report["summary"]["files_scanned"] == 2
    assert outcome.code == 0


SYMLINK_ESCAPE_SERVERLESS = """\
service: escape
provider:
  name: aws
  runtime: python3.12
  environment:
    PASSWD: ${file(./inc/passwd.yml)}
functions:
  hello:
    handler: handler.hello
"""


def test_file_variable_through_symlink_outside_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A path inside the project whose symlink leads out is still outside the project."""
    passwd = _outside_files(tmp_path)
    project = make_project(tmp_path, {"serverless.yml": SYMLINK_ESCAPE_SERVERLESS})
    (project / "inc").mkdir()
    (project / "inc" / "passwd.yml").symlink_to(passwd)
    outcome = scan([str(project)], capsys=capsys)
    _assert_no_canary(outcome)
    assert outcome.diagnostics_for("serverless.yml") == [
        warning("serverless.yml", 6, "${file(./inc/passwd.yml)} points outside the project")
    ]
    # Discovery reports the link itself too (under which name: see the xfail below).
    [link] = [d for d in outcome.diagnostics if d["file"] != "serverless.yml"]
    assert (link["level"], link["reason"]) == (
        "warning",
        "symlink points outside the project; not followed",
    )
    assert outcome.findings == ORDINARY_FINDINGS
    assert outcome.code == 0


def test_file_symlink_outside_project_warning_names_the_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    passwd = _outside_files(tmp_path)
    project = make_project(tmp_path, {})
    (project / "inc").mkdir()
    (project / "inc" / "passwd.yml").symlink_to(passwd)
    outcome = scan([str(project)], capsys=capsys)
    assert outcome.diagnostics == [
        warning("inc/passwd.yml", None, "symlink points outside the project; not followed")
    ]
    assert str(tmp_path) not in outcome.stdout + outcome.stderr


# --- 9. recursive variables ------------------------------------------------------------------


CYCLIC_SERVERLESS = """\
service: cyclic
provider:
  name: aws
  runtime: python3.12
  environment:
    A: ${self:custom.a}
custom:
  a: ${self:custom.b}
  b: ${self:custom.a}
functions:
  hello:
    handler: handler.hello
"""


@RUNNERS
def test_recursive_self_variables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], runner: str
) -> None:
    project = make_project(tmp_path, {"serverless.yml": CYCLIC_SERVERLESS})
    outcome = scan([str(project)], capsys=capsys, runner=runner)
    # Reported where the loop closes (line 9, custom.b) naming the node it reenters.
    reason = "${self:custom.a} refers back to custom.a (circular reference)"
    assert outcome.diagnostics == [warning("serverless.yml", 9, reason)]
    assert f"slsguard: serverless.yml:9: warning: {reason}" in outcome.stderr.splitlines()
    assert outcome.findings == ORDINARY_FINDINGS
    assert outcome.report["summary"]["files_scanned"] == 2
    assert outcome.code == 0


INCLUDING_SERVERLESS = """\
service: including
provider:
  name: aws
  runtime: python3.12
custom: ${file(./custom.yml)}
functions:
  hello:
    handler: handler.hello
"""


@RUNNERS
def test_recursive_file_include(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], runner: str
) -> None:
    """custom.yml includes itself: the include chain stops, with a warning."""
    files = {
        "serverless.yml": INCLUDING_SERVERLESS,
        "custom.yml": "inner: ${file(./custom.yml)}\n",
    }
    project = make_project(tmp_path, files)
    outcome = scan([str(project)], capsys=capsys, runner=runner)
    reason = (
        "custom.yml:inner: ${file(./custom.yml)} refers back to custom.yml:(document root) "
        "(circular reference)"
    )
    # Reported at the line of serverless.yml that included custom.yml.
    assert outcome.diagnostics == [warning("serverless.yml", 5, reason)]
    assert outcome.findings == ORDINARY_FINDINGS
    assert outcome.code == 0


def _doubling_serverless(levels: int) -> str:
    """v{n} is v{n-1} twice: 2**levels characters if expanded naively."""
    custom = ["custom:", "  v0: ab"]
    custom += [f"  v{n}: ${{self:custom.v{n - 1}}}${{self:custom.v{n - 1}}}" for n in range(1, 41)]
    head = [
        "service: doubling",
        "provider:",
        "  name: aws",
        "  runtime: python3.12",
        "  environment:",
        f"    BIG: ${{self:custom.v{levels}}}",
    ]
    tail = ["functions:", "  hello:", "    handler: handler.hello"]
    return "\n".join([*head, *custom[: levels + 2], *tail]) + "\n"


def test_variable_expansion_bomb(tmp_path: Path) -> None:
    """40 doublings would be a terabyte string; the scan must finish under 1 GiB."""
    project = make_project(tmp_path, {"serverless.yml": _doubling_serverless(40)})
    args = ["scan", str(project), "--format", "json", "--fail-on", "critical", *ORDINARY_RULES]
    proc = run_subprocess(args, tmp_path)
    assert len(proc.stdout) < 1_000_000
    report = json.loads(proc.stdout)
    outcome = Outcome(proc.returncode, report, proc.stdout, proc.stderr)
    assert outcome.findings == ORDINARY_FINDINGS
    # v19 is the first value over 1,000,000 characters (2**20); it stops there, at line 27.
    reason = "${self:custom.v18}${self:custom.v18} expands past 1000000 characters"
    assert outcome.diagnostics == [warning("serverless.yml", 27, reason)]
    assert outcome.code == 0


# --- 10. planted handler code ------------------------------------------------------------------


def _planted_project(tmp_path: Path) -> tuple[Path, Path]:
    marker = tmp_path / "EXECUTED"
    py = f"from pathlib import Path\nPath({str(marker)!r}).write_text('handler.py')\n"
    py += "def hello(event, context):\n    return {}\n"
    js = f"require('fs').writeFileSync({json.dumps(str(marker))}, 'handler.js');\n"
    js += "module.exports.hello = async () => ({});\n"
    config_js = f"require('fs').writeFileSync({json.dumps(str(marker))}, 'serverless.js');\n"
    config_js += "module.exports = {service: 'planted'};\n"
    files = {
        "serverless.yml": PLANTED_SERVERLESS,
        "handler.py": py,
        "handler.js": js,
        "serverless.js": config_js,
    }
    return make_project(tmp_path, files), marker


@RUNNERS
def test_planted_handler_is_never_executed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], runner: str
) -> None:
    project, marker = _planted_project(tmp_path)
    before = _snapshot(project)
    outcome = scan([str(project)], capsys=capsys, runner=runner)
    assert not marker.exists()
    loaded = [str(getattr(m, "__file__", None) or "") for m in list(sys.modules.values())]
    assert not [f for f in loaded if f.startswith(str(tmp_path))]
    assert _snapshot(project) == before  # no __pycache__, nothing rewritten
    assert sorted(outcome.findings) == sorted([*ORDINARY_FINDINGS, PLANTED_FINDING])
    reason = f"not scanned: {UNEVALUATED_CONFIGS['serverless.js']}"
    assert "JavaScript" in reason
    assert outcome.diagnostics == [
        {"file": "serverless.js", "line": None, "level": "note", "reason": reason}
    ]
    assert outcome.code == 0


# --- 11. nothing written but the requested output ---------------------------------------------


def _snapshot(top: Path) -> dict[str, bytes | str | None]:
    """Every entry under top: file bytes, symlink target, or None for a directory."""
    entries: dict[str, bytes | str | None] = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            rel = path.relative_to(top).as_posix()
            if path.is_symlink():
                entries[rel] = f"-> {os.readlink(path)}"
            elif path.is_dir():
                entries[rel] = None
            else:
                entries[rel] = path.read_bytes()
    return entries


INCLUDE_SERVERLESS = """\
service: quiet
provider:
  name: aws
  runtime: python3.12
  environment: ${file(./env.yml)}
functions:
  hello:
    handler: handler.hello
    events:
      - http: {path: /hi, method: get}
"""


@RUNNERS
def test_only_the_requested_output_is_written(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    runner: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = make_project(
        tmp_path,
        {
            "serverless.yml": INCLUDE_SERVERLESS,
            "env.yml": "STAGE: dev\n",
            "handler.py": "def hello(event, context):\n    return {}\n",
            "sub/template.json": json.dumps({"AWSTemplateFormatVersion": "2010-09-09"}),
        },
    )
    for name in ("home", "cache", "tmp"):
        (tmp_path / name).mkdir()
    monkeypatch.chdir(tmp_path)
    before, project_before = _snapshot(tmp_path), _snapshot(project)
    args = [
        "scan",
        project.name,
        "--format",
        "sarif",
        "-o",
        "report.sarif",
        "--fail-on",
        "critical",
        *ORDINARY_RULES,
    ]
    if runner == "subprocess":
        env = {
            **os.environ,
            "HOME": str(tmp_path / "home"),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "TMPDIR": str(tmp_path / "tmp"),
        }
        proc = run_subprocess(args, tmp_path, env)
        code, out = proc.returncode, proc.stdout
    else:
        capsys.readouterr()
        code = main(args)
        out = capsys.readouterr().out
    after = _snapshot(tmp_path)
    assert out == ""
    assert set(after) - set(before) == {"report.sarif"}
    assert {rel: after[rel] for rel in before} == before
    assert _snapshot(project) == project_before  # byte-identical, nothing added
    sarif = json.loads((tmp_path / "report.sarif").read_text("utf-8"))
    results = sarif["runs"][0]["results"]
    located = sorted(
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
    )
    assert located == sorted([*ORDINARY_FINDINGS, ("SLS0201", "serverless.yml", 10)])
    assert code == 0


# --- 12. serverless.ts -------------------------------------------------------------------------


def test_serverless_ts_is_noted_not_scanned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path, {"serverless.ts": "export default { service: 'x' };\n"})
    outcome = scan([str(project)], capsys=capsys)
    reason = f"not scanned: {UNEVALUATED_CONFIGS['serverless.ts']}"
    assert "TypeScript" in reason
    assert "never runs" in reason
    assert outcome.diagnostics == [
        {"file": "serverless.ts", "line": None, "level": "note", "reason": reason}
    ]
    assert outcome.findings == ORDINARY_FINDINGS
    assert outcome.stderr == ""  # notes stay in the report
    assert outcome.code == 0
    # The note is in the text report too, as one line.
    capsys.readouterr()
    main(["scan", str(project), "--no-color", "--fail-on", "critical"])
    assert f"serverless.ts: note: {reason}" in capsys.readouterr().out.splitlines()
