"""Shared by the privacy tests: the real CLI as a subprocess, and a cleaned folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.cli import run_cli
from tests.fixtures.messy_raw import TODAY, write_messy_raw

KEY_HEX = "cd" * 32


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
