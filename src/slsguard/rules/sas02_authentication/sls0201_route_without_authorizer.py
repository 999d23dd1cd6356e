from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Function
from slsguard.rules.base import Hit, rule


@rule(
    id="SLS0201",
    name="route-without-authorizer",
    category=Category.SAS_2,
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    title="HTTP route with no authorizer",
    rationale=(
        "Anyone on the internet can call a route that has no authorizer, so whatever the "
        "function does (read data, write data, spend money) is open to anonymous callers."
    ),
    fix=(
        "Attach an authorizer: serverless.yml `authorizer:` on the http/httpApi event (or "
        "`type: aws_iam`); SAM `Auth: {Authorizer: ...}` on the event or `Auth.DefaultAuthorizer` "
        "on the API; CloudFormation `AuthorizationType` other than NONE on the method/route. "
        "If the route is public on purpose, suppress the finding with a reason."
    ),
    fixes=(
        (
            "serverless",
            "Attach an authorizer to the event: `authorizer: aws_iam` or a Cognito/Lambda "
            "authorizer on `http` events, `authorizer: {name: jwtAuth}` (defined in "
            "`provider.httpApi.authorizers`) or `authorizer: {type: aws_iam}` on `httpApi` "
            "events. If the route is public on purpose, suppress the finding with a reason.",
        ),
        (
            "sam",
            "Set `Auth: {DefaultAuthorizer: MyAuth, Authorizers: {MyAuth: ...}}` on the "
            "AWS::Serverless::Api or HttpApi (or in `Globals`), or `Auth: {Authorizer: MyAuth}` "
            "(or `AWS_IAM`) on the event. If the route is public on purpose, suppress the finding "
            "with a reason.",
        ),
        (
            "cloudformation",
            "Set `AuthorizationType` to `AWS_IAM`, `COGNITO_USER_POOLS` or `CUSTOM` (with "
            "`AuthorizerId`) on the AWS::ApiGateway::Method, or to `AWS_IAM`, `JWT` or `CUSTOM` "
            "on the AWS::ApiGatewayV2::Route. If the route is public on purpose, suppress the "
            "finding with a reason.",
        ),
    ),
    references=(
        "https://owasp.org/www-project-serverless-top-10/",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
        "https://www.serverless.com/framework/docs/providers/aws/events/apigateway#http-endpoints-with-custom-authorizers",
    ),
)
def route_without_authorizer(fn: Function, app: App) -> Iterator[Hit]:
    for event in fn.events:
        if event.kind not in ("http", "httpApi"):
            continue
        # CORS preflight needs no authorizer; API-key-only routes are SLS0205's concern;
        # an authorizer we cannot see (OpenAPI body, unresolved value) is not a finding.
        if event.authorizer is not None or event.is_cors_preflight or event.api_key_required:
            continue
        route = f"{event.method or 'ANY'} {event.path if event.path is not None else '/'}"
        yield Hit(
            event.src,
            f"{route} invokes function {fn.id} without any authorizer",
            subject=f"function {fn.id}",
        )
