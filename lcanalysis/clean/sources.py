"""The cleaning rules of each raw source (docs/data-contract.md, "Raw sources").

Each source's declaration (lcanalysis/sources.py) names, from here, its rules: the
:class:`~lcanalysis.clean.rules.Rule` list that turns its raw text columns into the
processed table's typed columns (``registrations_rules`` ...), and its finishing step:
what is derived from several columns (a programme's level, a delivery mode inferred
from the learning centre: ``registrations_finish`` ...). Everything a rule looks up comes
from reviewed files: config/programmes.yaml, config/learning_centres.yaml,
config/codes.yaml and the municipality reference table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import polars as pl

from lcanalysis import geo, terms, values
from lcanalysis.clean.rules import Rule, code_lookup
from lcanalysis.config import LearningCentre, Programme
from lcanalysis.identity import Identified
from lcanalysis.ingest.columns import SourceColumns
from lcanalysis.text import fold
from lcanalysis.values import distinct_codes, map_distinct

COURSE_CODE = re.compile(r"^[A-Z0-9]{2,10}$")
MAX_COURSE_CREDITS = 60.0
MAX_ACTIVITY_HOURS = 2000.0
MIN_AGE_YEARS = 12
MAX_AGE_YEARS = 110
"""A person's age (reference year minus birth year) must lie in this range. Outside
it the number is quarantined (``invalid_personal_number``): most often a century
read wrongly, e.g. ``250101-...`` taken as 2025, or ``18811218-...`` typed for 1981.
Because the two readings of a ten-digit number are a century apart, at most one of
them fits, so one person never becomes two persons."""
MAX_FREE_TEXT_CHARS = 200
"""Free-text cells (an activity's host organisation) longer than this are quarantined."""
# A cell a spreadsheet would run as a formula (=, +, @, or - before a letter; OWASP
# "CSV injection"), or one holding control characters: never written to an output.
_UNSAFE_TEXT = r"^[=+@]|^-[^\s0-9]|[\x00-\x1f\x7f]"
WHOLE_COURSE_MODULE = "COURSE"
"""module_code of a result reported for the whole course rather than a module."""


@dataclass(frozen=True)
class Lookups:
    """Everything the rules look values up in, loaded once per cleaning run."""

    programmes: dict[str, Programme]
    centres: dict[str, LearningCentre]
    codes: dict[str, dict[str, str]]
    today: date

    def centre_keys(self) -> dict[str, str]:
        """Folded id, name or municipality (code or name) of each centre -> centre id."""
        names = dict(
            geo.municipalities().select("municipality_code", "name").iter_rows()
        )
        keys: dict[str, str] = {}
        for cid, centre in self.centres.items():
            for alias in (cid, centre.name, centre.municipality, names.get(centre.municipality, "")):
                if alias:
                    keys[fold(alias)] = cid
        return keys


def _upper(series: pl.Series, *, keep: pl.Expr | None = None) -> pl.Series:
    """Codes in capitals, null where ``keep`` (over the column ``code``) is false.

    Computed once per distinct value and gathered back to the rows (a course code
    column has 5 million rows and a few thousand values); a null marks the row as
    failing the rule, with the rule's reason, exactly as a ``valid`` check on the
    rows would.
    """
    codes, distinct = distinct_codes(series)
    upper = pl.DataFrame({"code": distinct.str.strip_chars().str.to_uppercase()})
    if keep is not None:
        upper = upper.select(pl.when(keep).then(pl.col("code")).alias("code"))
    return upper.get_column("code").gather(codes).rename(series.name)


def _course_code(series: pl.Series) -> pl.Series:
    return _upper(series, keep=pl.col("code").str.contains(COURSE_CODE.pattern))


def _text(series: pl.Series) -> pl.Series:
    return series.str.strip_chars()


def _safe_text(parsed: pl.Series) -> pl.Series:
    return ~parsed.str.contains(_UNSAFE_TEXT) & (parsed.str.len_chars() <= MAX_FREE_TEXT_CHARS)


def _municipality(series: pl.Series) -> pl.Series:
    return geo.resolve_municipalities(series)


def _terms(series: pl.Series) -> pl.Series:
    return terms.normalise_terms(series)


def _not_future(today: date):
    return lambda parsed: parsed <= today


def _credit_range(parsed: pl.Series) -> pl.Series:
    return (parsed > 0) & (parsed <= MAX_COURSE_CREDITS)


PERSON_RULE_OUTPUT = "_pn"
"""Output of the identity-number rule: the normalised number, replaced by the pseudonym."""


def person_rule(identified: Identified, today: date) -> Rule:
    """The identity-number rule. The numbers are parsed (and pseudonymised) once per
    distinct value by :func:`lcanalysis.identity.identify`, in a background thread
    while the other rules run; the rule, evaluated last, takes its ``normalized``
    column and judges it like any other parsed column."""

    def plausible_age(_normalized: pl.Series) -> pl.Series:
        born = identified.parsed["birth_date"].dt.year()
        return born.is_between(today.year - MAX_AGE_YEARS, today.year - MIN_AGE_YEARS)

    return Rule(
        PERSON_RULE_OUTPUT,
        "personal_number",
        lambda _raw: identified.parsed["normalized"],
        "invalid_personal_number",
        required=True,
        valid=plausible_age,
        evaluate_last=True,
    )


def terms_from_dates(frame: pl.DataFrame, spec: SourceColumns, today: date) -> pl.DataFrame:
    """Fill a term column from the date columns that stand in for it (``term_from_date``
    in config/columns.yaml): a course round's start date, a survey response's
    recorded time. A row whose term column is filled keeps it; otherwise the term is
    the first stand-in date's term by the date-to-term rule (1 Jan-30 Jun VT, 1 Jul-14
    Aug ST, 15 Aug-31 Dec HT: :func:`lcanalysis.terms.term_from_date_expr`). A date
    that does not parse leaves the term blank (quarantined as ``missing_value``).
    """
    for column, stand_ins in spec.term_from_date.items():
        present = [c for c in stand_ins if c in frame.columns]
        if not present:
            continue
        dates = pl.DataFrame([values.parse_dates(frame.get_column(c), today=today) for c in present])
        derived = dates.select(terms.term_from_date_expr(pl.coalesce(present))).to_series()
        given = frame.get_column(column) if column in frame.columns else None
        frame = frame.with_columns(
            (derived if given is None else given.fill_null(derived)).alias(column)
        )
    return frame


def _bool_rule(output: str, raw: str) -> Rule:
    return Rule(output, raw, values.parse_bool, "invalid_value")


def _person_first(lk: Lookups, identified: Identified, rules: list[Rule]) -> list[Rule]:
    return [person_rule(identified, lk.today), *rules]


def _centre(lk: Lookups):
    """A learning centre by its id, name or municipality -> its id."""
    centre_keys = lk.centre_keys()
    return lambda series: map_distinct(series, lambda v: centre_keys.get(fold(v)), pl.Utf8)


def _coded(lk: Lookups, kind: str):
    """A value of the code list ``kind`` of config/codes.yaml -> its code."""
    return lambda series: code_lookup(series, lk.codes[kind])


def _programme(lk: Lookups):
    """A programme code of config/programmes.yaml, in capitals."""
    programmes = sorted(lk.programmes)
    return lambda series: _upper(series, keep=pl.col("code").is_in(programmes))


def _likert(lk: Lookups):
    """A 1-5 answer, as a number or a label of config/codes.yaml's ``likert``."""
    labels = lk.codes.get("likert", {})

    def likert(series: pl.Series) -> pl.Series:
        return values.parse_likert(code_lookup(series, labels).fill_null(series))

    return likert


def _dated(lk: Lookups):
    return lambda s: values.parse_dates(s, today=lk.today)


# The rules of each source (named in its declaration, lcanalysis/sources.py): the
# identity-number rule first, then one Rule per output column. ``identified`` is
# :func:`lcanalysis.identity.identify` of the source's raw ``personal_number``
# column (row for row); ``item_columns`` the survey's item columns (``item:<id>``).


def registrations_rules(lk: Lookups, identified: Identified, item_columns: tuple[str, ...] = ()) -> list[Rule]:
    return _person_first(lk, identified, [
        Rule("course_code", "course_code", _course_code, "invalid_value", required=True),
        Rule("term", "term", _terms, "invalid_term", required=True),
        Rule("credits_registered", "credits_registered", values.parse_credits,
             "invalid_credits", required=True, valid=_credit_range),
        Rule("programme_code", "programme_code", _programme(lk), "unknown_programme"),
        Rule("learning_centre_id", "learning_centre", _centre(lk), "unknown_learning_centre"),
        Rule("delivery_mode", "delivery_mode", _coded(lk, "delivery_mode"), "invalid_value"),
    ])


def results_rules(lk: Lookups, identified: Identified, item_columns: tuple[str, ...] = ()) -> list[Rule]:
    return _person_first(lk, identified, [
        Rule("course_code", "course_code", _course_code, "invalid_value", required=True),
        Rule("module_code", "module_code", _upper, "invalid_value"),
        Rule("credits_earned", "credits_earned", values.parse_credits, "invalid_credits",
             required=True, valid=_credit_range),
        Rule("grade", "grade", values.normalise_grade, "invalid_grade", required=True,
             valid=lambda s: s.is_in(sorted(values.PASS_GRADES))),
        Rule("examined_on", "examined_on", _dated(lk), "invalid_date",
             required=True, valid=_not_future(lk.today)),
        Rule("term", "term", _terms, "invalid_term"),
    ])


def applications_rules(lk: Lookups, identified: Identified, item_columns: tuple[str, ...] = ()) -> list[Rule]:
    return _person_first(lk, identified, [
        Rule("term", "term", _terms, "invalid_term", required=True),
        Rule("programme_code", "programme_code", _programme(lk), "unknown_programme",
             required=True),
        Rule("priority", "priority",
             lambda s: s.str.strip_chars().cast(pl.Int16, strict=False), "invalid_value",
             valid=lambda p: (p >= 1) & (p <= 99)),
        Rule("admission_status", "admission_status", _coded(lk, "admission_status"),
             "invalid_value", required=True),
        Rule("home_municipality_code", "home_municipality", _municipality,
             "unknown_municipality", required=True),
        Rule("learning_centre_id", "learning_centre", _centre(lk), "unknown_learning_centre"),
    ])


def participants_rules(lk: Lookups, identified: Identified, item_columns: tuple[str, ...] = ()) -> list[Rule]:
    return _person_first(lk, identified, [
        Rule("learning_centre_id", "learning_centre", _centre(lk), "unknown_learning_centre",
             required=True),
        Rule("strand", "strand", _coded(lk, "strand"), "invalid_value", required=True),
        Rule("start_term", "start_term", _terms, "invalid_term", required=True),
        _bool_rule("employed", "employed"),
        Rule("employer_municipality_code", "employer_municipality", _municipality,
             "unknown_municipality"),
    ])


def survey_rules(lk: Lookups, identified: Identified, item_columns: tuple[str, ...] = ()) -> list[Rule]:
    likert = _likert(lk)
    return _person_first(lk, identified, [
        Rule("survey_term", "survey_term", _terms, "invalid_term", required=True),
        Rule("parental_education", "parental_education", _coded(lk, "parental_education"),
             "invalid_value"),
        _bool_rule("employed", "employed"),
        _bool_rule("foreign_background", "foreign_background"),
        *(Rule(col, col, likert, "invalid_value") for col in item_columns),
    ])


def followups_rules(lk: Lookups, identified: Identified, item_columns: tuple[str, ...] = ()) -> list[Rule]:
    return _person_first(lk, identified, [
        Rule("observed_on", "observed_on", _dated(lk), "invalid_date", required=True,
             valid=_not_future(lk.today)),
        Rule("residence_municipality_code", "residence_municipality", _municipality,
             "unknown_municipality", required=True),
        Rule("work_municipality_code", "work_municipality", _municipality,
             "unknown_municipality"),
        _bool_rule("employed", "employed"),
    ])


def activities_rules(lk: Lookups, identified: Identified, item_columns: tuple[str, ...] = ()) -> list[Rule]:
    return _person_first(lk, identified, [
        Rule("activity_type", "activity_type", _coded(lk, "activity_type"), "invalid_value",
             required=True),
        Rule("date", "date", _dated(lk), "invalid_date", required=True,
             valid=_not_future(lk.today)),
        Rule("course_code", "course_code", _course_code, "invalid_value"),
        Rule("host_org", "host_org", _text, "invalid_value", valid=_safe_text),
        Rule("host_municipality_code", "host_municipality", _municipality,
             "unknown_municipality"),
        Rule("hours", "hours", values.parse_credits, "invalid_value",
             valid=lambda h: (h >= 0) & (h <= MAX_ACTIVITY_HOURS)),
        _bool_rule("completed", "completed"),
    ])


# The finishing steps: columns derived from several raw columns, on the rows that
# passed every rule.


def with_programme_level(frame: pl.DataFrame, lk: Lookups) -> pl.DataFrame:
    """``programme_level`` from the programme code (config/programmes.yaml;
    ``single_course`` without one): applications and registrations."""
    levels = {code: p.level for code, p in lk.programmes.items()}
    level = map_distinct(
        frame.get_column("programme_code"), lambda code: levels.get(code, "single_course"),
        pl.Utf8, blank="single_course",
    )
    return frame.with_columns(level.alias("programme_level"))


def registrations_finish(frame: pl.DataFrame, lk: Lookups) -> pl.DataFrame:
    """``programme_level``; ``delivery_mode``, when the export has none, is
    ``learning_centre`` for a registration tied to a learning centre, else ``campus``."""
    frame = with_programme_level(frame, lk)
    if frame.get_column("delivery_mode").null_count():
        frame = frame.with_columns(
            pl.coalesce(
                "delivery_mode",
                pl.when(pl.col("learning_centre_id").is_not_null())
                .then(pl.lit("learning_centre"))
                .otherwise(pl.lit("campus")),
            ).alias("delivery_mode")
        )
    return frame


def results_finish(frame: pl.DataFrame, lk: Lookups) -> pl.DataFrame:
    """``term`` from the examination date when the export has none
    (:func:`lcanalysis.terms.term_from_date_expr`); ``module_code`` is ``COURSE`` for
    a result reported for the whole course."""
    return frame.with_columns(
        pl.coalesce("term", terms.term_from_date_expr("examined_on")).alias("term"),
        pl.col("module_code").fill_null(WHOLE_COURSE_MODULE),
    )


def survey_finish(frame: pl.DataFrame, lk: Lookups) -> pl.DataFrame:
    """``parental_education`` is ``unknown`` when not answered."""
    return frame.with_columns(pl.col("parental_education").fill_null("unknown"))


SURVEY_BACKGROUND = ("parental_education", "employed", "foreign_background")
"""What a survey answer says about the person (persons takes the latest answer's)."""


def survey_responses(
    answers: pl.DataFrame, item_columns: tuple[str, ...]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The wide survey's cleaned answers (one row per person and term) -> the
    survey_responses table (one row per item) and each answer's background."""
    background = answers.select("person_id", "survey_term", *SURVEY_BACKGROUND)
    items = list(item_columns)
    if not items:
        empty = pl.DataFrame(schema={"person_id": pl.Utf8, "survey_term": pl.Utf8,
                                     "item": pl.Utf8, "value": pl.Int8})
        return empty, background
    table = (
        answers.select("person_id", "survey_term", *items)
        .unpivot(index=["person_id", "survey_term"], on=items, variable_name="item", value_name="value")
        .with_columns(
            pl.col("item").str.strip_prefix("item:"),
            pl.col("value").cast(pl.Int8),
        )
    )
    return table, background


def rules_of(
    name: str, lk: Lookups, identified: Identified, *, item_columns: tuple[str, ...] = ()
) -> list[Rule]:
    """The rules of source ``name``, as its declaration (lcanalysis/sources.py) names them."""
    from lcanalysis import sources

    return sources.source(name).function("rules")(lk, identified, item_columns)
