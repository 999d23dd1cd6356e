"""Write least-privilege IAM statements into the user's own template, in place.

`apply_changes` plans the edits on plain data (slsguard.fix.ops), then has them made by
the JSON writer (json module, re-dumped in the file's indentation) or by the YAML writer
(slsguard.fix.yamlfile: ruamel.yaml, spliced into the original text so that every byte
outside the edited entries stays as it was). ruamel.yaml is imported only when a YAML
file is edited, so importing this module stays cheap.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from slsguard.fix.model import CannotFix, PolicyChange
from slsguard.fix.ops import (
    Append,
    DeleteKey,
    Op,
    RenameKey,
    SetKey,
    is_intrinsic,
    lookup,
    normalize,
    policy_document,
    statement,
)

__all__ = ["FORMATS", "PER_FUNCTION_PLUGINS", "CannotFix", "PolicyChange", "apply_changes"]

FORMATS = ("serverless", "sam", "cloudformation")

# Plugins that give each function of a serverless.yml its own role from iamRoleStatements.
PER_FUNCTION_PLUGINS = (
    "serverless-iam-roles-per-function",
    "@interlace/serverless-iam-roles-per-function",
    "serverless-iam-roles-per-function-v4",
    "serverless-plugin-custom-roles",
)
DEFAULT_PLUGIN = PER_FUNCTION_PLUGINS[0]

_LAMBDA_ASSUME_ROLE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
_SEPARATE_POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy")


class _Writer(Protocol):
    data: Any  # the document as plain data, intrinsics normalized (slsguard.fix.ops)

    def apply(self, ops: Sequence[Op]) -> str: ...


def apply_changes(text: str, path: str, fmt: str, changes: Sequence[PolicyChange]) -> str:
    """`text` (the content of `path`) with each function's statements written in.

    fmt is "serverless", "sam" or "cloudformation". Returns `text` itself when nothing
    changes. Raises CannotFix, naming the function and the reason, when a change cannot
    be written; then nothing is written at all.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if not changes:
        return text
    if path.endswith((".js", ".cjs", ".mjs", ".ts")):
        raise CannotFix(f"{path}: a JavaScript/TypeScript configuration cannot be edited")
    seen: set[str] = set()
    for change in changes:
        if change.function_id in seen:
            raise CannotFix(f"function {change.function_id} is given twice")
        seen.add(change.function_id)
    writer = _open(text, path)
    if fmt == "serverless":
        ops = _plan_serverless(writer.data, path, changes)
    else:
        ops = _plan_template(writer.data, path, changes)
    ops = [op for op in ops if not _is_noop(writer.data, op)]
    if not ops:
        return text
    return writer.apply(ops)


def _open(text: str, path: str) -> _Writer:
    if path.lower().endswith(".json") or text.lstrip().startswith("{"):
        try:
            json.loads(text)
        except ValueError as exc:
            if path.lower().endswith(".json"):
                raise CannotFix(f"{path} is not valid JSON: {exc}") from None
        else:
            from slsguard.fix.jsonfile import JsonWriter

            return JsonWriter(text, path)
    from slsguard.fix.yamlfile import YamlWriter  # ruamel.yaml: only when needed

    return YamlWriter(text, path)


def _is_noop(doc: Any, op: Op) -> bool:
    if not isinstance(op, SetKey):
        return False
    mapping = lookup(doc, op.path)
    return op.key in mapping and bool(mapping[op.key] == op.value)


# -- serverless.yml -----------------------------------------------------------------------


def _plan_serverless(doc: Any, path: str, changes: Sequence[PolicyChange]) -> list[Op]:
    if not isinstance(doc, dict):
        raise CannotFix(f"{path} is not a serverless.yml mapping")
    functions = doc.get("functions")
    ops: list[Op] = []
    for change in changes:
        fid = change.function_id
        fn = functions.get(fid) if isinstance(functions, dict) else None
        if fn is None and isinstance(functions, str | list):  # `${file(functions.yml)}` ...
            raise CannotFix(
                f"function {fid} is not written out in {path} (functions: {_show(functions)}); "
                "add the statements where it is defined"
            )
        if fn is None:
            raise CannotFix(f"function {fid} not found under functions: in {path}")
        if not isinstance(fn, dict):
            raise CannotFix(f"function {fid} in {path} is not a mapping")
        if "role" in fn:
            raise CannotFix(
                f"function {fid} uses role: {_show(fn['role'])}; "
                "give that role the statements instead"
            )
        statements = [statement(s) for s in change.statements]
        where = ("functions", fid)
        after = "handler" if "handler" in fn else None
        ops.append(SetKey(where, "iamRoleStatements", statements, after=after))
        if fn.get("iamRoleStatementsInherit") is True:
            ops.append(DeleteKey(where, "iamRoleStatementsInherit"))
    ops.extend(_plan_plugin(doc, path))
    ops.extend(_plan_unused_provider_statements(doc, {c.function_id for c in changes}))
    return ops


