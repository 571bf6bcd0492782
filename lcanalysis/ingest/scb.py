"""SCB statistical-database exports ("CSV with heading") for municipal_stats.

Two tables are read, recognised by their dimension column:

- population (BE0101N1): ``ålder`` with the age bands ``0-18 år`` ... ``65+ år``;
  values are persons on 31 December;
- education level (UF0506): ``utbildningsnivå`` with SCB's levels for the
  population aged 25-64; values are persons.

An export has one or more title lines, a header row (``region``, the dimension, one
column per year; a year header may carry text around the year, ``"2023 Antal"``),
then one row per region and dimension value. ``..`` (not available) and ``-``
(nothing to report) are missing values; footnote lines after the table are ignored.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lcanalysis.errors import InputError
from lcanalysis.ingest.detect import detect_encoding, detect_separator
from lcanalysis.schemas import MUNICIPAL_STATS_COUNTS
from lcanalysis.text import fold

#: Dimension header (normalised) -> table kind.
DIMENSIONS = {"alder": "population", "utbildningsniva": "education"}

#: Cells that SCB writes for a missing value.
MISSING = frozenset({"..", "-", "", "…"})

#: Population age band (normalised, spaces and "år" removed) -> processed column.
AGE_BANDS = {
    "0-18": "pop_0_18",
    "19-24": "pop_19_24",
    "25-34": "pop_25_34",
    "35-44": "pop_35_44",
    "45-64": "pop_45_64",
    "65+": "pop_65_plus",
    "65-": "pop_65_plus",
}

#: Education level (normalised) -> short level name.
EDUCATION_LEVELS = {
    "forgymnasial utbildning": "pre_upper_secondary",
    "gymnasial utbildning": "upper_secondary",
    "eftergymnasial utbildning, mindre an 3 ar": "post_secondary_lt_3y",
    "eftergymnasial utbildning, 3 ar eller mer": "post_secondary_3y_plus",
    "forskarutbildning": "post_secondary_3y_plus",
    "uppgift om utbildningsniva saknas": "unknown",
}

#: Dimension values that are totals and are ignored.
TOTALS = frozenset({"totalt", "total", "samtliga", "totalt 25-64 ar"})

#: Columns of the processed municipal_stats table, in order.
MUNICIPAL_STATS_COLUMNS = (
    "municipality_code",
    "year",
    *MUNICIPAL_STATS_COUNTS,
    "post_secondary_3y_share_25_64",
)

_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")
_CODE = re.compile(r"^\s*(\d+)(?:\s|$)")


@dataclass(frozen=True)
class ScbTable:
    """One SCB export in long form.

    Attributes
    ----------
    frame:
        ``region_label`` (as written, ``"0180 Stockholm"``), ``dimension`` (the age
        band or education level as written), ``year`` (Int32), ``value`` (Float64,
        null for ``..`` and ``-``), ``_row`` (the line in the file).
    kind:
        ``"population"`` or ``"education"``.
    file:
        The file path.
    """

    frame: pl.DataFrame
    kind: str
    file: str


def read_scb_table(path: Path) -> ScbTable:
    """Read an SCB "CSV with heading" export (Latin-1 or UTF-8, ``;`` or ``,``).

    Raises
    ------
    InputError
        When no header row with ``region`` and ``ålder``/``utbildningsnivå`` and at
        least one year column is found, or a value is not a number.
    """
    path = Path(path)
    encoding = detect_encoding(path)
    text = path.read_text(encoding=encoding)
    separator = detect_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"')
    header: list[str] | None = None
    kind = ""
    region_at = dimension_at = 0
    years: dict[int, int] = {}
    rows: list[tuple[str, str, int, float | None, int]] = []
    start = 1
    for record in reader:
        line, start = start, reader.line_num + 1
        cells = [cell.strip() for cell in record]
        if header is None:
            names = [fold(c) for c in cells]
            found = [d for d in DIMENSIONS if d in names]
            if "region" in names and found:
                header, kind = cells, DIMENSIONS[found[0]]
                region_at, dimension_at = names.index("region"), names.index(found[0])
                years = {
                    i: int(m.group(1))
                    for i, c in enumerate(cells)
                    if i not in (region_at, dimension_at) and (m := _YEAR.search(c))
                }
            continue
        if len(cells) <= max(region_at, dimension_at) or not cells[region_at]:
            continue
        for index, year in years.items():
            cell = cells[index] if index < len(cells) else ""
            rows.append(
                (
                    cells[region_at],
                    cells[dimension_at],
                    year,
                    _number(cell, path, line, header[index]),
                    line,
                )
            )
    if header is None or not years:
        raise InputError(
            "not an SCB table export: no header row with 'region', 'ålder' or "
            "'utbildningsnivå' and year columns",
            file=path,
        )
    frame = pl.DataFrame(
        rows,
        schema={
            "region_label": pl.String,
            "dimension": pl.String,
            "year": pl.Int32,
            "value": pl.Float64,
            "_row": pl.Int64,
        },
        orient="row",
    )
    return ScbTable(frame=frame, kind=kind, file=str(path))


def _number(cell: str, path: Path, row: int, column: str) -> float | None:
    if cell in MISSING:
        return None
    compact = cell.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        return float(compact)
    except ValueError:
        raise InputError(f"{cell!r} is not a number", file=path, row=row, column=column) from None


def _band(label: str, bands: dict[str, str], table: ScbTable, row: int) -> str | None:
    """The processed name of a dimension value, ``None`` for totals."""
    key = fold(label).replace("–", "-")
    if key in TOTALS:
        return None
    if bands is AGE_BANDS:
        key = key.replace("ar", "").replace(" ", "")
    if key in bands:
        return bands[key]
    raise InputError(
        f"unknown {'age band' if bands is AGE_BANDS else 'education level'} {label!r}; "
        f"expected one of {', '.join(sorted(set(bands)))}",
        file=table.file,
        row=row,
        column="ålder" if bands is AGE_BANDS else "utbildningsnivå",
    )


def municipal_stats_from_scb(tables: list[ScbTable]) -> tuple[pl.DataFrame, dict[str, int]]:
    """Turn SCB population and education tables into the municipal_stats table.

    One row per municipality and year: persons by age band (31 December), their
    total, the population aged 25-64 by education level (``pop_25_64_educated``, all
    levels including "uppgift saknas"), those with post-secondary education of 3
    years or more (UKÄ's "högutbildade" threshold, SCB's "eftergymnasial utbildning,
    3 år eller mer", plus "forskarutbildning" if exported separately) and their
    share. A count is null when SCB reports ``..``; ``pop_total`` is null when any
    band is.

    The municipality code is the 4-digit prefix of the region label. Whether it is
    one of the 290 municipalities is checked by the cleaner against the reference;
    a label without a code is passed on unchanged for the cleaner to resolve.

    Returns
    -------
    frame, skipped
        The table, and the number of long rows (region x dimension x year) skipped
        per reason: ``country`` (``Riket``, code ``00``) and ``county`` (2-digit code).

    Raises
    ------
    InputError
        For an unknown age band or education level, or two tables giving different
        values for the same municipality, year and band.
    """
    skipped = {"country": 0, "county": 0}
    parts: dict[str, list[pl.DataFrame]] = {"population": [], "education": []}
    for table in tables:
        bands = AGE_BANDS if table.kind == "population" else EDUCATION_LEVELS
        first_rows = table.frame.group_by("dimension").agg(pl.col("_row").min()).iter_rows()
        names = {label: _band(label, bands, table, row) for label, row in first_rows}
        region = pl.col("region_label")
        code = region.str.extract(_CODE.pattern, 1)
        is_country = (code == "00") | (region.str.strip_chars().str.to_lowercase() == "riket")
        is_county = (code.str.len_chars() == 2) & ~is_country
        counts = table.frame.select(
            country=is_country.sum(), county=is_county.fill_null(False).sum()
        ).row(0, named=True)
        skipped["country"] += counts["country"]
        skipped["county"] += counts["county"]
        parts[table.kind].append(
            table.frame.filter(~is_country & ~is_county.fill_null(False)).select(
                municipality_code=pl.coalesce(code, region.str.strip_chars()),
                year="year",
                dimension="dimension",
                band=pl.col("dimension").replace_strict(names, return_dtype=pl.String),
                value="value",
                file=pl.lit(table.file),
            )
        )
    population = _wide(parts["population"], list(dict.fromkeys(AGE_BANDS.values())))
    education = _wide(parts["education"], list(dict.fromkeys(EDUCATION_LEVELS.values())))
    bands = list(dict.fromkeys(AGE_BANDS.values()))
    levels = list(dict.fromkeys(EDUCATION_LEVELS.values()))
    population = population.with_columns(pop_total=_strict_sum(bands))
    education = education.select(
        "municipality_code",
        "year",
        pop_25_64_educated=_strict_sum(levels),
        post_secondary_3y_25_64=pl.col("post_secondary_3y_plus"),
    )
    stats = population.join(
        education, on=["municipality_code", "year"], how="full", coalesce=True
    ).with_columns(
        post_secondary_3y_share_25_64=pl.col("post_secondary_3y_25_64").cast(pl.Float64)
        / pl.col("pop_25_64_educated")
    )
    return stats.select(MUNICIPAL_STATS_COLUMNS).sort("municipality_code", "year"), skipped


def _strict_sum(columns: list[str]) -> pl.Expr:
    """Row sum that is null when any part is null (a total is unknown if a part is)."""
    any_missing = pl.any_horizontal(pl.col(c).is_null() for c in columns)
    return pl.when(~any_missing).then(pl.sum_horizontal(columns)).cast(pl.Int64)


def _wide(frames: list[pl.DataFrame], columns: list[str]) -> pl.DataFrame:
    """Long rows -> one Int64 column per band per municipality and year.

    The same municipality, year and dimension value in two files must agree; parts
    that map to one band (e.g. forskarutbildning into 3 years or more) are added.
    """
    key = ["municipality_code", "year"]
    schema = {"municipality_code": pl.String, "year": pl.Int32} | dict.fromkeys(columns, pl.Int64)
    if not frames:
        return pl.DataFrame(schema=schema)
    long = pl.concat(frames)
    conflicts = (
        long.group_by([*key, "dimension"])
        .agg(pl.col("value").n_unique().alias("values"), pl.col("file").unique().sort())
        .filter(pl.col("values") > 1)
    )
    if conflicts.height:
        first = conflicts.sort(key).row(0, named=True)
        raise InputError(
            f"{' and '.join(first['file'])} give different values for municipality "
            f"{first['municipality_code']}, {first['year']}, {first['dimension']!r}",
            file=first["file"][0],
            column=str(first["year"]),
        )
    summed = (
        long.unique(subset=[*key, "dimension"], keep="first")
        .group_by([*key, "band"])
        .agg(pl.when(pl.col("value").null_count() == 0).then(pl.col("value").sum()).cast(pl.Int64))
    )
    wide = summed.pivot("band", index=key, values="value")
    missing = [c for c in columns if c not in wide.columns]
    wide = wide.with_columns(pl.lit(None, pl.Int64).alias(c) for c in missing)
    return wide.select(pl.col(key[0]), pl.col(key[1]).cast(pl.Int32), *columns)
