"""slsguard.fix.writer: least-privilege statements written into the user's own file."""

from __future__ import annotations

import difflib
import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest
import yaml

from slsguard.fix import CannotFix, PolicyChange, apply_changes

ORDERS = {
    "Effect": "Allow",
    "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
    "Resource": [{"Fn::GetAtt": ["OrdersTable", "Arn"]}],
}
RECEIPTS = {
    "Effect": "Allow",
    "Action": ["s3:PutObject"],
    "Resource": [{"Fn::Sub": "arn:${AWS::Partition}:s3:::${ReceiptsBucket}/*"}],
}
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


class _CfnLoader(yaml.SafeLoader):
    """PyYAML safe loader that reads CloudFormation short tags as long-form intrinsics."""


def _short_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    arg: Any
    if isinstance(node, yaml.ScalarNode):
        arg = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        arg = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        arg = loader.construct_mapping(node, deep=True)
    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    if name == "Fn::GetAtt" and isinstance(arg, str):
        arg = arg.split(".", 1)
    return {name: arg}


_CfnLoader.add_multi_constructor("!", _short_tag)


def load(text: str) -> Any:
    return yaml.load(text, Loader=_CfnLoader)  # a SafeLoader subclass


def diff(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines a line diff removes from `before` and adds in `after`."""
    old, new = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed += old[i1:i2]
            added += new[j1:j2]
    return removed, added


def comments(text: str) -> list[str]:
    return [line[line.index("#") :] for line in text.splitlines() if "#" in line]


def change(
    fid: str, *statements: dict[str, Any], shared: bool = False, managed: tuple[str, ...] = ()
) -> PolicyChange:
    return PolicyChange(fid, tuple(statements), shared, managed)


def apply_twice(text: str, path: str, fmt: str, changes: list[PolicyChange]) -> str:
    out = apply_changes(text, path, fmt, changes)
    assert apply_changes(out, path, fmt, changes) == out, "not idempotent"
    return out


# -- serverless.yml -----------------------------------------------------------------------

SLS = """\
# Orders service
service: orders   # the service name
frameworkVersion: '3'

provider:
  name: aws
  runtime: nodejs20.x
  # shared statements stay for the other functions
  iam:
    role:
      statements:
        - Effect: Allow
          Action: dynamodb:*
          Resource: '*'

functions:
  # creates an order
  create:
    handler: src/create.handler   # entry point
    memorySize: 512
    events:
      - http: POST /orders  # public
  get:
    handler: src/get.handler
    iamRoleStatementsInherit: true
    # old statements, too broad
    iamRoleStatements:
      # everything on the table
      - Effect: Allow
        Action: dynamodb:*
        Resource: '*'   # fixme
    # keep this comment
    events:
      - http: GET /orders/{id}

resources:
  Resources:
    OrdersTable:
      Type: AWS::DynamoDB::Table
"""

SLS_FIXED = """\
# Orders service
service: orders   # the service name
frameworkVersion: '3'

provider:
  name: aws
  runtime: nodejs20.x
  # shared statements stay for the other functions

plugins:
  - serverless-iam-roles-per-function

functions:
  # creates an order
  create:
    handler: src/create.handler   # entry point
    iamRoleStatements:
      - Effect: Allow
        Action:
          - dynamodb:GetItem
          - dynamodb:PutItem
        Resource:
          - Fn::GetAtt: [OrdersTable, Arn]
      - Effect: Allow
        Action:
          - s3:PutObject
        Resource:
          - Fn::Sub: 'arn:${AWS::Partition}:s3:::${ReceiptsBucket}/*'
    memorySize: 512
    events:
      - http: POST /orders  # public
  get:
    handler: src/get.handler
    # old statements, too broad
    iamRoleStatements:
      - Effect: Allow
        Action:
          - dynamodb:GetItem
          - dynamodb:PutItem
        Resource:
          - Fn::GetAtt: [OrdersTable, Arn]
    # keep this comment
    events:
      - http: GET /orders/{id}

resources:
  Resources:
    OrdersTable:
      Type: AWS::DynamoDB::Table
"""

SLS_CHANGES = [change("create", ORDERS, RECEIPTS), change("get", ORDERS)]


def test_serverless_golden() -> None:
    assert apply_twice(SLS, "serverless.yml", "serverless", SLS_CHANGES) == SLS_FIXED


def test_provider_statements_go_once_no_function_uses_them() -> None:
    both = load(apply_changes(SLS, "serverless.yml", "serverless", SLS_CHANGES))
    assert "iam" not in both["provider"]
    # `get` still inherits the provider statements when only `create` is changed
    one = load(apply_changes(SLS, "serverless.yml", "serverless", SLS_CHANGES[:1]))
    assert one["provider"]["iam"]["role"]["statements"][0]["Action"] == "dynamodb:*"


def test_serverless_reload_and_untouched_parts() -> None:
    # `health` keeps using the provider-level role, so its statements stay
    text = SLS.replace("\nresources:", "  health:\n    handler: src/health.handler\n\nresources:")
    out = apply_changes(text, "serverless.yml", "serverless", SLS_CHANGES)
    before, after = load(text), load(out)
    assert after["functions"]["create"]["iamRoleStatements"] == [ORDERS, RECEIPTS]
    assert after["functions"]["get"]["iamRoleStatements"] == [ORDERS]
    assert "iamRoleStatementsInherit" not in after["functions"]["get"]
    assert after["plugins"] == ["serverless-iam-roles-per-function"]
    assert after["provider"] == before["provider"]  # provider-level statements are kept
    assert list(after["functions"]["create"]) == [
        "handler",
        "iamRoleStatements",
        "memorySize",
        "events",
    ]
    removed, _ = diff(text, out)
    assert removed == [
        "    iamRoleStatementsInherit: true",
        "      # everything on the table",
        "        Action: dynamodb:*",
        "        Resource: '*'   # fixme",
    ]
    kept = [c for c in comments(text) if c not in ("# everything on the table", "# fixme")]
    assert comments(out) == kept


def test_serverless_function_with_role_cannot_be_fixed() -> None:
    text = SLS.replace("    memorySize: 512\n", "    role: arn:aws:iam::123456789012:role/orders\n")
    with pytest.raises(
        CannotFix, match=r"^function create uses role: arn:aws:iam::123456789012:role/orders;"
    ):
        apply_changes(text, "serverless.yml", "serverless", SLS_CHANGES)


def test_serverless_function_not_found() -> None:
    with pytest.raises(CannotFix, match="function missing not found"):
        apply_changes(SLS, "serverless.yml", "serverless", [change("missing", ORDERS)])


def test_serverless_no_handler_appends_at_end_of_function_in_file_indentation() -> None:
    text = textwrap.dedent(
        """\
        service: s
        provider:
            name: aws
        plugins:
        - serverless-iam-roles-per-function
        functions:
            img:
                image: app:latest
                events:
                - sqs: arn:aws:sqs:eu-west-1:123456789012:q
            other:
                handler: o.h
        """
    )
    out = apply_twice(text, "serverless.yml", "serverless", [change("img", RECEIPTS)])
    removed, added = diff(text, out)
    assert removed == []
    assert added == [
        "        iamRoleStatements:",
        "        - Effect: Allow",
        "          Action:",
        "          - s3:PutObject",
        "          Resource:",
        '          - Fn::Sub: "arn:${AWS::Partition}:s3:::${ReceiptsBucket}/*"',
    ]
    assert out.index("iamRoleStatements") < out.index("    other:")


def test_serverless_replaces_flow_or_empty_statements_and_moves_the_comment() -> None:
    text = (
        "functions:\n  f:\n    handler: h\n    iamRoleStatements: []  # none yet\n    timeout: 3\n"
    )
    text = "plugins: [serverless-plugin-custom-roles]\n" + text
    out = apply_twice(text, "serverless.yml", "serverless", [change("f", RECEIPTS)])
    assert out == (
        "plugins: [serverless-plugin-custom-roles]\n"
        "functions:\n"
        "  f:\n"
        "    handler: h\n"
        "    iamRoleStatements:  # none yet\n"
        "      - Effect: Allow\n"
        "        Action:\n"
        "          - s3:PutObject\n"
        "        Resource:\n"
        '          - Fn::Sub: "arn:${AWS::Partition}:s3:::${ReceiptsBucket}/*"\n'
        "    timeout: 3\n"
    )


def test_serverless_short_tags_when_the_file_uses_them() -> None:
    text = (
        "service: s\nplugins:\n  - serverless-iam-roles-per-function\n"
        "functions:\n  f:\n    handler: h\n    environment:\n      T: !Ref OrdersTable\n"
    )
    out = apply_twice(text, "serverless.yml", "serverless", [change("f", ORDERS, RECEIPTS)])
    assert "          - !GetAtt OrdersTable.Arn\n" in out
    assert '          - !Sub "arn:${AWS::Partition}:s3:::${ReceiptsBucket}/*"\n' in out
    assert "      T: !Ref OrdersTable\n" in out
    assert load(out)["functions"]["f"]["iamRoleStatements"] == [ORDERS, RECEIPTS]


FUNCTIONS = "functions:\n  f:\n    handler: h\n"


@pytest.mark.parametrize(
    ("head", "plugins"),
    [
        # absent, with provider: a new block right after provider
        (
            "service: s\nprovider:\n  name: aws\n",
            "plugins:\n  - serverless-iam-roles-per-function\n",
        ),
        # a block list without a per-function plugin
        (
            "plugins:\n  - serverless-offline\n",
            "plugins:\n  - serverless-offline\n  - serverless-iam-roles-per-function\n",
        ),
        # a flow list
        ("plugins: [a, b]\n", "plugins: [a, b, serverless-iam-roles-per-function]\n"),
        # the object form
        (
            "plugins:\n  localPath: './plugins'\n  modules:\n    - local-plugin\n",
            "plugins:\n  localPath: './plugins'\n  modules:\n    - local-plugin\n"
            "    - serverless-iam-roles-per-function\n",
        ),
        (
            "plugins: {localPath: x, modules: [a]}\n",
            "plugins: {localPath: x, modules: [a, serverless-iam-roles-per-function]}\n",
        ),
        # empty
        ("plugins:\n", "plugins:\n  - serverless-iam-roles-per-function\n"),
    ],
)
def test_plugin_is_added(head: str, plugins: str) -> None:
    text = head + FUNCTIONS
    out = apply_twice(text, "serverless.yml", "serverless", [change("f", RECEIPTS)])
    assert out.startswith(head.split("plugins:")[0] + plugins + FUNCTIONS)
    reloaded = load(out)["plugins"]
    modules = reloaded["modules"] if isinstance(reloaded, dict) else reloaded
    assert modules[-1] == "serverless-iam-roles-per-function"


def test_plugin_block_is_created_at_the_end_without_provider() -> None:
    out = apply_twice(
        "service: s\n" + FUNCTIONS, "serverless.yml", "serverless", [change("f", RECEIPTS)]
    )
    assert out.endswith("plugins:\n  - serverless-iam-roles-per-function\n")


def test_plugin_block_is_separated_like_the_other_top_level_keys() -> None:
    text = "service: s\n\nprovider:\n  name: aws\n  # stage: dev\n\n" + FUNCTIONS
    out = apply_changes(text, "serverless.yml", "serverless", [change("f", RECEIPTS)])
    assert out.startswith(
        "service: s\n\nprovider:\n  name: aws\n  # stage: dev\n\n"
        "plugins:\n  - serverless-iam-roles-per-function\n\nfunctions:\n"
    )


@pytest.mark.parametrize(
    "plugin",
    [
        "serverless-iam-roles-per-function",
        "'@interlace/serverless-iam-roles-per-function'",
        "serverless-iam-roles-per-function-v4",
        "serverless-plugin-custom-roles",
    ],
)
def test_existing_per_function_plugin_is_kept(plugin: str) -> None:
    head = f"plugins:\n  - serverless-offline\n  - {plugin}\n"
    out = apply_changes(head + FUNCTIONS, "serverless.yml", "serverless", [change("f", RECEIPTS)])
    assert out.startswith(head + FUNCTIONS)
    assert out.count("serverless-iam-roles-per-function\n") == (
        plugin == "serverless-iam-roles-per-function"
    )


# -- SAM (short tags) ------------------------------------------------------------------

SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: Orders API  # SAM

Globals:
  Function:
    Runtime: python3.12

Resources:
  # the API function
  ApiFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler  # entry
      CodeUri: src/
      # broad for now
      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref OrdersTable
        - S3FullAccessPolicy:
            BucketName: !Ref ReceiptsBucket
      Events:
        Api:
          Type: Api
          Properties:
            Path: /orders
            Method: get

  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: worker.handler
      CodeUri: src/
      Role: !GetAtt SharedRole.Arn   # shared with the cron

  BothFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: both.handler
      Role: !GetAtt SharedRole.Arn
      Policies: AWSLambdaExecute
      Timeout: 3

  OrdersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST

Outputs:
  Api:
    Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/"
"""

SAM_FIXED = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: Orders API  # SAM

Globals:
  Function:
    Runtime: python3.12

Resources:
  # the API function
  ApiFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler  # entry
      CodeUri: src/
      # broad for now
      Policies:
        - Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action:
                - dynamodb:GetItem
                - dynamodb:PutItem
              Resource:
                - !GetAtt OrdersTable.Arn
      Events:
        Api:
          Type: Api
          Properties:
            Path: /orders
            Method: get

  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: worker.handler
      CodeUri: src/
      Policies:
        - Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action:
                - dynamodb:GetItem
                - dynamodb:PutItem
              Resource:
                - !GetAtt OrdersTable.Arn
            - Effect: Allow
              Action:
                - s3:PutObject
              Resource:
                - !Sub "arn:${AWS::Partition}:s3:::${ReceiptsBucket}/*"

  BothFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: both.handler
      Policies:
        - Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action:
                - s3:PutObject
              Resource:
                - !Sub "arn:${AWS::Partition}:s3:::${ReceiptsBucket}/*"
      Timeout: 3

  OrdersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST

Outputs:
  Api:
    Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/"
"""

SAM_CHANGES = [
    change("ApiFunction", ORDERS),
    change("WorkerFunction", ORDERS, RECEIPTS, shared=True),
    change("BothFunction", RECEIPTS, shared=True),
]


def test_sam_golden() -> None:
    assert apply_twice(SAM, "template.yaml", "sam", SAM_CHANGES) == SAM_FIXED


def test_sam_reload_and_untouched_parts() -> None:
    out = apply_changes(SAM, "template.yaml", "sam", SAM_CHANGES)
    before, after = load(SAM), load(out)

    def document(*statements: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"Version": "2012-10-17", "Statement": list(statements)}]

    resources = after["Resources"]
    assert resources["ApiFunction"]["Properties"]["Policies"] == document(ORDERS)
    assert resources["WorkerFunction"]["Properties"]["Policies"] == document(ORDERS, RECEIPTS)
    assert resources["BothFunction"]["Properties"]["Policies"] == document(RECEIPTS)
    assert "Role" not in resources["WorkerFunction"]["Properties"]
    assert "Role" not in resources["BothFunction"]["Properties"]
    for key in ("Globals", "Outputs", "Description", "Transform"):
        assert after[key] == before[key]
    assert resources["OrdersTable"] == before["Resources"]["OrdersTable"]
    assert comments(out) == [c for c in comments(SAM) if c != "# shared with the cron"]


def test_sam_function_not_found_or_not_a_function() -> None:
    with pytest.raises(CannotFix, match="function Nope not found under Resources"):
        apply_changes(SAM, "template.yaml", "sam", [change("Nope", ORDERS)])
    with pytest.raises(CannotFix, match=r"OrdersTable .* is AWS::DynamoDB::Table, not a Lambda"):
        apply_changes(SAM, "template.yaml", "sam", [change("OrdersTable", ORDERS)])


# -- CloudFormation (YAML, long form) ---------------------------------------------------

CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: Orders (plain CloudFormation)

Parameters:
  ExistingRoleArn:
    Type: String

Resources:
  # Role of the API function only
  ApiRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
        - Effect: Allow
          Principal:
            Service: lambda.amazonaws.com
          Action: sts:AssumeRole
      ManagedPolicyArns:
      - arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess  # too broad
      Policies:
      - PolicyName: everything
        PolicyDocument:
          Statement:
          - Effect: Allow
            Action: "*"
            Resource: "*"

  ApiFunction:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs20.x
      Role:
        Fn::GetAtt: [ApiRole, Arn]
      Code:
        ZipFile: |
          exports.handler = async () => ({ statusCode: 200 });

  WorkersRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
        - Effect: Allow
          Principal: {Service: lambda.amazonaws.com}
          Action: sts:AssumeRole
      Policies:
      - PolicyName: workers
        PolicyDocument:
          Statement:
          - Effect: Allow
            Action: sqs:*
            Resource: "*"

  WorkerA:
    Type: AWS::Lambda::Function
    Properties:
      Handler: a.handler
      Runtime: python3.12
      Role: {"Fn::GetAtt": ["WorkersRole", "Arn"]}  # shared
      Code: {ZipFile: "def handler(e, c): pass"}

  WorkerB:
    Type: AWS::Lambda::Function
    Properties:
      Handler: b.handler
      Runtime: python3.12
      Role:
        Fn::GetAtt: WorkersRole.Arn
      Code: {ZipFile: "def handler(e, c): pass"}

  External:
    Type: AWS::Lambda::Function
    Properties:
      Handler: e.handler
      Runtime: python3.12
      Role:
        Ref: ExistingRoleArn
      Code: {ZipFile: "def handler(e, c): pass"}

Outputs:
  Api:
    Value:
      Fn::GetAtt: [ApiFunction, Arn]
"""

NEW_WORKER_A_ROLE = """\

  WorkerARole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
        - Effect: Allow
          Principal:
            Service: lambda.amazonaws.com
          Action: sts:AssumeRole
      ManagedPolicyArns:
      - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
      Policies:
      - PolicyName: WorkerA-least-privilege
        PolicyDocument:
          Version: "2012-10-17"
          Statement:
          - Effect: Allow
            Action:
            - s3:PutObject
            Resource:
            - Fn::Sub: "arn:${AWS::Partition}:s3:::${ReceiptsBucket}/*"
"""

CFN_FIXED = CFN.replace(
    """\
      ManagedPolicyArns:
      - arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess  # too broad
      Policies:
      - PolicyName: everything
        PolicyDocument:
          Statement:
          - Effect: Allow
            Action: "*"
            Resource: "*"
""",
    """\
      ManagedPolicyArns:
      - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
      Policies:
      - PolicyName: ApiFunction-least-privilege
        PolicyDocument:
          Version: "2012-10-17"
          Statement:
          - Effect: Allow
            Action:
            - dynamodb:GetItem
            - dynamodb:PutItem
            Resource:
            - Fn::GetAtt: [OrdersTable, Arn]
""",
).replace(
    """      Role: {"Fn::GetAtt": ["WorkersRole", "Arn"]}  # shared
      Code: {ZipFile: "def handler(e, c): pass"}
""",
    """      Role: {Fn::GetAtt: [WorkerARole, Arn]}  # shared
      Code: {ZipFile: "def handler(e, c): pass"}
"""
    + NEW_WORKER_A_ROLE,
)

CFN_CHANGES = [
    change("ApiFunction", ORDERS, managed=(BASIC,)),
    change("WorkerA", RECEIPTS, shared=True, managed=(BASIC,)),
]


def test_cloudformation_golden() -> None:
    assert CFN_FIXED != CFN
    assert apply_twice(CFN, "template.yaml", "cloudformation", CFN_CHANGES) == CFN_FIXED


def test_cloudformation_reload_and_untouched_parts() -> None:
    out = apply_changes(CFN, "template.yaml", "cloudformation", CFN_CHANGES)
    before, after = load(CFN), load(out)
    resources = after["Resources"]
    api_role = resources["ApiRole"]["Properties"]
    assert api_role["ManagedPolicyArns"] == [BASIC]
    assert api_role["Policies"] == [
        {
            "PolicyName": "ApiFunction-least-privilege",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [ORDERS]},
        }
    ]
    assert (
        api_role["AssumeRolePolicyDocument"]
        == before["Resources"]["ApiRole"]["Properties"]["AssumeRolePolicyDocument"]
    )
    # the shared role is left to the other function; WorkerA gets its own
    assert resources["WorkersRole"] == before["Resources"]["WorkersRole"]
    assert resources["WorkerA"]["Properties"]["Role"] == {"Fn::GetAtt": ["WorkerARole", "Arn"]}
    assert list(resources).index("WorkerARole") == list(resources).index("WorkerA") + 1
    new_role = resources["WorkerARole"]
    assert new_role["Type"] == "AWS::IAM::Role"
    assert new_role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"] == [RECEIPTS]
    for rid in ("WorkerB", "External", "ApiFunction"):
        assert resources[rid] == before["Resources"][rid]
    assert comments(out) == [c for c in comments(CFN) if c != "# too broad"]


