"""The data contract in code: a pandera (polars) schema per processed table.

Each schema fixes the columns, their types and allowed values, and the table's
unique key (DESIGN.md section 3, docs/data-contract.md). ``lcanalysis.clean``
validates every table with :func:`validate` before writing it, and
``lcanalysis.dataset`` validates again when a notebook loads it, so a duplicated
person or a stray identity number cannot slip through either boundary.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import polars as pl

from lcanalysis.errors import LcanalysisError
from lcanalysis.values import repeated

if TYPE_CHECKING:
    import pandera.polars as pa

PERSON_ID_PATTERN = r"^[0-9a-f]{32}$"
TERM_PATTERN = r"^(VT|ST|HT)\d{4}$"
MUNICIPALITY_PATTERN = r"^\d{4}$"

PARENTAL_EDUCATION_LEVELS = (
    "pre_upper_secondary",
    "upper_secondary_max_2y",
    "upper_secondary_3y",
    "post_secondary_lt_3y",
    "post_secondary_3y_plus",
    "doctoral",
    "unknown",
)

FIRST_GENERATION_LEVELS = (
    "pre_upper_secondary",
    "upper_secondary_max_2y",
    "upper_secondary_3y",
    "post_secondary_lt_3y",
)
"""Parental-education levels below UKÄ's threshold (>= 3 years of post-secondary):
``persons.first_generation`` is true for these, false for the other known levels and
unknown for ``unknown``."""
PROGRAMME_LEVELS = (
    "foundation_year",
    "bachelor_eng",
    "msc_eng",
    "contract_education",
    "single_course",
)
ADMISSION_STATUSES = ("admitted", "reserve", "not_admitted", "declined", "withdrawn")
DELIVERY_MODES = ("campus", "learning_centre", "distance")
STRANDS = ("industry_labs", "foundation_year", "shared_course")
ACTIVITY_TYPES = ("lab_session", "internship", "campus_visit")
MUNICIPAL_STATS_COUNTS = (
    "pop_0_18",
    "pop_19_24",
    "pop_25_34",
    "pop_35_44",
    "pop_45_64",
    "pop_65_plus",
    "pop_total",
    "pop_25_64_educated",
    "post_secondary_3y_25_64",
)
"""Person counts of municipal_stats: population by age band and in total (31 December),
the population aged 25-64 with a known education level, and those with 3+ years of
post-secondary education."""
ID_KINDS = ("personnummer", "samordningsnummer", "interim")


NOT_NEEDED_BY_PANDERA_POLARS = ("pandas", "numpy", "hypothesis")
"""Packages pandera loads when they are installed but its polars API does not use."""


class _HiddenFrom(importlib.abc.MetaPathFinder):
    """Reports some packages as not installed, to imports made by one thread only."""

    def __init__(self, thread: int, packages: tuple[str, ...]) -> None:
        self.thread = thread
        self.packages = packages

    def find_spec(self, name, path, target=None):
        if threading.get_ident() == self.thread and name.split(".")[0] in self.packages:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


@contextlib.contextmanager
def as_polars_only_install() -> Iterator[None]:
    """While inside, pandas, numpy and hypothesis look uninstalled to this thread
    (those not loaded yet). A speed trick, fenced here: the one place that changes
    how anything is imported, used once (:func:`_schemas`).

    pandera loads its pandas API whenever pandas and numpy are importable: at
    ``import pandera.polars`` (pandas and pandera's pandas engine, most of its
    import time) and again at the first validation (its check-backend registry
    looks for pandas types); and hypothesis for its data-synthesis strategies.
    Its polars API needs none of them: pandera supports installations without them
    (its GH #2387; the imports are guarded), and lcanalysis validates polars frames
    only. So pandera is imported, and its polars backends registered, as in a
    polars-only installation; the packages stay importable for everything after and
    for every other thread. In a notebook kernel, where pandas is already loaded,
    pandera takes its usual path. What it saves ``lcanalysis clean`` (a second of
    CPU time and 70 MB at 2 million rows): docs/performance.md, "Cleaning: the two
    fenced tricks"; tests/test_schemas.py checks that a fresh process validates
    without loading pandas.
    """
    hidden = tuple(p for p in NOT_NEEDED_BY_PANDERA_POLARS if p not in sys.modules)
    if "pandas" in sys.modules or not hidden:
        yield
        return
    finder = _HiddenFrom(threading.get_ident(), hidden)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def _person_id() -> pa.Column:
    import pandera.polars as pa

    return pa.Column(pl.Utf8, pa.Check.str_matches(PERSON_ID_PATTERN), nullable=False)


def _term(nullable: bool = False) -> pa.Column:
    import pandera.polars as pa

    return pa.Column(pl.Utf8, pa.Check.str_matches(TERM_PATTERN), nullable=nullable)


def _municipality(nullable: bool = True) -> pa.Column:
    import pandera.polars as pa

    return pa.Column(pl.Utf8, pa.Check.str_matches(MUNICIPALITY_PATTERN), nullable=nullable)


def _one_of(values: tuple[str, ...], nullable: bool = False) -> pa.Column:
    import pandera.polars as pa

    return pa.Column(pl.Utf8, pa.Check.isin(list(values)), nullable=nullable)


def _credits(nullable: bool = False) -> pa.Column:
    import pandera.polars as pa

    return pa.Column(pl.Float64, pa.Check.in_range(0, 60, include_min=False), nullable=nullable)


TABLES: tuple[str, ...] = (
    "persons",
    "applications",
    "registrations",
    "results",
    "participants",
    "activities",
    "survey_responses",
    "followups",
    "municipal_stats",
)
"""The processed tables, in contract order (the keys of ``SCHEMAS``)."""

_LOCK = threading.Lock()
_BUILT: dict[str, pa.DataFrameSchema] = {}


def _schemas() -> dict[str, pa.DataFrameSchema]:
    """The schemas, built on first use, which :func:`preload` lets ``lcanalysis
    clean`` do while it reads: importing pandera and registering its polars backends
    (pandera does that at the first validation: here of an empty persons table)."""
    with _LOCK:
        if not _BUILT:
            with as_polars_only_install():
                built = _build()
                persons = built["persons"]
                persons.validate(
                    pl.DataFrame(schema={n: c.dtype.type for n, c in persons.columns.items()})
                )
            _BUILT.update(built)
    return _BUILT


def preload() -> None:
    """Build the schemas now (for a background thread); errors surface on first use."""
    with contextlib.suppress(Exception):  # the caller's own use of the schemas raises it
        _schemas()


def __getattr__(name: str):
    if name == "SCHEMAS":
        return _schemas()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _build() -> dict[str, pa.DataFrameSchema]:
    import pandera.polars as pa

    schemas = {
        "persons": table_schema(
            "persons",
            {
                "person_id": _person_id(),
                "birth_year": pa.Column(pl.Int32, pa.Check.in_range(1900, 2030)),
                "legal_sex": _one_of(("F", "M"), nullable=True),
                "id_kind": _one_of(ID_KINDS),
                "home_municipality_code": _municipality(),
                "parental_education": _one_of(PARENTAL_EDUCATION_LEVELS),
                "first_generation": pa.Column(pl.Boolean, nullable=True),
                "foreign_background": pa.Column(pl.Boolean, nullable=True),
                "employed": pa.Column(pl.Boolean, nullable=True),
            },
            key=["person_id"],
        ),
        "applications": table_schema(
            "applications",
            {
                "person_id": _person_id(),
                "term": _term(),
                "programme_code": pa.Column(pl.Utf8),
                "programme_level": _one_of(PROGRAMME_LEVELS),
                "priority": pa.Column(pl.Int16, pa.Check.in_range(1, 99), nullable=True),
                "admission_status": _one_of(ADMISSION_STATUSES),
                "home_municipality_code": _municipality(nullable=False),
                "learning_centre_id": pa.Column(pl.Utf8, nullable=True),
            },
            key=["person_id", "term", "programme_code"],
        ),
        "registrations": table_schema(
            "registrations",
            {
                "person_id": _person_id(),
                "term": _term(),
                "course_code": pa.Column(pl.Utf8),
                "credits_registered": _credits(),
                "delivery_mode": _one_of(DELIVERY_MODES),
                "learning_centre_id": pa.Column(pl.Utf8, nullable=True),
                "programme_code": pa.Column(pl.Utf8, nullable=True),
                "programme_level": _one_of(PROGRAMME_LEVELS),
            },
            key=["person_id", "course_code", "term"],
        ),
        "results": table_schema(
            "results",
            {
                "person_id": _person_id(),
                "course_code": pa.Column(pl.Utf8),
                "module_code": pa.Column(pl.Utf8),
                "credits_earned": _credits(),
                "grade": pa.Column(pl.Utf8),
                "examined_on": pa.Column(pl.Date),
                "term": _term(),
            },
            key=["person_id", "course_code", "module_code", "examined_on"],
        ),
        "participants": table_schema(
            "participants",
            {
                "person_id": _person_id(),
                "learning_centre_id": pa.Column(pl.Utf8),
                "strand": _one_of(STRANDS),
                "start_term": _term(),
                "employed": pa.Column(pl.Boolean, nullable=True),
                "employer_municipality_code": _municipality(),
            },
            key=["person_id", "learning_centre_id", "strand"],
        ),
        "activities": table_schema(
            "activities",
            {
                "person_id": _person_id(),
                "activity_type": _one_of(ACTIVITY_TYPES),
                "date": pa.Column(pl.Date),
                "course_code": pa.Column(pl.Utf8, nullable=True),
                "host_org": pa.Column(pl.Utf8, nullable=True),
                "host_municipality_code": _municipality(),
                "hours": pa.Column(pl.Float64, pa.Check.in_range(0, 2000), nullable=True),
                "completed": pa.Column(pl.Boolean, nullable=True),
            },
            key=["person_id", "activity_type", "date", "course_code"],
        ),
        "survey_responses": table_schema(
            "survey_responses",
            {
                "person_id": _person_id(),
                "survey_term": _term(),
                "item": pa.Column(pl.Utf8),
                "value": pa.Column(pl.Int8, pa.Check.in_range(1, 5), nullable=True),
            },
            key=["person_id", "survey_term", "item"],
        ),
        "followups": table_schema(
            "followups",
            {
                "person_id": _person_id(),
                "observed_on": pa.Column(pl.Date),
                "residence_municipality_code": _municipality(nullable=False),
                "work_municipality_code": _municipality(),
                "employed": pa.Column(pl.Boolean, nullable=True),
            },
            key=["person_id", "observed_on"],
        ),
        "municipal_stats": table_schema(
            "municipal_stats",
            {
                "municipality_code": _municipality(nullable=False),
                "year": pa.Column(pl.Int32, pa.Check.in_range(1990, 2100)),
                **{
                    col: pa.Column(pl.Int64, pa.Check.ge(0), nullable=True)
                    for col in MUNICIPAL_STATS_COUNTS
                },
                "post_secondary_3y_share_25_64": pa.Column(
                    pl.Float64, pa.Check.in_range(0, 1), nullable=True
                ),
            },
            key=["municipality_code", "year"],
        ),
    }
    if tuple(schemas) != TABLES:
        raise AssertionError("TABLES must list the schemas in order")
    return schemas




def unique_key(table: str) -> list[str]:
    """The columns that identify one row of ``table`` (its unique key)."""
    return list(_schemas()[table].metadata["unique_key"])


def table_schema(name: str, columns: dict[str, pa.Column], *, key: list[str]) -> pa.DataFrameSchema:
    """A processed table's schema: exactly these columns, no two rows sharing ``key``
    (:func:`_unique_rows`; the key is kept in the schema's metadata for
    :func:`unique_key`). A new source's table is one such call in :func:`_build`."""
    import pandera.polars as pa

    return pa.DataFrameSchema(
        columns, checks=[_unique_rows(key)], strict=True, name=name, metadata={"unique_key": key}
    )


def _unique_rows(key: list[str]) -> pa.Check:
    """A table check: no two rows share the values of ``key``.

    What pandera's ``unique=`` checks, computed with row hashes: rows whose key hash
    occurs once are unique; the few others are compared exactly
    (``DataFrame.is_duplicated`` on their key columns), where ``unique=`` builds a
    hash table of the key columns over every row (docs/performance.md, validation).
    The failing rows are the repeated ones.
    """
    import pandera.polars as pa

    def check(data) -> bool | pl.LazyFrame:
        rows = data.lazyframe.select(key).collect()
        candidates = repeated(rows.hash_rows(0)).arg_true()
        if candidates.len() == 0:
            return True
        same = pl.Series([False] * rows.height).scatter(candidates, rows[candidates].is_duplicated())
        return pl.LazyFrame({"unique": ~same})

    return pa.Check(check, name=f"unique({', '.join(key)})")


def columns(table: str) -> list[str]:
    """The processed columns of ``table`` in contract order."""
    return list(_schemas()[table].columns)


class ContractViolation(LcanalysisError):
    """A processed table breaks its schema: a defect in the cleaner or an edited file."""


def validate(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Validate ``frame`` against the schema of ``table``, reporting every failure at once.

    Uses pandera's lazy validation (``validate(df, lazy=True)``), so the message lists
    each failing column and check with a count of failing rows. Failure values are not
    echoed: they may be pseudonyms, which still do not belong in logs.
    """
    schema = _schemas()[table]
    import pandera.polars as pa

    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        summary = (
            cases.group_by(["column", "check"], maintain_order=True)
            .len()
            .rows()
        )
        lines = [f"{col or '(table)'}: {check} fails on {n} row(s)" for col, check, n in summary]
        raise ContractViolation(
            f"table {table!r} breaks its schema:\n  " + "\n  ".join(lines)
        ) from None
