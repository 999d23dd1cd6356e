"""Dependency manifests and lock files: every package, with the exact line that pins it."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from slsguard.deps import block_yaml, node_locks
from slsguard.deps.manifests import (
    NPM,
    PYPI,
    Manifest,
    ManifestError,
    Package,
    find_manifests,
    manifest_kind,
    parse_manifest,
)
from slsguard.deps.positions import json_key_positions, toml_positions
from slsguard.model.source import SourceRef

FIXTURES = Path(__file__).parent / "fixtures" / "deps"


def read(folder: str | Path, name: str) -> Manifest:
    root = folder if isinstance(folder, Path) else FIXTURES / folder
    manifest = parse_manifest(root / name, name)
    assert manifest is not None
    return manifest


def located(manifest: Manifest) -> list[Package]:
    """The packages with src reduced to file, line and column (what the tables below spell)."""
    return [
        replace(p, src=SourceRef(p.src.file, p.src.line, p.src.column)) for p in manifest.packages
    ]


def py(
    name: str,
    version: str | None,
    spec: str,
    at: str,
    *,
    pinned: bool | None = None,
    direct: bool = True,
    dev: bool = False,
) -> Package:
    return _package(PYPI, name, version, spec, at, pinned, direct, dev)


def js(
    name: str,
    version: str | None,
    spec: str,
    at: str,
    *,
    pinned: bool | None = None,
    direct: bool = True,
    dev: bool = False,
) -> Package:
    return _package(NPM, name, version, spec, at, pinned, direct, dev)


def _package(
    ecosystem: str,
    name: str,
    version: str | None,
    spec: str,
    at: str,
    pinned: bool | None,
    direct: bool,
    dev: bool,
) -> Package:
    file, line, column = at.rsplit(":", 2)
    exact = version is not None if pinned is None else pinned
    src = SourceRef(file, int(line), int(column))
    return Package(ecosystem, name, version, spec, exact, direct, src, dev)


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


# --- requirements*.txt ----------------------------------------------------------------------


def test_requirements_txt_with_includes_constraints_hashes_markers_and_urls() -> None:
    manifest = read("requirements", "requirements.txt")
    assert (manifest.kind, manifest.ecosystem, manifest.is_lock) == ("requirements", PYPI, False)
    assert located(manifest) == [
        py("aws-lambda-powertools", None, "aws-lambda-powertools[tracer]~=2.30", "base.txt:3:1"),
        # `pydantic` (base.txt:4) is pinned by constraints.txt, which is where it points.
        py("pydantic", "2.5.3", "pydantic==2.5.3", "constraints.txt:2:1"),
        py("boto3", "1.34.34", "boto3==1.34.34", "requirements.txt:6:1"),
        py("requests", None, "requests[socks]>=2.31,<3", "requirements.txt:9:1"),
        py("pyjwt", "2.8.0", "pyjwt[crypto]===2.8.0", "requirements.txt:10:1"),
        py("urllib3", None, 'urllib3==1.26.* ; python_version < "3.10"', "requirements.txt:11:1"),
        py("typing-extensions", None, 'typing-extensions; python_version < "3.8"',
           "requirements.txt:12:1"),
        py("pillow", "10.2.0", "Pillow == 10.2.0", "requirements.txt:13:3"),
        py("orders-lib", None,
           "-e git+https://github.com/example/orders-lib.git@v1.4.0#egg=orders_lib",
           "requirements.txt:14:1"),
        py("shared-utils", None,
           "shared-utils @ https://files.example.com/shared_utils-0.3.1-py3-none-any.whl",
           "requirements.txt:15:1"),
        # A pin for a package nothing here requires directly: a transitive one.
        py("aws-xray-sdk", "2.12.1", "aws-xray-sdk==2.12.1", "constraints.txt:3:1",
           direct=False),
    ]  # fmt: skip
    assert manifest.warnings == (
        "line 17: -r ../../../outside.txt: outside the scanned directory, not read",
        "line 18: --requirement missing.txt: file not found",
    )


def test_dev_requirements_file_marks_its_own_entries_dev() -> None:
    manifest = read("requirements", "requirements-dev.txt")
    dev = {p.name for p in manifest.packages if p.dev}
    assert dev == {"pytest", "moto"}
    assert located(manifest)[-3:-1] == [
        py("pytest", "8.0.0", "pytest==8.0.0", "requirements-dev.txt:2:1", dev=True),
        py("moto", None, "moto[s3]>=5", "requirements-dev.txt:3:1", dev=True),
    ]
    assert manifest.warnings[0].startswith("requirements.txt line 17: -r ../../../outside.txt")


def test_requirements_continuations_options_and_references(tmp_path: Path) -> None:
    text = (
        "--extra-index-url https://example.com/simple  # private index\n"
        "--hash=sha256:0000\n"
        "flask==3.0.0 \\\n"
        "    --hash=sha256:1111 \\\n"
        "# a comment line ends the continuation\n"
        "click==8.1.*\n"
        "https://example.com/dist/attrs-23.2.0-py3-none-any.whl\n"
        "git+https://github.com/example/Tool-Kit.git@main\n"
        "-e .[dev]\n"
        "-e ./libs/helpers\n"
        "-r${CI_DIR}/more.txt\n"
        "https://example.com/nameless\n"
    )
    manifest = read(write(tmp_path, {"requirements.txt": text}), "requirements.txt")
    assert located(manifest) == [
        py("flask", "3.0.0", "flask==3.0.0", "requirements.txt:3:1"),
        py("click", None, "click==8.1.*", "requirements.txt:6:1"),
        py("attrs", None, "https://example.com/dist/attrs-23.2.0-py3-none-any.whl",
           "requirements.txt:7:1"),
        py("tool-kit", None, "git+https://github.com/example/Tool-Kit.git@main",
           "requirements.txt:8:1"),
    ]  # fmt: skip
    assert manifest.warnings == (
        "line 11: -r ${CI_DIR}/more.txt: file not found",
        "line 12: 'https://example.com/nameless' names no package; skipped",
    )


def test_requirements_includes_never_leave_the_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, {"secret.txt": "leaked==1.0\n"})
    root = write(
        tmp_path / "proj",
        {
            "requirements.txt": (
                "-r sub/a.txt\n"
                f"-r {outside / 'secret.txt'}\n"
                "-r link.txt\n"
                "--constraint=https://example.com/constraints.txt\n"
            ),
            "sub/a.txt": "alpha==1.0\n-r ../sub/b.txt\n",
            "sub/b.txt": "beta==2.0\n-r a.txt\n-r ../requirements.txt\n",
        },
    )
    (root / "link.txt").symlink_to(outside / "secret.txt")
    manifest = read(root, "requirements.txt")
    assert [(p.name, p.src.file, p.src.line) for p in manifest.packages] == [
        ("alpha", "sub/a.txt", 1),
        ("beta", "sub/b.txt", 1),
    ]
    absolute, *others = manifest.warnings
    assert absolute.startswith("line 2: -r /")  # the path, shortened when long
    assert absolute.endswith(": outside the scanned directory, not read")
    assert others == [
        "line 3: -r link.txt: outside the scanned directory, not read",
        "line 4: --constraint https://example.com/constraints.txt: URLs are not fetched",
    ]


def test_requirements_root_is_the_directory_rel_is_relative_to(tmp_path: Path) -> None:
    write(tmp_path, {"shared.txt": "shared==1.0\n", "fn/requirements.txt": "-r ../shared.txt\n"})
    inside = read(tmp_path, "fn/requirements.txt")
    assert [(p.name, p.src.file) for p in inside.packages] == [("shared", "shared.txt")]
    # Scanning only fn/ as the root: the include is outside it.
    alone = read(tmp_path / "fn", "requirements.txt")
    assert alone.packages == ()
    confined = parse_manifest(
        tmp_path / "fn" / "requirements.txt", "fn/requirements.txt", root=tmp_path / "fn"
    )
    assert confined is not None and confined.packages == ()


def test_invalid_requirement_raises_with_its_line(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "requests\n-r more.txt\n", "more.txt": "\nfoo bar\n"})
    with pytest.raises(ManifestError, match=r"^more.txt line 2: invalid requirement 'foo bar'"):
        read(tmp_path, "requirements.txt")


# --- Pipfile, Pipfile.lock ------------------------------------------------------------------


def test_pipfile() -> None:
    manifest = read("pipfile", "Pipfile")
    assert (manifest.kind, manifest.is_lock) == ("pipfile", False)
    assert located(manifest) == [
        py("requests", "2.31.0", "==2.31.0", "Pipfile:7:1"),
        py("boto3", None, "*", "Pipfile:8:1"),
        py("ruamel-yaml", None, ">=0.18", "Pipfile:9:1"),
        py("orders-lib", None, "git https://github.com/example/orders-lib.git", "Pipfile:10:1"),
        py("pytest", "8.0.0", "==8.0.0", "Pipfile:13:1", dev=True),
    ]


def test_pipfile_lock_direct_from_the_pipfile_beside_it(tmp_path: Path) -> None:
    manifest = read("pipfile", "Pipfile.lock")
    assert (manifest.kind, manifest.is_lock) == ("pipfile.lock", True)
    git = "git https://github.com/example/orders-lib.git@3f2c1e0d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e"
    assert located(manifest) == [
        py("boto3", "1.34.34", "==1.34.34", "Pipfile.lock:19:9"),
        py("certifi", "2024.2.2", "==2024.2.2", "Pipfile.lock:27:9", direct=False),
        py("orders-lib", None, git, "Pipfile.lock:34:9", pinned=True),
        py("requests", "2.31.0", "==2.31.0", "Pipfile.lock:38:9"),
        py("ruamel-yaml", "0.18.5", "==0.18.5", "Pipfile.lock:45:9"),
        py("iniconfig", "2.0.0", "==2.0.0", "Pipfile.lock:53:9", direct=False, dev=True),
        py("pytest", "8.0.0", "==8.0.0", "Pipfile.lock:56:9", dev=True),
    ]
    assert manifest.packages[0].src.path == ("default", "boto3")
    shutil.copy(FIXTURES / "pipfile" / "Pipfile.lock", tmp_path)
    alone = read(tmp_path, "Pipfile.lock")
    assert not any(p.direct for p in alone.packages)  # no Pipfile: nothing known as direct


# --- Poetry ---------------------------------------------------------------------------------


def test_poetry_pyproject_tables_and_lines() -> None:
    manifest = read("poetry", "pyproject.toml")
    assert (manifest.kind, manifest.is_lock) == ("pyproject", False)
    assert located(manifest) == [
        py("requests", None, "^2.31", "pyproject.toml:9:1"),
        py("boto3", "1.34.34", "1.34.34", "pyproject.toml:10:1"),  # Poetry: bare version is ==
        py("ruamel-yaml", None, ">=0.18", "pyproject.toml:11:1"),
        py("pydantic", "2.5.3", "==2.5.3", "pyproject.toml:12:1"),
        py("orders-lib", None, "git https://github.com/example/orders-lib.git",
           "pyproject.toml:13:1"),
        py("aws-lambda-powertools", None, "~2.30", "pyproject.toml:15:1"),  # its [table] header
        py("pytest", None, "^8.0", "pyproject.toml:20:1", dev=True),
        py("moto", None, ">=5", "pyproject.toml:21:1", dev=True),
    ]  # fmt: skip


def test_poetry_lock_with_categories() -> None:
    manifest = read("poetry", "poetry.lock")
    assert (manifest.kind, manifest.is_lock) == ("poetry.lock", True)
    git = "git https://github.com/example/orders-lib.git@3f2c1e0d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e"
    assert located(manifest) == [
        py("boto3", "1.34.34", "1.34.34", "poetry.lock:4:1"),
        py("botocore", "1.34.34", "1.34.34", "poetry.lock:22:1", direct=False),
        py("iniconfig", "2.0.0", "2.0.0", "poetry.lock:36:1", direct=False, dev=True),
        py("orders-lib", None, git, "poetry.lock:47:1", pinned=True),
        py("pytest", "8.0.0", "8.0.0", "poetry.lock:63:1", dev=True),
        py("requests", "2.31.0", "2.31.0", "poetry.lock:80:1"),
        py("urllib3", "2.0.7", "2.0.7", "poetry.lock:97:1", direct=False),
    ]


def test_poetry_lock_without_dev_markers_uses_the_graph(tmp_path: Path) -> None:
    """Poetry 1.5-1.8 wrote neither `category` nor `groups`."""
    text = (FIXTURES / "poetry" / "poetry.lock").read_text()
    stripped = "".join(line for line in text.splitlines(True) if not line.startswith("category"))
    write(tmp_path, {"poetry.lock": stripped})
    shutil.copy(FIXTURES / "poetry" / "pyproject.toml", tmp_path)
    expected = [(p.name, p.dev) for p in read("poetry", "poetry.lock").packages]
    assert [(p.name, p.dev) for p in read(tmp_path, "poetry.lock").packages] == expected


def test_poetry2_pep621_project_and_lock_groups() -> None:
    assert located(read("poetry2", "pyproject.toml")) == [
        py("requests", None, "requests (>=2.31,<3.0)", "pyproject.toml:6:5"),
        py("boto3", "1.34.34", "boto3==1.34.34", "pyproject.toml:7:5"),
        py("pytest", None, "^8.0", "pyproject.toml:11:1", dev=True),
    ]
    assert located(read("poetry2", "poetry.lock")) == [
        py("boto3", "1.34.34", "1.34.34", "poetry.lock:4:1"),
        py("iniconfig", "2.0.0", "2.0.0", "poetry.lock:15:1", direct=False, dev=True),
        py("pytest", "8.0.0", "8.0.0", "poetry.lock:26:1", dev=True),
        py("requests", "2.31.0", "2.31.0", "poetry.lock:41:1"),
        # groups = ["main", "dev"]: needed by the function too
        py("urllib3", "2.0.7", "2.0.7", "poetry.lock:55:1", direct=False),
    ]


# --- uv -------------------------------------------------------------------------------------


def test_uv_pyproject_lists_extras_and_dependency_groups() -> None:
    assert located(read("uv", "pyproject.toml")) == [
        py("requests", None, "requests>=2.31", "pyproject.toml:6:5"),
        py("boto3", "1.34.34", "boto3==1.34.34", "pyproject.toml:7:5"),
        py("pyjwt", None, 'pyjwt[crypto]; python_version >= "3.8"', "pyproject.toml:8:5"),
        py("shared-utils", None, "shared-utils", "pyproject.toml:9:5"),
        py("ruamel-yaml", None, "ruamel.yaml>=0.18", "pyproject.toml:13:9"),
        py("pytest", None, "pytest>=8", "pyproject.toml:14:9", dev=True),  # extra "test"
        py("moto", None, "moto[s3]>=5", "pyproject.toml:18:5", dev=True),
        py("ruff", "0.3.0", "ruff==0.3.0", "pyproject.toml:21:9", dev=True),
    ]


def test_uv_lock_graph_decides_direct_and_dev() -> None:
    manifest = read("uv", "uv.lock")
    assert (manifest.kind, manifest.is_lock) == ("uv.lock", True)
    git = (
        "git https://github.com/example/shared-utils?tag=v0.3.1"
        "#0123456789abcdef0123456789abcdef01234567"
    )
    assert located(manifest) == [
        py("boto3", "1.34.34", "1.34.34", "uv.lock:5:1"),
        py("botocore", "1.34.34", "1.34.34", "uv.lock:17:1", direct=False),
        py("iniconfig", "2.0.0", "2.0.0", "uv.lock:29:1", direct=False, dev=True),
        py("moto", "5.0.2", "5.0.2", "uv.lock:38:1", dev=True),
        # "orders" (uv.lock:53) is the project itself: not a dependency
        py("pyjwt", "2.8.0", "2.8.0", "uv.lock:91:1"),
        py("pytest", "8.0.0", "8.0.0", "uv.lock:100:1", dev=True),
        py("pyyaml", "6.0.1", "6.0.1", "uv.lock:112:1", direct=False, dev=True),
        py("requests", "2.31.0", "2.31.0", "uv.lock:121:1"),
        py("ruamel-yaml", "0.18.5", "0.18.5", "uv.lock:133:1"),
        py("ruff", "0.3.0", "0.3.0", "uv.lock:142:1", dev=True),
        py("shared-utils", None, git, "uv.lock:151:1", pinned=True),
        py("urllib3", "2.0.7", "2.0.7", "uv.lock:156:1", direct=False),
        py("werkzeug", "3.0.1", "3.0.1", "uv.lock:165:1", direct=False, dev=True),
    ]


# --- TOML positions (tomllib has none) ------------------------------------------------------


def test_pyproject_entries_are_located_in_the_text(tmp_path: Path) -> None:
    text = (
        "[project]\n"  # 1
        'name = "x"\n'  # 2
        'description = """\n'  # 3
        "dependencies = [\n"  # 4  inside a string: not the real list
        '    "fake==1.0",\n'  # 5
        ']\n"""\n'  # 6-7
        "dependencies = [\"attrs>=23\", 'idna==3.6',  # one line\n"  # 8
        '  "requests>=2", "attrs>=23"]\n'  # 9  the same text twice: each keeps its own line
        "[project.optional-dependencies]\n"  # 10
        "aws = [ # comment [with brackets]\n"  # 11
        '  "boto3",\n'  # 12
        "]\n"  # 13
        "\n"  # 14
        "[tool.poetry]\n"  # 15
        'dependencies = { python = "^3.11", "Flask" = "2.3.3", click = { version = "^8" } }\n'
        "group.dev.dependencies.pytest = '^8'\n"  # 17
    )
    manifest = read(write(tmp_path, {"pyproject.toml": text}), "pyproject.toml")
    assert [(p.name, p.spec, p.src.line, p.src.column, p.dev) for p in manifest.packages] == [
        ("attrs", "attrs>=23", 8, 17, False),
        ("idna", "idna==3.6", 8, 30, False),
        ("requests", "requests>=2", 9, 3, False),
        ("attrs", "attrs>=23", 9, 18, False),
        ("boto3", "boto3", 12, 3, False),
        ("flask", "2.3.3", 16, 36, False),
        ("click", "^8", 16, 55, False),
        ("pytest", "^8", 17, 1, True),
    ]


