"""Tests of lcanalysis.indicators.effect: tiny panels whose answers are worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
import statsmodels.formula.api as smf

from lcanalysis.errors import InputError
from lcanalysis.indicators import effect
from lcanalysis.indicators.effect import (
    callaway_santanna,
    estimate_pilot_effect,
    event_study,
    matched_comparison,
    placebo_test,
    pretrend_test,
    randomisation_inference,
    twfe_did,
    wild_cluster_bootstrap,
)

# --------------------------------------------------------------------------- fixtures


def two_by_two() -> pl.DataFrame:
    """Two treated (a, b) and two control (c, d) units, periods 1 and 2, treated from 2.

    Means: treated 11 -> 17, control 9 -> 11; DiD = (17 - 11) - (11 - 9) = 4.
    """
    rows = [("a", 1, 10), ("a", 2, 15), ("b", 1, 12), ("b", 2, 19),
            ("c", 1, 8), ("c", 2, 10), ("d", 1, 10), ("d", 2, 12)]
    frame = pl.DataFrame(rows, schema=["unit", "year", "y"], orient="row")
    return frame.with_columns(
        first=pl.when(pl.col("unit").is_in(["a", "b"])).then(2).otherwise(None),
        d=((pl.col("unit").is_in(["a", "b"])) & (pl.col("year") == 2)).cast(pl.Int8),
    )


def staggered(effect, noise: float = 0.0, seed: int = 0) -> pl.DataFrame:
    """Noiseless-by-default staggered panel, periods 1-6.

    Units a, b start in 3; c, d in 5; e, f, g never. y = unit level + time level +
    effect(cohort, event time) (+ noise).
    """
    rng = np.random.default_rng(seed)
    starts = {"a": 3, "b": 3, "c": 5, "d": 5, "e": None, "f": None, "g": None}
    level = dict(zip(starts, [1.0, -2.0, 0.5, 3.0, -1.0, 2.0, 0.0], strict=True))
    rows = []
    for unit, g in starts.items():
        for t in range(1, 7):
            eff = effect(g, t - g) if g is not None and t >= g else 0.0
            rows.append((unit, t, g, level[unit] + 0.7 * t ** 1.5 + eff + noise * rng.normal()))
    return pl.DataFrame(rows, schema=["unit", "year", "first", "y"], orient="row").with_columns(
        d=(pl.col("year") >= pl.col("first")).fill_null(False).cast(pl.Int8))


def heterogeneous(g: int, e: int) -> float:
    """Cohort 3: 2, 4, 6, 8 at event times 0-3; cohort 5: 1 at event times 0 and 1."""
    return 2.0 * (e + 1) if g == 3 else 1.0


def null_panel(seed: int, effect: float = 0.0) -> pl.DataFrame:
    """20 units x 6 years, units 0-4 start in year 4; noise N(0, 1), unit effects."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(20):
        g = 4 if i < 5 else None
        alpha = rng.normal()
        for t in range(1, 7):
            d = g is not None and t >= g
            rows.append((i, t, g, alpha + 0.3 * t + effect * d + rng.normal()))
    return pl.DataFrame(rows, schema=["unit", "year", "first", "y"], orient="row")


# --------------------------------------------------------------------------- 2x2 and TWFE


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt")  # noiseless: SE 0
def test_two_by_two_matches_difference_of_means():
    panel = two_by_two()
    assert twfe_did(panel, "y", "unit", "year", "d").estimate == pytest.approx(4.0, abs=1e-10)
    cs = callaway_santanna(panel, "y", "unit", "year", "first", control="never_treated")
    assert cs.overall.estimate == pytest.approx(4.0, abs=1e-10)
    assert cs.att_gt.select("group", "time", "n_treated", "n_control").row(0) == (2, 2, 2, 2)


