"""Statistical tables as SCB gives them, read into one long form: a :class:`Cube`.

SCB's statistical database (and the PxWeb API behind it) gives the same table in
several formats; each reader here turns one into the same shape, so that what the
table *means* (:mod:`lcanalysis.ingest.scb`) is decided once:

- CSV "with heading" or without: title lines, a blank line, quoted or bare header
  cells, ``;`` ``,`` or tab, Latin-1/Windows-1252 or UTF-8, footnotes after the table;
  years as columns (``"2024"``, ``"Folkmängd 2024"``, R's ``"X2024"``) or as a column
  of their own (then the last column holds the values);
- XLSX as the database exports it: title rows, the header row, stub values written
  only where they change (the empty cells below mean "same as above");
- PX (PC-Axis): :mod:`lcanalysis.ingest.px`;
- JSON-stat 2.0 (PxWeb API v2) and the PxWeb API v1 JSON: :mod:`lcanalysis.ingest.jsonstat`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lcanalysis.errors import InputError
from lcanalysis.ingest.detect import SAMPLE_BYTES, detect_encoding, detect_separator
from lcanalysis.text import fold

#: Header of the time dimension (folded), in the interfaces SCB offers.
TIME_NAMES = frozenset({"ar", "year", "tid", "period", "time", "vuosi"})

#: A year in a header or a time value: 1800-2099, not part of a longer number.
YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")

#: Cells SCB writes for a value that is missing: ``..`` (not available), ``.``,
#: ``...`` and longer runs of dots (the PX data symbols), ``-`` (nothing to report),
#: an ellipsis, or nothing.
_MISSING = re.compile(r"^(?:\.+|-|\u2026|)$")

#: Rows searched for the header of a CSV or XLSX table.
HEADER_SEARCH_ROWS = 30


@dataclass
class Cube:
    """One statistical table in long form, before its meaning is decided.

    Attributes
    ----------
    frame:
        One String column per dimension (named as the file names it), ``year``
        (Int32), ``value`` (Float64, null for a missing cell), ``_row`` (Int64: the
        line or spreadsheet row; in PX and JSON the record number of the cell's stub
        row, counted from 1).
    dimensions:
        The dimension columns of ``frame``, in file order.
    codes:
        Per dimension, label -> code where the file gives codes (PX ``CODES``,
        JSON-stat category ids): ``{"region": {"Upplands Väsby": "0114"}}``.
    title:
        The table's title and contents as the file states them ("Folkmängd efter
        region, ålder, kön och år"), with the text around the years of year
        columns ("Deaths in the first year of life ..."); used to tell the measure.
    file:
        The file path.
    layout:
        How the file was laid out, for messages and ``lcanalysis inspect``.
    """

    frame: pl.DataFrame
    dimensions: list[str]
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    title: str = ""
    file: str = ""
    layout: str = ""


def number(cell: str, *, file: str | Path, row: int | None, column: str) -> float | None:
    """A table cell as a number; None for SCB's missing-value symbols.

    Accepts a decimal comma and spaces (also no-break spaces) between thousands.

    Raises
    ------
    InputError
        When the cell is neither a number nor a missing-value symbol.
    """
    cell = cell.strip().strip('"')
    if _MISSING.match(cell):
        return None
    compact = cell.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        return float(compact)
    except ValueError:
        raise InputError(f"{cell!r} is not a number", file=file, row=row, column=column) from None


def is_missing(cells: pl.Expr) -> pl.Expr:
    """Whether table cells are SCB's missing-value symbols (as :func:`number` decides)."""
    return cells.str.strip_chars().str.strip_chars('"').str.contains(_MISSING.pattern)


def numbers(cells: pl.Expr) -> pl.Expr:
    """Table cells as numbers, as :func:`number` reads one; null for a missing-value
    symbol and for a cell that is not a number (tell them apart with :func:`is_missing`)."""
    compact = (
        cells.str.strip_chars().str.strip_chars('"')
        .str.replace_all(r"[\s\u00a0]", "").str.replace(",", ".", literal=True)
    )
    return compact.cast(pl.Float64, strict=False)


def _year_of(header: str) -> tuple[int, str] | None:
    """The year a year column's header names and the text around it, or None."""
    text = header.strip()
    if re.fullmatch(r"[Xx]\d{4}", text):  # R's make.names
        text = text[1:]
    match = YEAR.search(text)
    if match is None:
        return None
    rest = (text[: match.start()] + " " + text[match.end():]).strip()
    # Other digits are allowed only before a year that ends the header (PxWeb 2 writes
    # "Deaths ... per 1 000 live births 1860"): "0114 Upplands Väsby" is not a year.
    if re.search(r"\d", rest) and match.end() != len(text):
        return None
    return int(match.group(1)), rest


