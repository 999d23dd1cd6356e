"""SAS-9 Serverless business logic manipulation."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule

RULES: tuple[Rule, ...] = ()
