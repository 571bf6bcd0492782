"""Reading the coded values of raw exports: credits, booleans, dates, grades, Likert answers.

Each public parser takes a raw polars Series and returns a typed Series of the same
name and length, with null where the raw value is blank or cannot be read; the
cleaner quarantines those rows (reason codes in docs/data-contract.md). Raw columns
have millions of rows but few distinct spellings, so text is parsed once per
distinct value (:func:`map_distinct`) and mapped back, never once per row.

Conventions:

* Credits (högskolepoäng, hp) accept a decimal comma or point and spaces (also
  no-break spaces) as thousands separators; signs are kept, ranges are checked by
  :func:`valid_credits_expr`.
* Dates: ISO (optionally with a time, which is dropped), ``YYYYMMDD``, Swedish
  day-first forms (``2/9 2024``, ``2/9-2024``, ``02.09.2024``, ``2 sep 2024``) and
  Excel serial numbers in the 1900 date system (day 0 = 1899-12-30, the convention
  that absorbs Excel's phantom 29 Feb 1900), accepted from 20000 (1954-10-03) to
  73050 (2099-12-31). Written years must be 1900-2099.
* Grades are Ladok's: A-F and Fx (ECTS scale), P/F, G/U/VG; the canonical spelling
  keeps Ladok's ``Fx``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any

import polars as pl

EXCEL_EPOCH = date(1899, 12, 30)
"""Day 0 of Excel's 1900 date system as used for all serials after 28 Feb 1900."""

EXCEL_SERIAL_RANGE = (20000, 73050)
"""Excel serials read as dates: 1954-10-03 to 2099-12-31 inclusive."""

MIN_YEAR = 1900
MAX_YEAR = 2099

PASS_GRADES = frozenset({"A", "B", "C", "D", "E", "P", "G", "VG"})
"""Ladok grades that mean the examination was passed (Fx, F and U are fails)."""


def distinct_codes(values: pl.Series) -> tuple[pl.Series, pl.Series]:
    """A text column as codes into its distinct values: ``(codes, distinct)``.

    ``distinct`` holds each non-null value once, in order of first appearance;
    ``codes`` (UInt32, null where the value is null) gives each row's position in
    it, so ``distinct.gather(codes)`` is ``values`` again, and anything computed
    once per distinct value maps back to the rows with one ``gather``.

    Relies on polars' categorical encoding into a fresh category set
    (``pl.Categories.random()``): one hash per row, and the category set lists the
    values in code order. On 5 million rows with 1.25 million distinct values it
    takes about 0.5 s, less than ``unique`` plus a join back.
    """
    categories = pl.Categories.random()
    coded = values.cast(pl.String).cast(pl.Categorical(categories))
    return coded.to_physical(), categories.to_series()


def repeated(hashes: pl.Series) -> pl.Series:
    """``hashes.is_duplicated()`` for a column of row hashes, by sorting: the values
    that occur more than once are neighbours in sorted order, and usually few. On 5
    million hashes 0.12 s instead of 0.5 s for the hash table ``is_duplicated``
    builds. Equal hashes do not prove equal rows: callers compare the rows it flags.
    """
    ordered = hashes.sort()
    twice = ordered.filter(ordered == ordered.shift(1)).unique()
    return hashes.is_in(twice.implode())


def map_distinct(
    values: pl.Series, parse: Callable[[str], Any], dtype: pl.DataType, *, blank: Any = None
) -> pl.Series:
    """Apply a scalar parser once per distinct value and map the results back to every row.

    Parameters
    ----------
    values:
        A string column.
    parse:
        Reads one non-null value; returns the parsed value or None when unreadable.
        It must not raise.
    dtype:
        The polars type of the result.
    blank:
        The result for a null value (default null).

    Returns
    -------
    pl.Series
        Same name and length as ``values``. Cost is one Python call per distinct
        value plus one hash and one gather per row (:func:`distinct_codes`).
    """
    codes, distinct = distinct_codes(values)
    parsed = [parse(v) for v in distinct.to_list()]
    if blank is not None:  # one more entry, for the rows whose code is null
        parsed.append(blank)
        codes = codes.fill_null(distinct.len())
    return pl.Series(values.name, parsed, dtype=dtype).gather(codes)


def _as_expr(col: str | pl.Expr) -> pl.Expr:
    return pl.col(col) if isinstance(col, str) else col


