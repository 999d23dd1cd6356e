"""Policy-statement maths on the model's Statements, using the action catalogue."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from slsguard.iam import catalog
from slsguard.iam.catalog import ActionInfo
from slsguard.model.app import Statement

SAM_TEMPLATE_ORIGIN = "SAM policy template "

# arn:partition:service:region:account:resource where the resource part names no instance:
# "*", "role/*", "function:*". S3 ARNs have no type prefix ("bucket/*" is one bucket's
# objects), so they only match the bare "*".
_EVERY_OF_TYPE = re.compile(
    r"arn:[^:]+:(?P<service>[^:]+):[^:]*:[^:]*:(?:\*|(?P<type>[\w.-]+)[/:]\*)"
)


def is_star(resource: object) -> bool:
    """`Resource: "*"` exactly (a partial wildcard such as `log-group:*` is scoped)."""
    return resource == "*"


def covers_every_resource(resource: object) -> bool:
    """ "*", or an ARN naming every resource of a type (arn:aws:iam::123:role/*)."""
    if not isinstance(resource, str):
        return False  # Ref/GetAtt/Unresolved: a specific resource or not known
    if resource == "*":
        return True
    match = _EVERY_OF_TYPE.fullmatch(resource)
    return match is not None and (match["service"] != "s3" or resource.endswith(":::*"))


def covers_every_resource_of(resource: object, action: ActionInfo) -> bool:
    """`resource` matches every resource `action` can act on ("*", arn:aws:iam::1:role/* for
    iam:PassRole, not for iam:PutUserPolicy)."""
    if resource == "*":
        return True
    if not isinstance(resource, str) or not covers_every_resource(resource):
        return False
    match = _EVERY_OF_TYPE.fullmatch(resource)
    assert match is not None
    if match["service"].lower() != action.service:
        return False
    kind = match["type"]
    return kind is None or kind.lower() in {t.lower() for t in action.resource_types}


def from_sam_template(stmt: Statement) -> bool:
    return stmt.origin.startswith(SAM_TEMPLATE_ORIGIN)


def is_action_wildcard(action: object) -> bool:
    """A service-scoped wildcard such as s3:* or dynamodb:Put* (not "*" or "*:*")."""
    return (
        isinstance(action, str)
        and ("*" in action or "?" in action)
        and action not in ("*", "*:*")
        and ":" in action
    )


@dataclass(frozen=True, slots=True)
class Granted:
    """What one Action entry of a statement grants."""

    pattern: str
    actions: tuple[ActionInfo, ...]  # empty when the pattern matches no known action


def granted(actions: Iterable[object]) -> list[Granted]:
    """The known actions behind each Action entry; unresolved or unknown entries are left out."""
    out: list[Granted] = []
    for pattern in actions:
        if not isinstance(pattern, str):
            continue
        infos = catalog.expand_infos(pattern)
        if infos is not None:
            out.append(Granted(pattern, infos))
    return out


def names(infos: Iterable[ActionInfo], limit: int = 4) -> str:
    """ "a, b, c and 5 more", sorted, for messages."""
    shown = sorted({i.full_name for i in infos})
    more = len(shown) - limit
    text = ", ".join(shown[:limit])
    return f"{text} and {more} more" if more > 0 else text


# arn:aws:sns:*:*:* or arn:aws:sns:*:* -- every ARN of one service
_EVERY_ARN_OF_SERVICE = re.compile(r"arn:[^:]+:(?P<service>[^:*]+)(?::\*?)*")


def every_arn_of_service(resource: object) -> str | None:
    """The service whose every ARN `resource` matches, e.g. "sns" for arn:aws:sns:*:*:*."""
    if not isinstance(resource, str):
        return None
    match = _EVERY_ARN_OF_SERVICE.fullmatch(resource)
    return match["service"].lower() if match else None


@dataclass(frozen=True, slots=True)
class Denials:
    """What a role's unconditional Deny statements take away from its Allows.

    `everywhere`: actions denied on "*"; `every_arn`: actions denied on every ARN of their
    service, which leaves only the calls that name no resource (an SMS sent with
    sns:Publish to a phone number needs Resource "*" and no topic).
    """

    all_actions: bool
    everywhere: frozenset[str]
    every_arn: frozenset[str]

    def cancels(self, action: ActionInfo) -> bool:
        return self.all_actions or action.full_name.lower() in self.everywhere

    def cancels_arns(self, action: ActionInfo) -> bool:
        return self.cancels(action) or action.full_name.lower() in self.every_arn


def denials(statements: Iterable[Statement]) -> Denials:
    everywhere: set[str] = set()
    every_arn: set[str] = set()
    all_actions = False
    for stmt in statements:
        # A conditional Deny may not apply; NotAction/NotResource Denies are left aside.
        if stmt.effect != "Deny" or stmt.condition or stmt.not_actions or stmt.not_resources:
            continue
        star = any(r == "*" for r in stmt.resources)
        services = {s for r in stmt.resources if (s := every_arn_of_service(r))}
        if star and any(a in ("*", "*:*") for a in stmt.actions):
            all_actions = True
        for grant in granted(stmt.actions):
            for action in grant.actions:
                if star:
                    everywhere.add(action.full_name.lower())
                elif action.service in services:
                    every_arn.add(action.full_name.lower())
    return Denials(all_actions, frozenset(everywhere), frozenset(every_arn))
