#!/usr/bin/env python3
"""Speed benchmark: slsguard (and optionally Checkov) on the shared speed corpus.

Standard library only. Every measured command runs in a fresh wrapper process, which times
it with `time.perf_counter` around `subprocess.run` and reads the peak resident set size of
that one run with `resource.getrusage(RUSAGE_CHILDREN)`; see bench/README.md.

    .venv/bin/python bench/speed.py                 # slsguard only, 5 runs
    .venv/bin/python bench/speed.py --checkov       # side by side with Checkov (1 run)
    .venv/bin/python bench/speed.py --json          # one line of JSON only
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "speed"
# Checkov pins old packaging/boto3 releases, so it gets a virtual environment of its own.
INSTALL_HINT = (
    "python3 -m venv /tmp/checkov-venv && /tmp/checkov-venv/bin/pip install checkov, "
    "then pass --checkov-bin /tmp/checkov-venv/bin/checkov"
)

# Runs one command and writes "<exit code> <wall seconds> <ru_maxrss>" to argv[1]. The
# command's stdout goes to the file argv[2]; its stderr is inherited. RUSAGE_CHILDREN of this
# fresh process covers only that command (and the descendants it waited for), so ru_maxrss is
# the peak of this run alone: the largest single process, not a sum over worker processes.
WRAPPER = """\
import resource, subprocess, sys, time
with open(sys.argv[2], "wb") as out:
    t0 = time.perf_counter()
    rc = subprocess.run(sys.argv[3:], stdout=out, stdin=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], "w") as res:
    res.write(f"{rc} {wall!r} {rss}")
"""

# Every configuration file of the corpus counts, whatever slsguard makes of it, so that
# files/s is over the same denominator for every tool.
CONFIG_SUFFIXES = (".yml", ".yaml", ".json", ".template")


@dataclass
class Run:
    wall: float  # seconds
    peak_rss: int  # bytes
    exit_code: int
    stdout: bytes
    stderr: str


@dataclass
class Measurement:
    label: str
    runs: list[Run] = field(default_factory=list)

    @property
    def walls(self) -> list[float]:
        return [r.wall for r in self.runs]

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def minimum(self) -> float:
        return min(self.walls)

    @property
    def peak_rss(self) -> int:
        return max(r.peak_rss for r in self.runs)

    @property
    def exit_codes(self) -> list[int]:
        return sorted({r.exit_code for r in self.runs})


class BenchError(Exception):
    """A tool could not be run or returned something unusable."""


def _installed_like(env: dict[str, str] | None) -> dict[str, str]:
    """Let tools cache their bytecode, as a `pip install` does: some shells and CI images set
    PYTHONDONTWRITEBYTECODE, which makes every run recompile every module it imports."""
    base = dict(os.environ if env is None else env)
    base.pop("PYTHONDONTWRITEBYTECODE", None)
    return base


def measure(cmd: Sequence[str], *, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run `cmd` once in a fresh wrapper process; return its wall time, peak RSS and output."""
    with tempfile.TemporaryDirectory(prefix="slsguard-bench-") as tmp:
        result_path, stdout_path = Path(tmp) / "result", Path(tmp) / "stdout"
        wrapper = subprocess.run(
            [sys.executable, "-c", WRAPPER, str(result_path), str(stdout_path), *cmd],
            cwd=cwd,
            env=_installed_like(env),
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            check=False,
        )
        if wrapper.returncode != 0 or not result_path.exists():
            raise BenchError(f"could not run {cmd[0]}: {wrapper.stderr.strip()[-2000:]}")
        code, wall, maxrss = result_path.read_text().split()
        stdout = stdout_path.read_bytes()
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return Run(float(wall), int(maxrss) * scale, int(code), stdout, wrapper.stderr)


def repeat(
    label: str,
    cmd: Sequence[str],
    runs: int,
    *,
    cwd: Path,
    ok_codes: tuple[int, ...] = (0, 1),
    env: dict[str, str] | None = None,
) -> Measurement:
    m = Measurement(label)
    measure(cmd, cwd=cwd, env=env)  # warm-up: bytecode and file cache, not counted
    for _ in range(runs):
        run = measure(cmd, cwd=cwd, env=env)
        if run.exit_code not in ok_codes:
            raise BenchError(
                f"{label}: `{' '.join(cmd)}` exited with {run.exit_code} (expected "
                f"{' or '.join(map(str, ok_codes))})\n{run.stderr.strip()[-2000:]}"
            )
        m.runs.append(run)
    return m


def count_files(corpus: Path) -> int:
    """Configuration files (YAML/JSON) below the corpus folder."""
    return sum(1 for p in corpus.rglob("*") if p.is_file() and p.name.endswith(CONFIG_SUFFIXES))


