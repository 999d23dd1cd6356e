"""Fake credentials are assembled from pieces so that no real-looking secret is committed."""

from __future__ import annotations

import base64
import json

import pytest

from slsguard.model.values import GetAtt, Ref, Unresolved
from slsguard.secrets import classify, looks_secret_name

MIXED10 = "aB3dE5fG7h"  # mixed-case alphanumeric filler


def _b64url(data: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


AWS_KEY_ID = "AKIA" + "Q7ZT3W9R" * 2
AWS_SECRET = MIXED10 * 3 + "/+" + MIXED10[:8]
JWT = ".".join((_b64url({"alg": "HS256"}), _b64url({"sub": "1234567890"}), MIXED10 * 3))
PEM = "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"

KNOWN_FORMATS = [
    ("aws-access-key-id", AWS_KEY_ID),
    ("aws-access-key-id", "ASIA" + "0123456789ABCDEF"),
    ("private-key", PEM),
    ("private-key", "-----BEGIN " + "OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk="),
    ("github-token", "ghp_" + MIXED10 * 3 + "iJ9kLm"),
    ("github-token", "ghs_" + MIXED10 * 3 + "iJ9kLm"),
    ("github-token", "github_pat_" + "11ABCDEFG0" + MIXED10 * 4),
    ("slack-token", "xoxb-" + "1234567890-1234567890-" + MIXED10 * 2),
    ("slack-webhook", "https://hooks.slack.com/services/T0123ABCD/B0123ABCD/" + MIXED10 * 2),
    ("stripe-key", "sk_" + "live_" + MIXED10 * 2),
    ("stripe-key", "rk_" + "live_" + MIXED10 * 2),
    ("google-api-key", "AIza" + MIXED10 * 3 + "iJ9kL"),
    ("twilio-api-key", "SK" + "0123456789abcdef" * 2),
    ("sendgrid-key", "SG." + MIXED10 * 2 + "xY" + "." + MIXED10 * 4 + "zW9"),
    ("jwt", JWT),
    ("npm-token", "npm_" + MIXED10 * 3 + "iJ9kLm"),
    ("openai-key", "sk-" + MIXED10 * 2 + "T3BlbkFJ" + MIXED10 * 2),
    ("openai-key", "sk-proj-" + MIXED10 * 3 + "T3BlbkFJ" + MIXED10 * 3),
    ("anthropic-key", "sk-ant-api03-" + MIXED10 * 9),
    ("password-in-url", "postgres://app:" + "Qz8" + "vR2kLm@db.internal:5432/app"),
]


@pytest.mark.parametrize(("kind", "value"), KNOWN_FORMATS)
def test_known_format_is_high_whatever_the_name(kind: str, value: str) -> None:
    assert _summary("VALUE", value) == (kind, "high")


@pytest.mark.parametrize(("kind", "value"), KNOWN_FORMATS)
def test_known_format_inside_a_longer_value(kind: str, value: str) -> None:
    assert _summary("HEADER", f"prefix {value} suffix") == (kind, "high")


@pytest.mark.parametrize(("kind", "value"), [*KNOWN_FORMATS, ("secret-name", "hunter2-horse")])
def test_reason_never_contains_the_value(kind: str, value: str) -> None:
    match = classify("DB_PASSWORD", value)
    assert match is not None
    assert match.kind == kind
    assert value not in match.reason
    assert "\n" not in match.reason


def _summary(name: str, value: object) -> tuple[str, str] | None:
    match = classify(name, value)
    return None if match is None else (match.kind, match.confidence)


@pytest.mark.parametrize(
    "value",
    [
        "AKIA" + "IOSFODNN7" + "EXAMPLE",
        "ghp_" + "x" * 36,
        "xoxb-" + "1234567890-" + "EXAMPLEtoken1234",
    ],
)
def test_documentation_example_key_is_low(value: str) -> None:
    match = classify("ANY", value)
    assert match is not None
    assert match.confidence == "low"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("AWS_SECRET_ACCESS_KEY", AWS_SECRET, ("aws-secret-access-key", "high")),
        ("awsSecret", AWS_SECRET, ("aws-secret-access-key", "high")),
        ("SECRET_KEY", AWS_SECRET, ("aws-secret-access-key", "high")),
        # Not an AWS name: the name rule still reports it.
        ("CLIENT_SECRET", AWS_SECRET, ("secret-name", "medium")),
        ("VERSION", AWS_SECRET, None),
        # The AWS documentation example.
        (
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY",
            ("aws-secret-access-key", "low"),
        ),
        ("AWS_COMMIT_SHA", "0123456789abcdef" * 2 + "01234567", None),
    ],
)
def test_aws_secret_key_needs_an_aws_or_secret_key_name(
    name: str, value: str, expected: tuple[str, str] | None
) -> None:
    assert _summary(name, value) == expected


