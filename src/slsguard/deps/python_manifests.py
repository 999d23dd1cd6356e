"""pyproject.toml, Pipfile and vendored *.dist-info/METADATA (PyPI)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from slsguard.deps.model import PYPI, Manifest, ManifestError, Package, clip, dev_named
from slsguard.deps.positions import Position, TomlPositions, toml_positions
from slsguard.deps.requirements import exact_version
from slsguard.model.source import SourceRef

Key = tuple[str, ...]


def load_toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or a number too long to convert
        raise ManifestError(f"invalid TOML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise ManifestError("invalid TOML: nesting too deep") from None


# --- pyproject.toml -------------------------------------------------------------------------


def parse_pyproject(rel: str, text: str) -> Manifest:
    """[project] and [dependency-groups] PEP 508 lists, and Poetry's dependency tables."""
    data = load_toml(text)
    where = toml_positions(text)
    packages = [*_pep621(rel, data, where), *_poetry(rel, data, where)]
    return Manifest(rel, "pyproject", PYPI, False, tuple(packages))


def _pep621(rel: str, data: dict[str, Any], where: TomlPositions) -> Iterator[Package]:
    project = _table(data, "project")
    yield from _pep508_list(rel, project.get("dependencies"), ("project", "dependencies"), where)
    for extra, values in _table(project, "optional-dependencies").items():
        key = ("project", "optional-dependencies", extra)
        yield from _pep508_list(rel, values, key, where, dev=dev_named(extra))
    # PEP 735 groups, uv's and PDM's dev lists: never part of the published package.
    for group, values in _table(data, "dependency-groups").items():
        yield from _pep508_list(rel, values, ("dependency-groups", group), where, dev=True)
    uv = _table(_table(data, "tool"), "uv")
    uv_key = ("tool", "uv", "dev-dependencies")
    yield from _pep508_list(rel, uv.get("dev-dependencies"), uv_key, where, dev=True)
    for group, values in _table(_table(_table(data, "tool"), "pdm"), "dev-dependencies").items():
        pdm_key = ("tool", "pdm", "dev-dependencies", group)
        yield from _pep508_list(rel, values, pdm_key, where, dev=True)


def _pep508_list(
    rel: str, values: Any, key: Key, where: TomlPositions, *, dev: bool = False
) -> Iterator[Package]:
    if not isinstance(values, list):
        return
    items = iter(where.items.get(key, ()))
    fallback = where.key(key)
    for value in values:
        if not isinstance(value, str):
            continue  # {include-group = "..."}: the group is read on its own
        position = next((p[1:] for p in items if p[0] == value), fallback)
        yield pep508_package(value, SourceRef(rel, *position), direct=True, dev=dev)


def pep508_package(text: str, src: SourceRef, *, direct: bool, dev: bool) -> Package:
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        reason = str(exc).splitlines()[0]
        raise ManifestError(
            f"line {src.line}: invalid requirement {clip(text)!r}: {reason}"
        ) from None
    version = None if req.url else exact_version(req.specifier)
    name = canonicalize_name(req.name)
    return Package(PYPI, name, version, text, version is not None, direct, src, dev)


def _poetry(rel: str, data: dict[str, Any], where: TomlPositions) -> Iterator[Package]:
    poetry = _table(_table(data, "tool"), "poetry")
    tables: list[tuple[Key, Any, bool]] = [
        (("dependencies",), poetry.get("dependencies"), False),
        (("dev-dependencies",), poetry.get("dev-dependencies"), True),
    ]
    # Poetry: groups other than "main" hold what development needs, not what ships.
    for group, body in _table(poetry, "group").items():
        deps = body.get("dependencies") if isinstance(body, dict) else None
        tables.append((("group", group, "dependencies"), deps, group != "main"))
    for suffix, table, dev in tables:
        if not isinstance(table, dict):
            continue
        for name, value in table.items():
            if name.lower() == "python":
                continue  # the interpreter constraint, not a package
            key = ("tool", "poetry", *suffix, name)
            yield poetry_package(name, value, SourceRef(rel, *where.key(key)), dev=dev)


def poetry_package(
    name: str, value: Any, src: SourceRef, *, dev: bool, bare_pins: bool = True
) -> Package:
    """A Poetry (or Pipfile) constraint: "^1.2", "1.2.3", {version=...}, {git=...}.

    Poetry reads a bare version as ==; Pipfile versions are PEP 440, where it is no pin.
    """
    specs = [_constraint_text(part) for part in (value if isinstance(value, list) else [value])]
    versions = {_poetry_exact(spec, bare_pins) for spec in specs}
    version = versions.pop() if len(versions) == 1 else None
    pinned = version is not None
    return Package(PYPI, canonicalize_name(name), version, ", ".join(specs), pinned, True, src, dev)


def _constraint_text(value: Any) -> str:
    if isinstance(value, dict):
        for field in ("version", "git", "url", "path", "file"):
            if isinstance(value.get(field), str):
                text = str(value[field])
                return text if field == "version" else f"{field} {text}"
        return "*"
    return str(value)


_POETRY_BARE = re.compile(r"^\d[0-9A-Za-z.+!-]*$")


def _poetry_exact(spec: str, bare_pins: bool) -> str | None:
    spec = spec.strip()
    if bare_pins and _POETRY_BARE.match(spec):
        try:
            Version(spec)
        except InvalidVersion:
            return None
        return spec
    if not spec.startswith(("==", "===")):
        return None
    try:
        return exact_version(SpecifierSet(spec))
    except InvalidSpecifier:
        return None


def _table(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


# --- Pipfile --------------------------------------------------------------------------------


def parse_pipfile(rel: str, text: str) -> Manifest:
    data = load_toml(text)
    where = toml_positions(text)
    packages: list[Package] = []
    for section, dev in (("packages", False), ("dev-packages", True)):
        for name, value in _table(data, section).items():
            src = SourceRef(rel, *where.key((section, name)))
            packages.append(poetry_package(name, value, src, dev=dev, bare_pins=False))
    return Manifest(rel, "pipfile", PYPI, False, tuple(packages))


# --- *.dist-info/METADATA -------------------------------------------------------------------


def parse_dist_info(rel: str, text: str) -> Manifest:
    """Name/Version headers of an installed (vendored) distribution."""
    headers: dict[str, tuple[str, Position]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            break  # the body (long description) starts after the first blank line
        field, sep, value = line.partition(":")
        if sep and not line[0].isspace():
            headers.setdefault(field.strip().lower(), (value.strip(), (number, 1)))
    name, version = headers.get("name"), headers.get("version")
    if name is None or version is None or not name[0] or not version[0]:
        raise ManifestError("METADATA without Name and Version headers")
    src = SourceRef(rel, *name[1])
    package = Package(PYPI, canonicalize_name(name[0]), version[0], version[0], True, False, src)
    return Manifest(rel, "dist-info", PYPI, True, (package,))