def _long(
    grid: pl.DataFrame,
    header: list[str],
    path: Path,
    title: str,
    layout: str,
) -> Cube:
    """The data rows of a header-and-rows table (CSV or XLSX) -> a :class:`Cube`.

    ``grid`` has ``_row`` (the line or sheet row) and one String column ``_c<i>`` per
    header cell (:func:`_grid`).
    """
    names = [fold(h) for h in header]
    time_at = [i for i, n in enumerate(names) if n in TIME_NAMES]
    years = {i: y for i, h in enumerate(header) if i not in time_at and (y := _year_of(h))}
    if time_at:
        # The time is a column of its own: the value is the last column that is not
        # a dimension (a header that names the measure: "Folkmängd", "Antal", "value").
        dims = [i for i in range(len(header)) if i != len(header) - 1]
        value_at = len(header) - 1
        measure = [header[value_at]]
    elif years:
        dims = [i for i in range(len(header)) if i not in years]
        value_at = None
        measure = sorted({rest for _, rest in years.values() if rest})
    else:
        raise InputError(
            "not an SCB table export: no header row with year columns ('2024', "
            "'Folkmängd 2024', 'X2024') or a year column ('år', 'year', 'tid')",
            file=path,
        )
    dim_names = [header[i] for i in dims]
    if len(set(map(fold, dim_names))) != len(dim_names):
        raise InputError(f"two columns share a header among {dim_names}", file=path)
    columns = [f"_c{i}" for i in range(len(header))]
    kept = [header[i] for i in dims if i not in time_at]
    stubs = [pl.col(columns[i]).alias(header[i]) for i in dims if i not in time_at]
    if value_at is not None:
        time = pl.col(columns[time_at[0]])
        long = grid.select(
            *stubs,
            year=time.str.extract(r"(?:^|\D)(1[89]\d\d|20\d\d)(?:\D|$)", 1).cast(pl.Int32),
            cell=pl.col(columns[value_at]),
            _column=pl.lit(header[value_at]),
            _row="_row",
            _time=time,
        )
        bad_year = long.filter(pl.col("year").is_null())
        if bad_year.height:
            first = bad_year.row(0, named=True)
            raise InputError(f"{first['_time']!r} is not a year", file=path, row=first["_row"],
                             column=header[time_at[0]])
        long = long.drop("_time")
    else:
        long = grid.unpivot(
            on=[columns[i] for i in years], index=["_row", *(columns[i] for i in dims)],
            variable_name="_column", value_name="cell",
        ).select(
            *stubs,
            year=pl.col("_column").replace_strict(
                {columns[i]: y for i, (y, _) in years.items()}, return_dtype=pl.Int32),
            cell="cell",
            _column=pl.col("_column").replace_strict({columns[i]: header[i] for i in years}),
            _row="_row",
        )
    frame = long.with_columns(value=numbers(pl.col("cell")))
    bad = frame.filter(pl.col("value").is_null() & ~is_missing(pl.col("cell")))
    if bad.height:
        first = bad.sort("_row").row(0, named=True)
        raise InputError(f"{first['cell'].strip()!r} is not a number", file=path,
                         row=first["_row"], column=first["_column"])
    frame = frame.select(*kept, "year", "value", "_row")
    full_title = "; ".join(t for t in (title, *measure) if t)
    return Cube(frame=frame, dimensions=kept, title=full_title, file=str(path), layout=layout)


def _is_header(cells: list[str]) -> bool:
    """A header row: two or more cells, one of them a year column or the time column."""
    filled = [c for c in cells if c.strip()]
    if len(filled) < 2:
        return False
    return any(fold(c) in TIME_NAMES or _year_of(c) for c in filled[1:])


def _split(rows: list[tuple[int, list[str]]], path: Path) -> tuple[str, int]:
    """The title (text above the header) and the index of the header row."""
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if _is_header(cells):
            title = " ".join(c.strip() for _, r in rows[:index] for c in r if c.strip())
            return title, index
    raise InputError(
        "not an SCB table export: no header row with year columns ('2024', "
        "'Folkmängd 2024', 'X2024') or a year column ('år', 'year', 'tid') in its "
        f"first {HEADER_SEARCH_ROWS} rows",
        file=path,
    )


def _table_rows(
    rows: list[tuple[int, list[str]]], width: int, *, fill_down: bool, dims: int
) -> list[tuple[int, list[str]]]:
    """The data rows below the header: up to the first blank row, footnotes left out.

    A row with a single filled cell below the table is a footnote (``"..= uppgift
    saknas"``). With ``fill_down`` (XLSX), an empty stub cell takes the value above.
    """
    data: list[tuple[int, list[str]]] = []
    above = [""] * width
    for line, cells in rows:
        cells = [c.strip() for c in cells]
        if not any(cells):
            if data:
                break
            continue
        filled = [i for i, c in enumerate(cells) if c]
        if len(filled) == 1 and filled[0] == 0 and width > 2:
            if data:
                break
            continue
        if fill_down:
            cells = cells + [""] * (width - len(cells))
            for i in range(min(dims, width)):
                if cells[i]:
                    above[i] = cells[i]
                else:
                    cells[i] = above[i]
        data.append((line, cells))
    return data


