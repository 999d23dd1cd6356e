from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Bucket, Statement
from slsguard.model.values import SYMBOLIC, as_list
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas03_deployment.common import (
    policy_resource_of,
    prop_src,
    public_acl,
    truthy,
)


def _denies_plain_http(stmt: Statement) -> bool | None:
    """A Deny on aws:SecureTransport false (or on an old s3:TlsVersion); None: unknown."""
    if stmt.effect != "Deny":
        return None if isinstance(stmt.effect, SYMBOLIC) else False
    condition: Any = stmt.condition
    if not isinstance(condition, dict):
        return None if condition is not None else False
    for operator, entries in condition.items():
        if not isinstance(entries, dict):
            return None
        op = str(operator).lower()
        for key, value in entries.items():
            name = str(key).lower()
            if name == "aws:securetransport" and op.startswith("bool"):
                if any(truthy(v) is False for v in as_list(value)):
                    return True
            elif name == "s3:tlsversion" and op.startswith("numericlessthan"):
                return True
    return False


@rule(
    id="SLS0305",
    name="bucket-tls-not-enforced",
    category=Category.SAS_3,
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    title="S3 bucket policy does not deny requests made without TLS (aws:SecureTransport)",
    rationale=(
        "S3 accepts plain HTTP requests unless the bucket policy denies them; a bucket that "
        "already has a policy, or is public, should refuse unencrypted transport so that "
        "data and credentials are never sent in clear text."
    ),
    fix=(
        "Add a statement to the AWS::S3::BucketPolicy `PolicyDocument` (serverless.yml "
        '`resources.Resources`, SAM or CloudFormation): `Effect: Deny`, `Principal: "*"`, '
        "`Action: s3:*`, the bucket and `bucket/*` as `Resource`, `Condition: {Bool: "
        "{aws:SecureTransport: false}}`."
    ),
    fixes=(
        (
            "serverless",
            "Add to the `PolicyDocument` of the bucket's AWS::S3::BucketPolicy in "
            "`resources.Resources` (create one if needed) the statement `{Effect: Deny, "
            "Principal: '*', Action: 's3:*', Resource: [!GetAtt Bucket.Arn, !Sub "
            "'${Bucket.Arn}/*'], Condition: {Bool: {aws:SecureTransport: false}}}`.",
        ),
        (
            "sam",
            "Add to the `PolicyDocument` of the bucket's AWS::S3::BucketPolicy (create one with "
            "`Bucket: !Ref Bucket` if needed; SAM has no shorthand for it) the statement "
            "`{Effect: Deny, Principal: '*', Action: 's3:*', Resource: [!GetAtt Bucket.Arn, !Sub "
            "'${Bucket.Arn}/*'], Condition: {Bool: {aws:SecureTransport: false}}}`.",
        ),
        (
            "cloudformation",
            "Add to the `PolicyDocument` of the bucket's AWS::S3::BucketPolicy (create one with "
            "`Bucket: !Ref Bucket` if needed) the statement `{Effect: Deny, Principal: '*', "
            "Action: 's3:*', Resource: [!GetAtt Bucket.Arn, !Sub '${Bucket.Arn}/*'], Condition: "
            "{Bool: {aws:SecureTransport: false}}}`.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html",
    ),
)
def bucket_tls_not_enforced(bucket: Bucket, app: App) -> Iterator[Hit]:
    statements = bucket.policy_statements
    acl = public_acl(bucket)
    if not statements and not acl:
        return  # only buckets with a policy or a public ACL: the rest have no policy to extend
    verdicts = [_denies_plain_http(s) for s in statements]
    if True in verdicts or None in verdicts:
        return  # enforced, or a statement we cannot read
    src = bucket.src
    if statements:
        policy = policy_resource_of(app, statements[0])
        if policy is not None:
            src = prop_src(app, policy, "PolicyDocument")
    what = (
        f"bucket {bucket.id}'s policy has no Deny"
        if statements
        else f"bucket {bucket.id} (AccessControl {acl}) has no bucket policy with a Deny"
    )
    yield Hit(
        src,
        f"{what} on aws:SecureTransport false, so plain HTTP requests are accepted",
        subject=f"bucket {bucket.id}",
    )