def _squash(text: str) -> str:
    """Case-folded text with runs of any whitespace (including no-break spaces) as one space."""
    return " ".join(text.split()).casefold()


def _as_text(values: pl.Series) -> pl.Series:
    if isinstance(values.dtype, pl.Categorical | pl.Enum):
        return values.cast(pl.String)
    if values.dtype == pl.Null:
        return values.cast(pl.String)
    if values.dtype != pl.String:
        raise TypeError(f"expected a text column, got {values.dtype} for {values.name!r}")
    return values


# --- credits -------------------------------------------------------------------------

_CREDITS = re.compile(
    r"(?P<sign>[-+\u2212]?) ?(?P<int>[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)(?:[.,](?P<frac>[0-9]+))?"
    r"(?: ?(?:hp|högskolepoäng|hogskolepoang|credits|ects))?"
)


def _parse_credits_text(text: str) -> float | None:
    m = _CREDITS.fullmatch(_squash(text))
    if m is None:
        return None
    sign = "-" if m["sign"] in ("-", "\u2212") else ""
    return float(f"{sign}{m['int'].replace(' ', '')}.{m['frac'] or '0'}")


def parse_credits(values: pl.Series) -> pl.Series:
    """Credits (högskolepoäng) as numbers.

    Parameters
    ----------
    values:
        Raw credits: ``"7,5"``, ``"7.5"``, ``"7,5 hp"``, ``" 15 "``, ``"1 234,5"``
        (space or no-break-space thousands), ``"-7,5"``; or a numeric column.

    Returns
    -------
    pl.Series
        Float64; null for blank, junk, NaN or infinite values. Negative and absurd
        values are returned as read: whether they are valid for a course or a
        programme is :func:`valid_credits_expr`'s question.
    """
    if values.dtype.is_numeric():
        as_float = values.cast(pl.Float64)
        return as_float.set(~as_float.is_finite().fill_null(False), None)
    return map_distinct(_as_text(values), _parse_credits_text, pl.Float64)


def valid_credits_expr(col: str | pl.Expr, max_credits: float = 60.0) -> pl.Expr:
    """True where credits are usable: ``0 < credits <= max_credits``; null counts as invalid.

    Use ``max_credits=60`` for a course (registrations, results) and ``400`` for a
    programme total (data contract). False rows are quarantined as
    ``invalid_credits``.
    """
    credits = _as_expr(col)
    return ((credits > 0) & (credits <= max_credits)).fill_null(False)


# --- booleans ------------------------------------------------------------------------

_BOOL_WORDS = {
    **dict.fromkeys(("ja", "j", "yes", "y", "1", "x", "sant", "true"), True),
    **dict.fromkeys(("nej", "n", "no", "0", "falskt", "false"), False),
}


def _parse_bool_text(text: str) -> bool | None:
    return _BOOL_WORDS.get(_squash(text))


def _parse_x_mark(text: str) -> bool | None:
    """X-column cell: blank is no, otherwise read as any yes/no word."""
    return _parse_bool_text(text) if text.strip() else False


def parse_bool(values: pl.Series, *, blank_is_false: bool = False) -> pl.Series:
    """Yes/no answers (employed, completed, foreign background) as booleans.

    Parameters
    ----------
    values:
        Ja/Nej, J/N, Yes/No, Y, 1/0, X, Sant/Falskt, True/False in any case and with
        surrounding spaces; or a Boolean or numeric (1/0) column.
    blank_is_false:
        For X-columns, where an X marks yes and an empty cell means no. Otherwise
        a blank is unknown (null).

    Returns
    -------
    pl.Series
        Boolean; null for unrecognised values (see :func:`invalid_bool_mask`) and,
        unless ``blank_is_false``, for blanks.
    """
    if values.dtype == pl.Boolean:
        parsed = values
    elif values.dtype.is_numeric():
        parsed = values.to_frame().select(
            pl.when(pl.col(values.name) == 1).then(True).when(pl.col(values.name) == 0).then(False)
        ).to_series().alias(values.name)
    elif blank_is_false:
        parsed = map_distinct(_as_text(values), _parse_x_mark, pl.Boolean)
    else:
        parsed = map_distinct(_as_text(values), _parse_bool_text, pl.Boolean)
    return parsed.set(values.is_null(), False) if blank_is_false else parsed