def unbalanced_panel(seed: int = 42) -> pl.DataFrame:
    """30 units (starts 4, 6 or never) x years 1-8 with about a fifth of the rows dropped."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(30):
        g = rng.choice([4, 6, 99])
        for t in range(1, 9):
            if rng.random() < 0.2:
                continue
            d = int(t >= g)
            rows.append((f"u{i}", t, f"r{i % 7}", None if g == 99 else int(g), d,
                         i * 0.1 + t + 1.5 * d + rng.normal()))
    return pl.DataFrame(rows, schema=["unit", "year", "region", "first", "d", "y"], orient="row")


def test_twfe_equals_dummy_regression_on_unbalanced_panel():
    pdf = unbalanced_panel().to_pandas()
    for cluster in ("unit", "region"):
        groups = pdf[cluster].astype("category").cat.codes
        reference = smf.ols("y ~ d + C(unit) + C(year)", pdf).fit(
            cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
        result = twfe_did(pdf, "y", "unit", "year", "d",
                          cluster=None if cluster == "unit" else cluster)
        assert result.estimate == pytest.approx(reference.params["d"], rel=1e-10)
        assert result.std_error == pytest.approx(reference.bse["d"], rel=1e-10)
        assert result.p_value == pytest.approx(reference.pvalues["d"], rel=1e-9)
        assert (result.ci_low, result.ci_high) == pytest.approx(
            tuple(reference.conf_int().loc["d"]), rel=1e-10)
        assert result.n_obs == len(pdf)
        assert result.n_units == 30


def test_fixed_effects_residuals_are_those_of_the_dummy_regression():
    frame = unbalanced_panel()
    units, years = effect._codes(frame["unit"]), effect._codes(frame["year"])
    dummies = np.column_stack([np.eye(30)[units], np.eye(8)[years][:, 1:]])
    values = frame.select("y", "d").to_numpy().astype(float)
    fitted = dummies @ np.linalg.lstsq(dummies, values, rcond=None)[0]
    fixed = effect._FixedEffects(units, years)
    assert np.abs(fixed.residuals(values) - (values - fitted)).max() < 1e-12
    assert fixed.residual_sums_of_squares(values) == pytest.approx(
        ((values - fitted) ** 2).sum(axis=0), rel=1e-12)
    assert fixed.identified and fixed.n_params == 30 + 8 - 1
    # Units 0-1 seen only in years 1-2, units 2-3 only in 3-4: two disconnected panels.
    apart = effect._FixedEffects(np.repeat([0, 1, 2, 3], 2), np.array([0, 1, 0, 1, 2, 3, 2, 3]))
    assert not apart.identified


def test_twfe_rejects_non_binary_treatment():
    panel = two_by_two().with_columns(pl.col("d") * 2)
    with pytest.raises(InputError, match="0/1"):
        twfe_did(panel, "y", "unit", "year", "d")


# --------------------------------------------------------------------------- Callaway-Sant'Anna


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt")  # noiseless: SE 0
def test_cs_recovers_heterogeneous_effects_where_twfe_is_biased():
    panel = staggered(heterogeneous)
    cs = callaway_santanna(panel, "y", "unit", "year", "first")
    post = cs.att_gt.filter(pl.col("time") >= pl.col("group")).sort("group", "time")
    assert post["estimate"].to_list() == pytest.approx([2, 4, 6, 8, 1, 1], abs=1e-10)
    pre = cs.att_gt.filter(pl.col("time") < pl.col("group"))
    assert pre["estimate"].to_list() == pytest.approx([0.0] * pre.height, abs=1e-10)
    # group aggregation: cohort means 5 and 1, equal cohort sizes -> 3
    assert cs.overall.estimate == pytest.approx(3.0, abs=1e-10)
    # event time: e0 = (2 + 1) / 2, e1 = (4 + 1) / 2, e2 = 6, e3 = 8
    event = cs.event_time.filter(pl.col("event_time") >= 0)
    assert event["estimate"].to_list() == pytest.approx([1.5, 2.5, 6.0, 8.0], abs=1e-10)
    # simple aggregation weights cells: (2 * 20 + 2 * 2) / (2 * 4 + 2 * 2) = 11 / 3
    simple = callaway_santanna(panel, "y", "unit", "year", "first", aggregation="simple")
    assert simple.overall.estimate == pytest.approx(11 / 3, abs=1e-10)
    never = callaway_santanna(panel, "y", "unit", "year", "first", control="never_treated")
    assert never.overall.estimate == pytest.approx(3.0, abs=1e-10)
    # TWFE uses early-treated units as controls for late ones: far from 3
    twfe = twfe_did(panel, "y", "unit", "year", "d")
    assert abs(twfe.estimate - 3.0) > 0.5


def test_cs_bootstrap_se_matches_analytic_se_of_two_by_two():
    rng = np.random.default_rng(3)
    n_treated, n_control = 30, 40  # both groups' variance matters: 1/30 and 4/40
    change = np.concatenate([rng.normal(1, 1, n_treated), rng.normal(0, 2, n_control)])
    rows = [(i, 1, 0.0) for i in range(change.size)] + [(i, 2, c) for i, c in enumerate(change)]
    panel = pl.DataFrame(rows, schema=["unit", "year", "y"], orient="row").with_columns(
        first=pl.when(pl.col("unit") < n_treated).then(2).otherwise(None))
    cs = callaway_santanna(panel, "y", "unit", "year", "first", n_bootstrap=4000)
    treated, control = change[:n_treated], change[n_treated:]
    analytic = math.sqrt(treated.var() / n_treated + control.var() / n_control)
    assert cs.overall.estimate == pytest.approx(treated.mean() - control.mean(), abs=1e-10)
    assert cs.overall.std_error == pytest.approx(analytic, rel=0.08)
    assert cs.overall.ci_low < cs.overall.estimate < cs.overall.ci_high


def test_cs_refuses_unbalanced_panel():
    panel = staggered(heterogeneous).filter(~((pl.col("unit") == "e") & (pl.col("year") == 2)))
    with pytest.raises(InputError, match="unbalanced"):
        callaway_santanna(panel, "y", "unit", "year", "first")


# --------------------------------------------------------------------------- event study


def test_event_study_reference_is_zero_and_constant_effect_recovered():
    panel = staggered(lambda g, e: 2.0)
    frame = event_study(panel, "y", "unit", "year", "first", leads=2, lags=2)
    assert frame["event_time"].to_list() == [-2, -1, 0, 1, 2]
    reference = frame.filter(pl.col("event_time") == -1)
    assert reference["estimate"].item() == 0.0
    assert reference["std_error"].item() is None
    assert frame["estimate"].to_list() == pytest.approx([0, 0, 2, 2, 2], abs=1e-9)


def test_event_study_and_pretrend_equal_the_dummy_regression_on_unbalanced_panel():
    frame = unbalanced_panel(7)
    events = event_study(frame, "y", "unit", "year", "first", leads=2, lags=2)
    pdf = frame.with_columns(
        rel=(pl.col("year") - pl.col("first")).clip(-2, 2)).to_pandas()
    names = {-2: "lead2", 0: "lag0", 1: "lag1", 2: "lag2"}
    for e, name in names.items():
        pdf[name] = (pdf["rel"] == e).astype(float)
    reference = smf.ols(f"y ~ {' + '.join(names.values())} + C(unit) + C(year)", pdf).fit(
        cov_type="cluster", cov_kwds={"groups": pdf["unit"].astype("category").cat.codes},
        use_t=True)
    for e, name in names.items():
        row = events.filter(pl.col("event_time") == e).row(0, named=True)
        assert row["estimate"] == pytest.approx(reference.params[name], rel=1e-10)
        assert row["std_error"] == pytest.approx(reference.bse[name], rel=1e-10)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(
            tuple(reference.conf_int().loc[name]), rel=1e-10)
    pretrend = pretrend_test(frame, "y", "unit", "year", "first", leads=2, lags=2)
    lead = reference.params["lead2"] ** 2 / reference.cov_params().loc["lead2", "lead2"]
    assert (pretrend.statistic, pretrend.df) == (pytest.approx(lead, rel=1e-10), 1)


def test_event_study_refuses_disconnected_panel():
    rows = [(u, t, 2 if u == "a" else None, float(t)) for u in "ab" for t in (1, 2)]
    rows += [(u, t, None, float(t)) for u in "cd" for t in (3, 4)]
    panel = pl.DataFrame(rows, schema=["unit", "year", "first", "y"], orient="row")
    with pytest.raises(InputError, match="not identified"):
        event_study(panel, "y", "unit", "year", "first", leads=1, lags=0)


def test_pretrend_test_flags_diverging_trend():
    rng = np.random.default_rng(5)
    rows = []
    for i in range(40):
        g = 7 if i < 10 else None
        for t in range(1, 10):
            trend = 0.8 * t if g is not None else 0.0
            rows.append((i, t, g, trend + rng.normal()))
    panel = pl.DataFrame(rows, schema=["unit", "year", "first", "y"], orient="row")
    diverging = pretrend_test(panel, "y", "unit", "year", "first", leads=3, lags=2)
    assert diverging.df == 2
    assert diverging.p_value < 0.001
    parallel = pretrend_test(panel.with_columns(
        pl.when(pl.col("first").is_not_null()).then(pl.col("y") - 0.8 * pl.col("year"))
        .otherwise(pl.col("y")).alias("y")), "y", "unit", "year", "first", leads=3, lags=2)
    assert parallel.p_value > 0.01


# --------------------------------------------------------------------------- randomisation


@pytest.mark.parametrize("estimator", ["twfe", "cs"])
def test_randomisation_p_values_under_null_and_big_effect(estimator):
    p_null = [randomisation_inference(null_panel(seed), "y", "unit", "year", "first",
                                      estimator=estimator, n_permutations=99, seed=seed).p_value
              for seed in range(12)]
    assert all(1 / 100 <= p <= 1 for p in p_null)
    assert 0.25 < np.mean(p_null) < 0.75  # uniform on (0, 1] has mean about 0.5
    assert sum(p <= 0.05 for p in p_null) <= 3
    big = randomisation_inference(null_panel(0, effect=5.0), "y", "unit", "year", "first",
                                  estimator=estimator, n_permutations=99)
    assert big.p_value == pytest.approx(1 / 100)
    assert big.ci_low < 5.0 < big.ci_high
    assert big.permuted.shape == (99,)


def relabelled(panel: pl.DataFrame, starts: np.ndarray) -> pl.DataFrame:
    """``panel`` with the sorted units' first-treated periods replaced by ``starts``."""
    units = panel["unit"].unique().sort()
    new = pl.DataFrame({"unit": units, "first": [None if np.isinf(g) else int(g) for g in starts]})
    return panel.drop("first").join(new, on="unit").with_columns(
        d=(pl.col("year") >= pl.col("first")).fill_null(False).cast(pl.Int8))


