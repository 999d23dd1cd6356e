"""A function's needs as IAM policy statements: one statement per set of resources, the
actions sorted, resources as template data (intrinsics for resources of the same template).

Lambda's own log permissions are left out: serverless.yml (and the per-function-roles
plugins) and SAM add them to every function role, and the CloudFormation writer keeps the
AWSLambdaBasicExecutionRole managed policy for them.
"""

from __future__ import annotations

from typing import Any

from slsguard.least_privilege.arns import as_cloudformation
from slsguard.least_privilege.needs import FunctionNeeds
from slsguard.least_privilege.values import Arn
from slsguard.model.app import Function

BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
VPC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"


def statements(needs: FunctionNeeds) -> list[dict[str, Any]]:
    """The statements that grant exactly what `needs` lists (implicit needs left out)."""
    groups: dict[tuple[str, ...], tuple[list[Arn], list[str]]] = {}
    for need in needs.needs:
        if need.implicit:
            continue
        key = tuple(sorted(repr(r) for r in need.resources))
        resources, actions = groups.setdefault(key, (list(need.resources), []))
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


def managed_policies(fn: Function) -> tuple[str, ...]:
    """The AWS managed policies a CloudFormation role keeps for what Lambda itself does."""
    out = [BASIC_EXECUTION]
    if fn.vpc is not None and fn.vpc.value:
        out = [VPC_EXECUTION]
    return tuple(out)


def policy_document(needs: FunctionNeeds) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements(needs)}
