from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Event, Format, Resource
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas02_authentication.common import (
    REST_METHOD,
    method_label,
    method_path,
    owning_resource,
    prop_src,
    resources_of,
    route_label,
    target,
)

BODY_METHODS = ("POST", "PUT", "PATCH", "ANY", "*")
# A body or a field of it pasted as raw text: `$input.json(...)` is JSON-encoded, and
# `$util.escapeJavaScript(...)` / `$util.urlEncode(...)` escape what they wrap.
_RAW_SPLICE = re.compile(r"\$input\.(?:body\b|path\()")
_ESCAPED_BEFORE = re.compile(r"\$util\.(?:escapeJavaScript|urlEncode|base64Encode)\(\s*$")


@rule(
    id="SLS0107",
    name="no-request-validation",
    category=Category.SAS_1,
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    title="REST API method accepts a request body without request validation",
    rationale=(
        "Without a request validator and a model, API Gateway hands any body to the backend: "
        "type confusion, oversized or unexpected fields and injection payloads reach the "
        "function (or, through a mapping template, a DynamoDB/SQS/SNS request) unchecked. "
        "It is worse when a mapping template pastes the raw body into a service request. "
        "HTTP APIs (API Gateway v2) have no request validation and are not reported."
    ),
    fix=(
        "Validate the body against a JSON schema: serverless.yml `request: {schemas: "
        "{application/json: ...}}` on the http event; SAM `RequestModel: {Model: ..., "
        "Required: true, ValidateBody: true}` on the Api event (with the model in the API's "
        "`Models`); CloudFormation `RequestValidatorId` (an AWS::ApiGateway::RequestValidator "
        "with `ValidateRequestBody: true`) and `RequestModels` on the AWS::ApiGateway::Method. "
        "In mapping templates wrap spliced values in `$util.escapeJavaScript()`."
    ),
    fixes=(
        (
            "serverless",
            "Add a JSON schema to the http event, e.g. `request: {schemas: {application/json: "
            "${file(schemas/order.json)}}}`, so that API Gateway validates the body before the "
            "function runs. In `integration: aws` request templates wrap spliced values in "
            "`$util.escapeJavaScript()`.",
        ),
        (
            "sam",
            "Validate the body on the Api event with `RequestModel: {Model: Order, Required: "
            "true, ValidateBody: true}`, `Order` being declared in the `Models` of the "
            "AWS::Serverless::Api the event's `RestApiId` names. Without `ValidateBody` SAM adds "
            "no request validator.",
        ),
        (
            "cloudformation",
            "Give the AWS::ApiGateway::Method a `RequestValidatorId: !Ref BodyValidator` (an "
            "AWS::ApiGateway::RequestValidator with `ValidateRequestBody: true`) and "
            "`RequestModels: {application/json: !Ref OrderModel}`. In AWS/HTTP integration "
            "`RequestTemplates` wrap spliced values in `$util.escapeJavaScript()` instead of "
            "pasting `$input.body`.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html",
        "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-requestmodel.html",
        "https://www.serverless.com/framework/docs/providers/aws/events/apigateway#request-schema-validators",
        "https://owasp.org/www-project-serverless-top-10/",
    ),
)
def no_request_validation(app: App, _: App) -> Iterator[Hit]:
    for fn in app.functions:
        for event in fn.events:
            if event.kind != "http" or not _takes_body(event.method) or _greedy(event.path):
                continue
            if owning_resource(event, app) is not None:
                continue  # a CloudFormation method: visited as a resource below
            if _event_validated(event, app) is not False:
                continue
            yield Hit(
                event.src,
                f"{route_label(event)} of function {fn.id} accepts a request body without "
                "request validation",
                subject=f"function {fn.id}",
            )
    validators = {r.id: r for r in resources_of(app, "AWS::ApiGateway::RequestValidator")}
    for res in resources_of(app, REST_METHOD):
        props = res.properties
        verb = props.get("HttpMethod")
        if not isinstance(verb, str) or not _takes_body(verb):
            continue
        if _greedy(method_path(res, app)):
            continue
        integration = props.get("Integration")
        integration = integration if isinstance(integration, dict) else {}
        kind = integration.get("Type")
        if isinstance(kind, str) and kind.upper() == "MOCK":
            continue  # nothing reaches a backend
        reason = _method_gap(props.get("RequestValidatorId"), validators)
        if reason is None:
            continue
        label = f"{method_label(res, app)} ({res.id})"
        splice = _raw_splice(integration) if str(kind).upper() in ("AWS", "HTTP") else None
        if splice is not None:
            yield Hit(
                prop_src(res, app, "Integration", "RequestTemplates", splice),
                f"{label} pastes the raw request body into its {splice} integration template "
                f"and {reason}: a crafted body can rewrite the backend request",
                subject=f"method {res.id}",
                severity=Severity.MEDIUM,
            )
            continue
        yield Hit(
            prop_src(res, app, "HttpMethod"),
            f"{label} accepts a request body and {reason}",
            subject=f"method {res.id}",
        )


def _greedy(path: Any) -> bool:
    """`/{proxy+}`: a whole web app behind one route routes and validates by itself; one
    schema cannot describe it."""
    return isinstance(path, str) and "+}" in path


def _takes_body(method: Any) -> bool:
    return isinstance(method, str) and method.upper() in BODY_METHODS


def _event_validated(event: Event, app: App) -> bool | None:
    """True/False for a serverless.yml http event or a SAM Api event; None when unknown."""
    props = event.properties
    if app.format is Format.SERVERLESS:
        request = props.get("request")
        if isinstance(request, dict) and ("schemas" in request or "schema" in request):
            return True
        if "reqValidatorName" in props:  # serverless-reqvalidator-plugin
            return True
        integration = props.get("integration")
        return None if isinstance(integration, str) and integration.lower() == "mock" else False
    api = next((a for a in app.apis if a.id == event.api_id), None)
    if api is None or "DefinitionBody" in api.properties or "DefinitionUri" in api.properties:
        return None  # validators may be declared in the OpenAPI document
    model = props.get("RequestModel")
    if not isinstance(model, dict):
        return False
    validate = model.get("ValidateBody")
    if validate is None:
        return False  # SAM adds no validator unless ValidateBody/ValidateParameters is set
    return validate if isinstance(validate, bool) else None


def _method_gap(validator_id: Any, validators: dict[str, Resource]) -> str | None:
    """Why a REST method's body is not validated, or None when it is (or may be)."""
    if validator_id is None:
        return "has no request validator (RequestValidatorId)"
    validator = validators.get(target(validator_id) or "")
    if validator is None:
        return None  # a validator of another stack, or not statically known
    body = validator.properties.get("ValidateRequestBody", False)
    if body is False:
        return f"its request validator {validator.id} does not validate the body"
    return None


def _raw_splice(integration: dict[str, Any]) -> str | None:
    """The content type whose mapping template pastes the body in unescaped, if any."""
    templates = integration.get("RequestTemplates")
    for content_type, template in templates.items() if isinstance(templates, dict) else ():
        if not isinstance(template, str):
            continue
        for match in _RAW_SPLICE.finditer(template):
            if not _ESCAPED_BEFORE.search(template[: match.start()]):
                return str(content_type)
    return None
