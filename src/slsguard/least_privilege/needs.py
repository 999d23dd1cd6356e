"""What each function needs from IAM: the actions its handler code calls (and the project
modules it imports), on which resources, plus what its configuration makes Lambda do on its
behalf (read its queue or stream, write its logs and traces, reach its VPC, send to its
dead-letter target, decrypt its environment).

Only code that can run for the function counts: the module bodies (they run at import) and
the functions reachable from the handler by name, through calls, references (callbacks,
routes) and classes used, across the handler's module and the local modules it imports.
Name-based reachability errs on the side of more code, so more permissions, never fewer.

Knowledge can be incomplete: no handler source, a language not analysed, a library known to
call AWS by itself (PynamoDB, awswrangler, Powertools parameters ...), an SDK call whose
service or operation is not known. `FunctionNeeds.gaps` and `.uninferred` say so, and the
rules that compare needs with grants stay silent for such functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from slsguard.least_privilege.arns import customer_key, event_source_arn, role_scope, scope
from slsguard.least_privilege.sdk_calls import Extractor, SdkCall
from slsguard.least_privilege.values import Arn, logical_id
from slsguard.model.app import App, Function
from slsguard.model.values import GetAtt, Ref

if TYPE_CHECKING:
    from slsguard.code import ir
    from slsguard.code.handler_files import HandlerSource

# Libraries that call AWS APIs themselves: their calls are not visible in the handler's code.
AWS_CALLING_LIBRARIES = {
    "pynamodb": "PynamoDB",
    "awswrangler": "AWS SDK for pandas",
    "aws_lambda_powertools.utilities.parameters": "Powertools parameters",
    "aws_lambda_powertools.utilities.idempotency": "Powertools idempotency",
    "aws_lambda_powertools.utilities.feature_flags": "Powertools feature flags",
    "aws_lambda_powertools.utilities.streaming": "Powertools streaming",
    "s3fs": "s3fs",
    "smart_open": "smart_open",
    "aioboto3": "aioboto3",
    "aiobotocore": "aiobotocore",
    "dynamoose": "dynamoose",
    "dynamodb-toolbox": "dynamodb-toolbox",
    "@aws-lambda-powertools/parameters": "Powertools parameters",
    "@aws-lambda-powertools/idempotency": "Powertools idempotency",
    "@middy/ssm": "middy ssm",
    "@middy/secrets-manager": "middy secrets-manager",
    "@middy/s3-object-response": "middy s3-object-response",
    "@aws/dynamodb-data-mapper": "DynamoDB data mapper",
    "electrodb": "ElectroDB",
}

_LOGS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
_XRAY = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
_VPC = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)
_SQS_POLLER = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
_KINESIS_POLLER = (
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
    "kinesis:ListShards",
    "kinesis:ListStreams",
)
_DYNAMODB_STREAM_POLLER = (
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:DescribeStream",
    "dynamodb:ListStreams",
)
# Event sources whose pollers need permissions this module does not model yet.
_UNMODELLED_POLLERS = frozenset({"kafka", "msk", "mq", "activemq", "rabbitmq"})


@dataclass(frozen=True, slots=True)
class Need:
    action: str
    resources: tuple[Arn, ...]
    why: str  # "s3.put_object" or "its SQS event source"
    file: str = ""  # where in code; "" for needs from the configuration
    line: int = 0
    col: int = 0
    # Written by the framework itself (Lambda's own logs in serverless and SAM; a managed
    # policy in CloudFormation), so never part of a generated statement.
    implicit: bool = False


@dataclass(frozen=True, slots=True)
class Uninferred:
    file: str
    line: int
    text: str  # the call as written
    reason: str
    # True: the call's action itself is unknown (the function's needs are incomplete);
    # False: only which resource it acts on (the statement is written with "*")
    action_unknown: bool = False


@dataclass(frozen=True, slots=True)
class FunctionNeeds:
    function_id: str
    needs: tuple[Need, ...] = ()
    uninferred: tuple[Uninferred, ...] = ()
    gaps: tuple[str, ...] = ()  # why the code's needs may be incomplete
    calls: tuple[SdkCall, ...] = ()

    @property
    def complete(self) -> bool:
        """Every AWS call of the function is known, with its action (resources may be "*")."""
        return not self.gaps and not any(u.action_unknown for u in self.uninferred)

    def actions(self) -> frozenset[str]:
        return frozenset(n.action for n in self.needs)


def analyze_app(app: App, app_dir: Path, root: Path) -> dict[str, FunctionNeeds]:
    """The needs of every function of the app, by function id."""
    from slsguard.code.handlers import resolve_handlers

    sources, unresolved = resolve_handlers(app, app_dir, root)
    by_function = {s.function_id: s for s in sources}
    missing = {u.function_id: u.reason for u in unresolved}
    listings: dict[Path, frozenset[str]] = {}
    out: dict[str, FunctionNeeds] = {}
    for fn in app.functions:
        source = by_function.get(fn.id)
        platform = tuple(_platform_needs(fn, app))
        if source is None:
            reason = missing.get(fn.id, "its runtime's code is not analysed")
            out[fn.id] = FunctionNeeds(fn.id, platform, (), (f"handler code not read: {reason}",))
            continue
        out[fn.id] = _code_needs(fn, app, source, _Program(source, root, listings), platform)
    return out


class _Program:
    """The handler's module and the project modules it imports, parsed once each; resolves
    a name imported from one of them (`from lib.aws import table`) to that module."""

    def __init__(
        self, source: HandlerSource, root: Path, listings: dict[Path, frozenset[str]]
    ) -> None:
        from slsguard.code.handler_files import SourceRejected, language_of, read_source
        from slsguard.code.project import project_files

        self.source = source
        self.files = project_files(source, root, listings)
        self.handler_rel = source.template_file or source.rel
        # (rel as reported, path or None for inline code, module or None when unparseable)
        self.modules: list[tuple[str, Path | None, ir.Module | None]] = [
            (
                self.handler_rel,
                source.path,
                _parse(source.text, source.rel, source.language, handler=True),
            )
        ]
        if self.files is not None:
            for path, rel in self.files.modules:
                try:
                    text = read_source(path, self.files.real_root)
                except SourceRejected:
                    self.modules.append((rel, path, None))
                    continue
                self.modules.append((rel, path, _parse(text, rel, language_of(path) or "")))
        self.rel_of_path = {p: rel for rel, p, m in self.modules if m is not None and p}
        self.extractors: dict[str, Extractor] = {}

    def extractor(self, rel: str, module: ir.Module) -> Extractor:
        found = self.extractors.get(rel)
        if found is None:
            path = next(p for r, p, _ in self.modules if r == rel)
            found = self.extractors[rel] = Extractor(
                module, rel, lambda target: self._imported(path, target)
            )
        return found

    def _imported(self, importer: Path | None, target: str) -> tuple[Extractor, str] | None:
        """The module a dotted import target names, and the member's name in it."""
        from slsguard.code.project import js_module, python_module

        if self.files is None or importer is None:
            return None
        found: tuple[Path, str] | None = None
        if self.source.language == "python":
            parts = target.split(".")
            for cut in range(len(parts) - 1, 0, -1):
                path = python_module(self.files, importer, parts[:cut])
                if path is not None:
                    found = (path, ".".join(parts[cut:]))
                    break
        else:
            found = js_module(self.files, importer, target)
        if found is None or found[0] not in self.rel_of_path:
            return None
        rel = self.rel_of_path[found[0]]
        module = next(m for r, _, m in self.modules if r == rel)
        return (self.extractor(rel, module), found[1]) if module is not None else None


