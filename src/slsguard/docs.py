"""Rule documentation generated from rule metadata (and the rule's fixtures when present)."""

from __future__ import annotations

from slsguard.rules.base import RuleMeta


def rule_markdown(meta: RuleMeta) -> str:
    lines = [
        f"# {meta.id}: {meta.title}",
        "",
        f"- **Name:** `{meta.name}`",
        f"- **Category:** {meta.category.value} ({meta.category.title})",
        f"- **Default severity:** {meta.severity.value}",
        f"- **Confidence:** {meta.confidence.value}",
        f"- **Formats:** {', '.join(meta.formats)}",
        "",
        "## Why it matters",
        "",
        meta.rationale,
        "",
        "## How to fix",
        "",
        meta.fix,
        "",
        "## Suppress",
        "",
        f"`# slsguard: ignore[{meta.id}] <reason>` on or above the flagged line, or "
        f"`Metadata: {{slsguard: {{ignore: [{meta.id}]}}}}` on a CloudFormation resource.",
    ]
    if meta.references:
        lines += ["", "## References", ""] + [f"- {ref}" for ref in meta.references]
    return "\n".join(lines) + "\n"
