"""SAS-8 Denial of service and financial resource exhaustion."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule
from slsguard.rules.sas08_dos.sls0801_timeout_over_api_limit import timeout_over_api_limit

RULES: tuple[Rule, ...] = (timeout_over_api_limit,)
