from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App
from slsguard.model.source import SourceRef
from slsguard.model.values import as_list
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas03_deployment.common import api_prop_src, prop_src, truthy

_WRITE_METHODS = frozenset({"PUT", "POST", "DELETE", "*"})
_ORIGIN = "method.response.header.Access-Control-Allow-Origin"
_CREDENTIALS = "method.response.header.Access-Control-Allow-Credentials"


def _any_origin(value: Any) -> bool:
    """ "*" in an origin list; SAM REST APIs write header values quoted ("'*'")."""
    return any(isinstance(v, str) and v.strip().strip("'") == "*" for v in as_list(value))


def _get(config: dict[str, Any], *names: str) -> Any:
    """A key by any of its spellings (serverless camelCase, CloudFormation PascalCase)."""
    lowered = {str(k).lower(): v for k, v in config.items()}
    return next((lowered[n.lower()] for n in names if n.lower() in lowered), None)


def _credentialed_wildcard(config: Any, origin_keys: tuple[str, ...]) -> bool:
    if not isinstance(config, dict):
        return False
    origins = _get(config, *origin_keys)
    return _any_origin(origins) and truthy(_get(config, "allowCredentials")) is True


@rule(
    id="SLS0309",
    name="cors-any-origin-with-credentials",
    category=Category.SAS_3,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="CORS allows any origin together with credentials (or any origin to write to S3)",
    rationale=(
        "Allowing every origin while allowing credentials tells browsers that any web site "
        "may send the user's cookies or authorization to the API and read the answer; "
        "browsers refuse the literal combination, which pushes code toward echoing the "
        "caller's Origin, the classic CORS account-takeover pattern. S3 has no credentials "
        "setting: a bucket is reported (low) when any origin may send it writes."
    ),
    fix=(
        "List the exact origins of your front ends, or turn credentials off: serverless.yml "
        "`cors: {origins: [https://app.example.com], allowCredentials: true}` on http events "
        "and `provider.httpApi.cors.allowedOrigins`; SAM `Cors.AllowOrigin` (Api) or "
        "`CorsConfiguration.AllowOrigins` (HttpApi) and `FunctionUrlConfig.Cors`; "
        "CloudFormation AWS::ApiGatewayV2::Api `CorsConfiguration`, AWS::Lambda::Url `Cors`, "
        "the Access-Control-Allow-* headers of AWS::ApiGateway::Method OPTIONS responses, and "
        "AWS::S3::Bucket `CorsConfiguration.CorsRules[].AllowedOrigins`."
    ),
    fixes=(
        (
            "serverless",
            "List the exact origins, or turn credentials off: `cors: {origins: "
            "[https://app.example.com], allowCredentials: true}` on `http` events, "
            "`provider.httpApi.cors.allowedOrigins` and `url: {cors: {allowedOrigins: "
            "[https://app.example.com]}}`. Similarly for the `AllowedOrigins` of an "
            "AWS::S3::Bucket `CorsConfiguration` in `resources.Resources` that allows writes.",
        ),
        (
            "sam",
            "List the exact origins, or turn credentials off: `Cors: {AllowOrigin: "
            "\"'https://app.example.com'\", AllowCredentials: true}` on the AWS::Serverless::Api, "
            "`CorsConfiguration.AllowOrigins` on the AWS::Serverless::HttpApi and "
            "`FunctionUrlConfig.Cors.AllowOrigins`. Similarly for the "
            "`CorsRules[].AllowedOrigins` of an AWS::S3::Bucket that allows writes.",
        ),
        (
            "cloudformation",
            "List the exact origins, or turn credentials off: `CorsConfiguration.AllowOrigins` on "
            "the AWS::ApiGatewayV2::Api, `Cors.AllowOrigins` on the AWS::Lambda::Url and the "
            "`Access-Control-Allow-Origin` response parameter of OPTIONS AWS::ApiGateway::Method "
            "integrations. Similarly for the `CorsConfiguration.CorsRules[].AllowedOrigins` of an "
            "AWS::S3::Bucket that allows writes.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html",
        "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Credentials",
    ),
)
def cors_any_origin_with_credentials(app: App, _: App) -> Iterator[Hit]:
    for fn in app.functions:
        for event in fn.events:
            cors = event.properties.get("cors") if event.kind == "http" else None
            if _credentialed_wildcard(cors, ("origins", "origin")):
                yield Hit(
                    app.at((*event.src.path, "cors"), event.src),
                    f"function {fn.id}'s {event.method} {event.path} endpoint allows CORS "
                    "from any origin with credentials",
                    subject=f"function {fn.id}",
                )
        url = fn.url
        if url is not None and _credentialed_wildcard(url.cors, ("allowOrigins", "allowedOrigins")):
            yield Hit(
                _url_cors_src(app, url.src),
                f"function {fn.id}'s function URL allows CORS from any origin with credentials",
                subject=f"function {fn.id}",
            )
    for api in app.apis:
        for key, origin_keys in (
            ("cors", ("allowedOrigins",)),
            ("Cors", ("AllowOrigin",)),
            ("CorsConfiguration", ("AllowOrigins",)),
        ):
            if _credentialed_wildcard(api.properties.get(key), origin_keys):
                yield Hit(
                    api_prop_src(app, api, key),
                    f"API {api.id} allows CORS from any origin with credentials",
                    subject=f"API {api.id}",
                )
    yield from _rest_method_headers(app)
    yield from _bucket_cors(app)


def _url_cors_src(app: App, src: SourceRef) -> SourceRef:
    path = src.path
    if path and path[-1] == "AuthType":  # SAM FunctionUrlConfig / AWS::Lambda::Url
        return app.at((*path[:-1], "Cors"), src)
    return app.at((*path, "cors"), src)  # serverless `url:`


def _rest_method_headers(app: App) -> Iterator[Hit]:
    """OPTIONS mocks of REST APIs written by hand in CloudFormation."""
    for res in app.resources:
        if res.type != "AWS::ApiGateway::Method":
            continue
        integration = res.properties.get("Integration")
        responses = (
            integration.get("IntegrationResponses") if isinstance(integration, dict) else None
        )
        for index, response in enumerate(as_list(responses)):
            params = response.get("ResponseParameters") if isinstance(response, dict) else None
            if not isinstance(params, dict):
                continue
            credentials = params.get(_CREDENTIALS)
            if not isinstance(credentials, str) or not _any_origin(params.get(_ORIGIN)):
                continue
            if truthy(credentials.strip().strip("'")) is True:
                path = ("Integration", "IntegrationResponses", index, "ResponseParameters")
                yield Hit(
                    prop_src(app, res, *path, _ORIGIN),
                    f"method {res.id} answers Access-Control-Allow-Origin '*' with "
                    "Access-Control-Allow-Credentials 'true'",
                    subject=f"method {res.id}",
                )


def _bucket_cors(app: App) -> Iterator[Hit]:
    """S3 has no credentials switch: '*' matters when it lets any site drive writes."""
    for res in app.resources:
        if res.type != "AWS::S3::Bucket":
            continue
        cors = res.properties.get("CorsConfiguration")
        rules = cors.get("CorsRules") if isinstance(cors, dict) else None
        for index, cors_rule in enumerate(as_list(rules)):
            if not isinstance(cors_rule, dict) or not _any_origin(cors_rule.get("AllowedOrigins")):
                continue
            methods = {str(m).upper() for m in as_list(cors_rule.get("AllowedMethods"))}
            writes = methods & _WRITE_METHODS
            if writes:
                yield Hit(
                    prop_src(app, res, "CorsConfiguration", "CorsRules", index, "AllowedOrigins"),
                    f"bucket {res.id} lets any origin send {', '.join(sorted(writes))} requests "
                    "(CORS AllowedOrigins '*')",
                    subject=f"bucket {res.id}",
                    severity=Severity.LOW,
                )
