"""Translations and Swedish/English number formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lcanalysis.plots import labels
from lcanalysis.plots.labels import (
    MINUS,
    NBSP,
    category_label,
    format_n,
    format_number,
    format_percent,
    label,
    number_formatter,
    percent_formatter,
)

DOMAINS = {
    "route": ["learning_centre", "campus"],
    "strand": ["industry_labs", "foundation_year", "shared_course"],
    "programme_level": ["foundation_year", "bachelor_eng", "msc_eng", "contract_education", "single_course"],
    "parental_education": ["pre_upper_secondary", "upper_secondary_max_2y", "upper_secondary_3y",
                           "post_secondary_lt_3y", "post_secondary_3y_plus", "doctoral", "unknown"],
    "faggian_type": ["non_migrant", "late_migrant", "return_migrant", "university_stayer", "repeat_migrant"],
    "skr_group": ["A1", "A2", "B3", "B4", "B5", "C6", "C7", "C8", "C9"],
    "age_band": ["0_18", "19_24", "25_34", "35_44", "45_64", "65_plus"],
    "admission_status": ["admitted", "reserve", "not_admitted", "declined", "withdrawn"],
    "suppression_reason": ["small_count", "small_denominator", "low", "DPL", "DPH", "small_population",
                           "secondary"],
}


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_domain_code_has_distinct_sv_and_en_text(domain):
    for code in DOMAINS[domain]:
        assert category_label(domain, code, "sv") and category_label(domain, code, "en")
    sv = [category_label(domain, c, "sv") for c in DOMAINS[domain]]
    assert len(set(sv)) == len(sv), "two codes share one Swedish label"


def test_table_has_both_languages_for_every_key():
    raw = json.loads((Path(labels.__file__).parent / "labels.json").read_text("utf-8"))
    incomplete = [k for k, v in raw.items() if set(v) != {"sv", "en"} or not all(v.values())]
    assert incomplete == []


def test_missing_label_names_key_and_language():
    with pytest.raises(KeyError, match=r"'axis\.nonexistent'.*'sv'"):
        label("axis.nonexistent", "sv")
    with pytest.raises(KeyError, match=r"faggian_type\.tourist"):
        category_label("faggian_type", "tourist", "en")


def test_free_text_domain_passes_through_and_bad_language_is_refused():
    assert category_label("learning_centre_name", "Lärcentrum Sveg", "sv") == "Lärcentrum Sveg"
    with pytest.raises(ValueError, match="unsupported language 'de'"):
        label("route.campus", "de")


@pytest.mark.parametrize(
    ("x", "lang", "decimals", "expected"),
    [
        (12345.6, "sv", 1, f"12{NBSP}345,6"),
        (12345.6, "en", 1, "12,345.6"),
        (1234567, "sv", 0, f"1{NBSP}234{NBSP}567"),
        (-3.25, "sv", 1, f"{MINUS}3,2"),
        (-0.04, "en", 1, "0.0"),
        (999.96, "en", 1, "1,000.0"),
    ],
)
def test_format_number(x, lang, decimals, expected):
    assert format_number(x, lang, decimals) == expected


def test_format_percent_and_n():
    assert format_percent(0.452, "sv", 1) == f"45,2{NBSP}%"
    assert format_percent(0.452, "en", 1) == "45.2%"
    assert format_n(1234, "sv") == f"n{NBSP}={NBSP}1{NBSP}234"


def test_tick_formatters():
    assert percent_formatter("sv")(0.25, 0) == f"25{NBSP}%"
    assert percent_formatter("en", absolute=True)(-0.5, 0) == "50%"
    assert number_formatter("sv", 0, scale=100)(0.05, 0) == "5"


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(0, 3))
def test_swedish_number_reads_back(x, decimals):
    text = format_number(x, "sv", decimals)
    back = float(text.replace(NBSP, "").replace(",", ".").replace(MINUS, "-"))
    assert back == pytest.approx(round(x, decimals), abs=10**-decimals)
    assert "." not in text
