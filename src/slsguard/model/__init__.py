"""The one app model every rule reads: frozen, typed, format-independent."""

from slsguard.model.app import (
    Api,
    App,
    Authorizer,
    Bucket,
    EnvVar,
    Event,
    Function,
    FunctionUrl,
    ManagedPolicyRef,
    Resource,
    Role,
    Statement,
)
from slsguard.model.source import SourceRef
from slsguard.model.values import GetAtt, Ref, Unresolved

__all__ = [
    "Api",
    "App",
    "Authorizer",
    "Bucket",
    "EnvVar",
    "Event",
    "Function",
    "FunctionUrl",
    "GetAtt",
    "ManagedPolicyRef",
    "Ref",
    "Resource",
    "Role",
    "SourceRef",
    "Statement",
    "Unresolved",
]
