"""Edits as data: what the planner asks for, applied to plain documents.

Plain documents are what json.loads gives, with CloudFormation intrinsics in their long
form ({"Fn::GetAtt": ["R", "Arn"]}, never the "R.Arn" string form): `normalize` brings
a loaded document or the caller's statements to that form. The YAML writer renders the
same operations as text edits and checks its result against `apply_ops`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Path = tuple[str, ...]

# CloudFormation intrinsic functions (long names); each has a short YAML tag "!" + name
# without the "Fn::" prefix.
INTRINSICS = frozenset(
    {
        "Ref",
        "Condition",
        "Fn::And",
        "Fn::Base64",
        "Fn::Cidr",
        "Fn::Equals",
        "Fn::FindInMap",
        "Fn::ForEach",
        "Fn::GetAZs",
        "Fn::GetAtt",
        "Fn::If",
        "Fn::ImportValue",
        "Fn::Join",
        "Fn::Length",
        "Fn::Not",
        "Fn::Or",
        "Fn::Select",
        "Fn::Split",
        "Fn::Sub",
        "Fn::ToJsonString",
        "Fn::Transform",
    }
)
SHORT_TAGS = frozenset("!" + name.removeprefix("Fn::") for name in INTRINSICS)


@dataclass(frozen=True, slots=True)
class SetKey:
    """Set mapping[key] (mapping at `path`): replace the value in place, or insert the
    key after `after` (at the end of the mapping when `after` is None or absent)."""

    path: Path
    key: str
    value: Any
    after: str | None = None


@dataclass(frozen=True, slots=True)
class RenameKey:
    """Replace the entry `old` of the mapping at `path` by `key: value`, in its place."""

    path: Path
    old: str
    key: str
    value: Any


@dataclass(frozen=True, slots=True)
class DeleteKey:
    path: Path
    key: str


@dataclass(frozen=True, slots=True)
class Append:
    """Append `value` to the list at `path`."""

    path: Path
    value: Any


Op = SetKey | RenameKey | DeleteKey | Append


def intrinsic_name(tag: str) -> str:
    """Long name of a short tag: "!GetAtt" -> "Fn::GetAtt", "!Ref" -> "Ref"."""
    name = tag[1:]
    return name if name in ("Ref", "Condition") else f"Fn::{name}"


def short_tag(name: str) -> str:
    return "!" + name.removeprefix("Fn::")


def normalize(value: Any) -> Any:
    """A copy of plain data with intrinsics in the long form (Fn::GetAtt as a list)."""
    if isinstance(value, Mapping):
        out = {key: normalize(item) for key, item in value.items()}
        if len(out) == 1 and "Fn::GetAtt" in out and isinstance(out["Fn::GetAtt"], str):
            resource, _, attribute = out["Fn::GetAtt"].partition(".")
            out["Fn::GetAtt"] = [resource, attribute]
        return out
    if isinstance(value, list | tuple):
        return [normalize(item) for item in value]
    return value


def is_intrinsic(value: Any) -> bool:
    return isinstance(value, Mapping) and len(value) == 1 and next(iter(value)) in INTRINSICS


_LISTS = ("Action", "NotAction", "Resource", "NotResource")


def statement(raw: Mapping[str, Any]) -> dict[str, Any]:
    """One IAM statement, keys ordered Effect, Action, Resource, then the others;
    Action/NotAction/Resource/NotResource as lists."""
    first = ("Effect", "Action", "Resource")
    order = [*first, *(k for k in raw if k not in first)]
    out: dict[str, Any] = {}
    for key in order:
        if key not in raw:
            continue
        value = normalize(raw[key])
        if key in _LISTS and not isinstance(value, list):
            value = [value]
        out[key] = value
    return out


def policy_document(statements: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [statement(s) for s in statements]}


def lookup(doc: Any, path: Path) -> Any:
    node = doc
    for key in path:
        node = node[key]
    return node


def apply_ops(doc: Any, ops: Sequence[Op]) -> Any:
    """A deep copy of `doc` with the operations applied; key order is kept."""
    out = copy.deepcopy(doc)
    for op in ops:
        if isinstance(op, Append):
            lookup(out, op.path).append(copy.deepcopy(op.value))
            continue
        mapping: dict[str, Any] = lookup(out, op.path)
        if isinstance(op, DeleteKey):
            del mapping[op.key]
            continue
        if isinstance(op, SetKey) and op.key in mapping:
            mapping[op.key] = copy.deepcopy(op.value)
            continue
        items = list(mapping.items())
        if isinstance(op, RenameKey):
            index = next(i for i, (k, _) in enumerate(items) if k == op.old)
            items[index] = (op.key, copy.deepcopy(op.value))
        else:
            keys = [k for k, _ in items]
            index = keys.index(op.after) + 1 if op.after in keys else len(items)
            items.insert(index, (op.key, copy.deepcopy(op.value)))
        mapping.clear()  # in place: an aliased mapping (YAML anchor) stays one object
        mapping.update(items)
    return out
