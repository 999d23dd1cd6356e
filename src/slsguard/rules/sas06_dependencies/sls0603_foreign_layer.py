from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Iterator
from importlib import resources
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App
from slsguard.model.source import SourceRef
from slsguard.model.values import Unresolved
from slsguard.rules.base import Hit, rule

# arn:<partition>:lambda:<region>:<account>:layer:<name>[:<version>]; the region and the
# account may be written as ${AWS::Region} / ${AWS::AccountId} in a Sub.
_PART = r"(?:\$\{[^}]*\}|[^:$])*"
_LAYER_ARN = re.compile(
    rf"^arn:{_PART}:lambda:{_PART}:(?P<account>\$\{{[^}}]*\}}|[^:]*):layer:(?P<name>[^:]+)"
)
# Account ids in the app's other ARNs (roles, queues, keys ...): the app's own account(s).
_OWN_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):(?!layer:)")
# Documentation placeholders stand for "your account".
PLACEHOLDER_ACCOUNTS = frozenset(
    {"123456789012", "111111111111", "000000000000", "012345678901", "999999999999"}
)


@functools.cache
def aws_publishers() -> tuple[tuple[str, frozenset[str], tuple[str, ...]], ...]:
    """(publisher, accounts, layer-name prefixes) of the layers AWS itself publishes."""
    text = resources.files("slsguard").joinpath("data", "aws_layer_publishers.json")
    data = json.loads(text.read_text("utf-8"))
    return tuple(
        (p["publisher"], frozenset(p["accounts"]), tuple(p["layers"])) for p in data["publishers"]
    )


@rule(
    id="SLS0603",
    name="layer-from-another-account",
    category=Category.SAS_6,
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    title="Lambda layer published by another AWS account",
    rationale=(
        "A layer's code runs inside the function with its role and sees every event and "
        "secret; a layer version owned by another account is code you neither build nor "
        "review, and its owner controls who can read it and whether it stays available."
    ),
    fix=(
        "Build the dependency into your own layer or package (serverless.yml `layers:` with "
        "`Ref: <Name>LambdaLayer` in the function's `layers`; SAM `AWS::Serverless::LayerVersion` "
        "referenced with `!Ref` in `Layers`; CloudFormation `AWS::Lambda::LayerVersion` "
        "referenced in `Layers`), or pin a reviewed version of a publisher you trust and "
        "suppress this finding for it. Layers published by AWS (Powertools, Parameters and "
        "Secrets, AppConfig, Lambda Insights, ADOT ...; listed in slsguard/data/"
        "aws_layer_publishers.json) are not reported."
    ),
    fixes=(
        (
            "serverless",
            "Build the dependency into a layer of your own: declare it under top-level `layers:` "
            "(`layers: {deps: {path: layer}}`) and reference it with `layers: [!Ref "
            "DepsLambdaLayer]` on the function. Or pin a reviewed version of a publisher you "
            "trust and suppress the finding for it.",
        ),
        (
            "sam",
            "Build the dependency into your own AWS::Serverless::LayerVersion (`ContentUri: "
            "layer/`) and reference it with `Layers: [!Ref DepsLayer]` on the function or in "
            "`Globals.Function`. Or pin a reviewed version of a publisher you trust and suppress "
            "the finding for it.",
        ),
        (
            "cloudformation",
            "Publish the dependency as your own AWS::Lambda::LayerVersion and list it in the "
            "function's `Layers` (`!Ref DepsLayer` is the version ARN). Or pin a reviewed version "
            "of a publisher you trust and suppress the finding for it.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html",
    ),
    formats=("serverless", "sam", "cloudformation"),
)
def foreign_layer(app: App, _: App) -> Iterator[Hit]:
    own: set[str] | None = None
    for fn in app.functions:
        # SAM gives one location to the whole Layers list: one finding per location.
        foreign: dict[SourceRef, list[str]] = {}
        for layer in fn.layers:
            text = layer.value.expr if isinstance(layer.value, Unresolved) else layer.value
            match = _LAYER_ARN.match(text) if isinstance(text, str) else None
            if match is None:
                continue  # a Ref to a layer of this template, or not known
            account, name = match.group("account"), match.group("name")
            if not re.fullmatch(r"\d{12}", account) or account in PLACEHOLDER_ACCOUNTS:
                continue  # ${AWS::AccountId}, ${aws:accountId}: the app's own account
            if _aws_published(account, name):
                continue
            if own is None:
                own = set()
                _collect_accounts(app, own)
            if account in own:
                continue  # the account the app's own resources live in
            foreign.setdefault(layer.src, []).append(f"{name} (account {account})")
        for src, layers in foreign.items():
            yield Hit(
                src,
                f"function {fn.id} runs layer{'s' if len(layers) > 1 else ''} "
                f"{', '.join(layers)} published by another AWS account",
                subject=f"function {fn.id}",
            )


def _aws_published(account: str, name: str) -> bool:
    return any(
        account in accounts and name.startswith(prefixes)
        for _, accounts, prefixes in aws_publishers()
    )


def _collect_accounts(node: Any, out: set[str]) -> None:
    """Account ids of every non-layer ARN anywhere in the model."""
    if isinstance(node, str):
        out.update(_OWN_ARN.findall(node))
    elif isinstance(node, Unresolved):
        out.update(_OWN_ARN.findall(node.expr))
    elif isinstance(node, dict):
        for value in node.values():
            _collect_accounts(value, out)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _collect_accounts(item, out)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for field in dataclasses.fields(node):
            _collect_accounts(getattr(node, field.name), out)
