"""Least privilege from code: the AWS SDK calls of each function's handler (and the project
modules it imports) become IAM actions on resources resolved through the app model; the
exact action and resource sets per function are asserted for Python (boto3 clients,
resources, paginators, transfer methods) and JavaScript (SDK v2, v3, lib-dynamodb,
lib-storage)."""

# ruff: noqa: E501  (handler sources are written out as they would be in a project)

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from slsguard.discovery import discover, read_text
from slsguard.engine import ScanOptions, load_candidate
from slsguard.least_privilege.arns import as_cloudformation
from slsguard.least_privilege.needs import FunctionNeeds
from slsguard.least_privilege.values import Sub
from slsguard.model.values import GetAtt, Ref

PART = "arn:${AWS::Partition}"
REGIONAL = "${AWS::Region}:${AWS::AccountId}"


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def needs_of(root: Path) -> dict[str, FunctionNeeds]:
    options = ScanOptions(paths=(root,), needs=True)
    candidates, _ = discover([root], root, ())
    out: dict[str, FunctionNeeds] = {}
    for cand in candidates:
        _, app, _ = load_candidate(cand, read_text(cand.path, 1 << 20), root, options)
        assert app is not None and app.needs is not None
        out.update(app.needs)
    return out


def code_needs(needs: FunctionNeeds) -> set[tuple[str, tuple[object, ...]]]:
    """(action, resources) of what the code calls (not what the triggers need)."""
    return {(n.action, n.resources) for n in needs.needs if n.file}


def uninferred(needs: FunctionNeeds) -> set[tuple[str, int, str]]:
    """(file, line, reason); the reason starts "call: " where the action itself is unknown."""
    return {
        (u.file, u.line, ("call: " if u.action_unknown else "") + u.reason)
        for u in needs.uninferred
    }


PYTHON_SERVERLESS = """\
service: lp
custom:
  bucket: receipts-${sls:stage}
provider:
  name: aws
  runtime: python3.12
functions:
  ingest:
    handler: ingest.handler
    environment:
      TABLE_NAME: !Ref Orders
      BUCKET: ${self:custom.bucket}
  report:
    handler: report.handler
    environment:
      TABLE_NAME: !Ref Orders
      QUEUE_URL: !Ref Jobs
resources:
  Resources:
    Orders:
      Type: AWS::DynamoDB::Table
    Jobs:
      Type: AWS::SQS::Queue
    Receipts:
      Type: AWS::S3::Bucket
      Properties:
        BucketName: ${self:custom.bucket}
"""


def ingest_needs(tmp_path: Path, module: str, source: str) -> FunctionNeeds:
    """The needs of function `ingest` of PYTHON_SERVERLESS with its handler in `module`.py."""
    write(
        tmp_path,
        {
            "serverless.yml": PYTHON_SERVERLESS.replace("ingest.handler", f"{module}.handler"),
            f"{module}.py": source,
            "report.py": "def handler(event, context):\n    pass\n",
        },
    )
    return needs_of(tmp_path)["ingest"]


@pytest.fixture
def python_project(tmp_path: Path) -> Path:
    write(
        tmp_path,
        {
            "serverless.yml": PYTHON_SERVERLESS,
            "ingest.py": """\
                import os

                import boto3

                from lib.store import save

                s3 = boto3.client("s3")


                def handler(event, context):
                    s3.put_object(Bucket=os.environ["BUCKET"], Key=f"in/{event['id']}", Body=b"")
                    save(event)
                    s3.upload_file("/tmp/x", os.environ["BUCKET"], "raw/x.csv")
            """,
            "lib/__init__.py": "",
            "lib/store.py": """\
                import os

                import boto3

                table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


                def save(item):
                    table.put_item(Item=item)


                def purge():
                    boto3.client("sqs").purge_queue(QueueUrl=os.environ["QUEUE_URL"])
            """,
            "report.py": """\
                import os

                import boto3

                ddb = boto3.client("dynamodb")


                class Jobs:
                    def __init__(self):
                        self.sqs = boto3.client("sqs")

                    def send(self, body):
                        self.sqs.send_message(QueueUrl=os.getenv("QUEUE_URL"), MessageBody=body)


                def handler(event, context):
                    pages = ddb.get_paginator("query").paginate(
                        TableName=os.environ["TABLE_NAME"], IndexName="byDate"
                    )
                    Jobs().send("x")
                    boto3.client(event["service"]).describe_things()
                    boto3.client("s3").get_object(Bucket=event["bucket"], Key="k")
            """,
        },
    )
    return tmp_path