@pytest.mark.parametrize("estimator", ["twfe", "cs"])
def test_randomisation_statistics_equal_the_estimator_on_each_permuted_panel(estimator):
    """The permutation distribution is computed for a batch of assignments at once; each
    value must be the estimator run on the panel with that assignment."""
    panel = (unbalanced_panel(3) if estimator == "twfe"
             else staggered(lambda g, e: 1.0, noise=1.0, seed=4)).drop("d")
    ri = randomisation_inference(panel, "y", "unit", "year", "first", estimator=estimator,
                                 n_permutations=30, seed=8)
    g = panel.group_by("unit").agg(pl.col("first").first()).sort("unit")["first"]
    g = g.cast(pl.Float64).fill_null(np.inf).to_numpy()
    starts = effect._permuted_starts(g, np.ones(g.size, bool), np.zeros(g.size), 30, 8)
    for value, assignment in zip(ri.permuted, starts, strict=True):
        shuffled = relabelled(panel, assignment)
        expected = (twfe_did(shuffled, "y", "unit", "year", "d").estimate if estimator == "twfe"
                    else callaway_santanna(shuffled, "y", "unit", "year", "first",
                                           n_bootstrap=99).overall.estimate)
        assert value == pytest.approx(expected, rel=1e-10, abs=1e-12)


