from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Function
from slsguard.model.values import SYMBOLIC
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas05_monitoring.common import custom_resource_handlers


@rule(
    id="SLS0503",
    name="tracing-off",
    category=Category.SAS_5,
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    title="Function without active X-Ray tracing",
    rationale=(
        "Without tracing, a request cannot be followed across the API, the function and the "
        "services it calls: abnormal call patterns, injected downstream calls and the "
        "origin of an incident are much harder to see and reconstruct."
    ),
    fix=(
        "Turn on active tracing: serverless.yml `provider.tracing.lambda: true` (or "
        "`tracing: Active` on the function); SAM `Tracing: Active` on the function or in "
        "`Globals.Function`; CloudFormation `TracingConfig: {Mode: Active}`. Allow "
        "`xray:PutTraceSegments` and `xray:PutTelemetryRecords` to the role (SAM and the "
        "framework add them)."
    ),
    fixes=(
        (
            "serverless",
            "Set `tracing: {lambda: true}` under `provider` (or `tracing: Active` on the "
            "function); the framework adds the X-Ray permissions to the role it creates.",
        ),
        (
            "sam",
            "Set `Tracing: Active` on the function or in `Globals.Function`; SAM adds the X-Ray "
            "permissions to the role it creates (a custom `Role` needs `xray:PutTraceSegments` "
            "and `xray:PutTelemetryRecords`).",
        ),
        (
            "cloudformation",
            "Set `TracingConfig: {Mode: Active}` on the AWS::Lambda::Function and allow "
            "`xray:PutTraceSegments` and `xray:PutTelemetryRecords` to its role (e.g. the "
            "AWSXRayDaemonWriteAccess managed policy).",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-lambda-function-tracingconfig.html",
        "https://www.serverless.com/framework/docs/providers/aws/guide/functions#aws-x-ray-tracing",
    ),
)
def tracing_off(fn: Function, app: App) -> Iterator[Hit]:
    if fn.id in custom_resource_handlers(app):
        return  # a deployment-time helper serves no requests to trace
    subject = f"function {fn.id}"
    if fn.tracing is not None:
        value = fn.tracing.value
        if isinstance(value, SYMBOLIC) or value is True or str(value).lower() == "active":
            return
        yield Hit(
            fn.tracing.src,
            f"function {fn.id} has X-Ray tracing set to {value!r}, not Active",
            subject=subject,
        )
        return
    # A common slip: `Tracing: Active` written under environment only sets a variable.
    misplaced = next((v for v in fn.environment if v.name.lower() == "tracing"), None)
    if misplaced is not None:
        yield Hit(
            misplaced.src,
            f"function {fn.id}: `{misplaced.name}` is an environment variable, not the "
            "tracing setting, so X-Ray tracing stays off",
            subject=subject,
        )
        return
    yield Hit(fn.src, f"function {fn.id} has X-Ray tracing off", subject=subject)
