"""Terms and dates of the synthetic world: terms as integer indexes, the export date's
term, exam windows, and days since the epoch as polars dates."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl


def term_index(season_ht: np.ndarray | bool, year: np.ndarray | int) -> np.ndarray | int:
    """Position in the VT/HT sequence (summer skipped): ``year * 2 + (1 if HT)``."""
    return np.asarray(year) * 2 + np.asarray(season_ht, dtype=np.int64)


def term_name_expr(idx: pl.Expr) -> pl.Expr:
    """Canonical term (``"HT2024"``) of a term index."""
    return pl.concat_str(
        [pl.when(idx % 2 == 1).then(pl.lit("HT")).otherwise(pl.lit("VT")),
         (idx // 2).cast(pl.String)]
    )


def term_of_today(today: date) -> int:
    """Term index of ``today`` by the date-to-term rule (VT until 14 Aug, then HT)."""
    return term_index((today.month, today.day) >= (8, 15), today.year)


def epoch_date(col: str | pl.Expr) -> pl.Expr:
    expr = pl.col(col) if isinstance(col, str) else col
    return expr.cast(pl.Int32).cast(pl.Date)


def exam_window(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last day (epoch days) of the examination window of a term index.

    HT: 25 Aug - 20 Dec; VT: 16 Jan - 12 Jun; both inside the date-to-term rule of
    :mod:`lcanalysis.terms`, so an examination date always falls in its term.
    """
    year = idx // 2
    ht = idx % 2 == 1
    y = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    start = np.where(ht, 236, 15)  # day of year - 1: 25 Aug (non-leap approx), 16 Jan
    end = np.where(ht, 353, 162)  # 20 Dec, 12 Jun
    return y + start, y + end


# -- municipalities -----------------------------------------------------------------
