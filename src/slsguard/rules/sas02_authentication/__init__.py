"""SAS-2 Broken authentication."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule
from slsguard.rules.sas02_authentication.sls0201_route_without_authorizer import (
    route_without_authorizer,
)
from slsguard.rules.sas02_authentication.sls0202_function_url_auth_none import (
    function_url_auth_none,
)
from slsguard.rules.sas02_authentication.sls0203_public_invoke_permission import (
    public_invoke_permission,
)
from slsguard.rules.sas02_authentication.sls0204_websocket_connect_without_authorizer import (
    websocket_connect_without_authorizer,
)
from slsguard.rules.sas02_authentication.sls0205_api_key_only import api_key_only
from slsguard.rules.sas02_authentication.sls0206_jwt_authorizer_incomplete import (
    jwt_authorizer_incomplete,
)

RULES: tuple[Rule, ...] = (
    route_without_authorizer,
    function_url_auth_none,
    public_invoke_permission,
    websocket_connect_without_authorizer,
    api_key_only,
    jwt_authorizer_incomplete,
)
