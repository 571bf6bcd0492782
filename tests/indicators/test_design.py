"""Power, minimum detectable gaps and the simulated MDE of the pilot design."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from lcanalysis.indicators import design
from tests.fixtures.examples import examples


@pytest.mark.parametrize("p_reference", [0.05, 0.2, 0.5, 0.7, 0.9])
@pytest.mark.parametrize("n_reference, n_group", [(30, 30), (400, 40), (1000, 120), (25, 300)])
@pytest.mark.parametrize("alpha, power", [(0.05, 0.8), (0.01, 0.9)])
def test_minimum_detectable_gap_has_the_asked_power_in_statsmodels(p_reference, n_reference,
                                                                   n_group, alpha, power):
    gap = design.minimum_detectable_gap(p_reference, n_reference, n_group, alpha=alpha,
                                        power=power)
    if math.isnan(gap):  # only when even p_group = 1 is not enough
        h_max = proportion_effectsize(1.0, p_reference)
        assert NormalIndPower().power(h_max, n_group, alpha, ratio=n_reference / n_group) < power
        return
    solved = NormalIndPower().solve_power(effect_size=None, nobs1=n_group, alpha=alpha,
                                          power=power, ratio=n_reference / n_group)
    statsmodels_gap = math.sin(math.asin(math.sqrt(p_reference)) + solved / 2) ** 2 - p_reference
    assert gap == pytest.approx(statsmodels_gap, abs=1e-6)
    # and the gap has the asked power by statsmodels' own effect size and power function
    # (solve_power stops within about 1e-5 of the asked power)
    h = proportion_effectsize(p_reference + gap, p_reference)
    achieved = NormalIndPower().power(h, n_group, alpha, ratio=n_reference / n_group)
    assert achieved == pytest.approx(power, abs=2e-5)


def test_minimum_detectable_gap_hand_worked():
    """p = 0.5, 100 per group: h = (1.959964 + 0.841621) * sqrt(2/100) = 0.396206 (the far
    tail adds nothing at 1e-6), p_group = sin^2(asin(sqrt(0.5)) + h/2) = sin^2(0.983501)
    = 0.692960: a gap of 19.30 percentage points."""
    assert design.minimum_detectable_gap(0.5, 100, 100) == pytest.approx(0.192960, abs=1e-5)
    hand = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * math.sqrt(2 / 100)
    assert math.sin(math.pi / 4 + hand / 2) ** 2 - 0.5 == pytest.approx(0.192960, abs=1e-5)


def test_minimum_detectable_gap_nan_when_no_share_is_high_enough():
    assert math.isnan(design.minimum_detectable_gap(0.95, 10, 5))
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        design.minimum_detectable_gap(1.0, 100, 100)


def test_students_needed_hand_worked():
    """p = 0.5 -> 0.6: h = 2 asin(sqrt 0.6) - 2 asin(sqrt 0.5) = 0.201358; n per group =
    2 (2.801585 / 0.201358)^2 = 387.2 -> 388 (NormalIndPower adds the far tail: same)."""
    assert design.students_needed(0.5, 0.10) == 388


@settings(max_examples=examples(60), deadline=None)
@given(p=st.floats(0.02, 0.85), n=st.integers(10, 5000))
def test_students_needed_inverts_minimum_detectable_gap(p, n):
    gap = design.minimum_detectable_gap(p, n, n)
    if math.isnan(gap) or p + gap >= 0.999:
        return
    needed = design.students_needed(p, gap * 1.0001)
    assert needed <= n
    assert design.students_needed(p, gap * 0.98) > n - 1


def test_students_needed_table_leaves_out_impossible_gaps():
    table = design.students_needed_table([0.5, 0.92], gaps=(0.05, 0.10))
    assert table.select("p_reference", "gap_pp").rows() == [(0.5, 5.0), (0.92, 5.0), (0.5, 10.0)]
    assert table["students_per_route"][2] == 388


# --------------------------------------------------------------------------- simulation


def iid_panel(n_units: int, n_years: int, sigma: float, seed: int) -> pl.DataFrame:
    """Unit and year effects plus iid N(0, sigma^2) noise; nobody served."""
    rng = np.random.default_rng(seed)
    unit_effect = rng.normal(0, 3, n_units)[:, None]
    year_effect = np.linspace(0, 2, n_years)[None, :]
    y = unit_effect + year_effect + rng.normal(0, sigma, (n_units, n_years))
    return pl.DataFrame({
        "municipality_code": np.repeat([f"{i:04d}" for i in range(n_units)], n_years),
        "year": np.tile(np.arange(2015, 2015 + n_years), n_units),
        "applicants_per_10k": y.ravel(),
        "pilot_start_year": pl.Series([None] * (n_units * n_years), dtype=pl.Int32),
    })


def test_simulated_mde_matches_the_analytic_mde_of_an_iid_panel():
    """With one start date the TWFE estimate is a difference of means of the units'
    before-after contrasts c_i = mean(post) - mean(pre), so over random draws of k
    treated units out of N its standard deviation is S sqrt(1/k + 1/(N-k)), S the
    contrasts' standard deviation in this panel (sampling without replacement), and a
    test at 5 % has 80 % power at about (1.96 + 0.84) = 2.8016 of those. For iid noise
    S^2 is near sigma^2 (1/T + 1/(P-T)) = 0.533; this panel's draw gives 0.366 (computed
    below with numpy, not with the package), so the analytic MDE is 2.8016 * 0.2254 =
    0.63. A permutation test with 99 draws is a little less powerful: 15 % tolerance."""
    n_units, periods, post, k, sigma = 80, 8, 3, 8, 1.0
    panel = iid_panel(n_units, periods, sigma, seed=1)
    y = panel.sort("municipality_code", "year")["applicants_per_10k"].to_numpy()
    y = y.reshape(n_units, periods)
    contrasts = y[:, periods - post:].mean(axis=1) - y[:, :periods - post].mean(axis=1)
    sd = contrasts.std(ddof=1) * math.sqrt(1 / k + 1 / (n_units - k))
    assert sd == pytest.approx(0.2254, abs=1e-3)
    table = design.simulated_mde(panel, "applicants_per_10k", n_centres=[k], years=[post],
                                 effects=np.linspace(0, 2.5, 51), n_simulations=200,
                                 n_permutations=99, seed=4, workers=1, progress=None)
    assert table["mde"].item() == pytest.approx(2.8016 * sd, rel=0.15)


def test_simulated_mde_falls_with_centres_and_years_and_ignores_workers():
    panel = iid_panel(60, 10, 1.0, seed=2)
    kwargs = {"n_centres": [4, 16], "years": [2, 5], "effects": np.linspace(0, 4, 41),
              "n_simulations": 40, "n_permutations": 39, "seed": 9}
    calls = []
    serial = design.simulated_mde(panel, "applicants_per_10k", workers=1,
                                  progress=lambda done, total: calls.append((done, total)),
                                  **kwargs)
    parallel = design.simulated_mde(panel, "applicants_per_10k", workers=2, progress=None,
                                    **kwargs)
    assert serial.equals(parallel)
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    mde = {(r["n_centres"], r["years"]): r["mde"] for r in serial.iter_rows(named=True)}
    assert mde[(16, 2)] < mde[(4, 2)] and mde[(16, 5)] < mde[(4, 5)]
    assert mde[(4, 5)] < mde[(4, 2)]
    assert serial["n_units"].unique().to_list() == [60]


def test_simulated_mde_uses_only_never_served_units_and_checks_the_grid():
    panel = iid_panel(30, 6, 1.0, seed=3).with_columns(
        pl.when(pl.col("municipality_code") < "0005").then(2019).otherwise(None)
        .cast(pl.Int32).alias("pilot_start_year"))
    table = design.simulated_mde(panel, "applicants_per_10k", n_centres=[3], years=[2],
                                 n_simulations=5, n_permutations=19, workers=1, progress=None)
    assert table["n_units"].item() == 25
    with pytest.raises(ValueError, match="n_centres must be 1 to 24 and years 1 to 5"):
        design.simulated_mde(panel, "applicants_per_10k", n_centres=[25], years=[6],
                             workers=1, progress=None)


def test_mde_sentence_in_both_languages():
    mde = pl.DataFrame({"n_centres": [8], "years": [3], "mde": [2.345]})
    assert design.mde_sentence(mde, 8, 3, 1.04, lang="en") == (
        "With 8 centres and 3 years the pilot could detect about 2.3 more applicants per "
        "10,000; it saw 1.0.")
    assert design.mde_sentence(mde, 8, 3, 1.04, lang="sv").startswith(
        "Med 8 lärcentrum och 3 års data kunde piloten upptäcka omkring 2,3 fler sökande")


def test_common_start_twfe_equals_the_dummy_regression():
    from lcanalysis.indicators import effect

    rng = np.random.default_rng(6)
    y = rng.normal(size=(12, 6)) + rng.normal(size=(12, 1))
    treated = np.zeros((3, 12))
    for row, members in zip(treated, ([0, 3, 5], [1, 2, 11], [4, 7, 9]), strict=True):
        row[members] = 1.0
    estimates = design.common_start_twfe(y, treated, n_post=2)
    for row, estimate in zip(treated, estimates, strict=True):
        panel = pl.DataFrame({
            "y": y.ravel(), "unit": np.repeat(np.arange(12), 6), "time": np.tile(np.arange(6), 12),
            "d": (row[:, None] * (np.arange(6) >= 4)[None, :]).ravel().astype(int),
        })
        assert estimate == pytest.approx(effect.twfe_did(panel, "y", "unit", "time", "d").estimate,
                                         abs=1e-10)


def test_simulated_mde_spawns_workers_from_a_main_without_spec(monkeypatch):
    """The runner's warm kernels reset the notebook namespace, which can drop
    ``__main__.__spec__``; spawning workers must still work (it failed in 08 first)."""
    import sys

    monkeypatch.delattr(sys.modules["__main__"], "__spec__", raising=False)
    table = design.simulated_mde(iid_panel(20, 6, 1.0, seed=5), "applicants_per_10k",
                                 n_centres=[3], years=[2], n_simulations=5, n_permutations=19,
                                 workers=2, progress=None)
    assert table.height == 1


@given(seed=st.integers(0, 2**32 - 1), n_units=st.integers(2, 60), data=st.data())
def test_assignments_are_the_argsort_draw(seed, n_units, data):
    """The partial sort picks the units the full argsort picked: the same simulated pilots."""
    k = data.draw(st.integers(1, n_units - 1))
    draws = np.random.default_rng(seed).random((7, n_units))
    expected = np.zeros_like(draws)
    np.put_along_axis(expected, draws.argsort(axis=1)[:, :k], 1.0, axis=1)
    np.testing.assert_array_equal(design._draw_assignments(draws, k), expected)


def test_assignments_with_a_tied_threshold_take_exactly_k_units():
    draws = np.array([[0.5, 0.1, 0.5, 0.9], [0.3, 0.2, 0.1, 0.4]])
    treated = design._draw_assignments(draws, 2)
    np.testing.assert_array_equal(treated.sum(axis=1), [2, 2])
    np.testing.assert_array_equal(treated[1], [0, 1, 1, 0])
    assert treated[0, 1] == 1 and treated[0, 3] == 0
