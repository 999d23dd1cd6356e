"""Pipfile.lock, poetry.lock and uv.lock (PyPI).

None of them lists the project's own dependencies apart from the transitive ones (uv.lock
excepted: it has the project as a package), so the manifest beside the lock file, when
there is one, says which entries are direct; the locked graph says which are dev-only when
the lock file has no flag for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from slsguard.deps.graph import dev_only
from slsguard.deps.model import PYPI, Manifest, ManifestError, Package, dev_named, scalar_text
from slsguard.deps.positions import Position, json_key_positions, load_json
from slsguard.deps.python_manifests import load_toml, parse_pipfile, parse_pyproject
from slsguard.deps.requirements import exact_version
from slsguard.deps.sibling import sibling_text
from slsguard.model.source import SourceRef

_REGISTRY_TYPES = {None, "legacy", "registry"}
_LOCK_LINE = re.compile(r'^(\[\[package\]\])[ \t]*(?:#[^\n]*)?$|^name[ \t]*=[ \t]*"', re.M)
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _roots(
    lock: Path, name: str, parse: Callable[[str, str], Manifest]
) -> tuple[set[str], set[str]] | None:
    """(production, dev) package names the sibling manifest declares; None without one."""
    text = sibling_text(lock, name)
    if text is None:
        return None
    try:
        manifest = parse(name, text)
    except ManifestError:
        return None
    prod = {p.name for p in manifest.packages if not p.dev}
    return prod, {p.name for p in manifest.packages if p.dev}


# --- Pipfile.lock ---------------------------------------------------------------------------


def parse_pipfile_lock(path: Path, rel: str, text: str) -> Manifest:
    data = load_json(text)
    if not isinstance(data, dict):
        raise ManifestError("Pipfile.lock is not a JSON object")
    positions = json_key_positions(text)
    roots = _roots(path, "Pipfile", parse_pipfile)
    declared = roots[0] | roots[1] if roots else set()
    packages: list[Package] = []
    for section, dev in (("default", False), ("develop", True)):
        entries = data.get(section)
        if not isinstance(entries, dict):
            continue
        for raw_name, entry in entries.items():
            if not isinstance(entry, dict):
                continue
            name = canonicalize_name(raw_name)
            line, column = positions.get((section, raw_name), (1, 1))
            src = SourceRef(rel, line, column, (section, raw_name))
            version, spec, pinned = _pipfile_version(entry)
            packages.append(Package(PYPI, name, version, spec, pinned, name in declared, src, dev))
    return Manifest(rel, "pipfile.lock", PYPI, True, tuple(packages))


def _pipfile_version(entry: dict[str, Any]) -> tuple[str | None, str, bool]:
    """(version, spec, pinned): "==1.2.3" pins; git/file/path entries are locked, unversioned."""
    raw = entry.get("version")
    if isinstance(raw, str):
        try:
            version = exact_version(SpecifierSet(raw))
        except InvalidSpecifier:
            version = None
        return version, raw, version is not None
    for field in ("git", "file", "path"):
        if isinstance(entry.get(field), str):
            ref = entry.get("ref")
            suffix = f"@{ref}" if isinstance(ref, str) else ""
            return None, f"{field} {entry[field]}{suffix}", field != "path"
    return None, "*", False


# --- poetry.lock and uv.lock ----------------------------------------------------------------


def name_positions(text: str) -> list[Position]:
    """Position of each [[package]]'s `name =` line (its header when it has none), in order."""
    out: list[Position] = []
    named = True
    line, counted = 1, 0
    for match in _LOCK_LINE.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        if match.group(1):
            out.append((line, 1))
            named = False
        elif not named:
            out[-1] = (line, 1)
            named = True
    return out


def _lock_entries(text: str) -> list[tuple[dict[str, Any], Position]]:
    data = load_toml(text)
    entries = data.get("package", [])
    if not isinstance(entries, list):
        raise ManifestError("`package` is not an array of tables")
    tables = [entry for entry in entries if isinstance(entry, dict)]
    positions = name_positions(text)
    if len(positions) != len(tables):  # unusual layout: fall back to the first line
        positions = [(1, 1)] * len(tables)
    return list(zip(tables, positions, strict=True))


