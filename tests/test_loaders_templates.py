"""The model built from realistic SAM and CloudFormation projects, asserted exactly."""

from __future__ import annotations

from pathlib import Path

from slsguard.discovery import Candidate, read_text
from slsguard.engine import ScanOptions, load_candidate
from slsguard.model.app import App, Authorizer, EnvVar, FunctionUrl, ManagedPolicyRef, Setting
from slsguard.model.source import SourceRef
from slsguard.model.values import GetAtt, Ref, Unresolved

PROJECTS = Path(__file__).parent / "fixtures" / "projects"


def load(path: Path, **options: object) -> App:
    cand = Candidate(path, path.name, "template", explicit=True)
    opts = ScanOptions(paths=(path.parent,), env={}, **options)  # type: ignore[arg-type]
    _doc, app, diagnostics = load_candidate(cand, read_text(path), path.parent, opts)
    assert diagnostics == []
    assert app is not None
    return app


def at(line: int, *path: str | int, column: int) -> SourceRef:
    return SourceRef("template.yaml", line, column, path)


class TestSam:
    app = load(PROJECTS / "sam-orders" / "template.yaml")
    fn = app.function("CreateOrder")
    FN = ("Resources", "CreateOrder", "Properties")

    def test_globals_are_inherited_with_their_own_location(self) -> None:
        assert self.fn.runtime == Setting(
            "python3.12", at(14, "Globals", "Function", "Runtime", column=5)
        )
        assert self.fn.timeout == Setting(20, at(15, "Globals", "Function", "Timeout", column=5))
        assert self.fn.effective_timeout == 20
        assert self.fn.tracing is not None and self.fn.tracing.value == "Active"

    def test_conditions_are_decided_from_parameter_defaults(self) -> None:
        assert self.fn.memory == Setting(1024, at(39, *self.FN, "MemorySize", column=7))
        prod = load(PROJECTS / "sam-orders" / "template.yaml", params={"Stage": "dev"})
        memory = prod.function("CreateOrder").memory
        assert memory is not None and memory.value == 128

    def test_environment_merges_globals_and_function_variables(self) -> None:
        env = {v.name: v for v in self.fn.environment}
        variables = (*self.FN, "Environment", "Variables")
        assert env["STAGE"] == EnvVar(
            "STAGE",
            "prod",
            at(19, "Globals", "Function", "Environment", "Variables", "STAGE", column=9),
        )
        assert env["LOG_LEVEL"] == EnvVar(
            "LOG_LEVEL", "DEBUG", at(43, *variables, "LOG_LEVEL", column=11)
        )
        assert env["TABLE"].value == Ref("Orders")
        assert env["DB_PASSWORD"].value == Unresolved("parameter", "DbPassword")
        assert env["BUCKET_URL"].value == Unresolved(
            "Fn::Sub", "https://${Receipts}.s3.amazonaws.com/${Stage}"
        )
        assert env["SECRET"].value == Unresolved(
            "secretsmanager", "{{resolve:secretsmanager:orders/api:SecretString:key}}"
        )

    def test_policy_templates_expand_to_their_real_statements(self) -> None:
        role = self.fn.role
        assert role is not None and role.id == "CreateOrderRole"
        (statement,) = role.statements
        assert statement.origin == "SAM policy template DynamoDBCrudPolicy"
        assert statement.actions == (
            "dynamodb:GetItem",
            "dynamodb:DeleteItem",
            "dynamodb:PutItem",
            "dynamodb:Scan",
            "dynamodb:Query",
            "dynamodb:UpdateItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:BatchGetItem",
            "dynamodb:DescribeTable",
            "dynamodb:ConditionCheckItem",
        )
        assert statement.src.line == 48
        assert [m.name for m in role.managed_policies] == [
            "DynamoDBCrudPolicy",
            "AWSXRayDaemonWriteAccess",
        ]
        assert role.managed_policies[1] == ManagedPolicyRef(
            "AWSXRayDaemonWriteAccess", at(50, *self.FN, "Policies", 1, column=11), "aws-managed"
        )

    def test_events_authorizer_from_globals_and_url(self) -> None:
        api_event, queue_event = self.fn.events
        assert (api_event.kind, api_event.method, api_event.path, api_event.api_id) == (
            "http",
            "POST",
            "/orders",
            "ServerlessRestApi",
        )
        assert api_event.authorizer == Authorizer(
            "cognito", "UserPool", at(23, "Globals", "Api", "Auth", "DefaultAuthorizer", column=7)
        )
        assert (queue_event.kind, queue_event.source) == ("sqs", GetAtt("Jobs", "Arn"))
        assert self.fn.url == FunctionUrl(
            "NONE", at(62, *self.FN, "FunctionUrlConfig", "AuthType", column=9)
        )
        assert self.fn.code_path == "src/"
        assert [a.id for a in self.app.apis] == ["ServerlessRestApi"]


class TestCloudFormationJson:
    app = load(PROJECTS / "cfn-orders" / "template.json")
    fn = app.function("Handler")

    def test_function_links_to_its_role_and_attached_policy(self) -> None:
        role = self.fn.role
        assert role is not None and role.id == "Role"
        inline, attached = role.statements
        assert (inline.actions, inline.resources, inline.origin) == (
            ("dynamodb:PutItem",),
            (GetAtt("Table", "Arn"),),
            "Role inline policy table",
        )
        assert (attached.actions, attached.origin) == (
            ("sqs:SendMessage",),
            "AWS::IAM::Policy Extra",
        )
        assert attached.resources == (
            Unresolved("aws", "arn:aws:sqs:${AWS::Region}:123456789012:q"),
        )
        assert [m.name for m in role.managed_policies] == [
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
        ]

    def test_json_positions_and_settings(self) -> None:
        assert self.fn.timeout == Setting(
            60, SourceRef("template.json", 28, 9, ("Resources", "Handler", "Properties", "Timeout"))
        )
        assert self.fn.code_path == "asset.1234"  # from CDK's aws:asset:path metadata
        assert self.fn.url is not None and self.fn.url.auth_type == "AWS_IAM"
        assert self.fn.environment == (
            EnvVar(
                "TABLE",
                Ref("Table"),
                SourceRef(
                    "template.json",
                    30,
                    39,
                    ("Resources", "Handler", "Properties", "Environment", "Variables", "TABLE"),
                ),
            ),
        )

    def test_metadata_ignores_are_recorded(self) -> None:
        assert self.app.ignores == ((("Resources", "Handler"), frozenset({"SLS0801"})),)


def test_sub_with_a_variables_map_keeps_its_meaning_when_unresolved() -> None:
    """SAM policy templates write `!Sub [".../table/${tableName}", {tableName: !Ref T}]`:
    unresolved, it reads as the plain Sub `.../table/${T}`, pseudo parameters kept."""
    from slsguard.loaders.intrinsics import IntrinsicResolver

    resolver = IntrinsicResolver({"Resources": {"T": {"Type": "AWS::DynamoDB::Table"}}})
    value = resolver.resolve(
        {
            "Fn::Sub": [
                "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${t}/${s}",
                {"t": {"Ref": "T"}, "s": "stream"},
            ]
        }
    )
    assert value == Unresolved(
        "aws", "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${T}/stream"
    )
