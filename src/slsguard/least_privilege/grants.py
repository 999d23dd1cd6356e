"""Does a role's policy allow what a function needs? Three answers: yes, no, not known.

"Not known" is the answer whenever a role's permissions are not all in the template (an
existing role given by ARN, a managed policy whose content is not known here) or when a
statement and a need name their resources in forms that cannot be compared statically (a
hard-coded ARN against a `!Sub` of the deploying region). The rules built on this report
only the certain answers.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from slsguard.least_privilege.values import PLACEHOLDER, Arn, Sub, logical_id
from slsguard.model.app import App, Role, Statement
from slsguard.model.values import GetAtt, Ref, Unresolved

if TYPE_CHECKING:
    from slsguard.least_privilege.needs import Need

# AWS managed policies whose whole content is known, by name: what they allow (all on "*").
KNOWN_MANAGED = {
    "AWSLambdaBasicExecutionRole": ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),  # noqa: E501
    "AWSLambdaVPCAccessExecutionRole": (
        "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
        "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
    ),
    "AWSXRayDaemonWriteAccess": (
        "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
        "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries",
    ),
    "AWSLambdaSQSQueueExecutionRole": (
        "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
        "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
    ),
    "AWSLambdaKinesisExecutionRole": (
        "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
        "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams",
        "kinesis:SubscribeToShard", "logs:CreateLogGroup", "logs:CreateLogStream",
        "logs:PutLogEvents",
    ),
    "AWSLambdaDynamoDBExecutionRole": (
        "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
        "dynamodb:ListStreams", "logs:CreateLogGroup", "logs:CreateLogStream",
        "logs:PutLogEvents",
    ),
}  # fmt: skip
# Resource policies that can grant a role access on their own.
_RESOURCE_POLICY_TYPES = {
    "s3": ("AWS::S3::BucketPolicy",),
    "sqs": ("AWS::SQS::QueuePolicy",),
    "sns": ("AWS::SNS::TopicPolicy",),
    "secretsmanager": ("AWS::SecretsManager::ResourcePolicy",),
    "kms": ("AWS::KMS::Key",),
    "lambda": ("AWS::Lambda::Permission",),
    "events": ("AWS::Events::EventBusPolicy",),
}


def managed_name(name: Any) -> str | None:
    if not isinstance(name, str):
        return None
    return name.rsplit("/", 1)[-1]


def role_fully_known(role: Role) -> bool:
    """Every permission of the role is in its statements or in a known managed policy."""
    if role.external is not None:
        return False
    return all(
        managed_name(ref.name) in KNOWN_MANAGED
        for ref in role.managed_policies
        if ref.kind != "sam-template"
    )


_LAMBDA_PRINCIPALS = frozenset({"lambda.amazonaws.com", "edgelambda.amazonaws.com"})


def only_lambda_assumes(role: Role, app: App) -> bool:
    """Whether only Lambda can use the role (its trust policy names no other principal), so
    what its functions need is all it needs."""
    res = next((r for r in app.resources if r.id == role.id and r.type == "AWS::IAM::Role"), None)
    if res is None:
        return True  # made by serverless or SAM for the functions
    document = res.properties.get("AssumeRolePolicyDocument")
    statements = document.get("Statement") if isinstance(document, dict) else None
    if not isinstance(statements, list):
        return False
    for stmt in statements:
        principal = stmt.get("Principal") if isinstance(stmt, dict) else None
        if not isinstance(principal, dict) or set(principal) != {"Service"}:
            return False
        services = principal["Service"]
        services = services if isinstance(services, list) else [services]
        if not all(isinstance(s, str) and s in _LAMBDA_PRINCIPALS for s in services):
            return False
    return True


def allows(role: Role, need: Need, app: App) -> bool | None:
    """Whether the role lets the function do `need` (None: cannot be told)."""
    if not role_fully_known(role):
        return None
    for ref in role.managed_policies:
        if need.action in KNOWN_MANAGED.get(managed_name(ref.name) or "", ()):
            return True
    answers = [_statement_allows(s, need) for s in role.statements if s.allows]
    if True in answers:
        return True
    if None in answers:
        return None
    service = need.action.split(":", 1)[0]
    if _resource_policy_mentions(app, service, role.id):
        return None
    return False


def action_matches(pattern: Any, action: str) -> bool | None:
    if not isinstance(pattern, str):
        return None
    return fnmatch.fnmatchcase(action.lower(), pattern.lower().replace("[", "[[]"))


def _statement_allows(stmt: Statement, need: Need) -> bool | None:
    if stmt.not_actions:
        hits = [action_matches(p, need.action) for p in stmt.not_actions]
        if True in hits:
            return False
        action_ok: bool | None = None if None in hits else True
    else:
        hits = [action_matches(p, need.action) for p in stmt.actions]
        action_ok = True if True in hits else (None if None in hits else False)
    if action_ok is False:
        return False
    if stmt.not_resources:
        return None
    resource_ok = _all_covered(need.resources, stmt.resources)
    if action_ok is None or resource_ok is None:
        return None if resource_ok is not False else False
    return resource_ok


def _all_covered(needed: Iterable[Arn], granted: Iterable[Any]) -> bool | None:
    granted = list(granted)
    verdict: bool | None = True
    for arn in needed:
        answers = [_covers(g, arn) for g in granted]
        if True in answers:
            continue
        if None in answers:
            verdict = None
        else:
            return False
    return verdict


def _covers(granted: Any, needed: Arn) -> bool | None:
    if granted == "*":
        return True
    if needed == "*":
        return None  # the need's resource is not known: only "*" is sure to cover it
    if isinstance(granted, str) and isinstance(needed, str):
        return fnmatch.fnmatchcase(needed, granted.replace("[", "[[]"))
    gid = logical_id(granted)
    nid = logical_id(needed)
    if gid is not None and nid is not None:
        return gid == nid
    if isinstance(granted, Unresolved) and isinstance(needed, Sub):
        # the model keeps a !Sub of pseudo parameters as written
        return True if str(granted) == needed.template else None
    if isinstance(granted, str) and isinstance(needed, Sub):
        pattern = PLACEHOLDER.sub("*", needed.template)
        concrete = granted.replace("*", "")
        if "${" not in needed.template.split(":", 5)[-1] and "*" not in granted:
            # both name one resource by name: equal names under any region/account
            return fnmatch.fnmatchcase(granted, pattern) or None
        return None if concrete else True
    return None


def _resource_policy_mentions(app: App, service: str, role_id: str) -> bool:
    types = _RESOURCE_POLICY_TYPES.get(service, ())
    return any(r.type in types and role_id in repr(r.properties) for r in app.resources)


def statement_actions(stmt: Statement) -> list[str]:
    return [a for a in stmt.actions if isinstance(a, str)]


def granted_resources(role: Role, action: str, app: App) -> tuple[Arn, ...] | None:
    """The resources the role's own statements allow `action` on, when they all name
    resources (no "*", nothing unreadable): what a statement for a call whose resource
    cannot be inferred keeps, rather than widening to "*"."""
    names = {r.id for r in app.resources} | {p.name for p in app.parameters}
    found: list[Arn] = []
    for stmt in role.statements:
        if not stmt.allows or stmt.not_actions or stmt.condition:
            continue
        if not any(action_matches(p, action) for p in stmt.actions):
            continue
        for resource in stmt.resources:
            arn = _written_arn(resource, names)
            if arn is None or arn == "*":
                return None
            found.append(arn)
    return tuple(dict.fromkeys(found)) or None


def _written_arn(value: Any, names: set[str]) -> Arn | None:
    if isinstance(value, str | GetAtt | Ref):
        return value
    if isinstance(value, Unresolved) and value.kind in ("aws", "intrinsic", "Fn::Sub"):
        # a !Sub as written; usable only where every ${...} means the same in the template
        # (a SAM policy template's own `${tableName}` does not)
        used = {p[2:-1].split(".")[0] for p in PLACEHOLDER.findall(value.expr)}
        if used and all(u.startswith("AWS::") or u in names for u in used):
            return Sub(value.expr)
    return None
