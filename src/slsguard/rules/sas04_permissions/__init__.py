"""SAS-4 Over-privileged function permissions and roles."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule
from slsguard.rules.sas04_permissions.sls0401_admin_action import admin_action
from slsguard.rules.sas04_permissions.sls0402_service_wildcard import service_wildcard

RULES: tuple[Rule, ...] = (
    admin_action,
    service_wildcard,
)