def test_toml_positions_of_headers_keys_and_items() -> None:
    where = toml_positions("[a]\nb.c = [ 'x',\n  \"y\" ]\n[[d.e]]\n'f g' = { h = 1 }\n")
    assert where.keys[("a",)] == (1, 1)
    assert where.keys[("a", "b", "c")] == (2, 1)
    assert where.items[("a", "b", "c")] == [("x", 2, 9), ("y", 3, 3)]
    assert where.keys[("d", "e")] == (4, 1)
    assert where.keys[("d", "e", "f g", "h")] == (5, 11)
    assert where.key(("d", "e", "missing")) == (4, 1)


# --- package.json and package-lock.json -----------------------------------------------------


def test_package_json_sections_and_exact_versions() -> None:
    manifest = read("npm", "package.json")
    assert (manifest.kind, manifest.ecosystem, manifest.is_lock) == ("package.json", NPM, False)
    assert located(manifest) == [
        js("@aws-sdk/client-s3", None, "^3.490.0", "package.json:9:5"),
        js("jsonwebtoken", "9.0.2", "9.0.2", "package.json:10:5"),
        js("lodash", None, "~4.17.21", "package.json:11:5"),
        js("uuid", None, "latest", "package.json:12:5"),
        js("internal-lib", None, "git+https://github.com/example/internal-lib.git#v2.0.0",
           "package.json:13:5"),
        # an alias installs the package it names
        js("string-width", "4.2.3", "npm:string-width@4.2.3", "package.json:14:5"),
        js("fsevents", "2.3.3", "2.3.3", "package.json:17:5"),
        js("aws-lambda", None, ">=1", "package.json:20:5"),
        js("jest", None, "^29.7.0", "package.json:23:5", dev=True),
        js("typescript", "5.3.3", "=5.3.3", "package.json:24:5", dev=True),
    ]  # fmt: skip
    assert manifest.packages[0].src.path == ("dependencies", "@aws-sdk/client-s3")


