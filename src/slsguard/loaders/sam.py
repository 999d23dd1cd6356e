"""AWS SAM: Globals, AWS::Serverless::Function/Api/HttpApi, policy templates, events.

Globals are merged the way SAM merges them: the resource's scalar wins, maps are merged
key by key (environment variables included), lists are concatenated. An inherited
setting keeps the location of the Globals line so findings point where the fix goes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.iam import sam_templates
from slsguard.loaders.cloudformation import (
    RawResource,
    TemplateBuilder,
    endpoint_type,
    managed_kind,
    target_id,
)
from slsguard.loaders.iam_parse import statements_from_document, statements_from_list
from slsguard.model.app import (
    Api,
    Authorizer,
    EnvVar,
    Event,
    Format,
    Function,
    FunctionUrl,
    ManagedPolicyRef,
    Role,
    Setting,
    Statement,
)
from slsguard.model.source import DocPath
from slsguard.model.values import as_list

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
IMPLICIT_REST_API = "ServerlessRestApi"
IMPLICIT_HTTP_API = "ServerlessHttpApi"

_EVENT_KINDS = {
    "Api": "http",
    "HttpApi": "httpApi",
    "S3": "s3",
    "SQS": "sqs",
    "SNS": "sns",
    "Kinesis": "stream",
    "DynamoDB": "stream",
    "DocumentDB": "stream",
    "MSK": "kafka",
    "SelfManagedKafka": "kafka",
    "MQ": "mq",
    "Schedule": "schedule",
    "ScheduleV2": "schedule",
    "EventBridgeRule": "eventBridge",
    "CloudWatchEvent": "eventBridge",
    "CloudWatchLogs": "cloudwatchLog",
    "Cognito": "cognitoUserPool",
    "IoTRule": "iot",
}
_EVENT_SOURCE_KEYS = ("Bucket", "Queue", "Topic", "Stream", "Broker", "Queues")


def is_sam(template: Any) -> bool:
    transform = template.get("Transform") if isinstance(template, dict) else None
    return any(isinstance(t, str) and t.startswith("AWS::Serverless") for t in as_list(transform))


class SamBuilder(TemplateBuilder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", Format.SAM)
        template = args[1]
        super().__init__(*args, **kwargs)
        raw_globals = template.get("Globals")
        self.globals: dict[str, Any] = {}
        if isinstance(raw_globals, dict):
            for section, values in raw_globals.items():
                if isinstance(values, dict):
                    self.globals[section] = self.resolver.resolve(values)
        self.apis: dict[str, Api] = {}

    # -- Globals --------------------------------------------------------------------------

    def merged(self, res: RawResource, section: str) -> dict[str, Setting]:
        """Effective properties of a SAM resource with the location each one comes from."""
        out: dict[str, Setting] = {}
        for key, value in self.globals.get(section, {}).items():
            out[key] = Setting(value, self.doc.ref(("Globals", section, key)))
        for key, value in res.props.items():
            src = self.doc.ref((*res.path, "Properties", key))
            inherited = out.get(key)
            if (
                inherited is not None
                and isinstance(value, dict)
                and isinstance(inherited.value, dict)
            ):
                value = _deep_merge(inherited.value, value)
            elif (
                inherited is not None
                and isinstance(value, list)
                and isinstance(inherited.value, list)
            ):
                value = inherited.value + value
            out[key] = Setting(value, src)
        return out

    def _environment(self, res: RawResource) -> tuple[EnvVar, ...]:
        merged: dict[str, EnvVar] = {}
        sources: list[tuple[Any, DocPath]] = [
            (
                self.globals.get("Function", {}).get("Environment"),
                ("Globals", "Function", "Environment"),
            ),
            (res.props.get("Environment"), (*res.path, "Properties", "Environment")),
        ]
        for environment, path in sources:
            for var in self.env_vars(environment, path):
                merged[var.name] = var
        return tuple(merged.values())

    # -- functions ------------------------------------------------------------------------

    def build_functions(self) -> None:
        super().build_functions()
        self._build_sam_apis()
        for res in self.of_type("AWS::Serverless::Function"):
            self.parts.functions.append(self._sam_function(res))

    def _sam_function(self, res: RawResource) -> Function:
        props = self.merged(res, "Function")

        def get(key: str) -> Setting | None:
            return props.get(key)

        def value(key: str) -> Any:
            setting = props.get(key)
            return setting.value if setting else None

        tracing = get("Tracing")
        code_uri = value("CodeUri")
        url_config = get("FunctionUrlConfig")
        invoke = value("EventInvokeConfig")
        on_failure = None
        if isinstance(invoke, dict):
            destination = invoke.get("DestinationConfig")
            if isinstance(destination, dict) and "OnFailure" in destination:
                on_failure = Setting(destination["OnFailure"], props["EventInvokeConfig"].src)
        layers = get("Layers")
        return Function(
            id=res.id,
            format=Format.SAM,
            src=self.doc.ref(res.path),
            name=value("FunctionName"),
            runtime=get("Runtime"),
            handler=value("Handler"),
            code_path=code_uri if isinstance(code_uri, str) else None,
            timeout=get("Timeout"),
            default_timeout=3,
            memory=get("MemorySize"),
            reserved_concurrency=get("ReservedConcurrentExecutions"),
            tracing=tracing,
            kms_key=get("KmsKeyArn"),
            layers=tuple(Setting(item, layers.src) for item in as_list(layers.value))
            if layers
            else (),
            environment=self._environment(res),
            events=tuple(self._sam_events(res)),
            role=self._sam_role(res),
            url=FunctionUrl(
                url_config.value.get("AuthType"),
                self.doc.ref((*res.path, "Properties", "FunctionUrlConfig", "AuthType"))
                if "FunctionUrlConfig" in res.props
                else url_config.src,
                url_config.value.get("Cors"),
            )
            if url_config and isinstance(url_config.value, dict)
            else self.function_url(res.id),
            dead_letter=get("DeadLetterQueue"),
            on_failure=on_failure,
            vpc=get("VpcConfig"),
            invoke_config=get("EventInvokeConfig"),
        )

    # -- permissions ----------------------------------------------------------------------

    def _sam_role(self, res: RawResource) -> Role:
        if "Role" in res.props:
            role = self.role_for(res.props["Role"], (*res.path, "Properties", "Role"))
            assert role is not None
            return role
        statements: list[Statement] = []
        managed: list[ManagedPolicyRef] = []
        raw_policies = res.raw.get("Policies")
        policies_path: DocPath = (*res.path, "Properties", "Policies")
        items = raw_policies if isinstance(raw_policies, list) else [raw_policies]
        for index, raw in enumerate(items):
            if raw is None:
                continue
            path = (*policies_path, index) if isinstance(raw_policies, list) else policies_path
            src = self.doc.ref(path)
            resolved = self.resolver.resolve(raw)
            if isinstance(raw, dict) and len(raw) == 1:
                ((name, params),) = raw.items()
                expanded = sam_templates.expand_template(
                    name, params if isinstance(params, dict) else {}
                )
                if expanded is not None:
                    managed.append(ManagedPolicyRef(name, src, "sam-template"))
                    statements += statements_from_list(
                        self.doc,
                        self.resolver.resolve(expanded),
                        (*path, name, "Statement"),
                        f"SAM policy template {name}",
                    )
                    continue
            if isinstance(resolved, dict) and "Statement" in resolved:
                statements += statements_from_document(
                    self.doc, resolved, path, f"{res.id} inline policy"
                )
                continue
            own = target_id(resolved)
            if own is not None and own in self.by_id:
                policy = self.by_id[own]
                statements += statements_from_document(
                    self.doc,
                    policy.props.get("PolicyDocument"),
                    (*policy.path, "Properties", "PolicyDocument"),
                    f"{policy.type} {own}",
                )
                continue
            managed.append(ManagedPolicyRef(resolved, src, managed_kind(resolved)))
        role = Role(f"{res.id}Role", self.doc.ref(res.path), tuple(statements), tuple(managed))
        self.parts.roles.append(role)
        return role

    # -- APIs and events --------------------------------------------------------------------

    def _build_sam_apis(self) -> None:
        for type_, kind, section in (
            ("AWS::Serverless::Api", "rest", "Api"),
            ("AWS::Serverless::HttpApi", "http", "HttpApi"),
        ):
            for res in self.of_type(type_):
                props = {k: s.value for k, s in self.merged(res, section).items()}
                self.apis[res.id] = self._api(
                    res.id, kind, self.doc.ref(res.path), props, (*res.path, "Properties")
                )
        for api_id, kind, section in (
            (IMPLICIT_REST_API, "rest", "Api"),
            (IMPLICIT_HTTP_API, "http", "HttpApi"),
        ):
            props = dict(self.globals.get(section, {}))
            self.apis[api_id] = self._api(
                api_id, kind, self.doc.ref(("Globals", section)), props, ("Globals", section)
            )
        self.parts.apis.extend(
            a
            for a in self.apis.values()
            if not a.id.startswith("Serverless") or self._api_used(a.id)
        )

    def _api_used(self, api_id: str) -> bool:
        for res in self.of_type("AWS::Serverless::Function"):
            events = res.props.get("Events")
            for ev in events.values() if isinstance(events, dict) else ():
                if isinstance(ev, dict) and ev.get("Type") in ("Api", "HttpApi"):
                    p = ev.get("Properties")
                    p = p if isinstance(p, dict) else {}
                    explicit = target_id(p.get("RestApiId") or p.get("ApiId"))
                    implicit = IMPLICIT_REST_API if ev["Type"] == "Api" else IMPLICIT_HTTP_API
                    if (explicit or implicit) == api_id:
                        return True
        return False

    def _api(self, api_id: str, kind: str, src: Any, props: dict[str, Any], path: DocPath) -> Api:
        auth = props.get("Auth") if isinstance(props.get("Auth"), dict) else {}
        assert isinstance(auth, dict)
        default = auth.get("DefaultAuthorizer")
        authorizer = None
        if default is not None and default != "NONE":
            authorizer = self._named_authorizer(
                default, auth, self.doc.ref((*path, "Auth", "DefaultAuthorizer"))
            )
        elif "DefinitionBody" in props or "DefinitionUri" in props:
            # Security is declared in the OpenAPI document, which we do not read yet.
            authorizer = Authorizer("unknown", "OpenAPI definition", src)
        return Api(
            api_id,
            kind,
            src,
            props.get("Name"),
            default_authorizer=authorizer,
            access_logging=_setting(props, "AccessLogSetting", src),
            throttling=_setting(props, "MethodSettings", src),
            tracing=_setting(props, "TracingEnabled", src),
            properties=props,
            endpoint_type=endpoint_type(props.get("EndpointConfiguration")),
        )

    def _named_authorizer(self, name: Any, auth: dict[str, Any], src: Any) -> Authorizer:
        if isinstance(name, str) and name.upper() == "AWS_IAM":
            return Authorizer("iam", name, src)
        definitions = auth.get("Authorizers")
        spec = (
            definitions.get(name)
            if isinstance(definitions, dict) and isinstance(name, str)
            else None
        )
        if not isinstance(spec, dict):
            return Authorizer("custom", name, src)
        jwt = spec.get("JwtConfiguration")
        if isinstance(jwt, dict):
            return Authorizer(
                "jwt", name, src, audience=jwt.get("audience"), issuer=jwt.get("issuer")
            )
        if "UserPoolArn" in spec:
            return Authorizer("cognito", name, src)
        if "FunctionArn" in spec:
            return Authorizer("lambda", name, src)
        return Authorizer("custom", name, src)

    def _sam_events(self, res: RawResource) -> Iterator[Event]:
        events = res.props.get("Events")
        yield from self.cfn_events(res.id)
        if not isinstance(events, dict):
            return
        for name, event in events.items():
            if not isinstance(event, dict):
                continue
            type_ = event.get("Type")
            props = event.get("Properties")
            props = props if isinstance(props, dict) else {}
            path = (*res.path, "Properties", "Events", name)
            kind = _EVENT_KINDS.get(type_, "other") if isinstance(type_, str) else "other"
            if kind in ("http", "httpApi"):
                yield self._api_event(kind, props, path)
                continue
            source = next((props[k] for k in _EVENT_SOURCE_KEYS if k in props), None)
            yield Event(kind, self.doc.ref(path), source=source, properties=props)

    def _api_event(self, kind: str, props: dict[str, Any], path: DocPath) -> Event:
        api_key = "RestApiId" if kind == "http" else "ApiId"
        implicit = IMPLICIT_REST_API if kind == "http" else IMPLICIT_HTTP_API
        api_id = target_id(props.get(api_key)) or implicit
        api = self.apis.get(api_id)
        auth = props.get("Auth") if isinstance(props.get("Auth"), dict) else {}
        assert isinstance(auth, dict)
        authorizer: Authorizer | None
        if "Authorizer" in auth:
            name = auth["Authorizer"]
            api_auth = api.properties.get("Auth") if api else None
            authorizer = (
                None
                if name == "NONE"
                else self._named_authorizer(
                    name,
                    api_auth if isinstance(api_auth, dict) else {},
                    self.doc.ref((*path, "Properties", "Auth", "Authorizer")),
                )
            )
        elif api is not None:
            authorizer = api.default_authorizer
        else:
            authorizer = Authorizer("unknown", api_key, self.doc.ref(path))
        api_auth = api.properties.get("Auth") if api else None
        # The event's own ApiKeyRequired (true or false) overrides the API's.
        api_key_required = auth.get("ApiKeyRequired") is True or (
            "ApiKeyRequired" not in auth
            and isinstance(api_auth, dict)
            and api_auth.get("ApiKeyRequired") is True
        )
        method = props.get("Method")
        return Event(
            kind,
            self.doc.ref(path),
            method=str(method).upper() if method is not None else "ANY",
            path=props.get("Path", "$default" if kind == "httpApi" else None),
            authorizer=authorizer,
            api_key_required=api_key_required,
            api_id=api_id,
            properties=props,
        )


def _setting(props: dict[str, Any], key: str, src: Any) -> Setting | None:
    return Setting(props[key], src) if key in props else None


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out
