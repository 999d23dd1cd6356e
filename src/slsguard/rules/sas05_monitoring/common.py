"""Helpers shared by the SAS-5 rules: booleans as the formats accept them, the logical ids
the Serverless Framework generates, and the CloudFormation resources of an app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from slsguard.model.app import App, Format, Function, Resource
from slsguard.model.values import GetAtt, Ref, Unresolved


def truthy(value: Any) -> bool | None:
    """True/False for a boolean as YAML, CloudFormation and the framework accept it
    (true, "true", "True"), None when absent or not statically known."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def sls_logical_id(function_id: str) -> str:
    """The prefix of the logical ids the framework generates for a function
    (`<Prefix>LambdaFunction`, `<Prefix>LogGroup`): lib/plugins/aws/lib/naming.js."""
    name = function_id.replace("-", "Dash").replace("_", "Underscore")
    return name[:1].upper() + name[1:]


def function_logical_ids(fn: Function) -> set[str]:
    """Logical ids under which the function's CloudFormation resource is referenced."""
    if fn.format == Format.SERVERLESS:
        return {fn.id, f"{sls_logical_id(fn.id)}LambdaFunction"}
    return {fn.id}


def mentions(value: Any, ids: set[str]) -> bool:
    """True when a resolved value points at one of the logical ids (Ref, GetAtt, or an
    unresolved Sub/Join text that names it)."""
    if isinstance(value, (Ref, GetAtt)):
        return value.logical_id in ids
    if isinstance(value, Unresolved):
        return any(_word(i).search(value.expr) for i in ids)
    if isinstance(value, dict):
        return any(mentions(v, ids) for v in value.values())
    if isinstance(value, list):
        return any(mentions(v, ids) for v in value)
    return False


def _word(text: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(text)}(?![A-Za-z0-9])")


def resources_of(app: App, *types: str) -> Iterator[Resource]:
    return (r for r in app.resources if r.type in types)


def resource(app: App, logical_id: str) -> Resource | None:
    return next((r for r in app.resources if r.id == logical_id), None)


def custom_resource_handlers(app: App) -> set[str]:
    """Functions that only back CloudFormation custom resources (run at deploy time)."""
    tokens = [
        r.properties.get("ServiceToken")
        for r in app.resources
        if r.type.startswith("Custom::") or r.type == "AWS::CloudFormation::CustomResource"
    ]
    return {
        fn.id
        for fn in app.functions
        if any(mentions(token, function_logical_ids(fn)) for token in tokens) and not fn.events
    }
