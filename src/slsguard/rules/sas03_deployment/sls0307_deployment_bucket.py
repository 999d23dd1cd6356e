from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas03_deployment.common import public_reason, truthy


@rule(
    id="SLS0307",
    name="deployment-bucket-insecure",
    category=Category.SAS_3,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="Serverless deployment bucket that is public or loses its TLS-only policy",
    rationale=(
        "The deployment bucket holds every packaged function and the CloudFormation "
        "template: whoever can read it gets the code and configuration, whoever can write "
        "it can swap the code deployed next. The bucket the framework creates is encrypted "
        "and gets a TLS-only policy; `skipPolicySetup: true` drops that policy, and naming a "
        "bucket of the service that is public exposes the artifacts."
    ),
    fix=(
        "In serverless.yml `provider.deploymentBucket` remove `skipPolicySetup: true` (or "
        "attach your own policy denying aws:SecureTransport false), keep "
        "`blockPublicAccess: true` and `serverSideEncryption: AES256` or `aws:kms`, and never "
        "use a public or website bucket as the deployment bucket. SAM and CloudFormation "
        "have no deployment bucket setting in the template (it is given to `sam deploy` / "
        "`aws cloudformation package`)."
    ),
    fixes=(
        (
            "serverless",
            "In `provider.deploymentBucket` remove `skipPolicySetup: true` (or attach your own "
            "bucket policy denying `aws:SecureTransport: false`) and never name a public or "
            "website bucket as `name`; keep `blockPublicAccess: true` and `serverSideEncryption: "
            "AES256` (or `aws:kms`).",
        ),
    ),
    references=(
        "https://www.serverless.com/framework/docs/providers/aws/guide/serverless.yml",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html",
    ),
    formats=("serverless",),
)
def deployment_bucket(app: App, _: App) -> Iterator[Hit]:
    setting = app.deployment_bucket
    if setting is None:
        return  # the framework's own bucket: encrypted, TLS-only, blocked by default
    config = setting.value if isinstance(setting.value, dict) else {"name": setting.value}
    name = config.get("name")
    if isinstance(name, str):
        for bucket in app.buckets:
            reason = public_reason(bucket)
            if bucket.name == name and reason:
                yield Hit(
                    app.at((*setting.src.path, "name"), setting.src)
                    if isinstance(setting.value, dict)
                    else setting.src,
                    f"deployment bucket {name} is bucket {bucket.id}, public through {reason}: "
                    "the packaged code and templates are exposed",
                    subject=f"deployment bucket {name}",
                    severity=Severity.HIGH,
                )
    if truthy(config.get("skipPolicySetup")) is True and name is None:
        yield Hit(
            app.at((*setting.src.path, "skipPolicySetup"), setting.src),
            "provider.deploymentBucket.skipPolicySetup is true: the framework's bucket gets no "
            "policy denying plain HTTP access",
            subject="deployment bucket",
            severity=Severity.LOW,
        )
