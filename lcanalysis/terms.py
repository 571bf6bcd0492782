"""Swedish academic terms: vårtermin (VT), sommar (ST) and hösttermin (HT).

Every raw source names terms in its own way (``HT2024``, ``Höst 2024``, ``2024H``,
Ladok/KTH period codes such as ``20242``, or simply a date). This module turns them
into one canonical spelling, ``<season><year>`` (``HT2024``, ``VT2025``, ``ST2025``),
and does term arithmetic for indicators such as UKÄ's performance rate
(prestationsgrad), which follows a registration term "and the three next terms".

Conventions (also in docs/data-contract.md):

* Order within a calendar year is VT < ST < HT. The academic year (läsår) starts with
  HT: HT2024, VT2025 and ST2025 all belong to ``2024/25``.
* Date-to-term rule: 1 Jan - 30 Jun is VT, 1 Jul - 14 Aug is ST, 15 Aug - 31 Dec is
  HT. This partitions the calendar so that every date (a registration date, an
  examination date) has exactly one term; it is an assignment rule, not KTH's
  teaching periods (which start in late January and late August).
* Two-digit years: 00-69 mean 2000-2069, 70-99 mean 1970-1999.
* Ladok/KTH period codes are five digits, year then 1 for VT or 2 for HT
  (``20241`` = VT2024, ``20242`` = HT2024), as in KTH's course-catalogue API; summer
  has no such code.
* Years outside 1900-2099 are rejected: in this project they are typing errors.
* Term arithmetic skips summer by default, since UKÄ's performance rate counts the
  regular terms; a summer term then counts with the spring term of its year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import total_ordering

import polars as pl

from lcanalysis.errors import LcanalysisError
from lcanalysis.values import map_distinct

SEASONS: tuple[str, ...] = ("VT", "ST", "HT")
"""Season codes in chronological order within a calendar year."""

MIN_YEAR = 1900
MAX_YEAR = 2099

_SEASON_RANK = {"VT": 1, "ST": 2, "HT": 3}
_ST_START = (7, 1)
_HT_START = (8, 15)

_SEASON_WORDS = {
    "HT": ("höstterminen", "hösttermin", "hostterminen", "hosttermin", "höst", "host",
           "autumn", "fall", "ht", "h"),
    "VT": ("vårterminen", "vårtermin", "varterminen", "vartermin", "vår", "var",
           "spring", "vt", "v"),
    "ST": ("sommarterminen", "sommartermin", "sommar", "summer", "st", "s"),
}
_WORD_TO_SEASON = {w: s for s, words in _SEASON_WORDS.items() for w in words}
_SEASON_ALT = "|".join(sorted(_WORD_TO_SEASON, key=len, reverse=True))
_SEP = r"[ \-_.]*"
_SEASON_FIRST = re.compile(rf"(?P<season>{_SEASON_ALT}){_SEP}(?P<year>[0-9]{{4}}|[0-9]{{2}})")
_YEAR_FIRST = re.compile(rf"(?P<year>[0-9]{{4}}){_SEP}(?P<season>{_SEASON_ALT})")
_LADOK = re.compile(r"(?P<year>[0-9]{4})(?P<code>[12])")
_ISO_DATE = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ t][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
)


class InvalidTerm(LcanalysisError, ValueError):
    """A value could not be read as an academic term (quarantine reason ``invalid_term``)."""


@total_ordering
@dataclass(frozen=True)
class Term:
    """One academic term: a calendar year and a season.

    Parameters
    ----------
    year:
        Calendar year in which the term runs (HT2024 runs in autumn 2024), 1900-2099.
    season:
        ``"VT"`` (vårtermin, spring), ``"ST"`` (sommar, summer) or ``"HT"``
        (hösttermin, autumn).

    Terms order chronologically (VT < ST < HT within a year) and print canonically,
    ``str(Term(2024, "HT")) == "HT2024"``.
    """

    year: int
    season: str

    def __post_init__(self) -> None:
        if self.season not in _SEASON_RANK:
            raise InvalidTerm(f"season must be one of VT, ST, HT, not {self.season!r}")
        if not isinstance(self.year, int) or not MIN_YEAR <= self.year <= MAX_YEAR:
            raise InvalidTerm(f"term year must be {MIN_YEAR}-{MAX_YEAR}, not {self.year!r}")

    def __str__(self) -> str:
        return f"{self.season}{self.year}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Term):
            return NotImplemented
        return self.seq < other.seq

    @property
    def seq(self) -> int:
        """Sort key: ``year * 10 + (1 VT, 2 ST, 3 HT)``; HT2024 is 20243.

        Use it to sort; to count terms use :func:`terms_between` (seq differences
        are not term counts).
        """
        return self.year * 10 + _SEASON_RANK[self.season]

    @property
    def is_regular(self) -> bool:
        """True for VT and HT, the terms UKÄ's performance rate counts."""
        return self.season != "ST"

    @property
    def academic_year(self) -> str:
        """Academic year (läsår) starting with HT: ``"2024/25"`` for HT2024, VT2025, ST2025."""
        start = self.year if self.season == "HT" else self.year - 1
        return f"{start}/{(start + 1) % 100:02d}"

    @property
    def start_date(self) -> date:
        """First day of the term under the date-to-term rule (VT 1 Jan, ST 1 Jul, HT 15 Aug)."""
        month, day = {"VT": (1, 1), "ST": _ST_START, "HT": _HT_START}[self.season]
        return date(self.year, month, day)

    @property
    def end_date(self) -> date:
        """Last day of the term under the date-to-term rule (VT 30 Jun, ST 14 Aug, HT 31 Dec)."""
        month, day = {"VT": (6, 30), "ST": (8, 14), "HT": (12, 31)}[self.season]
        return date(self.year, month, day)

    @classmethod
    def from_date(cls, day: date) -> Term:
        """The term a date falls in under the date-to-term rule (datetimes use their date)."""
        if isinstance(day, datetime):
            day = day.date()
        md = (day.month, day.day)
        season = "VT" if md < _ST_START else "ST" if md < _HT_START else "HT"
        return cls(day.year, season)


