"""Large scans run on a worker pool; the result must be the one a serial scan gives."""

from __future__ import annotations

import concurrent.futures
import os
from pathlib import Path

import pytest

from slsguard import engine
from slsguard.engine import ScanOptions, scan
from slsguard.rules import ALL_RULES

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn{n}:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Timeout: {timeout}
      Events:
        Get:
          Type: Api
          Properties: {{Path: /x{n}, Method: get}}
"""


def test_parallel_scan_matches_serial_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    count = engine.PARALLEL_MIN_FILES + 6
    pools: list[object] = []
    real_pool = concurrent.futures.ProcessPoolExecutor

    def counting_pool(*args: object, **kwargs: object) -> object:
        pools.append(args)
        return real_pool(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", counting_pool)
    for n in range(count):
        folder = tmp_path / f"svc{n:03}"
        folder.mkdir()
        (folder / "template.yaml").write_text(TEMPLATE.format(n=n, timeout=20 + n))
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "template.yaml").write_text("AWSTemplateFormatVersion: [\n")
    options = ScanOptions(paths=(tmp_path,), env={})
    parallel = scan(options, ALL_RULES)
    assert len(pools) == (1 if len(os.sched_getaffinity(0)) > 1 else 0)
    monkeypatch.setattr(engine, "PARALLEL_MIN_FILES", 10**9)
    serial = scan(options, ALL_RULES)
    assert len(pools) <= 1
    assert parallel.findings == serial.findings
    assert parallel.diagnostics == serial.diagnostics
    assert parallel.files_scanned == serial.files_scanned
    assert len(serial.files_scanned) == count
    timeouts = [f for f in serial.findings if f.rule_id == "SLS0801"]
    assert [f.location.file for f in timeouts] == [
        f"svc{n:03}/template.yaml" for n in range(10, count)
    ]