def invalid_bool_mask(values: pl.Series) -> pl.Series:
    """True where a value is present but not a recognised yes/no (reason ``invalid_value``)."""
    if values.dtype == pl.Boolean or values.dtype.is_numeric():
        return values.is_not_null() & parse_bool(values).is_null()
    return map_distinct(
        _as_text(values), lambda t: bool(t.strip()) and _parse_bool_text(t) is None, pl.Boolean
    ).fill_null(False)


# --- dates ---------------------------------------------------------------------------

_MONTHS = {
    **dict.fromkeys(("januari", "january", "jan"), 1),
    **dict.fromkeys(("februari", "february", "feb"), 2),
    **dict.fromkeys(("mars", "march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("maj", "may"), 5),
    **dict.fromkeys(("juni", "june", "jun"), 6),
    **dict.fromkeys(("juli", "july", "jul"), 7),
    **dict.fromkeys(("augusti", "august", "aug"), 8),
    **dict.fromkeys(("september", "sept", "sep"), 9),
    **dict.fromkeys(("oktober", "october", "okt", "oct"), 10),
    **dict.fromkeys(("november", "nov"), 11),
    **dict.fromkeys(("december", "dec"), 12),
}
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_TIME = r"(?:[ t][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?)?"
_YMD = [
    re.compile(rf"(?P<y>[0-9]{{4}})-(?P<m>[0-9]{{1,2}})-(?P<d>[0-9]{{1,2}}){_TIME}"),
    re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})"),
    re.compile(r"(?P<d>[0-9]{1,2})/(?P<m>[0-9]{1,2})[ -](?P<y>[0-9]{4})"),
    re.compile(r"(?P<d>[0-9]{1,2})\.(?P<m>[0-9]{1,2})\.(?P<y>[0-9]{4})"),
    re.compile(rf"(?P<d>[0-9]{{1,2}})\.? (?P<mname>{_MONTH_ALT})\.?,? (?P<y>[0-9]{{4}})"),
]
_EXCEL_SERIAL = re.compile(r"(?P<serial>[0-9]{5})(?:[.,][0-9]+)?")


def _excel_date(serial: int) -> date | None:
    low, high = EXCEL_SERIAL_RANGE
    return EXCEL_EPOCH + timedelta(days=serial) if low <= serial <= high else None


def _parse_date_text(text: str) -> date | None:
    clean = _squash(text)
    if m := _EXCEL_SERIAL.fullmatch(clean):
        return _excel_date(int(m["serial"]))
    for pattern in _YMD:
        if m := pattern.fullmatch(clean):
            month = _MONTHS[m["mname"]] if "mname" in pattern.groupindex else int(m["m"])
            year = int(m["y"])
            if not MIN_YEAR <= year <= MAX_YEAR:
                return None
            try:
                return date(year, month, int(m["d"]))
            except ValueError:
                return None
    return None


def parse_dates(values: pl.Series, *, today: date | None = None) -> pl.Series:
    """Calendar dates (registration, examination, activity, follow-up dates).

    Parameters
    ----------
    values:
        Raw dates: ``"2024-09-02"``, ``"2024-09-02 00:00:00"``, ``"2024-09-02T10:00"``,
        ``"20240902"``, ``"2/9 2024"``, ``"2/9-2024"``, ``"02.09.2024"``,
        ``"2 sep 2024"``, ``"2 september 2024"`` (Swedish or English month names),
        Excel serials as text (``"45537"``) or numbers; or a Date/Datetime column
        (datetimes keep their date).
    today:
        When given, dates after it are treated as invalid (null), as the data
        contract's ``invalid_date`` includes dates in the future. Leave it out and
        use :func:`future_date_mask` to tell future dates apart.

    Returns
    -------
    pl.Series
        Date; null for blanks, junk, impossible dates (2023-02-30), written years
        outside 1900-2099 and serials outside :data:`EXCEL_SERIAL_RANGE`.
    """
    if values.dtype == pl.Date:
        parsed = values
    elif isinstance(values.dtype, pl.Datetime):
        parsed = values.dt.date()
    elif values.dtype.is_numeric():
        low, high = EXCEL_SERIAL_RANGE
        serial = pl.col(values.name).cast(pl.Float64)
        parsed = values.to_frame().select(
            pl.when(serial.is_between(low, high + 1, closed="left"))
            .then(pl.lit(EXCEL_EPOCH) + pl.duration(days=serial.floor().cast(pl.Int64)))
            .cast(pl.Date)
        ).to_series().alias(values.name)
    else:
        parsed = map_distinct(_as_text(values), _parse_date_text, pl.Date)
    if today is not None:
        parsed = parsed.set(future_date_mask(parsed, today), None)
    return parsed


