from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas02_authentication.common import (
    V2_ROUTE,
    method_auth_is_none,
    owning_resource,
    prop_src,
    resources_of,
)

MESSAGE = "anyone can open a connection and send messages to every route of the API"


@rule(
    id="SLS0204",
    name="websocket-connect-without-authorizer",
    category=Category.SAS_2,
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    title="WebSocket $connect route with no authorizer",
    rationale=(
        "A WebSocket API authenticates once, on $connect: the other routes ($default, "
        "$disconnect, custom actions) cannot have authorizers, so an open $connect leaves the "
        "whole API to anonymous callers."
    ),
    fix=(
        "Add an authorizer to the $connect route: serverless.yml `authorizer:` on the "
        "`websocket: {route: $connect}` event; CloudFormation/SAM `AuthorizationType: CUSTOM` "
        "with `AuthorizerId` (a REQUEST Lambda authorizer) or `AWS_IAM` on the "
        "AWS::ApiGatewayV2::Route whose `RouteKey` is $connect."
    ),
    fixes=(
        (
            "serverless",
            "Add an authorizer to the `$connect` route: `websocket: {route: $connect, authorizer: "
            "{name: connectAuth, identitySource: [route.request.querystring.token]}}`, "
            "`connectAuth` being a function of the service. Only `$connect` can have an "
            "authorizer, and it guards every route.",
        ),
        (
            "sam",
            "SAM has no WebSocket event: on the AWS::ApiGatewayV2::Route with `RouteKey: "
            "$connect` set `AuthorizationType: CUSTOM` and `AuthorizerId: !Ref ConnectAuthorizer` "
            "(an AWS::ApiGatewayV2::Authorizer of `AuthorizerType: REQUEST` calling an "
            "AWS::Serverless::Function), or `AuthorizationType: AWS_IAM`.",
        ),
        (
            "cloudformation",
            "On the AWS::ApiGatewayV2::Route with `RouteKey: $connect` set `AuthorizationType: "
            "CUSTOM` and `AuthorizerId: !Ref ConnectAuthorizer` (an AWS::ApiGatewayV2::Authorizer "
            "of `AuthorizerType: REQUEST`), or `AuthorizationType: AWS_IAM`. Only `$connect` can "
            "have an authorizer, and it guards every route.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-control-access.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html",
        "https://www.serverless.com/framework/docs/providers/aws/events/websocket#using-authorizers",
    ),
)
def websocket_connect_without_authorizer(app: App, _: App) -> Iterator[Hit]:
    for fn in app.functions:
        for event in fn.events:
            if event.kind != "websocket" or event.path != "$connect":
                continue
            # API-key-only $connect is SLS0205's; routes read from a CloudFormation resource
            # are reported from the resource below (with or without an integration).
            if event.authorizer is not None or event.api_key_required:
                continue
            if owning_resource(event, app) is not None:
                continue
            yield Hit(
                event.src,
                f"WebSocket $connect route of function {fn.id} has no authorizer: {MESSAGE}",
                subject=f"function {fn.id}",
            )
    for res in resources_of(app, V2_ROUTE):
        props = res.properties
        if props.get("RouteKey") != "$connect" or not method_auth_is_none(res):
            continue
        if props.get("ApiKeyRequired") is True:
            continue
        key = "AuthorizationType" if "AuthorizationType" in props else "RouteKey"
        yield Hit(
            prop_src(res, app, key),
            f"WebSocket $connect route {res.id} has no authorizer: {MESSAGE}",
            subject=f"route {res.id}",
        )
