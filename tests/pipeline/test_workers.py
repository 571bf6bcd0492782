"""The notebooks' workers (lcanalysis.pipeline.execute.NotebookWorkers): warmed up
ahead of the notebooks, each has its kernel started, with the modules the notebooks
import already imported in it."""

from __future__ import annotations

import os
import time
from concurrent.futures import wait

import pytest

from lcanalysis.pipeline import execute
from lcanalysis.pipeline.kernels import KERNEL_IMPORTS


def kernel_state() -> tuple[int, bool, list[str]]:
    """Worker side: this worker's pid, whether its kernel is alive, and which of
    KERNEL_IMPORTS the kernel has imported."""
    from jupyter_core.utils import run_sync

    time.sleep(1)  # so that the two probes are taken by two workers
    kernel = execute._KERNEL
    if kernel is None or kernel.manager is None:
        return os.getpid(), False, []
    imported = [m for m in KERNEL_IMPORTS if run_sync(kernel._execute)(
        f"import sys\nassert sys.modules.get({m!r}) is not None")["status"] == "ok"]
    return os.getpid(), run_sync(kernel.manager.is_alive)(), imported


@pytest.mark.slow  # two workers, two kernels
def test_warmed_up_workers_have_their_kernels_started_with_the_imports(tmp_path):
    logs = tmp_path / "logs"
    with execute.NotebookWorkers(2, 60, log_dir=logs, cwd=tmp_path) as workers:
        workers.warm()
        workers.warm()  # idempotent: still one warm-up per worker
        assert len(workers.warming) == 2
        wait(workers.warming)
        assert [f.exception() for f in workers.warming] == [None, None]
        probes = [workers.pool().submit(kernel_state) for _ in range(2)]
        states = [p.result() for p in probes]
    assert len({pid for pid, _, _ in states}) == 2
    assert all(alive and imported == list(KERNEL_IMPORTS) for _, alive, imported in states)
    assert sorted(p.name.split("-")[0] for p in logs.iterdir()) == ["kernel", "kernel"]


def test_workers_that_are_not_warmed_up_start_nothing(tmp_path):
    with execute.NotebookWorkers(2, 60, log_dir=tmp_path / "logs", cwd=tmp_path) as workers:
        assert workers.warming == [] and workers._pool is None
    assert not (tmp_path / "logs").exists()


def test_the_tail_process_is_waited_for_and_says_what_failed():
    from lcanalysis.pipeline.run import TAIL_PROCESS_IMPORTS, TailProcess

    tail = TailProcess()
    try:
        imported = tail.submit(_imported, TAIL_PROCESS_IMPORTS)
        tail.submit(int, "not a number")
        with pytest.raises(ValueError, match="not a number"):
            tail.finish()
        assert imported.result() == ("agg", [])  # made ready when it started
        tail.finish()  # nothing left to wait for
    finally:
        tail.close()


def _imported(modules) -> tuple[str | None, list[str]]:
    """The tail process's side: its matplotlib backend, and which of ``modules`` it lacks."""
    import sys

    return os.environ.get("MPLBACKEND"), [m for m in modules if m not in sys.modules]



def test_a_run_closes_each_process_once_and_waits_for_all():
    import threading

    from lcanalysis.pipeline.run import _Closing

    closed: list[str] = []
    slow = threading.Event()
    closing = _Closing()
    closing.begin("chromium", lambda: (slow.wait(10), closed.append("chromium")))
    closing.begin("chromium", lambda: closed.append("chromium again"))  # begun already: not again
    closing.begin("tail process", lambda: closed.append("tail process"))
    assert "chromium" not in closed  # in the background: begin does not wait
    slow.set()
    closing.wait()
    assert sorted(closed) == ["chromium", "tail process"]
