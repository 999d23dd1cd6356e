from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Event, Function
from slsguard.model.values import to_int
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas08_dos.common import stream_kind

# SAM/CloudFormation and serverless.yml spellings; -1 (the default) means unlimited
_RETRIES = ("MaximumRetryAttempts", "maximumRetryAttempts")
_AGE = ("MaximumRecordAgeInSeconds", "maximumRecordAgeInSeconds")


@rule(
    id="SLS0809",
    name="stream-without-retry-limit",
    category=Category.SAS_8,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="Kinesis or DynamoDB stream trigger that retries a failing batch until it expires",
    rationale=(
        "By default Lambda retries a failing stream batch until its records expire (24 hours "
        "for DynamoDB streams, up to 365 days for Kinesis): one poison record blocks its shard "
        "and keeps the function running, and billing, on the same batch all that time."
    ),
    fix=(
        "Bound the retries on the event source mapping and keep the failures: serverless.yml "
        "stream event `maximumRetryAttempts: 3` (and `maximumRecordAgeInSeconds`, "
        "`bisectBatchOnFunctionError: true`, `destinations.onFailure`); SAM Kinesis/DynamoDB "
        "event `MaximumRetryAttempts: 3` (with `BisectBatchOnFunctionError`, "
        "`DestinationConfig`); CloudFormation AWS::Lambda::EventSourceMapping "
        "`MaximumRetryAttempts: 3` or `MaximumRecordAgeInSeconds`."
    ),
    fixes=(
        (
            "serverless",
            "Bound the retries on the `stream` event: `maximumRetryAttempts: 3` (or "
            "`maximumRecordAgeInSeconds: 3600`), with `bisectBatchOnFunctionError: true` and "
            "`destinations: {onFailure: <queue or topic ARN>}` to keep the failed records.",
        ),
        (
            "sam",
            "Bound the retries on the `Kinesis` or `DynamoDB` event: `MaximumRetryAttempts: 3` "
            "(or `MaximumRecordAgeInSeconds: 3600`), with `BisectBatchOnFunctionError: true` and "
            "`DestinationConfig: {OnFailure: {Destination: !GetAtt FailedRecords.Arn}}`.",
        ),
        (
            "cloudformation",
            "Set `MaximumRetryAttempts: 3` (or `MaximumRecordAgeInSeconds: 3600`) on the "
            "AWS::Lambda::EventSourceMapping, with `BisectBatchOnFunctionError: true` and "
            "`DestinationConfig: {OnFailure: {Destination: !GetAtt FailedRecords.Arn}}`.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventsourcemapping.html",
        "https://www.serverless.com/framework/docs/providers/aws/events/streams",
    ),
)
def stream_without_retry_limit(fn: Function, app: App) -> Iterator[Hit]:
    for event in fn.events:
        kind = stream_kind(event, app)
        if kind is None or _bounded(event, _RETRIES) or _bounded(event, _AGE):
            continue
        source = "Kinesis stream" if kind == "kinesis" else "DynamoDB stream"
        yield Hit(
            event.src,
            f"the {source} trigger of function {fn.id} has no MaximumRetryAttempts or "
            "MaximumRecordAgeInSeconds limit, so a failing record is retried until it expires",
            subject=f"function {fn.id}",
        )


def _bounded(event: Event, keys: tuple[str, ...]) -> bool:
    """True when a limit is set, or set to a value we cannot read (not a finding either)."""
    values: list[Any] = [event.properties[k] for k in keys if k in event.properties]
    return any(to_int(v) != -1 for v in values)
