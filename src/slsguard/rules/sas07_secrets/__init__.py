"""SAS-7 Insecure application secrets storage."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule
from slsguard.rules.sas07_secrets.sls0701_plaintext_env_secret import plaintext_env_secret

RULES: tuple[Rule, ...] = (plaintext_env_secret,)
