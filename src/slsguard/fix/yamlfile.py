"""YAML files: the planned edits are spliced into the original text.

ruamel.yaml composes the file (nodes with exact positions) and renders each new entry in
the file's own style: its mapping/sequence indentation, its preferred quote, its use of
CloudFormation short tags (!GetAtt, !Sub, !Ref) or long forms (Fn::GetAtt). Only the
text of the edited entries is replaced; everything else (comments, blank lines, key
order, quotes, tags, `%YAML`/`---` headers, line endings) is kept byte for byte. The
result is loaded again and must equal the original document with the edits applied.
"""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.scalarbool import ScalarBoolean
from ruamel.yaml.scalarfloat import ScalarFloat
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString
from ruamel.yaml.tag import Tag

from slsguard.fix.model import CannotFix
from slsguard.fix.ops import (
    SHORT_TAGS,
    Append,
    DeleteKey,
    Op,
    Path,
    RenameKey,
    SetKey,
    apply_ops,
    intrinsic_name,
    is_intrinsic,
    normalize,
    short_tag,
)

_WIDTH = 4096
_CLEAN_KEY_LINE = re.compile(r"[ \t]*:[ \t]*(#.*)?")
_YAML11_NON_STR = re.compile(
    r"y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|[-+]?(0b[0-1_]+|0[0-7_]+|(0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)"
    r"|[-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*"
    r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|~|null|Null|NULL|<<|="
    r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?([Tt ].*)?"
)


@dataclass(frozen=True, slots=True)
class Style:
    mapping: int = 2  # a nested mapping's keys, relative to its parent key
    offset: int = 2  # a block sequence's dashes, relative to its parent key
    gap: int = 2  # from a dash to its item
    quote: str = '"'  # for strings that must be quoted
    short_tags: bool = False
    newline: str = "\n"


@dataclass(frozen=True, slots=True)
class _Edit:
    start: int
    end: int
    text: str
    order: int


