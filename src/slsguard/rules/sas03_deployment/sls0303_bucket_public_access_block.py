from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Bucket
from slsguard.model.values import SYMBOLIC
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas03_deployment.common import truthy

FLAGS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")


@rule(
    id="SLS0303",
    name="bucket-public-access-block-off",
    category=Category.SAS_3,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="S3 bucket public access block turned off or only partly on",
    rationale=(
        "Block Public Access is the guard rail that stops an ACL or a bucket policy from "
        "making objects public by mistake; a configuration that sets a flag to false, or "
        "lists only some flags (the others are then false), removes it. Buckets without "
        "the property are not reported: since April 2023 new buckets block all public "
        "access by default."
    ),
    fix=(
        "Set all four flags to true in the bucket's `PublicAccessBlockConfiguration` "
        "(BlockPublicAcls, BlockPublicPolicy, IgnorePublicAcls, RestrictPublicBuckets) in "
        "serverless.yml `resources.Resources`, SAM or CloudFormation, or remove the property "
        "to keep the default; serve public files through CloudFront instead."
    ),
    fixes=(
        (
            "serverless",
            "Set `BlockPublicAcls`, `BlockPublicPolicy`, `IgnorePublicAcls` and "
            "`RestrictPublicBuckets` all to true in the bucket's `PublicAccessBlockConfiguration` "
            "in `resources.Resources`, or remove the property to keep the default. Serve public "
            "files through CloudFront instead.",
        ),
        (
            "sam",
            "Set `BlockPublicAcls`, `BlockPublicPolicy`, `IgnorePublicAcls` and "
            "`RestrictPublicBuckets` all to true in the `PublicAccessBlockConfiguration` of the "
            "AWS::S3::Bucket, or remove the property to keep the default. A bucket that only "
            "feeds a function (an `S3` event) never needs public access.",
        ),
        (
            "cloudformation",
            "Set `BlockPublicAcls`, `BlockPublicPolicy`, `IgnorePublicAcls` and "
            "`RestrictPublicBuckets` all to true in the `PublicAccessBlockConfiguration` of the "
            "AWS::S3::Bucket, or remove the property to keep the default. Serve public files "
            "through an AWS::CloudFront::Distribution with an origin access control instead.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
        "https://aws.amazon.com/about-aws/whats-new/2022/12/amazon-s3-automatically-enable-block-public-access-disable-access-control-lists-buckets-april-2023/",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-s3-bucket-publicaccessblockconfiguration.html",
    ),
)
def bucket_public_access_block(bucket: Bucket, app: App) -> Iterator[Hit]:
    setting = bucket.public_access_block
    if setting is None or not isinstance(setting.value, dict):
        return  # absent: the 2023 default blocks everything; unresolved: unknown
    config = setting.value
    off = [f for f in FLAGS if f in config and truthy(config[f]) is False]
    missing = [f for f in FLAGS if f not in config]
    unknown = [f for f in FLAGS if f in config and isinstance(config[f], SYMBOLIC)]
    if not off and not missing:
        return
    parts = []
    if off:
        parts.append(f"sets {', '.join(off)} to false")
    if missing:
        parts.append(f"leaves {', '.join(missing)} unset (false)")
    note = f" ({', '.join(unknown)} not statically known)" if unknown else ""
    yield Hit(
        setting.src,
        f"bucket {bucket.id}'s PublicAccessBlockConfiguration {' and '.join(parts)}{note}",
        subject=f"bucket {bucket.id}",
    )