def test_cloudformation_role_used_by_two_functions_is_treated_as_shared() -> None:
    # WorkerB's caller said "not shared", but WorkerA uses the same role in the template.
    out = apply_twice(CFN, "template.yaml", "cloudformation", [change("WorkerB", RECEIPTS)])
    after = load(out)["Resources"]
    assert after["WorkerB"]["Properties"]["Role"] == {"Fn::GetAtt": ["WorkerBRole", "Arn"]}
    assert "ManagedPolicyArns" not in after["WorkerBRole"]["Properties"]
    assert after["WorkersRole"] == load(CFN)["Resources"]["WorkersRole"]
    removed, _ = diff(CFN, out)
    assert removed == ["        Fn::GetAtt: WorkersRole.Arn"]


def test_cloudformation_no_managed_policies_removes_the_key() -> None:
    out = apply_twice(CFN, "template.yaml", "cloudformation", [change("ApiFunction", ORDERS)])
    assert "ManagedPolicyArns" not in load(out)["Resources"]["ApiRole"]["Properties"]
    removed, _ = diff(CFN, out)
    assert "      ManagedPolicyArns:" in removed
    assert "  ApiRole:" not in removed


def test_a_function_that_needs_nothing_gets_no_empty_policy() -> None:
    """An IAM policy must hold a statement: no statements means no inline policy at all."""
    cfn = load(apply_twice(CFN, "template.yaml", "cloudformation", [change("ApiFunction")]))
    assert "Policies" not in cfn["Resources"]["ApiRole"]["Properties"]
    sam = load(apply_twice(SAM, "template.yaml", "sam", [change("ApiFunction")]))
    assert sam["Resources"]["ApiFunction"]["Properties"]["Policies"] == []
    bare = SAM.replace("      # broad for now\n", "")
    bare = bare[: bare.index("      Policies:")] + bare[bare.index("      Events:") :]
    assert apply_changes(bare, "template.yaml", "sam", [change("ApiFunction")]) == bare


