from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Bucket, Format
from slsguard.model.values import as_list
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas03_deployment.common import mentions, prop_src, public_reason, resource

# SAM policy templates that take a BucketName, and whether they allow writing.
_SAM_S3_TEMPLATES = {
    "S3ReadPolicy": False,
    "S3WritePolicy": True,
    "S3CrudPolicy": True,
    "S3FullAccessPolicy": True,
}
_TEMPLATE_ORIGINS = frozenset(f"SAM policy template {name}" for name in _SAM_S3_TEMPLATES)
_READ_PREFIXES = ("s3:Get", "s3:List")


def _is_bucket(value: Any, bucket: Bucket) -> bool:
    """An ARN, name, Ref or GetAtt that designates this bucket or its objects."""
    if mentions(value, bucket.id):
        return True
    if isinstance(value, str) and isinstance(bucket.name, str):
        arn = f":s3:::{bucket.name}"
        return value == bucket.name or value.endswith(arn) or f"{arn}/" in value
    return False


def _writes(actions: list[str]) -> bool:
    return any(a == "*" or not a.startswith(_READ_PREFIXES) for a in actions)


@rule(
    id="SLS0308",
    name="public-bucket-shared-with-functions",
    category=Category.SAS_3,
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    title="Public or website bucket that functions also read, write or are triggered by",
    rationale=(
        "A bucket that serves public files should hold only those files: when functions "
        "also store uploads, exports or intermediate data in it, or process what lands in "
        "it, that data is public too (and anyone can plant input for the function)."
    ),
    fix=(
        "Keep public content in its own bucket and give functions a private bucket for "
        "their data: point the function's IAM statements (serverless.yml "
        "`provider.iam.role.statements`, SAM `Policies`, CloudFormation AWS::IAM::Role "
        "`Policies`) and S3 events (serverless.yml `events: - s3`, SAM `Events` of Type S3, "
        "CloudFormation `NotificationConfiguration`) at a bucket without a public "
        "`AccessControl`, public bucket policy or `WebsiteConfiguration`."
    ),
    fixes=(
        (
            "serverless",
            "Give the functions a private bucket of their own: point "
            "`provider.iam.role.statements[].Resource` and `s3` events (`s3: {bucket: "
            "data-bucket, existing: true}`) at a bucket without a public `AccessControl`, public "
            "bucket policy or `WebsiteConfiguration`, and keep only public files in the public "
            "one.",
        ),
        (
            "sam",
            "Give the functions a private bucket of their own: point their `Policies` "
            "(`S3CrudPolicy: {BucketName: !Ref DataBucket}`) and `S3` events (`Bucket: !Ref "
            "DataBucket`) at a bucket without a public `AccessControl`, public bucket policy or "
            "`WebsiteConfiguration`, and keep only public files in the public one.",
        ),
        (
            "cloudformation",
            "Give the functions a private bucket of their own: point the `Resource` of their "
            "AWS::IAM::Role statements and the `NotificationConfiguration.LambdaConfigurations` "
            "at a bucket without a public `AccessControl`, public bucket policy or "
            "`WebsiteConfiguration`, and keep only public files in the public one.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteHosting.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
    ),
)
def public_bucket_shared(bucket: Bucket, app: App) -> Iterator[Hit]:
    reason = public_reason(bucket)
    if reason is None:
        return
    for fn in app.functions:
        subject = f"function {fn.id}"
        for event in fn.events:
            if event.kind == "s3" and _is_bucket(event.source, bucket):
                yield Hit(
                    event.src,
                    f"function {fn.id} is triggered by uploads to bucket {bucket.id}, which is "
                    f"public through {reason}",
                    subject=subject,
                )
        role = fn.role
        for stmt in role.statements if role is not None else ():
            actions = [a for a in stmt.actions if isinstance(a, str)]
            if not stmt.allows or not any(a == "*" or a.startswith("s3:") for a in actions):
                continue
            if stmt.origin in _TEMPLATE_ORIGINS:
                continue  # reported from the template's BucketName below
            if any(_is_bucket(r, bucket) for r in stmt.resources):
                writes = _writes(actions)
                yield Hit(
                    stmt.resource_src or stmt.src,
                    f"function {fn.id} {'writes to' if writes else 'reads from'} bucket "
                    f"{bucket.id}, which is public through {reason}",
                    subject=subject,
                    severity=Severity.MEDIUM if writes else Severity.LOW,
                )
        yield from _sam_templates(fn.id, bucket, reason, app)


def _sam_templates(fn_id: str, bucket: Bucket, reason: str, app: App) -> Iterator[Hit]:
    """SAM S3 policy templates: their expanded statements lose the BucketName reference."""
    res = resource(app, fn_id)
    if app.format is not Format.SAM or res is None:
        return
    for index, item in enumerate(as_list(res.properties.get("Policies"))):
        if not isinstance(item, dict) or len(item) != 1:
            continue
        ((name, params),) = item.items()
        if name not in _SAM_S3_TEMPLATES or not isinstance(params, dict):
            continue
        if _is_bucket(params.get("BucketName"), bucket):
            writes = _SAM_S3_TEMPLATES[name]
            yield Hit(
                prop_src(app, res, "Policies", index),
                f"function {fn_id} {'writes to' if writes else 'reads from'} bucket "
                f"{bucket.id} ({name}), which is public through {reason}",
                subject=f"function {fn_id}",
                severity=Severity.MEDIUM if writes else Severity.LOW,
            )
