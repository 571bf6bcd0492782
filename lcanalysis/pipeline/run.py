"""``lcanalysis run``: data, notebooks, report and manifest in one locked run.

A run (:func:`run_pipeline`)

1. validates config/pipeline.yaml and every notebook's parameters cell
   (:mod:`lcanalysis.pipeline.config`) before anything else;
2. takes the lock ``reports/.lock`` (:mod:`lcanalysis.pipeline.lock`: an
   operating-system lock; a lock left by a run whose process is gone is reported and
   taken over);
3. writes the synthetic demo world when data/raw holds no real source folder, and
   cleans data/raw into data/processed when the raw files, the cleaning
   configuration, the key or the package's files changed since the last cleaning
   (content hashes in ``data/processed/.inputs.json``; :mod:`lcanalysis.pipeline.data`);
4. executes the notebooks with papermill in worker processes (``--jobs``, default
   2), each task once its ``after`` notebooks have finished; each worker keeps one
   Jupyter kernel and runs its notebooks in it one after the other, reset to a
   fresh kernel's state before each (:mod:`lcanalysis.pipeline.kernels`,
   :mod:`lcanalysis.pipeline.execute`), so the
   imports are paid once per worker, not once per notebook; the notebooks that took
   longest in the previous run start first (:func:`~lcanalysis.pipeline.execute.longest_first`);
   a failing notebook does not stop the others. A notebook whose fingerprint
   (notebook file, parameters, processed data, configuration files, the package's
   files) equals that of its
   last successful execution is not executed: its outputs are copied from
   ``reports/latest`` and it is marked skipped ("unchanged"), unless ``force`` or
   it comes ``after`` a notebook that is executed;
5. writes ``reports/<run-id>/``: ``<task>.ipynb``, ``<task>.html`` (no code),
   ``tables/<task>/`` (the notebook's ``tables_dir``), ``logs/<task>.log`` (what
   papermill printed to stderr while running the task), ``logs/kernel-<pid>.log``
   (what a worker's kernel process printed to stderr), ``report.html``,
   ``poster_pack/`` (the poster figures this run made), ``run.log`` and
   ``manifest.json``; runs the privacy gate over them (begun as the notebooks end,
   :class:`~lcanalysis.privacy.scanner.ScanAhead`); and, when the gate finds nothing,
   points ``reports/latest`` at the run with an atomic symlink swap.

The run id is the UTC start time plus a short random suffix
(``20250301T020000Z-1a2b3c``), so run folders sort by time. The key is never
written to the manifest or the log.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from lcanalysis import paths
from lcanalysis.errors import LcanalysisError
from lcanalysis.pipeline.changes import (
    CHANGES_FILE,
    one_line,
    record_changes,
    resolve_run,
    section_html,
)
from lcanalysis.pipeline.config import Pipeline, Task, load_pipeline
from lcanalysis.pipeline.data import package_version, prepare_data, write_json_atomic
from lcanalysis.pipeline.execute import (
    NotebookWorkers,
    TaskResult,
    add_dependents,
    describe,
    execute_all,
    fingerprint,
    longest_first,
)
from lcanalysis.pipeline.lock import RunLock
from lcanalysis.pipeline.progress import Progress

TAIL_IMPORTS = ("lcanalysis.stats", "lcanalysis.plots.charts", "matplotlib.pyplot", "lcanalysis.disclosure",
                "lcanalysis.report.assemble", "bs4", "mistune", "pypdf")
"""What the steps after the notebooks import (the changes' intervals: scipy.stats and
statsmodels; the revision chart: matplotlib and pyplot, 0.7 s of its own; the report's
readers), imported while the notebooks run and this process only waits for them:
otherwise 4-5 s at the run's serial end (docs/performance.md)."""
VERSIONED_PACKAGES = ("lcanalysis", "polars", "pandas", "statsmodels", "papermill", "matplotlib")
LOCK_FILE = ".lock"
LATEST = "latest"


@dataclass
@dataclass
class RunResult:
    """The outcome of :func:`run_pipeline`."""

    run_id: str
    run_dir: Path
    tasks: dict[str, TaskResult] = field(default_factory=dict)
    privacy_findings: list = field(default_factory=list)

    @property
    def failed(self) -> list[TaskResult]:
        return [t for t in self.tasks.values() if t.status == "failed"]


