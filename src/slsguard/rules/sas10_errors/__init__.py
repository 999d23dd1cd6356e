"""SAS-10 Improper exception handling and verbose error messages."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule

RULES: tuple[Rule, ...] = ()