def test_cloudformation_short_tags_and_new_role() -> None:
    text = textwrap.dedent(
        """\
        Resources:
          Shared:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {}
          A:
            Type: AWS::Lambda::Function
            Properties:
              Role: !GetAtt Shared.Arn
          B:
            Type: AWS::Lambda::Function
            Properties:
              Role: !GetAtt [Shared, Arn]
        """
    )
    out = apply_twice(text, "t.yaml", "cloudformation", [change("A", ORDERS, shared=True)])
    removed, added = diff(text, out)
    assert removed == ["      Role: !GetAtt Shared.Arn"]
    assert added[0] == "      Role: !GetAtt ARole.Arn"
    assert "                  - !GetAtt OrdersTable.Arn" in added
    assert "      Role: !GetAtt [Shared, Arn]" in out


@pytest.mark.parametrize(
    ("role", "reason"),
    [
        (
            "arn:aws:iam::123456789012:role/orders",
            "uses an existing role given by ARN; edit that role instead",
        ),
        ("!Ref RoleArn", "uses a role given by parameter RoleArn"),
        ("!ImportValue shared-role", "uses a role imported from another stack"),
        ("!GetAtt Topic.Arn", "uses Topic, which is not an AWS::IAM::Role"),
    ],
)
def test_cloudformation_role_not_in_template(role: str, reason: str) -> None:
    text = (
        "Parameters:\n  RoleArn:\n    Type: String\n"
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
        f"  Api:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: {role}\n"
    )
    with pytest.raises(CannotFix, match=f"^function Api {reason}"):
        apply_changes(text, "t.yaml", "cloudformation", [change("Api", ORDERS)])


