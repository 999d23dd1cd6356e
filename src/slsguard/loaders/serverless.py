"""Serverless Framework (v1 to v4) serverless.yml -> model.

Variables are resolved offline first (slsguard.loaders.sls_variables); then provider
settings are inherited by every function the way the framework does it, and
`resources.Resources` goes through the CloudFormation builder into the same App.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from slsguard.findings import Diagnostic, DiagnosticLevel
from slsguard.loaders.cloudformation import Parts, TemplateBuilder, managed_kind
from slsguard.loaders.iam_parse import statements_from_list
from slsguard.loaders.sls_variables import VariableContext, resolve_variables
from slsguard.loaders.yaml_source import Document
from slsguard.model.app import (
    Api,
    App,
    Authorizer,
    EnvVar,
    Event,
    Format,
    Function,
    FunctionUrl,
    ManagedPolicyRef,
    Role,
    Setting,
)
from slsguard.model.source import DocPath
from slsguard.model.values import Unresolved, as_list

DEFAULT_TIMEOUT = 6  # seconds, the framework's default for AWS
PROVIDER_ROLE_ID = "IamRoleLambdaExecution"  # the logical id the framework generates
REST_API_ID = "ApiGatewayRestApi"
HTTP_API_ID = "HttpApi"
WEBSOCKET_API_ID = "WebsocketsApi"


def load_serverless(
    doc: Document, ctx: VariableContext, params: dict[str, str] | None = None
) -> tuple[App | None, list[Diagnostic]]:
    data, issues = resolve_variables(doc.data, ctx)
    diagnostics: list[Diagnostic] = []
    seen: set[str] = set()
    for issue in issues:
        # One line per problem: "./secrets.json not found" once, not once per reference.
        key = _issue_key(issue.reason)
        if key not in seen:
            seen.add(key)
            line = doc.ref(issue.path).line
            diagnostics.append(Diagnostic(doc.file, issue.reason, DiagnosticLevel.WARNING, line))
    if not isinstance(data, dict):
        return None, [*diagnostics, Diagnostic(doc.file, "not a serverless.yml mapping")]
    provider = data.get("provider")
    provider = provider if isinstance(provider, dict) else {}
    cloud = str(provider.get("name", "aws"))
    if cloud != "aws":
        # Functions, runtimes and environments are still read (secrets apply everywhere);
        # events keep a provider prefix so AWS-specific rules never misread them.
        note = f"provider '{cloud}': only provider-independent checks apply"
        diagnostics.append(Diagnostic(doc.file, note, DiagnosticLevel.NOTE))
        data = {k: v for k, v in data.items() if k != "resources"}
    loader = _ServerlessLoader(doc, data, provider, ctx, params or {}, cloud)
    return loader.build(), diagnostics


class _ServerlessLoader:
    def __init__(
        self,
        doc: Document,
        data: dict[str, Any],
        provider: dict[str, Any],
        ctx: VariableContext,
        params: dict[str, str],
        cloud: str = "aws",
    ) -> None:
        self.doc = doc
        self.cloud = cloud
        self.ctx = ctx
        template = _merge_resources(data.get("resources"))
        self.cfn = TemplateBuilder(
            doc,
            template,
            base=("resources",),
            params=params,
            region=ctx.region,
            fmt=Format.SERVERLESS,
        )
        # CloudFormation intrinsics are allowed anywhere in serverless.yml (!Ref, !GetAtt ...)
        resolve = self.cfn.resolver.resolve
        self.provider = _dict(resolve(provider))
        self.data = {**data, "functions": resolve(data.get("functions"))}
        self.parts: Parts = self.cfn.parts
        self.cfn_roles = self.cfn.build_roles()
        self.http_authorizers = _dict(_dict(provider.get("httpApi")).get("authorizers"))

    # -- settings -------------------------------------------------------------------------

    def provider_setting(self, *keys: str) -> Setting | None:
        node: Any = self.provider
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return Setting(node, self.doc.ref(("provider", *keys)))

    def inherited(
        self, fn_id: str, fn: dict[str, Any], key: str, *provider_keys: str
    ) -> Setting | None:
        if key in fn:
            return Setting(fn[key], self.doc.ref(("functions", fn_id, key)))
        return self.provider_setting(*(provider_keys or (key,)))

    # -- IAM ------------------------------------------------------------------------------

    def provider_role(self) -> Role:
        iam = _dict(self.provider.get("iam"))
        role_setting = iam.get("role")
        named = isinstance(role_setting, (str, Unresolved)) or (
            isinstance(role_setting, dict) and ({"Fn::GetAtt", "Ref"} & role_setting.keys())
        )
        if named or "role" in self.provider:
            value = role_setting if "role" in iam else self.provider.get("role")
            path: DocPath = ("provider", "iam", "role") if "role" in iam else ("provider", "role")
            return self._named_role(value, path)
        role = _dict(role_setting)
        if "statements" in role:
            statements_path: DocPath = ("provider", "iam", "role", "statements")
            raw_statements = role.get("statements")
        else:
            statements_path = ("provider", "iamRoleStatements")
            raw_statements = self.provider.get("iamRoleStatements")
        statements = statements_from_list(
            self.doc, raw_statements, statements_path, ".".join(map(str, statements_path))
        )
        if "managedPolicies" in role:
            managed_path: DocPath = ("provider", "iam", "role", "managedPolicies")
            raw_managed = role.get("managedPolicies")
        else:
            managed_path = ("provider", "iamManagedPolicies")
            raw_managed = self.provider.get("iamManagedPolicies")
        managed = [
            ManagedPolicyRef(arn, self.doc.ref((*managed_path, i)), managed_kind(arn))
            for i, arn in enumerate(as_list(raw_managed))
        ]
        return Role(
            PROVIDER_ROLE_ID, self.doc.ref(("provider",)), tuple(statements), tuple(managed)
        )

    def _named_role(self, value: Any, path: DocPath) -> Role:
        if isinstance(value, str) and value in self.cfn_roles:
            return self.cfn_roles[value]
        if isinstance(value, dict) and len(value) == 1:  # Fn::GetAtt [Role, Arn] form
            ((_, arg),) = value.items()
            logical = arg[0] if isinstance(arg, list) and arg else arg
            if isinstance(logical, str) and logical in self.cfn_roles:
                return self.cfn_roles[logical]
        return Role(f"external:{value}", self.doc.ref(path), external=value)

    def function_role(self, fn_id: str, fn: dict[str, Any], provider_role: Role) -> Role:
        if "role" in fn:
            return self._named_role(fn["role"], ("functions", fn_id, "role"))
        if "iamRoleStatements" in fn:  # serverless-iam-roles-per-function plugin
            statements = statements_from_list(
                self.doc,
                fn["iamRoleStatements"],
                ("functions", fn_id, "iamRoleStatements"),
                f"functions.{fn_id}.iamRoleStatements",
            )
            inherit = fn.get("iamRoleStatementsInherit") is True
            if inherit:
                statements = [*provider_role.statements, *statements]
            return Role(
                f"{fn_id}IamRoleLambdaExecution",
                self.doc.ref(("functions", fn_id)),
                tuple(statements),
                provider_role.managed_policies if inherit else (),
            )
        return provider_role

    # -- functions ------------------------------------------------------------------------

    def build_function(self, fn_id: str, fn: dict[str, Any], provider_role: Role) -> Function:
        runtime = self.inherited(fn_id, fn, "runtime")
        tracing = (
            Setting(fn["tracing"], self.doc.ref(("functions", fn_id, "tracing")))
            if "tracing" in fn
            else self.provider_setting("tracing", "lambda")
        )
        handler = fn.get("handler")
        environment: dict[str, EnvVar] = {}
        for path in (("provider", "environment"), ("functions", fn_id, "environment")):
            node = (
                self.provider.get("environment") if path[0] == "provider" else fn.get("environment")
            )
            for name, value in _dict(node).items():
                environment[name] = EnvVar(name, value, self.doc.ref((*path, name)))
        destinations = _dict(fn.get("destinations"))
        layers = fn.get("layers", self.provider.get("layers"))
        layers_path: DocPath = (
            ("functions", fn_id, "layers") if "layers" in fn else ("provider", "layers")
        )
        return Function(
            id=fn_id,
            format=Format.SERVERLESS,
            src=self.doc.ref(("functions", fn_id)),
            name=fn.get("name"),
            runtime=runtime,
            handler=handler,
            code_path=_code_path(handler),
            timeout=self.inherited(fn_id, fn, "timeout"),
            default_timeout=DEFAULT_TIMEOUT,
            memory=self.inherited(fn_id, fn, "memorySize"),
            reserved_concurrency=self.inherited(fn_id, fn, "reservedConcurrency"),
            tracing=tracing,
            kms_key=self.inherited(fn_id, fn, "kmsKeyArn"),
            log_retention=self.inherited(fn_id, fn, "logRetentionInDays"),
            layers=tuple(
                Setting(layer, self.doc.ref((*layers_path, i)))
                for i, layer in enumerate(as_list(layers))
            ),
            environment=tuple(environment.values()),
            events=tuple(self.events(fn_id, fn)),
            role=self.function_role(fn_id, fn, provider_role),
            url=self.function_url(fn_id, fn),
            dead_letter=Setting(fn["onError"], self.doc.ref(("functions", fn_id, "onError")))
            if "onError" in fn
            else None,
            vpc=self.inherited(fn_id, fn, "vpc"),
            invoke_config=_invoke_config(fn, self.doc.ref(("functions", fn_id))),
            on_failure=Setting(
                destinations["onFailure"],
                self.doc.ref(("functions", fn_id, "destinations", "onFailure")),
            )
            if "onFailure" in destinations
            else None,
        )

    def function_url(self, fn_id: str, fn: dict[str, Any]) -> FunctionUrl | None:
        url = fn.get("url")
        if url is None or url is False:
            return None
        src = self.doc.ref(("functions", fn_id, "url"))
        if isinstance(url, dict):
            authorizer = url.get("authorizer")
            auth_type: Any = "AWS_IAM" if authorizer == "aws_iam" else "NONE"
            if isinstance(authorizer, Unresolved):
                auth_type = authorizer
            return FunctionUrl(auth_type, src, url.get("cors"))
        if isinstance(url, Unresolved):
            return FunctionUrl(url, src)
        return FunctionUrl("NONE", src)

    # -- events ---------------------------------------------------------------------------

    def events(self, fn_id: str, fn: dict[str, Any]) -> Iterator[Event]:
        for index, item in enumerate(as_list(fn.get("events"))):
            if not isinstance(item, dict) or len(item) != 1:
                continue
            ((kind, spec),) = item.items()
            path: DocPath = ("functions", fn_id, "events", index, kind)
            src = self.doc.ref(path)
            if self.cloud != "aws":
                yield Event(f"{self.cloud}:{kind}", src, properties=_dict(spec))
            elif kind == "http":
                yield self._http_event(spec, path)
            elif kind == "httpApi":
                yield self._http_api_event(spec, path)
            elif kind == "websocket":
                spec_d = spec if isinstance(spec, dict) else {"route": spec}
                yield Event(
                    "websocket",
                    src,
                    path=spec_d.get("route"),
                    authorizer=self._rest_authorizer(spec_d.get("authorizer"), path),
                    api_id=WEBSOCKET_API_ID,
                    properties=_dict(spec),
                )
            else:
                spec_d = spec if isinstance(spec, dict) else {"source": spec}
                source = next(
                    (
                        spec_d[k]
                        for k in (
                            "arn",
                            "bucket",
                            "topicName",
                            "queue",
                            "source",
                            "pool",
                            "listenerArn",
                        )
                        if k in spec_d
                    ),
                    None,
                )
                yield Event(str(kind), src, source=source, properties=spec_d)

    def _http_event(self, spec: Any, path: DocPath) -> Event:
        if isinstance(spec, str):  # "GET users/{id}"
            method, _, route = spec.partition(" ")
            spec = {"method": method, "path": route}
        spec = _dict(spec)
        authorizer = self._rest_authorizer(spec.get("authorizer"), path)
        return Event(
            "http",
            self.doc.ref(path),
            method=str(spec.get("method", "ANY")).upper(),
            path=spec.get("path"),
            authorizer=authorizer,
            api_key_required=spec.get("private") is True,
            api_id=REST_API_ID,
            properties=spec,
        )

    def _rest_authorizer(self, value: Any, path: DocPath) -> Authorizer | None:
        if value is None:
            return None
        src = self.doc.ref((*path, "authorizer"))
        if isinstance(value, Unresolved):
            return Authorizer("unknown", value, src)
        if isinstance(value, str):
            kind = "iam" if value.lower() == "aws_iam" else "lambda"
            return Authorizer(kind, value, src)
        spec = _dict(value)
        type_ = str(spec.get("type", "")).upper()
        if type_ == "COGNITO_USER_POOLS" or "cognito-idp" in str(spec.get("arn", "")):
            return Authorizer("cognito", spec.get("name") or spec.get("arn"), src)
        if type_ == "AWS_IAM":
            return Authorizer("iam", "aws_iam", src)
        return Authorizer("lambda", spec.get("name") or spec.get("arn"), src)

    def _http_api_event(self, spec: Any, path: DocPath) -> Event:
        if isinstance(spec, str):  # "*" or "GET /users"
            method, _, route = spec.partition(" ")
            spec = (
                {"method": "*", "path": "*"} if spec == "*" else {"method": method, "path": route}
            )
        spec = _dict(spec)
        method = str(spec.get("method", "*")).upper()
        return Event(
            "httpApi",
            self.doc.ref(path),
            method="ANY" if method == "*" else method,
            path=spec.get("path", "*"),
            authorizer=self._http_api_authorizer(spec.get("authorizer"), path),
            api_id=HTTP_API_ID,
            properties=spec,
        )

    def _http_api_authorizer(self, value: Any, path: DocPath) -> Authorizer | None:
        if value is None:
            return None
        src = self.doc.ref((*path, "authorizer"))
        spec = value if isinstance(value, dict) else {"name": value}
        if str(spec.get("type", "")).lower() == "aws_iam":
            return Authorizer("iam", "aws_iam", src)
        name = spec.get("name")
        if "id" in spec:
            return Authorizer("custom", spec["id"], src)
        definition = _dict(self.http_authorizers.get(name)) if isinstance(name, str) else {}
        if definition.get("type") == "request":
            return Authorizer("lambda", name, src)
        if definition:
            return Authorizer(
                "jwt",
                name,
                src,
                audience=definition.get("audience"),
                issuer=definition.get("issuerUrl"),
            )
        return Authorizer("custom", name, src)

    # -- apis -----------------------------------------------------------------------------

    def apis(self, functions: list[Function]) -> list[Api]:
        used = {e.api_id for fn in functions for e in fn.events if e.api_id}
        apis: list[Api] = []
        if REST_API_ID in used:
            gateway = _dict(self.provider.get("apiGateway"))
            apis.append(
                Api(
                    REST_API_ID,
                    "rest",
                    self.doc.ref(("provider",)),
                    access_logging=self.provider_setting("logs", "restApi"),
                    # provider.usagePlan is the framework v1 spelling of apiGateway.usagePlan
                    throttling=self.provider_setting("apiGateway", "usagePlan")
                    or self.provider_setting("usagePlan"),
                    tracing=self.provider_setting("tracing", "apiGateway"),
                    properties=gateway,
                    endpoint_type=self.provider.get("endpointType"),
                )
            )
        if HTTP_API_ID in used:
            apis.append(
                Api(
                    HTTP_API_ID,
                    "http",
                    self.doc.ref(("provider",)),
                    access_logging=self.provider_setting("logs", "httpApi"),
                    properties=_dict(self.provider.get("httpApi")),
                )
            )
        if WEBSOCKET_API_ID in used:
            apis.append(
                Api(
                    WEBSOCKET_API_ID,
                    "websocket",
                    self.doc.ref(("provider",)),
                    access_logging=self.provider_setting("logs", "websocket"),
                )
            )
        return apis

    def build(self) -> App:
        provider_role = self.provider_role()
        if self.cloud != "aws":
            provider_role = Role(f"{self.cloud}:provider", self.doc.ref(("provider",)))
        functions = [
            self.build_function(str(fn_id), _dict(fn), provider_role)
            for fn_id, fn in _dict(self.data.get("functions")).items()
        ]
        self.cfn.build_functions()
        self.cfn.build_buckets()
        self.cfn.build_apis()
        self.cfn.build_links()
        roles = {provider_role.id: provider_role}
        for fn in functions:
            if fn.role is not None:
                roles.setdefault(fn.role.id, fn.role)
        for role in self.parts.roles:
            roles.setdefault(role.id, role)
        return App(
            file=self.doc.file,
            format=Format.SERVERLESS,
            src=self.doc.ref(()),
            name=self.data.get("service"),
            functions=tuple(functions + self.parts.functions),
            roles=tuple(roles.values()),
            buckets=tuple(self.parts.buckets),
            apis=tuple(self.apis(functions) + self.parts.apis),
            resources=tuple(self.parts.resources),
            permissions=tuple(self.parts.permissions),
            log_groups=tuple(self.parts.log_groups),
            stores=tuple(self.parts.stores),
            alarms=tuple(self.parts.alarms),
            outputs=tuple(self.parts.outputs),
            deployment_bucket=self.provider_setting("deploymentBucket"),
            custom=Setting(
                self.cfn.resolver.resolve(self.data["custom"]), self.doc.ref(("custom",))
            )
            if isinstance(self.data.get("custom"), dict)
            else None,
            locate=self.doc.ref,
            cloud=self.cloud,
            layer_dirs=_layer_dirs(self.data.get("layers")),
            package_patterns=_package_patterns(self.data.get("package")),
            ignores=tuple(self.parts.ignores),
        )


def _layer_dirs(layers: Any) -> tuple[tuple[str, str], ...]:
    """`layers: {my-deps: {path: layer}}` -> (("MyDashdepsLambdaLayer", "layer"),): the
    logical id the framework gives a layer, which functions reference with `Ref`."""
    out = []
    for name, spec in _dict(layers).items():
        path = _dict(spec).get("path")
        if isinstance(path, str):
            normalized = str(name)[:1].upper() + str(name)[1:]
            normalized = normalized.replace("-", "Dash").replace("_", "Underscore")
            out.append((f"{normalized}LambdaLayer", path))
    return tuple(out)


def _package_patterns(package: Any) -> tuple[str, ...]:
    spec = _dict(package)
    patterns = [p for p in as_list(spec.get("patterns")) if isinstance(p, str)]
    patterns += [f"!{p}" for p in as_list(spec.get("exclude")) if isinstance(p, str)]
    return tuple(patterns)


def _issue_key(reason: str) -> str:
    """'${file(./a.yml):x}: ./a.yml not found' and '${file(./a.yml):y}: ...' are one problem:
    the same file and the same complaint, whatever key was asked of it."""
    if not reason.startswith("${"):
        return reason
    depth = 0
    for index, char in enumerate(reason):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "}" and depth == 0:
            expression, rest = reason[: index + 1], reason[index + 1 :]
            target = _FILE_ARGUMENT.search(expression)
            return f"{target.group(1) if target else expression}{rest}"
    return reason


_FILE_ARGUMENT = re.compile(r"file\(([^)]*)\)")


def _invoke_config(fn: dict[str, Any], src: Any) -> Setting | None:
    """maximumRetryAttempts / maximumEventAge / destinations, in the framework's names."""
    keys = ("maximumRetryAttempts", "maximumEventAge", "destinations")
    config = {k: fn[k] for k in keys if k in fn}
    return Setting(config, src) if config else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _merge_resources(resources: Any) -> dict[str, Any]:
    """`resources` is a mapping, or a list of mappings (often ${file(...)} includes)."""
    if isinstance(resources, dict):
        return resources
    merged: dict[str, Any] = {}
    for part in as_list(resources):
        for section, body in _dict(part).items():
            if isinstance(body, dict):
                merged.setdefault(section, {}).update(body)
    return merged


def _code_path(handler: Any) -> str | None:
    """`src/orders/app.create` -> `src/orders/app` (the module, without extension)."""
    if not isinstance(handler, str) or "." not in handler:
        return None
    return handler.rsplit(".", 1)[0]
