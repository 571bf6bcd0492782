"""On the synthetic world, the indicators recover the planted truth within their intervals.

One demo world is generated, cleaned and loaded (as `make demo` would), and every
indicator is computed from the processed tables only. The expected values are read
from the world's own truth.json (docs/synthetic-world.md, "truth.json"), never
copied here: realised values must be reproduced exactly (same people, same
numerator and denominator), generating values must lie inside the estimator's
interval.

Interval checks are statistical: a 95 % interval misses its target in one world in
twenty or more. The world is fixed (the default demo seed at SCALE), so the tests are
deterministic; the exact checks do not depend on luck. Measured on seeds 1-10 and
20241 at scale 1: every exact check held; the TWFE and Callaway-Sant'Anna intervals
covered the planted pilot effect in 8 worlds of 11 (13 treated municipalities:
cluster-robust and bootstrap intervals are too narrow, docs/methods.md (section 7),
"Known limits"), so a failure of the effect test on another seed is that, not a bug.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import polars as pl
import pytest
from scipy import stats as sps

from lcanalysis import config, identity, terms
from lcanalysis.clean import clean
from lcanalysis.dataset import Dataset
from lcanalysis.indicators import effect, mobility, participation, progression, routes
from lcanalysis.indicators.panel import municipality_panel
from lcanalysis.synth import generate_demo_world

# End to end: a full demo world generated and cleaned, then every indicator (about 30 s).
pytestmark = pytest.mark.slow

SEED = 20241
SCALE = 1.0
ROUTES = ("campus", "learning_centre")
SCALES = ("municipality", "county")
HORIZONS = (1, 3)
UNIT, TIME = "municipality_code", "year"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("truth_recovery")
    generate_demo_world(root / "raw", seed=SEED, scale=SCALE)
    clean(root / "raw", root / "processed", key=identity.DEMO_KEY)
    truth = json.loads((root / "raw" / "truth.json").read_text(encoding="utf-8"))
    ds = Dataset.load(root / "processed")
    entrants = routes.entrants(ds.registrations, ds.participants, ds.persons)
    return SimpleNamespace(truth=truth, ds=ds, entrants=entrants)


def _row(frame: pl.DataFrame, **keys) -> dict:
    rows = frame.filter(*[pl.col(k) == v for k, v in keys.items()]).to_dicts()
    assert len(rows) == 1, (keys, rows)
    return rows[0]


def _term_index(term: str) -> int:
    return pl.select(terms.term_index_expr(pl.lit(term))).item()


# --------------------------------------------------------------------------- 1, 2


def test_first_generation_share_by_route(world):
    """Among entrants with known parental education, the first-generation share by
    route is the survey's realised share exactly, and the Wilson interval covers the
    generating probability of the same respondents."""
    fg = world.truth["first_generation_share"]
    known = world.entrants.filter(pl.col("first_generation").is_not_null())
    comp = participation.composition(known, "first_generation")
    assert set(comp["first_generation"]) == {"true", "false"}
    for route in ROUTES:
        row = _row(comp, route=route, first_generation="true")
        want = fg[route]["realised_survey_known"]
        assert (row["numerator"], row["denominator"]) == (want["numerator"], want["denominator"]), (
            route
        )
        assert row["rate"] == pytest.approx(want["share"])
        target = fg[route]["generating_probability_survey_known"]
        assert row["ci_low"] <= target <= row["ci_high"], (route, target, row)


def test_first_generation_gap_learning_centre_minus_campus(world):
    """The gap LC - campus has the planted sign; its Newcombe interval contains the
    realised difference and the generating one."""
    fg = world.truth["first_generation_share"]
    gap = _row(
        participation.route_gaps(world.entrants, "first_generation"), route="learning_centre"
    )
    lc, campus = (fg[r]["realised_survey_known"] for r in ("learning_centre", "campus"))
    assert (gap["numerator"], gap["denominator"]) == (lc["numerator"], lc["denominator"])
    assert (gap["reference_numerator"], gap["reference_denominator"]) == (
        campus["numerator"], campus["denominator"])  # fmt: skip
    planted = (fg["learning_centre"]["generating_probability_survey_known"]
               - fg["campus"]["generating_probability_survey_known"])  # fmt: skip
    assert planted != 0 and (gap["gap_pp"] > 0) == (planted > 0)
    realised = 100 * (lc["share"] - campus["share"])
    assert gap["gap_pp"] == pytest.approx(realised)
    assert gap["gap_ci_low"] <= realised <= gap["gap_ci_high"]
    assert gap["gap_ci_low"] <= 100 * planted <= gap["gap_ci_high"], (planted, gap)


# --------------------------------------------------------------------------- 3


@pytest.mark.parametrize("period", ["pilot_period", "all_terms"])
def test_performance_rate_by_route(world, period):
    """Credits earned / registered within UKÄ's four-term window, by route, equal the
    truth (same credits, same registrations left out for an open window); the
    interval of the difference LC - campus contains the realised difference."""
    want = world.truth["performance_rate"][period]
    regs = world.ds.registrations
    if "from_term" in want:
        regs = regs.filter(terms.term_index_expr("term") >= _term_index(want["from_term"]))
    rates = progression.performance_rate(
        regs, world.ds.results, entrants=world.entrants, last_term=want["last_term"]
    )
    for route in ROUTES:
        row, truth = _row(rates, route=route), want[route]
        assert row["numerator"] == pytest.approx(truth["credits_earned"], abs=1e-6), route
        assert row["denominator"] == pytest.approx(truth["credits_registered"], abs=1e-6), route
        assert row["rate"] == pytest.approx(truth["rate"], abs=1e-12), route
        assert row["incomplete_window"] == truth["incomplete_window"], route
        assert row["ci_low"] < row["rate"] < row["ci_high"]
    # Independent persons on the two routes: Var(R_lc - R_c) = Var(R_lc) + Var(R_c);
    # each standard error is read back from its (unclipped) linearisation interval.
    z = float(sps.norm.isf(0.025))
    lc, campus = _row(rates, route="learning_centre"), _row(rates, route="campus")
    se = [(r["ci_high"] - r["ci_low"]) / (2 * z) for r in (lc, campus)]
    assert all(r["ci_low"] > 0 and r["ci_high"] < 1 for r in (lc, campus))
    diff = lc["rate"] - campus["rate"]
    half = z * (se[0] ** 2 + se[1] ** 2) ** 0.5
    realised = want["difference_learning_centre_minus_campus"]
    assert diff - half <= realised <= diff + half
    assert diff == pytest.approx(realised, abs=1e-12)


# --------------------------------------------------------------------------- 4, 5


def _histories(world, scale: str) -> pl.DataFrame:
    """Mobility histories anchored at the end of each entrant's last registered term:
    the world's follow-ups are observed 1 and 3 years after the last studied term
    (docs/synthetic-world.md), not after the entry term (the default anchor)."""
    regs = world.ds.registrations.with_columns(terms.term_seq("term").alias("_seq"))
    last = regs.sort("_seq").group_by("person_id").agg(pl.col("term").last().alias("last_term"))
    distinct = last["last_term"].unique().to_list()
    ends = [terms.parse_term(t).end_date for t in distinct]
    anchored = world.entrants.join(last, on="person_id", how="left").with_columns(
        pl.col("last_term").replace_strict(distinct, ends, return_dtype=pl.Date).alias("study_end")
    )
    centres = config.load_learning_centres()
    return mobility.mobility_histories(
        anchored, world.ds.followups, centres, scale=scale, years=HORIZONS, anchor="study_end"
    )


@pytest.fixture(scope="module")
def histories(world):
    return {scale: _histories(world, scale) for scale in SCALES}


@pytest.mark.parametrize("scale", SCALES)
def test_retention_lives_in_home_region(world, histories, scale):
    """Share living in the home municipality (county) k years on, by route, is the
    truth's stay share exactly; the 1-year learning-centre share is above campus."""
    stay = world.truth["stay_in_home_region_share"]
    lives = mobility.retention(histories[scale], years=HORIZONS).filter(
        pl.col("measure") == "lives_in_home"
    )
    for k in HORIZONS:
        for route in ROUTES:
            row, want = _row(lives, route=route, years=k), stay[f"{k}y"][route][scale]
            assert (row["numerator"], row["denominator"]) == (
                want["numerator"],
                want["denominator"],
            ), (k, route)
            if want["denominator"]:
                assert row["rate"] == pytest.approx(want["share"])
                assert row["ci_low"] <= want["share"] <= row["ci_high"]
            else:
                assert row["rate"] is None
    one_year = lives.filter(pl.col("years") == 1)
    assert _row(one_year, route="learning_centre")["rate"] > _row(one_year, route="campus")["rate"]


