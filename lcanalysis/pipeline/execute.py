"""Executing notebooks: papermill in worker processes, each with one warm kernel
(:mod:`lcanalysis.pipeline.kernels`), every task once the notebooks it comes ``after``
have finished; a failing notebook does not stop the others."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from lcanalysis.pipeline.config import Task
from lcanalysis.pipeline.kernels import WarmKernel
from lcanalysis.pipeline.progress import Progress

KERNEL_NAME = "python3"
RUN_SPECIFIC = ("run_id", "tables_dir")
"""Parameters that change on every run and so are left out of a task's fingerprint."""


@dataclass
class TaskResult:
    """What happened to one task in this run (one ``tasks`` entry of the manifest)."""

    name: str
    notebook: str
    path: str
    parameters: dict[str, object]
    fingerprint: str
    status: str = "pending"
    outcome: str | None = None
    duration_s: float = 0.0
    reason: str | None = None
    copied_from: str | None = None
    error: dict[str, object] | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "notebook": self.notebook, "path": self.path, "status": self.status,
            "outcome": self.outcome, "reason": self.reason, "duration_s": round(self.duration_s, 2),
            "copied_from": self.copied_from, "error": self.error,
            "fingerprint": self.fingerprint, "parameters": self.parameters,
        }


def fingerprint(task: Task, parameters: Mapping[str, object], processed_hash: str,
                config_files: Mapping[str, str]) -> str:
    """What a task's outputs depend on: notebook file, parameters (run-specific ones
    excluded), processed data, the configuration files notebooks read (layouts,
    evidence rules, costs, centres ...: ``config_files``, name -> SHA-256, without
    config/pipeline.yaml, whose parameters are in ``parameters``) and the code of the
    lcanalysis package itself (:func:`lcanalysis.derived.package_fingerprint`, not its
    version number, which a changed working tree keeps)."""
    from lcanalysis.derived import package_fingerprint

    stable = {k: v for k, v in parameters.items() if k not in RUN_SPECIFIC}
    h = hashlib.sha256(task.path.read_bytes())
    h.update(json.dumps(stable, sort_keys=True, default=str).encode())
    h.update(processed_hash.encode())
    h.update(json.dumps(dict(config_files), sort_keys=True).encode())
    h.update(package_fingerprint().encode())
    return h.hexdigest()[:32]


def execute_task(job: Mapping[str, object]) -> dict[str, object]:
    """Run one notebook with papermill and write its no-code HTML (in a worker process).

    Returns ``{"status", "duration_s", "error"}``; ``error`` has the failing cell's
    index in the executed notebook, its execution count, the exception's name and
    message. A notebook that fails still has its executed ``.ipynb`` and HTML.
    """
    os.environ.pop("LCANALYSIS_KEY", None)
    from papermill.exceptions import PapermillExecutionError

    from lcanalysis.report.assemble import write_notebook_html

    output = Path(str(job["output"]))
    started = time.perf_counter()
    error: dict[str, object] | None = None
    saved_stderr = os.dup(2)
    log_path = Path(str(job["log"]))
    with open(log_path, "ab") as log:
        os.dup2(log.fileno(), 2)  # papermill's and nbclient's messages go to logs/<task>.log
        try:
            timeout = float(job["startup_timeout"])  # type: ignore[arg-type]
            _worker_kernel(timeout).execute_notebook(
                Path(str(job["input"])), output, cwd=Path(str(job["cwd"])),
                log=log_path.with_name(f"kernel-{os.getpid()}.log"),
                parameters=dict(job["parameters"]),  # type: ignore[arg-type]
                progress_bar=False, log_output=False, start_timeout=max(1, round(timeout)),
            )
        except PapermillExecutionError as err:
            error = {"cell_index": err.cell_index, "execution_count": err.exec_count,
                     "ename": err.ename, "evalue": _one_line(err.evalue)}
        except Exception as err:  # noqa: BLE001 - any failure of one notebook must not stop the run
            error = {"cell_index": None, "execution_count": None,
                     "ename": type(err).__name__, "evalue": _one_line(str(err))}
        finally:
            os.dup2(saved_stderr, 2)
            os.close(saved_stderr)
    duration = time.perf_counter() - started
    if output.is_file():
        write_notebook_html(output, output.with_suffix(".html"), base_dir=Path(str(job["input"])).parent,
                            lang=str(job["lang"]), synthetic=bool(job["synthetic"]))
    return {"status": "failed" if error else "ok", "duration_s": duration, "error": error}


