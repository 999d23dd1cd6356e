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
        "resources it uses; `slsguard fix --least-privilege` derives them from the code."
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
