from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import Api, App, Format, Resource
from slsguard.model.source import SourceRef
from slsguard.model.values import as_list
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas08_dos.common import names, public_route_events, referenced_id, resource

_THROTTLE_KEYS = ("ThrottlingRateLimit", "ThrottlingBurstLimit")
_CFN_API_TYPES = ("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api")
_STAGE_TYPES = ("AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment", "AWS::ApiGatewayV2::Stage")


@rule(
    id="SLS0803",
    name="api-without-throttling",
    category=Category.SAS_8,
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    title="Public API without stage or route throttling",
    rationale=(
        "Without its own rate and burst limits an API only has the account-level default "
        "(10,000 requests per second shared by every API of the account in the region): one "
        "flooded public API invokes its functions at that rate, runs up the bill and gets the "
        "account's other APIs throttled. Usage plans do not help here: they only limit "
        "requests that carry an API key."
    ),
    fix=(
        "Set rate and burst limits on the stage: SAM `MethodSettings: [{ResourcePath: '/*', "
        "HttpMethod: '*', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 50}]` on the "
        "AWS::Serverless::Api (or `Globals.Api`), `DefaultRouteSettings: {ThrottlingRateLimit: "
        "100, ThrottlingBurstLimit: 50}` on the AWS::Serverless::HttpApi; CloudFormation the "
        "same `MethodSettings` on AWS::ApiGateway::Stage (or `StageDescription` on the "
        "Deployment) and `DefaultRouteSettings` on AWS::ApiGatewayV2::Stage. serverless.yml "
        "has no key for it: use the serverless-api-gateway-throttling plugin "
        "(`custom.apiGatewayThrottling: {maxRequestsPerSecond, maxConcurrentRequests}`) and "
        "cap the functions with `reservedConcurrency`."
    ),
    fixes=(
        (
            "serverless",
            "For the REST API add the serverless-api-gateway-throttling plugin with "
            "`custom.apiGatewayThrottling: {maxRequestsPerSecond: 100, maxConcurrentRequests: "
            "50}`; the framework has no stage throttling setting, so for an HTTP API cap its "
            "functions with `reservedConcurrency`.",
        ),
        (
            "sam",
            "Set stage limits: `MethodSettings: [{ResourcePath: '/*', HttpMethod: '*', "
            "ThrottlingRateLimit: 100, ThrottlingBurstLimit: 50}]` on the AWS::Serverless::Api "
            "(or `Globals.Api`), `DefaultRouteSettings: {ThrottlingRateLimit: 100, "
            "ThrottlingBurstLimit: 50}` on the AWS::Serverless::HttpApi.",
        ),
        (
            "cloudformation",
            "Set stage limits: `MethodSettings: [{ResourcePath: '/*', HttpMethod: '*', "
            "ThrottlingRateLimit: 100, ThrottlingBurstLimit: 50}]` on the AWS::ApiGateway::Stage "
            "(or the Deployment's `StageDescription`), `DefaultRouteSettings: "
            "{ThrottlingRateLimit: 100, ThrottlingBurstLimit: 50}` on the "
            "AWS::ApiGatewayV2::Stage.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-apigateway-stage-methodsetting.html",
        "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-httpapi.html",
    ),
)
def api_without_throttling(api: Api, app: App) -> Iterator[Hit]:
    if api.kind not in ("rest", "http") or not _public_endpoint(api):
        return
    public = public_route_events(api.id, app)
    if not public or _throttled(api, app) is not False:
        return  # private, throttled, or throttling we cannot see: not a finding
    label = f"{'REST' if api.kind == 'rest' else 'HTTP'} API {api.id}"
    if app.format == Format.SERVERLESS and api.kind == "http" and resource(app, api.id) is None:
        what = (
            f"{label} cannot be throttled from serverless.yml (the account-level default applies)"
        )
    else:
        what = f"{label} has no throttling (only the account-level default applies)"
    if _usage_plan(api, app):
        what += ", its usage plan limits only requests with an API key,"
    uncapped = sorted({fn.id for fn, _ in public if fn.reserved_concurrency is None})
    if uncapped:
        tail = (
            " and its public routes invoke functions without reserved concurrency "
            f"({names(uncapped)})"
        )
    else:
        tail = " although its public routes invoke functions with reserved concurrency"
    yield Hit(
        _anchor(api, app, public[0][1].src),
        what + tail,
        subject=f"api {api.id}",
        severity=Severity.MEDIUM if uncapped else Severity.LOW,
    )


def _public_endpoint(api: Api) -> bool:
    """False for PRIVATE REST APIs (reachable only through VPC endpoints) and unknown types."""
    if api.endpoint_type is None:
        return True
    return isinstance(api.endpoint_type, str) and api.endpoint_type.upper() != "PRIVATE"


def _throttled(api: Api, app: App) -> bool | None:
    """True when rate/burst limits are set, False when provably not, None when unknown."""
    if app.format == Format.SERVERLESS and resource(app, api.id) is None:
        if api.properties.get("restApiId") or api.properties.get("id"):
            return None  # an API created elsewhere: its stage is configured elsewhere
        custom = app.custom.value if app.custom is not None else None
        if isinstance(custom, dict) and "apiGatewayThrottling" in custom:
            return True  # the serverless-api-gateway-throttling plugin sets the stage
        return _throttled_by_stages(api, app, managed=True)
    if app.format == Format.SAM and api.throttling is not None:  # SAM MethodSettings
        found = _any_throttle(api.throttling.value)
        if found is not False:
            return found
    for key in ("DefaultRouteSettings", "RouteSettings"):  # SAM HttpApi
        if key in api.properties and app.format == Format.SAM:
            value = api.properties[key]
            items = (
                value.values() if key == "RouteSettings" and isinstance(value, dict) else [value]
            )
            found = _any_throttle(list(items))
            if found is not False:
                return found
    own = resource(app, api.id)
    managed = own is None or own.type not in _CFN_API_TYPES  # SAM / framework-made stage
    quick_create = own is not None and "Target" in own.properties  # HTTP API quick create
    return _throttled_by_stages(api, app, managed=managed or quick_create)


def _throttled_by_stages(api: Api, app: App, *, managed: bool) -> bool | None:
    stages = _stages(api, app)
    results = []
    for stage in stages:
        props: Any = stage.properties
        if stage.type == "AWS::ApiGateway::Deployment":
            props = props.get("StageDescription")  # may set stage-wide limits itself
            if not isinstance(props, dict):
                continue
        results.append(_any_throttle([props]))
        results.append(_any_throttle(props.get("MethodSettings")))
        route_settings = props.get("RouteSettings")
        if isinstance(route_settings, dict):
            results.append(_any_throttle(list(route_settings.values())))
        results.append(_any_throttle([props.get("DefaultRouteSettings")]))
    if True in results:
        return True
    if None in results:
        return None
    if not stages and not managed:
        return None  # a CloudFormation API with no stage in this template
    return False


def _stages(api: Api, app: App) -> list[Resource]:
    return [
        r
        for r in app.resources
        if r.type in _STAGE_TYPES
        and referenced_id(r.properties.get("RestApiId") or r.properties.get("ApiId")) == api.id
        and (r.type != "AWS::ApiGateway::Deployment" or "StageName" in r.properties)
    ]


def _any_throttle(items: Any) -> bool | None:
    """True when one of the settings sets a rate or burst limit; None when unreadable."""
    if items is None:
        return False
    if not isinstance(items, list):
        return None
    found: bool | None = False
    for item in items:
        if item is None:
            continue
        if not isinstance(item, dict):
            found = None
        elif any(k in item for k in _THROTTLE_KEYS):
            return True
    return found


def _usage_plan(api: Api, app: App) -> bool:
    if app.format == Format.SERVERLESS and api.kind == "rest" and api.throttling is not None:
        return True
    auth = api.properties.get("Auth")
    if isinstance(auth, dict) and isinstance(auth.get("UsagePlan"), dict):
        return auth["UsagePlan"].get("CreateUsagePlan") not in (None, "NONE")
    return any(
        r.type == "AWS::ApiGateway::UsagePlan"
        and any(
            isinstance(s, dict) and referenced_id(s.get("ApiId")) == api.id
            for s in as_list(r.properties.get("ApiStages"))
        )
        for r in app.resources
    )


def _anchor(api: Api, app: App, first_route: SourceRef) -> SourceRef:
    """Where the throttling settings go."""
    if app.format == Format.SERVERLESS and resource(app, api.id) is None:
        key = "apiGateway" if api.kind == "rest" else "httpApi"
        return app.at(("provider", key), api.src)
    stages = [s for s in _stages(api, app) if s.type != "AWS::ApiGateway::Deployment"]
    if stages:
        return stages[0].src
    if resource(app, api.id) is None and not api.properties:
        return first_route  # a SAM implicit API without a Globals section
    return api.src
