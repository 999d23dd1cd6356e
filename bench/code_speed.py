"""What handler code analysis adds to a scan: a generated project of 200 handler files
(half Python, half JavaScript, each ~60 lines with helpers, sinks and sanitisers) scanned
with no rule that reads handler code, with the code rules, and with every rule (the
least-privilege rules SLS0404/SLS0408/SLS0409 read the AWS SDK calls); prints the medians
and what each adds.

    python bench/code_speed.py [--files 200] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = """\
import json
import os
import subprocess

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def _key(order):
    return {{"id": str(order["id"])}}


def _render(name, amount):
    return f"<p>{{name}}: {{amount}}</p>"


def handler{n}(event, context):
    body = json.loads(event["body"])
    item = TABLE.get_item(Key=_key(body)).get("Item") or {{}}
    html = _render(body.get("name", ""), int(body.get("amount", 0)))
    for line in body.get("lines", []):
        html += _render(line["sku"], int(line["qty"]))
    if body.get("debug"):
        subprocess.run(["echo", body["debug"]], check=False)
    os.popen("wc -c " + body.get("file", "x"))  # one real injection per file
    path = os.path.join("/tmp", os.path.basename(body.get("file", "x")))
    with open(path, "w") as out:
        out.write(html)
    return {{"statusCode": 200, "body": json.dumps({{"item": item, "html": html}})}}
"""

JS = """\
const {{ DynamoDBClient, GetItemCommand }} = require("@aws-sdk/client-dynamodb");
const path = require("path");
const fs = require("fs");
const {{ execSync }} = require("child_process");

const client = new DynamoDBClient({{}});

function key(order) {{
  return {{ id: {{ S: String(order.id) }} }};
}}

function render(name, amount) {{
  return `<p>${{name}}: ${{amount}}</p>`;
}}

module.exports.handler{n} = async (event) => {{
  const body = JSON.parse(event.body);
  const params = {{ TableName: process.env.TABLE, Key: key(body) }};
  const item = await client.send(new GetItemCommand(params));
  execSync("wc -c " + body.file); // one real injection per file
  let html = render(body.name || "", parseInt(body.amount, 10));
  for (const line of body.lines || []) {{
    html += render(line.sku, parseInt(line.qty, 10));
  }}
  const file = path.join("/tmp", path.basename(body.file || "x"));
  fs.writeFileSync(file, html);
  return {{ statusCode: 200, body: JSON.stringify({{ item, html }}) }};
}};
"""


def make_project(root: Path, files: int) -> None:
    functions = []
    for n in range(files):
        if n % 2 == 0:
            (root / f"py{n}.py").write_text(PY.format(n=n))
            functions.append(f"  f{n}:\n    handler: py{n}.handler{n}\n    runtime: python3.12\n")
        else:
            (root / f"js{n}.js").write_text(JS.format(n=n))
            functions.append(f"  f{n}:\n    handler: js{n}.handler{n}\n    runtime: nodejs20.x\n")
    (root / "serverless.yml").write_text(
        "service: bench\nprovider:\n  name: aws\nfunctions:\n" + "".join(functions)
    )


def median_wall(cmd: list[str], runs: int) -> float:
    subprocess.run(cmd, capture_output=True, check=False)  # warm-up: bytecode, file cache
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, check=False)
        walls.append(time.perf_counter() - started)
        if proc.returncode not in (0, 1):
            sys.exit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return statistics.median(walls)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from slsguard.code.rules import CODE_RULES

    exe = Path(sys.executable).parent / "slsguard"
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "slsguard.cli"]
    least_privilege = ("SLS0404", "SLS0408", "SLS0409")
    no_lp = [arg for rule in least_privilege for arg in ("--ignore", rule)]
    ignore = [arg for meta in CODE_RULES for arg in ("--ignore", meta.id)] + no_lp
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_project(root, args.files)
        scan = [*base, "scan", str(root), "-o", str(root / "report.json"), "--format", "json"]
        without = median_wall([*scan, *ignore], args.runs)
        code_only = median_wall([*scan, *no_lp], args.runs)
        with_code = median_wall(scan, args.runs)
        report = json.loads((root / "report.json").read_text())
        code_ids = {meta.id for meta in CODE_RULES}
        found = sum(1 for f in report["findings"] if f["rule_id"] in code_ids)
    print(
        f"{args.files} handler files ({args.files // 2} Python, {args.files - args.files // 2} "
        f"JavaScript), median of {args.runs} runs:"
    )
    print(f"  scan reading no handler code       {without:.3f} s")
    print(f"  with the code rules                {code_only:.3f} s")
    print(f"  with every rule (least privilege)  {with_code:.3f} s")
    print(
        f"  code rules add                     {code_only - without:.3f} s ({found} code findings)"
    )
    print(f"  least-privilege analysis adds      {with_code - code_only:.3f} s")
    print(f"  handler code analysis adds in all  {with_code - without:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
