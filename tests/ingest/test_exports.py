"""Survey-tool and Ladok exports, end to end through ``lcanalysis clean``.

The fixtures (tests/fixtures/export_layouts.py) imitate Qualtrics (current and
legacy), Microsoft Forms, Google Forms and Ladok exports; the expected values are
written from how each fixture is built.
"""

from __future__ import annotations

import polars as pl
import pytest
from typer.testing import CliRunner

from lcanalysis.cli import app
from tests.fixtures import export_layouts as exports

KEY = "cd" * 32
BORN = {1990: "Anna", 1985: "Bert", 2001: "Cilla"}


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    (raw / "survey").mkdir()
    (raw / "registrations").mkdir()
    (raw / "survey" / "qualtrics.csv").write_bytes(exports.qualtrics())
    (raw / "survey" / "qualtrics_legacy.csv").write_bytes(exports.qualtrics_legacy())
    exports.microsoft_forms(raw / "survey" / "forms.xlsx")
    (raw / "survey" / "google.csv").write_bytes(exports.google_forms())
    (raw / "registrations" / "ladok.csv").write_bytes(exports.ladok_registrations())
    (raw / "registrations" / "ladok_ascii.csv").write_bytes(exports.ladok_registrations_ascii())
    out = raw.parent / "processed"
    result = CliRunner().invoke(
        app, ["clean", "--raw", str(raw), "--out", str(out), "--today", "2025-06-30"],
        env={"LCANALYSIS_KEY": KEY},
    )
    assert result.exit_code == 0, result.output
    return raw, out


def _who(out) -> dict[str, str]:
    persons = pl.read_parquet(out / "persons.parquet")
    return {pid: BORN[year] for pid, year in persons.select("person_id", "birth_year").iter_rows()}


def test_survey_exports_answers_and_terms(cleaned):
    _, out = cleaned
    who = _who(out)
    answers = {
        (who[p], term, item, value)
        for p, term, item, value in pl.read_parquet(out / "survey_responses.parquet").iter_rows()
    }
    assert answers == {
        # Qualtrics: labels, term from RecordedDate (Nov 2024 -> HT, Mar 2025 -> VT)
        ("Anna", "HT2024", "f1", 5), ("Anna", "HT2024", "f2", 4),
        ("Bert", "VT2025", "f1", 1), ("Bert", "VT2025", "f2", 3),
        # legacy Qualtrics: numbers, term from EndDate (2 Sep 2024)
        ("Cilla", "HT2024", "f1", 4), ("Cilla", "HT2024", "f2", 5),
        # Microsoft Forms: English labels, an Excel date-time (20 Jan 2025)
        ("Anna", "VT2025", "f1", 5), ("Anna", "VT2025", "f2", 2),
        # Google Forms: no F2 question, 3 June 2025
        ("Cilla", "VT2025", "f1", 3), ("Cilla", "VT2025", "f2", None),
    }
    persons = pl.read_parquet(out / "persons.parquet")
    bert = persons.filter(pl.col("birth_year") == 1985).row(0, named=True)
    assert (bert["parental_education"], bert["employed"]) == ("upper_secondary_3y", False)


def test_ladok_words_and_term_from_the_round_start(cleaned):
    _, out = cleaned
    who = _who(out)
    rows = {
        (who[p], term, course, credits)
        for p, term, course, credits in pl.read_parquet(out / "registrations.parquet")
        .select("person_id", "term", "course_code", "credits_registered").iter_rows()
    }
    assert rows == {("Anna", "HT2024", "SF1625", 7.5), ("Bert", "VT2025", "SF1626", 15.0),
                    ("Cilla", "HT2024", "SF1625", 7.5)}


def test_personal_data_is_named_in_the_warnings(cleaned):
    import json

    _, out = cleaned
    report = json.loads((out / "cleaning_report.json").read_text(encoding="utf-8"))
    prefix = "personal data dropped at reading: "
    personal = {
        f["file"]: w.split(prefix)[1] for f in report["files"] for w in f["warnings"] if prefix in w
    }
    assert personal["survey/qualtrics.csv"] == (
        "'IP Address (IPAddress)', 'Response ID (ResponseId)', 'Recipient Last Name (RecipientLastName)', "
        "'Recipient First Name (RecipientFirstName)', 'Recipient Email (RecipientEmail)', "
        "'External Data Reference (ExternalReference)', 'Location Latitude (LocationLatitude)', "
        "'Location Longitude (LocationLongitude)'"
    )
    assert personal["survey/qualtrics_legacy.csv"] == (
        "'ResponseID (V1)', 'Name (V3)', 'ExternalDataReference (V4)', 'EmailAddress (V5)', "
        "'IPAddress (V6)', 'LocationLatitude', 'LocationLongitude', 'LocationAccuracy'"
    )
    assert personal["registrations/ladok.csv"] == "'Förnamn', 'Efternamn'"
    assert personal["survey/forms.xlsx"] == "'Id', 'Email', 'Name'"
    assert personal["survey/google.csv"] == "'E-postadress'"


def test_nothing_identifying_reaches_processed(cleaned):
    _, out = cleaned
    texts = []
    for path in sorted(out.rglob("*")):
        if path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            texts += [str(v) for column in frame.columns for v in frame.get_column(column).to_list()]
            texts += frame.columns
        elif path.is_file():
            texts.append(path.read_text(encoding="utf-8"))
    blob = "\n".join(texts)
    found = [s for s in exports.IDENTIFYING if s in blob]
    assert found == []
    # and the privacy gate agrees
    gate = CliRunner().invoke(app, ["check", str(out), "--raw", str(cleaned[0])])
    assert gate.exit_code == 0, gate.output