def test_python_calls_become_actions_on_model_resources(python_project: Path) -> None:
    needs = needs_of(python_project)
    receipts = f"{PART}:s3:::${{Receipts}}"
    assert code_needs(needs["ingest"]) == {
        ("s3:PutObject", (Sub(f"{receipts}/in/*"),)),
        ("s3:PutObject", (Sub(f"{receipts}/raw/x.csv*"),)),
        ("dynamodb:PutItem", (GetAtt("Orders", "Arn"),)),
    }
    assert needs["ingest"].complete
    assert uninferred(needs["ingest"]) == set()


def test_unreachable_functions_of_an_imported_module_add_nothing(python_project: Path) -> None:
    actions = needs_of(python_project)["ingest"].actions()
    assert "sqs:PurgeQueue" not in actions


def test_paginators_classes_and_calls_that_cannot_be_inferred(python_project: Path) -> None:
    report = needs_of(python_project)["report"]
    assert code_needs(report) == {
        (
            "dynamodb:Query",
            (GetAtt("Orders", "Arn"), Sub("${Orders.Arn}/index/*")),
        ),
        ("sqs:SendMessage", (GetAtt("Jobs", "Arn"),)),
        ("s3:GetObject", ("*",)),
    }
    assert not report.complete
    assert uninferred(report) == {
        ("report.py", 21, "call: the service name is not a literal"),
        (
            "report.py",
            22,
            "resource of s3:GetObject: its Bucket is event.bucket, not known before run time",
        ),
    }


JS_SERVERLESS = """\
service: js
provider:
  name: aws
  runtime: nodejs20.x
  environment:
    TABLE: !Ref Orders
functions:
  v2:
    handler: src/v2.handler
    environment:
      BUCKET: assets-bucket
  v3:
    handler: src/v3.handler
    environment:
      TOPIC_ARN: !Ref Alerts
      SECRET_ID: prod/db
  docs:
    handler: src/docs.handler
resources:
  Resources:
    Orders:
      Type: AWS::DynamoDB::Table
    Alerts:
      Type: AWS::SNS::Topic
"""


@pytest.fixture
def js_project(tmp_path: Path) -> Path:
    write(
        tmp_path,
        {
            "serverless.yml": JS_SERVERLESS,
            "src/v2.js": """\
                const AWS = require("aws-sdk");
                const s3 = new AWS.S3();
                const db = new AWS.DynamoDB.DocumentClient();

                exports.handler = async (event) => {
                  await s3.getObject({ Bucket: process.env.BUCKET, Key: event.key }).promise();
                  await db.put({ TableName: process.env.TABLE, Item: event }).promise();
                  await db.query({ TableName: process.env["TABLE"], KeyConditionExpression: "a" }).promise();
                  await s3.waitFor("bucketExists", { Bucket: process.env.BUCKET }).promise();
                };
            """,
            "src/v3.mjs": """\
                import { SNSClient, PublishCommand } from "@aws-sdk/client-sns";
                import { SecretsManagerClient, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
                import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
                import { DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";

                const sns = new SNSClient({});
                const secrets = new SecretsManagerClient({});
                const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

                export const handler = async (event) => {
                  await secrets.send(new GetSecretValueCommand({ SecretId: process.env.SECRET_ID }));
                  await doc.send(new UpdateCommand({ TableName: process.env.TABLE, Key: { id: 1 } }));
                  await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: "x" }));
                };
            """,
            "src/docs.ts": """\
                import { S3Client } from "@aws-sdk/client-s3";
                import { Upload } from "@aws-sdk/lib-storage";

                const client = new S3Client({});

                export async function handler(event: { body: string }) {
                  const upload = new Upload({ client, params: { Bucket: "docs-bucket", Key: "a/b.txt", Body: event.body } });
                  await upload.done();
                  const command = pick(event);
                  await client.send(command);
                }
            """,
        },
    )
    return tmp_path


