from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Format
from slsguard.model.source import SourceRef
from slsguard.model.values import as_list
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas08_dos.common import resource


@rule(
    id="SLS0804",
    name="usage-plan-without-quota",
    category=Category.SAS_8,
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    title="API usage plan without a quota",
    rationale=(
        "A usage plan without a quota lets every API key make an unlimited number of requests "
        "per day or month: a leaked key, or one tenant, can run up the bill of the whole API "
        "(without a throttle as well, at whatever rate the stage allows)."
    ),
    fix=(
        "Set a quota on the plan: serverless.yml `provider.apiGateway.usagePlan.quota: {limit: "
        "5000, period: MONTH}` (and `throttle: {rateLimit, burstLimit}`); SAM "
        "`Auth.UsagePlan.Quota: {Limit: 5000, Period: MONTH}` on the AWS::Serverless::Api; "
        "CloudFormation `Quota: {Limit: 5000, Period: MONTH}` (and `Throttle`) on "
        "AWS::ApiGateway::UsagePlan. Quotas are best effort: keep a budget alarm too."
    ),
    fixes=(
        (
            "serverless",
            "Add `quota: {limit: 5000, period: MONTH}` (and `throttle: {rateLimit: 100, "
            "burstLimit: 50}`) to `provider.apiGateway.usagePlan`, or to each plan when it is a "
            "list. Quotas are best effort: keep a budget alarm too.",
        ),
        (
            "sam",
            "Add `Quota: {Limit: 5000, Period: MONTH}` (and `Throttle: {RateLimit: 100, "
            "BurstLimit: 50}`) to `Auth.UsagePlan` of the AWS::Serverless::Api (or "
            "`Globals.Api`). Quotas are best effort: keep a budget alarm too.",
        ),
        (
            "cloudformation",
            "Add `Quota: {Limit: 5000, Period: MONTH}` (and `Throttle: {RateLimit: 100, "
            "BurstLimit: 50}`) to the AWS::ApiGateway::UsagePlan. Quotas are best effort: keep a "
            "budget alarm too.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-usageplan.html",
        "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-apiusageplan.html",
        "https://www.serverless.com/framework/docs/providers/aws/events/apigateway#setting-api-keys-for-your-rest-api",
    ),
)
def usage_plan_without_quota(app: App, _: App) -> Iterator[Hit]:
    for res in app.resources:
        if res.type == "AWS::ApiGateway::UsagePlan" and res.properties.get("ApiStages"):
            yield from _plan(f"usage plan {res.id}", res.properties, "Quota", "Throttle", res.src)
    if app.format == Format.SAM:
        yield from _sam_plans(app)
    if app.format == Format.SERVERLESS:
        for api in app.apis:
            if api.kind != "rest" or api.throttling is None or resource(app, api.id) is not None:
                continue
            setting = api.throttling  # provider.apiGateway.usagePlan
            if isinstance(setting.value, dict):
                yield from _plan("the usage plan", setting.value, "quota", "throttle", setting.src)
            elif isinstance(setting.value, list):  # [{free: {...}}, {paid: {...}}]
                for index, item in enumerate(setting.value):
                    if isinstance(item, dict) and len(item) == 1:
                        ((name, spec),) = item.items()
                        src = app.at((*setting.src.path, index, name), setting.src)
                        yield from _plan(f"usage plan {name}", spec, "quota", "throttle", src)


def _sam_plans(app: App) -> Iterator[Hit]:
    for api in app.apis:
        auth = api.properties.get("Auth")
        plan = auth.get("UsagePlan") if isinstance(auth, dict) else None
        if not isinstance(plan, dict) or not isinstance(plan.get("CreateUsagePlan"), str):
            continue
        if plan["CreateUsagePlan"].upper() not in ("PER_API", "SHARED"):
            continue
        own = resource(app, api.id)
        own_auth = own.properties.get("Auth") if own is not None else None
        if isinstance(own_auth, dict) and "UsagePlan" in own_auth:
            src = app.at((*api.src.path, "Properties", "Auth", "UsagePlan"), api.src)
        else:  # inherited from Globals
            src = app.at(("Globals", "Api", "Auth", "UsagePlan"), api.src)
        yield from _plan(f"usage plan of {api.id}", plan, "Quota", "Throttle", src)


def _plan(label: str, spec: Any, quota: str, throttle: str, src: SourceRef) -> Iterator[Hit]:
    if not isinstance(spec, dict) or quota in spec:
        return  # a quota is set (whatever its value), or the plan is not readable
    unthrottled = throttle not in spec and not _stage_throttles(spec)
    yield Hit(
        src,
        f"{label} has no quota"
        + (" and no throttle" if unthrottled else "")
        + ", so each API key can make unlimited requests",
        subject=label,
        severity=Severity.MEDIUM if unthrottled else None,
    )


def _stage_throttles(spec: dict[str, Any]) -> bool:
    """CloudFormation per-stage throttles: ApiStages[].Throttle."""
    return any(isinstance(s, dict) and "Throttle" in s for s in as_list(spec.get("ApiStages")))
