from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Format, Function
from slsguard.rules.base import Hit, rule

SOON_DAYS = 180  # a deprecation this close is reported ahead, at low severity


@dataclass(frozen=True, slots=True)
class RuntimeInfo:
    identifier: str
    name: str
    deprecated: datetime.date | None  # None: no date announced
    block_create: datetime.date | None
    block_update: datetime.date | None


def today() -> datetime.date:
    """The date runtimes are compared with (tests replace it)."""
    return datetime.date.today()


@functools.cache
def runtime_table() -> dict[str, RuntimeInfo]:
    """slsguard/data/lambda_runtimes.json, keyed by runtime identifier."""
    text = resources.files("slsguard").joinpath("data", "lambda_runtimes.json")
    data = json.loads(text.read_text("utf-8"))

    def day(value: str | None) -> datetime.date | None:
        return datetime.date.fromisoformat(value) if value else None

    return {
        key: RuntimeInfo(
            key,
            row["name"],
            day(row["deprecated"]),
            day(row["block_create"]),
            day(row["block_update"]),
        )
        for key, row in data["runtimes"].items()
    }


@rule(
    id="SLS0604",
    name="deprecated-runtime",
    category=Category.SAS_6,
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    title="Function on a deprecated or soon deprecated Lambda runtime",
    rationale=(
        "After its deprecation date a runtime gets no more security patches for the language "
        "or the operating system, and Lambda later blocks creating and then updating "
        "functions on it, so even an urgent fix can no longer be deployed."
    ),
    fix=(
        "Move to a supported runtime (e.g. python3.13+, nodejs24.x, java21+, dotnet10, "
        "provided.al2023 for Go and Rust) and test: serverless.yml `provider.runtime` or "
        "`runtime` on the function; SAM and CloudFormation `Runtime` (also in "
        "`Globals.Function`). The dates come from slsguard/data/lambda_runtimes.json."
    ),
    fixes=(
        (
            "serverless",
            "Move to a supported runtime and test: `runtime: python3.13` (or `nodejs24.x`, "
            "`java21`, `provided.al2023` ...) under `provider` or on the function.",
        ),
        (
            "sam",
            "Move to a supported runtime and test: `Runtime: python3.13` (or `nodejs24.x`, "
            "`java21`, `provided.al2023` ...) on the function or in `Globals.Function`.",
        ),
        (
            "cloudformation",
            "Move to a supported runtime and test: `Runtime: python3.13` (or `nodejs24.x`, "
            "`java21`, `provided.al2023` ...) on the AWS::Lambda::Function.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html",
    ),
)
def deprecated_runtime(fn: Function, app: App) -> Iterator[Hit]:
    if fn.runtime is None or not isinstance(fn.runtime.value, str):
        return  # container images have no runtime; unresolved is unknown
    if _container_image(fn, app):
        return  # an inherited runtime does not apply to an image function
    info = runtime_table().get(fn.runtime.value.strip())
    if info is None or info.deprecated is None:
        return  # unknown identifier (or not AWS's), or no deprecation announced
    now = today()
    subject = f"function {fn.id}"
    if info.deprecated <= now:
        blocked = ""
        if info.block_update is not None and info.block_update <= now:
            blocked = "; Lambda no longer accepts updates to functions on it"
        elif info.block_create is not None and info.block_create <= now:
            blocked = "; Lambda no longer creates functions on it"
        yield Hit(
            fn.runtime.src,
            f"function {fn.id} runs on {info.identifier} ({info.name}), deprecated since "
            f"{info.deprecated.isoformat()}: no more security patches{blocked}",
            subject=subject,
        )
    elif (info.deprecated - now).days <= SOON_DAYS:
        yield Hit(
            fn.runtime.src,
            f"function {fn.id} runs on {info.identifier} ({info.name}): deprecation on "
            f"{info.deprecated.isoformat()}, within {SOON_DAYS} days",
            subject=subject,
            severity=Severity.LOW,
        )


def _container_image(fn: Function, app: App) -> bool:
    if fn.format == Format.SERVERLESS:
        return fn.handler is None  # `image:` functions have no handler
    own = next((r for r in app.resources if r.id == fn.id), None)
    return own is not None and own.properties.get("PackageType") == "Image"
