"""Faults while cleaning: a killed process, a full disk, an output folder that cannot
be written. The previous data/processed must stay intact and usable, nothing half
written may look complete, and the next run must succeed and clean up."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from lcanalysis.cli import app
from lcanalysis.identity import luhn_check_digit

KEY_HEX = "ef" * 32
TODAY = "2026-11-01"
ROWS = 120_000  # about 4 MB: cleaning takes about a second
COURSES = ("SF1625", "DD1310", "HF1017", "ME1003", "SF1626", "DD1311")


def write_registrations(raw: Path) -> Path:
    """A valid registrations export of ROWS rows (20 000 people x 6 courses); birth
    numbers 001-999 (000 is never issued)."""
    lines = ["Personnummer;Kurskod;Termin;Omfattning hp"]
    for person in range(ROWS // len(COURSES)):
        nine = (
            f"{80 + person % 20:02d}{1 + person % 12:02d}{1 + person % 28:02d}{1 + person % 999:03d}"
        )
        number = f"{nine[:6]}-{nine[6:]}{luhn_check_digit(nine)}"
        lines.extend(f"{number};{course};HT2024;7,5" for course in COURSES)
    path = raw / "registrations" / "big.csv"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return raw


def clean_args(raw: Path, out: Path) -> list[str]:
    return ["clean", "--raw", str(raw), "--out", str(out), "--today", TODAY]


def start_cli(raw: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "LCANALYSIS_KEY": KEY_HEX}
    exe = Path(sys.executable).with_name("lcanalysis")
    return subprocess.Popen(
        [str(exe), *clean_args(raw, out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> tuple[Path, Path, dict[str, bytes]]:
    """(raw, processed, its bytes): a complete earlier run to protect."""
    root = tmp_path_factory.mktemp("faults")
    raw = write_registrations(root / "raw")
    out = root / "processed"
    result = CliRunner().invoke(app, clean_args(raw, out), env={"LCANALYSIS_KEY": KEY_HEX})
    assert result.exit_code == 0, result.output
    return raw, out, snapshot(out)


def staging_traces(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.mark.slow  # end to end: the real `lcanalysis clean`, run whole and then killed mid-run
def test_kill_9_at_any_moment_keeps_the_previous_data(previous):
    raw, out, before = previous
    # Kill at fractions of how long an uninterrupted run takes on this machine, so
    # the kills land mid-run however fast the cleaner is. On a busy machine a run's
    # length varies from one run to the next: a kill that came after the run ended
    # is tried again earlier, until three kills have landed mid-run.
    started = time.monotonic()
    process = start_cli(raw, out)
    _, stderr = process.communicate(timeout=900)
    assert process.returncode == 0, stderr
    duration = time.monotonic() - started
    fractions = [0.15, 0.3, 0.45, 0.6, 0.75, 0.9]
    killed_while_running = attempts = 0
    while fractions and attempts < 20:
        attempts += 1
        fraction = fractions.pop(0)
        process = start_cli(raw, out)
        time.sleep(duration * fraction)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            killed_while_running += 1
        elif killed_while_running < 3:
            fractions.append(fraction / 2)
        process.wait(timeout=900)
        process.stderr.close()
        # Intact, or (killed between the two renames of the swap) waiting in .old.
        kept = out if out.exists() else out.with_name(f".{out.name}.old")
        assert snapshot(kept) == before, fraction
        assert pl.read_parquet(kept / "registrations.parquet").height == ROWS
        assert (
            json.loads((kept / "cleaning_report.json").read_text())["files"][0]["rows_in"] == ROWS
        )
    assert killed_while_running >= 3
    process = start_cli(raw, out)
    _, stderr = process.communicate(timeout=900)
    assert process.returncode == 0, stderr
    assert snapshot(out) == before
    assert staging_traces(out) == []


def test_disk_full_is_one_line_and_keeps_the_previous_data(previous, monkeypatch):
    raw, out, before = previous

    def disk_full(self, file, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(file))

    monkeypatch.setattr(pl.DataFrame, "write_parquet", disk_full)
    result = CliRunner().invoke(app, clean_args(raw, out), env={"LCANALYSIS_KEY": KEY_HEX})
    monkeypatch.undo()
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "No space left on device" in lines[0] and ".parquet" in lines[0]
    assert snapshot(out) == before
    # The half-written staging folder is hidden and removed by the next run.
    result = CliRunner().invoke(app, clean_args(raw, out), env={"LCANALYSIS_KEY": KEY_HEX})
    assert result.exit_code == 0
    assert staging_traces(out) == []


def test_an_output_path_under_a_file_is_one_clear_line(previous, tmp_path):
    raw, _, _ = previous
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(
        app, clean_args(raw, blocker / "processed"), env={"LCANALYSIS_KEY": KEY_HEX}
    )
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not-a-folder" in lines[0], result.stderr
    assert blocker.read_text(encoding="utf-8") == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through read-only permissions")
def test_a_read_only_parent_is_one_clear_line(previous, tmp_path):
    raw, _, _ = previous
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = CliRunner().invoke(
            app, clean_args(raw, locked / "processed"), env={"LCANALYSIS_KEY": KEY_HEX}
        )
    finally:
        locked.chmod(0o700)
    assert result.exit_code == 2
    assert "Permission denied" in result.stderr and "Traceback" not in result.stderr
    assert list(locked.iterdir()) == []
