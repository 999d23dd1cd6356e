from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Resource
from slsguard.model.source import DocPath
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas07_secrets.common import secret_parameter, severity_of
from slsguard.secrets import classify

# Properties that hold a credential, by resource type: (path, name the value is judged
# under). "*" walks every item of a list. Function environments are SLS0701's.
SECRET_PROPERTIES: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "AWS::Events::Connection": (
        (("AuthParameters", "BasicAuthParameters", "Password"), "PASSWORD"),
        (("AuthParameters", "ApiKeyAuthParameters", "ApiKeyValue"), "API_KEY"),
        (
            ("AuthParameters", "OAuthParameters", "ClientParameters", "ClientSecret"),
            "CLIENT_SECRET",
        ),
    ),
    "AWS::RDS::DBInstance": ((("MasterUserPassword",), "MASTER_PASSWORD"),),
    "AWS::RDS::DBCluster": ((("MasterUserPassword",), "MASTER_PASSWORD"),),
    "AWS::DocDB::DBCluster": ((("MasterUserPassword",), "MASTER_PASSWORD"),),
    "AWS::Redshift::Cluster": ((("MasterUserPassword",), "MASTER_PASSWORD"),),
    "AWS::RedshiftServerless::Namespace": ((("AdminUserPassword",), "ADMIN_PASSWORD"),),
    "AWS::ElastiCache::ReplicationGroup": ((("AuthToken",), "AUTH_TOKEN"),),
    "AWS::ElastiCache::User": ((("Passwords", "*"), "PASSWORD"),),
    "AWS::MemoryDB::User": ((("AuthenticationMode", "Passwords", "*"), "PASSWORD"),),
    "AWS::DMS::Endpoint": ((("Password",), "PASSWORD"),),
    "AWS::AmazonMQ::Broker": ((("Users", "*", "Password"), "PASSWORD"),),
    "AWS::OpenSearchService::Domain": (
        (("AdvancedSecurityOptions", "MasterUserOptions", "MasterUserPassword"), "PASSWORD"),
    ),
    "AWS::Elasticsearch::Domain": (
        (("AdvancedSecurityOptions", "MasterUserOptions", "MasterUserPassword"), "PASSWORD"),
    ),
    "AWS::DirectoryService::MicrosoftAD": ((("Password",), "PASSWORD"),),
    "AWS::DirectoryService::SimpleAD": ((("Password",), "PASSWORD"),),
    "AWS::IAM::User": ((("LoginProfile", "Password"), "PASSWORD"),),
    "AWS::SecretsManager::Secret": ((("SecretString",), "SECRET"),),
    "AWS::Amplify::App": (
        (("AccessToken",), "ACCESS_TOKEN"),
        (("OauthToken",), "OAUTH_TOKEN"),
        (("BasicAuthConfig", "Password"), "PASSWORD"),
    ),
    "AWS::Amplify::Branch": ((("BasicAuthConfig", "Password"), "PASSWORD"),),
    "AWS::CodePipeline::Webhook": (
        (("AuthenticationConfiguration", "SecretToken"), "SECRET_TOKEN"),
    ),
    "AWS::Cognito::UserPoolIdentityProvider": (
        (("ProviderDetails", "client_secret"), "CLIENT_SECRET"),
    ),
    "AWS::Glue::Connection": (
        (("ConnectionInput", "ConnectionProperties", "PASSWORD"), "PASSWORD"),
    ),
    "AWS::ApiGateway::ApiKey": ((("Value",), "API_KEY"),),
}
# Lists of {Name|Key, Value} pairs (container, build and MicroVM environments), judged like
# function environment variables, in any resource type but functions.
_PAIR_LISTS = frozenset({"Environment", "EnvironmentVariables", "RuntimeEnvironmentVariables"})
_FUNCTIONS = frozenset({"AWS::Lambda::Function", "AWS::Serverless::Function"})


