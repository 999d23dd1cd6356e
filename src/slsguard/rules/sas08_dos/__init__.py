"""SAS-8 Denial of service and financial resource exhaustion."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule
from slsguard.rules.sas08_dos.sls0801_timeout_over_api_limit import timeout_over_api_limit
from slsguard.rules.sas08_dos.sls0802_public_function_without_concurrency import (
    public_function_without_concurrency,
)
from slsguard.rules.sas08_dos.sls0803_api_without_throttling import api_without_throttling
from slsguard.rules.sas08_dos.sls0804_usage_plan_without_quota import usage_plan_without_quota
from slsguard.rules.sas08_dos.sls0805_recursive_invocation_loop import recursive_invocation_loop
from slsguard.rules.sas08_dos.sls0806_async_without_retry_limits import (
    async_without_retry_limits,
)
from slsguard.rules.sas08_dos.sls0809_stream_without_retry_limit import (
    stream_without_retry_limit,
)

RULES: tuple[Rule, ...] = (
    timeout_over_api_limit,
    public_function_without_concurrency,
    api_without_throttling,
    usage_plan_without_quota,
    recursive_invocation_loop,
    async_without_retry_limits,
    stream_without_retry_limit,
)
