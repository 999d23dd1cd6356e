"""The project-local modules a handler imports, found by reading (never importing) its text.

Python: `import a.b` and `from a.b import c` against the handler's directory and its code
root (where Lambda's sys.path starts), relative imports against the importing file. Packages
vendored into the code directory (`pip install -t`, recognised by their .dist-info) are
libraries, not project code, and are left out. JavaScript/TypeScript: relative `require()`,
`import ... from`, `export ... from` and `import()` specifiers, with Node's extension and
index resolution (and TypeScript's `./x.js` naming `./x.ts`). Bare specifiers are packages.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from pathlib import Path

from slsguard.code.handler_files import (
    HandlerSource,
    SourceRejected,
    is_dir,
    is_file,
    language_of,
    lexical,
    lexically_inside,
    read_source,
)

MAX_DEPTH = 3  # import hops followed from the handler
MAX_FILES = 200  # a bound on fan-out, whatever the depth

JS_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts")
# TypeScript ESM imports name the compiled file: `./db.js` is ./db.ts in the source tree.
_TS_FOR_JS = {".js": (".ts", ".tsx"), ".mjs": (".mts",), ".cjs": (".cts",), ".jsx": (".tsx",)}

_JS_SPECIFIER = re.compile(
    r"""(?:\brequire\s*\(\s*|\bimport\s*\(\s*|\bfrom\s*|\bimport\s*)(['"])(\.{1,2}(?:/[^'"\n]*)?)\1"""
)
_PY_IMPORT = re.compile(r"^[ \t]*import[ \t]+([\w. \t,]+)", re.MULTILINE)
_PY_FROM = re.compile(
    r"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+\(?([\w \t,\n]+)", re.MULTILINE
)

PyImport = tuple[int, str, list[str]]  # (relative level, module, imported names)


def local_imports(source: HandlerSource, root: Path) -> list[Path]:
    """Files the handler imports, then what those import, up to MAX_DEPTH hops; breadth
    first, each once, never the handler itself, never outside root (links followed)."""
    if source.path is None:  # inline code is one file
        return []
    top = lexical(root)
    finder = _Finder(top, os.path.realpath(top), source.path.parent, source.code_root)
    seen = {source.path}
    found: list[Path] = []
    frontier = [(source.path, source.text)]
    for _ in range(MAX_DEPTH):
        following: list[tuple[Path, str]] = []
        for path, text in frontier:
            for target in finder.imports(path, text):
                if target in seen:
                    continue
                seen.add(target)
                found.append(target)
                if len(found) >= MAX_FILES:
                    return found
                target_text = finder.read(target)
                if target_text is not None:
                    following.append((target, target_text))
        frontier = following
    return found


def may_import_local(
    path: Path, text: str, bases: list[Path], listings: dict[Path, frozenset[str]]
) -> bool:
    """A cheap first look (no parse): can the file at `path` import a project module at
    all? A relative import, or a Python import whose top-level name is a module or package
    in one of `bases`. `listings` caches directory contents between calls."""
    if language_of(path) != "python":
        return _JS_SPECIFIER.search(text) is not None
    for level, module, _ in _python_imports_by_regex(text):
        head = module.split(".", 1)[0]
        if level or any(
            head in _listing(base, listings) or f"{head}.py" in _listing(base, listings)
            for base in bases
        ):
            return True
    return False


def _listing(base: Path, listings: dict[Path, frozenset[str]]) -> frozenset[str]:
    found = listings.get(base)
    if found is None:
        try:
            found = frozenset(os.listdir(base))
        except (OSError, ValueError):
            found = frozenset()
        listings[base] = found
    return found


class _Finder:
    def __init__(self, root: Path, real_root: str, handler_dir: Path, code_root: Path | None):
        self.root = root
        self.real_root = real_root
        bases = [handler_dir] if code_root is None else [handler_dir, code_root]
        self.bases = list(dict.fromkeys(bases))
        self.vendored: dict[Path, frozenset[str]] = {}

    def read(self, path: Path) -> str | None:
        try:
            return read_source(path, self.real_root)
        except SourceRejected:
            return None  # listed as imported, but not followed

    def imports(self, path: Path, text: str) -> Iterator[Path]:
        language = language_of(path)
        targets = self._python(path, text) if language == "python" else self._js(path, text)
        for target in targets:
            if lexically_inside(target, self.root) and self._really_inside(target):
                yield target

    def _really_inside(self, path: Path) -> bool:
        real = os.path.realpath(path)
        return os.path.commonpath([real, self.real_root]) == self.real_root

    # -- Python ---------------------------------------------------------------------------

    def _python(self, path: Path, text: str) -> Iterator[Path]:
        for level, module, names in _python_imports(text):
            parts = module.split(".") if module else []
            if level:
                package = path.parent
                for _ in range(level - 1):
                    package = package.parent
                bases = [package]
            else:
                bases = [b for b in self.bases if not self._is_vendored(b, parts[0])]
            for base in bases:
                files = _module_files(base, parts)
                files += [f for n in names for f in _module_files(base, [*parts, n])[-1:]]
                if files:
                    yield from files
                    break

    def _is_vendored(self, base: Path, top: str) -> bool:
        if base not in self.vendored:
            try:
                entries = [
                    p.name for p in base.iterdir() if p.suffix in (".dist-info", ".egg-info")
                ]
            except OSError:
                entries = []
            self.vendored[base] = frozenset(_dist_name(e) for e in entries)
        return _dist_name(top) in self.vendored[base]

    # -- JavaScript / TypeScript ----------------------------------------------------------

    def _js(self, path: Path, text: str) -> Iterator[Path]:
        for match in _JS_SPECIFIER.finditer(text):
            target = _js_file(lexical(path.parent / match[2]))
            if target is not None:
                yield target


def _python_imports(text: str) -> list[PyImport]:
    """Every import statement, lazy ones in functions included; by regex when the file is
    not Python this interpreter parses (newer syntax, Python 2)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _python_imports_by_regex(text)
    found: list[PyImport] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(0, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [a.name for a in node.names if a.name != "*"]
            found.append((node.level, node.module or "", names))
    return found


def _python_imports_by_regex(text: str) -> list[PyImport]:
    found: list[PyImport] = []
    for match in _PY_IMPORT.finditer(text):
        for item in match[1].split(","):
            words = item.split()
            if words:
                found.append((0, words[0], []))
    for match in _PY_FROM.finditer(text):
        names = [item.split()[0] for item in match[3].split(",") if item.split()]
        found.append((len(match[1]), match[2], [n for n in names if n.isidentifier()]))
    return found


def _module_files(base: Path, parts: list[str]) -> list[Path]:
    """The files importing base/a/b/c runs: package __init__ files on the way, then the
    module; [] when the module is not there."""
    files: list[Path] = []
    current = base
    for index, part in enumerate(parts):
        if not part.isidentifier():
            return []
        current = current / part
        init = current / "__init__.py"
        if index == len(parts) - 1:  # a package directory wins over a module, as in Python
            module = current.with_name(f"{part}.py")
            chosen = init if is_file(init) else module if is_file(module) else None
            return [*files, chosen] if chosen is not None else []
        if is_file(init):
            files.append(init)
        elif not is_dir(current):  # namespace packages have no __init__.py
            return []
    return files


def _dist_name(name: str) -> str:
    """`PyYAML-6.0.dist-info` -> `pyyaml`; `my_pkg` -> `my_pkg` (PEP 503-ish, for matching)."""
    return re.sub(r"[-_.]+", "_", name.split("-", 1)[0].split(".", 1)[0]).lower()


def _js_file(target: Path) -> Path | None:
    """Node's resolution of a relative specifier: the file, with an extension added, the
    TypeScript source of a `.js` name, or the directory's index file."""
    return next((c for c in js_candidates(target) if is_file(c)), None)


def js_candidates(target: Path) -> list[Path]:
    """The files a relative specifier may name, in Node's order (no file system access)."""
    candidates = [target] if target.suffix in JS_SUFFIXES else []
    candidates += [target.with_name(target.name + s) for s in JS_SUFFIXES]
    candidates += [target.with_suffix(s) for s in _TS_FOR_JS.get(target.suffix, ())]
    candidates += [target / f"index{s}" for s in JS_SUFFIXES]
    return candidates
