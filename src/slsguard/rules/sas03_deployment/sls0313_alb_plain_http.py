from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Resource
from slsguard.model.values import SYMBOLIC, as_list
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas03_deployment.common import mentions, prop_src

_LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"
_LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"


def _only_https_redirect_or_fixed(actions: Any) -> bool | None:
    """True when no action serves traffic (redirects to HTTPS, fixed responses)."""
    items = as_list(actions)
    if not items:
        return True
    for action in items:
        if not isinstance(action, dict):
            return None
        kind = action.get("Type")
        if isinstance(kind, SYMBOLIC):
            return None
        if kind == "fixed-response":
            continue
        redirect = action.get("RedirectConfig")
        if kind == "redirect" and isinstance(redirect, dict):
            protocol = redirect.get("Protocol")
            if isinstance(protocol, SYMBOLIC):
                return None
            if protocol == "HTTPS":
                continue
        return False
    return True


def _internet_facing(app: App, listener: Resource) -> str | None:
    """The load balancer's id when it is an internet-facing ALB of this template."""
    arn = listener.properties.get("LoadBalancerArn")
    lb = next((r for r in app.resources if r.type == _LOAD_BALANCER and mentions(arn, r.id)), None)
    if lb is None:
        return None  # a load balancer defined elsewhere: scheme unknown
    scheme = lb.properties.get("Scheme", "internet-facing")  # the documented default
    kind = lb.properties.get("Type", "application")
    if scheme == "internet-facing" and kind == "application":
        return lb.id
    return None


@rule(
    id="SLS0313",
    name="alb-plain-http-listener",
    category=Category.SAS_3,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="Internet-facing Application Load Balancer serves traffic over plain HTTP",
    rationale=(
        "An HTTP listener on an internet-facing ALB that forwards requests (to a Lambda "
        "target group or anything else) carries request bodies, cookies and tokens in clear "
        "text across the internet. A listener whose actions only redirect to HTTPS (or "
        "return fixed responses) is fine."
    ),
    fix=(
        "Serve the application on an HTTPS listener (`Protocol: HTTPS` with "
        "`Certificates` and an `SslPolicy`) and make the HTTP listener's `DefaultActions` a "
        "`redirect` with `RedirectConfig.Protocol: HTTPS`; move listener rules and "
        "serverless.yml `alb` events (`listenerArn`) to the HTTPS listener. The "
        "AWS::ElasticLoadBalancingV2::Listener lives in serverless.yml `resources.Resources`, "
        "SAM or CloudFormation `Resources`."
    ),
    fixes=(
        (
            "serverless",
            "Add an HTTPS AWS::ElasticLoadBalancingV2::Listener (`Protocol: HTTPS`, "
            "`Certificates`, `SslPolicy`) in `resources.Resources`, point the functions' `alb` "
            "events at it (`listenerArn: !Ref HttpsListener`), and make the HTTP listener's "
            "`DefaultActions` a `redirect` with `RedirectConfig: {Protocol: HTTPS, Port: '443', "
            "StatusCode: HTTP_301}`.",
        ),
        (
            "sam",
            "Serve the function's target group (`TargetType: lambda`) from an HTTPS "
            "AWS::ElasticLoadBalancingV2::Listener (`Protocol: HTTPS`, `Certificates`, "
            "`SslPolicy`), and make the HTTP listener's `DefaultActions` a `redirect` with "
            "`RedirectConfig: {Protocol: HTTPS, Port: '443', StatusCode: HTTP_301}`. SAM has no "
            "load balancer event: these are plain resources of the template.",
        ),
        (
            "cloudformation",
            "Add an HTTPS AWS::ElasticLoadBalancingV2::Listener (`Protocol: HTTPS`, "
            "`Certificates`, `SslPolicy`), move the forwarding listener rules to it, and make the "
            "HTTP listener's `DefaultActions` a `redirect` with `RedirectConfig: {Protocol: "
            "HTTPS, Port: '443', StatusCode: HTTP_301}`.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/create-https-listener.html",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html",
    ),
)
def alb_plain_http(res: Resource, app: App) -> Iterator[Hit]:
    if res.type != _LISTENER or res.properties.get("Protocol") != "HTTP":
        return
    lb_id = _internet_facing(app, res)
    if lb_id is None:
        return
    serves = []
    default = _only_https_redirect_or_fixed(res.properties.get("DefaultActions"))
    if default is None:
        return
    if default is False:
        serves.append("its default action forwards")
    for other in app.resources:
        if other.type != _RULE or not mentions(other.properties.get("ListenerArn"), res.id):
            continue
        if _only_https_redirect_or_fixed(other.properties.get("Actions")) is False:
            serves.append(f"listener rule {other.id} forwards")
    for fn in app.functions:
        for event in fn.events:
            if event.kind == "alb" and mentions(event.source, res.id):
                serves.append(f"function {fn.id} is attached")
    if not serves:
        return
    yield Hit(
        prop_src(app, res, "Protocol"),
        f"listener {res.id} of internet-facing load balancer {lb_id} accepts plain HTTP and "
        f"{', '.join(serves)}",
        subject=f"listener {res.id}",
    )
