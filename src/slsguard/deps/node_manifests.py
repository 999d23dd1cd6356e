"""package.json, package-lock.json / npm-shrinkwrap.json and node_modules/<pkg>/package.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slsguard.deps.model import NPM, Manifest, ManifestError, Package, npm_exact, scalar_text
from slsguard.deps.positions import Position, json_key_positions, load_json, locate_json_keys
from slsguard.deps.sibling import sibling_text
from slsguard.model.source import DocPath, SourceRef

# (section, dev): peer and optional dependencies are installed with the function's code.
SECTIONS = (
    ("dependencies", False),
    ("optionalDependencies", False),
    ("peerDependencies", False),
    ("devDependencies", True),
)
_MODULES = "node_modules/"


def split_alias(name: str, spec: str) -> tuple[str, str]:
    """`"foo": "npm:bar@^1.2"` installs bar: (real name, range)."""
    if spec.startswith("npm:"):
        target = spec[4:]
        at = target.find("@", 1)
        if at > 0:
            return target[:at], target[at + 1 :]
        return target, "*"
    return name, spec


def is_registry_range(spec: str) -> bool:
    """A semver range served by a registry, not git/github:/file:/link:/a URL/user/repo."""
    return "/" not in spec and ":" not in spec


def declared(name: str, spec: str, src: SourceRef, *, direct: bool, dev: bool) -> Package:
    """A dependency as declared: pinned only by an exact version ("1.2.3", "=1.2.3")."""
    real, version_range = split_alias(name, spec)
    version = npm_exact(version_range)
    return Package(NPM, real, version, spec, version is not None, direct, src, dev)


def _object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ManifestError(f"{what} is not a JSON object")
    return data


def _ref(rel: str, positions: dict[DocPath, Position], path: DocPath) -> SourceRef:
    line, column = positions.get(path, (1, 1))
    return SourceRef(rel, line, column, path)


# --- package.json ---------------------------------------------------------------------------


def parse_package_json(rel: str, text: str) -> Manifest:
    data = _object(load_json(text), "package.json")
    positions = json_key_positions(text)
    packages: list[Package] = []
    for section, dev in SECTIONS:
        entries = data.get(section)
        if not isinstance(entries, dict):
            continue
        for name, spec in entries.items():
            if isinstance(spec, str):
                src = _ref(rel, positions, (section, name))
                packages.append(declared(name, spec, src, direct=True, dev=dev))
    return Manifest(rel, "package.json", NPM, False, tuple(packages))


def declared_names(data: Any) -> tuple[dict[str, str], dict[str, str]]:
    """({name: spec} installed in production, {name: spec} dev-only) of a package.json."""
    prod: dict[str, str] = {}
    dev: dict[str, str] = {}
    if isinstance(data, dict):
        for section, is_dev in SECTIONS:
            entries = data.get(section)
            if isinstance(entries, dict):
                target = dev if is_dev else prod
                target.update((k, v) for k, v in entries.items() if isinstance(v, str))
    return prod, dev


def sibling_package_json(lock: Path) -> tuple[dict[str, str], dict[str, str]] | None:
    text = sibling_text(lock, "package.json")
    if text is None:
        return None
    try:
        data = load_json(text)
    except ManifestError:
        return None
    return declared_names(data)


# --- node_modules/<name>/package.json -------------------------------------------------------


def parse_vendored_package_json(rel: str, text: str) -> Manifest:
    """An installed package shipped in the code directory: its own name and version."""
    data = _object(load_json(text), "package.json")
    positions = json_key_positions(text)
    name, version = data.get("name"), scalar_text(data.get("version"))
    packages: tuple[Package, ...] = ()
    if isinstance(name, str) and name and version:
        src = _ref(rel, positions, ("name",))
        packages = (Package(NPM, name, version, version, True, False, src),)
    return Manifest(rel, "node_modules", NPM, True, packages)


# --- package-lock.json ----------------------------------------------------------------------


def parse_package_lock(path: Path, rel: str, text: str) -> Manifest:
    data = _object(load_json(text), "the lock file")
    entries = data.get("packages")
    if isinstance(entries, dict) and entries:
        packages = _lock_v2(rel, entries, _v2_positions(text, entries))
    else:
        packages = _lock_v1(path, rel, data.get("dependencies"), json_key_positions(text))
    return Manifest(rel, "package-lock.json", NPM, True, tuple(packages))


def _locked(entry: dict[str, Any], fallback: str) -> tuple[str | None, str, bool]:
    """(version, spec, pinned) of a lock entry; git/file/tarball entries have no version."""
    raw = scalar_text(entry.get("version")) or ""
    resolved = entry.get("resolved")
    if isinstance(resolved, str) and resolved.startswith(("git", "github:", "file:")):
        return None, resolved, True
    _, raw_range = split_alias(fallback, raw)
    version = npm_exact(raw_range)
    return version, raw or "*", bool(raw)


def _v2_positions(text: str, entries: dict[str, Any]) -> dict[DocPath, Position]:
    """Install paths are only ever keys of `packages`: found by plain search, in order."""
    keys = [key for key in entries if _MODULES in key]
    found = locate_json_keys(text, keys, max(text.find('"packages"'), 0))
    if found is None:  # unusual escaping: tokenise the whole file instead
        return json_key_positions(text)
    return {("packages", key): position for key, position in zip(keys, found, strict=True)}


def _lock_v2(
    rel: str, entries: dict[str, Any], positions: dict[DocPath, Position]
) -> list[Package]:
    """lockfileVersion 2/3: `packages` keyed by install path ("node_modules/a/node_modules/b")."""
    # Folders that declare dependencies: the root ("") and workspace members ("packages/x").
    declared_by = {
        key: set().union(*declared_names(entry))
        for key, entry in entries.items()
        if _MODULES not in key
    }
    out: list[Package] = []
    for key, entry in entries.items():
        cut = key.rfind(_MODULES)
        if cut < 0 or not isinstance(entry, dict) or entry.get("link"):
            continue  # the root, a workspace folder, or a symlink to one
        folder = key[cut + len(_MODULES) :]
        name = entry.get("name") if isinstance(entry.get("name"), str) else folder
        version, spec, pinned = _locked(entry, folder)
        parent = key[:cut].rstrip("/")
        direct = folder in declared_by.get(parent, ())
        src = _ref(rel, positions, ("packages", key))
        dev = entry.get("dev") is True  # devOptional also ships when optionals are installed
        out.append(Package(NPM, str(name), version, spec, pinned, direct, src, dev))
    return out


def _lock_v1(path: Path, rel: str, top: Any, positions: dict[DocPath, Position]) -> list[Package]:
    """lockfileVersion 1: nested `dependencies`; the root's own list is in package.json."""
    roots = sibling_package_json(path)
    direct_names = set(roots[0]) | set(roots[1]) if roots else set()
    out: list[Package] = []
    todo: list[tuple[DocPath, Any]] = [(("dependencies",), top)]
    while todo:
        prefix, entries = todo.pop()
        if not isinstance(entries, dict):
            continue
        nested: list[tuple[DocPath, Any]] = []
        for folder, entry in entries.items():
            if not isinstance(entry, dict):
                continue
            version, spec, pinned = _locked(entry, folder)
            name, _ = split_alias(folder, scalar_text(entry.get("version")) or "")
            direct = len(prefix) == 1 and folder in direct_names
            src = _ref(rel, positions, (*prefix, folder))
            dev = entry.get("dev") is True
            out.append(Package(NPM, name, version, spec, pinned, direct, src, dev))
            nested.append(((*prefix, folder, "dependencies"), entry.get("dependencies")))
        todo.extend(reversed(nested))
    out.sort(key=lambda p: (p.src.line, p.src.column))
    return out
