"""How long does the main job take? `lcanalysis run` on the demo world.

Copies the project's configuration, notebooks and docs into a temporary project
(``LCANALYSIS_ROOT``), so the working tree's data and reports are untouched, then
times, as separate processes: the full run (demo world, clean, every notebook, the
report and the privacy gate), a forced re-run of every notebook on unchanged data,
and a run where nothing changed. Target (docs/performance.md): the full run in at
most 60 s on 2 cores; the script prints the ratio to it.

With ``--baseline COMMIT`` it times this tree (A) against that commit (B) in the
same run: the commit is checked out in a temporary ``git worktree`` and runs from
there (``PYTHONPATH`` = the worktree, with this environment; its own config,
notebooks and docs), each in its own project on the same demo world (written once
by this tree's generator). After one full run each, the forced re-runs alternate
A, B, A, B, ... (``--repeat``, default 3); every notebook must be ok in every run
timed (a failed run, such as an old commit's kernel dying under load, is run again
and not counted, at most twice).
It prints both medians, the ratio A / B (issue 18's target: at most 0.4 against
d14050d) and whether every exported table (``tables/**/*.csv``) of the last runs is
the same in both.

Usage: python benchmarks/pipeline_speed.py [--jobs N] [--baseline COMMIT] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET_S = 60.0
PROJECT_FOLDERS = ("config", "notebooks", "docs")


@dataclass
class Project:
    """One project to time: the source tree it runs from and its own LCANALYSIS_ROOT."""

    label: str
    source: Path
    root: Path

    def env(self) -> dict[str, str]:
        env = dict(os.environ, LCANALYSIS_ROOT=str(self.root))
        env.pop("LCANALYSIS_KEY", None)
        # as `make run` does (Makefile): Python may cache bytecode, so a kernel does not
        # compile statsmodels, pandas and polars again every time it starts
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPATH"] = os.pathsep.join([str(self.source), *filter(None, [env.get("PYTHONPATH")])])
        return env

    def copy_project(self) -> None:
        for folder in PROJECT_FOLDERS:
            shutil.copytree(self.source / folder, self.root / folder)

    def lcanalysis(self, args: list[str], attempts: int = 1) -> float:
        """Seconds taken by ``lcanalysis ARGS``; a run that fails (a notebook not ok, a
        gate finding) is timed again, up to ``attempts`` times in all, then the script
        exits with its output."""
        for attempt in range(1, attempts + 1):
            start = time.perf_counter()
            result = subprocess.run([str(BIN / "lcanalysis"), *args], env=self.env(),
                                    capture_output=True, text=True)
            seconds = time.perf_counter() - start
            if result.returncode == 0:
                return seconds
            failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
            print(f"{self.label}: attempt {attempt} of lcanalysis {' '.join(args)} failed "
                  f"({'; '.join(failed) or 'exit ' + str(result.returncode)}); not counted", flush=True)
        raise SystemExit(f"{self.label}: lcanalysis {' '.join(args)} failed:\n"
                         f"{result.stdout[-2000:]}{result.stderr[-2000:]}")

    def latest_run(self) -> Path:
        return (self.root / "reports" / "latest").resolve()

    def check_notebooks_ok(self, executed: bool = True) -> None:
        """Every task of the latest run executed and ok (a forced run skips none); with
        ``executed=False`` a task copied from an earlier run of this project counts if it
        was ok there (a run repeated after one that lost a notebook executes only that one)."""
        manifest = json.loads((self.latest_run() / "manifest.json").read_text(encoding="utf-8"))
        field = "status" if executed else "outcome"
        bad = {name: task.get(field, task["status"]) for name, task in manifest["tasks"].items()
               if task.get(field, task["status"]) != "ok"}
        if bad:
            raise SystemExit(f"{self.label}: notebooks not ok in {self.latest_run().name}: {bad}")

    def package_seen_by_kernel(self) -> Path:
        """The lcanalysis package a Jupyter kernel started with this project's environment imports."""
        probe = ("import jupyter_client, sys\n"
                 "km, kc = jupyter_client.manager.start_new_kernel(kernel_name='python3')\n"
                 "out = []\n"
                 "kc.execute_interactive('import lcanalysis; print(lcanalysis.__file__)',\n"
                 "    output_hook=lambda m: out.append(m['content'].get('text', '')), timeout=120)\n"
                 "kc.stop_channels(); km.shutdown_kernel(now=True)\n"
                 "print(''.join(out).strip())\n")
        result = subprocess.run([sys.executable, "-c", probe], env=self.env(), capture_output=True,
                                text=True, check=True, cwd=self.root)
        return Path(result.stdout.strip().splitlines()[-1]).parent.parent