def slsguard_command() -> list[str]:
    """The console script next to this interpreter, else `python -m slsguard.cli`."""
    script = Path(sys.executable).parent / ("slsguard.exe" if os.name == "nt" else "slsguard")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    if importlib.util.find_spec("slsguard") is not None:
        return [sys.executable, "-m", "slsguard.cli"]
    raise BenchError(
        f"slsguard is not installed for {sys.executable}; run this script with the project's "
        "interpreter (e.g. .venv/bin/python bench/speed.py) or `pip install -e .`"
    )


def checkov_command(explicit: str | None = None) -> list[str] | None:
    if explicit:
        return [explicit] if Path(explicit).is_file() else None
    script = Path(sys.executable).parent / ("checkov.cmd" if os.name == "nt" else "checkov")
    if script.is_file():
        return [str(script)]
    found = shutil.which("checkov")
    return [found] if found else None


def slsguard_report(run: Run) -> dict[str, Any]:
    try:
        report: dict[str, Any] = json.loads(run.stdout)
    except ValueError as exc:
        raise BenchError(f"slsguard did not print JSON: {exc}\n{run.stderr[-2000:]}") from None
    errors = [d for d in report.get("diagnostics", []) if d.get("level") == "error"]
    return {
        "findings": int(report["summary"]["findings"]),
        "files_scanned": report["summary"].get("files_scanned"),
        "unscannable_files": len({d.get("file") for d in errors}),
        "tool_version": report.get("tool", {}).get("version"),
    }


def checkov_report(run: Run) -> dict[str, Any]:
    """Failed checks and parsing errors from `checkov -o json` (one report per framework)."""
    try:
        data = json.loads(run.stdout) if run.stdout.strip() else []
    except ValueError as exc:
        raise BenchError(f"checkov did not print JSON: {exc}\n{run.stderr[-2000:]}") from None
    reports = data if isinstance(data, list) else [data]
    failed = errors = resources = 0
    version = None
    for rep in reports:
        summary = rep.get("summary", rep)
        failed += int(summary.get("failed", 0))
        errors += int(summary.get("parsing_errors", 0))
        resources += int(summary.get("resource_count", 0))
        version = version or summary.get("checkov_version")
    return {
        "findings": failed,
        "unscannable_files": errors,
        "resources": resources,
        "tool_version": version,
    }


def _mb(n: int) -> float:
    return n / 1048576


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _row(label: str, m: Measurement, files: int | None, report: dict[str, Any] | None) -> list[str]:
    rate = f"{files / m.median:.1f}" if files else "-"
    return [
        label,
        f"{m.median:.3f}",
        f"{m.minimum:.3f}",
        rate,
        f"{_mb(m.peak_rss):.1f}",
        str(report["findings"]) if report else "-",
        str(report["unscannable_files"]) if report else "-",
        "/".join(map(str, m.exit_codes)),
        str(len(m.runs)),
    ]


def _summary(m: Measurement, files: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "runs": len(m.runs),
        "wall_median_s": round(m.median, 4),
        "wall_min_s": round(m.minimum, 4),
        "peak_rss_mb": round(_mb(m.peak_rss), 1),
        "exit_codes": m.exit_codes,
    }
    if files:
        out["files_per_s"] = round(files / m.median, 1)
    return out


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help=f"directory to scan (default: {DEFAULT_CORPUS})",
    )
    p.add_argument("--runs", type=int, default=5, help="runs per slsguard measurement (5)")
    p.add_argument("--checkov", action="store_true", help="also run Checkov on the same files")
    p.add_argument("--checkov-runs", type=int, default=1, help="runs of Checkov (1; it is slow)")
    p.add_argument(
        "--checkov-bin",
        help="the checkov executable (default: next to this interpreter, then PATH)",
    )
    p.add_argument(
        "--examples",
        type=Path,
        default=REPO / "examples",
        help="the small project to time (default: the repo's examples/)",
    )
    p.add_argument("--json", action="store_true", help="print only the one-line JSON summary")
    args = p.parse_args(argv)
    if args.runs < 1 or args.checkov_runs < 1:
        p.error("--runs and --checkov-runs must be at least 1")
    if not args.corpus.is_dir():
        p.error(f"corpus not found: {args.corpus} (pass --corpus PATH)")
    return args


HEADER = ["", "median s", "min s", "files/s", "peak MB", "findings", "errors", "exit", "runs"]


@dataclass
class Bench:
    """Settings shared by every measurement and the results gathered so far."""

    sls: list[str]
    corpus: Path
    files: int
    runs: int
    env: dict[str, str]
    quiet: bool
    rows: list[list[str]] = field(default_factory=lambda: [HEADER])
    summary: dict[str, Any] = field(default_factory=dict)

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)


