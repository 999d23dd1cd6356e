"""SAS-5 Inadequate function monitoring and logging."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule
from slsguard.rules.sas05_monitoring.sls0501_log_retention import log_retention_missing
from slsguard.rules.sas05_monitoring.sls0502_api_access_logging import api_access_logging
from slsguard.rules.sas05_monitoring.sls0503_tracing_off import tracing_off
from slsguard.rules.sas05_monitoring.sls0504_async_without_dlq import async_without_dlq
from slsguard.rules.sas05_monitoring.sls0505_no_error_alarm import no_error_alarm
from slsguard.rules.sas05_monitoring.sls0508_full_request_logging import full_request_logging

RULES: tuple[Rule, ...] = (
    log_retention_missing,
    api_access_logging,
    tracing_off,
    async_without_dlq,
    no_error_alarm,
    full_request_logging,
)
