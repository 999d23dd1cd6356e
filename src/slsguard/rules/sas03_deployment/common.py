"""Helpers shared by the SAS-3 rules: public principals, restricting conditions, public
buckets, property locations and booleans as CloudFormation accepts them."""

from __future__ import annotations

import json
import re
from typing import Any

from slsguard.model.app import Api, App, Bucket, Format, Resource, Statement
from slsguard.model.source import SourceRef
from slsguard.model.values import SYMBOLIC, GetAtt, Ref, Unresolved, as_list, is_known
from slsguard.model.values import to_bool as truthy
from slsguard.rules.refs import resource

__all__ = ["resource", "truthy"]  # re-exported for the rules of this category

PUBLIC_ACLS = frozenset({"PublicRead", "PublicReadWrite", "AuthenticatedRead"})

# Condition keys that tie a grant to a caller, source resource, account, network or org:
# with one of them an Allow to Principal "*" is a scoped service or network grant.
RESTRICTING_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceOwner",
        "aws:SourceVpce",
        "aws:SourceVpc",
        "aws:SourceIp",
        "aws:VpcSourceIp",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:PrincipalServiceName",
        "aws:userid",
        "s3:DataAccessPointAccount",
        "s3:DataAccessPointArn",
    )
)
_ANY_IP = frozenset({"0.0.0.0/0", "::/0"})


def public_principal(principal: Any) -> bool | None:
    """True for "*" or {"AWS": "*"}; None when not statically known."""
    if principal == "*":
        return True
    if isinstance(principal, dict):
        aws = principal.get("AWS")
        items = as_list(aws)
        if "*" in items:
            return True
        if any(isinstance(i, SYMBOLIC) for i in items):
            return None
        return False
    if isinstance(principal, SYMBOLIC):
        return None
    return False


def restricting_condition(condition: Any) -> bool | None:
    """Does the condition scope the grant (source, account, network, org)? None: unknown.

    Negated operators (StringNotEquals ...), `...IfExists` (true when the key is absent),
    Null, and values "*" or 0.0.0.0/0 restrict nothing.
    """
    if condition is None or condition == {}:
        return False
    if not isinstance(condition, dict):
        return None
    unknown = False
    for operator, entries in condition.items():
        if not isinstance(entries, dict):
            unknown = True
            continue
        op = str(operator).lower()
        if "not" in op or op.endswith("ifexists") or op == "null":
            continue
        for key, value in entries.items():
            if str(key).lower() not in RESTRICTING_KEYS:
                continue
            values = as_list(value)
            if any(isinstance(v, str) and (v == "*" or v in _ANY_IP) for v in values):
                continue
            if values:
                return True
    return None if unknown else False


def public_grant(stmt: Statement) -> bool:
    """An Allow to everyone that no condition scopes (unknown parts are not a grant)."""
    return public_statement(stmt.effect, stmt.principal, stmt.condition)


def public_statement(effect: Any, principal: Any, condition: Any) -> bool:
    return (
        effect == "Allow"
        and public_principal(principal) is True
        and restricting_condition(condition) is False
    )


def public_acl(bucket: Bucket) -> str | None:
    acl = bucket.acl.value if bucket.acl is not None else None
    return acl if isinstance(acl, str) and acl in PUBLIC_ACLS else None


def public_reason(bucket: Bucket) -> str | None:
    """Why the bucket is public or meant to be ("AccessControl PublicRead", "a bucket policy
    ...", "a website configuration"), or None."""
    acl = public_acl(bucket)
    if acl:
        return f"AccessControl {acl}"
    if any(public_grant(s) for s in bucket.policy_statements):
        return 'a bucket policy that allows Principal "*"'
    if bucket.website:
        return "a website configuration"
    return None


def prop_src(app: App, res: Resource, *keys: str | int) -> SourceRef:
    """Where a property of a resource is written (its nearest written ancestor)."""
    return app.at((*res.src.path, "Properties", *keys), res.src)


def policy_resource_of(app: App, stmt: Statement) -> Resource | None:
    """The policy resource a statement was read from (origin "<Type> <LogicalId>")."""
    _, _, logical_id = stmt.origin.rpartition(" ")
    return resource(app, logical_id) if logical_id else None


_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


def json_document(value: Any) -> Any:
    """A JSON policy written as a string: parsed when plain, or when it is an unresolved
    Fn::Sub/Join template whose ${...} placeholders all sit inside JSON strings (then
    they cannot change its structure). None when it cannot be read safely."""
    if isinstance(value, (dict, list)):
        return value if is_known(value) else None
    text: str | None = None
    if isinstance(value, str):
        text = value
    elif isinstance(value, Unresolved) and "${" in value.expr:
        # An unquoted placeholder makes the substituted text invalid JSON: refused.
        text = _PLACEHOLDER.sub("x", value.expr)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def mentions(value: Any, logical_id: str) -> bool:
    """Does a resolved value point at a resource (Ref, GetAtt or ${Id} in a template)?"""
    if isinstance(value, (Ref, GetAtt)):
        return value.logical_id == logical_id
    if isinstance(value, Unresolved):
        return (
            re.search(r"\$\{!?(?:Ref |GetAtt )?" + re.escape(logical_id) + r"[.}]", value.expr)
            is not None
        )
    return False


def api_prop_src(app: App, api: Api, key: str) -> SourceRef:
    """Where an API property is written: the resource itself, SAM Globals, or serverless
    provider.httpApi."""
    path = api.src.path
    if app.format is Format.SERVERLESS and path == ("provider",):
        return app.at(("provider", "httpApi" if api.kind == "http" else "apiGateway", key), api.src)
    if len(path) >= 2 and path[-2] == "Resources":
        res = resource(app, api.id)
        if res is not None and key in res.properties:
            return prop_src(app, res, key)
        if app.format is Format.SAM:  # inherited from Globals
            section = "HttpApi" if api.kind == "http" else "Api"
            return app.at(("Globals", section, key), api.src)
        return api.src
    return app.at((*path, key), api.src)  # implicit SAM API: path is Globals.<section>
