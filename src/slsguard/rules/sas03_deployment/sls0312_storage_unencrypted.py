from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Resource
from slsguard.model.values import SYMBOLIC
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas03_deployment.common import prop_src, truthy

# type -> (what, encryption flag, properties that make the flag inherited or implied)
KINDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "AWS::RDS::DBInstance": (
        "RDS database instance",
        "StorageEncrypted",
        # Aurora members follow their cluster; replicas and restores follow their source.
        (
            "DBClusterIdentifier",
            "SourceDBInstanceIdentifier",
            "DBSnapshotIdentifier",
            "SourceDBInstanceAutomatedBackupsArn",
            "SourceDbiResourceId",
            "KmsKeyId",
        ),
    ),
    "AWS::RDS::DBCluster": (
        "RDS database cluster",
        "StorageEncrypted",
        (
            "SnapshotIdentifier",
            "SourceDBClusterIdentifier",
            "GlobalClusterIdentifier",
            "ReplicationSourceIdentifier",
            "KmsKeyId",
        ),
    ),
    "AWS::DocDB::DBCluster": (
        "DocumentDB cluster",
        "StorageEncrypted",
        ("SnapshotIdentifier", "SourceDBClusterIdentifier", "KmsKeyId"),
    ),
    "AWS::EFS::FileSystem": ("EFS file system", "Encrypted", ("KmsKeyId",)),
}


def _inherited(res: Resource, keys: tuple[str, ...]) -> bool:
    if any(res.properties.get(k) is not None for k in keys):
        return True
    engine: Any = res.properties.get("Engine")
    if res.type == "AWS::RDS::DBInstance" and isinstance(engine, str):
        return engine.startswith("aurora")  # storage belongs to the cluster
    mode: Any = res.properties.get("EngineMode")
    return res.type == "AWS::RDS::DBCluster" and mode == "serverless"  # always encrypted


@rule(
    id="SLS0312",
    name="database-storage-unencrypted",
    category=Category.SAS_3,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="Database or file system storage not encrypted at rest",
    rationale=(
        "RDS instances and clusters, DocumentDB clusters and EFS file systems created from "
        "a template are unencrypted unless `StorageEncrypted`/`Encrypted` is true (the "
        "console's default is not the API's); their data, snapshots and backups are then "
        "stored in clear text, and encryption cannot be turned on later without a rebuild."
    ),
    fix=(
        "Set `StorageEncrypted: true` (RDS, DocumentDB) or `Encrypted: true` (EFS), "
        "optionally with `KmsKeyId`, on the resource in serverless.yml `resources.Resources`, "
        "SAM or CloudFormation `Resources`."
    ),
    fixes=(
        (
            "serverless",
            "Set `StorageEncrypted: true` on the AWS::RDS::DBInstance, AWS::RDS::DBCluster or "
            "AWS::DocDB::DBCluster in `resources.Resources` (`Encrypted: true` on an "
            "AWS::EFS::FileSystem), optionally with `KmsKeyId`. Existing storage cannot be "
            "encrypted in place: migrate the data to a new, encrypted resource.",
        ),
        (
            "sam",
            "Set `StorageEncrypted: true` on the AWS::RDS::DBInstance, AWS::RDS::DBCluster or "
            "AWS::DocDB::DBCluster (`Encrypted: true` on an AWS::EFS::FileSystem that functions "
            "mount through `FileSystemConfigs`), optionally with `KmsKeyId`. Existing storage "
            "cannot be encrypted in place: migrate the data to a new, encrypted resource.",
        ),
        (
            "cloudformation",
            "Set `StorageEncrypted: true` on the AWS::RDS::DBInstance, AWS::RDS::DBCluster or "
            "AWS::DocDB::DBCluster (`Encrypted: true` on an AWS::EFS::FileSystem), optionally "
            "with `KmsKeyId`. Changing it replaces the resource: restore the data from an "
            "encrypted snapshot copy, or copy it to a new file system.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html",
        "https://docs.aws.amazon.com/documentdb/latest/developerguide/encryption-at-rest.html",
        "https://docs.aws.amazon.com/efs/latest/ug/encryption-at-rest.html",
    ),
)
def storage_unencrypted(res: Resource, app: App) -> Iterator[Hit]:
    kind = KINDS.get(res.type)
    if kind is None:
        return
    what, flag, implied = kind
    value = res.properties.get(flag)
    if isinstance(value, SYMBOLIC) or (value is not None and truthy(value) is not False):
        return  # unknown, or encrypted
    if _inherited(res, implied):
        return
    if value is None:
        src, how = res.src, f"sets no {flag} (default false)"
    else:
        src, how = prop_src(app, res, flag), f"sets {flag} to false"
    yield Hit(
        src,
        f"{what} {res.id} {how}: its storage is not encrypted at rest",
        subject=f"{what} {res.id}",
    )
