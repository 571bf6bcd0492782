"""The intruder against tables with margins and linked tables, and the secondary
suppression that defeats it: the three attacks of issue 16 on hand-made numbers,
then property tests whose bounds are computed by an LP written here, independently
of lcanalysis.disclosure.cells."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from lcanalysis import disclosure as dc
from lcanalysis.stats import add_rate_columns
from tests.fixtures.examples import examples

ROUTES = ("campus", "learning_centre")


def cross(cells: dict[tuple[str, str], tuple[int, int]], total: str = "All") -> pl.DataFrame:
    """A long rate table (numerator, denominator) with row, column and grand margins."""
    rows_ = sorted({r for r, _ in cells})
    cols = sorted({c for _, c in cells})
    out = []
    for r in [*rows_, total]:
        for c in [*cols, total]:
            inside = [v for (rr, cc), v in cells.items() if r in (rr, total) and c in (cc, total)]
            out.append((r, c, sum(x for x, _ in inside), sum(d for _, d in inside)))
    frame = pl.DataFrame(out, schema=["age_band", "route", "numerator", "denominator"], orient="row")
    return add_rate_columns(frame)


BY_AGE = dc.Layout(keys=("age_band", "route"), total="All", measure="first_generation",
                   population="entrants")

# Issue 16's first table: learning centre 20-24 is 7 of 9; its margins give it away
# twice (560 - 553 and 92 - 85).
ISSUE_CELLS = {
    ("20-24", "campus"): (553, 1625), ("20-24", "learning_centre"): (7, 9),
    ("25-34", "campus"): (79, 224), ("25-34", "learning_centre"): (38, 49),
    ("35+", "campus"): (19, 43), ("35+", "learning_centre"): (47, 63),
}  # fmt: skip


def test_margins_give_away_the_hidden_cell_until_secondary_suppression():
    primary = dc.apply_policy(cross(ISSUE_CELLS), "default", keys=BY_AGE.keys)
    found = dc.attack([dc.Published("by_age", primary, BY_AGE)], "default")
    pinned = {(f.row, f.column, f.message.split(" lies in ")[1].split(",")[0]) for f in found}
    # numerator 7, denominator 9 and complement 2, all exactly
    assert {(1, "numerator", "[7"), (1, "denominator", "[9"),
            (1, "denominator - numerator", "[2")} <= pinned
    safe = dc.protect(dc.Published("by_age", primary, BY_AGE), "default")
    assert dc.attack([dc.Published("by_age", safe, BY_AGE)], "default") == []
    log = dc.disclosure_log("by_age", safe, BY_AGE, "default")
    assert log.filter(pl.col("kind") == "primary")["rule"].to_list() == ["small_denominator"]
    assert log.filter(pl.col("kind") == "secondary").height >= 3  # a rectangle at least
    # the shown cells are the true ones
    shown = safe.filter(~pl.col("suppressed"))
    truth = cross(ISSUE_CELLS).join(shown, on=["age_band", "route"], suffix="_shown")
    assert (truth["numerator"] == truth["numerator_shown"]).all()


def test_the_complement_of_a_hidden_cell_is_protected_too():
    # 13 of 14: hidden for its complement 1; the margin would give 13 and so the 1.
    cells = {("a", "campus"): (300, 900), ("a", "learning_centre"): (13, 14),
             ("b", "campus"): (200, 700), ("b", "learning_centre"): (40, 90)}
    primary = dc.apply_policy(cross(cells), "default", keys=BY_AGE.keys)
    assert primary["suppression_reason"][1] == "small_complement"
    reasons = {f.column for f in dc.attack([dc.Published("t", primary, BY_AGE)], "default")}
    assert "denominator - numerator" in reasons
    safe = dc.protect(dc.Published("t", primary, BY_AGE), "default")
    assert dc.attack([dc.Published("t", safe, BY_AGE)], "default") == []


CENTRES = ("arvika", "hudiksvall", "norrtalje")


def centre_table(centre: str, values: dict[str, tuple[int, int]]) -> pl.DataFrame:
    rows = [(m, "learning_centre", centre, x, d) for m, (x, d) in values.items()]
    return add_rate_columns(pl.DataFrame(
        rows, schema=["characteristic", "route", "learning_centre_id", "numerator", "denominator"],
        orient="row"))


PROFILE = dc.Layout(keys=("characteristic", "route", "learning_centre_id"),
                    measure_key="characteristic", population="entrants",
                    domains={"learning_centre_id": CENTRES})
OVERALL = dc.Layout(keys=("characteristic", "route"), measure_key="characteristic",
                    population="entrants")
PROFILES = {"arvika": {"mature": (30, 40), "rural": (12, 40)},
            "hudiksvall": {"mature": (3, 25), "rural": (20, 25)},
            "norrtalje": {"mature": (50, 60), "rural": (8, 60)}}


def overall_table() -> pl.DataFrame:
    rows = [(m, "learning_centre", sum(PROFILES[c][m][0] for c in CENTRES),
             sum(PROFILES[c][m][1] for c in CENTRES)) for m in ("mature", "rural")]
    return add_rate_columns(pl.DataFrame(
        rows, schema=["characteristic", "route", "numerator", "denominator"], orient="row"))


def publish_in_order(policy: str, secondary: bool = True) -> list[dc.Published]:
    published: list[dc.Published] = []
    frames = [("overall", overall_table(), OVERALL)] + [
        (f"profile_{c}", centre_table(c, PROFILES[c]), PROFILE) for c in CENTRES]
    for name, frame, layout in frames:
        out = dc.apply_policy(frame, policy, keys=layout.keys)
        if secondary:
            out = dc.protect(dc.Published(name, out, layout), policy, published=published)
        published.append(dc.Published(name, out, layout))
    return published


def test_total_minus_the_other_centres_gives_the_hidden_one_unless_linked():
    # hudiksvall's mature 3 is hidden; overall 83 - 30 - 50 = 3.
    unlinked = publish_in_order("default", secondary=False)
    found = dc.attack(unlinked, "default")
    assert any(f.table == "profile_hudiksvall" and f.reason == "narrow_interval" for f in found)
    linked = publish_in_order("default")
    assert dc.attack(linked, "default") == []
    # the last centre had to hide a second mature cell
    norrtalje = linked[-1].frame
    assert norrtalje.filter(pl.col("characteristic") == "mature")["suppressed"].item()


def test_a_centre_left_out_is_pinned_when_small():
    published = publish_in_order("default", secondary=False)
    without_hudiksvall = [t for t in published if t.name != "profile_hudiksvall"]
    found = dc.attack(without_hudiksvall, "default")
    assert [f.reason for f in found] == ["pinned_small"]
    assert "hudiksvall" in found[0].message and "mature=1" in found[0].message


def test_a_wrong_population_is_an_error_not_a_false_sense_of_safety():
    wrong = centre_table("arvika", {"mature": (31, 40), "rural": (12, 40)})
    tables = [dc.Published("overall", overall_table(), OVERALL),
              dc.Published("profile_arvika", wrong, PROFILE),
              *[dc.Published(f"profile_{c}", centre_table(c, PROFILES[c]), PROFILE)
                for c in CENTRES[1:]]]
    with pytest.raises(dc.LayoutError, match="add up, but the data do not"):
        dc.check_layouts(tables)
    dc.check_layouts(tables[:1] + [dc.Published("profile_arvika", centre_table(
        "arvika", PROFILES["arvika"]), PROFILE)] + tables[2:])


def test_layout_must_declare_every_text_column():
    with pytest.raises(dc.LayoutError, match="declare keys=.*'route'"):
        dc.Layout(keys=("characteristic",)).check(overall_table(), "overall")


# --- property tests ---------------------------------------------------------------


def independent_bounds(cells, hidden, total="All"):
    """For a 2-way count table with margins: LP bounds of every hidden cell, written
    from the table's row and column sums directly (scipy, dense)."""
    names = list(cells)
    position = {k: i for i, k in enumerate(names)}
    rows_ = sorted({r for r, _ in names if r != total})
    cols = sorted({c for _, c in names if c != total})
    equations = []
    for r in [*rows_, total]:
        eq = np.zeros(len(names))
        eq[position[(r, total)]] = -1
        for c in cols:
            eq[position[(r, c)]] += 1
        equations.append(eq)
    for c in [*cols, total]:
        eq = np.zeros(len(names))
        eq[position[(total, c)]] = -1
        for r in rows_:
            eq[position[(r, c)]] += 1
        equations.append(eq)
    a = np.array(equations)
    bounds = [(0, None) if k in hidden else (cells[k], cells[k]) for k in names]
    out = {}
    for k in hidden:
        objective = np.zeros(len(names))
        objective[position[k]] = 1
        low = linprog(objective, A_eq=a, b_eq=np.zeros(len(a)), bounds=bounds).fun
        upper = linprog(-objective, A_eq=a, b_eq=np.zeros(len(a)), bounds=bounds)
        # Unbounded (status 3): a hidden cell whose row, column and grand total are all
        # hidden can grow without limit, which is as protected as a cell can be.
        high = float("inf") if upper.status == 3 else -upper.fun
        out[k] = (low, high)
    return out


