"""SAS-4 Over-privileged function permissions and roles."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule
from slsguard.rules.sas04_permissions.sls0401_admin_action import admin_action
from slsguard.rules.sas04_permissions.sls0402_service_wildcard import service_wildcard
from slsguard.rules.sas04_permissions.sls0403_resource_wildcard import resource_wildcard
from slsguard.rules.sas04_permissions.sls0404_shared_role import shared_role
from slsguard.rules.sas04_permissions.sls0405_broad_managed_policy import broad_managed_policy
from slsguard.rules.sas04_permissions.sls0406_privilege_escalation import privilege_escalation
from slsguard.rules.sas04_permissions.sls0407_not_action import allow_not_action
from slsguard.rules.sas04_permissions.sls0408_unused_permission import unused_permission
from slsguard.rules.sas04_permissions.sls0409_missing_permission import missing_permission

RULES: tuple[Rule, ...] = (
    admin_action,
    service_wildcard,
    resource_wildcard,
    shared_role,
    broad_managed_policy,
    privilege_escalation,
    allow_not_action,
    unused_permission,
    missing_permission,
)
