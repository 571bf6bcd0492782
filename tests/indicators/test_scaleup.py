"""Tests of lcanalysis.indicators.scaleup on tiny worlds with known rates."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from lcanalysis.config import LearningCentre
from lcanalysis.errors import InputError
from lcanalysis.indicators.scaleup import (
    candidate_municipalities,
    centre_year_table,
    fit_recruitment_model,
    predict_recruitment,
    scale_up_scenarios,
)


def exact_world() -> pl.DataFrame:
    """Recruits exactly 2 per 1,000 residents when x = 0 and 4 per 1,000 when x = 1."""
    return pl.DataFrame({
        "recruits": [2, 4, 10, 4, 12, 20],
        "population_served": [1000.0, 2000.0, 5000.0, 1000.0, 3000.0, 5000.0],
        "x": [0, 0, 0, 1, 1, 1],
    })


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
def test_poisson_prediction_is_exposure_scaled_rate():
    model = fit_recruitment_model(exact_world(), formula="recruits ~ x")
    candidates = pl.DataFrame({"name": ["low", "high"], "x": [0, 1],
                               "population_served": [10_000.0, 500.0]})
    predicted = predict_recruitment(model, candidates, n_simulations=2000)
    assert predicted["expected"].to_list() == pytest.approx([20.0, 2.0], rel=1e-6)
    low = predicted.row(0, named=True)
    assert low["expected_low"] < 20 < low["expected_high"]
    # outcome noise widens the interval beyond parameter uncertainty
    assert low["prediction_low"] <= low["expected_low"]
    assert low["prediction_high"] >= low["expected_high"]
    assert predicted["draws"].to_numpy().shape == (2, 2000)


def test_intercept_only_rate_is_total_over_exposure():
    model = fit_recruitment_model(exact_world(), formula="recruits ~ 1")
    candidate = pl.DataFrame({"population_served": [1000.0]})
    # 52 recruits over 17,000 residents
    expected = predict_recruitment(model, candidate)["expected"].item()
    assert expected == pytest.approx(52 / 17_000 * 1000, rel=1e-6)


def test_negbin_estimates_overdispersion_and_widens_intervals():
    rng = np.random.default_rng(0)
    exposure = rng.uniform(2_000, 20_000, 200)
    mean = 0.003 * exposure
    recruits = rng.poisson(rng.gamma(1 / 0.5, 0.5 * mean))  # NB2 with alpha 0.5
    data = pl.DataFrame({"recruits": recruits, "population_served": exposure})
    negbin = fit_recruitment_model(data, family="negbin", formula="recruits ~ 1")
    poisson = fit_recruitment_model(data, formula="recruits ~ 1")
    assert negbin.alpha == pytest.approx(0.5, abs=0.2)
    candidate = pl.DataFrame({"population_served": [10_000.0]})
    wide = predict_recruitment(negbin, candidate).row(0, named=True)
    narrow = predict_recruitment(poisson, candidate).row(0, named=True)
    assert wide["expected"] == pytest.approx(30, rel=0.15)
    assert wide["prediction_high"] - wide["prediction_low"] > (
        narrow["prediction_high"] - narrow["prediction_low"])


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
def test_unseen_category_is_a_clear_error():
    data = exact_world().with_columns(skr=pl.when(pl.col("x") == 1).then(pl.lit("A"))
                                      .otherwise(pl.lit("B")))
    model = fit_recruitment_model(data, formula="recruits ~ C(skr)")
    with pytest.raises(InputError, match="covariates"):
        predict_recruitment(model, pl.DataFrame({"skr": ["C"], "population_served": [1.0]}))


def fabricated_predictions() -> pl.DataFrame:
    draws = np.array([[4, 6, 5, 5], [3, 3, 2, 4], [0, 1, 2, 1]])
    return pl.DataFrame({
        "municipality_code": ["m1", "m2", "m3"],
        "expected": [5.0, 3.0, 1.0],
        "education_share": [0.40, 0.30, 0.10],
        "log_distance": [3.0, 4.0, 6.0],
    }).with_columns(pl.Series("draws", draws))


def test_scenarios_add_top_k_and_their_draws():
    table = scale_up_scenarios(fabricated_predictions(), k_values=[1, 2], level=0.5)
    top2 = table.filter(k=2).row(0, named=True)
    assert top2["candidates"] == ["m1", "m2"]
    assert top2["expected"] == 8.0
    # summed draws 7, 9, 7, 9: quartiles 7 and 9
    assert (top2["prediction_low"], top2["prediction_high"]) == (7.0, 9.0)
    with pytest.raises(InputError, match="K=5"):
        scale_up_scenarios(fabricated_predictions(), k_values=[5])


def test_priority_ranks_low_education_and_far_first():
    table = scale_up_scenarios(fabricated_predictions(), k_values=[1, 2], rank_by="priority")
    assert table.filter(k=2)["candidates"].item().to_list() == ["m3", "m2"]
    assert table.filter(k=2)["expected"].item() == 4.0


def stats_and_features():
    stats = pl.DataFrame({
        "municipality_code": ["0188", "0181", "0140"], "year": [2024] * 3,
        "pop_19_24": [100, 200, 300], "pop_25_34": [100, 200, 300],
        "pop_35_44": [100, 200, 300], "pop_45_64": [200, 400, 600],
        "pop_25_64_educated": [400, 800, 1200], "post_secondary_3y_25_64": [80, 240, 120],
    })
    features = pl.DataFrame({"municipality_code": ["0188", "0181", "0140"],
                             "skr_group": ["B5", "B3", "A2"], "distance_km": [70.0, 35.0, 20.0]})
    return stats, features


def test_centre_year_table_counts_first_appearance():
    stats, features = stats_and_features()
    centres = {
        "norrtalje": LearningCentre("norrtalje", "norrtalje", "0188", ("0188",), (), "HT2024"),
        "sodertalje": LearningCentre("sodertalje", "sodertalje", "0181", ("0181", "0140",), (), "VT2025"),
    }
    participants = pl.DataFrame({
        "person_id": ["p1", "p2", "p3", "p1"],
        "learning_centre_id": ["norrtalje", "norrtalje", "sodertalje", "norrtalje"],
        "strand": ["foundation_year", "industry_labs", "shared_course", "industry_labs"],
        "start_term": ["HT2024", "VT2025", "HT2025", "VT2025"],
    })
    registrations = pl.DataFrame({
        "person_id": ["p2", "p4", "p5"], "term": ["HT2024", "VT2025", "VT2025"],
        "learning_centre_id": ["norrtalje", "sodertalje", None],
    })
    table = centre_year_table(participants, registrations, centres, stats, features)
    counts = {(r["learning_centre_id"], r["year"]): r["recruits"] for r in table.iter_rows(named=True)}
    # p1, p2 first seen at Norrtälje in 2024 (p2 through a registration); p4, p3 at
    # Södertälje in 2025; Södertälje starts VT2025 so has no 2024 row
    assert counts == {("norrtalje", 2024): 2, ("norrtalje", 2025): 0, ("sodertalje", 2025): 2}
    sodertalje = table.filter(learning_centre_id="sodertalje").row(0, named=True)
    assert sodertalje["population_served"] == 1000 + 1500  # 2025 uses 2024 statistics
    assert sodertalje["education_share"] == pytest.approx((240 + 120) / (800 + 1200))
    assert sodertalje["log_distance"] == pytest.approx(np.log(35.0))
    assert sodertalje["skr_group"] == "B3"


def test_candidate_municipalities_serve_themselves():
    stats, features = stats_and_features()
    candidates = candidate_municipalities(stats, features, year=2026, exclude=["0188"])
    assert candidates["municipality_code"].to_list() == ["0140", "0181"]
    assert candidates["population_served"].to_list() == [1500, 1000]
    assert candidates["education_share"].to_list() == pytest.approx([0.1, 0.3])


def test_unreported_statistics_are_unknown_not_zero():
    from lcanalysis.indicators.scaleup import candidate_municipalities

    stats = pl.DataFrame({
        "municipality_code": ["0188", "0181", "0140"], "year": [2025] * 3,
        "pop_19_24": [100, None, 50], "pop_25_34": [100, 200, 50], "pop_35_44": [100, 200, 50],
        "pop_45_64": [100, 200, 50], "pop_25_64_educated": [300, 600, None],
        "post_secondary_3y_25_64": [60, 120, 40],
    })
    features = pl.DataFrame({"municipality_code": ["0188", "0181", "0140"],
                             "skr_group": ["B5", "B3", "A2"], "distance_km": [70.0, 35.0, 20.0]})
    out = candidate_municipalities(stats, features, year=2025)
    # 0181 lacks a population band and 0140 its education total: both left out,
    # neither counted as a smaller population nor an infinite education share.
    assert out["municipality_code"].to_list() == ["0188"]
    assert out.row(0, named=True)["population_served"] == 400
    assert out.row(0, named=True)["education_share"] == 0.2
