from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Function, Resource
from slsguard.model.values import as_list
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas08_dos.common import referenced_id, resource

_AUTHENTICATE = ("authenticate-cognito", "authenticate-oidc")


@rule(
    id="SLS0802",
    name="public-function-without-concurrency-limit",
    category=Category.SAS_8,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="Function open to the internet (URL, load balancer) without reserved concurrency",
    rationale=(
        "A function URL with AuthType NONE or an internet-facing load balancer has no "
        "throttling of its own: every request is an invocation, so a flood of requests scales "
        "the function up to the account's concurrency limit, runs up the bill and throttles "
        "every other function in the account and region. Reserved concurrency caps it."
    ),
    fix=(
        "Cap the function: serverless.yml `reservedConcurrency: 10` on the function, SAM and "
        "CloudFormation `ReservedConcurrentExecutions: 10` on the function (SAM also in "
        "`Globals.Function`). Where callers can sign requests, prefer `url: {authorizer: "
        "aws_iam}` / `FunctionUrlConfig.AuthType: AWS_IAM` / AWS::Lambda::Url `AuthType: "
        "AWS_IAM`, or an `authenticate-cognito`/`authenticate-oidc` listener action. Functions "
        "behind API Gateway are covered by SLS0803 (API throttling)."
    ),
    fixes=(
        (
            "serverless",
            "Cap the function with `reservedConcurrency: 10` (sized to the traffic you expect). "
            "Where callers can sign requests prefer `url: {authorizer: aws_iam}`; give `alb` "
            "events an `authorizer` (Cognito or OIDC).",
        ),
        (
            "sam",
            "Cap the function with `ReservedConcurrentExecutions: 10` (sized to the traffic you "
            "expect) on the function or in `Globals.Function`. Where callers can sign requests "
            "prefer `FunctionUrlConfig: {AuthType: AWS_IAM}`.",
        ),
        (
            "cloudformation",
            "Cap the function with `ReservedConcurrentExecutions: 10` (sized to the traffic you "
            "expect) on the AWS::Lambda::Function. Where callers can sign requests prefer "
            "`AuthType: AWS_IAM` on the AWS::Lambda::Url; put an `authenticate-cognito` or "
            "`authenticate-oidc` action before the listener's `forward`.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html",
        "https://www.serverless.com/framework/docs/providers/aws/guide/functions#reserved-concurrency",
    ),
)
def public_function_without_concurrency(fn: Function, app: App) -> Iterator[Hit]:
    if fn.reserved_concurrency is not None:
        return  # capped, or a value we cannot read: neither is a finding
    triggers: list[str] = []
    auth_type = fn.url.auth_type if fn.url is not None else None
    if isinstance(auth_type, str) and auth_type.upper() == "NONE":
        triggers.append("a function URL with AuthType NONE")
    triggers += [f"internet-facing load balancer {lb}" for lb in public_load_balancers(fn, app)]
    if triggers:
        yield Hit(
            fn.src,
            f"function {fn.id} is open to the internet through {' and '.join(triggers)} but has "
            "no reserved concurrency to cap how far a request flood can scale it",
            subject=f"function {fn.id}",
        )


def public_load_balancers(fn: Function, app: App) -> list[str]:
    """Logical ids of internet-facing load balancers that forward to fn without an
    authenticate action (serverless `alb` events and CloudFormation target groups)."""
    found: set[str] = set()
    for event in fn.events:
        # serverless `alb: {listenerArn: ...}`; an `authorizer` adds an authenticate action
        if event.kind == "alb" and "authorizer" not in event.properties:
            lb = _internet_facing(resource(app, referenced_id(event.source)), app)
            if lb:
                found.add(lb)
    groups = {
        r.id
        for r in app.resources
        if r.type == "AWS::ElasticLoadBalancingV2::TargetGroup"
        and r.properties.get("TargetType") == "lambda"
        and any(
            isinstance(t, dict) and referenced_id(t.get("Id")) == fn.id
            for t in as_list(r.properties.get("Targets"))
        )
    }
    if not groups:
        return sorted(found)
    for res in app.resources:
        if res.type == "AWS::ElasticLoadBalancingV2::Listener":
            listener: Resource | None = res
            actions = res.properties.get("DefaultActions")
        elif res.type == "AWS::ElasticLoadBalancingV2::ListenerRule":
            listener = resource(app, referenced_id(res.properties.get("ListenerArn")))
            actions = res.properties.get("Actions")
        else:
            continue
        if _forwards_unauthenticated(actions, groups):
            lb = _internet_facing(listener, app)
            if lb:
                found.add(lb)
    return sorted(found)


def _forwards_unauthenticated(actions: Any, groups: set[str]) -> bool:
    items = [a for a in as_list(actions) if isinstance(a, dict)]
    if any(a.get("Type") in _AUTHENTICATE for a in items):
        return False
    for action in items:
        if action.get("Type") != "forward":
            continue
        forward = action.get("ForwardConfig")
        targets = [action.get("TargetGroupArn")] + [
            t.get("TargetGroupArn")
            for t in as_list(forward.get("TargetGroups") if isinstance(forward, dict) else None)
            if isinstance(t, dict)
        ]
        if any(referenced_id(t) in groups for t in targets):
            return True
    return False


def _internet_facing(listener: Resource | None, app: App) -> str | None:
    if listener is None or listener.type != "AWS::ElasticLoadBalancingV2::Listener":
        return None
    lb = resource(app, referenced_id(listener.properties.get("LoadBalancerArn")))
    if lb is None or lb.type != "AWS::ElasticLoadBalancingV2::LoadBalancer":
        return None  # a load balancer outside the template: its scheme is unknown
    scheme = lb.properties.get("Scheme", "internet-facing")  # the CloudFormation default
    return lb.id if scheme == "internet-facing" else None
