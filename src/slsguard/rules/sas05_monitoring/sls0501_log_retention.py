from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Format, Function, LogGroup
from slsguard.model.values import Unresolved
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas05_monitoring.common import (
    function_logical_ids,
    mentions,
    resource,
    resources_of,
    sls_logical_id,
)


@rule(
    id="SLS0501",
    name="log-retention-missing",
    category=Category.SAS_5,
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    title="Function log group without a retention period (logs kept forever)",
    rationale=(
        "Without a retention period CloudWatch Logs keeps a function's logs forever: personal "
        "data and tokens written to them accumulate without limit, which breaks data "
        "minimisation duties and grows the storage bill; no retention also means nobody "
        "decided how long the audit trail must be kept."
    ),
    fix=(
        "Set a retention period: serverless.yml `provider.logRetentionInDays` (or "
        "`logRetentionInDays` on the function); SAM and CloudFormation: declare an "
        "`AWS::Logs::LogGroup` named `/aws/lambda/<function name>` (or referenced by the "
        "function's `LoggingConfig.LogGroup`) with `RetentionInDays`."
    ),
    fixes=(
        (
            "serverless",
            "Set `logRetentionInDays: 30` (or what your retention policy requires) under "
            "`provider`, or on the function.",
        ),
        (
            "sam",
            "Declare an AWS::Logs::LogGroup with `LogGroupName: !Sub /aws/lambda/${MyFunction}` "
            "and `RetentionInDays: 30`, or point the function's `LoggingConfig.LogGroup` at a log "
            "group with `RetentionInDays`. AWS::Serverless::Function has no retention setting of "
            "its own.",
        ),
        (
            "cloudformation",
            "Declare an AWS::Logs::LogGroup with `LogGroupName: !Sub /aws/lambda/${MyFunction}` "
            "and `RetentionInDays: 30`, or point the AWS::Lambda::Function's "
            "`LoggingConfig.LogGroup` at a log group with `RetentionInDays`.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-loggroup.html",
        "https://www.serverless.com/framework/docs/providers/aws/guide/functions",
    ),
)
def log_retention_missing(fn: Function, app: App) -> Iterator[Hit]:
    if fn.log_retention is not None:
        return  # set on the function or the provider; an unresolved value is set too
    subject = f"function {fn.id}"
    group = _log_group(fn, app)
    if group is not None:
        if group.retention is None:
            yield Hit(
                group.src,
                f"log group {group.id} of function {fn.id} has no RetentionInDays: its logs "
                "are kept forever",
                subject=subject,
            )
        return
    if _retention_elsewhere(fn, app):
        return
    yield Hit(
        fn.src,
        f"function {fn.id} sets no log retention: Lambda creates its log group on first "
        "invocation and it never expires",
        subject=subject,
    )


def _log_group(fn: Function, app: App) -> LogGroup | None:
    if fn.log_group is not None:
        return fn.log_group
    ids = function_logical_ids(fn)
    generated = f"{sls_logical_id(fn.id)}LogGroup" if fn.format == Format.SERVERLESS else None
    for group in app.log_groups:
        if group.function_id in ids or group.id == generated:
            return group
        if _names_function(group.name, fn.name):
            return group
        if mentions(group.name, ids) and "/aws/lambda/" in str(group.name):
            return group
    return None


def _names_function(group_name: Any, function_name: Any) -> bool:
    """`/aws/lambda/<name>` for the function's name, also when both are the same
    unresolved text (`!Sub /aws/lambda/${AWS::StackName}-x` and `!Sub ${AWS::StackName}-x`)."""
    if isinstance(function_name, str):
        return bool(group_name == f"/aws/lambda/{function_name}")
    if isinstance(function_name, Unresolved) and isinstance(group_name, Unresolved):
        expr = function_name.expr
        return group_name.expr in (f"/aws/lambda/{expr}", f"/aws/lambda/${{{expr}}}")
    return False


def _retention_elsewhere(fn: Function, app: App) -> bool:
    """Retention set by other means, or a log group this template cannot see."""
    custom = app.custom.value if app.custom is not None else None
    if isinstance(custom, dict) and "logRetentionInDays" in custom:
        return True  # serverless-plugin-log-retention
    ids = function_logical_ids(fn)
    for res in resources_of(app, "Custom::LogRetention"):  # CDK `logRetention`
        if mentions(res.properties.get("LogGroupName"), ids):
            return True
    own = resource(app, fn.id) if fn.format != Format.SERVERLESS else None
    logging = own.properties.get("LoggingConfig") if own is not None else None
    # A LoggingConfig.LogGroup that is not a group of this template: its retention is unknown.
    return isinstance(logging, dict) and logging.get("LogGroup") is not None
