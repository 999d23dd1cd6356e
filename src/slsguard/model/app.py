"""Model classes. Values are plain data, or Unresolved/Ref/GetAtt where not statically known.

Every node carries the SourceRef of the line a user would edit to change it; an inherited
setting (provider-level, SAM Globals) points at the place it is inherited from.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slsguard.model.source import DocPath, SourceRef

if TYPE_CHECKING:  # the dependency readers are imported only by scans that use them
    from slsguard.deps.model import Manifest
    from slsguard.deps.osv import Match
    from slsguard.least_privilege.needs import FunctionNeeds


class Format(enum.StrEnum):
    SERVERLESS = "serverless"
    SAM = "sam"
    CLOUDFORMATION = "cloudformation"


@dataclass(frozen=True, slots=True)
class Statement:
    """One IAM policy statement, as written (wildcards kept)."""

    effect: Any
    actions: tuple[Any, ...]
    resources: tuple[Any, ...]
    src: SourceRef
    not_actions: tuple[Any, ...] = ()
    not_resources: tuple[Any, ...] = ()
    principal: Any = None
    condition: Any = None
    action_src: SourceRef | None = None
    resource_src: SourceRef | None = None
    origin: str = ""  # where it came from, e.g. "provider.iam.role.statements", "SAM S3CrudPolicy"

    @property
    def allows(self) -> bool:
        return bool(self.effect == "Allow")


@dataclass(frozen=True, slots=True)
class ManagedPolicyRef:
    """An attached managed policy or SAM policy template, by name or ARN."""

    name: Any  # "AdministratorAccess", an ARN, or Unresolved
    src: SourceRef
    kind: str = "aws-managed"  # "aws-managed", "customer-managed", "sam-template", "unknown"


@dataclass(frozen=True, slots=True)
class Role:
    id: str  # logical id, or a synthesized id such as "serverless:provider-role"
    src: SourceRef
    statements: tuple[Statement, ...] = ()
    managed_policies: tuple[ManagedPolicyRef, ...] = ()
    external: Any = None  # an existing role given by ARN/name: its permissions are unknown


@dataclass(frozen=True, slots=True)
class Authorizer:
    kind: str  # "cognito", "jwt", "lambda", "iam", "aws_iam", "custom", "unknown"
    name: Any
    src: SourceRef
    audience: Any = None
    issuer: Any = None


@dataclass(frozen=True, slots=True)
class Event:
    """A trigger of a function."""

    kind: str  # http, httpApi, websocket, s3, sqs, sns, stream, schedule, eventBridge,
    # cognitoUserPool, alb, url, iot, cloudwatchLog, other
    src: SourceRef
    method: str | None = None
    path: Any = None
    authorizer: Authorizer | None = None
    api_key_required: bool = False
    api_id: str | None = None  # model id of the Api it belongs to
    source: Any = None  # bucket/queue/topic/stream (ARN, name, Ref or Unresolved)
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def is_http(self) -> bool:
        return self.kind in ("http", "httpApi", "websocket", "alb", "url")

    @property
    def is_cors_preflight(self) -> bool:
        return (self.method or "").upper() == "OPTIONS"


@dataclass(frozen=True, slots=True)
class EnvVar:
    name: str
    value: Any
    src: SourceRef


@dataclass(frozen=True, slots=True)
class FunctionUrl:
    auth_type: Any  # "NONE", "AWS_IAM" or Unresolved
    src: SourceRef
    cors: Any = None


@dataclass(frozen=True, slots=True)
class Setting:
    """A scalar setting and where it is set (the function itself or what it inherits)."""

    value: Any
    src: SourceRef


@dataclass(frozen=True, slots=True)
class Function:
    id: str  # serverless function key or CloudFormation logical id
    format: Format
    src: SourceRef
    name: Any = None  # deployed name when set
    runtime: Setting | None = None
    handler: Any = None
    code_path: str | None = None  # directory or file holding the code, relative to root
    timeout: Setting | None = None  # None: the platform default applies
    default_timeout: int = 3
    memory: Setting | None = None
    reserved_concurrency: Setting | None = None
    tracing: Setting | None = None
    kms_key: Setting | None = None
    log_retention: Setting | None = None
    layers: tuple[Setting, ...] = ()
    environment: tuple[EnvVar, ...] = ()
    events: tuple[Event, ...] = ()
    role: Role | None = None
    url: FunctionUrl | None = None
    dead_letter: Setting | None = None
    on_failure: Setting | None = None
    log_group: LogGroup | None = None
    vpc: Setting | None = None
    # Asynchronous invocation settings (retries, maximum event age, destinations) as written
    invoke_config: Setting | None = None

    @property
    def effective_timeout(self) -> int | None:
        """Seconds, the platform default when unset, None when not statically known."""
        from slsguard.model.values import to_int

        if self.timeout is None:
            return self.default_timeout
        return to_int(self.timeout.value)

    @property
    def http_events(self) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.is_http)

    def public_route(self) -> str | None:
        """How anyone can call the function without credentials ("POST /orders", "its
        public function URL"), or None."""
        for event in self.events:
            if event.kind in ("http", "httpApi") and event.authorizer is None:
                return f"{event.method or 'ANY'} {event.path}"
        if self.url is not None and self.url.auth_type == "NONE":
            return "its public function URL"
        return None


@dataclass(frozen=True, slots=True)
class Bucket:
    id: str
    src: SourceRef
    name: Any = None
    acl: Setting | None = None
    public_access_block: Setting | None = None
    encryption: Setting | None = None
    website: bool = False
    policy_statements: tuple[Statement, ...] = ()


@dataclass(frozen=True, slots=True)
class Api:
    id: str
    kind: str  # "rest", "http", "websocket"
    src: SourceRef
    name: Any = None
    default_authorizer: Authorizer | None = None
    waf: Setting | None = None  # the WebACL associated with the API (or one of its stages)
    access_logging: Setting | None = None
    throttling: Setting | None = None
    tracing: Setting | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    # REST endpoint type as written: "EDGE", "REGIONAL", "PRIVATE" (any case), Unresolved, or
    # None when unset (edge for serverless, REST default). PRIVATE APIs are reachable only
    # from VPC endpoints.
    endpoint_type: Any = None


@dataclass(frozen=True, slots=True)
class Permission:
    """A resource-based grant to invoke a function (AWS::Lambda::Permission)."""

    id: str
    src: SourceRef
    function_id: str | None
    action: Any = None
    principal: Any = None
    source_arn: Any = None
    source_account: Any = None
    url_auth_type: Any = None  # FunctionUrlAuthType for lambda:InvokeFunctionUrl


@dataclass(frozen=True, slots=True)
class LogGroup:
    id: str
    src: SourceRef
    name: Any = None
    function_id: str | None = None  # the function whose logs it holds, when known
    retention: Setting | None = None
    kms_key: Setting | None = None


@dataclass(frozen=True, slots=True)
class DataStore:
    """A queue, topic, table or stream: what events come from and functions write to."""

    id: str
    kind: str  # "queue", "topic", "table", "stream"
    src: SourceRef
    name: Any = None
    encryption: Setting | None = None  # the property that sets encryption, when present
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Alarm:
    id: str
    src: SourceRef
    metric: Any = None
    function_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Parameter:
    """A CloudFormation template parameter."""

    name: str
    src: SourceRef
    type: Any = None
    no_echo: bool = False
    has_default: bool = False
    default: Any = None


@dataclass(frozen=True, slots=True)
class Output:
    name: str
    src: SourceRef
    value: Any = None
    exported: bool = False


@dataclass(frozen=True, slots=True)
class ShippedManifest:
    """A dependency manifest (or lock file, or vendored package) and the functions it ships in."""

    manifest: Manifest
    functions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Resource:
    """Any CloudFormation resource, resolved; for rules whose data the model does not type."""

    id: str
    type: str
    src: SourceRef
    properties: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class App:
    """One deployable unit: a serverless.yml service, or one SAM/CloudFormation template."""

    file: str
    format: Format
    src: SourceRef
    name: Any = None
    functions: tuple[Function, ...] = ()
    roles: tuple[Role, ...] = ()
    buckets: tuple[Bucket, ...] = ()
    apis: tuple[Api, ...] = ()
    resources: tuple[Resource, ...] = ()
    permissions: tuple[Permission, ...] = ()
    log_groups: tuple[LogGroup, ...] = ()
    stores: tuple[DataStore, ...] = ()
    alarms: tuple[Alarm, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    outputs: tuple[Output, ...] = ()
    deployment_bucket: Setting | None = None  # serverless provider.deploymentBucket
    dependencies: tuple[ShippedManifest, ...] = ()
    # Lambda layers whose content is in the project: (logical id, directory relative to the
    # app's file), so the dependencies they ship are attributed to the functions using them.
    layer_dirs: tuple[tuple[str, str], ...] = ()
    # serverless.yml `package.patterns` (and the older `package.exclude`, as `!` patterns)
    package_patterns: tuple[str, ...] = ()
    # Known advisories per (ecosystem, name, version), filled when an advisory source was
    # consulted (None: none was, so SLS0601 cannot say anything either way).
    advisories: Mapping[tuple[str, str, str], tuple[Match, ...]] | None = None
    # What each function's code and configuration need from IAM, by function id; filled by
    # scans that run the least-privilege rules (None: not analysed).
    needs: Mapping[str, FunctionNeeds] | None = None
    # (document path prefix, rule ids) from CloudFormation Metadata: {slsguard: {ignore: [...]}}
    ignores: tuple[tuple[tuple[str | int, ...], frozenset[str]], ...] = ()
    custom: Setting | None = None  # serverless `custom:` section (plugin settings), resolved
    cloud: str = "aws"  # serverless provider.name: AWS-only rules skip other clouds
    # Location of any node of the source document by path (set by the loaders), so rules on
    # resources the model does not type can point at the property line: see `App.at`.
    locate: Callable[[DocPath], SourceRef] | None = field(default=None, compare=False, repr=False)

    def at(self, path: DocPath, fallback: SourceRef) -> SourceRef:
        """Location of the node at path (nearest written ancestor), fallback when unknown."""
        return self.locate(path) if self.locate is not None else fallback

    def function(self, function_id: str) -> Function:
        for fn in self.functions:
            if fn.id == function_id:
                return fn
        raise KeyError(function_id)
