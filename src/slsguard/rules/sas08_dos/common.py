"""Helpers shared by the SAS-8 rules: resources by logical id, what an event source or an
IAM resource value designates, and which events are public, asynchronous or streams."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from slsguard.model.app import App, Event, Function
from slsguard.model.values import GetAtt, Ref, Unresolved
from slsguard.rules.refs import resource

__all__ = ["resource"]  # re-exported for the rules of this category

# Event kinds Lambda invokes asynchronously (its own queue, 2 retries, 6 h by default).
ASYNC_KINDS = frozenset({"s3", "sns", "eventBridge", "schedule", "cloudwatchLog", "iot"})

# What a stored resource is, by CloudFormation type, and the property holding its name.
STORE_TYPES: dict[str, tuple[str, str]] = {
    "AWS::S3::Bucket": ("bucket", "BucketName"),
    "AWS::SQS::Queue": ("queue", "QueueName"),
    "AWS::SNS::Topic": ("topic", "TopicName"),
    "AWS::Kinesis::Stream": ("kinesis", "Name"),
    "AWS::DynamoDB::Table": ("table", "TableName"),
    "AWS::DynamoDB::GlobalTable": ("table", "TableName"),
}

# ${X}, ${X.Arn} (Fn::Sub) and ${!Ref X}, ${!GetAtt X.Arn} (an undecided Fn::Join rendering)
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_LOGICAL = re.compile(r"^!?(?:Ref |GetAtt )?([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?$")


def referenced_id(value: Any) -> str | None:
    """The logical id a Ref/GetAtt designates."""
    return value.logical_id if isinstance(value, (Ref, GetAtt)) else None


def placeholder_id(text: str) -> str | None:
    """X when text is exactly one placeholder naming a logical id: ${X}, ${X.Arn}, ${!Ref X}.
    X may be a resource the framework makes (serverless `S3Bucket<Name>`), so it need not be
    in the template; pseudo parameters and serverless variables do not match."""
    match = _PLACEHOLDER.fullmatch(text)
    inner = _LOGICAL.match(match.group(1)) if match else None
    return inner.group(1) if inner else None


def stream_kind(event: Event, app: App) -> str | None:
    """ "kinesis" or "table" (a DynamoDB stream) for a stream event, None when unknown (a
    DocumentDB change stream, an unresolved ARN ...)."""
    if event.kind != "stream":
        return None
    declared = event.properties.get("type")  # serverless `stream: {type: dynamodb}`
    if declared in ("kinesis", "dynamodb"):
        return "kinesis" if declared == "kinesis" else "table"
    source = event.source
    res = resource(app, referenced_id(source))
    if res is not None:
        if res.type in ("AWS::Kinesis::Stream", "AWS::Kinesis::StreamConsumer"):
            return "kinesis"
        if res.type in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"):
            return "table"
        return None
    text = source.expr if isinstance(source, Unresolved) else source
    if isinstance(text, str):
        if text.startswith("arn:") and ":kinesis:" in text:
            return "kinesis"
        if text.startswith("arn:") and ":dynamodb:" in text and "/stream/" in text:
            return "table"
    return None


def public_route_events(api_id: str, app: App) -> list[tuple[Function, Event]]:
    """Routes of an API that anyone can call: no authorizer, no API key, not CORS preflight.
    An authorizer we cannot see (OpenAPI body, unresolved value) counts as present."""
    return [
        (fn, event)
        for fn in app.functions
        for event in fn.events
        if event.api_id == api_id
        and event.kind in ("http", "httpApi")
        and event.authorizer is None
        and not event.api_key_required
        and not event.is_cors_preflight
    ]


def names(items: Iterable[str], limit: int = 3) -> str:
    shown = sorted(set(items))
    more = len(shown) - limit
    return ", ".join(shown[:limit]) + (f" and {more} more" if more > 0 else "")