def test_sdk_v2_clients_and_document_client(js_project: Path) -> None:
    v2 = needs_of(js_project)["v2"]
    assert code_needs(v2) == {
        ("s3:GetObject", (Sub(f"{PART}:s3:::assets-bucket/*"),)),
        ("dynamodb:PutItem", (GetAtt("Orders", "Arn"),)),
        ("dynamodb:Query", (GetAtt("Orders", "Arn"),)),
        ("s3:ListBucket", (Sub(f"{PART}:s3:::assets-bucket"),)),  # the HeadBucket waiter
    }
    assert v2.complete


def test_sdk_v3_commands_and_lib_dynamodb(js_project: Path) -> None:
    v3 = needs_of(js_project)["v3"]
    assert code_needs(v3) == {
        (
            "secretsmanager:GetSecretValue",
            (Sub(f"{PART}:secretsmanager:{REGIONAL}:secret:prod/db-*"),),
        ),
        ("dynamodb:UpdateItem", (GetAtt("Orders", "Arn"),)),
        ("sns:Publish", (Ref("Alerts"),)),
    }
    assert v3.complete


def test_lib_storage_upload_and_a_command_that_cannot_be_told(js_project: Path) -> None:
    docs = needs_of(js_project)["docs"]
    assert code_needs(docs) == {("s3:PutObject", (Sub(f"{PART}:s3:::docs-bucket/a/b.txt*"),))}
    assert uninferred(docs) == {
        ("src/docs.ts", 10, "call: the command sent is not a `new ...Command(...)`")
    }


def test_event_sources_and_settings_are_needs_of_their_own(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "serverless.yml": """\
                service: w
                provider: {name: aws, runtime: python3.12, tracing: {lambda: true}}
                functions:
                  worker:
                    handler: w.handler
                    events:
                      - sqs: {arn: !GetAtt Jobs.Arn}
                resources:
                  Resources:
                    Jobs: {Type: AWS::SQS::Queue}
            """,
            "w.py": "def handler(event, context):\n    return None\n",
        },
    )
    worker = needs_of(tmp_path)["worker"]
    triggered = {(n.action, n.resources) for n in worker.needs if not n.file and not n.implicit}
    assert triggered == {
        ("sqs:ReceiveMessage", (GetAtt("Jobs", "Arn"),)),
        ("sqs:DeleteMessage", (GetAtt("Jobs", "Arn"),)),
        ("sqs:GetQueueAttributes", (GetAtt("Jobs", "Arn"),)),
        ("xray:PutTraceSegments", ("*",)),
        ("xray:PutTelemetryRecords", ("*",)),
    }


def test_libraries_that_call_aws_themselves_make_needs_incomplete(tmp_path: Path) -> None:
    ingest = ingest_needs(
        tmp_path,
        "models",
        "from pynamodb.models import Model\n\ndef handler(event, context):\n    pass\n",
    )
    assert ingest.gaps == ("models.py uses PynamoDB, which calls AWS by itself",)
    assert not ingest.complete


def test_arns_as_template_data() -> None:
    assert as_cloudformation(GetAtt("T", "Arn")) == {"Fn::GetAtt": ["T", "Arn"]}
    assert as_cloudformation(Ref("Topic")) == {"Ref": "Topic"}
    assert as_cloudformation(Sub("${B.Arn}/*")) == {"Fn::Sub": "${B.Arn}/*"}
    assert as_cloudformation("arn:aws:s3:::b") == "arn:aws:s3:::b"


SHARED = """\
service: s
provider:
  name: aws
  runtime: python3.12
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [dynamodb:GetItem, dynamodb:PutItem]
          Resource: !GetAtt T.Arn
functions:
  read:
    handler: api.read
    environment: {TABLE: !Ref T}
    events: [{httpApi: GET /items}]
  write:
    handler: api.write
    environment: {TABLE: !Ref T}
    events: [{httpApi: POST /items}]
resources:
  Resources:
    T: {Type: AWS::DynamoDB::Table}
"""
API = """\
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def read(event, context):
    return table.get_item(Key={"id": 1})


def write(event, context):
    return table.METHOD(Key={"id": 2})
"""


