"""Static evaluation of CloudFormation intrinsic functions.

Only what is decidable offline is decided: parameters with defaults (or --param values),
pseudo parameters that do not depend on the account, Mappings, Conditions over those.
Everything else becomes a symbolic value (Ref/GetAtt to a resource of the template) or
an explicit Unresolved that remembers its kind. Undecidable Fn::If inside a list keeps
both branches (an over-approximation of the list); in scalar position it is Unresolved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from slsguard.model.values import GetAtt, Ref, Unresolved, as_list

NO_VALUE = object()  # AWS::NoValue: the key or list element disappears
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
_DYNAMIC_REF = re.compile(r"\{\{resolve:([a-z-]+):[^}]*\}\}")
_MAX_DEPTH = 60


class IntrinsicResolver:
    def __init__(
        self,
        template: Mapping[str, Any],
        params: Mapping[str, str] | None = None,
        region: str | None = None,
    ) -> None:
        self.resources = template.get("Resources") if isinstance(template, dict) else None
        if not isinstance(self.resources, dict):
            self.resources = {}
        raw_params = template.get("Parameters") if isinstance(template, dict) else None
        self.parameters: dict[str, Any] = {}
        if isinstance(raw_params, dict):
            for name, spec in raw_params.items():
                if params and name in params:
                    self.parameters[name] = params[name]
                elif isinstance(spec, dict) and "Default" in spec:
                    self.parameters[name] = spec["Default"]
                else:
                    self.parameters[name] = Unresolved("parameter", name)
        self.pseudo: dict[str, Any] = {
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::Region": region if region else Unresolved("aws", "AWS::Region"),
            "AWS::AccountId": Unresolved("aws", "AWS::AccountId"),
            "AWS::StackName": Unresolved("aws", "AWS::StackName"),
            "AWS::StackId": Unresolved("aws", "AWS::StackId"),
            "AWS::NotificationARNs": Unresolved("aws", "AWS::NotificationARNs"),
        }
        mappings = template.get("Mappings") if isinstance(template, dict) else None
        self.mappings: dict[str, Any] = mappings if isinstance(mappings, dict) else {}
        conditions = template.get("Conditions") if isinstance(template, dict) else None
        self._condition_defs: dict[str, Any] = conditions if isinstance(conditions, dict) else {}
        self._conditions: dict[str, bool | None] = {}

    # -- conditions ---------------------------------------------------------------------

    def condition(self, name: str, depth: int = 0) -> bool | None:
        """True/False when decidable, None when it depends on deploy-time values."""
        if name in self._conditions:
            return self._conditions[name]
        self._conditions[name] = None  # cycle guard
        spec = self._condition_defs.get(name)
        result = self._eval_condition(spec, depth) if spec is not None else None
        self._conditions[name] = result
        return result

    def _eval_condition(self, spec: Any, depth: int) -> bool | None:
        if depth > _MAX_DEPTH or not isinstance(spec, dict) or len(spec) != 1:
            return None
        ((fn, arg),) = spec.items()
        if fn == "Condition" and isinstance(arg, str):
            return self.condition(arg, depth + 1)
        if not isinstance(arg, list):
            return None
        if fn == "Fn::Equals" and len(arg) == 2:
            left, right = (self.resolve(a, depth + 1) for a in arg)
            if _is_plain(left) and _is_plain(right):
                return str(left) == str(right)
            return None
        parts = [self._eval_condition(a, depth + 1) for a in arg]
        if fn == "Fn::Not" and len(parts) == 1:
            return None if parts[0] is None else not parts[0]
        if fn == "Fn::And":
            if False in parts:
                return False
            return None if None in parts else True
        if fn == "Fn::Or":
            if True in parts:
                return True
            return None if None in parts else False
        return None

    # -- values -------------------------------------------------------------------------

    def resolve(self, value: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            return Unresolved("intrinsic", "nesting too deep")
        if isinstance(value, str):
            return self._dynamic_refs(value)
        if isinstance(value, list):
            return self._resolve_list(value, depth)
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref" or key.startswith("Fn::"):
                return self._intrinsic(key, arg, depth)
        out: dict[str, Any] = {}
        for key, item in value.items():
            resolved = self.resolve(item, depth + 1)
            if resolved is not NO_VALUE:
                out[key] = resolved
        return out

    def _resolve_list(self, items: list[Any], depth: int) -> list[Any]:
        out: list[Any] = []
        for item in items:
            if _is_if(item):
                for branch in self._if_branches(item["Fn::If"], depth):
                    resolved = self.resolve(branch, depth + 1)
                    if resolved is not NO_VALUE:
                        out.append(resolved)
                continue
            resolved = self.resolve(item, depth + 1)
            if resolved is not NO_VALUE:
                out.append(resolved)
        return out

    def _if_branches(self, arg: Any, depth: int) -> list[Any]:
        if not (isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str)):
            return []
        decided = self.condition(arg[0], depth + 1)
        if decided is None:
            return [arg[1], arg[2]]
        return [arg[1] if decided else arg[2]]

    def _intrinsic(self, fn: str, arg: Any, depth: int) -> Any:
        handler = _HANDLERS.get(fn)
        if handler is None:
            return Unresolved("intrinsic", fn)
        return handler(self, arg, depth + 1)

    def _ref(self, arg: Any, depth: int) -> Any:
        if not isinstance(arg, str):
            return Unresolved("intrinsic", "Ref")
        if arg == "AWS::NoValue":
            return NO_VALUE
        if arg in self.pseudo:
            return self.pseudo[arg]
        if arg in self.parameters:
            return self.parameters[arg]
        if arg in self.resources:  # type: ignore[operator]
            return Ref(arg)
        return Unresolved("ref", arg)

    def _getatt(self, arg: Any, depth: int) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if isinstance(arg, list) and len(arg) == 2 and all(isinstance(a, str) for a in arg):
            return GetAtt(arg[0], arg[1])
        return Unresolved("intrinsic", "Fn::GetAtt")

    def _sub(self, arg: Any, depth: int) -> Any:
        variables: dict[str, Any] = {}
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            template, variables = arg[0], arg[1]
        else:
            template = arg
        if not isinstance(template, str):
            return Unresolved("intrinsic", "Fn::Sub")
        blockers: list[Any] = []
        folded: dict[str, str] = {}  # `${var}` of the variables map as a plain Sub writes it

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                value = self.resolve(variables[name], depth + 1)
            elif "." in name and name.split(".", 1)[0] in self.resources:  # type: ignore[operator]
                value = GetAtt(*name.split(".", 1))
            else:
                value = self._ref(name, depth)
            if name in variables:
                if _is_plain(value):
                    folded[name] = str(value)
                elif isinstance(value, Ref):  # {tableName: !Ref Orders}: `${Orders}`
                    folded[name] = "${" + value.logical_id + "}"
                elif isinstance(value, GetAtt):
                    folded[name] = "${" + f"{value.logical_id}.{value.attribute}" + "}"
            if _is_plain(value):
                return str(value)
            blockers.append(value)
            return match.group(0)

        text = _SUB_VAR.sub(substitute, template)
        if blockers:
            first = blockers[0]
            kind = first.kind if isinstance(first, Unresolved) else "Fn::Sub"
            # As written, with the variables map folded in (SAM policy templates use one).
            written = _SUB_VAR.sub(lambda m: folded.get(m.group(1), m.group(0)), template)
            return Unresolved(kind, written)
        return self._dynamic_refs(text)

    def _join(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)):
            return Unresolved("intrinsic", "Fn::Join")
        parts = self.resolve(arg[1], depth + 1)
        if isinstance(parts, list) and all(_is_plain(p) for p in parts):
            return arg[0].join(str(p) for p in parts)
        blocker = next((p for p in as_list(parts) if isinstance(p, Unresolved)), None)
        return Unresolved(blocker.kind if blocker else "Fn::Join", _join_expr(arg[0], parts))

    def _if(self, arg: Any, depth: int) -> Any:
        branches = self._if_branches(arg, depth)
        if len(branches) == 1:
            return self.resolve(branches[0], depth + 1)
        if len(branches) == 2:
            first, second = (self.resolve(b, depth + 1) for b in branches)
            if first == second:
                return first
            return Unresolved("condition", str(arg[0]))
        return Unresolved("intrinsic", "Fn::If")

    def _select(self, arg: Any, depth: int) -> Any:
        if isinstance(arg, list) and len(arg) == 2:
            index = self.resolve(arg[0], depth + 1)
            items = self.resolve(arg[1], depth + 1)
            try:
                if isinstance(items, list):
                    return items[int(index)]
            except (ValueError, TypeError, IndexError):
                pass
        return Unresolved("intrinsic", "Fn::Select")

    def _split(self, arg: Any, depth: int) -> Any:
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            source = self.resolve(arg[1], depth + 1)
            if isinstance(source, str):
                return source.split(arg[0])
        return Unresolved("intrinsic", "Fn::Split")

    def _find_in_map(self, arg: Any, depth: int) -> Any:
        if isinstance(arg, list) and len(arg) >= 3:
            keys = [self.resolve(a, depth + 1) for a in arg[:3]]
            node: Any = self.mappings
            for key in keys:
                if not (_is_plain(key) and isinstance(node, dict) and str(key) in node):
                    return Unresolved("mapping", "Fn::FindInMap")
                node = node[str(key)]
            return self.resolve(node, depth + 1)
        return Unresolved("mapping", "Fn::FindInMap")

    def _import(self, arg: Any, depth: int) -> Any:
        return Unresolved("import", str(self.resolve(arg, depth + 1)))

    def _dynamic_refs(self, text: str) -> Any:
        if "{{resolve:" in text:
            match = _DYNAMIC_REF.search(text)
            if match:
                return Unresolved(match.group(1), text)
        return text


def _join_expr(separator: str, parts: Any) -> str:
    """A readable rendering of a Join that could not be decided, e.g. arn:aws:sqs:${...}."""
    shown = [
        str(p) if _is_plain(p) else "${" + (p.expr if isinstance(p, Unresolved) else str(p)) + "}"
        for p in as_list(parts)
    ]
    return separator.join(shown)[:300]


def _is_plain(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool)) and value is not NO_VALUE


def _is_if(item: Any) -> bool:
    return isinstance(item, dict) and len(item) == 1 and "Fn::If" in item


def _base64(resolver: IntrinsicResolver, arg: Any, depth: int) -> Any:
    return resolver.resolve(arg, depth)


_HANDLERS: dict[str, Any] = {
    "Ref": IntrinsicResolver._ref,
    "Fn::GetAtt": IntrinsicResolver._getatt,
    "Fn::Sub": IntrinsicResolver._sub,
    "Fn::Join": IntrinsicResolver._join,
    "Fn::If": IntrinsicResolver._if,
    "Fn::Select": IntrinsicResolver._select,
    "Fn::Split": IntrinsicResolver._split,
    "Fn::FindInMap": IntrinsicResolver._find_in_map,
    "Fn::ImportValue": IntrinsicResolver._import,
    "Fn::Base64": _base64,
}
