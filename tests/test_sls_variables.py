"""Offline resolution of Serverless Framework variables."""

from __future__ import annotations

import copy
import os
import time
from pathlib import Path
from typing import Any

import pytest

from slsguard.loaders import sls_variables
from slsguard.loaders.sls_variables import (
    VariableContext,
    VariableIssue,
    resolve_variables,
)
from slsguard.loaders.yaml_source import parse_yaml
from slsguard.model.values import Unresolved

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "speed"


def resolve(data: Any, root: Path | None = None, **options: Any) -> tuple[Any, list[VariableIssue]]:
    root = root or Path("/nonexistent-project")
    ctx = VariableContext(root=root, config_file=root / "serverless.yml", **options)
    return resolve_variables(data, ctx)


def value_of(text: str, **options: Any) -> Any:
    """The resolved value of `x` in a config whose other keys come from options["doc"]."""
    doc = {**options.pop("doc", {}), "x": text}
    return resolve(doc, **options)[0]["x"]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- self --------------------------------------------------------------------------------------


def test_self_keeps_the_type_of_the_value() -> None:
    doc = {
        "service": "shop",
        "custom": {"table": {"name": "orders", "rcu": 5}, "on": True, "list": [{"n": "a"}, "b"]},
        "a": "${self:custom.table}",
        "b": "${self:custom.table.rcu}",
        "c": "${self:custom.on}",
        "d": "${self:custom.list}",
        "e": "${self:custom.list.0.n}",
        "f": "${self:service}-${self:custom.table.name}",
    }
    out, issues = resolve(doc)
    assert out["a"] == {"name": "orders", "rcu": 5}
    assert out["b"] == 5
    assert out["c"] is True
    assert out["d"] == [{"n": "a"}, "b"]
    assert out["e"] == "a"
    assert out["f"] == "shop-orders"
    assert issues == []


def test_self_follows_references_through_variables() -> None:
    doc = {
        "custom": {"base": "${self:custom.conf}", "conf": {"x": {"y": 1}}},
        "z": "${self:custom.base.x.y}",
    }
    assert resolve(doc)[0]["z"] == 1


def test_sibling_reference_is_not_a_cycle() -> None:
    doc = {"custom": {"a": "v", "b": "${self:custom.a}"}}
    assert resolve(doc) == ({"custom": {"a": "v", "b": "v"}}, [])


def test_self_missing_key_is_reported_unless_a_fallback_applies() -> None:
    out, issues = resolve({"a": "${self:custom.nope}", "b": "${self:custom.nope, 'd'}"})
    assert out == {"a": Unresolved("self", "${self:custom.nope}"), "b": "d"}
    assert issues == [VariableIssue(("a",), "${self:custom.nope} is not defined")]


def test_old_style_provider_stage_and_region_default() -> None:
    doc = {
        "provider": {"name": "aws"},
        "s": "${self:provider.stage}",
        "r": "${self:provider.region}",
    }
    out, issues = resolve(doc)
    assert (out["s"], out["r"], issues) == ("dev", "us-east-1", [])
    out, _ = resolve(doc, stage="prod", region="eu-west-1")
    assert (out["s"], out["r"]) == ("prod", "eu-west-1")
    doc["provider"] = {"stage": "${opt:stage, 'qa'}", "region": "ap-south-1"}
    out, _ = resolve(doc, stage=None, region="eu-west-1")
    assert (out["s"], out["r"]) == ("qa", "ap-south-1")  # written values win, as in v1/v2


def test_whole_document_from_inside_it_is_circular() -> None:
    out, issues = resolve({"a": 1, "b": "${self:}"})
    assert out == {"a": 1, "b": Unresolved("cycle", "${self:}")}
    assert issues == [
        VariableIssue(("b",), "${self:} refers back to (document root) (circular reference)")
    ]


def test_references_get_their_own_copy() -> None:
    out, _ = resolve({"src": {"k": [1]}, "a": "${self:src}", "b": "${self:src}"})
    out["a"]["k"].append(2)
    assert out["b"] == {"k": [1]} and out["src"] == {"k": [1]}


