"""The taint engine and the Python code rules: fixtures say which line, units say how."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from slsguard.code import ir
from slsguard.code.analyze import CodeParseError, analyze_python
from slsguard.code.finding import CodeFinding
from slsguard.code.python_frontend import parse_module
from slsguard.code.rules import CODE_RULES, CODE_RULES_BY_ID

FIXTURES = Path(__file__).parent / "fixtures" / "code" / "python"
FIXTURE_FILES = sorted(FIXTURES.glob("*/*.py"))
_EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")


def _expected(text: str) -> set[tuple[str, int]]:
    out: set[tuple[str, int]] = set()
    for number, line in enumerate(text.splitlines(), 1):
        match = _EXPECT.search(line)
        if match:
            out.update((rule.strip(), number) for rule in match.group(1).split(","))
    return out


def _analyse(source: str, handler: str = "handler", **kw: bool) -> list[CodeFinding]:
    return analyze_python(textwrap.dedent(source), "handler.py", handler, **kw)


def _hits(source: str, handler: str = "handler", **kw: bool) -> set[tuple[str, int]]:
    return {(f.rule_id, f.line) for f in _analyse(source, handler, **kw)}


# -- fixtures -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_lines(path: Path) -> None:
    text = path.read_text()
    authorizer = "authorizer=true" in text.splitlines()[0]
    findings = analyze_python(text, path.name, "handler", has_authorizer=authorizer)
    assert {(f.rule_id, f.line) for f in findings} == _expected(text)


def test_every_rule_has_bad_and_good_fixtures() -> None:
    for meta in CODE_RULES:
        bad, good = FIXTURES / meta.id / "bad.py", FIXTURES / meta.id / "good.py"
        assert bad.is_file() and good.is_file(), meta.id
        assert any(rule == meta.id for rule, _ in _expected(bad.read_text())), meta.id
        assert not _expected(good.read_text()), meta.id


def test_rule_metadata() -> None:
    assert len(CODE_RULES_BY_ID) == len(CODE_RULES)
    for meta in CODE_RULES:
        assert re.fullmatch(r"SLS\d{4}", meta.id)
        assert meta.formats == ("python", "javascript", "typescript")
        assert meta.title and meta.rationale and meta.fix and meta.references


def test_every_finding_names_a_known_rule() -> None:
    for path in FIXTURE_FILES:
        for finding in analyze_python(path.read_text(), path.name, "handler"):
            assert finding.rule_id in CODE_RULES_BY_ID


# -- sources ----------------------------------------------------------------------------------


def test_first_parameter_is_the_source_whatever_its_name() -> None:
    source = """
        import os
        def main(payload, ctx):
            os.system(payload["cmd"])
            os.system(ctx["cmd"])
    """
    findings = _analyse(source, handler="main")
    assert [(f.rule_id, f.line) for f in findings] == [("SLS0101", 4)]
    assert findings[0].message.startswith("event.cmd reaches os.system (command injection)")


def test_dotted_handler_name_and_other_functions_are_not_sources() -> None:
    source = """
        import os
        def helper(event):
            os.system(event["cmd"])
        def handler(event, context):
            return 1
    """
    assert _hits(source, handler="app.handler") == set()
    assert _hits(source, handler="helper") == {("SLS0101", 4)}


def test_s3_key_sqs_body_and_sns_message_are_sources() -> None:
    source = """
        import json, os
        def handler(event, context):
            for record in event["Records"]:
                key = record["s3"]["object"]["key"]
                os.system("process " + key)
                body = json.loads(record["body"])
                os.system(body["cmd"])
                os.system(record["Sns"]["Message"])
    """
    findings = _analyse(source)
    labels = [f.message.split(" reaches ")[0] for f in findings]
    assert labels == [
        "event.Records[].s3.object.key",
        "event.Records[].body.cmd",
        "event.Records[].Sns.Message",
    ]


def test_get_accessors_and_attribute_access_extend_the_path() -> None:
    source = """
        import os
        def handler(event, context):
            params = event.get("queryStringParameters") or {}
            os.system(params.get("name", ""))
            os.system(event.body.strip())
    """
    messages = [f.message for f in _analyse(source)]
    assert messages[0].startswith("event.queryStringParameters.name reaches os.system")
    assert messages[1].startswith("event.body reaches os.system")


def test_flask_request_and_powertools_current_event_are_sources() -> None:
    source = """
        import os
        from flask import Flask, request
        from aws_lambda_powertools.event_handler import APIGatewayRestResolver
        app = Flask(__name__)
        resolver = APIGatewayRestResolver()

        @app.route("/run")
        def run():
            os.system(request.args["cmd"])

        @resolver.get("/files/<name>")
        def files(name):
            open(name)
            os.system(resolver.current_event.json_body["cmd"])
    """
    assert _hits(source) == {("SLS0101", 10), ("SLS0105", 14), ("SLS0101", 15)}


# -- propagation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expr",
    [
        'f"ls {x}"',
        '"ls {}".format(x)',
        '"ls {name}".format(name=x)',
        '"ls %s" % x',
        '"ls %s %s" % (x, "y")',
        '"ls " + x',
        '"ls " + x + " -l"',
        '" ".join(["ls", x])',
        "x.strip().lower()",
        "str(x)",
        'x or "default"',
        "[x][0]",
        '{"cmd": x}["cmd"]',
        "(lambda: 1)() and x",
    ],
)
def test_string_building_and_expressions_propagate(expr: str) -> None:
    source = f"""
        import os
        def handler(event, context):
            x = event["body"]
            os.system({expr})
    """
    assert _hits(source) == {("SLS0101", 5)}


def test_destructuring() -> None:
    source = """
        import os
        def handler(event, context):
            a, b = event["cmd"], "literal"
            os.system(a)
            os.system(b)
            first, *rest = event["items"]
            os.system(first)
            (c, d), e = event["pair"], 1
            os.system(d)
            os.system(e)
    """
    assert _hits(source) == {("SLS0101", 5), ("SLS0101", 8), ("SLS0101", 10)}


def test_containers_and_mutation() -> None:
    source = """
        import os
        def handler(event, context):
            parts = []
            parts.append(event["cmd"])
            os.system(" ".join(parts))
            config = {}
            config["cmd"] = event["cmd"]
            os.system(config["cmd"])
            clean = {"cmd": "ls"}
            os.system(clean["cmd"])
            names = [r["name"] for r in event["Records"]]
            os.system(names[0])
    """
    assert _hits(source) == {("SLS0101", 6), ("SLS0101", 9), ("SLS0101", 13)}


def test_attribute_stores_taint_their_object() -> None:
    source = """
        import os
        class Job:
            pass
        def handler(event, context):
            job = Job()
            job.cmd = event["cmd"]
            os.system(job.cmd)
    """
    assert _hits(source) == {("SLS0101", 8)}


def test_reassignment_replaces_and_branches_join() -> None:
    source = """
        import os
        def handler(event, context):
            n = event["n"]
            n = int(n)
            os.system(f"head -n {n}")
            cmd = "ls"
            if event.get("x"):
                cmd = event["cmd"]
            os.system(cmd)
            for item in event["items"]:
                last = item
            os.system(last)
    """
    assert _hits(source) == {("SLS0101", 10), ("SLS0101", 13)}


def test_loops_reach_a_fixpoint() -> None:
    source = """
        import os
        def handler(event, context):
            a = b = c = "safe"
            while True:
                c = b
                b = a
                a = event["cmd"]
                if a:
                    break
            os.system(c)
    """
    assert _hits(source) == {("SLS0101", 11)}


def test_helper_summaries() -> None:
    source = """
        import os, shlex
        def identity(v):
            return v
        def build(prefix, value, *, flag=""):
            return f"{prefix} {value} {flag}"
        def quoted(v):
            return shlex.quote(v)
        def run(command):
            os.system(command)
        def twice(v):
            return identity(identity(v))
        def handler(event, context):
            os.system(identity(event["a"]))
            os.system(build("ls", event["b"]))
            os.system(build("ls", "x", flag=event["c"]))
            os.system(build(event["d"], "x"))
            os.system(quoted(event["e"]))
            run(event["f"])
            run("uptime")
            os.system(twice(event["g"]))
    """
    assert _hits(source) == {
        ("SLS0101", 14),
        ("SLS0101", 15),
        ("SLS0101", 16),
        ("SLS0101", 17),
        ("SLS0101", 10),
        ("SLS0101", 21),
    }


def test_methods_and_nested_functions() -> None:
    source = """
        import os
        class Runner:
            def go(self, cmd):
                os.system(cmd)
            def start(self, value):
                self.go(value)
        def handler(event, context):
            def inner(v):
                return v
            Runner().start(event["cmd"])
            os.system(inner(event["other"]))
    """
    assert _hits(source) == {("SLS0101", 5), ("SLS0101", 12)}


def test_recursion_is_bounded() -> None:
    source = """
        import os
        def walk(node, depth):
            if depth > 3:
                return node
            return walk(node["child"], depth + 1)
        def ping(v):
            return pong(v)
        def pong(v):
            return ping(v)
        def handler(event, context):
            os.system(walk(event, 0))
            os.system(ping(event["x"]))
    """
    assert ("SLS0101", 12) in _hits(source)


def test_flow_steps_from_source_to_sink() -> None:
    source = """
        import json, os
        def run(command):
            os.system(command)
        def handler(event, context):
            body = json.loads(event["body"])
            name = body["name"]
            cmd = f"convert {name}"
            run(cmd)
    """
    [finding] = _analyse(source)
    assert finding.rule_id == "SLS0101"
    assert (finding.line, finding.column) == (4, 5)
    assert finding.message == ("event.body.name reaches os.system (command injection) via cmd")
    assert finding.flow == (  # the last field: the file, "" being the handler's own
        (6, 23, "event.body", ""),
        (6, 5, "assigned to body", ""),
        (7, 5, "assigned to name", ""),
        (8, 5, "assigned to cmd", ""),
        (9, 5, "passed to run() as command", ""),
        (3, 9, "parameter command", ""),
        (4, 5, "os.system: command injection", ""),
    )


# -- sanitisers and guards ---------------------------------------------------------------------


def test_sanitisers_are_per_rule() -> None:
    source = """
        import os, shlex
        def handler(event, context):
            name = event["name"]
            os.system("cat " + shlex.quote(name))
            open(shlex.quote(name))
            open(os.path.basename(name))
            os.system("cat " + os.path.basename(name))
            count = int(event["n"])
            os.system(f"head -n {count}")
            range(count)
    """
    assert _hits(source) == {("SLS0105", 6), ("SLS0101", 8), ("SLS0807", 11)}


def test_allow_list_guards() -> None:
    source = """
        import os, re
        ALLOWED = {"a", "b"}
        MAPPING = {"a": "resize", "b": "crop"}
        def handler(event, context):
            x = event["x"]
            if x in ALLOWED:
                os.system(x)
            os.system(x)
            y = event["y"]
            if y not in ALLOWED:
                raise ValueError("bad")
            os.system(y)
            z = event["z"]
            z = z if z in ALLOWED else "a"
            os.system(z)
            os.system(MAPPING[event["w"]])
            os.system(MAPPING.get(event["w"], "resize"))
            v = event["v"]
            assert v.isdigit()
            os.system(v)
            u = event["u"]
            if not re.fullmatch(r"[a-z]+", u):
                return None
            os.system(u)
            t = event["t"]
            if t == "ls" or t == "pwd":
                os.system(t)
    """
    assert _hits(source) == {("SLS0101", 9), ("SLS0101", 28)}


def test_closures_and_higher_order_functions() -> None:
    source = """
        import functools, os, subprocess
        def shell(cmd):
            os.system(cmd)
        def handler(event, context):
            cmd = event["body"]
            def run():
                os.system("run " + cmd)
            run()
            list(map(shell, event["items"]))
            list(map(lambda x: os.system(x["name"]), event["records"]))
            list(filter(lambda n: os.system(n), event["names"]))
            sorted(event["keys"], key=lambda k: subprocess.call(k, shell=True))
            total = functools.reduce(lambda acc, x: acc + x, event["parts"], "")
            os.system("du " + total)
            fixed = list(map(lambda x: x.upper(), ["a", "b"]))
            os.system(fixed[0])
            def outer():
                def deeper():
                    os.system("deep " + cmd)
                return deeper()
            outer()
        def other(event, context):
            cmd = "uptime"
            def run():
                os.system(cmd)
            run()
    """
    findings = _analyse(source)
    assert {(f.rule_id, f.line) for f in findings} == {
        ("SLS0101", 4),
        ("SLS0101", 8),
        ("SLS0101", 11),
        ("SLS0101", 12),
        ("SLS0101", 13),
        ("SLS0101", 15),
        ("SLS0101", 20),
    }
    labels = {f.line: f.message.split(" reaches ")[0] for f in findings}
    assert (labels[4], labels[11], labels[8]) == (
        "event.items[]",
        "event.records[].name",
        "event.body",
    )


def test_regex_guards_need_whole_value_patterns_of_harmless_characters() -> None:
    source = """
        import os, re
        PER_LINE = re.compile(r"^[a-z]+$", re.M)
        CASELESS = re.compile(r"^[a-z]+$", re.I | re.A)
        def handler(event, context, pattern=r"[a-z]+"):
            f = event["file"]
            if re.fullmatch(r"[a-z0-9.]+", f):
                os.system("cat " + f)
                open("/data/" + f)
            if PER_LINE.match(f):
                os.system("a " + f)
            if CASELESS.search(f):
                os.system("b " + f)
            if re.fullmatch(pattern, f):
                os.system("c " + f)
            if re.match(r"[a-z]+$|x", f):
                os.system("d " + f)
            if re.fullmatch(r"[a-z]+", f, flags=re.MULTILINE):
                os.system("e " + f)
    """
    # A dot lets `..` through (SLS0105 stays); per-line anchors, a pattern that is not a
    # constant and an alternative without anchors are no guards.
    assert _hits(source) == {
        ("SLS0105", 9),
        ("SLS0101", 11),
        ("SLS0101", 15),
        ("SLS0101", 17),
        ("SLS0101", 19),
    }


def test_parameterised_sql_is_clean_and_string_built_sql_is_not() -> None:
    source = """
        def handler(event, context):
            cur = conn.cursor()
            sql = "SELECT * FROM t WHERE id = %s"
            cur.execute(sql, (event["id"],))
            cur.execute(sql % event["id"])
            cur.execute("SELECT 1")
    """
    assert _hits(source) == {("SLS0103", 6)}


# -- rule specifics ------------------------------------------------------------------------


def test_client_identity_needs_an_authorizer() -> None:
    source = """
        def handler(event, context):
            table.get_item(Key={"userId": event["pathParameters"]["userId"]})
    """
    assert _hits(source) == set()
    assert _hits(source, has_authorizer=True) == {("SLS0901", 3)}


def test_secret_named_parameters_and_variables_are_secrets() -> None:
    source = """
        import logging
        logger = logging.getLogger()
        def connect(host, password):
            logger.info("connecting to %s with %s", host, password)
        def handler(event, context):
            next_token = event.get("nextToken")
            logger.info(next_token)
            api_key = load()
            logger.info(f"key={api_key}")
    """
    assert _hits(source) == {("SLS0507", 5), ("SLS0507", 10)}


def test_secrets_from_the_event_and_through_calls() -> None:
    source = """
        import json, logging, requests
        logger = logging.getLogger()
        def handler(event, context):
            token = event["headers"]["Authorization"]
            logger.info(token)
            token = event["queryStringParameters"]["nextToken"]
            logger.info(token)
            body = json.loads(event["body"])
            password = body["password"]
            logger.info("login attempt with %s", password)
            api_key = get_key()
            headers = {"x-api-key": api_key}
            resp = requests.get("https://api.example.com", headers=headers, timeout=3)
            logger.info(resp.text)
            logger.info(api_key.strip())
    """
    assert _hits(source) == {("SLS0507", 6), ("SLS0507", 11), ("SLS0507", 16)}


def test_messages_never_quote_secret_values() -> None:
    text = (FIXTURES / "SLS0703" / "bad.py").read_text()
    for finding in analyze_python(text, "bad.py", "handler"):
        assert "hunter2" not in finding.message
        assert "AKIAZ7QX" not in finding.message


# -- robustness --------------------------------------------------------------------------------


def test_code_is_parsed_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    source = f"""
        import os
        open({str(marker)!r}, "w").write("imported")
        os.system("touch {marker}")
        __import__("os").system("touch {marker}")

        def handler(event, context):
            open({str(marker)!r}, "w").write("called")
    """
    _analyse(source)
    assert not marker.exists()


def test_invalid_python_raises_a_parse_error() -> None:
    with pytest.raises(CodeParseError) as info:
        _analyse("def handler(event, context:\n    pass\n")
    assert info.value.line == 1
    with pytest.raises(CodeParseError):
        analyze_python("x = 1\x00", "h.py", "handler")


def test_long_and_deep_expressions_do_not_overflow() -> None:
    terms = " + ".join(["event['a']"] * 900)
    source = f"import os\ndef handler(event, context):\n    os.system('x' + {terms})\n"
    assert _hits(source) == {("SLS0101", 3)}
    numbers = " * ".join(["event['n']"] * 900)
    source = f"def handler(event, context):\n    x = {numbers}\n    return x\n"
    assert _hits(source) == set()
    # Deeper than Python's own parser goes: an error, not a crash.
    terms = " + ".join(["a"] * 5000)
    with pytest.raises(CodeParseError):
        analyze_python(f"x = {terms}\n", "h.py", "handler")


def test_missing_handler_still_reports_module_findings() -> None:
    source = """
        import requests
        requests.get("https://example.com")
        def other(event):
            return event
    """
    assert _hits(source, handler="nope") == {("SLS0808", 3)}


def test_columns_count_characters() -> None:
    source = 'import os\ndef handler(event, context):\n    é = "ü"; os.system(event["x"])\n'
    [finding] = analyze_python(source, "h.py", "handler")
    assert finding.column == 14  # é and ü are one character each, two bytes


def test_ir_resolves_imports_and_variables() -> None:
    source = textwrap.dedent(
        """
        import subprocess as sp
        from os import system
        from os import path as osp
        import psycopg2
        conn = psycopg2.connect()
        def handler(event, context):
            cur = conn.cursor()
            sp.run("x")
            system("x")
            osp.join("a", "b")
            cur.execute("x")
        """
    )
    module = parse_module(source, "h.py")
    names = [
        (s.value.name, s.value.qualname)
        for s in module.functions["handler"].body
        if isinstance(s, ir.ExprStmt) and isinstance(s.value, ir.Call)
    ]
    assert names == [
        ("subprocess.run", "subprocess.run"),
        ("os.system", "os.system"),
        ("os.path.join", "os.path.join"),
        ("cur.execute", "psycopg2.connect().cursor().execute"),
    ]
