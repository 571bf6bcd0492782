"""SCB tables in every layout SCB gives, read into municipal_stats.

The fixtures (tests/fixtures/scb_layouts.py) imitate real downloads; the expected
numbers below are worked out by hand from how each fixture is built (its docstring).
"""

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from lcanalysis.cli import app
from lcanalysis.errors import InputError
from lcanalysis.ingest import municipal_stats_from_scb, read_scb_table
from lcanalysis.ingest.scb import age_interval
from tests.fixtures import scb_layouts as layouts

BANDS = ["pop_0_18", "pop_19_24", "pop_25_34", "pop_35_44", "pop_45_64", "pop_65_plus", "pop_total"]
EDUCATION = ["pop_25_64_educated", "post_secondary_3y_25_64", "post_secondary_3y_share_25_64"]


def stats_of(tmp_path, name, content):
    path = tmp_path / name
    if callable(content):
        content(path)
    else:
        path.write_bytes(content)
    stats, _ = municipal_stats_from_scb([read_scb_table(path)])
    return stats


def rows(stats, columns):
    return {(r["municipality_code"], r["year"]): [r[c] for c in columns] for r in stats.iter_rows(named=True)}


def test_single_years_swedish_summed_over_sex_and_marital_status(tmp_path):
    stats = stats_of(tmp_path, "befolkning.csv", layouts.population_single_years_sv())
    assert rows(stats, BANDS) == {
        ("0120", 2023): [190, 60, 100, 100, 200, 360, 1010],
        # one '..' among the 70-year-olds: 65+ and the total are missing, never 1006
        ("0180", 2023): [190, 60, 100, 100, 200, None, None],
    }
    assert stats.get_column("pop_25_64_educated").null_count() == 2


def test_single_years_english_years_as_columns(tmp_path):
    stats = stats_of(tmp_path, "population.csv", layouts.population_single_years_en())
    assert rows(stats, BANDS) == {
        ("1480", 2022): [190, 60, 100, 100, 200, 360, 1010],
        ("1480", 2023): [380, 120, 200, 200, 400, 720, 2020],
    }


def test_year_as_a_column_tab_separated(tmp_path):
    stats = stats_of(tmp_path, "kiruna.tsv", layouts.population_year_column())
    assert rows(stats, BANDS) == {
        ("2584", 2023): [100, 20, 30, 40, 50, 60, 300],
        ("2584", 2024): [200, 40, 60, 80, 100, 120, 600],
    }


def test_education_eight_levels_25_64_names_without_codes(tmp_path):
    stats = stats_of(tmp_path, "utbildning.csv", layouts.education_r_export())
    # Upplands Väsby, per level v: 25-34 men 10v + women 2v, three more bands 3v each
    # = 21v; all levels 21 x 36 = 756; 3 years or more (v = 6, 7) 21 x 13 = 273.
    assert rows(stats, EDUCATION) == {
        ("0114", 2019): [756, 273, 273 / 756],
        ("0115", 2019): [None, None, None],  # Vallentuna: one '..' cell
        ("0117", 2019): [None, None, None],  # Österåker: cut in the middle
    }


def test_xlsx_stubs_filled_down(tmp_path):
    stats = stats_of(tmp_path, "folkmangd.xlsx", layouts.population_xlsx)
    expected = [201, 401, 601, 801, 1001, 1201, 4206]
    assert rows(stats, BANDS) == {("0180", 2023): expected, ("1280", 2023): expected}


def test_px_codes_and_data_symbols(tmp_path):
    stats = stats_of(tmp_path, "BE0101N1.px", layouts.population_px())
    assert rows(stats, BANDS) == {
        ("0114", 2022): [1, 3, 5, 7, 9, 11, 36],
        ("0114", 2023): [2, 4, 6, 8, 10, 12, 42],
        ("0115", 2022): [None, 30, 50, 70, 90, 110, None],  # "..." is missing
        ("0115", 2023): [20, 40, 60, 80, 100, 120, 420],
    }


def test_jsonstat_v2(tmp_path):
    stats = stats_of(tmp_path, "tab638.json", layouts.population_jsonstat())
    assert rows(stats, BANDS) == {("2480", 2024): [2003, 4003, 6003, 8003, 10003, None, None]}


def test_pxweb_v1_json(tmp_path):
    stats = stats_of(tmp_path, "befolkning.json", layouts.population_pxweb_v1())
    assert rows(stats, BANDS) == {("0380", 2024): [7, 14, 21, 28, 35, 42, 147]}


@pytest.mark.parametrize(
    ("label", "interval"),
    [("0 år", (0, 0)), ("1 year", (1, 1)), ("47 years", (47, 47)), ("100+ år", (100, None)),
     ("65- år", (65, None)), ("16-24 år", (16, 24)), ("95+ years", (95, None)), ("-19", (0, 19)),
     ("totalt", None), ("data not available", None)],
)
def test_age_labels(label, interval):
    assert age_interval(label) == interval


