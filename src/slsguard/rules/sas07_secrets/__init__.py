"""SAS-7 Insecure application secrets storage."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule
from slsguard.rules.sas07_secrets.sls0701_plaintext_env_secret import plaintext_env_secret
from slsguard.rules.sas07_secrets.sls0702_deploy_time_secret_env import deploy_time_secret_env
from slsguard.rules.sas07_secrets.sls0704_secret_env_without_cmk import secret_env_without_cmk
from slsguard.rules.sas07_secrets.sls0705_secret_parameter import secret_parameter_exposed
from slsguard.rules.sas07_secrets.sls0707_secret_in_outputs import secret_in_outputs
from slsguard.rules.sas07_secrets.sls0708_plaintext_resource_secret import (
    plaintext_resource_secret,
)
from slsguard.rules.sas07_secrets.sls0709_log_every_event import log_every_event

RULES: tuple[Rule, ...] = (
    plaintext_env_secret,
    deploy_time_secret_env,
    secret_env_without_cmk,
    secret_parameter_exposed,
    secret_in_outputs,
    plaintext_resource_secret,
    log_every_event,
)
