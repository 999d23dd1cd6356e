"""Helpers shared by the IAM rules."""

from __future__ import annotations

from slsguard.findings import Severity
from slsguard.model.app import App, Role


def role_users(role: Role, app: App) -> list[str]:
    return [fn.id for fn in app.functions if fn.role is not None and fn.role.id == role.id]


def role_subject(role: Role, app: App) -> tuple[str, str]:
    """(subject, 'used by ...' phrase) for messages."""
    users = role_users(role, app)
    if not users:
        return f"role {role.id}", f"role {role.id}"
    shown = ", ".join(users[:3]) + (f" and {len(users) - 3} more" if len(users) > 3 else "")
    return f"role {role.id}", f"the role of function{'s' if len(users) > 1 else ''} {shown}"


def raise_for_function_role(role: Role, app: App, base: Severity) -> Severity:
    """A grant on a function's execution role is one step from the event data."""
    return base.shifted(1) if role_users(role, app) else base


def raise_capped(role: Role, app: App, base: Severity, cap: Severity) -> Severity:
    """raise_for_function_role, never above `cap` (the rule's own ceiling)."""
    raised = raise_for_function_role(role, app, base)
    return raised if raised.rank <= cap.rank else cap


def risk_severity(risk: str) -> Severity:
    """Cloudsplaining's severity for a risk ("DataExfiltration", "ResourceExposure" ...)."""
    from slsguard.iam.risky import risky_actions

    try:
        return Severity(risky_actions().issue_severity.get(risk, "medium"))
    except ValueError:  # a level the data may add later
        return Severity.MEDIUM
