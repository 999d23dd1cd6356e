from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Function
from slsguard.rules.base import Hit, rule

# Seconds an API waits for a synchronous Lambda integration before answering 504.
INTEGRATION_LIMITS = {"http": 29, "websocket": 29, "httpApi": 30}


@rule(
    id="SLS0801",
    name="timeout-over-api-limit",
    category=Category.SAS_8,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="HTTP-triggered function timeout longer than the API's integration limit",
    rationale=(
        "API Gateway gives up after 29 s (HTTP APIs 30 s) but the function keeps running and "
        "billing until its own timeout: callers who retry multiply the cost and the load "
        "(denial of wallet)."
    ),
    fix=(
        "Set the function timeout at or below the integration limit (serverless.yml "
        "`timeout: 29`, SAM/CloudFormation `Timeout: 29`, also in `provider`/`Globals` when "
        "inherited), or move long work behind an asynchronous queue."
    ),
    fixes=(
        (
            "serverless",
            "Set `timeout: 29` (or lower; 30 for `httpApi` events) on the function or under "
            "`provider`; move long work behind an SQS queue and answer the request at once.",
        ),
        (
            "sam",
            "Set `Timeout: 29` (or lower; 30 for `HttpApi` events) on the function or in "
            "`Globals.Function`; move long work behind an SQS queue and answer the request at "
            "once.",
        ),
        (
            "cloudformation",
            "Set `Timeout: 29` (or lower; 30 behind an HTTP API) on the AWS::Lambda::Function; "
            "move long work behind an SQS queue and answer the request at once.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html",
        "https://owasp.org/www-project-serverless-top-10/",
    ),
)
def timeout_over_api_limit(fn: Function, app: App) -> Iterator[Hit]:
    limits = [INTEGRATION_LIMITS[e.kind] for e in fn.events if e.kind in INTEGRATION_LIMITS]
    timeout = fn.effective_timeout
    if not limits or fn.timeout is None or timeout is None:
        return  # the platform default is below every limit; unknown is not a finding
    limit = min(limits)
    if timeout > limit:
        yield Hit(
            fn.timeout.src,
            f"function {fn.id} has a {timeout} s timeout but is invoked through an API that "
            f"stops waiting after {limit} s",
            subject=f"function {fn.id}",
        )
