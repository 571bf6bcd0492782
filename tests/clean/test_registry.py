"""The source registry (lcanalysis/sources.py): one declaration per source and layout.

A new layout (a Qualtrics export: tests/fixtures/qualtrics_export.py) and a new
source (tests/fixtures/mentoring_source.py, declared only in the test) are cleaned
end to end; docs/data-contract.md's tables of sources and layouts are read and
compared with the declarations, so the two cannot drift.
"""

from __future__ import annotations

import re
import shutil
from datetime import date

import polars as pl
import pytest

from lcanalysis import paths, schemas, sources
from lcanalysis.clean import clean
from lcanalysis.dataset import Dataset
from lcanalysis.ingest import load_column_config
from tests.fixtures import mentoring_source, qualtrics_export
from tests.fixtures.cli import run_cli

KEY_HEX = "cd" * 32
CONTRACT = paths.docs_dir() / "data-contract.md"


def _section(title: str) -> str:
    text = CONTRACT.read_text(encoding="utf-8")
    start = text.index(title)
    following = re.search(r"^#{2,3} ", text[start + len(title):], flags=re.MULTILINE)
    return text[start: start + len(title) + (following.start() if following else len(text))]


def _table_rows(section: str) -> list[list[str]]:
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[1:]]


# --- the declarations and what reads them ------------------------------------------


def test_every_named_function_exists():
    for declared in sources.SOURCES.values():
        for role in ("rules", "finish", "to_table", "cleaner", "inspector"):
            if getattr(declared, role) is not None:
                assert callable(declared.function(role)), (declared.name, role)


def test_every_source_has_its_aliases_and_its_table_a_schema():
    specs = load_column_config(paths.config_dir() / "columns.yaml")
    for declared in sources.SOURCES.values():
        assert declared.table in schemas.TABLES
        if declared.rules is not None:
            assert declared.name in specs, declared.name
    assert set(specs) == {s.name for s in sources.SOURCES.values() if s.rules is not None}


def test_a_declaration_that_cannot_clean_is_refused():
    with pytest.raises(ValueError, match="either rules or a cleaner"):
        sources.Source("visits", "visits", "site visits")
    with pytest.raises(ValueError, match="needs a key"):
        sources.Source("visits", "visits", "site visits", rules="m:f", to_table="m:g")


def test_the_contract_lists_the_declared_sources_and_their_required_columns():
    specs = load_column_config(paths.config_dir() / "columns.yaml")
    listed = {}
    for name_cell, columns in _table_rows(_section("## Raw sources")):
        match = re.fullmatch(r"(\w+) \((.+)\)", name_cell)
        assert match, name_cell
        listed[match[1]] = (match[2], set(re.findall(r"\*\*(\w+)\*\*", columns)))
    declared = {s.name: s for s in sources.SOURCES.values()}
    assert list(listed) == list(declared)
    for name, (description, bold) in listed.items():
        assert description == declared[name].description, name
        required = set(specs[name].required) if name in specs else set()
        assert bold == required, name


def test_the_contract_lists_every_declared_layout():
    section = _section("### Accepted export layouts")
    for declared in sources.SOURCES.values():
        for layout in declared.layouts:
            assert f"`{layout.name}`" in section, layout.name


def test_the_contract_lists_every_processed_table():
    tables = [row[0] for row in _table_rows(_section("## Processed tables"))]
    assert tables == list(schemas.TABLES)


# --- a new layout: the Qualtrics export, through the real command ------------------


@pytest.fixture(scope="module")
def qualtrics_cleaned(tmp_path_factory):
    root = tmp_path_factory.mktemp("qualtrics")
    (root / "raw" / "survey").mkdir(parents=True)
    (root / "raw" / "survey" / "qualtrics.csv").write_bytes(qualtrics_export.export())
    result = run_cli("clean", "--raw", str(root / "raw"), "--out", str(root / "out"),
                     "--today", "2026-11-01", env_extra={"LCANALYSIS_KEY": KEY_HEX})
    assert result.returncode == 0, result.stderr
    return root / "out", result


def test_a_qualtrics_export_is_cleaned_answer_by_answer(qualtrics_cleaned):
    out, _ = qualtrics_cleaned
    answers = pl.read_parquet(out / "survey_responses.parquet")
    persons = pl.read_parquet(out / "persons.parquet")
    born = dict(persons.select("person_id", "birth_year").iter_rows())
    got = sorted(
        (born[p], term, item, value) for p, term, item, value in answers.iter_rows()
    )
    # Anna (1990) recorded 5 Nov 2024: 5, 4; Bert (1985) recorded 12 Mar 2025: 2, blank.
    assert got == sorted([
        (1990, "HT2024", "q1_1", 5), (1990, "HT2024", "q1_2", 4),
        (1985, "VT2025", "q1_1", 2), (1985, "VT2025", "q1_2", None),
    ], key=lambda r: (r[0], r[1], r[2]))