def _locked(
    entry: dict[str, Any], source_type: str | None, source: str
) -> tuple[str | None, str, bool]:
    """(version, spec, pinned): registry releases have a version; git/path/url do not."""
    version = scalar_text(entry.get("version"))
    if source_type in _REGISTRY_TYPES:
        return version, version or "*", version is not None
    return None, f"{source_type} {source}".strip(), True


def parse_poetry_lock(path: Path, rel: str, text: str) -> Manifest:
    entries = _lock_entries(text)
    roots = _roots(path, "pyproject.toml", parse_pyproject)
    graph: dict[str, set[str]] = {
        canonicalize_name(str(e.get("name", ""))): _poetry_children(e) for e, _ in entries
    }
    dev_set = dev_only(graph, roots[0], roots[1]) if roots else set()
    declared = roots[0] | roots[1] if roots else set()
    packages: list[Package] = []
    for entry, position in entries:
        name = canonicalize_name(str(entry.get("name", "")))
        if not name:
            continue
        source = _dict(entry.get("source"))
        kind = source.get("type")
        where = str(source.get("url", ""))
        ref = source.get("resolved_reference") or source.get("reference")
        version, spec, pinned = _locked(entry, kind, f"{where}@{ref}" if ref else where)
        dev = _poetry_dev(entry, name in dev_set)
        src = SourceRef(rel, *position)
        packages.append(Package(PYPI, name, version, spec, pinned, name in declared, src, dev))
    return Manifest(rel, "poetry.lock", PYPI, True, tuple(packages))


def _poetry_dev(entry: dict[str, Any], graph_says: bool) -> bool:
    """Poetry < 1.5 wrote `category`, Poetry 2 writes `groups`; 1.5-1.8 wrote neither."""
    category = entry.get("category")
    if isinstance(category, str):
        return category == "dev"
    groups = entry.get("groups")
    if isinstance(groups, list) and groups:
        return "main" not in groups
    return graph_says


def _poetry_children(entry: dict[str, Any]) -> set[str]:
    children: set[str] = {canonicalize_name(name) for name in _dict(entry.get("dependencies"))}
    for requirements in _dict(entry.get("extras")).values():
        for requirement in requirements if isinstance(requirements, list) else ():
            match = _NAME.match(str(requirement))
            if match:
                children.add(canonicalize_name(match.group(1)))
    return children


def parse_uv_lock(rel: str, text: str) -> Manifest:
    entries = _lock_entries(text)
    graph: dict[str, set[str]] = {}
    prod: set[str] = set()
    dev: set[str] = set()
    for entry, _ in entries:
        name = canonicalize_name(str(entry.get("name", "")))
        extras = _dict(entry.get("optional-dependencies"))
        needs = _uv_names(entry.get("dependencies"))
        graph.setdefault(name, set()).update(needs, *map(_uv_names, extras.values()))
        if _uv_is_project(entry):  # the project itself (or a workspace member)
            prod |= needs
            for extra, values in extras.items():  # an extra named "test" or "dev" is dev
                (dev if dev_named(extra) else prod).update(_uv_names(values))
            dev.update(*map(_uv_names, _dict(entry.get("dev-dependencies")).values()))
    dev_set = dev_only(graph, prod, dev)
    packages: list[Package] = []
    for entry, position in entries:
        name = canonicalize_name(str(entry.get("name", "")))
        if not name or _uv_is_project(entry):
            continue
        source = _dict(entry.get("source"))
        kind = next(iter(source), None)
        version, spec, pinned = _locked(entry, kind, str(source.get(kind, "")) if kind else "")
        direct = name in prod or name in dev
        src = SourceRef(rel, *position)
        packages.append(Package(PYPI, name, version, spec, pinned, direct, src, name in dev_set))
    return Manifest(rel, "uv.lock", PYPI, True, tuple(packages))


def _uv_is_project(entry: dict[str, Any]) -> bool:
    source = _dict(entry.get("source"))
    return "editable" in source or "virtual" in source


def _uv_names(values: Any) -> set[str]:
    """Names in a uv dependency list: `[{ name = "x", extra = [...] }, ...]`."""
    names: set[str] = set()
    for item in values if isinstance(values, list) else ():
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            names.add(canonicalize_name(item["name"]))
    return names


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
