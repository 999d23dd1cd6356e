from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Event, Function, Resource, Statement
from slsguard.model.values import GetAtt, Ref, Unresolved, as_list
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas08_dos.common import (
    STORE_TYPES,
    placeholder_id,
    referenced_id,
    resource,
    stream_kind,
)

# The calls that put an event back into each kind of source.
WRITE_ACTIONS = {
    "bucket": ("s3:PutObject",),
    "queue": ("sqs:SendMessage", "sqs:SendMessageBatch"),
    "topic": ("sns:Publish",),
    "kinesis": ("kinesis:PutRecord", "kinesis:PutRecords"),
    "table": (
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:PartiQLInsert",
        "dynamodb:PartiQLUpdate",
        "dynamodb:PartiQLDelete",
    ),
}
_SERVICES = {
    "bucket": "s3",
    "queue": "sqs",
    "topic": "sns",
    "kinesis": "kinesis",
    "table": "dynamodb",
}
# SAM policy templates that grant those calls, and the parameter naming the resource.
SAM_WRITE_TEMPLATES = {
    "SQSSendMessagePolicy": ("queue", "QueueName"),
    "SNSPublishMessagePolicy": ("topic", "TopicName"),
    "SNSCrudPolicy": ("topic", "TopicName"),
    "S3CrudPolicy": ("bucket", "BucketName"),
    "S3WritePolicy": ("bucket", "BucketName"),
    "S3FullAccessPolicy": ("bucket", "BucketName"),
    "KinesisCrudPolicy": ("kinesis", "StreamName"),
    "DynamoDBCrudPolicy": ("table", "TableName"),
    "DynamoDBWritePolicy": ("table", "TableName"),
}
# S3 notifications that s3:PutObject (single or multipart upload) sets off.
_PUT_EVENTS = (
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:CompleteMultipartUpload",
)
_LOOP_DETECTED = ("bucket", "queue", "topic")  # Lambda's recursive loop detection
_NOUNS = {
    "bucket": "bucket",
    "queue": "queue",
    "topic": "topic",
    "kinesis": "stream",
    "table": "table",
}
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True, slots=True)
class Target:
    """The bucket, queue, topic, stream or table an event comes from, as every name under
    which a template may designate it: "id:<logical id>", "name:<literal name>",
    "expr:<unresolved name expression>"."""

    kind: str
    keys: frozenset[str]
    label: str


