"""The run lock (lcanalysis.pipeline.lock): one holder at a time, also when many runs
start together over a lock left by a run that died."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lcanalysis.pipeline.lock import RunLock, RunLocked


def test_run_lock_is_exclusive_and_released(tmp_path):
    messages: list[str] = []
    lock_path = tmp_path / ".lock"
    with RunLock(lock_path, messages.append):
        held = json.loads(lock_path.read_text())
        assert held["pid"] == os.getpid()
        with pytest.raises(RunLocked, match="another run is in progress"), \
                RunLock(lock_path, messages.append):
            pass
    assert not lock_path.exists() and messages == []


def dead_pid() -> int:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    return dead.pid


def test_a_lock_left_by_a_dead_run_is_reported_and_taken_over(tmp_path):
    lock_path = tmp_path / ".lock"
    pid = dead_pid()
    lock_path.write_text(json.dumps({"pid": pid, "started": "earlier"}))
    messages: list[str] = []
    with RunLock(lock_path, messages.append):
        assert json.loads(lock_path.read_text())["pid"] == os.getpid()
    assert messages == [f"removed a stale lock {lock_path} left by pid {pid} (started earlier)"]


def test_a_lock_file_naming_a_live_process_is_respected(tmp_path):
    # Written by a run that takes no operating-system lock (an older version, another host).
    lock_path = tmp_path / ".lock"
    lock_path.write_text(json.dumps({"pid": os.getppid(), "started": "now"}))
    with pytest.raises(RunLocked, match=rf"pid {os.getppid()}, started now"), RunLock(lock_path, print):
        pass
    assert json.loads(lock_path.read_text())["pid"] == os.getppid()  # left as it was


def _contend(lock_path: str, holders: str, barrier, results) -> None:
    """One of many runs started at once: take the lock, hold it a moment, and record
    how many holders there were while it was held."""
    barrier.wait()
    try:
        with RunLock(Path(lock_path), lambda message: None):
            mine = Path(holders) / str(os.getpid())
            mine.touch()
            time.sleep(0.2)
            results.put(len(list(Path(holders).iterdir())))
            mine.unlink()
    except RunLocked:
        results.put(0)


# Three rounds: the old lock let two runs through in one of three; test-fast runs one.
@pytest.mark.parametrize("round_", [0, *(pytest.param(r, marks=pytest.mark.slow) for r in (1, 2))])
def test_runs_that_start_together_over_a_stale_lock_never_both_hold_it(tmp_path, round_):
    lock_path = tmp_path / ".lock"
    lock_path.write_text(json.dumps({"pid": dead_pid(), "started": "earlier"}))
    holders = tmp_path / "holders"
    holders.mkdir()
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(8), context.Queue()
    workers = [context.Process(target=_contend, args=(str(lock_path), str(holders), barrier, results))
               for _ in range(8)]
    for worker in workers:
        worker.start()
    seen = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert max(seen) == 1, f"holders at once: {seen}"
    assert seen.count(1) >= 1
