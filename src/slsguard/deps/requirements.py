"""requirements*.txt, read the way pip reads them, with includes confined to the scan root.

pip's order is kept: lines ending in a backslash are joined (a comment line ends the
join), comments are removed, then a line is either an option or a requirement followed by
per-requirement options (--hash=...). `-r` files are read in place, `-c` files only pin what
is required elsewhere; neither is ever fetched from a URL or read from outside the root.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from slsguard.deps.model import (
    PYPI,
    Manifest,
    ManifestError,
    Package,
    clip,
    dev_named,
    read_text,
)
from slsguard.model.source import SourceRef

MAX_INCLUDES = 64
MAX_INCLUDE_BYTES = 5 * 1024 * 1024

# pip's `(^|\s+)#.*$`, without its quadratic backtracking on long runs of blanks.
_COMMENT = re.compile(r"(?:^|(?<=\s))#.*")
_COMMENT_LINE = re.compile(r"\s*#")
_FILE_OPTION = re.compile(
    r"^(?:(?P<short>-[rce])[ \t=]*|(?P<long>--requirement|--constraint|--editable)"
    r"(?:[ \t]*=[ \t]*|[ \t]+))(?P<arg>\S.*)$"
)
_OPTION_KIND = {"-r": "r", "--requirement": "r", "-c": "c", "--constraint": "c"}
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_VCS = ("git+", "hg+", "svn+", "bzr+")
_ARCHIVES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip")
_SDIST_NAME = re.compile(r"^(.+?)-\d")


def is_requirements_name(rel: str) -> bool:
    """requirements.txt, requirements-dev.txt, dev_requirements.txt, requirements/base.txt."""
    path = PurePosixPath(rel)
    if path.suffix.lower() != ".txt":
        return False
    return "requirements" in path.name.lower() or path.parent.name.lower() == "requirements"


def parse_requirements(path: Path, rel: str, text: str, root: Path) -> Manifest:
    reader = _Reader(root)
    reader.visited.add(_resolved(path))
    reader.read(rel, text, constraint=False)
    return Manifest(
        rel, "requirements", PYPI, False, reader.merged(), tuple(dict.fromkeys(reader.warnings))
    )


@dataclass(slots=True)
class _Entry:
    package: Package
    reference: bool  # a URL/VCS/path requirement: constraints cannot pin it


@dataclass(slots=True)
class _Reader:
    root: Path
    top: str = ""
    visited: set[Path] = field(default_factory=set)
    requirements: list[_Entry] = field(default_factory=list)
    constraints: list[_Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def read(self, rel: str, text: str, *, constraint: bool) -> None:
        self.top = self.top or rel
        where = "" if rel == self.top else f"{rel} "
        dev = dev_named(PurePosixPath(rel).stem)
        physical = text.splitlines()
        for number, logical in _logical_lines(physical):
            line = _COMMENT.sub("", logical).strip()
            if not line:
                continue
            first = physical[number - 1]
            src = SourceRef(rel, number, len(first) - len(first.lstrip()) + 1)
            option = _FILE_OPTION.match(line)
            if option is None and line.startswith("-"):
                continue  # --index-url, --pre, a lone --hash...: names no package
            if option is None:
                self._add(_requirement(_break_args_options(line), src, where, dev), constraint)
                continue
            kind = option.group("short") or option.group("long")
            arg = option.group("arg").strip()
            if kind in _OPTION_KIND:
                nested = constraint or _OPTION_KIND[kind] == "c"
                self._include(rel, arg, f"{where}line {number}: {kind} {clip(arg)}", nested)
            else:
                editable = _reference(_break_args_options(arg), src, where, line, dev)
                self._add(editable, constraint)

    def _add(self, entry: _Entry | str | None, constraint: bool) -> None:
        if isinstance(entry, str):
            self.warnings.append(entry)
        elif entry is not None:
            (self.constraints if constraint else self.requirements).append(entry)

    def _include(self, rel: str, arg: str, said: str, constraint: bool) -> None:
        if "://" in arg:
            self.warnings.append(f"{said}: URLs are not fetched")
            return
        target_rel = posixpath.normpath(posixpath.join(posixpath.dirname(rel), arg))
        if os.path.isabs(arg) or target_rel == ".." or target_rel.startswith("../"):
            self.warnings.append(f"{said}: outside the scanned directory, not read")
            return
        target = self.root / target_rel
        resolved = _resolved(target)
        if not resolved.is_relative_to(_resolved(self.root)):
            self.warnings.append(f"{said}: outside the scanned directory, not read")
            return
        if resolved in self.visited:
            return  # a cycle, or a file already read through another include
        if len(self.visited) > MAX_INCLUDES:
            self.warnings.append(f"{said}: more than {MAX_INCLUDES} included files, not read")
            return
        self.visited.add(resolved)
        try:
            if not target.is_file():
                self.warnings.append(f"{said}: file not found")
                return
            if target.stat().st_size > MAX_INCLUDE_BYTES:
                self.warnings.append(f"{said}: larger than {MAX_INCLUDE_BYTES} bytes, not read")
                return
            text = read_text(target)
        except (OSError, ManifestError) as exc:
            self.warnings.append(f"{said}: {exc}")
            return
        self.read(target_rel, text, constraint=constraint)

    def merged(self) -> tuple[Package, ...]:
        """Requirements, with an exact constraint replacing the range it pins."""
        pins: dict[str, Package] = {}
        for entry in self.constraints:
            if entry.package.pinned and not entry.reference:
                pins.setdefault(entry.package.name, entry.package)
        out: list[Package] = []
        used: set[str] = set()
        for entry in self.requirements:
            package = entry.package
            pin = pins.get(package.name)
            if pin is not None and not package.pinned and not entry.reference:
                used.add(package.name)
                package = replace(pin, direct=True, dev=package.dev)
            out.append(package)
        required = {entry.package.name for entry in self.requirements}
        for name, pin in pins.items():
            if name not in used and name not in required:
                out.append(replace(pin, direct=False))  # a pin for an indirect dependency
        return tuple(out)


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: symlink loop on older Pythons
        return path.absolute()


def _logical_lines(physical: list[str]) -> Iterator[tuple[int, str]]:
    """(first line number, joined text) per logical line, as pip's join_lines."""
    primary = 0
    parts: list[str] = []
    for number, line in enumerate(physical, 1):
        comment = _COMMENT_LINE.match(line) is not None
        if not line.endswith("\\") or comment:
            if comment:
                line = " " + line  # so the comment is removed, not joined into the text
            if parts:
                parts.append(line)
                yield primary, "".join(parts)
                parts = []
            else:
                yield number, line
        else:
            if not parts:
                primary = number
            parts.append(line.strip("\\"))
    if parts:
        yield primary, "".join(parts)