def count_table(inner: dict[tuple[str, str], int]) -> pl.DataFrame:
    rows_ = sorted({r for r, _ in inner})
    cols = sorted({c for _, c in inner})
    out = [(r, c, sum(v for (rr, cc), v in inner.items() if r in (rr, "All") and c in (cc, "All")))
           for r in [*rows_, "All"] for c in [*cols, "All"]]
    return pl.DataFrame(out, schema=["region", "sex", "count"], orient="row")


COUNTS = dc.Layout(keys=("region", "sex"), total="All")

inner_tables = st.tuples(st.integers(2, 4), st.integers(2, 4)).flatmap(
    lambda shape: st.lists(
        st.one_of(st.integers(0, 6), st.integers(0, 40)),
        min_size=shape[0] * shape[1], max_size=shape[0] * shape[1],
    ).map(lambda values: {(f"r{i // shape[1]}", f"c{i % shape[1]}"): v
                          for i, v in enumerate(values)})
)


# Each example solves an LP per hidden cell: 40 and 30 examples (10 and 7 in test-fast).
@settings(max_examples=examples(40), deadline=None)
@given(inner_tables)
@example({("r0", "c0"): 0, ("r0", "c1"): 0, ("r1", "c0"): 0, ("r1", "c1"): 1})
def test_property_no_hidden_cell_of_a_table_with_margins_can_be_narrowed(inner):
    truth = count_table(inner)
    primary = dc.apply_policy(truth, "default", keys=COUNTS.keys)
    safe = dc.protect(dc.Published("t", primary, COUNTS), "default")
    assert dc.attack([dc.Published("t", safe, COUNTS)], "default") == []
    cells = {(r, c): v for r, c, v in truth.rows()}
    hidden = {(r["region"], r["sex"]) for r in safe.iter_rows(named=True) if r["suppressed"]}
    primaries = {(r["region"], r["sex"]) for r in safe.iter_rows(named=True)
                 if r["suppression_reason"] == "small_count"}
    assert primaries == {k for k, v in cells.items() if 1 <= v <= 4}
    for k, (low, high) in independent_bounds(cells, hidden).items():
        if k in primaries:
            assert high - low >= 5 - 1e-6, (k, low, high)
    # Without the secondary suppression the independent intruder narrows some
    # primary cell whenever a line holds exactly one hidden cell.
    exposed = independent_bounds(cells, {k for k in primaries})
    if any(high - low < 5 for low, high in exposed.values()):
        assert dc.attack([dc.Published("t", primary, COUNTS)], "default") != []