def _plan_unused_provider_statements(doc: dict[str, Any], changed: set[str]) -> list[Op]:
    """Once every function has its own role, the provider-level statements grant nothing
    to any function: drop them rather than leave a broad policy behind (the role serverless
    would still create for them is attached to nothing)."""
    functions = doc.get("functions")
    provider = doc.get("provider")
    if not isinstance(functions, dict) or not isinstance(provider, dict):
        return []
    for fid, fn in functions.items():
        if not isinstance(fn, dict):
            return []
        if fid in changed:
            continue
        own = "role" in fn or "iamRoleStatements" in fn
        if not own or fn.get("iamRoleStatementsInherit") is True:
            return []
    settings = (doc.get("custom") or {}) if isinstance(doc.get("custom"), dict) else {}
    plugin = settings.get("serverless-iam-roles-per-function")
    if isinstance(plugin, dict) and plugin.get("defaultInherit") is True:
        return []
    if "iamRoleStatements" in provider:
        return [DeleteKey(("provider",), "iamRoleStatements")]
    iam = provider.get("iam")
    role = iam.get("role") if isinstance(iam, dict) else None
    if not isinstance(iam, dict) or not isinstance(role, dict) or "statements" not in role:
        return []
    if set(role) != {"statements"}:
        return [DeleteKey(("provider", "iam", "role"), "statements")]
    if set(iam) != {"role"}:
        return [DeleteKey(("provider", "iam"), "role")]
    return [DeleteKey(("provider",), "iam")]


def _plan_plugin(doc: dict[str, Any], path: str) -> list[Op]:
    if "plugins" not in doc:
        after = "provider" if "provider" in doc else None
        return [SetKey((), "plugins", [DEFAULT_PLUGIN], after=after)]
    plugins = doc["plugins"]
    where: tuple[str, ...] = ("plugins",)
    if isinstance(plugins, dict):  # {localPath: ..., modules: [...]}
        if not isinstance(plugins.get("modules"), list):
            if plugins.get("modules") is not None:
                raise CannotFix(f"{path}: plugins.modules is not a list; add {DEFAULT_PLUGIN}")
            return [SetKey(where, "modules", [DEFAULT_PLUGIN])]
        plugins = plugins["modules"]
        where = ("plugins", "modules")
    if plugins is None:
        return [SetKey((), "plugins", [DEFAULT_PLUGIN])]
    if not isinstance(plugins, list):
        raise CannotFix(f"{path}: plugins: is not a list; add {DEFAULT_PLUGIN} to it")
    if any(name in PER_FUNCTION_PLUGINS for name in plugins):
        return []
    return [Append(where, DEFAULT_PLUGIN)]


# -- SAM and CloudFormation -------------------------------------------------------------


def _plan_template(doc: Any, path: str, changes: Sequence[PolicyChange]) -> list[Op]:
    resources = doc.get("Resources") if isinstance(doc, dict) else None
    if not isinstance(resources, dict):
        raise CannotFix(f"{path} has no Resources")
    ops: list[Op] = []
    for change in changes:
        fid = change.function_id
        resource = resources.get(fid)
        if not isinstance(resource, dict):
            raise CannotFix(f"function {fid} not found under Resources: in {path}")
        kind = resource.get("Type")
        props = resource.get("Properties")
        if kind not in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            raise CannotFix(f"resource {fid} in {path} is {_show(kind)}, not a Lambda function")
        if not isinstance(props, dict):
            raise CannotFix(f"function {fid} in {path} has no Properties")
        if kind == "AWS::Serverless::Function":
            ops.extend(_plan_sam(fid, props, change))
        else:
            ops.extend(_plan_lambda(doc, path, fid, props, change))
    return ops


def _plan_sam(fid: str, props: dict[str, Any], change: PolicyChange) -> list[Op]:
    where = ("Resources", fid, "Properties")
    # An IAM policy needs a statement: a function that needs nothing gets `Policies: []`
    # (SAM's role then has only the logging policy), or stays as it is if it has none.
    policies = [policy_document(change.statements)] if change.statements else []
    if not policies and "Role" not in props and "Policies" not in props:
        return []
    if "Role" in props and "Policies" not in props:
        return [RenameKey(where, "Role", "Policies", policies)]
    ops: list[Op] = [SetKey(where, "Policies", policies)]
    if "Role" in props:  # SAM ignores Policies when Role is given
        ops.append(DeleteKey(where, "Role"))
    return ops


