"""Find and read the dependency manifests of a function's code directory.

`find_manifests` lists manifests, lock files and vendored package metadata (what `pip
install -t .` or `npm install` left in the directory, i.e. what actually ships);
`parse_manifest` reads one of them into `Package` values with the line of each. Nothing is
executed (setup.py is never read), nothing is fetched, and nothing outside the scan root is
read, even through `-r` includes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from slsguard.deps.model import NPM, PYPI, Manifest, ManifestError, Package, decode, read_text
from slsguard.deps.node_locks import parse_pnpm_lock, parse_yarn_lock
from slsguard.deps.node_manifests import (
    parse_package_json,
    parse_package_lock,
    parse_vendored_package_json,
)
from slsguard.deps.python_locks import parse_pipfile_lock, parse_poetry_lock, parse_uv_lock
from slsguard.deps.python_manifests import parse_dist_info, parse_pipfile, parse_pyproject
from slsguard.deps.requirements import is_requirements_name, parse_requirements

__all__ = [
    "KINDS",
    "NPM",
    "PYPI",
    "Manifest",
    "ManifestError",
    "Package",
    "decode",
    "find_manifests",
    "manifest_kind",
    "parse_manifest",
]

_Parser = Callable[[Path, str, str, Path], Manifest]

_PARSERS: dict[str, _Parser] = {
    "requirements": parse_requirements,
    "pipfile": lambda path, rel, text, root: parse_pipfile(rel, text),
    "pipfile.lock": lambda path, rel, text, root: parse_pipfile_lock(path, rel, text),
    "poetry.lock": lambda path, rel, text, root: parse_poetry_lock(path, rel, text),
    "uv.lock": lambda path, rel, text, root: parse_uv_lock(rel, text),
    "pyproject": lambda path, rel, text, root: parse_pyproject(rel, text),
    "dist-info": lambda path, rel, text, root: parse_dist_info(rel, text),
    "package.json": lambda path, rel, text, root: parse_package_json(rel, text),
    "package-lock.json": lambda path, rel, text, root: parse_package_lock(path, rel, text),
    "yarn.lock": lambda path, rel, text, root: parse_yarn_lock(path, rel, text),
    "pnpm-lock.yaml": lambda path, rel, text, root: parse_pnpm_lock(rel, text),
    "node_modules": lambda path, rel, text, root: parse_vendored_package_json(rel, text),
}
KINDS = tuple(_PARSERS)

_BY_NAME = {
    "Pipfile": "pipfile",
    "Pipfile.lock": "pipfile.lock",
    "poetry.lock": "poetry.lock",
    "uv.lock": "uv.lock",
    "pyproject.toml": "pyproject",
    "package.json": "package.json",
    "package-lock.json": "package-lock.json",
    "npm-shrinkwrap.json": "package-lock.json",
    "yarn.lock": "yarn.lock",
    "pnpm-lock.yaml": "pnpm-lock.yaml",
}
# Tool caches, VCS data, virtualenvs and build output: never part of the shipped code.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".serverless",
        ".aws-sam",
        ".terraform",
        ".idea",
        ".vscode",
    }
)
MAX_FILES = 10_000
_MODULES = "node_modules"


def manifest_kind(rel: str) -> str | None:
    """The kind of manifest a relative path names, or None for any other file."""
    path = PurePosixPath(rel)
    dirs = path.parts[:-1]
    if path.name == "METADATA" and path.parent.name.endswith(".dist-info"):
        return "dist-info"
    if _MODULES in dirs:  # only an installed package's own package.json counts in there
        return "node_modules" if path.name == "package.json" and _package_dir(dirs) else None
    return _BY_NAME.get(path.name) or ("requirements" if is_requirements_name(rel) else None)


def _package_dir(dirs: tuple[str, ...]) -> bool:
    """.../node_modules/<name> or .../node_modules/@scope/<name>."""
    if len(dirs) >= 2 and dirs[-2] == _MODULES:
        return not dirs[-1].startswith((".", "@"))
    return len(dirs) >= 3 and dirs[-3] == _MODULES and dirs[-2].startswith("@")


def parse_manifest(
    path: Path, rel: str, text: str | None = None, *, root: Path | None = None
) -> Manifest | None:
    """Read one manifest; None when rel names no manifest we read; ManifestError if broken.

    `root` bounds what `-r`/`-c` includes may read; by default it is the directory rel is
    relative to (path minus rel), else the file's own directory.
    """
    kind = manifest_kind(rel)
    if kind is None:
        return None
    if text is None:
        text = read_text(path)
    elif text.startswith("\ufeff"):
        text = text[1:]
    return _PARSERS[kind](path, rel, text, root if root is not None else _root_of(path, rel))


def _root_of(path: Path, rel: str) -> Path:
    parts = PurePosixPath(rel).parts
    if parts and len(parts) <= len(path.parts) and path.parts[-len(parts) :] == parts:
        return Path(*path.parts[: -len(parts)]) if len(parts) < len(path.parts) else Path(".")
    return path.parent


# --- finding them ---------------------------------------------------------------------------

_CODE_KINDS = frozenset(KINDS) - {"dist-info", "node_modules"}
_Todo = list[tuple[Path, int, str]]  # (folder, depth, what the folder is)


def find_manifests(
    directory: Path, root: Path, *, max_depth: int = 6, max_files: int = MAX_FILES
) -> list[Path]:
    """Manifests, lock files and vendored metadata under directory, sorted.

    Looks into node_modules only for installed packages' package.json (nested ones and
    pnpm's .pnpm store included) and into *.dist-info only for METADATA. Symbolic links are
    never followed, directory must lie inside root, and the walk goes at most max_depth
    directories down.
    """
    try:
        if not directory.resolve().is_relative_to(root.resolve()):
            return []
    except (OSError, RuntimeError):
        return []
    found: list[Path] = []
    todo: _Todo = [(directory, 0, "code")]
    while todo and len(found) < max_files:
        folder, depth, mode = todo.pop()
        if depth > max_depth:
            continue
        entries = _entries(folder)
        if mode == "code":
            todo.extend(_code_dir(folder, entries, depth, found))
        elif mode == "package":
            if entries.get("package.json") == "file":
                found.append(folder / "package.json")
            if entries.get(_MODULES) == "dir":
                todo.append((folder / _MODULES, depth + 1, _MODULES))
        else:
            todo.extend(_modules_dir(folder, mode, entries, depth))
    return sorted(found[:max_files])


def _entries(folder: Path) -> dict[str, str]:
    """{name: "file" | "dir"} of the folder's regular files and real directories."""
    out: dict[str, str] = {}
    try:
        with os.scandir(folder) as it:
            for entry in it:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        out[entry.name] = "dir"
                    elif entry.is_file(follow_symlinks=False):
                        out[entry.name] = "file"
                except OSError:
                    continue
    except OSError:
        return {}
    return out