def test_bands_that_cannot_be_formed_are_missing(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text('"region";"ålder";"2023"\n"0180 Stockholm";"0-17 år";"5"\n'
                    '"0180 Stockholm";"18-24 år";"6"\n"0180 Stockholm";"25-64 år";"7"\n'
                    '"0180 Stockholm";"65+ år";"8"\n', encoding="utf-8")
    table = read_scb_table(path)
    assert table.unavailable == ["pop_0_18", "pop_19_24", "pop_25_34", "pop_35_44", "pop_45_64"]
    stats, _ = municipal_stats_from_scb([table])
    assert rows(stats, BANDS) == {("0180", 2023): [None, None, None, None, None, 8, None]}


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (layouts.nuts_counties(), "NUTS regions ('SE110 Stockholms län')"),
        (layouts.country_only(), "the whole country only ('00 Sweden')"),
        (layouts.live_births(), "counts live births"),
        (layouts.deaths_wide(), "Deaths in the first year of life per 1 000 live births"),
        (b"a;b\n1;2\n", "not an SCB table export"),
        ('"region";"ålder";"2023"\n"0180 Stockholm";"ung";"5"\n'.encode(), "unknown age band 'ung'"),
        ('"region";"ålder";"2023"\n"0180 Stockholm";"0-18 år";"many"\n'.encode(),
         "row 2, column '2023': 'many' is not a number"),
        ('"region";"ålder";"2023"\n"0999 Atlantis";"0-18 år";"5"\n'.encode(),
         "region '0999 Atlantis' is not one of the 290 municipalities"),
    ],
)
def test_refused_with_what_to_download(tmp_path, content, says):
    path = tmp_path / "table.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        municipal_stats_from_scb([read_scb_table(path)])
    assert says in str(err.value)


def test_education_bands_crossing_25_64_are_refused(tmp_path):
    path = tmp_path / "edu.csv"
    path.write_text('"region","utbildningsnivå","ålder","2019"\n'
                    '"0180 Stockholm","forskarutbildning","20-29 år",5\n'
                    '"0180 Stockholm","forskarutbildning","30-64 år",5\n', encoding="utf-8")
    with pytest.raises(InputError, match="the ages 25-64 cannot be formed"):
        read_scb_table(path)


def test_overlapping_tables_that_disagree(tmp_path):
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    a.write_bytes(layouts.population_year_column())
    b.write_bytes(layouts.population_year_column().replace(b"\t30\n", b"\t31\n", 1))
    with pytest.raises(InputError, match="give different values for municipality 2584, 2023, pop_25_34"):
        municipal_stats_from_scb([read_scb_table(a), read_scb_table(b)])
    same = municipal_stats_from_scb([read_scb_table(a), read_scb_table(a)])[0]
    assert rows(same, ["pop_total"]) == {("2584", 2023): [300], ("2584", 2024): [600]}


def _clean(raw, out, *extra):
    return CliRunner().invoke(
        app, ["clean", "--raw", str(raw), "--out", str(out), "--today", "2025-06-01", *extra],
        env={"LCANALYSIS_KEY": "ab" * 32},
    )


def test_cli_reads_every_format_and_accounts_for_every_line(tmp_path):
    raw = tmp_path / "raw" / "municipal_stats"
    raw.mkdir(parents=True)
    (raw / "befolkning.csv").write_bytes(layouts.population_single_years_sv())
    (raw / "BE0101N1.px").write_bytes(layouts.population_px())
    (raw / "utbildning.csv").write_bytes(layouts.education_r_export())
    result = _clean(tmp_path / "raw", tmp_path / "out")
    assert result.exit_code == 0, result.output
    stats = pl.read_parquet(tmp_path / "out" / "municipal_stats.parquet")
    merged = rows(stats, [*BANDS, "post_secondary_3y_25_64"])
    assert merged[("0120", 2023)] == [190, 60, 100, 100, 200, 360, 1010, None]
    assert merged[("0114", 2019)] == [None] * 7 + [273]
    report = json.loads((tmp_path / "out" / "cleaning_report.json").read_text(encoding="utf-8"))
    files = {f["file"]: f for f in report["files"]}
    population = files["municipal_stats/befolkning.csv"]
    # 4 regions x 101 ages x 6 lines; Riket and the county aside; the sex totals unused
    assert (population["rows_in"], population["rows_out"], population["quarantined"]) == (
        2424, 808, {"aggregate_region": 1212, "not_needed": 404})
    px = files["municipal_stats/BE0101N1.px"]  # a row is a stub row: region x age
    assert (px["rows_in"], px["rows_out"], px["quarantined"]) == (18, 12, {"aggregate_region": 6})
    education = files["municipal_stats/utbildning.csv"]
    assert any("not held whole" in w and "Österåker" in w for w in education["warnings"])
    # 16-24 and 65+ lines feed nothing: 2 whole municipalities x 8 levels x 5 bands x 2 sexes,
    # and Österåker's 4 levels x 5 x 2
    assert education["quarantined"] == {"not_needed": 2 * 8 * 5 * 2 + 4 * 5 * 2}


@pytest.mark.parametrize("name", ["notes.pdf", "tabell.px.zip"])
def test_cli_refuses_a_file_it_cannot_read(tmp_path, name):
    raw = tmp_path / "raw" / "municipal_stats"
    raw.mkdir(parents=True)
    (raw / "kiruna.tsv").write_bytes(layouts.population_year_column())
    (raw / name).write_bytes(b"%PDF-1.4\n")
    result = _clean(tmp_path / "raw", tmp_path / "out")
    assert result.exit_code == 2
    assert name in result.stderr and "no reader reads" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("content", "row"),
    [
        # every record one line: read by polars
        ('"T"\n\n"region";"ålder";"2023"\n"0180 Stockholm";"0-18 år";"5"\n"0180 Stockholm";"19-24 år";"many"\n', 5),
        # a quoted line break: read record by record, the rows still as a person counts them
        ('"region";"ålder";"2023"\n"0180\nStockholm";"0-18 år";"5"\n"0180 Stockholm";"19-24 år";"many"\n', 4),
    ],
)
def test_row_numbers_in_both_readings(tmp_path, content, row):
    path = tmp_path / "pop.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=rf"row {row}, column '2023': 'many' is not a number"):
        read_scb_table(path)
