"""SAS-6 Insecure third-party dependencies."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule

RULES: tuple[Rule, ...] = ()
