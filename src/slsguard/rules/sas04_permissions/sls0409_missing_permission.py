from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.least_privilege.grants import allows
from slsguard.model.app import App, Function
from slsguard.model.source import SourceRef
from slsguard.rules.base import Hit, rule


@rule(
    id="SLS0409",
    name="iam-missing-permission",
    category=Category.SAS_4,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="AWS SDK call in the handler that the function's role does not allow",
    rationale=(
        "The call fails with AccessDenied at run time, usually on the first real request "
        "after a deploy, and the quick fix under pressure is a wildcard. The action comes "
        "from the SDK call (botocore's models and the IAM action catalogue); the verdict "
        "needs every permission of the role to be known (statements in the file, AWS managed "
        "policies whose content is known), no resource policy in the template naming the "
        "role, and resources that can be compared: otherwise the rule stays silent."
    ),
    fix=(
        "Grant exactly the action on the resource the call uses, on this function's own role: "
        "`slsguard fix --least-privilege --function NAME` prints the statement."
    ),
    fixes=(
        (
            "serverless",
            "Add the action on the resource to the function's `iamRoleStatements` (or "
            "`provider.iam.role.statements`); `slsguard fix --least-privilege --function NAME` "
            "prints the exact statement.",
        ),
        (
            "sam",
            "Add the action on the resource to the function's `Policies` (a `Statement` entry or "
            "a SAM policy template on that resource); `slsguard policy NAME` prints the statement.",
        ),
        (
            "cloudformation",
            "Add the action on the resource to the function role's "
            "`Policies[].PolicyDocument.Statement`; `slsguard policy NAME` prints the statement.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
        "https://owasp.org/www-project-serverless-top-10/",
    ),
)
def missing_permission(fn: Function, app: App) -> Iterator[Hit]:
    needs = (app.needs or {}).get(fn.id)
    if needs is None or fn.role is None:
        return
    reported: set[tuple[str, int, str]] = set()
    for need in needs.needs:
        if not need.file:
            continue  # what Lambda does for the function is the framework's to grant
        key = (need.file, need.line, need.action)
        if key in reported or allows(fn.role, need, app) is not False:
            continue
        reported.add(key)
        shown = ", ".join(str(r) for r in need.resources)
        yield Hit(
            SourceRef(need.file, need.line, need.col, ("code", fn.id, "SLS0409")),
            f"{need.why} needs {need.action} on {shown}, which the role of function "
            f"{fn.id} ({fn.role.id}) does not allow: the call fails with AccessDenied",
            subject=f"function {fn.id}",
        )