@pytest.mark.parametrize(
    ("spec", "version"),
    [
        ("1.2.3", "1.2.3"),
        ("v1.2.3", "1.2.3"),
        ("=1.2.3-rc.1+build.5", "1.2.3-rc.1+build.5"),
        ("^1.2.3", None),
        ("~1.2.3", None),
        (">1.2.3", None),
        ("1.2.x", None),
        ("1.2", None),
        ("*", None),
        ("", None),
        ("latest", None),
        ("1.2.3 - 2.0.0", None),
        ("file:../lib", None),
        ("user/repo#v1.2.3", None),
        ("https://example.com/x-1.2.3.tgz", None),
    ],
)
def test_npm_pins_only_exact_versions(tmp_path: Path, spec: str, version: str | None) -> None:
    text = json.dumps({"dependencies": {"x": spec}})
    (package,) = read(write(tmp_path, {"package.json": text}), "package.json").packages
    assert (package.version, package.pinned) == (version, version is not None)


def test_package_lock_v3() -> None:
    manifest = read("npm", "package-lock.json")
    assert (manifest.kind, manifest.is_lock) == ("package-lock.json", True)
    assert located(manifest) == [
        js("@smithy/types", "2.9.1", "2.9.1", "package-lock.json:22:5"),
        # devOptional: also an optional dependency of production code, so it ships
        js("fsevents", "2.3.3", "2.3.3", "package-lock.json:33:5"),
        js("jest", "29.7.0", "29.7.0", "package-lock.json:44:5", dev=True),
        js("semver", "6.3.1", "6.3.1", "package-lock.json:56:5", direct=False, dev=True),
        js("jsonwebtoken", "9.0.2", "9.0.2", "package-lock.json:65:5"),
        js("jws", "3.2.2", "3.2.2", "package-lock.json:78:5", direct=False),
        js("semver", "7.5.4", "7.5.4", "package-lock.json:83:5", direct=False),
        js("string-width", "4.2.3", "4.2.3", "package-lock.json:91:5"),
        js("tslib", "2.6.2", "2.6.2", "package-lock.json:97:5", direct=False),
    ]
    assert manifest.packages[3].src.path == ("packages", "node_modules/jest/node_modules/semver")