def _code_dir(folder: Path, entries: dict[str, str], depth: int, found: list[Path]) -> _Todo:
    dirs = sorted(name for name, kind in entries.items() if kind == "dir")
    for name, kind in sorted(entries.items()):
        if kind == "file" and manifest_kind(f"{folder.name}/{name}") in _CODE_KINDS:
            found.append(folder / name)
    # A site-packages-like folder (pip install -t .): its package folders are vendored code
    # whose own test or example manifests do not describe what ships.
    site = any(name.endswith(".dist-info") for name in dirs)
    todo: _Todo = []
    for name in dirs:
        if name.endswith(".dist-info"):
            metadata = folder / name / "METADATA"
            if _entries(folder / name).get("METADATA") == "file":
                found.append(metadata)
        elif name in SKIP_DIRS:
            continue
        elif name == _MODULES:
            todo.append((folder / name, depth + 1, _MODULES))
        elif not site:
            todo.append((folder / name, depth + 1, "code"))
    return todo


def _modules_dir(folder: Path, mode: str, entries: dict[str, str], depth: int) -> _Todo:
    """Children worth a look in node_modules, an @scope folder or pnpm's .pnpm store."""
    todo: _Todo = []
    for name in sorted(name for name, kind in entries.items() if kind == "dir"):
        child = folder / name
        if mode == ".pnpm":  # .pnpm/<name>@<version>/node_modules holds the real folders
            todo.append((child / _MODULES, depth + 2, _MODULES))
        elif mode == "scope" or not name.startswith((".", "@")):
            todo.append((child, depth + 1, "package"))
        elif name == ".pnpm" or name.startswith("@"):
            todo.append((child, depth + 1, name if name == ".pnpm" else "scope"))
    return todo