def test_input_is_not_modified() -> None:
    doc = {"custom": {"a": "${opt:stage, 'dev'}", "l": ["${self:custom.a}"]}, "x": "${self:custom}"}
    before = copy.deepcopy(doc)
    out, _ = resolve(doc)
    assert doc == before
    assert out == {"custom": {"a": "dev", "l": ["dev"]}, "x": {"a": "dev", "l": ["dev"]}}


# --- opt, sls, aws, env, param -------------------------------------------------------------------


def test_opt_reads_the_cli_options() -> None:
    opts: dict[str, Any] = {"stage": "prod", "region": "eu-west-1", "options": {"memory": "512"}}
    assert value_of("${opt:stage}", **opts) == "prod"
    assert value_of("${opt:region}", **opts) == "eu-west-1"
    assert value_of("${opt:memory}", **opts) == "512"
    assert value_of("${opt:stage}") == Unresolved("opt", "${opt:stage}")
    assert value_of("${opt:other}", **opts) == Unresolved("opt", "${opt:other}")


def test_sls_stage_is_the_effective_stage() -> None:
    assert value_of("${sls:stage}") == "dev"
    assert value_of("${sls:stage}", doc={"provider": {"stage": "qa"}}) == "qa"
    assert value_of("${sls:stage}", doc={"provider": {"stage": "qa"}}, stage="prod") == "prod"
    assert value_of("${sls:stage}", doc={"provider": {"stage": "${opt:s, 'uat'}"}}) == "uat"
    assert value_of("${sls:instanceId}") == Unresolved("sls", "${sls:instanceId}")


def test_aws_region_is_the_effective_region_and_the_account_unknown() -> None:
    assert value_of("${aws:region}") == "us-east-1"
    assert value_of("${aws:region}", doc={"provider": {"region": "ap-south-1"}}) == "ap-south-1"
    assert value_of("${aws:region}", region="eu-north-1") == "eu-north-1"
    assert value_of("${aws:accountId}") == Unresolved("aws", "${aws:accountId}")


def test_env_with_and_without_value() -> None:
    assert value_of("${env:TABLE}", env={"TABLE": "t1"}) == "t1"
    assert value_of("${env:TABLE}") == Unresolved("env", "${env:TABLE}")
    assert value_of("${env:TABLE, 'local'}") == "local"
    assert value_of("${env:TABLE, self:custom.t}", doc={"custom": {"t": "c"}}) == "c"


def test_param_from_cli_then_stage_block_then_default() -> None:
    params = {"params": {"prod": {"size": "L"}, "default": {"size": "S", "color": "blue"}}}
    assert value_of("${param:size}", doc=params) == "S"
    assert value_of("${param:size}", doc=params, stage="prod") == "L"
    assert value_of("${param:color}", doc=params, stage="prod") == "blue"
    assert value_of("${param:size}", doc=params, stage="prod", params={"size": "XL"}) == "XL"
    stage_from_provider = {**params, "provider": {"stage": "prod"}}
    assert value_of("${param:size}", doc=stage_from_provider) == "L"
    assert value_of("${param:nope}", doc=params) == Unresolved("param", "${param:nope}")
    assert value_of("${param:nope, 7}", doc=params) == 7


def test_str_to_bool() -> None:
    assert value_of("${strToBool(${opt:flag, 'true'})}") is True
    assert value_of("${strToBool(0)}") is False


# --- sources known only at deploy time -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("${ssm:/app/db-password}", "ssm"),
        ("${ssm(eu-west-1):/app/key}", "ssm"),
        ("${ssm:/aws/reference/secretsmanager/prod/db~true}", "ssm"),
        ("${cf:other-stack.BucketName}", "cf"),
        ("${cf(us-west-2):other-stack.Arn}", "cf"),
        ("${cf.us-west-2:other-stack.Arn}", "cf"),  # v1 spelling
        ("${s3:my-bucket/key.txt}", "s3"),
        ("${secretsmanager:prod/db}", "secretsmanager"),
        ("${construct:jobs.queueUrl}", "construct"),
    ],
)
def test_unknowable_sources_keep_their_kind(text: str, kind: str) -> None:
    assert value_of(text) == Unresolved(kind, text)


def test_fallback_is_not_taken_after_an_unknowable_source() -> None:
    assert value_of("${ssm:/p, 'default'}") == Unresolved("ssm", "${ssm:/p, 'default'}")
    assert value_of("${env:X, ssm:/p, 'd'}") == Unresolved("ssm", "${env:X, ssm:/p, 'd'}")
    assert value_of("${aws:accountId, '123'}") == Unresolved("aws", "${aws:accountId, '123'}")


