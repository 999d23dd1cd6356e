from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Output
from slsguard.model.values import Unresolved
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas07_secrets.common import (
    parameters_in,
    secret_attribute,
    secret_parameter,
)
from slsguard.secrets import classify


@rule(
    id="SLS0707",
    name="secret-in-stack-outputs",
    category=Category.SAS_7,
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    title="Secret published in the stack's Outputs",
    rationale=(
        "Stack outputs are plaintext metadata: anyone allowed cloudformation:DescribeStacks "
        "reads them, exported outputs are listed to the whole account by ListExports, and "
        "deployment tools print them in CI logs. NoEcho does not mask a parameter's value "
        "once it is copied into an output."
    ),
    fix=(
        "Output the secret's name or ARN (e.g. the `AWS::SecretsManager::Secret` `!Ref`) and "
        "read the value from Secrets Manager where it is needed; never output a secret "
        "parameter, an access key's SecretAccessKey or a client secret (serverless.yml "
        "`resources.Outputs`, SAM and CloudFormation `Outputs`)."
    ),
    fixes=(
        (
            "serverless",
            "Output the secret's ARN or name (`Value: !Ref DbSecret`) in `resources.Outputs` "
            "instead of its value, and read the value from Secrets Manager where it is needed; "
            "`serverless deploy` and `serverless info --verbose` print every output.",
        ),
        (
            "sam",
            "Output the secret's ARN or name (`Value: !Ref DbSecret`) in `Outputs` instead of its "
            "value, and read the value from Secrets Manager where it is needed; `sam deploy` "
            "prints every output.",
        ),
        (
            "cloudformation",
            "Output the secret's ARN or name (`Value: !Ref DbSecret`) instead of its value, and "
            "read the value from Secrets Manager where it is needed; never `Export` anything "
            "sensitive (ListExports shows it to the whole account).",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/outputs-section-structure.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html#parameters-section-structure-properties",
    ),
)
def secret_in_outputs(app: App, _: App) -> Iterator[Hit]:
    for output in app.outputs:
        reason = _secret_reason(output, app)
        if reason is None:
            continue
        exported = " and exports it to the whole account" if output.exported else ""
        yield Hit(
            output.src,
            f"output {output.name} publishes {reason}{exported}",
            subject=f"output {output.name}",
            severity=Severity.CRITICAL if output.exported else None,
        )


def _secret_reason(output: Output, app: App) -> str | None:
    value = output.value
    attribute = secret_attribute(value, app)
    if attribute is not None:
        return attribute
    if isinstance(value, Unresolved):
        if "{{resolve:secretsmanager:" in value.expr or "{{resolve:ssm-secure:" in value.expr:
            return "a secret read by a dynamic reference"
        for param in parameters_in(value, app):
            if secret_parameter(param):
                return f"the value of the secret parameter {param.name}"
        return None
    if not isinstance(value, str):
        return None
    for param in app.parameters:  # a Ref to a parameter with a default resolves to it
        if secret_parameter(param) and param.default == value and value.strip():
            return f"the value of the secret parameter {param.name}"
    match = classify(output.name, value)
    if match is not None and match.confidence != "low":
        return f"a plaintext secret ({match.reason})"
    return None