def _year_from_digits(digits: str) -> int:
    """Four-digit years as written; two-digit years 00-69 -> 20xx, 70-99 -> 19xx."""
    year = int(digits)
    if len(digits) == 2:
        year += 2000 if year < 70 else 1900
    return year


def parse_term(text: str | date) -> Term:
    """Read one term written in any of the accepted ways.

    Parameters
    ----------
    text:
        A term as found in a raw export, e.g. ``"HT2024"``, ``"HT 24"``, ``"ht-2024"``,
        ``"Höst 2024"``, ``"höstterminen 2024"``, ``"2024H"``, ``"2024HT"``,
        ``"Vår 2025"``, ``"VT25"``, ``"Sommar 2025"``, ``"2025S"``, ``"Autumn 2024"``,
        ``"20242"`` (Ladok/KTH code: 1 = VT, 2 = HT), an ISO date string
        (``"2024-09-02"``, optionally with a time) or a ``date``/``datetime``. Case,
        surrounding spaces and Swedish letters written without diacritics
        (``"Host 2024"``) do not matter. Dates map by the date-to-term rule.

    Returns
    -------
    Term

    Raises
    ------
    InvalidTerm
        If the text is none of these, or names a year outside 1900-2099 or an
        impossible date.
    TypeError
        If ``text`` is neither a string nor a date.
    """
    if isinstance(text, date):
        return Term.from_date(text)
    if not isinstance(text, str):
        raise TypeError(f"a term is a string or a date, not {type(text).__name__}")
    clean = " ".join(text.split()).casefold()
    if m := _SEASON_FIRST.fullmatch(clean) or _YEAR_FIRST.fullmatch(clean):
        return Term(_year_from_digits(m["year"]), _WORD_TO_SEASON[m["season"]])
    if m := _LADOK.fullmatch(clean):
        return Term(int(m["year"]), "VT" if m["code"] == "1" else "HT")
    if m := _ISO_DATE.fullmatch(clean):
        try:
            day = date.fromisoformat(m["date"])
        except ValueError:
            raise InvalidTerm(f"{text!r} is not a real date") from None
        return Term.from_date(day)
    raise InvalidTerm(
        f"{text!r} is not a term; write e.g. HT2024, VT2025 or ST2025 (or Höst 2024, 20242, a date)"
    )


def _position(term: Term, include_summer: bool) -> int:
    """Index in the term sequence; without summer, ST shares its spring term's index."""
    if include_summer:
        return term.year * 3 + _SEASON_RANK[term.season] - 1
    return term.year * 2 + (1 if term.season == "HT" else 0)


def terms_between(a: Term, b: Term, include_summer: bool = False) -> int:
    """Number of terms from ``a`` to ``b`` (negative when ``b`` is earlier).

    Parameters
    ----------
    a, b:
        The two terms.
    include_summer:
        Count summer terms as terms of their own. By default only VT and HT count,
        as in UKÄ's performance rate, and a summer term counts as the spring term of
        its year (``terms_between(VT2025, ST2025) == 0``).

    Returns
    -------
    int
        ``terms_between(HT2024, VT2026) == 3``; ``add_terms(a, terms_between(a, b))``
        is ``b`` whenever both are in the counted sequence.
    """
    return _position(b, include_summer) - _position(a, include_summer)