def _code_needs(
    fn: Function,
    app: App,
    source: HandlerSource,
    program: _Program,
    platform: tuple[Need, ...],
) -> FunctionNeeds:
    gaps: list[str] = []
    calls: list[SdkCall] = []
    parsed = [(rel, m) for rel, _, m in program.modules if m is not None]
    gaps += [f"{rel} could not be parsed" for rel, _, m in program.modules if m is None]
    gaps += [
        f"its {kind} event source's permissions are not modelled"
        for kind in unmodelled_event_sources(fn, app)
    ]
    handler_rel = program.handler_rel
    entry = _entry(parsed[0][1], source.export) if parsed else None
    reachable = _reachable(parsed, entry)
    for rel, module in parsed:
        shown = rel
        extractor = program.extractor(rel, module)
        if rel == program.handler_rel and entry is not None:
            extractor.entry = entry.qualname
        calls += extractor.calls(reachable.get(rel, ()))
        for library in _aws_libraries(module):
            gaps.append(f"{shown} uses {library}, which calls AWS by itself")
    offset = source.line_offset
    needs = list(platform)
    uninferred: list[Uninferred] = []
    for call in calls:
        line = call.line + offset if call.file == handler_rel else call.line
        if call.problem:
            uninferred.append(Uninferred(call.file, line, call.text, call.problem, True))
            continue
        targets: list[Arn] = []
        for action in call.actions:
            scoped = scope(call, action, fn, app)
            if scoped.problem:
                reason = f"resource of {action}: {scoped.problem}"
                uninferred.append(Uninferred(call.file, line, call.text, reason))
            needs.append(Need(action, scoped.resources, call.text, call.file, line, call.col))
            targets += scoped.resources
        for kms in _encryption_needs(call, targets, app):
            if kms.resources == ("*",):
                reason = f"resource of {kms.action}: the target's KMS key is not known"
                uninferred.append(Uninferred(call.file, line, call.text, reason))
            needs.append(replace(kms, line=line, col=call.col))
        for role in call.passed_roles:
            scoped = role_scope(role, fn, app)
            if scoped.problem:
                reason = f"resource of iam:PassRole: {scoped.problem}"
                uninferred.append(Uninferred(call.file, line, call.text, reason))
            needs.append(
                Need("iam:PassRole", scoped.resources, call.text, call.file, line, call.col)
            )
    return FunctionNeeds(fn.id, tuple(needs), tuple(uninferred), tuple(gaps), tuple(calls))


