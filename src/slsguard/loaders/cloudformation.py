"""CloudFormation templates (and CDK synth output, and serverless.yml `resources`) -> model.

Resources are linked by logical id: a function to its role and the policies attached to
that role, events to the function they trigger, bucket policies to their bucket. SAM
resources are handled by slsguard.loaders.sam on top of the same builder.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from slsguard.loaders.iam_parse import statements_from_document
from slsguard.loaders.intrinsics import IntrinsicResolver
from slsguard.loaders.yaml_source import Document
from slsguard.model.app import (
    Alarm,
    Api,
    Authorizer,
    Bucket,
    DataStore,
    EnvVar,
    Event,
    Format,
    Function,
    FunctionUrl,
    LogGroup,
    ManagedPolicyRef,
    Output,
    Parameter,
    Permission,
    Resource,
    Role,
    Setting,
    Statement,
)
from slsguard.model.source import DocPath
from slsguard.model.values import GetAtt, Ref, Unresolved, as_list

_SUB_REF = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z.]+)?\}")


@dataclass
class RawResource:
    id: str
    type: str
    path: DocPath  # path of the resource node in the document
    raw: dict[str, Any]  # Properties as written
    props: dict[str, Any]  # Properties resolved
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class Parts:
    """What a template contributes to the App."""

    functions: list[Function] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    buckets: list[Bucket] = field(default_factory=list)
    apis: list[Api] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    ignores: list[tuple[DocPath, frozenset[str]]] = field(default_factory=list)
    permissions: list[Permission] = field(default_factory=list)
    log_groups: list[LogGroup] = field(default_factory=list)
    stores: list[DataStore] = field(default_factory=list)
    alarms: list[Alarm] = field(default_factory=list)
    parameters: list[Parameter] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)


def refers_to(raw: Any, ids: Mapping[str, Any] | set[str]) -> set[str]:
    """Logical ids that a raw (unresolved) value points at through Ref, GetAtt or ${X}."""
    found: set[str] = set()
    stack = [raw]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if len(node) == 1:
                ((key, arg),) = node.items()
                if key == "Ref" and isinstance(arg, str) and arg in ids:
                    found.add(arg)
                elif key == "Fn::GetAtt":
                    target = (
                        arg.split(".", 1)[0]
                        if isinstance(arg, str)
                        else (arg[0] if isinstance(arg, list) and arg else None)
                    )
                    if isinstance(target, str) and target in ids:
                        found.add(target)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and "${" in node:
            found.update(m for m in _SUB_REF.findall(node) if m in ids)
        elif isinstance(node, (Ref, GetAtt)) and node.logical_id in ids:
            found.add(node.logical_id)
    return found


def target_id(value: Any) -> str | None:
    """The logical id a resolved value references, if it is a Ref or GetAtt."""
    if isinstance(value, (Ref, GetAtt)):
        return value.logical_id
    return None


class TemplateBuilder:
    def __init__(
        self,
        doc: Document,
        template: dict[str, Any],
        *,
        base: DocPath = (),
        params: Mapping[str, str] | None = None,
        region: str | None = None,
        fmt: Format = Format.CLOUDFORMATION,
    ) -> None:
        self.doc = doc
        self.base = base
        self.format = fmt
        self.resolver = IntrinsicResolver(template, params, region)
        self.parts = Parts()
        self.build_template_sections(template)
        self.by_id: dict[str, RawResource] = {}
        resources = template.get("Resources")
        for logical_id, node in resources.items() if isinstance(resources, dict) else ():
            if not isinstance(node, dict) or not isinstance(node.get("Type"), str):
                continue
            condition = node.get("Condition")
            if isinstance(condition, str) and self.resolver.condition(condition) is False:
                continue
            raw = node.get("Properties")
            raw = raw if isinstance(raw, dict) else {}
            props = self.resolver.resolve(raw)
            path = (*base, "Resources", logical_id)
            metadata = node.get("Metadata")
            metadata = metadata if isinstance(metadata, dict) else {}
            self.by_id[logical_id] = RawResource(
                logical_id, node["Type"], path, raw, props, metadata
            )
            self._record_ignores(path, metadata)
            self.parts.resources.append(
                Resource(logical_id, node["Type"], doc.ref(path), props, metadata)
            )

    # -- helpers --------------------------------------------------------------------------

    def of_type(self, *types: str) -> Iterator[RawResource]:
        return (r for r in self.by_id.values() if r.type in types)

    def setting(self, res: RawResource, *keys: str) -> Setting | None:
        node: Any = res.props
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return Setting(node, self.doc.ref((*res.path, "Properties", *keys)))

    def _record_ignores(self, path: DocPath, metadata: Mapping[str, Any]) -> None:
        own = metadata.get("slsguard")
        ids = own.get("ignore") if isinstance(own, dict) else None
        if isinstance(ids, list):
            self.parts.ignores.append((path, frozenset(str(i) for i in ids)))

    # -- roles ----------------------------------------------------------------------------

    def build_roles(self) -> dict[str, Role]:
        attached: dict[str, list[Statement]] = {}
        attached_managed: dict[str, list[ManagedPolicyRef]] = {}
        for policy in self.of_type("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            policy_statements = statements_from_document(
                self.doc,
                policy.props.get("PolicyDocument"),
                (*policy.path, "Properties", "PolicyDocument"),
                f"{policy.type} {policy.id}",
            )
            for role_id in refers_to(policy.raw.get("Roles"), self.by_id):
                attached.setdefault(role_id, []).extend(policy_statements)
        managed_docs = {p.id: p for p in self.of_type("AWS::IAM::ManagedPolicy")}
        roles: dict[str, Role] = {}
        for res in self.of_type("AWS::IAM::Role"):
            statements: list[Statement] = []
            for index, inline in enumerate(as_list(res.props.get("Policies"))):
                if isinstance(inline, dict):
                    statements += statements_from_document(
                        self.doc,
                        inline.get("PolicyDocument"),
                        (*res.path, "Properties", "Policies", index, "PolicyDocument"),
                        f"{res.id} inline policy {inline.get('PolicyName', index)}",
                    )
            managed: list[ManagedPolicyRef] = list(attached_managed.get(res.id, []))
            for index, arn in enumerate(as_list(res.props.get("ManagedPolicyArns"))):
                src = self.doc.ref((*res.path, "Properties", "ManagedPolicyArns", index))
                own = target_id(arn)
                if own in managed_docs:
                    statements += statements_from_document(
                        self.doc,
                        managed_docs[own].props.get("PolicyDocument"),
                        (*managed_docs[own].path, "Properties", "PolicyDocument"),
                        f"AWS::IAM::ManagedPolicy {own}",
                    )
                else:
                    managed.append(ManagedPolicyRef(arn, src, managed_kind(arn)))
            statements += attached.get(res.id, [])
            role = Role(res.id, self.doc.ref(res.path), tuple(statements), tuple(managed))
            roles[res.id] = role
        self.parts.roles.extend(roles.values())
        self._roles = roles
        return roles

    def role_for(self, value: Any, src_path: DocPath) -> Role | None:
        if value is None:
            return None
        own = target_id(value)
        if own is not None and own in getattr(self, "_roles", {}):
            return self._roles[own]
        return Role(f"external:{value}", self.doc.ref(src_path), external=value)

    # -- functions ------------------------------------------------------------------------

    def build_functions(self) -> None:
        for res in self.of_type("AWS::Lambda::Function"):
            props = res.props
            self.parts.functions.append(
                Function(
                    id=res.id,
                    format=self.format,
                    src=self.doc.ref(res.path),
                    name=props.get("FunctionName"),
                    runtime=self.setting(res, "Runtime"),
                    handler=props.get("Handler"),
                    code_path=_cdk_asset_path(res.metadata),
                    timeout=self.setting(res, "Timeout"),
                    default_timeout=3,
                    memory=self.setting(res, "MemorySize"),
                    reserved_concurrency=self.setting(res, "ReservedConcurrentExecutions"),
                    tracing=self.setting(res, "TracingConfig", "Mode"),
                    kms_key=self.setting(res, "KmsKeyArn"),
                    layers=self._list_settings(res, "Layers"),
                    environment=self.env_vars(
                        props.get("Environment"), (*res.path, "Properties", "Environment")
                    ),
                    role=self.role_for(props.get("Role"), (*res.path, "Properties", "Role")),
                    dead_letter=self.setting(res, "DeadLetterConfig", "TargetArn"),
                    vpc=self.setting(res, "VpcConfig"),
                    events=tuple(self.cfn_events(res.id)),
                    url=self.function_url(res.id),
                )
            )

    def _list_settings(self, res: RawResource, key: str) -> tuple[Setting, ...]:
        items = res.props.get(key)
        if not isinstance(items, list):
            return ()
        return tuple(
            Setting(item, self.doc.ref((*res.path, "Properties", key, i)))
            for i, item in enumerate(items)
        )

    def env_vars(self, environment: Any, path: DocPath) -> tuple[EnvVar, ...]:
        variables = environment.get("Variables") if isinstance(environment, dict) else None
        if not isinstance(variables, dict):
            return ()
        return tuple(
            EnvVar(str(name), value, self.doc.ref((*path, "Variables", name)))
            for name, value in variables.items()
        )

    def function_url(self, function_id: str) -> FunctionUrl | None:
        for res in self.of_type("AWS::Lambda::Url"):
            if function_id in refers_to(res.raw.get("TargetFunctionArn"), {function_id}):
                return FunctionUrl(
                    res.props.get("AuthType"),
                    self.doc.ref((*res.path, "Properties", "AuthType")),
                    res.props.get("Cors"),
                )
        return None

    def cfn_events(self, function_id: str) -> Iterator[Event]:
        ids = {function_id}
        yield from self._rest_methods(ids)
        yield from self._v2_routes(ids)
        for res in self.of_type("AWS::Lambda::EventSourceMapping"):
            if refers_to(res.raw.get("FunctionName"), ids):
                source = res.props.get("EventSourceArn")
                kind = _source_kind(source, self.by_id)
                yield Event(kind, self.doc.ref(res.path), source=source, properties=res.props)
        for res in self.of_type("AWS::SNS::Subscription"):
            if res.props.get("Protocol") == "lambda" and refers_to(res.raw.get("Endpoint"), ids):
                yield Event("sns", self.doc.ref(res.path), source=res.props.get("TopicArn"))
        for res in self.of_type("AWS::Events::Rule"):
            targets = res.raw.get("Targets")
            if refers_to(targets, ids):
                kind = "schedule" if "ScheduleExpression" in res.props else "eventBridge"
                yield Event(kind, self.doc.ref(res.path), properties=res.props)
        for res in self.of_type("AWS::S3::Bucket"):
            notif = res.raw.get("NotificationConfiguration")
            if isinstance(notif, dict) and refers_to(notif.get("LambdaConfigurations"), ids):
                yield Event("s3", self.doc.ref(res.path), source=Ref(res.id))

    def _rest_methods(self, ids: set[str]) -> Iterator[Event]:
        for res in self.of_type("AWS::ApiGateway::Method"):
            integration = res.raw.get("Integration")
            uri = integration.get("Uri") if isinstance(integration, dict) else None
            if not refers_to(uri, ids):
                continue
            auth = res.props.get("AuthorizationType", "NONE")
            yield Event(
                "http",
                self.doc.ref((*res.path, "Properties", "HttpMethod")),
                method=str(res.props.get("HttpMethod", "ANY")),
                path=self._rest_path(res.props.get("ResourceId")),
                authorizer=_authorizer_from_type(
                    auth, self.doc.ref((*res.path, "Properties", "AuthorizationType"))
                ),
                api_key_required=res.props.get("ApiKeyRequired") is True,
                api_id=target_id(res.props.get("RestApiId")),
            )

    def _rest_path(self, resource_id: Any) -> Any:
        parts: list[str] = []
        current = target_id(resource_id)
        for _ in range(30):
            if current is None or current not in self.by_id:
                break
            res = self.by_id[current]
            parts.append(str(res.props.get("PathPart", "?")))
            current = target_id(res.props.get("ParentId"))
        return "/" + "/".join(reversed(parts))

    def _v2_routes(self, ids: set[str]) -> Iterator[Event]:
        integrations = {
            r.id
            for r in self.of_type("AWS::ApiGatewayV2::Integration")
            if refers_to(r.raw.get("IntegrationUri"), ids)
        }
        for res in self.of_type("AWS::ApiGatewayV2::Route"):
            if not refers_to(res.raw.get("Target"), integrations):
                continue
            route_key = res.props.get("RouteKey")
            method, _, path = str(route_key).partition(" ")
            kind = "websocket" if str(route_key).startswith("$") else "httpApi"
            yield Event(
                kind,
                self.doc.ref((*res.path, "Properties", "RouteKey")),
                method=method if path else None,
                path=path or route_key,
                authorizer=_authorizer_from_type(
                    res.props.get("AuthorizationType", "NONE"),
                    self.doc.ref((*res.path, "Properties", "AuthorizationType")),
                ),
                api_key_required=res.props.get("ApiKeyRequired") is True,
                api_id=target_id(res.props.get("ApiId")),
            )
        for res in self.of_type("AWS::ApiGatewayV2::Api"):
            if refers_to(res.raw.get("Target"), ids):  # quick create: one public $default route
                yield Event(
                    "httpApi",
                    self.doc.ref((*res.path, "Properties", "Target")),
                    method="ANY",
                    path="$default",
                    api_id=res.id,
                )

    # -- buckets and apis -------------------------------------------------------------------

    def build_buckets(self) -> None:
        policies: dict[str, list[Statement]] = {}
        for res in self.of_type("AWS::S3::BucketPolicy"):
            owner = target_id(res.props.get("Bucket"))
            if owner:
                policies.setdefault(owner, []).extend(
                    statements_from_document(
                        self.doc,
                        res.props.get("PolicyDocument"),
                        (*res.path, "Properties", "PolicyDocument"),
                        f"AWS::S3::BucketPolicy {res.id}",
                    )
                )
        for res in self.of_type("AWS::S3::Bucket"):
            self.parts.buckets.append(
                Bucket(
                    id=res.id,
                    src=self.doc.ref(res.path),
                    name=res.props.get("BucketName"),
                    acl=self.setting(res, "AccessControl"),
                    public_access_block=self.setting(res, "PublicAccessBlockConfiguration"),
                    encryption=self.setting(res, "BucketEncryption"),
                    website="WebsiteConfiguration" in res.props,
                    policy_statements=tuple(policies.get(res.id, [])),
                )
            )

    def build_apis(self) -> None:
        kinds = {
            "AWS::ApiGateway::RestApi": "rest",
            "AWS::ApiGatewayV2::Api": "http",
        }
        for res in self.of_type(*kinds):
            kind = kinds[res.type]
            if kind == "http" and res.props.get("ProtocolType") == "WEBSOCKET":
                kind = "websocket"
            self.parts.apis.append(
                Api(
                    res.id,
                    kind,
                    self.doc.ref(res.path),
                    res.props.get("Name"),
                    properties=res.props,
                    endpoint_type=endpoint_type(res.props.get("EndpointConfiguration")),
                )
            )

    # -- links between resources -----------------------------------------------------------

    def build_links(self) -> None:
        """Permissions, log groups, data stores, alarms and WAF associations, linked to the
        functions and APIs they concern by logical id (or by a literal function name)."""
        functions = {fn.id: fn for fn in self.parts.functions}
        names = {fn.name: fn.id for fn in self.parts.functions if isinstance(fn.name, str)}

        def function_of(raw: Any, resolved: Any) -> str | None:
            ids = refers_to(raw, functions)
            if ids:
                return sorted(ids)[0]
            if isinstance(resolved, str):
                return names.get(resolved.rsplit(":", 1)[-1].removeprefix("/aws/lambda/"))
            return None

        for res in self.of_type("AWS::Lambda::Permission"):
            props = res.props
            self.parts.permissions.append(
                Permission(
                    res.id,
                    self.doc.ref(res.path),
                    function_of(res.raw.get("FunctionName"), props.get("FunctionName")),
                    action=props.get("Action"),
                    principal=props.get("Principal"),
                    source_arn=props.get("SourceArn"),
                    source_account=props.get("SourceAccount"),
                    url_auth_type=props.get("FunctionUrlAuthType"),
                )
            )
        for res in self.of_type("AWS::Logs::LogGroup"):
            name = res.props.get("LogGroupName")
            self.parts.log_groups.append(
                LogGroup(
                    res.id,
                    self.doc.ref(res.path),
                    name,
                    function_id=function_of(res.raw.get("LogGroupName"), name)
                    if _is_lambda_log_name(res.raw.get("LogGroupName"), name)
                    else None,
                    retention=self.setting(res, "RetentionInDays"),
                    kms_key=self.setting(res, "KmsKeyId"),
                )
            )
        for type_, kind, key in _STORE_TYPES:
            for res in self.of_type(type_):
                self.parts.stores.append(
                    DataStore(
                        res.id,
                        kind,
                        self.doc.ref(res.path),
                        res.props.get(_STORE_NAMES[kind]),
                        encryption=self.setting(res, key),
                        properties=res.props,
                    )
                )
        for res in self.of_type("AWS::CloudWatch::Alarm"):
            watched = refers_to(res.raw.get("Dimensions"), functions)
            self.parts.alarms.append(
                Alarm(
                    res.id,
                    self.doc.ref(res.path),
                    res.props.get("MetricName"),
                    tuple(sorted(watched)),
                )
            )
        self._link_log_groups(functions)
        self._link_invoke_configs(functions)
        self._link_waf()

    def _link_invoke_configs(self, functions: Mapping[str, Function]) -> None:
        configs: dict[str, Setting] = {}
        for res in self.of_type("AWS::Lambda::EventInvokeConfig"):
            for fn_id in refers_to(res.raw.get("FunctionName"), functions):
                configs[fn_id] = Setting(res.props, self.doc.ref(res.path))
        if not configs:
            return
        linked = []
        for fn in self.parts.functions:
            config = configs.get(fn.id)
            if config is not None:
                destination = config.value.get("DestinationConfig")
                on_failure = fn.on_failure
                if isinstance(destination, dict) and "OnFailure" in destination:
                    on_failure = Setting(destination["OnFailure"], config.src)
                fn = dataclasses.replace(fn, invoke_config=config, on_failure=on_failure)
            linked.append(fn)
        self.parts.functions[:] = linked

    def build_template_sections(self, template: Mapping[str, Any]) -> None:
        """Parameters and Outputs (top-level template sections, not resources)."""
        parameters = template.get("Parameters")
        for name, spec in parameters.items() if isinstance(parameters, dict) else ():
            spec = spec if isinstance(spec, dict) else {}
            self.parts.parameters.append(
                Parameter(
                    str(name),
                    self.doc.ref((*self.base, "Parameters", name)),
                    spec.get("Type"),
                    no_echo=str(spec.get("NoEcho")).lower() == "true",
                    has_default="Default" in spec,
                    default=spec.get("Default"),
                )
            )
        outputs = template.get("Outputs")
        for name, spec in outputs.items() if isinstance(outputs, dict) else ():
            spec = spec if isinstance(spec, dict) else {}
            self.parts.outputs.append(
                Output(
                    str(name),
                    self.doc.ref((*self.base, "Outputs", name, "Value")),
                    self.resolver.resolve(spec.get("Value")),
                    exported="Export" in spec,
                )
            )

    def _link_log_groups(self, functions: Mapping[str, Function]) -> None:
        by_function = {g.function_id: g for g in self.parts.log_groups if g.function_id}
        by_id = {g.id: g for g in self.parts.log_groups}
        linked = []
        for fn in self.parts.functions:
            group = by_function.get(fn.id)
            res = self.by_id.get(fn.id)
            logging = res.raw.get("LoggingConfig") if res is not None else None
            if isinstance(logging, dict):  # LoggingConfig.LogGroup names a custom group
                own = refers_to(logging.get("LogGroup"), by_id)
                group = by_id[sorted(own)[0]] if own else group
            linked.append(dataclasses.replace(fn, log_group=group) if group else fn)
        self.parts.functions[:] = linked

    def _link_waf(self) -> None:
        api_ids = {api.id for api in self.parts.apis}
        stage_api = {
            r.id: target_id(r.props.get("RestApiId") or r.props.get("ApiId"))
            for r in self.of_type("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage")
        }
        waf: dict[str, Setting] = {}
        for res in self.of_type(
            "AWS::WAFv2::WebACLAssociation", "AWS::WAFRegional::WebACLAssociation"
        ):
            raw = res.raw.get("ResourceArn")
            targets = refers_to(raw, api_ids) | {
                api
                for stage, api in stage_api.items()
                if api and stage in refers_to(raw, stage_api)
            }
            acl = self.setting(res, "WebACLArn") or self.setting(res, "WebACLId")
            for api_id in targets:
                if acl is not None:
                    waf[api_id] = acl
        if waf:
            self.parts.apis[:] = [
                dataclasses.replace(a, waf=waf[a.id]) if a.id in waf else a for a in self.parts.apis
            ]

    def build(self) -> Parts:
        self.build_roles()
        self.build_functions()
        self.build_buckets()
        self.build_apis()
        self.build_links()
        return self.parts


_STORE_TYPES = (
    ("AWS::SQS::Queue", "queue", "KmsMasterKeyId"),
    ("AWS::SNS::Topic", "topic", "KmsMasterKeyId"),
    ("AWS::DynamoDB::Table", "table", "SSESpecification"),
    ("AWS::DynamoDB::GlobalTable", "table", "SSESpecification"),
    ("AWS::Serverless::SimpleTable", "table", "SSESpecification"),
    ("AWS::Kinesis::Stream", "stream", "StreamEncryption"),
)
_STORE_NAMES = {"queue": "QueueName", "topic": "TopicName", "table": "TableName", "stream": "Name"}


def _is_lambda_log_name(raw: Any, resolved: Any) -> bool:
    text = resolved if isinstance(resolved, str) else str(raw)
    return "/aws/lambda/" in text


def endpoint_type(config: Any) -> Any:
    """REST API endpoint type: CloudFormation {Types: [X]}, SAM "X" or {Type: X}."""
    if isinstance(config, dict):
        types = config.get("Types", config.get("Type"))
        return types[0] if isinstance(types, list) and len(types) == 1 else types
    return config


def managed_kind(arn: Any) -> str:
    if isinstance(arn, str):
        if arn.startswith("arn:") and ":iam::aws:policy/" in arn:
            return "aws-managed"
        if arn.startswith("arn:"):
            return "customer-managed"
        return "aws-managed"  # SAM accepts bare AWS managed policy names
    return "unknown"


def _authorizer_from_type(auth: Any, src: Any) -> Authorizer | None:
    if isinstance(auth, Unresolved) or not isinstance(auth, str):
        return Authorizer("unknown", auth, src)
    if auth.upper() == "NONE":
        return None
    return Authorizer(auth.lower(), auth, src)


def _source_kind(source: Any, by_id: Mapping[str, RawResource]) -> str:
    owner = target_id(source)
    if owner is not None and owner in by_id:
        type_ = by_id[owner].type
        if type_ == "AWS::SQS::Queue":
            return "sqs"
        return "stream"
    text = str(source)
    if ":sqs:" in text:
        return "sqs"
    if ":kafka:" in text:
        return "kafka"
    return "stream"


def _cdk_asset_path(metadata: Mapping[str, Any]) -> str | None:
    """CDK synth output records the code directory of a function in its Metadata."""
    path = metadata.get("aws:asset:path")
    return path if isinstance(path, str) else None