def shared_role_findings(root: Path) -> list[tuple[str, int, str]]:
    from slsguard.engine import scan
    from slsguard.rules import ALL_RULES

    result = scan(ScanOptions(paths=(root,), select=("SLS0404",)), ALL_RULES)
    return [(f.location.file, f.location.line, f.message) for f in result.findings]


def test_shared_role_of_functions_that_need_different_things(tmp_path: Path) -> None:
    write(tmp_path, {"serverless.yml": SHARED, "api.py": API.replace("METHOD", "put_item")})
    assert shared_role_findings(tmp_path) == [
        (
            "serverless.yml",
            2,
            "role IamRoleLambdaExecution is shared by functions that need different "
            "permissions (read needs dynamodb:GetItem; write needs dynamodb:PutItem): "
            "each one holds what the others need",
        )
    ]


def test_shared_role_of_functions_that_need_the_same_is_fine(tmp_path: Path) -> None:
    write(tmp_path, {"serverless.yml": SHARED, "api.py": API.replace("METHOD", "get_item")})
    assert shared_role_findings(tmp_path) == []


def test_a_client_handed_to_other_code_makes_needs_incomplete(tmp_path: Path) -> None:
    ingest = ingest_needs(
        tmp_path,
        "esc",
        """\
                import boto3

                s3 = boto3.client("s3")


                def handler(event, context):
                    print(s3)
                    logger.info("client %s", s3)
                    archive(s3, event["key"])
            """,
    )
    assert uninferred(ingest) == {
        (
            "esc.py",
            9,
            "call: an AWS client (s3) is passed to archive(), whose calls are not followed",
        )
    }
    assert not ingest.complete


TRUSTED = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: [lambda.amazonaws.com, PRINCIPAL]}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: p
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: sqs:SendMessage
                Resource: '*'
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
          def handler(event, context):
              return 1
"""


@pytest.mark.parametrize(
    ("principal", "expected"),
    [("lambda.amazonaws.com", ["SLS0408"]), ("states.amazonaws.com", [])],
)
def test_unused_permissions_only_on_roles_only_lambda_uses(
    tmp_path: Path, principal: str, expected: list[str]
) -> None:
    from slsguard.engine import scan
    from slsguard.rules import ALL_RULES

    write(tmp_path, {"template.yaml": TRUSTED.replace("PRINCIPAL", principal)})
    result = scan(ScanOptions(paths=(tmp_path,), select=("SLS0408",)), ALL_RULES)
    assert [f.rule_id for f in result.findings] == expected


def test_a_client_passed_to_a_function_of_the_module_is_followed(tmp_path: Path) -> None:
    ingest = ingest_needs(
        tmp_path,
        "helpers",
        """\
                import os

                import boto3


                def store(client, body):
                    client.put_object(Bucket=os.environ["BUCKET"], Key="x", Body=body)


                def handler(event, context):
                    store(boto3.client("s3"), b"")
            """,
    )
    assert code_needs(ingest) == {("s3:PutObject", (Sub(f"{PART}:s3:::${{Receipts}}/x*"),))}
    assert ingest.complete


def test_clients_made_in_another_project_module(tmp_path: Path) -> None:
    shared = """\
        import os

        import boto3

        table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
        s3 = boto3.client("s3")
    """
    write(tmp_path, {"shared/__init__.py": "", "shared/aws.py": shared})
    ingest = ingest_needs(
        tmp_path,
        "app",
        """\
                import os

                import shared.aws as aws
                from shared.aws import table


                def handler(event, context):
                    table.put_item(Item=event)
                    aws.s3.get_object(Bucket=os.environ["BUCKET"], Key="k")
            """,
    )
    assert code_needs(ingest) == {
        ("dynamodb:PutItem", (GetAtt("Orders", "Arn"),)),
        ("s3:GetObject", (Sub(f"{PART}:s3:::${{Receipts}}/k*"),)),
    }
    assert ingest.complete


def test_js_clients_exported_by_another_module(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "serverless.yml": JS_SERVERLESS,
            "src/v2.js": """\
                const { db } = require("./lib/clients");

                exports.handler = async (event) => {
                  await db.put({ TableName: process.env.TABLE, Item: event }).promise();
                };
            """,
            "src/lib/clients.js": """\
                const AWS = require("aws-sdk");
                const db = new AWS.DynamoDB.DocumentClient();
                module.exports = { db };
            """,
            "src/v3.mjs": "export const handler = async () => 1;\n",
            "src/docs.ts": "export async function handler() {}\n",
        },
    )
    v2 = needs_of(tmp_path)["v2"]
    assert code_needs(v2) == {("dynamodb:PutItem", (GetAtt("Orders", "Arn"),))}


def test_waiters_collections_and_presigned_urls(tmp_path: Path) -> None:
    ingest = ingest_needs(
        tmp_path,
        "misc",
        """\
                import os

                import boto3

                s3 = boto3.client("s3")
                bucket = boto3.resource("s3").Bucket(os.environ["BUCKET"])


                def handler(event, context):
                    s3.get_waiter("object_exists").wait(Bucket=os.environ["BUCKET"], Key="a")
                    for obj in bucket.objects.filter(Prefix="in/"):
                        print(obj.key)
                    return s3.generate_presigned_url("get_object", Params={"Bucket": "b"})
            """,
    )
    bucket = Sub(f"{PART}:s3:::${{Receipts}}")
    assert code_needs(ingest) == {
        ("s3:GetObject", (Sub(f"{PART}:s3:::${{Receipts}}/a*"),)),  # HeadObject
        ("s3:ListBucket", (bucket,)),
    }
    assert ingest.complete


ENCRYPTED = """\
service: enc
provider:
  name: aws
  runtime: python3.12
  environment:
    BUCKET: !Ref Files
    PLAIN: !Ref Plain
    QUEUE: !Ref Jobs
    TOPIC: !Ref Done