def test_package_lock_v1_nested_with_package_json_beside_it(tmp_path: Path) -> None:
    manifest = read("npm-v1", "package-lock.json")
    fork = "github:example/my-fork#0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
    assert located(manifest) == [
        js("axios", "0.21.1", "0.21.1", "package-lock.json:7:5"),
        js("debug", "2.6.9", "2.6.9", "package-lock.json:15:5"),
        js("follow-redirects", "1.14.0", "1.14.0", "package-lock.json:23:5", direct=False),
        js("mocha", "8.4.0", "8.4.0", "package-lock.json:28:5", dev=True),
        js("debug", "4.3.1", "4.3.1", "package-lock.json:37:9", direct=False, dev=True),
        js("ms", "2.1.2", "2.1.2", "package-lock.json:46:9", direct=False, dev=True),
        js("ms", "2.0.0", "2.0.0", "package-lock.json:54:5", direct=False),
        js("my-fork", None, fork, "package-lock.json:59:5", pinned=True),
    ]
    shutil.copy(FIXTURES / "npm-v1" / "package-lock.json", tmp_path)
    assert not any(p.direct for p in read(tmp_path, "package-lock.json").packages)


def test_package_lock_workspaces_links_and_shrinkwrap(tmp_path: Path) -> None:
    lock = {
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "mono", "workspaces": ["packages/*"], "dependencies": {"a": "^1"}},
            "packages/fn": {"name": "fn", "dependencies": {"b": "^2"}},
            "node_modules/fn": {"resolved": "packages/fn", "link": True},
            "node_modules/a": {"version": "1.0.0"},
            "packages/fn/node_modules/b": {"version": "2.0.0"},
            "node_modules/a/node_modules/b": {"version": "1.5.0", "dev": True},
            "node_modules/c": {
                "version": "3.0.0",
                "resolved": "git+ssh://git@github.com/x/c.git#abc",
            },
        },
    }
    write(tmp_path, {"npm-shrinkwrap.json": json.dumps(lock)})
    manifest = read(tmp_path, "npm-shrinkwrap.json")
    assert manifest.kind == "package-lock.json"
    assert [(p.name, p.version, p.direct, p.dev, p.src.line) for p in manifest.packages] == [
        ("a", "1.0.0", True, False, 1),
        ("b", "2.0.0", True, False, 1),  # declared by the workspace member it sits under
        ("b", "1.5.0", False, True, 1),
        ("c", None, False, False, 1),
    ]
    assert manifest.packages[-1].spec == "git+ssh://git@github.com/x/c.git#abc"