@rule(
    id="SLS0805",
    name="recursive-invocation-loop",
    category=Category.SAS_8,
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    title="Function can write to the bucket, queue, topic or stream that triggers it",
    rationale=(
        "An object, message or record the function writes to its own trigger invokes it "
        "again: a bug or an unexpected input turns into an endless loop that scales to the "
        "account's concurrency and bills every invocation. Lambda stops loops through SQS, SNS "
        "and S3 after about 16 invocations (with recent AWS SDKs), but not loops through "
        "Kinesis or DynamoDB streams, nor any loop of a function set to RecursiveLoop: Allow."
    ),
    fix=(
        "Write to a different bucket, queue, topic or stream than the one that triggers the "
        "function, and remove the write permission on the trigger from its role "
        "(serverless.yml `provider.iam.role.statements`, SAM `Policies`, CloudFormation "
        "AWS::IAM::Role `Policies`). For S3, at least filter the trigger so that written "
        "objects do not match it (serverless.yml `rules: [{prefix: uploads/}]`, SAM "
        "`Filter.S3Key.Rules`, CloudFormation `NotificationConfiguration.LambdaConfigurations"
        ".Filter`), and keep the default `RecursiveLoop: Terminate` (SAM/CloudFormation)."
    ),
    fixes=(
        (
            "serverless",
            "Write to another bucket, queue, topic or stream than the one that triggers the "
            "function and drop the write permission on the trigger from "
            "`provider.iam.role.statements` (or the function's `iamRoleStatements`). For S3 at "
            "least filter the event so written objects do not match it: `s3: {bucket: uploads, "
            "event: s3:ObjectCreated:*, rules: [{prefix: incoming/}]}`, writing elsewhere.",
        ),
        (
            "sam",
            "Write to another bucket, queue, topic or stream than the one that triggers the "
            "function and drop the write permission on the trigger from its `Policies` "
            "(statements or templates such as `S3CrudPolicy`). For S3 at least filter the `S3` "
            "event (`Filter: {S3Key: {Rules: [{Name: prefix, Value: incoming/}]}}`) so written "
            "objects do not match it, and never set `RecursiveLoop: Allow`.",
        ),
        (
            "cloudformation",
            "Write to another bucket, queue, topic or stream than the one that triggers the "
            "function and drop the write permission on the trigger from its AWS::IAM::Role. For "
            "S3 at least add a `Filter.S3Key.Rules` prefix to the bucket's "
            "`NotificationConfiguration.LambdaConfigurations` so written objects do not match it, "
            "and keep `RecursiveLoop: Terminate` (the default) on the AWS::Lambda::Function.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/with-s3-example.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html#cfn-lambda-function-recursiveloop",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html",
    ),
)
def recursive_invocation_loop(fn: Function, app: App) -> Iterator[Hit]:
    own = resource(app, fn.id)
    loops_allowed = own is not None and own.properties.get("RecursiveLoop") == "Allow"
    for event in fn.events:
        target = trigger_target(event, app)
        if target is None or _filtered(event, app):
            continue
        configs = _s3_configs(event, fn, app) if target.kind == "bucket" else []
        grant = _write_grant(fn, target, configs, app)
        if grant is None:
            continue
        action, origin = grant
        undetected = loops_allowed or target.kind not in _LOOP_DETECTED
        if loops_allowed:
            stop = "RecursiveLoop: Allow lets the loop run unchecked"
        elif undetected:
            stop = "Lambda's recursive loop detection does not cover streams"
        else:
            stop = "Lambda stops the loop only after about 16 invocations"
        yield Hit(
            event.src,
            f"function {fn.id} is triggered by {target.label} and its role allows {action} on "
            f"that {_NOUNS[target.kind]} ({origin}), so what it writes there can invoke it "
            f"again in a loop ({stop})",
            subject=f"function {fn.id}",
            severity=Severity.HIGH if undetected else None,
        )


# -- the trigger ---------------------------------------------------------------------------


def trigger_target(event: Event, app: App) -> Target | None:
    kind = {"s3": "bucket", "sqs": "queue", "sns": "topic"}.get(event.kind)
    if event.kind == "stream":
        kind = stream_kind(event, app)
    if kind is None:
        return None
    source = event.source
    keys: set[str] = set()
    res = resource(app, referenced_id(source))
    if res is not None and res.type == "AWS::Kinesis::StreamConsumer":
        source = res.properties.get("StreamARN")  # enhanced fan-out reads the stream
        res = resource(app, referenced_id(source))
    if res is not None:
        if STORE_TYPES.get(res.type, ("",))[0] != kind:
            return None
        keys = _resource_keys(res)
    elif isinstance(source, (str, Unresolved)):
        text = source.expr if isinstance(source, Unresolved) else source
        if text.startswith("arn:"):
            keys = _arn_keys(text, kind, stream_arn=kind == "table")[0]
        elif isinstance(source, str) and kind in ("bucket", "topic") and "*" not in source:
            # serverless `s3: name` / `sns: name` create the bucket / topic of that name
            prefix = "S3Bucket" if kind == "bucket" else "SNSTopic"
            keys = {f"name:{source}", f"id:{prefix}{_normalized(source)}"}
    if not keys:
        return None
    keys = _close(keys, kind, app)
    shown = sorted(keys, key=lambda k: (not k.startswith("name:"), k))[0].split(":", 1)[1]
    label = {"kinesis": f"stream {shown}", "table": f"the stream of table {shown}"}
    return Target(kind, frozenset(keys), label.get(kind, f"{kind} {shown}"))


def _resource_keys(res: Resource) -> set[str]:
    keys = {f"id:{res.id}"}
    name = res.properties.get(STORE_TYPES[res.type][1])
    if isinstance(name, str):
        keys.add(f"name:{name}")
    elif isinstance(name, Unresolved):
        keys.add(f"expr:{name.expr}")  # the same expression names the same resource
    return keys


def _close(keys: set[str], kind: str, app: App) -> set[str]:
    """Add the other names of the resources the keys designate (logical id <-> name)."""
    out = set(keys)
    for res in app.resources:
        if STORE_TYPES.get(res.type, ("",))[0] == kind:
            own = _resource_keys(res)
            if own & keys:
                out |= own
    return out


def _normalized(name: str) -> str:
    """The framework's normalizeNameToAlphaNumericOnly (logical ids of made resources)."""
    alnum = re.sub(r"[^0-9A-Za-z]", "", name)
    return alnum[:1].upper() + alnum[1:]


def _filtered(event: Event, app: App) -> bool:
    """Event filters decide which messages invoke the function: we cannot tell whether
    what it writes passes them, so a filtered source is not a finding."""
    keys = ("FilterCriteria", "FilterPolicy", "filterPatterns", "filterPolicy")
    if any(k in event.properties for k in keys):
        return True
    # a CloudFormation SNS event is its AWS::SNS::Subscription resource
    own = next((r for r in app.resources if r.src.path == event.src.path), None)
    return own is not None and "FilterPolicy" in own.properties


# -- S3 notification filters ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _S3Config:
    events: tuple[Any, ...]
    prefixes: tuple[Any, ...]
    suffixes: tuple[Any, ...]


def _s3_configs(event: Event, fn: Function, app: App) -> list[_S3Config]:
    props = event.properties
    if event.src.path[:1] == ("functions",):  # serverless `s3: {bucket, event, rules}`
        rules = [r for r in as_list(props.get("rules")) if isinstance(r, dict)]
        return [
            _S3Config(
                tuple(as_list(props.get("event", "s3:ObjectCreated:*"))),
                tuple(r["prefix"] for r in rules if "prefix" in r),
                tuple(r["suffix"] for r in rules if "suffix" in r),
            )
        ]
    if "Events" in props:  # SAM `Events` + `Filter.S3Key.Rules`
        return [_s3_config(props.get("Events"), props.get("Filter"))]
    bucket = resource(app, referenced_id(event.source))  # CloudFormation notification
    notification = bucket.properties.get("NotificationConfiguration") if bucket else None
    configs = notification.get("LambdaConfigurations") if isinstance(notification, dict) else None
    return [
        _s3_config(c.get("Event"), c.get("Filter"))
        for c in as_list(configs)
        if isinstance(c, dict) and referenced_id(c.get("Function")) == fn.id
    ]


def _s3_config(events: Any, filter_: Any) -> _S3Config:
    key = filter_.get("S3Key") if isinstance(filter_, dict) else None
    rules = key.get("Rules") if isinstance(key, dict) else None
    rules = [r for r in as_list(rules) if isinstance(r, dict)]
    by_name = {
        name: tuple(r.get("Value") for r in rules if str(r.get("Name")).lower() == name)
        for name in ("prefix", "suffix")
    }
    return _S3Config(tuple(as_list(events)), by_name["prefix"], by_name["suffix"])


def _s3_reaches(configs: list[_S3Config], key_pattern: str) -> bool:
    """Every object the grant lets the function write provably sets off one configuration."""
    literal = re.split(r"[*?]|\$\{", key_pattern, maxsplit=1)[0]
    for config in configs:
        if not any(e in _PUT_EVENTS for e in config.events):
            continue
        prefixes_ok = all(isinstance(p, str) and literal.startswith(p) for p in config.prefixes)
        suffixes_ok = all(
            isinstance(s, str)
            and key_pattern.endswith(s)
            and not re.search(r"[*?}]", key_pattern[len(key_pattern) - len(s) :])
            for s in config.suffixes
        )
        if prefixes_ok and suffixes_ok:
            return True
    return False


# -- the grant -----------------------------------------------------------------------------


def _write_grant(
    fn: Function, target: Target, configs: list[_S3Config], app: App
) -> tuple[str, str] | None:
    """(action, where it is granted) when fn's own role lets it write to the target."""
    role = fn.role
    if role is not None and _only_user(fn, role.id, target, app):
        for stmt in role.statements:
            actions = _write_actions(stmt, target.kind)
            if not actions:
                continue
            for value in stmt.resources:
                if _covers(value, target, configs):
                    return actions[0], stmt.origin
    own = resource(app, fn.id)
    if own is None or own.type != "AWS::Serverless::Function" or "Role" in own.properties:
        return None
    for item in as_list(own.properties.get("Policies")):
        if not isinstance(item, dict) or len(item) != 1:
            continue
        ((name, params),) = item.items()
        kind, param = SAM_WRITE_TEMPLATES.get(name, ("", ""))
        if kind != target.kind or not isinstance(params, dict):
            continue
        value = params.get(param)
        keys = {f"id:{i}"} if (i := referenced_id(value)) else set()
        if isinstance(value, str):
            keys.add(f"name:{value}")
        elif isinstance(value, Unresolved):
            keys.add(f"expr:{value.expr}")
        if keys & target.keys and (kind != "bucket" or _s3_reaches(configs, "*")):
            return WRITE_ACTIONS[kind][0], f"SAM policy template {name}"
    return None


def _only_user(fn: Function, role_id: str, target: Target, app: App) -> bool:
    """A role shared with functions that do not consume the target grants the write for
    them (a producer and its consumer): the grant is not attributable to fn."""
    for other in app.functions:
        if other.id == fn.id or other.role is None or other.role.id != role_id:
            continue
        consumes = any(
            (t := trigger_target(e, app)) is not None and t.keys & target.keys for e in other.events
        )
        if not consumes:
            return False
    return True


def _write_actions(stmt: Statement, kind: str) -> list[str]:
    """The write actions a statement allows, ignoring `*` and `service:*`: a wildcard grants
    the capability but says nothing of what the function writes (SAS-4 reports those)."""
    if not stmt.allows or stmt.not_actions or stmt.not_resources:
        return []
    found = []
    for action in stmt.actions:
        if not isinstance(action, str) or ":" not in action or action.split(":", 1)[1] == "*":
            continue
        found += [w for w in WRITE_ACTIONS[kind] if fnmatch.fnmatchcase(w.lower(), action.lower())]
    return found


def _covers(value: Any, target: Target, configs: list[_S3Config]) -> bool:
    if isinstance(value, Unresolved) and value.kind == "ref":
        value = Ref(value.expr)  # a resource the framework makes (serverless SNSTopic<Name>)
    if isinstance(value, (Ref, GetAtt)):
        if target.kind == "bucket":
            return False  # the bucket's ARN, not its objects
        attribute = value.attribute if isinstance(value, GetAtt) else "Ref"
        ok = attribute == "Arn" or (attribute == "Ref" and target.kind == "topic")
        return ok and f"id:{value.logical_id}" in target.keys
    text = value.expr if isinstance(value, Unresolved) else value
    if not isinstance(text, str):
        return False
    keys, key_pattern = _arn_keys(text, target.kind)
    if not keys & target.keys:
        return False
    return target.kind != "bucket" or (
        key_pattern is not None and _s3_reaches(configs, key_pattern)
    )


def _arn_keys(text: str, kind: str, *, stream_arn: bool = False) -> tuple[set[str], str | None]:
    """Names of the resource an ARN (possibly with ${...} placeholders) designates, and for
    S3 the object key pattern (None for the bucket itself)."""
    if not text.startswith("arn:"):  # "${Bucket.Arn}/*", "${Queue.Arn}"
        head = _PLACEHOLDER.match(text)
        logical = placeholder_id(head.group(0)) if head else None
        if head is None or logical is None or not head.group(0).endswith(".Arn}"):
            return set(), None
        rest = text[head.end() :]
        if kind == "bucket":
            return ({f"id:{logical}"}, rest[1:]) if rest.startswith("/") else (set(), None)
        return ({f"id:{logical}"}, None) if not rest else (set(), None)
    # split on ":" outside placeholders (${AWS::Region} has colons of its own)
    parts = re.split(r":(?![^{]*\})", text, maxsplit=5)
    if len(parts) != 6 or parts[2] != _SERVICES[kind]:
        return set(), None
    name, key_pattern = parts[5], None
    if kind == "bucket":
        name, slash, key_pattern = name.partition("/")
        if not slash:
            key_pattern = None
    elif kind == "kinesis":
        name = name.removeprefix("stream/") if name.startswith("stream/") else ""
    elif kind == "table":
        if not name.startswith("table/"):
            return set(), None
        name, _, rest = name.removeprefix("table/").partition("/")
        if stream_arn != rest.startswith("stream/") or (rest and not stream_arn):
            return set(), None
    if not name or re.search(r"[*?]", _PLACEHOLDER.sub("", name)):
        return set(), None
    logical = placeholder_id(name)
    if logical is not None:
        return {f"id:{logical}"}, key_pattern
    if "${" in name:
        return {f"expr:{name}"}, key_pattern
    return {f"name:{name}"}, key_pattern