def add_terms(term: Term, n: int, include_summer: bool = False) -> Term:
    """The term ``n`` terms after ``term`` (before it when ``n`` is negative).

    Parameters
    ----------
    term:
        Starting term.
    n:
        Number of terms to step; ``0`` returns ``term`` itself.
    include_summer:
        Step through summer terms too. By default summer is skipped, so the three
        terms after HT2024 are VT2025, HT2025 and VT2026, as in UKÄ's performance
        rate; from a summer term, one step forward is that year's HT and one step
        back is the previous HT (the summer counts with its spring term).

    Returns
    -------
    Term

    Raises
    ------
    InvalidTerm
        If the result falls outside 1900-2099.
    """
    if n == 0:
        return term
    pos = _position(term, include_summer) + n
    if include_summer:
        year, rank = divmod(pos, 3)
        return Term(year, SEASONS[rank])
    year, half = divmod(pos, 2)
    return Term(year, "HT" if half else "VT")


def _canonical_or_none(text: str) -> str | None:
    try:
        return str(parse_term(text))
    except InvalidTerm:
        return None


def _as_expr(col: str | pl.Expr) -> pl.Expr:
    return pl.col(col) if isinstance(col, str) else col


def term_from_date_expr(col: str | pl.Expr) -> pl.Expr:
    """Canonical term (``"HT2024"``) of a Date or Datetime column, by the date-to-term rule.

    Null for null dates and for years outside 1900-2099, matching :func:`parse_term`.
    """
    day = _as_expr(col)
    year = day.dt.year()
    md = day.dt.month().cast(pl.Int32) * 100 + day.dt.day().cast(pl.Int32)
    st = _ST_START[0] * 100 + _ST_START[1]
    ht = _HT_START[0] * 100 + _HT_START[1]
    season = pl.when(md < st).then(pl.lit("VT")).when(md < ht).then(pl.lit("ST")).otherwise(
        pl.lit("HT")
    )
    return (
        pl.when(year.is_between(MIN_YEAR, MAX_YEAR))
        .then(pl.concat_str([season, year.cast(pl.String)]))
        .otherwise(None)
    )


def normalise_terms(values: pl.Series) -> pl.Series:
    """Canonical terms (``"HT2024"``) for a column of raw terms; null where not a term.

    Parameters
    ----------
    values:
        Raw terms: strings in any form :func:`parse_term` accepts, integers (Ladok
        codes read as numbers), categoricals, or Date/Datetime (mapped by the
        date-to-term rule).

    Returns
    -------
    pl.Series
        String series with the same name and length; null where the raw value is
        null or :func:`parse_term` would raise :class:`InvalidTerm`. Each distinct
        value is parsed once, so millions of rows with few spellings are fast.
    """
    if values.dtype == pl.Date or isinstance(values.dtype, pl.Datetime):
        days = values.dt.date() if isinstance(values.dtype, pl.Datetime) else values
        distinct = days.drop_nulls().unique()
        labels = distinct.to_frame().select(term_from_date_expr(distinct.name)).to_series()
        return days.replace_strict(distinct, labels, default=None, return_dtype=pl.String)
    if values.dtype.is_integer() or isinstance(values.dtype, pl.Categorical | pl.Enum):
        values = values.cast(pl.String)
    if values.dtype not in (pl.String, pl.Null):
        raise TypeError(f"cannot read terms from a {values.dtype} column {values.name!r}")
    return map_distinct(values, _canonical_or_none, pl.String)


_ALL_TERMS = [Term(y, season) for y in range(MIN_YEAR, MAX_YEAR + 1) for season in SEASONS]
_CANONICAL = [str(t) for t in _ALL_TERMS]


def _lookup(col: str | pl.Expr, results: list, dtype: pl.DataType) -> pl.Expr:
    """Map canonical term strings through a table of every term 1900-2099 (one hash per row)."""
    return _as_expr(col).replace_strict(_CANONICAL, results, default=None, return_dtype=dtype)


def term_seq(col: str | pl.Expr) -> pl.Expr:
    """Sort key of canonical terms, ``year * 10 + (1 VT, 2 ST, 3 HT)``, as an Int32 expression.

    Matches :attr:`Term.seq`; null for null or non-canonical strings. Sort terms with
    it (string order would put HT before VT).
    """
    return _lookup(col, [t.seq for t in _ALL_TERMS], pl.Int32)


def term_index_expr(col: str | pl.Expr, include_summer: bool = False) -> pl.Expr:
    """Position of canonical terms in the term sequence; differences are term counts.

    ``term_index_expr(b) - term_index_expr(a)`` equals :func:`terms_between` (same
    ``include_summer`` rule), e.g. to keep results within a registration term and
    the three next terms (UKÄ's performance rate). Null for non-canonical strings.
    """
    return _lookup(col, [_position(t, include_summer) for t in _ALL_TERMS], pl.Int32)


def academic_year_expr(col: str | pl.Expr) -> pl.Expr:
    """Academic year (``"2024/25"``) of canonical terms, matching :attr:`Term.academic_year`."""
    return _lookup(col, [t.academic_year for t in _ALL_TERMS], pl.String)
