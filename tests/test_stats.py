"""Tests of lcanalysis.stats: expected numbers are worked by hand (shown in comments)
or taken from the published source of the method."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from lcanalysis import stats
from lcanalysis.disclosure import apply_policy, audit


def test_wilson_12_of_40_by_hand():
    # z = 1.959964; centre = (0.3 + z^2/80) / (1 + z^2/40) = 0.317525
    # half = z * sqrt(0.3*0.7/40 + z^2/6400) / (1 + z^2/40) = 0.136778
    low, high = stats.wilson_interval(12, 40)
    assert low == pytest.approx(0.1807, abs=5e-5)
    assert high == pytest.approx(0.4543, abs=5e-5)


def test_wilson_vectorised_with_empty_group():
    low, high = stats.wilson_interval(pl.Series([0, 12, 0]), pl.Series([10, 40, 0]))
    # 0/10: lower limit exactly 0, upper z^2/(n + z^2) = 3.841459/13.841459 = 0.2775
    assert low[0] == 0.0
    assert high[0] == pytest.approx(0.2775, abs=5e-5)
    assert low[1] == pytest.approx(0.1807, abs=5e-5)
    assert np.isnan(low[2]) and np.isnan(high[2])


def test_wilson_rejects_numerator_above_denominator():
    with pytest.raises(ValueError, match="numerator"):
        stats.wilson_interval(5, 4)


@given(
    st.integers(min_value=1, max_value=500).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    )
)
def test_wilson_contains_rate_and_mirrors(counts):
    x, n = counts
    low, high = stats.wilson_interval(x, n)
    assert 0.0 <= low <= x / n <= high <= 1.0
    mirror_low, mirror_high = stats.wilson_interval(n - x, n)
    assert low == pytest.approx(1 - mirror_high, abs=1e-12)
    assert high == pytest.approx(1 - mirror_low, abs=1e-12)


def test_rates_counts_missing_and_orders_columns():
    people = pl.DataFrame(
        {
            "centre": ["b"] * 10 + ["a"] * 40 + ["c"] * 2,
            "passed": [True] * 3
            + [False] * 5
            + [None] * 2
            + [True] * 12
            + [False] * 28
            + [None] * 2,
        }
    )
    before = people.clone()
    out = stats.rates(people, ["centre"], "passed")
    assert_frame_equal(people, before)
    assert out.columns == [
        "centre", "numerator", "denominator", "rate", "ci_low", "ci_high",
        "suppressed", "suppression_reason", "missing",
    ]  # fmt: skip
    assert out["centre"].to_list() == ["a", "b", "c"]
    assert out["numerator"].to_list() == [12, 3, 0]
    assert out["denominator"].to_list() == [40, 8, 0]
    assert out["missing"].to_list() == [0, 2, 2]
    assert out["rate"].to_list() == [0.3, 0.375, None]
    assert out["ci_low"][0] == pytest.approx(0.1807, abs=5e-5)
    assert out["ci_low"][2] is None
    assert out["suppressed"].to_list() == [False] * 3
    assert out.schema["numerator"] == pl.Int64 and out.schema["suppression_reason"] == pl.Utf8


def test_rates_overall_and_bad_indicator():
    people = pl.DataFrame({"done": [1, 0, 1, None]})
    out = stats.rates(people, [], "done")
    assert out.select("numerator", "denominator", "missing").row(0) == (2, 3, 1)
    with pytest.raises(ValueError, match="0/1"):
        stats.rates(pl.DataFrame({"done": [0, 2]}), [], "done")
    with pytest.raises(ValueError, match="nope"):
        stats.rates(people, ["nope"], "done")


def test_add_rate_columns_renames_counts():
    counts = pl.DataFrame({"year": [2024, 2025], "passed": [12, 0], "started": [40, 0]})
    out = stats.add_rate_columns(counts, "passed", "started")
    assert out.columns[:3] == ["year", "numerator", "denominator"]
    assert out["rate"].to_list() == [0.3, None]
    assert out["ci_high"][0] == pytest.approx(0.4543, abs=5e-5)


def test_newcombe_matches_newcombe_1998_example():
    # Newcombe (1998), Stat Med 17:873, example 56/70 vs 48/80: method 10 gives
    # 0.0524 to 0.3339 for the difference 0.2.
    est = stats.difference_in_proportions(56, 70, 48, 80)
    assert est.estimate == pytest.approx(0.2)
    assert est.ci_low == pytest.approx(0.0524, abs=5e-5)
    assert est.ci_high == pytest.approx(0.3339, abs=5e-5)


def test_newcombe_by_hand_and_vectorised():
    # Wilson 15/50 = (0.19104, 0.43751), 10/50 = (0.11244, 0.33037)
    # low  = 0.1 - sqrt((0.3-0.19104)^2 + (0.33037-0.2)^2) = -0.0699
    # high = 0.1 + sqrt((0.2-0.11244)^2 + (0.43751-0.3)^2) = 0.2630
    est = stats.difference_in_proportions(np.array([15, 0]), np.array([50, 0]), 10, 50)
    assert est.ci_low[0] == pytest.approx(-0.0699, abs=5e-5)
    assert est.ci_high[0] == pytest.approx(0.2630, abs=5e-5)
    assert np.isnan(est.estimate[1])


@given(st.integers(0, 60), st.integers(1, 60), st.integers(0, 60), st.integers(1, 60))
# Found by this test: 0/1 against 37/37 gave a lower limit of -1 - 2e-16.
@example(0, 1, 37, 37)
def test_newcombe_contains_difference_and_is_antisymmetric(x1, n1, x2, n2):
    x1, x2 = min(x1, n1), min(x2, n2)
    est = stats.difference_in_proportions(x1, n1, x2, n2)
    swapped = stats.difference_in_proportions(x2, n2, x1, n1)
    assert -1 <= est.ci_low <= est.estimate <= est.ci_high <= 1
    assert est.ci_low == pytest.approx(-swapped.ci_high, abs=1e-12)


def test_katz_ratio_by_hand_and_zero_counts():
    # var(log RR) = 1/15 - 1/50 + 1/10 - 1/50 = 0.126667; exp(log 1.5 -+ 1.96*0.355903)
    est = stats.ratio_of_proportions(15, 50, 10, 50)
    assert est.estimate == pytest.approx(1.5)
    assert est.ci_low == pytest.approx(0.7467, abs=5e-5)
    assert est.ci_high == pytest.approx(3.0133, abs=5e-5)
    assert math.isnan(stats.ratio_of_proportions(0, 50, 10, 50).estimate)


def test_compare_groups_gap_in_points_per_stratum():
    frame = stats.add_rate_columns(
        pl.DataFrame(
            {
                "year": [2024, 2024, 2025, 2025],
                "origin": ["campus", "centre", "campus", "centre"],
                "numerator": [10, 15, 48, 56],
                "denominator": [50, 50, 80, 70],
            }
        )
    )
    out = stats.compare_groups(frame, "origin", "campus", by=["year"])
    assert out["origin"].to_list() == ["centre", "centre"]
    assert out["gap_pp"].to_list() == pytest.approx([10.0, 20.0])
    assert out["gap_ci_low"].to_list() == pytest.approx([-6.99, 5.24], abs=5e-3)
    assert out["gap_ci_high"].to_list() == pytest.approx([26.30, 33.39], abs=5e-3)
    assert out["ratio"][0] == pytest.approx(1.5)
    assert out["ratio_ci_low"][0] == pytest.approx(0.7467, abs=5e-5)
    assert out["suppressed"].to_list() == [False, False]


def test_compare_groups_inherits_suppression():
    counts = pl.DataFrame(
        {
            "origin": ["campus", "centre", "other"],
            "numerator": [6, 15, 3],
            "denominator": [8, 50, 40],
        }
    )
    frame = apply_policy(stats.add_rate_columns(counts), "default")
    out = stats.compare_groups(frame, "origin", "campus")
    assert out["suppression_reason"].to_list() == ["reference_suppressed", "small_count"]
    assert out["gap_pp"].to_list() == [None, None]
    assert out["ratio"].to_list() == [None, None]
    assert out["reference_numerator"].to_list() == [None, None]
    assert out["denominator"].to_list() == [50, 40]
    assert audit(out, "default") == []


def _two_by_two() -> pd.DataFrame:
    # exposed: 30 of 50 outcome; unexposed: 20 of 60.
    exposed = [1] * 50 + [0] * 60
    outcome = [1] * 30 + [0] * 20 + [1] * 20 + [0] * 40
    return pd.DataFrame(
        {
            "completed": outcome,
            "centre": exposed,
            "region": (["north", "south"] * 55),
            "site": [i % 10 for i in range(110)],
        }
    )


def test_logistic_effects_two_by_two_by_hand():
    # OR = 30*40 / (20*20) = 3; se(log OR) = sqrt(1/30 + 1/20 + 1/20 + 1/40) = 0.397911
    # AME = 0.6 - 1/3; se = sqrt(.6*.4/50 + (1/3)(2/3)/60) = 0.092215
    res = stats.logistic_effects(pl.from_pandas(_two_by_two()), "completed", "centre", [])
    row = res.odds_ratios.row(0, named=True)
    assert row["term"] == "centre"
    assert row["odds_ratio"] == pytest.approx(3.0, rel=1e-6)
    assert row["ci_low"] == pytest.approx(1.3754, abs=5e-4)
    assert row["ci_high"] == pytest.approx(6.5434, abs=5e-4)
    me = res.marginal_effect.row(0, named=True)
    assert me["ame"] == pytest.approx(0.266667, abs=1e-5)
    assert me["ci_low"] == pytest.approx(0.0859, abs=5e-4)
    assert me["ci_high"] == pytest.approx(0.4474, abs=5e-4)
    assert res.n_obs == 110 and res.n_clusters is None and res.cov_type == "nonrobust"


def test_logistic_effects_categorical_covariate_clusters_and_nulls():
    data = _two_by_two()
    data.loc[0, "region"] = None
    res = stats.logistic_effects(data, "completed", "centre", ["region"], cluster="site")
    assert res.odds_ratios["term"].to_list() == ["C(region)[T.south]", "centre"]
    assert res.n_obs == 109
    assert res.n_clusters == 10 and res.cov_type == "cluster"
    plain = stats.logistic_effects(data, "completed", "centre", ["region"])
    clustered_width = res.marginal_effect["ci_high"][0] - res.marginal_effect["ci_low"][0]
    plain_width = plain.marginal_effect["ci_high"][0] - plain.marginal_effect["ci_low"][0]
    assert res.marginal_effect["ame"][0] == pytest.approx(plain.marginal_effect["ame"][0])
    assert clustered_width != pytest.approx(plain_width, rel=1e-3)


def test_survival_curve_log_log_by_hand():
    # KM for times 1..5, events 1,1,0,1,0: S = 0.8, 0.6, 0.3 at t = 1, 2, 4.
    # Greenwood var at t=1: 0.64 * 1/20 = 0.032; log-log se = sqrt(.032)/(.8*|log .8|)
    # = 1.002073; CI = 0.8 ** exp(+-1.96 * 1.002073) = (0.2038, 0.9692).
    data = pl.DataFrame(
        {"terms": [1, 2, 3, 4, 5] * 2, "dropout": [1, 1, 0, 1, 0] * 2, "arm": ["b"] * 5 + ["a"] * 5}
    )
    out = stats.survival_curve(data, "terms", "dropout", by="arm")
    assert out.columns == ["arm", "time", "survival", "ci_low", "ci_high", "at_risk"]
    first = out.filter(pl.col("arm") == "a")
    assert first["time"].to_list() == [1.0, 2.0, 4.0]
    assert first["survival"].to_list() == pytest.approx([0.8, 0.6, 0.3])
    assert first["at_risk"].to_list() == [5, 4, 2]
    assert first["ci_low"].to_list()[:2] == pytest.approx([0.2038, 0.1257], abs=5e-5)
    assert first["ci_high"].to_list()[:2] == pytest.approx([0.9692, 0.8818], abs=5e-5)
    assert out["arm"].to_list()[:1] == ["a"]


def test_survival_curve_null_interval_when_everyone_has_the_event():
    out = stats.survival_curve(pl.DataFrame({"t": [1, 2], "e": [1, 1]}), "t", "e")
    assert out["survival"].to_list() == pytest.approx([0.5, 0.0])
    assert out["ci_low"][1] is None and out["ci_high"][1] is None


def test_strict_sum_keeps_unknown_unknown():
    frame = pl.DataFrame({"a": [1, 2, None], "b": [10, None, 30], "c": [100, 200, 300]})
    assert frame.select(stats.strict_sum(["a", "b", "c"])).to_series().to_list() == [111, None, None]
