"""Does the main job finish on a busy machine? N forced runs of the demo world while two
busy loops compete with it for the cores.

Copies the project's configuration, notebooks and docs into a temporary project
(``LCANALYSIS_ROOT``), writes and cleans the demo world once (`lcanalysis run`), then
starts two processes that each burn a core and runs `lcanalysis run --force` N times
beside them. It prints, per run, the exit code and the notebooks that failed (with
their error), and at the end "runs failed: F of N; notebooks failed: K of M". The
target (docs/performance.md, issue 12) is 0 of 10. Not a test: it takes 10-20 minutes.

Usage: python benchmarks/soak.py [--runs N] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BURN = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass"


def lcanalysis(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, LCANALYSIS_ROOT=str(root))
    env.pop("LCANALYSIS_KEY", None)
    return subprocess.run([str(BIN / "lcanalysis"), *args], env=env, capture_output=True, text=True)


def latest_manifest(root: Path) -> dict:
    runs = sorted(p for p in (root / "reports").iterdir() if (p / "manifest.json").is_file() and not p.is_symlink())
    return json.loads((runs[-1] / "manifest.json").read_text(encoding="utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--jobs", default="2")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lcanalysis-soak-") as tmp:
        root = Path(tmp)
        for folder in ("config", "notebooks", "docs"):
            shutil.copytree(REPO / folder, root / folder)
        first = lcanalysis(root, "run", "--jobs", args.jobs)  # demo world and cleaning, idle machine
        print(f"set-up run: exit {first.returncode}", flush=True)
        burners = [subprocess.Popen([sys.executable, "-c", BURN.format(seconds=3600)]) for _ in range(2)]
        failed_runs = failed_notebooks = notebooks = 0
        durations = []
        try:
            for i in range(1, args.runs + 1):
                start = time.perf_counter()
                result = lcanalysis(root, "run", "--force", "--jobs", args.jobs)
                durations.append(time.perf_counter() - start)
                tasks = latest_manifest(root)["tasks"]
                failures = {name: t["error"] for name, t in tasks.items() if t["status"] != "ok"}
                notebooks += len(tasks)
                failed_notebooks += len(failures)
                failed_runs += result.returncode != 0 or bool(failures)
                print(f"run {i}: exit {result.returncode}, {len(tasks) - len(failures)} of {len(tasks)} "
                      f"notebooks ok, {durations[-1]:.1f} s", flush=True)
                for name, error in failures.items():
                    print(f"  failed {name}: {error}", flush=True)
                if result.returncode != 0 and not failures:
                    print("  " + (result.stderr or result.stdout)[-600:], flush=True)
        finally:
            for burner in burners:
                burner.kill()
                burner.wait()
    durations.sort()
    print(f"runs failed: {failed_runs} of {args.runs}; notebooks failed: {failed_notebooks} of {notebooks}; "
          f"median run {durations[len(durations) // 2]:.1f} s with both cores busy (jobs={args.jobs})")


if __name__ == "__main__":
    main()
