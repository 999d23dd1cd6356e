from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Bucket
from slsguard.rules.base import Hit, rule

PUBLIC_ACLS = {
    "PublicReadWrite": Severity.CRITICAL,
    "PublicRead": Severity.HIGH,
    "AuthenticatedRead": Severity.HIGH,
}


@rule(
    id="SLS0301",
    name="bucket-public-acl",
    category=Category.SAS_3,
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    title="S3 bucket with a public canned ACL",
    rationale=(
        "A PublicRead/PublicReadWrite/AuthenticatedRead ACL lets any internet user (or any "
        "AWS account) list, read or overwrite the bucket's objects."
    ),
    fix=(
        "Remove `AccessControl` (private is the default) and keep "
        "`PublicAccessBlockConfiguration` fully enabled; serve public files through "
        "CloudFront with Origin Access Control instead."
    ),
    fixes=(
        (
            "serverless",
            "Remove `AccessControl` from the AWS::S3::Bucket in `resources.Resources` (private is "
            "the default) and keep its `PublicAccessBlockConfiguration` fully on. Serve public "
            "files through CloudFront with an origin access control instead.",
        ),
        (
            "sam",
            "Remove `AccessControl` from the AWS::S3::Bucket (private is the default) and keep "
            "its `PublicAccessBlockConfiguration` fully on; functions reach the objects through "
            "their `Policies` (`S3ReadPolicy: {BucketName: !Ref Bucket}`), not through an ACL. "
            "Serve public files through CloudFront with an origin access control instead.",
        ),
        (
            "cloudformation",
            "Remove `AccessControl` from the AWS::S3::Bucket (private is the default) and keep "
            "its `PublicAccessBlockConfiguration` fully on. Serve public files through an "
            "AWS::CloudFront::Distribution with an AWS::CloudFront::OriginAccessControl instead.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
    ),
)
def bucket_public_acl(bucket: Bucket, app: App) -> Iterator[Hit]:
    acl = bucket.acl
    if acl is None or not isinstance(acl.value, str) or acl.value not in PUBLIC_ACLS:
        return
    yield Hit(
        acl.src,
        f"bucket {bucket.id} has AccessControl {acl.value}",
        subject=f"bucket {bucket.id}",
        severity=PUBLIC_ACLS[acl.value],
    )
