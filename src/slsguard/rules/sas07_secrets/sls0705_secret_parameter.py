from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas07_secrets.common import secret_parameter, severity_of
from slsguard.secrets import classify, looks_secret_name

# Defaults that name or point at the secret rather than hold it.
_REFERENCE_PREFIXES = ("arn:", "/", "{{resolve:", "ssm:", "secretsmanager:")


@rule(
    id="SLS0705",
    name="secret-parameter-exposed",
    category=Category.SAS_7,
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    title="Template parameter for a secret without NoEcho, or with a default value",
    rationale=(
        "CloudFormation shows a parameter's value in the console, in DescribeStacks and in "
        "change sets unless it is NoEcho; a default value is the secret written in the "
        "template itself, in the repository and in every copy of it, and is used whenever "
        "nobody overrides it."
    ),
    fix=(
        "Declare secret parameters with `NoEcho: true` and no `Default`, and pass the value at "
        "deploy time; better, replace the parameter with a Secrets Manager secret read at run "
        "time or a `{{resolve:secretsmanager:...}}` dynamic reference on a property that "
        "supports it (SAM and CloudFormation `Parameters`; a serverless.yml has `${ssm:...}` "
        "and `${param:...}` instead)."
    ),
    fixes=(
        (
            "sam",
            "Declare the parameter with `NoEcho: true` and no `Default`, and pass the value at "
            "deploy time (`sam deploy --parameter-overrides`, not a committed samconfig.toml). "
            "Better, read a Secrets Manager secret at run time, or use a "
            "`{{resolve:secretsmanager:...}}` dynamic reference where the property supports it.",
        ),
        (
            "cloudformation",
            "Declare the parameter with `NoEcho: true` and no `Default`, and pass the value at "
            "deploy time (`aws cloudformation deploy --parameter-overrides`). Better, read a "
            "Secrets Manager secret at run time, or use a `{{resolve:secretsmanager:...}}` "
            "dynamic reference where the property supports it.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html#parameters-section-structure-properties",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/security-best-practices.html#creds",
    ),
    formats=("sam", "cloudformation"),
)
def secret_parameter_exposed(app: App, _: App) -> Iterator[Hit]:
    for param in app.parameters:
        if not secret_parameter(param):
            continue
        subject = f"parameter {param.name}"
        if looks_secret_name(param.name) and not param.no_echo:
            yield Hit(
                param.src,
                f"parameter {param.name} holds a secret but is not NoEcho: its value is "
                "shown by the console and DescribeStacks",
                subject=subject,
            )
        default = param.default
        if not param.has_default or not isinstance(default, str) or not default.strip():
            continue
        if default.strip().lower().startswith(_REFERENCE_PREFIXES) or "${" in default:
            continue
        match = classify(param.name, default)
        yield Hit(
            app.at((*param.src.path, "Default"), param.src),
            f"{'NoEcho ' if param.no_echo else ''}parameter {param.name} has a default value: "
            "the secret is written in the template"
            + (" (it looks like a placeholder)" if match and match.confidence == "low" else ""),
            subject=subject,
            severity=Severity.LOW
            if match is not None and match.confidence == "low"
            else (severity_of(match) if match is not None else Severity.MEDIUM),
        )