def to_plain(value: Any) -> Any:
    """A ruamel round-trip value as plain data, intrinsics normalized."""
    if isinstance(value, TaggedScalar):
        return _tagged(str(value.tag.value), str(value.value))
    if isinstance(value, dict):
        out: Any = {_plain_key(k): to_plain(v) for k, v in value.items()}
    elif isinstance(value, list):
        out = [to_plain(item) for item in value]
    elif isinstance(value, ScalarBoolean):
        return bool(value)
    elif isinstance(value, str):
        return str(value)
    elif isinstance(value, ScalarFloat):
        return float(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    else:
        return value
    tag = getattr(getattr(value, "tag", None), "value", None)
    return _tagged(tag, out) if tag else out


def _plain_key(key: Any) -> Any:
    return str(key) if isinstance(key, str) else key


def _tagged(tag: str, arg: Any) -> Any:
    if tag in SHORT_TAGS:
        return normalize({intrinsic_name(tag): arg})
    return {tag: arg}


class YamlWriter:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        try:
            docs = list(YAML(typ="rt").compose_all(text))
            loaded = list(YAML(typ="rt").load_all(text))
        except YAMLError as exc:
            raise CannotFix(f"{path} is not valid YAML: {_first_line(exc)}") from None
        if len(docs) != 1 or not isinstance(docs[0], MappingNode):
            raise CannotFix(f"{path} must hold exactly one YAML document, a mapping")
        self.root: MappingNode = docs[0]
        self.data: Any = normalize(to_plain(loaded[0]))
        self.style = self._detect_style()

    # -- applying ----------------------------------------------------------------------

    def apply(self, ops: Sequence[Op]) -> str:
        edits: list[_Edit] = []
        for op in ops:
            start, end, text = self._edit(op)
            edits.append(_Edit(start, end, text, len(edits)))
        edits.sort(key=lambda e: (e.start, e.end, e.order))
        for before, after in itertools.pairwise(edits):
            if after.start < before.end:
                raise CannotFix(f"{self.path}: the edits overlap; apply the statements by hand")
        new = self.text
        for edit in reversed(edits):
            new = new[: edit.start] + edit.text + new[edit.end :]
        self._verify(new, ops)
        return new

    def _verify(self, new: str, ops: Sequence[Op]) -> None:
        try:
            loaded = list(YAML(typ="rt").load_all(new))
        except YAMLError:
            loaded = []
        if len(loaded) != 1 or normalize(to_plain(loaded[0])) != apply_ops(self.data, ops):
            raise CannotFix(
                f"{self.path}: the edit cannot be made safely here (anchors, aliases or "
                "merge keys around the edited entries?); apply the statements by hand"
            )

    def _edit(self, op: Op) -> tuple[int, int, str]:
        if isinstance(op, Append):
            seq = self._node(op.path)
            if not isinstance(seq, SequenceNode):
                raise CannotFix(f"{self.path}: {_dotted(op.path)} is not a list")
            return self._append(seq, op.value)
        mapping = self._node(op.path)
        if not isinstance(mapping, MappingNode):
            raise CannotFix(f"{self.path}: {_dotted(op.path)} is not a mapping")
        if mapping.flow_style:
            raise CannotFix(
                f"{self.path}: {_dotted(op.path) or 'the document'} is written in flow style "
                "({...}); rewrite it in block style first"
            )
        name = op.old if isinstance(op, RenameKey) else op.key
        pair = _find(mapping, name)
        if isinstance(op, SetKey):
            if pair is None:
                return self._insert(mapping, op.key, op.value, op.after)
            return self._replace_value(*pair, op.key, op.value)
        if pair is None:
            raise CannotFix(f"{self.path}: {_dotted((*op.path, name))} not found")
        if isinstance(op, RenameKey):
            return self._replace_pair(*pair, op.key, op.value)
        return self._delete(*pair, op)

    def _node(self, path: Path) -> Node:
        node: Node = self.root
        for index, key in enumerate(path):
            pair = _find(node, key) if isinstance(node, MappingNode) else None
            if pair is None:
                where = _dotted(path[: index + 1])
                raise CannotFix(f"{self.path}: {where} is not written out here (merge key?)")
            node = pair[1]
        return node

    # -- the edits -----------------------------------------------------------------------

    def _replace_value(self, key: Node, value: Node, name: str, new: Any) -> tuple[int, int, str]:
        col = key.start_mark.column
        # An intrinsic replacing a flow value ({"Fn::GetAtt": [...]}) stays in flow style.
        flow = is_intrinsic(new) and bool(getattr(value, "flow_style", False))
        lines = self.render_pair(name, new, col, flow=flow)
        block = len(lines) > 1 and lines[0].endswith(":")
        text = self.text
        key_end = key.end_mark.index
        if (
            block
            and isinstance(value, MappingNode | SequenceNode)
            and not value.flow_style
            and value.start_mark.line > key.start_mark.line
            and _CLEAN_KEY_LINE.fullmatch(text[key_end : self._line_end(key_end)])
        ):
            # Keep the key line and its comment; the lines of the old value go.
            start = self._next_line(key_end)
            end = self._line_end(self._pair_end(key, value))
            return start, end, self.style.newline.join(lines[1:])
        end = self._pair_end(key, value)
        tail = text[end : self._line_end(end)]
        if len(lines) > 1 and tail.strip().startswith("#"):
            lines[0] += tail.rstrip()  # the value's trailing comment goes on the key line
            end += len(tail)
        return key.start_mark.index, end, self.style.newline.join(lines)

    def _replace_pair(self, key: Node, value: Node, name: str, new: Any) -> tuple[int, int, str]:
        lines = self.render_pair(name, new, key.start_mark.column)
        end = self._line_end(self._pair_end(key, value))
        return key.start_mark.index, end, self.style.newline.join(lines)

    def _delete(self, key: Node, value: Node, op: DeleteKey) -> tuple[int, int, str]:
        start = self._line_start(key.start_mark.index)
        if self.text[start : key.start_mark.index].strip():
            where = _dotted((*op.path, op.key))
            raise CannotFix(f"{self.path}: cannot remove {where}: its line holds more")
        return start, self._next_line(self._pair_end(key, value)), ""

    def _insert(
        self, mapping: MappingNode, name: str, new: Any, after: str | None
    ) -> tuple[int, int, str]:
        pairs = mapping.value
        if not pairs:
            raise CannotFix(f"{self.path}: cannot add {name} to an empty mapping")
        anchor = (_find(mapping, after) if after else None) or pairs[-1]
        col = pairs[0][0].start_mark.column
        pos = self._next_line(self._pair_end(*anchor))
        text = self.text
        while pos < len(text):  # comment lines indented under the anchor entry stay with it
            line = text[pos : self._line_end(pos)]
            body = line.lstrip(" ")
            if not body.startswith("#") or len(line) - len(body) <= col:
                break
            pos = self._next_line(pos)
        nl = self.style.newline
        lines = self.render_pair(name, new, col)
        block = nl.join([" " * col + lines[0], *lines[1:]]) + nl
        prefix = nl if pos == len(text) and not text.endswith("\n") else ""
        if self._separated(mapping):
            prefix += nl
        return pos, pos, prefix + block

    def _append(self, seq: SequenceNode, new: Any) -> tuple[int, int, str]:
        text = self.text
        if seq.flow_style:
            close = text.rfind("]", 0, seq.end_mark.index)
            item = self.render_inline(new, flow=True)
            return close, close, (", " + item) if seq.value else item
        last = seq.value[-1]
        dash = self._dash(last)
        if dash is None:
            raise CannotFix(f"{self.path}: cannot add {new} to the list")
        dash_col = dash - self._line_start(dash)
        same_line = self._line_start(dash) == self._line_start(last.start_mark.index)
        gap = last.start_mark.column - dash_col if same_line else self.style.gap
        end = self._end(last)
        pos = self._next_line(dash + 1 if end is None else end)
        nl = self.style.newline
        prefix = nl if pos == len(text) and not text.endswith("\n") else ""
        line = " " * dash_col + "-" + " " * (gap - 1) + self.render_inline(new, flow=False)
        return pos, pos, prefix + line + nl

    # -- rendering -----------------------------------------------------------------------

    def render_pair(self, name: str, value: Any, col: int, flow: bool = False) -> list[str]:
        """`name: value` in the file's style; continuation lines indented for column col."""
        yaml = YAML(typ="rt")
        style = self.style
        yaml.indent(mapping=style.mapping, sequence=style.offset + style.gap, offset=style.offset)
        yaml.width = _WIDTH
        doc = CommentedMap()
        doc[name] = self._to_yaml(value, flow=flow)
        out = io.StringIO()
        yaml.dump(doc, out)
        lines = out.getvalue().rstrip("\n").split("\n")
        return [lines[0]] + [" " * col + line if line else line for line in lines[1:]]

    def render_inline(self, value: Any, flow: bool) -> str:
        styled = self._string(value, flow) if isinstance(value, str) else value
        return self.render_pair("k", styled, 0)[0][3:]

    def _to_yaml(self, value: Any, flow: bool) -> Any:
        if isinstance(value, DoubleQuotedScalarString | SingleQuotedScalarString):
            return value  # already styled
        if isinstance(value, dict):
            if is_intrinsic(value):
                name, arg = next(iter(value.items()))
                return self._intrinsic(name, arg, flow)
            mapping = CommentedMap((k, self._to_yaml(v, flow)) for k, v in value.items())
            if flow:
                mapping.fa.set_flow_style()
            return mapping
        if isinstance(value, list):
            seq = CommentedSeq(self._to_yaml(item, flow) for item in value)
            if flow:
                seq.fa.set_flow_style()
            return seq
        if isinstance(value, str):
            return self._string(value, flow)
        return value

    def _intrinsic(self, name: str, arg: Any, flow: bool) -> Any:
        if self.style.short_tags and isinstance(arg, str | list | dict):
            tag = short_tag(name)
            if (
                name == "Fn::GetAtt"
                and isinstance(arg, list)
                and len(arg) == 2
                and all(isinstance(a, str) for a in arg)
                and "." not in arg[0]
            ):
                return TaggedScalar(f"{arg[0]}.{arg[1]}", tag=tag)
            if isinstance(arg, str):
                quoted = name == "Fn::Sub" or _needs_quotes(arg, flow)
                return TaggedScalar(arg, style=self._quote_for(arg) if quoted else None, tag=tag)
            node = self._to_yaml(arg, flow=True)
            node.yaml_set_ctag(Tag(suffix=tag))
            return node
        mapping = CommentedMap()
        if name == "Fn::Sub" and isinstance(arg, str):
            mapping[name] = self._quoted(arg)
        else:
            mapping[name] = self._to_yaml(arg, flow=isinstance(arg, list | dict) or flow)
        if flow:
            mapping.fa.set_flow_style()
        return mapping

    def _string(self, value: str, flow: bool) -> Any:
        return self._quoted(value) if _needs_quotes(value, flow) else value

    def _quoted(self, value: str) -> Any:
        if self._quote_for(value) == "'":
            return SingleQuotedScalarString(value)
        return DoubleQuotedScalarString(value)

    def _quote_for(self, value: str) -> str:
        printable = all(ch >= " " and ch != "\x7f" for ch in value)
        return self.style.quote if printable else '"'

    # -- positions -----------------------------------------------------------------------

    def _line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def _line_end(self, index: int) -> int:
        """Where the line holding `index` ends, before its \\n or \\r\\n."""
        end = self.text.find("\n", index)
        if end < 0:
            return len(self.text)
        return end - 1 if end > index and self.text[end - 1] == "\r" else end

    def _next_line(self, index: int) -> int:
        end = self.text.find("\n", index)
        return len(self.text) if end < 0 else end + 1

    def _end(self, node: Node, seen: set[int] | None = None) -> int | None:
        """Where the text of a node ends (its last character), None when it has none."""
        if isinstance(node, ScalarNode):
            start: int = node.start_mark.index
            end: int = node.end_mark.index
            if start == end:
                return None
            while end > start and self.text[end - 1] in " \t\r\n":
                end -= 1  # block scalars end after their trailing line breaks
            return end
        if getattr(node, "flow_style", False):
            return int(node.end_mark.index)
        seen = set() if seen is None else seen
        if id(node) in seen:
            return None
        seen.add(id(node))
        ends = [self._end(child, seen) for child in _children(node)]
        found = [end for end in ends if end is not None]
        return max(found) if found else None

    def _pair_end(self, key: Node, value: Node) -> int:
        end = self._end(value)
        if end is not None:
            return end
        colon = self.text.find(":", key.end_mark.index)
        return key.end_mark.index if colon < 0 else colon + 1

    def _dash(self, item: Node) -> int | None:
        start = item.start_mark.index
        dash = self.text.rfind("-", 0, start)
        if dash < 0 or self.text[dash + 1 : start].strip():
            return None
        return dash

    def _separated(self, mapping: MappingNode) -> bool:
        """Whether the entries of the mapping are separated by blank lines."""
        pairs = mapping.value
        gaps = blank = 0
        for (key, value), (next_key, _) in itertools.pairwise(pairs):
            gap = self.text[
                self._next_line(self._pair_end(key, value)) : self._line_start(
                    next_key.start_mark.index
                )
            ]
            gaps += 1
            blank += any(not line.strip() for line in gap.splitlines())
        return gaps > 0 and 2 * blank >= gaps

    # -- the file's style ----------------------------------------------------------------

    def _detect_style(self) -> Style:
        mapping: Counter[int] = Counter()
        offset: Counter[int] = Counter()
        gap: Counter[int] = Counter()
        quotes: Counter[str] = Counter()
        short = False
        for node in _walk(self.root):
            if isinstance(node, ScalarNode) and node.style in ("'", '"'):
                quotes[node.style] += 1
            if node.tag in SHORT_TAGS:
                short = True
            if not isinstance(node, MappingNode) or node.flow_style:
                continue
            for key, value in node.value:
                if getattr(value, "flow_style", True) or not value.value:
                    continue
                col = key.start_mark.column
                if isinstance(value, MappingNode):
                    if value.start_mark.line > key.start_mark.line:
                        mapping[value.value[0][0].start_mark.column - col] += 1
                elif isinstance(value, SequenceNode):
                    first = value.value[0]
                    dash = self._dash(first)
                    if dash is None:
                        continue
                    dash_col = dash - self._line_start(dash)
                    offset[dash_col - col] += 1
                    if self._line_start(dash) == self._line_start(first.start_mark.index):
                        gap[first.start_mark.column - dash_col] += 1
        default = Style()
        return Style(
            mapping=_most(mapping, default.mapping, minimum=1),
            offset=_most(offset, default.offset, minimum=0),
            gap=_most(gap, default.gap, minimum=2),
            quote="'" if quotes["'"] > quotes['"'] else '"',
            short_tags=short,
            newline="\r\n" if "\r\n" in self.text else "\n",
        )


@lru_cache(maxsize=4096)
def _needs_quotes(value: str, flow: bool) -> bool:
    """Whether ruamel.yaml would quote the string (in a flow collection when `flow`)."""
    yaml = YAML(typ="rt")
    yaml.width = _WIDTH
    doc = CommentedMap()
    if flow:
        seq = CommentedSeq([value])
        seq.fa.set_flow_style()
        doc["k"] = seq
    else:
        doc["k"] = value
    out = io.StringIO()
    yaml.dump(doc, out)
    dumped = out.getvalue()
    body = dumped[4:] if flow else dumped[3:]
    if dumped.count("\n") > 1 or body.startswith(("'", '"')):
        return True
    # YAML 1.1 readers (PyYAML, CloudFormation) take yes/no/on/off and the like as booleans.
    return bool(_YAML11_NON_STR.fullmatch(value))


def _most(counts: Counter[int], default: int, minimum: int) -> int:
    if not counts:
        return default
    value = counts.most_common(1)[0][0]
    return value if value >= minimum else default


def _find(mapping: Node, key: str) -> tuple[Node, Node] | None:
    for k, v in mapping.value:
        if isinstance(k, ScalarNode) and k.value == key and k.tag != "tag:yaml.org,2002:merge":
            return k, v
    return None


def _children(node: Node) -> Iterator[Node]:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, SequenceNode):
        yield from node.value


def _walk(node: Node) -> Iterator[Node]:
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend(reversed(list(_children(current))))


def _dotted(path: Path) -> str:
    return ".".join(path)


def _first_line(exc: YAMLError) -> str:
    text = str(exc).strip()
    for line in text.splitlines():
        if "duplicate key" in line:  # which value a tool reads is then a matter of chance
            where = getattr(exc, "problem_mark", None)
            at = f" at line {where.line + 1}" if where is not None else ""
            return f"{line.strip()}{at}; remove the duplicate first"
    return text.splitlines()[0] if text else type(exc).__name__
