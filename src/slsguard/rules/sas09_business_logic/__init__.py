"""SAS-9 Serverless business logic manipulation."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule
from slsguard.rules.sas09_business_logic.sls0902_internal_function_exposed import (
    internal_function_exposed,
)

RULES: tuple[Rule, ...] = (internal_function_exposed,)
