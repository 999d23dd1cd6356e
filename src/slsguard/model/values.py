"""Values that static analysis cannot turn into plain data.

A rule must never read an `Unresolved` as a value: it is neither a finding nor a pass.
`Ref` and `GetAtt` point at another resource of the same template, which is known even
though the deployed value (an ARN, a name) is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A value only known at deploy or run time.

    kind names the source: "ssm", "secretsmanager", "cf", "s3", "aws", "env", "param",
    "opt", "file", "self", "parameter" (CloudFormation parameter without default),
    "import" (Fn::ImportValue), "condition", "intrinsic", "cycle" ...
    """

    kind: str
    expr: str

    def __str__(self) -> str:
        # As the user wrote it (`${ssm:/db/password}`, `${AWS::StackName}-policy`), so that
        # messages quoting a value read naturally.
        return self.expr


@dataclass(frozen=True, slots=True)
class Ref:
    """`Ref` to a resource of the same template (its physical name or ARN at deploy time)."""

    logical_id: str

    def __str__(self) -> str:
        return f"!Ref {self.logical_id}"


@dataclass(frozen=True, slots=True)
class GetAtt:
    logical_id: str
    attribute: str

    def __str__(self) -> str:
        return f"!GetAtt {self.logical_id}.{self.attribute}"


SYMBOLIC = (Unresolved, Ref, GetAtt)


def is_known(value: Any) -> bool:
    """True when the value is plain data all the way down."""
    if isinstance(value, SYMBOLIC):
        return False
    if isinstance(value, dict):
        return all(is_known(v) for v in value.values())
    if isinstance(value, list):
        return all(is_known(v) for v in value)
    return True


def as_list(value: Any) -> list[Any]:
    """IAM and CloudFormation accept a scalar where a list is meant."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def to_int(value: Any) -> int | None:
    """An integer setting, or None when absent or not statically known."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def to_bool(value: Any) -> bool | None:
    """A boolean as YAML, CloudFormation and the Serverless Framework accept it (true,
    "true", "True"), or None when absent or not statically known."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None
