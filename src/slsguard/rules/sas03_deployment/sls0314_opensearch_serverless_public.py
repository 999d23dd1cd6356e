from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Resource
from slsguard.model.values import as_list
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas03_deployment.common import json_document, prop_src


@rule(
    id="SLS0314",
    name="opensearch-serverless-public-network",
    category=Category.SAS_3,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="OpenSearch Serverless network policy allows access from the public internet",
    rationale=(
        "A network policy with `AllowFromPublic: true` exposes the collection's OpenSearch "
        "and Dashboards endpoints to the whole internet; only the data access policy and "
        "credentials then protect the indexed data (often documents embedded for RAG)."
    ),
    fix=(
        "Set `AllowFromPublic: false` and list `SourceVPCEs` (OpenSearch Serverless VPC "
        "endpoints) or `SourceServices` (e.g. bedrock.amazonaws.com) in the `Policy` of the "
        "AWS::OpenSearchServerless::SecurityPolicy of `Type: network` (serverless.yml "
        "`resources.Resources`, SAM or CloudFormation `Resources`); give functions a VPC "
        "configuration to reach it."
    ),
    fixes=(
        (
            "serverless",
            "In the `Policy` of the AWS::OpenSearchServerless::SecurityPolicy of `Type: network` "
            "in `resources.Resources`, set `AllowFromPublic: false` and list `SourceVPCEs` (an "
            "AWS::OpenSearchServerless::VpcEndpoint) or `SourceServices` (e.g. "
            "bedrock.amazonaws.com). Functions that query it need a `vpc` configuration.",
        ),
        (
            "sam",
            "In the `Policy` of the AWS::OpenSearchServerless::SecurityPolicy of `Type: network`, "
            "set `AllowFromPublic: false` and list `SourceVPCEs` (an "
            "AWS::OpenSearchServerless::VpcEndpoint) or `SourceServices` (e.g. "
            "bedrock.amazonaws.com). Functions that query it need `VpcConfig` (on the function or "
            "in `Globals.Function`).",
        ),
        (
            "cloudformation",
            "In the `Policy` of the AWS::OpenSearchServerless::SecurityPolicy of `Type: network`, "
            "set `AllowFromPublic: false` and list `SourceVPCEs` (an "
            "AWS::OpenSearchServerless::VpcEndpoint) or `SourceServices` (e.g. "
            "bedrock.amazonaws.com). Functions that query it need `VpcConfig` on the "
            "AWS::Lambda::Function.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/serverless-network.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-opensearchserverless-securitypolicy.html",
    ),
)
def opensearch_serverless_public(res: Resource, app: App) -> Iterator[Hit]:
    if res.type != "AWS::OpenSearchServerless::SecurityPolicy":
        return
    if str(res.properties.get("Type", "")).lower() != "network":
        return
    policy = json_document(res.properties.get("Policy"))
    if policy is None:
        return  # not statically readable
    entries = [
        e for e in as_list(policy) if isinstance(e, dict) and e.get("AllowFromPublic") is True
    ]
    if not entries:
        return
    types = {
        r["ResourceType"]
        for e in entries
        for r in as_list(e.get("Rules"))
        if isinstance(r, dict) and isinstance(r.get("ResourceType"), str)
    }
    what = " and ".join(sorted(types)) or "collection"
    yield Hit(
        prop_src(app, res, "Policy"),
        f"network policy {res.id} sets AllowFromPublic true: the {what} endpoints are "
        "reachable from the internet",
        subject=f"OpenSearch Serverless policy {res.id}",
    )