@pytest.mark.parametrize("scale", SCALES)
def test_faggian_types_by_route(world, histories, scale):
    """Counts of each Faggian-McCann-Sheppard type by route, horizon and scale are
    the truth's counts; the shares' denominators are the classified persons."""
    types = world.truth["faggian_types"]
    for k in HORIZONS:
        shares = mobility.typology_shares(histories[scale], at=k)
        for route in ROUTES:
            want = types[f"{k}y"][route][scale]
            got = {
                t: n
                for t, n in shares.filter(pl.col("route") == route)
                .select("faggian_type", "numerator")
                .rows()
            }
            assert got == want, (k, route)
            denominators = shares.filter(pl.col("route") == route)["denominator"].unique().to_list()
            assert denominators == [sum(want.values())], (k, route)


# --------------------------------------------------------------------------- 6


@pytest.fixture(scope="module")
def panel(world):
    """Municipality panel of applicants; the world plants the pilot from the calendar
    year of each centre's start term, hence timing="calendar"."""
    ds = world.ds
    return municipality_panel(
        ds.applications,
        ds.municipal_stats,
        ds.persons,
        config.load_learning_centres(),
        timing="calendar",
    )


def test_panel_treats_the_planted_municipalities_from_the_planted_year(world, panel):
    starts = dict(panel.filter(pl.col("pilot_start_year").is_not_null()).select(
        UNIT, "pilot_start_year").unique().rows())  # fmt: skip
    planted = {
        code: v["first_treated_year"] for code, v in world.truth["treated_municipalities"].items()
    }
    assert starts == planted


def test_pilot_effect_on_applicants_per_10k(world, panel):
    """TWFE and Callaway-Sant'Anna 95 % intervals contain the generating effect
    (8 per 10,000 residents 19-64 times scale); randomisation inference rejects
    no effect."""
    truth = world.truth["pilot_effect_applicants_per_10k"]
    generating = truth["generating"]
    assert generating == pytest.approx(8.0 * world.truth["scale"])
    outcome = "applicants_per_10k"
    twfe = effect.twfe_did(panel, outcome, UNIT, TIME, "treated")
    cs = effect.callaway_santanna(panel, outcome, UNIT, TIME, "pilot_start_year").overall
    for result in (twfe, cs):
        assert result.ci_low <= generating <= result.ci_high, result
        assert result.ci_low > 0, result
    ri = effect.randomisation_inference(
        panel, outcome, UNIT, TIME, "pilot_start_year", n_permutations=199, seed=1
    )
    assert ri.estimate == pytest.approx(twfe.estimate)
    assert ri.p_value <= 0.01, ri.p_value
