"""Shared by the privacy tests: the real CLI as a subprocess, and a cleaned folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.messy_raw import TODAY, write_messy_raw

KEY_HEX = "cd" * 32


def run_cli(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    """``lcanalysis *args`` from the venv, without the caller's key."""
    env = {k: v for k, v in os.environ.items() if k != "LCANALYSIS_KEY"}
    env.update(env_extra or {})
    exe = Path(sys.executable).with_name("lcanalysis")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="session")
def messy_cleaned(tmp_path_factory) -> tuple[Path, Path]:
    """(raw, processed): the messy fixture folder cleaned by the real ``lcanalysis clean``."""
    root = tmp_path_factory.mktemp("gate")
    raw = write_messy_raw(root / "raw")
    out = root / "processed"
    result = run_cli(
        "clean",
        "--raw",
        str(raw),
        "--out",
        str(out),
        "--today",
        TODAY,
        env_extra={"LCANALYSIS_KEY": KEY_HEX},
    )
    assert result.returncode == 0, result.stderr
    return raw, out