def test_a_respondent_without_an_identity_number_is_quarantined_by_line(qualtrics_cleaned):
    out, _ = qualtrics_cleaned
    aside = pl.read_parquet(out / "quarantine" / "survey_responses.parquet")
    assert aside.select("file", "row", "column", "reason").rows() == [
        ("survey/qualtrics.csv", qualtrics_export.ANONYMOUS_ROW, "personal_number", "missing_value")
    ]


def test_free_text_answers_never_reach_an_output(qualtrics_cleaned):
    out, _ = qualtrics_cleaned
    report = (out / "cleaning_report.md").read_text(encoding="utf-8")
    assert "free-text answer(s) dropped at reading" in report
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"tyckte om labbet" not in data and b"Hello World" not in data, path


def test_a_qualtrics_export_without_an_identity_field_is_refused_naming_it(tmp_path):
    (tmp_path / "raw" / "survey").mkdir(parents=True)
    (tmp_path / "raw" / "survey" / "anonymous.csv").write_bytes(qualtrics_export.export(with_person=False))
    result = run_cli("clean", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out"),
                     env_extra={"LCANALYSIS_KEY": KEY_HEX})
    assert result.returncode == 2
    assert "anonymous.csv, row 2, column 'personal_number'" in result.stderr
    assert "add a Personnummer field to the survey flow" in result.stderr
    assert not (tmp_path / "out").exists()


# --- a new source: declared in the test only ---------------------------------------


def test_a_new_source_is_one_declaration_and_its_rules(tmp_path, monkeypatch):
    mentoring_source.register(monkeypatch)
    config = tmp_path / "config"
    shutil.copytree(paths.config_dir(), config)
    with open(config / "columns.yaml", "a", encoding="utf-8") as handle:
        handle.write(mentoring_source.COLUMNS)
    raw = tmp_path / "raw"
    (raw / "mentoring").mkdir(parents=True)
    (raw / "mentoring" / "meetings.csv").write_text(
        "Personnummer;Mötesdatum;Mentorns företag\n"
        "19900315-1231;2025-02-03;Rörverket AB\n"
        "19900315-1231;2025-02-03;Rörverket AB\n"  # the same meeting again
        "850612-4562;3 mars 2025;Skogsbolaget\n"
        "850612-4562;2030-01-01;Skogsbolaget\n",  # in the future
        encoding="utf-8",
    )
    report = clean(raw, tmp_path / "out", key=bytes.fromhex(KEY_HEX), today=date(2026, 11, 1),
                   config_dir=config)
    [account] = report.files
    assert (account.source, account.rows_in, account.rows_out, account.duplicates) == ("mentoring", 4, 2, 1)
    assert account.quarantined == {"invalid_date": 1}
    ds = Dataset.load(tmp_path / "out")
    meetings = ds.mentoring_meetings.sort("met_on")
    assert meetings.select("met_on", "mentor").rows() == [
        (date(2025, 2, 3), "Rörverket AB"), (date(2025, 3, 3), "Skogsbolaget"),
    ]
    assert ds.persons.height == 2
    assert sorted(ds.persons["birth_year"]) == [1985, 1990]


def test_a_source_folder_without_aliases_is_a_configuration_error(tmp_path, monkeypatch):
    from lcanalysis.errors import ConfigError

    mentoring_source.register(monkeypatch)
    (tmp_path / "raw" / "mentoring").mkdir(parents=True)
    (tmp_path / "raw" / "mentoring" / "m.csv").write_text("Personnummer;Datum;Mentor\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no entry for source 'mentoring'"):
        clean(tmp_path / "raw", tmp_path / "out", key=bytes.fromhex(KEY_HEX), today=date(2026, 11, 1))


def test_an_unknown_source_is_named_with_the_known_ones(tmp_path):
    path = tmp_path / "elsewhere" / "x.csv"
    path.parent.mkdir()
    path.write_text("a;b\n", encoding="utf-8")
    result = run_cli("inspect", str(path), "--source", "visits")
    assert result.returncode == 2
    assert "there is no source 'visits'" in result.stderr
    assert ", ".join(sources.SOURCES) in result.stderr


def test_the_raw_folder_rule_reads_the_registry(tmp_path, monkeypatch):
    (tmp_path / "data" / "raw" / "mentoring").mkdir(parents=True)
    assert paths.resolve_raw_dir(root=tmp_path) == tmp_path / "data" / "raw" / "demo"
    mentoring_source.register(monkeypatch)
    assert paths.resolve_raw_dir(root=tmp_path) == tmp_path / "data" / "raw"

