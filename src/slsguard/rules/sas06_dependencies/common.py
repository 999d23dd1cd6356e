"""Helpers shared by the dependency rules."""

from __future__ import annotations

from slsguard.model.app import App, Function

# Lock files by ecosystem: a manifest next to one of these is resolved to exact versions.
LOCK_KINDS = {
    "PyPI": frozenset({"pipfile.lock", "poetry.lock", "uv.lock"}),
    "npm": frozenset({"package-lock.json", "yarn.lock", "pnpm-lock.yaml"}),
}
# Where a package's version was read, best first: a pin the user wrote or locked beats a
# copy found among vendored packages.
KIND_PRIORITY = {"dist-info": 2, "node_modules": 2}


def exposure(function_ids: tuple[str, ...], app: App) -> str:
    """ ", reachable from POST /orders without an authorizer" for the most exposed function."""
    for fn in functions_of(function_ids, app):
        route = fn.public_route()
        if route is not None:
            return f", reachable from {route} without authorizer"
    return ""


def shipped_in(function_ids: tuple[str, ...]) -> str:
    shown = ", ".join(function_ids[:3])
    more = f" and {len(function_ids) - 3} more" if len(function_ids) > 3 else ""
    return f"function{'s' if len(function_ids) > 1 else ''} {shown}{more}"


def functions_of(function_ids: tuple[str, ...], app: App) -> list[Function]:
    return [fn for fn in app.functions if fn.id in function_ids]
