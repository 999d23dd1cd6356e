"""What gets scanned: serverless.yml by name, templates by content, CDK output, skips."""

from __future__ import annotations

import json
from pathlib import Path

from slsguard.discovery import discover, looks_like_template

SAM = (
    "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources: {}\n"
)
CDK = json.dumps({"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {}}}})


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def found(root: Path, *exclude: str) -> list[tuple[str, str]]:
    candidates, _ = discover([root], root, tuple(exclude))
    return sorted((c.rel, c.kind) for c in candidates)


def test_templates_are_recognised_by_content_not_name(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "infra/stack.yml": SAM,
            "serverless.yml": "service: x\n",
            "api/serverless.yaml": "service: y\n",
            ".github/workflows/ci.yml": "on: push\njobs: {}\n",
            "docker-compose.yml": "services: {}\n",
            "package.json": '{"name": "x"}',
        },
    )
    kinds = dict(found(root))
    assert kinds["serverless.yml"] == "serverless"
    assert kinds["api/serverless.yaml"] == "serverless"
    # other YAML/JSON files are read, then kept only when their content is a template
    assert looks_like_template(SAM)
    assert not looks_like_template("on: push\njobs: {}\n")
    assert not looks_like_template('{"name": "x"}')
    assert looks_like_template(CDK)


def test_cdk_synth_output_is_scanned_and_assets_skipped(tmp_path: Path) -> None:
    asset = "cdk.out/asset." + "a" * 64
    root = tree(
        tmp_path,
        {
            "cdk.out/MyStack.template.json": CDK,
            f"{asset}/template.yaml": SAM,
            "cdk.out/manifest.json": '{"version": "36.0.0"}',
        },
    )
    rels = [rel for rel, _ in found(root)]
    assert "cdk.out/MyStack.template.json" in rels
    assert not any(rel.startswith(asset) for rel in rels)


def test_dependency_build_and_vcs_folders_are_skipped(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "template.yaml": SAM,
            "node_modules/pkg/serverless.yml": "service: dep\n",
            ".serverless/cloudformation-template-update-stack.json": CDK,
            ".aws-sam/build/template.yaml": SAM,
            ".venv/lib/serverless.yml": "service: venv\n",
            ".git/x/serverless.yml": "service: git\n",
        },
    )
    assert [rel for rel, _ in found(root)] == ["template.yaml"]


def test_exclude_globs(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {"a/template.yaml": SAM, "legacy/template.yaml": SAM, "b/serverless.yml": "service: b\n"},
    )
    assert [rel for rel, _ in found(root, "legacy")] == ["a/template.yaml", "b/serverless.yml"]
    assert [rel for rel, _ in found(root, "*/serverless.yml")] == [
        "a/template.yaml",
        "legacy/template.yaml",
    ]


def test_unevaluable_configs_are_named_with_a_reason(tmp_path: Path) -> None:
    root = tree(tmp_path, {"serverless.ts": "export default {}\n", "serverless.json": "{}"})
    candidates, diagnostics = discover([root], root)
    assert candidates == []
    assert [(d.file, d.level.value, d.reason.split(":")[0]) for d in diagnostics] == [
        ("serverless.json", "note", "not scanned"),
        ("serverless.ts", "note", "not scanned"),
    ]
