from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import Api, App, Format, Resource
from slsguard.model.source import SourceRef
from slsguard.model.values import SYMBOLIC
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas05_monitoring.common import mentions, resource, resources_of, truthy

_KINDS = {"rest": "REST", "http": "HTTP", "websocket": "WebSocket"}
_CFN_APIS = ("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api")
_SAM_IMPLICIT = ("ServerlessRestApi", "ServerlessHttpApi")
_SLS_LOGS_KEY = {"rest": "restApi", "http": "httpApi", "websocket": "websocket"}


@rule(
    id="SLS0502",
    name="api-access-logging-off",
    category=Category.SAS_5,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="API stage without access logging",
    rationale=(
        "Without access logs there is no record of who called the API, from where, with "
        "which result: attacks, credential stuffing and data scraping through the API go "
        "unnoticed and cannot be investigated afterwards."
    ),
    fix=(
        "Turn on access logging to a CloudWatch log group: serverless.yml "
        "`provider.logs.restApi` / `provider.logs.httpApi` / `provider.logs.websocket` "
        "(`true` or a mapping without `accessLogging: false`); SAM `AccessLogSetting` on "
        "`AWS::Serverless::Api` and `AccessLogSettings` on `AWS::Serverless::HttpApi` (or in "
        "`Globals`); CloudFormation `AccessLogSetting` on `AWS::ApiGateway::Stage` and "
        "`AccessLogSettings` on `AWS::ApiGatewayV2::Stage`."
    ),
    fixes=(
        (
            "serverless",
            "Turn on access logs: `provider.logs.restApi: {accessLogging: true, "
            "fullExecutionData: false}`, `provider.logs.httpApi: true` or "
            "`provider.logs.websocket: {accessLogging: true, fullExecutionData: false}` for the "
            "API of the service. `fullExecutionData: false` keeps request bodies out of the "
            "execution logs (SLS0508).",
        ),
        (
            "sam",
            "Set `AccessLogSetting: {DestinationArn: !GetAtt ApiAccessLogs.Arn, Format: ...}` on "
            "the AWS::Serverless::Api, or `AccessLogSettings` with the same keys on the "
            "AWS::Serverless::HttpApi (also in `Globals`). REST APIs also need the account's API "
            "Gateway CloudWatch role (AWS::ApiGateway::Account).",
        ),
        (
            "cloudformation",
            "Set `AccessLogSetting: {DestinationArn: !GetAtt ApiAccessLogs.Arn, Format: ...}` on "
            "the AWS::ApiGateway::Stage (or the Deployment's `StageDescription`); similarly "
            "`AccessLogSettings` on an AWS::ApiGatewayV2::Stage. REST APIs also need the "
            "account's CloudWatch role (AWS::ApiGateway::Account `CloudWatchRoleArn`).",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html",
        "https://www.serverless.com/framework/docs/providers/aws/events/apigateway#logs",
    ),
)
def api_access_logging(api: Api, app: App) -> Iterator[Hit]:
    kind = _KINDS.get(api.kind, api.kind)
    subject = f"api {api.id}"
    own = resource(app, api.id)
    if own is not None and own.type in _CFN_APIS:
        for src, stage in _cfn_stages_without_logs(api, own, app):
            key = "AccessLogSetting" if api.kind == "rest" else "AccessLogSettings"
            yield Hit(
                src,
                f"{kind} API {api.id}: stage {stage} has no access logging ({key} is not set)",
                subject=subject,
            )
        return
    if app.format == Format.SERVERLESS:
        yield from _serverless(api, kind, subject)
        return
    key = "AccessLogSettings" if api.kind == "http" else "AccessLogSetting"
    if _logging_set(api.properties.get(key)) is False:
        name = api.properties.get("StageName")
        if name is None and api.id in _SAM_IMPLICIT:
            name = "Prod" if api.kind == "rest" else "$default"  # SAM's implicit stages
        where = f"stage {name}" if isinstance(name, str) else "its stage"
        yield Hit(
            _sam_src(api, app),
            f"{kind} API {api.id}: {where} has no access logging ({key} is not set)",
            subject=subject,
        )


def _logging_set(value: Any) -> bool | None:
    """Whether an AccessLogSetting(s) value turns logging on; None when unknown."""
    if value is None:
        return False
    if isinstance(value, SYMBOLIC):
        return None
    if isinstance(value, dict):
        return value.get("DestinationArn") is not None  # a Ref/GetAtt is a destination too
    return False


def _cfn_stages_without_logs(api: Api, own: Resource, app: App) -> Iterator[tuple[SourceRef, str]]:
    ids = {api.id}
    if own.type == "AWS::ApiGateway::RestApi":
        for stage in resources_of(app, "AWS::ApiGateway::Stage"):
            props = stage.properties
            if mentions(props.get("RestApiId"), ids) and (
                _logging_set(props.get("AccessLogSetting")) is False
            ):
                yield stage.src, _stage_name(stage.properties.get("StageName"), stage.id)
        for deployment in resources_of(app, "AWS::ApiGateway::Deployment"):
            props = deployment.properties
            if "StageName" in props and mentions(props.get("RestApiId"), ids):
                described = props.get("StageDescription")
                if isinstance(described, SYMBOLIC):
                    continue
                setting = described.get("AccessLogSetting") if isinstance(described, dict) else None
                if _logging_set(setting) is False:
                    yield deployment.src, _stage_name(props.get("StageName"), deployment.id)
        return
    for stage in resources_of(app, "AWS::ApiGatewayV2::Stage"):
        props = stage.properties
        if mentions(props.get("ApiId"), ids) and (
            _logging_set(props.get("AccessLogSettings")) is False
        ):
            yield stage.src, _stage_name(stage.properties.get("StageName"), stage.id)
    if "Target" in own.properties:  # quick create: an implicit $default stage
        overrides = [
            r.properties.get("Stage")
            for r in resources_of(app, "AWS::ApiGatewayV2::ApiGatewayManagedOverrides")
            if mentions(r.properties.get("ApiId"), ids)
        ]
        settings = [o.get("AccessLogSettings") for o in overrides if isinstance(o, dict)]
        if not any(_logging_set(s) is not False for s in settings):
            yield own.src, "$default (created by quick create)"


def _stage_name(name: Any, fallback: str) -> str:
    return name if isinstance(name, str) else fallback


def _serverless(api: Api, kind: str, subject: str) -> Iterator[Hit]:
    if "restApiId" in api.properties or "id" in api.properties:
        return  # an API created elsewhere: its stage settings are not in this file
    setting = api.access_logging
    value = setting.value if setting is not None else None
    if isinstance(value, dict):
        on = truthy(value.get("accessLogging", True))
    else:
        on = truthy(value) if value is not None else False
    if on is False:
        key = f"provider.logs.{_SLS_LOGS_KEY.get(api.kind, api.kind)}"
        yield Hit(
            setting.src if setting is not None else api.src,
            f"the {kind} API of the service has no access logging ({key} "
            f"{'turns it off' if setting is not None else 'is not set'})",
            subject=subject,
        )


def _sam_src(api: Api, app: App) -> SourceRef:
    """An implicit API without Globals has no line of its own: point at its first route."""
    if api.id in _SAM_IMPLICIT and not api.properties:
        for fn in app.functions:
            for event in fn.events:
                if event.api_id == api.id:
                    return event.src
    return api.src