def _parse(text: str, rel: str, language: str, *, handler: bool = False) -> ir.Module | None:
    """The module's IR, through the code rules' own per-process parse caches (the same file
    is analysed for them too)."""
    from slsguard.code.analyze import CodeParseError

    try:
        if language == "python":
            from slsguard.code.analyze import _parse_python

            return _parse_python(text, rel)
        if language in ("javascript", "typescript"):
            from slsguard.code import js_analyze

            if handler:  # as js_analyze.analyze_javascript parses the handler's file
                tsx = rel.lower().endswith(".tsx")
                return js_analyze._parse(text, rel, language == "typescript" or tsx, tsx)
            return js_analyze.parse_module_file(text, rel)
    except (CodeParseError, RecursionError):
        return None
    return None


def _encryption_needs(call: SdkCall, resources: list[Arn], app: App) -> list[Need]:
    """KMS actions a call needs because its target is encrypted with a customer managed key
    (iam/data/sdk_overrides.toml [[encrypted_target]])."""
    from slsguard.iam.sdk_map import kms_for_encrypted_target

    kms = kms_for_encrypted_target(call.service or "", call.operation or "")
    if not kms:
        return []
    targets = {lid for r in resources if (lid := logical_id(r)) is not None}
    out: list[Need] = []
    for target in sorted(targets):
        encrypted, key = customer_key(target, app)
        if encrypted:
            why = f"{call.text} on {target}, encrypted with a customer managed KMS key"
            out += [Need(a, (key if key is not None else "*",), why, call.file) for a in kms]
    return out


def _aws_libraries(module: ir.Module) -> list[str]:
    found: list[str] = []
    for target in module.imports.values():
        for prefix, library in AWS_CALLING_LIBRARIES.items():
            if (target == prefix or target.startswith((prefix + ".", prefix + "/"))) and (
                library not in found
            ):
                found.append(library)
    return found


