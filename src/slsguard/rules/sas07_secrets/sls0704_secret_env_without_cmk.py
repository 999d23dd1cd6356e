from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Function
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas07_secrets.common import deploy_time_secret
from slsguard.secrets import classify


@rule(
    id="SLS0704",
    name="secret-environment-without-cmk",
    category=Category.SAS_7,
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    title="Function environment holding secrets is not encrypted with a customer-managed key",
    rationale=(
        "Lambda encrypts environment variables with an AWS managed key that every principal "
        "allowed to read the function's configuration can use: with a customer-managed KMS "
        "key, reading the secrets also needs kms:Decrypt on a key whose policy and CloudTrail "
        "records you control."
    ),
    fix=(
        "Better, move the secrets out of the environment (SLS0701, SLS0702). Otherwise set a "
        "customer-managed key: serverless.yml `kmsKeyArn` (provider or function); SAM "
        "`KmsKeyArn` (function or `Globals.Function`); CloudFormation `KmsKeyArn` on "
        "`AWS::Lambda::Function`."
    ),
    fixes=(
        (
            "serverless",
            "Set `kmsKeyArn: !GetAtt EnvKey.Arn` (a customer managed AWS::KMS::Key in "
            "`resources.Resources`) under `provider` or on the function, and allow `kms:Decrypt` "
            "on it in `provider.iam.role.statements`. Better, move the secrets out of the "
            "environment (SLS0701, SLS0702).",
        ),
        (
            "sam",
            "Set `KmsKeyArn: !GetAtt EnvKey.Arn` (a customer managed AWS::KMS::Key) on the "
            "function or in `Globals.Function`, and add `KMSDecryptPolicy: {KeyId: !Ref EnvKey}` "
            "to its `Policies`. Better, move the secrets out of the environment (SLS0701, "
            "SLS0702).",
        ),
        (
            "cloudformation",
            "Set `KmsKeyArn: !GetAtt EnvKey.Arn` (a customer managed AWS::KMS::Key) on the "
            "AWS::Lambda::Function and allow `kms:Decrypt` on the key to its role. Better, move "
            "the secrets out of the environment (SLS0701, SLS0702).",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html",
        "https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#customer-cmk",
    ),
)
def secret_env_without_cmk(fn: Function, app: App) -> Iterator[Hit]:
    if fn.kms_key is not None:
        return
    secrets = [
        var.name
        for var in fn.environment
        if classify(var.name, var.value) is not None
        or deploy_time_secret(var.name, var.value, app) is not None
    ]
    if not secrets:
        return  # unresolved values are unknown, not secrets
    yield Hit(
        fn.src,
        f"function {fn.id} keeps secrets in its environment ({', '.join(secrets[:3])}"
        f"{' ...' if len(secrets) > 3 else ''}) encrypted only with the AWS managed key",
        subject=f"function {fn.id}",
    )
