"""The municipality panel: applicants and admitted per municipality and year, with pilot timing.

The pilot opened learning centres in a few municipalities at different times
(staggered adoption). The unit of the effect analysis is the municipality, the period
the calendar year of the application term: :func:`municipality_panel` builds that panel
from the processed applications, municipal statistics, persons and the centres'
configuration, and :func:`pilot_start_years` / :func:`first_treated_year` say from which
year a municipality counts as served. The estimators that take the panel are in
:mod:`lcanalysis.indicators.effect`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Literal

import polars as pl

from lcanalysis.config import LearningCentre
from lcanalysis.errors import InputError
from lcanalysis.stats import strict_sum

POPULATION_19_64 = ("pop_19_24", "pop_25_34", "pop_35_44", "pop_45_64")
POPULATION_25_64 = ("pop_25_34", "pop_35_44", "pop_45_64")
_TERM_SEASONS = ("VT", "ST", "HT")

Timing = Literal["main_round", "calendar"]


def _require(frame: pl.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{name} has no column(s) {missing}; it has {list(frame.columns)}")


def first_treated_year(start_term: str, *, timing: Timing = "calendar") -> int:
    """First calendar year of applications that a centre starting in ``start_term`` can affect.

    ``timing="calendar"`` (default): the start term's year. A centre whose first
    students start in HT2024 recruited them in the HT2024 admission round, which
    closes on 15 April 2024: the centre was announced before that, and its first
    applicants are in the 2024 counts. ``timing="main_round"``: for an ST or HT start,
    the next year, for a centre that opened without recruiting through the spring
    round of its start year (e.g. one that took over already admitted students).
    """
    term = str(start_term).strip().upper()
    if len(term) != 6 or term[:2] not in _TERM_SEASONS or not term[2:].isdigit():
        raise InputError(f"start_term {start_term!r} is not a term like 'HT2024' or 'VT2025'")
    if timing not in ("main_round", "calendar"):
        raise ValueError(f"timing must be 'main_round' or 'calendar', not {timing!r}")
    year = int(term[2:])
    return year + 1 if timing == "main_round" and term[:2] != "VT" else year


def pilot_start_years(
    centres: Mapping[str, LearningCentre],
    valid_codes: Collection[str] | None = None,
    *,
    timing: Timing = "calendar",
) -> pl.DataFrame:
    """First treated year per served municipality (``municipality_code``, ``pilot_start_year``).

    Each centre's start year (:func:`first_treated_year`) applies to every municipality
    in its ``serves`` list; a municipality served by several centres takes the earliest.
    ``centres`` is :func:`lcanalysis.config.load_learning_centres`.
    """
    rows = []
    for centre_id, centre in centres.items():
        for code in centre.serves or (centre.municipality,):
            if valid_codes is not None and code not in valid_codes:
                raise InputError(
                    f"learning centre {centre_id!r} serves unknown municipality {code!r}",
                    file="config/learning_centres.yaml",
                )
            rows.append((code, first_treated_year(centre.start_term, timing=timing)))
    frame = pl.DataFrame(
        rows, schema={"municipality_code": pl.String, "pilot_start_year": pl.Int32}, orient="row"
    )
    return frame.group_by("municipality_code").agg(pl.col("pilot_start_year").min())


def municipality_panel(
    applications: pl.DataFrame,
    municipal_stats: pl.DataFrame,
    persons: pl.DataFrame | None,
    centres: Mapping[str, LearningCentre],
    *,
    years: range | None = None,
    timing: Timing = "calendar",
    municipality_features: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Applicants and admitted per municipality and calendar year, with pilot timing.

    One row per municipality (every code in ``municipal_stats``) and year (``years``,
    default: the first to the last application year), zero when nobody applied.

    - Year: the 4 digits of ``term``; VT, ST and HT all count in their calendar year.
    - Municipality: the applicant's ``home_municipality_code`` on the application.
    - ``applicants``: distinct persons with at least one application that year (one
      person applying to three programmes counts once); ``admitted``: distinct persons
      with an ``admission_status == "admitted"`` application that year.
    - With ``persons``: ``applicants_first_generation`` (UKÄ first generation, unknown
      counted as not first generation) and ``applicants_25plus`` (age in the
      application year, year - birth_year, at least 25).
    - Population: residents aged 19-64 (``population_19_64``; ``population_25_64`` for
      the 25+ rate) from ``municipal_stats`` of the same year, or the latest earlier
      year when SCB has not published it yet; null before the first published year.
      A single band or share that SCB reports as missing (``..``) is taken from the
      municipality's nearest earlier year (else nearest later year), so the panel
      stays balanced and no total is summed over a gap.
      Rates ``*_per_10k`` are per 10,000 residents of that population.
    - ``education_share``: share of residents 25-64 with >= 3 years post-secondary;
      ``log_population``: ln(population_19_64), both used for matching.
    - ``pilot_start_year``: see :func:`pilot_start_years` (null for never served);
      ``treated`` is 1 from that year on, else 0.
    - ``municipality_features`` (optional, one row per municipality_code): its other
      columns, e.g. ``skr_group``, are joined on.
    """
    _require(applications, ("person_id", "term", "admission_status", "home_municipality_code"),
             "applications")
    _require(municipal_stats, ("municipality_code", "year", *POPULATION_19_64,
                               "post_secondary_3y_share_25_64"), "municipal_stats")
    apps = applications.with_columns(
        year=pl.col("term").str.strip_chars().str.slice(2, 4).cast(pl.Int32, strict=False)
    )
    if apps["year"].null_count():
        raise InputError("applications: a term is not like 'HT2024'", column="term")
    aggregations = [
        pl.col("person_id").n_unique().alias("applicants"),
        pl.col("person_id").filter(pl.col("admission_status") == "admitted").n_unique()
        .alias("admitted"),
    ]
    count_columns = ["applicants", "admitted"]
    if persons is not None:
        _require(persons, ("person_id", "birth_year", "first_generation"), "persons")
        apps = apps.join(persons.select("person_id", "birth_year", "first_generation"),
                         on="person_id", how="left")
        aggregations += [
            pl.col("person_id").filter(pl.col("first_generation").fill_null(False)).n_unique()
            .alias("applicants_first_generation"),
            pl.col("person_id").filter(pl.col("year") - pl.col("birth_year") >= 25).n_unique()
            .alias("applicants_25plus"),
        ]
        count_columns += ["applicants_first_generation", "applicants_25plus"]
    if years is None:
        if apps.height == 0:
            raise InputError("applications is empty: pass years= to build the panel")
        years = range(int(apps["year"].min()), int(apps["year"].max()) + 1)

    codes = municipal_stats.select(pl.col("municipality_code").unique().sort())
    counts = (
        apps.filter(pl.col("year").is_in(list(years)))
        .group_by(pl.col("home_municipality_code").alias("municipality_code"), "year")
        .agg(aggregations)
    )
    unknown = counts.join(codes, on="municipality_code", how="anti")["municipality_code"]
    if unknown.len():
        raise InputError(
            f"applications: home municipalities not in municipal_stats: {sorted(unknown)[:10]}",
            column="home_municipality_code",
        )
    # A band or share SCB reports as ".." is taken from the nearest earlier year of the
    # same municipality, else the nearest later one; a total is never summed over a gap.
    filled = [*POPULATION_19_64, "post_secondary_3y_share_25_64"]
    stats_by_year = (
        municipal_stats.sort("municipality_code", "year")
        .with_columns(pl.col(filled).forward_fill().backward_fill().over("municipality_code"))
        .select(
            "municipality_code",
            pl.col("year").cast(pl.Int32),
            strict_sum(list(POPULATION_19_64)).alias("population_19_64"),
            strict_sum(list(POPULATION_25_64)).alias("population_25_64"),
            pl.col("post_secondary_3y_share_25_64").alias("education_share"),
        )
        .sort("year")
    )
    grid = codes.join(pl.DataFrame({"year": list(years)}, schema={"year": pl.Int32}), how="cross")
    panel = (
        grid.sort("year")
        .join_asof(stats_by_year, on="year", by="municipality_code", check_sortedness=False)
        .join(counts, on=["municipality_code", "year"], how="left")
        .with_columns(pl.col(count_columns).fill_null(0))
        .join(pilot_start_years(centres, set(codes["municipality_code"]), timing=timing),
              on="municipality_code", how="left")
    )
    rates = [
        (pl.col(c) / pl.col("population_25_64" if c == "applicants_25plus" else "population_19_64")
         * 10_000).alias(f"{c}_per_10k")
        for c in count_columns
    ]
    panel = panel.with_columns(
        *rates,
        pl.col("population_19_64").log().alias("log_population"),
        (pl.col("year") >= pl.col("pilot_start_year")).fill_null(False).cast(pl.Int8)
        .alias("treated"),
    )
    if municipality_features is not None:
        _require(municipality_features, ("municipality_code",), "municipality_features")
        if municipality_features["municipality_code"].is_duplicated().any():
            raise InputError("municipality_features: municipality_code is not unique")
        panel = panel.join(municipality_features, on="municipality_code", how="left")
    return panel.sort("municipality_code", "year")
