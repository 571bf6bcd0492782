"""Data-quality tables from a hand-made cleaning report and a cleaned fixture."""

from __future__ import annotations

from datetime import date

from lcanalysis.clean import clean
from lcanalysis.dataset import Dataset
from lcanalysis.quality import accounting, completeness, quarantine_reasons
from tests.fixtures.messy_raw import write_messy_raw

REPORT = {
    "files": [
        {"source": "results", "file": "a.csv", "rows_in": 10, "rows_out": 6, "duplicates": 1,
         "quarantined": {"invalid_date": 2, "invalid_grade": 1}},
        {"source": "results", "file": "b.csv", "rows_in": 4, "rows_out": 3, "duplicates": 0,
         "quarantined": {"invalid_date": 1}},
        {"source": "followups", "file": "f.csv", "rows_in": 2, "rows_out": 2, "duplicates": 0,
         "quarantined": {}},
    ]
}


def test_accounting_per_file():
    frame = accounting(REPORT)
    assert frame["quarantined"].to_list() == [3, 1, 0]
    assert frame["balances"].all()


def test_reasons_are_summed_over_files_most_first():
    frame = quarantine_reasons(REPORT)
    assert frame.rows() == [("results", "invalid_date", 3), ("results", "invalid_grade", 1)]


def test_completeness_of_a_cleaned_fixture(tmp_path):
    raw = write_messy_raw(tmp_path / "raw")
    clean(raw, tmp_path / "out", key=b"k" * 32, today=date(2026, 11, 1))
    frame = completeness(Dataset.load(tmp_path / "out"), ["followups"])
    work = frame.filter(frame["column"] == "work_municipality_code").row(0, named=True)
    # Two follow-ups, one with a work municipality (fixture: Stockholm), one blank.
    assert (work["rows"], work["filled"], work["share_filled"]) == (2, 1, 0.5)
