"""Tests of lcanalysis.geo: the reference tables, name resolution, regions, distances."""

from __future__ import annotations

import unicodedata

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_series_equal

from lcanalysis import geo
from tests.fixtures.examples import examples

# --- reference tables ---------------------------------------------------------------


def test_municipality_table_invariants():
    m = geo.municipalities()
    assert m.height == 290
    assert m["municipality_code"].n_unique() == 290
    assert m["municipality_code"].str.contains(r"^\d{4}$").all()
    assert (m["county_code"] == m["municipality_code"].str.slice(0, 2)).all()
    assert m["name"].n_unique() == 290
    assert m["official_name"].n_unique() == 290
    assert m["lat"].is_between(55.3, 69.1).all()
    assert m["lon"].is_between(11.0, 24.2).all()
    assert m.null_count().sum_horizontal().item() == 0


def test_skr_group_counts_2023():
    counts = dict(geo.municipalities()["skr_group_2023"].value_counts().iter_rows())
    assert counts == {
        "A1": 3, "A2": 43, "B3": 23, "B4": 63, "B5": 24,
        "C6": 27, "C7": 51, "C8": 35, "C9": 21,
    }  # fmt: skip
    assert set(counts) == set(geo.skr_groups()["skr_group"])


def test_counties_cover_every_municipality():
    c = geo.counties()
    assert c.height == 21
    assert set(c["county_code"]) == set(geo.municipalities()["county_code"])
    assert c.filter(pl.col("county_code") == "20").row(0) == ("20", "Dalarna", "Dalarnas län")


@pytest.mark.parametrize(
    ("code", "official"),
    [
        ("0180", "Stockholms stad"),
        ("1480", "Göteborgs Stad"),
        ("1490", "Borås Stad"),
        ("1280", "Malmö stad"),
        ("0980", "Region Gotland"),
        ("2080", "Falu kommun"),
        ("0880", "Kalmar kommun"),
        ("0114", "Upplands Väsby kommun"),
        ("2482", "Skellefteå kommun"),
        ("1481", "Mölndals stad"),
        ("2583", "Haparanda stad"),
        ("1980", "Västerås stad"),
        ("1421", "Orust kommun"),
        ("2023", "Malung-Sälens kommun"),
        ("1860", "Laxå kommun"),
        ("2514", "Kalix kommun"),
        ("1290", "Kristianstads kommun"),
    ],
)
def test_official_names(code, official):
    m = geo.municipalities()
    assert m.filter(pl.col("municipality_code") == code)["official_name"].item() == official


def test_stad_municipalities_are_the_fourteen():
    stad = geo.municipalities().filter(pl.col("official_name").str.contains("(?i) stad$"))
    assert stad.height == 14


def test_tables_are_fresh_copies():
    first = geo.municipalities()
    first.drop_in_place("lat")
    assert "lat" in geo.municipalities().columns


def test_skr_group_labels():
    assert geo.skr_group_labels("sv")["C9"] == "Landsbygdskommun med besöksnäring"
    assert geo.skr_group_labels()["A1"] == "Large cities"
    with pytest.raises(ValueError, match="'sv' or 'en'"):
        geo.skr_group_labels("de")


# --- resolution -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("0180 Stockholm", "0180"),
        ("Falu kommun", "2080"),
        ("Region Gotland", "0980"),
        ("Malmö stad", "1280"),
        ("Göteborgs Stad", "1480"),
        ("Ornskoldsvik", "2284"),
        ("upplands-väsby", "0114"),
        (180, "0180"),
        ("180", "0180"),
        ("0180", "0180"),
        ("180.0", "0180"),
        ("  Upplands Vasby  ", "0114"),
        ("Malmo stad", "1280"),
        ("Goteborgs stad", "1480"),
        ("Stockholms kommun", "0180"),
        ("Stockholms kn", "0180"),
        ("Faluns kommun", "2080"),
        ("FALUN", "2080"),
        ("Gotland", "0980"),
        ("Dals Ed", "1438"),
        ("2584 Kiruna", "2584"),
        ("Habo", "0643"),
        ("Håbo", "0305"),
        ("HÅBO KOMMUN", "0305"),
        ("Atlantis", None),
        ("0180 Göteborg", None),
        ("Stockholms län", None),
        ("Region Stockholm", None),
        ("Sveg", None),
        ("9999", None),
        (1, None),
        ("", None),
        ("kommun", None),
        (None, None),
    ],
)
def test_resolve_municipality(text, code):
    assert geo.resolve_municipality(text) == code


def _strip_swedish_letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_ROWS = geo.municipalities().select("municipality_code", "name", "official_name").rows()


