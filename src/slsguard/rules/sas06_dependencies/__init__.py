"""SAS-6 Insecure third-party dependencies."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule
from slsguard.rules.sas06_dependencies.sls0601_vulnerable_dependency import vulnerable_dependency
from slsguard.rules.sas06_dependencies.sls0602_unpinned_dependency import unpinned_dependency
from slsguard.rules.sas06_dependencies.sls0603_foreign_layer import foreign_layer
from slsguard.rules.sas06_dependencies.sls0604_deprecated_runtime import deprecated_runtime

RULES: tuple[Rule, ...] = (
    vulnerable_dependency,
    unpinned_dependency,
    foreign_layer,
    deprecated_runtime,
)