def test_cloudformation_separate_policy_attached_to_the_role() -> None:
    text = CFN.replace(
        "\n  ApiFunction:\n",
        "\n  ApiExtra:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: extra\n"
        "      Roles: [!Ref ApiRole]\n      PolicyDocument: {}\n\n  ApiFunction:\n",
    )
    with pytest.raises(
        CannotFix,
        match=r"^function ApiFunction: role ApiRole also gets permissions from "
        r"ApiExtra \(AWS::IAM::Policy\)",
    ):
        apply_changes(text, "template.yaml", "cloudformation", [change("ApiFunction", ORDERS)])


def test_cloudformation_new_role_name_taken() -> None:
    text = CFN.replace(
        "  External:\n", "  WorkerARole:\n    Type: AWS::SNS::Topic\n\n  External:\n"
    )
    with pytest.raises(CannotFix, match="a resource WorkerARole already exists"):
        apply_changes(
            text, "template.yaml", "cloudformation", [change("WorkerA", ORDERS, shared=True)]
        )


# -- CloudFormation (JSON) ------------------------------------------------------------------

CFN_JSON_DATA: dict[str, Any] = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "ApiRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
                "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"],
            },
        },
        "Api": {
            "Type": "AWS::Lambda::Function",
            "Properties": {"Handler": "index.handler", "Role": {"Fn::GetAtt": ["ApiRole", "Arn"]}},
        },
        "Shared": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
        "Worker": {
            "Type": "AWS::Lambda::Function",
            "Properties": {"Role": {"Fn::GetAtt": "Shared.Arn"}, "Handler": "w.h"},
        },
        "Queue": {"Type": "AWS::SQS::Queue"},
    },
}

