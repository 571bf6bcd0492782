"""``lcanalysis inspect``: how a file would be read, nothing written, nothing identifying shown."""

from typer.testing import CliRunner

from lcanalysis.cli import app
from tests.fixtures import export_layouts as exports
from tests.fixtures import scb_layouts as layouts


def _inspect(path):
    return CliRunner().invoke(app, ["inspect", str(path)])


def test_a_qualtrics_export(tmp_path):
    path = tmp_path / "survey" / "enkat.csv"
    path.parent.mkdir()
    path.write_bytes(exports.qualtrics())
    result = _inspect(path)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "source: survey (from the folder)" in lines
    assert "  'Personnummer (ÅÅÅÅMMDD-NNNN)' -> personal_number" in lines
    assert "  'IP Address' dropped (personal data)" in lines
    assert "  'Hur väl stämmer påståendena? - F1 Jag kände mig välkommen' -> item:f1" in lines
    assert "survey_term: no such column; the term of recorded_on stands in" in lines
    assert "  item:f1: 2 of 2 filled values parse, e.g. 5, 1" in lines
    assert "  personal_number: 2 of 2 filled values parse, e.g. 19900101-****, 19851224-****" in lines
    for secret in exports.IDENTIFYING:
        assert secret not in result.output
    assert list(tmp_path.rglob("*")) == [path.parent, path]  # nothing written


def test_a_ladok_export_with_credits_in_words(tmp_path):
    path = tmp_path / "registrations" / "ladok.csv"
    path.parent.mkdir()
    path.write_bytes(exports.ladok_registrations())
    lines = _inspect(path).output.splitlines()
    assert "encoding: cp1252" in lines and "separator: ';'" in lines
    assert "  'Högskolepoäng' -> credits_registered" in lines
    assert "  'Kurstillfälle' dropped (not used)" in lines
    assert "  credits_registered: 2 of 2 filled values parse, e.g. 7.5, 15.0" in lines


def test_an_scb_table_and_a_refused_one(tmp_path):
    folder = tmp_path / "municipal_stats"
    folder.mkdir()
    (folder / "utbildning.csv").write_bytes(layouts.education_r_export())
    result = _inspect(folder / "utbildning.csv")
    assert result.exit_code == 0
    assert "read as: education table" in result.output
    assert "  dimension 'kön' (summed over): 2 values, e.g. 'män', 'kvinnor'" in result.output
    assert "regions: 3 municipality" in result.output
    (folder / "births.csv").write_bytes(layouts.live_births())
    refused = _inspect(folder / "births.csv")
    assert refused.exit_code == 2
    assert "refused: the table counts live births" in refused.output


def test_the_source_must_be_known(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(exports.ladok_registrations())
    result = _inspect(path)
    assert result.exit_code == 2
    assert "cannot tell the source from the folder" in result.stderr
    assert CliRunner().invoke(app, ["inspect", str(path), "--source", "registrations"]).exit_code == 0
