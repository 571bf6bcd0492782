"""Column rules: how a raw text column becomes a typed column, or a quarantine reason.

A source cleaner is a list of :class:`Rule` objects, one per output column. Each rule
turns raw text (all columns arrive as Utf8 from :mod:`lcanalysis.ingest`) into a typed
value and says which rows are bad and why, with a reason code from
docs/data-contract.md. :func:`apply_rules` evaluates every rule over the whole frame
at once and gives each row the reason of its first failing rule (in rule order), so a
row is quarantined once, naming the column that failed.

Parsing of text values goes through :func:`lcanalysis.values.map_distinct`: each
distinct raw value is parsed once and joined back, which keeps 5 million rows with a
few thousand distinct values fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from lcanalysis.text import fold
from lcanalysis.values import map_distinct

REASONS = (
    "invalid_personal_number",
    "missing_value",
    "invalid_term",
    "invalid_credits",
    "invalid_date",
    "invalid_grade",
    "unknown_municipality",
    "unknown_programme",
    "unknown_learning_centre",
    "invalid_value",
    "duplicate_key",
    "aggregate_region",
    "not_needed",
)


def code_lookup(values: pl.Series, lookup: dict[str, str]) -> pl.Series:
    """Canonical codes for raw coded values, matched after :func:`fold`; None if unlisted."""
    return map_distinct(values, lambda v: lookup.get(fold(v)), pl.Utf8)


@dataclass(frozen=True)
class Rule:
    """How one output column is made, and when a row fails.

    Parameters
    ----------
    output:
        Name of the typed output column.
    raw:
        The raw (canonical) column it reads, named in quarantine rows.
    parse:
        Takes the raw Utf8 series, returns the typed series (null where unparsable).
    invalid_reason:
        Reason code when a non-blank raw value parses to null (or fails ``valid``).
    required:
        A blank raw value is a failure with reason ``missing_value``.
    valid:
        Optional extra condition on the parsed series (True = acceptable); a False
        is a failure with ``invalid_reason``.
    evaluate_last:
        The parse waits for work started elsewhere (the identity numbers, parsed in
        a background thread): the rule is evaluated after the others, so that the
        work overlaps them. Its place in the order of reasons is unchanged.
    """

    output: str
    raw: str
    parse: Callable[[pl.Series], pl.Series]
    invalid_reason: str
    required: bool = False
    valid: Callable[[pl.Series], pl.Series] | None = None
    evaluate_last: bool = False


def apply_rules(frame: pl.DataFrame, rules: list[Rule]) -> pl.DataFrame:
    """Typed output columns plus ``_reason`` and ``_column`` of each row's first failure.

    ``frame`` holds the raw Utf8 columns (a rule whose raw column is absent sees an
    all-null column) and bookkeeping columns starting with ``_`` that are kept.
    """
    n = frame.height
    work = frame.select([c for c in frame.columns if c.startswith("_")])
    reasons: dict[int, pl.Expr] = {}  # by rule index: coalesced in rule order
    columns: dict[int, pl.Expr] = {}
    for i, rule in sorted(enumerate(rules), key=lambda item: item[1].evaluate_last):
        if rule.raw in frame.columns:
            raw = frame[rule.raw]
        else:
            raw = pl.Series(rule.raw, [None] * n, dtype=pl.Utf8)
        parsed = rule.parse(raw).rename(rule.output)
        blank = raw.is_null()
        bad = ~blank & parsed.is_null()
        if rule.valid is not None:
            bad = bad | (parsed.is_not_null() & ~rule.valid(parsed).fill_null(False))
        missing = blank & rule.required
        work = work.with_columns(parsed, missing.alias(f"_missing{i}"), bad.alias(f"_bad{i}"))
        reasons[i] = (
            pl.when(pl.col(f"_missing{i}")).then(pl.lit("missing_value"))
            .when(pl.col(f"_bad{i}")).then(pl.lit(rule.invalid_reason))
        )
        columns[i] = pl.when(pl.col(f"_missing{i}") | pl.col(f"_bad{i}")).then(pl.lit(rule.raw))
    flags = [c for c in work.columns if c.startswith(("_missing", "_bad"))]
    return work.with_columns(
        pl.coalesce([reasons[i] for i in sorted(reasons)]).alias("_reason")
        if reasons else pl.lit(None, pl.Utf8).alias("_reason"),
        pl.coalesce([columns[i] for i in sorted(columns)]).alias("_column")
        if columns else pl.lit(None, pl.Utf8).alias("_column"),
    ).drop(flags)
