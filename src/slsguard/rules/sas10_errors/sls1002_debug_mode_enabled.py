from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Function
from slsguard.rules.base import Hit, rule

# Switches that make a framework answer errors with stack traces, settings or a debugger.
DEBUG_FLAGS = {
    "DEBUG": "debug mode",
    "APP_DEBUG": "Laravel/Symfony debug mode (error pages with stack traces and environment)",
    "FLASK_DEBUG": "the Flask debugger",
    "DJANGO_DEBUG": "Django debug pages (stack traces and settings)",
    "WP_DEBUG": "WordPress debug output",
    "DEBUG_MODE": "debug mode",
}
# Environment names whose "development" value turns on developer error pages.
DEV_ENVIRONMENTS = {
    "NODE_ENV": "Express error pages with stack traces",
    "FLASK_ENV": "the Flask debugger",
    "RAILS_ENV": "Rails development error pages",
    "RACK_ENV": "Rack development error pages",
    "ASPNETCORE_ENVIRONMENT": "the ASP.NET Core developer exception page",
    "DOTNET_ENVIRONMENT": "the .NET developer exception page",
}
LOG_LEVEL_NAMES = ("LOG_LEVEL", "LOGLEVEL", "LOGGING_LEVEL")
VERBOSE_LEVELS = ("DEBUG", "TRACE")


@rule(
    id="SLS1002",
    name="debug-mode-enabled",
    category=Category.SAS_10,
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    title="Debug mode or debug logging on in the deployed configuration",
    rationale=(
        "Debug switches (DEBUG=true, FLASK_DEBUG, APP_DEBUG, NODE_ENV=development, "
        "ASPNETCORE_ENVIRONMENT=Development ...) make frameworks answer errors with stack "
        "traces, configuration and sometimes an interactive debugger, which tell an attacker "
        "how the function works. A DEBUG or TRACE log level (reported at low severity) writes "
        "request details and internal state to the logs."
    ),
    fix=(
        "Remove the variable or set the production value in the deployed stage: "
        "serverless.yml `provider.environment`/`functions.<name>.environment` (use a "
        "per-stage `${param:...}` value); SAM `Environment.Variables` on the function or in "
        "`Globals.Function`; CloudFormation `Environment.Variables` on the "
        "AWS::Lambda::Function. Log at INFO or above outside development."
    ),
    fixes=(
        (
            "serverless",
            "Remove the variable or give it its production value in `provider.environment` or the "
            "function's `environment`, per stage if needed (`DEBUG: ${param:debug}` with `params: "
            "{default: {debug: false}, dev: {debug: true}}`); log at INFO or above outside "
            "development.",
        ),
        (
            "sam",
            "Remove the variable or give it its production value in the function's "
            "`Environment.Variables` or `Globals.Function`, per stage if needed (`DEBUG: !If "
            "[IsProd, 'false', 'true']`); log at INFO or above outside development.",
        ),
        (
            "cloudformation",
            "Remove the variable or give it its production value in the `Environment.Variables` "
            "of the AWS::Lambda::Function, per stage if needed (`DEBUG: !If [IsProd, 'false', "
            "'true']`); log at INFO or above outside development.",
        ),
    ),
    references=(
        "https://owasp.org/www-project-serverless-top-10/",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html",
        "https://docs.powertools.aws.dev/lambda/python/latest/core/logger/",
        "https://expressjs.com/en/advanced/best-practice-performance.html#set-node_env-to-production",
    ),
    any_cloud=True,
)
def debug_mode_enabled(fn: Function, app: App) -> Iterator[Hit]:
    for var in fn.environment:
        name, value = var.name.upper(), var.value
        subject = f"function {fn.id}"
        if name in DEBUG_FLAGS and _on(value):
            yield Hit(
                var.src,
                f"function {fn.id} sets {var.name}={_show(value)}, which turns on "
                f"{DEBUG_FLAGS[name]} in the deployed function",
                subject=subject,
            )
        elif name in DEV_ENVIRONMENTS and _text(value) == "DEVELOPMENT":
            yield Hit(
                var.src,
                f"function {fn.id} sets {var.name}={value}, which turns on "
                f"{DEV_ENVIRONMENTS[name]} in the deployed function",
                subject=subject,
            )
        elif name == "POWERTOOLS_DEV" and _on(value):
            yield Hit(
                var.src,
                f"function {fn.id} sets POWERTOOLS_DEV={_show(value)}, which turns on "
                "Powertools development mode (verbose output) in the deployed function",
                subject=subject,
                severity=Severity.LOW,
            )
        elif _log_level_name(name) and _text(value) in VERBOSE_LEVELS:
            yield Hit(
                var.src,
                f"function {fn.id} sets {var.name}={value}: debug logging writes request "
                "details and internal state of the deployed function to its logs",
                subject=subject,
                severity=Severity.LOW,
            )


def _log_level_name(name: str) -> bool:
    """LOG_LEVEL, POWERTOOLS_LOG_LEVEL, AWS_LAMBDA_LOG_LEVEL, LOGLEVEL ..., RUST_LOG."""
    return name.endswith(LOG_LEVEL_NAMES) or name == "RUST_LOG"


def _text(value: Any) -> str | None:
    return value.strip().upper() if isinstance(value, str) else None


def _on(value: Any) -> bool:
    """A statically known switch that is on; Unresolved and Ref values are neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value == 1
    return _text(value) in ("TRUE", "1", "YES", "ON")


def _show(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
