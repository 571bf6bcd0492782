"""Brain drain: where entrants come from, where they studied, and where they live and work.

The question behind the pilot: does studying at a learning centre keep graduates in
their home region, where studying on campus in Stockholm draws them away? Each
person's home region (before study), study region (where they actually studied) and
residence and work region at follow-up are classified with the Faggian-McCann-
Sheppard (2007) typology at a chosen scale (municipality, county, SKR group).
Commuting (living in the home region, working elsewhere) is kept apart from moving.
Definitions, formulas and sources: docs/methods.md, section 6.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from lcanalysis import geo, stats, terms
from lcanalysis.config import LearningCentre
from lcanalysis.indicators.participation import UNKNOWN, category_shares
from lcanalysis.indicators.routes import STOCKHOLM

FAGGIAN_TYPES: tuple[str, ...] = (
    "non_migrant",
    "late_migrant",
    "return_migrant",
    "university_stayer",
    "repeat_migrant",
)
"""The five types of Faggian, McCann and Sheppard (2007), in their order."""

NO_FOLLOWUP = "no_followup"
NOT_IN_WORK = "not_in_work"
UNCLASSIFIED: tuple[str, ...] = (NO_FOLLOWUP, NOT_IN_WORK, UNKNOWN)
"""Why a person has no type: no follow-up observation near the date, not in work
(work place only), or home, study or later region unknown."""

FOLLOWUP_TOLERANCE_DAYS = 183
"""An observation counts as the follow-up at k years if within ± 6 months (183 days)
of the target date."""

PLACES: tuple[str, ...] = ("residence", "work")


def _anchor_dates(entrants: pl.DataFrame) -> pl.Expr:
    """End date of each entrant's entry term (VT 30 Jun, ST 14 Aug, HT 31 Dec)."""
    distinct = entrants["entry_term"].drop_nulls().unique().to_list()
    ends = [terms.parse_term(t).end_date for t in distinct]
    return pl.col("entry_term").replace_strict(distinct, ends, default=None, return_dtype=pl.Date)


def mobility_histories(
    entrants: pl.DataFrame,
    followups: pl.DataFrame,
    centres: Mapping[str, LearningCentre],
    *,
    scale: str = "municipality",
    years: Sequence[int] = (1, 3),
    anchor: str = "study_end",
) -> pl.DataFrame:
    """Per entrant: home, study, and residence and work region k years on.

    Definitions
    -----------
    home_region
        Region of ``home_municipality_code`` (the municipality on the person's
        earliest application, i.e. before study).
    study_region
        Where the person actually studied: the municipality of their learning centre
        (``centres[learning_centre_id].municipality``, config/learning_centres.yaml)
        on the learning-centre route, Stockholm (0180, KTH's main campus) on campus.
        Null for a learning-centre entrant with no known centre.
    residence_{k}y, work_{k}y, employed_{k}y, followup_{k}y
        The follow-up at k years is the ``followups`` observation whose
        ``observed_on`` is closest to the anchor date + k years and within ± 6 months
        (:data:`FOLLOWUP_TOLERANCE_DAYS`; ties: the earlier). The anchor is the Date
        column ``anchor`` of ``entrants``: by default ``study_end``, the end of the
        last registered term, so that "k years after study" is what is measured (as
        Faggian et al. follow graduates); ``anchor="entry"`` uses the end of the entry
        term instead. ``followup_{k}y`` is False when no
        observation qualifies; then the places are null. A null ``work`` with a
        follow-up means no work place (``employed_{k}y`` says whether in work).

    All regions are mapped with :func:`lcanalysis.geo.region_expr` at ``scale``.
    Returns the entrant columns plus ``study_municipality_code`` and the above.
    """
    known = set(centres)
    used = set(entrants.filter(pl.col("route") == "learning_centre")["learning_centre_id"].drop_nulls())
    unknown = sorted(used - known)
    if unknown:
        raise ValueError(f"learning centres {unknown} are not in the centres configuration")
    ids = sorted(known)
    study = (
        pl.when(pl.col("route") == "campus")
        .then(pl.lit(STOCKHOLM))
        .otherwise(
            pl.col("learning_centre_id").replace_strict(
                ids, [centres[i].municipality for i in ids], default=None, return_dtype=pl.String
            )
        )
    )
    out = entrants.with_columns(
        study.alias("study_municipality_code"),
        (_anchor_dates(entrants) if anchor == "entry" else pl.col(anchor)).alias("_anchor"),
    ).with_columns(
        geo.region_expr("home_municipality_code", scale).alias("home_region"),
        geo.region_expr("study_municipality_code", scale).alias("study_region"),
    )
    obs = followups.select(
        "person_id", "observed_on", "residence_municipality_code", "work_municipality_code", "employed"
    )
    for k in years:
        nearest = (
            out.select("person_id", pl.col("_anchor").dt.offset_by(f"{k}y").alias("_target"))
            .join(obs, on="person_id", how="inner")
            .with_columns((pl.col("observed_on") - pl.col("_target")).dt.total_days().abs().alias("_gap"))
            .filter(pl.col("_gap") <= FOLLOWUP_TOLERANCE_DAYS)
            .sort("person_id", "_gap", "observed_on")
            .unique("person_id", keep="first", maintain_order=True)
            .select(
                "person_id",
                pl.lit(True).alias(f"followup_{k}y"),
                geo.region_expr("residence_municipality_code", scale).alias(f"residence_{k}y"),
                geo.region_expr("work_municipality_code", scale).alias(f"work_{k}y"),
                pl.col("employed").alias(f"employed_{k}y"),
            )
        )
        out = out.join(nearest, on="person_id", how="left").with_columns(
            pl.col(f"followup_{k}y").fill_null(False)
        )
    return out.drop("_anchor")


