"""Secondary (complementary) suppression against the intruder of :mod:`.attack`.

Method: the intruder's own linear-programming bounds, used as the test, and a greedy
choice of cells to hide until the test passes (the "hide the cheapest cell of the
failing line, re-check with LP" scheme that tau-argus's modular and sdcTable's
SIMPLEHEURISTIC methods refine). Why this one: the test is exact for what a
calculator-and-LP intruder can do with every margin and every linked table, so the
result is safe by construction whatever the heuristic picks; the heuristic only
decides how much is lost. It picks, for the first hidden value that is pinned too
narrowly, the shown cell closest to it in the tables' equations (fewest equations
away), then a member before a margin, then the smallest count, then a numerator
before a denominator; hiding a numerator keeps the row's denominator, hiding a
denominator hides the row. An optimal (minimum-loss) pattern would need an integer
program over every table of a run at once; this greedy pattern is what the run's
disclosure log reports, primary and secondary counted apart, so the loss is
visible.

Linked tables are protected in the order they are published: a table published
earlier is fixed (readers have seen it), and the new table hides whatever is needed
so that nothing in the set becomes recoverable. That is always possible (hiding the
whole new table adds nothing).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from lcanalysis.disclosure.attack import failures, targets_of
from lcanalysis.disclosure.cells import CellSystem, Layout, Published, describe
from lcanalysis.disclosure.policy import (
    SHARED_REASONS,
    Policy,
    _count_column,
    get_policy,
    mark_protected,
    null_suppressed,
)


class SuppressionError(ValueError):
    """No pattern of hidden cells in the new table protects the set."""


def _distances(system: CellSystem, start: set[int]) -> dict[int, int]:
    distance = {v: 0 for v in start}
    frontier = list(start)
    while frontier:
        nxt = []
        for v in frontier:
            for w in system.neighbours(v):
                if w not in distance:
                    distance[w] = distance[v] + 1
                    nxt.append(w)
        frontier = nxt
    return distance


def _exposing_equation(system: CellSystem, target, hideable: dict) -> list:
    """The hideable cells of the equation, nearest the target, that gives a hidden
    cell away on its own (every other cell of it shown): a line with one hidden cell."""
    hidden = {
        system.index[c] for rc in system.rows for c in (rc.x, rc.d)
        if c is not None and system.index[c] not in system.shown
    }
    distance = _distances(system, set(target.expression))
    best: tuple[int, list] | None = None
    root = system.component[next(iter(target.expression))]
    for e in system.component_equations.get(root, []):
        equation = system.equations[e]
        unknown = [w for w in equation if w not in system.shown]
        if len(unknown) != 1 or unknown[0] not in hidden:
            continue
        found = [hideable[w] for w in equation if w in hideable]
        if found and (best is None or distance.get(unknown[0], 1 << 30) < best[0]):
            best = (distance.get(unknown[0], 1 << 30), found)
    return best[1] if best else []


def _hide(frame: pl.DataFrame, layout: Layout, policy: Policy, rows: set[int],
          denominators: set[int]) -> pl.DataFrame:
    index = pl.int_range(pl.len())
    out = frame.with_columns(
        pl.when(index.is_in(list(rows)) & ~pl.col("suppressed")).then(pl.lit("secondary"))
        .otherwise(pl.col("suppression_reason")).alias("suppression_reason"),
    ).with_columns(pl.col("suppression_reason").is_not_null().alias("suppressed"))
    out = null_suppressed(out, layout.keys, policy)
    if denominators and "denominator" in out.columns:
        out = out.with_columns(
            pl.when(index.is_in(list(denominators))).then(None).otherwise(pl.col("denominator"))
            .alias("denominator")
        )
    return out


def protect(
    table: Published, policy: Policy | str, *, published: Sequence[Published] = ()
) -> pl.DataFrame:
    """``table`` (after :func:`apply_policy`) with the secondary suppression that
    leaves no hidden value of it, or of the ``published`` tables it is linked to,
    pinned narrower than the policy allows (:func:`lcanalysis.disclosure.attack`).

    Rows hidden here get reason ``"secondary"``. Raises :class:`SuppressionError`
    when a value the new table must hide is shown by an earlier table (publish the
    tables in another order, or drop the row)."""
    policy = get_policy(policy)
    frame = table.frame
    count = _count_column(frame) if {"numerator", "count", "n"} & set(frame.columns) else None
    rows: set[int] = set()
    denominators: set[int] = set()
    while True:
        current = Published(table.name, frame, table.layout)
        system = CellSystem([*published, current], policy)
        failing = next(failures(system, targets_of(system, [table.name])), None)
        if failing is None:
            return mark_protected(frame)
        target, finding = failing
        fixed = {system.index[c] for rc in system.rows if rc.table != table.name
                 for c in (rc.x, rc.d) if c is not None and _shown_in(system, rc, c)}
        hideable = {}
        for rc in system.rows:
            if rc.table != table.name:
                continue
            row = frame.row(rc.row, named=True)
            margin = any(str(row[k]) == table.layout.total for k in table.layout.keys)
            for cell, column, rank in ((rc.x, count, 0), (rc.d, "denominator", 1)):
                if cell is not None and row[column] is not None and system.index[cell] not in fixed:
                    hideable[system.index[cell]] = ((margin, row[column], rank, rc.row), rc.row, rank)
        candidates = _exposing_equation(system, target, hideable)
        if not candidates:
            distance = _distances(system, set(target.expression))
            candidates = [((distance[v], *score), row, rank)
                          for v, (score, row, rank) in hideable.items() if v in distance]
        if not candidates:
            raise SuppressionError(
                f"table {table.name!r}: {finding.message}, and no shown cell of this table is "
                f"linked to {target.label}: an earlier table shows what this one must hide "
                f"({describe(next(c for c, v in system.index.items() if v in target.expression))})"
            )
        _, row, rank = min(candidates)
        rows.add(row)
        if rank == 1:
            denominators.add(row)
        frame = _hide(frame, table.layout, policy, rows, denominators)


def _shown_in(system: CellSystem, rc, cell) -> bool:
    frame = system.tables[rc.table].frame
    column = _count_column(frame) if cell == rc.x else "denominator"
    return frame[column][rc.row] is not None


def disclosure_log(name: str, frame: pl.DataFrame, layout: Layout, policy: Policy | str) -> pl.DataFrame:
    """One line per hidden row of a published table: table, cell, rule, primary or
    secondary, policy (the output checker's log, as ACRO keeps one)."""
    policy = get_policy(policy)
    rows = []
    if "suppressed" in frame.columns:
        for row in frame.filter(pl.col("suppressed")).iter_rows(named=True):
            cell = ", ".join(f"{k}={row[k]}" for k in layout.keys if row[k] is not None)
            reason = row["suppression_reason"]
            rows.append({"table": name, "cell": cell, "rule": reason,
                         "kind": "secondary" if reason in SHARED_REASONS else "primary",
                         "policy": policy.name})
    return pl.DataFrame(rows, schema={"table": pl.Utf8, "cell": pl.Utf8, "rule": pl.Utf8,
                                      "kind": pl.Utf8, "policy": pl.Utf8})


def check_layouts(truth: Sequence[Published]) -> None:
    """Raise :class:`lcanalysis.disclosure.cells.LayoutError` when the unprotected
    tables break an equation their layouts imply (a population shared by tables that
    do not count the same people, a margin that is not the sum of its members)."""
    system = CellSystem(truth, Policy("truth"))
    system.check({v: system.lower[v] for v in system.shown})
