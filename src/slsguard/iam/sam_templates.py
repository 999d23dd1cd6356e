"""SAM policy templates (``S3CrudPolicy: {BucketName: ...}``) expanded to IAM statements.

The template definitions come from the JSON file aws-sam-translator ships. Only that data
file is read: importing samtranslator's modules costs seconds and pulls in pydantic.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_DATA_FILE = Path("policy_templates_data") / "policy_templates.json"


@functools.cache
def _templates() -> Mapping[str, Any]:
    """The "Templates" mapping, or empty when aws-sam-translator is not installed."""
    spec = importlib.util.find_spec("samtranslator")
    if spec is None or not spec.submodule_search_locations:
        return {}
    for location in spec.submodule_search_locations:
        path = Path(location) / _DATA_FILE
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            templates = data.get("Templates", {})
            return templates if isinstance(templates, dict) else {}
    return {}


def template_names() -> frozenset[str]:
    """Names of every SAM policy template, e.g. "S3CrudPolicy"."""
    return frozenset(_templates())


def expand_template(name: str, params: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """The statements of template `name` with its parameters replaced by `params`.

    A parameter value may be any CloudFormation value ({"Ref": "MyBucket"}, a string ...).
    Other intrinsics (Fn::Sub with ${AWS::Partition} ...) are left for a later resolver, and
    so is {"Ref": param} when `params` lacks that parameter. Unknown `name` -> None.
    """
    template = _templates().get(name)
    if not isinstance(template, dict):
        return None
    declared = template.get("Parameters") or {}
    values = {key: params[key] for key in declared if key in params}
    statements = template.get("Definition", {}).get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    return [_substitute(statement, values) for statement in statements]


def _substitute(node: Any, values: Mapping[str, Any]) -> Any:
    """A deep copy of `node` where {"Ref": p} becomes values[p] for each given parameter p."""
    if isinstance(node, dict):
        ref = node.get("Ref") if len(node) == 1 else None
        if isinstance(ref, str) and ref in values:
            # Copied so that callers mutating one expansion never alter the user's template.
            return copy.deepcopy(values[ref])
        return {key: _substitute(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_substitute(item, values) for item in node]
    return node
