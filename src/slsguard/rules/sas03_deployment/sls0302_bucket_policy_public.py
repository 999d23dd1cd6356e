from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Bucket
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas03_deployment.common import public_grant

_READ_ONLY = ("s3:Get", "s3:List")


@rule(
    id="SLS0302",
    name="bucket-policy-public",
    category=Category.SAS_3,
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    title='S3 bucket policy allows Principal "*" without a restricting condition',
    rationale=(
        'An Allow to Principal "*" (or {"AWS": "*"}) with no aws:SourceArn, aws:SourceAccount, '
        "aws:SourceVpce, aws:PrincipalOrgID or similar condition lets anyone on the internet "
        "use the granted actions on the bucket's objects."
    ),
    fix=(
        "Grant the bucket to a specific principal instead (a CloudFront distribution through "
        "Origin Access Control with an aws:SourceArn condition, a role ARN), or add a "
        "condition that scopes the grant. The statement lives in the `PolicyDocument` of the "
        "AWS::S3::BucketPolicy resource (serverless.yml `resources.Resources`, SAM and "
        "CloudFormation `Resources`)."
    ),
    fixes=(
        (
            "serverless",
            "In the `PolicyDocument` of the AWS::S3::BucketPolicy in `resources.Resources`, "
            'replace Principal "*" with the principal that needs access (a role ARN, or `Service: '
            "cloudfront.amazonaws.com` with an `aws:SourceArn` condition naming the "
            "distribution). Functions of the service get their access from "
            "`provider.iam.role.statements`, not from the bucket policy.",
        ),
        (
            "sam",
            'In the `PolicyDocument` of the AWS::S3::BucketPolicy, replace Principal "*" with the '
            "principal that needs access (a role ARN, or `Service: cloudfront.amazonaws.com` with "
            "an `aws:SourceArn` condition naming the distribution). Functions get their access "
            "from their `Policies` (`S3ReadPolicy: {BucketName: !Ref Bucket}`), not from the "
            "bucket policy.",
        ),
        (
            "cloudformation",
            'In the `PolicyDocument` of the AWS::S3::BucketPolicy, replace Principal "*" with the '
            "principal that needs access (a role ARN, or `Service: cloudfront.amazonaws.com` with "
            "an `aws:SourceArn` condition naming the distribution), or add a condition that "
            "scopes the grant (`aws:SourceVpce`, `aws:PrincipalOrgID`). Functions get their "
            "access from their AWS::IAM::Role, not from the bucket policy.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-s3-bucketpolicy.html",
    ),
)
def bucket_policy_public(bucket: Bucket, app: App) -> Iterator[Hit]:
    for stmt in bucket.policy_statements:
        if not public_grant(stmt):
            continue
        actions = [a for a in stmt.actions if isinstance(a, str)]
        read_only = bool(actions) and all(a.startswith(_READ_ONLY) for a in actions)
        shown = ", ".join(actions) if actions else "all actions but its NotAction list"
        yield Hit(
            stmt.src,
            f'bucket {bucket.id} has a policy statement allowing {shown} to Principal "*" '
            "with no condition that restricts who can call it",
            subject=f"bucket {bucket.id}",
            severity=Severity.HIGH if read_only else Severity.CRITICAL,
        )
