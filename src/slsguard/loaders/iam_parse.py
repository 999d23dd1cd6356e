"""IAM policy documents (already intrinsic-resolved) -> model Statements with locations."""

from __future__ import annotations

from typing import Any

from slsguard.loaders.yaml_source import Document
from slsguard.model.app import Statement
from slsguard.model.source import DocPath
from slsguard.model.values import as_list


def statements_from_list(doc: Document, items: Any, path: DocPath, origin: str) -> list[Statement]:
    """A list of statements (serverless iamRoleStatements) or a single statement."""
    out: list[Statement] = []
    for index, item in enumerate(as_list(items)):
        item_path = (*path, index) if isinstance(items, list) else path
        stmt = statement(doc, item, item_path, origin)
        if stmt is not None:
            out.append(stmt)
    return out


def statements_from_document(
    doc: Document, policy_document: Any, path: DocPath, origin: str
) -> list[Statement]:
    """A policy document {"Version": ..., "Statement": [...]}."""
    if not isinstance(policy_document, dict):
        return []
    return statements_from_list(doc, policy_document.get("Statement"), (*path, "Statement"), origin)


def statement(doc: Document, item: Any, path: DocPath, origin: str) -> Statement | None:
    if not isinstance(item, dict):
        return None
    action_key = "Action" if "Action" in item else "NotAction"
    resource_key = "Resource" if "Resource" in item else "NotResource"
    return Statement(
        effect=item.get("Effect"),
        actions=tuple(as_list(item.get("Action"))),
        resources=tuple(as_list(item.get("Resource"))),
        not_actions=tuple(as_list(item.get("NotAction"))),
        not_resources=tuple(as_list(item.get("NotResource"))),
        principal=item.get("Principal"),
        condition=item.get("Condition"),
        src=doc.ref(path),
        action_src=doc.ref((*path, action_key)),
        resource_src=doc.ref((*path, resource_key)),
        origin=origin,
    )
