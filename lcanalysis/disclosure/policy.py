"""Disclosure policies as data, primary suppression and the audit of one table.

Table shapes, recognised by their columns:

- a *rate frame* (see :mod:`lcanalysis.stats`): key columns, ``numerator``,
  ``denominator``, ``rate``, ``ci_low``, ``ci_high``, ``suppressed``,
  ``suppression_reason``;
- a *count table*: key columns and a ``count`` (or ``n``) column, optionally
  followed by other numbers about the same people (sessions, hours);
- a *ratio frame*: a rate frame of credits with ``n_persons``, the people behind it;
- a *survival frame*: group columns, ``time``, ``survival``, ``ci_low``, ``ci_high``,
  ``at_risk`` (:func:`lcanalysis.stats.survival_curve`);
- a *table of model estimates*: no counts, the sample size in ``n_obs``.

A suppressed cell is null *with a reason code*: exporters print the code, never 0 or
a blank. The rules of each policy and their sources are in docs/privacy.md.

Which columns are keys is declared by the caller (``keys=``); without it,
:func:`apply_policy` falls back to the convention of :func:`lcanalysis.stats.rates`
(the key columns come before the count column). Notebooks always declare them
(:class:`lcanalysis.disclosure.Layout`).
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

RATE_VALUES = ["numerator", "denominator", "rate", "ci_low", "ci_high"]
DISCLOSURE_COLUMNS = ["suppressed", "suppression_reason"]
SURVIVAL_VALUES = ["time", "survival", "ci_low", "ci_high", "at_risk"]
# Reasons produced outside the policies' own rules: complementary suppression
# (lcanalysis.disclosure.suppression) and comparisons against a suppressed reference
# in lcanalysis.stats.compare_groups.
SHARED_REASONS = frozenset({"secondary", "reference_suppressed"})

PEOPLE = "n_persons"
"""Column of a ratio frame whose numerator and denominator are not people (credits in
the performance rate) giving the number of people behind each row."""

SAMPLE = "n_obs"
"""Column of a table of model estimates (no counts) giving the observations used."""


@dataclass(frozen=True)
class Policy:
    """A disclosure-control policy, as data (docs/privacy.md states each rule's source).

    Attributes
    ----------
    name:
        Key in :data:`POLICIES`.
    small_count_max:
        Counts from 1 to this value are suppressed (``"small_count"``), and so is a
        rate whose complement (denominator - numerator) is from 1 to this value
        (``"small_complement"``). 0 disables both rules.
    min_denominator:
        A rate whose denominator is below this is suppressed with
        ``denominator_reason``, and its denominator is hidden with it.
    denominator_reason:
        Reason code for the rule above.
    extreme_margin:
        If set, a rate is suppressed with ``"DPL"`` when numerator <= margin and
        ``"DPH"`` when numerator >= denominator - margin (OfS data-protection codes:
        too few or too nearly all people have the outcome, 0 and "all" included).
    rounding_base:
        If set, every displayed count is rounded to the nearest multiple of this base
        (halves up) and the unrounded counts are removed from the frame.
    protection_interval:
        The narrowest interval an intruder may be able to put around a value the
        policy hides: :func:`lcanalysis.disclosure.attack` reports a hidden value
        whose bounds, from everything published, are closer together than this.
    """

    name: str
    small_count_max: int = 0
    min_denominator: float = 0
    denominator_reason: str = "small_denominator"
    extreme_margin: int | None = None
    rounding_base: int | None = None
    protection_interval: int = 1

    @property
    def shows_zero_and_all(self) -> bool:
        """Whether a shown rate may be 0 or 100 %: yes unless DPL/DPH rules apply.

        A 0 or an "all" tells something about every member of the group (nobody,
        or everybody, has the attribute); the policies that show them do so only
        for groups of at least ``min_denominator`` people (docs/privacy.md)."""
        return self.extreme_margin is None

    @property
    def unsafe_count_max(self) -> int:
        """Largest count no intruder may pin down (0: no count is unsafe as such)."""
        return self.small_count_max

    @property
    def reasons(self) -> frozenset[str]:
        """Every reason code a table made under this policy may carry."""
        codes = {self.denominator_reason, *SHARED_REASONS}
        if self.small_count_max:
            codes.update({"small_count", "small_complement"})
        if self.extreme_margin is not None:
            codes.update({"DPL", "DPH"})
        if self.rounding_base is not None:
            codes.add("small_count")  # survival steps with too few events
        return frozenset(codes)


POLICIES: dict[str, Policy] = {
    # Project default (SCB-like): counts and complements 1-4 hidden, rates on fewer
    # than 10 people hidden; a hidden value may not be pinned closer than 5 (0-4).
    "default": Policy("default", small_count_max=4, min_denominator=10, protection_interval=5),
    # Office for Students-like: counts rounded to 10; rates "low" below 23 people,
    # DPL/DPH when 2 or fewer people have (or do not have) the outcome.
    "ofs": Policy(
        "ofs", min_denominator=23, denominator_reason="low", extreme_margin=2, rounding_base=10,
        protection_interval=10,
    ),
    # HESA-like rounding methodology: counts rounded to 5 (0, 1, 2 -> 0); percentages
    # hidden when based on fewer than 22.5 people (unrounded denominator).
    "hesa": Policy(
        "hesa", min_denominator=22.5, denominator_reason="small_population", rounding_base=5,
        protection_interval=5,
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


# --- the protected-frame registry ---------------------------------------------------

_PROTECTED: dict[int, weakref.ref] = {}


def mark_protected(frame: pl.DataFrame) -> pl.DataFrame:
    """Record that ``frame`` is the output of disclosure control; returns it.

    Charts (:mod:`lcanalysis.plots.charts`) draw only frames recorded here, so a
    figure cannot be made from counts that skipped the policy. The record is of
    this very object: any new frame derived from it must be protected again.
    """
    key = id(frame)
    _PROTECTED[key] = weakref.ref(frame, lambda _ref, key=key: _PROTECTED.pop(key, None))
    return frame


def is_protected(frame: object) -> bool:
    """Whether ``frame`` came out of :func:`apply_policy` or a notebook's protection."""
    ref = _PROTECTED.get(id(frame))
    return ref is not None and ref() is frame


# --- shapes -------------------------------------------------------------------------


def _count_column(table: pl.DataFrame) -> str:
    for name in ("numerator", "count", "n"):
        if name in table.columns:
            return name
    raise ValueError(
        "not a rate frame (numerator, denominator, ...) nor a count table (count or n); "
        f"columns: {table.columns}"
    )


def _key_columns(table: pl.DataFrame, keys: Sequence[str] | None = None) -> list[str]:
    if keys is not None:
        missing = [k for k in keys if k not in table.columns]
        if missing:
            raise ValueError(f"declared key column(s) {missing} not in the table: {table.columns}")
        return list(keys)
    if is_survival_frame(table):
        return table.columns[: table.columns.index("time")]
    return table.columns[: table.columns.index(_count_column(table))]


def _is_rate_frame(table: pl.DataFrame) -> bool:
    return _count_column(table) == "numerator" and "denominator" in table.columns


def is_ratio_frame(table: pl.DataFrame) -> bool:
    """A rate frame of quantities other than people (e.g. credits) with ``n_persons``."""
    return PEOPLE in table.columns and "numerator" in table.columns


def is_survival_frame(table: pl.DataFrame) -> bool:
    """A Kaplan-Meier frame: ``time``, ``survival`` and ``at_risk``, no count column."""
    return {"time", "survival", "at_risk"} <= set(table.columns) and not {
        "numerator", "count", "n"} & set(table.columns)


def is_estimate_table(table: pl.DataFrame) -> bool:
    """A table of model estimates: no count column, the sample size in ``n_obs``."""
    return not {"numerator", "count", "n"} & set(table.columns) and SAMPLE in table.columns


def _with_disclosure_columns(table: pl.DataFrame) -> pl.DataFrame:
    out = table.drop("missing", strict=False)
    if "suppressed" not in out.columns:
        out = out.with_columns(
            pl.lit(False).alias("suppressed"), pl.lit(None, dtype=pl.Utf8).alias("suppression_reason")
        )
    return out


def _round_half_up(col: pl.Expr, base: int) -> pl.Expr:
    return ((col * 2 + base) // (2 * base) * base).cast(pl.Int64)


def _rates_from_rounded(table: pl.DataFrame) -> pl.DataFrame:
    """Rate and Wilson interval of each shown row recomputed from the rounded counts:
    a rate from the unrounded counts, with the rounded denominator, would often leave
    one possible unrounded numerator (the attack's ``unrounded_recovered``)."""
    from lcanalysis.stats import wilson_interval

    x = table["numerator"].fill_null(0).to_numpy()
    d = table["denominator"].fill_null(0).to_numpy()
    low, high = wilson_interval(x, d)
    shown = ~pl.col("suppressed") & (pl.col("denominator").fill_null(0) > 0)
    computed = {"rate": pl.Series(x / np.where(d > 0, d, 1)), "ci_low": pl.Series(low),
                "ci_high": pl.Series(high)}
    return table.with_columns(
        pl.when(shown).then(pl.lit(series)).otherwise(None).alias(c)
        for c, series in computed.items() if c in table.columns
    )


# --- primary suppression ------------------------------------------------------------


def _apply_to_ratio(table: pl.DataFrame, policy: Policy, keys: list[str]) -> pl.DataFrame:
    """Suppress the rows of a ratio frame whose people are too few (see apply_policy)."""
    out = _with_disclosure_columns(table)
    minimum = max(policy.min_denominator, policy.small_count_max + 1)
    few = pl.col(PEOPLE).fill_null(0) < minimum
    out = out.with_columns(
        pl.when(pl.col("suppressed")).then(pl.col("suppression_reason"))
        .when(few).then(pl.lit(policy.denominator_reason))
        .otherwise(pl.lit(None, dtype=pl.Utf8)).alias("suppression_reason")
    ).with_columns(pl.col("suppression_reason").is_not_null().alias("suppressed"))
    values = [c for c in out.columns if c not in keys and c not in DISCLOSURE_COLUMNS]
    out = out.with_columns(
        pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in values
    )
    if policy.rounding_base is not None:
        out = out.with_columns(_round_half_up(pl.col(PEOPLE), policy.rounding_base))
    return out


def survival_events(table: pl.DataFrame, keys: Sequence[str]) -> pl.Series:
    """Events at each time of a survival frame: at_risk x (1 - S_t / S_previous).

    What an intruder computes from a shown curve and its numbers at risk; rounded
    to whole people."""
    previous = pl.col("survival").shift(1, fill_value=1.0)
    if keys:
        previous = previous.over(list(keys), order_by="time")
    return table.select(
        (pl.col("at_risk") * (1 - pl.col("survival") / previous)).round(0).cast(pl.Int64)
    ).to_series()


def _apply_to_survival(table: pl.DataFrame, policy: Policy, keys: list[str]) -> pl.DataFrame:
    """A curve is shown up to its first time with too few at risk or too few events."""
    out = _with_disclosure_columns(table).sort([*keys, "time"])
    events_max = policy.small_count_max or (policy.rounding_base or 1) - 1
    minimum = max(policy.min_denominator, policy.small_count_max + 1)
    out = out.with_columns(survival_events(out, keys).alias("_events"))
    reason = (
        pl.when(pl.col("suppressed")).then(pl.col("suppression_reason"))
        .when(pl.col("at_risk") < minimum).then(pl.lit(policy.denominator_reason))
        .when(pl.col("_events").is_between(1, events_max)).then(pl.lit("small_count"))
        .otherwise(pl.lit(None, dtype=pl.Utf8))
    )
    # Every time after the first hidden one is hidden too: the curve stops there.
    first = reason.forward_fill()
    out = out.with_columns((first.over(keys) if keys else first).alias("suppression_reason"))
    out = out.drop("_events")
    out = out.with_columns(pl.col("suppression_reason").is_not_null().alias("suppressed"))
    out = out.with_columns(
        pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c)
        for c in ("survival", "ci_low", "ci_high", "at_risk")
    )
    if policy.rounding_base is not None:
        out = out.with_columns(_round_half_up(pl.col("at_risk"), policy.rounding_base))
    return out


def apply_policy(
    table: pl.DataFrame, policy: Policy | str, *, keys: Sequence[str] | None = None
) -> pl.DataFrame:
    """Primary suppression and rounding of one table; the result is marked protected.

    ``keys``: the key columns; every other column is a value about the people of
    its row and is nulled when the row is suppressed (default: the columns before
    the count column, the convention of :func:`lcanalysis.stats.rates`).

    Rate frames: a row is suppressed, first rule that applies, when its numerator is
    a small count (``"small_count"``), its denominator is below the policy's minimum
    (``denominator_reason``, also for denominator 0), its complement
    (denominator - numerator) is a small count (``"small_complement"``), or, for
    OfS, the numerator is within the margin of 0 (``"DPL"``) or of the denominator
    (``"DPH"``). A suppressed row keeps its reason; numerator, rate and interval
    become null, and the denominator too when it is below the minimum or a small
    count (the denominator is then what made the row unsafe). Rows already
    suppressed keep their reason. The ``missing`` column of
    :func:`lcanalysis.stats.rates` is a data-quality count and is dropped here.

    Count tables: counts from 1 to ``small_count_max`` are suppressed
    (``"small_count"``) with every value of their row; zero is shown.

    Ratio frames (``n_persons``): a row is suppressed with the denominator reason
    when fewer than ``max(min_denominator, small_count_max + 1)`` people stand
    behind it, every number of it nulled.

    Survival frames: a curve is cut (every later time suppressed too) at the first
    time where fewer than that many people are at risk (denominator reason) or the
    step has 1 to ``small_count_max`` events (``"small_count"``; under rounding
    policies 1 to base - 1), events being what an intruder computes from the shown
    step (:func:`survival_events`).

    Tables of model estimates (no count column) pass unchanged; they are audited on
    ``n_obs``.

    Rounding policies then round every remaining count to their base, and a rate
    frame's rates and Wilson intervals are recomputed from the rounded counts, so
    that nothing published says more than the rounded counts. Returns a new frame,
    recorded by :func:`mark_protected`; the input is not modified.
    """
    policy = get_policy(policy)
    key_cols = _key_columns(table, keys) if (
        keys is not None or is_survival_frame(table) or {"numerator", "count", "n"} & set(table.columns)
    ) else []
    if is_survival_frame(table):
        return mark_protected(_apply_to_survival(table, policy, key_cols))
    if not {"numerator", "count", "n"} & set(table.columns):
        return mark_protected(table.clone())
    if is_ratio_frame(table):
        return mark_protected(_apply_to_ratio(table, policy, key_cols))
    count = _count_column(table)
    out = _with_disclosure_columns(table)
    num = pl.col(count)
    rules: list[tuple[pl.Expr, str]] = []
    is_rate = _is_rate_frame(out)
    den = pl.col("denominator")
    if policy.small_count_max:
        rules.append((num.is_between(1, policy.small_count_max), "small_count"))
    if is_rate:
        rules.append((den < policy.min_denominator, policy.denominator_reason))
    if policy.small_count_max and is_rate:
        rules.append(((den - num).is_between(1, policy.small_count_max), "small_complement"))
    if is_rate and policy.extreme_margin is not None:
        rules.append((num <= policy.extreme_margin, "DPL"))
        rules.append((num >= den - policy.extreme_margin, "DPH"))
    new_reason: pl.Expr = pl.lit(None, dtype=pl.Utf8)
    for condition, code in reversed(rules):
        new_reason = pl.when(condition).then(pl.lit(code)).otherwise(new_reason)
    out = out.with_columns(
        pl.when(pl.col("suppressed")).then(pl.col("suppression_reason")).otherwise(new_reason)
        .alias("suppression_reason")
    ).with_columns(pl.col("suppression_reason").is_not_null().alias("suppressed"))
    out = null_suppressed(out, key_cols, policy)
    if policy.rounding_base is not None:
        counts = [c for c in (count, "denominator") if c in out.columns]
        out = out.with_columns(_round_half_up(pl.col(c), policy.rounding_base) for c in counts)
        if is_rate and "rate" in out.columns:
            out = _rates_from_rounded(out)
    return mark_protected(out)


def hides_denominator(denominator: float | None, policy: Policy) -> bool:
    """Whether a suppressed row's denominator is hidden with it: when it is below the
    policy's minimum or a small count, i.e. when it is what made the row unsafe."""
    return denominator is not None and (
        denominator < policy.min_denominator or 1 <= denominator <= policy.small_count_max
    )


def null_suppressed(table: pl.DataFrame, keys: Sequence[str], policy: Policy) -> pl.DataFrame:
    """Null every value of a suppressed row, except a denominator that did not make
    the row unsafe (:func:`hides_denominator`)."""
    values = [c for c in table.columns if c not in keys and c not in DISCLOSURE_COLUMNS]
    keep = []
    if "denominator" in values:
        unsafe = (pl.col("denominator") < policy.min_denominator) | pl.col("denominator").is_between(
            1, policy.small_count_max
        )
        keep = [
            pl.when(pl.col("suppressed") & unsafe).then(None).otherwise(pl.col("denominator"))
            .alias("denominator")
        ]
        values.remove("denominator")
    return table.with_columns(
        *[pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in values],
        *keep,
    )


# --- the audit of one table ---------------------------------------------------------


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


def _audit_survival(table: pl.DataFrame, policy: Policy, keys: list[str]) -> list[Violation]:
    if "suppressed" not in table.columns:
        return [Violation(-1, "suppressed", "no_disclosure_columns",
                          "survival frame has no suppressed/suppression_reason columns")]
    minimum = max(policy.min_denominator, policy.small_count_max + 1)
    events_max = policy.small_count_max or (policy.rounding_base or 1) - 1
    found = []
    shown = pl.col("suppressed").not_()
    ordered = table.with_row_index("_row").sort([*keys, "time"])
    # Events from consecutive shown times: what a reader of the curve computes.
    events = survival_events(ordered.filter(shown), keys) if policy.rounding_base is None else None
    shown_rows = ordered.filter(shown)
    for j, row in enumerate(shown_rows.iter_rows(named=True)):
        i = row["_row"]
        if row["at_risk"] is None or row["at_risk"] < minimum:
            found.append(Violation(i, "at_risk", policy.denominator_reason,
                                   f"curve shown with {row['at_risk']} at risk, fewer than {minimum}"))
        if events is not None and 1 <= (events[j] or 0) <= events_max:
            found.append(Violation(i, "survival", "small_count",
                                   f"step of {events[j]} event(s) shown"))
    for part in ordered.partition_by(keys, maintain_order=True) if keys else [ordered]:
        flags = part["suppressed"].to_list()
        if True in flags and not all(flags[flags.index(True):]):
            after = part["_row"][flags.index(True) + flags[flags.index(True):].index(False)]
            found.append(Violation(after, "survival", "shown_after_suppressed",
                                   "a curve goes on after a suppressed time"))
    for i, row in enumerate(table.iter_rows(named=True)):
        if row["suppressed"] and any(row[c] is not None for c in ("survival", "at_risk")):
            found.append(Violation(i, "survival", "value_in_suppressed_row",
                                   "numbers shown in a suppressed time"))
    return found


def audit(
    table: pl.DataFrame, policy: Policy | str, *, keys: Sequence[str] | None = None
) -> list[Violation]:
    """Every reason ``table`` on its own is not safe to export; empty means safe.

    Checked, cell by cell (what a reader sees in this one table):

    - the table has ``suppressed`` and ``suppression_reason`` columns (row -1);
    - shown rows: no count (numerator, denominator, count) from 1 to the policy's
      small-count limit (``"small_count"``); no rate whose complement
      (denominator - numerator) is from 1 to that limit (``"small_complement"``);
      under a rounding policy every count a multiple of the base
      (``"unrounded"``); no rate with a denominator below the policy's minimum (its
      denominator reason; under rounding, a rounded denominator below the rounded
      minimum); no null count or rate where the denominator is positive
      (``"null_without_reason"``); no reason code on a shown row
      (``"reason_without_suppression"``);
    - suppressed rows: a reason the policy knows (``"missing_reason"``,
      ``"unknown_reason"``); no number left in any value column, except a
      denominator that did not make the row unsafe (``"value_in_suppressed_row"``).

    Ratio frames, survival frames and tables of model estimates have their own
    checks (people behind a ratio, numbers at risk and events of each shown step,
    observations behind an estimate). Any other table is ``"not_auditable"``.

    What follows from several cells or several tables together (margins,
    complements of hidden cells, linked tables) is the intruder's attack,
    :func:`lcanalysis.disclosure.attack`.
    """
    policy = get_policy(policy)
    if is_survival_frame(table):
        return _audit_survival(table, policy, _key_columns(table, keys))
    if is_ratio_frame(table):
        return _audit_ratio(table, policy)
    if is_estimate_table(table):
        return _audit_estimates(table, policy)
    if not {"numerator", "count", "n"} & set(table.columns):
        return [Violation(-1, "", "not_auditable", "no count column (numerator, count, n) and no "
                          "n_obs: say how many people or observations each number rests on")]
    count = _count_column(table)
    key_cols = _key_columns(table, keys)
    violations: list[Violation] = []
    if not all(c in table.columns for c in DISCLOSURE_COLUMNS):
        violations.append(
            Violation(-1, "suppressed", "no_disclosure_columns",
                      "table has no suppressed/suppression_reason columns; run apply_policy")
        )
        table = table.with_columns(
            pl.lit(False).alias("suppressed"), pl.lit(None, dtype=pl.Utf8).alias("suppression_reason")
        )
    is_rate = _is_rate_frame(table)
    count_cols = [c for c in (count, "denominator") if c in table.columns]
    value_cols = [c for c in table.columns if c not in key_cols and c not in DISCLOSURE_COLUMNS]
    base = policy.rounding_base
    k = policy.small_count_max
    # A rounded denominator D may stand for D - base/2 .. D + base/2 - 1 people; it
    # certainly breaks the rule when it is below the rounded minimum.
    rounded_min = (
        None if base is None else (math.ceil(policy.min_denominator) * 2 + base) // (2 * base) * base
    )
    for i, row in enumerate(table.iter_rows(named=True)):

        def flag(column: str, reason: str, message: str, i: int = i) -> None:
            violations.append(Violation(i, column, reason, message))

        if row["suppressed"]:
            if row["suppression_reason"] is None:
                flag("suppression_reason", "missing_reason", "suppressed row without a reason code")
            elif row["suppression_reason"] not in policy.reasons:
                flag("suppression_reason", "unknown_reason",
                     f"reason {row['suppression_reason']!r} is not one of {sorted(policy.reasons)}")
            for c in value_cols:
                den_ok = c == "denominator" and not (
                    row[c] is not None and (1 <= row[c] <= k or (
                        base is None and row[c] < policy.min_denominator)
                        or (base is not None and row[c] < rounded_min))
                )
                if row[c] is not None and not den_ok:
                    flag(c, "value_in_suppressed_row", f"{c}={row[c]} shown in a suppressed row")
            continue
        if row["suppression_reason"] is not None:
            flag("suppression_reason", "reason_without_suppression",
                 f"reason {row['suppression_reason']!r} on a row not marked suppressed")
        for c in count_cols:
            v = row[c]
            if v is not None and 1 <= v <= k:
                flag(c, "small_count", f"{c}={v} is a small count and is shown")
            if v is not None and base is not None and v % base:
                flag(c, "unrounded", f"{c}={v} is not rounded to a multiple of {base}")
        den = row["denominator"] if is_rate else None
        num = row[count]
        if is_rate and den is not None and num is not None and 1 <= den - num <= k:
            flag(count, "small_complement",
                 f"{num} of {den}: the other {den - num} are a small count")
        min_den = (
            rounded_min
            if rounded_min is not None and den is not None and den % base == 0
            else policy.min_denominator
        )
        if is_rate and den is not None and den < min_den:
            flag("rate", policy.denominator_reason,
                 f"rate shown with denominator {den} below {policy.min_denominator}")
        shown = [count, "rate"] if is_rate else [count]
        if any(row[c] is None for c in shown) and (den is None or den > 0):
            flag(count, "null_without_reason", "a number is missing from a row not suppressed")
    return violations
