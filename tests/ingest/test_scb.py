import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lcanalysis.errors import InputError
from lcanalysis.ingest import municipal_stats_from_scb, read_scb_table

POPULATION = """"Folkmängden efter region, ålder och år"

"region";"ålder";"2022";"2023 Antal"
"Riket";"0-18 år";"2000000";"2100000"
"01 Stockholms län";"0-18 år";"500000";"510000"
"0180 Stockholm";"0-18 år";"200000";"201000"
"0180 Stockholm";"19-24 år";"80000";"81000"
"0180 Stockholm";"25-34 år";"..";"150 000"
"0180 Stockholm";"35-44 år";"140000";"141000"
"0180 Stockholm";"45-64 år";"230000";"231000"
"0180 Stockholm";"65- år";"150000";"151000"
"0180 Stockholm";"totalt";"1";"1"

"Förklaring: .. = uppgift saknas"
"""

EDUCATION = """"Befolkning 25-64 år efter region, utbildningsnivå och år"
"region","utbildningsnivå","2023"
"2584 Kiruna","förgymnasial utbildning","1000"
"2584 Kiruna","gymnasial utbildning","5000"
"2584 Kiruna","eftergymnasial utbildning, mindre än 3 år","1500"
"2584 Kiruna","eftergymnasial utbildning, 3 år eller mer","2400"
"2584 Kiruna","uppgift om utbildningsnivå saknas","100"
"0180 Stockholm","förgymnasial utbildning","30000"
"0180 Stockholm","gymnasial utbildning","100000"
"0180 Stockholm","eftergymnasial utbildning, mindre än 3 år","80000"
"0180 Stockholm","eftergymnasial utbildning, 3 år eller mer","-"
"0180 Stockholm","uppgift om utbildningsnivå saknas","10000"
"""


@pytest.fixture
def tables(tmp_path):
    population = tmp_path / "befolkning.csv"
    population.write_bytes(POPULATION.encode("latin-1"))
    education = tmp_path / "utbildning.csv"
    education.write_bytes(EDUCATION.encode("utf-8"))
    return read_scb_table(population), read_scb_table(education)


def test_long_form(tables):
    population, education = tables
    assert (population.kind, education.kind) == ("population", "education")
    frame = population.frame.filter(
        pl.col("region_label") == "0180 Stockholm", pl.col("dimension") == "25-34 år"
    )
    assert frame.select("year", "value", "_row").rows() == [(2022, None, 8), (2023, 150000.0, 8)]


def test_municipal_stats(tables):
    stats, skipped = municipal_stats_from_scb(list(tables))
    share = 2400 / 10000
    expected = pl.DataFrame(
        {
            "municipality_code": ["0180", "0180", "2584"],
            "year": pl.Series([2022, 2023, 2023], dtype=pl.Int32),
            "pop_0_18": [200000, 201000, None],
            "pop_19_24": [80000, 81000, None],
            "pop_25_34": [None, 150000, None],
            "pop_35_44": [140000, 141000, None],
            "pop_45_64": [230000, 231000, None],
            "pop_65_plus": [150000, 151000, None],
            "pop_total": [None, 955000, None],
            "pop_25_64_educated": [None, None, 10000],
            "post_secondary_3y_25_64": [None, None, 2400],
            "post_secondary_3y_share_25_64": [None, None, share],
        },
        schema_overrides={
            c: pl.Int64
            for c in [
                "pop_0_18",
                "pop_19_24",
                "pop_25_34",
                "pop_35_44",
                "pop_45_64",
                "pop_65_plus",
                "pop_total",
                "pop_25_64_educated",
                "post_secondary_3y_25_64",
            ]
        },
    )
    assert_frame_equal(stats, expected)
    assert skipped == {"country": 2, "county": 2}


def test_unknown_age_band_names_the_row(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_bytes('"region";"ålder";"2023"\n"0180 Stockholm";"17 år";"5"\n'.encode("latin-1"))
    with pytest.raises(InputError, match=r"row 2, column 'ålder': unknown age band '17 år'"):
        municipal_stats_from_scb([read_scb_table(path)])


def test_not_a_number_names_row_and_column(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_bytes(
        '"region";"ålder";"2023"\n"0180 Stockholm";"0-18 år";"many"\n'.encode("latin-1")
    )
    with pytest.raises(InputError, match=r"row 2, column '2023': 'many' is not a number"):
        read_scb_table(path)


def test_not_an_scb_table(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(InputError, match="not an SCB table export"):
        read_scb_table(path)