# -- reachability ------------------------------------------------------------------------------


def _reachable(
    modules: list[tuple[str, ir.Module]], entry: ir.Function | None
) -> dict[str, list[str]]:
    """Per module, the functions that can run from `entry`, the handler in the first module."""

    referenced: set[str] = set()
    chosen: dict[str, set[str]] = {rel: set() for rel, _ in modules}
    for _, module in modules:
        referenced |= _names_in(module.body)
    first_rel, first = modules[0]
    work: list[tuple[str, ir.Function]] = []
    if entry is not None:
        work.append((first_rel, entry))
    changed = True
    while work or changed:
        changed = False
        while work:
            rel, fn = work.pop()
            if fn.qualname in chosen[rel]:
                continue
            chosen[rel].add(fn.qualname)
            referenced |= _names_in(fn.body)
            for decorator in fn.decorators:
                referenced |= _names_of(decorator)
            for param in fn.params:
                if param.default is not None:
                    referenced |= _names_of(param.default)
        for rel, module in modules:
            for qualname, fn in module.functions.items():
                if qualname in chosen[rel]:
                    continue
                owner = fn.class_name or ""
                if (
                    fn.name in referenced
                    or (owner and owner in referenced)
                    or fn.decorators  # routes and registered callbacks
                    or (fn.parent is not None and fn.parent in chosen[rel])
                ):
                    work.append((rel, fn))
                    changed = True
    if entry is None:  # the export is not a function found in the module: take all of it
        chosen[first_rel] = set(first.functions)
    return {rel: sorted(names) for rel, names in chosen.items()}


def _entry(module: ir.Module, handler: str) -> ir.Function | None:
    if handler in module.functions:
        return module.functions[handler]
    name = handler.rsplit(".", 1)[-1]
    if name in module.functions:
        return module.functions[name]
    try:
        from slsguard.code.js_analyze import handler_function

        found = handler_function(module, handler)
    except Exception:  # an export table the JS helper cannot read: no entry point
        return None
    return module.functions.get(found)


def _names_in(body: Sequence[ir.Stmt]) -> set[str]:
    from slsguard.code import ir
    from slsguard.least_privilege.sdk_calls import statements_in, stmt_exprs

    names: set[str] = set()
    for s in statements_in(body):
        for e in stmt_exprs(s):
            names |= _names_of(e)
        if isinstance(s, ir.Def):
            names.add(s.name)  # a nested function defined where it runs
    return names


def _names_of(e: ir.Expr) -> set[str]:
    from slsguard.code import ir

    names: set[str] = set()
    stack = [e]
    while stack:
        node = stack.pop()
        match node:
            case ir.Name(id=name):
                names.add(name)
            case ir.Attr(attr=attr):
                names.add(attr)
            case ir.Call(name=called, qualname=qualname):
                names.add(called.rsplit(".", 1)[-1])
                names.add(qualname.rsplit(".", 1)[-1].rstrip("()"))
            case ir.Lambda(body=body):
                stack.append(body)
        stack.extend(ir.children(node))
    return names


# -- what the configuration needs --------------------------------------------------------------