def test_large_package_lock_parses(tmp_path: Path) -> None:
    """2,000 entries (a big function): the plain-search fast path, not a full tokenisation."""
    entries: dict[str, object] = {"": {"name": "big", "dependencies": {"pkg-0": "^1.0.0"}}}
    for i in range(2000):
        entries[f"node_modules/pkg-{i}"] = {
            "version": f"1.{i}.0",
            "resolved": f"https://registry.npmjs.org/pkg-{i}/-/pkg-{i}-1.{i}.0.tgz",
            "integrity": "sha512-" + "A" * 86 + "==",
            "dev": i % 3 == 0,
            "dependencies": {f"pkg-{(i + 1) % 2000}": "^1.0.0"},
        }
    lock = json.dumps({"name": "big", "lockfileVersion": 3, "packages": entries}, indent=2)
    manifest = read(write(tmp_path, {"package-lock.json": lock}), "package-lock.json")
    assert len(manifest.packages) == 2000
    assert (
        manifest.packages[-1].src.line
        == lock.splitlines().index('    "node_modules/pkg-1999": {') + 1
    )


def test_json_key_positions() -> None:
    text = '{"a": {"b\\"c": [ {"x": 1} ], "d": "e: {"},\n  "f" : {"g": null}}'
    assert json_key_positions(text) == {
        (): (1, 1),
        ("a",): (1, 2),
        ("a", 'b"c'): (1, 8),
        ("a", "d"): (1, 30),
        ("f",): (2, 3),
        ("f", "g"): (2, 10),
    }


# --- yarn.lock ------------------------------------------------------------------------------


def test_yarn_classic_lock() -> None:
    manifest = read("yarn-classic", "yarn.lock")
    assert (manifest.kind, manifest.is_lock) == ("yarn.lock", True)
    assert located(manifest) == [
        js("@types/node", "20.11.16", "20.11.16", "yarn.lock:5:1", dev=True),
        js("ansi-styles", "4.3.0", "4.3.0", "yarn.lock:12:1", direct=False, dev=True),
        js("axios", "1.6.7", "1.6.7", "yarn.lock:19:1"),
        js("chalk", "4.1.2", "4.1.2", "yarn.lock:27:1", dev=True),
        # also an optional dependency of form-data, which ships
        js("color-convert", "2.0.1", "2.0.1", "yarn.lock:34:1", direct=False),
        js("follow-redirects", "1.15.5", "1.15.5", "yarn.lock:39:1", direct=False),
        js("form-data", "4.0.0", "4.0.0", "yarn.lock:44:1", direct=False),
        js("asynckit", "0.4.0", "0.4.0", "yarn.lock:53:1", direct=False),
        js("internal", None, "github:example/internal#v1", "yarn.lock:58:1", pinned=True),
        js("left-pad", "1.3.0", "1.3.0", "yarn.lock:62:1"),
        js("lodash", "4.17.21", "4.17.21", "yarn.lock:67:1"),  # the alias "my-alias"
        js("undici-types", "5.26.5", "5.26.5", "yarn.lock:72:1", direct=False, dev=True),
    ]


