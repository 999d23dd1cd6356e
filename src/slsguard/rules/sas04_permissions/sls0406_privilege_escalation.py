from __future__ import annotations

from collections.abc import Iterator, Mapping

from slsguard.findings import Category, Confidence, Severity
from slsguard.iam.catalog import ActionInfo
from slsguard.iam.policy import (
    covers_every_resource,
    covers_every_resource_of,
    denials,
    granted,
    is_action_wildcard,
)
from slsguard.iam.risky import risky_actions
from slsguard.model.app import App, Role, Statement
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas04_permissions.common import raise_capped, risk_severity, role_subject

# AWS's own policy validation warns on it alone (PASS_ROLE_WITH_STAR_IN_RESOURCE): the
# service that is handed a role is the only limit, and a create permission for any service
# may come from a managed policy this scan cannot read.
PASS_ROLE = "iam:passrole"
# Credentials of AWS principals (sts:AssumeRole, iam:CreateAccessKey) raise the role's own
# AWS privileges; other services' (database, repository, instance) are data access, left to
# SLS0403.
_PRINCIPAL_SERVICES = ("iam:", "sts:")


def _unscoped(role: Role) -> list[tuple[Statement, dict[str, ActionInfo], dict[str, str]]]:
    """Per unconditioned Allow on every resource: its actions and the pattern naming each."""
    denied = denials(role.statements)
    out = []
    for stmt in role.statements:
        if not stmt.allows or stmt.condition:
            continue
        wide = [r for r in stmt.resources if covers_every_resource(r)]
        if not wide:
            continue
        actions: dict[str, ActionInfo] = {}
        patterns: dict[str, str] = {}
        for grant in granted(stmt.actions):
            for action in grant.actions:
                everywhere = any(covers_every_resource_of(r, action) for r in wide)
                if everywhere and not denied.cancels(action):
                    actions[action.full_name.lower()] = action
                    patterns.setdefault(action.full_name.lower(), grant.pattern)
        if actions:
            out.append((stmt, actions, patterns))
    return out


def _shown(keys: set[str], actions: Mapping[str, ActionInfo], patterns: Mapping[str, str]) -> str:
    """Exact actions by name; a wildcard by its pattern and what it brings in."""
    by_pattern: dict[str, list[str]] = {}
    for key in sorted(keys):
        by_pattern.setdefault(patterns[key], []).append(actions[key].full_name)
    parts = []
    for pattern, found in sorted(by_pattern.items()):
        if is_action_wildcard(pattern):
            extra = f" and {len(found) - 2} more" if len(found) > 2 else ""
            parts.append(f"{pattern} (incl. {', '.join(found[:2])}{extra})")
        else:
            parts.extend(found)
    return ", ".join(parts)


@rule(
    id="SLS0406",
    name="iam-privilege-escalation",
    category=Category.SAS_4,
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    title="IAM role can escalate its own privileges (iam:PassRole, iam:Put*Policy ... on *)",
    rationale=(
        "A role that may attach or write policies, create access keys, or pass a role to a "
        "new Lambda function, stack or instance can give itself any permission: one "
        "injection in the function becomes control of the account. The combinations come "
        "from Cloudsplaining's privilege-escalation methods (Rhino Security Labs, "
        "pathfinding.cloud), granted on every resource across the role's statements. "
        "iam:PassRole on every role is reported on its own, as AWS's policy validation does, "
        "and so are IAM and STS actions that return another principal's credentials "
        '(sts:AssumeRole on "*", from Cloudsplaining\'s list). Statements with a Condition '
        'and actions denied on "*" are left out.'
    ),
    fix=(
        "Remove the IAM and deployment actions from the function's role, or scope them: "
        "`iam:PassRole` to the one role ARN (`!GetAtt TaskRole.Arn`) with an "
        "`iam:PassedToService` condition, `sts:AssumeRole` to the roles it assumes. In "
        "serverless.yml `provider.iam.role.statements[].Resource` (or the function's "
        "`iamRoleStatements`), SAM `Policies[].Statement[].Resource`, CloudFormation "
        "`AWS::IAM::Role` `Policies[].PolicyDocument.Statement[].Resource`."
    ),
    fixes=(
        (
            "serverless",
            "Remove IAM, STS and deployment actions from `provider.iam.role.statements` (or the "
            "function's `iamRoleStatements`), or scope them: `iam:PassRole` on the one role ARN "
            "with an `iam:PassedToService` condition, `sts:AssumeRole` on the roles the function "
            "assumes.",
        ),
        (
            "sam",
            "Remove IAM, STS and deployment actions from the function's `Policies`, or scope "
            "them: `iam:PassRole` on `!GetAtt TaskRole.Arn` with `Condition: {StringEquals: "
            "{iam:PassedToService: ecs-tasks.amazonaws.com}}`, `sts:AssumeRole` on the roles the "
            "function assumes.",
        ),
        (
            "cloudformation",
            "Remove IAM, STS and deployment actions from the AWS::IAM::Role `Policies`, or scope "
            "them: `iam:PassRole` with `Resource: !GetAtt TaskRole.Arn` and `Condition: "
            "{StringEquals: {iam:PassedToService: ecs-tasks.amazonaws.com}}`, `sts:AssumeRole` on "
            "the roles the function assumes.",
        ),
    ),
    references=(
        "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
        "https://cloudsplaining.readthedocs.io/en/latest/glossary/privilege-escalation/",
        "https://owasp.org/www-project-serverless-top-10/",
    ),
)
def privilege_escalation(role: Role, app: App) -> Iterator[Hit]:
    data = risky_actions()
    unscoped = _unscoped(role)
    if not unscoped:
        return
    subject, owner = role_subject(role, app)
    held = set().union(*(actions.keys() for _, actions, _ in unscoped))
    complete = {name: needed for name, needed in data.escalation_methods.items() if needed <= held}
    escalating = set().union(*complete.values())
    for stmt, actions, patterns in unscoped:
        mine = set(actions) & escalating
        if mine:
            methods = sorted(name for name, needed in complete.items() if needed & mine)
            more = f" and {len(methods) - 3} more" if len(methods) > 3 else ""
            yield Hit(
                stmt.action_src or stmt.src,
                f"{owner} allows {_shown(mine, actions, patterns)} on every resource: "
                f"privilege escalation by {', '.join(methods[:3])}{more} ({stmt.origin})",
                subject=subject,
                severity=raise_capped(
                    role, app, risk_severity("PrivilegeEscalation"), Severity.CRITICAL
                ),
            )
            continue
        credentials = {
            key
            for key, action in actions.items()
            if key in data.credentials_exposure
            and key.startswith(_PRINCIPAL_SERVICES)
            and action.always_names_resource
        }
        if credentials:
            yield Hit(
                stmt.action_src or stmt.src,
                f"{owner} allows {_shown(credentials, actions, patterns)} on every resource: "
                f"it can obtain the credentials of other IAM principals ({stmt.origin})",
                subject=subject,
                severity=risk_severity("CredentialsExposure"),
            )
        elif PASS_ROLE in actions:
            yield Hit(
                stmt.action_src or stmt.src,
                f"{owner} allows {_shown({PASS_ROLE}, actions, patterns)} on every role: with "
                f"any create permission it can hand a more powerful role to a new resource "
                f"({stmt.origin})",
                subject=subject,
                severity=raise_capped(role, app, Severity.MEDIUM, Severity.HIGH),
            )
