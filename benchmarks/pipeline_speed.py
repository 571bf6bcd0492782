"""How long does the main job take? `lcanalysis run` from nothing, on the demo world.

Copies the project's configuration and notebooks into a temporary project
(``LCANALYSIS_ROOT``), so the working tree's data and reports are untouched, then
times, as separate processes: the full run (demo world, clean, every notebook, the
report and the privacy gate), a forced re-run of every notebook on unchanged data,
and a run where nothing changed. Target (docs/performance.md): the full run in at
most 60 s on 2 cores; the script prints the ratio to it.

Usage: python benchmarks/pipeline_speed.py [--jobs N]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET_S = 60.0


def timed(args: list[str], root: Path) -> float:
    env = dict(os.environ, LCANALYSIS_ROOT=str(root))
    env.pop("LCANALYSIS_KEY", None)
    start = time.perf_counter()
    result = subprocess.run([str(BIN / "lcanalysis"), *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"lcanalysis {' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return seconds


def main() -> None:
    jobs = sys.argv[sys.argv.index("--jobs") + 1] if "--jobs" in sys.argv else "2"
    with tempfile.TemporaryDirectory(prefix="lcanalysis-pipeline-") as tmp:
        root = Path(tmp)
        for folder in ("config", "notebooks", "docs"):
            shutil.copytree(REPO / folder, root / folder)
        full = timed(["run", "--jobs", jobs], root)
        forced = timed(["run", "--jobs", jobs, "--force"], root)
        unchanged = timed(["run", "--jobs", jobs], root)
    print(f"full run {full:.1f} s ({full / TARGET_S:.2f}x the {TARGET_S:.0f} s target); "
          f"notebooks again (--force) {forced:.1f} s; nothing changed {unchanged:.1f} s; jobs={jobs}")


if __name__ == "__main__":
    main()
