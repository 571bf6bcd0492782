"""Tests of lcanalysis.disclosure: each policy on hand-checked cells, secondary
suppression on a hand-made 3x3 table, and property tests whose recoverability check
is written independently of the implementation."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from lcanalysis import disclosure as dc
from lcanalysis.stats import add_rate_columns

TOTAL = "Total"


def rate_frame(rows: list[tuple[str, int, int]]) -> pl.DataFrame:
    return add_rate_columns(
        pl.DataFrame(rows, schema=["group", "numerator", "denominator"], orient="row")
    )


def long_table(cells: dict[tuple[str, str], int]) -> pl.DataFrame:
    """A long count table with row, column and grand totals from inner cells."""
    rows = sorted({r for r, _ in cells})
    cols = sorted({c for _, c in cells})
    out = []
    for r in [*rows, TOTAL]:
        for c in [*cols, TOTAL]:
            out.append(
                (
                    r,
                    c,
                    sum(
                        v for (rr, cc), v in cells.items() if r in (rr, TOTAL) and c in (cc, TOTAL)
                    ),
                )
            )
    return pl.DataFrame(out, schema=["region", "sex", "count"], orient="row")


def test_get_policy_and_unknown_name():
    assert dc.get_policy("ofs").rounding_base == 10
    assert dc.get_policy(dc.POLICIES["hesa"]) is dc.POLICIES["hesa"]
    with pytest.raises(ValueError, match="default, ofs, hesa"):
        dc.get_policy("scb")
    with pytest.raises(dataclasses.FrozenInstanceError):
        dc.POLICIES["default"].min_denominator = 3


def test_default_policy_rate_frame():
    frame = rate_frame([("a", 3, 40), ("b", 7, 9), ("c", 0, 12), ("d", 3, 4), ("e", 20, 40)])
    before = frame.clone()
    out = dc.apply_policy(frame, "default")
    assert_frame_equal(frame, before)
    assert out["suppression_reason"].to_list() == [
        "small_count", "small_denominator", None, "small_count", None,
    ]  # fmt: skip
    assert out["suppressed"].to_list() == [True, True, False, True, False]
    assert out["numerator"].to_list() == [None, None, 0, None, 20]
    # the denominator stays unless it is itself a small count (4)
    assert out["denominator"].to_list() == [40, 9, 12, None, 40]
    assert out["rate"].to_list() == [None, None, 0.0, None, 0.5]
    assert out["ci_low"].null_count() == 3
    assert dc.audit(out, "default") == []


def test_ofs_policy_codes_and_rounding():
    frame = rate_frame([("a", 21, 23), ("b", 2, 30), ("c", 10, 22), ("d", 15, 44), ("e", 25, 95)])
    out = dc.apply_policy(frame, "ofs")
    assert out["suppression_reason"].to_list() == ["DPH", "DPL", "low", None, None]
    # counts rounded to the nearest 10, halves up; the rate stays unrounded
    assert out["numerator"].to_list() == [None, None, None, 20, 30]
    assert out["denominator"].to_list() == [20, 30, 20, 40, 100]
    assert out["rate"][3] == pytest.approx(15 / 44)
    assert dc.audit(out, "ofs") == []


def test_hesa_rounding_and_small_population():
    counts = pl.DataFrame({"n": [0, 1, 2, 3, 7, 8, 22, 23]})
    assert dc.apply_policy(counts, "hesa")["n"].to_list() == [0, 0, 0, 5, 5, 10, 20, 25]
    rates = dc.apply_policy(rate_frame([("a", 10, 22), ("b", 10, 23)]), "hesa")
    assert rates["suppression_reason"].to_list() == ["small_population", None]
    assert rates["numerator"].to_list() == [None, 10]
    assert rates["denominator"].to_list() == [20, 25]
    assert rates["rate"][1] == pytest.approx(10 / 23)
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


def test_default_count_table_keeps_zero():
    out = dc.apply_policy(pl.DataFrame({"sex": ["f", "m", "x"], "count": [0, 4, 5]}), "default")
    assert out["count"].to_list() == [0, None, 5]
    assert out["suppression_reason"].to_list() == [None, "small_count", None]


# Hand-made 3x3 table (region x sex) with totals; (r1, B) = 3 is the only small cell.
#          A    B    C  | Total
#   r1    20    3   15  |  38
#   r2    12   25    9  |  46
#   r3     8   14   30  |  52
# Row r1 has one hidden cell -> hide its smallest other cell 15 (r1,C); column B
# -> 14 (r3,B); row r3 -> 8 (r3,A); column A -> 12 (r2,A); row r2 -> 9 (r2,C).
# Every row and column then has two hidden cells, forming one 6-cycle.
THREE_BY_THREE = {
    ("r1", "A"): 20, ("r1", "B"): 3, ("r1", "C"): 15,
    ("r2", "A"): 12, ("r2", "B"): 25, ("r2", "C"): 9,
    ("r3", "A"): 8, ("r3", "B"): 14, ("r3", "C"): 30,
}  # fmt: skip


def test_secondary_suppression_three_by_three():
    table = dc.apply_policy(long_table(THREE_BY_THREE), "default")
    out = dc.secondary_suppression(table)
    hidden = out.filter(pl.col("suppressed")).select("region", "sex", "suppression_reason")
    assert sorted(hidden.rows()) == [
        ("r1", "B", "small_count"),
        ("r1", "C", "secondary"),
        ("r2", "A", "secondary"),
        ("r2", "C", "secondary"),
        ("r3", "A", "secondary"),
        ("r3", "B", "secondary"),
    ]
    assert out.filter(pl.col("suppressed"))["count"].null_count() == 6
    assert out.filter(pl.col("region") == TOTAL)["count"].to_list() == [40, 42, 54, 136]
    assert dc.audit(out, "default") == []


def test_secondary_suppression_one_way_and_rate_frame():
    one_way = pl.DataFrame({"centre": ["a", "b", "c", TOTAL], "count": [12, 3, 20, 35]})
    out = dc.secondary_suppression(dc.apply_policy(one_way, "default"))
    assert out["suppression_reason"].to_list() == ["secondary", "small_count", None, None]

    rates = rate_frame([("a", 20, 50), ("b", 3, 40), ("c", 12, 30), (TOTAL, 35, 120)])
    out = dc.secondary_suppression(dc.apply_policy(rates, "default"))
    assert out["suppression_reason"].to_list() == [None, "small_count", "secondary", None]
    assert out["numerator"].to_list() == [20, None, None, 35]
    assert out["denominator"].to_list() == [50, 40, 30, 120]
    assert out["rate"][2] is None
    assert dc.audit(out, "default") == []


def bridge_table() -> pl.DataFrame:
    """4x4 table, every inner cell 10, hidden: two 2x2 blocks joined by (r1, C).

    Every row and column has 0 or >= 2 hidden cells, yet (r1, C) is the only hidden
    cell in no cycle of hidden cells, so row r1 minus the block (r1,A)+(r1,B), which
    column sums give, recovers it exactly.
    """
    cells = {(r, c): 10 for r in ("r1", "r2", "r3", "r4") for c in "ABCD"}
    hidden = {("r1", "A"), ("r1", "B"), ("r2", "A"), ("r2", "B")}
    hidden |= {("r3", "C"), ("r3", "D"), ("r4", "C"), ("r4", "D"), ("r1", "C")}
    is_hidden = pl.struct("region", "sex").map_elements(
        lambda s: (s["region"], s["sex"]) in hidden, return_dtype=pl.Boolean
    )
    return long_table(cells).with_columns(
        pl.when(is_hidden).then(None).otherwise(pl.col("count")).alias("count"),
        is_hidden.alias("suppressed"),
        pl.when(is_hidden).then(pl.lit("small_count")).otherwise(None).alias("suppression_reason"),
    )


def test_audit_finds_recoverable_bridge_cell_and_secondary_fixes_it():
    table = bridge_table()
    violations = dc.audit(table, "default")
    assert [(table.row(v.row, named=True)["region"], v.reason) for v in violations] == [
        ("r1", "recoverable")
    ]
    assert table.row(violations[0].row, named=True)["sex"] == "C"
    fixed = dc.secondary_suppression(table)
    assert fixed["suppressed"].sum() == 10
    assert dc.audit(fixed, "default") == []


def _safe_three_by_three() -> pl.DataFrame:
    return dc.secondary_suppression(dc.apply_policy(long_table(THREE_BY_THREE), "default"))


def _reasons(violations: list[dc.Violation]) -> set[tuple[int, str]]:
    return {(v.row, v.reason) for v in violations}


def test_audit_catches_planted_violations_in_count_table():
    safe = _safe_three_by_three()
    # row 1 is (r1, B) = 3 small_count; row 2 is (r1, C) secondary; row 4 (r2, A)
    shown_small = safe.with_columns(
        pl.when(pl.int_range(pl.len()) == 1).then(3).otherwise(pl.col("count")).alias("count"),
        pl.when(pl.int_range(pl.len()) == 1)
        .then(False)
        .otherwise(pl.col("suppressed"))
        .alias("suppressed"),
    )
    found = _reasons(dc.audit(shown_small, "default"))
    assert (1, "small_count") in found
    assert (1, "reason_without_suppression") in found
    assert (2, "recoverable") in found  # row r1 now has one hidden cell

    leaked = safe.with_columns(
        pl.when(pl.int_range(pl.len()) == 2).then(15).otherwise(pl.col("count")).alias("count"),
        pl.when(pl.int_range(pl.len()) == 4)
        .then(None)
        .otherwise(pl.col("suppression_reason"))
        .alias("suppression_reason"),
    )
    assert _reasons(dc.audit(leaked, "default")) == {
        (2, "value_in_suppressed_row"),
        (4, "missing_reason"),
    }
    bare = long_table(THREE_BY_THREE)
    found = _reasons(dc.audit(bare, "default"))
    assert (-1, "no_disclosure_columns") in found and (1, "small_count") in found


def test_audit_catches_planted_violations_in_rate_frames():
    shown = rate_frame([("a", 7, 9), ("b", 20, 40)])
    violations = dc.audit(shown, "default")
    assert [(v.row, v.column, v.reason) for v in violations] == [(0, "rate", "small_denominator")]

    blank = rate_frame([("a", 20, 40)]).with_columns(pl.lit(None, dtype=pl.Float64).alias("rate"))
    assert _reasons(dc.audit(blank, "default")) == {(0, "null_without_reason")}

    unrounded = dc.apply_policy(rate_frame([("a", 10, 23)]), "hesa").with_columns(
        pl.lit(23, dtype=pl.Int64).alias("denominator")
    )
    assert _reasons(dc.audit(unrounded, "hesa")) == {(0, "unrounded")}
    small_hesa = dc.apply_policy(rate_frame([("a", 10, 40)]), "hesa").with_columns(
        pl.lit(20, dtype=pl.Int64).alias("denominator")
    )
    assert _reasons(dc.audit(small_hesa, "hesa")) == {(0, "small_population")}

    foreign = dc.apply_policy(rate_frame([("a", 2, 40)]), "ofs")
    assert _reasons(dc.audit(foreign, "default")) == {(0, "unknown_reason")}

    # A table with nothing to audit is refused as such, not passed.
    assert [v.reason for v in dc.audit(pl.DataFrame({"x": [1]}), "default")] == ["not_auditable"]


def _line_has_single_hidden_cell(table: pl.DataFrame, key: str) -> bool:
    """Independent check: a line (the cells sharing one value of ``key``, its total
    included) with exactly one hidden cell gives that cell away by subtraction."""
    per_line = table.group_by(key).agg(pl.col("suppressed").sum().alias("hidden"))
    return (per_line["hidden"] == 1).any()


inner_tables = st.tuples(st.integers(2, 4), st.integers(2, 4)).flatmap(
    lambda shape: st.lists(
        st.one_of(st.integers(0, 6), st.integers(0, 40)),
        min_size=shape[0] * shape[1],
        max_size=shape[0] * shape[1],
    ).map(
        lambda values: {(f"r{i // shape[1]}", f"c{i % shape[1]}"): v for i, v in enumerate(values)}
    )
)


@settings(max_examples=60, deadline=None)
@given(inner_tables)
def test_property_no_hidden_cell_recoverable_after_secondary(cells):
    table = long_table(cells)
    protected = dc.secondary_suppression(dc.apply_policy(table, "default"))
    assert not _line_has_single_hidden_cell(protected, "region")
    assert not _line_has_single_hidden_cell(protected, "sex")
    # every primary small count is still hidden and the shown counts are unchanged
    merged = table.join(protected, on=["region", "sex"], suffix="_out")
    small = merged.filter(pl.col("count").is_between(1, 4))
    assert small["suppressed"].all()
    shown = merged.filter(~pl.col("suppressed"))
    assert (shown["count"] == shown["count_out"]).all()
    assert dc.audit(protected, "default") == []


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
