"""Rule metadata and the @rule decorator.

A rule is a generator function whose first parameter's type names the model scope it
visits (one of SCOPES: App, Function, Role, Bucket, Api, Permission, LogGroup, DataStore,
Resource). It yields Hit objects; the engine turns them into Findings with the rule's
metadata. Metadata lives on the rule so that `slsguard rules`, `slsguard explain` and
docs/rules/*.md are generated from one place.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import (
    Api,
    App,
    Bucket,
    DataStore,
    Function,
    LogGroup,
    Permission,
    Resource,
    Role,
)
from slsguard.model.source import SourceRef

SCOPES: tuple[type, ...] = (
    App,
    Function,
    Role,
    Bucket,
    Api,
    Resource,
    Permission,
    LogGroup,
    DataStore,
)


@dataclass(frozen=True, slots=True)
class Hit:
    src: SourceRef
    message: str
    subject: str
    severity: Severity | None = None  # overrides the rule's default when set


@dataclass(frozen=True, slots=True)
class RuleMeta:
    id: str
    name: str  # kebab-case, e.g. "iam-admin-action"
    category: Category
    severity: Severity
    confidence: Confidence
    title: str  # one line, what is wrong
    rationale: str  # why it matters
    fix: str  # how to fix, per format where it differs
    references: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("serverless", "sam", "cloudformation")
    # Applies to serverless.yml of other providers too (Azure, Google ...): only rules about
    # provider-independent settings such as environment variables. AWS-only by default.
    any_cloud: bool = False
    # The fix in each format's own words: (("serverless", "..."), ("sam", "..."), ...).
    fixes: tuple[tuple[str, str], ...] = ()

    def fix_for(self, fmt: str) -> str:
        """The fix as a user of that format writes it; the general fix otherwise."""
        return dict(self.fixes).get(fmt, self.fix)

    @property
    def help_uri(self) -> str:
        return f"https://github.com/slsguard/slsguard/blob/main/docs/rules/{self.id}.md"


CheckFn = Callable[..., Iterator[Hit]]


@dataclass(frozen=True, slots=True)
class Rule:
    meta: RuleMeta
    scope: type
    check: CheckFn = field(compare=False)

    @property
    def id(self) -> str:
        return self.meta.id


def rule(**meta: Any) -> Callable[[CheckFn], Rule]:
    """Declare a rule; its scope is the annotated type of the check's first parameter."""

    def wrap(check: CheckFn) -> Rule:
        params = list(inspect.signature(check, eval_str=True).parameters.values())
        scope = params[0].annotation if params else None
        if scope not in SCOPES:
            raise TypeError(f"{check.__name__}: first parameter must be one of {SCOPES}")
        return Rule(RuleMeta(**meta), scope, check)

    return wrap
