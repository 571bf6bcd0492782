"""A small header specification shared by the ingest tests (independent of config/)."""

from __future__ import annotations

import re

import pytest

from lcanalysis.ingest.columns import SourceColumns


@pytest.fixture
def registrations() -> SourceColumns:
    return SourceColumns(
        source="registrations",
        aliases={
            "personal_number": ("personnummer", "pnr"),
            "course_code": ("kurskod", "course code"),
            "term": ("termin",),
            "credits_registered": ("registrerade hp", "hp"),
            "learning_centre": ("lärcentrum",),
        },
        required=("personal_number", "course_code", "term", "credits_registered"),
    )


@pytest.fixture
def survey() -> SourceColumns:
    return SourceColumns(
        source="survey",
        aliases={"personal_number": ("personnummer",), "survey_term": ("enkätomgång",)},
        required=("personal_number", "survey_term"),
        item_pattern=re.compile(r"^\s*((?:f|q|fråga)\s*\d+)\b", re.IGNORECASE),
    )
