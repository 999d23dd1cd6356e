"""Handler resolution: one fixture project per layout, every field asserted exactly; the
safety limits on throwaway projects. Handler files are read, never imported or run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from slsguard.code.handlers import (
    HandlerSource,
    Unresolvable,
    has_export,
    local_imports,
    resolve_handlers,
)
from slsguard.discovery import Candidate, read_text
from slsguard.engine import ScanOptions, load_candidate
from slsguard.model.app import App

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "handlers"
CDK_ASSET = "asset.3f1e8c2b9a7d6e5f4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918f7e6d5c"
STALE_ASSET = "asset." + "0" * 64


def load(root: Path, name: str) -> App:
    path = root / name
    kind = "serverless" if path.name == "serverless.yml" else "template"
    cand = Candidate(path, name, kind, explicit=True)
    options = ScanOptions(paths=(root,), env={})
    _doc, app, diagnostics = load_candidate(cand, read_text(path), root, options)
    assert diagnostics == []
    assert app is not None
    return app


Resolved = tuple[dict[str, HandlerSource], dict[str, str]]


def resolve(root: Path, name: str = "serverless.yml") -> Resolved:
    app = load(root, name)
    sources, problems = resolve_handlers(app, (root / name).parent, root)
    assert all(isinstance(p, Unresolvable) for p in problems)
    assert len({s.function_id for s in sources}) == len(sources)
    return {s.function_id: s for s in sources}, {p.function_id: p.reason for p in problems}


def source(
    root: Path, function_id: str, rel: str, export: str, code_root: str = "."
) -> HandlerSource:
    """The expected HandlerSource of a handler file."""
    path = root / rel
    language = {".py": "python", ".ts": "typescript", ".mts": "typescript"}.get(
        path.suffix, "javascript"
    )
    return HandlerSource(
        function_id,
        language,
        path,
        rel,
        export,
        path.read_text(),
        code_root=(root / code_root) if code_root != "." else root,
    )


def imported(found: HandlerSource, root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in local_imports(found, root)]


# -- Serverless Framework ----------------------------------------------------------------


class TestServerlessPython:
    root = FIXTURES / "serverless-python"
    sources, problems = resolve(root)

    def test_file_path_handlers(self) -> None:
        assert self.sources["create"] == source(self.root, "create", "src/orders/app.py", "create")
        assert self.sources["main"] == source(self.root, "main", "handlers/app.py", "main")

    def test_a_directory_is_read_as_its_package_init(self) -> None:
        expected = source(self.root, "package", "pkg/handlers/__init__.py", "main")
        assert self.sources["package"] == expected

    def test_missing_file_names_what_was_looked_for(self) -> None:
        assert self.problems == {
            "missing": "handler src/orders/missing.create: no src/orders/missing.py or "
            "src/orders/missing/__init__.py"
        }

    def test_other_runtimes_and_images_are_skipped(self) -> None:
        assert set(self.sources) == {"create", "main", "package"}
        assert "report" not in self.problems and "image" not in self.problems

    def test_local_imports_follow_three_hops(self) -> None:
        # helpers: the handler's directory; src.common.util: the service directory (code
        # root); `from . import db`: relative. deep3 is a fourth hop, json/boto3 are not local.
        assert imported(self.sources["create"], self.root) == [
            "src/orders/helpers.py",
            "src/common/__init__.py",
            "src/common/util.py",
            "src/orders/db.py",
            "src/common/deep1.py",
            "src/common/deep2.py",
        ]
        assert imported(self.sources["package"], self.root) == ["pkg/handlers/api.py"]
        assert imported(self.sources["main"], self.root) == []


class TestServerlessNode:
    root = FIXTURES / "serverless-node"
    sources, problems = resolve(root)

    def test_commonjs_esm_and_typescript_files(self) -> None:
        assert self.sources["create"] == source(self.root, "create", "src/orders/app.js", "create")
        assert self.sources["esm"] == source(self.root, "esm", "src/esm/handler.mjs", "main")
        assert self.sources["legacy"] == source(self.root, "legacy", "lib/legacy.cjs", "handler")
        assert self.sources["typed"] == source(self.root, "typed", "src/ts/app.ts", "handler")

    def test_a_directory_is_read_as_its_index_file(self) -> None:
        expected = source(self.root, "users", "src/users/index.js", "handler")
        assert self.sources["users"] == expected

    def test_an_export_not_found_still_yields_the_file(self) -> None:
        found = self.sources["unexported"]
        assert (found.rel, found.export) == ("src/orders/app.js", "missing")
        assert not has_export(found.text, found.language, found.export)
        assert all(has_export(s.text, s.language, s.export) for s in self._exported())

    def _exported(self) -> list[HandlerSource]:
        return [s for s in self.sources.values() if s.function_id != "unexported"]

    def test_missing_file(self) -> None:
        assert self.problems == {
            "missing": "handler src/nope.handler: no src/nope.js, .mjs, .cjs, .ts or index file "
            "under src/nope/"
        }

    def test_local_imports_are_relative_specifiers_only(self) -> None:
        assert imported(self.sources["create"], self.root) == [
            "src/orders/db.js",
            "src/shared/log.js",
        ]
        assert imported(self.sources["esm"], self.root) == ["src/esm/render.mjs"]
        # TypeScript ESM names the compiled file: './query.js' is query.ts.
        assert imported(self.sources["typed"], self.root) == ["src/ts/query.ts"]


class TestTypeScriptBehindABundler:
    root = FIXTURES / "serverless-typescript"
    sources, problems = resolve(root)

    @pytest.mark.parametrize("function_id", ["tsc", "pluginTypescript", "esbuild"])
    def test_build_output_maps_back_to_the_source(self, function_id: str) -> None:
        expected = source(self.root, function_id, "src/orders/app.ts", "handler")
        assert self.sources[function_id] == expected

    def test_webpack_service_dir_and_mts(self) -> None:
        expected = source(self.root, "webpack", "src/users/get.mts", "handler")
        assert self.sources["webpack"] == expected

    def test_existing_build_output_is_what_ships(self) -> None:
        expected = source(self.root, "built", "build/jobs/run.js", "handler")
        assert self.sources["built"] == expected

    def test_missing_names_output_and_sources_tried(self) -> None:
        assert self.problems == {
            "missing": "handler dist/gone.handler: no dist/gone.js, .mjs, .cjs, .ts or index file "
            "under dist/gone/; nor gone.ts, .tsx, .mts or src/gone.ts, .tsx, .mts"
        }


# -- SAM ---------------------------------------------------------------------------------


class TestSam:
    root = FIXTURES / "sam"
    sources, problems = resolve(root, "template.yaml")

    def test_handler_and_code_uri_inherited_from_globals(self) -> None:
        expected = source(self.root, "CreateOrder", "src/orders/app.py", "create", "src/orders")
        assert self.sources["CreateOrder"] == expected

    def test_dotted_python_module(self) -> None:
        expected = source(self.root, "ListOrders", "src/orders/app.py", "list_orders", "src")
        assert self.sources["ListOrders"] == expected

    def test_node_index_handler(self) -> None:
        assert self.sources["Notify"] == source(
            self.root, "Notify", "node/index.mjs", "handler", "node"
        )

    def test_inline_code(self) -> None:
        assert self.sources["Inline"] == HandlerSource(
            "Inline",
            "python",
            None,
            "template.yaml#Inline",
            "handler",
            'def handler(event, context):\n    return {"statusCode": 200}\n',
            line_offset=36,  # `InlineCode: |` is line 36, the code starts on 37
            template_file="template.yaml",
        )
        assert local_imports(self.sources["Inline"], self.root) == []

    def test_unknown_runtime_tries_python_and_node(self) -> None:
        expected = source(self.root, "AnyRuntime", "src/orders/app.py", "create")
        assert self.sources["AnyRuntime"] == expected
        assert self.problems["Billing"] == (
            "handler src/billing/app.create: no src/billing/app.py, .js, .mjs, .cjs, .ts or "
            "index file under src/billing/app/"
        )

    def test_code_that_is_not_in_the_project(self) -> None:
        assert self.problems == {
            "Billing": self.problems["Billing"],
            "FromS3": "handler app.create: code is in S3, not in the project",
            "GoneDir": "handler app.create: no code directory src/gone/",
            "Archive": "handler app.create: code dist/orders.zip is a file (an archive?)",
            "Escape": "handler app.create: code directory ../.. is outside the project",
        }

    def test_images_and_other_runtimes_are_skipped(self) -> None:
        assert "Container" not in self.sources and "Report" not in self.sources

    def test_vendored_packages_are_not_project_code(self) -> None:
        # `import requests` finds src/orders/requests/, installed there by pip (.dist-info).
        assert imported(self.sources["CreateOrder"], self.root) == ["src/orders/models.py"]


# -- CloudFormation and CDK --------------------------------------------------------------


class TestCloudFormation:
    root = FIXTURES / "cloudformation"
    sources, problems = resolve(root, "template.yaml")

    def inline(self, function_id: str, language: str, text: str, offset: int) -> HandlerSource:
        return HandlerSource(
            function_id,
            language,
            None,
            f"template.yaml#{function_id}",
            "handler",
            text,
            line_offset=offset,
            template_file="template.yaml",
        )

    def test_inline_python_block(self) -> None:
        text = (
            "import json\n\n\ndef handler(event, context):\n"
            '    return {"statusCode": 200, "body": json.dumps(event)}\n'
        )
        assert self.sources["PyInline"] == self.inline("PyInline", "python", text, 12)

    def test_inline_node_on_the_key_line(self) -> None:
        text = "exports.handler = async () => ({ statusCode: 200 });"
        assert self.sources["NodeInline"] == self.inline("NodeInline", "javascript", text, 25)

    def test_inline_sub_that_resolves(self) -> None:
        text = 'def handler(event, context):\n    return "${Literal}"\n'
        assert self.sources["SubResolved"] == self.inline("SubResolved", "python", text, 35)

    def test_local_code_path(self) -> None:
        expected = source(self.root, "Packaged", "src/app.py", "handler", "src")
        assert self.sources["Packaged"] == expected

    def test_unresolvable(self) -> None:
        assert self.problems == {
            "SubUnresolved": "inline code (Code.ZipFile) is not statically known "
            "(uses ${AWS::AccountId})",
            "FromS3": "handler index.handler: code is in S3, not in the project",
            "NoHandler": "no Handler set",
        }
        assert set(self.sources) == {"PyInline", "NodeInline", "SubResolved", "Packaged"}


class TestCdk:
    root = FIXTURES / "cdk"
    sources, problems = resolve(root, "cdk.out/OrdersStack.template.json")

    def test_asset_directory(self) -> None:
        rel = f"cdk.out/{CDK_ASSET}/index.js"
        expected = source(self.root, "OrdersFn1A2B3C4D", rel, "handler", f"cdk.out/{CDK_ASSET}")
        assert self.sources["OrdersFn1A2B3C4D"] == expected
        assert has_export(expected.text, "javascript", "handler")  # esbuild's __export

    def test_inline_in_json(self) -> None:
        template = "cdk.out/OrdersStack.template.json"
        assert self.sources["InlineFn9C0D1E2F"] == HandlerSource(
            "InlineFn9C0D1E2F",
            "javascript",
            None,
            f"{template}#InlineFn9C0D1E2F",
            "handler",
            "exports.handler = async (event) => {\n  return event;\n};",
            line_offset=40,
            template_file=template,
        )

    def test_asset_not_synthesised(self) -> None:
        assert self.problems == {
            "StaleFn5E6F7A8B": f"handler index.handler: no code directory cdk.out/{STALE_ASSET}/"
        }


# -- safety ------------------------------------------------------------------------------


def project(tmp_path: Path, handler: str, runtime: str = "python3.12") -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "serverless.yml").write_text(
        "service: s\nprovider:\n  name: aws\n"
        f"  runtime: {runtime}\nfunctions:\n  fn:\n    handler: {handler}\n"
    )
    (root / "src").mkdir()
    return root


def only_problem(root: Path) -> str:
    sources, problems = resolve(root)
    assert sources == {}
    return problems["fn"]


def test_symlink_out_of_the_project_is_not_read(tmp_path: Path) -> None:
    root = project(tmp_path, "src/app.handler")
    (tmp_path / "secret.py").write_text("def handler(e, c): pass\n")
    (root / "src" / "app.py").symlink_to(tmp_path / "secret.py")
    assert (
        only_problem(root) == "handler src/app.handler: src/app.py: symlink to outside the project"
    )


def test_symlinked_directory_out_of_the_project_is_not_read(tmp_path: Path) -> None:
    root = project(tmp_path, "lib/app.handler")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "app.py").write_text("def handler(e, c): pass\n")
    (root / "lib").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert (
        only_problem(root) == "handler lib/app.handler: lib/app.py: symlink to outside the project"
    )


def test_symlink_inside_the_project_keeps_its_name(tmp_path: Path) -> None:
    root = project(tmp_path, "src/app.handler")
    (root / "real.py").write_text("def handler(e, c): pass\n")
    (root / "src" / "app.py").symlink_to(root / "real.py")
    sources, _ = resolve(root)
    assert (sources["fn"].rel, sources["fn"].path) == ("src/app.py", root / "src" / "app.py")


def test_handler_path_out_of_the_project(tmp_path: Path) -> None:
    root = project(tmp_path, "../outside/app.handler", runtime="nodejs20.x")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "app.js").write_text("exports.handler = () => 1;\n")
    assert only_problem(root) == (
        "handler ../outside/app.handler: ../outside/app is outside the project"
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"#" * (3 * 1024 * 1024), "file is 3.0 MB, over the 2 MB limit"),
        (b"def handler(e, c):\x00\x01", "binary file (contains NUL bytes)"),
        (b"x = '\xff'\n", "not UTF-8 text (invalid byte at offset 5)"),
    ],
)
def test_unreadable_handler_files(tmp_path: Path, content: bytes, reason: str) -> None:
    root = project(tmp_path, "src/app.handler")
    (root / "src" / "app.py").write_bytes(content)
    assert only_problem(root) == f"handler src/app.handler: src/app.py: {reason}"


def test_local_imports_stay_in_the_project(tmp_path: Path) -> None:
    root = project(tmp_path, "src/app.handler", runtime="nodejs20.x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.js").write_text("module.exports = 1;\n")
    (root / "src" / "linked.js").symlink_to(outside / "x.js")
    (root / "src" / "app.js").write_text(
        "const a = require('../../outside/x');\nconst b = require('./linked');\n"
        "const c = require('./inside');\nexports.handler = () => [a, b, c];\n"
    )
    (root / "src" / "inside.js").write_text("module.exports = 2;\n")
    sources, _ = resolve(root)
    assert imported(sources["fn"], root) == ["src/inside.js"]


def test_handlers_are_read_never_imported(tmp_path: Path) -> None:
    marker = tmp_path / "imported.marker"
    planted = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"
    root = project(tmp_path, "src/app.handler")
    (root / "src" / "app.py").write_text(
        f"{planted}import helper\n\ndef handler(e, c):\n    pass\n"
    )
    (root / "src" / "helper.py").write_text(planted)
    sources, problems = resolve(root)
    assert problems == {}
    assert imported(sources["fn"], root) == ["src/helper.py"]
    assert not marker.exists()
    assert "helper" not in sys.modules


# -- export check ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "export"),
    [
        ("module.exports.create = async () => {}", "javascript", "create"),
        ("exports.create = function () {}", "javascript", "create"),
        ("module.exports = { create, list: listAll }", "javascript", "create"),
        ("module.exports = { create, list: listAll }", "javascript", "list"),
        ("export async function create(event) {}", "javascript", "create"),
        ("export const create: Handler = async () => {}", "typescript", "create"),
        ("const c = 1;\nexport { c as create };", "typescript", "create"),
        ("export default async (event) => event;", "javascript", "default"),
        ("async def create(event, context):\n    pass", "python", "create"),
        ("app = FastAPI()\nhandler = Mangum(app)", "python", "handler"),
        ("from .impl import create", "python", "create"),
    ],
)
def test_has_export(text: str, language: str, export: str) -> None:
    assert has_export(text, language, export)


@pytest.mark.parametrize(
    ("text", "language", "export"),
    [
        ("const create = () => {};", "javascript", "create"),
        ("module.exports = { recreate }", "javascript", "create"),
        ("class A:\n    def create(self):\n        pass", "python", "create"),
        ("if handler == 1:\n    pass", "python", "handler"),
    ],
)
def test_has_export_misses(text: str, language: str, export: str) -> None:
    assert not has_export(text, language, export)