linked_sets = st.lists(
    st.lists(st.integers(0, 30), min_size=3, max_size=3), min_size=2, max_size=5
)


@settings(max_examples=examples(30), deadline=None)
@given(linked_sets)
def test_property_linked_tables_leave_no_hidden_cell_recoverable(per_centre):
    """Per-centre count tables (3 categories) and their overall table share one
    population; protected in publication order, nothing hidden can be narrowed."""
    centres = [f"c{i}" for i in range(len(per_centre))]
    layout = dc.Layout(keys=("centre", "category"), population="p",
                       domains={"centre": centres})
    overall_layout = dc.Layout(keys=("category",), population="p")
    overall = pl.DataFrame({"category": ["a", "b", "u"],
                            "n": [sum(v[j] for v in per_centre) for j in range(3)]})
    tables = [("overall", overall, overall_layout)] + [
        (c, pl.DataFrame({"centre": [c] * 3, "category": ["a", "b", "u"], "n": v}), layout)
        for c, v in zip(centres, per_centre, strict=True)]
    published: list[dc.Published] = []
    primary_only: list[dc.Published] = []
    for name, frame, lay in tables:
        primary = dc.apply_policy(frame, "default", keys=lay.keys)
        primary_only.append(dc.Published(name, primary, lay))
        published.append(dc.Published(name, dc.protect(dc.Published(name, primary, lay),
                                                       "default", published=published), lay))
    assert dc.attack(published, "default") == []
    # Independent check, category by category: the hidden centres' values sum to the
    # overall minus the shown ones, so a hidden small value lies in [0, that sum]
    # and needs a second hidden centre beside it and a sum of at least 5.
    for j in range(3):
        if published[0].frame["suppressed"][j]:
            continue
        hidden = [v[j] for v, t in zip(per_centre, published[1:], strict=True)
                  if t.frame["suppressed"][j]]
        if any(1 <= x <= 4 for x in hidden):
            assert len(hidden) >= 2 and sum(hidden) >= 5, (j, hidden)
    # Without the secondary suppression, a category with one small centre and a
    # shown overall gives that centre away by subtraction.
    if any(sum(1 for v in per_centre if 1 <= v[j] <= 4) == 1
           and not 1 <= sum(v[j] for v in per_centre) <= 4 for j in range(3)):
        assert dc.attack(primary_only, "default") != []


# --- a table that repeats rows of others (the headline findings) ---------------------

