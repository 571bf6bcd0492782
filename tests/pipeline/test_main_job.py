"""The main job end to end: `lcanalysis run` with the real configuration and the real
notebooks on the demo world, in a temporary copy of the project (LCANALYSIS_ROOT).

The other pipeline tests run fixture notebooks; this is the one that runs every
notebook of config/pipeline.yaml, as `make run` does, and checks that each finished,
that the report names them all and that the privacy gate found nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lcanalysis.pipeline.config import load_pipeline

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CLI = REPO / ".venv" / "bin" / "lcanalysis"


@pytest.fixture(scope="module")
def main_job(tmp_path_factory):
    root = tmp_path_factory.mktemp("main-job")
    for folder in ("config", "notebooks", "docs"):
        shutil.copytree(REPO / folder, root / folder)
    env = {k: v for k, v in os.environ.items() if k != "LCANALYSIS_KEY"}
    env["LCANALYSIS_ROOT"] = str(root)
    result = subprocess.run([str(CLI), "run"], env=env, capture_output=True, text=True, timeout=1200)
    return root, result


def test_every_notebook_of_the_pipeline_runs_and_the_gate_passes(main_job):
    root, result = main_job
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    latest = root / "reports" / "latest"
    manifest = json.loads((latest / "manifest.json").read_text(encoding="utf-8"))
    expected = [t.name for t in load_pipeline(root / "config" / "pipeline.yaml").tasks()]
    assert list(manifest["tasks"]) == expected
    failed = {n: t["error"] for n, t in manifest["tasks"].items() if t["status"] != "ok"}
    assert failed == {}
    assert manifest["synthetic"] is True and manifest["privacy_gate"]["findings"] == 0
    assert "privacy gate: no findings" in result.stdout


def test_the_report_has_a_section_for_every_notebook_and_no_failure(main_job):
    root, _ = main_job
    report = (root / "reports" / "latest" / "report.html").read_text(encoding="utf-8")
    assert "This notebook failed" not in report and "Traceback" not in report
    for task in json.loads((root / "reports" / "latest" / "manifest.json").read_text())["tasks"]:
        assert (root / "reports" / "latest" / f"{task}.html").is_file(), task
