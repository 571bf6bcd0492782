"""``lcanalysis run``: data, notebooks, report and manifest in one locked run.

A run (:func:`run_pipeline`)

1. validates config/pipeline.yaml and every notebook's parameters cell
   (:mod:`lcanalysis.report.pipeline`) before anything else;
2. takes the lock ``reports/.lock`` (created with ``O_EXCL``; holds pid and start
   time; a lock whose process is gone is reported and replaced);
3. writes the synthetic demo world when data/raw holds no real source folder, and
   cleans data/raw into data/processed when the raw files, the cleaning
   configuration, the key or the package version changed since the last cleaning
   (content hashes in ``data/processed/.inputs.json``);
4. executes the notebooks with papermill in worker processes (``--jobs``, default
   2), each task once its ``after`` notebooks have finished; each worker keeps one
   Jupyter kernel and runs its notebooks in it one after the other, reset to a
   fresh kernel's state before each (:mod:`lcanalysis.report.kernels`), so the
   imports are paid once per worker, not once per notebook;
   a failing notebook does not stop the others. A notebook whose fingerprint
   (notebook file, parameters, processed data, package version) equals that of its
   last successful execution is not executed: its outputs are copied from
   ``reports/latest`` and it is marked skipped ("unchanged"), unless ``force`` or
   it comes ``after`` a notebook that is executed;
5. writes ``reports/<run-id>/``: ``<task>.ipynb``, ``<task>.html`` (no code),
   ``tables/<task>/`` (the notebook's ``tables_dir``), ``logs/<task>.log`` (what
   papermill printed to stderr while running the task), ``logs/kernel-<pid>.log``
   (what a worker's kernel process printed to stderr), ``report.html``,
   ``poster_pack/``, ``run.log`` and ``manifest.json``; then points
   ``reports/latest`` at it with an atomic symlink swap.

The run id is the UTC start time plus a short random suffix
(``20250301T020000Z-1a2b3c``), so run folders sort by time. The key is never
written to the manifest or the log.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lcanalysis import paths
from lcanalysis.clean import file_sha256
from lcanalysis.errors import LcanalysisError
from lcanalysis.report.kernels import WarmKernel
from lcanalysis.report.pipeline import Pipeline, Task, load_pipeline

KERNEL_NAME = "python3"
VERSIONED_PACKAGES = ("lcanalysis", "polars", "pandas", "statsmodels", "papermill", "matplotlib")
INPUTS_FILE = ".inputs.json"
LOCK_FILE = ".lock"
LATEST = "latest"
RUN_SPECIFIC = ("run_id", "tables_dir")
"""Parameters that change on every run and so are left out of a task's fingerprint."""


class RunLocked(LcanalysisError):
    """Another run holds the lock."""


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


# --------------------------------------------------------------------------- lock


class RunLock:
    """``reports/.lock``: one run at a time.

    The file is created with ``O_CREAT | O_EXCL`` and holds the pid, host and start
    time of its run. A lock of this host whose pid is no longer alive is stale: it is
    reported through ``log`` and replaced.
    """

    def __init__(self, path: Path, log: Callable[[str], None]) -> None:
        self.path = path
        self.log = log

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": datetime.now(UTC).isoformat(timespec="seconds")}
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                holder = self._holder()
                if holder is not None and _alive(holder):
                    raise RunLocked(
                        f"another run is in progress (pid {holder.get('pid')}, started "
                        f"{holder.get('started')}); lock {self.path}"
                    ) from None
                self.log(f"removed a stale lock {self.path} left by pid "
                         f"{(holder or {}).get('pid', '?')} (started {(holder or {}).get('started', '?')})")
                self.path.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(info, fh)
            return self
        raise RunLocked(f"could not take the lock {self.path}: another run took it first")

    def __exit__(self, *exc: object) -> None:
        self.path.unlink(missing_ok=True)

    def _holder(self) -> dict | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None


def _alive(holder: Mapping) -> bool:
    """Whether the lock's process is alive (a lock from another host counts as alive)."""
    pid = holder.get("pid")
    if holder.get("host") not in (None, socket.gethostname()):
        return True
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --------------------------------------------------------------------------- data


