"""The model built from a realistic serverless.yml, asserted exactly: variables resolved
offline, provider settings inherited, IAM, events, resources linked."""

from __future__ import annotations

from pathlib import Path

from slsguard.discovery import Candidate, read_text
from slsguard.engine import ScanOptions, load_candidate
from slsguard.findings import Diagnostic
from slsguard.model.app import App, Authorizer, EnvVar, FunctionUrl, Setting
from slsguard.model.source import SourceRef
from slsguard.model.values import GetAtt, Unresolved

PROJECT = Path(__file__).parent / "fixtures" / "projects" / "sls-orders"


def load(**options: object) -> tuple[App, list[Diagnostic]]:
    path = PROJECT / "serverless.yml"
    cand = Candidate(path, "serverless.yml", "serverless", explicit=True)
    opts = ScanOptions(paths=(PROJECT,), env={}, **options)  # type: ignore[arg-type]
    _doc, app, diagnostics = load_candidate(cand, read_text(path), PROJECT, opts)
    assert app is not None
    return app, diagnostics


def at(line: int, *path: str | int, column: int) -> SourceRef:
    return SourceRef("serverless.yml", line, column, path)


def test_provider_settings_are_inherited_and_overridden() -> None:
    app, diagnostics = load()
    assert diagnostics == []
    create, get = app.functions
    # provider.timeout comes from ${file(./config/${self:custom.stage}.yml)} with stage dev
    assert create.timeout == Setting(25, at(20, "provider", "timeout", column=3))
    assert get.timeout == Setting(10, at(49, "functions", "get", "timeout", column=5))
    assert create.runtime == Setting("nodejs20.x", at(17, "provider", "runtime", column=3))
    assert get.runtime == Setting("python3.12", at(50, "functions", "get", "runtime", column=5))
    assert create.tracing == Setting(True, at(22, "provider", "tracing", "lambda", column=5))
    assert create.memory == Setting(512, at(39, "functions", "create", "memorySize", column=5))
    assert get.memory is None  # the framework default applies
    assert create.default_timeout == 6


def test_variables_resolve_offline_and_unknowns_stay_unknown() -> None:
    app, _ = load()
    create = app.function("create")
    assert create.environment == (
        EnvVar(
            "TABLE_NAME",
            "override",
            at(41, "functions", "create", "environment", "TABLE_NAME", column=7),
        ),
        EnvVar(
            "API_TOKEN",
            Unresolved("ssm", "${ssm:/orders/${sls:stage}/api-token}"),
            at(25, "provider", "environment", "API_TOKEN", column=5),
        ),
        EnvVar("REGION", "eu-west-1", at(26, "provider", "environment", "REGION", column=5)),
    )
    table = next(r for r in app.resources if r.id == "OrdersTable")
    assert table.properties == {"TableName": "orders-dev-table"}  # ${param:} from params.default


def test_stage_option_selects_params_and_included_file() -> None:
    app, _ = load(stage="prod")
    create = app.function("create")
    assert create.timeout is not None and create.timeout.value == 40
    table = next(r for r in app.resources if r.id == "OrdersTable")
    assert table.properties == {"TableName": "orders-prod-table"}


def test_iam_provider_role_and_per_function_role() -> None:
    app, _ = load()
    create, get = app.functions
    assert create.role is not None and create.role.id == "IamRoleLambdaExecution"
    (statement,) = create.role.statements
    assert statement.actions == ("dynamodb:PutItem", "dynamodb:GetItem")
    assert statement.resources == (GetAtt("OrdersTable", "Arn"),)
    assert statement.action_src == at(
        31, "provider", "iam", "role", "statements", 0, "Action", column=11
    )
    assert [m.name for m in create.role.managed_policies] == [
        "arn:aws:iam::aws:policy/AmazonSQSFullAccess"
    ]
    assert get.role is not None and get.role.id == "getIamRoleLambdaExecution"
    (own,) = get.role.statements
    assert own.actions == ("dynamodb:GetItem",)
    assert get.role.managed_policies == ()


def test_events_and_function_url() -> None:
    app, _ = load()
    create, get = app.functions
    (http,) = create.events
    assert (http.kind, http.method, http.path, http.api_key_required, http.authorizer) == (
        "http",
        "POST",
        "orders",
        True,
        None,
    )
    assert http.src == at(43, "functions", "create", "events", 0, "http", column=9)
    (route,) = get.events
    assert (route.kind, route.method, route.path) == ("httpApi", "GET", "/orders/{id}")
    assert route.authorizer == Authorizer(
        "custom", "jwt", at(59, "functions", "get", "events", 0, "httpApi", "authorizer", column=11)
    )
    assert get.url == FunctionUrl("AWS_IAM", at(61, "functions", "get", "url", column=5))
    assert [(a.id, a.kind) for a in app.apis] == [
        ("ApiGatewayRestApi", "rest"),
        ("HttpApi", "http"),
    ]