@settings(max_examples=examples(300), deadline=None)
@given(
    row=st.sampled_from(_ROWS),
    field=st.integers(0, 2),
    strip=st.booleans(),
    upper=st.lists(st.booleans(), min_size=40, max_size=40),
    pad=st.sampled_from(["", " ", "  ", "\t"]),
)
def test_every_alias_resolves_to_its_code(row, field, strip, upper, pad):
    code = row[0]
    text = row[field]
    if strip:
        text = _strip_swedish_letters(text)
    text = "".join(ch.upper() if upper[i % 40] else ch.lower() for i, ch in enumerate(text))
    expected = code
    # The one collision: Håbo without its ring is Habo, another municipality's name.
    if strip and code == "0305" and field != 0:
        expected = "0643"
    assert geo.resolve_municipality(pad + text + pad) == expected


@settings(max_examples=examples(500), deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text):
    code = geo.resolve_municipality(text)
    assert code is None or code in set(geo.municipalities()["municipality_code"])


def test_resolve_municipalities_vectorised():
    values = pl.Series("home", ["0180 Stockholm", "Falu kommun", None, "Atlantis", "falun"])
    expected = pl.Series("home", ["0180", "2080", None, None, "2080"])
    assert_series_equal(geo.resolve_municipalities(values), expected)
    ints = pl.Series("home", [180, 2080, None])
    assert_series_equal(geo.resolve_municipalities(ints), pl.Series("home", ["0180", "2080", None]))


# --- regions --------------------------------------------------------------------------


def test_region_expr_at_each_scale():
    df = pl.DataFrame({"code": ["0180", "2080", "0980", "9999", None]})
    out = df.select(
        geo.region_expr("code", "municipality").alias("m"),
        geo.region_expr("code", "county").alias("c"),
        geo.region_expr(pl.col("code"), "skr_group").alias("s"),
    )
    assert out.rows() == [
        ("0180", "01", "A1"),
        ("2080", "20", "C6"),
        ("0980", "09", "C6"),
        (None, None, None),
        (None, None, None),
    ]


def test_region_of_and_add_region():
    codes = pl.Series("home", ["2361", "0188"])
    assert_series_equal(geo.region_of(codes, "county"), pl.Series("home", ["23", "01"]))
    lazy = pl.LazyFrame({"home": ["2361"]})
    out = geo.add_region(lazy, "home", "skr_group", "home_skr").collect()
    assert out.columns == ["home", "home_skr"]
    assert out["home_skr"].item() == "C9"
    expr = geo.region_of(pl.col("home"), "county")
    assert pl.DataFrame({"home": ["1480"]}).select(expr).item() == "14"


def test_unknown_scale_lists_allowed_scales():
    with pytest.raises(ValueError, match="'municipality', 'county', 'skr_group'; got 'kommun'"):
        geo.region_expr("code", "kommun")


# --- distances ------------------------------------------------------------------------


def test_distances_to_kth():
    codes = pl.Series("code", ["0184", "0180", "0380", "1480", "1280", "2584", "9999"])
    km = geo.distance_to_stockholm_km(codes)
    by_code = dict(zip(codes, km, strict=True))
    assert by_code["0184"] < 10  # Solna, next door
    # Stockholm seat 59.33 N 18.07 E: 0.0198 deg of latitude north of it = 2.2 km.
    assert by_code["0180"] == pytest.approx(2.2, abs=0.1)
    assert 60 < by_code["0380"] < 66  # Uppsala
    assert 390 < by_code["1480"] < 405  # Göteborg
    assert 505 < by_code["1280"] < 525  # Malmö
    assert by_code["2584"] > 900  # Kiruna
    assert by_code["9999"] is None


def test_distance_band_edges():
    km = pl.Series("km", [0.0, 49.9, 50.0, 149.9, 150.0, 299.9, 300.0, 1200.0, None, -1.0])
    bands = geo.distance_band(km)
    assert bands.dtype == pl.Enum(geo.DISTANCE_BANDS)
    assert bands.to_list() == [
        "0-49 km", "0-49 km", "50-149 km", "50-149 km", "150-299 km",
        "150-299 km", "300+ km", "300+ km", None, None,
    ]  # fmt: skip


def test_distance_band_as_expression_on_learning_centres():
    df = pl.DataFrame({"code": ["0188", "2184", "2361"]})  # Norrtälje, Hudiksvall, Härjedalen
    out = df.select(geo.distance_band(geo.distance_to_stockholm_km(pl.col("code"))))
    assert out.to_series().to_list() == ["50-149 km", "150-299 km", "300+ km"]


def test_municipality_features_for_panels():
    features = geo.municipality_features()
    assert features.height == 290
    row = features.filter(pl.col("municipality_code") == "2584").row(0, named=True)  # Kiruna
    assert row["skr_group"] == "C6"  # SKR 2023: "mindre stad/tätort"
    assert row["distance_km"] > 900