def test_wild_bootstrap_equals_refitting_every_sign_pattern():
    """Six clusters, Rademacher weights: the 64 sign patterns are enumerated. Under
    the null beta = b, a pattern's outcome is b d + the fit of y - b d on the fixed
    effects + its residuals times the unit's sign; its t statistic is twfe_did's on that
    outcome. The p-value at 0 and the interval's ends (where the p-value crosses 0.05)
    must be those of refitting every pattern."""
    panel = null_panel(2, effect=0.6).filter(pl.col("unit").is_between(2, 7)).with_columns(
        d=(pl.col("year") >= pl.col("first")).fill_null(False).cast(pl.Int8))
    result = wild_cluster_bootstrap(panel, "y", "unit", "year", "first", weights="rademacher",
                                    n_bootstrap=999)
    observed = twfe_did(panel, "y", "unit", "year", "d")
    d = panel["d"].to_numpy().astype(float)
    units = panel["unit"].to_numpy() - 2  # 0-2 treated, 3-5 never

    def refitted_p_value(b: float) -> float:
        restricted = smf.ols("y ~ C(unit) + C(year)",
                             panel.with_columns(pl.col("y") - b * pl.col("d")).to_pandas()).fit()
        t_draws = []
        for pattern in range(64):
            signs = 1.0 - 2.0 * ((pattern >> units) & 1)
            y_star = (b * d + restricted.fittedvalues.to_numpy()
                      + signs * restricted.resid.to_numpy())
            draw = twfe_did(panel.with_columns(y=y_star), "y", "unit", "year", "d")
            t_draws.append((draw.estimate - b) / draw.std_error)
        threshold = abs((observed.estimate - b) / observed.std_error) * (1 - 1e-12)
        return float(np.mean(np.abs(t_draws) >= threshold))

    assert result.p_value == refitted_p_value(0.0)
    assert 2 / 64 <= result.p_value < 1  # all +1 and all -1 reproduce |t| exactly
    step = 1e-4 * result.std_error
    assert refitted_p_value(result.ci_low + step) > 0.05 >= refitted_p_value(result.ci_low - step)
    assert refitted_p_value(result.ci_high - step) > 0.05 >= refitted_p_value(result.ci_high + step)


