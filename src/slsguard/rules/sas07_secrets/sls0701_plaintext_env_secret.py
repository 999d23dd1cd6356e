from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Function
from slsguard.rules.base import Hit, rule
from slsguard.secrets import classify

_SEVERITY = {"high": Severity.CRITICAL, "medium": Severity.HIGH, "low": Severity.MEDIUM}


@rule(
    id="SLS0701",
    name="plaintext-secret-in-environment",
    category=Category.SAS_7,
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    title="Plaintext secret in a function's environment variables",
    rationale=(
        "Environment variables are stored in the template, the deployment package metadata "
        "and the Lambda console: anyone who can read the repository or call "
        "lambda:GetFunctionConfiguration reads the secret."
    ),
    fix=(
        "Store the secret in AWS Secrets Manager or SSM Parameter Store (SecureString) and "
        "read it at run time (e.g. with the AWS Parameters and Secrets Lambda extension or "
        "Powertools parameters); put only its name or ARN in the environment. Rotate the "
        "exposed value."
    ),
    fixes=(
        (
            "serverless",
            "Move the value to Secrets Manager or an SSM SecureString and put only its name in "
            "`environment` (`DB_SECRET_ID: prod/db`), read at run time (AWS SDK, Powertools "
            "parameters) with `secretsmanager:GetSecretValue` on it in "
            "`provider.iam.role.statements`. Rotate the exposed value.",
        ),
        (
            "sam",
            "Move the value to an AWS::SecretsManager::Secret and put only its ARN in "
            "`Environment.Variables` (`DB_SECRET_ARN: !Ref DbSecret`), read at run time with "
            "`AWSSecretsManagerGetSecretValuePolicy: {SecretArn: !Ref DbSecret}` in `Policies`. "
            "Rotate the exposed value.",
        ),
        (
            "cloudformation",
            "Move the value to an AWS::SecretsManager::Secret and put only its ARN in the "
            "function's `Environment.Variables` (`DB_SECRET_ARN: !Ref DbSecret`), read at run "
            "time with `secretsmanager:GetSecretValue` on it in the AWS::IAM::Role. Rotate the "
            "exposed value.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-encryption",
    ),
    any_cloud=True,
)
def plaintext_env_secret(fn: Function, app: App) -> Iterator[Hit]:
    for var in fn.environment:
        match = classify(var.name, var.value)
        if match is None:
            continue
        yield Hit(
            var.src,
            f"environment variable {var.name} of function {fn.id} holds a plaintext secret: "
            f"{match.reason}",
            subject=f"function {fn.id}",
            severity=_SEVERITY.get(match.confidence, Severity.HIGH),
        )
