"""Table export: disclosure refusal, suppressed codes, CSV injection, workbook layout, HTML."""

from __future__ import annotations

import csv
import re

import polars as pl
import pytest

from lcanalysis.disclosure import Layout
from lcanalysis.plots.labels import NBSP
from lcanalysis.report.tables import ExportRefused, export_tables, render_html_table, sheet_names

RATE_SCHEMA = {
    "centre": pl.Utf8, "route": pl.Utf8, "numerator": pl.Int64, "denominator": pl.Int64, "rate": pl.Float64,
    "ci_low": pl.Float64, "ci_high": pl.Float64, "suppressed": pl.Boolean,
    "suppression_reason": pl.Utf8,
}


CENTRE_ROUTE = Layout(keys=("centre", "route"))


@pytest.fixture
def safe_table() -> pl.DataFrame:
    """Passes the default policy: the learning-centre row is suppressed (denominator 8,
    hidden with it)."""
    return pl.DataFrame(
        [
            ("Norrtälje", "campus", 500, 1234, 0.405186, 0.378, 0.433, False, None),
            ("Norrtälje", "learning_centre", None, None, None, None, None, True, "small_denominator"),
            ("=HYPERLINK(\"http://x\")", "campus", 0, 20, 0.0, 0.0, 0.161, False, None),
        ],
        schema=RATE_SCHEMA,
        orient="row",
    )


@pytest.fixture
def leaky_table() -> pl.DataFrame:
    """Shows a count of 3 and a rate on 8 people: two violations of the default policy."""
    return pl.DataFrame(
        [("Sveg", "campus", 3, 8, 0.375, 0.137, 0.694, False, None)], schema=RATE_SCHEMA,
        orient="row",
    )


def export(tmp_path, tables, lang="sv", synthetic=True):
    notes = dict.fromkeys(tables, "Andel förstagenerationsstudenter (UKÄ:s definition).")
    return export_tables(tables, tmp_path, policy="default", lang=lang, notes=notes,
                         synthetic=synthetic, layouts=dict.fromkeys(tables, CENTRE_ROUTE))


def test_refuses_the_whole_export_listing_violations_per_table(tmp_path, safe_table, leaky_table):
    with pytest.raises(ExportRefused) as caught:
        export(tmp_path, {"ok": safe_table, "leaky": leaky_table})
    message = str(caught.value)
    assert "table 'leaky'" in message and "table 'ok'" not in message
    assert "small_count" in message and "small_denominator" in message
    assert "row 0, column 'numerator'" in message
    assert list(caught.value.violations) == ["leaky"]
    assert list(tmp_path.iterdir()) == []  # nothing written, not even the safe table


def test_every_table_needs_a_definition(tmp_path, safe_table):
    with pytest.raises(ValueError, match="no definition in notes for table.*first_gen"):
        export_tables({"first_gen": safe_table}, tmp_path, policy="default", lang="en", notes={},
                      synthetic=True, layouts={"first_gen": CENTRE_ROUTE})


