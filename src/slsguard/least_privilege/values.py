"""What names a resource, as far as static reading can tell: request parameter values in code
(a literal, an environment variable, a template of both, or something only known at run
time) and ARNs as statements write them (a string, a Ref/GetAtt of the template, or a
CloudFormation Fn::Sub). Kept apart from the extractor so rules can import them cheaply."""

from __future__ import annotations

import re
from dataclasses import dataclass

from slsguard.model.values import GetAtt, Ref

# Where a request parameter's value comes from, as far as can be told without running code.


@dataclass(frozen=True, slots=True)
class Literal:
    value: str


@dataclass(frozen=True, slots=True)
class EnvVar:
    name: str  # os.environ["NAME"], process.env.NAME


@dataclass(frozen=True, slots=True)
class Template:
    """A string built of literal text and environment variables (f"{os.environ['P']}/x")."""

    parts: tuple[Literal | EnvVar | None, ...]  # None: a part that is not known


@dataclass(frozen=True, slots=True)
class EventField:
    """A field of the handler's event (`event["ResourceProperties"]["TableName"]`): for a
    function backing CloudFormation custom resources, what their Properties say."""

    path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Opaque:
    text: str  # what the expression is, for messages ("event data", "a function parameter")


Value = Literal | EnvVar | Template | EventField | Opaque


@dataclass(frozen=True, slots=True)
class Sub:
    template: str  # Fn::Sub text: ${AWS::Region}, ${Logical.Arn}, ${Logical}

    def __str__(self) -> str:
        return f"!Sub {self.template}"


Arn = str | Ref | GetAtt | Sub


PLACEHOLDER = re.compile(r"\$\{[^}]*\}")  # `${Name}` / `${Name.Attr}` in a Sub


def logical_id(arn: object) -> str | None:
    """The template resource an ARN expression names (GetAtt, Ref, ${Id} or ${Id.Arn} in a
    Sub), None for plain ARNs and expressions naming several."""
    if isinstance(arn, GetAtt | Ref):
        return arn.logical_id
    if isinstance(arn, Sub):
        found = [p[2:-1].split(".")[0] for p in PLACEHOLDER.findall(arn.template)]
        ids = [f for f in found if not f.startswith("AWS::")]
        return ids[0] if len(ids) == 1 else None
    return None
