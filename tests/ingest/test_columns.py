from pathlib import Path

import pytest

from lcanalysis.errors import ConfigError, InputError
from lcanalysis.ingest.columns import load_column_config, map_headers
from lcanalysis.text import fold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\ufeffPersonnummer", "personnummer"),
        ("  Registrerade   HP ", "registrerade hp"),
        ("LÄRCENTRUM", "larcentrum"),
        ("Föräldrarnas  Högsta utbildning", "foraldrarnas hogsta utbildning"),
        ("Kafé", "kafe"),
    ],
)
def test_headers_are_compared_folded(text, expected):
    assert fold(text) == expected


def test_variants_in_odd_case_and_spacing_map(registrations):
    mapping = map_headers(
        [" PNR", "Kurskod  ", "TERMIN", "registrerade   HP", "Larcentrum", "Kommentar"],
        registrations,
        file="x.csv",
    )
    assert mapping.canonical == [
        "personal_number",
        "course_code",
        "term",
        "credits_registered",
        "learning_centre",
        None,
    ]
    assert mapping.dropped == ["Kommentar"]


def test_survey_items_get_item_names(survey):
    mapping = map_headers(
        ["Personnummer", "Enkätomgång", "F1 Jag kände mig välkommen", "q 2", "Fråga 3: Lokalen"],
        survey,
        file="s.csv",
    )
    assert mapping.canonical[2:] == ["item:f1", "item:q2", "item:fråga3"]


def test_missing_required_names_file_column_and_close_headers(registrations):
    with pytest.raises(InputError) as err:
        map_headers(
            ["Personnumer", "Kurskod", "Termin", "HP"], registrations, file="reg.csv", row=3
        )
    message = str(err.value)
    assert message.startswith("reg.csv, row 3, column 'personal_number'")
    assert "'Personnumer'" in message
    assert "closest headers" in message


def test_two_headers_for_one_column_name_both(registrations):
    with pytest.raises(
        InputError, match="'pnr' and 'Personnummer' both mean column 'personal_number'"
    ):
        map_headers(["pnr", "Kurskod", "Personnummer", "Termin", "HP"], registrations, file="r.csv")


def test_project_config_is_valid():
    specs = load_column_config(Path(__file__).parents[2] / "config" / "columns.yaml")
    assert "personal_number" in specs["registrations"].required
    assert specs["survey"].canonical("F12 Trivsel") == "item:f12"


def test_config_problems_are_listed_together(tmp_path):
    path = tmp_path / "columns.yaml"
    path.write_text(
        "registrations:\n"
        "  required: [personal_number, term]\n"
        "  colums: {}\n"
        "  columns:\n"
        "    personal_number: [pnr, kurs]\n"
        "    course_code: [Kurs]\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_column_config(path)
    problems = err.value.problems
    assert len(problems) == 3
    assert any("unknown key 'colums'" in p for p in problems)
    assert any("'term' is not in 'columns'" in p for p in problems)
    assert any("'Kurs' is used for both 'personal_number' and 'course_code'" in p for p in problems)
