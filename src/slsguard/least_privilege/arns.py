"""From what names a resource in code (a literal, an environment variable) to the ARN an IAM
statement needs, through the app model: `TABLE_NAME: !Ref OrdersTable` is the table's ARN
(`!GetAtt OrdersTable.Arn`), `${self:custom.bucket}` resolved to "receipts-dev" is
`arn:${AWS::Partition}:s3:::receipts-dev`.

An ARN is a plain string, a model Ref/GetAtt, or a `Sub` (CloudFormation Fn::Sub), which is
how resources of the same template and the deploying account and region are written: the
statements are pasted into a template, where these resolve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slsguard.iam import catalog
from slsguard.least_privilege.values import (
    Arn,
    EnvVar,
    EventField,
    Literal,
    Opaque,
    Sub,
    Template,
    Value,
)
from slsguard.model.app import App, Function
from slsguard.model.values import GetAtt, Ref

if TYPE_CHECKING:
    from slsguard.least_privilege.sdk_calls import SdkCall


_PREFIX = "arn:${AWS::Partition}"
_REGIONAL = "${AWS::Region}:${AWS::AccountId}"

# The request parameter naming each service's resource, and how its value becomes an ARN.
_SCOPES: dict[str, tuple[tuple[str, str], ...]] = {
    "dynamodb": (("TableName", "table"), ("TableArn", "arn"), ("RequestItems", "table")),
    "s3": (("Bucket", "bucket"),),
    "sqs": (("QueueUrl", "queue-url"), ("QueueName", "queue")),
    "sns": (("TopicArn", "arn"), ("TargetArn", "arn")),
    "lambda": (("FunctionName", "function"),),
    "secretsmanager": (("SecretId", "secret"),),
    "ssm": (("Name", "parameter"), ("Path", "parameter-path")),
    "kinesis": (("StreamARN", "arn"), ("StreamName", "stream")),
    "states": (("stateMachineArn", "arn"), ("executionArn", "arn")),
    "events": (("EventBusName", "event-bus"),),
    "kms": (("KeyId", "kms-key"),),
    "firehose": (("DeliveryStreamName", "deliverystream"),),
}
# What `Ref` returns for these types is not an ARN: `Fn::GetAtt X.Arn` is.
_ARN_ATTRIBUTE = {
    "AWS::DynamoDB::Table": "Arn",
    "AWS::DynamoDB::GlobalTable": "Arn",
    "AWS::Serverless::SimpleTable": None,  # SAM: Ref is the name; no Arn attribute
    "AWS::SQS::Queue": "Arn",
    "AWS::Lambda::Function": "Arn",
    "AWS::Serverless::Function": "Arn",
    "AWS::Kinesis::Stream": "Arn",
    "AWS::Events::EventBus": "Arn",
    "AWS::KMS::Key": "Arn",
    "AWS::KinesisFirehose::DeliveryStream": "Arn",
    "AWS::S3::Bucket": "Arn",
    "AWS::IAM::Role": "Arn",
}
# Ref already returns the ARN.
_REF_IS_ARN = frozenset(
    {
        "AWS::SNS::Topic",
        "AWS::StepFunctions::StateMachine",
        "AWS::Serverless::StateMachine",
        "AWS::SecretsManager::Secret",
    }
)
_NAME_PROPERTY = {
    "table": ("AWS::DynamoDB::Table", "TableName"),
    "bucket": ("AWS::S3::Bucket", "BucketName"),
    "queue": ("AWS::SQS::Queue", "QueueName"),
    "function": ("AWS::Lambda::Function", "FunctionName"),
    "stream": ("AWS::Kinesis::Stream", "Name"),
    "secret": ("AWS::SecretsManager::Secret", "Name"),
}
_QUEUE_URL = re.compile(r"https://(?:sqs\.)?([a-z0-9-]+)\.(?:queue\.)?amazonaws\.com/(\d{12})/(.+)")


@dataclass(frozen=True, slots=True)
class Scoped:
    resources: tuple[Arn, ...]
    problem: str = ""  # why the resource is "*" although the action can be scoped


def scope(call: SdkCall, action: str, fn: Function, app: App) -> Scoped:
    """The resources `action` of `call` needs, as ARNs; ("*",) with a problem when unknown."""
    info = catalog.info(action)
    if info is not None and not info.supports_resource_level:
        return Scoped(("*",))
    service = call.service or ""
    for param, kind in _SCOPES.get(service, ()):
        value = call.param(param)
        if value is None:
            continue
        candidates = _custom_resource_values(value, fn, app)
        resolved_all = (
            [resolve(value, fn)] if candidates is None else [resolve(v, fn) for v in candidates]
        )
        if any(isinstance(r, str) and not r for r in resolved_all):
            continue
        if not resolved_all or any(r is None for r in resolved_all):
            return Scoped(("*",), f"its {param} is {_shown(value, fn)}, not known before run time")
        arns = [_arn(kind, r, app) for r in resolved_all]
        if any(a is None for a in arns):
            return Scoped(("*",), f"its {param} {_shown(value, fn)} does not name a resource")
        out: list[Arn] = []
        for arn in arns:
            assert arn is not None
            out += [a for a in _refine(service, action, arn, call, fn, info) if a not in out]
        return Scoped(tuple(out))
    if service == "events" and action == "events:PutEvents":
        return Scoped((Sub(f"{_PREFIX}:events:{_REGIONAL}:event-bus/default"),))
    return Scoped(("*",), "no parameter naming its resource was found in the call")


def _custom_resource_values(value: Value, fn: Function, app: App) -> list[Value | _Given] | None:
    """`event["ResourceProperties"]["X"]` in a function backing custom resources: property X
    of each of them (as literals, or model values wrapped for resolve); None otherwise."""
    if not (isinstance(value, EventField) and len(value.path) == 2):
        return None
    if value.path[0] != "ResourceProperties":
        return None
    from slsguard.rules.sas05_monitoring.common import custom_resources_of

    found: list[Value | _Given] = []
    for res in custom_resources_of(fn, app):
        prop = res.properties.get(value.path[1])
        found.append(_Given(prop) if prop is not None else Opaque("a property not set"))
    return found or None


@dataclass(frozen=True, slots=True)
class _Given:
    """A value the template gives (a custom resource's property): resolves to itself."""

    value: Any


def role_scope(value: Value, fn: Function, app: App) -> Scoped:
    """The role a call hands to a service, for iam:PassRole."""
    resolved = resolve(value, fn)
    if resolved is None:
        return Scoped(("*",), f"the role is {_shown(value, fn)}, not known before run time")
    arn = _arn("role", resolved, app)
    if arn is None:
        return Scoped(("*",), f"{_shown(value, fn)} does not name a role")
    return Scoped((arn,))


def resolve(value: Value | _Given, fn: Function) -> Any:
    """A Literal/EnvVar/Template as the model knows it: a string, Ref, GetAtt, or None."""
    match value:
        case _Given(value=given):
            return given if isinstance(given, str | Ref | GetAtt) else None
        case Literal(value=text):
            return text
        case EnvVar(name=name):
            for var in fn.environment:
                if var.name == name:
                    return var.value if isinstance(var.value, str | Ref | GetAtt) else None
            return None
        case Template(parts=parts):
            out = []
            for part in parts:
                inner = resolve(part, fn) if part is not None else None
                if not isinstance(inner, str):
                    return None
                out.append(inner)
            return "".join(out)
        case Opaque():
            return None
    return None


def _shown(value: Value, fn: Function) -> str:
    match value:
        case EventField(path=path):
            return "event." + ".".join(path)
        case EnvVar(name=name):
            if not any(v.name == name for v in fn.environment):
                return f"environment variable {name}, which the function does not set"
            return f"environment variable {name}"
        case Opaque(text=text):
            return text
        case Literal(value=text):
            return repr(text)
    return "built at run time"


def _arn(kind: str, value: Any, app: App) -> Arn | None:
    if isinstance(value, GetAtt):
        return value if value.attribute == "Arn" else None
    if isinstance(value, Ref):
        res = next((r for r in app.resources if r.id == value.logical_id), None)
        if res is None:
            return None
        if res.type in _REF_IS_ARN:
            return value
        attribute = _ARN_ATTRIBUTE.get(res.type)
        if attribute is not None and kind != "bucket":
            return GetAtt(value.logical_id, attribute)
        return _named_arn(kind, f"${{{value.logical_id}}}")
    if not isinstance(value, str):
        return None
    if value.startswith("arn:"):
        return value
    res_id = _resource_named(kind, value, app)
    if res_id is not None:
        return _arn(kind, Ref(res_id), app)
    if kind == "queue-url":
        match = _QUEUE_URL.fullmatch(value)
        if match is None:
            return None
        region, account, name = match.groups()
        return f"arn:aws:sqs:{region}:{account}:{name}"
    return _named_arn(kind, value)


# The ARN of a resource known by its name, per kind (NAME: the name as written).
_ARN_OF_NAME = {
    "table": f"{_PREFIX}:dynamodb:{_REGIONAL}:table/NAME",
    "bucket": f"{_PREFIX}:s3:::NAME",
    "queue": f"{_PREFIX}:sqs:{_REGIONAL}:NAME",
    "function": f"{_PREFIX}:lambda:{_REGIONAL}:function:NAME",
    "secret": f"{_PREFIX}:secretsmanager:{_REGIONAL}:secret:NAME-*",  # random suffix
    "parameter": f"{_PREFIX}:ssm:{_REGIONAL}:parameterNAME",  # name: a /path
    "parameter-path": f"{_PREFIX}:ssm:{_REGIONAL}:parameterNAME/*",
    "stream": f"{_PREFIX}:kinesis:{_REGIONAL}:stream/NAME",
    "event-bus": f"{_PREFIX}:events:{_REGIONAL}:event-bus/NAME",
    "deliverystream": f"{_PREFIX}:firehose:{_REGIONAL}:deliverystream/NAME",
    "role": f"{_PREFIX}:iam::${{AWS::AccountId}}:role/NAME",
}


def _named_arn(kind: str, name: str) -> Arn | None:
    template = _ARN_OF_NAME.get(kind)
    if template is None:
        return None  # "arn" kinds need an ARN; a KMS key id or alias does not name the key
    if kind.startswith("parameter"):
        name = "/" + name.strip("/")  # SSM parameter ARNs hold the path without a double /
    return Sub(template.replace("NAME", name))


def _resource_named(kind: str, name: str, app: App) -> str | None:
    """The template resource whose name property is `name` (serverless `${self:custom.x}`
    used both in the environment and in `resources`)."""
    type_and_property = _NAME_PROPERTY.get(kind)
    if type_and_property is None:
        return None
    type_, prop = type_and_property
    for res in app.resources:
        if res.type == type_ and res.properties.get(prop) == name:
            return res.id
    return None


def _refine(
    service: str,
    action: str,
    arn: Arn,
    call: SdkCall,
    fn: Function,
    info: catalog.ActionInfo | None,
) -> tuple[Arn, ...]:
    """S3 object actions act on `bucket/key`; DynamoDB queries on an index on `table/index/*`."""
    if service == "s3" and info is not None and "object" in info.resource_types:
        key = call.param("Key")
        prefix = _key_prefix(key, fn) if key is not None else ""
        return (_append(arn, f"/{prefix}*"),)
    if service == "dynamodb" and call.param("IndexName") is not None:
        return (arn, _append(arn, "/index/*"))
    return (arn,)


def _key_prefix(key: Value, fn: Function) -> str:
    if isinstance(key, Literal):
        return key.value.rstrip("*")
    if isinstance(key, Template) and key.parts and isinstance(key.parts[0], Literal):
        prefix = key.parts[0].value
        return prefix if prefix.endswith("/") else ""
    return ""


def _append(arn: Arn, suffix: str) -> Arn:
    if isinstance(arn, str):
        return arn + suffix
    if isinstance(arn, Sub):
        return Sub(arn.template + suffix)
    if isinstance(arn, GetAtt):
        return Sub(f"${{{arn.logical_id}.{arn.attribute}}}{suffix}")
    return Sub(f"${{{arn.logical_id}}}{suffix}")


def as_cloudformation(arn: Arn) -> Any:
    """The ARN as template data ({"Fn::GetAtt": [...]}, {"Fn::Sub": ...}, or a string)."""
    if isinstance(arn, GetAtt):
        return {"Fn::GetAtt": [arn.logical_id, arn.attribute]}
    if isinstance(arn, Ref):
        return {"Ref": arn.logical_id}
    if isinstance(arn, Sub):
        return {"Fn::Sub": arn.template}
    return arn


def event_source_arn(source: Any, app: App) -> Arn | None:
    """The ARN of a queue or stream an event reads from (`arn:`, !GetAtt Queue.Arn, Ref)."""
    if isinstance(source, dict) and len(source) == 1:
        ((key, arg),) = source.items()
        if key == "arn":
            return event_source_arn(arg, app)
    if isinstance(source, GetAtt | str):
        return source if isinstance(source, GetAtt) or source.startswith("arn:") else None
    if isinstance(source, Ref):
        return _arn("arn", source, app)
    return None


# Where each type keeps the KMS key it is encrypted with.
_KEY_PROPERTY = {"AWS::SQS::Queue": "KmsMasterKeyId", "AWS::SNS::Topic": "KmsMasterKeyId"}


def customer_key(logical_id: str, app: App) -> tuple[bool, Arn | None]:
    """Whether the bucket, queue or topic is encrypted with a customer managed KMS key, and
    the key's ARN when it can be told (None: an alias or a value known only at deploy)."""
    res = next((r for r in app.resources if r.id == logical_id), None)
    if res is None:
        return False, None
    key: Any = None
    if res.type == "AWS::S3::Bucket":
        encryption = res.properties.get("BucketEncryption")
        rules = (
            encryption.get("ServerSideEncryptionConfiguration")
            if isinstance(encryption, dict)
            else None
        )
        for rule in rules if isinstance(rules, list) else ():
            default = rule.get("ServerSideEncryptionByDefault") if isinstance(rule, dict) else None
            if isinstance(default, dict) and str(default.get("SSEAlgorithm", "")).startswith(
                "aws:kms"
            ):
                key = default.get("KMSMasterKeyID")
    elif res.type in _KEY_PROPERTY:
        key = res.properties.get(_KEY_PROPERTY[res.type])
    if key is None or (isinstance(key, str) and key.startswith("alias/aws/")):
        return False, None  # none, or the service's AWS managed key: no IAM permission needed
    if isinstance(key, GetAtt) and key.attribute == "Arn":
        return True, key
    if isinstance(key, Ref):
        target = next((r for r in app.resources if r.id == key.logical_id), None)
        if target is not None and target.type == "AWS::KMS::Key":
            return True, GetAtt(key.logical_id, "Arn")
        return True, None
    if isinstance(key, str) and key.startswith("arn:") and ":key/" in key:
        return True, key
    return True, None
