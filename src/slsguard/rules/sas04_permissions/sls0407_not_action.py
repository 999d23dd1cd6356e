from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.iam.policy import is_star
from slsguard.model.app import App, Role
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas04_permissions.common import raise_capped, role_subject


@rule(
    id="SLS0407",
    name="iam-allow-not-action",
    category=Category.SAS_4,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="IAM Allow statement uses NotAction or NotResource",
    rationale=(
        "An Allow with NotAction grants every action except those listed, including every "
        "action AWS adds later; with NotResource it grants the actions on every resource but "
        "the listed ones. Both are allow-lists turned inside out. NotAction on "
        'Resource "*" is high, one step higher on a function\'s execution role.'
    ),
    fix=(
        "Use `Action` and `Resource` with what the function needs; keep NotAction/NotResource "
        "for Deny statements. In serverless.yml `provider.iam.role.statements[]` (or the "
        "function's `iamRoleStatements`), SAM `Policies[].Statement[]`, CloudFormation "
        "`AWS::IAM::Role` `Policies[].PolicyDocument.Statement[]` or `AWS::IAM::Policy` "
        "`PolicyDocument.Statement[]`."
    ),
    fixes=(
        (
            "serverless",
            "Rewrite the Allow in `provider.iam.role.statements` (or the function's "
            "`iamRoleStatements`) with `Action` and `Resource` listing what the function needs; "
            "keep `NotAction`/`NotResource` for Deny statements.",
        ),
        (
            "sam",
            "Rewrite the Allow in the function's `Policies[].Statement[]` with `Action` and "
            "`Resource` listing what the function needs, or use a SAM policy template; keep "
            "`NotAction`/`NotResource` for Deny statements.",
        ),
        (
            "cloudformation",
            "Rewrite the Allow in the AWS::IAM::Role `Policies[].PolicyDocument.Statement[]` (or "
            "an AWS::IAM::Policy `PolicyDocument`) with `Action` and `Resource` listing what the "
            "function needs; keep `NotAction`/`NotResource` for Deny statements.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html",
        "https://owasp.org/www-project-serverless-top-10/",
    ),
)
def allow_not_action(role: Role, app: App) -> Iterator[Hit]:
    subject, owner = role_subject(role, app)
    for stmt in role.statements:
        if not stmt.allows or not (stmt.not_actions or stmt.not_resources):
            continue
        if stmt.not_actions:
            broad = any(is_star(r) for r in stmt.resources) or bool(stmt.not_resources)
            base = Severity.HIGH if broad else Severity.MEDIUM
            excluded = ", ".join(str(a) for a in stmt.not_actions[:3])
            where = (
                f"on every resource except {', '.join(str(r) for r in stmt.not_resources[:2])}"
                if stmt.not_resources
                else 'on Resource "*"'
                if broad
                else "on the listed resources"
            )
            message = f"{owner} allows every action except {excluded} {where}"
            src = stmt.action_src or stmt.src
        else:
            base = Severity.MEDIUM
            excluded = ", ".join(str(r) for r in stmt.not_resources[:2])
            message = f"{owner} allows its actions on every resource except {excluded}"
            src = stmt.resource_src or stmt.src
        yield Hit(
            src,
            f"{message} ({stmt.origin})",
            subject=subject,
            severity=raise_capped(role, app, base, Severity.CRITICAL),
        )