UNUSED_IMPORTS = ("rfc3987_syntax",)
"""Modules a worker declares absent (:func:`start_worker`)."""


def start_worker() -> None:
    """Worker side, once, before its first notebook: papermill imports nbformat, which
    imports jsonschema, which imports ``rfc3987_syntax`` when it is installed (JupyterLab's
    jupyter-events brings it) to check the ``iri`` format, and that module builds its
    grammar at import: 1.6-2.9 s of CPU in each worker (docs/performance.md). nbformat
    validates notebooks without format checks, so the grammar is never used; the worker
    marks the module absent (``sys.modules[name] = None``: importing it raises
    ImportError, which jsonschema expects of an optional checker and skips)."""
    for name in UNUSED_IMPORTS:
        sys.modules.setdefault(name, None)


_KERNEL: WarmKernel | None = None
"""The kernel of this worker process (:mod:`lcanalysis.pipeline.kernels`)."""


def _worker_kernel(startup_timeout: float) -> WarmKernel:
    """This worker's kernel, shut down when the worker process exits."""
    global _KERNEL
    if _KERNEL is None:
        from multiprocessing import util

        _KERNEL = WarmKernel(KERNEL_NAME, startup_timeout=startup_timeout)
        util.Finalize(None, _KERNEL.shutdown, exitpriority=10)
    return _KERNEL


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class NotebookWorkers:
    """The worker processes that execute a run's notebooks, ``jobs`` of them (spawned,
    one warm kernel each): made when the first notebook is handed out, or earlier by
    :meth:`warm`.

    A first run writes the demo world and cleans it (8-10 s, mostly on one core)
    before any notebook can start, and then each worker paid its imports, its kernel's
    start and the kernel's first imports (4-7 s on a fresh clone, which compiles their
    bytecode too) before its first cell. :meth:`warm`, called when the run is about to
    change the data (:func:`lcanalysis.pipeline.data.prepare_data`), starts the workers
    and has each do all that (:func:`warm_worker`) while the data is written. A run
    whose data is unchanged starts them only when it has notebooks to execute, as
    before, so a run that executes nothing starts no kernel.
    """

    def __init__(self, jobs: int, startup_timeout: float, log_dir: Path, cwd: Path) -> None:
        self.jobs = jobs
        self.startup_timeout = startup_timeout
        self.log_dir = log_dir
        self.cwd = cwd
        self._pool: ProcessPoolExecutor | None = None
        self.warming: list[Future] = []
        """The warm-ups handed out (:meth:`warm`)."""

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing

            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=start_worker)
        return self._pool

    def warm(self) -> None:
        """Start the workers now, each warming up (:func:`warm_worker`) in the background.

        One warm-up is handed out per worker: the pool spawns a process for each job
        handed out while none is idle, and each warm-up keeps its worker busy for
        seconds, so each lands on a worker of its own. Idempotent."""
        if self._pool is not None:
            return
        job = {"cwd": str(self.cwd), "log_dir": str(self.log_dir), "startup_timeout": self.startup_timeout}
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.warming = [self.pool().submit(warm_worker, job) for _ in range(self.jobs)]

    def close(self) -> None:
        """Wait for the workers to end (each shuts its kernel down as it exits)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def __enter__(self) -> NotebookWorkers:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def warm_worker(job: Mapping[str, object]) -> None:
    """Worker side, ahead of its first notebook: start this worker's kernel, import
    what executing and writing a notebook needs (papermill, nbconvert's exporter) while
    the kernel starts, then wait for it and import in it what the notebooks import
    (:data:`lcanalysis.pipeline.kernels.KERNEL_IMPORTS`). Nothing here can fail a
    notebook: a kernel that did not start, or died, is started again by the notebook
    that needs it, and the messages are in the kernel's log."""
    os.environ.pop("LCANALYSIS_KEY", None)
    from lcanalysis.pipeline.kernels import KERNEL_IMPORTS, note

    log = Path(str(job["log_dir"])) / f"kernel-{os.getpid()}.log"
    cwd = Path(str(job["cwd"]))
    kernel = _worker_kernel(float(job["startup_timeout"]))  # type: ignore[arg-type]
    try:
        kernel.start(cwd, log)
    except Exception as err:  # noqa: BLE001 - see above: the notebook starts its kernel itself
        note(log, f"starting the kernel ahead of the notebooks failed: {type(err).__name__}: {err}")
    import papermill  # noqa: F401 - imported for the notebooks to come

    from lcanalysis.report.assemble import notebook_exporter

    notebook_exporter()
    try:
        kernel.ready(cwd, log=log)
        kernel.preload(KERNEL_IMPORTS, log=log)
    except Exception as err:  # noqa: BLE001 - see above
        note(log, f"warming up the kernel failed, left to the first notebook: {type(err).__name__}: {err}")


def execute_all(
    tasks: list[Task],
    results: Mapping[str, TaskResult],
    run_dir: Path,
    lang: str,
    synthetic: bool,
    progress: Progress,
    workers: NotebookWorkers,
) -> None:
    """Execute ``tasks`` on ``workers``, at most ``workers.jobs`` at a time, each once
    every task of the notebooks in its ``after`` has finished."""
    if not tasks:
        return
    jobs = workers.jobs
    waiting = list(tasks)
    unfinished_notebooks = {t.notebook for t in tasks}
    running: dict[Future, Task] = {}
    pool = workers.pool()
    while waiting or running:
        for task in list(waiting):
            if len(running) >= jobs:
                break
            if any(dep in unfinished_notebooks for dep in task.after):
                continue
            waiting.remove(task)
            entry = results[task.name]
            job = {"input": str(task.path), "output": str(run_dir / f"{task.name}.ipynb"),
                   "parameters": entry.parameters, "cwd": str(task.path.parent),
                   "log": str(run_dir / "logs" / f"{task.name}.log"),
                   "lang": lang, "synthetic": synthetic, "startup_timeout": workers.startup_timeout}
            running[pool.submit(execute_task, job)] = task
            progress.start(task.name)
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            task = running.pop(future)
            entry = results[task.name]
            try:
                outcome = future.result()
            except Exception as err:  # noqa: BLE001 - a crashed worker fails its task only
                outcome = {"status": "failed", "duration_s": 0.0, "error": {
                    "cell_index": None, "execution_count": None,
                    "ename": type(err).__name__, "evalue": _one_line(str(err))}}
            entry.status = entry.outcome = str(outcome["status"])
            entry.duration_s = float(outcome["duration_s"])  # type: ignore[arg-type]
            entry.error = outcome["error"]  # type: ignore[assignment]
            progress.finish(task.name, entry.status, entry.duration_s, describe(entry.error))
            if not any(t.notebook == task.notebook for t in [*waiting, *running.values()]):
                unfinished_notebooks.discard(task.notebook)


def longest_first(tasks: Sequence[Task], previous: Mapping[str, Mapping]) -> list[Task]:
    """``tasks`` in the order to start them: by the time each took when it last ran
    (``duration_s`` of an executed task in the previous manifest's ``previous``),
    longest first, so that the last notebook to finish is not a long one started
    while the other workers run out of work; tasks with no such time keep the
    configuration's order, after the timed ones. ``after`` is still honoured by
    :func:`execute_all`, which starts a task only once its notebooks are done."""
    def last_time(task: Task) -> float:
        before = previous.get(task.name) or {}
        return float(before.get("duration_s") or 0.0) if before.get("status") in ("ok", "failed") else 0.0

    return sorted(tasks, key=last_time, reverse=True)


def add_dependents(tasks: Sequence[Task], selected: set[str], to_execute: list[Task]) -> None:
    """Add to ``to_execute`` every selected task that comes ``after`` a notebook being
    executed: what it reads may change, so an unchanged fingerprint is not enough."""
    changed = True
    while changed:
        executed = {t.notebook for t in to_execute}
        extra = [t for t in tasks if t.name in selected and t not in to_execute
                 and any(dep in executed for dep in t.after)]
        to_execute.extend(extra)
        changed = bool(extra)
    to_execute.sort(key=list(tasks).index)


def describe(error: Mapping | None) -> str:
    if not error:
        return ""
    where = f"cell {error['cell_index']}: " if error.get("cell_index") is not None else ""
    return f"{where}{error['ename']}: {error['evalue']}"
