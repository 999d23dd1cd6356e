from __future__ import annotations

import re
from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Event, Format, Function
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas02_authentication.common import (
    is_anonymous,
    mentions,
    resources_of,
    route_label,
)

# Triggers that only AWS services fire: the handler trusts their event shape.
INTERNAL = {
    "sqs": "an SQS queue",
    "stream": "a stream",
    "kafka": "a Kafka topic",
    "msk": "a Kafka topic",  # serverless.yml event names from here on
    "mq": "a message broker",
    "activemq": "a message broker",
    "rabbitmq": "a message broker",
    "schedule": "a schedule",
}
STATE_MACHINES = ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")
# A schedule that only keeps the function warm is not an internal step.
_WARMER = re.compile(r"warm|keep.?alive", re.IGNORECASE)


@rule(
    id="SLS0902",
    name="internal-function-exposed",
    category=Category.SAS_9,
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    title="Function for internal steps (queue, stream, schedule, state machine) is also public",
    rationale=(
        "A function written for a queue, a stream, a schedule or a state machine step trusts "
        "its input: it was produced by your own system. Exposing the same function on an "
        "HTTP route without an authorizer lets anyone hand it forged records and skip the "
        "steps (validation, payment, approval) that normally come before it."
    ),
    fix=(
        "Split the public entry point from the internal worker (a separate function that "
        "validates and enqueues), or protect the route: serverless.yml `authorizer:` on the "
        "http/httpApi event; SAM `Auth: {Authorizer: ...}` on the Api/HttpApi event; "
        "CloudFormation `AuthorizationType` other than NONE on the method/route; function URL "
        "`AuthType: AWS_IAM`."
    ),
    fixes=(
        (
            "serverless",
            "Split the public entry point from the worker (a separate function that validates and "
            "enqueues), or protect the route: `authorizer:` on the `http`/`httpApi` event, `url: "
            "{authorizer: aws_iam}` for a function URL.",
        ),
        (
            "sam",
            "Split the public entry point from the worker (a separate function that validates and "
            "enqueues), or protect the route: `Auth: {Authorizer: MyAuth}` on the Api/HttpApi "
            "event (or `Auth.DefaultAuthorizer` on the API), `FunctionUrlConfig: {AuthType: "
            "AWS_IAM}` for a function URL.",
        ),
        (
            "cloudformation",
            "Split the public entry point from the worker (a separate function that validates and "
            "enqueues), or protect the route: `AuthorizationType` other than NONE on the "
            "AWS::ApiGateway::Method or AWS::ApiGatewayV2::Route, `AuthType: AWS_IAM` on the "
            "AWS::Lambda::Url.",
        ),
    ),
    references=(
        "https://owasp.org/www-project-serverless-top-10/",
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-invocation.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
    ),
)
def internal_function_exposed(fn: Function, app: App) -> Iterator[Hit]:
    internal = [_source(e) for e in fn.events if _source(e) and not _warmer(e)]
    ids = {fn.id, _sls_logical_id(fn.id)} if fn.format is Format.SERVERLESS else {fn.id}
    machines = resources_of(app, *STATE_MACHINES)
    if any(mentions(r.properties, i) for r in machines for i in ids):
        internal.append("a state machine")
    if not internal:
        return
    sources = " and ".join(sorted(set(internal)))
    public = [e for e in fn.events if is_anonymous(e)]
    if public:
        event = public[0]
        yield Hit(
            event.src,
            f"function {fn.id} is triggered by {sources} and also by {route_label(event)} "
            "without an authorizer: callers can forge the internal events it trusts",
            subject=f"function {fn.id}",
        )
    elif fn.url is not None and str(fn.url.auth_type).upper() == "NONE":
        yield Hit(
            fn.url.src,
            f"function {fn.id} is triggered by {sources} and also by a public function URL: "
            "callers can forge the internal events it trusts",
            subject=f"function {fn.id}",
        )


def _source(event: Event) -> str:
    """What an internal trigger is, or "" for any other event."""
    if event.kind == "eventBridge" and "schedule" in event.properties:
        return INTERNAL["schedule"]  # serverless.yml `eventBridge: {schedule: ...}`
    return INTERNAL.get(event.kind, "")


def _warmer(event: Event) -> bool:
    """A schedule that only keeps the function warm (`input: {warmer: true}`)."""
    return _source(event) == INTERNAL["schedule"] and bool(_WARMER.search(str(event.properties)))


def _sls_logical_id(name: str) -> str:
    """The logical id the Serverless Framework gives a function (`create-order` ->
    `CreateDashorderLambdaFunction`), as `resources` refer to it."""
    normalized = name.replace("-", "Dash").replace("_", "Underscore")
    return f"{normalized[:1].upper()}{normalized[1:]}LambdaFunction"
