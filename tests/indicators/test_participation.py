"""Participation indicators on the hand-made cohort (conftest) and small inline frames."""

from __future__ import annotations

import polars as pl
import pytest

from lcanalysis import stats
from lcanalysis.indicators import participation as part
from lcanalysis.indicators.routes import entrants


@pytest.fixture
def cohort(registrations, participants, persons) -> pl.DataFrame:
    return entrants(registrations, participants, persons)


def _as_dict(frame: pl.DataFrame, keys: list[str], value: str) -> dict:
    return {tuple(r[k] for k in keys): r[value] for r in frame.iter_rows(named=True)}


def test_composition_keeps_unknown_and_zero_cells(cohort):
    out = part.composition(cohort, "first_generation")
    assert out.columns[:4] == ["route", "first_generation", "numerator", "denominator"]
    # LC: p01 T, p02 F, p03 T, p04 unknown, p10 T; campus: p05 F, p06 T, p07 F, p08 T, p09 unknown
    assert _as_dict(out, ["route", "first_generation"], "numerator") == {
        ("campus", "false"): 2, ("campus", "true"): 2, ("campus", "unknown"): 1,
        ("learning_centre", "false"): 1, ("learning_centre", "true"): 3,
        ("learning_centre", "unknown"): 1,
    }  # fmt: skip
    assert set(out["denominator"]) == {5}
    assert out.filter(pl.col("first_generation") == "true")["rate"].to_list() == [0.4, 0.6]


def test_composition_age_band_in_band_order_with_empty_cells(cohort):
    out = part.composition(cohort, "age_band")
    campus = out.filter(pl.col("route") == "campus")
    assert campus["age_band"].to_list() == ["<20", "20-24", "25-34", "35+", "unknown"]
    # campus: p06 19, p05 20, p07 21, p08 27, p09 unknown birth year
    assert campus["numerator"].to_list() == [1, 2, 1, 0, 1]
    # 0/5: Wilson upper limit z^2 / (n + z^2) = 3.8415 / 8.8415 = 0.4345
    assert campus["ci_high"][3] == pytest.approx(0.4345, abs=5e-5)
    lc = out.filter(pl.col("route") == "learning_centre")
    assert lc["numerator"].to_list() == [2, 1, 1, 1, 0]


def test_route_gap_first_generation(cohort):
    out = part.route_gaps(cohort, "first_generation")
    row = out.row(0, named=True)
    # LC 3 of 4 known, campus 2 of 4 known (one unknown each, left out)
    assert (row["route"], row["numerator"], row["denominator"]) == ("learning_centre", 3, 4)
    assert row["gap_pp"] == pytest.approx(25.0)
    assert row["ratio"] == pytest.approx(1.5)
    assert row["gap_ci_low"] < 0 < row["gap_ci_high"]


def test_route_gap_with_policy_hides_small_groups(cohort):
    out = part.route_gaps(cohort, "first_generation", policy="default")
    # 3 of 4 is a small count under the default policy: hidden with its reason
    assert out["suppressed"].to_list() == [True]
    assert out["suppression_reason"].to_list() == ["small_count"]
    assert out["gap_pp"].to_list() == [None]


def test_indirect_standardisation_by_hand():
    rows = (
        [("learning_centre", "A", v) for v in (1, 1, 1, 0, None)]
        + [("learning_centre", "B", 0)] * 2
        + [("learning_centre", "C", 1)]
        + [("campus", "A", v) for v in (1, 1, 0, 0)]
        + [("campus", "B", v) for v in (1, 0, 0, 0, 0)]
        + [("campus", "D", 1)] * 2
    )
    frame = pl.DataFrame(rows, schema=["route", "band", "passed"], orient="row")
    result = part.indirect_standardisation(frame, "passed", cells=["band"])
    s = result.summary.row(0, named=True)
    # E = 4 * 2/4 + 2 * 1/5 = 2.4; O = 3 + 0; N = 6 (cell C has no campus entrant)
    assert (s["n"], s["observed"]) == (6, 3)
    assert s["expected"] == pytest.approx(2.4)
    assert s["difference_pp"] == pytest.approx(10.0)
    assert s["ratio"] == pytest.approx(1.25)
    # Var = 4 * 0.75 * 0.25 + 2 * 0 * 1 = 0.75; half = 100 * 1.959964 * sqrt(0.75) / 6 = 28.2896
    assert s["ci_low"] == pytest.approx(10.0 - 28.2896, abs=1e-3)
    assert s["ci_high"] == pytest.approx(10.0 + 28.2896, abs=1e-3)
    assert (s["entrants_without_reference"], s["missing"]) == (1, 1)
    cells = result.cells
    assert cells["band"].to_list() == ["A", "B", "C"]
    assert cells["has_reference"].to_list() == [True, True, False]
    assert cells["expected"].to_list()[:2] == pytest.approx([2.0, 0.4])


