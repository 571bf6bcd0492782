"""The data-quality appendix in words: sources, quarantine reasons, processed tables
and their columns as the reader says them, in the run's language, never as codes."""

from __future__ import annotations

import re

import polars as pl
import pytest

from lcanalysis import quality, schemas
from lcanalysis.clean.rules import REASONS
from lcanalysis.plots.labels import label
from lcanalysis.report.reading import html_table
from lcanalysis.report.tables import render_html_table
from lcanalysis.sources import SOURCES

CODE_NAME = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")

REPORT = {"files": [
    {"source": "registrations", "file": "registrations/ladok_2024.csv", "rows_in": 10, "rows_out": 7,
     "duplicates": 1, "quarantined": {"invalid_personal_number": 1, "invalid_credits": 1}, "warnings": []},
    {"source": "municipal_stats", "file": "municipal_stats/scb.csv", "rows_in": 5, "rows_out": 3,
     "duplicates": 0, "quarantined": {"aggregate_region": 2}, "warnings": []},
]}


class _Dataset:
    """The two tables completeness reads, one column of each partly empty."""

    tables = {"followups": pl.DataFrame({"person_id": ["a", "b", "c", "d"],
                                         "work_municipality_code": ["0180", None, "2161", None]}),
              "participants": pl.DataFrame({"employer_municipality_code": [None, "0180", "0180", "0180"]})}

    def has(self, name):
        return name in self.tables

    def table(self, name):
        return self.tables[name]


def _texts(frame: pl.DataFrame, lang: str) -> tuple[list[str], list[list[str]]]:
    table = html_table(render_html_table(frame, lang=lang, caption="c"), lang=lang, number=1)
    return table.header, table.rows


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_quarantine_reasons_and_sources_are_words(lang):
    header, rows = _texts(quality.quarantine_reasons(REPORT), lang)
    expected = {"sv": (["Källa", "Orsak", "Rader"],
                       [["SCB:s kommunstatistik", "summeringsregion (riket, län)", "2"],
                        ["Ladok: kursregistreringar", "ogiltigt antal högskolepoäng", "1"],
                        ["Ladok: kursregistreringar", "ogiltigt personnummer", "1"]]),
                "en": (["Source", "Reason", "Rows"],
                       [["Statistics Sweden's municipal statistics", "aggregate region (country, county)", "2"],
                        ["Ladok: course registrations", "invalid credits", "1"],
                        ["Ladok: course registrations", "invalid personal identity number", "1"]])}
    assert (header, rows) == expected[lang]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_completeness_names_tables_and_columns_in_words_with_shares_in_per_cent(lang):
    frame = quality.completeness(_Dataset(), ["followups", "participants"])
    header, rows = _texts(frame.filter(frame["share_filled"] < 1), lang)
    if lang == "sv":
        assert header == ["Tabell", "Kolumn", "Rader", "Ifyllda", "Andel ifyllda"]
        assert rows == [["Uppföljningar", "Arbetskommun", "4", "2", "50,0\u00a0%"],
                        ["Deltagare", "Arbetsgivarens kommun", "4", "3", "75,0\u00a0%"]]
    else:
        assert rows[0] == ["Follow-ups", "Municipality of work", "4", "2", "50.0%"]
    accounting_header, accounting_rows = _texts(quality.accounting(REPORT), lang)
    for text in [*header, *accounting_header, *(c for r in rows + accounting_rows for c in r[:1])]:
        assert not CODE_NAME.search(text), text


def test_every_code_the_appendix_can_show_has_words_in_both_languages():
    keys = ([f"reason.{r}" for r in REASONS] + [f"source.{s}" for s in SOURCES]
            + [f"processed_table.{t}" for t in schemas.TABLES]
            + [f"column.{c}" for t in schemas.TABLES for c in schemas.SCHEMAS[t].columns]
            + [f"column.{c}" for c in ("processed_table", "column", "rows", "filled", "share_filled",
                                       "source", "reason", "file", "rows_in", "rows_out", "duplicates",
                                       "quarantined")])
    for lang in ("sv", "en"):
        words = {key: label(key, lang) for key in keys}
        assert not [w for w in words.values() if CODE_NAME.search(w)]
