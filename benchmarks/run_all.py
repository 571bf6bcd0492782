"""`make bench`: every benchmark, each printing ratios measured in the same run.

- start-up: `lcanalysis --help` against a bare `python -c pass` (target: under 1 s);
- clean_speed.py: `lcanalysis clean` against polars' own read + Parquet write at 5M
  and 10M rows (targets in docs/performance.md);
- pipeline_speed.py: `lcanalysis run` from nothing on the demo world against its
  60-second target.
- gate_speed.py: the privacy gate over a run folder's PDFs (report, poster, 25
  figures) against a few seconds, and its time at 1, 4 and 16 MB as ratios.

The simulation study of the pilot-effect estimators takes several minutes and runs
on its own: `python benchmarks/effect_coverage.py`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def wall(cmd: list[str], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    bare = wall([sys.executable, "-c", "pass"])
    helps = wall([str(BIN / "lcanalysis"), "--help"])
    print(f"start-up: lcanalysis --help {helps:.2f} s (median of 5), bare python {bare:.2f} s, "
          f"ratio {helps / bare:.1f}x; target < 1 s")
    subprocess.run([sys.executable, str(HERE / "pipeline_speed.py")], check=True)
    subprocess.run([sys.executable, str(HERE / "gate_speed.py")], check=True)
    subprocess.run([sys.executable, str(HERE / "clean_speed.py"), *sys.argv[1:]], check=True)


if __name__ == "__main__":
    main()