def _plan_lambda(
    doc: dict[str, Any], path: str, fid: str, props: dict[str, Any], change: PolicyChange
) -> list[Op]:
    resources: dict[str, Any] = doc["Resources"]
    if "Role" not in props:
        raise CannotFix(f"function {fid} has no Role")
    role_id = _role_target(props["Role"])
    if role_id is None:
        raise CannotFix(
            f"function {fid} uses {_describe_role(doc, props['Role'])}; edit that role instead"
        )
    role = resources.get(role_id)
    if not isinstance(role, dict) or role.get("Type") != "AWS::IAM::Role":
        raise CannotFix(f"function {fid} uses {role_id}, which is not an AWS::IAM::Role in {path}")
    policy_name = f"{fid}-least-privilege"
    new_policies = (
        [{"PolicyName": policy_name, "PolicyDocument": policy_document(change.statements)}]
        if change.statements
        else []  # an IAM policy needs a statement: none at all when nothing is needed
    )
    managed = [_arn(arn) for arn in change.managed_policies]
    role_props = role.get("Properties")
    users = [
        rid
        for rid, res in resources.items()
        if isinstance(res, dict)
        and res.get("Type") in ("AWS::Lambda::Function", "AWS::Serverless::Function")
        and isinstance(res.get("Properties"), dict)
        and _role_target(res["Properties"].get("Role")) == role_id
    ]
    # A role this writer made (or edited) for this function alone is edited again in place.
    ours = users == [fid] and _has_policy(role_props, policy_name)
    if (change.role_shared and not ours) or len(users) > 1:
        new_id = f"{fid}Role"
        if new_id in resources:
            raise CannotFix(
                f"function {fid} shares role {role_id}, and a resource {new_id} already exists"
            )
        new_props: dict[str, Any] = {"AssumeRolePolicyDocument": normalize(_LAMBDA_ASSUME_ROLE)}
        if isinstance(role_props, dict) and "PermissionsBoundary" in role_props:
            new_props["PermissionsBoundary"] = role_props["PermissionsBoundary"]
        if managed:
            new_props["ManagedPolicyArns"] = managed
        if new_policies:
            new_props["Policies"] = new_policies
        new_role = {"Type": "AWS::IAM::Role", "Properties": new_props}
        return [
            SetKey(("Resources",), new_id, new_role, after=fid),
            SetKey(("Resources", fid, "Properties"), "Role", {"Fn::GetAtt": [new_id, "Arn"]}),
        ]
    attached = _separate_policies(resources, role_id)
    if attached:
        raise CannotFix(
            f"function {fid}: role {role_id} also gets permissions from "
            f"{', '.join(attached)}; remove or merge those first"
        )
    if not isinstance(role_props, dict):
        raise CannotFix(f"function {fid}: role {role_id} has no Properties")
    where = ("Resources", role_id, "Properties")
    ops: list[Op] = []
    if managed:
        ops.append(SetKey(where, "ManagedPolicyArns", managed))
    elif "ManagedPolicyArns" in role_props:
        ops.append(DeleteKey(where, "ManagedPolicyArns"))
    if new_policies:
        ops.append(SetKey(where, "Policies", new_policies))
    elif "Policies" in role_props:
        ops.append(DeleteKey(where, "Policies"))
    return ops


def _role_target(value: Any) -> str | None:
    """The logical id R of a role given as Fn::GetAtt [R, Arn] (normalized form)."""
    if isinstance(value, dict) and list(value) == ["Fn::GetAtt"]:
        args = value["Fn::GetAtt"]
        if isinstance(args, list) and len(args) == 2 and args[1] == "Arn":
            return args[0] if isinstance(args[0], str) else None
    return None


def _describe_role(doc: dict[str, Any], value: Any) -> str:
    if isinstance(value, str):
        return "an existing role given by ARN"
    if isinstance(value, dict) and list(value) == ["Ref"]:
        params = doc.get("Parameters")
        if isinstance(params, dict) and value["Ref"] in params:
            return f"a role given by parameter {value['Ref']}"
        return f"a role given by Ref {_show(value['Ref'])}"
    if isinstance(value, dict) and list(value) == ["Fn::ImportValue"]:
        return "a role imported from another stack"
    if is_intrinsic(value):
        return f"a role computed by {next(iter(value))}"
    return f"role {_show(value)}"


def _has_policy(role_props: Any, name: str) -> bool:
    policies = role_props.get("Policies") if isinstance(role_props, dict) else None
    return isinstance(policies, list) and any(
        isinstance(p, dict) and p.get("PolicyName") == name for p in policies
    )


def _separate_policies(resources: Mapping[str, Any], role_id: str) -> list[str]:
    found = []
    ref = {"Ref": role_id}
    for rid, res in resources.items():
        if not isinstance(res, dict) or res.get("Type") not in _SEPARATE_POLICY_TYPES:
            continue
        props = res.get("Properties")
        if not isinstance(props, dict):
            continue
        roles = props.get("Roles")
        if (isinstance(roles, list) and ref in roles) or props.get("RoleName") == ref:
            found.append(f"{rid} ({res['Type']})")
    return found


def _arn(arn: str) -> Any:
    return {"Fn::Sub": arn} if "${" in arn else arn


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str, separators=(", ", ": "))