SECRET_NAMES = [
    "DB_PASSWORD",
    "STRIPE_API_KEY",
    "EMAIL_SERVICE_API_KEY",
    "TWILIO_AUTH_TOKEN",
    "jwtSecret",
    "clientSecret",
    "AWS_ACCESS_KEY_ID",
    "SECRET",
    "DBPassword",
    "x-api-key",
    "apiKey",
    "ENCRYPTION_KEY",
    "PRIVATE_KEY",
    "GITHUB_WEBHOOK_SECRET",
    "SMTP_CREDENTIALS",
    "GPG_PASSPHRASE",
    "DB_PASSWORD_PROD",
    "API_KEY_V2",
    "db.password",
]
NOT_SECRET_NAMES = [
    "TOKEN_TABLE",
    "SECRET_ARN",
    "GITHUB_WEBHOOK_SECRET_ARN",
    "PASSWORD_PARAMETER_NAME",
    "JWT_SECRET_NAME",
    "DB_SECRET_ID",
    "KMS_KEY_ID",
    "API_KEY_HEADER",
    "TOKEN_TTL",
    "TOKEN_EXPIRY",
    "PASSWORD_MIN_LENGTH",
    "AUTH_URL",
    "SECRETS_BUCKET",
    "TOKEN_QUEUE",
    "PARTITION_KEY",
    "PUBLIC_KEY",
    "KEY",
    "STAGE",
    "GIT_SHA",
    "VERSION",
]


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_secret_names(name: str) -> None:
    assert looks_secret_name(name)
    assert _summary(name, "hunter2-horse") == ("secret-name", "medium")


@pytest.mark.parametrize("name", NOT_SECRET_NAMES)
def test_names_that_point_at_a_secret_or_are_ordinary(name: str) -> None:
    assert not looks_secret_name(name)
    assert classify(name, "hunter2-horse") is None


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        123456,
        1.5,
        {"Ref": "DbPassword"},
        {"Fn::Sub": "{{resolve:secretsmanager:${Secret}:SecretString:password}}"},
        {"Fn::GetAtt": ["Secret", "Arn"]},
        Unresolved("ssm", "/app/db-password"),
        Ref("DbSecret"),
        GetAtt("DbSecret", "Arn"),
    ],
)
def test_non_string_values_are_never_plaintext(value: object) -> None:
    assert classify("DB_PASSWORD", value) is None


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "true",
        "false",
        "0",
        "3600",
        "abc",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
        "arn:aws:ssm:us-east-1:123456789012:parameter/app/db",
        "https://vault.internal/v1/secret/db",
        "/app/prod/db-password",
        "./keys/signing.pem",
        "{{resolve:secretsmanager:db:SecretString:password}}",
        "{{resolve:ssm-secure:/app/db:1}}",
        "${ssm:/x}",
        "${ssm:/aws/reference/secretsmanager/db~true}",
        "${env:DB_PASSWORD}",
        "pre-${self:custom.stage}-fix",
        "ssm:/app/db-password",
        "prod/app/secretsmanager-db",
        "$DB_PASSWORD",
        "!Ref DbPassword",
        "postgres://app:${ssm:/db-password}@db.internal/app",
        "AQICAHh" + "0123456789abcdefABCDEF+/" * 3,  # KMS ciphertext blob
    ],
)
def test_secret_name_with_a_reference_or_non_secret_value(value: str) -> None:
    assert classify("DB_PASSWORD", value) is None


@pytest.mark.parametrize(
    "value",
    [
        "changeme",
        "<PASSWORD_UPDATE_ME>",
        "xxx",
        "YOUR_API_KEY",
        "REPLACE_ME",
        "KEYEXAMPLE1234",
        "password",
        "********",
        "DB_PASSWORD",
        "xoxb-your-token",
    ],
)
def test_placeholders_are_low(value: str) -> None:
    assert _summary("DB_PASSWORD", value) == ("secret-name", "low")


def test_placeholder_under_ordinary_name_is_ignored() -> None:
    assert classify("DB_HOST", "changeme") is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GIT_SHA", "0123456789abcdef" * 2 + "01234567"),
        ("VERSION", MIXED10 * 4),
        ("BUILD_ID", "Zk3Lq9Vx2Rt7Wb4Np8Jc6Ym1Hs5Dg0Fa"),
        ("BUCKET", "my-bucket-" + MIXED10 * 4),
        ("SERVICE_NAME", "sk-my-service-production-bucket-name"),
        ("STRIPE_PUBLISHABLE_KEY", "pk_" + "live_" + MIXED10 * 2),
        ("API_URL", "https://api.example.com/v1?region=eu"),
        ("API_URL", "https://user@example.com:8443/path"),
        ("DB_URL", "postgres://app:${env:DB_PASS}@db.internal/app"),
        ("ROLE", "arn:aws:iam::123456789012:role/app"),
    ],
)
def test_ordinary_values_under_ordinary_names(name: str, value: str) -> None:
    assert classify(name, value) is None


@pytest.mark.parametrize(
    "value",
    [
        "postgres://app:changeme@db.internal/app",
        "postgres://app:" + "Qz8vR2kLm" + "@localhost:5432/app",
        "redis://:" + "Qz8vR2kLm" + "@127.0.0.1:6379",
    ],
)
def test_placeholder_or_local_password_in_url_is_low(value: str) -> None:
    assert _summary("DATABASE_URL", value) == ("password-in-url", "low")
