"""Headers as survey tools and Ladok write them, and suggestions by meaning."""

from pathlib import Path

import pytest

from lcanalysis.errors import ConfigError, InputError
from lcanalysis.ingest import load_column_config, read_raw_file
from lcanalysis.ingest.columns import readings

SPECS = load_column_config(Path(__file__).parents[2] / "config" / "columns.yaml")


@pytest.mark.parametrize(
    ("source", "header", "column"),
    [
        ("registrations", "Högskolepoäng", "credits_registered"),
        ("registrations", "hogskolepoang", "credits_registered"),
        ("registrations", "Omfattningsvärde", "credits_registered"),
        ("registrations", "Studieperiod startdatum", "round_start"),
        ("registrations", "Utbildningskod", "course_code"),
        ("results", "Betygsgrad", "grade"),
        ("results", "Examinationsdatum", "examined_on"),
        ("survey", "Personnummer (ÅÅÅÅMMDD-NNNN)", "personal_number"),
        ("survey", "Föräldrarnas högsta utbildning?", "parental_education"),
        ("survey", "Hur väl stämmer påståendena? - F3 Lokalen", "item:f3"),
        ("survey", "Q3_2", "item:q3_2"),
        ("survey", "Completion time", "completed_on"),
    ],
)
def test_real_headers_map(source, header, column):
    assert SPECS[source].canonical(header) == column


@pytest.mark.parametrize(
    ("source", "header", "reason"),
    [("survey", "IPAddress", "personal data"), ("survey", "LocationLatitude", "personal data"),
     ("survey", "E-mail des Empfängers", "personal data"), ("survey", "Duration (in seconds)", "not used"),
     ("registrations", "Fornamn", "personal data"), ("registrations", "Kurstillfalle", "not used")],
)
def test_known_headers_dropped_with_a_reason(source, header, reason):
    assert SPECS[source].drop_reason(header) == reason
    assert SPECS[source].canonical(header) is None


def test_readings():
    assert readings("A? - F1 Välkommen (valfri)") == [
        "A? - F1 Välkommen (valfri)", "A? - F1 Välkommen", "F1 Välkommen (valfri)"]


def test_missing_column_suggested_by_its_values(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text("Personnummer;Kurskod;Termin;Antal;Registreringsdatum\n"
                    "19900101-1239;SF1625;HT2024;7,5;2024-08-20\n"
                    "19851224-1236;SF1626;VT2025;15,0 hp;2025-01-10\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_raw_file(path, "registrations", SPECS["registrations"])
    assert ("'credits_registered' (by their values: 'Antal' holds credits in 2 of 2 sampled rows; "
            "closest headers: 'Registreringsdatum', but their values do not read as credits)") in str(err.value)


def test_identity_numbers_found_by_value(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text("Student;Kurskod;Termin;hp\n199001011239;SF1625;HT2024;7,5\n"
                    "198512241236;SF1625;HT2024;7,5\n", encoding="utf-8")
    with pytest.raises(InputError, match="'Student' holds identity numbers in 2 of 2 sampled rows"):
        read_raw_file(path, "registrations", SPECS["registrations"])


def test_a_term_date_stands_in_for_the_term(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text("Personnummer;Kurskod;Startdatum;Högskolepoäng\n19900101-1239;SF1625;2024-08-26;7,5 hp\n",
                    encoding="utf-8")
    table = read_raw_file(path, "registrations", SPECS["registrations"])
    assert table.frame.columns == ["personal_number", "course_code", "round_start", "credits_registered", "_row"]


def test_config_checks_the_new_keys(tmp_path):
    path = tmp_path / "columns.yaml"
    path.write_text("survey:\n  required: [term]\n  term_from_date: {term: [responded]}\n"
                    "  personal_data: [termin]\n  columns:\n    term: [termin]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_column_config(path)
    assert "'termin' is in 'personal_data' and an alias of 'term'" in str(err.value)
    assert "term_from_date names ['responded']" in str(err.value)


def test_limesurvey_headers(tmp_path):
    path = tmp_path / "lime.csv"
    path.write_text("id,submitdate,lastpage,startlanguage,seed,token,ipaddr,Personnummer,F1 Jag kände mig välkommen\n"
                    "17,2024-10-02 11:00:00,3,sv,123,tok,10.0.0.1,19900101-1239,Instämmer helt\n", encoding="utf-8")
    table = read_raw_file(path, "survey", SPECS["survey"])
    assert table.frame.columns == ["completed_on", "personal_number", "item:f1", "_row"]
    assert table.mapping.known_dropped == {
        "id": "personal data", "lastpage": "not used", "startlanguage": "not used",
        "seed": "not used", "token": "personal data", "ipaddr": "personal data"}
