from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Function
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas08_dos.common import ASYNC_KINDS, names

# serverless.yml, SAM/CloudFormation spellings of the two limits
_LIMITS = (
    "maximumRetryAttempts",
    "maximumEventAge",
    "MaximumRetryAttempts",
    "MaximumEventAgeInSeconds",
)


@rule(
    id="SLS0806",
    name="async-invoke-without-retry-limits",
    category=Category.SAS_8,
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    title="Asynchronously invoked function without retry or event age limits",
    rationale=(
        "Lambda retries a failed asynchronous invocation (S3, SNS, EventBridge, schedules ...) "
        "twice and keeps events for up to 6 hours by default: every failing event costs three "
        "runs, and a downstream outage turns into hours of retry traffic that competes with "
        "fresh events for concurrency."
    ),
    fix=(
        "Choose the limits the function can afford: serverless.yml function "
        "`maximumRetryAttempts: 0` and `maximumEventAge: 3600`; SAM `EventInvokeConfig: "
        "{MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600}` on the function (or in "
        "`Globals.Function`); CloudFormation an AWS::Lambda::EventInvokeConfig with "
        "`MaximumRetryAttempts` and `MaximumEventAgeInSeconds`. Send what still fails to an "
        "on-failure destination."
    ),
    fixes=(
        (
            "serverless",
            "Set `maximumRetryAttempts: 0` (0 to 2) and `maximumEventAge: 3600` (60 to 21600 "
            "seconds) on the function, and send what still fails to `destinations.onFailure`.",
        ),
        (
            "sam",
            "Set `EventInvokeConfig: {MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600}` "
            "on the function (or in `Globals.Function`), with `DestinationConfig.OnFailure` for "
            "what still fails.",
        ),
        (
            "cloudformation",
            "Add an AWS::Lambda::EventInvokeConfig for the function (`FunctionName: !Ref "
            "MyFunction`, `Qualifier: $LATEST`) with `MaximumRetryAttempts: 0` and "
            "`MaximumEventAgeInSeconds: 3600`, and a `DestinationConfig.OnFailure` for what still "
            "fails.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventinvokeconfig.html",
        "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-eventinvokeconfiguration.html",
        "https://www.serverless.com/framework/docs/providers/aws/guide/functions#asynchronous-invocation",
    ),
)
def async_without_retry_limits(fn: Function, app: App) -> Iterator[Hit]:
    kinds = [e.kind for e in fn.events if e.kind in ASYNC_KINDS]
    if not kinds:
        return
    config = fn.invoke_config
    if config is not None and (
        not isinstance(config.value, dict) or any(k in config.value for k in _LIMITS)
    ):
        return  # limits chosen (whatever their value), or a config we cannot read
    yield Hit(
        config.src if config is not None else fn.src,
        f"function {fn.id} is invoked asynchronously ({names(kinds)}) with the default "
        "retries and event age, so each failing event runs three times over up to 6 hours",
        subject=f"function {fn.id}",
    )
