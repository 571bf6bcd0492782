"""Who entered, when, at which level and by which route: the frame every indicator uses.

An *entrant* is a person with a course registration; their *entry* is their first
registration (at the programme levels asked for). The *route* says whether they
studied through the pilot (a learning centre) or on campus. Participation,
progression and mobility indicators all start from :func:`entrants`, so the route and
the background variables are defined once (docs/methods.md, section 3).
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

from lcanalysis import geo, terms
from lcanalysis.schemas import PROGRAMME_LEVELS, STRANDS

ROUTES: tuple[str, ...] = ("campus", "learning_centre")
"""The two routes: ``"learning_centre"`` (the pilot) and ``"campus"`` (everyone else)."""

AGE_BANDS: tuple[str, ...] = ("<20", "20-24", "25-34", "35+")
"""Age at entry, in completed calendar years (entry year - birth year)."""

MATURE_AGE = 25
"""Age at entry from which an entrant is *mature*: 25, the Swedish convention (UKÄ's
statistics on older students use 25 and over). HESA and the OfS call undergraduates
mature from 21; that cut cannot be made from :data:`AGE_BANDS`, but it can from
``age_at_entry``."""

STOCKHOLM = "0180"
"""Municipality code of Stockholm, the seat of KTH's main campus."""


def first_participation(participants: pl.DataFrame) -> pl.DataFrame:
    """One row per participant: the earliest participation by start term (ties: STRANDS
    order, then centre id), with its strand, centre (``_participant_centre``) and
    employment. The one rule for "a participant's centre and strand"."""
    return (
        participants.with_columns(
            terms.term_seq("start_term").alias("_seq"),
            pl.col("strand").replace_strict(STRANDS, range(len(STRANDS)), default=len(STRANDS)).alias("_rank"),
        )
        .sort("person_id", "_seq", "_rank", "learning_centre_id")
        .unique("person_id", keep="first", maintain_order=True)
        .select(
            "person_id",
            "strand",
            pl.col("learning_centre_id").alias("_participant_centre"),
            "employed",
        )
    )


def person_routes(registrations: pl.DataFrame, participants: pl.DataFrame) -> pl.DataFrame:
    """``person_id`` and ``route`` of everyone registered or on a learning centre's list.

    The route rule of :func:`entrants`: ``learning_centre`` for anyone on a learning
    centre's list or with a registration whose delivery mode is ``learning_centre``,
    else ``campus``.
    """
    lc = pl.concat([
        participants.select("person_id"),
        registrations.filter(pl.col("delivery_mode") == "learning_centre").select("person_id"),
    ]).unique()
    everyone = pl.concat([registrations.select("person_id"), participants.select("person_id")]).unique()
    return everyone.with_columns(
        pl.when(pl.col("person_id").is_in(lc["person_id"].implode()))
        .then(pl.lit("learning_centre")).otherwise(pl.lit("campus")).alias("route")
    ).sort("person_id")


def _age_band(age: pl.Expr) -> pl.Expr:
    under20, early20s, late, older = AGE_BANDS
    return (
        pl.when(age.is_null())
        .then(None)
        .when(age < 20)
        .then(pl.lit(under20))
        .when(age < 25)
        .then(pl.lit(early20s))
        .when(age < 35)
        .then(pl.lit(late))
        .otherwise(pl.lit(older))
        .cast(pl.Enum(AGE_BANDS))
    )


