"""Helpers shared by the SAS-7 rules: secrets that reach a configuration at deploy time
(SSM, Secrets Manager, template parameters) and secret template parameters."""

from __future__ import annotations

import re
from typing import Any

from slsguard.findings import Severity
from slsguard.model.app import App, Parameter
from slsguard.model.values import GetAtt, Unresolved
from slsguard.secrets import SecretMatch, looks_secret_name

# classify() confidence -> severity of a plaintext secret finding (as SLS0701).
SEVERITY_BY_CONFIDENCE = {
    "high": Severity.CRITICAL,
    "medium": Severity.HIGH,
    "low": Severity.MEDIUM,
}

_SLS_SSM_PATH = re.compile(r"\$\{ssm(?:\([^)]*\))?(?:\.[a-z0-9-]+)?:\s*([^,}~\s]+)")
_CFN_SSM_PATH = re.compile(r"\{\{resolve:ssm:([^:}]+)")
# {{resolve:secretsmanager:<id>:SecretString:<json-key>...}} (the id may be an ARN).
_SECRET_JSON_KEY = re.compile(r"\{\{resolve:secretsmanager:.*?:SecretString:([^:}]+)")
_SUB_NAMES = re.compile(r"\$\{([A-Za-z0-9]+)\}")
_SUB_ATTRIBUTE = re.compile(r"\$\{([A-Za-z0-9]+)\.([A-Za-z0-9.]+)\}")

# Resource attributes whose value is a credential, by resource type.
SECRET_ATTRIBUTES = {
    "AWS::IAM::AccessKey": frozenset({"SecretAccessKey"}),
    "AWS::Cognito::UserPoolClient": frozenset({"ClientSecret"}),
}


def severity_of(match: SecretMatch) -> Severity:
    return SEVERITY_BY_CONFIDENCE.get(match.confidence, Severity.HIGH)


def secret_parameter(param: Parameter) -> bool:
    """A template parameter that carries a secret: NoEcho, or a secret name (DbPassword,
    ApiToken) on a plain String. `AWS::SSM::Parameter::Value<...>` and other `AWS::`
    types hold a name or an id, not the secret."""
    type_ = param.type if isinstance(param.type, str) else "String"
    if type_.startswith("AWS::") or type_ in ("Number", "List<Number>"):
        return False
    if param.no_echo:
        return True
    # An "SSH key" parameter is a public key to install (Transfer Family, EC2), not a secret.
    lowered = param.name.lower()
    if "public" in lowered or re.sub(r"[^a-z]", "", lowered).endswith("sshkey"):
        return False
    return looks_secret_name(param.name)


def secret_attribute(value: Any, app: App) -> str | None:
    """ "the <Attribute> of <Resource>" when the value is (or embeds) a credential attribute
    such as an access key's SecretAccessKey or a user pool client's ClientSecret."""
    if isinstance(value, GetAtt):
        pairs = [(value.logical_id, value.attribute)]
    elif isinstance(value, Unresolved):
        pairs = _SUB_ATTRIBUTE.findall(value.expr)
    else:
        return None
    types = {r.id: r.type for r in app.resources}
    for logical_id, attribute in pairs:
        if attribute in SECRET_ATTRIBUTES.get(types.get(logical_id, ""), ()):
            return f"the {attribute} of {logical_id}"
    return None


def parameters_in(value: Unresolved, app: App) -> list[Parameter]:
    """The template parameters an unresolved value is built from."""
    if value.kind != "parameter":
        return []
    names = set(_SUB_NAMES.findall(value.expr)) or {value.expr}
    return [p for p in app.parameters if p.name in names]


def deploy_time_secret(name: str, value: Any, app: App) -> str | None:
    """Where a value filled in at deploy time that is a secret comes from, or None.

    Secrets Manager and SecureString references are secrets whatever the variable's name;
    a plain SSM parameter or a template parameter is one when its name (or the variable's)
    says so, or when the parameter is NoEcho.
    """
    attribute = secret_attribute(value, app)
    if attribute is not None:
        return attribute
    if not isinstance(value, Unresolved):
        return None
    expr = value.expr
    if value.kind == "secretsmanager" or "{{resolve:secretsmanager:" in expr:
        key = _SECRET_JSON_KEY.search(expr)
        if key and not looks_secret_name(key.group(1)) and not looks_secret_name(name):
            return None  # one non-secret field of the secret: username, host, port ...
        return "a Secrets Manager secret ({{resolve:secretsmanager:...}})"
    if "/aws/reference/secretsmanager/" in expr:
        return "a Secrets Manager secret (${ssm:/aws/reference/secretsmanager/...})"
    if value.kind == "ssm-secure" or "{{resolve:ssm-secure:" in expr:
        return "an SSM SecureString parameter ({{resolve:ssm-secure:...}})"
    if value.kind == "ssm":
        if re.search(r"~true\s*\}", expr):
            return "an SSM SecureString parameter decrypted at deploy time (~true)"
        paths = _SLS_SSM_PATH.findall(expr) + _CFN_SSM_PATH.findall(expr)
        leaves = [re.split(r"[/:]", p.strip("'\" "))[-1] for p in paths]
        if looks_secret_name(name) or any(looks_secret_name(leaf) for leaf in leaves if leaf):
            return f"the SSM parameter {', '.join(paths) or expr}"
        return None
    for param in parameters_in(value, app):
        if secret_parameter(param) or looks_secret_name(name):
            what = "NoEcho template parameter" if param.no_echo else "template parameter"
            return f"the {what} {param.name}"
    return None
