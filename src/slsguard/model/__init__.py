"""The one app model every rule reads: frozen, typed, format-independent."""

from slsguard.model.app import (
    Alarm,
    Api,
    App,
    Authorizer,
    Bucket,
    DataStore,
    EnvVar,
    Event,
    Function,
    FunctionUrl,
    LogGroup,
    ManagedPolicyRef,
    Output,
    Parameter,
    Permission,
    Resource,
    Role,
    Statement,
)
from slsguard.model.source import SourceRef
from slsguard.model.values import GetAtt, Ref, Unresolved

__all__ = [
    "Alarm",
    "Api",
    "App",
    "Authorizer",
    "Bucket",
    "DataStore",
    "EnvVar",
    "Event",
    "Function",
    "FunctionUrl",
    "GetAtt",
    "LogGroup",
    "ManagedPolicyRef",
    "Output",
    "Parameter",
    "Permission",
    "Ref",
    "Resource",
    "Role",
    "SourceRef",
    "Statement",
    "Unresolved",
]
