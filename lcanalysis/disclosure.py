"""Statistical disclosure control: policies as data, suppression, and an audit.

Two kinds of table are handled, recognised by their columns:

- a *rate frame* (see :mod:`lcanalysis.stats`): key columns, then ``numerator``,
  ``denominator``, ``rate``, ``ci_low``, ``ci_high``, ``suppressed``,
  ``suppression_reason``;
- a *count table*: key columns, then a ``count`` (or ``n``) column, optionally
  followed by ``suppressed`` and ``suppression_reason``.

In both, the key columns are exactly the columns before the first count column
(``numerator`` or ``count``/``n``). A suppressed cell is null *with a reason code*:
exporters print the code, never 0 or a blank.

Tables with totals are long frames with one row per cell, margins included: a key
column's value ``"Total"`` (``total=`` to change it) marks the total over that key.
For a 2-way table with keys ``region`` and ``sex`` the rows are every
(region, sex) cell, every (region, "Total") row total, every ("Total", sex) column
total and ("Total", "Total"). A *line* is a set of cells that differ only in one key,
together with the cell where that key is "Total"; the members of a line sum to its
total. Any number of keys may have totals, and keys without a "Total" value (e.g. a
year column) just separate independent lines.

Typical use::

    table = apply_policy(counts, "default")
    table = secondary_suppression(table, ["region", "sex"])
    assert audit(table, "default") == []
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

RATE_VALUES = ["numerator", "denominator", "rate", "ci_low", "ci_high"]
DISCLOSURE_COLUMNS = ["suppressed", "suppression_reason"]
# Reasons produced outside the policies' own rules: complementary suppression here and
# comparisons against a suppressed reference in lcanalysis.stats.compare_groups.
SHARED_REASONS = frozenset({"secondary", "reference_suppressed"})


@dataclass(frozen=True)
class Policy:
    """A disclosure-control policy, as data.

    Attributes
    ----------
    name:
        Key in :data:`POLICIES`.
    small_count_max:
        Counts from 1 to this value are suppressed with reason ``"small_count"``; 0
        (the count zero) is always shown. 0 disables the rule.
    min_denominator:
        A rate whose denominator is below this is suppressed with
        ``denominator_reason``.
    denominator_reason:
        Reason code for the rule above.
    extreme_margin:
        If set, a rate is suppressed with ``"DPL"`` when numerator <= margin and
        ``"DPH"`` when numerator >= denominator - margin (OfS data-protection codes:
        too few or too nearly all people have the outcome).
    rounding_base:
        If set, every displayed count is rounded to the nearest multiple of this base
        (halves up) and the unrounded counts are removed from the frame; rates and
        intervals stay computed from the unrounded counts.
    """

    name: str
    small_count_max: int = 0
    min_denominator: float = 0
    denominator_reason: str = "small_denominator"
    extreme_margin: int | None = None
    rounding_base: int | None = None

    @property
    def reasons(self) -> frozenset[str]:
        """Every reason code a table made under this policy may carry."""
        codes = {self.denominator_reason, *SHARED_REASONS}
        if self.small_count_max:
            codes.add("small_count")
        if self.extreme_margin is not None:
            codes.update({"DPL", "DPH"})
        return frozenset(codes)


POLICIES: dict[str, Policy] = {
    # Project default: counts 1-4 hidden, rates on fewer than 10 people hidden.
    "default": Policy("default", small_count_max=4, min_denominator=10),
    # Office for Students-like: counts rounded to 10; rates "low" below 23 people,
    # DPL/DPH when 2 or fewer people have (or do not have) the outcome.
    "ofs": Policy(
        "ofs", min_denominator=23, denominator_reason="low", extreme_margin=2, rounding_base=10
    ),
    # HESA-like rounding methodology: counts rounded to 5 (0, 1, 2 -> 0); percentages
    # hidden when based on fewer than 22.5 people (unrounded denominator).
    "hesa": Policy(
        "hesa", min_denominator=22.5, denominator_reason="small_population", rounding_base=5
    ),
}


def get_policy(name: str | Policy) -> Policy:
    """The policy called ``name`` (a :class:`Policy` is returned as it is)."""
    if isinstance(name, Policy):
        return name
    if name not in POLICIES:
        raise ValueError(f"unknown disclosure policy {name!r}; known: {', '.join(POLICIES)}")
    return POLICIES[name]


@dataclass(frozen=True)
class Violation:
    """One reason a table may not be exported.

    ``row`` is the 0-based row of the table (-1 for a problem with the whole table),
    ``column`` the offending column, ``reason`` a short code, ``message`` a sentence.
    """

    row: int
    column: str
    reason: str
    message: str


def _count_column(table: pl.DataFrame) -> str:
    for name in ("numerator", "count", "n"):
        if name in table.columns:
            return name
    raise ValueError(
        "not a rate frame (numerator, denominator, ...) nor a count table (count or n); "
        f"columns: {table.columns}"
    )


def _key_columns(table: pl.DataFrame) -> list[str]:
    return table.columns[: table.columns.index(_count_column(table))]


def _is_rate_frame(table: pl.DataFrame) -> bool:
    return _count_column(table) == "numerator" and "denominator" in table.columns


PEOPLE = "n_persons"
"""Column of a ratio frame whose numerator and denominator are not people (credits in
the performance rate) giving the number of people behind each row."""

SAMPLE = "n_obs"
"""Column of a table of model estimates (no counts) giving the observations used."""


def is_ratio_frame(table: pl.DataFrame) -> bool:
    """A rate frame of quantities other than people (e.g. credits) with ``n_persons``."""
    return PEOPLE in table.columns and "numerator" in table.columns


def is_estimate_table(table: pl.DataFrame) -> bool:
    """A table of model estimates: no count column, the sample size in ``n_obs``."""
    return not {"numerator", "count", "n"} & set(table.columns) and SAMPLE in table.columns


def _apply_to_ratio(table: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """Suppress the rows of a ratio frame whose people are too few (see apply_policy)."""
    out = table.drop("missing", strict=False)
    if "suppressed" not in out.columns:
        out = out.with_columns(
            pl.lit(False).alias("suppressed"), pl.lit(None, dtype=pl.Utf8).alias("suppression_reason")
        )
    minimum = max(policy.min_denominator, policy.small_count_max + 1)
    few = pl.col(PEOPLE).fill_null(0) < minimum
    out = out.with_columns(
        pl.when(pl.col("suppressed")).then(pl.col("suppression_reason"))
        .when(few).then(pl.lit(policy.denominator_reason))
        .otherwise(pl.lit(None, dtype=pl.Utf8)).alias("suppression_reason")
    ).with_columns(pl.col("suppression_reason").is_not_null().alias("suppressed"))
    values = [c for c in out.columns[out.columns.index("numerator"):] if c not in DISCLOSURE_COLUMNS]
    out = out.with_columns(
        pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in values
    )
    if policy.rounding_base is not None:
        out = out.with_columns(_round_half_up(pl.col(PEOPLE), policy.rounding_base))
    return out


def _audit_ratio(table: pl.DataFrame, policy: Policy) -> list[Violation]:
    minimum = max(policy.min_denominator, policy.small_count_max + 1)
    found = []
    for i, row in enumerate(table.iter_rows(named=True)):
        if row.get("suppressed"):
            if row.get("suppression_reason") not in policy.reasons:
                found.append(Violation(i, "suppression_reason", "unknown_reason",
                                       "suppressed row without a known reason code"))
            if row["numerator"] is not None or row[PEOPLE] is not None:
                found.append(Violation(i, "numerator", "value_in_suppressed_row",
                                       "numbers shown in a suppressed row"))
        elif row[PEOPLE] is None or row[PEOPLE] < minimum:
            found.append(Violation(i, PEOPLE, policy.denominator_reason,
                                   f"ratio shown for {row[PEOPLE]} people, fewer than {minimum}"))
    if "suppressed" not in table.columns:
        found.append(Violation(-1, "suppressed", "no_disclosure_columns",
                               "table has no suppressed/suppression_reason columns; run apply_policy"))
    return found


def _audit_estimates(table: pl.DataFrame, policy: Policy) -> list[Violation]:
    return [
        Violation(i, SAMPLE, "small_sample", f"estimate from {n} observations, fewer than "
                  f"{policy.min_denominator}")
        for i, n in enumerate(table[SAMPLE].to_list())
        if n is None or n < policy.min_denominator
    ]


def _round_half_up(col: pl.Expr, base: int) -> pl.Expr:
    return ((col * 2 + base) // (2 * base) * base).cast(pl.Int64)


def _null_suppressed(table: pl.DataFrame, small_count_max: int) -> pl.DataFrame:
    """Null every value of a suppressed row except a denominator that is not a small count."""
    keys = _key_columns(table)
    values = [c for c in table.columns if c not in keys and c not in DISCLOSURE_COLUMNS]
    keep = []
    if "denominator" in values:
        small = pl.col("denominator").is_between(1, small_count_max)
        keep = [
            pl.when(pl.col("suppressed") & small)
            .then(None)
            .otherwise(pl.col("denominator"))
            .alias("denominator")
        ]
        values.remove("denominator")
    return table.with_columns(
        *[pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in values],
        *keep,
    )


def apply_policy(table: pl.DataFrame, policy: Policy | str) -> pl.DataFrame:
    """Primary suppression and rounding of a rate frame or count table.

    Rate frames: a row is suppressed, first rule that applies, when its numerator is a
    small count (``"small_count"``), its denominator is below the policy's minimum
    (``denominator_reason``, also for denominator 0), or, for OfS, the numerator is
    within the margin of 0 (``"DPL"``) or of the denominator (``"DPH"``). A suppressed
    row keeps its reason, and numerator, rate and interval become null; the
    denominator stays unless it is itself a small count. Rows already suppressed keep
    their reason. The ``missing`` column of :func:`lcanalysis.stats.rates` is a
    data-quality count for the cleaning report and is dropped here.

    Count tables: counts from 1 to ``small_count_max`` are suppressed
    (``"small_count"``) and nulled; zero is shown.

    Ratio frames (a ``n_persons`` column: numerator and denominator are credits, not
    people, as in the UKÄ performance rate): a row is suppressed, with the policy's
    denominator reason, when fewer than ``max(min_denominator, small_count_max + 1)``
    people stand behind it; every number of a suppressed row is nulled, and
    rounding policies round ``n_persons``.

    Rounding policies then round every remaining count (numerator, denominator,
    count) to their base, so the unrounded counts leave the frame; rates were
    computed before rounding. Returns a new frame; the input is not modified.
    """
    policy = get_policy(policy)
    if is_ratio_frame(table):
        return _apply_to_ratio(table, policy)
    count = _count_column(table)
    out = table.drop("missing", strict=False)
    if "suppressed" not in out.columns:
        out = out.with_columns(
            pl.lit(False).alias("suppressed"),
            pl.lit(None, dtype=pl.Utf8).alias("suppression_reason"),
        )
    num = pl.col(count)
    rules: list[tuple[pl.Expr, str]] = []
    if policy.small_count_max:
        rules.append((num.is_between(1, policy.small_count_max), "small_count"))
    if _is_rate_frame(out):
        den = pl.col("denominator")
        rules.append((den < policy.min_denominator, policy.denominator_reason))
        if policy.extreme_margin is not None:
            rules.append((num <= policy.extreme_margin, "DPL"))
            rules.append((num >= den - policy.extreme_margin, "DPH"))
    reason = pl.col("suppression_reason")
    new_reason: pl.Expr = pl.lit(None, dtype=pl.Utf8)
    for condition, code in reversed(rules):
        new_reason = pl.when(condition).then(pl.lit(code)).otherwise(new_reason)
    out = out.with_columns(
        pl.when(pl.col("suppressed")).then(reason).otherwise(new_reason).alias("suppression_reason")
    ).with_columns(pl.col("suppression_reason").is_not_null().alias("suppressed"))
    out = _null_suppressed(out, policy.small_count_max)
    if policy.rounding_base is not None:
        counts = [c for c in (count, "denominator") if c in out.columns]
        out = out.with_columns(_round_half_up(pl.col(c), policy.rounding_base) for c in counts)
    return out


def _lines(table: pl.DataFrame, total: str) -> list[tuple[list[int], int]]:
    """Every line of a long table with totals: (member row indices, total row index)."""
    keys = _key_columns(table)
    text = table.select(pl.col(k).cast(pl.Utf8) for k in keys).with_row_index("_i")
    lines = []
    for dim in keys:
        if not (text[dim] == total).any():
            continue
        others = [k for k in keys if k != dim]
        groups = text.partition_by(others, maintain_order=True) if others else [text]
        for group in groups:
            is_total = group[dim] == total
            if is_total.sum() != 1:
                raise ValueError(
                    f"line along {dim!r} at {group.row(0, named=True)} has "
                    f"{is_total.sum()} rows with {dim}={total!r}; expected exactly one"
                )
            members = group.filter(~is_total)["_i"].to_list()
            lines.append((members, group.filter(is_total)["_i"].item()))
    return lines


def _recoverable(lines: list[tuple[list[int], int]], suppressed: np.ndarray) -> list[int]:
    """Suppressed cells whose exact value follows from the shown cells and the totals.

    Each line is the linear equation sum(members) - total = 0. A suppressed cell is
    exactly recoverable when its value is the same in every solution, i.e. when the
    null space of the equations restricted to the suppressed cells is zero in its
    coordinate. This includes, but goes beyond, "the only suppressed cell of a line".
    """
    hidden = np.flatnonzero(suppressed)
    if hidden.size == 0 or not lines:
        return []
    position = {cell: j for j, cell in enumerate(hidden)}
    matrix = np.zeros((len(lines), hidden.size))
    for i, (members, total) in enumerate(lines):
        for cell in members:
            if cell in position:
                matrix[i, position[cell]] = 1.0
        if total in position:
            matrix[i, position[total]] = -1.0
    from scipy.linalg import null_space  # only when totals make cells recoverable

    free = null_space(matrix)
    return [int(hidden[j]) for j in range(hidden.size) if np.all(np.abs(free[j]) < 1e-9)]


def _complement(
    cells: list[tuple[list[int], int]], suppressed: np.ndarray, values: np.ndarray
) -> int | None:
    """The cell to suppress next in these lines: the smallest non-zero shown member,
    else a shown total, else a shown zero member."""
    members = {m for line_members, _ in cells for m in line_members if not suppressed[m]}
    totals = {t for _, t in cells if not suppressed[t]}
    for pool in (
        [m for m in members if values[m] > 0],
        sorted(totals),
        sorted(members),
    ):
        if pool:
            return min(pool, key=lambda i: (values[i], i))
    return None


def secondary_suppression(
    table: pl.DataFrame,
    *,
    total: str = "Total",
) -> pl.DataFrame:
    """Complementary suppression so that no suppressed cell can be recovered from totals.

    ``table`` is a long table with totals (module docstring) that has been through
    :func:`apply_policy` with a suppression policy; the count protected is
    ``numerator`` in a rate frame whose groups partition a total row, else
    ``count``/``n``. Repeated until nothing changes:

    1. a line (members plus its total) with exactly one suppressed cell gets its
       smallest non-zero shown member suppressed too (if none, its total; if none, a
       shown zero), lines taken in table order, one cell at a time;
    2. when every line has 0 or >= 2 suppressed cells, any suppressed cell still
       exactly recoverable from the system of line equations (e.g. a "bridge" between
       two blocks of suppressed cells) gets the smallest non-zero shown member of one
       of its lines suppressed.

    Added cells get reason ``"secondary"`` and their numbers nulled as in primary
    suppression. Rounding policies need no secondary suppression (rounded counts do
    not add up). Only exact recovery is prevented: the bounds an attacker can derive
    for a suppressed cell may still be narrow.
    """
    count = _count_column(table)
    if "suppressed" not in table.columns:
        raise ValueError("run apply_policy before secondary_suppression")
    lines = _lines(table, total)
    suppressed = table["suppressed"].to_numpy().copy()
    values = table[count].fill_null(0).to_numpy()
    reasons = table["suppression_reason"].to_list()
    while True:
        pick = next(
            (
                _complement([line], suppressed, values)
                for line in lines
                if suppressed[line[0]].sum() + suppressed[line[1]] == 1
            ),
            None,
        )
        if pick is None:
            exposed = _recoverable(lines, suppressed)
            candidates = [
                c
                for cell in exposed
                if (
                    c := _complement(
                        [ln for ln in lines if cell in (*ln[0], ln[1])], suppressed, values
                    )
                )
                is not None
            ]
            if exposed and not candidates:
                raise ValueError(f"cannot protect suppressed rows {exposed}: no cell left to hide")
            pick = min(candidates, key=lambda i: (values[i], i)) if candidates else None
        if pick is None:
            break
        suppressed[pick] = True
        reasons[pick] = "secondary"
    out = table.with_columns(
        pl.Series("suppressed", suppressed, dtype=pl.Boolean),
        pl.Series("suppression_reason", reasons, dtype=pl.Utf8),
    )
    # A secondary cell's denominator passed the primary rules, so it stays shown.
    return _null_suppressed(out, small_count_max=0)


def audit(table: pl.DataFrame, policy: Policy | str, *, total: str = "Total") -> list[Violation]:
    """Every reason ``table`` is not safe to export under ``policy``; empty means safe.

    The table is a rate frame (``numerator`` and ``denominator`` columns) or a count
    table (``count`` or ``n``); the key columns are those before the first count
    column. Checked:

    - the table has ``suppressed`` and ``suppression_reason`` columns (row -1);
    - shown rows: no count (numerator, denominator, count) from 1 to the policy's
      small-count limit (``"small_count"``); under a rounding policy every count is a
      multiple of the base (``"unrounded"``); no rate with a denominator below the
      policy's minimum (its denominator reason; under rounding, a rounded
      denominator below the rounded minimum); no null count or rate where the
      denominator is positive (``"null_without_reason"``: suppressed shown as missing);
      no reason code on a shown row (``"reason_without_suppression"``);
    - suppressed rows: a reason, and one the policy knows (``"missing_reason"``,
      ``"unknown_reason"``); no number left in any value column, except a denominator
      that is not itself a small count (``"value_in_suppressed_row"``);
    - tables with "Total" rows, policies without rounding: no suppressed cell whose
      exact value follows from the shown cells and totals (``"recoverable"``), by
      the same linear-algebra test :func:`secondary_suppression` uses.

    Ratio frames (``n_persons``): every shown row rests on enough people; tables of
    model estimates (no counts, ``n_obs``): every estimate rests on at least the
    policy's minimum number of observations (``"small_sample"``). Any other table
    is ``"not_auditable"``.

    Not checked: OfS DPL/DPH on exported (rounded) counts, which no longer show the
    exact numerator; :func:`apply_policy` enforces them.
    """
    policy = get_policy(policy)
    if is_ratio_frame(table):
        return _audit_ratio(table, policy)
    if is_estimate_table(table):
        return _audit_estimates(table, policy)
    if not {"numerator", "count", "n"} & set(table.columns):
        return [Violation(-1, "", "not_auditable", "no count column (numerator, count, n) and no "
                          "n_obs: say how many people or observations each number rests on")]
    count = _count_column(table)
    keys = _key_columns(table)
    violations: list[Violation] = []
    if not all(c in table.columns for c in DISCLOSURE_COLUMNS):
        violations.append(
            Violation(
                -1,
                "suppressed",
                "no_disclosure_columns",
                "table has no suppressed/suppression_reason columns; run apply_policy",
            )
        )
        table = table.with_columns(
            pl.lit(False).alias("suppressed"),
            pl.lit(None, dtype=pl.Utf8).alias("suppression_reason"),
        )
    is_rate = _is_rate_frame(table)
    count_cols = [c for c in (count, "denominator") if c in table.columns]
    value_cols = [c for c in table.columns if c not in keys and c not in DISCLOSURE_COLUMNS]
    base = policy.rounding_base
    # A rounded denominator D may stand for D - base/2 .. D + base/2 - 1 people; it
    # certainly breaks the rule when it is below the rounded minimum.
    rounded_min = (
        None
        if base is None
        else (math.ceil(policy.min_denominator) * 2 + base) // (2 * base) * base
    )
    for i, row in enumerate(table.iter_rows(named=True)):

        def flag(column: str, reason: str, message: str, i: int = i) -> None:
            violations.append(Violation(i, column, reason, message))

        if row["suppressed"]:
            if row["suppression_reason"] is None:
                flag("suppression_reason", "missing_reason", "suppressed row without a reason code")
            elif row["suppression_reason"] not in policy.reasons:
                flag(
                    "suppression_reason",
                    "unknown_reason",
                    f"reason {row['suppression_reason']!r} is not one of {sorted(policy.reasons)}",
                )
            for c in value_cols:
                den_ok = c == "denominator" and not (
                    row[c] is not None and 1 <= row[c] <= policy.small_count_max
                )
                if row[c] is not None and not den_ok:
                    flag(c, "value_in_suppressed_row", f"{c}={row[c]} shown in a suppressed row")
            continue
        if row["suppression_reason"] is not None:
            flag(
                "suppression_reason",
                "reason_without_suppression",
                f"reason {row['suppression_reason']!r} on a row not marked suppressed",
            )
        for c in count_cols:
            v = row[c]
            if v is not None and 1 <= v <= policy.small_count_max:
                flag(c, "small_count", f"{c}={v} is a small count and is shown")
            if v is not None and base is not None and v % base:
                flag(c, "unrounded", f"{c}={v} is not rounded to a multiple of {base}")
        den = row["denominator"] if is_rate else None
        min_den = (
            rounded_min
            if rounded_min is not None and den is not None and den % base == 0
            else policy.min_denominator
        )
        if is_rate and den is not None and den < min_den:
            flag(
                "rate",
                policy.denominator_reason,
                f"rate shown with denominator {den} below {policy.min_denominator}",
            )
        shown = [count, "rate"] if is_rate else [count]
        if any(row[c] is None for c in shown) and (den is None or den > 0):
            flag(count, "null_without_reason", "a number is missing from a row not suppressed")
    if base is None and any((table[k].cast(pl.Utf8) == total).any() for k in keys):
        exposed = _recoverable(_lines(table, total), table["suppressed"].to_numpy())
        violations.extend(
            Violation(
                i,
                count,
                "recoverable",
                "suppressed value can be recovered from the shown cells and totals",
            )
            for i in exposed
        )
    return violations
