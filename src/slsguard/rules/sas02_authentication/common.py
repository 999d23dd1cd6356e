"""Helpers shared by the route rules (SAS-1, SAS-2, SAS-9): where an event was read from,
which routes are anonymous, and the lines of properties of untyped resources."""

from __future__ import annotations

from slsguard.model.app import App, Event, Resource
from slsguard.model.source import PathPart, SourceRef
from slsguard.rules.refs import mentions, resources_of, target

__all__ = ["mentions", "resources_of", "target"]  # re-exported for the route rules

REST_METHOD = "AWS::ApiGateway::Method"
V2_ROUTE = "AWS::ApiGatewayV2::Route"


def prop_src(res: Resource, app: App, *keys: PathPart) -> SourceRef:
    """The line of `Properties.<keys>` of a resource (its nearest written ancestor)."""
    return app.at((*res.src.path, "Properties", *keys), res.src)


def owning_resource(event: Event, app: App) -> Resource | None:
    """The REST method or v2 route resource an event was read from: rules that visit those
    resources themselves skip such events to report each route once."""
    for res in resources_of(app, REST_METHOD, V2_ROUTE):
        size = len(res.src.path)
        if size and event.src.path[:size] == res.src.path:
            return res
    return None


def route_label(event: Event) -> str:
    path = event.path if isinstance(event.path, str) else "/"
    if event.kind == "websocket":
        return f"WebSocket route {path}"
    return f"{event.method or 'ANY'} {path if path.startswith(('/', '$', '*')) else '/' + path}"


def is_anonymous(event: Event) -> bool:
    """An HTTP route callable without any credential (an API key is not one)."""
    return (
        event.kind in ("http", "httpApi")
        and event.authorizer is None
        and not event.is_cors_preflight
    )


def method_auth_is_none(res: Resource) -> bool:
    """A REST method or v2 route whose AuthorizationType is NONE (the default when absent)."""
    auth = res.properties.get("AuthorizationType", "NONE")
    return isinstance(auth, str) and auth.upper() == "NONE"


def method_path(res: Resource, app: App) -> str:
    """`/orders/{id}` for an AWS::ApiGateway::Method, following its Resource parents."""
    by_id = {r.id: r for r in resources_of(app, "AWS::ApiGateway::Resource")}
    parts: list[str] = []
    current = target(res.properties.get("ResourceId"))
    for _ in range(30):  # bounded: a cyclic ParentId must not hang the scan
        if current is None or current not in by_id:
            break
        part = by_id[current].properties.get("PathPart")
        parts.append(part if isinstance(part, str) else "?")
        current = target(by_id[current].properties.get("ParentId"))
    return "/" + "/".join(reversed(parts))


def method_label(res: Resource, app: App) -> str:
    verb = res.properties.get("HttpMethod")
    return f"{verb.upper() if isinstance(verb, str) else 'ANY'} {method_path(res, app)}"
