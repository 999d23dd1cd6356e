from __future__ import annotations

from slsguard.iam.sam_templates import expand_template, template_names

S3_CRUD_ACTIONS = [
    "s3:GetObject",
    "s3:ListBucket",
    "s3:GetBucketLocation",
    "s3:GetObjectVersion",
    "s3:PutObject",
    "s3:PutObjectAcl",
    "s3:GetLifecycleConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:DeleteObject",
]


def test_template_names_come_from_the_shipped_data() -> None:
    names = template_names()
    assert len(names) >= 60
    assert {"S3CrudPolicy", "DynamoDBCrudPolicy", "VPCAccessPolicy"} <= names


def test_s3_crud_policy_with_a_ref_parameter() -> None:
    statements = expand_template("S3CrudPolicy", {"BucketName": {"Ref": "B"}})
    assert statements == [
        {
            "Effect": "Allow",
            "Action": S3_CRUD_ACTIONS,
            "Resource": [
                {
                    "Fn::Sub": [
                        "arn:${AWS::Partition}:s3:::${bucketName}",
                        {"bucketName": {"Ref": "B"}},
                    ]
                },
                {
                    "Fn::Sub": [
                        "arn:${AWS::Partition}:s3:::${bucketName}/*",
                        {"bucketName": {"Ref": "B"}},
                    ]
                },
            ],
        }
    ]


def test_string_parameter_value_replaces_the_ref() -> None:
    statements = expand_template(
        "AWSSecretsManagerGetSecretValuePolicy", {"SecretArn": "arn:aws:secretsmanager:x"}
    )
    assert statements == [
        {
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": {"Fn::Sub": ["${secretArn}", {"secretArn": "arn:aws:secretsmanager:x"}]},
        }
    ]


def test_template_without_parameters() -> None:
    statements = expand_template("VPCAccessPolicy", {})
    assert statements == [
        {
            "Effect": "Allow",
            "Action": [
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DetachNetworkInterface",
            ],
            "Resource": "*",
        }
    ]


def test_missing_parameter_keeps_the_ref() -> None:
    statements = expand_template("S3ReadPolicy", {})
    assert statements is not None
    assert '{"Ref": "BucketName"}' in repr(statements).replace("'", '"')


def test_undeclared_parameter_is_ignored() -> None:
    statements = expand_template("VPCAccessPolicy", {"AWS::Region": "x", "Other": 1})
    assert statements == expand_template("VPCAccessPolicy", {})


def test_unknown_template() -> None:
    assert expand_template("NoSuchPolicy", {}) is None


def test_expansions_are_independent_copies() -> None:
    value = {"Ref": "B"}
    first = expand_template("S3CrudPolicy", {"BucketName": value})
    assert first is not None
    first[0]["Action"].clear()
    first[0]["Resource"][0]["Fn::Sub"][1]["bucketName"]["Ref"] = "Changed"
    assert value == {"Ref": "B"}
    second = expand_template("S3CrudPolicy", {"BucketName": {"Ref": "B"}})
    assert second is not None
    assert second[0]["Action"] == S3_CRUD_ACTIONS
