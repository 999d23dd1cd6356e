from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Format, Function, Resource
from slsguard.model.values import SYMBOLIC, as_list
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas05_monitoring.common import (
    custom_resource_handlers,
    function_logical_ids,
    mentions,
    resources_of,
)

# Lambda metrics that say invocations fail or are rejected.
FAILURE_METRICS = frozenset(
    {
        "Errors",
        "Throttles",
        "DeadLetterErrors",
        "DestinationDeliveryFailures",
        "AsyncEventsDropped",
    }
)


@rule(
    id="SLS0505",
    name="no-error-alarm",
    category=Category.SAS_5,
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    title="Functions without a CloudWatch alarm on their errors or throttles",
    rationale=(
        "Errors and throttles are the first visible sign of an attack on a function "
        "(malformed input, brute force, denial of wallet) and of a broken deployment; "
        "without an alarm nobody is told, and the logs are read only after the damage."
    ),
    fix=(
        "Add an `AWS::CloudWatch::Alarm` on the `AWS/Lambda` `Errors` and `Throttles` metrics "
        "with the function's `FunctionName` dimension (in serverless.yml under "
        "`resources.Resources`, or with the serverless-plugin-aws-alerts `custom.alerts` "
        "settings; in SAM and CloudFormation as a resource of the template), with an SNS "
        "action that reaches a person."
    ),
    fixes=(
        (
            "serverless",
            "Add alarms with the serverless-plugin-aws-alerts plugin (`custom.alerts: {topics: "
            "{alarm: <SNS topic>}, alarms: [functionErrors, functionThrottles]}`), or an "
            "AWS::CloudWatch::Alarm in `resources.Resources` on `AWS/Lambda` `Errors` with the "
            "dimension `FunctionName: !Ref HelloLambdaFunction` and `AlarmActions` that reach a "
            "person.",
        ),
        (
            "sam",
            "Add an AWS::CloudWatch::Alarm with `Namespace: AWS/Lambda`, `MetricName: Errors` "
            "(and one on `Throttles`), `Dimensions: [{Name: FunctionName, Value: !Ref "
            "MyFunction}]` and `AlarmActions: [!Ref AlertTopic]`, an SNS topic that reaches a "
            "person.",
        ),
        (
            "cloudformation",
            "Add an AWS::CloudWatch::Alarm with `Namespace: AWS/Lambda`, `MetricName: Errors` "
            "(and one on `Throttles`), `Dimensions: [{Name: FunctionName, Value: !Ref "
            "MyFunction}]` and `AlarmActions: [!Ref AlertTopic]`. An alarm without the "
            "`FunctionName` dimension covers every function of the account and region.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-alarm.html",
    ),
)
def no_error_alarm(app: App, _: App) -> Iterator[Hit]:
    if not app.functions:
        return
    custom = app.custom.value if app.custom is not None else None
    if isinstance(custom, dict) and "alerts" in custom:
        return  # serverless-plugin-aws-alerts creates the alarms
    alarms = [
        r for r in resources_of(app, "AWS::CloudWatch::Alarm") if _watches_failures(r.properties)
    ]
    if any(_account_wide(a.properties) for a in alarms):
        return
    helpers = custom_resource_handlers(app)  # deployment-time helpers need no alarm
    missing = [
        fn
        for fn in app.functions
        if fn.id not in helpers and not any(_covers(a, fn, app) for a in alarms)
    ]
    if not missing:
        return
    names = ", ".join(fn.id for fn in missing[:5])
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    yield Hit(
        missing[0].src,
        f"no CloudWatch alarm on errors or throttles of function"
        f"{'s' if len(missing) > 1 else ''} {names}{more}",
        subject=f"function {missing[0].id}",
    )


def _metric_specs(props: dict[str, Any]) -> list[dict[str, Any]]:
    """The metric(s) an alarm watches: its own, or those of a metric math expression."""
    specs = [props]
    for query in as_list(props.get("Metrics")):
        stat = query.get("MetricStat") if isinstance(query, dict) else None
        metric = stat.get("Metric") if isinstance(stat, dict) else None
        if isinstance(metric, dict):
            specs.append(metric)
    return specs


def _watches_failures(props: dict[str, Any]) -> bool:
    for spec in _metric_specs(props):
        name = spec.get("MetricName")
        if isinstance(name, SYMBOLIC) or name in FAILURE_METRICS:
            return True
    return False


def _account_wide(props: dict[str, Any]) -> bool:
    """An AWS/Lambda alarm without a FunctionName dimension watches every function."""
    for spec in _metric_specs(props):
        if spec.get("Namespace") == "AWS/Lambda" and spec.get("MetricName") in FAILURE_METRICS:
            dimensions = [d for d in as_list(spec.get("Dimensions")) if isinstance(d, dict)]
            if not any(d.get("Name") in ("FunctionName", "Resource") for d in dimensions):
                return True
    return False


def _covers(alarm: Resource, fn: Function, app: App) -> bool:
    ids = function_logical_ids(fn)
    for spec in _metric_specs(alarm.properties):
        for dimension in as_list(spec.get("Dimensions")):
            value = dimension.get("Value") if isinstance(dimension, dict) else None
            if mentions(value, ids) or (isinstance(value, str) and value == fn.name):
                return True
            # The framework names a function service-stage-function unless `name` is set.
            if (
                isinstance(value, str)
                and fn.format == Format.SERVERLESS
                and fn.name is None
                and value.startswith(f"{app.name}-")
                and value.endswith(f"-{fn.id}")
            ):
                return True
    return False
