from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.iam import catalog
from slsguard.iam.policy import SAM_TEMPLATE_ORIGIN
from slsguard.least_privilege.grants import (
    only_lambda_assumes,
    role_fully_known,
    statement_actions,
)
from slsguard.model.app import App, Role
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas04_permissions.common import role_subject, role_users


@rule(
    id="SLS0408",
    name="iam-unused-permission",
    category=Category.SAS_4,
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    title="IAM permission granted to a function that its code never uses",
    rationale=(
        "slsguard reads each handler (and the project modules it imports), maps every AWS SDK "
        "call to the IAM actions it needs (botocore's models, the IAM action catalogue and a "
        "small override table), and adds what the configuration makes Lambda do for the "
        "function (read its queue or stream, write logs and traces, use its VPC, send to its "
        "dead-letter target). A granted action outside that set is what an attacker who "
        "injects code into the function gets for free. The rule only speaks for roles whose "
        "functions' code was read in full: no handler missing, no SDK call whose service or "
        "operation is unknown, no client handed to code that is not followed, no library "
        "known to call AWS by itself (PynamoDB, awswrangler, Powertools parameters ...), and "
        "whose trust policy lets only Lambda use them. `Action: '*'` is SLS0401's. Medium "
        "confidence: code can reach AWS in ways no static reading sees."
    ),
    fix=(
        "Grant each function only the actions its code calls: `slsguard fix --least-privilege` "
        "prints the statements derived from the code (and a diff); `--write` puts them into "
        "the file (per-function `iamRoleStatements` in serverless.yml, `Policies` in SAM, the "
        "role's `Policies` in CloudFormation)."
    ),
    fixes=(
        (
            "serverless",
            "Run `slsguard fix --least-privilege --write`: each function gets its own "
            "`iamRoleStatements` (serverless-iam-roles-per-function plugin) with only the actions "
            "its code calls, and provider-level statements no function uses any more are dropped.",
        ),
        (
            "sam",
            "Run `slsguard fix --least-privilege --write`: the function's `Policies` become one "
            "inline statement list with only the actions its code calls, in place of broad SAM "
            "policy templates such as DynamoDBCrudPolicy.",
        ),
        (
            "cloudformation",
            "Run `slsguard fix --least-privilege --write`: the function's AWS::IAM::Role gets one "
            "`<Function>-least-privilege` policy with only the actions its code calls (a shared "
            "role is split: the function gets a role of its own).",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
        "https://owasp.org/www-project-serverless-top-10/",
    ),
)
def unused_permission(role: Role, app: App) -> Iterator[Hit]:
    users = role_users(role, app)
    needs = app.needs or {}
    if (
        not users
        or not role_fully_known(role)
        or not only_lambda_assumes(role, app)  # a role other services use needs more
        or any(u not in needs or not needs[u].complete for u in users)
    ):
        return
    used = sorted(set().union(*(needs[u].actions() for u in users)))
    subject, owner = role_subject(role, app)
    for stmt in role.statements:
        if not stmt.allows or stmt.not_actions:
            continue
        unused: list[str] = []
        narrow: list[str] = []
        for pattern in statement_actions(stmt):
            if pattern.strip() == "*":
                continue  # SLS0401
            hits = [a for a in used if fnmatch.fnmatchcase(a.lower(), pattern.lower())]
            if not hits:
                unused.append(pattern)
            elif ("*" in pattern or "?" in pattern) and len(catalog.expand(pattern) or ()) > len(
                hits
            ):
                narrow.append(f"{pattern} (only {', '.join(hits)} used)")
        if not unused and not narrow:
            continue
        parts = []
        if unused:
            parts.append(f"{', '.join(unused)} {'is' if len(unused) == 1 else 'are'} never used")
        if narrow:
            parts.append(f"{'; '.join(narrow)}")
        origin = stmt.origin.removeprefix(SAM_TEMPLATE_ORIGIN) if stmt.origin else ""
        where = f" ({origin})" if origin else ""
        code = ", ".join(a for a in used if not a.startswith("logs:")) or "no AWS API"
        yield Hit(
            stmt.action_src or stmt.src,
            f"{owner} grants more than the code calls{where}: {'; '.join(parts)}; "
            f"the code and triggers need {code}",
            subject=subject,
        )
