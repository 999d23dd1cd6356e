"""`slsguard fix --least-privilege --write`: write least-privilege IAM into the user's file."""

from slsguard.fix.model import CannotFix, PolicyChange
from slsguard.fix.writer import apply_changes

__all__ = ["CannotFix", "PolicyChange", "apply_changes"]