def test_randomisation_respects_pool():
    panel = null_panel(1)
    with pytest.raises(InputError, match="pool"):
        randomisation_inference(panel, "y", "unit", "year", "first", pool=[10, 11, 12])


def test_placebo_is_zero_without_anticipation_and_finds_anticipation():
    clean = staggered(lambda g, e: 2.0)
    assert placebo_test(clean, "y", "unit", "year", "first", n_permutations=49).estimate == (
        pytest.approx(0.0, abs=1e-9))
    # one cohort (start 5) that jumps by 3 the year before it starts: placebo start 4
    rows = []
    for i in range(12):
        g = 5 if i < 4 else None
        for t in range(1, 8):
            rows.append((i, t, g, i + t + (3.0 if g is not None and t == 4 else 0.0)))
    anticipating = pl.DataFrame(rows, schema=["unit", "year", "first", "y"], orient="row")
    placebo = placebo_test(anticipating, "y", "unit", "year", "first", n_permutations=199)
    assert placebo.estimate == pytest.approx(3.0, abs=1e-9)
    assert placebo.p_value < 0.01


# --------------------------------------------------------------------------- comparison


def matching_panel() -> pl.DataFrame:
    """Treated t1 in group A; c1 is its twin, c2 near, c3 far; c4 is a twin in group B."""
    features = {
        "t1": ("A", 2020, 10.0, 0.30, 50.0), "c1": ("A", None, 10.0, 0.30, 50.0),
        "c2": ("A", None, 10.2, 0.32, 52.0), "c3": ("A", None, 12.0, 0.50, 90.0),
        "c4": ("B", None, 10.0, 0.30, 50.0), "t2": ("B", 2021, 11.0, 0.40, 60.0),
    }
    rows = [(u, year, skr, first, pop, edu, y + (5.0 if first and year >= first else 0.0))
            for u, (skr, first, pop, edu, y) in features.items() for year in (2018, 2019, 2020)]
    return pl.DataFrame(rows, schema=["unit", "year", "skr_group", "first", "log_population",
                                      "education_share", "y"], orient="row")


def test_matched_comparison_nearest_within_group():
    matches = matched_comparison(matching_panel(), "unit", "year", "y", ["t1"], k=2,
                                 first_treated="first")
    assert matches["comparison_unit"].to_list() == ["c1", "c2"]
    assert matches["rank"].to_list() == [1, 2]
    assert matches["distance"][0] == pytest.approx(0.0)
    both = matched_comparison(matching_panel(), "unit", "year", "y", ["t1", "t2"], k=3,
                              first_treated="first")
    assert both.filter(pl.col("treated_unit") == "t2")["comparison_unit"].to_list() == ["c4"]


def test_estimate_pilot_effect_reports_three_methods():
    panel = staggered(lambda g, e: 2.0, noise=0.1).with_columns(
        skr_group=pl.lit("A"), log_population=pl.lit(1.0), education_share=pl.lit(0.3))
    table = estimate_pilot_effect(panel, "y", unit="unit", time="year", first_treated="first",
                                  n_permutations=49, n_bootstrap=199)
    assert table["method"].to_list() == ["twfe", "callaway_santanna",
                                         "randomisation_inference_cs"]
    assert table["estimate"].to_list() == pytest.approx([2.0] * 3, abs=0.3)
    assert table["estimate"][0] == pytest.approx(
        twfe_did(panel, "y", "unit", "year", "d").estimate)
    matched = estimate_pilot_effect(panel, "y", "matched", unit="unit", time="year",
                                    first_treated="first", k=1, n_permutations=49,
                                    n_bootstrap=199)
    assert matched["n_units"][0] == 5  # four treated + one shared nearest never-treated


def test_cs_intervals_use_t_with_treated_units_minus_one_df():
    from scipy import stats as sps

    # null_panel has 5 treated units: the 95 % interval is the estimate +- t(4) x SE.
    cs = callaway_santanna(null_panel(3), "y", "unit", "year", "first", n_bootstrap=199)
    half = (cs.overall.ci_high - cs.overall.ci_low) / 2
    assert half / cs.overall.std_error == pytest.approx(sps.t(4).ppf(0.975), rel=1e-9)  # 2.776
    assert cs.overall.p_value == pytest.approx(
        2 * sps.t(4).sf(abs(cs.overall.estimate / cs.overall.std_error)), rel=1e-9)
