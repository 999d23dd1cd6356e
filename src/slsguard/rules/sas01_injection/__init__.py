"""SAS-1 Function event-data injection."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule

RULES: tuple[Rule, ...] = ()
