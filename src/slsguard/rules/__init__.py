"""Every rule, listed explicitly: each category package names its rules in RULES, and
ALL_RULES concatenates them in SAS order (no import-time registration magic)."""

from slsguard.rules import (
    sas01_injection,
    sas02_authentication,
    sas03_deployment,
    sas04_permissions,
    sas05_monitoring,
    sas06_dependencies,
    sas07_secrets,
    sas08_dos,
    sas09_business_logic,
    sas10_errors,
)
from slsguard.rules.base import Rule, RuleMeta

ALL_RULES: tuple[Rule, ...] = (
    *sas01_injection.RULES,
    *sas02_authentication.RULES,
    *sas03_deployment.RULES,
    *sas04_permissions.RULES,
    *sas05_monitoring.RULES,
    *sas06_dependencies.RULES,
    *sas07_secrets.RULES,
    *sas08_dos.RULES,
    *sas09_business_logic.RULES,
    *sas10_errors.RULES,
)

RULES_BY_ID = {r.id: r for r in ALL_RULES}


def all_metas() -> tuple[RuleMeta, ...]:
    """Every rule's metadata in id order: configuration rules and handler code rules (a code
    rule sharing an id with a configuration rule is documented by the latter)."""
    from slsguard.code.rules import CODE_RULES

    metas = {r.id: r.meta for r in ALL_RULES}
    for meta in CODE_RULES:
        metas.setdefault(meta.id, meta)
    return tuple(metas[key] for key in sorted(metas))
