"""The cleaner end to end: the real CLI on the messy fixture folder.

Expected accounting and table sizes are written down by hand in
tests/fixtures/messy_raw.py (one planted defect per row).
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lcanalysis import identity
from lcanalysis.clean import _duplicates, clean, derive_persons, recover_interrupted
from lcanalysis.clean.report import AccountingError, CleaningReport, FileAccount
from tests.fixtures.cli import run_cli
from tests.fixtures.examples import examples
from tests.fixtures.messy_raw import (
    EXPECTED,
    EXPECTED_TABLE_ROWS,
    IDENTITY_NUMBERS,
    NAMES,
    TODAY,
    write_messy_raw,
)

KEY_HEX = "ab" * 32


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    root = tmp_path_factory.mktemp("messy")
    raw = write_messy_raw(root / "raw")
    out = root / "processed"
    result = run_cli(
        "clean", "--raw", str(raw), "--out", str(out), "--today", TODAY,
        env_extra={"LCANALYSIS_KEY": KEY_HEX},
    )
    return raw, out, result


def test_cli_cleans_and_prints_a_summary(cleaned):
    _, out, result = cleaned
    assert result.returncode == 0, result.stderr
    assert "registrations" in result.stdout and "persons 6" in result.stdout
    assert (out / "cleaning_report.md").is_file()


def test_accounting_per_file_matches_the_hand_count(cleaned):
    _, out, _ = cleaned
    report = json.loads((out / "cleaning_report.json").read_text(encoding="utf-8"))
    got = {f["file"]: f for f in report["files"]}
    assert set(got) == set(EXPECTED)
    for name, expected in EXPECTED.items():
        f = got[name]
        for field in ("rows_in", "rows_out", "duplicates", "quarantined"):
            assert f[field] == expected[field], (name, field)
        assert f["rows_in"] == f["rows_out"] + f["duplicates"] + sum(f["quarantined"].values())
    assert report["synthetic"] is False


def test_tables_have_the_expected_rows_and_types(cleaned):
    _, out, _ = cleaned
    for table, n in EXPECTED_TABLE_ROWS.items():
        assert pl.read_parquet(out / f"{table}.parquet").height == n, table
    regs = pl.read_parquet(out / "registrations.parquet")
    assert regs.schema["credits_registered"] == pl.Float64
    # "HT 24", "ht-2024" and "Höst 2024" are one term; "3,0" is 3.0 credits.
    assert set(regs["term"]) == {"HT2024", "VT2025"}
    assert sorted(regs["credits_registered"]) == [3.0, 7.5, 7.5, 7.5, 15.0]
    modes = dict(zip(regs["course_code"] + regs["term"], regs["delivery_mode"], strict=True))
    assert modes["HF1017VT2025"] == "distance"
    assert modes["DD1310HT2024"] == "learning_centre"
    levels = dict(zip(regs["course_code"] + regs["term"], regs["programme_level"], strict=True))
    assert levels["ME1003VT2025"] == "single_course"


def test_persons_are_derived_from_every_source(cleaned):
    _, out, _ = cleaned
    persons = pl.read_parquet(out / "persons.parquet")
    anna = persons.filter(pl.col("person_id") == identity.pseudonymise(
        pl.Series(["198112189876"]), bytes.fromhex(KEY_HEX))[0]).row(0, named=True)
    assert anna["birth_year"] == 1981
    assert anna["legal_sex"] == "M"
    assert anna["home_municipality_code"] == "0188"
    assert anna["parental_education"] == "upper_secondary_3y"
    assert anna["first_generation"] is True
    kinds = persons["id_kind"].value_counts().sort("id_kind")
    assert dict(kinds.iter_rows()) == {"interim": 1, "personnummer": 4, "samordningsnummer": 1}


def test_quarantine_names_file_row_column_and_reason(cleaned):
    _, out, _ = cleaned
    q = pl.read_parquet(out / "quarantine" / "registrations.parquet")
    rows = {(r["row"], r["column"], r["reason"]) for r in q.iter_rows(named=True)}
    assert rows == {
        (5, "personal_number", "invalid_personal_number"),
        (6, "credits_registered", "invalid_credits"),
        (8, "term", "invalid_term"),
        (9, "programme_code", "unknown_programme"),
    }
    assert q.filter(pl.col("row") == 5)["person_id"][0] is None
    assert q.filter(pl.col("row") == 6)["person_id"][0] is not None


def test_no_identity_number_or_name_leaves_data_raw(cleaned):
    _, out, _ = cleaned
    digits = {re.sub(r"\D", "", n) for n in IDENTITY_NUMBERS}
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        blob = path.read_bytes()
        if path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            blob += frame.write_csv().encode()
        text = blob.decode("utf-8", errors="replace")
        for number in IDENTITY_NUMBERS:
            assert number not in text, (path, number)
        for d in digits:
            assert d[-10:] not in re.sub(r"\D", "", text) or len(d) < 10, (path, d)
        for name in NAMES:
            assert name not in text and name.split()[1] not in text, (path, name)


def test_cleaning_twice_gives_byte_identical_tables(cleaned, tmp_path):
    raw, out, _ = cleaned
    again = tmp_path / "again"
    clean(raw, again, key=bytes.fromhex(KEY_HEX), today=date.fromisoformat(TODAY))
    for path in sorted(out.rglob("*.parquet")) + [out / "cleaning_report.json"]:
        twin = again / path.relative_to(out)
        assert twin.read_bytes() == path.read_bytes(), path.name


def test_real_data_without_a_key_is_refused(tmp_path, monkeypatch):
    raw = write_messy_raw(tmp_path / "raw")
    result = run_cli(
        "clean", "--raw", str(raw), "--out", str(tmp_path / "out"),
        env_extra={"HOME": str(tmp_path / "home")},
    )
    assert result.returncode == 2
    assert "keygen" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_real_data_with_the_demo_key_is_refused(tmp_path):
    raw = write_messy_raw(tmp_path / "raw")
    result = run_cli(
        "clean", "--raw", str(raw), "--out", str(tmp_path / "out"),
        env_extra={"LCANALYSIS_KEY": identity.DEMO_KEY.hex()},
    )
    assert result.returncode == 2
    assert "demo key" in result.stderr


def test_a_missing_required_column_is_one_clear_line(tmp_path):
    raw = tmp_path / "raw"
    (raw / "followups").mkdir(parents=True)
    (raw / "followups" / "f.csv").write_text(
        "Personnummer;Datum;Kommun\n811218-9876;2025-01-01;Solna\n", encoding="utf-8"
    )
    result = run_cli("clean", "--raw", str(raw), "--out", str(tmp_path / "out"),
                     env_extra={"LCANALYSIS_KEY": KEY_HEX})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    assert "f.csv" in lines[0] and "residence_municipality" in result.stderr


def test_an_interrupted_write_keeps_the_previous_data(cleaned, tmp_path, monkeypatch):
    raw, out, _ = cleaned
    target = tmp_path / "processed"
    clean(raw, target, key=bytes.fromhex(KEY_HEX), today=date.fromisoformat(TODAY))
    before = (target / "registrations.parquet").read_bytes()

    def boom(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", boom)
    with pytest.raises(OSError):
        clean(raw, target, key=bytes.fromhex(KEY_HEX), today=date.fromisoformat(TODAY))
    monkeypatch.undo()
    assert (target / "registrations.parquet").read_bytes() == before
    # A swap killed between its two renames is undone on the next run.
    target.rename(target.with_name(".processed.old"))
    recover_interrupted(target)
    assert (target / "registrations.parquet").read_bytes() == before


def test_report_refuses_unbalanced_accounting():
    with pytest.raises(AccountingError):
        CleaningReport(
            files=[FileAccount("results", "r.csv", rows_in=5, rows_out=3, duplicates=1)],
            tables={}, synthetic=False,
        )


def test_first_generation_follows_ukas_threshold():
    ids = pl.DataFrame({
        "person_id": ["a" * 32, "b" * 32, "c" * 32, "d" * 32],
        "birth_year": pl.Series([1981, 1990, 1985, 1988], dtype=pl.Int32),
        "legal_sex": ["M", "M", "F", "F"],
        "id_kind": ["personnummer"] * 4,
    })
    background = pl.DataFrame({
        "person_id": ["a" * 32, "b" * 32, "c" * 32, "c" * 32],
        "survey_term": ["HT2024", "HT2024", "HT2024", "VT2025"],
        "parental_education": ["post_secondary_lt_3y", "post_secondary_3y_plus", "doctoral", "unknown"],
        "employed": [True, False, None, None],
        "foreign_background": [False, True, None, None],
    })
    persons = derive_persons(ids, None, background)
    got = dict(zip(persons["person_id"], persons["first_generation"], strict=True))
    # < 3 years post-secondary: first generation; >= 3 years or doctoral: not;
    # the latest answer ("unknown", VT2025) wins for c; d never answered.
    assert got == {"a" * 32: True, "b" * 32: False, "c" * 32: None, "d" * 32: None}


# --- duplicate detection ---------------------------------------------------------------

_VALUE = st.one_of(st.none(), st.sampled_from([0.0, -0.0, 1.5, float("nan")]))


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", None]), st.sampled_from(["x", "y"]), _VALUE),
                max_size=40))
def test_duplicates_agree_with_two_plain_passes(rows):
    # _duplicates compares rows exactly only where the key's hash is shared; it must
    # give what two passes of is_first_distinct over every row give (nulls, NaN and
    # -0.0 compared as polars compares them).
    frame = pl.DataFrame(rows, schema={"person_id": pl.Utf8, "key": pl.Utf8, "value": pl.Float64},
                         orient="row")
    value_cols, key_cols = ["person_id", "key", "value"], ["person_id", "key"]
    duplicate, duplicate_key = _duplicates(frame, value_cols, key_cols)
    expected_duplicate = ~frame.select(pl.struct(value_cols).is_first_distinct()).to_series()
    rest = frame.filter(~expected_duplicate)
    expected_key = pl.Series([False] * frame.height).scatter(
        (~expected_duplicate).arg_true(),
        ~rest.select(pl.struct(key_cols).is_first_distinct()).to_series(),
    )
    assert duplicate.to_list() == expected_duplicate.to_list()
    assert duplicate_key.to_list() == expected_key.to_list()


def test_registrations_without_a_delivery_mode_get_one_from_the_learning_centre():
    from lcanalysis import paths
    from lcanalysis.clean.sources import Lookups, registrations_finish
    from lcanalysis.config import load_codes, load_learning_centres, load_programmes

    config = paths.config_dir()
    lk = Lookups(
        programmes=load_programmes(config / "programmes.yaml"),
        centres=load_learning_centres(config / "learning_centres.yaml"),
        codes=load_codes(config / "codes.yaml"),
        today=date(2026, 11, 1),
    )
    frame = pl.DataFrame({
        "programme_code": ["TBASD", None, None],
        "learning_centre_id": ["norrtalje", "norrtalje", None],
        "delivery_mode": [None, "distance", None],
    })
    done = registrations_finish(frame, lk)
    assert done["delivery_mode"].to_list() == ["learning_centre", "distance", "campus"]
    assert done["programme_level"].to_list() == ["foundation_year", "single_course", "single_course"]
    # Nothing to fill: the column is kept as it is.
    complete = registrations_finish(frame.with_columns(pl.lit("campus").alias("delivery_mode")), lk)
    assert complete["delivery_mode"].to_list() == ["campus"] * 3


# --- terms from dates (a course round's start, a survey response's time) -----------

def _stand_in_spec():
    from lcanalysis.ingest.columns import SourceColumns

    return SourceColumns(
        source="registrations",
        aliases={"term": ("termin",), "round_start": ("startdatum",)},
        required=("term",),
        term_from_date={"term": ("round_start",)},
    )


def test_term_from_the_round_start_date_at_the_season_edges():
    from lcanalysis.clean.sources import terms_from_dates

    frame = pl.DataFrame({
        "term": [None, None, None, None, None, "VT2020", None, None],
        "round_start": ["2025-06-30", "2025-07-01", "2025-08-14", "2025-08-15",
                        "2024-12-31", "2024-08-26", "45678", "not a date"],
    })
    got = terms_from_dates(frame, _stand_in_spec(), date(2026, 1, 1)).get_column("term").to_list()
    # 45678 is an Excel serial date: 2025-01-21
    assert got == ["VT2025", "ST2025", "ST2025", "HT2025", "HT2024", "VT2020", "VT2025", None]


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)))
@settings(max_examples=examples(200), deadline=None)
def test_term_from_a_date_is_the_terms_module_rule(day):
    from lcanalysis import terms
    from lcanalysis.clean.sources import terms_from_dates

    frame = pl.DataFrame({"round_start": [day.isoformat()]})
    got = terms_from_dates(frame, _stand_in_spec(), date(2031, 1, 1)).get_column("term").item()
    assert got == str(terms.Term.from_date(day))
