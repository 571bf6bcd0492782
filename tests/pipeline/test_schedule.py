"""The order notebooks start in: longest first by their last run, the rest as configured."""

from __future__ import annotations

from pathlib import Path

from lcanalysis.pipeline.config import Task
from lcanalysis.pipeline.execute import longest_first


def _task(name: str) -> Task:
    return Task(name=name, notebook=name, path=Path(f"{name}.ipynb"), parameters={}, declared=frozenset())


def test_the_longest_last_time_starts_first_and_untimed_keep_their_order():
    tasks = [_task(n) for n in ("00", "01", "02", "03", "04", "08")]
    previous = {
        "01": {"status": "ok", "duration_s": 21.3},
        "08": {"status": "ok", "duration_s": 39.3},
        "02": {"status": "failed", "duration_s": 15.1},
        "03": {"status": "skipped", "duration_s": 0.0},  # copied, not a time
        "04": {"status": "ok", "duration_s": None},
    }
    assert [t.name for t in longest_first(tasks, previous)] == ["08", "01", "02", "00", "03", "04"]


def test_a_first_run_keeps_the_configured_order():
    tasks = [_task(n) for n in ("10", "00", "05")]
    assert longest_first(tasks, {}) == tasks
