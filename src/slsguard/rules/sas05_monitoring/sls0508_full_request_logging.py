from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import Api, App, Format, Resource
from slsguard.model.source import DocPath, SourceRef
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas05_monitoring.common import resource, resources_of, truthy

_CFN_APIS = ("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api")


@rule(
    id="SLS0508",
    name="api-full-request-logging",
    category=Category.SAS_5,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="API execution logging writes full requests and responses (DataTraceEnabled)",
    rationale=(
        "With data tracing API Gateway writes every request and response, headers and "
        "bodies included, to CloudWatch Logs: Authorization headers, API keys, tokens and "
        "personal data end up readable by anyone with log access and kept as long as the "
        "logs are."
    ),
    fix=(
        "Log metadata, not payloads: serverless.yml `provider.logs.restApi.fullExecutionData: "
        "false` (the framework defaults it to true whenever `provider.logs.restApi` is set) and "
        "`provider.logs.websocket.fullExecutionData: false`; SAM `MethodSettings` with "
        "`DataTraceEnabled: false` on `AWS::Serverless::Api`; CloudFormation "
        "`MethodSettings[].DataTraceEnabled: false` on `AWS::ApiGateway::Stage` (or "
        "`StageDescription` of `AWS::ApiGateway::Deployment`) and "
        "`DefaultRouteSettings.DataTraceEnabled: false` on `AWS::ApiGatewayV2::Stage`. Use "
        "access logs for the audit trail."
    ),
    fixes=(
        (
            "serverless",
            "Set `fullExecutionData: false` under `provider.logs.restApi` (and "
            "`provider.logs.websocket`), e.g. `logs: {restApi: {accessLogging: true, "
            "executionLogging: true, level: ERROR, fullExecutionData: false}}`; the framework "
            "turns it on whenever these logs are enabled.",
        ),
        (
            "sam",
            "Set `DataTraceEnabled: false` (or remove it) in the `MethodSettings` of the "
            "AWS::Serverless::Api (or `Globals.Api`), e.g. `MethodSettings: [{ResourcePath: '/*', "
            "HttpMethod: '*', LoggingLevel: ERROR, DataTraceEnabled: false}]`. Use access logs "
            "for the audit trail.",
        ),
        (
            "cloudformation",
            "Set `DataTraceEnabled: false` in the `MethodSettings` of the AWS::ApiGateway::Stage "
            "(or the Deployment's `StageDescription`); similarly "
            "`DefaultRouteSettings.DataTraceEnabled: false` (and `RouteSettings`) on a WebSocket "
            "AWS::ApiGatewayV2::Stage. Use access logs for the audit trail.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-apigateway-stage-methodsetting.html",
        "https://www.serverless.com/framework/docs/providers/aws/events/apigateway#logs",
    ),
)
def full_request_logging(app: App, _: App) -> Iterator[Hit]:
    for api in app.apis:
        own = resource(app, api.id)
        if own is not None and own.type in _CFN_APIS:
            continue  # their stages are resources, checked below
        if app.format == Format.SERVERLESS:
            yield from _serverless(api)
        elif api.kind == "rest":
            for index in _traced_methods(api.properties.get("MethodSettings")):
                base = (
                    api.src.path
                    if api.src.path[:1] == ("Globals",)
                    else (
                        *api.src.path,
                        "Properties",
                    )
                )
                yield Hit(
                    app.at((*base, "MethodSettings", index, "DataTraceEnabled"), api.src),
                    f"REST API {api.id} logs full requests and responses "
                    f"(MethodSettings[{index}].DataTraceEnabled)",
                    subject=f"api {api.id}",
                )
    for res in resources_of(app, "AWS::ApiGateway::Stage"):
        for index in _traced_methods(res.properties.get("MethodSettings")):
            yield _resource_hit(
                app, res, ("MethodSettings", index, "DataTraceEnabled"), "MethodSettings"
            )
    for res in resources_of(app, "AWS::ApiGateway::Deployment"):
        described = res.properties.get("StageDescription")
        if not isinstance(described, dict):
            continue
        if _traced(described):
            path: DocPath = ("StageDescription", "DataTraceEnabled")
            yield _resource_hit(app, res, path, "StageDescription")
        for index in _traced_methods(described.get("MethodSettings")):
            path = ("StageDescription", "MethodSettings", index, "DataTraceEnabled")
            yield _resource_hit(app, res, path, "StageDescription.MethodSettings")
    for res in resources_of(app, "AWS::ApiGatewayV2::Stage"):
        # Only WebSocket APIs have execution logs; an HTTP API ignores the setting.
        if not _websocket_stage(res, app):
            continue
        default = res.properties.get("DefaultRouteSettings")
        if _traced(default):
            path = ("DefaultRouteSettings", "DataTraceEnabled")
            yield _resource_hit(app, res, path, "DefaultRouteSettings")
        routes = res.properties.get("RouteSettings")
        for route, settings in routes.items() if isinstance(routes, dict) else ():
            if _traced(settings):
                path = ("RouteSettings", route, "DataTraceEnabled")
                yield _resource_hit(app, res, path, f"RouteSettings {route}")


def _traced(settings: Any) -> bool:
    """DataTraceEnabled with execution logging on: the level defaults to OFF, which logs
    nothing, data trace included."""
    if not isinstance(settings, dict) or not truthy(settings.get("DataTraceEnabled")):
        return False
    level = settings.get("LoggingLevel")
    return isinstance(level, str) and level.upper() in ("INFO", "ERROR")


def _traced_methods(settings: Any) -> Iterator[int]:
    for index, item in enumerate(settings if isinstance(settings, list) else ()):
        if _traced(item):
            yield index


def _resource_hit(app: App, res: Resource, path: DocPath, where: str) -> Hit:
    src: SourceRef = app.at((*res.src.path, "Properties", *path), res.src)
    return Hit(
        src,
        f"API stage {res.id} logs full requests and responses ({where} DataTraceEnabled)",
        subject=f"stage {res.id}",
    )


def _websocket_stage(stage: Resource, app: App) -> bool:
    api_id = stage.properties.get("ApiId")
    target = getattr(api_id, "logical_id", None)
    api = resource(app, target) if isinstance(target, str) else None
    return api is not None and api.properties.get("ProtocolType") == "WEBSOCKET"


def _serverless(api: Api) -> Iterator[Hit]:
    if api.kind not in ("rest", "websocket") or "restApiId" in api.properties:
        return
    setting = api.access_logging  # provider.logs.restApi / provider.logs.websocket
    if setting is None:
        return
    logs = setting.value
    on = truthy(logs) if not isinstance(logs, dict) else True
    if not on:
        return
    options = logs if isinstance(logs, dict) else {}
    # The framework's defaults: executionLogging and fullExecutionData both true.
    if truthy(options.get("executionLogging", True)) is False:
        return
    if truthy(options.get("fullExecutionData", True)) is not True:
        return
    key = "restApi" if api.kind == "rest" else "websocket"
    yield Hit(
        setting.src,
        f"the {'REST' if api.kind == 'rest' else 'WebSocket'} API of the service logs full "
        f"requests and responses (provider.logs.{key} without fullExecutionData: false)",
        subject=f"api {api.id}",
    )