def entrants(
    registrations: pl.DataFrame,
    participants: pl.DataFrame,
    persons: pl.DataFrame,
    *,
    cohort_terms: Collection[str] | None = None,
    programme_levels: Collection[str] | None = None,
) -> pl.DataFrame:
    """One row per entrant: entry term and level, route, strand and background.

    Definitions
    -----------
    entry
        The person's first registration term (by :func:`lcanalysis.terms.term_seq`)
        among their registrations at ``programme_levels`` (all levels when None), so
        a person who took a single course before the foundation year is a foundation-
        year entrant when ``programme_levels=["foundation_year"]``. Within the entry
        term, ``programme_level`` and ``programme_code`` come from the registration
        whose level is first in :data:`lcanalysis.schemas.PROGRAMME_LEVELS`
        (programmes before single courses), then by programme and course code.
    route
        ``"learning_centre"`` if the person is in ``participants`` or has any
        registration (at any level, any term) with delivery mode
        ``"learning_centre"``; otherwise ``"campus"``.
    strand, learning_centre_id
        From the person's earliest participation by ``start_term`` (ties broken in
        the order of :data:`lcanalysis.schemas.STRANDS`). A learning-centre entrant
        missing from ``participants`` has a null strand and the centre of their
        first learning-centre registration. Null for campus.
    employed
        In work while studying: the learning centre's participant list where it says,
        else the person's latest survey answer (persons.employed); null when neither
        is known.
    last_term, study_end
        The person's last registered term (any level) and its end date (VT 30 June,
        HT 31 December): where follow-ups "k years after study" count from.
    age_at_entry, age_band, mature
        Calendar year of the entry term minus birth year; bands :data:`AGE_BANDS`;
        mature = 25 or over (:data:`MATURE_AGE`, UKÄ's convention, not HESA's 21).
    skr_group, distance_km, distance_band
        Of the home municipality (persons' earliest application): SKR group 2023
        and great-circle distance from KTH's main campus (:mod:`lcanalysis.geo`).

    Persons' columns (birth_year, legal_sex, parental_education, first_generation,
    foreign_background, home_municipality_code) are joined as they are; an entrant
    missing from ``persons`` keeps nulls there, which the indicators report as
    ``"unknown"``. Then entrants are kept whose entry term is in ``cohort_terms``
    (canonical terms, e.g. ``"HT2024"``; all when None).

    Returns
    -------
    pl.DataFrame
        Sorted by entry term and person; unique on ``person_id``.
    """
    levels = list(programme_levels) if programme_levels is not None else list(PROGRAMME_LEVELS)
    unknown = sorted(set(levels) - set(PROGRAMME_LEVELS))
    if unknown:
        raise ValueError(f"unknown programme levels {unknown}; known: {', '.join(PROGRAMME_LEVELS)}")
    first = (
        registrations.filter(pl.col("programme_level").is_in(levels))
        .with_columns(
            terms.term_seq("term").alias("_seq"),
            pl.col("programme_level")
            .replace_strict(PROGRAMME_LEVELS, range(len(PROGRAMME_LEVELS)))
            .alias("_level_rank"),
        )
        .sort("person_id", "_seq", "_level_rank", "programme_code", "course_code", nulls_last=True)
        .unique("person_id", keep="first", maintain_order=True)
        .select(
            "person_id",
            pl.col("term").alias("entry_term"),
            "_seq",
            "programme_level",
            "programme_code",
        )
    )
    last = (
        registrations.with_columns(terms.term_seq("term").alias("_last_seq"))
        .sort("person_id", "_last_seq")
        .group_by("person_id", maintain_order=True)
        .agg(pl.col("term").last().alias("last_term"))
    )
    last_terms = last["last_term"].unique().to_list()
    last = last.with_columns(
        pl.col("last_term")
        .replace_strict(last_terms, [terms.parse_term(t).end_date for t in last_terms],
                        return_dtype=pl.Date)
        .alias("study_end")
    )
    lc_registrations = (
        registrations.filter(pl.col("delivery_mode") == "learning_centre")
        .with_columns(terms.term_seq("term").alias("_seq"))
        .sort("person_id", "_seq", "course_code")
        .unique("person_id", keep="first", maintain_order=True)
        .select("person_id", pl.col("learning_centre_id").alias("_registration_centre"))
    )
    participation = first_participation(participants)
    person_cols = [
        "person_id",
        "birth_year",
        "legal_sex",
        "parental_education",
        "first_generation",
        "foreign_background",
        "home_municipality_code",
        pl.col("employed").alias("_survey_employed"),
    ]
    joined = (
        first.join(participation, on="person_id", how="left")
        .join(last, on="person_id", how="left")
        .join(lc_registrations, on="person_id", how="left")
        .join(persons.select(person_cols), on="person_id", how="left")
        .with_columns(
            pl.when(
                pl.col("person_id").is_in(participation["person_id"].implode())
                | pl.col("person_id").is_in(lc_registrations["person_id"].implode())
            )
            .then(pl.lit("learning_centre"))
            .otherwise(pl.lit("campus"))
            .alias("route"),
            pl.coalesce("_participant_centre", "_registration_centre").alias("learning_centre_id"),
            pl.coalesce("employed", "_survey_employed").alias("employed"),
            (pl.col("entry_term").str.slice(2).cast(pl.Int32) - pl.col("birth_year").cast(pl.Int32)).alias(
                "age_at_entry"
            ),
            geo.distance_to_stockholm_km(pl.col("home_municipality_code")).alias("distance_km"),
        )
        .with_columns(
            _age_band(pl.col("age_at_entry")).alias("age_band"),
            (pl.col("age_at_entry") >= MATURE_AGE).alias("mature"),
            geo.region_expr("home_municipality_code", "skr_group").alias("skr_group"),
            geo.distance_band(pl.col("distance_km")).alias("distance_band"),
        )
    )
    if cohort_terms is not None:
        joined = joined.filter(pl.col("entry_term").is_in(list(cohort_terms)))
    return joined.sort("_seq", "person_id").select(
        "person_id",
        "entry_term",
        "last_term",
        "study_end",
        "programme_level",
        "programme_code",
        "route",
        "strand",
        "learning_centre_id",
        "employed",
        "birth_year",
        "age_at_entry",
        "age_band",
        "mature",
        "legal_sex",
        "parental_education",
        "first_generation",
        "foreign_background",
        "home_municipality_code",
        "skr_group",
        "distance_km",
        "distance_band",
    )
