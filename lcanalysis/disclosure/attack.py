"""The intruder: what can be worked out from everything a run published.

The intruder knows the layouts (which tables count the same people, which rows are
margins: Kerckhoffs' principle, and the tables' notes say as much) and every shown
number, and computes the linear-programming bounds of each hidden value
(:class:`lcanalysis.disclosure.cells.CellSystem`): complements (denominator minus
numerator), every margin and sub-total, and differences between linked tables all
enter as equations. A finding is a hidden value pinned to an interval narrower than
the policy allows:

- a row hidden by a primary rule (small count, small complement, small
  denominator, DPL/DPH): its numerator, and its complement, must each stay in an
  interval at least ``policy.protection_interval`` wide (``"narrow_interval"``);
- any other value nobody sees (a secondary cell, a complement, a cell no table
  shows such as the one centre left out): it may not be pinned to an interval
  narrower than that which holds a small count (``"pinned_small"``);
- under a rounding policy, a shown rate (to its decimals) and the rounded counts
  must not leave a single possible unrounded numerator (``"unrounded_recovered"``).

:func:`lcanalysis.report.tables.attack_run` runs it over the exported tables of a
run folder (``reports/<run-id>/tables/``), all notebooks together.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lcanalysis.disclosure.cells import CellSystem, Published, RowCells, describe
from lcanalysis.disclosure.policy import SHARED_REASONS, Policy, audit, get_policy


@dataclass(frozen=True)
class Finding:
    """One hidden value an intruder can pin down, or a table that fails its audit.

    ``table`` is the table's name (or file), ``row`` its 0-based data row (-1: the
    whole table), ``column`` the column, ``reason`` a code, ``message`` a sentence
    with the interval found.
    """

    table: str
    row: int
    column: str
    reason: str
    message: str

    def __str__(self) -> str:
        where = "table" if self.row < 0 else f"row {self.row + 1}"
        return f"{self.table}: {where}, column {self.column!r}: {self.reason}: {self.message}"


@dataclass(frozen=True)
class Target:
    """A hidden value to bound: sum(coefficient x cell), and what it must satisfy."""

    table: str
    row: int
    column: str
    expression: dict[int, float]
    primary: bool
    label: str


def _targets(system: CellSystem, tables: Sequence[str] | None) -> list[Target]:
    """Every hidden value of the cells linked to ``tables`` (None: of every table)."""
    out = []
    hidden_cells: set[int] = set()
    linked = {system.component[system.index[rc.x]] for rc in system.rows
              if tables is None or rc.table in tables}
    for rc in system.rows:
        table = system.tables[rc.table]
        if system.component[system.index[rc.x]] not in linked and (
                rc.d is None or system.component[system.index[rc.d]] not in linked):
            continue
        row = table.frame.row(rc.row, named=True)
        x = system.index[rc.x]
        if x in system.shown or not row.get("suppressed"):
            continue
        primary = row.get("suppression_reason") not in SHARED_REASONS
        column = "numerator" if rc.d is not None else ("count" if "count" in row else "n")
        out.append(Target(rc.table, rc.row, column, {x: 1.0}, primary, describe(rc.x)))
        hidden_cells.add(x)
        if rc.d is not None and row.get("denominator") is None and primary:
            d = system.index[rc.d]
            if d not in system.shown:
                out.append(Target(rc.table, rc.row, "denominator", {d: 1.0}, primary,
                                  describe(rc.d)))
                hidden_cells.add(d)
        comp = _complement(system, rc)
        if comp is not None:
            out.append(Target(rc.table, rc.row, "denominator - numerator", comp, primary,
                              f"complement of {describe(rc.x)}"))
            if rc.complement is not None:
                hidden_cells.add(system.index[rc.complement])
    # Cells no published row shows or hides (left-out centres): small ones must not
    # be pinned down either.
    published = {system.index[c] for rc in system.rows for c in (rc.x, rc.d) if c is not None}
    for cell, var in system.index.items():
        if var in published or var in hidden_cells or var in system.shown:
            continue
        if system.component[var] not in linked:
            continue
        if len(system.members[system.component[var]]) > 1:
            out.append(Target("(not published)", -1, "", {var: 1.0}, False, describe(cell)))
    return out


def _complement(system: CellSystem, rc: RowCells) -> dict[int, float] | None:
    if rc.complement is not None:
        return {system.index[rc.complement]: 1.0}
    if rc.share:
        return {system.index[rc.d]: 1.0, system.index[rc.x]: -1.0}
    return None


def failures(system: CellSystem, targets: Sequence[Target]) -> Iterator[tuple[Target, Finding]]:
    """The targets an intruder pins down too narrowly, with their findings, in order."""
    policy = system.policy
    width = policy.protection_interval
    small = policy.unsafe_count_max
    for target in targets:
        low, high = system.bounds(target.expression)
        if target.primary:
            if high - low < width:
                yield target, Finding(
                    target.table, target.row, target.column, "narrow_interval",
                    f"hidden {target.label} lies in [{low:g}, {high:g}], narrower than "
                    f"{width} under policy {policy.name!r}")
        elif small and high - low < width and low <= small and high >= 1:
            yield target, Finding(
                target.table, target.row, target.column, "pinned_small",
                f"{target.label} lies in [{low:g}, {high:g}]: it may be a small count and "
                f"the interval is narrower than {width}")


def _rate_inversion(table: Published, policy: Policy) -> list[Finding]:
    """Under rounding, a rate computed from the unrounded counts and the rounded
    counts may leave one unrounded numerator only."""
    frame = table.frame
    base = policy.rounding_base
    if base is None or not {"numerator", "denominator", "rate"} <= set(frame.columns):
        return []
    half = 0.5e-6  # exports keep six decimals
    found = []
    for i, row in enumerate(frame.iter_rows(named=True)):
        if row["suppressed"] or row["rate"] is None or not row["denominator"]:
            continue
        if abs(row["rate"] - row["numerator"] / row["denominator"]) <= half:
            continue  # a rate of the rounded counts (apply_policy) says nothing more
        d_low = max(1, math.ceil(row["denominator"] - base / 2))
        d_high = math.ceil(row["denominator"] + base / 2) - 1
        x_low = max(0, math.ceil(row["numerator"] - base / 2))
        x_high = math.ceil(row["numerator"] + base / 2) - 1
        options = {
            x for d in range(d_low, d_high + 1) for x in range(x_low, min(x_high, d) + 1)
            if abs(x / d - row["rate"]) <= half + 1e-12
        }
        if len(options) == 1:
            found.append(Finding(table.name, i, "rate", "unrounded_recovered",
                                 f"the rate {row['rate']} and the rounded counts leave only "
                                 f"numerator {options.pop()}"))
    return found


def attack(tables: Sequence[Published], policy: Policy | str) -> list[Finding]:
    """Every finding over a set of published tables: each table's own audit, the
    rows that repeat a hidden row of another table (:func:`quoted`), then the bounds
    of every hidden value given all of them together (module docstring)."""
    policy = get_policy(policy)
    findings = quoted(tables)
    for table in tables:
        findings += [
            Finding(table.name, v.row, v.column, v.reason, v.message)
            for v in audit(table.frame, policy, keys=table.layout.keys)
        ]
        findings += _rate_inversion(table, policy)
    system = CellSystem(tables, policy)
    findings += [finding for _, finding in failures(system, _targets(system, None))]
    return findings


def quoted(tables: Sequence[Published]) -> list[Finding]:
    """Rows of tables with a ``quotes`` layout that show what their source hides.

    A shown row (``suppressed`` not true) names the row it repeats,
    ``notebook/table?key=value&...``; it is a finding when that row is hidden
    (``"quotes_hidden"``: the intruder reads the hidden value in the quoting table)
    or is not in its table (``"quote_unresolved"``). A source table that is not among
    ``tables`` (a notebook's own export; a run whose pipeline leaves the source
    notebook out) cannot be checked here: the quoting table is protected as its
    source would be (:mod:`lcanalysis.disclosure.publication`), so it is safe by
    construction, and this check guards against the two drifting apart."""
    from urllib.parse import parse_qsl

    by_name = {t.name: t for t in tables}
    findings = []
    for table in tables:
        column = table.layout.quotes
        if column is None:
            continue
        for i, row in enumerate(table.frame.iter_rows(named=True)):
            if row.get("suppressed") or row[column] is None:
                continue
            name, _, query = str(row[column]).partition("?")
            source = by_name.get(name)
            if source is None:
                continue
            keys = dict(parse_qsl(query, keep_blank_values=True))
            rows = [r for r in source.frame.iter_rows(named=True)
                    if all(k in r and str(r[k]) == v for k, v in keys.items())]
            if len(rows) != 1:
                findings.append(Finding(table.name, i, column, "quote_unresolved",
                                        f"repeats {row[column]!r}: {len(rows)} rows of {name!r} match"))
            elif rows[0].get("suppressed"):
                findings.append(Finding(table.name, i, column, "quotes_hidden",
                                        f"shows the row {row[column]!r}, which {name!r} hides "
                                        f"({rows[0].get('suppression_reason')})"))
    return findings


def targets_of(system: CellSystem, tables: Sequence[str]) -> list[Target]:
    """The hidden values of ``tables``, of the tables linked to them and of the
    unpublished cells linked to them."""
    return _targets(system, tables)
