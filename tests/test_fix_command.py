"""`slsguard fix --least-privilege` end to end, per format: the diff, --write in place (comments
and unrelated lines kept), the edited file reloads with exactly the statements the code
needs, a second run changes nothing, and the SAS-4 permission findings on the function are
gone; `slsguard policy` prints the same statements as an IAM policy document."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from slsguard.cli import main
from slsguard.discovery import discover, read_text
from slsguard.engine import ScanOptions, load_candidate, scan
from slsguard.least_privilege.statements import statements
from slsguard.rules import ALL_RULES

EXAMPLES = Path(__file__).parent.parent / "examples"
PERMISSION_RULES = ("SLS0401", "SLS0402", "SLS0403", "SLS0404", "SLS0405", "SLS0408", "SLS0409")


def permission_findings(root: Path) -> set[tuple[str, str, str]]:
    result = scan(ScanOptions(paths=(root,), select=PERMISSION_RULES, env={}), ALL_RULES)
    return {(f.rule_id, f.location.file, f.subject) for f in result.findings}


def comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


def apps(root: Path) -> dict[str, object]:
    options = ScanOptions(paths=(root,), needs=True, env={})
    candidates, _ = discover([root], root, ())
    out = {}
    for cand in candidates:
        _, app, _ = load_candidate(cand, read_text(cand.path, 1 << 20), root, options)
        if app is not None:  # package.json and other JSON files are not templates
            out[cand.rel] = app
    return out


def role_statements(app: object, function_id: str) -> list[dict[str, object]]:
    """The function's role's statements, as data comparable with the generated ones."""
    from slsguard.least_privilege.arns import as_cloudformation
    from slsguard.model.values import Unresolved

    def resource(r: object) -> object:
        # the model keeps a !Sub of pseudo parameters as Unresolved, its text as written
        return {"Fn::Sub": str(r)} if isinstance(r, Unresolved) else as_cloudformation(r)  # type: ignore[arg-type]

    fn = app.function(function_id)  # type: ignore[attr-defined]
    return [
        {
            "Effect": s.effect,
            "Action": list(s.actions),
            "Resource": [resource(r) for r in s.resources],
        }
        for s in fn.role.statements
    ]


@pytest.fixture
def orders(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "orders-app", tmp_path / "orders-app")
    return tmp_path / "orders-app"


def test_example_app_full_loop(orders: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before_text = (orders / "serverless.yml").read_text()
    assert permission_findings(orders) == {
        ("SLS0401", "serverless.yml", "role IamRoleLambdaExecution"),
        ("SLS0402", "serverless.yml", "role IamRoleLambdaExecution"),
        ("SLS0404", "serverless.yml", "role IamRoleLambdaExecution"),
        ("SLS0408", "serverless.yml", "role IamRoleLambdaExecution"),
    }
    assert main(["fix", "--least-privilege", str(orders)]) == 0
    shown = capsys.readouterr().out
    assert "+    iamRoleStatements:" in shown
    assert "  allow dynamodb:PutItem on !GetAtt OrdersTable.Arn" in shown
    assert (orders / "serverless.yml").read_text() == before_text  # no --write: nothing written

    assert main(["fix", "--least-privilege", "--write", str(orders)]) == 0
    after_text = (orders / "serverless.yml").read_text()
    assert comments(after_text) == comments(before_text)
    assert permission_findings(orders) == set()

    app = apps(orders)["serverless.yml"]
    needs = app.needs  # type: ignore[attr-defined]
    for function_id in ("createOrder", "getOrder", "notify"):
        assert role_statements(app, function_id) == statements(needs[function_id])
    assert role_statements(app, "createOrder") == [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:PutItem"],
            "Resource": [{"Fn::GetAtt": ["OrdersTable", "Arn"]}],
        }
    ]

    capsys.readouterr()
    assert main(["fix", "--least-privilege", "--write", str(orders)]) == 0
    assert "already least privilege, nothing to change" in capsys.readouterr().out
    assert (orders / "serverless.yml").read_text() == after_text


def test_one_function_only(orders: Path) -> None:
    assert main(["fix", "--least-privilege", "--write", "--function", "notify", str(orders)]) == 0
    app = apps(orders)["serverless.yml"]
    assert role_statements(app, "notify")[1] == {
        "Effect": "Allow",
        "Action": ["sns:Publish"],
        "Resource": [{"Ref": "NotifyTopic"}],
    }
    # the others keep the provider role, whose statements stay
    assert app.function("createOrder").role.id == "IamRoleLambdaExecution"  # type: ignore[attr-defined]
    assert ("SLS0401", "serverless.yml", "role IamRoleLambdaExecution") in permission_findings(
        orders
    )


def test_unknown_function_is_a_usage_error(orders: Path) -> None:
    assert main(["fix", "--least-privilege", "--function", "nope", str(orders)]) == 2


def test_policy_document(orders: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "getOrder", str(orders)]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem"],
                "Resource": [{"Fn::GetAtt": ["OrdersTable", "Arn"]}],
            }
        ],
    }


SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
# the orders service
Resources:
  Orders:
    Type: AWS::Serverless::SimpleTable
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
      Environment:
        Variables:
          TABLE: !Ref Orders  # the table
      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref Orders
        - Statement:
            - Effect: Allow
              Action: s3:*
              Resource: '*'
"""
CFN = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  # one role for both functions
  SharedRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AdministratorAccess
  Jobs:
    Type: AWS::SQS::Queue
  Sender:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt SharedRole.Arn
      Environment:
        Variables:
          QUEUE: !Ref Jobs
      Code:
        ZipFile: |
          import os
          import boto3

          def handler(event, context):
              boto3.client("sqs").send_message(QueueUrl=os.environ["QUEUE"], MessageBody="x")
  Other:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt SharedRole.Arn
      Code:
        ZipFile: |
          def handler(event, context):
              return 1
