"""Every rule, listed explicitly (no import-time registration)."""

from slsguard.rules.base import Rule
from slsguard.rules.sas02_authentication.sls0201_route_without_authorizer import (
    route_without_authorizer,
)
from slsguard.rules.sas03_deployment.sls0301_bucket_public_acl import bucket_public_acl
from slsguard.rules.sas04_permissions.sls0401_admin_action import admin_action
from slsguard.rules.sas04_permissions.sls0402_service_wildcard import service_wildcard
from slsguard.rules.sas07_secrets.sls0701_plaintext_env_secret import plaintext_env_secret
from slsguard.rules.sas08_dos.sls0801_timeout_over_api_limit import timeout_over_api_limit

ALL_RULES: tuple[Rule, ...] = (
    route_without_authorizer,
    bucket_public_acl,
    admin_action,
    service_wildcard,
    plaintext_env_secret,
    timeout_over_api_limit,
)

RULES_BY_ID = {r.id: r for r in ALL_RULES}
