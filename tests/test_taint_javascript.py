"""The taint engine with the JavaScript/TypeScript front end and data/javascript.toml:
fixtures say which line, units say how."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from slsguard.code import tables
from slsguard.code.js_analyze import analyze_javascript, handler_function
from slsguard.code.js_frontend import parse_javascript
from slsguard.code.rules import CODE_RULES_BY_ID

FIXTURES = Path(__file__).parent / "fixtures" / "code" / "javascript"
FIXTURE_FILES = sorted(p for p in FIXTURES.glob("SLS*/*") if p.suffix in (".js", ".mjs", ".ts"))
_EXPECT = re.compile(r"//\s*expect:\s*([A-Z0-9, ]+)")
# Rules the JavaScript tables (and the shared secrets scan) implement.
JS_RULES = (
    "SLS0101", "SLS0102", "SLS0103", "SLS0104", "SLS0105", "SLS0106", "SLS0207", "SLS0506",
    "SLS0507", "SLS0703", "SLS0807", "SLS0808", "SLS0901", "SLS1001", "SLS1002",
)  # fmt: skip


def _expected(text: str) -> set[tuple[str, int]]:
    out: set[tuple[str, int]] = set()
    for number, line in enumerate(text.splitlines(), 1):
        match = _EXPECT.search(line)
        if match:
            out.update((rule.strip(), number) for rule in match.group(1).split(","))
    return out


def _analyse(path: Path) -> set[tuple[str, int]]:
    text = path.read_text()
    authorizer = "authorizer=true" in text.splitlines()[0]
    findings = analyze_javascript(
        text, path.name, "handler", typescript=path.suffix == ".ts", has_authorizer=authorizer
    )
    return {(f.rule_id, f.line) for f in findings}


def _hits(source: str, handler: str = "handler", **kw: bool) -> set[tuple[str, int]]:
    text = textwrap.dedent(source)
    return {(f.rule_id, f.line) for f in analyze_javascript(text, "handler.js", handler, **kw)}


# -- fixtures -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_lines(path: Path) -> None:
    assert _analyse(path) == _expected(path.read_text())


def test_every_rule_has_bad_and_good_fixtures() -> None:
    for rule in JS_RULES:
        files = {p.stem: p for p in FIXTURES.joinpath(rule).iterdir()}
        assert {"bad", "good"} <= set(files), rule
        assert any(r == rule for r, _ in _expected(files["bad"].read_text())), rule
        assert not _expected(files["good"].read_text()), rule


def test_every_finding_names_a_known_rule() -> None:
    for path in FIXTURE_FILES:
        for rule, _ in _analyse(path):
            assert rule in CODE_RULES_BY_ID


def test_the_table_loads_and_names_known_rules() -> None:
    table = tables.load("javascript")
    rules = {spec.rule for _, spec in table._sinks}
    assert rules <= set(CODE_RULES_BY_ID)
    assert rules | {"SLS0703"} == set(JS_RULES)


# -- which function is the handler ----------------------------------------------------------


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        ("handler", "main"),
        ("index.handler", "main"),
        ("src/app/index.handler", "main"),
        ("default", "base"),
        ("index.default", "base"),
        ("helper", "helper"),
        ("missing", "missing"),
    ],
)
def test_handler_function(handler: str, expected: str) -> None:
    module = parse_javascript(
        "function main(e) {}\nfunction base(e) {}\nfunction helper() {}\n"
        "exports.handler = main;\nexports.default = base;\n",
        "index.js",
    )
    assert handler_function(module, handler) == expected


def test_the_exported_function_is_analysed_not_its_export_name() -> None:
    source = """
        const { exec } = require("child_process");
        function run(evt) {
          exec(evt.cmd);
        }
        function other(evt) {
          exec(evt.cmd);
        }
        module.exports = { handler: run };
    """
    assert _hits(source) == {("SLS0101", 4)}
    assert _hits(source, "index.handler") == {("SLS0101", 4)}


def test_a_wrapped_handler_is_its_base_function() -> None:
    source = """
        import middy from "@middy/core";
        import { exec } from "child_process";
        const base = async (event) => {
          exec(event.body);
        };
        export const handler = middy(base).use(jsonBodyParser());
    """
    assert _hits(source) == {("SLS0101", 5)}


def test_destructured_event_parameter_is_the_source() -> None:
    source = """
        const { exec } = require("child_process");
        exports.handler = async ({ body, queryStringParameters: { name } }) => {
          exec(body);
          exec(name);
        };
    """
    assert _hits(source) == {("SLS0101", 4), ("SLS0101", 5)}


def test_typescript_and_tsx_files() -> None:
    source = """
        import { exec } from "child_process";
        export const handler = async (event: { body: string }): Promise<void> => {
          exec(event.body as string);
        };
    """
    assert _hits(source, typescript=True) == {("SLS0101", 4)}
    text = textwrap.dedent(source)
    findings = analyze_javascript(text, "page.tsx", "handler")
    assert {(f.rule_id, f.line) for f in findings} == {("SLS0101", 4)}


# -- how ------------------------------------------------------------------------------------


def test_calls_into_the_module_carry_taint() -> None:
    source = """
        const cp = require("child_process");
        function build(name) {
          return `convert ${name}`;
        }
        class Runner {
          static run(cmd) {
            cp.execSync(cmd);
          }
        }
        exports.handler = async (event) => {
          Runner.run(build(event.body));
        };
    """
    assert _hits(source) == {("SLS0101", 8)}


def test_allow_list_guards_clean_the_value() -> None:
    source = """
        const { exec } = require("child_process");
        const ALLOWED = ["a", "b"];
        exports.handler = async (event) => {
          const mode = event.body;
          if (!ALLOWED.includes(mode)) {
            return { statusCode: 400 };
          }
          exec("tool " + mode);
          const other = event.path;
          if (other === "x") {
            exec("tool " + other);
          }
          exec("tool " + other);
        };
    """
    assert _hits(source) == {("SLS0101", 14)}


def test_callbacks_get_the_elements_and_closures_the_enclosing_variables() -> None:
    source = """
        const { exec } = require("child_process");
        exports.handler = async (event) => {
          const cmd = event.body;
          event.Records.forEach((r) => exec(r.body));
          await new Promise((resolve) => {
            exec(cmd, () => resolve());
          });
          setTimeout(() => exec(`ls ${cmd}`), 10);
          await Promise.all(event.items.map(async (x) => exec(x.name)));
          const sizes = event.items.map((i) => `${i.size}`);
          exec("du " + sizes.join(" "));
          const total = event.items.reduce((acc, i) => acc + i.size, "");
          exec("du " + total);
          [1, 2].forEach((n) => exec("echo " + n));
          const fixed = ["a", "b"].map((x) => x.toUpperCase());
          exec(fixed[0]);
          function inner() {
            exec(cmd);
          }
          inner();
        };
    """
    findings = analyze_javascript(textwrap.dedent(source), "handler.js", "handler")
    assert {(f.rule_id, f.line) for f in findings} == {
        ("SLS0101", 5),
        ("SLS0101", 7),
        ("SLS0101", 9),
        ("SLS0101", 10),
        ("SLS0101", 12),
        ("SLS0101", 14),
        ("SLS0101", 19),
    }
    first = findings[0]
    assert first.message == "event.Records[].body reaches child_process.exec (command injection)"
    assert [what for _, _, what, _ in first.flow] == [
        "event.Records[]",
        "passed to a callback as r",
        "r.body",
        "child_process.exec: command injection",
    ]


def test_this_calls_resolve_in_classes_and_object_literals() -> None:
    source = """
        const { exec } = require("child_process");
        class Runner {
          run(cmd) {
            exec(cmd);
          }
          each(e) {
            e.items.forEach((i) => this.run(i.b));
          }
          handle = async (e) => {
            this.run(e.c);
          };
        }
        const svc = {
          run(x) {
            exec("svc " + x);
          },
          go(e) {
            this.run(e.d);
          },
          arrow: (y) => exec("arrow " + y),
        };
        const other = { run(x) {} };
        exports.handler = async (event) => {
          new Runner().each(event);
          svc.go(event);
          svc.arrow(event.e);
          other.run(event.f);
        };
        exports.second = async (event) => new Runner().handle(event);
    """
    text = textwrap.dedent(source)
    first = analyze_javascript(text, "handler.js", "handler")
    assert [(f.rule_id, f.line, f.message.split(" reaches ")[0]) for f in first] == [
        ("SLS0101", 5, "event.items[].b"),  # `this` in an arrow callback of a method
        ("SLS0101", 16, "event.d"),  # `this.run()` in an object literal's method
        ("SLS0101", 21, "event.e"),  # an arrow function as an object literal's member
    ]
    second = analyze_javascript(text, "handler.js", "second")
    assert [(f.line, f.message.split(" reaches ")[0]) for f in second] == [(5, "event.c")]


def test_regex_guards() -> None:
    source = """
        const { exec } = require("child_process");
        const fs = require("fs");
        const NAME = /^[a-z]+$/;
        const STATEFUL = /^[a-z]+$/g;
        exports.handler = async (event) => {
          const f = event.file;
          if (!/^[a-z0-9.]+$/.test(f)) return;
          exec("cat " + f);
          fs.readFileSync("/data/" + f);
          const g = event.other;
          if (NAME.test(g) && g.match(/^[a-z]{2}$/)) exec("a " + g);
          if (STATEFUL.test(g)) exec("b " + g);
          if (g.match(new RegExp("^[a-z]+$"))) exec("c " + g);
          if (/^[a-z]+$/.test(g) || event.force) exec("d " + g);
        };
    """
    # A dot lets `..` through; the g flag makes test() stateful; a RegExp built at run
    # time is not read; `||` leaves g unchecked.
    assert _hits(source) == {
        ("SLS0105", 10),
        ("SLS0101", 13),
        ("SLS0101", 14),
        ("SLS0101", 15),
    }


def test_shell_option_decides_for_spawn_arguments() -> None:
    source = """
        const { spawn } = require("child_process");
        exports.handler = async (event) => {
          spawn("sh", ["-c", event.body]);
          spawn("sh", ["-c", event.body], { shell: true });
          spawn("sh", ["-c", event.body], { shell: false });
        };
    """
    assert _hits(source) == {("SLS0101", 5)}


def test_sanitisers() -> None:
    source = """
        const { exec } = require("child_process");
        const path = require("path");
        const fs = require("fs");
        const axios = require("axios");
        exports.handler = async (event) => {
          exec("head -n " + parseInt(event.body, 10));
          exec("head -n " + Number(event.body));
          fs.readFileSync("/data/" + path.basename(event.path));
          await axios.get("https://x.example.com/" + encodeURIComponent(event.body), {
            timeout: 1,
          });
          fs.readFileSync(encodeURIComponent(event.path));
        };
    """
    assert _hits(source) == {("SLS0105", 13)}  # URL-encoding keeps `..`


def test_module_level_findings_do_not_need_the_handler() -> None:
    source = """
        const axios = require("axios");
        const warm = axios.get("https://example.com/warm");
    """
    assert _hits(source, "nothing") == {("SLS0808", 3)}


def test_syntax_errors_still_yield_findings() -> None:
    source = """
        const { exec } = require("child_process");
        exports.handler = async (event) => {
          const broken = ) (;
          exec(event.body);
        };
    """
    assert ("SLS0101", 5) in _hits(source)
