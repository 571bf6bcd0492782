"""Every hostile or broken raw file in tests/fixtures/bad gets its documented behaviour
from ``lcanalysis clean``: a one-line error (exit 2, nothing written) or a clean run
whose accounting balances. In-process through the CLI's own entry point (typer's
runner), so the 40 cases take seconds; test_cli_subprocess.py runs a sample as real
processes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lcanalysis.cli import app
from lcanalysis.ingest import read as ingest_read
from tests.fixtures.bad.build import CASES, TODAY, Cleans, Fails, build, main_file

KEY_HEX = "ef" * 32
SMALL_LIMIT = 4096


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case, tmp_path, monkeypatch):
    raw = build(case, tmp_path / "raw")
    out = tmp_path / "out"
    if case.name == "too_large":
        monkeypatch.setattr(ingest_read, "MAX_FILE_BYTES", SMALL_LIMIT)
    result = CliRunner().invoke(
        app,
        ["clean", "--raw", str(raw), "--out", str(out), "--today", TODAY],
        env={"LCANALYSIS_KEY": KEY_HEX},
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    if isinstance(case.expect, Fails):
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        message = lines[0].replace(str(raw), "")  # the folder's name is the case's
        for part in case.expect.says:
            assert part in message, (part, message)
        assert not out.exists()
        return
    assert result.exit_code == 0, result.stderr
    expect: Cleans = case.expect
    report = json.loads((out / "cleaning_report.json").read_text(encoding="utf-8"))
    files = {f["file"]: f for f in report["files"]}
    got = files[main_file(case)]
    assert (got["rows_out"], got["quarantined"], got["duplicates"]) == (
        expect.rows_out,
        expect.quarantined,
        expect.duplicates,
    )
    for f in files.values():
        assert f["rows_in"] == f["rows_out"] + f["duplicates"] + sum(f["quarantined"].values())
    if expect.warning:
        assert any(expect.warning in w for w in got["warnings"]), got["warnings"]


def test_the_readme_lists_every_case():
    readme = (Path(__file__).parents[1] / "fixtures" / "bad" / "README.md").read_text(
        encoding="utf-8"
    )
    listed = set(re.findall(r"^\| `(\w+)` \|", readme, flags=re.MULTILINE))
    assert listed == {case.name for case in CASES}
    assert len(CASES) >= 30