def table_differences(a: Path, b: Path) -> list[str]:
    """Exported tables (``tables/**/*.csv``) present in only one run folder or different in content."""
    files_a = {p.relative_to(a).as_posix() for p in (a / "tables").rglob("*.csv")}
    files_b = {p.relative_to(b).as_posix() for p in (b / "tables").rglob("*.csv")}
    differ = [f"only in {a.name}: {f}" for f in sorted(files_a - files_b)]
    differ += [f"only in {b.name}: {f}" for f in sorted(files_b - files_a)]
    differ += [f"differs: {f}" for f in sorted(files_a & files_b)
               if (a / f).read_bytes() != (b / f).read_bytes()]
    return differ


def current_modes(jobs: str) -> None:
    with tempfile.TemporaryDirectory(prefix="lcanalysis-pipeline-") as tmp:
        project = Project("this tree", REPO, Path(tmp))
        project.copy_project()
        full = project.lcanalysis(["run", "--jobs", jobs])
        forced = project.lcanalysis(["run", "--jobs", jobs, "--force"])
        project.check_notebooks_ok()
        unchanged = project.lcanalysis(["run", "--jobs", jobs])
    print(f"full run {full:.1f} s ({full / TARGET_S:.2f}x the {TARGET_S:.0f} s target); "
          f"notebooks again (--force) {forced:.1f} s; nothing changed {unchanged:.1f} s; jobs={jobs}")


def against_baseline(commit: str, jobs: str, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="lcanalysis-pipeline-") as tmp:
        tmp_path = Path(tmp)
        worktree = tmp_path / "baseline-tree"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(worktree), commit],
                       check=True)
        try:
            current = Project("A (this tree)", REPO, tmp_path / "a")
            baseline = Project(f"B ({commit})", worktree, tmp_path / "b")
            for project in (current, baseline):
                project.copy_project()
                seen = project.package_seen_by_kernel()
                if seen.resolve() != project.source.resolve():
                    raise SystemExit(f"{project.label}: the kernel imports lcanalysis from {seen}, "
                                     f"not from {project.source}")
            current.lcanalysis(["demo-data"])
            shutil.copytree(current.root / "data" / "raw", baseline.root / "data" / "raw")
            for project in (current, baseline):
                project.lcanalysis(["run", "--jobs", jobs], attempts=3)
                project.check_notebooks_ok(executed=False)
            times: dict[str, list[float]] = {current.label: [], baseline.label: []}
            for round_no in range(repeat):
                for project in (current, baseline):
                    seconds = project.lcanalysis(["run", "--jobs", jobs, "--force"], attempts=3)
                    project.check_notebooks_ok()
                    times[project.label].append(seconds)
                    print(f"round {round_no + 1}: {project.label} {seconds:.1f} s "
                          f"(load {os.getloadavg()[0]:.1f})", flush=True)
            a, b = (statistics.median(times[p.label]) for p in (current, baseline))
            print(f"forced re-run, median of {repeat}: A {a:.1f} s, B {b:.1f} s; "
                  f"ratio A/B {a / b:.2f} (target <= 0.4 against d14050d); jobs={jobs}")
            differences = table_differences(current.latest_run(), baseline.latest_run())
            print("exported tables: " + ("identical in A and B" if not differences else
                                         f"{len(differences)} differ\n  " + "\n  ".join(differences)))
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(worktree)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", default="2")
    parser.add_argument("--baseline", metavar="COMMIT", help="time this tree against COMMIT, in turn")
    parser.add_argument("--repeat", type=int, default=3, help="forced re-runs of each (with --baseline)")
    args = parser.parse_args()
    if args.baseline:
        against_baseline(args.baseline, args.jobs, args.repeat)
    else:
        current_modes(args.jobs)


if __name__ == "__main__":
    main()
