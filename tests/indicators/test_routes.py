"""entrants(): entry, route, strand and background of the hand-made cohort (conftest)."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lcanalysis.indicators.routes import entrants


def test_entry_route_and_strand(registrations, participants, persons):
    before = registrations.clone()
    out = entrants(registrations, participants, persons)
    assert_frame_equal(registrations, before)
    assert out["person_id"].is_unique().all()
    rows = {r["person_id"]: r for r in out.iter_rows(named=True)}
    # p04's first registration is VT2024; p08 starts VT2025; everyone else HT2024.
    assert out["person_id"].to_list()[0] == "p04"
    assert rows["p08"]["entry_term"] == "VT2025"
    # p06 registers a single course and a programme course in HT2024: the programme wins.
    assert (rows["p06"]["programme_level"], rows["p06"]["programme_code"]) == ("bachelor_eng", "TIELA")
    routes = {p: r["route"] for p, r in rows.items()}
    assert sorted(p for p, r in routes.items() if r == "learning_centre") == [
        "p01", "p02", "p03", "p04", "p10",
    ]  # fmt: skip
    # p03 started shared_course (HT2024) before industry_labs (VT2025): the earlier strand
    # and its employment (False) are used, not STRANDS order.
    assert (rows["p03"]["strand"], rows["p03"]["employed"]) == ("shared_course", False)
    # p04 is not a participant: centre from the learning-centre registration, no strand.
    assert (rows["p04"]["strand"], rows["p04"]["learning_centre_id"]) == (None, "hudiksvall")
    assert rows["p05"]["learning_centre_id"] is None and rows["p05"]["strand"] is None
    # Employment: the participant list first (p02 True although the survey says no),
    # then the survey (campus p05 True, p06 False); unknown otherwise (p07).
    assert [rows[p]["employed"] for p in ("p02", "p05", "p06", "p07")] == [True, True, False, None]


def test_age_bands_mature_and_geography(registrations, participants, persons):
    out = entrants(registrations, participants, persons)
    rows = {r["person_id"]: r for r in out.iter_rows(named=True)}
    # entry year - birth year: p01 2024-2005=19, p02 29, p03 36, p04 2024-2000=24, p08 2025-1998=27
    expected = {"p01": (19, "<20", False), "p02": (29, "25-34", True), "p03": (36, "35+", True),
                "p04": (24, "20-24", False), "p08": (27, "25-34", True), "p09": (None, None, None)}  # fmt: skip
    for person, (age, band, mature) in expected.items():
        assert (rows[person]["age_at_entry"], rows[person]["age_band"], rows[person]["mature"]) == (
            age, band, mature,
        )  # fmt: skip
    # Stockholm is SKR group A1 and within 50 km; Hudiksvall is about 250 km north.
    assert (rows["p05"]["skr_group"], rows["p05"]["distance_band"]) == ("A1", "0-49 km")
    assert rows["p03"]["distance_band"] == "150-299 km"
    assert rows["p03"]["distance_km"] == pytest.approx(250, abs=30)
    assert rows["p09"]["home_municipality_code"] is None and rows["p09"]["skr_group"] is None


def test_filters_define_entry_within_levels(registrations, participants, persons):
    cohort = entrants(registrations, participants, persons, cohort_terms=["HT2024"])
    assert sorted(cohort["person_id"]) == ["p01", "p02", "p03", "p05", "p06", "p07", "p09", "p10"]
    fy = entrants(registrations, participants, persons, programme_levels=["foundation_year"])
    assert sorted(fy["person_id"]) == ["p01", "p02", "p05", "p09", "p10"]
    assert set(fy["programme_level"]) == {"foundation_year"}
    # p01's entry among engineering programmes is the HT2025 bachelor course.
    eng = entrants(registrations, participants, persons, programme_levels=["bachelor_eng"])
    assert dict(zip(eng["person_id"], eng["entry_term"], strict=True)) == {"p06": "HT2024", "p01": "HT2025"}
    # the route is from all registrations and participation, not only the filtered level
    assert eng.filter(pl.col("person_id") == "p01")["route"].item() == "learning_centre"


def test_unknown_level_is_an_error(registrations, participants, persons):
    with pytest.raises(ValueError, match="unknown programme levels"):
        entrants(registrations, participants, persons, programme_levels=["phd"])


def test_person_routes_follow_the_entrants_rule(registrations, participants, persons):
    from lcanalysis.indicators.routes import person_routes

    routes = dict(person_routes(registrations, participants).iter_rows())
    by_entrants = dict(entrants(registrations, participants, persons).select("person_id", "route").iter_rows())
    # Everyone registered gets the same route as in entrants(); p04 is learning-centre
    # by registration only.
    assert {p: routes[p] for p in by_entrants} == by_entrants
    assert routes["p04"] == "learning_centre" and routes["p05"] == "campus"
