"""What a run shows while it works: one line per task, and ``run.log``."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path


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