functions:
  worker:
    handler: w.handler
    events:
      - sqs: {arn: !GetAtt Jobs.Arn}
resources:
  Resources:
    Key: {Type: AWS::KMS::Key}
    Files:
      Type: AWS::S3::Bucket
      Properties:
        BucketEncryption:
          ServerSideEncryptionConfiguration:
            - ServerSideEncryptionByDefault: {SSEAlgorithm: aws:kms, KMSMasterKeyID: !Ref Key}
    Plain:
      Type: AWS::S3::Bucket
      Properties:
        BucketEncryption:
          ServerSideEncryptionConfiguration:
            - ServerSideEncryptionByDefault: {SSEAlgorithm: aws:kms}
    Jobs:
      Type: AWS::SQS::Queue
      Properties: {KmsMasterKeyId: !GetAtt Key.Arn}
    Done:
      Type: AWS::SNS::Topic
      Properties: {KmsMasterKeyId: arn:aws:kms:eu-west-1:123456789012:key/abcd-1234}
"""
WORKER = """\
import os

import boto3

s3 = boto3.client("s3")
sqs = boto3.client("sqs")
sns = boto3.client("sns")


def handler(event, context):
    s3.put_object(Bucket=os.environ["BUCKET"], Key="a", Body=b"")
    s3.get_object(Bucket=os.environ["BUCKET"], Key="a")
    s3.get_object(Bucket=os.environ["PLAIN"], Key="a")
    sqs.send_message(QueueUrl=os.environ["QUEUE"], MessageBody="x")
    sqs.receive_message(QueueUrl=os.environ["QUEUE"])
    sns.publish(TopicArn=os.environ["TOPIC"], Message="done")