def _grid(rows: list[tuple[int, list[str]]], width: int) -> pl.DataFrame:
    """Rows as read by Python -> the grid :func:`_long` takes."""
    return pl.DataFrame(
        [(line, *(cells + [""] * (width - len(cells)))[:width]) for line, cells in rows],
        schema={"_row": pl.Int64} | dict.fromkeys((f"_c{i}" for i in range(width)), pl.String),
        orient="row",
    )


def _fast_grid(text: str, first_line: int, width: int, separator: str) -> pl.DataFrame | None:
    """The data rows of a CSV read by polars: the lines from ``first_line`` (1-based)
    up to the first blank one, then up to the first footnote (a row whose only
    filled cell is the first, in a table of more than two columns).

    None when the lines are not one record each (a quoted cell with a line break):
    the caller reads the rows with Python's csv module, which numbers them exactly.
    A municipal single-year download (230,000 lines) takes a second this way
    instead of ten.
    """
    lines = text.split("\n")[first_line - 1:]
    blank = re.compile(rf'^[\s{re.escape(separator)}"]*$')
    end = next((i for i, line in enumerate(lines) if blank.match(line)), len(lines))
    if end == 0:
        return _grid([], width)
    body = "\n".join(line.rstrip("\r") for line in lines[:end]).encode("utf-8")
    columns = [f"_c{i}" for i in range(width)]
    try:
        frame = pl.read_csv(
            body, has_header=False, separator=separator, quote_char='"',
            schema=dict.fromkeys(columns, pl.String), truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError:
        return None
    if frame.height != end:
        return None
    frame = frame.select(
        pl.int_range(first_line, first_line + end, dtype=pl.Int64).alias("_row"),
        *(pl.col(c).fill_null("").str.strip_chars() for c in columns),
    )
    if width > 2:
        footnote = (pl.col(columns[0]) != "") & pl.all_horizontal(pl.col(c) == "" for c in columns[1:])
        found = frame.select(footnote.arg_true().first()).item()
        if found is not None:
            frame = frame.head(found)
    return frame


def read_csv_cube(path: Path) -> Cube:
    """Read an SCB CSV download (see the module docstring)."""
    path = Path(path)
    encoding = detect_encoding(path)
    text = path.read_text(encoding=encoding)
    separator = detect_separator(text[:SAMPLE_BYTES], complete=len(text) <= SAMPLE_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"')
    rows: list[tuple[int, list[str]]] = []
    start = 1
    for record in reader:
        rows.append((start, record))
        start = reader.line_num + 1
        if len(rows) > HEADER_SEARCH_ROWS:
            break
    title, at = _split(rows, path)
    header = [c.strip() for c in rows[at][1]]
    while header and not header[-1]:  # a trailing separator on every line
        header.pop()
    grid = _fast_grid(text, rows[at + 1][0] if len(rows) > at + 1 else start, len(header), separator)
    if grid is None:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"')
        every, start = [], 1
        for record in reader:
            every.append((start, record))
            start = reader.line_num + 1
        dims = sum(1 for h in header if not _year_of(h))
        grid = _grid(_table_rows(every[at + 1:], len(header), fill_down=False, dims=dims), len(header))
    separator_name = {";": "semicolon", ",": "comma", "\t": "tab"}[separator]
    layout = f"SCB CSV ({encoding}, {separator_name}, {at} title row(s))"
    return _long(grid, header, path, title, layout)


def read_xlsx_cube(path: Path) -> Cube:
    """Read an SCB XLSX download: title rows, header, stubs written where they change."""
    import fastexcel

    path = Path(path)
    try:
        reader = fastexcel.read_excel(path)
    except Exception as exc:  # fastexcel raises its own error types for damaged files
        raise InputError(f"not a readable XLSX workbook ({str(exc).strip()[:120]})", file=path) from None
    grid = reader.load_sheet(0, header_row=None, skip_rows=0, dtypes="string").to_polars()
    # fastexcel writes a whole number typed in a cell (a year) without ".0".
    rows = [
        (i + 1, ["" if c is None else str(c) for c in row]) for i, row in enumerate(grid.rows())
    ]
    title, at = _split(rows, path)
    header = [c.strip() for c in rows[at][1]]
    while header and not header[-1]:
        header.pop()
    dims = sum(1 for h in header if not _year_of(h) and fold(h) not in TIME_NAMES)
    data = _table_rows(rows[at + 1:], len(header), fill_down=True, dims=dims)
    return _long(_grid(data, len(header)), header, path, title, f"SCB XLSX ({at} title row(s), stubs filled down)")
