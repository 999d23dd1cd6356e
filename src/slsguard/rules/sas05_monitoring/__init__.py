"""SAS-5 Inadequate function monitoring and logging."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule

RULES: tuple[Rule, ...] = ()
