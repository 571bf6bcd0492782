"""Mobility histories, Faggian types, retention and flows for six hand-placed people.

m1 LC Norrtälje, home Norrtälje: stays; works in Stockholm at 3 years (a commuter).
m2 LC Hudiksvall, home Nordanstig (served by Hudiksvall): 1-year observation too early;
   lives and works in Hudiksvall at 3 years.
m3 campus, home Hudiksvall: in Stockholm after 1 year, back home at 3 years.
m4 campus, home Göteborg: Malmö at 3 years, not in work; no 1-year follow-up.
m5 campus, home Stockholm: lives in Stockholm, works in Solna at 1 year.
m6 LC Norrtälje, home unknown.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from lcanalysis.config import load_learning_centres
from lcanalysis.indicators import mobility as mob

LC, CP = "learning_centre", "campus"


@pytest.fixture
def histories_input() -> tuple[pl.DataFrame, pl.DataFrame]:
    people = pl.DataFrame(
        {
            "person_id": ["m1", "m2", "m3", "m4", "m5", "m6"],
            "entry_term": ["HT2024"] * 6,
            "route": [LC, LC, CP, CP, CP, LC],
            "learning_centre_id": ["norrtalje", "hudiksvall", None, None, None, "norrtalje"],
            "home_municipality_code": ["0188", "2132", "2184", "1480", "0180", None],
        }
    )
    rows = [
        ("m1", date(2025, 12, 20), "0188", "0188", True),
        ("m1", date(2027, 11, 1), "0188", "0180", True),
        ("m2", date(2025, 6, 1), "2132", None, None),  # 213 days before 31 Dec 2025
        ("m2", date(2027, 12, 31), "2184", "2184", True),
        ("m3", date(2025, 12, 1), "0180", "0180", True),
        ("m3", date(2026, 1, 15), "0180", "0180", True),
        ("m3", date(2028, 2, 1), "2184", "2184", True),
        ("m4", date(2027, 12, 1), "1280", None, False),
        ("m5", date(2025, 12, 31), "0180", "0184", True),
        ("m5", date(2027, 12, 31), "0180", "0180", True),
        ("m6", date(2027, 12, 31), "0188", "0188", True),
    ]
    followups = pl.DataFrame(
        rows,
        schema=["person_id", "observed_on", "residence_municipality_code", "work_municipality_code", "employed"],
        orient="row",
    )
    return people, followups


@pytest.fixture
def histories(histories_input) -> pl.DataFrame:
    people, followups = histories_input
    return mob.mobility_histories(people, followups, load_learning_centres(), anchor="entry")


def test_histories_pick_the_nearest_observation(histories):
    h = {r["person_id"]: r for r in histories.iter_rows(named=True)}
    assert [h[p]["study_region"] for p in ("m1", "m2", "m3")] == ["0188", "2184", "0180"]
    assert [h[p]["followup_1y"] for p in ("m1", "m2", "m3", "m4", "m5", "m6")] == [
        True, False, True, False, True, False,
    ]  # fmt: skip
    # m3: 15 Jan 2026 is 15 days from 31 Dec 2025, 1 Dec 2025 is 30 days
    assert (h["m3"]["residence_1y"], h["m3"]["residence_3y"]) == ("0180", "2184")
    assert (h["m4"]["work_3y"], h["m4"]["employed_3y"]) == (None, False)


def test_faggian_types_residence_and_work(histories):
    residence = dict(mob.faggian_type(histories).select("person_id", "faggian_type").rows())
    assert residence == {
        "m1": "non_migrant", "m2": "university_stayer", "m3": "return_migrant",
        "m4": "repeat_migrant", "m5": "non_migrant", "m6": "unknown",
    }  # fmt: skip
    work = dict(mob.faggian_type(histories, place="work").select("person_id", "faggian_type").rows())
    assert (work["m1"], work["m4"]) == ("late_migrant", "not_in_work")
    one_year = dict(mob.faggian_type(histories, at=1).select("person_id", "faggian_type").rows())
    assert (one_year["m2"], one_year["m3"]) == ("no_followup", "university_stayer")


def test_county_scale_merges_served_neighbours(histories_input):
    people, followups = histories_input
    county = mob.mobility_histories(people, followups, load_learning_centres(), scale="county",
                                    anchor="entry")
    typed = dict(mob.faggian_type(county).select("person_id", "faggian_type").rows())
    # Nordanstig and Hudiksvall are both in Gävleborg (21): m2 never left
    assert typed["m2"] == "non_migrant"


def test_typology_shares_leave_out_unclassified(histories):
    out = mob.typology_shares(histories)
    lc = out.filter(pl.col("route") == LC)
    assert lc["faggian_type"].to_list() == list(mob.FAGGIAN_TYPES)
    assert lc["numerator"].to_list() == [1, 0, 0, 1, 0]
    assert set(lc["denominator"]) == {2} and set(lc["missing"]) == {1}
    campus = out.filter(pl.col("route") == CP)
    assert campus["numerator"].to_list() == [1, 0, 1, 0, 1]
    assert set(campus["denominator"]) == {3} and set(campus["missing"]) == {0}


def test_typology_shares_keep_a_group_nobody_in_is_classified(histories):
    # Regression: a route whose persons all lack the follow-up (learning-centre
    # students before their first 3-year follow-up) vanished from the table.
    out = mob.typology_shares(histories.with_columns(pl.lit(False).alias("followup_3y")))
    lc = out.filter(pl.col("route") == LC)
    assert lc["faggian_type"].to_list() == list(mob.FAGGIAN_TYPES)
    assert set(lc["numerator"]) == {0} and set(lc["denominator"]) == {0}
    assert lc["rate"].null_count() == len(mob.FAGGIAN_TYPES)
    assert set(lc["missing"]) == {3}
    assert out["route"].unique(maintain_order=True).to_list() == sorted({LC, CP})


def test_retention_keeps_commuters_apart(histories):
    out = mob.retention(histories)
    got = {
        (r["route"], r["years"], r["measure"]): (r["numerator"], r["denominator"], r["missing"])
        for r in out.iter_rows(named=True)
    }
    assert got[(LC, 3, "lives_in_home")] == (1, 2, 1)  # m1 yes, m2 no, m6 home unknown
    assert got[(CP, 3, "lives_in_home")] == (2, 3, 0)  # m3, m5 yes; m4 no
    assert got[(LC, 3, "works_in_home")] == (0, 2, 1)  # m1 works in Stockholm
    assert got[(CP, 3, "works_in_home")] == (2, 2, 1)  # m4 not in work
    assert got[(LC, 3, "commutes_out")] == (1, 1, 2)
    assert got[(CP, 1, "commutes_out")] == (1, 1, 2)  # m5 lives in Stockholm, works in Solna
    assert got[(CP, 1, "lives_in_home")] == (1, 2, 1)  # m3 in Stockholm, m4 no follow-up


def test_flows_label_missing_places(histories):
    out = mob.flows(histories)
    assert out.columns == ["home", "study", "work_3y", "count"]
    assert out["count"].sum() == 6
    assert out.rows() == [
        ("0180", "0180", "0180", 1),
        ("0188", "0188", "0180", 1),
        ("1480", "0180", "not_in_work", 1),
        ("2132", "2184", "2184", 1),
        ("2184", "0180", "2184", 1),
        ("unknown", "0188", "0188", 1),
    ]
    one_year = mob.flows(histories, stages=("home", "residence_1y"), by=("route",))
    assert ("learning_centre", "2132", "no_followup", 1) in one_year.rows()
    with pytest.raises(ValueError, match="stage"):
        mob.flows(histories, stages=("home", "job_3y"))


def test_brain_drain_flows_in_few_categories():
    from lcanalysis.indicators.mobility import brain_drain_flows

    histories = pl.DataFrame({
        "home_municipality_code": ["2184", "2184", "0188", "0188", "2184"],
        "route": ["learning_centre", "campus", "campus", "learning_centre", "campus"],
        # worked at home, moved to Solna (Stockholm county), worked in Stockholm
        # although from Norrtälje (same county), at home, no follow-up yet.
        "work_1y": ["2184", "0184", "0180", "0188", None],
    })
    out = brain_drain_flows(histories, at=1)
    got = {(r["home_region"], r["study_region"], r["work_region"]): r["count"]
           for r in out.iter_rows(named=True)}
    assert got == {
        ("elsewhere", "learning_centre", "home_municipality"): 1,
        ("elsewhere", "campus", "stockholm_county"): 1,
        ("elsewhere", "campus", None): 1,
        ("stockholm_county", "campus", "stockholm_county"): 1,
        ("stockholm_county", "learning_centre", "home_municipality"): 1,
    }


def test_followups_count_from_the_end_of_study_by_default():
    people = pl.DataFrame({
        "person_id": ["a"], "entry_term": ["HT2020"], "route": ["campus"],
        "learning_centre_id": pl.Series([None], dtype=pl.Utf8), "home_municipality_code": ["2184"],
        "study_end": [date(2023, 6, 30)],  # last registered term VT2023
    })
    followups = pl.DataFrame({
        "person_id": ["a", "a"],
        "observed_on": [date(2021, 12, 31), date(2024, 6, 30)],
        "residence_municipality_code": ["0180", "2184"],
        "work_municipality_code": ["0180", "2184"], "employed": [True, True],
    })
    after_study = mob.mobility_histories(people, followups, load_learning_centres(), years=(1,))
    after_entry = mob.mobility_histories(people, followups, load_learning_centres(), years=(1,),
                                         anchor="entry")
    # One year after study (mid-2024) she is back home; one year after entry (end 2021)
    # she lived in Stockholm while still studying.
    assert after_study["residence_1y"].to_list() == ["2184"]
    assert after_entry["residence_1y"].to_list() == ["0180"]
