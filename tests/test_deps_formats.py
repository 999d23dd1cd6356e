"""SLS0601 through every manifest and lock format: a function whose code directory holds
one file of that format pinning a vulnerable version gets exactly one finding, on the line
that names the package (advisories: the real OSV records in tests/fixtures/osv/records)."""

from __future__ import annotations

from pathlib import Path

import pytest

from slsguard.engine import ScanOptions, scan
from slsguard.rules import ALL_RULES

RECORDS = Path(__file__).parent / "fixtures" / "osv" / "records"
TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/
      Handler: app.handler
      Runtime: python3.12
"""

# format -> (file name, content, line of the vulnerable pin, package and version)
CASES: dict[str, tuple[str, str, int, str]] = {
    "requirements": ("requirements.txt", "boto3==1.34.0\nrequests==2.25.0\n", 2, "requests 2.25.0"),
    "pipfile.lock": (
        "Pipfile.lock",
        '{\n  "_meta": {},\n  "default": {\n    "pyyaml": {\n'
        '      "version": "==5.3.1"\n    }\n  },\n  "develop": {}\n}\n',
        4,
        "pyyaml 5.3.1",
    ),
    "poetry.lock": (
        "poetry.lock",
        '[[package]]\nname = "urllib3"\nversion = "2.0.4"\ndescription = ""\noptional = false\n',
        2,
        "urllib3 2.0.4",
    ),
    "uv.lock": (
        "uv.lock",
        'version = 1\n\n[[package]]\nname = "requests"\n'
        'version = "2.30.0"\nsource = { registry = "https://pypi.org/simple" }\n',
        4,
        "requests 2.30.0",
    ),
    "pyproject": (
        "pyproject.toml",
        '[project]\nname = "fn"\nversion = "1"\ndependencies = [\n  "pyyaml==5.3.1",\n]\n',
        5,
        "pyyaml 5.3.1",
    ),
    "dist-info": (
        "vendor/PyYAML-5.3.1.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3.1\n",
        2,
        "pyyaml 5.3.1",
    ),
    "package.json": (
        "package.json",
        '{\n  "name": "fn",\n  "dependencies": {\n    "lodash": "4.17.20"\n  }\n}\n',
        4,
        "lodash 4.17.20",
    ),
    "package-lock.json v1": (
        "package-lock.json",
        '{\n  "name": "fn",\n  "lockfileVersion": 1,\n'
        '  "dependencies": {\n    "minimist": {\n'
        '      "version": "1.2.5"\n    }\n  }\n}\n',
        5,
        "minimist 1.2.5",
    ),
    "package-lock.json v3": (
        "package-lock.json",
        '{\n  "lockfileVersion": 3,\n  "packages": {\n'
        '    "": {"dependencies": {"lodash": "^4.17.0"}},\n'
        '    "node_modules/lodash": {"version": "4.17.20"}\n  }\n}\n',
        5,
        "lodash 4.17.20",
    ),
    "yarn.lock classic": (
        "yarn.lock",
        "# yarn lockfile v1\n\n\nlodash@^4.17.0:\n"
        '  version "4.17.20"\n  resolved "https://registry.yarnpkg.com/x"\n',
        4,
        "lodash 4.17.20",
    ),
    "yarn.lock berry": (
        "yarn.lock",
        '__metadata:\n  version: 6\n\n"minimist@npm:^1.2.0":\n'
        '  version: 1.2.5\n  resolution: "minimist@npm:1.2.5"\n',
        4,
        "minimist 1.2.5",
    ),
    "pnpm-lock.yaml": (
        "pnpm-lock.yaml",
        "lockfileVersion: '9.0'\n\npackages:\n\n"
        "  lodash@4.17.20:\n    resolution: {integrity: sha512-x}\n",
        5,
        "lodash 4.17.20",
    ),
    "node_modules": (
        "node_modules/minimist/package.json",
        '{"name": "minimist", "version": "1.2.5"}',
        1,
        "minimist 1.2.5",
    ),
}


@pytest.mark.parametrize("fmt", sorted(CASES))
def test_vulnerable_pin_is_reported_on_its_line(fmt: str, tmp_path: Path) -> None:
    name, content, line, package = CASES[fmt]
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    target = tmp_path / "fn" / name
    target.parent.mkdir(parents=True)
    target.write_text(content)
    options = ScanOptions(paths=(tmp_path,), select=("SLS0601",), env={}, osv_db=RECORDS)
    result = scan(options, ALL_RULES)
    assert [d for d in result.diagnostics if d.level.value != "note"] == []
    assert [
        (f.location.file, f.location.line, f.message.split(" has ")[0]) for f in result.findings
    ] == [(f"fn/{name}", line, package)]
