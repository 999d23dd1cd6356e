from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import Api, App
from slsguard.model.source import SourceRef
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas02_authentication.common import (
    REST_METHOD,
    is_anonymous,
    mentions,
    method_auth_is_none,
    method_label,
    owning_resource,
    prop_src,
    resources_of,
    route_label,
    target,
)

WAF_ASSOCIATIONS = ("AWS::WAFv2::WebACLAssociation", "AWS::WAFRegional::WebACLAssociation")


@rule(
    id="SLS0108",
    name="public-api-without-waf",
    category=Category.SAS_1,
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    title="Public REST API with anonymous routes and no WAF web ACL",
    rationale=(
        "A web ACL in front of a REST API filters injection payloads (SQL, XSS, known bad "
        "inputs), oversized bodies and abusive clients before they reach a function; an API "
        "with anonymous routes and no web ACL takes every request as sent. Only REST APIs "
        "(API Gateway v1) can be associated with AWS WAF: HTTP and WebSocket APIs are never "
        "reported (put CloudFront with a web ACL in front of them instead)."
    ),
    fix=(
        "Associate an AWS WAFv2 web ACL (AWS managed rule groups such as "
        "AWSManagedRulesCommonRuleSet) with the API stage: an AWS::WAFv2::WebACLAssociation "
        "whose `ResourceArn` is the stage ARN (CloudFormation, SAM and serverless.yml "
        "`resources`; the serverless-associate-waf plugin's `custom.associateWaf` does the "
        "same). A web ACL managed outside the template (Firewall Manager): suppress the "
        "finding with that reason."
    ),
    fixes=(
        (
            "serverless",
            "Associate a WAFv2 web ACL with the API stage: the serverless-associate-waf plugin "
            "with `custom.associateWaf: {name: my-web-acl, version: V2}`, or an "
            "AWS::WAFv2::WebACLAssociation in `resources.Resources` whose `ResourceArn` is the "
            "stage of `ApiGatewayRestApi`. Use AWS managed rule groups such as "
            "AWSManagedRulesCommonRuleSet in the web ACL.",
        ),
        (
            "sam",
            "Add an AWS::WAFv2::WebACLAssociation with `ResourceArn: !Sub "
            "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${MyApi}/stages/"
            "${MyApi.Stage}` "
            "and the `WebACLArn` of a web ACL using AWS managed rule groups "
            "(AWSManagedRulesCommonRuleSet). A web ACL managed outside the template (Firewall "
            "Manager): suppress the finding with that reason.",
        ),
        (
            "cloudformation",
            "Add an AWS::WAFv2::WebACLAssociation whose `ResourceArn` is the stage ARN (`!Sub "
            "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api}/stages/${Stage}`) "
            "and whose `WebACLArn` is a web ACL with AWS managed rule groups "
            "(AWSManagedRulesCommonRuleSet). A web ACL managed outside the template (Firewall "
            "Manager): suppress the finding with that reason.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-aws-waf.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-wafv2-webaclassociation.html",
        "https://owasp.org/www-project-serverless-top-10/",
    ),
)
def public_api_without_waf(api: Api, app: App) -> Iterator[Hit]:
    if api.kind != "rest" or api.waf is not None:
        return
    if _private_or_unknown(api) or _waf_elsewhere(api, app):
        return
    if "restApiId" in api.properties:
        return  # serverless.yml adds routes to an API another stack owns (and protects)
    if _resource_policy(api):
        return  # may limit callers to source IPs or VPCs: not statically judged here
    public = _anonymous_routes(api, app)
    if not public:
        return
    explicit = any(r.id == api.id for r in app.resources)
    # A generated API (serverless.yml, SAM implicit API) has no line of its own: the first
    # anonymous route is where the user looks.
    src = api.src if explicit else public[0][1]
    shown = ", ".join(label for label, _ in public[:3])
    more = f" and {len(public) - 3} more" if len(public) > 3 else ""
    yield Hit(
        src,
        f"REST API {api.id} has no WAF web ACL although routes without an authorizer "
        f"({shown}{more}) take requests from the internet",
        subject=f"api {api.id}",
    )


def _anonymous_routes(api: Api, app: App) -> list[tuple[str, SourceRef]]:
    routes: list[tuple[str, SourceRef]] = []
    for fn in app.functions:
        for event in fn.events:
            if event.kind != "http" or event.api_id != api.id or not is_anonymous(event):
                continue
            if owning_resource(event, app) is None:  # methods are visited as resources below
                routes.append((route_label(event), event.src))
    for res in resources_of(app, REST_METHOD):
        verb = res.properties.get("HttpMethod")
        if target(res.properties.get("RestApiId")) != api.id or not method_auth_is_none(res):
            continue
        integration = res.properties.get("Integration")
        kind = integration.get("Type") if isinstance(integration, dict) else None
        if isinstance(kind, str) and kind.upper() == "MOCK":
            continue  # answered by API Gateway itself
        if isinstance(verb, str) and verb.upper() != "OPTIONS":
            routes.append((method_label(res, app), prop_src(res, app, "HttpMethod")))
    return routes


def _resource_policy(api: Api) -> bool:
    """CloudFormation `Policy`, SAM `Auth.ResourcePolicy`, serverless.yml
    `provider.apiGateway.resourcePolicy`."""
    auth = api.properties.get("Auth")
    return (
        api.properties.get("Policy") is not None
        or api.properties.get("resourcePolicy") is not None
        or (isinstance(auth, dict) and auth.get("ResourcePolicy") is not None)
    )


def _private_or_unknown(api: Api) -> bool:
    """A PRIVATE endpoint is reachable only from VPC endpoints; a type only known at deploy
    time may be PRIVATE too."""
    kind = api.endpoint_type
    if kind is None:
        return False  # EDGE for REST APIs and serverless.yml
    return not isinstance(kind, str) or kind.upper() == "PRIVATE"


def _waf_elsewhere(api: Api, app: App) -> bool:
    """A web ACL that may protect this API although the loader could not link it: an
    association whose target is not another API of the template, CloudFront with a web ACL
    in front, or the serverless-associate-waf plugin."""
    others = {a.id for a in app.apis if a.id != api.id}
    for res in resources_of(app, *WAF_ASSOCIATIONS):
        if not any(mentions(res.properties.get("ResourceArn"), other) for other in others):
            return True
    for res in resources_of(app, "AWS::CloudFront::Distribution"):
        config = res.properties.get("DistributionConfig")
        if isinstance(config, dict) and config.get("WebACLId") is not None:
            return True
    custom = app.custom.value if app.custom is not None else None
    return isinstance(custom, dict) and "associateWaf" in custom
