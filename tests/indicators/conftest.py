"""A hand-made cohort of ten people shared by the indicator tests.

Learning-centre route: p01, p02 (Norrtälje, foundation year), p03 (Hudiksvall, shared
course then industry labs), p04 (a learning-centre registration but no participant
row), p10 (Södertälje, foundation year). Campus: p05-p09; p09 is missing from persons.
Ages at entry are worked out in the comments of the tests that use them.
"""

from __future__ import annotations

import polars as pl
import pytest

REG_COLUMNS = [
    "person_id", "term", "course_code", "credits_registered", "delivery_mode",
    "learning_centre_id", "programme_code", "programme_level",
]  # fmt: skip


def registrations_frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=REG_COLUMNS, orient="row").with_columns(
        pl.col("credits_registered").cast(pl.Float64)
    )


@pytest.fixture
def persons() -> pl.DataFrame:
    rows = [
        ("p01", 2005, "F", "upper_secondary_3y", True, False, "0188"),
        ("p02", 1995, "M", "post_secondary_3y_plus", False, False, "0188"),
        ("p03", 1988, "F", "pre_upper_secondary", True, True, "2184"),
        ("p04", 2000, "M", "unknown", None, None, "2184"),
        ("p05", 2004, "F", "post_secondary_3y_plus", False, False, "0180"),
        ("p06", 2005, "M", "post_secondary_lt_3y", True, False, "0180"),
        ("p07", 2003, "M", "doctoral", False, True, "1480"),
        ("p08", 1998, "F", "upper_secondary_max_2y", True, False, "2184"),
        ("p10", 2006, "M", "upper_secondary_3y", True, False, "0181"),
    ]
    return pl.DataFrame(
        rows,
        schema=[
            "person_id", "birth_year", "legal_sex", "parental_education",
            "first_generation", "foreign_background", "home_municipality_code",
        ],
        orient="row",
    ).with_columns(
        pl.col("birth_year").cast(pl.Int32),
        pl.lit("personnummer").alias("id_kind"),
        # Survey answer "in work while studying": p05 yes, p06 no, p02 no (the
        # participant list, which says yes, takes precedence); others unknown.
        pl.col("person_id").replace_strict(
            {"p05": True, "p06": False, "p02": False}, default=None, return_dtype=pl.Boolean
        ).alias("employed"),
    )


@pytest.fixture
def participants() -> pl.DataFrame:
    rows = [
        ("p01", "norrtalje", "foundation_year", "HT2024", False, None),
        ("p02", "norrtalje", "foundation_year", "HT2024", True, "0188"),
        ("p03", "hudiksvall", "industry_labs", "VT2025", True, "2184"),
        ("p03", "hudiksvall", "shared_course", "HT2024", False, "2184"),
        ("p10", "sodertalje", "foundation_year", "HT2024", None, None),
    ]
    return pl.DataFrame(
        rows,
        schema=[
            "person_id", "learning_centre_id", "strand", "start_term", "employed",
            "employer_municipality_code",
        ],
        orient="row",
    )  # fmt: skip


@pytest.fixture
def registrations() -> pl.DataFrame:
    lc, cp, dist = "learning_centre", "campus", "distance"
    return registrations_frame(
        [
            ("p01", "HT2024", "SF0001", 15, lc, "norrtalje", "TBASD", "foundation_year"),
            ("p01", "HT2024", "SF0002", 15, lc, "norrtalje", "TBASD", "foundation_year"),
            ("p01", "VT2025", "SF0003", 30, lc, "norrtalje", "TBASD", "foundation_year"),
            ("p01", "HT2025", "IX1001", 7.5, cp, None, "TIELA", "bachelor_eng"),
            ("p02", "HT2024", "SF0001", 15, lc, "norrtalje", "TBASD", "foundation_year"),
            ("p02", "VT2025", "SF0003", 30, lc, "norrtalje", "TBASD", "foundation_year"),
            ("p03", "HT2024", "DD1000", 7.5, lc, "hudiksvall", None, "single_course"),
            ("p04", "VT2024", "DD1000", 7.5, lc, "hudiksvall", None, "single_course"),
            ("p04", "HT2024", "DD1001", 7.5, dist, None, None, "single_course"),
            ("p05", "HT2024", "SF0001", 15, cp, None, "TBASA", "foundation_year"),
            ("p06", "HT2024", "SF1625", 7.5, cp, None, None, "single_course"),
            ("p06", "HT2024", "IX1001", 7.5, cp, None, "TIELA", "bachelor_eng"),
            ("p07", "HT2024", "CD1000", 7.5, cp, None, "CDATE", "msc_eng"),
            ("p08", "VT2025", "DD1000", 7.5, dist, None, None, "single_course"),
            ("p09", "HT2024", "SF0001", 15, cp, None, "TBASA", "foundation_year"),
            ("p10", "HT2024", "SF0001", 15, lc, "sodertalje", "TBASD", "foundation_year"),
        ]
    )
