"""A function's needs as IAM policy statements: one statement per set of resources, the
actions sorted, resources as template data (intrinsics for resources of the same template).

Lambda's own log permissions are left out: serverless.yml (and the per-function-roles
plugins) and SAM add them to every function role, and the CloudFormation writer keeps the
AWSLambdaBasicExecutionRole managed policy for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slsguard.least_privilege.arns import as_cloudformation
from slsguard.least_privilege.needs import FunctionNeeds
from slsguard.least_privilege.values import Arn
from slsguard.model.app import App, Function

BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
VPC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"


Kept = Callable[[str], tuple[Arn, ...] | None]


def statements(needs: FunctionNeeds, kept: Kept | None = None) -> list[dict[str, Any]]:
    """The statements that grant exactly what `needs` lists (implicit needs left out).
    `kept(action)`: the resources the current role allows an action on, used for a call
    whose resource could not be inferred instead of "*"."""
    groups: dict[tuple[str, ...], tuple[list[Arn], list[str]]] = {}
    for need in needs.needs:
        if need.implicit:
            continue
        targets = need.resources
        if targets == ("*",) and kept is not None and _scopable(need.action):
            targets = kept(need.action) or targets
        key = tuple(sorted(repr(r) for r in targets))
        resources, actions = groups.setdefault(key, (list(targets), []))
        if need.action not in actions:
            actions.append(need.action)
    # Statements that share their action set merge their resources.
    merged: dict[tuple[str, ...], tuple[list[str], list[Arn]]] = {}
    for resources, actions in groups.values():
        key = tuple(sorted(actions))
        _acts, res = merged.setdefault(key, (sorted(actions), []))
        res += [r for r in resources if r not in res]
    out = []
    for actions, resources in merged.values():
        if "*" in resources:
            resources = ["*"]
        out.append(
            {
                "Effect": "Allow",
                "Action": list(actions),
                "Resource": [as_cloudformation(r) for r in resources],
            }
        )
    return out


def _scopable(action: str) -> bool:
    from slsguard.iam import catalog

    info = catalog.info(action)
    return info is not None and info.supports_resource_level


def managed_policies(fn: Function) -> tuple[str, ...]:
    """The AWS managed policies a CloudFormation role keeps for what Lambda itself does."""
    out = [BASIC_EXECUTION]
    if fn.vpc is not None and fn.vpc.value:
        out = [VPC_EXECUTION]
    return tuple(out)


def policy_document(needs: FunctionNeeds, kept: Kept | None = None) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements(needs, kept)}


def kept_by(fn: Function, app: App) -> Kept | None:
    """What the function's current role scopes each action to (see statements)."""
    from slsguard.least_privilege.grants import granted_resources

    role = fn.role
    if role is None or role.external is not None:
        return None
    return lambda action: granted_resources(role, action, app)