"""


def test_kms_for_targets_encrypted_with_a_customer_managed_key(tmp_path: Path) -> None:
    """One case per [[encrypted_target]] entry of iam/data/sdk_overrides.toml; the bucket
    with the AWS managed key (no KMSMasterKeyID) needs nothing from KMS."""
    write(tmp_path, {"serverless.yml": ENCRYPTED, "w.py": WORKER})
    worker = needs_of(tmp_path)["worker"]
    key = GetAtt("Key", "Arn")
    topic_key = "arn:aws:kms:eu-west-1:123456789012:key/abcd-1234"
    kms = {(n.line, n.action, n.resources) for n in worker.needs if n.action.startswith("kms:")}
    assert kms == {
        (11, "kms:GenerateDataKey", (key,)),  # s3 PutObject
        (12, "kms:Decrypt", (key,)),  # s3 GetObject
        (14, "kms:GenerateDataKey", (key,)),  # sqs SendMessage
        (14, "kms:Decrypt", (key,)),
        (15, "kms:Decrypt", (key,)),  # sqs ReceiveMessage
        (16, "kms:GenerateDataKey", (topic_key,)),  # sns Publish
        (16, "kms:Decrypt", (topic_key,)),
        (0, "kms:Decrypt", (key,)),  # the SQS event source's poller
    }
    from slsguard.iam.sdk_map import kms_for_encrypted_target

    covered = {("s3", "PutObject"), ("s3", "GetObject"), ("sqs", "SendMessage"),
               ("sqs", "ReceiveMessage"), ("sns", "Publish")}  # fmt: skip
    import tomllib

    from slsguard.iam.sdk_map import overrides_text

    entries = tomllib.loads(overrides_text())["encrypted_target"]
    assert len(entries) == 5
    for entry in entries:  # every entry is exercised above by one of its operations
        assert any((entry["service"], op) in covered for op in entry["operations"])
        for op in entry["operations"]:
            assert kms_for_encrypted_target(entry["service"], op) == tuple(entry["kms"])


def test_sdk_v3_paginators_and_waiters(js_project: Path) -> None:
    (js_project / "src" / "docs.ts").write_text(
        textwrap.dedent(
            """\
            import { S3Client, paginateListObjectsV2, waitUntilObjectExists } from "@aws-sdk/client-s3";

            const client = new S3Client({});

            export async function handler() {
              for await (const page of paginateListObjectsV2({ client }, { Bucket: "docs-bucket" })) {
                console.log(page.Contents);
              }
              await waitUntilObjectExists({ client, maxWaitTime: 30 }, { Bucket: "docs-bucket", Key: "a" });
            }
            """
        )
    )
    docs = needs_of(js_project)["docs"]
    assert code_needs(docs) == {
        ("s3:ListBucket", (Sub(f"{PART}:s3:::docs-bucket"),)),
        ("s3:GetObject", (Sub(f"{PART}:s3:::docs-bucket/a*"),)),
    }
    assert docs.complete


CUSTOM_RESOURCE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Logs:
    Type: AWS::S3::Bucket
  Seeder:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/seeder
      Code:
        ZipFile: |
          import boto3

          def handler(event, context):
              bucket = event["ResourceProperties"]["Bucket"]
              boto3.client("s3").put_object(Bucket=bucket, Key="seed", Body=b"")
              boto3.client("s3").delete_object(Bucket=event["Other"], Key="seed")
  SeedLogs:
    Type: Custom::Seed
    Properties:
      ServiceToken: !GetAtt Seeder.Arn
      Bucket: !Ref Logs
  SeedAssets:
    Type: Custom::Seed
    Properties:
      ServiceToken: !GetAtt Seeder.Arn
      Bucket: assets-bucket
"""


def test_custom_resource_properties_name_the_resources(tmp_path: Path) -> None:
    """`event["ResourceProperties"][X]` in a custom resource's function is property X of
    each custom resource it backs; other event fields stay unknown."""
    write(tmp_path, {"template.yaml": CUSTOM_RESOURCE})
    seeder = needs_of(tmp_path)["Seeder"]
    assert code_needs(seeder) == {
        (
            "s3:PutObject",
            (Sub(f"{PART}:s3:::${{Logs}}/seed*"), Sub(f"{PART}:s3:::assets-bucket/seed*")),
        ),
        ("s3:DeleteObject", ("*",)),
    }
    assert uninferred(seeder) == {
        (
            "template.yaml",
            18,
            "resource of s3:DeleteObject: its Bucket is event.Other, not known before run time",
        )
    }
