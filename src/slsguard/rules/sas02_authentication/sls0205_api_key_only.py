from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas02_authentication.common import (
    REST_METHOD,
    V2_ROUTE,
    method_auth_is_none,
    method_label,
    owning_resource,
    prop_src,
    resources_of,
    route_label,
)

CONSEQUENCE = "an API key identifies a client for usage plans but does not authenticate it"


@rule(
    id="SLS0205",
    name="api-key-only-authentication",
    category=Category.SAS_2,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="API key used as the only authentication of a route",
    rationale=(
        "API keys are long-lived shared strings sent in a header, often embedded in client "
        "apps, without expiry or user identity; AWS says not to rely on them for "
        "authentication or authorization. A route that only requires a key is open to "
        "anyone who obtains one."
    ),
    fix=(
        "Keep the key for metering but add an authorizer: serverless.yml `authorizer:` next "
        "to `private: true` on the http event; SAM `Auth: {Authorizer: ...}` on the event or "
        "`Auth.DefaultAuthorizer` on the API next to `ApiKeyRequired`; CloudFormation "
        "`AuthorizationType` COGNITO_USER_POOLS, CUSTOM or AWS_IAM on the method."
    ),
    fixes=(
        (
            "serverless",
            "Keep `private: true` for metering but add an authorizer to the http event: "
            "`authorizer: aws_iam`, a Cognito authorizer (`type: COGNITO_USER_POOLS`) or a Lambda "
            "authorizer.",
        ),
        (
            "sam",
            "Keep the API key for metering but add an authorizer: `Auth: {ApiKeyRequired: true, "
            "Authorizer: MyCognitoAuth}` on the Api event, or `Auth.DefaultAuthorizer` next to "
            "`Auth.ApiKeyRequired` on the AWS::Serverless::Api.",
        ),
        (
            "cloudformation",
            "Keep `ApiKeyRequired: true` for metering but set `AuthorizationType` to "
            "`COGNITO_USER_POOLS`, `CUSTOM` (with `AuthorizerId`) or `AWS_IAM` on the "
            "AWS::ApiGateway::Method; similarly `CUSTOM` or `AWS_IAM` on a WebSocket `$connect` "
            "AWS::ApiGatewayV2::Route.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
        "https://www.serverless.com/framework/docs/providers/aws/events/apigateway#setting-api-keys-for-your-rest-api",
    ),
)
def api_key_only(app: App, _: App) -> Iterator[Hit]:
    for fn in app.functions:
        for event in fn.events:
            if not event.api_key_required or event.authorizer is not None:
                continue
            if event.is_cors_preflight or owning_resource(event, app) is not None:
                continue  # CloudFormation methods and routes are visited as resources below
            if event.kind == "websocket" and event.path != "$connect":
                continue  # only $connect authenticates a WebSocket API
            yield Hit(
                event.src,
                f"{route_label(event)} of function {fn.id} requires only an API key: {CONSEQUENCE}",
                subject=f"function {fn.id}",
            )
    for res in resources_of(app, REST_METHOD, V2_ROUTE):
        props = res.properties
        if props.get("ApiKeyRequired") is not True or not method_auth_is_none(res):
            continue
        if res.type == REST_METHOD:
            verb = props.get("HttpMethod")
            if isinstance(verb, str) and verb.upper() == "OPTIONS":
                continue
            label = method_label(res, app)
        else:
            if props.get("RouteKey") != "$connect":
                continue  # only $connect authenticates a WebSocket API
            label = "WebSocket route $connect"
        yield Hit(
            prop_src(res, app, "ApiKeyRequired"),
            f"{label} ({res.id}) requires only an API key: {CONSEQUENCE}",
            subject=f"method {res.id}" if res.type == REST_METHOD else f"route {res.id}",
        )
