"""The schemas (lcanalysis.schemas): what they refuse, and pandera loaded without pandas."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lcanalysis import schemas
from lcanalysis.schemas import ContractViolation
from tests.fixtures.examples import examples

PERSON = "a" * 32


def persons(**changes) -> pl.DataFrame:
    row = {
        "person_id": PERSON,
        "birth_year": 1990,
        "legal_sex": "F",
        "id_kind": "personnummer",
        "home_municipality_code": "2281",
        "parental_education": "upper_secondary_3y",
        "first_generation": True,
        "foreign_background": False,
        "employed": None,
    } | changes
    return pl.DataFrame(
        [row],
        schema={
            "person_id": pl.Utf8, "birth_year": pl.Int32, "legal_sex": pl.Utf8,
            "id_kind": pl.Utf8, "home_municipality_code": pl.Utf8,
            "parental_education": pl.Utf8, "first_generation": pl.Boolean,
            "foreign_background": pl.Boolean, "employed": pl.Boolean,
        },
    )


def test_a_valid_table_passes_unchanged() -> None:
    frame = persons()
    assert schemas.validate("persons", frame).equals(frame)


def test_every_failure_is_listed_at_once_without_the_values() -> None:
    bad = pl.concat([persons(), persons(birth_year=1800, home_municipality_code="180")])
    with pytest.raises(ContractViolation) as caught:
        schemas.validate("persons", bad)
    message = str(caught.value)
    assert "birth_year: in_range(1900, 2030) fails on 1 row(s)" in message
    assert "home_municipality_code" in message
    assert "unique(person_id) fails on 2 row(s)" in message  # the repeated key
    assert PERSON not in message


def test_pandera_is_loaded_as_a_polars_only_install_in_a_fresh_process() -> None:
    # What `lcanalysis clean` gets: validation works and catches a broken table, and
    # neither the import nor the first validation loads pandas, numpy or hypothesis
    # (1.5 + 1 + 0.3 s saved); they stay importable afterwards.
    code = textwrap.dedent(
        """
        import sys
        import polars as pl
        from lcanalysis import schemas
        frame = pl.DataFrame({"municipality_code": ["0180"], "year": [1800]},
                             schema={"municipality_code": pl.Utf8, "year": pl.Int32})
        try:
            schemas.validate("municipal_stats", frame)
        except schemas.ContractViolation as err:
            assert "year: in_range(1990, 2100)" in str(err), err
        else:
            raise AssertionError("not refused")
        loaded = [m for m in ("pandas", "numpy", "hypothesis") if m in sys.modules]
        assert not loaded, loaded
        import pandas
        print("ok", pandas.__name__)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ok", "pandas"]


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.tuples(st.sampled_from([PERSON, "b" * 32]), st.sampled_from(["SF1625", None]),
                          st.sampled_from([date(2025, 1, 1), date(2025, 2, 1)])), max_size=8))
def test_the_unique_key_check_flags_exactly_the_repeated_rows(keys):
    # activities' key (person_id, activity_type, date, course_code) has a nullable
    # column: two nulls count as equal, as in polars' is_duplicated.
    frame = pl.DataFrame(
        {
            "person_id": [k[0] for k in keys],
            "activity_type": ["lab_session"] * len(keys),
            "date": [k[2] for k in keys],
            "course_code": [k[1] for k in keys],
            "host_org": [None] * len(keys),
            "host_municipality_code": [None] * len(keys),
            "hours": [None] * len(keys),
            "completed": [None] * len(keys),
        },
        schema={"person_id": pl.Utf8, "activity_type": pl.Utf8, "date": pl.Date,
                "course_code": pl.Utf8, "host_org": pl.Utf8, "host_municipality_code": pl.Utf8,
                "hours": pl.Float64, "completed": pl.Boolean},
    )
    repeated = int(frame.select(schemas.unique_key("activities")).is_duplicated().sum())
    if repeated:
        with pytest.raises(ContractViolation, match=rf"unique\(person_id, activity_type, date, course_code\) fails on {repeated} row"):
            schemas.validate("activities", frame)
    else:
        assert schemas.validate("activities", frame).equals(frame)
