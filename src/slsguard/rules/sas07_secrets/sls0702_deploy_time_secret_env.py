from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Function
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas07_secrets.common import deploy_time_secret


@rule(
    id="SLS0702",
    name="secret-resolved-into-environment",
    category=Category.SAS_7,
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    title="Secret resolved at deploy time into a function's environment variable",
    rationale=(
        "A secret read from SSM or Secrets Manager at deploy time is written in plaintext "
        "into the function's configuration: anyone allowed lambda:GetFunctionConfiguration "
        "(or the console) reads it, it appears in the resolved CloudFormation template, and a "
        "rotation does not reach the function until the next deployment."
    ),
    fix=(
        "Put only the parameter or secret name in the environment and read the value at run "
        "time (AWS SDK, the Parameters and Secrets Lambda extension or Powertools "
        "parameters), granting ssm:GetParameter / secretsmanager:GetSecretValue on it: "
        "serverless.yml `environment` without `${ssm:...}` for secrets; SAM and "
        "CloudFormation `Environment.Variables` without `{{resolve:secretsmanager:...}}`, "
        "`{{resolve:ssm-secure:...}}` or a `!Ref` to a NoEcho parameter."
    ),
    fixes=(
        (
            "serverless",
            "Put the parameter or secret name in `environment` instead of `${ssm:...}` "
            "(`DB_PASSWORD_PARAM: /myapp/prod/db-password`) and read the value at run time (AWS "
            "SDK, the Parameters and Secrets Lambda extension, Powertools parameters), with "
            "`ssm:GetParameter` and `kms:Decrypt` on it in `provider.iam.role.statements`.",
        ),
        (
            "sam",
            "Put the secret's ARN or the parameter name in `Environment.Variables` instead of "
            "`{{resolve:secretsmanager:...}}`, `{{resolve:ssm-secure:...}}` or a `!Ref` to a "
            "NoEcho parameter, and read the value at run time, granted with "
            "`AWSSecretsManagerGetSecretValuePolicy` or `SSMParameterReadPolicy` in `Policies`.",
        ),
        (
            "cloudformation",
            "Put the secret's ARN or the parameter name in `Environment.Variables` instead of "
            "`{{resolve:secretsmanager:...}}`, `{{resolve:ssm-secure:...}}` or a `!Ref` to a "
            "NoEcho parameter, and read the value at run time, with "
            "`secretsmanager:GetSecretValue` or `ssm:GetParameter` on it in the AWS::IAM::Role.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-encryption",
        "https://www.serverless.com/framework/docs/guides/variables/aws/ssm",
    ),
)
def deploy_time_secret_env(fn: Function, app: App) -> Iterator[Hit]:
    for var in fn.environment:
        source = deploy_time_secret(var.name, var.value, app)
        if source is None:
            continue
        yield Hit(
            var.src,
            f"environment variable {var.name} of function {fn.id} receives {source} in "
            "plaintext at deploy time",
            subject=f"function {fn.id}",
        )