def hash_tree(folder: Path, exclude: Sequence[str] = ()) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``folder`` (sorted; names in ``exclude`` left out)."""
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): file_sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in exclude
    }


@dataclass
class DataState:
    """The data a run works on."""

    raw_dir: Path
    synthetic: bool
    raw_files: dict[str, str]
    config_files: dict[str, str]
    processed_hash: str
    cleaned: bool


def prepare_data(pipeline_config: Path, key_file: Path | None, log: Callable[[str], None]) -> DataState:
    """Make sure data/processed is cleaned from the current raw data.

    Writes the demo world first when data/raw holds no real source folder and
    data/raw/demo has no synthetic marker yet. Cleans when the digest of the raw
    files, the configuration files (all of config/*.yaml but the pipeline's), the
    key and the package version differs from the one stored in
    ``data/processed/.inputs.json`` by the last cleaning.
    """
    from lcanalysis.clean import SYNTHETIC_MARKER, is_synthetic
    from lcanalysis.cli import key_for, resolve_raw_dir

    raw_dir = resolve_raw_dir(None)
    if raw_dir == paths.demo_raw_dir() and not (raw_dir / SYNTHETIC_MARKER).is_file():
        from lcanalysis.synth import generate_demo_world

        log(f"no real data in {paths.raw_dir()}: writing the synthetic demo world to {raw_dir}")
        generate_demo_world(raw_dir)
    key = key_for(raw_dir, key_file)
    raw_files = hash_tree(raw_dir)
    skip = {pipeline_config.resolve(), (paths.config_dir() / "pipeline.yaml").resolve()}
    config_files = {
        p.name: file_sha256(p) for p in sorted(paths.config_dir().glob("*.yaml")) if p.resolve() not in skip
    }
    material = json.dumps({
        "raw_dir": str(raw_dir), "raw": raw_files, "config": config_files,
        "lcanalysis": _version("lcanalysis"),
        "key": hashlib.sha256(b"lcanalysis key fingerprint:" + key).hexdigest(),
    }, sort_keys=True)
    digest = hashlib.sha256(material.encode()).hexdigest()
    processed = paths.processed_dir()
    stored = processed / INPUTS_FILE
    previous = json.loads(stored.read_text(encoding="utf-8")).get("digest") if stored.is_file() else None
    cleaned = previous != digest or not (processed / "cleaning_report.json").is_file()
    if cleaned:
        from lcanalysis.clean import clean

        log(f"raw inputs changed: cleaning {raw_dir} into {processed}")
        report = clean(raw_dir, processed, key=key)
        log("cleaned: " + (", ".join(f"{n} {rows}" for n, rows in report.tables.items()) or "no tables"))
        stored.write_text(json.dumps({"digest": digest}) + "\n", encoding="utf-8")
    else:
        log("raw inputs unchanged since the last cleaning")
    processed_files = hash_tree(processed, exclude=(INPUTS_FILE, "README.md", ".gitkeep"))
    return DataState(
        raw_dir=raw_dir,
        synthetic=is_synthetic(raw_dir),
        raw_files=raw_files,
        config_files=config_files,
        processed_hash=hashlib.sha256(json.dumps(processed_files, sort_keys=True).encode()).hexdigest(),
        cleaned=cleaned,
    )


# --------------------------------------------------------------------------- tasks


def fingerprint(task: Task, parameters: Mapping[str, object], processed_hash: str) -> str:
    """What a task's outputs depend on: notebook file, parameters (run-specific ones
    excluded), processed data and the lcanalysis version."""
    stable = {k: v for k, v in parameters.items() if k not in RUN_SPECIFIC}
    h = hashlib.sha256(task.path.read_bytes())
    h.update(json.dumps(stable, sort_keys=True, default=str).encode())
    h.update(processed_hash.encode())
    h.update(str(_version("lcanalysis")).encode())
    return h.hexdigest()[:32]


def execute_task(job: Mapping[str, object]) -> dict[str, object]:
    """Run one notebook with papermill and write its no-code HTML (in a worker process).

    Returns ``{"status", "duration_s", "error"}``; ``error`` has the failing cell's
    index in the executed notebook, its execution count, the exception's name and
    message. A notebook that fails still has its executed ``.ipynb`` and HTML.
    """
    os.environ.pop("LCANALYSIS_KEY", None)
    import papermill
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
            kernel = _worker_kernel().ready(
                Path(str(job["cwd"])), log=log_path.with_name(f"kernel-{os.getpid()}.log")
            )
            papermill.execute_notebook(
                str(job["input"]), str(output), parameters=dict(job["parameters"]),  # type: ignore[call-overload]
                kernel_name=KERNEL_NAME, km=kernel, cwd=str(job["cwd"]),
                progress_bar=False, log_output=False,
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


_KERNEL: WarmKernel | None = None
"""The kernel of this worker process (:mod:`lcanalysis.report.kernels`)."""


def _worker_kernel() -> WarmKernel:
    """This worker's kernel, shut down when the worker process exits."""
    global _KERNEL
    if _KERNEL is None:
        from multiprocessing import util

        _KERNEL = WarmKernel(KERNEL_NAME)
        util.Finalize(None, _KERNEL.shutdown, exitpriority=10)
    return _KERNEL


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- progress


class Progress:
    """One line per task with its state and duration: a rich live table on a
    terminal, plain lines otherwise; every event is also appended to ``run.log``."""

    def __init__(self, log_file: Path, tasks: Sequence[str], *, live: bool) -> None:
        self.log_file = log_file
        self.states: dict[str, tuple[str, float | None, float]] = {t: ("queued", None, 0.0) for t in tasks}
        self.live = None
        if live:
            from rich.live import Live

            self.live = Live(self._table(), refresh_per_second=4, get_renderable=self._table)
            self.live.start()

    def log(self, message: str) -> None:
        stamp = datetime.now(UTC).strftime("%H:%M:%S")
        with open(self.log_file, "a", encoding="utf-8") as fh:
            fh.write(f"{stamp} {message}\n")

    def note(self, message: str) -> None:
        """A message for the log and the terminal."""
        self.log(message)
        if self.live is not None:
            self.live.console.print(message)
        else:
            print(message, flush=True)

    def start(self, task: str) -> None:
        self.states[task] = ("running", None, time.monotonic())
        self.log(f"running  {task}")

    def finish(self, task: str, state: str, duration: float, detail: str = "") -> None:
        self.states[task] = (state, duration, 0.0)
        line = f"{state:<8} {task} {duration:.1f} s" + (f"  {detail}" if detail else "")
        self.log(line)
        if self.live is None:
            print(line, flush=True)

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()

    def _table(self):
        from rich.table import Table

        table = Table(title="lcanalysis run", title_justify="left")
        for col in ("notebook", "state", "time"):
            table.add_column(col)
        colours = {"ok": "green", "failed": "red", "running": "yellow", "skipped": "cyan"}
        for task, (state, duration, since) in self.states.items():
            seconds = duration if duration is not None else (time.monotonic() - since if since else None)
            table.add_row(task, f"[{colours.get(state, 'white')}]{state}[/]",
                          "" if seconds is None else f"{seconds:.1f} s")
        return table


# --------------------------------------------------------------------------- run


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
    pending_log: list[str] = []
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
            return _run(pipeline, tasks, selected, run_id, run_dir, jobs, force, key_file, config, progress)
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
    progress: Progress,
) -> RunResult:
    started = datetime.now(UTC)
    wall = time.perf_counter()
    progress.log(f"run {run_id} with {len(tasks)} task(s), jobs={jobs}, config {config}")
    data = prepare_data(config, key_file, progress.note)
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
                           fingerprint(task, params, data.processed_hash))
        result.tasks[task.name] = entry
        before = previous.get(task.name)
        if task.name in selected and (
            force or not before or before.get("outcome") != "ok" or before.get("fingerprint") != entry.fingerprint
        ):
            to_execute.append(task)
    _add_dependents(tasks, selected, to_execute)
    for task in tasks:
        if task not in to_execute:
            entry = result.tasks[task.name]
            reason = "unchanged" if task.name in selected else "not selected"
            _copy_previous(entry, previous.get(task.name), previous_dir, run_dir, reason)
            progress.finish(task.name, "skipped", 0.0, f"({entry.reason})")

    _execute_all(to_execute, result, run_dir, jobs, lang, data.synthetic, progress)

    from lcanalysis.report.assemble import build_report, poster_pack

    manifest = {
        "run_id": run_id,
        "started": started.isoformat(timespec="seconds"),
        "finished": None,
        "git_commit": _git_commit(root),
        "python": sys.version.split()[0],
        "versions": {name: _version(name) for name in VERSIONED_PACKAGES},
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
    build_report(run_dir, manifest, lang=lang, synthetic=data.synthetic)
    posters = poster_pack(paths.figures_dir(), run_dir)
    manifest["poster_pack"] = [p.relative_to(run_dir).as_posix() for p in posters]
    result.privacy_findings = _privacy_gate(run_dir, data, pipeline, progress)
    manifest["privacy_gate"] = {"findings": len(result.privacy_findings),
                                "scanned": [_rel(p, root) for p in _gate_targets(run_dir)]}
    manifest["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    manifest["duration_s"] = round(time.perf_counter() - wall, 2)
    _write_json_atomic(run_dir / "manifest.json", manifest)
    if not result.privacy_findings:
        point_latest(paths.reports_dir(), run_dir)
    _summary(result, manifest, run_dir, progress)
    return result


def _gate_targets(run_dir: Path) -> list[Path]:
    return [run_dir, paths.figures_dir(), paths.processed_dir()]


def _privacy_gate(run_dir: Path, data, pipeline, progress: Progress) -> list:
    """The privacy gate (:mod:`lcanalysis.privacy`) over this run's outputs, the
    figures and the processed tables, with the names of the raw files. Findings are
    written (redacted) to privacy_findings.txt and keep reports/latest where it was:
    a run with findings is not complete."""
    from lcanalysis import privacy

    policy = str(pipeline.defaults.get("disclosure_policy", "default"))
    names = privacy.names_from_raw(data.raw_dir) if data.raw_dir.is_dir() else set()
    findings = privacy.scan(_gate_targets(run_dir), names=names, policy=policy)
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


def _execute_all(
    tasks: list[Task],
    result: RunResult,
    run_dir: Path,
    jobs: int,
    lang: str,
    synthetic: bool,
    progress: Progress,
) -> None:
    """Execute ``tasks`` in worker processes, at most ``jobs`` at a time, each once
    every task of the notebooks in its ``after`` has finished."""
    if not tasks:
        return
    import multiprocessing

    waiting = list(tasks)
    unfinished_notebooks = {t.notebook for t in tasks}
    running: dict[Future, Task] = {}
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)),
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        while waiting or running:
            for task in list(waiting):
                if len(running) >= jobs:
                    break
                if any(dep in unfinished_notebooks for dep in task.after):
                    continue
                waiting.remove(task)
                entry = result.tasks[task.name]
                job = {"input": str(task.path), "output": str(run_dir / f"{task.name}.ipynb"),
                       "parameters": entry.parameters, "cwd": str(task.path.parent),
                       "log": str(run_dir / "logs" / f"{task.name}.log"),
                       "lang": lang, "synthetic": synthetic}
                running[pool.submit(execute_task, job)] = task
                progress.start(task.name)
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                task = running.pop(future)
                entry = result.tasks[task.name]
                try:
                    outcome = future.result()
                except Exception as err:  # noqa: BLE001 - a crashed worker fails its task only
                    outcome = {"status": "failed", "duration_s": 0.0, "error": {
                        "cell_index": None, "execution_count": None,
                        "ename": type(err).__name__, "evalue": _one_line(str(err))}}
                entry.status = entry.outcome = str(outcome["status"])
                entry.duration_s = float(outcome["duration_s"])  # type: ignore[arg-type]
                entry.error = outcome["error"]  # type: ignore[assignment]
                progress.finish(task.name, entry.status, entry.duration_s, _describe(entry.error))
                if not any(t.notebook == task.notebook for t in [*waiting, *running.values()]):
                    unfinished_notebooks.discard(task.notebook)


def _add_dependents(tasks: Sequence[Task], selected: set[str], to_execute: list[Task]) -> None:
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


def _describe(error: Mapping | None) -> str:
    if not error:
        return ""
    where = f"cell {error['cell_index']}: " if error.get("cell_index") is not None else ""
    return f"{where}{error['ename']}: {error['evalue']}"


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
        progress.note(f"FAILED {task.name} at {_describe(task.error)}; see {run_dir / (task.name + '.ipynb')}")
    carried = [t.name for t in result.tasks.values() if t.status == "skipped" and t.outcome == "failed"]
    if carried:
        progress.note(f"not re-run and failed earlier: {', '.join(carried)}")


def _write_json_atomic(path: Path, data: Mapping) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _git_commit(root: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"],
                             capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def _rel(path: Path, root: Path) -> str:
    path = Path(path).resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
