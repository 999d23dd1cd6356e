from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Function
from slsguard.rules.base import Hit, rule

# Environment switches that make a logging library write each invocation's whole event.
EVENT_LOGGING_SWITCHES = ("POWERTOOLS_LOGGER_LOG_EVENT",)
# Values Powertools (Python strtobool, TypeScript, Java, .NET) reads as true.
_TRUE = frozenset({"true", "1", "yes", "y", "on", "t"})


@rule(
    id="SLS0709",
    name="log-every-event",
    category=Category.SAS_7,
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    title="Function configured to log every incoming event",
    rationale=(
        "The whole event is written to CloudWatch Logs on every invocation: for HTTP and "
        "authorizer events that includes the Authorization header, cookies, API keys and "
        "request bodies, so credentials and personal data become readable by anyone with "
        "log access and stay there for the log retention period."
    ),
    fix=(
        "Remove `POWERTOOLS_LOGGER_LOG_EVENT` (or set it to `false`) from the function's "
        "environment: serverless.yml `environment` (provider or function), SAM and "
        "CloudFormation `Environment.Variables` (also `Globals.Function`); log selected, "
        "non-sensitive fields instead, and use it only temporarily in a test stage."
    ),
    fixes=(
        (
            "serverless",
            "Remove `POWERTOOLS_LOGGER_LOG_EVENT` (or set it to `false`) in "
            "`provider.environment` and the function's `environment`; log selected, non-sensitive "
            "fields instead, and turn it on only in a test stage (`${param:logEvent}`).",
        ),
        (
            "sam",
            "Remove `POWERTOOLS_LOGGER_LOG_EVENT` (or set it to `false`) in the function's "
            "`Environment.Variables` and in `Globals.Function`; log selected, non-sensitive "
            "fields instead, and turn it on only temporarily in a test stage.",
        ),
        (
            "cloudformation",
            "Remove `POWERTOOLS_LOGGER_LOG_EVENT` (or set it to `false`) in the "
            "`Environment.Variables` of the AWS::Lambda::Function; log selected, non-sensitive "
            "fields instead, and turn it on only temporarily in a test stage.",
        ),
    ),
    references=(
        "https://docs.powertools.aws.dev/lambda/python/latest/core/logger/#logging-incoming-event",
        "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html",
    ),
)
def log_every_event(fn: Function, app: App) -> Iterator[Hit]:
    for var in fn.environment:
        if var.name.upper() in EVENT_LOGGING_SWITCHES and _true(var.value):
            yield Hit(
                var.src,
                f"function {fn.id} logs every incoming event in full ({var.name} is on), "
                "tokens and credentials included",
                subject=f"function {fn.id}",
            )


def _true(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value == 1
    return isinstance(value, str) and value.strip().lower() in _TRUE