def bench_corpus(b: Bench) -> Measurement:
    b.say(f"slsguard scan {b.corpus} ({b.files} files) x{b.runs} ...")
    cmd = [*b.sls, "scan", str(b.corpus), "--format", "json", "--no-color"]
    m = repeat("slsguard scan", cmd, b.runs, cwd=b.corpus, env=b.env)
    reports = [slsguard_report(r) for r in m.runs]
    if any(r["findings"] != reports[0]["findings"] for r in reports):
        b.say("warning: slsguard reported a different number of findings between runs")
    rep = reports[-1]
    b.rows.append(_row("slsguard corpus", m, b.files, rep))
    b.summary["slsguard_version"] = rep["tool_version"]
    b.summary["slsguard"] = {
        **_summary(m, b.files),
        **{k: rep[k] for k in ("findings", "unscannable_files", "files_scanned")},
    }
    return m


def bench_checkov(
    b: Bench, runs: int, slsguard_median: float, checkov_bin: str | None = None
) -> None:
    ck = checkov_command(checkov_bin)
    if ck is None:
        b.summary["checkov"] = {"error": "not installed", "install": INSTALL_HINT}
        return
    b.say(f"checkov -d {b.corpus} x{runs} (slow) ...")
    # --skip-download: no network calls to the Prisma Cloud API (they only add latency).
    cmd = [*ck, "-d", str(b.corpus), "--framework", "cloudformation", "serverless"]
    cmd += ["--quiet", "--compact", "-o", "json", "--skip-download"]
    m = repeat("checkov", cmd, runs, cwd=b.corpus, env=b.env)
    rep = checkov_report(m.runs[-1])
    b.rows.append(_row("checkov corpus", m, b.files, rep))
    b.summary["checkov"] = {
        **_summary(m, b.files),
        "findings": rep["findings"],
        "unscannable_files": rep["unscannable_files"],
        "version": rep["tool_version"],
    }
    b.summary["ratio_checkov_over_slsguard"] = round(m.median / slsguard_median, 1)


def bench_small_project(b: Bench, examples: Path) -> None:
    if not examples.is_dir() or not any(p.is_file() for p in examples.rglob("*")):
        b.say(f"skipping the small-project line: {examples} is absent or empty")
        b.summary["small_project"] = None
        return
    b.say(f"slsguard scan {examples} x{b.runs} ...")
    cmd = [*b.sls, "scan", str(examples.resolve()), "--format", "json", "--no-color"]
    m = repeat("slsguard examples", cmd, b.runs, cwd=REPO, env=b.env)
    b.rows.append(_row("slsguard examples/", m, None, slsguard_report(m.runs[-1])))
    b.summary["small_project"] = {"path": str(examples), **_summary(m, None)}


def bench_startup(b: Bench) -> None:
    b.say(f"slsguard --version x{b.runs} ...")
    cmd = [*b.sls, "--version"]
    m = repeat("slsguard --version", cmd, b.runs, cwd=REPO, ok_codes=(0,), env=b.env)
    b.rows.append(_row("slsguard --version", m, None, None))
    b.summary["startup"] = _summary(m, None)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    corpus: Path = args.corpus.resolve()
    try:
        files = count_files(corpus)
        b = Bench(
            sls=slsguard_command(),
            corpus=corpus,
            files=files,
            runs=args.runs,
            env={**os.environ, "NO_COLOR": "1"},
            quiet=args.json,
        )
        b.summary.update(
            corpus=str(corpus),
            files=files,
            cpus=os.cpu_count(),
            python=platform.python_version(),
            platform=platform.platform(terse=True),
        )
        scan = bench_corpus(b)
        if args.checkov:
            bench_checkov(b, args.checkov_runs, scan.median, args.checkov_bin)
        bench_small_project(b, args.examples)
        bench_startup(b)
    except BenchError as exc:
        print(f"speed.py: error: {exc}", file=sys.stderr)
        return 2

    if not args.json:
        print(
            f"slsguard {b.summary['slsguard_version']} speed benchmark: {files} files in "
            f"{corpus}; {os.cpu_count()} CPUs, Python {b.summary['python']}"
        )
        print(_table(b.rows))
        scanned = b.summary["slsguard"]["files_scanned"]
        if scanned is not None and scanned != files:
            print(
                f"slsguard counts {scanned} of the {files} files as scanned (files/s uses {files})"
            )
        print("errors = files that could not be scanned; findings are not comparable across")
        print("tools (different rules: Checkov counts failed checks per resource)")
        if b.summary.get("checkov", {}).get("error"):
            print(f"checkov: not installed; install it with `{INSTALL_HINT}` (pulls in checkov)")
        ratio = b.summary.get("ratio_checkov_over_slsguard")
        if ratio is not None:
            version = b.summary["checkov"]["version"] or ""
            verdict = f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower"
            print(
                f"slsguard is {verdict} than Checkov {version} (checkov / slsguard median "
                f"wall time = {ratio:.1f}, same {files} files)"
            )
    print(json.dumps(b.summary, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