def _type_expr(place: str, at: int) -> pl.Expr:
    if place not in PLACES:
        raise ValueError(f"place must be one of {PLACES}, got {place!r}")
    home, study, later = pl.col("home_region"), pl.col("study_region"), pl.col(f"{place}_{at}y")
    expr = pl.when(~pl.col(f"followup_{at}y")).then(pl.lit(NO_FOLLOWUP))
    if place == "work":
        expr = expr.when(later.is_null() & pl.col(f"employed_{at}y").not_()).then(pl.lit(NOT_IN_WORK))
    return (
        expr.when(home.is_null() | study.is_null() | later.is_null())
        .then(pl.lit(UNKNOWN))
        .when((home == study) & (later == home))
        .then(pl.lit("non_migrant"))
        .when(home == study)
        .then(pl.lit("late_migrant"))
        .when(later == home)
        .then(pl.lit("return_migrant"))
        .when(later == study)
        .then(pl.lit("university_stayer"))
        .otherwise(pl.lit("repeat_migrant"))
    )


def faggian_type(history: pl.DataFrame, *, place: str = "residence", at: int = 3) -> pl.DataFrame:
    """The Faggian-McCann-Sheppard (2007) migration type of each person.

    With H the home region, S the study region and L the ``place`` (residence or
    work) region at the follow-up ``at`` years on (:func:`mobility_histories`):

    ============================  ============================================
    non_migrant                   H = S and L = H
    late_migrant                  H = S and L != H (left after studying)
    return_migrant                H != S and L = H
    university_stayer             H != S and L = S
    repeat_migrant                H != S, L != H and L != S (a third region)
    ============================  ============================================

    Adaptation: Faggian, McCann & Sheppard (2007, J. Regional Science 47(3)) classify
    UK graduates by domicile, university region and first-job region. Here S is where
    the person actually studied (the learning centre's municipality, not KTH's seat
    in Stockholm), L may be residence or work, and the scale is a choice: at
    municipality scale a student from a neighbouring municipality served by the
    centre has moved to study; at county scale they have not.

    Unclassified persons get ``"no_followup"``, ``"not_in_work"`` (work: the follow-
    up says not employed and has no work place) or ``"unknown"`` (H, S or L not
    known). Returns ``history`` with a ``faggian_type`` column.
    """
    return history.with_columns(_type_expr(place, at).alias("faggian_type"))


def typology_shares(
    histories: pl.DataFrame,
    *,
    place: str = "residence",
    at: int = 3,
    by: Sequence[str] = ("route",),
) -> pl.DataFrame:
    """Rate frame of the share of each Faggian type, per group (default per route).

    Share = persons of the type / persons with a type; every type appears in every
    group (zeros included), also a group in which nobody is classified yet (e.g. no
    one has reached the follow-up): denominator 0, rate null, all in ``missing``.
    Unclassified persons (no follow-up, not in work, unknown region) are left out of
    the denominator and counted in ``missing``. Wilson intervals.
    """
    by = list(by)
    typed = faggian_type(histories, place=place, at=at)
    classified = pl.col("faggian_type").is_in(FAGGIAN_TYPES)
    shares = category_shares(typed.filter(classified), "faggian_type", by, categories=FAGGIAN_TYPES)
    if not by:
        return shares.with_columns(pl.lit(typed.filter(~classified).height, pl.Int64).alias("missing"))
    missing = typed.group_by(by).agg((~classified).sum().cast(pl.Int64).alias("missing"))
    # category_shares sees only groups with a classified person: add the others, empty.
    grid = missing.select(by).sort(by).join(pl.DataFrame({"faggian_type": FAGGIAN_TYPES}), how="cross")
    counts = grid.join(
        shares.select(*by, "faggian_type", "numerator", "denominator"),
        on=[*by, "faggian_type"], how="left", nulls_equal=True, maintain_order="left",
    ).with_columns(pl.col("numerator", "denominator").fill_null(0))
    return stats.add_rate_columns(counts).join(missing, on=by, how="left", nulls_equal=True, maintain_order="left")


