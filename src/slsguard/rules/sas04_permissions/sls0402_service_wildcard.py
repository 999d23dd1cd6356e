from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
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
        "including deletes and permission changes the function never needs."
    ),
    fix=(
        "Replace `service:*` or `service:Verb*` with the exact actions the function calls; "
        "`slsguard fix --least-privilege` derives them from the code."
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html",
        "https://owasp.org/www-project-serverless-top-10/",
    ),
)
def service_wildcard(role: Role, app: App) -> Iterator[Hit]:
    subject, owner = role_subject(role, app)
    for stmt in role.statements:
        if not stmt.allows:
            continue
        wild = [
            a
            for a in stmt.actions
            if isinstance(a, str) and "*" in a and a not in ("*", "*:*") and ":" in a
        ]
        if not wild:
            continue
        whole_service = any(a.endswith(":*") for a in wild)
        base = Severity.MEDIUM if whole_service else Severity.LOW
        yield Hit(
            stmt.action_src or stmt.src,
            f"{owner} allows {', '.join(sorted(set(wild)))} ({stmt.origin})",
            subject=subject,
            severity=raise_for_function_role(role, app, base),
        )
