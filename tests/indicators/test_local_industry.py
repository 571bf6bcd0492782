"""Strand (a) summaries on a hand-made frame."""

from __future__ import annotations

from datetime import date

import polars as pl

from lcanalysis.indicators.local_industry import activity_summary, host_summary, likert_by_route


def _activities() -> pl.DataFrame:
    return pl.DataFrame({
        "person_id": ["a", "a", "b", "c", "c"],
        "activity_type": ["lab_session", "lab_session", "lab_session", "internship", "campus_visit"],
        "date": [date(2025, 1, d) for d in (1, 8, 1, 10, 12)],
        "course_code": ["SF1625", "SF1625", "SF1625", None, None],
        "host_org": ["Energi AB", "Energi AB", "Verkstad AB", "Energi AB", "KTH"],
        "host_municipality_code": ["0188", "0188", "0188", "0188", "0180"],
        "hours": [4.0, 4.0, None, 80.0, 6.0],
        "completed": [True, False, True, None, True],
    })


def test_activities_per_centre_and_type():
    participants = pl.DataFrame({
        "person_id": ["a", "b", "b"],
        "learning_centre_id": ["norrtalje", "sodertalje", "norrtalje"],
        "strand": ["industry_labs", "industry_labs", "industry_labs"],
        "start_term": ["HT2024", "VT2025", "HT2024"],
        "employed": [True, None, None],
    })
    out = activity_summary(_activities(), participants)
    rows = {(r["learning_centre_id"], r["activity_type"]): r for r in out.iter_rows(named=True)}
    # a and b both attributed to Norrtälje (b's first centre by start term): 2 people, 3 sessions.
    lab = rows[("norrtalje", "lab_session")]
    assert (lab["n"], lab["sessions"], lab["hours"], lab["sessions_without_hours"]) == (2, 3, 8.0, 1)
    assert lab["completed_share"] == 2 / 3
    # c is on no list: "unknown"; completion unknown for the internship.
    assert rows[("unknown", "internship")]["completed_share"] is None
    assert out.columns[:3] == ["learning_centre_id", "activity_type", "n"]


def test_hosts_leave_campus_visits_out():
    out = host_summary(_activities())
    assert out.rows() == [("0188", "Energi AB", 2, 88.0), ("0188", "Verkstad AB", 1, 0.0)]


def test_likert_counts_latest_answers_by_route():
    regs = pl.DataFrame({
        "person_id": ["a", "b"], "term": ["HT2024", "HT2024"], "course_code": ["X1", "X1"],
        "credits_registered": [7.5, 7.5], "delivery_mode": ["learning_centre", "campus"],
        "learning_centre_id": ["norrtalje", None], "programme_code": [None, None],
        "programme_level": ["single_course", "single_course"],
    })
    participants = pl.DataFrame(schema={"person_id": pl.Utf8, "learning_centre_id": pl.Utf8,
                                        "strand": pl.Utf8, "start_term": pl.Utf8, "employed": pl.Boolean})
    survey = pl.DataFrame({
        "person_id": ["a", "a", "b", "b", "z"],
        "survey_term": ["HT2024", "VT2025", "VT2025", "VT2025", "VT2025"],
        "item": ["f1", "f1", "f1", "f2", "f1"],
        "value": pl.Series([2, 5, 4, None, 3], dtype=pl.Int8),
    })
    out = likert_by_route(survey, regs, participants)
    got = {(r["item"], r["route"], r["value"]): r["count"] for r in out.iter_rows(named=True)}
    # a's latest answer (VT2025: 5) only; b's unanswered f2 is not counted; z has no registration.
    assert got[("f1", "learning_centre", 5)] == 1 and got[("f1", "learning_centre", 2)] == 0
    assert got[("f1", "campus", 4)] == 1
    assert ("f2", "campus", 1) not in got
    assert out.height == 10
