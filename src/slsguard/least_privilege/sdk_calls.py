"""The AWS SDK calls in a module's IR, with the IAM actions they need and what names their
resources.

Recognised: boto3 clients (`boto3.client("s3")`, sessions' clients), their paginators and
waiters and the methods boto3 adds (`upload_file` ...); boto3 resources (`boto3.resource(
"dynamodb").Table(name).put_item`, sub-resources such as `bucket.Object(key)`); the AWS SDK
for JavaScript v2 (`new AWS.S3()`, `new AWS.DynamoDB.DocumentClient()`,
`require("aws-sdk/clients/s3")`) and v3 (`client.send(new PutObjectCommand({...}))`, the
aggregated `new S3({}).putObject()`, `DynamoDBDocumentClient.from(...)` with
`@aws-sdk/lib-dynamodb` commands, `@aws-sdk/lib-storage`'s `Upload`).

A client object is followed through assignments (module level, function level, and
`self.x`/`this.x` attributes of a class), as long as every assignment of the name gives
the same kind of object. A call on such an object that cannot be mapped to an operation
(the service is not a literal, the command sent is not a `new ...Command`, the method is not
an operation of the service) is kept with a `problem`: it is listed as "could not infer",
never dropped.

What the mapping to operations and IAM actions rests on is iam/sdk_map.py (botocore's and
boto3's models, the IAM catalogue, one override table).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from slsguard.code import ir
from slsguard.iam import sdk_map
from slsguard.least_privilege.values import EnvVar, EventField, Literal, Opaque, Template, Value


@dataclass(frozen=True, slots=True)
class SdkCall:
    file: str  # relative to the scan root
    line: int
    col: int
    text: str  # the call as written, shortened ("s3.put_object", "sns.send(PublishCommand)")
    service: str | None  # botocore service name
    operation: str | None  # botocore operation name
    actions: tuple[str, ...] = ()
    params: tuple[tuple[str, Value], ...] = ()  # resource-naming request parameters
    problem: str = ""  # why the service, operation or actions are not known
    note: str = ""
    # Roles handed to the service (scheduler Target.RoleArn, lambda Role): iam:PassRole
    passed_roles: tuple[Value, ...] = ()

    def param(self, name: str) -> Value | None:
        for key, value in self.params:
            if key == name:
                return value
        return None


# -- SDK objects an expression can evaluate to ----------------------------------------------


@dataclass(frozen=True, slots=True)
class _Client:
    service: str | None
    style: str  # sdk_map.operation style: python, js, document-client, lib-dynamodb, send
    shown: str  # the service as written, for messages
    problem: str = ""


@dataclass(frozen=True, slots=True)
class _ServiceResource:
    service: str


@dataclass(frozen=True, slots=True)
class _Resource:
    service: str
    kind: str  # "Table", "Bucket", "Object" ...
    identifiers: tuple[ir.Expr, ...]


@dataclass(frozen=True, slots=True)
class _Collection:
    resource: _Resource
    name: str  # "objects"


@dataclass(frozen=True, slots=True)
class _Paginator:
    service: str
    name: str


@dataclass(frozen=True, slots=True)
class _Waiter:
    service: str
    name: str


@dataclass(frozen=True, slots=True)
class _Command:
    service: str | None
    name: str  # "PutObjectCommand"
    style: str  # "command" or "lib-dynamodb"
    params: ir.Expr | None


_Object = _Client | _ServiceResource | _Resource | _Collection | _Paginator | _Waiter | _Command

# Client methods that are not API operations and call nothing by themselves.
_NOT_CALLS = frozenset(
    {
        "get_paginator", "get_waiter", "can_paginate", "close", "meta", "exceptions",
        "promise", "on", "send", "destroy", "middlewareStack", "config", "makeRequest",
        "makeUnauthenticatedRequest", "createPresignedPost", "get_available_subresources",
    }
)  # fmt: skip
# Positional parameters of the transfer methods boto3 adds to S3 clients and resources.
_TRANSFER_PARAMS = {
    "upload_file": ("Filename", "Bucket", "Key"),
    "upload_fileobj": ("Fileobj", "Bucket", "Key"),
    "download_file": ("Bucket", "Key", "Filename"),
    "download_fileobj": ("Bucket", "Key", "Fileobj"),
    "copy": ("CopySource", "Bucket", "Key"),
}
_BOTO3_CLIENT = re.compile(r"^(aio)?boto3(\.session)?(\.Session\(\))?\.client$")
_BOTO3_RESOURCE = re.compile(r"^(aio)?boto3(\.session)?(\.Session\(\))?\.resource$")
_V2_CLIENT_PATH = re.compile(r"^aws-sdk/clients/([a-z0-9]+)(\.DocumentClient)?$")
_ENVIRON = frozenset({"os.environ", "environ", "process.env"})
# Calls that take a client without calling AWS with it.
_HARMLESS = frozenset({"print", "repr", "str", "isinstance", "type", "id", "len", "hasattr"})
_LOGGING = frozenset({"debug", "info", "warning", "warn", "error", "exception", "log"})


@dataclass
class _Bindings:
    """Every value assigned to a name, per scope (a function's qualname, "" for the module),
    and to `self.x`/`this.x` per class."""

    names: dict[str, dict[str, list[ir.Expr]]] = field(default_factory=dict)
    attributes: dict[str, dict[str, list[ir.Expr]]] = field(default_factory=dict)


class Extractor:
    """The SDK calls in one module (`rel`: its path, for SdkCall.file)."""

    def __init__(
        self,
        module: ir.Module,
        rel: str,
        importer: Callable[[str], tuple[Extractor, str] | None] | None = None,
    ) -> None:
        self.module = module
        self.rel = rel
        # resolves an import target ("lib.aws.table", "./lib/aws.table") to the extractor of
        # that project module and the member's name there
        self.importer = importer
        self.entry = ""  # the handler's qualname: its first parameter is the event
        self.bindings = _bindings(module)
        self._evaluating: set[int] = set()
        # Clients passed to the module's own functions: (qualname, parameter) -> the client,
        # None when different calls pass different things.
        self.passed: dict[tuple[str, str], _Object | None] = {}
        self._bind_parameters()

    def _bind_parameters(self) -> None:
        scopes: list[tuple[ir.Function | None, Sequence[ir.Stmt]]] = [(None, self.module.body)]
        scopes += [(fn, fn.body) for fn in self.module.functions.values()]
        for fn, body in scopes:
            for c in _calls_in(body):
                callee = self._local_callee(c, fn)
                if callee is None:
                    continue
                params = [p for p in callee.params if p.name not in ("self", "this", "cls")]
                for param, arg in zip(params, c.args, strict=False):
                    if isinstance(arg, ir.Spread) or param.kind:
                        break
                    obj = self._object(arg, fn)
                    if obj is None:
                        continue
                    key = (callee.qualname, param.name)
                    known = self.passed.get(key, obj)
                    self.passed[key] = obj if known == obj else None

    def _local_callee(self, c: ir.Call, fn: ir.Function | None) -> ir.Function | None:
        """The module's own function a call by plain name runs (`helper(client)`)."""
        if not isinstance(c.func, ir.Name):
            return None
        scope = fn
        while scope is not None:
            found = self.module.functions.get(f"{scope.qualname}.{c.func.id}")
            if found is not None:
                return found
            scope = self.module.functions.get(scope.parent) if scope.parent else None
        return self.module.functions.get(c.func.id)

    def calls(self, functions: Sequence[str] | None = None) -> list[SdkCall]:
        """The calls in the module body and in `functions` (qualnames; None: all)."""

        found: dict[tuple[int, int], SdkCall] = {}
        scopes: list[tuple[ir.Function | None, Sequence[ir.Stmt]]] = [(None, self.module.body)]
        chosen = self.module.functions if functions is None else functions
        for name in chosen:
            fn = self.module.functions.get(name)
            if fn is not None:
                scopes.append((fn, fn.body))
        for fn, body in scopes:
            for call in _calls_in(body):
                sdk = self._call(call, fn) or self._escape(call, fn)
                if sdk is not None:
                    found.setdefault((sdk.line, sdk.col), sdk)
        return sorted(found.values(), key=lambda c: (c.line, c.col))

    def _escape(self, c: ir.Call, fn: ir.Function | None) -> SdkCall | None:
        """A client handed to other code (`save(table, item)`, `getattr(s3, op)`): what is
        called with it there cannot be followed, so the function's needs are not all known."""
        if self._created(c, fn) is not None or _keyword_args(c).keys() & {"client"}:
            return None  # the SDK's own wrappers (`DynamoDBDocumentClient.from(client)`)
        callee = c.name or c.qualname
        if callee in _HARMLESS or callee.rsplit(".", 1)[-1] in _LOGGING:
            return None
        callee_fn = self._local_callee(c, fn)
        values = [*c.args, *(kw.value for kw in c.kwargs)]
        for index, arg in enumerate(values):
            if callee_fn is not None and index < len(c.args):
                params = [p for p in callee_fn.params if p.name not in ("self", "this", "cls")]
                if index < len(params) and self.passed.get(
                    (callee_fn.qualname, params[index].name)
                ):
                    continue  # followed: the function's calls on it are read with it bound
            obj = self._object(arg, fn)
            if isinstance(obj, _Client | _ServiceResource | _Resource | _Collection):
                shown = getattr(obj, "shown", "") or getattr(obj, "service", "")
                callee = callee or "a call"
                reason = (
                    f"an AWS client ({shown}) is passed to {callee}(), whose calls are not followed"
                )
                return self._unknown(c, f"{callee}(...)", reason)
        return None

    # -- one call -----------------------------------------------------------------------

    def _call(self, c: ir.Call, fn: ir.Function | None) -> SdkCall | None:
        if not isinstance(c.func, ir.Attr):
            return self._constructor_call(c, fn) if isinstance(c.func, ir.Name) else None
        obj = self._object(c.func.obj, fn)
        if obj is None:
            return self._constructor_call(c, fn)
        method = c.func.attr
        match obj:
            case _Client(problem=problem) if problem:
                if method in _NOT_CALLS and method != "send":
                    return None
                return self._unknown(c, f"{obj.shown}.{method}", problem)
            case _Client(service=str(service), style="send") if method == "send":
                return self._send(c, fn, service, obj.shown)
            case _Client(service=str(service), style=style):
                return self._client_method(c, fn, service, style, obj.shown, method)
            case _Paginator(service=service, name=name) if method == "paginate":
                op = sdk_map.paginator_operation(service, name)
                shown = f"{service} paginator {name}"
                return self._operation(c, fn, (op,) if op else None, shown, _keyword_args(c))
            case _Waiter(service=service, name=name) if method == "wait":
                ops = sdk_map.waiter_operations(service, name)
                shown = f"{service} waiter {name}"
                return self._operation(c, fn, ops or None, shown, _keyword_args(c))
            case _Resource():
                return self._resource_method(c, fn, obj, method, obj.kind)
            case _Collection(resource=resource, name=name):
                return self._resource_method(c, fn, resource, f"{name}.{method}", resource.kind)
            case _ServiceResource(service=service):
                found = sdk_map.resource_action(service, "ServiceResource", method)
                if found is None:
                    return None  # a sub-resource constructor (`.Table(name)`), no request
                op, _ = found
                return self._operation(c, fn, (op,), f"{service}.{method}", _keyword_args(c))
        return None

    def _constructor_call(self, c: ir.Call, fn: ir.Function | None) -> SdkCall | None:
        # SDK v3 `paginateListObjectsV2({client}, {Bucket})`, `waitUntilObjectExists(...)`
        package, _, member = c.name.partition(".")
        if package.startswith("@aws-sdk/client-") and member.startswith(("paginate", "waitUntil")):
            service = sdk_map.js_v3_service(package)
            if service is None:
                return None
            ops: Sequence[sdk_map.Operation] = (
                sdk_map.waiter_operations(service, member)
                if member.startswith("waitUntil")
                else tuple(op for op in (sdk_map.paginator_operation(service, member),) if op)
            )
            request = c.args[1] if len(c.args) > 1 else None
            literal = _literal_args(c, request, python=False)
            fields = _keyword_args_of(request)
            return self._operation(c, fn, ops or None, f"{service} {member}", fields, literal)
        # `new Upload({client, params: {Bucket, Key}})` (@aws-sdk/lib-storage) sends by itself.
        if c.name.startswith("@aws-sdk/lib-storage.Upload"):
            ops = sdk_map.injected("s3", "Upload", "lib-storage")
            params = _keyword_args(c).get("params")
            fields = _keyword_args_of(params) if params is not None else {}
            return self._operation(c, fn, ops or None, "lib-storage Upload", fields)
        return None

    def _client_method(
        self,
        c: ir.Call,
        fn: ir.Function | None,
        service: str,
        style: str,
        shown: str,
        method: str,
    ) -> SdkCall | None:
        text = f"{shown}.{method}"
        if method == "waitFor" and style == "js":  # SDK v2 `s3.waitFor("objectExists", {...})`
            name = _const(c.args[0]) if c.args else None
            ops = sdk_map.waiter_operations(service, name) if name else ()
            request = c.args[1] if len(c.args) > 1 else None
            literal = _literal_args(c, request, python=False)
            return self._operation(c, fn, ops or None, text, _keyword_args_of(request), literal)
        literal = _literal_args(c, c.args[0] if c.args else None, python=style == "python")
        args = _keyword_args(c) if style == "python" else _keyword_args_of(_first(c))
        if style == "python" and method in _TRANSFER_PARAMS:
            args = _positional(c, _TRANSFER_PARAMS[method]) | args
        injected = sdk_map.injected(service, method, "python" if style == "python" else "js")
        if injected:
            return self._operation(c, fn, injected, text, args, literal)
        if method in _NOT_CALLS:
            return None
        op = sdk_map.operation(service, method, style)
        if op is None:
            if method.startswith("_") or not method[:1].isalpha():
                return None
            return self._unknown(c, text, f"{method} is not an operation of {service}", service)
        return self._operation(c, fn, (op,), text, args, literal)

    def _send(self, c: ir.Call, fn: ir.Function | None, service: str, shown: str) -> SdkCall | None:
        command = self._object(c.args[0], fn) if c.args else None
        if not isinstance(command, _Command):
            return self._unknown(
                c, f"{shown}.send", "the command sent is not a `new ...Command(...)`", service
            )
        text = f"{shown}.send({command.name})"
        owner = command.service or service
        op = sdk_map.operation(owner, command.name, command.style)
        if op is None:
            return self._unknown(c, text, f"{command.name} is not a command of {owner}", owner)
        args = _keyword_args_of(command.params)
        literal = _literal_args(c, command.params, python=False)
        return self._operation(c, fn, (op,), text, args, literal)

    def _resource_method(
        self,
        c: ir.Call,
        fn: ir.Function | None,
        resource: _Resource,
        action: str,
        kind: str,
    ) -> SdkCall | None:
        text = f"{resource.service}.{kind}.{action}"
        args = _keyword_args(c)
        if action in _TRANSFER_PARAMS:
            injected = sdk_map.injected(resource.service, action, "python")
            if injected:
                # bucket.upload_file(Filename, Key): the bucket is the resource's identifier.
                names = [p for p in _TRANSFER_PARAMS[action] if p != "Bucket"]
                args = _positional(c, tuple(names)) | args
                if resource.identifiers:
                    args.setdefault("Bucket", resource.identifiers[0])
                if kind == "Object" and len(resource.identifiers) > 1:
                    args.setdefault("Key", resource.identifiers[1])
                return self._operation(c, fn, injected, text, args)
        found = sdk_map.resource_action(resource.service, kind, action)
        if found is None:
            if action.split(".")[-1] in ("batch_writer",):
                ops = sdk_map.injected(resource.service, "batch_writer", "python")
                ids = {"TableName": resource.identifiers[0]} if resource.identifiers else {}
                return self._operation(c, fn, ops or None, text, ids)
            return None  # attributes, sub-resources, load(): no request of their own
        op, identifier_params = found
        for param, index in identifier_params:
            if index < len(resource.identifiers):
                args.setdefault(param, resource.identifiers[index])
        return self._operation(c, fn, (op,), text, args)

    def _operation(
        self,
        c: ir.Call,
        fn: ir.Function | None,
        ops: Sequence[sdk_map.Operation] | None,
        text: str,
        args: dict[str, ir.Expr],
        literal: bool = True,
    ) -> SdkCall:
        if not ops:
            return self._unknown(c, text, "no operation known for this call")
        first = ops[0]
        actions: list[str] = []
        notes: list[str] = []
        for op in ops:
            actions += [a for a in op.actions if a not in actions]
            if op.note:
                notes.append(op.note)
        names: list[str] = []
        for op in ops:
            names += [p for p in sdk_map.resource_parameters(op.service, op.name) if p not in names]
        params = tuple((p, self.value(args[p], fn)) for p in names if p in args)
        problem = ""
        if not actions and not notes:
            problem = f"no IAM action known for {first.service} {first.name}"
        roles: list[Value] = []
        for op in ops:
            for path in sdk_map.role_parameters(op.service, op.name):
                roles += self._member(args, path, fn, literal)
        return SdkCall(
            self.rel,
            c.line,
            c.col,
            text,
            first.service,
            first.name,
            tuple(actions),
            params,
            problem,
            "; ".join(dict.fromkeys(notes)),
            tuple(roles),
        )

    def _member(
        self, args: dict[str, ir.Expr], path: tuple[str, ...], fn: ir.Function | None, literal: bool
    ) -> list[Value]:
        """The value at `path` in the request ([] when surely absent)."""
        if not literal:
            return [Opaque("request parameters built at run time")]
        found: ir.Expr | None = args.get(path[0])
        if found is None:
            return []
        for step in path[1:]:
            if step == "[]":
                if not isinstance(found, ir.Seq) or len(found.items) != 1:
                    return [Opaque(f"{'.'.join(path)}")]
                found = found.items[0]
                continue
            fields = _keyword_args_of(found) if isinstance(found, ir.Dict) else None
            if fields is None:
                return [Opaque(f"{'.'.join(path)}")]
            found = fields.get(step)
            if found is None:
                return []
        return [self.value(found, fn)]

    def _unknown(self, c: ir.Call, text: str, problem: str, service: str | None = None) -> SdkCall:
        return SdkCall(self.rel, c.line, c.col, text, service, None, (), (), problem)

    # -- what an expression is ------------------------------------------------------------

    def _object(self, e: ir.Expr, fn: ir.Function | None) -> _Object | None:
        key = id(e)
        if key in self._evaluating:
            return None
        self._evaluating.add(key)
        try:
            return self._evaluate(e, fn)
        finally:
            self._evaluating.discard(key)

    def _evaluate(self, e: ir.Expr, fn: ir.Function | None) -> _Object | None:
        match e:
            case ir.Name(id=name):
                if fn is not None and any(p.name == name for p in fn.params):
                    return self.passed.get((fn.qualname, name))
                values = self._assigned(name, fn)
                if not values and name in self.module.imports:
                    return self._from_import(self.module.imports[name])
                return self._same(values, fn)
            case ir.Attr(obj=ir.Name(id=base), attr=attr) if base in ("self", "this", "cls"):
                owner = fn.class_name if fn is not None else None
                values = self.bindings.attributes.get(owner or "", {}).get(attr, [])
                return self._same(values, fn)
            case ir.Attr(obj=obj, attr=attr):
                inner = self._object(obj, fn)
                if isinstance(inner, _Resource) and attr[:1].islower():
                    return _Collection(inner, attr)
                written = _dotted(e)
                head, _, rest = written.partition(".")
                imported = inner is None and rest and head in self.module.imports
                if imported and not self._assigned(head, fn):  # `import lib.clients` ...
                    return self._from_import(f"{self.module.imports[head]}.{rest}")
                return None
            case ir.Call():
                return self._created(e, fn)
        return None

    def _from_import(self, target: str) -> _Object | None:
        """A client another project module creates at its top level and this one imports."""
        found = self.importer(target) if self.importer is not None else None
        if found is None:
            return None
        other, member = found
        if not member or "." in member:
            return None
        return other._same(other.bindings.names.get("", {}).get(member, []), None)

    def _same(self, values: list[ir.Expr], fn: ir.Function | None) -> _Object | None:
        objects = [self._object(v, fn) for v in values]
        if not objects or any(o is None for o in objects):
            return None
        first = objects[0]
        return first if all(o == first for o in objects[1:]) else None

    def _assigned(self, name: str, fn: ir.Function | None) -> list[ir.Expr]:
        scope = fn
        while scope is not None:
            values = self.bindings.names.get(scope.qualname, {}).get(name)
            if values is not None:
                return values
            if any(p.name == name for p in scope.params):
                return []
            scope = self.module.functions.get(scope.parent) if scope.parent else None
        return self.bindings.names.get("", {}).get(name, [])

    def _created(self, c: ir.Call, fn: ir.Function | None) -> _Object | None:
        name = c.name
        qualname = c.qualname
        if _BOTO3_CLIENT.match(name) or _BOTO3_CLIENT.match(qualname):
            return self._boto3(c, fn, client=True)
        if _BOTO3_RESOURCE.match(name) or _BOTO3_RESOURCE.match(qualname):
            return self._boto3(c, fn, client=False)
        if isinstance(c.func, ir.Attr):
            receiver = self._object(c.func.obj, fn)
            method = c.func.attr
            if isinstance(receiver, _ServiceResource) and method[:1].isupper():
                return _Resource(receiver.service, method, c.args)
            if isinstance(receiver, _Resource) and method[:1].isupper():
                return _Resource(receiver.service, method, receiver.identifiers + c.args)
            if isinstance(receiver, _Client) and receiver.service is not None:
                first = _const(c.args[0]) if c.args else None
                if method == "get_paginator" and first is not None:
                    return _Paginator(receiver.service, first)
                if method == "get_waiter" and first is not None:
                    return _Waiter(receiver.service, first)
        return _js_object(name, c)

    def _boto3(self, c: ir.Call, fn: ir.Function | None, *, client: bool) -> _Object:
        arg = c.arg(0, "service_name")
        written = self.value(arg, fn) if arg is not None else Opaque("no service name")
        if isinstance(written, Literal):
            service = sdk_map.boto3_service(written.value)
            if service is None:
                return _Client(None, "python", written.value, f"no AWS service {written.value!r}")
            return (
                _Client(service, "python", written.value) if client else _ServiceResource(service)
            )
        return _Client(None, "python", "boto3", "the service name is not a literal")

    # -- values of request parameters -----------------------------------------------------

    def _event_path(self, e: ir.Expr, fn: ir.Function | None) -> tuple[str, ...] | None:
        """`event["a"]["b"]` / `event.a.b` in the handler itself: ("a", "b")."""
        if fn is None or fn.qualname != self.entry or not fn.params:
            return None
        event = fn.params[0].name
        path: list[str] = []
        while isinstance(e, ir.Index | ir.Attr):
            if isinstance(e, ir.Attr):
                path.append(e.attr)
            elif isinstance(e.key, ir.Const) and isinstance(e.key.value, str):
                path.append(e.key.value)
            else:
                return None
            e = e.obj
        if isinstance(e, ir.Name) and e.id == event and path and not self._assigned(event, fn):
            return tuple(reversed(path))
        return None

    def value(self, e: ir.Expr, fn: ir.Function | None, depth: int = 0) -> Value:
        if depth > 8:
            return Opaque("a value computed at run time")
        match e:
            case ir.Const(value=str(text)):
                return Literal(text)
            case ir.Index() | ir.Attr() if (path := self._event_path(e, fn)) is not None:
                return EventField(path)
            case ir.Name(id=name):
                values = self._assigned(name, fn)
                if fn is not None and any(p.name == name for p in fn.params):
                    return Opaque(f"parameter {name} of {fn.name}()")
                if len(values) == 1:
                    return self.value(values[0], fn, depth + 1)
                return Opaque(name)
            case ir.Index(obj=obj, key=ir.Const(value=str(var))) if _dotted(obj) in _ENVIRON:
                return EnvVar(var)
            case ir.Attr(obj=obj, attr=var) if _dotted(obj) == "process.env":
                return EnvVar(var)
            case ir.Call(args=(ir.Const(value=str(var)), *_)) if e.name in (
                "os.environ.get",
                "os.getenv",
                "environ.get",
                "getenv",
            ):
                return EnvVar(var)
            case ir.BoolOp(values=(first, *_)):  # process.env.X || "default"
                return self.value(first, fn, depth + 1)
            case ir.StrBuild(kind="fstring" | "concat", parts=parts):
                pieces = [self.value(p, fn, depth + 1) for p in parts]
                return Template(
                    tuple(p if isinstance(p, Literal | EnvVar) else None for p in pieces)
                )
        return Opaque(_describe(e))


def _js_object(name: str, c: ir.Call) -> _Object | None:

    # v2: `new AWS.S3()`, `new AWS.DynamoDB.DocumentClient()`, `new S3()` from aws-sdk/clients/s3
    if name.startswith("aws-sdk."):
        path = name[len("aws-sdk.") :]
        service = sdk_map.js_v2_service(path)
        style = "document-client" if path.endswith("DocumentClient") else "js"
        if service is None:
            return _Client(None, style, path, f"no AWS SDK v2 client {path}")
        return _Client(service, style, path)
    client_path = _V2_CLIENT_PATH.match(name)
    if client_path:
        service = sdk_map.js_v2_service(client_path.group(1))
        document = client_path.group(2) is not None
        shown = client_path.group(1)
        if service is None:
            return _Client(None, "js", shown, f"no AWS SDK v2 client {shown}")
        return _Client(service, "document-client" if document else "js", shown)
    if not name.startswith("@aws-sdk/"):
        return None
    package, _, member = name.partition(".")
    if package == "@aws-sdk/lib-storage":
        return None  # `new Upload(...)` is a call of its own (_constructor_call)
    if package == "@aws-sdk/lib-dynamodb":
        if member.startswith(("DynamoDBDocumentClient.from", "DynamoDBDocument.from")):
            style = "send" if member.startswith("DynamoDBDocumentClient") else "document-client"
            return _Client("dynamodb", style, "DynamoDBDocument")
        if member.endswith("Command"):
            return _Command("dynamodb", member, "lib-dynamodb", c.args[0] if c.args else None)
        return None
    service = sdk_map.js_v3_service(package)
    if member.endswith("Command"):
        return _Command(service, member, "command", c.args[0] if c.args else None)
    if service is None:
        return None
    if member.endswith("Client"):
        return _Client(service, "send", member)
    if member and member[:1].isupper() and "." not in member:
        return _Client(service, "js", member)  # the aggregated client: `new S3({}).putObject()`
    return None


# -- IR walking -------------------------------------------------------------------------------


def _bindings(module: ir.Module) -> _Bindings:
    b = _Bindings()
    scopes: list[tuple[str, str | None, Sequence[ir.Stmt]]] = [("", None, module.body)]
    scopes += [(fn.qualname, fn.class_name, fn.body) for fn in module.functions.values()]
    for scope, class_name, body in scopes:
        names = b.names.setdefault(scope, {})
        for s in statements_in(body):
            if not isinstance(s, ir.Assign):
                continue
            for target in s.targets:
                if isinstance(target, ir.Name):
                    names.setdefault(target.id, []).append(s.value)
                elif (
                    isinstance(target, ir.Attr)
                    and isinstance(target.obj, ir.Name)
                    and target.obj.id in ("self", "this", "cls")
                    and class_name is not None
                ):
                    attrs = b.attributes.setdefault(class_name, {})
                    attrs.setdefault(target.attr, []).append(s.value)
    return b


def statements_in(body: Sequence[ir.Stmt]) -> Iterator[ir.Stmt]:
    for s in body:
        yield s
        match s:
            case ir.If(body=a, orelse=b) | ir.Loop(body=a, orelse=b):
                yield from statements_in(a)
                yield from statements_in(b)
            case ir.Try(body=body_, handlers=handlers, orelse=orelse, finalbody=final):
                yield from statements_in(body_)
                for h in handlers:
                    yield from statements_in(h.body)
                yield from statements_in(orelse)
                yield from statements_in(final)
            case ir.With(body=inner):
                yield from statements_in(inner)


def _calls_in(body: Sequence[ir.Stmt]) -> Iterator[ir.Call]:
    for s in statements_in(body):
        for e in stmt_exprs(s):
            yield from _calls_of(e)


def stmt_exprs(s: ir.Stmt) -> tuple[ir.Expr, ...]:
    match s:
        case ir.Assign(targets=targets, value=value):
            return (*targets, value)
        case ir.ExprStmt(value=value):
            return (value,)
        case ir.Return(value=value) | ir.Raise(value=value):
            return () if value is None else (value,)
        case ir.If(test=test):
            return (test,)
        case ir.Loop(iter=it, test=test):
            return tuple(x for x in (it, test) if x is not None)
        case ir.With(items=items):
            return tuple(i.context for i in items)
    return ()


def _calls_of(e: ir.Expr) -> Iterator[ir.Call]:
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Call):
            yield node
        if isinstance(node, ir.Lambda):
            stack.append(node.body)
        stack.extend(ir.children(node))