def new_run_id() -> str:
    """UTC start time plus a short random suffix: sortable and unique."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def run_pipeline(
    config: Path | None = None,
    *,
    jobs: int = 2,
    only: Sequence[str] = (),
    lang: str | None = None,
    force: bool = False,
    key_file: Path | None = None,
    live: bool | None = None,
    compare_with: str | None = None,
) -> RunResult:
    """Run the whole pipeline once (see the module docstring).

    Parameters
    ----------
    config:
        Pipeline configuration, default config/pipeline.yaml.
    jobs:
        Notebooks executed at the same time, each in its own process.
    only:
        Notebook names (or fan-out task names such as
        ``06_learning_centre_profile-norrtalje``) to run; every other task's outputs
        are copied from ``reports/latest`` and marked skipped ("not selected").
    lang:
        ``sv`` or ``en``, overriding the configuration's ``lang``.
    force:
        Execute notebooks even when their fingerprint is unchanged.
    key_file:
        Key file for real data (default ``$LCANALYSIS_KEY`` or ~/.config/lcanalysis/key).
    live:
        Rich live display; default: when stdout is a terminal.
    compare_with:
        The run (id, ``latest`` or folder) that changes.json compares this run with;
        default: the previous finished run (:mod:`lcanalysis.pipeline.changes`).

    Raises
    ------
    LcanalysisError
        Invalid configuration or options, another run in progress, missing key.
    """
    if lang is not None and lang not in ("sv", "en"):
        raise LcanalysisError(f"--lang must be sv or en, not {lang!r}")
    if jobs < 1:
        raise LcanalysisError(f"--jobs must be at least 1, not {jobs}")
    config = config or paths.config_dir() / "pipeline.yaml"
    pipeline = load_pipeline(config, lang=lang)
    tasks = pipeline.tasks()
    selected = _select(tasks, only)
    reports = paths.reports_dir()
    reports.mkdir(parents=True, exist_ok=True)
    earlier = resolve_run(reports, compare_with) if compare_with else None
    pending_log: list[str] = []
    startup_timeout = pipeline.kernel_startup_timeout
    with RunLock(reports / LOCK_FILE, pending_log.append):
        run_id = new_run_id()
        run_dir = reports / run_id
        (run_dir / "tables").mkdir(parents=True)
        (run_dir / "logs").mkdir()
        progress = Progress(run_dir / "run.log", [t.name for t in tasks],
                            live=sys.stdout.isatty() if live is None else live)
        try:
            for message in pending_log:
                progress.note(message)
            return _run(pipeline, tasks, selected, run_id, run_dir, jobs, force, key_file, config,
                        startup_timeout, progress, earlier)
        finally:
            progress.close()


def _select(tasks: Sequence[Task], only: Sequence[str]) -> set[str]:
    """Names of the tasks to consider for execution."""
    wanted = [n.strip() for item in only for n in item.split(",") if n.strip()]
    if not wanted:
        return {t.name for t in tasks}
    known = {t.name for t in tasks} | {t.notebook for t in tasks}
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise LcanalysisError(
            f"--only: unknown notebook(s) {', '.join(unknown)}; known: {', '.join(sorted({t.notebook for t in tasks}))}"
        )
    return {t.name for t in tasks if t.name in wanted or t.notebook in wanted}


def _run(
    pipeline: Pipeline,
    tasks: list[Task],
    selected: set[str],
    run_id: str,
    run_dir: Path,
    jobs: int,
    force: bool,
    key_file: Path | None,
    config: Path,
    startup_timeout: float,
    progress: Progress,
    compare_with: Path | None = None,
) -> RunResult:
    started = datetime.now(UTC)
    wall = time.perf_counter()
    progress.log(f"run {run_id} with {len(tasks)} task(s), jobs={jobs}, config {config}")
    # The process for the steps after the notebooks: spawned now, so that its imports
    # are made while the notebooks run.
    tail = TailProcess()
    printing = None
    closing = _Closing()
    # The notebooks' workers: started ahead of the notebooks when the data changes, and
    # ended (kernels shut down) in the background once the notebooks are done.
    workers = NotebookWorkers(min(jobs, max(len(selected), 1)), startup_timeout, log_dir=run_dir / "logs",
                              cwd=paths.notebooks_dir())
    try:
        if force:  # every selected notebook runs
            workers.warm()
        data = prepare_data(config, key_file, progress.note, before_change=workers.warm)
        lang = str(pipeline.defaults.get("lang", "en"))
        previous_dir, previous = _latest()
        result = RunResult(run_id, run_dir)
        to_execute: list[Task] = []
        root = paths.project_root()
        for task in tasks:
            params = task.runner_parameters(
                {"synthetic": data.synthetic, "run_id": run_id, "tables_dir": str(run_dir / "tables" / task.name)}
            )
            if "tables_dir" in params:
                Path(str(params["tables_dir"])).mkdir(parents=True, exist_ok=True)
            entry = TaskResult(task.name, task.notebook, _rel(task.path, root), params,
                               fingerprint(task, params, data.processed_hash, data.config_files))
            result.tasks[task.name] = entry
            before = previous.get(task.name)
            if task.name in selected and (
                force or not before or before.get("outcome") != "ok" or before.get("fingerprint") != entry.fingerprint
            ):
                to_execute.append(task)
        add_dependents(tasks, selected, to_execute)
        for task in tasks:
            if task not in to_execute:
                entry = result.tasks[task.name]
                reason = "unchanged" if task.name in selected else "not selected"
                _copy_previous(entry, previous.get(task.name), previous_dir, run_dir, reason)
                progress.finish(task.name, "skipped", 0.0, f"({entry.reason})")

        preloading = _import_while_waiting(TAIL_IMPORTS)
        execute_all(longest_first(to_execute, previous), result.tasks, run_dir, lang, data.synthetic,
                    progress, workers)
        closing.begin("notebook workers", workers.close)
        preloading.join()

        from lcanalysis.report.assemble import Printing, build_report, poster_pack

        manifest = {
            "run_id": run_id,
            "started": started.isoformat(timespec="seconds"),
            "finished": None,
            "git_commit": _git_commit(root),
            "python": sys.version.split()[0],
            "versions": {name: package_version(name) for name in VERSIONED_PACKAGES},
            "config": _rel(config, root),
            "lang": lang,
            "synthetic": data.synthetic,
            "inputs": {
                "raw_dir": _rel(data.raw_dir, root),
                "raw_files": data.raw_files,
                "config_files": data.config_files,
                "processed_hash": data.processed_hash,
                "cleaned_this_run": data.cleaned,
            },
            "tasks": {name: t.to_dict() for name, t in result.tasks.items()},
        }
        # The report shows when the run's results were complete: notebooks executed and
        # the report about to be assembled. The gate that follows only reads.
        manifest["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
        gate = _start_privacy_gate(run_dir, data, pipeline)
        # Chromium starts, and prints the posters, while the changes are written
        printing = Printing(run_dir, manifest, lang=lang, synthetic=data.synthetic)
        changes_html = _record_changes(run_dir, manifest, compare_with, root, lang, progress, tail)
        build_report(run_dir, manifest, lang=lang, synthetic=data.synthetic, changes_html=changes_html,
                     earlier_pdf=previous_dir / "report.pdf" if previous_dir else None, executor=tail,
                     printing=printing)
        made_by = {run_id} | {t.copied_from for t in result.tasks.values() if t.copied_from}
        posters, stale = poster_pack(paths.figures_dir(), run_dir, made_by)
        manifest["poster_pack"] = [p.relative_to(run_dir).as_posix() for p in posters]
        if stale:
            progress.note(f"poster pack: {len(stale)} poster figure file(s) in {paths.figures_dir()} left out, "
                          f"saved by an earlier run and not by this one: "
                          + ", ".join(p.relative_to(paths.figures_dir()).as_posix() for p in stale[:6])
                          + (" ..." if len(stale) > 6 else ""))
        tail.finish()  # the revision chart's SVG and PDF are written before the gate reads them
        # Chromium and the tail process are done: they end (0.1-0.25 s each) while the gate reads
        closing.begin("chromium", printing.close)
        closing.begin("tail process", tail.close)
        result.privacy_findings = _privacy_gate(gate, run_dir, progress)
        manifest["privacy_gate"] = {"findings": len(result.privacy_findings),
                                    "scanned": [_rel(p, root) for p in _gate_targets(run_dir)],
                                    "finished": datetime.now(UTC).isoformat(timespec="seconds")}
        manifest["duration_s"] = round(time.perf_counter() - wall, 2)
        write_json_atomic(run_dir / "manifest.json", manifest)
        if not result.privacy_findings:
            point_latest(paths.reports_dir(), run_dir)
        _summary(result, manifest, run_dir, progress)
        return result
    finally:
        closing.begin("tail process", tail.close)
        closing.begin("notebook workers", workers.close)
        if printing is not None:
            closing.begin("chromium", printing.close)
        closing.wait()


class _Closing:
    """The processes a run ends (Chromium, the tail process, the notebook workers),
    each closed once, in a thread of its own: closing one waits for its processes to end
    (0.1-0.3 s each), and they end at the same time, while the run goes on."""

    def __init__(self) -> None:
        self._threads: dict[str, threading.Thread] = {}

    def begin(self, what: str, close) -> None:
        if what not in self._threads:
            self._threads[what] = threading.Thread(target=close, name=f"closing {what}")
            self._threads[what].start()

    def wait(self) -> None:
        for thread in self._threads.values():
            thread.join()


class TailProcess:
    """One process beside the run's own for the steps after the notebooks that need
    nothing but their arguments: the revision chart's SVG and PDF, and report.docx.

    The run's process is busy then with Python of its own (comparing the runs, the
    chart's PNG for the report, reading the notebooks, driving Chromium, the posters),
    and a process runs its Python one thread at a time: those steps took turns with
    each other in it (docs/performance.md). Spawned when made, and its imports
    (:data:`TAIL_PROCESS_IMPORTS`) made at once, while the notebooks run.
    :meth:`submit` is an executor's; :meth:`finish` waits for everything handed over
    and raises the first error; :meth:`close` ends the process."""

    def __init__(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_tail_process_ready)
        self._handed: list = []
        self._pool.submit(int)  # a process is spawned at the first job, and its initializer run

    def submit(self, fn, /, *args, **kwargs):
        future = self._pool.submit(fn, *args, **kwargs)
        self._handed.append(future)
        return future

    def finish(self) -> None:
        handed, self._handed = self._handed, []
        for future in handed:
            future.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


TAIL_PROCESS_IMPORTS = ("matplotlib.pyplot", "lcanalysis.plots.writer", "lcanalysis.pipeline.changes",
                        "lcanalysis.report.docx", "docx")
"""What the :class:`TailProcess` imports when it starts: drawing figures (pyplot, the
writer's functions and what the revision chart's labels call) and python-docx
(``docx``: lcanalysis.report.docx imports it only when it writes)."""


def _tail_process_ready() -> None:
    """The :class:`TailProcess`'s side, once: Agg, whatever the run's backend, and the
    imports of :data:`TAIL_PROCESS_IMPORTS`."""
    import importlib

    os.environ["MPLBACKEND"] = "agg"
    for name in TAIL_PROCESS_IMPORTS:
        importlib.import_module(name)


def _import_while_waiting(modules: Sequence[str]):
    """Import ``modules`` in a background thread (started, returned). A module that
    fails to import is left for the step that needs it, which raises the error there."""
    import importlib
    import threading

    def load() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except ImportError:
                continue

    thread = threading.Thread(target=load, name="tail-imports", daemon=True)
    thread.start()
    return thread


def _record_changes(run_dir: Path, manifest: dict, compare_with: Path | None, root: Path, lang: str,
                    progress: Progress, tail: TailProcess) -> str:
    """changes.json, revisions.csv and the revision chart against the previous finished
    run (:mod:`lcanalysis.pipeline.changes`); returns the report's section. A table
    that cannot be read is reported and leaves the report without the section."""
    try:
        found = record_changes(run_dir, manifest, reports_dir=paths.reports_dir(),
                               config_dir=paths.config_dir(), compare_with=compare_with, repo=root,
                               executor=tail)
    except (LcanalysisError, OSError) as err:
        progress.note(f"changes since the last run not written: {err}")
        return ""
    manifest["changes"] = {"previous_run": found["previous_run"], "file": CHANGES_FILE}
    progress.note(one_line(found))
    return section_html(run_dir, lang)


def _gate_targets(run_dir: Path) -> list[Path]:
    return [run_dir, paths.figures_dir(), paths.processed_dir()]


def _start_privacy_gate(run_dir: Path, data, pipeline):
    """The privacy gate (:mod:`lcanalysis.privacy`) over this run's outputs, the figures
    and the processed tables, with the names of the raw files, begun once the notebooks
    are done: what exists now is scanned while the report is written
    (:class:`lcanalysis.privacy.scanner.ScanAhead`); what earlier runs' gates read
    clean is not read again (the ledger in data/derived, :mod:`lcanalysis.privacy.ledger`)."""
    from lcanalysis import privacy
    from lcanalysis.derived import DERIVED_FOLDER
    from lcanalysis.privacy.scanner import ScanAhead

    policy = str(pipeline.defaults.get("disclosure_policy", "default"))
    names = privacy.names_from_raw(data.raw_dir) if data.raw_dir.is_dir() else set()
    return ScanAhead(_gate_targets(run_dir), names=names, policy=policy,
                     ledger=paths.processed_dir().parent / DERIVED_FOLDER)


def _privacy_gate(gate, run_dir: Path, progress: Progress) -> list:
    """The gate's findings once the report is written. Findings are written (redacted)
    to privacy_findings.txt and keep reports/latest where it was: a run with findings
    is not complete."""
    findings = gate.finish()
    if findings:
        lines = [str(f) for f in findings]
        (run_dir / "privacy_findings.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        progress.note(f"privacy gate: {len(findings)} finding(s); reports/latest not moved; "
                     f"see {run_dir / 'privacy_findings.txt'}")
        for line in lines[:20]:
            progress.note(f"  {line}")
    else:
        progress.note("privacy gate: no findings")
    return findings


def _copy_previous(entry: TaskResult, before: Mapping | None, previous_dir: Path | None,
                   run_dir: Path, reason: str) -> None:
    """Mark ``entry`` skipped and copy its outputs from the previous run, if it has any."""
    entry.status = "skipped"
    entry.reason = reason
    if before is None or previous_dir is None:
        entry.reason = f"{reason}; no earlier output"
        return
    entry.outcome = before.get("outcome")
    entry.error = before.get("error")
    entry.fingerprint = str(before.get("fingerprint"))
    entry.copied_from = str(before.get("copied_from") or previous_dir.name)
    for suffix in (".ipynb", ".html"):
        source = previous_dir / f"{entry.name}{suffix}"
        if source.is_file():
            shutil.copy2(source, run_dir / source.name)
    tables = previous_dir / "tables" / entry.name
    if tables.is_dir():
        shutil.copytree(tables, run_dir / "tables" / entry.name, dirs_exist_ok=True)


def _latest() -> tuple[Path | None, dict[str, Mapping]]:
    """The folder and task entries of the run ``reports/latest`` points at."""
    latest = paths.reports_dir() / LATEST
    manifest = latest / "manifest.json"
    if not manifest.is_file():
        return None, {}
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return latest.resolve(), data.get("tasks", {})


def point_latest(reports: Path, run_dir: Path) -> None:
    """Point ``reports/latest`` at ``run_dir``: a new relative symlink renamed over the old one."""
    tmp = reports / f".{LATEST}.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(run_dir.name, tmp)
    os.replace(tmp, reports / LATEST)


def _summary(result: RunResult, manifest: Mapping, run_dir: Path, progress: Progress) -> None:
    counts = {s: sum(t.status == s for t in result.tasks.values()) for s in ("ok", "skipped", "failed")}
    progress.note(
        f"run {result.run_id}: {counts['ok']} ok, {counts['skipped']} skipped, {counts['failed']} failed "
        f"in {manifest['duration_s']:.1f} s; report {run_dir / 'report.html'}"
    )
    for task in result.failed:
        progress.note(f"FAILED {task.name} at {describe(task.error)}; see {run_dir / (task.name + '.ipynb')}")
    carried = [t.name for t in result.tasks.values() if t.status == "skipped" and t.outcome == "failed"]
    if carried:
        progress.note(f"not re-run and failed earlier: {', '.join(carried)}")


def _git_commit(root: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"],
                             capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _rel(path: Path, root: Path) -> str:
    path = Path(path).resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