def _break_args_options(line: str) -> str:
    """The requirement part of a line: tokens before the first option (as pip splits it)."""
    args: list[str] = []
    for token in line.split(" "):
        if token.startswith("-"):
            break
        args.append(token)
    return " ".join(args).strip()


def exact_version(specifier: SpecifierSet) -> str | None:
    """The version an `==`/`===` specifier pins (not a `==1.*` prefix match), else None."""
    for spec in specifier:
        if spec.operator == "===" or (spec.operator == "==" and not spec.version.endswith("*")):
            return spec.version
    return None


def _requirement(text: str, src: SourceRef, where: str, dev: bool) -> _Entry | str | None:
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        if _is_local_directory(text) or _is_url(text):
            return _reference(text, src, where, text, dev)
        reason = str(exc).splitlines()[0]
        raise ManifestError(
            f"{where}line {src.line}: invalid requirement {clip(text)!r}: {reason}"
        ) from None
    name = canonicalize_name(req.name)
    if req.url:
        return _Entry(Package(PYPI, name, None, text, False, True, src, dev), True)
    version = exact_version(req.specifier)
    return _Entry(Package(PYPI, name, version, text, version is not None, True, src, dev), False)


def _reference(
    target: str, src: SourceRef, where: str, spec: str, dev: bool
) -> _Entry | str | None:
    """A URL, VCS or path requirement: unpinned, named by #egg= or its file name.

    None for a local directory (the project's own code: nothing to pin), a warning (str)
    when no package name can be told from it.
    """
    if _is_local_directory(target):
        return None
    name = _reference_name(target) if _is_url(target) else None
    if name is None:
        return f"{where}line {src.line}: {clip(target)!r} names no package; skipped"
    return _Entry(Package(PYPI, canonicalize_name(name), None, spec, False, True, src, dev), True)


def _is_url(target: str) -> bool:
    return target.startswith(_VCS) or "://" in target or target.endswith(_ARCHIVES)


def _is_local_directory(target: str) -> bool:
    if target.startswith(("file:", ".", "/", "~")) or re.match(r"^[A-Za-z]:[\\/]", target):
        return not target.split("#", 1)[0].split("?", 1)[0].endswith(_ARCHIVES)
    return False


def _reference_name(target: str) -> str | None:
    egg = _EGG.search(target)
    if egg is not None:
        return egg.group(1)
    location = target.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    last = location.rsplit("/", 1)[-1]
    if last.endswith(".whl"):
        return last.split("-", 1)[0] or None
    for suffix in _ARCHIVES:
        if last.endswith(suffix):
            match = _SDIST_NAME.match(last[: -len(suffix)])
            return match.group(1) if match else None
    if target.startswith(_VCS):
        repo = last.split("@", 1)[0].removesuffix(".git")
        return repo or None
    return None