def _platform_needs(fn: Function, app: App) -> Iterable[Need]:
    for action in _LOGS:
        yield Need(action, ("*",), "Lambda's own logs", implicit=True)
    if fn.tracing is not None and str(fn.tracing.value).lower() in ("active", "true"):
        for action in _XRAY:
            yield Need(action, ("*",), "active tracing")
    if fn.vpc is not None and fn.vpc.value:
        for action in _VPC:
            yield Need(action, ("*",), "its VPC configuration", implicit=True)
    for event in fn.events:
        arn = event_source_arn(event.source, app)
        resources: tuple[Arn, ...] = (arn,) if arn is not None else ("*",)
        if event.kind == "sqs":
            for action in _SQS_POLLER:
                yield Need(action, resources, "its SQS event source")
            queue = logical_id(arn) if arn is not None else None
            encrypted, key = customer_key(queue, app) if queue else (False, None)
            if encrypted:
                why = "its SQS event source, encrypted with a customer managed KMS key"
                yield Need("kms:Decrypt", (key if key is not None else "*",), why)
        elif event.kind == "stream":
            service = _stream_service(event.source, event.properties, app)
            if service is not None:
                pollers = _DYNAMODB_STREAM_POLLER if service == "dynamodb" else _KINESIS_POLLER
                for action in pollers:
                    yield Need(action, _for(action, resources), "its stream event source")
    targets = (
        (fn.dead_letter, "its dead-letter target"),
        (fn.on_failure, "its on-failure destination"),
    )
    for setting, why in targets:
        if setting is None:
            continue
        target = event_source_arn(setting.value, app)
        send = _send_action(setting.value, app)
        if send is not None:
            yield Need(send, (target,) if target is not None else ("*",), why)
    if fn.kms_key is not None and fn.kms_key.value:
        key = event_source_arn(fn.kms_key.value, app)
        yield Need("kms:Decrypt", (key,) if key is not None else ("*",), "its environment key")


def _for(action: str, resources: tuple[Arn, ...]) -> tuple[Arn, ...]:
    """`resources`, or "*" for an action that names no resource (dynamodb:ListStreams)."""
    from slsguard.iam import catalog

    info = catalog.info(action)
    return resources if info is None or info.supports_resource_level else ("*",)


def unmodelled_event_sources(fn: Function, app: App) -> list[str]:
    kinds = {e.kind for e in fn.events if e.kind in _UNMODELLED_POLLERS}
    kinds |= {
        "stream"
        for e in fn.events
        if e.kind == "stream" and _stream_service(e.source, e.properties, app) is None
    }
    return sorted(kinds)


def _stream_service(source: object, properties: Mapping[str, object], app: App) -> str | None:
    """ "dynamodb" or "kinesis" for a stream event, None when it cannot be told."""
    written = str(properties.get("type", "")).lower()  # serverless `stream: {type: dynamodb}`
    if written in ("dynamodb", "kinesis"):
        return written
    if isinstance(source, dict) and len(source) == 1:
        source = next(iter(source.values()))
    if isinstance(source, GetAtt | Ref):
        if isinstance(source, GetAtt) and source.attribute == "StreamArn":
            return "dynamodb"
        res = next((r for r in app.resources if r.id == source.logical_id), None)
        if res is not None and res.type == "AWS::Kinesis::Stream":
            return "kinesis"
        if res is not None and res.type in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"):
            return "dynamodb"
        return None
    if isinstance(source, str) and source.startswith("arn:"):
        service = source.split(":")[2] if source.count(":") >= 2 else ""
        return service if service in ("dynamodb", "kinesis") else None
    return None


_SEND_BY_TYPE = {
    "AWS::SQS::Queue": "sqs:SendMessage",
    "AWS::SNS::Topic": "sns:Publish",
    "AWS::Lambda::Function": "lambda:InvokeFunction",
    "AWS::Serverless::Function": "lambda:InvokeFunction",
    "AWS::Events::EventBus": "events:PutEvents",
}
_SEND_BY_SERVICE = {
    "sqs": "sqs:SendMessage",
    "sns": "sns:Publish",
    "lambda": "lambda:InvokeFunction",
    "events": "events:PutEvents",
}


def _send_action(value: object, app: App) -> str | None:
    """What Lambda does with a failed event, by the target's type or ARN."""
    if isinstance(value, dict) and len(value) == 1:  # serverless {arn: ...}, SAM {Type, ...}
        value = next(iter(value.values()))
    if isinstance(value, Ref | GetAtt):
        res = next((r for r in app.resources if r.id == value.logical_id), None)
        return _SEND_BY_TYPE.get(res.type) if res is not None else None
    if isinstance(value, str) and value.startswith("arn:"):
        parts = value.split(":")
        return _SEND_BY_SERVICE.get(parts[2]) if len(parts) > 2 else None
    return None
