from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Function
from slsguard.rules.base import Hit, rule

# Sources that invoke a function asynchronously (InvocationType Event): Lambda queues the
# event, retries twice, then drops it unless a DLQ or on-failure destination is set.
# Queues and streams are polled synchronously (their failures stay on the queue/mapping);
# Cognito user pool, Alexa and HTTP triggers wait for the response.
ASYNC_KINDS = frozenset(
    {"s3", "sns", "eventBridge", "cloudwatchEvent", "schedule", "cloudwatchLog", "iot"}
)


@rule(
    id="SLS0504",
    name="async-function-without-dlq",
    category=Category.SAS_5,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="Asynchronously invoked function without an on-failure destination or DLQ",
    rationale=(
        "An asynchronous invocation that still fails after Lambda's retries is discarded: "
        "without a dead-letter queue or on-failure destination the lost events, and the "
        "attack or fault that made them fail, leave no trace."
    ),
    fix=(
        "Capture failed events: serverless.yml `destinations.onFailure` (or `onError`, an SNS "
        "topic ARN) on the function; SAM `DeadLetterQueue` or "
        "`EventInvokeConfig.DestinationConfig.OnFailure`; CloudFormation "
        "`DeadLetterConfig.TargetArn` on `AWS::Lambda::Function` or an "
        "`AWS::Lambda::EventInvokeConfig` with `DestinationConfig.OnFailure`. Alarm on the "
        "queue's depth."
    ),
    fixes=(
        (
            "serverless",
            "Capture failed events on the function: `destinations: {onFailure: <queue, topic, bus "
            "or function ARN>}`, or `onError: <SNS topic ARN>` as dead-letter queue. Alarm on the "
            "destination's depth.",
        ),
        (
            "sam",
            "Add `EventInvokeConfig: {DestinationConfig: {OnFailure: {Type: SQS, Destination: "
            "!GetAtt FailedEvents.Arn}}}` or `DeadLetterQueue: {Type: SQS, TargetArn: !GetAtt "
            "FailedEvents.Arn}` to the function (or `Globals.Function`). Alarm on the queue's "
            "depth.",
        ),
        (
            "cloudformation",
            "Set `DeadLetterConfig: {TargetArn: !GetAtt FailedEvents.Arn}` on the "
            "AWS::Lambda::Function, or add an AWS::Lambda::EventInvokeConfig with "
            "`DestinationConfig: {OnFailure: {Destination: !GetAtt FailedEvents.Arn}}`; the role "
            "needs `sqs:SendMessage` on the queue. Alarm on the queue's depth.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html",
    ),
)
def async_without_dlq(fn: Function, app: App) -> Iterator[Hit]:
    if fn.dead_letter is not None or fn.on_failure is not None:
        return
    kinds = sorted({e.kind for e in fn.events if e.kind in ASYNC_KINDS})
    if not kinds:
        return
    yield Hit(
        fn.src,
        f"function {fn.id} is invoked asynchronously ({', '.join(kinds)}) but has no "
        "dead-letter queue or on-failure destination: events that still fail after the "
        "retries are dropped",
        subject=f"function {fn.id}",
    )
