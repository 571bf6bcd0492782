"""Few-cluster inference and the staggered estimator against independent implementations.

- :func:`effect.wild_cluster_bootstrap` against the ``wildboottest`` package (the
  Python port of Roodman et al.'s boottest) on Grunfeld's investment panel (Grunfeld
  1958; 11 US firms, 1935-1954, as shipped by statsmodels), with a staggered adoption
  written down here: few clusters, the case the bootstrap is for.
- :func:`effect.callaway_santanna` against ``diff-diff``'s CallawaySantAnna. diff-diff
  ships no copy of the R ``did`` package's ``mpdta``: ``load_mpdta`` downloads it and,
  offline, falls back to ``_construct_mpdta_data``, a seeded panel with mpdta's shape
  (500 counties, 2003-2007, cohorts 2004/2006/2007, heterogeneous effects). That
  fallback is what these tests use, so they never touch the network.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest
import statsmodels.api as sm
from statsmodels.datasets import grunfeld

from lcanalysis.indicators import effect

# First year of a made-up policy for six of the eleven firms (others never treated).
GRUNFELD_START = {
    "General Motors": 1945, "US Steel": 1948, "Chrysler": 1950, "IBM": 1946,
    "Goodyear": 1951, "Westinghouse": 1944,
}


@pytest.fixture(scope="module")
def grunfeld_panel() -> pd.DataFrame:
    df = grunfeld.load_pandas().data.copy()
    df["year"] = df["year"].astype(int)
    df["firm"] = df["firm"].astype(str)
    df["first"] = df["firm"].map(GRUNFELD_START).astype(float)
    df["d"] = (df["year"] >= df["first"]).astype(float)
    return df


def _wildboottest_p(df: pd.DataFrame, weights: str) -> float:
    from wildboottest.wildboottest import wildboottest

    dummies = [pd.get_dummies(df[c].astype(str), prefix=c, drop_first=True).astype(float)
               for c in ("firm", "year")]
    x = pd.concat([pd.Series(1.0, index=df.index, name="const"), df["d"], *dummies], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "2^G < the number of boot iterations": enumerates
        result = wildboottest(sm.OLS(df["invest"], x), param="d", B=9999,
                              cluster=pd.factorize(df["firm"])[0], weights_type=weights,
                              seed=7, show=False)
    return float(result["p-value"].iloc[0])


@pytest.mark.slow  # wildboottest's own 9,999 draws take 2-6 s a weight (ours 0.1 s)
@pytest.mark.parametrize("weights", ["rademacher", "webb"])
def test_wild_cluster_bootstrap_matches_wildboottest(grunfeld_panel, weights):
    frame = pl.from_pandas(grunfeld_panel[["invest", "firm", "year", "first"]])
    ours = effect.wild_cluster_bootstrap(frame, "invest", "firm", "year", "first",
                                         weights=weights, n_bootstrap=9999, seed=3)
    twfe = effect.twfe_did(pl.from_pandas(grunfeld_panel), "invest", "firm", "year", "d")
    assert ours.estimate == pytest.approx(twfe.estimate, rel=1e-9)
    assert ours.std_error == pytest.approx(twfe.std_error, rel=1e-9)
    assert (ours.n_units, ours.n_obs) == (11, 220)
    reference = _wildboottest_p(grunfeld_panel, weights)
    # Rademacher with 11 clusters: both enumerate all 2048 sign patterns, so the only
    # difference is ties (>= here, > there), one pattern in 2048 at most here.
    tolerance = 0.002 if weights == "rademacher" else 0.02
    assert abs(ours.p_value - reference) <= tolerance, (ours.p_value, reference)


def test_wild_cluster_bootstrap_interval_inverts_the_test(grunfeld_panel):
    """At each end of the interval the test of beta0 = that end has p = 0.05: shifting
    the outcome by -beta0 * D makes the same test a test of zero."""
    frame = pl.from_pandas(grunfeld_panel[["invest", "firm", "year", "first", "d"]])
    kwargs = {"weights": "webb", "n_bootstrap": 1999, "seed": 5}
    result = effect.wild_cluster_bootstrap(frame, "invest", "firm", "year", "first", **kwargs)
    assert result.ci_low < result.estimate < result.ci_high
    width = result.ci_high - result.ci_low
    for end, inward in ((result.ci_low, 1), (result.ci_high, -1)):
        for offset, rejected in ((-inward * 0.01 * width, True), (inward * 0.01 * width, False)):
            shifted = frame.with_columns(pl.col("invest") - (end + offset) * pl.col("d"))
            p = effect.wild_cluster_bootstrap(shifted, "invest", "firm", "year", "first",
                                              **kwargs).p_value
            assert (p <= 0.05) == rejected, (end, offset, p)


def test_wild_cluster_bootstrap_enumerates_rademacher_patterns():
    weights = effect._wild_weights("rademacher", 3, 999, np.random.default_rng(0))
    assert weights.shape == (8, 3)
    assert {tuple(row) for row in weights} == {(a, b, c) for a in (-1, 1) for b in (-1, 1)
                                              for c in (-1, 1)}


def test_wild_cluster_bootstrap_refuses_a_panel_without_treatment(grunfeld_panel):
    frame = pl.from_pandas(grunfeld_panel[["invest", "firm", "year"]]).with_columns(
        pl.lit(None, pl.Float64).alias("first"))
    with pytest.raises(effect.InputError, match="nobody or everybody"):
        effect.wild_cluster_bootstrap(frame, "invest", "firm", "year", "first")


# --------------------------------------------------------------------------- diff-diff


@pytest.fixture(scope="module")
def mpdta_fallback() -> pd.DataFrame:
    from diff_diff.datasets import _construct_mpdta_data

    state = np.random.get_state()  # the generator seeds numpy's global state
    try:
        return _construct_mpdta_data()
    finally:
        np.random.set_state(state)


@pytest.mark.parametrize("control", ["not_yet_treated", "never_treated"])
def test_callaway_santanna_equals_diff_diff(mpdta_fallback, control):
    from diff_diff import CallawaySantAnna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = CallawaySantAnna(control_group=control, estimation_method="reg").fit(
            mpdta_fallback, outcome="lemp", unit="countyreal", time="year",
            first_treat="first_treat")
        by_group = theirs.aggregate("group")
        by_event = theirs.aggregate("event_study")
    panel = pl.from_pandas(mpdta_fallback).with_columns(
        pl.when(pl.col("first_treat") > 0).then(pl.col("first_treat")).alias("first"))
    kwargs = {"control": control, "n_bootstrap": 99}
    ours = effect.callaway_santanna(panel, "lemp", "countyreal", "year", "first", **kwargs)
    simple = effect.callaway_santanna(panel, "lemp", "countyreal", "year", "first",
                                      aggregation="simple", **kwargs)

    cells = {(int(g), int(t)): v["effect"] for (g, t), v in theirs.group_time_effects.items()}
    assert len(cells) == ours.att_gt.height == 12
    for row in ours.att_gt.iter_rows(named=True):
        assert row["estimate"] == pytest.approx(cells[(row["group"], row["time"])], abs=1e-6)
    assert simple.overall.estimate == pytest.approx(theirs.overall_att, abs=1e-6)
    sizes = mpdta_fallback.groupby("first_treat")["countyreal"].nunique()
    weights = np.array([sizes[int(g)] for g in by_group.label], float)
    assert ours.overall.estimate == pytest.approx(
        float(weights @ by_group.att / weights.sum()), abs=1e-6)
    event = dict(zip((int(e) for e in by_event.event_time), by_event.att, strict=True))
    for row in ours.event_time.iter_rows(named=True):
        assert row["estimate"] == pytest.approx(event[row["event_time"]], abs=1e-6)


def test_few_cluster_inference_lists_the_four_methods(grunfeld_panel):
    frame = pl.from_pandas(grunfeld_panel[["invest", "firm", "year", "first"]])
    table = effect.few_cluster_inference(frame, "invest", unit="firm", time="year",
                                         first_treated="first", n_permutations=99,
                                         n_bootstrap=999)
    assert table["method"].to_list() == [
        "randomisation_inference_cs", "randomisation_inference_twfe",
        "wild_cluster_bootstrap_webb", "wild_cluster_bootstrap_rademacher"]
    assert table["n_obs"].unique().to_list() == [220]
    twfe = table.filter(pl.col("method") != "randomisation_inference_cs")["estimate"]
    assert twfe.max() == pytest.approx(twfe.min(), rel=1e-9)  # one TWFE estimate, three tests