def test_referenced_unknown_value_keeps_its_origin() -> None:
    doc = {"custom": {"pw": "${ssm:/db/pw}"}}
    assert value_of("${self:custom.pw}", doc=doc) == Unresolved("ssm", "${ssm:/db/pw}")
    assert value_of("${self:custom.pw.x}", doc=doc) == Unresolved("ssm", "${ssm:/db/pw}")


# --- fallbacks, nesting, strings ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${opt:stage, 'dev'}", "dev"),
        ('${opt:stage, "dev"}', "dev"),
        ("${opt:stage,'dev'}", "dev"),
        ("${opt:x, 10}", 10),
        ("${opt:x, 1.5}", 1.5),
        ("${opt:x, true}", True),
        ("${opt:x, false}", False),
        ("${opt:x, null}", None),
        ("${opt:x, env:Y, self:custom.y}", "from-self"),
        ("${opt:x, env:Y, self:custom.nope, 'last'}", "last"),
        ("${opt:x, env:Y, param:z, 'a,b'}", "a,b"),
        ('${opt:x, "a \\" quote"}', 'a " quote'),
    ],
)
def test_fallbacks(text: str, expected: Any) -> None:
    assert value_of(text, doc={"custom": {"y": "from-self"}}) == expected


def test_chain_with_no_value_is_unresolved_as_its_first_source() -> None:
    text = "${opt:x, env:Y}"
    assert value_of(text) == Unresolved("opt", text)


def test_nested_variables() -> None:
    doc = {"custom": {"dev": {"table": "t-dev"}, "prod": {"table": "t-prod"}}}
    text = "${self:custom.${opt:stage, 'dev'}.table}"
    assert value_of(text, doc=doc) == "t-dev"
    assert value_of(text, doc=doc, stage="prod") == "t-prod"
    text = "${self:custom.${env:STAGE}.table}"
    assert value_of(text, doc=doc) == Unresolved("env", text)


def test_embedded_values_are_stringified() -> None:
    doc = {"custom": {"n": 3, "b": False, "f": 2.0}}
    text = "n=${self:custom.n} b=${self:custom.b} f=${self:custom.f} ${opt:stage, 'dev'}"
    assert value_of(text, doc=doc) == "n=3 b=false f=2 dev"


def test_embedded_unknown_makes_the_whole_string_unknown() -> None:
    text = "arn:aws:ssm:${aws:region}:${aws:accountId}:parameter/${ssm:/x}"
    assert value_of(text) == Unresolved("aws", text)


def test_embedding_a_mapping_is_an_issue() -> None:
    out, issues = resolve({"custom": {"m": {"a": 1}}, "x": "pre-${self:custom.m}"})
    assert out["x"] == Unresolved("self", "pre-${self:custom.m}")
    assert [i.reason for i in issues] == [
        "${self:custom.m} is a mapping and cannot be part of a string"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "${opt:stage",
        "${self:custom.x",
        "prefix ${",
        "${AWS::Region}",
        "arn:${AWS::Partition}:s3:::${MyBucket}/*",
        "${stage}",
        "${stageVariables.bucket_name}",
        "${process.env.HOME}",
        "$",
        "{}",
        "${}",
        "\\${self:custom.x}",
    ],
)
def test_text_that_is_not_a_variable_stays_literal(text: str) -> None:
    assert resolve({"x": text}) == ({"x": text}, [])


def test_keys_are_not_resolved() -> None:
    doc = {"${opt:stage, 'dev'}": "${opt:stage, 'dev'}"}
    assert resolve(doc)[0] == {"${opt:stage, 'dev'}": "dev"}


