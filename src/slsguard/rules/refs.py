"""Reading references between resources in the resolved model, shared by the rules."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import Any

from slsguard.model.app import App, Resource
from slsguard.model.values import GetAtt, Ref, Unresolved


def resources_of(app: App, *types: str) -> Iterator[Resource]:
    return (r for r in app.resources if r.type in types)


def resource(app: App, logical_id: str | None) -> Resource | None:
    if logical_id is None:
        return None
    return next((r for r in app.resources if r.id == logical_id), None)


def target(value: Any) -> str | None:
    """The logical id a resolved value references, if it is a Ref or GetAtt."""
    return value.logical_id if isinstance(value, (Ref, GetAtt)) else None


def mentions(value: Any, ids: str | Collection[str]) -> bool:
    """Whether a resolved value refers to one of the logical ids: a Ref or GetAtt, or the id
    as a word in an unresolved Sub/Join text or a `${...}` string, anywhere inside it."""
    wanted = {ids} if isinstance(ids, str) else set(ids)
    words = [re.compile(rf"(?<![A-Za-z0-9]){re.escape(i)}(?![A-Za-z0-9])") for i in wanted]
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, (Ref, GetAtt)):
            if node.logical_id in wanted:
                return True
        elif isinstance(node, Unresolved) or (isinstance(node, str) and "${" in node):
            text = node.expr if isinstance(node, Unresolved) else node
            if any(word.search(text) for word in words):
                return True
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False