@rule(
    id="SLS0708",
    name="plaintext-secret-in-resource",
    category=Category.SAS_7,
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    title="Plaintext secret in a resource property (passwords, tokens, client secrets)",
    rationale=(
        "A password or token written in the template is in the repository, in every "
        "deployment artifact and in the stack's template in CloudFormation, readable by "
        "everyone who can read any of them, and it is never rotated."
    ),
    fix=(
        "Use a dynamic reference to a Secrets Manager secret, e.g. `MasterUserPassword: "
        "'{{resolve:secretsmanager:db-secret:SecretString:password}}'` or "
        "`ManageMasterUserPassword: true` for RDS, let `GenerateSecretString` create secret "
        "values, or pass a NoEcho parameter without default (serverless.yml "
        "`resources.Resources`, SAM and CloudFormation `Resources`). Rotate the exposed value."
    ),
    fixes=(
        (
            "serverless",
            "Replace the literal in `resources.Resources` with a dynamic reference, e.g. "
            "`MasterUserPassword: '{{resolve:secretsmanager:db-secret:SecretString:password}}'` "
            "(or `ManageMasterUserPassword: true` for RDS), not `${ssm:...}`, which is resolved "
            "into the template. Rotate the exposed value.",
        ),
        (
            "sam",
            "Replace the literal with a dynamic reference to a secret, e.g. `MasterUserPassword: "
            "!Sub '{{resolve:secretsmanager:${DbSecret}:SecretString:password}}'` with an "
            "AWS::SecretsManager::Secret using `GenerateSecretString` (or "
            "`ManageMasterUserPassword: true` for RDS). Rotate the exposed value.",
        ),
        (
            "cloudformation",
            "Replace the literal with a dynamic reference, e.g. `MasterUserPassword: "
            "'{{resolve:secretsmanager:db-secret:SecretString:password}}'` (or "
            "`ManageMasterUserPassword: true` for RDS), or a `!Ref` to a NoEcho parameter without "
            "`Default`. Rotate the exposed value.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/security-best-practices.html#creds",
    ),
)
def plaintext_resource_secret(res: Resource, app: App) -> Iterator[Hit]:
    if res.type in _FUNCTIONS:
        return
    # A Ref (or Sub) to a parameter with a default resolves to it: SLS0705 reports that.
    defaults = [
        p.default
        for p in app.parameters
        if secret_parameter(p) and isinstance(p.default, str) and len(p.default.strip()) > 1
    ]
    for path, name, value in _candidates(res):
        if not isinstance(value, str) or any(d in value for d in defaults):
            continue
        match = classify(name, value)
        if match is None:
            continue
        where = ".".join(str(p) for p in path)
        yield Hit(
            app.at((*res.src.path, "Properties", *path), res.src),
            f"{res.type} {res.id} has a plaintext secret in {where}: {match.reason}",
            subject=f"resource {res.id}",
            severity=severity_of(match),
        )


def _candidates(res: Resource) -> Iterator[tuple[DocPath, str, Any]]:
    for path, name in SECRET_PROPERTIES.get(res.type, ()):
        for concrete, value in _walk(res.properties, path, ()):
            yield concrete, name, value
    yield from _pairs(res.properties, ())


def _walk(node: Any, path: tuple[str, ...], done: DocPath) -> Iterator[tuple[DocPath, Any]]:
    if not path:
        yield done, node
        return
    head, rest = path[0], path[1:]
    if head == "*":
        for index, item in enumerate(node if isinstance(node, list) else ()):
            yield from _walk(item, rest, (*done, index))
    elif isinstance(node, dict) and head in node:
        yield from _walk(node[head], rest, (*done, head))


def _pairs(node: Any, done: DocPath, depth: int = 0) -> Iterator[tuple[DocPath, str, Any]]:
    """{Name|Key, Value} items of environment lists anywhere in the properties."""
    if depth > 8:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _PAIR_LISTS and isinstance(value, list):
                for index, item in enumerate(value):
                    if not isinstance(item, dict):
                        continue
                    name = item.get("Name", item.get("Key"))
                    if isinstance(name, str) and "Value" in item:
                        if str(item.get("Type", "PLAINTEXT")).upper() != "PLAINTEXT":
                            continue  # CodeBuild PARAMETER_STORE / SECRETS_MANAGER: a name
                        yield (*done, key, index, "Value"), name, item["Value"]
            else:
                yield from _pairs(value, (*done, key), depth + 1)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _pairs(item, (*done, index), depth + 1)
