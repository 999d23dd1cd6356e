from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Format
from slsguard.model.source import SourceRef
from slsguard.model.values import as_list
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas03_deployment.common import api_prop_src, prop_src

_REST_DOMAINS = ("AWS::ApiGateway::DomainName", "AWS::ApiGateway::DomainNameV2")


def _tls10(value: Any) -> bool:
    return isinstance(value, str) and value.strip().upper() in ("TLS_1_0", "TLS-1-0")


@rule(
    id="SLS0310",
    name="api-domain-tls-1-0",
    category=Category.SAS_3,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="API custom domain allows TLS 1.0 (SecurityPolicy TLS_1_0)",
    rationale=(
        "The TLS_1_0 security policy lets clients negotiate TLS 1.0 and 1.1, deprecated "
        "protocols (RFC 8996) with known downgrade weaknesses; TLS_1_2 refuses them. An "
        "omitted SecurityPolicy is not reported."
    ),
    fix=(
        "Set the security policy to TLS_1_2: serverless.yml `custom.customDomain."
        "securityPolicy: tls_1_2` (serverless-domain-manager, also in `customDomains`), SAM "
        "`Domain.SecurityPolicy: TLS_1_2` on AWS::Serverless::Api/HttpApi (or Globals), "
        "CloudFormation `SecurityPolicy: TLS_1_2` on AWS::ApiGateway::DomainName and "
        "`DomainNameConfigurations[].SecurityPolicy` on AWS::ApiGatewayV2::DomainName."
    ),
    fixes=(
        (
            "serverless",
            "Set `securityPolicy: tls_1_2` in serverless-domain-manager's `custom.customDomain` "
            "(or in each entry of `custom.customDomains`); similarly `SecurityPolicy: TLS_1_2` on "
            "an AWS::ApiGateway::DomainName in `resources.Resources`.",
        ),
        (
            "sam",
            "Set `Domain: {SecurityPolicy: TLS_1_2, ...}` on the AWS::Serverless::Api or "
            "AWS::Serverless::HttpApi (or in `Globals`); similarly `SecurityPolicy: TLS_1_2` on "
            "an AWS::ApiGateway::DomainName resource.",
        ),
        (
            "cloudformation",
            "Set `SecurityPolicy: TLS_1_2` on the AWS::ApiGateway::DomainName; similarly "
            "`DomainNameConfigurations[].SecurityPolicy: TLS_1_2` on an "
            "AWS::ApiGatewayV2::DomainName.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-custom-domain-tls-version.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-domainname.html",
        "https://github.com/amplify-education/serverless-domain-manager#configuration-parameters",
    ),
)
def domain_tls10(app: App, _: App) -> Iterator[Hit]:
    for res in app.resources:
        if res.type in _REST_DOMAINS and _tls10(res.properties.get("SecurityPolicy")):
            yield _hit(prop_src(app, res, "SecurityPolicy"), _label(res.properties, res.id))
        elif res.type == "AWS::ApiGatewayV2::DomainName":
            configs = as_list(res.properties.get("DomainNameConfigurations"))
            for index, config in enumerate(configs):
                if isinstance(config, dict) and _tls10(config.get("SecurityPolicy")):
                    src = prop_src(app, res, "DomainNameConfigurations", index, "SecurityPolicy")
                    yield _hit(src, _label(res.properties, res.id))
    if app.format is Format.SAM:
        for api in app.apis:
            domain = api.properties.get("Domain")
            if isinstance(domain, dict) and _tls10(domain.get("SecurityPolicy")):
                src = api_prop_src(app, api, "Domain")
                label = _label(domain, f"of API {api.id}")
                yield _hit(app.at((*src.path, "SecurityPolicy"), src), label)
    yield from _domain_manager(app)


def _domain_manager(app: App) -> Iterator[Hit]:
    """serverless-domain-manager: custom.customDomain, or custom.customDomains as a list
    of {rest|http|websocket: {...}} (or plain {...}) entries."""
    custom = app.custom
    if custom is None or not isinstance(custom.value, dict):
        return
    base = custom.src.path
    single = custom.value.get("customDomain")
    if isinstance(single, dict) and _tls10(single.get("securityPolicy")):
        src = app.at((*base, "customDomain", "securityPolicy"), custom.src)
        yield _hit(src, _label(single, "in custom.customDomain"))
    for index, entry in enumerate(as_list(custom.value.get("customDomains"))):
        if not isinstance(entry, dict):
            continue
        nested = [(k, v) for k, v in entry.items() if k in ("rest", "http", "websocket")]
        for key, config in nested or [(None, entry)]:
            if isinstance(config, dict) and _tls10(config.get("securityPolicy")):
                path = (*base, "customDomains", index, *([key] if key else []), "securityPolicy")
                yield _hit(app.at(path, custom.src), _label(config, "in custom.customDomains"))


def _label(config: dict[str, Any], fallback: str) -> str:
    """The domain name when written literally (DomainName / domainName), else fallback."""
    name = config.get("DomainName", config.get("domainName"))
    return name if isinstance(name, str) else fallback


def _hit(src: SourceRef, domain: str) -> Hit:
    return Hit(
        src,
        f"custom domain {domain} uses SecurityPolicy TLS_1_0, which accepts TLS 1.0 and 1.1",
        subject=f"domain {domain}",
    )
