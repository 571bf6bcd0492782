"""Planted defects: extra rows, each with exactly one defect, counted exactly.

A defect row is a copy of a real row with one field spoiled, so that the clean world
is untouched: the cleaner should quarantine every defect row and keep every real
row. The copy's key is moved where needed (another course, another programme, a
date a day earlier) so that it can never collide with the real row as a
``duplicate_key``, whatever order the cleaner checks things in. Invalid identity
numbers are only made from personnummer and samordningsnummer (a changed interim
number would still be a valid interim number).

Reason codes are those of docs/data-contract.md. Exact duplicated lines are planted
after formatting, by :func:`add_duplicates`.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from lcanalysis import geo

DEFECT_COUNTS: dict[str, dict[str, int]] = {
    "registrations": {"invalid_personal_number": 12, "invalid_credits": 8},
    "results": {"invalid_personal_number": 9, "invalid_date": 6, "invalid_credits": 5},
    "applications": {"invalid_personal_number": 7, "unknown_municipality": 9},
    "followups": {"invalid_personal_number": 3, "invalid_date": 4, "unknown_municipality": 5},
    "activities": {"invalid_date": 3},
    "survey": {"invalid_personal_number": 2},
    "participants": {"invalid_personal_number": 2},
}
"""Planted defect rows per source and quarantine reason (fewer if a source is smaller)."""

DUPLICATE_COUNTS: dict[str, int] = {"registrations": 15, "results": 10, "applications": 8, "activities": 4}
"""Exact duplicated lines per source: each is a second copy of a distinct real row."""

UNRESOLVABLE_PLACES: tuple[str, ...] = (
    "Storvik", "Rimbo", "Järna", "Hallstavik", "Bergsjö", "Iggesund", "Ljusne", "Bollstabruk",
    "Kolsva", "Sveg",
)
"""Localities that are not municipalities: written where a municipality is required,
they cannot be resolved (unknown_municipality)."""

UNUSED_COURSES: tuple[str, ...] = ("SF1681", "DD1337", "SK1120", "HF1901")
"""Real-looking course codes outside every curriculum: a defect registration on one
of them cannot collide with a real registration."""

_IMPOSSIBLE = ((2, 30), (4, 31), (6, 31), (9, 31), (11, 31), (2, 31))


def _pick(rng: np.random.Generator, frame: pl.DataFrame, n: int, eligible: pl.Expr | None = None) -> pl.DataFrame:
    pool = frame.with_row_index("_i")
    if eligible is not None:
        pool = pool.filter(eligible)
    n = min(n, len(pool))
    chosen = np.sort(rng.choice(len(pool), n, replace=False))
    return pool[chosen].drop("_i")


def spoil_check_digit(rng: np.random.Generator, pnr: pl.Series) -> pl.Series:
    """The same 12-character numbers with the check digit replaced by a wrong one."""
    shift = pl.Series(rng.integers(1, 10, len(pnr)))
    last = (pnr.str.slice(11, 1).cast(pl.Int64) + shift) % 10
    return (pnr.str.slice(0, 11) + last.cast(pl.String)).alias(pnr.name)


def impossible_dates(rng: np.random.Generator, years: pl.Series) -> pl.Series:
    """ISO texts of dates that do not exist (``2025-02-30``), one per given year."""
    pick = rng.integers(0, len(_IMPOSSIBLE), len(years))
    return pl.Series(
        [f"{y}-{_IMPOSSIBLE[k][0]:02d}-{_IMPOSSIBLE[k][1]:02d}" for y, k in zip(years, pick, strict=True)],
        dtype=pl.String,
    )


def check_unresolvable() -> None:
    """Fail loudly if a planted place name became resolvable (geo learnt a new alias)."""
    resolved = [p for p in UNRESOLVABLE_PLACES if geo.resolve_municipality(p) is not None]
    if resolved:
        raise RuntimeError(f"planted unknown municipalities resolve after all: {resolved}")


def plant(
    rng: np.random.Generator, source: str, frame: pl.DataFrame, *, pnr_ok: pl.Expr,
) -> tuple[pl.DataFrame, dict[str, int]]:
    """``frame`` with the source's defect rows appended, and their counts by reason.

    ``frame`` is canonical (column ``pnr`` and the source's value columns);
    ``pnr_ok`` selects rows whose number may be spoiled (not interim). Appended rows
    carry ``defect`` (the reason), ``bad_date`` (an impossible ISO date) and
    ``bad_municipality`` (a locality name); real rows have them null.
    """
    frame = frame.with_columns(
        defect=pl.lit(None, dtype=pl.String), bad_date=pl.lit(None, dtype=pl.String),
        bad_municipality=pl.lit(None, dtype=pl.String),
    )
    rows = []
    counts: dict[str, int] = {}
    for reason, wanted in DEFECT_COUNTS.get(source, {}).items():
        eligible = pnr_ok if reason == "invalid_personal_number" else None
        copy = _pick(rng, frame, wanted, eligible).with_columns(defect=pl.lit(reason))
        if reason == "invalid_personal_number":
            copy = copy.with_columns(spoil_check_digit(rng, copy["pnr"]))
        elif reason == "invalid_credits":
            copy = copy.with_columns(-pl.col("credits"))
            if source == "registrations":
                copy = copy.with_columns(course_code=pl.Series(
                    rng.choice(np.array(UNUSED_COURSES), len(copy))))
            else:
                copy = copy.with_columns(pl.col("examined_on") - pl.duration(days=1))
        elif reason == "invalid_date":
            date_col = {"results": "examined_on", "followups": "observed_on", "activities": "date"}[source]
            copy = copy.with_columns(bad_date=impossible_dates(rng, copy[date_col].dt.year()))
        elif reason == "unknown_municipality":
            copy = copy.with_columns(bad_municipality=pl.Series(
                rng.choice(np.array(UNRESOLVABLE_PLACES), len(copy))))
            if source == "applications":
                copy = copy.with_columns(programme_code=_other_programme(rng, frame, copy))
            else:
                copy = copy.with_columns(pl.col("observed_on") - pl.duration(days=10))
        counts[reason] = len(copy)
        rows.append(copy)
    return pl.concat([frame, *rows]), counts


def _other_programme(rng: np.random.Generator, apps: pl.DataFrame, copy: pl.DataFrame) -> pl.Series:
    """For each copied application, a programme its person did not apply to."""
    programmes = sorted(apps["programme_code"].unique().to_list())
    chosen = apps.group_by("person").agg(pl.col("programme_code"))
    taken = dict(zip(chosen["person"], chosen["programme_code"], strict=True))
    out = []
    for person in copy["person"]:
        free = [p for p in programmes if p not in taken[person]]
        out.append(free[rng.integers(0, len(free))])
    return pl.Series("programme_code", out, dtype=pl.String)


def add_duplicates(rng: np.random.Generator, source: str, frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Formatted ``frame`` (text columns plus ``defect``) with exact second copies of
    distinct real rows appended; returns the frame and the number of copies."""
    wanted = DUPLICATE_COUNTS.get(source, 0)
    copies = _pick(rng, frame, wanted, pl.col("defect").is_null())
    return pl.concat([frame, copies]), len(copies)