def retention(
    histories: pl.DataFrame, *, years: Sequence[int] = (1, 3), by: Sequence[str] = ("route",)
) -> pl.DataFrame:
    """Retention in the home region at k years: living, working, and commuting out.

    Measures (``measure`` column), for each k in ``years`` (``years`` column):

    - ``lives_in_home``: residence region = home region; denominator: persons with
      a follow-up at k years and both regions known;
    - ``works_in_home``: work region = home region; denominator: persons with a
      known work region (those not in work are left out);
    - ``commutes_out``: work region != home region, among persons *living* in their
      home region with a known work region: commuters, who stayed but work
      elsewhere, so commuting is not mistaken for moving.

    Persons outside a denominator are counted in ``missing``. Wilson intervals.
    """
    by = list(by)
    pieces = []
    for k in years:
        home, live, work = pl.col("home_region"), pl.col(f"residence_{k}y"), pl.col(f"work_{k}y")
        flags = histories.select(
            *by,
            (live == home).alias("lives_in_home"),
            (work == home).alias("works_in_home"),
            pl.when(live == home).then(work != home).alias("commutes_out"),
        )
        for measure in ("lives_in_home", "works_in_home", "commutes_out"):
            pieces.append(
                stats.rates(flags, by, measure).with_columns(
                    pl.lit(k, pl.Int32).alias("years"), pl.lit(measure).alias("measure")
                )
            )
    out = pl.concat(pieces)
    return out.select(*by, "years", "measure", *[c for c in out.columns if c not in (*by, "years", "measure")])


def _stage_expr(stage: str) -> pl.Expr:
    if stage in ("home", "study"):
        return pl.col(f"{stage}_region").fill_null(UNKNOWN).alias(stage)
    place, _, rest = stage.partition("_")
    if place not in PLACES or not rest.endswith("y") or not rest[:-1].isdigit():
        raise ValueError(f"stage {stage!r} is not home, study, residence_<k>y or work_<k>y")
    k = rest[:-1]
    value = pl.col(stage)
    expr = pl.when(~pl.col(f"followup_{k}y")).then(pl.lit(NO_FOLLOWUP))
    if place == "work":
        expr = expr.when(value.is_null() & pl.col(f"employed_{k}y").not_()).then(pl.lit(NOT_IN_WORK))
    return expr.otherwise(value.fill_null(UNKNOWN)).alias(stage)


def flows(
    histories: pl.DataFrame,
    *,
    stages: Sequence[str] = ("home", "study", "work_3y"),
    by: Sequence[str] = (),
) -> pl.DataFrame:
    """Counts of persons per path through the stages, for an alluvial (Sankey) chart.

    Stages are ``"home"``, ``"study"``, ``"residence_<k>y"`` or ``"work_<k>y"``
    (columns of :func:`mobility_histories`). Each person is one path; missing places
    are labelled, never dropped: ``"no_followup"``, ``"not_in_work"`` (work stages)
    or ``"unknown"``. Returns a count table (``by``, the stages, ``count``) sorted by
    the stages, ready for :func:`lcanalysis.disclosure.apply_policy`.
    """
    keys = [*by, *stages]
    return (
        histories.select(*by, *[_stage_expr(s) for s in stages])
        .group_by(keys)
        .len("count")
        .with_columns(pl.col("count").cast(pl.Int64))
        .sort(keys)
    )


STOCKHOLM_COUNTY = "01"
"""County code of Stockholms län: KTH's home region, the destination of brain drain."""


def brain_drain_flows(histories: pl.DataFrame, *, at: int = 1) -> pl.DataFrame:
    """Home -> route -> place of work, in the few categories the brain-drain question needs.

    From :func:`mobility_histories` at municipality scale (``home_municipality_code``,
    ``route``, ``work_<at>y``): ``home_region`` is ``stockholm_county`` or
    ``elsewhere``; ``study_region`` is the route (``campus`` in Stockholm or
    ``learning_centre``); ``work_region`` is ``home_municipality`` (working in the
    municipality they came from), ``stockholm_county`` (elsewhere in Stockholm
    county: the brain-drain destination) or ``elsewhere``. People without a work place
    at the follow-up (no follow-up yet, not in work) have ``work_region`` null: one
    such row per home and study region, which a flow chart leaves out and a caption
    counts. Returns a count table (``home_region``, ``study_region``,
    ``work_region``, ``count``).
    """
    work = f"work_{at}y"
    if work not in histories.columns:
        raise ValueError(f"histories have no follow-up at {at} years ({work!r})")
    county = pl.col(work).str.slice(0, 2)
    framed = histories.select(
        pl.when(pl.col("home_municipality_code").str.slice(0, 2) == STOCKHOLM_COUNTY)
        .then(pl.lit("stockholm_county")).otherwise(pl.lit("elsewhere")).alias("home_region"),
        pl.col("route").alias("study_region"),
        pl.when(pl.col(work).is_null()).then(pl.lit(None, pl.Utf8))
        .when(pl.col(work) == pl.col("home_municipality_code")).then(pl.lit("home_municipality"))
        .when(county == STOCKHOLM_COUNTY).then(pl.lit("stockholm_county"))
        .otherwise(pl.lit("elsewhere")).alias("work_region"),
    )
    keys = ["home_region", "study_region", "work_region"]
    return (
        framed.group_by(keys).len("count").with_columns(pl.col("count").cast(pl.Int64))
        .sort(keys, nulls_last=True)
    )