"""
APP = """\
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handler(event, context):
    return table.get_item(Key={"id": event["id"]})
"""


def test_sam_template(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(APP)
    (tmp_path / "template.yaml").write_text(SAM)
    assert {r for r, _, _ in permission_findings(tmp_path)} == {"SLS0402", "SLS0403", "SLS0408"}
    assert main(["fix", "--least-privilege", "--write", str(tmp_path)]) == 0
    text = (tmp_path / "template.yaml").read_text()
    assert comments(text) == comments(SAM)
    assert "TABLE: !Ref Orders  # the table" in text
    assert permission_findings(tmp_path) == set()
    app = apps(tmp_path)["template.yaml"]
    assert role_statements(app, "Api") == [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem"],
            "Resource": [
                {
                    "Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:"
                    "${AWS::AccountId}:table/${Orders}"
                }
            ],
        }
    ]
    assert main(["fix", "--least-privilege", "--write", str(tmp_path)]) == 0
    assert (tmp_path / "template.yaml").read_text() == text


def test_cloudformation_shared_role_is_split(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(CFN)
    before = permission_findings(tmp_path)
    assert ("SLS0405", "template.yaml", "role SharedRole") in before
    assert main(["fix", "--least-privilege", "--write", "--function", "Sender", str(tmp_path)]) == 0
    text = (tmp_path / "template.yaml").read_text()
    assert comments(text) == comments(CFN)
    app = apps(tmp_path)["template.yaml"]
    sender = app.function("Sender")  # type: ignore[attr-defined]
    assert sender.role.id == "SenderRole"
    assert role_statements(app, "Sender") == [
        {
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": [{"Fn::GetAtt": ["Jobs", "Arn"]}],
        }
    ]
    assert [p.name for p in sender.role.managed_policies] == [
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    ]
    after = permission_findings(tmp_path)
    assert not {f for f in after if f[2] == "role SenderRole"}
    assert app.function("Other").role.id == "SharedRole"  # type: ignore[attr-defined]
    assert main(["fix", "--least-privilege", "--write", "--function", "Sender", str(tmp_path)]) == 0
    assert (tmp_path / "template.yaml").read_text() == text


SCHEDULER = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Config:
    Type: AWS::DynamoDB::Table
  Processor:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Policies:
        - Statement:
            - Effect: Allow
              Action: [scheduler:CreateSchedule, scheduler:GetSchedule]
              Resource: !Sub 'arn:aws:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/default/*'
      Events:
        Stream:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Config.StreamArn
            StartingPosition: LATEST
      InlineCode: |
        import boto3

        scheduler = boto3.client("scheduler")

        def handler(event, context):
            for record in event["Records"]:
                scheduler.create_schedule(Name=record["id"], ScheduleExpression="rate(1 hour)")
"""


