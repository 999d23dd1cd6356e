"""SAS-3 Insecure serverless deployment configuration."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule
from slsguard.rules.sas03_deployment.sls0301_bucket_public_acl import bucket_public_acl

RULES: tuple[Rule, ...] = (bucket_public_acl,)