CFN_JSON_FIXED = """\
{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "ApiRole": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "AssumeRolePolicyDocument": {
          "Version": "2012-10-17",
          "Statement": []
        },
        "Policies": [
          {
            "PolicyName": "Api-least-privilege",
            "PolicyDocument": {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Effect": "Allow",
                  "Action": [
                    "dynamodb:GetItem",
                    "dynamodb:PutItem"
                  ],
                  "Resource": [
                    {
                      "Fn::GetAtt": [
                        "OrdersTable",
                        "Arn"
                      ]
                    }
                  ]
                }
              ]
            }
          }
        ]
      }
    },
    "Api": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Handler": "index.handler",
        "Role": {
          "Fn::GetAtt": [
            "ApiRole",
            "Arn"
          ]
        }
      }
    },
    "Shared": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "AssumeRolePolicyDocument": {}
      }
    },
    "Worker": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Role": {
          "Fn::GetAtt": [
            "WorkerRole",
            "Arn"
          ]
        },
        "Handler": "w.h"
      }
    },
    "WorkerRole": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "AssumeRolePolicyDocument": {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Effect": "Allow",
              "Principal": {
                "Service": "lambda.amazonaws.com"
              },
              "Action": "sts:AssumeRole"
            }
          ]
        },
        "ManagedPolicyArns": [
          "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
        ],
        "Policies": [
          {
            "PolicyName": "Worker-least-privilege",
            "PolicyDocument": {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Effect": "Allow",
                  "Action": [
                    "s3:PutObject"
                  ],
                  "Resource": [
                    {
                      "Fn::Sub": "arn:${AWS::Partition}:s3:::${ReceiptsBucket}/*"
                    }
                  ]
                }
              ]
            }
          }
        ]
      }
    },
    "Queue": {
      "Type": "AWS::SQS::Queue"
    }
  }
}
"""

