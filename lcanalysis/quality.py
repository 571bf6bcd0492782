"""Data quality made readable: the cleaning report and completeness as tables.

These tables describe the processing (rows read, rows set aside and why, empty
cells), not people: they are shown in the data-quality notebook and appendix
without disclosure control and are not exported as statistics.
"""

from __future__ import annotations

import polars as pl

from lcanalysis.dataset import Dataset


def accounting(report: dict) -> pl.DataFrame:
    """Row accounting per source file: rows in, rows out, duplicates, quarantined.

    From ``cleaning_report.json``; ``balances`` is True when rows in = rows out +
    duplicates + quarantined, which the cleaner guarantees.
    """
    rows = [
        {
            "source": f["source"],
            "file": f["file"],
            "rows_in": f["rows_in"],
            "rows_out": f["rows_out"],
            "duplicates": f["duplicates"],
            "quarantined": sum(f["quarantined"].values()),
        }
        for f in report["files"]
    ]
    schema = {"source": pl.Utf8, "file": pl.Utf8, "rows_in": pl.Int64, "rows_out": pl.Int64,
              "duplicates": pl.Int64, "quarantined": pl.Int64}
    frame = pl.DataFrame(rows, schema=schema)
    return frame.with_columns(
        (pl.col("rows_in") == pl.col("rows_out") + pl.col("duplicates") + pl.col("quarantined"))
        .alias("balances")
    )


def quarantine_reasons(report: dict) -> pl.DataFrame:
    """Quarantined rows per source and reason code (docs/data-contract.md), most first;
    labels.json has both in words (``source.*``, ``reason.*``)."""
    rows = [
        {"source": f["source"], "reason": reason, "rows": n}
        for f in report["files"]
        for reason, n in f["quarantined"].items()
    ]
    frame = pl.DataFrame(rows, schema={"source": pl.Utf8, "reason": pl.Utf8, "rows": pl.Int64})
    return (
        frame.group_by("source", "reason").agg(pl.col("rows").sum())
        .sort(["rows", "source", "reason"], descending=[True, False, False])
    )


def completeness(data: Dataset, tables: list[str] | None = None) -> pl.DataFrame:
    """Share of non-empty values per column of each processed table (``processed_table``,
    ``column``: codes that the report's tables show in words, labels.json).

    A column that is optional in the raw exports (e.g. work municipality) shows here
    how often it was filled; ``unknown`` parental education counts as filled (it is
    an answer) and is reported by the participation indicators instead.
    """
    from lcanalysis import schemas

    frames = []
    for name in tables or list(schemas.TABLES):
        if not data.has(name):
            continue
        table = data.table(name)
        n = table.height
        frames.append(
            pl.DataFrame({
                "processed_table": [name] * table.width,
                "column": table.columns,
                "rows": [n] * table.width,
                "filled": [n - table[c].null_count() for c in table.columns],
            })
        )
    out = pl.concat(frames) if frames else pl.DataFrame(
        schema={"processed_table": pl.Utf8, "column": pl.Utf8, "rows": pl.Int64, "filled": pl.Int64})
    return out.with_columns(
        pl.when(pl.col("rows") > 0).then(pl.col("filled") / pl.col("rows")).alias("share_filled")
    )
