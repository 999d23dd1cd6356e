"""SAS-2 Broken authentication."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule
from slsguard.rules.sas02_authentication.sls0201_route_without_authorizer import (
    route_without_authorizer,
)

RULES: tuple[Rule, ...] = (route_without_authorizer,)
