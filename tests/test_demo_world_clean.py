"""The cleaner on the synthetic demo world: every planted defect caught, nothing else.

truth.json records, per source, the defects the generator planted (one per row) and
the exact duplicates; the cleaning report must show exactly those counts. SCB
national and county lines are not defects and are accounted as aggregate_region.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lcanalysis.synth import generate_demo_world

# End to end: a demo world generated and cleaned by the real `lcanalysis clean` (about 20 s).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_clean(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    world = generate_demo_world(root / "raw", seed=7, scale=0.3)
    out = root / "processed"
    exe = Path(sys.executable).with_name("lcanalysis")
    result = subprocess.run(
        [str(exe), "clean", "--raw", str(root / "raw"), "--out", str(out)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "cleaning_report.json").read_text(encoding="utf-8"))
    return world.truth, report, result


def test_every_planted_defect_and_nothing_else(demo_clean):
    truth, report, _ = demo_clean
    got: dict[str, dict[str, int]] = {}
    duplicates: dict[str, int] = {}
    for f in report["files"]:
        reasons = got.setdefault(f["source"], {})
        for reason, n in f["quarantined"].items():
            reasons[reason] = reasons.get(reason, 0) + n
        duplicates[f["source"]] = duplicates.get(f["source"], 0) + f["duplicates"]
    aggregate = got.pop("municipal_stats", {})
    assert set(aggregate) <= {"aggregate_region"}
    planted = {s: r for s, r in truth["defects"].items() if s != "duplicates"}
    assert {s: r for s, r in got.items() if r} == planted
    assert {s: n for s, n in duplicates.items() if n} == truth["defects"]["duplicates"]


def test_synthetic_flag_reaches_the_processed_data(demo_clean):
    _, report, result = demo_clean
    assert report["synthetic"] is True
    assert "synthetic data" in result.stdout


def test_table_sizes_match_the_generated_world(demo_clean):
    truth, report, _ = demo_clean
    counts = truth["counts"]
    assert report["tables"]["registrations"] == counts["registrations"]
    assert report["tables"]["applications"] == counts["applications"]
    assert report["tables"]["results"] == counts["results"]
    first, last = truth["years"]
    assert report["tables"]["municipal_stats"] == counts["municipal_stats"] == 290 * (last - first + 1)
