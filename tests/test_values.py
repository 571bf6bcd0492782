"""Coded values: credits, booleans, dates, grades and Likert answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_series_equal

from lcanalysis.values import (
    PASS_GRADES,
    distinct_codes,
    future_date_mask,
    invalid_bool_mask,
    invalid_likert_mask,
    is_pass_grade_expr,
    map_distinct,
    normalise_grade,
    parse_bool,
    parse_credits,
    parse_dates,
    parse_likert,
    repeated,
    valid_credits_expr,
)

NBSP = "\u00a0"


def text(values: list[str | None], name: str = "raw") -> pl.Series:
    return pl.Series(name, values, dtype=pl.String)


def one_by_one(parse: Callable[[pl.Series], pl.Series], values: list[str | None]) -> list:
    """Parse each value on its own: what the vectorised form must agree with."""
    return [parse(text([v]))[0] for v in values]


# --- map_distinct --------------------------------------------------------------------

def test_map_distinct_keeps_name_length_and_nulls() -> None:
    out = map_distinct(text(["a", None, "bb", "a"], "col"), len, pl.Int64)
    assert_series_equal(out, pl.Series("col", [1, None, 2, 1], dtype=pl.Int64))


def test_map_distinct_gives_blank_rows_their_own_value() -> None:
    out = map_distinct(text(["a", None, "bb", None], "col"), len, pl.Int64, blank=0)
    assert_series_equal(out, pl.Series("col", [1, 0, 2, 0], dtype=pl.Int64))


def test_map_distinct_calls_the_parser_once_per_distinct_value() -> None:
    seen: list[str] = []
    map_distinct(text(["x", "y", "x", "x", None, "y"]), seen.append, pl.Null)
    assert sorted(seen) == ["x", "y"]


@given(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "", " a"]), st.text(max_size=5))))
def test_distinct_codes_round_trip(values: list[str | None]) -> None:
    series = text(values)
    codes, distinct = distinct_codes(series)
    # Each non-null value once, in order of first appearance; codes point back to it.
    assert distinct.to_list() == list(dict.fromkeys(v for v in values if v is not None))
    assert distinct.gather(codes).to_list() == values
    assert codes.null_count() == values.count(None)


@given(st.lists(st.integers(0, 6), max_size=50))
def test_repeated_is_is_duplicated(values: list[int]) -> None:
    hashes = pl.Series(values, dtype=pl.UInt64)
    assert repeated(hashes).to_list() == hashes.is_duplicated().to_list()


def test_distinct_codes_of_an_all_null_column() -> None:
    codes, distinct = distinct_codes(pl.Series("x", [None, None]))
    assert codes.to_list() == [None, None]
    assert distinct.len() == 0


# --- credits -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7,5", 7.5), ("7.5", 7.5), ("7,5 hp", 7.5), ("7,5hp", 7.5), ("7,5 HP", 7.5),
        (" 15 ", 15.0), ("15", 15.0), ("1 234,5", 1234.5), (f"1{NBSP}234,5", 1234.5),
        ("1 000 000", 1_000_000.0), ("-7,5", -7.5), ("\u22127,5", -7.5), ("+3", 3.0),
        ("0", 0.0), ("22,5 högskolepoäng", 22.5), ("7,50", 7.5),
        ("", None), ("  ", None), ("x", None), ("7,5,5", None), ("1.234,5", None),
        ("12 34", None), ("7,", None), (",5", None), ("nan", None), ("inf", None),
        ("1e3", None), ("hp", None), (None, None),
    ],
)
def test_parse_credits_table(raw: str | None, expected: float | None) -> None:
    assert parse_credits(text([raw]))[0] == expected


def test_parse_credits_returns_float64_with_the_same_name() -> None:
    out = parse_credits(text(["7,5", "x"], "credits_registered"))
    assert_series_equal(out, pl.Series("credits_registered", [7.5, None]))


def test_parse_credits_numeric_columns_drop_nan_and_infinity() -> None:
    out = parse_credits(pl.Series("c", [7.5, float("nan"), float("inf"), None]))
    assert out.to_list() == [7.5, None, None, None]
    assert parse_credits(pl.Series("c", [15, None])).to_list() == [15.0, None]


@given(
    st.integers(0, 9_999_999),
    st.text("0123456789", max_size=3),
    st.sampled_from([",", "."]),
    st.sampled_from(["", " hp", "hp", " HP"]),
    st.booleans(),
    st.booleans(),
)
def test_written_credits_parse_back(
    whole: int, frac: str, mark: str, unit: str, grouped: bool, negative: bool
) -> None:
    digits = f"{whole:,}".replace(",", NBSP if negative else " ") if grouped else str(whole)
    raw = f"{'-' if negative else ''}{digits}{mark + frac if frac else ''}{unit}"
    expected = float(f"{'-' if negative else ''}{whole}.{frac or '0'}")
    assert parse_credits(text([raw]))[0] == expected


def test_valid_credits_expr() -> None:
    frame = pl.DataFrame({"c": [7.5, 60.0, 60.5, 0.0, -7.5, None, 300.0]})
    course = frame.select(valid_credits_expr("c")).to_series().to_list()
    programme = frame.select(valid_credits_expr(pl.col("c"), max_credits=400)).to_series()
    assert course == [True, True, False, False, False, False, False]
    assert programme.to_list() == [True, True, True, False, False, False, True]


# --- booleans ------------------------------------------------------------------------

TRUE_WORDS = ["Ja", "J", "Yes", "Y", "1", "X", "Sant", "True"]
FALSE_WORDS = ["Nej", "N", "No", "0", "Falskt", "False"]


@pytest.mark.parametrize("word", TRUE_WORDS + FALSE_WORDS)
@pytest.mark.parametrize("case", [str.upper, str.lower, str.title, lambda w: f"  {w} "])
def test_parse_bool_words_in_any_case(word: str, case: Callable[[str], str]) -> None:
    expected = word in TRUE_WORDS
    assert parse_bool(text([case(word)]))[0] is expected
    assert invalid_bool_mask(text([case(word)]))[0] is False


def test_parse_bool_blanks_and_unknowns() -> None:
    raw = text(["Ja", "", "  ", None, "kanske", "2", "X", "nej"])
    assert parse_bool(raw).to_list() == [True, None, None, None, None, None, True, False]
    assert parse_bool(raw, blank_is_false=True).to_list() == [
        True, False, False, False, None, None, True, False,
    ]
    assert invalid_bool_mask(raw).to_list() == [
        False, False, False, False, True, True, False, False,
    ]


def test_parse_bool_typed_columns() -> None:
    assert parse_bool(pl.Series("b", [1, 0, 2, None])).to_list() == [True, False, None, None]
    assert invalid_bool_mask(pl.Series("b", [1, 0, 2, None])).to_list() == [
        False, False, True, False,
    ]
    flags = pl.Series("b", [True, None, False])
    assert parse_bool(flags).to_list() == [True, None, False]
    assert parse_bool(flags, blank_is_false=True).to_list() == [True, False, False]


@given(st.lists(st.one_of(st.none(), st.text(max_size=6), st.sampled_from(TRUE_WORDS + FALSE_WORDS)), max_size=12))
def test_parse_bool_vectorised_equals_one_by_one(raw: list[str | None]) -> None:
    out = parse_bool(text(raw))
    assert out.dtype == pl.Boolean
    assert out.to_list() == one_by_one(parse_bool, raw)
    blank = [v is None or not v.strip() for v in raw]
    assert invalid_bool_mask(text(raw)).to_list() == [
        not b and o is None for b, o in zip(blank, out.to_list(), strict=True)
    ]
    assert parse_bool(text(raw), blank_is_false=True).to_list() == [
        False if b else o for b, o in zip(blank, out.to_list(), strict=True)
    ]


# --- dates ---------------------------------------------------------------------------

SEP_2 = date(2024, 9, 2)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-09-02", SEP_2), ("20240902", SEP_2), ("2024-09-02 00:00:00", SEP_2),
        ("2024-09-02T10:00", SEP_2), ("2024-09-02 23:59:59.123", SEP_2), ("2024-9-2", SEP_2),
        ("2/9 2024", SEP_2), ("2/9-2024", SEP_2), ("02/09 2024", SEP_2),
        ("2 sep 2024", SEP_2), ("2 Sept. 2024", SEP_2), ("2 september 2024", SEP_2),
        ("2 September, 2024", SEP_2), ("02.09.2024", SEP_2), ("2.9.2024", SEP_2),
        ("45537", SEP_2), ("45537.75", SEP_2), (" 2024-09-02 ", SEP_2),
        ("1 maj 2025", date(2025, 5, 1)), ("31 okt 2025", date(2025, 10, 31)),
        ("15 mars 2024", date(2024, 3, 15)), ("29 feb 2024", date(2024, 2, 29)),
        ("20000", date(1954, 10, 3)), ("73050", date(2099, 12, 31)),
        ("2023-02-30", None), ("29 feb 2023", None), ("31/4 2024", None), ("20241301", None),
        ("19999", None), ("73051", None), ("1899-12-31", None), ("2100-01-01", None),
        ("9/2/2024", None), ("2024-09-02 junk", None), ("junk", None), ("", None), (None, None),
    ],
)
def test_parse_dates_table(raw: str | None, expected: date | None) -> None:
    assert parse_dates(text([raw]))[0] == expected


def test_parse_dates_typed_columns() -> None:
    assert parse_dates(pl.Series("d", [SEP_2, None])).to_list() == [SEP_2, None]
    stamps = pl.Series("d", [datetime(2024, 9, 2, 23, 30), None])
    assert parse_dates(stamps).to_list() == [SEP_2, None]
    serials = pl.Series("d", [45537.0, 45537.9, 100.0, 80000.0, None])
    assert parse_dates(serials).to_list() == [SEP_2, SEP_2, None, None, None]
    assert parse_dates(pl.Series("d", [45537])).to_list() == [SEP_2]


def test_parse_dates_with_today_nulls_future_dates() -> None:
    raw = text(["2024-09-02", "2025-01-01", "2025-01-02", None])
    out = parse_dates(raw, today=date(2025, 1, 1))
    assert out.to_list() == [SEP_2, date(2025, 1, 1), None, None]
    assert future_date_mask(parse_dates(raw), date(2025, 1, 1)).to_list() == [
        False, False, True, False,
    ]


MONTH_NAMES = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
               "september", "oktober", "november", "december"]
ENGLISH_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"]


def date_spellings(day: date) -> list[str]:
    """Every way the contract allows this date to be written."""
    d, m, y = day.day, day.month, day.year
    name = MONTH_NAMES[m - 1]
    return [day.isoformat(), day.strftime("%Y%m%d"), f"{day.isoformat()} 00:00:00",
            f"{day.isoformat()}T10:00", f"{d}/{m} {y}", f"{d}/{m}-{y}", f"{d:02d}.{m:02d}.{y}",
            f"{d} {name} {y}", f"{d} {name[:3]} {y}", f"{d} {name.upper()} {y}",
            f"{d} {ENGLISH_MONTHS[m - 1]} {y}"]


@given(st.dates(date(1900, 1, 1), date(2099, 12, 31)))
def test_written_dates_parse_back(day: date) -> None:
    raw = date_spellings(day)
    assert parse_dates(text(raw)).to_list() == [day] * len(raw)


@given(st.dates(date(1954, 10, 3), date(2099, 12, 31)))
def test_excel_serials_parse_back(day: date) -> None:
    serial = (day - date(1899, 12, 30)).days
    assert parse_dates(text([str(serial)]))[0] == day
    assert parse_dates(pl.Series("d", [serial]))[0] == day


@given(st.lists(st.one_of(st.none(), st.text(max_size=20),
                          st.dates().map(lambda d: d.isoformat())), max_size=12))
def test_parse_dates_vectorised_equals_one_by_one(raw: list[str | None]) -> None:
    out = parse_dates(text(raw))
    assert out.dtype == pl.Date
    assert out.to_list() == one_by_one(parse_dates, raw)


# --- grades --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A", "A"), ("b", "B"), (" C ", "C"), ("d", "D"), ("E", "E"), ("F", "F"),
        ("FX", "Fx"), ("Fx", "Fx"), ("fx", "Fx"), ("P", "P"), ("p", "P"), ("G", "G"),
        ("U", "U"), ("VG", "VG"), ("vg", "VG"), ("Godkänd", "G"), ("godkand", "G"),
        ("Underkänd", "U"), ("Väl godkänd", "VG"), ("VÄL  GODKÄND", "VG"), ("Pass", "P"),
        ("Fail", "F"), ("TG", None), ("X", None), ("A+", None), ("", None), (None, None),
    ],
)
def test_normalise_grade_table(raw: str | None, expected: str | None) -> None:
    assert normalise_grade(text([raw]))[0] == expected


def test_pass_grades_and_expression() -> None:
    assert frozenset({"A", "B", "C", "D", "E", "P", "G", "VG"}) == PASS_GRADES
    frame = pl.DataFrame({"grade": ["A", "E", "Fx", "F", "P", "G", "VG", "U", None]})
    assert frame.select(is_pass_grade_expr("grade")).to_series().to_list() == [
        True, True, False, False, True, True, True, False, False,
    ]


def test_normalise_grade_reads_categoricals() -> None:
    out = normalise_grade(pl.Series("grade", ["fx", "vg"], dtype=pl.Categorical))
    assert out.to_list() == ["Fx", "VG"]


@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=12))
def test_normalise_grade_vectorised_equals_one_by_one(raw: list[str | None]) -> None:
    out = normalise_grade(text(raw))
    assert out.to_list() == one_by_one(normalise_grade, raw)
    assert set(out.drop_nulls()) <= PASS_GRADES | {"F", "Fx", "U"}


# --- Likert --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "expected"),
    [("4", 4), ("4,0", 4), ("4.00", 4), (" 5 ", 5), ("1", 1), ("0", None), ("6", None),
     ("4,5", None), ("-1", None), ("fyra", None), ("", None), (None, None)],
)
def test_parse_likert_table(raw: str | None, expected: int | None) -> None:
    assert parse_likert(text([raw]))[0] == expected


def test_parse_likert_other_scales_and_numbers() -> None:
    assert parse_likert(text(["0", "7", "8"]), low=0, high=7).to_list() == [0, 7, None]
    numbers = pl.Series("q", [4.0, 4.5, 6.0, None, 1.0])
    assert parse_likert(numbers).to_list() == [4, None, None, None, 1]
    assert parse_likert(numbers).dtype == pl.Int8
    assert invalid_likert_mask(numbers).to_list() == [False, True, True, False, False]
    with pytest.raises(ValueError):
        parse_likert(text(["1"]), low=5, high=1)


@given(st.integers(1, 5), st.sampled_from(["{}", " {} ", "{},0", "{}.0"]))
def test_likert_answers_parse_back(answer: int, form: str) -> None:
    assert parse_likert(text([form.format(answer)]))[0] == answer


@given(st.lists(st.one_of(st.none(), st.text(max_size=5), st.integers(-3, 9).map(str)), max_size=12))
def test_parse_likert_vectorised_equals_one_by_one(raw: list[str | None]) -> None:
    out = parse_likert(text(raw))
    assert out.dtype == pl.Int8
    assert out.to_list() == one_by_one(parse_likert, raw)
    assert all(1 <= v <= 5 for v in out.drop_nulls())
    blank = [v is None or not v.strip() for v in raw]
    assert invalid_likert_mask(text(raw)).to_list() == [
        not b and o is None for b, o in zip(blank, out.to_list(), strict=True)
    ]


# --- arbitrary input never raises ----------------------------------------------------

@given(st.lists(st.one_of(st.none(), st.text()), max_size=20))
def test_arbitrary_text_gives_null_not_an_exception(raw: list[str | None]) -> None:
    series = text(raw)
    for parse in (parse_credits, parse_bool, parse_dates, normalise_grade, parse_likert,
                  invalid_bool_mask, invalid_likert_mask):
        assert parse(series).len() == len(raw)