JSON_CHANGES = [change("Api", ORDERS), change("Worker", RECEIPTS, shared=True, managed=(BASIC,))]


def test_json_golden() -> None:
    text = json.dumps(CFN_JSON_DATA, indent=2) + "\n"
    assert apply_twice(text, "template.json", "cloudformation", JSON_CHANGES) == CFN_JSON_FIXED


@pytest.mark.parametrize("indent", [1, 2, 4, "\t", None])
def test_json_is_what_json_dumps_gives_in_the_file_indentation(indent: int | str | None) -> None:
    text = json.dumps(CFN_JSON_DATA, indent=indent)
    out = apply_twice(text, "template.json", "cloudformation", JSON_CHANGES)
    expected = json.loads(CFN_JSON_FIXED)
    expected["Resources"]["Worker"]["Properties"]["Role"] = {"Fn::GetAtt": ["WorkerRole", "Arn"]}
    assert out == json.dumps(expected, indent=indent)
    assert list(json.loads(out)["Resources"]) == [
        "ApiRole",
        "Api",
        "Shared",
        "Worker",
        "WorkerRole",
        "Queue",
    ]


def test_json_hand_formatted_keeps_its_lines() -> None:
    text = textwrap.dedent(
        """\
        {
          "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"Policies": []}},
            "Fn": {
              "Type": "AWS::Lambda::Function",
              "Properties": {"Handler": "i.h", "Role": {"Fn::GetAtt": ["Role", "Arn"]}}
            },
            "Other": {"Type": "AWS::Lambda::Function",
                      "Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]}}}
          }
        }
        """
    )
    out = apply_twice(
        text, "cdk.template.json", "cloudformation", [change("Fn", RECEIPTS, shared=True)]
    )
    removed, added = diff(text, out)
    assert removed == [
        '      "Properties": {"Handler": "i.h", "Role": {"Fn::GetAtt": ["Role", "Arn"]}}',
    ]
    assert (
        added[0]
        == '      "Properties": {"Handler": "i.h", "Role": {"Fn::GetAtt": ["FnRole", "Arn"]}}'
    )
    assert added[1:3] == ["    },", '    "FnRole": {']
    assert json.loads(out)["Resources"]["FnRole"]["Properties"]["Policies"][0]["PolicyDocument"][
        "Statement"
    ] == [RECEIPTS]


