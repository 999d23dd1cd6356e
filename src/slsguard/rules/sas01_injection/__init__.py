"""SAS-1 Function event-data injection."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule
from slsguard.rules.sas01_injection.sls0107_no_request_validation import no_request_validation
from slsguard.rules.sas01_injection.sls0108_public_api_without_waf import (
    public_api_without_waf,
)

RULES: tuple[Rule, ...] = (no_request_validation, public_api_without_waf)