def future_date_mask(dates: pl.Series, today: date) -> pl.Series:
    """True where a parsed date lies after ``today`` (reason ``invalid_date``); null is False."""
    return (dates > today).fill_null(False)


# --- grades --------------------------------------------------------------------------

_GRADE_WORDS = {
    **{g.casefold(): g for g in ("A", "B", "C", "D", "E", "F", "Fx", "P", "G", "U", "VG")},
    **dict.fromkeys(("godkänd", "godkand", "godkänt", "godkant"), "G"),
    **dict.fromkeys(("underkänd", "underkand", "underkänt", "underkant"), "U"),
    **dict.fromkeys(("väl godkänd", "val godkand", "väl godkänt", "val godkant"), "VG"),
    **dict.fromkeys(("pass", "passed"), "P"),
    **dict.fromkeys(("fail", "failed"), "F"),
}


def _normalise_grade_text(text: str) -> str | None:
    return _GRADE_WORDS.get(_squash(text))


def normalise_grade(values: pl.Series) -> pl.Series:
    """Ladok grades in their canonical spelling.

    Parameters
    ----------
    values:
        Raw grades in any case: A-F and Fx/FX (ECTS scale), P/F (pass/fail),
        G/U/VG (Swedish scale), ``Godkänd`` -> G, ``Underkänd`` -> U,
        ``Väl godkänd`` -> VG, ``Pass`` -> P, ``Fail`` -> F.

    Returns
    -------
    pl.Series
        String: ``A``-``F``, ``Fx``, ``P``, ``G``, ``U``, ``VG``; null for blanks and
        unknown grades (reason ``invalid_grade``).
    """
    return map_distinct(_as_text(values), _normalise_grade_text, pl.String)


def is_pass_grade_expr(col: str | pl.Expr) -> pl.Expr:
    """True where a canonical grade is a pass (:data:`PASS_GRADES`); fails and null are False.

    The passed-results export must carry only such grades (data contract).
    """
    return _as_expr(col).is_in(sorted(PASS_GRADES)).fill_null(False)


# --- Likert items --------------------------------------------------------------------

_LIKERT = re.compile(r"(?P<n>[+-]?[0-9]+)(?:[.,]0+)?")


def _parse_likert_text(text: str, low: int, high: int) -> int | None:
    m = _LIKERT.fullmatch(_squash(text))
    if m is None:
        return None
    answer = int(m["n"])
    return answer if low <= answer <= high else None


def parse_likert(values: pl.Series, low: int = 1, high: int = 5) -> pl.Series:
    """Answers to survey experience items on a ``low``-``high`` scale (1-5 in the survey).

    Parameters
    ----------
    values:
        Raw answers: ``"4"``, ``"4,0"``, ``" 5 "``, or a numeric column.
    low, high:
        The scale's end points, inclusive (within -128..127).

    Returns
    -------
    pl.Series
        Int8; null for blanks (item not answered), non-integers, junk and answers
        outside the scale (see :func:`invalid_likert_mask`).
    """
    if not -128 <= low <= high <= 127:
        raise ValueError(f"a Likert scale needs -128 <= low <= high <= 127, got {low}..{high}")
    if values.dtype.is_numeric():
        answer = pl.col(values.name).cast(pl.Float64)
        return values.to_frame().select(
            pl.when((answer == answer.round()) & answer.is_between(low, high))
            .then(answer)
            .cast(pl.Int8)
        ).to_series().alias(values.name)
    return map_distinct(
        _as_text(values), partial(_parse_likert_text, low=low, high=high), pl.Int8
    )


def invalid_likert_mask(values: pl.Series, low: int = 1, high: int = 5) -> pl.Series:
    """True where an answer is present but not on the scale (reason ``invalid_value``)."""
    if values.dtype.is_numeric():
        return values.is_not_null() & parse_likert(values, low, high).is_null()
    parse = partial(_parse_likert_text, low=low, high=high)
    return map_distinct(
        _as_text(values), lambda t: bool(t.strip()) and parse(t) is None, pl.Boolean
    ).fill_null(False)
