"""Foundation-year outcomes of the demo world: planted, in the records, recovered.

The generator plants completion of the foundation year (60 credits passed in the two
foundation terms) and transition of completers to an engineering programme in the
next HT (docs/synthetic-world.md, "Foundation year"). Here the planted flags are
checked against the generated records (registrations and results), the realised
shares against the generating probabilities, truth.json against both, and finally
the real indicator (`progression.foundation_year_outcomes` on the cleaned data)
against truth.json's realised counts for the HT2024 cohort.
"""

from __future__ import annotations

import math

import polars as pl
import pytest

from lcanalysis import config, identity
from lcanalysis.clean import clean
from lcanalysis.dataset import Dataset
from lcanalysis.indicators import progression, routes
from lcanalysis.synth import generate_demo_world

SEED = 20241
SCALE = 1.0
ROUTES = ("campus", "learning_centre")
WINDOW = 4
ENGINEERING = ("bachelor_eng", "msc_eng")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("foundation_year")
    return generate_demo_world(root / "raw", seed=SEED, scale=SCALE)


@pytest.fixture(scope="module")
def records(demo) -> pl.DataFrame:
    """One row per foundation-year entrant of a closed cohort, read off the records
    only: route, entry term, credits earned on foundation-year courses in the window,
    engineering registrations, and the planted flags to compare with."""
    world = demo.world
    levels = {code: p.level for code, p in config.load_programmes().items()}
    regs = world.registrations.with_columns(level=pl.col("programme_code").replace_strict(levels))
    fy_regs = regs.filter(pl.col("level") == "foundation_year")
    route = regs.group_by("person").agg(
        lc=(pl.col("delivery_mode") == "learning_centre").any()
    ).select("person", route=pl.when("lc").then(pl.lit("learning_centre")).otherwise(pl.lit("campus")))
    entry = fy_regs.group_by("person").agg(entry_idx=pl.col("term_idx").min())
    credits = (
        world.results.join(fy_regs.select("person", "course_code").unique(), on=["person", "course_code"])
        .join(entry, on="person")
        .group_by("person")
        .agg(
            fy_credits=pl.col("credits").filter(
                pl.col("term_idx").is_between(pl.col("entry_idx"), pl.col("entry_idx") + WINDOW)).sum(),
            last_fy_result=pl.col("term_idx").max(),
        )
    )
    eng = (
        regs.filter(pl.col("level").is_in(ENGINEERING)).join(entry, on="person")
        .group_by("person")
        .agg(first_eng=pl.col("term_idx").min(), eng_codes=pl.col("programme_code").unique(),
             eng_modes=pl.col("delivery_mode").unique())
    )
    last = demo.truth["foundation_year"]["last_term"]
    last_idx = int(last[2:]) * 2 + (last[:2] == "HT")
    return (
        entry.filter(pl.col("entry_idx") + WINDOW <= last_idx)
        .join(route, on="person")
        .join(credits, on="person", how="left")
        .join(eng, on="person", how="left")
        .join(world.students.select("person", "fy_completes", "fy_transitions"), on="person", how="left")
        .with_columns(pl.col("fy_credits").fill_null(0.0))
    )


def test_completers_pass_60_credits_within_their_two_terms(records):
    done = records.filter(pl.col("fy_completes"))
    assert done.height > 0
    assert (done["fy_credits"] == 60.0).all()
    assert (done["last_fy_result"] <= done["entry_idx"] + 1).all()
    rest = records.filter(~pl.col("fy_completes"))
    assert rest.height > 0
    assert (rest["fy_credits"] < 60.0).all()
    assert rest["fy_credits"].max() >= 50.0, "non-completers should come close, not just drop out"


def test_transitions_go_to_a_campus_engineering_programme_the_next_autumn(records):
    levels = {code: p.level for code, p in config.load_programmes().items()}
    went = records.filter(pl.col("first_eng").is_not_null())
    assert went.height > 0
    assert went["fy_transitions"].all(), "only planted transitions reach engineering"
    assert went["fy_completes"].all(), "only completers go on"
    next_ht = went["entry_idx"] + 2 + (went["entry_idx"] % 2 == 0)
    assert (went["first_eng"] == next_ht).all()
    for codes, modes in went.select("eng_codes", "eng_modes").rows():
        assert len(codes) == 1 and levels[codes[0]] in ENGINEERING
        assert modes == ["campus"]
    assert records.filter(pl.col("fy_transitions") & pl.col("first_eng").is_null()).height == 0


