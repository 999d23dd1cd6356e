from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, DataStore
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas03_deployment.common import prop_src, resource, truthy


@rule(
    id="SLS0306",
    name="store-unencrypted-at-rest",
    category=Category.SAS_3,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="SNS topic, Kinesis stream or SQS queue stored without encryption at rest",
    rationale=(
        "Messages and records wait in the topic, stream or queue; without server-side "
        "encryption they are stored in clear text. SNS topics and Kinesis streams are "
        "unencrypted unless a KMS key is set; SQS queues are encrypted (SSE-SQS) by default "
        "since 2022 and are reported only when that is turned off with no KMS key; DynamoDB "
        "tables are always encrypted and are not reported."
    ),
    fix=(
        "SNS: set `KmsMasterKeyId` (e.g. alias/aws/sns or a customer managed key) on the "
        "AWS::SNS::Topic; Kinesis: set `StreamEncryption: {EncryptionType: KMS, KeyId: ...}` "
        "on the AWS::Kinesis::Stream; SQS: remove `SqsManagedSseEnabled: false` or set "
        "`KmsMasterKeyId`. These resources live in serverless.yml `resources.Resources` or "
        "in SAM/CloudFormation `Resources`."
    ),
    fixes=(
        (
            "serverless",
            "Set `KmsMasterKeyId: alias/aws/sns` (or a customer managed key) on the "
            "AWS::SNS::Topic in `resources.Resources`; similarly `StreamEncryption: "
            "{EncryptionType: KMS, KeyId: alias/aws/kinesis}` on an AWS::Kinesis::Stream, and on "
            "an AWS::SQS::Queue remove `SqsManagedSseEnabled: false` or set `KmsMasterKeyId`. "
            "With a customer managed key, functions that write need `kms:GenerateDataKey` on it "
            "in `provider.iam.role.statements`.",
        ),
        (
            "sam",
            "Set `KmsMasterKeyId: alias/aws/sns` (or a customer managed key) on the "
            "AWS::SNS::Topic; similarly `StreamEncryption: {EncryptionType: KMS, KeyId: "
            "alias/aws/kinesis}` on an AWS::Kinesis::Stream, and on an AWS::SQS::Queue remove "
            "`SqsManagedSseEnabled: false` or set `KmsMasterKeyId`. With a customer managed key, "
            "functions that write need `kms:GenerateDataKey` on it in their `Policies`.",
        ),
        (
            "cloudformation",
            "Set `KmsMasterKeyId: alias/aws/sns` (or a customer managed key) on the "
            "AWS::SNS::Topic; similarly `StreamEncryption: {EncryptionType: KMS, KeyId: "
            "alias/aws/kinesis}` on an AWS::Kinesis::Stream, and on an AWS::SQS::Queue remove "
            "`SqsManagedSseEnabled: false` or set `KmsMasterKeyId`. With a customer managed key, "
            "roles that write need `kms:GenerateDataKey` on it.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html",
        "https://docs.aws.amazon.com/streams/latest/dev/what-is-sse.html",
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html",
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html",
    ),
)
def store_unencrypted(store: DataStore, app: App) -> Iterator[Hit]:
    if store.encryption is not None:
        return  # a KMS key or stream encryption is written (unresolved counts as set)
    subject = f"{store.kind} {store.id}"
    if store.kind == "topic":
        yield Hit(
            store.src,
            f"SNS topic {store.id} has no KmsMasterKeyId: its messages are stored unencrypted",
            subject=subject,
            severity=Severity.LOW,  # SNS keeps messages only until they are delivered
        )
    elif store.kind == "stream":
        yield Hit(
            store.src,
            f"Kinesis stream {store.id} has no StreamEncryption: its records are stored "
            "unencrypted",
            subject=subject,
        )
    elif store.kind == "queue" and truthy(store.properties.get("SqsManagedSseEnabled")) is False:
        res = resource(app, store.id)
        src = prop_src(app, res, "SqsManagedSseEnabled") if res is not None else store.src
        yield Hit(
            src,
            f"SQS queue {store.id} turns off SqsManagedSseEnabled and sets no KmsMasterKeyId: "
            "its messages are stored unencrypted",
            subject=subject,
        )
