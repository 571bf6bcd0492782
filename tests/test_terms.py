"""Academic terms: spellings, order, arithmetic and the vectorised forms."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_series_equal

from lcanalysis.terms import (
    InvalidTerm,
    Term,
    academic_year_expr,
    add_terms,
    normalise_terms,
    parse_term,
    term_from_date_expr,
    term_index_expr,
    term_seq,
    terms_between,
)

HT2024 = Term(2024, "HT")
VT2025 = Term(2025, "VT")
ST2025 = Term(2025, "ST")

SPELLINGS = [
    ("HT2024", HT2024),
    ("HT 24", HT2024),
    ("ht-2024", HT2024),
    ("Höst 2024", HT2024),
    ("höstterminen 2024", HT2024),
    ("Hösttermin 2024", HT2024),
    ("Host 2024", HT2024),
    ("2024H", HT2024),
    ("2024HT", HT2024),
    ("2024 ht", HT2024),
    ("Autumn 2024", HT2024),
    ("fall 2024", HT2024),
    ("20242", HT2024),
    ("  HT2024\u00a0", HT2024),
    ("VT2025", VT2025),
    ("Vår 2025", VT2025),
    ("vårterminen 2025", VT2025),
    ("VT25", VT2025),
    ("2025V", VT2025),
    ("Spring 2025", VT2025),
    ("20251", VT2025),
    ("ST2025", ST2025),
    ("Sommar 2025", ST2025),
    ("2025S", ST2025),
    ("Summer 2025", ST2025),
    ("VT70", Term(1970, "VT")),
    ("HT69", Term(2069, "HT")),
    ("HT00", Term(2000, "HT")),
    ("2024-09-02", HT2024),
    ("2024-09-02 00:00:00", HT2024),
    ("2024-09-02T10:00", HT2024),
    ("2025-03-15", VT2025),
    ("2025-07-20", ST2025),
    ("2024-08-15", HT2024),
    ("2025-08-14", ST2025),
    ("2025-06-30", VT2025),
    ("2025-07-01", ST2025),
    ("2024-12-31", HT2024),
    ("2025-01-01", VT2025),
]


@pytest.mark.parametrize(("text", "expected"), SPELLINGS)
def test_parse_term_accepts_every_documented_spelling(text: str, expected: Term) -> None:
    assert parse_term(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "  ", "HT", "2024", "HT2024x", "XT2024", "HT 202", "20243", "20240", "HT1899",
     "VT2100", "2024-02-30", "2024-13-01", "2024-09-02 junk", "Höst", "HT-2024-25"],
)
def test_parse_term_rejects_non_terms(text: str) -> None:
    with pytest.raises(InvalidTerm):
        parse_term(text)


def test_invalid_term_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_term("nonsense")


def test_parse_term_takes_dates_and_datetimes() -> None:
    assert parse_term(date(2024, 9, 2)) == HT2024
    assert parse_term(datetime(2025, 2, 1, 12, 30)) == VT2025


def test_parse_term_refuses_other_types() -> None:
    with pytest.raises(TypeError):
        parse_term(20242)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("year", "season"), [(2024, "XT"), (2024, "ht"), (1899, "HT"), (2100, "VT")]
)
def test_term_rejects_bad_fields(year: int, season: str) -> None:
    with pytest.raises(InvalidTerm):
        Term(year, season)


def test_term_properties() -> None:
    assert str(HT2024) == "HT2024"
    assert (HT2024.seq, VT2025.seq, ST2025.seq) == (20243, 20251, 20252)
    assert HT2024.academic_year == VT2025.academic_year == ST2025.academic_year == "2024/25"
    assert Term(1999, "HT").academic_year == "1999/00"
    assert Term(2000, "VT").academic_year == "1999/00"
    assert (VT2025.start_date, VT2025.end_date) == (date(2025, 1, 1), date(2025, 6, 30))
    assert (ST2025.start_date, ST2025.end_date) == (date(2025, 7, 1), date(2025, 8, 14))
    assert (HT2024.start_date, HT2024.end_date) == (date(2024, 8, 15), date(2024, 12, 31))
    assert not ST2025.is_regular and HT2024.is_regular


def test_terms_sort_chronologically_not_alphabetically() -> None:
    shuffled = [Term(2025, "HT"), ST2025, HT2024, VT2025, Term(2024, "VT")]
    assert [str(t) for t in sorted(shuffled)] == ["VT2024", "HT2024", "VT2025", "ST2025", "HT2025"]
    assert VT2025 < ST2025 < Term(2025, "HT")
    assert HT2024 <= HT2024 and not HT2024 > VT2025


@pytest.mark.parametrize(
    ("start", "n", "include_summer", "expected"),
    [
        ("HT2024", 1, False, "VT2025"),
        ("HT2024", 2, False, "HT2025"),
        ("HT2024", 3, False, "VT2026"),
        ("VT2025", -1, False, "HT2024"),
        ("VT2025", -2, False, "VT2024"),
        ("ST2025", 1, False, "HT2025"),
        ("ST2025", -1, False, "HT2024"),
        ("ST2025", 0, False, "ST2025"),
        ("HT2024", 1, True, "VT2025"),
        ("HT2024", 2, True, "ST2025"),
        ("HT2024", 3, True, "HT2025"),
        ("VT2025", -1, True, "HT2024"),
    ],
)
def test_add_terms(start: str, n: int, include_summer: bool, expected: str) -> None:
    assert str(add_terms(parse_term(start), n, include_summer=include_summer)) == expected


@pytest.mark.parametrize(
    ("a", "b", "include_summer", "expected"),
    [
        ("HT2024", "VT2026", False, 3),
        ("VT2026", "HT2024", False, -3),
        ("HT2024", "HT2024", False, 0),
        ("VT2025", "ST2025", False, 0),
        ("HT2024", "ST2025", False, 1),
        ("ST2025", "HT2025", False, 1),
        ("HT2024", "VT2026", True, 4),
        ("VT2025", "ST2025", True, 1),
    ],
)
def test_terms_between(a: str, b: str, include_summer: bool, expected: int) -> None:
    assert terms_between(parse_term(a), parse_term(b), include_summer=include_summer) == expected


def test_add_terms_beyond_supported_years_raises() -> None:
    with pytest.raises(InvalidTerm):
        add_terms(Term(2099, "HT"), 1)


# --- properties ----------------------------------------------------------------------

terms = st.builds(Term, st.integers(1970, 2069), st.sampled_from(["VT", "ST", "HT"]))
regular_terms = st.builds(Term, st.integers(1970, 2069), st.sampled_from(["VT", "HT"]))

WORDS = {
    "VT": ["VT", "Vår", "vårtermin", "Vårterminen", "var", "Spring", "V"],
    "ST": ["ST", "Sommar", "sommarterminen", "Summer", "S"],
    "HT": ["HT", "Höst", "Hösttermin", "höstterminen", "Host", "Autumn", "Fall", "H"],
}


def spellings(term: Term) -> list[str]:
    """Every way the contract allows this term to be written."""
    y, yy = term.year, f"{term.year % 100:02d}"
    out = [str(term), f"{term.season} {yy}", f"{term.season.lower()}-{y}", f"{y}{term.season}",
           f"{y}{term.season[0]}", f"{term.season}{yy}", term.start_date.isoformat(),
           term.end_date.isoformat(), f"{term.start_date.isoformat()} 00:00:00"]
    for word in WORDS[term.season]:
        out += [f"{word} {y}", f"{word.upper()} {y}", f"{y} {word}"]
    if term.is_regular:
        out.append(f"{y}{1 if term.season == 'VT' else 2}")
    return out


@given(terms)
def test_every_spelling_parses_back(term: Term) -> None:
    for text in spellings(term):
        assert parse_term(text) == term, text


@given(terms, st.integers(-30, 30), st.booleans())
def test_terms_between_counts_the_steps_of_add_terms(a: Term, n: int, summer: bool) -> None:
    assert terms_between(a, add_terms(a, n, summer), summer) == n


@given(regular_terms, regular_terms)
def test_add_terms_reaches_b_after_terms_between_steps(a: Term, b: Term) -> None:
    assert add_terms(a, terms_between(a, b)) == b


@given(terms, terms)
def test_counting_with_summer_is_exact_and_antisymmetric(a: Term, b: Term) -> None:
    n = terms_between(a, b, include_summer=True)
    assert add_terms(a, n, include_summer=True) == b
    assert terms_between(b, a, include_summer=True) == -n
    assert (n > 0) == (a < b)


@given(terms, terms)
def test_order_follows_seq(a: Term, b: Term) -> None:
    assert (a < b) == (a.seq < b.seq)
    assert (a == b) == (a.seq == b.seq)


@given(st.dates(date(1900, 1, 1), date(2099, 12, 31)))
def test_date_lies_within_its_term(day: date) -> None:
    term = Term.from_date(day)
    assert term.start_date <= day <= term.end_date


@given(terms)
def test_terms_tile_the_calendar(term: Term) -> None:
    following = add_terms(term, 1, include_summer=True)
    assert following.start_date == term.end_date + timedelta(days=1)


@given(st.text(max_size=25))
def test_arbitrary_text_is_a_term_or_invalid_term(text: str) -> None:
    try:
        term = parse_term(text)
    except InvalidTerm:
        return
    assert parse_term(str(term)) == term


# --- vectorised forms ----------------------------------------------------------------

def scalar_canonical(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return str(parse_term(text))
    except InvalidTerm:
        return None


texts = st.one_of(
    st.none(),
    st.text(max_size=12),
    terms.flatmap(lambda t: st.sampled_from(spellings(t))),
)


@given(st.lists(texts, max_size=30))
def test_normalise_terms_equals_scalar_parse(raw: list[str | None]) -> None:
    out = normalise_terms(pl.Series("term", raw, dtype=pl.String))
    assert out.name == "term" and out.dtype == pl.String
    assert out.to_list() == [scalar_canonical(t) for t in raw]


def test_normalise_terms_hand_checked() -> None:
    raw = pl.Series("term", ["Höst 2024", "20251", "VT25", "junk", None, "ST2025"])
    expected = pl.Series("term", ["HT2024", "VT2025", "VT2025", None, None, "ST2025"])
    assert_series_equal(normalise_terms(raw), expected)


def test_normalise_terms_reads_ladok_codes_stored_as_integers() -> None:
    out = normalise_terms(pl.Series("term", [20242, 20241, 20243, None]))
    assert out.to_list() == ["HT2024", "VT2024", None, None]


def test_normalise_terms_reads_categoricals() -> None:
    out = normalise_terms(pl.Series("term", ["Höst 2024", "x"], dtype=pl.Categorical))
    assert out.to_list() == ["HT2024", None]


def test_normalise_terms_maps_date_columns_by_the_date_rule() -> None:
    days = [date(2024, 6, 30), date(2024, 7, 1), date(2024, 8, 14), date(2024, 8, 15), None]
    assert normalise_terms(pl.Series("d", days)).to_list() == [
        "VT2024", "ST2024", "ST2024", "HT2024", None,
    ]
    stamps = pl.Series("d", [datetime(2025, 1, 20, 9, 0)])
    assert normalise_terms(stamps).to_list() == ["VT2025"]


def test_normalise_terms_refuses_float_columns() -> None:
    with pytest.raises(TypeError):
        normalise_terms(pl.Series("term", [2024.5]))


@given(st.lists(st.dates(date(1890, 1, 1), date(2110, 12, 31)), max_size=30))
def test_term_from_date_expr_equals_scalar_rule(days: list[date]) -> None:
    out = pl.DataFrame({"d": days}, schema={"d": pl.Date}).select(term_from_date_expr("d"))
    expected = [str(Term.from_date(d)) if 1900 <= d.year <= 2099 else None for d in days]
    assert out.to_series().to_list() == expected


@given(st.lists(terms, max_size=30))
def test_expressions_match_term_properties(ts: list[Term]) -> None:
    frame = pl.DataFrame({"term": [str(t) for t in ts]}, schema={"term": pl.String})
    out = frame.select(
        term_seq("term").alias("seq"),
        academic_year_expr(pl.col("term")).alias("ay"),
        term_index_expr("term").alias("regular"),
        term_index_expr("term", include_summer=True).alias("all"),
    )
    assert out["seq"].to_list() == [t.seq for t in ts]
    assert out["ay"].to_list() == [t.academic_year for t in ts]
    if ts:
        first = ts[0]
        assert [i - out["regular"][0] for i in out["regular"]] == [
            terms_between(first, t) for t in ts
        ]
        assert [i - out["all"][0] for i in out["all"]] == [
            terms_between(first, t, include_summer=True) for t in ts
        ]


def test_expressions_are_null_for_non_canonical_strings() -> None:
    frame = pl.DataFrame({"term": ["HT2024", "ht2024", "Höst 2024", "XT2024", "HT20x4", None]})
    out = frame.select(
        term_seq("term").alias("seq"),
        academic_year_expr("term").alias("ay"),
        term_index_expr("term").alias("i"),
    )
    assert out["seq"].to_list() == [20243, None, None, None, None, None]
    assert out["ay"].to_list() == ["2024/25", None, None, None, None, None]
    assert out["i"].to_list() == [2024 * 2 + 1, None, None, None, None, None]


def test_term_seq_sorts_a_column_chronologically() -> None:
    frame = pl.DataFrame({"term": ["HT2024", "VT2025", "ST2024", "VT2024"]})
    assert frame.sort(term_seq("term"))["term"].to_list() == ["VT2024", "ST2024", "HT2024", "VT2025"]
