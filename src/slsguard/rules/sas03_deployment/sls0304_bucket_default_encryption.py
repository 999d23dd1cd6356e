from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Bucket
from slsguard.rules.base import Hit, rule


@rule(
    id="SLS0304",
    name="bucket-encryption-not-chosen",
    category=Category.SAS_3,
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    title="S3 bucket without a chosen default encryption (BucketEncryption)",
    rationale=(
        "Without `BucketEncryption` the bucket relies on the SSE-S3 encryption AWS applies "
        "to every bucket since January 2023: data is encrypted at rest, but with a key you "
        "cannot control, audit in CloudTrail or revoke; sensitive data calls for SSE-KMS "
        "with a customer managed key, and stating the choice keeps it reviewable."
    ),
    fix=(
        "Add `BucketEncryption.ServerSideEncryptionConfiguration` with an item whose "
        "`ServerSideEncryptionByDefault` sets `SSEAlgorithm: aws:kms` and a `KMSMasterKeyID` "
        "(or `AES256` to state SSE-S3 explicitly) to the "
        "AWS::S3::Bucket in serverless.yml `resources.Resources`, SAM or CloudFormation."
    ),
    fixes=(
        (
            "serverless",
            "Add `BucketEncryption: {ServerSideEncryptionConfiguration: "
            "[{ServerSideEncryptionByDefault: {SSEAlgorithm: aws:kms, KMSMasterKeyID: !Ref "
            "BucketKey}, BucketKeyEnabled: true}]}` to the AWS::S3::Bucket in "
            "`resources.Resources` (or `SSEAlgorithm: AES256` to state SSE-S3). Functions that "
            "use the bucket then need `kms:Decrypt` and `kms:GenerateDataKey` on the key in "
            "`provider.iam.role.statements`.",
        ),
        (
            "sam",
            "Add `BucketEncryption: {ServerSideEncryptionConfiguration: "
            "[{ServerSideEncryptionByDefault: {SSEAlgorithm: aws:kms, KMSMasterKeyID: !Ref "
            "BucketKey}, BucketKeyEnabled: true}]}` to the AWS::S3::Bucket (or `SSEAlgorithm: "
            "AES256` to state SSE-S3). Functions that use the bucket then need `kms:Decrypt` and "
            "`kms:GenerateDataKey` on the key in their `Policies`.",
        ),
        (
            "cloudformation",
            "Add `BucketEncryption: {ServerSideEncryptionConfiguration: "
            "[{ServerSideEncryptionByDefault: {SSEAlgorithm: aws:kms, KMSMasterKeyID: !Ref "
            "BucketKey}, BucketKeyEnabled: true}]}` to the AWS::S3::Bucket (or `SSEAlgorithm: "
            "AES256` to state SSE-S3). Roles that use the bucket then need `kms:Decrypt` and "
            "`kms:GenerateDataKey` on the AWS::KMS::Key.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-s3-bucket-bucketencryption.html",
    ),
)
def bucket_default_encryption(bucket: Bucket, app: App) -> Iterator[Hit]:
    if bucket.encryption is not None:
        return  # any written choice (AES256, aws:kms, unresolved) is a choice
    yield Hit(
        bucket.src,
        f"bucket {bucket.id} sets no BucketEncryption and gets only the SSE-S3 default, "
        "with no key you control",
        subject=f"bucket {bucket.id}",
    )