RETENTION = pl.DataFrame({
    "route": ["campus", "learning_centre"], "years": [1, 1],
    "measure": ["lives_in_home", "lives_in_home"],
    "numerator": [300, None], "denominator": [1000, 43], "rate": [0.3, None],
    "suppressed": [False, True], "suppression_reason": [None, "small_complement"],
})
RETENTION_LAYOUT = dc.Layout(keys=("route", "years", "measure"), measure_key="measure")
FINDINGS_LAYOUT = dc.Layout(keys=("finding", "source"), quotes="source")


def findings_table(*rows: tuple[str, str, float | None, bool]) -> dc.Published:
    frame = pl.DataFrame([{"finding": f, "source": s, "estimate": e, "n": None if h else 500,
                           "suppressed": h, "suppression_reason": "small_complement" if h else None}
                          for f, s, e, h in rows])
    return dc.Published("10_lessons_learnt/findings", frame, FINDINGS_LAYOUT)


def test_a_finding_that_shows_a_row_its_source_hides_is_found():
    source = dc.Published("03_brain_drain/retention", RETENTION, RETENTION_LAYOUT)
    hidden = "03_brain_drain/retention?route=learning_centre&years=1&measure=lives_in_home"
    shown = "03_brain_drain/retention?route=campus&years=1&measure=lives_in_home"
    leak = findings_table(("stays", hidden, 86.0, False), ("stays_campus", shown, 30.0, False))
    found = dc.attack([source, leak], "default")
    assert [(f.table, f.row, f.reason) for f in found] == [
        ("10_lessons_learnt/findings", 0, "quotes_hidden")]
    assert "small_complement" in found[0].message
    # the same finding suppressed, as headline_findings makes it: nothing to find
    assert dc.attack([source, findings_table(("stays", hidden, None, True))], "default") == []


def test_a_quote_that_names_no_row_is_found_and_one_of_a_table_not_published_is_left():
    source = dc.Published("03_brain_drain/retention", RETENTION, RETENTION_LAYOUT)
    wrong = findings_table(("stays", "03_brain_drain/retention?route=campus&years=3", 1.0, False))
    assert [f.reason for f in dc.attack([source, wrong], "default")] == ["quote_unresolved"]
    elsewhere = findings_table(("gap", "01_widening_participation/route_gaps?route=campus", 1.0, False))
    assert dc.attack([elsewhere], "default") == []


# The demo run's notebook 01 (2026-12-02): the learning centre's 225 entrants by parental
# education, doctoral 3 hidden (small), and its first-generation rate 92 of 121 shown.
# 121 known - 92 first generation = 29 = doctoral + 26 with post-secondary 3y+: 3.
PARENTAL = {"pre_upper_secondary": 9, "upper_secondary_max_2y": 15, "upper_secondary_3y": 36,
            "post_secondary_lt_3y": 32, "post_secondary_3y_plus": 26, "doctoral": 3, "unknown": 104}
SHARES = dc.Layout(keys=("route", "parental_education"), share_of="parental_education", population="entrants")


def shares_table() -> pl.DataFrame:
    rows = [("learning_centre", level, n, sum(PARENTAL.values())) for level, n in PARENTAL.items()]
    return add_rate_columns(pl.DataFrame(rows, schema=["route", "parental_education", "numerator", "denominator"],
                                         orient="row"))


def first_generation_table() -> pl.DataFrame:
    from lcanalysis.schemas import FIRST_GENERATION_LEVELS

    ones = sum(PARENTAL[level] for level in FIRST_GENERATION_LEVELS)
    known = sum(PARENTAL.values()) - PARENTAL["unknown"]
    return add_rate_columns(pl.DataFrame([("first_generation", "learning_centre", ones, known)],
                                         schema=["characteristic", "route", "numerator", "denominator"],
                                         orient="row"))


def test_a_category_hidden_is_not_given_away_by_an_indicator_made_of_categories():
    rate = dc.Published("characteristics", first_generation_table(), OVERALL)
    assert first_generation_table()["numerator"].item() == 92
    primary = dc.apply_policy(shares_table(), "default", keys=SHARES.keys)
    assert primary.filter(pl.col("parental_education") == "doctoral")["suppressed"].item()
    # the share table alone is safe (its own complement hidden) ...
    alone = dc.protect(dc.Published("parental", primary, SHARES), "default")
    assert dc.attack([dc.Published("parental", alone, SHARES)], "default") == []
    # ... but not beside the first-generation rate: the intruder pins doctoral to 3
    found = dc.attack([rate, dc.Published("parental", alone, SHARES)], "default")
    assert any(f.table == "parental" and "doctoral" in f.message and "[3, 3]" in f.message for f in found)
    # protected beside it, nothing can be narrowed
    safe = dc.protect(dc.Published("parental", primary, SHARES), "default", published=[rate])
    assert dc.attack([rate, dc.Published("parental", safe, SHARES)], "default") == []
    assert safe.filter(pl.col("suppressed")).height >= 3
