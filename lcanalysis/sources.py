"""The raw sources: one declaration per source, and the layouts its files arrive in.

Everything that needs to know what a raw source is reads :data:`SOURCES`: the
raw-folder rule (:func:`lcanalysis.paths.resolve_raw_dir`), reading (the file endings
a source folder may hold, the header layouts: :mod:`lcanalysis.ingest.read`),
cleaning (the column rules, the finishing step, the key of the duplicate check, the
processed table: :mod:`lcanalysis.clean`), ``Dataset`` (which raw folder fills a
table), ``lcanalysis inspect`` and its ``--source``, and the demo world's exports.
docs/data-contract.md's table of raw sources and of export layouts is tested against
these declarations (tests/clean/test_registry.py), so the two cannot drift.

A source's functions (rules, finishing step, ...) are named as ``"module:function"``
and imported when cleaning needs them, so this module imports nothing heavy and
``paths`` and ``ingest`` can read it.

Adding a source: one :class:`Source` here, its rules (and finishing step) in
lcanalysis/clean/sources.py, its header aliases in config/columns.yaml, its table's
schema in lcanalysis/schemas.py. Adding a layout: one :class:`Layout`, named in its
source's ``layouts``, plus the layout's headers in config/columns.yaml.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass

ROW_SUFFIXES = frozenset({".csv", ".txt", ".tsv", ".xlsx"})
"""File endings read as rows of a source (compared case-insensitively)."""

SCB_SUFFIXES = ROW_SUFFIXES | {".px", ".json"}
"""File endings of SCB statistical-database downloads: also PX and JSON (-stat)."""


@dataclass(frozen=True)
class Layout:
    """A way a source's files arrive that the reader must know: the rows of the header.

    A file is read in the first of its source's layouts whose rows are there (the
    marker row's cells all match ``marker``; without a marker, the variable names
    are identifiers, as many as the headers), else with one header row.

    Attributes
    ----------
    name:
        Short name, shown by ``lcanalysis inspect`` and in docs/data-contract.md's
        table of export layouts.
    description:
        What the export is and its header rows.
    texts_row:
        Index, within the header rows, of the row whose cells are the headers
        (question texts in a survey tool).
    names_row:
        Index of a row of variable names (Qualtrics ``Q1``, ``Q3_1``), tried for a
        column whose text means nothing; ``None`` if the layout has none.
    marker_row, marker:
        Index of a row every non-blank cell of which matches the regular expression
        ``marker`` (Qualtrics' ``{"ImportId": ...}``). With a marker the first
        header row found may be the names or the texts row.
    free_text_marker:
        A marker cell matching this expression marks a free-text answer: its column
        is dropped at reading as free text (it may hold names), never read as an
        item. ``None``: no such marker.
    reading:
        The warning that says the file was read in this layout.
    without_person:
        What to do when a file of this layout has no identity-number column,
        appended to the missing-column message.
    """

    name: str
    description: str
    texts_row: int
    names_row: int | None = None
    marker_row: int | None = None
    marker: str | None = None
    free_text_marker: str | None = None
    reading: str = ""
    without_person: str = ""

    @property
    def rows(self) -> int:
        """How many rows the header takes."""
        return 1 + max(r for r in (self.texts_row, self.names_row, self.marker_row) if r is not None)

    def marks(self, cells: list[str]) -> bool:
        """Whether ``cells`` are this layout's marker row."""
        filled = [c for c in cells if c.strip()]
        return self.marker is not None and bool(filled) and all(re.match(self.marker, c) for c in filled)


QUALTRICS = Layout(
    name="qualtrics",
    description="Qualtrics CSV export (current): variable names (StartDate ... RecordedDate, "
    "ResponseId ... Q1, Q3_1), question texts in the respondent's language, then a row of "
    '{"ImportId": ...} cells; recorded dates as 2024-11-05 14:03:11',
    names_row=0,
    texts_row=1,
    marker_row=2,
    marker=r'^\s*\{\s*"ImportId"',
    # QID2_TEXT (a text entry), QID3_4_TEXT ("other, please specify") and Text iQ's
    # QID2_TEXT_<id>Topics (topics read from the text).
    free_text_marker=r'^\s*\{\s*"ImportId"\s*:\s*"QID\d+(?:_\d+)*_TEXT',
    reading="Qualtrics export: names, question texts and ImportId rows read as the header",
    without_person="a Qualtrics export holds the identity number only as a question or an "
    "embedded-data field of the survey (its ResponseId and ExternalReference are not one): add "
    "a Personnummer field to the survey flow, or join the responses to one by the contact "
    "list, and export again",
)

QUALTRICS_LEGACY = Layout(
    name="qualtrics_legacy",
    description="Qualtrics CSV export (legacy): a byte-order mark, V1 ... V10, Q1 ... above "
    "the texts, a trailing comma on every line",
    names_row=0,
    texts_row=1,
    reading="two header rows (variable names above question texts, Qualtrics legacy) read as the header",
    without_person=QUALTRICS.without_person,
)


@dataclass(frozen=True)
class Source:
    """One raw source: a folder of exports under data/raw/ and the table it feeds.

    Attributes
    ----------
    name:
        The source, also its folder (data/raw/<name>/) and its entry in
        config/columns.yaml.
    table:
        The processed table it feeds (lcanalysis/schemas.py).
    description:
        What the exports are, as in docs/data-contract.md's table of raw sources.
    rules:
        ``"module:function"``: ``(lookups, identified, item_columns) -> list[Rule]``,
        the column rules, the identity-number rule first.
    finish:
        ``"module:function"``: ``(frame, lookups) -> frame``, columns derived from
        several raw columns on the rows that passed every rule; ``None``: none.
    key:
        The key of the duplicate check when a source's rows are not its table's
        rows (see ``to_table``); ``None``: the table's unique key.
    to_table:
        ``"module:function"``: ``(rows, item_columns) -> (table, background)`` for a
        source whose cleaned rows are reshaped into its table (the wide survey: one
        row per answer, one table row per item); ``background`` is what the rows
        say about each person (for persons) or ``None``. A source with ``to_table``
        compares the columns its rules make in the duplicate check.
    cleaner:
        ``"module:function"``: ``(files, raw_dir) -> SourceResult``, a whole-source
        cleaner instead of rules, for exports that are not rows of people (SCB
        tables); ``None``: the rule-driven cleaner.
    inspector:
        ``"module:function"``: ``(path, inspection) -> None`` for
        ``lcanalysis inspect`` of a source with its own cleaner.
    suffixes:
        File endings read in the source's folder.
    layouts:
        Header layouts tried before the single header row, in order.
    """

    name: str
    table: str
    description: str
    rules: str | None = None
    finish: str | None = None
    key: tuple[str, ...] | None = None
    to_table: str | None = None
    cleaner: str | None = None
    inspector: str | None = None
    suffixes: frozenset[str] = ROW_SUFFIXES
    layouts: tuple[Layout, ...] = ()

    def __post_init__(self) -> None:
        if (self.rules is None) == (self.cleaner is None):
            raise ValueError(f"source {self.name!r}: give either rules or a cleaner")
        if self.to_table is not None and self.key is None:
            raise ValueError(f"source {self.name!r}: a source reshaped by to_table needs a key")
        if self.cleaner is not None and self.inspector is None:
            raise ValueError(f"source {self.name!r}: a source with its own cleaner needs an inspector")

    @property
    def folder(self) -> str:
        """Its folder under data/raw/."""
        return self.name

    def function(self, role: str) -> Callable | None:
        """The function named in field ``role`` (``rules``, ``finish`` ...), imported."""
        ref = getattr(self, role)
        if ref is None:
            return None
        module, _, name = ref.partition(":")
        return getattr(importlib.import_module(module), name)


_RULES = "lcanalysis.clean.sources"

SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        Source(
            "registrations", "registrations", "Ladok course registrations",
            rules=f"{_RULES}:registrations_rules", finish=f"{_RULES}:registrations_finish",
        ),
        Source(
            "results", "results", "Ladok passed examinations",
            rules=f"{_RULES}:results_rules", finish=f"{_RULES}:results_finish",
        ),
        Source(
            "applications", "applications", "admissions",
            rules=f"{_RULES}:applications_rules", finish=f"{_RULES}:with_programme_level",
        ),
        Source(
            "participants", "participants", "one file per learning centre",
            rules=f"{_RULES}:participants_rules",
        ),
        Source(
            "survey", "survey_responses", "wide: one row per answer, one column per item",
            rules=f"{_RULES}:survey_rules", finish=f"{_RULES}:survey_finish",
            key=("person_id", "survey_term"), to_table=f"{_RULES}:survey_responses",
            layouts=(QUALTRICS, QUALTRICS_LEGACY),
        ),
        Source(
            "followups", "followups", "where former students live and work",
            rules=f"{_RULES}:followups_rules",
        ),
        Source(
            "activities", "activities", "learning-centre activities: labs, internships, visits",
            rules=f"{_RULES}:activities_rules",
        ),
        Source(
            "municipal_stats", "municipal_stats", "SCB statistical database",
            cleaner="lcanalysis.clean:clean_municipal_stats",
            inspector="lcanalysis.inspect:inspect_scb_table",
            suffixes=SCB_SUFFIXES,
        ),
    )
}
"""Every raw source, in the order they are cleaned and reported."""


def source(name: str) -> Source:
    """The source ``name``; a KeyError names the sources there are."""
    try:
        return SOURCES[name]
    except KeyError:
        raise KeyError(f"unknown source {name!r}; the sources are {', '.join(SOURCES)}") from None


def of_table(table: str) -> Source | None:
    """The source that feeds processed table ``table`` (None for a derived table: persons)."""
    return next((s for s in SOURCES.values() if s.table == table), None)
