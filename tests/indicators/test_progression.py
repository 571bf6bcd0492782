"""Progression indicators on small inline frames; every expected number is worked by hand."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from lcanalysis.indicators import progression as prog
from tests.indicators.conftest import registrations_frame

LC, CP = "learning_centre", "campus"


def _results(rows: list[tuple]) -> pl.DataFrame:
    frame = pl.DataFrame(
        rows, schema=["person_id", "course_code", "module_code", "credits_earned", "term"], orient="row"
    )
    # examined_on follows the row order, so the first row of a module is its first pass
    return frame.with_columns(
        pl.col("credits_earned").cast(pl.Float64),
        pl.Series("examined_on", [date(2024, 9, 1 + i) for i in range(frame.height)]),
        pl.lit("P").alias("grade"),
    )


def _route_frame(routes: dict[str, str], entry: dict[str, str] | None = None) -> pl.DataFrame:
    frame = pl.DataFrame({"person_id": list(routes), "route": list(routes.values())})
    if entry:
        frame = frame.with_columns(pl.col("person_id").replace_strict(entry).alias("entry_term"))
    return frame


@pytest.fixture
def credits_world() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    regs = registrations_frame(
        [
            ("a", "HT2024", "C1", 7.5, LC, "norrtalje", None, "single_course"),
            ("a", "HT2024", "C2", 7.5, LC, "norrtalje", None, "single_course"),
            ("b", "HT2024", "C1", 7.5, LC, "norrtalje", None, "single_course"),
            ("c", "HT2024", "C1", 7.5, CP, None, None, "single_course"),
            ("c", "VT2025", "C1", 7.5, CP, None, None, "single_course"),
            ("d", "HT2024", "C3", 15, CP, None, None, "single_course"),
            ("e", "VT2026", "C1", 7.5, CP, None, None, "single_course"),
        ]
    )
    results = _results(
        [
            ("a", "C1", "M1", 4.5, "HT2024"),
            ("a", "C1", "M2", 3.0, "VT2025"),
            ("a", "C2", "M1", 7.5, "HT2026"),  # 4 terms after HT2024: outside the window
            ("b", "C1", "M1", 4.5, "HT2024"),
            ("b", "C1", "M1", 4.5, "VT2025"),  # re-examination of a passed module: once
            ("c", "C1", "M1", 4.5, "VT2025"),  # on c's re-registration in VT2025
            ("c", "C1", "M2", 3.0, "VT2025"),
            ("d", "C3", "M1", 15, "ST2025"),  # summer counts with VT2025
        ]
    )
    routes = _route_frame({"a": LC, "b": LC, "c": CP, "d": CP, "e": CP})
    return regs, results, routes


def test_performance_rate_with_clustered_ratio_interval(credits_world):
    regs, results, routes = credits_world
    out = prog.performance_rate(regs, results, entrants=routes)
    assert out["route"].to_list() == [CP, LC]
    campus, lc = out.rows(named=True)
    # LC: a earns 4.5 + 3.0 of 15, b 4.5 of 7.5: R = 12 / 22.5; residuals -0.5, 0.5
    # Var = 2/1 * 0.5 / 22.5^2 -> se 0.044444; half = 1.959964 * 0.044444 = 0.087110
    assert (lc["numerator"], lc["denominator"]) == (12.0, 22.5)
    assert lc["rate"] == pytest.approx(0.533333, abs=1e-6)
    assert lc["ci_low"] == pytest.approx(0.446223, abs=1e-5)
    assert lc["ci_high"] == pytest.approx(0.620443, abs=1e-5)
    # campus: c 7.5 of 15, d 15 of 15, R = 0.75; residuals -3.75, 3.75; se = 0.25
    # e's VT2026 window runs to HT2027, after the last term in the data (HT2026)
    assert (campus["numerator"], campus["denominator"], campus["rate"]) == (22.5, 30.0, 0.75)
    assert campus["ci_low"] == pytest.approx(0.75 - 0.489991, abs=1e-5)
    assert campus["ci_high"] == 1.0
    assert (campus["n_persons"], campus["n_registrations"], campus["incomplete_window"]) == (2, 3, 1)
    assert (lc["n_persons"], lc["incomplete_window"]) == (2, 0)


def test_performance_rate_needs_route_from_entrants(credits_world):
    regs, results, _ = credits_world
    with pytest.raises(ValueError, match="entrants"):
        prog.performance_rate(regs, results)
    by_mode = prog.performance_rate(regs, results, by=["delivery_mode"])
    assert by_mode["delivery_mode"].to_list() == [CP, LC]


def test_pass_rates_per_course_and_window(credits_world):
    regs, results, _ = credits_world
    same_term = prog.pass_rates(regs, results)
    # C1: a 4.5/7.5, b 4.5/7.5, c (HT24) 0, c (VT25) 7.5/7.5, e 0 -> 1 of 5
    assert same_term["course_code"].to_list() == ["C1", "C2", "C3"]
    assert same_term["numerator"].to_list() == [1, 0, 0]
    assert same_term["denominator"].to_list() == [5, 1, 1]
    one_more = prog.pass_rates(regs, results, window_terms=1)
    # a's C1 is complete by VT2025 and d's C3 in the summer after; e's window is now open
    assert one_more["numerator"].to_list() == [2, 0, 1]
    assert one_more["denominator"].to_list() == [5, 1, 1]


def test_continuation_flags_and_censoring():
    regs = registrations_frame(
        [
            ("a", "HT2024", "C1", 7.5, LC, "x", None, "single_course"),
            ("a", "VT2025", "C1", 7.5, LC, "x", None, "single_course"),
            ("b", "HT2024", "C1", 7.5, LC, "x", None, "single_course"),
            ("b", "ST2025", "C2", 7.5, LC, "x", None, "single_course"),
            ("b", "HT2025", "C3", 7.5, LC, "x", None, "single_course"),
            ("c", "HT2025", "C1", 7.5, CP, None, None, "single_course"),
            ("d", "VT2026", "C1", 7.5, CP, None, None, "single_course"),
            ("e", "HT2025", "C1", 7.5, CP, None, None, "single_course"),
            ("e", "VT2026", "C2", 7.5, CP, None, None, "single_course"),
        ]
    )
    entry = {"a": "HT2024", "b": "HT2024", "c": "HT2025", "d": "VT2026", "e": "HT2025"}
    people = _route_frame({"a": LC, "b": LC, "c": CP, "d": CP, "e": CP}, entry)
    status = prog.continuation_status(regs, people, last_term="VT2026")
    flags = {r["person_id"]: (r["next_term"], r["year_2"]) for r in status.iter_rows(named=True)}
    # b's summer course is not a regular term; c's year 2 and d's next term are not yet observed
    assert flags == {
        "a": (True, False), "b": (False, True), "c": (False, None), "d": (None, None),
        "e": (True, None),
    }  # fmt: skip
    two = prog.continuation_status(regs, people, next_terms=2, last_term="VT2026")
    assert two.filter(pl.col("person_id") == "b")["next_term"].item() is True
    out = prog.continuation(regs, people, last_term="VT2026")
    assert out.columns[:4] == ["route", "measure", "numerator", "denominator"]
    got = {(r["route"], r["measure"]): (r["numerator"], r["denominator"], r["missing"]) for r in out.iter_rows(named=True)}
    assert got == {
        (LC, "next_term"): (1, 2, 0), (LC, "year_2"): (1, 2, 0),
        (CP, "next_term"): (1, 2, 1), (CP, "year_2"): (0, 0, 3),
    }  # fmt: skip


@pytest.fixture
def foundation_world() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    fy = "foundation_year"
    regs = registrations_frame(
        [
            ("f1", "HT2024", "SF1", 30, LC, "norrtalje", "TBASD", fy),
            ("f1", "VT2025", "SF2", 30, LC, "norrtalje", "TBASD", fy),
            ("f1", "HT2025", "IX1", 7.5, CP, None, "TIELA", "bachelor_eng"),
            ("f2", "HT2024", "SF1", 30, LC, "norrtalje", "TBASD", fy),
            ("f2", "VT2025", "SF2", 30, LC, "norrtalje", "TBASD", fy),
            ("f3", "HT2024", "SF1", 30, CP, None, "TBASA", fy),
            ("f3", "VT2025", "SF2", 30, CP, None, "TBASA", fy),
            ("f3", "VT2027", "CD1", 7.5, CP, None, "CDATE", "msc_eng"),
            ("f4", "HT2025", "SF1", 30, CP, None, "TBASA", fy),
        ]
    )
    results = _results(
        [
            ("f1", "SF1", "M", 30, "HT2024"),
            ("f1", "SF2", "M", 30, "VT2025"),
            ("f2", "SF1", "M", 30, "HT2024"),
            ("f3", "SF1", "M", 30, "HT2024"),
            ("f3", "SF2", "M", 30, "HT2026"),  # entry + 4 terms: still in the window
            ("f4", "SF1", "M", 30, "HT2025"),
        ]
    )
    entry = {"f1": "HT2024", "f2": "HT2024", "f3": "HT2024", "f4": "HT2025"}
    people = _route_frame({"f1": LC, "f2": LC, "f3": CP, "f4": CP}, entry).with_columns(
        pl.lit(fy).alias("programme_level")
    )
    return regs, results, people


def test_foundation_year_outcomes(foundation_world):
    regs, results, people = foundation_world
    out = prog.foundation_year_outcomes(regs, results, people)
    p = {r["person_id"]: r for r in out.persons.iter_rows(named=True)}
    # last observed term VT2027 (f3's msc registration)
    assert {k: (v["fy_credits"], v["completed"], v["transitioned"]) for k, v in p.items()} == {
        "f1": (60.0, True, True), "f2": (30.0, False, False),
        "f3": (60.0, True, False),  # engineering only 5 terms after entry: outside the window
        "f4": (30.0, None, None),  # window HT2025..HT2027 not yet over
    }  # fmt: skip
    assert {k: (v["duration_terms"], v["event"]) for k, v in p.items()} == {
        "f1": (2, 1), "f2": (5, 0), "f3": (5, 1), "f4": (3, 0),
    }  # fmt: skip
    got = {(r["route"], r["measure"]): (r["numerator"], r["denominator"], r["missing"]) for r in out.rates.iter_rows(named=True)}
    assert got == {
        (CP, "completion"): (1, 1, 1), (CP, "transition"): (0, 1, 1),
        (LC, "completion"): (1, 2, 0), (LC, "transition"): (1, 2, 0),
    }  # fmt: skip


def test_transition_survival(foundation_world):
    regs, results, people = foundation_world
    persons = prog.foundation_year_outcomes(regs, results, people).persons
    curve = prog.transition_survival(persons)
    # LC: f1 moves on at 2 terms (2 at risk), f2 censored at 5; campus: f4 censored at 3,
    # f3 moves on at 5 with 1 at risk
    assert curve.select("route", "time", "survival", "at_risk").rows() == [
        (CP, 5.0, 0.0, 1), (LC, 2.0, 0.5, 2),
    ]  # fmt: skip


@pytest.fixture
def outcome_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "route": [LC] * 10 + [CP] * 10 + [LC, CP],
            "passed": [1] * 7 + [0] * 3 + [1] * 4 + [0] * 6 + [None, None],
            "legal_sex": ["F", "M", "F", "M", None, "F", "M", "F", "M", None]
            + ["F", "M", "F", "M", "F", "M", "F", "M", None, None]
            + ["F", "M"],
            "employed": [True, False] * 5 + [None] * 10 + [True, None],
        }
    )


def test_adjusted_comparison_unadjusted_is_the_two_by_two(outcome_frame):
    out = prog.adjusted_comparison(outcome_frame, "passed", covariates=())
    # 7/3 vs 4/6: odds ratio (7 * 6) / (3 * 4) = 3.5; AME = 0.7 - 0.4 = 0.3
    assert out.odds_ratios.filter(pl.col("term") == "learning_centre")["odds_ratio"].item() == pytest.approx(3.5, rel=1e-5)
    assert out.marginal_effect["ame"].item() == pytest.approx(0.3, abs=1e-6)
    assert out.n_obs == 20 and out.marginal_effect["n_obs"].item() == 20


def test_adjusted_comparison_drops_route_only_covariate(outcome_frame):
    out = prog.adjusted_comparison(outcome_frame, "passed", covariates=("legal_sex", "employed"))
    # employed is known only on the learning-centre route; unknown sex is a level, not a drop
    assert out.covariates_dropped == {"employed": "aliased_with_route"}
    assert out.covariates_used == ("legal_sex",)
    assert out.n_obs == 20
    assert "C(legal_sex)[T.unknown]" in out.odds_ratios["term"].to_list()


def test_foundation_year_funnel_counts_each_stage_per_route():
    from lcanalysis.indicators.progression import foundation_year_funnel

    apps = pl.DataFrame({
        "person_id": ["a", "b", "c", "d", "e", "e"],
        "term": ["HT2024"] * 5 + ["VT2025"],
        "programme_level": ["foundation_year"] * 4 + ["msc_eng", "foundation_year"],
        "learning_centre_id": ["norrtalje", "norrtalje", None, None, None, None],
        "admission_status": ["admitted", "admitted", "admitted", "reserve", "admitted", "admitted"],
    })
    regs = pl.DataFrame({
        "person_id": ["a", "b", "c", "e"],
        "term": ["HT2024", "HT2024", "HT2024", "HT2024"],
        "programme_level": ["foundation_year"] * 3 + ["msc_eng"],
    })
    outcomes = pl.DataFrame({
        "person_id": ["a", "b", "c"],
        "completed": [True, None, True],
        "transitioned": [True, None, False],
    })
    out = foundation_year_funnel(apps, regs, outcomes, cohort_terms=["HT2024"])
    got = {(r["stage"], r["route"]): (r["numerator"], r["denominator"]) for r in out.iter_rows(named=True)}
    # LC: a, b applied, admitted, registered; a passed and entered (b still open).
    assert got[("applied", "learning_centre")] == (2, 2)
    assert got[("registered", "learning_centre")] == (2, 2)
    assert got[("passed_foundation_year", "learning_centre")] == (1, 2)
    assert got[("entered_engineering", "learning_centre")] == (1, 2)
    # Campus: c and d applied for HT2024 (e's foundation-year application is VT2025);
    # c admitted and registered and passed, did not enter engineering.
    assert got[("applied", "campus")] == (2, 2)
    assert got[("admitted", "campus")] == (1, 2)
    assert got[("passed_foundation_year", "campus")] == (1, 2)
    assert got[("entered_engineering", "campus")] == (0, 2)
    assert out["stage"].to_list()[:2] == ["applied", "applied"]