def test_json_separate_policy_and_arn_role() -> None:
    data = json.loads(json.dumps(CFN_JSON_DATA))
    data["Resources"]["Extra"] = {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {"Roles": [{"Ref": "ApiRole"}], "PolicyDocument": {}},
    }
    with pytest.raises(CannotFix, match="ApiRole also gets permissions from Extra"):
        apply_changes(
            json.dumps(data, indent=2), "t.json", "cloudformation", [change("Api", ORDERS)]
        )
    data["Resources"]["Api"]["Properties"]["Role"] = "arn:aws:iam::123456789012:role/api"
    with pytest.raises(CannotFix, match=r"^function Api uses an existing role given by ARN"):
        apply_changes(
            json.dumps(data, indent=2), "t.json", "cloudformation", [change("Api", ORDERS)]
        )


# -- style, safety, API ----------------------------------------------------------------------


def test_crlf_headers_and_missing_final_newline() -> None:
    text = "%YAML 1.2\n---\r\n# head\r\nfunctions:\r\n  f:\r\n    handler: h  # c\r\n    timeout: 3"
    out = apply_twice(text, "serverless.yml", "serverless", [change("f", RECEIPTS)])
    assert out.startswith(
        "%YAML 1.2\n---\r\n# head\r\nfunctions:\r\n  f:\r\n    handler: h  # c\r\n"
        "    iamRoleStatements:\r\n"
    )
    assert "    timeout: 3\r\nplugins:\r\n  - serverless-iam-roles-per-function\r\n" in out
    assert "\n" not in out.replace("\r\n", "").replace("%YAML 1.2\n", "")


