"""Helpers shared by the SAS-5 rules: booleans as the formats accept them, the logical ids
the Serverless Framework generates, and the CloudFormation resources of an app."""

from __future__ import annotations

from slsguard.model.app import App, Format, Function, Resource
from slsguard.model.values import to_bool as truthy
from slsguard.rules.refs import mentions, resource, resources_of

__all__ = ["mentions", "resource", "resources_of", "truthy"]  # re-exported for the SAS-5 rules


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


def custom_resources_of(fn: Function, app: App) -> list[Resource]:
    """The CloudFormation custom resources whose ServiceToken is the function."""
    ids = function_logical_ids(fn)
    return [
        r
        for r in app.resources
        if (r.type.startswith("Custom::") or r.type == "AWS::CloudFormation::CustomResource")
        and mentions(r.properties.get("ServiceToken"), ids)
    ]


def custom_resource_handlers(app: App) -> set[str]:
    """Functions that only back CloudFormation custom resources (run at deploy time)."""
    return {fn.id for fn in app.functions if not fn.events and custom_resources_of(fn, app)}
