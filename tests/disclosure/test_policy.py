"""Tests of lcanalysis.disclosure.policy: each policy's rules on hand-checked cells,
one table at a time (margins and linked tables: test_attack.py)."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lcanalysis import disclosure as dc
from lcanalysis.stats import add_rate_columns


def rate_frame(rows: list[tuple[str, int, int]]) -> pl.DataFrame:
    return add_rate_columns(
        pl.DataFrame(rows, schema=["group", "numerator", "denominator"], orient="row")
    )


def test_get_policy_and_unknown_name():
    assert dc.get_policy("ofs").rounding_base == 10
    assert dc.get_policy(dc.POLICIES["hesa"]) is dc.POLICIES["hesa"]
    with pytest.raises(ValueError, match="default, ofs, hesa"):
        dc.get_policy("scb")
    with pytest.raises(dataclasses.FrozenInstanceError):
        dc.POLICIES["default"].min_denominator = 3


def test_default_policy_rate_frame():
    frame = rate_frame([("a", 3, 40), ("b", 7, 9), ("c", 0, 12), ("d", 3, 4), ("e", 20, 40),
                        ("f", 13, 14), ("g", 26, 26)])
    before = frame.clone()
    out = dc.apply_policy(frame, "default")
    assert_frame_equal(frame, before)
    assert dc.is_protected(out) and not dc.is_protected(frame)
    assert out["suppression_reason"].to_list() == [
        "small_count", "small_denominator", None, "small_count", None, "small_complement", None,
    ]  # fmt: skip
    assert out["suppressed"].to_list() == [True, True, False, True, False, True, False]
    assert out["numerator"].to_list() == [None, None, 0, None, 20, None, 26]
    # The denominator goes with the row when it is what made it unsafe (9 < 10, 4);
    # "13 of 14" hides the 13 (one person lacks the attribute), not the 14.
    assert out["denominator"].to_list() == [40, None, 12, None, 40, 14, 26]
    assert out["rate"].to_list() == [None, None, 0.0, None, 0.5, None, 1.0]
    assert out["ci_low"].null_count() == 4
    assert dc.audit(out, "default") == []


def test_audit_flags_a_shown_small_complement():
    shown = rate_frame([("Sollefteå", 13, 14), ("Nynäshamn", 18, 19), ("x", 22, 26)])
    found = [(v.row, v.reason) for v in dc.audit(shown, "default")]
    assert found == [(0, "small_complement"), (1, "small_complement"), (2, "small_complement")]


def test_ofs_policy_codes_and_rounding():
    frame = rate_frame([("a", 21, 23), ("b", 2, 30), ("c", 10, 22), ("d", 15, 44), ("e", 25, 95),
                        ("f", 0, 40), ("g", 40, 40)])
    out = dc.apply_policy(frame, "ofs")
    # OfS hides 0 and "all" (DPL/DPH include them); the default policy shows them.
    assert out["suppression_reason"].to_list() == ["DPH", "DPL", "low", None, None, "DPL", "DPH"]
    assert not dc.POLICIES["ofs"].shows_zero_and_all and dc.POLICIES["default"].shows_zero_and_all
    # counts rounded to the nearest 10, halves up; the "low" row's denominator hidden
    assert out["numerator"].to_list() == [None, None, None, 20, 30, None, None]
    assert out["denominator"].to_list() == [20, 30, None, 40, 100, 40, 40]
    # rates and intervals from the rounded counts: 20 of 40, not 15 of 44
    assert out["rate"][3] == 0.5 and out["rate"][0] is None
    assert out["ci_low"][3] == pytest.approx(0.3520, abs=1e-4)
    assert dc.audit(out, "ofs") == []


def test_hesa_rounding_and_small_population():
    counts = pl.DataFrame({"n": [0, 1, 2, 3, 7, 8, 22, 23]})
    assert dc.apply_policy(counts, "hesa")["n"].to_list() == [0, 0, 0, 5, 5, 10, 20, 25]
    rates = dc.apply_policy(rate_frame([("a", 10, 22), ("b", 10, 23)]), "hesa")
    assert rates["suppression_reason"].to_list() == ["small_population", None]
    assert rates["numerator"].to_list() == [None, 10]
    assert rates["denominator"].to_list() == [None, 25]
    assert rates["rate"][1] == 10 / 25
    assert dc.audit(rates, "hesa") == []


def test_apply_policy_drops_missing_and_keeps_earlier_reasons():
    frame = rate_frame([("a", 20, 40)]).with_columns(
        pl.lit(True).alias("suppressed"),
        pl.lit("secondary").alias("suppression_reason"),
        pl.lit(3).alias("missing"),
    )
    out = dc.apply_policy(frame, "default")
    assert "missing" not in out.columns
    assert out["suppression_reason"].to_list() == ["secondary"]
    assert out["numerator"].to_list() == [None]


def test_default_count_table_keeps_zero_and_declared_keys_stay():
    out = dc.apply_policy(pl.DataFrame({"sex": ["f", "m", "x"], "count": [0, 4, 5]}), "default")
    assert out["count"].to_list() == [0, None, 5]
    assert out["suppression_reason"].to_list() == [None, "small_count", None]
    # A numeric key after the count (years) is declared, so it is not nulled as a value.
    years = pl.DataFrame({"count": [3, 9], "years": [1, 2], "hours": [4.5, 20.0]})
    out = dc.apply_policy(years, "default", keys=["years"])
    assert out["years"].to_list() == [1, 2] and out["hours"].to_list() == [None, 20.0]


def survival_frame(rows):
    return pl.DataFrame(rows, schema=["route", "time", "survival", "ci_low", "ci_high", "at_risk"],
                        orient="row")


def test_survival_curve_stops_at_a_step_with_few_events_or_few_at_risk():
    # campus: 100 at risk, 20 events (S 0.8), then 60 at risk, 3 events (S 0.76): the
    # second step has 3 events, so it and everything after are hidden.
    # learning centre: 12 at risk, then 8 at risk (< 10): hidden from there.
    frame = survival_frame([
        ("campus", 1.0, 0.80, 0.7, 0.9, 100), ("campus", 2.0, 0.76, 0.6, 0.85, 60),
        ("campus", 3.0, 0.38, 0.3, 0.5, 50),
        ("lc", 1.0, 0.5, 0.3, 0.7, 12), ("lc", 2.0, 0.25, 0.1, 0.5, 8),
    ])
    assert dc.apply_policy(frame, "default").filter(pl.col("route") == "campus")[
        "suppression_reason"].to_list() == [None, "small_count", "small_count"]
    out = dc.apply_policy(frame, "default", keys=["route"])
    assert out["suppression_reason"].to_list() == [
        None, "small_count", "small_count", None, "small_denominator"]
    assert out["survival"].to_list() == [0.80, None, None, 0.5, None]
    assert out["at_risk"].to_list() == [100, None, None, 12, None]
    assert dc.audit(out, "default", keys=["route"]) == []
    # the unprotected curve fails: 3 events shown, 8 at risk shown
    bare = frame.with_columns(pl.lit(False).alias("suppressed"),
                              pl.lit(None, pl.Utf8).alias("suppression_reason"))
    found = {(v.row, v.reason) for v in dc.audit(bare, "default", keys=["route"])}
    assert (1, "small_count") in found and (4, "small_denominator") in found


def test_ratio_frames_are_protected_by_the_people_behind_them():
    # Performance rate: numerator and denominator are credits; n_persons are people.
    ratio = pl.DataFrame({
        "route": ["campus", "learning_centre", "other"],
        "numerator": [850.5, 30.0, None], "denominator": [1000.0, 45.0, None],
        "rate": [0.8505, 0.6667, None], "ci_low": [0.8, 0.5, None], "ci_high": [0.9, 0.8, None],
        "n_persons": [120, 6, 0],
    })
    out = dc.apply_policy(ratio, "default")
    rows = {r["route"]: r for r in out.iter_rows(named=True)}
    # 120 people: shown (a numerator of 30 credits is not a small count of people).
    assert rows["campus"]["rate"] == 0.8505 and not rows["campus"]["suppressed"]
    # 6 people (< 10): suppressed with every number nulled; 0 people likewise.
    for route in ("learning_centre", "other"):
        assert rows[route]["suppressed"] and rows[route]["suppression_reason"] == "small_denominator"
        assert rows[route]["numerator"] is None and rows[route]["n_persons"] is None
    assert dc.audit(out, "default") == []
    # The unprotected frame fails the audit on the 6-person row.
    assert [v.reason for v in dc.audit(ratio.with_columns(
        pl.lit(False).alias("suppressed"), pl.lit(None, pl.Utf8).alias("suppression_reason")),
        "default")] == ["small_denominator", "small_denominator"]


def test_estimate_tables_need_enough_observations():
    estimates = pl.DataFrame({"method": ["twfe", "tiny"], "estimate": [7.4, 2.0], "n_obs": [3480, 6]})
    found = dc.audit(estimates, "default")
    assert [(v.row, v.reason) for v in found] == [(1, "small_sample")]
    bare = pl.DataFrame({"label": ["x"], "estimate": [1.0]})
    assert [v.reason for v in dc.audit(bare, "default")] == ["not_auditable"]


def test_rounding_a_rate_from_unrounded_counts_gives_the_count_away():
    """3 of 43 under hesa: the count rounds to 5, but a rate of 3/43 to six decimals
    leaves only 3; apply_policy's rate of the rounded counts (5/45) leaves nothing."""
    frame = rate_frame([("lc", 3, 43)])
    safe = dc.apply_policy(frame, "hesa", keys=["group"])
    layout = dc.Layout(keys=("group",))
    assert safe["rate"][0] == pytest.approx(5 / 45)
    assert dc.attack([dc.Published("t", safe, layout)], "hesa") == []
    leaky = safe.with_columns(pl.lit(round(3 / 43, 6)).alias("rate"))
    found = dc.attack([dc.Published("t", leaky, layout)], "hesa")
    assert [(f.reason, f.message.endswith("numerator 3")) for f in found] == [
        ("unrounded_recovered", True)]