def test_quotes_follow_the_file_and_yaml11_words_are_quoted() -> None:
    statement = {
        "Effect": "Allow",
        "Action": ["sns:Publish"],
        "Resource": ["*"],
        "Condition": {"Bool": {"aws:SecureTransport": "true", "x": "on"}},
    }
    single = apply_changes(
        "a: 'x'\n" + FUNCTIONS, "serverless.yml", "serverless", [change("f", statement)]
    )
    double = apply_changes(
        'a: "x"\n' + FUNCTIONS, "serverless.yml", "serverless", [change("f", statement)]
    )
    assert (
        "          - '*'\n" in single
        and "aws:SecureTransport: 'true'" in single
        and "x: 'on'" in single
    )
    assert '          - "*"\n' in double and 'aws:SecureTransport: "true"' in double
    expected = {**statement, "Condition": {"Bool": {"aws:SecureTransport": "true", "x": "on"}}}
    assert load(single)["functions"]["f"]["iamRoleStatements"] == [expected]


def test_statement_keys_are_ordered_and_action_resource_are_lists() -> None:
    statement = {
        "Sid": "Read",
        "Resource": {"Ref": "Topic"},
        "Action": "sns:Publish",
        "Effect": "Allow",
    }
    out = apply_changes(FUNCTIONS, "serverless.yml", "serverless", [change("f", statement)])
    assert (
        "      - Effect: Allow\n        Action:\n          - sns:Publish\n"
        "        Resource:\n          - Ref: Topic\n        Sid: Read\n" in out
    )
    assert statement == {
        "Sid": "Read",
        "Resource": {"Ref": "Topic"},
        "Action": "sns:Publish",
        "Effect": "Allow",
    }


def test_nothing_to_change_returns_the_same_text() -> None:
    assert apply_changes(SLS, "serverless.yml", "serverless", []) is SLS
    assert apply_changes(SLS_FIXED, "serverless.yml", "serverless", SLS_CHANGES) is SLS_FIXED
    with pytest.raises(ValueError, match="unknown format"):
        apply_changes(SLS, "serverless.yml", "terraform", SLS_CHANGES)


def test_unsafe_edit_is_refused_not_written() -> None:
    # The replaced list carries an anchor another function aliases: no blind edit.
    text = textwrap.dedent(
        """\
        plugins: [serverless-iam-roles-per-function]
        functions:
          f:
            handler: h
            iamRoleStatements: &shared
              - Effect: Allow
                Action: s3:*
                Resource: '*'
          g:
            handler: g
            iamRoleStatements: *shared
        """
    )
    with pytest.raises(CannotFix, match="cannot be made safely"):
        apply_changes(text, "serverless.yml", "serverless", [change("f", RECEIPTS)])


def test_invalid_files() -> None:
    with pytest.raises(CannotFix, match="is not valid YAML"):
        apply_changes("a: [\n", "serverless.yml", "serverless", SLS_CHANGES)
    with pytest.raises(CannotFix, match="is not valid JSON"):
        apply_changes("{", "template.json", "cloudformation", SLS_CHANGES)
    with pytest.raises(CannotFix, match="JavaScript/TypeScript"):
        apply_changes("export default {}", "serverless.ts", "serverless", SLS_CHANGES)
    with pytest.raises(CannotFix, match="is given twice"):
        apply_changes(SLS, "serverless.yml", "serverless", [*SLS_CHANGES, SLS_CHANGES[0]])


def test_ruamel_is_imported_only_when_a_yaml_file_is_edited() -> None:
    script = textwrap.dedent(
        """\
        import sys
        import slsguard.fix.writer as writer
        assert not any(m.startswith("ruamel") for m in sys.modules), "imported early"
        statement = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}
        change = writer.PolicyChange("f", (statement,), False)
        template = (
            '{"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {}},'
            ' "f": {"Type": "AWS::Lambda::Function",'
            ' "Properties": {"Role": {"Fn::GetAtt": ["R", "Arn"]}}}}}'
        )
        assert "Policies" in writer.apply_changes(template, "t.json", "cloudformation", [change])
        assert not any(m.startswith("ruamel") for m in sys.modules), "imported for JSON"
        sls = "functions:\\n  f:\\n    handler: h\\n"
        writer.apply_changes(sls, "s.yml", "serverless", [change])
        assert "ruamel.yaml" in sys.modules
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_serverless_functions_from_another_file_are_named() -> None:
    text = "service: s\nprovider:\n  name: aws\nfunctions: ${file(./functions.yml)}\n"
    with pytest.raises(CannotFix, match=r"functions: \$\{file\(\./functions\.yml\)\}"):
        apply_changes(text, "serverless.yml", "serverless", [change("hello")])
