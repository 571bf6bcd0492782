"""Swedish personal identity numbers: personnummer, samordningsnummer and Ladok's
interim numbers, parsed and validated one at a time (:func:`parse_personal_number`)
or as a column (:func:`parse_personal_numbers`), by the same rules.

- **personnummer** (Skatteverket, SKV 704): birth date ``YYMMDD`` or ``YYYYMMDD``, a
  three-digit birth number ``NNN`` whose last digit is even for women and odd for
  men, and a Luhn check digit ``C`` computed over the ten-digit form ``YYMMDDNNN``.
  In the ten-digit form the separator is ``-``, or ``+`` once the person is 100.
  The birth number ``000`` is never issued: a number with it is refused as
  ``format`` (as the ``personnummer`` packages that share one specification do).
- **samordningsnummer** (Skatteverket, SKV 707): as a personnummer, but the day of
  birth is given plus 60 (61-91).
- **interim numbers**, which Ladok issues to people who have neither: the birth date,
  then a letter and three characters (``T123``, ``TF10``). No check digit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

import polars as pl

from lcanalysis.values import distinct_codes

REASONS = ("missing", "format", "check_digit", "date", "future_date")
"""Why a value is not a valid identity number, in the order they are checked.

``missing``: blank or null; ``format``: not shaped like any accepted form;
``check_digit``: the Luhn digit does not match (a typing error);
``date``: the birth date does not exist; ``future_date``: the birth date is after
the reference date.
"""

Kind = Literal["personnummer", "samordningsnummer", "interim"]

# Stripped from both ends before parsing: spaces, tabs, line breaks, no-break spaces
# (Excel and web exports). An explicit set, so that Python and polars agree exactly.
_BLANKS = " \t\n\r\f\v\u00a0\u2007\u202f"

# One pattern for the scalar (Python re) and vectorised (Rust regex) parsers. ASCII
# classes only: \d would also match other scripts' digits, differently in each engine.
_PATTERN = (
    r"^(?P<century>[0-9]{2})?(?P<yy>[0-9]{2})(?P<mm>[0-9]{2})(?P<dd>[0-9]{2})"
    r"(?P<sep>[-+]?)(?P<serial>[0-9]{4}|[A-Za-z][A-Za-z0-9][0-9]{2})$"
)
_NUMBER = re.compile(_PATTERN)

_FORMAT_HELP = (
    "expected YYMMDD-NNNC, YYMMDD+NNNC (aged 100 or more), YYYYMMDDNNNC, "
    "or an interim number such as YYYYMMDD-T123"
)


class InvalidPersonalNumber(ValueError):
    """A value that is not a valid personnummer, samordningsnummer or interim number.

    Attributes
    ----------
    reason:
        One of :data:`REASONS`; the cleaning step maps it to a quarantine reason.

    The message never repeats the number (messages reach logs); at most its birth-date
    part.
    """

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


@dataclass(frozen=True)
class PersonalNumber:
    """A parsed identity number.

    Attributes
    ----------
    normalized:
        12 characters ``YYYYMMDDNNNC`` without separator, as Skatteverket stores
        personnummer; the day keeps its +60 for a samordningsnummer and an interim
        number keeps its (upper-case) letter. The value that is pseudonymised.
    kind:
        ``"personnummer"``, ``"samordningsnummer"`` or ``"interim"``.
    birth_date:
        The real birth date (for a samordningsnummer the day minus 60).
    legal_sex:
        ``"F"`` when the third serial character (the second-last character) is an
        even digit, ``"M"`` when odd: the legal sex recorded when the number was
        issued, not gender identity.
    """

    normalized: str
    kind: Kind
    birth_date: date
    legal_sex: Literal["F", "M"] | None


def luhn_check_digit(nine_digits: str) -> int:
    """The check digit of a personnummer or samordningsnummer.

    Luhn (mod 10) over the ten-digit form's first nine digits ``YYMMDDNNN``: digits
    in positions 1, 3, 5, 7, 9 are doubled, the digit sums of all products are
    added, and the check digit brings the total to a multiple of ten. Skatteverket's
    example: ``luhn_check_digit("811218987") == 6``.

    Raises
    ------
    ValueError
        If ``nine_digits`` is not exactly nine ASCII digits.
    """
    if len(nine_digits) != 9 or not all("0" <= c <= "9" for c in nine_digits):
        raise ValueError("luhn_check_digit needs exactly nine digits (YYMMDDNNN)")
    total = 0
    for position, char in enumerate(nine_digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def parse_personal_number(text: str, *, on: date | None = None) -> PersonalNumber:
    """Parse and validate one personnummer, samordningsnummer or interim number.

    Accepted forms, after removing surrounding spaces (and tabs, no-break spaces):

    - ``YYMMDD-NNNC``, ``YYMMDDNNNC``: ten digits; the century is the most recent
      one that puts the birth date on or before ``on`` with the person under 100.
    - ``YYMMDD+NNNC``: ten digits, person aged 100 or more: a century earlier than
      the rule above.
    - ``YYYYMMDDNNNC``, ``YYYYMMDD-NNNC``: twelve digits, century given (``+`` is
      not accepted with a century).
    - Day 61-91 instead of 01-31: samordningsnummer (real day = day - 60).
    - Interim number (Ladok): the same date forms (day 01-31), then a serial of four
      characters: a letter A-Z (any case), a letter or digit, and two digits, e.g.
      ``19900101-T123``, ``900101TF10``. No check digit. The third serial character
      gives legal sex as for a personnummer. Normalised with the letters upper-case.

    Personnummer and samordningsnummer must not have the birth number ``000`` and
    must carry the correct Luhn check digit
    (:func:`luhn_check_digit`); every kind must have a real birth date that is not
    after ``on``. The checks run in the order of :data:`REASONS` (a blank value is
    ``missing``) and the first failure is reported.

    Parameters
    ----------
    text:
        The number as written in the raw file.
    on:
        Reference date for the century rule and the future-date check: the export
        date when known; default today.

    Raises
    ------
    InvalidPersonalNumber
        With ``reason`` one of :data:`REASONS`.
    """
    on = date.today() if on is None else on
    stripped = text.strip(_BLANKS)
    if not stripped:
        raise InvalidPersonalNumber("missing", "the identity number is blank")
    match = _NUMBER.fullmatch(stripped)
    if match is None or (match["sep"] == "+" and match["century"] is not None):
        raise InvalidPersonalNumber("format", f"not an identity number: {_FORMAT_HELP}")

    serial = match["serial"].upper()
    interim = serial[0].isalpha()
    date_part = match["yy"] + match["mm"] + match["dd"]
    if not interim and serial.startswith("000"):
        raise InvalidPersonalNumber("format", "the birth number 000 is never issued: not an identity number")
    if not interim and luhn_check_digit(date_part + serial[:3]) != int(serial[3]):
        raise InvalidPersonalNumber(
            "check_digit",
            f"the check digit of the number born {match['century'] or ''}{date_part} is wrong"
            " (a typing error?)",
        )

    month, written_day = int(match["mm"]), int(match["dd"])
    coordination = not interim and written_day > 60
    day = written_day - 60 if coordination else written_day
    if match["century"] is not None:
        year = int(match["century"] + match["yy"])
    else:
        year = on.year - on.year % 100 + int(match["yy"])
        if (year, month, day) > (on.year, on.month, on.day):
            year -= 100
        if match["sep"] == "+":
            year -= 100
    if not (1 <= year <= 9999 and 1 <= month <= 12 and 1 <= day <= _days_in_month(year, month)):
        raise InvalidPersonalNumber(
            "date", f"the birth date {year:04d}{month:02d}{written_day:02d} does not exist"
        )
    born = date(year, month, day)
    if born > on:
        raise InvalidPersonalNumber(
            "future_date", f"the birth date {born.isoformat()} is after {on.isoformat()}"
        )

    kind: Kind = "interim" if interim else ("samordningsnummer" if coordination else "personnummer")
    return PersonalNumber(
        normalized=f"{year:04d}{date_part[2:]}{serial}",
        kind=kind,
        birth_date=born,
        legal_sex="F" if int(serial[2]) % 2 == 0 else "M",
    )


def _luhn_matches(ten_digits: pl.Expr) -> pl.Expr:
    """Whether the last digit of an integer ``YYMMDDNNNC`` is its Luhn check digit."""
    nine = ten_digits // 10
    total = pl.lit(0, dtype=pl.Int64)
    for power in range(9):  # power counts digits from the right of YYMMDDNNN
        digit = nine // (10**power) % 10
        if power % 2 == 0:  # positions 1, 3, ..., 9 from the left are doubled
            digit = digit * 2 - pl.when(digit >= 5).then(9).otherwise(0)
        total = total + digit
    return (10 - total % 10) % 10 == ten_digits % 10


def _parse_frame(raw: pl.LazyFrame, on: date) -> pl.LazyFrame:
    """Columnar twin of :func:`parse_personal_number` over the String column ``raw``.

    A value that matches the pattern (a fast yes/no test) has its parts at positions
    fixed by its length: 10 or 11 characters (without or with separator) have no
    century, 12 or 13 have one. Slices of values that do not match are never used.
    """
    text, offset, serial = pl.col("text"), pl.col("offset"), pl.col("serial")
    on_key = on.year * 10000 + on.month * 100 + on.day
    parts = (
        raw.with_columns(text=pl.col("raw").str.strip_chars(_BLANKS))
        .with_columns(
            shaped=text.str.contains(_PATTERN).fill_null(False),
            offset=pl.when(text.str.len_chars() >= 12).then(2).otherwise(0),
            odd_length=text.str.len_chars() % 2 == 1,
            serial=text.str.slice(-4).str.to_uppercase(),
        )
        .with_columns(
            century=pl.when(offset == 2).then(text.str.slice(0, 2).str.to_integer(strict=False)),
            yy=text.str.slice(offset, 2).str.to_integer(strict=False),
            mm=text.str.slice(offset + 2, 2).str.to_integer(strict=False),
            dd=text.str.slice(offset + 4, 2).str.to_integer(strict=False),
            mmdd=text.str.slice(offset + 2, 4),
            sep=pl.when(pl.col("odd_length"))
            .then(text.str.slice(offset + 6, 1))
            .otherwise(pl.lit("")),
            ten_digits=(text.str.slice(offset, 6) + serial).str.to_integer(strict=False),
            interim=serial.str.contains("^[A-Z]"),
            sex_digit=serial.str.slice(2, 1).str.to_integer(strict=False),
        )
        .with_columns(coordination=~pl.col("interim") & (pl.col("dd") > 60))
        .with_columns(
            day=pl.when(pl.col("coordination")).then(pl.col("dd") - 60).otherwise(pl.col("dd"))
        )
    )
    inferred = pl.lit(on.year - on.year % 100, dtype=pl.Int64) + pl.col("yy")
    inferred = inferred - pl.when(
        inferred * 10000 + pl.col("mm") * 100 + pl.col("day") > on_key
    ).then(100).otherwise(0)
    inferred = inferred - pl.when(pl.col("sep") == "+").then(100).otherwise(0)
    year = pl.col("year")
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days_in_month = (
        pl.when(pl.col("mm") == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(pl.col("mm").is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )
    real_date = (
        year.is_between(1, 9999)
        & pl.col("mm").is_between(1, 12)
        & (pl.col("day") >= 1)
        & (pl.col("day") <= days_in_month)
    )
    safe = pl.when(pl.col("real_date"))
    born = pl.date(
        safe.then(year).otherwise(2000),
        safe.then(pl.col("mm")).otherwise(1),
        safe.then(pl.col("day")).otherwise(1),
    )
    error = (
        pl.when(text.is_null() | (text == ""))
        .then(pl.lit("missing"))
        .when(
            ~pl.col("shaped")
            | (pl.col("century").is_not_null() & (pl.col("sep") == "+"))
            | (~pl.col("interim") & serial.str.starts_with("000"))
        )
        .then(pl.lit("format"))
        .when(~pl.col("interim") & ~_luhn_matches(pl.col("ten_digits")))
        .then(pl.lit("check_digit"))
        .when(~pl.col("real_date"))
        .then(pl.lit("date"))
        .when(pl.col("born") > pl.lit(on))
        .then(pl.lit("future_date"))
    )
    valid = pl.col("error").is_null()
    return (
        parts.with_columns(year=pl.coalesce(pl.col("century") * 100 + pl.col("yy"), inferred))
        .with_columns(real_date=real_date)
        .with_columns(born=born)
        .with_columns(error=error)
        .select(
            pl.when(valid)
            .then(
                pl.concat_str(
                    year.cast(pl.String).str.zfill(4),
                    pl.col("mmdd"),
                    serial,
                )
            )
            .alias("normalized"),
            pl.when(valid)
            .then(
                pl.when(pl.col("interim"))
                .then(pl.lit("interim"))
                .when(pl.col("coordination"))
                .then(pl.lit("samordningsnummer"))
                .otherwise(pl.lit("personnummer"))
            )
            .alias("kind"),
            pl.when(valid).then(pl.col("born")).alias("birth_date"),
            pl.when(valid)
            .then(pl.when(pl.col("sex_digit") % 2 == 0).then(pl.lit("F")).otherwise(pl.lit("M")))
            .alias("legal_sex"),
            pl.col("error"),
        )
    )


def parse_personal_numbers(values: pl.Series, *, on: date | None = None) -> pl.DataFrame:
    """Parse a column of identity numbers, with the rules of :func:`parse_personal_number`.

    Columnar (polars expressions: regular expression, integer arithmetic for the Luhn
    digit and the calendar), so a Ladok export of millions of rows is parsed without
    a Python call per row; each distinct value is parsed once
    (:func:`lcanalysis.values.distinct_codes`) and mapped back to its rows.

    Parameters
    ----------
    values:
        Strings as written in the raw file (String, Categorical or all-null). Numbers
        read as integers have lost their leading zeros and are refused.
    on:
        Reference date for the century rule and the future-date check; default today.

    Returns
    -------
    polars.DataFrame
        One row per input row, in order: ``normalized`` (String), ``kind`` (String),
        ``birth_date`` (Date), ``legal_sex`` (String ``F``/``M``), all null when the
        value is invalid, and ``error``: null when valid, else the reason code
        (:data:`REASONS`) that :func:`parse_personal_number` would raise.

    Raises
    ------
    TypeError
        If ``values`` is not a string column.
    """
    _check_text(values)
    on = date.today() if on is None else on
    return _to_rows(*_parse_distinct(values, on))


def _parse_distinct(values: pl.Series, on: date) -> tuple[pl.DataFrame, pl.Series]:
    """The distinct values parsed (one row each) and each row's code into them."""
    codes, distinct = distinct_codes(values)
    return _parse_frame(pl.DataFrame({"raw": distinct}).lazy(), on).collect(), codes


def _check_text(values: pl.Series) -> None:
    if not (values.dtype == pl.String or values.dtype == pl.Null or values.dtype == pl.Categorical):
        raise TypeError(
            f"identity numbers must be read as strings, not {values.dtype} "
            "(numbers lose their leading zeros)"
        )


def _to_rows(per_value: pl.DataFrame, codes: pl.Series) -> pl.DataFrame:
    """Rows of ``per_value`` (one per distinct value) for each row's code; a null code
    is a blank value, whose ``error`` is ``missing``."""
    return per_value.select(pl.all().gather(codes)).with_columns(
        pl.col("error").fill_null(pl.when(codes.is_null()).then(pl.lit("missing")))
    )
