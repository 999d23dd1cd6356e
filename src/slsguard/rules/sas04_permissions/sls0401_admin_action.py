from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Role
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas04_permissions.common import raise_for_function_role, role_subject


@rule(
    id="SLS0401",
    name="iam-admin-action",
    category=Category.SAS_4,
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    title='IAM statement allows every action (Action: "*")',
    rationale=(
        'Action "*" makes the role an administrator of whatever the Resource covers: one '
        "injection in the function becomes control of the account."
    ),
    fix=(
        "List only the actions the function calls (e.g. `dynamodb:GetItem`), scoped to the "
        "resources it uses."
    ),
    fixes=(
        (
            "serverless",
            "Replace `Action: '*'` in `provider.iam.role.statements` (or the function's "
            "`iamRoleStatements`) with the actions the function calls, on its resources, e.g. "
            "`{Effect: Allow, Action: [dynamodb:GetItem, dynamodb:PutItem], Resource: !GetAtt "
            "OrdersTable.Arn}`.",
        ),
        (
            "sam",
            "Replace the statement in the function's `Policies` with a SAM policy template on one "
            "resource (`DynamoDBCrudPolicy: {TableName: !Ref OrdersTable}`) or a statement "
            "listing the actions the function calls, e.g. `Action: [dynamodb:GetItem, "
            "dynamodb:PutItem]` on `!GetAtt OrdersTable.Arn`.",
        ),
        (
            "cloudformation",
            "Replace `Action: '*'` in the AWS::IAM::Role `Policies[].PolicyDocument` (or the "
            "AWS::IAM::Policy/ManagedPolicy `PolicyDocument`) with the actions the function "
            "calls, on its resources, e.g. `Action: [dynamodb:GetItem, dynamodb:PutItem]` with "
            "`Resource: !GetAtt OrdersTable.Arn`.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://owasp.org/www-project-serverless-top-10/",
    ),
)
def admin_action(role: Role, app: App) -> Iterator[Hit]:
    subject, owner = role_subject(role, app)
    for stmt in role.statements:
        if stmt.allows and any(a in ("*", "*:*") for a in stmt.actions):
            yield Hit(
                stmt.action_src or stmt.src,
                f'{owner} allows Action "*" ({stmt.origin})',
                subject=subject,
                severity=raise_for_function_role(role, app, Severity.HIGH),
            )
