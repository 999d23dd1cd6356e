"""What the least-privilege writer is given, and how it refuses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class CannotFix(Exception):
    """The change cannot be written into the file; the message is a one-line reason."""


@dataclass(frozen=True, slots=True)
class PolicyChange:
    """The least-privilege statements for one function.

    function_id: the serverless.yml function key, or the SAM/CloudFormation logical id.
    statements: IAM statements as plain data; resources may be strings or CloudFormation
        intrinsics as dicts ({"Fn::GetAtt": ["T", "Arn"]}, {"Fn::Sub": "..."}, {"Ref": "X"}).
    role_shared: whether the function's current role is also used by other functions.
    managed_policies: managed policy ARNs the new or edited role keeps (CloudFormation only).
    """

    function_id: str
    statements: tuple[dict[str, Any], ...]
    role_shared: bool
    managed_policies: tuple[str, ...] = ()
