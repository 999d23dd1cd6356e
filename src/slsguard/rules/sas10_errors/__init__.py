"""SAS-10 Improper exception handling and verbose error messages."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule
from slsguard.rules.sas10_errors.sls1002_debug_mode_enabled import debug_mode_enabled

RULES: tuple[Rule, ...] = (debug_mode_enabled,)