def test_yarn_berry_lock() -> None:
    manifest = read("yarn-berry", "yarn.lock")
    assert located(manifest) == [
        js("ansi-styles", "4.3.0", "4.3.0", "yarn.lock:8:1", direct=False, dev=True),
        js("axios", "1.6.7", "1.6.7", "yarn.lock:17:1"),
        js("chalk", "4.1.2", "4.1.2", "yarn.lock:26:1", dev=True),
        js("color-convert", "2.0.1", "2.0.1", "yarn.lock:35:1", direct=False, dev=True),
        js("follow-redirects", "1.15.5", "1.15.5", "yarn.lock:42:1", direct=False),
        js("left-pad", "1.3.0", "1.3.0", "yarn.lock:52:1"),
        js("lodash", "4.17.21", "4.17.21", "yarn.lock:59:1"),
        # the workspace itself (yarn.lock:66) is the project, not a dependency
        js("resolve", "1.22.8", "1.22.8", "yarn.lock:77:1", direct=False),  # a patched release
    ]


def test_yarn_locks_without_package_json(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "yarn-classic" / "yarn.lock", tmp_path)
    assert not any(p.direct or p.dev for p in read(tmp_path, "yarn.lock").packages)
    shutil.copy(FIXTURES / "yarn-berry" / "yarn.lock", tmp_path)
    berry = read(tmp_path, "yarn.lock")  # its workspace entry lists the direct dependencies
    assert {p.name for p in berry.packages if p.direct} == {"axios", "chalk", "left-pad", "lodash"}
    assert not any(p.dev for p in berry.packages)


def test_yarn_classic_malformed() -> None:
    with pytest.raises(ManifestError, match=r"^line 3: expected `<package>@<range>:`$"):
        parse_manifest(Path("yarn.lock"), "yarn.lock", "# yarn lockfile v1\n\nleft-pad@1.3.0\n")


# --- pnpm-lock.yaml -------------------------------------------------------------------------

PNPM_V5_V6 = [
    ("@types/node", "20.11.16", 21, True, True),
    ("debug", "4.3.4", 27, True, False),
    ("ms", "2.1.2", 39, False, False),
    ("ms", "2.1.3", 43, True, False),
    ("react-dom", "18.2.0", 47, True, False),
    ("react", "18.2.0", 56, True, False),
    ("scheduler", "0.23.0", 61, False, False),
    ("undici-types", "5.26.5", 65, False, True),
]


@pytest.mark.parametrize(("folder", "shift"), [("pnpm-v5", 0), ("pnpm-v6", 7)])
def test_pnpm_lock_v5_and_v6(folder: str, shift: int) -> None:
    manifest = read(folder, "pnpm-lock.yaml")
    assert (manifest.kind, manifest.is_lock) == ("pnpm-lock.yaml", True)
    assert located(manifest) == [
        js(name, version, version, f"pnpm-lock.yaml:{line + shift}:3", direct=direct, dev=dev)
        for name, version, line, direct, dev in PNPM_V5_V6
    ]