def test_cloudformation_intrinsics_pass_through() -> None:
    doc = {
        "custom": {"bucket": "b1"},
        "resources": {
            "Resources": {
                "Fn": {
                    "Properties": {
                        "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                        "Name": {"Ref": "AWS::StackName"},
                        "Arn": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${self:custom.bucket}/*"},
                        "Join": {"Fn::Join": ["", ["a", {"Ref": "B"}]]},
                    }
                }
            }
        },
    }
    out, issues = resolve(doc)
    props = out["resources"]["Resources"]["Fn"]["Properties"]
    assert props == {
        "Role": {"Fn::GetAtt": ["Role", "Arn"]},
        "Name": {"Ref": "AWS::StackName"},
        "Arn": {"Fn::Sub": "arn:${AWS::Partition}:s3:::b1/*"},
        "Join": {"Fn::Join": ["", ["a", {"Ref": "B"}]]},
    }
    assert issues == []


# --- file() ------------------------------------------------------------------------------------


def test_file_yaml_json_and_text(tmp_path: Path) -> None:
    write(tmp_path / "config" / "dev.yml", "table: orders\nlimits:\n  - 1\n  - 2\n")
    write(tmp_path / "secrets.json", '{"key": {"id": "abc"}}')
    write(tmp_path / "public_key", "ssh-rsa AAAA")
    doc = {
        "whole": "${file(./config/dev.yml)}",
        "key": "${file(./config/${opt:stage, 'dev'}.yml):table}",
        "index": "${file(config/dev.yml):limits.1}",
        "json": "${file(./secrets.json):key.id}",
        "text": "${file(./public_key)}",
    }
    out, issues = resolve(doc, tmp_path)
    assert out == {
        "whole": {"table": "orders", "limits": [1, 2]},
        "key": "orders",
        "index": 2,
        "json": "abc",
        "text": "ssh-rsa AAAA",
    }
    assert issues == []


def test_file_variables_resolve_relative_to_that_file(tmp_path: Path) -> None:
    write(tmp_path / "res" / "main.yml", "Bucket: ${file(./inner.yml):name}\nSvc: ${self:service}")
    write(tmp_path / "res" / "inner.yml", "name: ${self:service}-${opt:stage, 'dev'}-b")
    doc = {"service": "shop", "resources": "${file(res/main.yml)}"}
    out, issues = resolve(doc, tmp_path)
    assert out["resources"] == {"Bucket": "shop-dev-b", "Svc": "shop"}
    assert issues == []


def test_file_outside_the_project_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(tmp_path / "secrets.yml", "password: hunter2")
    write(project / "serverless.yml", "")
    out, issues = resolve(
        {"a": "${file(../secrets.yml):password}", "b": "${file(/etc/hostname)}"}, project
    )
    assert out == {
        "a": Unresolved("file", "${file(../secrets.yml):password}"),
        "b": Unresolved("file", "${file(/etc/hostname)}"),
    }
    assert [i.reason for i in issues] == [
        "${file(../secrets.yml):password} points outside the project",
        "${file(/etc/hostname)} points outside the project",
    ]


def test_symlink_escaping_the_project_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(tmp_path / "outside" / "secrets.yml", "password: hunter2")
    project.mkdir()
    try:
        os.symlink(tmp_path / "outside", project / "linked")
    except OSError:
        pytest.skip("symlinks are not available")
    text = "${file(./linked/secrets.yml):password}"
    out, issues = resolve({"a": text}, project)
    assert out == {"a": Unresolved("file", text)}
    assert issues == [VariableIssue(("a",), f"{text} points outside the project")]


def test_missing_file(tmp_path: Path) -> None:
    doc = {"a": "${file(./nope.yml):x}", "b": "${file(./nope.yml):x, 'fallback'}"}
    out, issues = resolve(doc, tmp_path)
    assert out == {"a": Unresolved("file", "${file(./nope.yml):x}"), "b": "fallback"}
    assert issues == [VariableIssue(("a",), "${file(./nope.yml):x}: ./nope.yml not found")]


def test_missing_key_in_file(tmp_path: Path) -> None:
    write(tmp_path / "c.yml", "a: 1")
    out, issues = resolve({"x": "${file(c.yml):b}", "y": "${file(c.yml):b, 2}"}, tmp_path)
    assert out == {"x": Unresolved("file", "${file(c.yml):b}"), "y": 2}
    assert [i.reason for i in issues] == ["${file(c.yml):b}: b is not defined in c.yml"]


def test_unparseable_file(tmp_path: Path) -> None:
    write(tmp_path / "bad.yml", "a: [1, 2\nb: 3\n")
    write(tmp_path / "bad.json", '{"a": 1')
    out, issues = resolve({"y": "${file(bad.yml)}", "j": "${file(bad.json), 'd'}"}, tmp_path)
    assert out == {
        "y": Unresolved("file", "${file(bad.yml)}"),
        "j": Unresolved("file", "${file(bad.json), 'd'}"),
    }
    assert issues[0].reason.startswith("${file(bad.yml)}: bad.yml: invalid YAML: line ")
    assert issues[1].reason.startswith("${file(bad.json), 'd'}: bad.json: invalid JSON: ")


def test_code_files_are_never_evaluated(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    write(tmp_path / "config.js", f"require('fs').writeFileSync({str(marker)!r}, 'x')")
    write(tmp_path / "config.ts", "export default {}")
    out, issues = resolve({"a": "${file(./config.js):get}", "b": "${file(config.ts)}"}, tmp_path)
    assert out == {
        "a": Unresolved("file", "${file(./config.js):get}"),
        "b": Unresolved("file", "${file(config.ts)}"),
    }
    assert [i.reason for i in issues] == [
        "${file(./config.js):get} is code, not evaluated",
        "${file(config.ts)} is code, not evaluated",
    ]
    assert not marker.exists()


def test_files_are_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "c.yml", "a: 1\nb: 2")
    calls: list[str] = []

    def counting(text: str, file: str) -> Any:
        calls.append(file)
        return parse_yaml(text, file)

    monkeypatch.setattr(sls_variables, "parse_yaml", counting)
    doc = {"a": "${file(c.yml):a}", "b": "${file(./c.yml):b}", "c": "${file(c.yml)}"}
    out, _ = resolve(doc, tmp_path)
    assert out == {"a": 1, "b": 2, "c": {"a": 1, "b": 2}}
    assert calls == ["c.yml"]


def test_issue_inside_an_included_file_points_at_the_include(tmp_path: Path) -> None:
    write(tmp_path / "res.yml", "Res:\n  Name: ${self:custom.nope}\n")
    out, issues = resolve({"resources": "${file(res.yml)}"}, tmp_path)
    assert out == {"resources": {"Res": {"Name": Unresolved("self", "${self:custom.nope}")}}}
    assert issues == [
        VariableIssue(("resources",), "res.yml:Res.Name: ${self:custom.nope} is not defined")
    ]


def test_file_including_itself_is_circular(tmp_path: Path) -> None:
    write(tmp_path / "loop.yml", "again: ${file(./loop.yml)}\n")
    out, issues = resolve({"a": "${file(loop.yml)}"}, tmp_path)
    assert out == {"a": {"again": Unresolved("cycle", "${file(./loop.yml)}")}}
    assert [i.reason for i in issues] == [
        "loop.yml:again: ${file(./loop.yml)} refers back to loop.yml:(document root)"
        " (circular reference)"
    ]


# --- cycles and hostile input ------------------------------------------------------------------


def test_mutual_reference_is_a_cycle() -> None:
    out, issues = resolve({"a": "${self:b}", "b": "${self:a}"})
    assert out == {"a": Unresolved("cycle", "${self:a}"), "b": Unresolved("cycle", "${self:a}")}
    assert issues == [VariableIssue(("b",), "${self:a} refers back to a (circular reference)")]


def test_self_reference_and_reference_to_an_ancestor() -> None:
    out, issues = resolve({"a": "x${self:a}", "custom": {"all": "${self:custom}", "k": 1}})
    assert out == {
        "a": Unresolved("cycle", "x${self:a}"),
        "custom": {"all": Unresolved("cycle", "${self:custom}"), "k": 1},
    }
    assert [i.path for i in issues] == [("a",), ("custom", "all")]
    assert issues[1].reason == "${self:custom} refers back to custom (circular reference)"


def test_cycle_through_the_stage() -> None:
    out, issues = resolve({"provider": {"stage": "${sls:stage}"}})
    assert out == {"provider": {"stage": Unresolved("cycle", "${sls:stage}")}}
    assert issues[0].path == ("provider", "stage")


def test_long_reference_chain_is_cut() -> None:
    doc = {f"k{i}": f"${{self:k{i + 1}}}" for i in range(200)}
    doc["k200"] = "end"
    out, issues = resolve(doc)
    assert out["k199"] == "end"
    assert isinstance(out["k0"], Unresolved) and out["k0"].kind == "cycle"
    assert any("nests more than 50 variables deep" in i.reason for i in issues)


def test_self_reference_bomb_stops_fast() -> None:
    doc: dict[str, Any] = {"l0": ["lol"] * 10}
    for level in range(1, 12):
        doc[f"l{level}"] = [f"${{self:l{level - 1}}}"] * 10
    start = time.perf_counter()
    out, issues = resolve(doc)
    assert time.perf_counter() - start < 2
    assert out["l1"] == [["lol"] * 10] * 10
    assert isinstance(out["l11"], list)
    assert any("expands the configuration past" in i.reason for i in issues)


def test_string_doubling_bomb_stops_fast() -> None:
    doc: dict[str, Any] = {"s0": "x" * 1000}
    for level in range(1, 60):
        doc[f"s{level}"] = f"${{self:s{level - 1}}}${{self:s{level - 1}}}"
    start = time.perf_counter()
    out, issues = resolve(doc)
    assert time.perf_counter() - start < 2
    assert out["s1"] == "x" * 2000
    assert out["s59"] == Unresolved("cycle", "${self:s58}${self:s58}")
    assert any("expands past" in i.reason for i in issues)


def test_file_inclusion_bomb_stops_fast(tmp_path: Path) -> None:
    write(tmp_path / "f0.yml", "v: [" + ", ".join(["lol"] * 10) + "]")
    for level in range(1, 10):
        write(tmp_path / f"f{level}.yml", "v:\n" + f"  - ${{file(f{level - 1}.yml)}}\n" * 10)
    start = time.perf_counter()
    out, issues = resolve({"x": "${file(f9.yml)}"}, tmp_path)
    assert time.perf_counter() - start < 2
    assert out["x"] == Unresolved("cycle", "${file(f9.yml)}")
    assert any("expands the configuration past" in i.reason for i in issues)


def test_deeply_nested_plain_data_is_kept() -> None:
    deep: Any = "leaf"
    for _ in range(195):
        deep = {"n": deep}
    assert resolve({"a": deep, "b": "${self:a}"}) == ({"a": deep, "b": deep}, [])


def test_unclosed_variables_parse_in_linear_time() -> None:
    text = "${self:custom.x}" + "${a:" * 20_000
    start = time.perf_counter()
    out, _ = resolve({"custom": {"x": "y"}, "x": text})
    assert time.perf_counter() - start < 2
    assert out["x"] == "y" + "${a:" * 20_000


def test_yaml_document_end_to_end(tmp_path: Path) -> None:
    text = """
service: orders
provider:
  name: aws
  stage: ${opt:stage, 'dev'}
  region: ${opt:region, "eu-west-1"}
  environment:
    TABLE: ${self:service}-${sls:stage}
    SECRET: ${ssm:/orders/${sls:stage}/secret}
    PORT: ${env:PORT, 8080}
resources:
  Resources:
    Table:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: !Sub "${AWS::StackName}-${self:provider.environment.TABLE}"
"""
    data = parse_yaml(text, "serverless.yml").data
    out, issues = resolve(data, tmp_path, stage="prod")
    env = out["provider"]["environment"]
    assert env == {
        "TABLE": "orders-prod",
        "SECRET": Unresolved("ssm", "${ssm:/orders/${sls:stage}/secret}"),
        "PORT": 8080,
    }
    assert out["provider"]["region"] == "eu-west-1"
    props = out["resources"]["Resources"]["Table"]["Properties"]
    assert props == {"TableName": {"Fn::Sub": "${AWS::StackName}-orders-prod"}}
    assert issues == []


@pytest.mark.skipif(not CORPUS.is_dir(), reason="speed corpus not present")
def test_speed_corpus_resolves_without_error() -> None:
    configs = sorted(
        p for pattern in ("serverless.yml", "serverless.yaml") for p in CORPUS.rglob(pattern)
    )
    parsed = []
    for config in configs:
        try:
            parsed.append((config, parse_yaml(config.read_text(encoding="utf-8"), config.name)))
        except Exception:  # parse errors are the YAML loader's business, not ours
            continue
    assert parsed
    start = time.perf_counter()
    for config, document in parsed:
        ctx = VariableContext(root=config.parent, config_file=config)
        resolve_variables(document.data, ctx)
    assert time.perf_counter() - start < 1  # well under 0.2 s in practice; slack for slow CI
