from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Format
from slsguard.model.source import SourceRef
from slsguard.model.values import SYMBOLIC
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas02_authentication.common import prop_src, resources_of


@rule(
    id="SLS0206",
    name="jwt-authorizer-incomplete",
    category=Category.SAS_2,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="JWT authorizer without an audience or an issuer",
    rationale=(
        "API Gateway accepts a JWT when its `iss` is the configured issuer and its `aud` or "
        "`client_id` is in the configured audience: without them nothing ties a token to "
        "your identity provider and to the client app this API was built for, so tokens "
        "minted for other apps of the same provider may be accepted."
    ),
    fix=(
        "Set both: serverless.yml `issuerUrl` and `audience` under "
        "`provider.httpApi.authorizers.<name>`; SAM `JwtConfiguration: {issuer: ..., "
        "audience: [...]}` in the HttpApi `Auth.Authorizers`; CloudFormation "
        "`JwtConfiguration: {Issuer: ..., Audience: [...]}` on the AWS::ApiGatewayV2::Authorizer. "
        "The audience is the app client id of the identity provider."
    ),
    fixes=(
        (
            "serverless",
            "Set both `issuerUrl` and `audience` on the authorizer in "
            "`provider.httpApi.authorizers`, e.g. `{issuerUrl: "
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123, audience: [<app client "
            "id>]}`. The audience is the app client id of the identity provider.",
        ),
        (
            "sam",
            "Set both keys in the `JwtConfiguration` of the authorizer in the "
            "AWS::Serverless::HttpApi `Auth.Authorizers`: `{issuer: !Sub "
            "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}, audience: [!Ref "
            "UserPoolClient]}` (SAM spells them in lower case). The audience is the app client id "
            "of the identity provider.",
        ),
        (
            "cloudformation",
            "Set `JwtConfiguration: {Issuer: !Sub "
            "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}, Audience: [!Ref "
            "UserPoolClient]}` on the AWS::ApiGatewayV2::Authorizer of `AuthorizerType: JWT`. The "
            "audience is the app client id of the identity provider.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-apigatewayv2-authorizer-jwtconfiguration.html",
        "https://www.serverless.com/framework/docs/providers/aws/events/http-api#jwt-authorizers",
    ),
)
def jwt_authorizer_incomplete(app: App, _: App) -> Iterator[Hit]:
    for api in app.apis:
        if api.kind != "http":
            continue
        if app.format is Format.SERVERLESS and api.src.path == ("provider",):
            # provider.httpApi.authorizers: a JWT authorizer unless `type: request`
            definitions = api.properties.get("authorizers")
            for name, spec in definitions.items() if isinstance(definitions, dict) else ():
                if not isinstance(spec, dict) or str(spec.get("type", "jwt")).lower() != "jwt":
                    continue
                src = app.at(("provider", "httpApi", "authorizers", name), api.src)
                yield from _check(f"JWT authorizer {name}", spec, "audience", "issuerUrl", src)
            continue
        auth = api.properties.get("Auth")
        definitions = auth.get("Authorizers") if isinstance(auth, dict) else None
        base = api.src.path if api.src.path[:1] == ("Globals",) else (*api.src.path, "Properties")
        for name, spec in definitions.items() if isinstance(definitions, dict) else ():
            jwt = spec.get("JwtConfiguration") if isinstance(spec, dict) else None
            if not isinstance(jwt, dict):
                continue  # a Lambda authorizer, or not statically known
            src = app.at((*base, "Auth", "Authorizers", name, "JwtConfiguration"), api.src)
            yield from _check(f"JWT authorizer {name} of {api.id}", jwt, "audience", "issuer", src)
    for res in resources_of(app, "AWS::ApiGatewayV2::Authorizer"):
        kind = res.properties.get("AuthorizerType")
        if not isinstance(kind, str) or kind.upper() != "JWT":
            continue
        jwt = res.properties.get("JwtConfiguration")
        if isinstance(jwt, SYMBOLIC):
            continue
        key = "JwtConfiguration" if isinstance(jwt, dict) else "AuthorizerType"
        yield from _check(
            f"JWT authorizer {res.id}",
            jwt if isinstance(jwt, dict) else {},
            "Audience",
            "Issuer",
            prop_src(res, app, key),
        )


def _check(
    label: str, spec: dict[str, Any], audience_key: str, issuer_key: str, src: SourceRef
) -> Iterator[Hit]:
    missing = [
        what
        for what, key in (("audience", audience_key), ("issuer", issuer_key))
        if _missing(spec.get(key))
    ]
    if missing:
        yield Hit(
            src,
            f"{label} has no {' and no '.join(missing)}: "
            "tokens are not tied to this API's client app and identity provider",
            subject=label.removeprefix("JWT "),
        )


def _missing(value: Any) -> bool:
    """Absent or empty; a value only known at deploy time is present."""
    if value is None:
        return True
    if isinstance(value, (str, list, dict)) and not value:
        return True
    return isinstance(value, list) and all(isinstance(v, str) and not v.strip() for v in value)