def test_pnpm_lock_v9_importers_and_snapshots() -> None:
    manifest = read("pnpm-v9", "pnpm-lock.yaml")
    tarball = "https://codeload.github.com/example/internal-lib/tar.gz/"
    assert located(manifest) == [
        js("@types/node", "20.11.16", "20.11.16", "pnpm-lock.yaml:33:3", dev=True),
        js("debug", "4.3.4", "4.3.4", "pnpm-lock.yaml:36:3"),
        js("internal-lib", None, tarball + "5f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c",
           "pnpm-lock.yaml:45:3", pinned=True),
        js("ms", "2.1.2", "2.1.2", "pnpm-lock.yaml:50:3", direct=False),
        js("ms", "2.1.3", "2.1.3", "pnpm-lock.yaml:53:3"),
        js("react-dom", "18.2.0", "18.2.0", "pnpm-lock.yaml:56:3"),
        js("react", "18.2.0", "18.2.0", "pnpm-lock.yaml:61:3", direct=False),
        js("scheduler", "0.23.0", "0.23.0", "pnpm-lock.yaml:65:3", direct=False),
        js("string-width", "4.2.3", "4.2.3", "pnpm-lock.yaml:68:3"),  # the alias
        js("undici-types", "5.26.5", "5.26.5", "pnpm-lock.yaml:72:3", direct=False, dev=True),
    ]  # fmt: skip
    assert manifest.packages[0].src.path == ("packages", "@types/node@20.11.16")


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("pnpm-v5", "pnpm-lock.yaml"),
        ("pnpm-v6", "pnpm-lock.yaml"),
        ("pnpm-v9", "pnpm-lock.yaml"),
        ("yarn-berry", "yarn.lock"),
    ],
)
def test_block_yaml_fast_path_agrees_with_the_full_parser(
    folder: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (FIXTURES / folder / name).read_text()
    assert block_yaml.parse_block_yaml(text, name) is not None  # the fast path is taken
    fast = read(folder, name)
    monkeypatch.setattr(node_locks, "parse_block_yaml", lambda text, file: None)
    assert read(folder, name) == fast


@pytest.mark.parametrize(
    "text",
    [
        "a:\n  - b\n",  # block sequence
        "a: |\n  text\n",  # block scalar
        "a: &x 1\nb: *x\n",  # anchor and alias
        "a: !tag 1\n",
        "a:\n\tb: 1\n",  # tab indentation
        "a:\n    b: 1\n  c: 2\n",  # dedent to no open level
        "a: 'unclosed\n  more'\n",
        "a: {b: [1,\n  2]}\n",
        "a: b: c\n",
        "plain scalar document\n",
        "a: 1\n---\nb: 2\n",
    ],
)
def test_block_yaml_declines_what_it_does_not_handle(text: str) -> None:
    assert block_yaml.parse_block_yaml(text, "x.yaml") is None


def test_block_yaml_reads_the_lock_subset() -> None:
    text = (
        "---\n"
        "# comment\n"
        "a: 1  # trailing\n"
        "'b c': \"d\\te\"\n"
        "f:\n"
        "  g: {integrity: 'x[y]'}\n"
        "  h: []\n"
        "  'i''j':\n"
        "    k: true\n"
        "l: ~\n"
        "m: https://example.com/x#y\n"
    )
    document = block_yaml.parse_block_yaml(text, "x.yaml")
    assert document is not None
    assert document.data == {
        "a": "1",
        "b c": "d\te",
        "f": {"g": "{integrity: 'x[y]'}", "h": [], "i'j": {"k": True}},
        "l": None,
        "m": "https://example.com/x#y",
    }
    assert document.positions[("f", "i'j")] == (8, 3)
    assert ("f", "i'j", "k") not in document.positions  # fields below entries: not needed


def test_pnpm_lock_errors() -> None:
    with pytest.raises(ManifestError, match=r"^unknown lockfileVersion 'x'$"):
        parse_manifest(Path("pnpm-lock.yaml"), "pnpm-lock.yaml", "lockfileVersion: x\n")
    with pytest.raises(ManifestError, match=r"^invalid YAML: line 2"):
        parse_manifest(Path("pnpm-lock.yaml"), "pnpm-lock.yaml", "a: [\n- : -\n")


# --- vendored packages ----------------------------------------------------------------------


def test_dist_info_metadata() -> None:
    manifest = read("vendored", "requests-2.31.0.dist-info/METADATA")
    assert (manifest.kind, manifest.is_lock) == ("dist-info", True)
    assert located(manifest) == [
        py("requests", "2.31.0", "2.31.0", "requests-2.31.0.dist-info/METADATA:2:1",
           direct=False),
    ]  # fmt: skip
    with pytest.raises(ManifestError, match=r"^METADATA without Name and Version headers$"):
        parse_manifest(Path("x.dist-info/METADATA"), "x.dist-info/METADATA", "Name: x\n\nBody")


def test_vendored_node_modules_package_json() -> None:
    manifest = read("vendored", "node_modules/@smithy/types/package.json")
    assert (manifest.kind, manifest.is_lock) == ("node_modules", True)
    assert located(manifest) == [
        js("@smithy/types", "2.9.1", "2.9.1", "node_modules/@smithy/types/package.json:2:3",
           direct=False),
    ]  # fmt: skip
    # a package's own inner package.json ({"type": "module"}) is not a package
    assert parse_manifest(Path("x"), "node_modules/left-pad/lib/package.json", "{}") is None


@pytest.mark.parametrize(
    ("rel", "kind"),
    [
        ("requirements.txt", "requirements"),
        ("fn/requirements-dev.txt", "requirements"),
        ("dev_requirements.txt", "requirements"),
        ("requirements/base.txt", "requirements"),
        ("constraints.txt", None),
        ("requirements.in", None),
        ("Pipfile", "pipfile"),
        ("Pipfile.lock", "pipfile.lock"),
        ("poetry.lock", "poetry.lock"),
        ("uv.lock", "uv.lock"),
        ("pyproject.toml", "pyproject"),
        ("setup.py", None),
        ("package.json", "package.json"),
        ("package-lock.json", "package-lock.json"),
        ("npm-shrinkwrap.json", "package-lock.json"),
        ("yarn.lock", "yarn.lock"),
        ("pnpm-lock.yaml", "pnpm-lock.yaml"),
        ("lib/requests-2.31.0.dist-info/METADATA", "dist-info"),
        ("node_modules/a/package.json", "node_modules"),
        ("node_modules/@s/a/package.json", "node_modules"),
        ("node_modules/a/node_modules/b/package.json", "node_modules"),
        ("node_modules/.pnpm/a@1.0.0/node_modules/a/package.json", "node_modules"),
        ("node_modules/a/lib/package.json", None),
        ("node_modules/a/requirements.txt", None),
        ("node_modules/.package-lock.json", None),
    ],
)
def test_manifest_kind(rel: str, kind: str | None) -> None:
    assert manifest_kind(rel) == kind


# --- finding manifests ----------------------------------------------------------------------


def test_find_manifests_in_a_function_with_vendored_packages() -> None:
    root = FIXTURES / "vendored"
    found = [path.relative_to(root).as_posix() for path in find_manifests(root, FIXTURES)]
    assert found == [
        "node_modules/@smithy/types/package.json",
        "node_modules/left-pad/node_modules/inner-dep/package.json",
        "node_modules/left-pad/package.json",
        "requests-2.31.0.dist-info/METADATA",
        "requirements.txt",
    ]


def test_find_manifests_skips_links_caches_and_depth(tmp_path: Path) -> None:
    root = write(
        tmp_path / "fn",
        {
            "package.json": "{}",
            "src/requirements.txt": "",
            ".venv/lib/requirements.txt": "",
            "venv/requirements.txt": "",
            ".git/package.json": "{}",
            "__pycache__/requirements.txt": "",
            "a/b/c/d/e/f/package.json": "{}",  # 6 levels down: found
            "a/b/c/d/e/f/g/package.json": "{}",  # 7: too deep
            "node_modules/.bin/package.json": "{}",
            "node_modules/.pnpm/x@1.0.0/node_modules/x/package.json": "{}",
            "node_modules/.pnpm/@s+y@2.0.0/node_modules/@s/y/package.json": "{}",
            "layer/python/six-1.16.0.dist-info/METADATA": "Name: six\nVersion: 1.16.0\n",
            "layer/python/six/requirements.txt": "",  # inside a vendored package: not ours
        },
    )
    outside = write(tmp_path / "outside", {"requirements.txt": "", "pkg/package.json": "{}"})
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "node_modules" / "z").symlink_to(outside / "pkg", target_is_directory=True)
    (root / "requirements-link.txt").symlink_to(outside / "requirements.txt")
    found = [path.relative_to(root).as_posix() for path in find_manifests(root, tmp_path)]
    assert found == [
        "a/b/c/d/e/f/package.json",
        "layer/python/six-1.16.0.dist-info/METADATA",
        "node_modules/.pnpm/@s+y@2.0.0/node_modules/@s/y/package.json",
        "node_modules/.pnpm/x@1.0.0/node_modules/x/package.json",
        "package.json",
        "src/requirements.txt",
    ]
    assert find_manifests(root, root / "src") == []  # the directory must lie inside the root
    assert len(find_manifests(root, tmp_path, max_depth=0)) == 1


