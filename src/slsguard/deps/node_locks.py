"""yarn.lock (classic v1 and berry) and pnpm-lock.yaml (lockfileVersion 5, 6 and 9).

Neither yarn format has a dev flag, nor has pnpm 9: the lock's own graph, walked from the
sibling package.json (or pnpm's importers), tells which entries only dev dependencies reach.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slsguard.deps.block_yaml import parse_block_yaml
from slsguard.deps.graph import dev_only, reachable
from slsguard.deps.model import NPM, Manifest, ManifestError, Package, npm_exact, scalar_text
from slsguard.deps.node_manifests import is_registry_range, sibling_package_json, split_alias
from slsguard.loaders.yaml_source import Document, DocumentError, parse_yaml
from slsguard.model.source import SourceRef

_BERRY = re.compile(r"^__metadata:", re.M)
_YARN_DEP_SECTIONS = ("dependencies", "optionalDependencies")


def split_descriptor(descriptor: str) -> tuple[str, str]:
    """`@scope/pkg@^1.0` -> ("@scope/pkg", "^1.0"): the name may itself start with @."""
    at = descriptor.find("@", 1)
    if at < 0:
        return descriptor, ""
    return descriptor[:at], descriptor[at + 1 :]


def _unquote(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
        if "\\" not in raw:
            return raw[1:-1]
        try:
            return str(json.loads(raw))
        except ValueError:
            return raw[1:-1]
    return raw


def _split_keys(header: str) -> list[str]:
    """`"a@^1", a@~1.1` -> ["a@^1", "a@~1.1"] (commas inside quotes kept)."""
    parts = re.findall(r'"(?:[^"\\]|\\.)*"|[^,]+', header)
    return [key for key in (_unquote(part) for part in parts) if key]


# --- yarn.lock ------------------------------------------------------------------------------


@dataclass(slots=True)
class _YarnEntry:
    keys: list[str]  # descriptors: "name@range", berry "name@npm:range"
    line: int
    column: int = 1
    header: str = ""  # berry: the mapping key the descriptors came from
    fields: dict[str, str] = field(default_factory=dict)
    deps: dict[str, str] = field(default_factory=dict)


def parse_yarn_lock(path: Path, rel: str, text: str) -> Manifest:
    berry = _BERRY.search(text) is not None
    entries = _berry_entries(rel, text) if berry else _classic_entries(text)
    roots = sibling_package_json(path)
    index = {key: i for i, entry in enumerate(entries) for key in entry.keys}
    graph = {i: _yarn_lookup(entry.deps, index) for i, entry in enumerate(entries)}
    workspaces = {i for i, e in enumerate(entries) if _is_workspace(e)}
    if roots is not None:
        prod = _yarn_lookup(roots[0], index)
        dev = _yarn_lookup(roots[1], index)
    else:  # berry lists the workspaces' dependencies (dev ones included) in the lock
        prod = set().union(*(graph[i] for i in workspaces)) if workspaces else set()
        dev = set()
    dev_set = dev_only(graph, prod, dev)
    packages: list[Package] = []
    for i, entry in enumerate(entries):
        if i in workspaces:
            continue
        src = SourceRef(rel, entry.line, entry.column, (entry.header,) if berry else ())
        packages.append(_yarn_package(entry, src, direct=i in prod or i in dev, dev=i in dev_set))
    return Manifest(rel, "yarn.lock", NPM, True, tuple(packages))


def _is_workspace(entry: _YarnEntry) -> bool:
    return "@workspace:" in entry.fields.get("resolution", "")


def _yarn_lookup(deps: dict[str, str], index: dict[str, int]) -> set[int]:
    """Entries for {name: range}; berry keys carry the protocol ("npm:^1.0") the value omits."""
    found: set[int] = set()
    for name, spec in deps.items():
        for key in (f"{name}@{spec}", f"{name}@npm:{spec}"):
            if key in index:
                found.add(index[key])
                break
    return found


def _yarn_package(entry: _YarnEntry, src: SourceRef, *, direct: bool, dev: bool) -> Package:
    first_name, first_range = split_descriptor(entry.keys[0])
    resolution = entry.fields.get("resolution")
    if resolution:  # berry: "name@npm:1.2.3", also for aliases
        name, how = split_descriptor(resolution)
        registry = how.startswith("npm:") or (how.startswith("patch:") and "npm%3A" in how)
    else:
        name, real_range = split_alias(first_name, first_range)
        registry = is_registry_range(real_range)
    version = scalar_text(entry.fields.get("version")) or ""
    if not registry:
        return Package(NPM, name, None, resolution or first_range, True, direct, src, dev)
    exact = npm_exact(version)
    return Package(NPM, name, exact, version or "*", exact is not None, direct, src, dev)


def _classic_entries(text: str) -> list[_YarnEntry]:
    """The v1 text format: unindented `keys:` headers, 2-space fields, 4-space dependencies."""
    entries: list[_YarnEntry] = []
    section: dict[str, str] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] == "#":
            continue
        if raw[0] not in " \t":
            keys = _split_keys(line[:-1])
            if line[-1] != ":" or not keys:
                raise ManifestError(f"line {number}: expected `<package>@<range>:`")
            entries.append(_YarnEntry(keys, number))
            section = None
        elif not entries:
            raise ManifestError(f"line {number}: indented line before any entry")
        elif line[-1] == ":" and " " not in line:  # "dependencies:" opens a sub-block
            name = line[:-1]
            section = entries[-1].deps if name in _YARN_DEP_SECTIONS else {}
        else:
            key, _, value = line.partition(" ")
            if not value:
                raise ManifestError(f"line {number}: expected `<field> <value>`")
            if section is not None and raw.startswith("    "):
                section[_unquote(key)] = _unquote(value)
            else:
                entries[-1].fields[_unquote(key)] = _unquote(value)
                section = None
    return entries


def _berry_entries(rel: str, text: str) -> list[_YarnEntry]:
    document = _yaml(rel, text)
    data = document.data
    if not isinstance(data, dict):
        raise ManifestError("yarn.lock is not a mapping")
    entries: list[_YarnEntry] = []
    for header, body in data.items():
        if header == "__metadata" or not isinstance(body, dict):
            continue
        line, column = document.positions.get((header,), (1, 1))
        fields = {k: str(v) for k, v in body.items() if scalar_text(v) is not None}
        deps = {}
        for section in _YARN_DEP_SECTIONS:
            values = body.get(section)
            if isinstance(values, dict):
                deps.update({k: str(v) for k, v in values.items() if scalar_text(v) is not None})
        keys = _split_keys(str(header))
        if keys:
            entries.append(_YarnEntry(keys, line, column, str(header), fields, deps))
    return entries


def _yaml(rel: str, text: str) -> Document:
    fast = parse_block_yaml(text, rel)
    if fast is not None:
        return fast
    try:
        return parse_yaml(text, rel)
    except DocumentError as exc:
        raise ManifestError(str(exc)) from None


# --- pnpm-lock.yaml -------------------------------------------------------------------------

_PNPM_PROD = ("dependencies", "optionalDependencies")


def parse_pnpm_lock(rel: str, text: str) -> Manifest:
    document = _yaml(rel, text)
    data = document.data
    if not isinstance(data, dict):
        raise ManifestError("pnpm-lock.yaml is not a mapping")
    major = _lockfile_major(data.get("lockfileVersion"))
    importers = data.get("importers")
    projects = list(importers.values()) if isinstance(importers, dict) else [data]
    prod_roots, dev_roots = _pnpm_roots(projects, major)
    entries = data.get("packages")
    entries = entries if isinstance(entries, dict) else {}
    dev_keys = _pnpm_dev_v9(data, prod_roots, dev_roots) if major >= 9 else None
    direct = {_base_key(key, major) for key in prod_roots | dev_roots}
    packages: list[Package] = []
    for key, entry in entries.items():
        entry = entry if isinstance(entry, dict) else {}
        parsed = _pnpm_package(str(key), entry, major)
        if parsed is None:
            continue  # not a name@version key: nothing to report
        name, version, spec = parsed
        base = _base_key(str(key), major)
        dev = entry.get("dev") is True if dev_keys is None else base in dev_keys
        line, column = document.positions.get(("packages", key), (1, 1))
        src = SourceRef(rel, line, column, ("packages", key))
        # pinned: a lock entry names a registry version, or the tarball/commit it installs
        packages.append(Package(NPM, name, version, spec, True, base in direct, src, dev))
    return Manifest(rel, "pnpm-lock.yaml", NPM, True, tuple(packages))


def _lockfile_major(value: Any) -> int:
    try:
        return int(str(value).split(".", 1)[0])
    except ValueError:
        raise ManifestError(f"unknown lockfileVersion {value!r}") from None


def _base_key(key: str, major: int) -> str:
    """A package key without its peer-dependency suffix (v6+ "(react@18)", v5 "_react@18")."""
    key = key.removeprefix("/")
    # v5 suffixes the version segment, spelling "/" in peer names as "+"
    cut = key.find("(") if major >= 6 else key.find("_", key.rfind("/") + 1)
    return key[:cut] if cut > 0 else key


def _pnpm_ref(name: str, version: str, major: int) -> str | None:
    """The `packages`/`snapshots` key a dependency {name: version} points at."""
    if version.startswith(("link:", "file:", "workspace:")):
        return None
    if version.startswith("/"):
        return version.removeprefix("/")  # v5/v6 alias: the key itself
    head = version.split("(", 1)[0]
    if major >= 9 and head.find("@", 1) > 0 and not head[0].isdigit():
        return version  # v9 alias: "bar@1.0.0"
    return f"{name}/{version}" if major < 6 else f"{name}@{version}"


def _pnpm_roots(projects: Iterable[Any], major: int) -> tuple[set[str], set[str]]:
    prod: set[str] = set()
    dev: set[str] = set()
    for project in projects:
        if not isinstance(project, dict):
            continue
        for section in (*_PNPM_PROD, "devDependencies"):
            target = dev if section == "devDependencies" else prod
            deps = project.get(section)
            for name, value in deps.items() if isinstance(deps, dict) else ():
                version = value.get("version") if isinstance(value, dict) else value
                ref = _pnpm_ref(str(name), str(version), major) if version is not None else None
                if ref is not None:
                    target.add(ref)
    return prod, dev


def _pnpm_dev_v9(data: dict[str, Any], prod: set[str], dev: set[str]) -> set[str]:
    """Package keys only dev importers reach, through the v9 `snapshots` graph."""
    snapshots = data.get("snapshots")
    graph: dict[str, set[str]] = {}
    for key, entry in snapshots.items() if isinstance(snapshots, dict) else ():
        children: set[str] = graph.setdefault(str(key), set())
        for section in _PNPM_PROD:
            deps = entry.get(section) if isinstance(entry, dict) else None
            for name, version in deps.items() if isinstance(deps, dict) else ():
                ref = _pnpm_ref(str(name), str(version), 9)
                if ref is not None:
                    children.add(ref)
    shipped = {_base_key(key, 9) for key in reachable(graph, prod)}
    return {_base_key(key, 9) for key in dev_only(graph, prod, dev)} - shipped


def _pnpm_package(
    key: str, entry: dict[str, Any], major: int
) -> tuple[str, str | None, str] | None:
    """(name, registry version or None, spec) of a `packages` key.

    Registry keys are name/version (v5) or name@version (v6+); tarball, git and directory
    entries have a URL or path there instead, and spell their name as a field.
    """
    base = _base_key(key, major)
    if major < 6:
        parts = base.split("/")
        size = 2 if base.startswith("@") else 1
        key_name, key_version = "/".join(parts[:size]), "/".join(parts[size:])
    else:
        key_name, key_version = split_descriptor(base)
    field_name = entry.get("name")
    name = field_name if isinstance(field_name, str) and field_name else key_name
    if not name or not key_version:
        return None
    version = npm_exact(key_version)
    if version is not None and name == key_name:
        return name, version, key_version
    return name, None, key_version if name == key_name else base