def _counts(frame: pl.DataFrame) -> tuple[int, int, int]:
    completed = frame["fy_credits"] >= 60.0
    transitioned = frame["first_eng"].is_not_null() & (frame["first_eng"] <= frame["entry_idx"] + WINDOW)
    return frame.height, int(completed.sum()), int(transitioned.sum())


@pytest.mark.parametrize("route", ROUTES)
def test_planted_shares_appear_in_the_records_and_in_truth(demo, records, route):
    fy = demo.truth["foundation_year"]
    gen, real = fy["generating"][route], fy["realised"][route]
    frame = records.filter(pl.col("route") == route)
    n, completed, transitioned = _counts(frame)
    assert n > 50
    assert (n, completed, transitioned) == (real["entrants"], real["completers"], real["transitions"])
    assert completed == int(frame["fy_completes"].sum())
    assert transitioned == int(frame["fy_transitions"].sum())
    # The realised shares lie within 3.3 binomial standard errors (99.9 %) of the
    # generating probabilities.
    for k, m, prob in ((completed, n, gen["completion"]), (transitioned, completed, gen["transition_given_completion"])):
        assert abs(k / m - prob) <= 3.3 * math.sqrt(prob * (1 - prob) / m), (route, k, m, prob)
    assert real["completion_share"] == pytest.approx(completed / n)
    assert real["transition_given_completion"] == pytest.approx(transitioned / completed)


def test_planted_probabilities_are_the_documented_ones(demo):
    gen = demo.truth["foundation_year"]["generating"]
    assert gen["campus"] == {"completion": 0.65, "transition_given_completion": 0.85, "transition": 0.5525}
    assert gen["learning_centre"] == {"completion": 0.55, "transition_given_completion": 0.8, "transition": 0.44}
    assert "HT2024" in demo.truth["foundation_year"]["cohorts"]


@pytest.fixture(scope="module")
def outcomes(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("foundation_year_processed")
    clean(demo.root, out, key=identity.DEMO_KEY)
    ds = Dataset.load(out)
    entrants = routes.entrants(
        ds.registrations, ds.participants, ds.persons,
        cohort_terms=["HT2024"], programme_levels=["foundation_year"],
    )
    return ds, progression.foundation_year_outcomes(
        ds.registrations, ds.results, entrants, last_term=demo.truth["foundation_year"]["last_term"])


# The two tests below clean the full-scale demo world first (truth recovery end to end).
@pytest.mark.slow
@pytest.mark.parametrize("route", ROUTES)
def test_indicator_recovers_the_realised_ht2024_outcomes(demo, outcomes, route):
    """foundation_year_outcomes on the cleaned data gives truth.json's HT2024 counts
    exactly, with nothing left unobserved."""
    _, result = outcomes
    want = demo.truth["foundation_year"]["by_cohort"]["HT2024"][route]
    rates = result.rates.filter(pl.col("route") == route)
    got = {m: (num, den, miss) for m, num, den, miss in
           rates.select("measure", "numerator", "denominator", "missing").rows()}
    assert got["completion"] == (want["completers"], want["entrants"], 0)
    assert got["transition"] == (want["transitions"], want["entrants"], 0)
    persons = result.persons.filter(pl.col("route") == route)
    both = persons.filter(pl.col("completed") & pl.col("transitioned")).height
    assert both == want["transitions"]
    assert both / want["completers"] == pytest.approx(want["transition_given_completion"])


@pytest.mark.slow
def test_funnel_reaches_engineering(demo, outcomes):
    ds, result = outcomes
    funnel = progression.foundation_year_funnel(
        ds.applications, ds.registrations, result.persons, cohort_terms=["HT2024"])
    want = demo.truth["foundation_year"]["by_cohort"]["HT2024"]
    for route in ROUTES:
        stage = {s: n for s, r, n in funnel.select("stage", "route", "numerator").rows() if r == route}
        assert stage["passed_foundation_year"] == want[route]["completers"]
        assert stage["entered_engineering"] == want[route]["transitions"] > 0
        assert stage["registered"] >= stage["passed_foundation_year"] >= stage["entered_engineering"]
