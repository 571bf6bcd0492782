"""Strand (a): labs and internships at local companies, campus visits, and the
students' experience.

Counts are of people (``n``, distinct persons) first, so that disclosure control
(:func:`lcanalysis.disclosure.apply_policy`, count tables) suppresses a row whose
people are few, together with the sessions, hours and shares derived from them.
"""

from __future__ import annotations

import polars as pl

from lcanalysis.indicators import routes


def activity_summary(activities: pl.DataFrame, participants: pl.DataFrame) -> pl.DataFrame:
    """Activities per learning centre and type.

    ``n``: distinct people taking part; ``sessions``: activity rows; ``hours``: hours
    summed (rows without hours count as 0 and are shown in ``sessions_without_hours``);
    ``completed_share``: completed rows / rows whose completion is known. A person
    not on any centre's list is attributed to centre ``"unknown"``.
    """
    centres = routes.first_participation(participants).select(
        "person_id", pl.col("_participant_centre").alias("learning_centre_id"))
    joined = activities.join(centres, on="person_id", how="left").with_columns(
        pl.col("learning_centre_id").fill_null("unknown")
    )
    return (
        joined.group_by("learning_centre_id", "activity_type")
        .agg(
            pl.col("person_id").n_unique().cast(pl.Int64).alias("n"),
            pl.len().cast(pl.Int64).alias("sessions"),
            pl.col("hours").sum().alias("hours"),
            pl.col("hours").is_null().sum().cast(pl.Int64).alias("sessions_without_hours"),
            pl.when(pl.col("completed").is_not_null().any())
            .then(pl.col("completed").sum() / pl.col("completed").is_not_null().sum())
            .alias("completed_share"),
        )
        .sort("learning_centre_id", "activity_type")
    )


def host_summary(activities: pl.DataFrame) -> pl.DataFrame:
    """Host organisations per municipality: people hosted (``n``) and hours, for labs
    and internships (campus visits are hosted by KTH and left out)."""
    return (
        activities.filter(pl.col("activity_type") != "campus_visit")
        .with_columns(pl.col("host_org").fill_null("unknown"))
        .group_by("host_municipality_code", "host_org")
        .agg(pl.col("person_id").n_unique().cast(pl.Int64).alias("n"), pl.col("hours").sum().alias("hours"))
        .sort("host_municipality_code", "host_org")
    )


def likert_by_route(
    survey_responses: pl.DataFrame, registrations: pl.DataFrame, participants: pl.DataFrame
) -> pl.DataFrame:
    """Answers per survey item, route and value (1-5): ``count`` of people (columns
    item, route, value, count).

    Route by :func:`lcanalysis.indicators.routes.person_routes` (on a learning
    centre's list or registered there: learning_centre; else campus); respondents
    neither registered nor on a list are left out. Item non-response (null value) is not counted; each
    person's latest survey term is used.
    """
    from lcanalysis import terms

    route = routes.person_routes(registrations, participants)
    latest = (
        survey_responses.filter(pl.col("value").is_not_null())
        .with_columns(terms.term_seq("survey_term").alias("_seq"))
        .filter(pl.col("_seq") == pl.col("_seq").max().over("person_id"))
    )
    counts = (
        latest.join(route, on="person_id", how="inner")
        .group_by("item", "route", "value")
        .agg(pl.len().cast(pl.Int64).alias("count"))
    )
    grid = (
        counts.select("item", "route").unique()
        .join(pl.DataFrame({"value": pl.Series(range(1, 6), dtype=pl.Int8)}), how="cross")
    )
    return (
        grid.join(counts, on=["item", "route", "value"], how="left")
        .with_columns(pl.col("count").fill_null(0))
        .sort("item", "route", "value")
    )
