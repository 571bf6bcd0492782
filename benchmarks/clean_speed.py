"""How fast and how lean is `lcanalysis clean` on a big Ladok registrations export?

For each size N it writes an N-row registrations export (Windows-1252, `;`, decimal
comma: `lcanalysis demo-data --registrations N`), then measures, in the same run and
as separate processes:

- floor: polars reading the same file with its windows-1252 decoding and writing it
  to Parquet (the least any cleaner has to do);
- floor_lossy: the same with polars' fast ``utf8-lossy`` reading, which garbles
  Swedish letters (shown for reference; not a correct reading of the file);
- clean: the whole ``lcanalysis clean`` command as a user runs it, start-up included.

Each process's wall time and peak resident memory (``/usr/bin/time``-style, through
``resource.getrusage(RUSAGE_CHILDREN)`` of a fresh wrapper process) are printed with
the ratios the targets are stated in (docs/performance.md):
clean <= 3x floor and < 3 GB at 5M rows; < 6 GB and <= 2.1x the 5M time at 10M rows.

Single timings on a shared machine vary by 5-15 %, so each measurement is repeated
(``--repeat``, default 3, floor and clean alternating) and the ratios use the median
times; the peak memory is the largest of the runs.

With ``--tricks`` it measures instead the fenced speed trick of cleaning
(docs/performance.md, "Cleaning: the two fenced tricks"): ``lcanalysis clean`` as
shipped and without the import hook that imports pandera as in a polars-only
installation (``lcanalysis.schemas.as_polars_only_install``), alternating the two in
each repeat on the same file, with wall time, CPU time and peak memory. (The other
trick, a shorter thread switch interval, was measured the same way and retired.)

Usage: python benchmarks/clean_speed.py [--repeat R] [--tricks] [N ...]   (default: 5000000 10000000)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent

MEASURE = """
import resource, subprocess, sys, time, json
start = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": rc, "seconds": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
                  "peak_gb": usage.ru_maxrss / 1024 / 1024}))
"""

FLOOR = """
import sys, polars as pl
pl.read_csv(sys.argv[1], separator=";", encoding=sys.argv[3], infer_schema=False).write_parquet(sys.argv[2])
"""


TRICKS = ("as_shipped", "no_import_hook")
"""The variants ``--tricks`` alternates (see the module docstring)."""

VARIANT = """
import contextlib, sys
variant = sys.argv.pop(1)
import lcanalysis.clean, lcanalysis.schemas
if variant == "no_import_hook":
    lcanalysis.schemas.as_polars_only_install = contextlib.nullcontext
from lcanalysis.cli import app
sys.argv[0] = "lcanalysis"
app()
"""


def measure(cmd: list[str], env: dict | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, env=env, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["rc"] != 0:
        raise SystemExit(f"command failed: {' '.join(cmd)}")
    return result


def median_of(runs: list[dict]) -> dict:
    """The median wall and CPU time and the largest peak memory of repeated runs."""
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "peak_gb": max(r["peak_gb"] for r in runs),
        "runs_s": [round(r["seconds"], 2) for r in runs],
    }


def export(n: int, work: Path) -> tuple[Path, Path, dict[str, str]]:
    """An N-row registrations export of the demo world in ``work``: its raw folder,
    the CSV, and the environment (a key) that ``lcanalysis clean`` needs."""
    raw = work / f"raw{n}"
    csv = raw / "registrations" / "registrations.csv"
    subprocess.run(
        [str(BIN / "lcanalysis"), "demo-data", "--registrations", str(n), "--out", str(csv)],
        check=True, stdout=subprocess.DEVNULL,
    )
    return raw, csv, dict(os.environ, LCANALYSIS_KEY="5f" * 32)


def bench(n: int, work: Path, repeat: int) -> dict:
    raw, csv, env = export(n, work)
    floor, lossy, clean = [], [], []
    for _ in range(repeat):
        floor.append(measure([sys.executable, "-c", FLOOR, str(csv), str(work / "floor.parquet"), "windows-1252"]))
        lossy.append(measure([sys.executable, "-c", FLOOR, str(csv), str(work / "floor.parquet"), "utf8-lossy"]))
        clean.append(measure(
            [str(BIN / "lcanalysis"), "clean", "--raw", str(raw), "--out", str(work / f"out{n}")],
            env=env,
        ))
    size_mb = csv.stat().st_size / 1e6
    csv.unlink()
    return {"n": n, "size_mb": size_mb, "floor": median_of(floor),
            "floor_lossy": median_of(lossy), "clean": median_of(clean)}


def bench_tricks(n: int, work: Path, repeat: int) -> dict:
    """``lcanalysis clean`` of an N-row export in each variant of :data:`TRICKS`,
    the variants alternating within each repeat."""
    raw, csv, env = export(n, work)
    runs: dict[str, list[dict]] = {v: [] for v in TRICKS}
    for _ in range(repeat):
        for variant in TRICKS:
            runs[variant].append(measure(
                [sys.executable, "-c", VARIANT, variant, "clean", "--raw", str(raw),
                 "--out", str(work / f"out{n}")],
                env=env,
            ))
    csv.unlink()
    return {"n": n, **{v: median_of(r) for v, r in runs.items()}}


def main_tricks(sizes: list[int], repeat: int) -> None:
    results = []
    with tempfile.TemporaryDirectory(prefix="lcanalysis-bench-") as tmp:
        for n in sizes:
            r = bench_tricks(n, Path(tmp), repeat)
            results.append(r)
            shipped = r["as_shipped"]["seconds"]
            print(
                f"{n:>11,} rows, median of {repeat}: "
                + ", ".join(
                    f"{v} {r[v]['seconds']:.2f} s ({r[v]['seconds'] / shipped - 1:+.1%}, "
                    f"CPU {r[v]['cpu_s']:.2f} s, {r[v]['peak_gb']:.2f} GB, runs {r[v]['runs_s']})"
                    for v in TRICKS
                ),
                flush=True,
            )
    print(json.dumps(results))


def main(sizes: list[int], repeat: int) -> None:
    results = []
    with tempfile.TemporaryDirectory(prefix="lcanalysis-bench-") as tmp:
        for n in sizes:
            r = bench(n, Path(tmp), repeat)
            results.append(r)
            print(
                f"{n:>11,} rows ({r['size_mb']:.0f} MB), median of {repeat}: "
                f"floor {r['floor']['seconds']:.1f} s / {r['floor']['peak_gb']:.2f} GB, "
                f"floor (utf8-lossy) {r['floor_lossy']['seconds']:.1f} s, "
                f"clean {r['clean']['seconds']:.1f} s / {r['clean']['peak_gb']:.2f} GB, "
                f"clean/floor = {r['clean']['seconds'] / r['floor']['seconds']:.2f}x "
                f"(clean runs {r['clean']['runs_s']} s, floor runs {r['floor']['runs_s']} s)",
                flush=True,
            )
    by_n = {r["n"]: r for r in results}
    if 5_000_000 in by_n and 10_000_000 in by_n:
        growth = by_n[10_000_000]["clean"]["seconds"] / by_n[5_000_000]["clean"]["seconds"]
        print(f"clean time 10M / 5M = {growth:.2f}x (target <= 2.1x)")
    print(json.dumps(results))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (median)")
    parser.add_argument("--tricks", action="store_true",
                        help="measure clean with and without each fenced speed trick instead")
    parser.add_argument("sizes", nargs="*", type=int, default=[5_000_000, 10_000_000])
    options = parser.parse_args()
    (main_tricks if options.tricks else main)(options.sizes, options.repeat)