def _keyword_args(c: ir.Call) -> dict[str, ir.Expr]:
    return {kw.name: kw.value for kw in c.kwargs if kw.name is not None}


def _keyword_args_of(e: ir.Expr | None) -> dict[str, ir.Expr]:
    """The fields of an object literal (`{Bucket: b, Key: k}`)."""
    if not isinstance(e, ir.Dict):
        return {}
    out: dict[str, ir.Expr] = {}
    for key, value in zip(e.keys, e.values, strict=True):
        name = _const(key) if key is not None else None
        if name is not None:
            out[name] = value
    return out


def _literal_args(c: ir.Call, params: ir.Expr | None, *, python: bool) -> bool:
    """Whether every request parameter is written out at the call (no `**kwargs`, a
    literal object rather than a variable)."""
    if python:
        return not c.has_spread_kwargs
    return isinstance(params, ir.Dict) and None not in params.keys


def _positional(c: ir.Call, names: tuple[str, ...]) -> dict[str, ir.Expr]:
    out: dict[str, ir.Expr] = {}
    for name, arg in zip(names, c.args, strict=False):
        if isinstance(arg, ir.Spread):
            break
        out[name] = arg
    return out


def _first(c: ir.Call) -> ir.Expr | None:
    return c.args[0] if c.args else None


def _const(e: ir.Expr | None) -> str | None:
    return e.value if isinstance(e, ir.Const) and isinstance(e.value, str) else None


def _dotted(e: ir.Expr) -> str:
    match e:
        case ir.Name(id=name):
            return name
        case ir.Attr(obj=obj, attr=attr):
            inner = _dotted(obj)
            return f"{inner}.{attr}" if inner else ""
    return ""


def _describe(e: ir.Expr) -> str:
    written = _dotted(e)
    if written:
        return written
    if isinstance(e, ir.Index | ir.Attr):
        return "a value read at run time"
    if isinstance(e, ir.Call):
        return f"the result of {e.name or 'a call'}()"
    return "a value computed at run time"