def test_cross_with_margins(cohort):
    out = part.cross(cohort, "first_generation", "legal_sex", "route")
    keys = list(zip(out["legal_sex"], out["route"], strict=True))
    assert keys == [
        ("F", "campus"), ("F", "learning_centre"), ("F", "All"),
        ("M", "campus"), ("M", "learning_centre"), ("M", "All"),
        ("unknown", "campus"), ("unknown", "All"),
        ("All", "campus"), ("All", "learning_centre"), ("All", "All"),
    ]  # fmt: skip
    assert out["numerator"].to_list() == [1, 2, 3, 1, 1, 2, 0, 0, 2, 3, 5]
    assert out["denominator"].to_list() == [2, 2, 4, 2, 2, 4, 0, 0, 4, 4, 8]
    assert out["missing"].to_list() == [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2]


@pytest.fixture
def municipal_stats() -> pl.DataFrame:
    rows = [
        ("0188", 2024, 100, 200, 300, 400, 900, 0.2),
        ("2184", 2024, 100, 100, 100, 200, 400, 0.25),
        ("2184", 2023, 1, 1, 1, 1, 3, 0.9),
    ]
    return pl.DataFrame(
        rows,
        schema=[
            "municipality_code", "year", "pop_19_24", "pop_25_34", "pop_35_44", "pop_45_64",
            "pop_25_64_educated", "post_secondary_3y_share_25_64",
        ],
        orient="row",
    )  # fmt: skip


def test_reference_population_both_weightings(municipal_stats):
    homes = pl.DataFrame({"home_municipality_code": ["0188", "0188", "0188", "2184", "0181", None]})
    by_entrants = part.reference_population(municipal_stats, homes, year=2024)
    shares = _as_dict(by_entrants, ["characteristic", "category"], "reference_share")
    # first generation: 0188 1 - 0.2 = 0.8, 2184 0.75; (3 * 0.8 + 0.75) / 4 = 0.7875
    assert shares[("first_generation", "true")] == pytest.approx(0.7875)
    assert shares[("first_generation", "false")] == pytest.approx(0.2125)
    # mature (25+ of 19-64): 0188 900/1000, 2184 400/500; (3 * 0.9 + 0.8) / 4 = 0.875
    assert shares[("mature", "true")] == pytest.approx(0.875)
    assert set(by_entrants["entrants_with_reference"]) == {4}
    assert set(by_entrants["entrants_without_reference"]) == {2}
    by_pop = part.reference_population(municipal_stats, homes, year=2024, weight="population")
    shares = _as_dict(by_pop, ["characteristic", "category"], "reference_share")
    # (900 * 0.8 + 400 * 0.75) / 1300 = 0.784615; (900 + 400) / (1000 + 500) = 0.866667
    assert shares[("first_generation", "true")] == pytest.approx(1020 / 1300)
    assert shares[("mature", "true")] == pytest.approx(1300 / 1500)


def test_representation_index_uses_known_share(municipal_stats):
    people = pl.DataFrame(
        {
            "home_municipality_code": ["0188", "0188", "0188", "2184", "0181", None],
            "first_generation": [True, True, False, True, None, None],
        }
    )
    comp = part.composition(people, "first_generation", by=())
    ref = part.reference_population(municipal_stats, people, year=2024)
    out = part.representation_index(comp, ref)
    row = out.filter(pl.col("first_generation") == "true").row(0, named=True)
    # 3 of 4 known are first generation; reference 0.7875 -> index 0.75 / 0.7875
    assert (row["numerator"], row["denominator"], row["unknown"]) == (3, 6, 2)
    assert row["index"] == pytest.approx(0.75 / 0.7875)
    low, _ = stats.wilson_interval(3, 4)
    assert row["index_ci_low"] == pytest.approx(low / 0.7875)
    assert out.height == 2


def test_indirect_standardisation_without_any_reference_is_null_not_nan():
    frame = pl.DataFrame(
        {"route": ["learning_centre", "learning_centre", "campus"], "band": ["A", "A", "B"], "passed": [1, 0, 1]}
    )
    s = part.indirect_standardisation(frame, "passed", cells=["band"]).summary.row(0, named=True)
    assert (s["n"], s["entrants_without_reference"]) == (0, 2)
    assert s["difference_pp"] is None and s["ci_low"] is None and s["ratio"] is None


def test_characteristic_rates_count_only_known_values():
    from lcanalysis.indicators.participation import characteristic_rates

    ent = pl.DataFrame({
        "route": ["learning_centre"] * 4 + ["campus"] * 3,
        "first_generation": [True, True, False, None, False, None, None],
        "mature": [True, True, True, False, False, False, True],
        "legal_sex": ["F", "M", "F", "F", "M", "M", "F"],
        "distance_km": [200.0, 10.0, 150.0, 149.9, 5.0, 300.0, 2.0],
    })
    out = characteristic_rates(ent, ["first_generation", "female", "far_from_stockholm"])
    got = {(r["characteristic"], r["route"]): (r["numerator"], r["denominator"], r["missing"])
           for r in out.iter_rows(named=True)}
    # first generation: LC 2 of 3 known (1 unknown); campus 0 of 1 known (2 unknown).
    assert got[("first_generation", "learning_centre")] == (2, 3, 1)
    assert got[("first_generation", "campus")] == (0, 1, 2)
    assert got[("female", "learning_centre")] == (3, 4, 0)
    # 150 km counts as far; 149.9 does not.
    assert got[("far_from_stockholm", "learning_centre")] == (2, 4, 0)
    assert got[("far_from_stockholm", "campus")] == (1, 3, 0)
