"""Dataset.load: validated tables for notebooks, clear errors for what is missing."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from lcanalysis.clean import clean
from lcanalysis.dataset import Dataset, TableMissing
from lcanalysis.errors import LcanalysisError
from lcanalysis.schemas import ContractViolation
from tests.fixtures.messy_raw import EXPECTED_TABLE_ROWS, write_messy_raw


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    root = tmp_path_factory.mktemp("ds")
    raw = write_messy_raw(root / "raw")
    clean(raw, root / "processed", key=b"k" * 32, today=date(2026, 11, 1))
    return root / "processed"


def test_tables_load_with_their_contract_rows(processed):
    ds = Dataset.load(processed)
    assert ds.synthetic is False
    assert ds.registrations.height == EXPECTED_TABLE_ROWS["registrations"]
    assert ds.persons.height == EXPECTED_TABLE_ROWS["persons"]
    assert ds.quarantine("results")["reason"].sort().to_list() == [
        "invalid_date", "invalid_date", "invalid_grade"
    ]


def test_missing_source_names_the_folder_to_fill(processed, tmp_path):
    copy = tmp_path / "p"
    copy.mkdir()
    (copy / "cleaning_report.json").write_text((processed / "cleaning_report.json").read_text())
    with pytest.raises(TableMissing, match="data/raw/followups/"):
        _ = Dataset.load(copy).followups


def test_no_cleaned_data_is_a_clear_error(tmp_path):
    with pytest.raises(LcanalysisError, match="lcanalysis clean"):
        Dataset.load(tmp_path)


def test_an_edited_table_breaks_the_contract(processed, tmp_path):
    copy = tmp_path / "p"
    copy.mkdir()
    (copy / "cleaning_report.json").write_text((processed / "cleaning_report.json").read_text())
    regs = pl.read_parquet(processed / "registrations.parquet")
    pl.concat([regs, regs.head(1)]).write_parquet(copy / "registrations.parquet")
    with pytest.raises(ContractViolation, match="registrations"):
        _ = Dataset.load(copy).registrations


def test_only_files_the_cleaner_did_not_validate_are_validated_again(processed, tmp_path, monkeypatch):
    import shutil

    from lcanalysis import schemas

    copy = tmp_path / "p"
    shutil.copytree(processed, copy)
    calls = []
    real = schemas.validate
    monkeypatch.setattr(schemas, "validate", lambda name, frame: calls.append(name) or real(name, frame))
    ds = Dataset.load(copy)
    _ = ds.persons  # byte-identical to what clean validated: no second validation
    assert calls == []
    regs = pl.read_parquet(copy / "registrations.parquet")
    pl.concat([regs, regs.head(1)]).write_parquet(copy / "registrations.parquet")
    with pytest.raises(ContractViolation, match="registrations"):
        _ = ds.registrations  # edited after cleaning: validated, and caught
    assert calls == ["registrations"]
