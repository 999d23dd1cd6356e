from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Function, Role
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas04_permissions.common import role_users


def _by_needs(role: Role, users: list[Function], needs: dict[str, frozenset[str]]) -> Iterator[Hit]:
    """Compare what the functions' code and triggers need (logs are everyone's)."""
    own = {fn: sorted(a for a in acts if not a.startswith("logs:")) for fn, acts in needs.items()}
    if len({tuple(v) for v in own.values()}) <= 1:
        return
    shown = "; ".join(
        f"{fn.id} needs {', '.join(own[fn.id][:4]) or 'no AWS API'}"
        + (f" and {len(own[fn.id]) - 4} more" if len(own[fn.id]) > 4 else "")
        for fn in users[:4]
    ) + (f"; and {len(users) - 4} more functions" if len(users) > 4 else "")
    yield Hit(
        role.src,
        f"role {role.id} is shared by functions that need different permissions ({shown}): "
        "each one holds what the others need",
        subject=f"role {role.id}",
        severity=Severity.MEDIUM,
    )


def _triggers(fn: Function) -> str:
    kinds = sorted({e.kind for e in fn.events if not e.is_http})
    return f"{fn.id} ({', '.join(kinds)})"


@rule(
    id="SLS0404",
    name="iam-shared-role",
    category=Category.SAS_4,
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    title="One IAM role shared by functions that need different permissions",
    rationale=(
        "A role shared by functions that do different things gives each of them what all "
        "the others need: an injection into one function gets the permissions of every "
        "function of the role. When the code of every function of the role was read in full, "
        "the rule compares what each one needs (the AWS SDK calls in its code and what its "
        "triggers make Lambda do, see SLS0408) and reports roles whose functions need "
        "different things, naming them. Otherwise it falls back to comparing triggers: a role "
        "shared by an HTTP-exposed function and queue, stream, storage or schedule workers, "
        "which the API should not hold; that fallback is why the confidence is medium."
    ),
    fix=(
        "Give each function its own role with only what it uses: in serverless.yml a "
        "function-level `role` or `iamRoleStatements` (serverless-iam-roles-per-function "
        "plugin) instead of `provider.iam.role.statements`; in SAM a function's own "
        "`Policies` instead of a shared `Role`; in CloudFormation one `AWS::IAM::Role` per "
        "`AWS::Lambda::Function` `Role`."
    ),
    fixes=(
        (
            "serverless",
            "Give each function its own role: `iamRoleStatements` on each function (the "
            "serverless-iam-roles-per-function plugin) instead of `provider.iam.role.statements`, "
            "or a function-level `role:` naming its own AWS::IAM::Role in `resources.Resources`.",
        ),
        (
            "sam",
            "Drop the shared `Role` and give each AWS::Serverless::Function its own `Policies` "
            "(SAM then creates one role per function), e.g. `SQSPollerPolicy: {QueueName: !GetAtt "
            "Queue.QueueName}` only on the worker.",
        ),
        (
            "cloudformation",
            "Declare one AWS::IAM::Role per AWS::Lambda::Function and point each function's "
            "`Role` at its own (`Role: !GetAtt WorkerRole.Arn`), with only the permissions that "
            "function uses.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
        "https://www.serverless.com/framework/docs/providers/aws/guide/iam",
        "https://owasp.org/www-project-serverless-top-10/",
    ),
)
def shared_role(role: Role, app: App) -> Iterator[Hit]:
    if role.external is not None or not (
        any(s.allows for s in role.statements) or role.managed_policies
    ):
        return  # permissions unknown, or only what every function gets (basic logging)
    users = [app.function(fn_id) for fn_id in role_users(role, app)]
    needs = app.needs or {}
    if len(users) > 1 and all(fn.id in needs and needs[fn.id].complete for fn in users):
        yield from _by_needs(role, users, {fn.id: needs[fn.id].actions() for fn in users})
        return
    exposed = [fn for fn in users if fn.http_events]
    workers = [fn for fn in users if fn.events and not fn.http_events]
    if not exposed or not workers:
        return
    shown = ", ".join(fn.id for fn in exposed[:3]) + (
        f" and {len(exposed) - 3} more" if len(exposed) > 3 else ""
    )
    shown_workers = ", ".join(_triggers(fn) for fn in workers[:3]) + (
        f" and {len(workers) - 3} more" if len(workers) > 3 else ""
    )
    yield Hit(
        role.src,
        f"role {role.id} is shared by HTTP-exposed function{'s' if len(exposed) > 1 else ''} "
        f"{shown} and event-triggered function{'s' if len(workers) > 1 else ''} "
        f"{shown_workers}, so the API holds the workers' permissions",
        subject=f"role {role.id}",
    )