def test_a_resource_that_cannot_be_inferred_keeps_the_roles_scope(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "template.yaml").write_text(SCHEDULER)
    assert main(["policy", "Processor", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["Statement"] == [
        {
            "Effect": "Allow",
            "Action": [
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
            ],
            "Resource": [{"Fn::GetAtt": ["Config", "StreamArn"]}],
        },
        {"Effect": "Allow", "Action": ["dynamodb:ListStreams"], "Resource": ["*"]},
        {
            "Effect": "Allow",
            "Action": ["scheduler:CreateSchedule"],
            "Resource": [
                {"Fn::Sub": "arn:aws:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/default/*"}
            ],
        },
    ]
    assert "resource of scheduler:CreateSchedule" in out.err


def test_a_sam_policy_templates_scope_is_kept_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = SCHEDULER.replace(
        """        - Statement:
            - Effect: Allow
              Action: [scheduler:CreateSchedule, scheduler:GetSchedule]
              Resource: !Sub 'arn:aws:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/default/*'
""",
        """        - DynamoDBCrudPolicy:
            TableName: !Ref Config
""",
    ).replace(
        'scheduler.create_schedule(Name=record["id"], ScheduleExpression="rate(1 hour)")',
        'boto3.resource("dynamodb").Table(record["table"]).put_item(Item={})',
    )
    (tmp_path / "template.yaml").write_text(text)
    assert main(["policy", "Processor", str(tmp_path)]) == 0
    table = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Config}"
    assert json.loads(capsys.readouterr().out)["Statement"][-1] == {
        "Effect": "Allow",
        "Action": ["dynamodb:PutItem"],
        "Resource": [{"Fn::Sub": table}, {"Fn::Sub": f"{table}/index/*"}],
    }


def test_a_file_that_cannot_be_written_is_named(
    orders: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    before = (orders / "serverless.yml").read_text()
    assert main(["fix", "--least-privilege", "--write", str(orders)]) == 1
    assert "serverless.yml: cannot write: Permission denied" in capsys.readouterr().err
    assert (orders / "serverless.yml").read_text() == before
    assert sorted(p.name for p in orders.iterdir() if p.name.startswith(".")) == []


def test_cloudformation_json_template(tmp_path: Path) -> None:
    import yaml

    data = yaml.load(CFN.replace("!GetAtt SharedRole.Arn", "{Fn::GetAtt: [SharedRole, Arn]}")
                     .replace("!Ref Jobs", "{Ref: Jobs}"), Loader=yaml.SafeLoader)  # fmt: skip
    text = json.dumps(data, indent=2) + "\n"
    (tmp_path / "template.json").write_text(text)
    assert main(["fix", "--least-privilege", "--write", "--function", "Sender", str(tmp_path)]) == 0
    written = (tmp_path / "template.json").read_text()
    resources = json.loads(written)["Resources"]
    assert resources["Sender"]["Properties"]["Role"] == {"Fn::GetAtt": ["SenderRole", "Arn"]}
    assert resources["SenderRole"]["Properties"]["Policies"][0]["PolicyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["sqs:SendMessage"],
                "Resource": [{"Fn::GetAtt": ["Jobs", "Arn"]}],
            }
        ],
    }
    assert resources["SharedRole"] == data["Resources"]["SharedRole"]
    assert main(["fix", "--least-privilege", "--write", "--function", "Sender", str(tmp_path)]) == 0
    assert (tmp_path / "template.json").read_text() == written