def test_swedish_csv_bom_semicolon_decimal_comma_codes_and_escaping(tmp_path, safe_table):
    paths = export(tmp_path, {"first_gen": safe_table})
    raw = paths[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(paths[0].read_text("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0][:4] == ["centre", "route", "numerator", "denominator"]
    assert rows[1][4] == "0,405186"
    assert rows[2][2] == "[small_denominator]" and rows[2][4] == "[small_denominator]"
    assert rows[2][3] == "[small_denominator]"  # the denominator that made it unsafe
    assert rows[3][0] == "'=HYPERLINK(\"http://x\")"
    assert rows[3][2] == "0"  # a true zero is still zero


def test_english_csv_uses_comma_and_point(tmp_path, safe_table):
    paths = export(tmp_path, {"first_gen": safe_table}, lang="en")
    rows = list(csv.reader(paths[0].read_text("utf-8-sig").splitlines()))
    assert rows[1][4] == "0.405186"


def test_workbook_sheets_codes_strings_and_notes(tmp_path, safe_table):
    import openpyxl

    long_name = "first_generation_by_programme_level_and_route"
    paths = export(tmp_path, {long_name: safe_table, "short": safe_table})
    book = openpyxl.load_workbook(paths[-1])
    assert book.sheetnames == ["anteckningar", long_name[:31], "short"]
    sheet = book[long_name[:31]]
    assert sheet["C3"].value == "[small_denominator]"
    injected = sheet["A4"]
    assert injected.value == "'=HYPERLINK(\"http://x\")" and injected.data_type == "s"
    assert sheet["E2"].value == pytest.approx(0.405186) and sheet["E2"].number_format == "0.0%"
    notes = "\n".join(str(c.value) for row in book["anteckningar"].iter_rows() for c in row if c.value)
    assert "Syntetiska data" in notes
    assert "default" in notes and "small_count_max = 4" in notes
    assert "[small_denominator]" in notes and "UKÄ:s definition" in notes


def test_real_data_workbook_has_no_synthetic_warning(tmp_path, safe_table):
    import openpyxl

    paths = export(tmp_path, {"t": safe_table}, lang="en", synthetic=False)
    book = openpyxl.load_workbook(paths[-1])
    notes = " ".join(str(c.value) for row in book["notes"].iter_rows() for c in row if c.value)
    assert "Synthetic" not in notes


def test_sheet_names_are_short_unique_and_legal():
    names = sheet_names(["a" * 40, "A" * 40, "x/y:z", "notes"], reserved="notes")
    values = list(names.values())
    assert all(len(v) <= 31 for v in values)
    assert len({v.lower() for v in values} | {"notes"}) == len(values) + 1
    assert names["x/y:z"] == "x_y_z"


def test_html_table_is_accessible_formatted_and_escaped(safe_table):
    html = render_html_table(safe_table, lang="sv", caption="Andel <förstagenerations> studenter")
    assert "<caption>Andel &lt;förstagenerations&gt; studenter</caption>" in html
    assert '<th scope="col">Studieväg</th>' in html and '<th scope="row">Norrtälje</th>' in html
    assert "<td>Campus</td>" in html
    assert f"40,5{NBSP}%" in html and f"1{NBSP}234" in html
    suppressed = re.search(r'<td class="suppressed" title="([^"]+)">\[small_denominator\]</td>', html)
    assert suppressed and "för liten grupp" in suppressed.group(1)
    assert "=HYPERLINK(&quot;http://x&quot;)" in html
    assert "suppression_reason" not in html and "Orsak" not in html


def test_html_table_in_english(safe_table):
    html = render_html_table(safe_table.head(2), lang="en", caption="c")
    assert "<td>Learning centre</td>" in html and "40.5%" in html


def test_nan_is_written_as_missing_not_as_an_error(tmp_path):
    from lcanalysis.report.tables import export_tables

    estimates = pl.DataFrame({"method": ["twfe", "randomisation"], "estimate": [7.4, 7.6],
                              "std_error": [0.5, float("nan")], "n_obs": [3480, 3480]})
    paths = export_tables({"effect": estimates}, tmp_path, policy="default", lang="en",
                          notes={"effect": "Pilot effect."}, synthetic=True,
                          layouts={"effect": Layout(keys=("method",))})
    text = paths[0].read_text(encoding="utf-8-sig")
    assert "nan" not in text.lower() and "randomisation,7.6,,3480" in text


def test_exported_numbers_keep_six_decimals(tmp_path):
    from lcanalysis.report.tables import export_tables

    rates = pl.DataFrame({"route": ["campus"], "numerator": [1366], "denominator": [4494],
                          "rate": [0.30396083667], "ci_low": [0.2906849837], "ci_high": [0.3175715508],
                          "suppressed": [False], "suppression_reason": pl.Series([None], dtype=pl.Utf8)})
    paths = export_tables({"r": rates}, tmp_path, policy="default", lang="sv",
                          notes={"r": "A rate."}, synthetic=False,
                          layouts={"r": Layout(keys=("route",))})
    line = paths[0].read_text(encoding="utf-8-sig").splitlines()[1]
    # A Swedish decimal with ten digits ("0,2906849837") reads like an identity number.
    assert line == "campus;1366;4494;0,303961;0,290685;0,317572;false;"


def test_html_estimates_keep_their_unit():
    from lcanalysis.report.tables import render_html_table

    estimates = pl.DataFrame({"method": ["twfe", "randomisation"], "estimate": [7.41, 7.58],
                              "std_error": [0.53, float("nan")], "ci_low": [6.37, 6.41],
                              "ci_high": [8.45, 8.77], "p_value": [0.0001, 0.005], "n_obs": [3480, 3480]})
    text = render_html_table(estimates, lang="en", caption="Pilot effect")
    assert "6.37" in text and "636" not in text and "%" not in text
    assert "0.005" in text and "nan" not in text.lower() and "–" in text


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_layouts_log_and_tables_read_back_as_written(tmp_path, safe_table, lang):
    import json

    from lcanalysis.report.tables import LAYOUT_FILE, LOG_FILE, read_exported_table

    counts = pl.DataFrame({"municipality_code": ["0181", "2480"], "n": [12, 30],
                           "hours": [10.5, 2.25], "suppressed": [False, False],
                           "suppression_reason": pl.Series([None, None], dtype=pl.Utf8)})
    notes = {"first_gen": "Andel.", "hosts": "Värdar."}
    export_tables({"first_gen": safe_table, "hosts": counts}, tmp_path, policy="default",
                  lang=lang, notes=notes, synthetic=True,
                  layouts={"first_gen": CENTRE_ROUTE, "hosts": Layout(keys=("municipality_code",))})
    layouts = json.loads((tmp_path / LAYOUT_FILE).read_text(encoding="utf-8"))
    assert layouts["tables"]["first_gen"]["keys"] == ["centre", "route"]
    assert Layout.from_json(layouts["tables"]["first_gen"]) == CENTRE_ROUTE
    log = pl.read_csv(tmp_path / LOG_FILE)
    assert log.rows() == [("first_gen", "centre=Norrtälje, route=learning_centre",
                           "small_denominator", "primary", "default")]
    back = read_exported_table(tmp_path / "first_gen.csv")
    assert back["numerator"].to_list() == [500, None, 0]
    assert back["rate"][0] == pytest.approx(0.405186)
    assert back["centre"][2] == '=HYPERLINK("http://x")'  # the injection quote removed
    assert back["suppressed"].to_list() == [False, True, False]
    hosts = read_exported_table(tmp_path / "hosts.csv")
    assert hosts["municipality_code"].to_list() == ["0181", "2480"]  # codes stay text
    assert hosts["hours"].to_list() == [10.5, 2.25]
