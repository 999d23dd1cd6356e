from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Function, Role
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas04_permissions.common import role_users


def _triggers(fn: Function) -> str:
    kinds = sorted({e.kind for e in fn.events if not e.is_http})
    return f"{fn.id} ({', '.join(kinds)})"


@rule(
    id="SLS0404",
    name="iam-shared-role",
    category=Category.SAS_4,
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    title="One IAM role shared by an HTTP-exposed function and event-triggered workers",
    rationale=(
        "When a public HTTP function shares its role with queue, stream, storage or schedule "
        "workers, an injection through the API gets every permission the workers need. This "
        "configuration-level check only compares the functions' triggers, not what their "
        "code calls (comparing the code's needs comes with handler analysis), so it is low "
        "severity and medium "
        "confidence: the workers may need nothing the HTTP function lacks."
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