# --- robustness -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "text", "reason"),
    [
        ("package.json", '{"dependencies": {', "invalid JSON: line 1, column 19"),
        ("package.json", "[1, 2]", "package.json is not a JSON object"),
        ("package-lock.json", "{" * 100_000, "invalid JSON"),
        ("Pipfile.lock", "null", "Pipfile.lock is not a JSON object"),
        ("poetry.lock", "[[package]\nname = 1\n", "invalid TOML"),
        ("uv.lock", "package = 1\n", "`package` is not an array of tables"),
        ("pyproject.toml", '[project]\ndependencies = ["a b"]\n', "line 2: invalid requirement"),
        ("Pipfile", "[packages\n", "invalid TOML"),
        ("pnpm-lock.yaml", "- a\n- b\n", "pnpm-lock.yaml is not a mapping"),
        ("yarn.lock", "__metadata:\n  version: 8\n'a: [\n", "invalid YAML"),
        ("requirements.txt", "requests>>2\n", "line 1: invalid requirement 'requests>>2'"),
    ],
)
def test_malformed_files_raise_a_one_line_reason(rel: str, text: str, reason: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse_manifest(Path("/nonexistent") / rel, rel, text)
    message = str(caught.value)
    assert message.startswith(reason)
    assert "\n" not in message


def test_reading_from_disk_bom_and_encoding(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_bytes(b'\xef\xbb\xbf{"dependencies": {"a": "1.0.0"}}')
    manifest = parse_manifest(tmp_path / "package.json", "package.json")
    assert manifest is not None and manifest.packages[0].version == "1.0.0"
    (tmp_path / "requirements.txt").write_bytes(b"caf\xe9==1.0\n")
    with pytest.raises(ManifestError, match=r"^not UTF-8 text \(byte 3\)$"):
        parse_manifest(tmp_path / "requirements.txt", "requirements.txt")
    with pytest.raises(ManifestError, match=r"^cannot read: "):
        parse_manifest(tmp_path / "missing" / "yarn.lock", "yarn.lock")
    assert parse_manifest(tmp_path / "setup.py", "setup.py", "import os; os.system('x')") is None


def test_nothing_is_executed_or_fetched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("must not run or fetch anything")

    monkeypatch.setattr(os, "system", forbidden)
    monkeypatch.setattr("subprocess.Popen", forbidden)
    monkeypatch.setattr("socket.socket", forbidden)
    write(
        tmp_path,
        {
            "requirements.txt": "-r https://example.com/r.txt\n-e git+https://x/y.git#egg=y\n",
            "setup.py": "raise SystemExit('ran')\n",
        },
    )
    manifest = read(tmp_path, "requirements.txt")
    assert [p.name for p in manifest.packages] == ["y"]


@pytest.mark.parametrize(
    ("rel", "text"),
    [
        ("requirements.txt", "requests" + " " * 100_000 + "x\n"),
        ("requirements.txt", "a==1" + " \\\n" * 20_000),
        ("pyproject.toml", "[project]\nversion = 1." + "1" * 100_000 + "\n"),
        ("pnpm-lock.yaml", "lockfileVersion: '6.0'\npackages:\n  a: b" + " " * 100_000 + "'\n"),
        ("yarn.lock", "__metadata:\n  version: 8\na: b" + " " * 100_000 + "c'\n"),
        ("yarn.lock", '"' + "a@1, " * 20_000 + '":\n  version "1.0.0"\n'),
        ("package-lock.json", '{"packages": {"node_modules/a": {"v": "' + '\\"' * 50_000 + '"}}}'),
        ("Pipfile", "[packages]\n" + "a" * 100_000 + " = '*'\n"),
    ],
)
def test_hostile_input_is_read_in_linear_time(rel: str, text: str) -> None:
    """Inputs that make backtracking regexes quadratic: each must finish in milliseconds."""
    try:
        parse_manifest(Path("/nonexistent") / rel, rel, text)
    except ManifestError as exc:
        assert len(str(exc)) < 200
