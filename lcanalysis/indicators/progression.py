"""Progression: performance rate, pass rates, continuation and the foundation year.

Term windows are counted in *regular* terms (VT, HT) with
:func:`lcanalysis.terms.term_index_expr`: a summer term counts with the spring term of
its year, as in UKÄ's performance rate. Outcomes whose window reaches past the last
observed term are unknown (null) rather than failures, and are counted, not hidden.
Definitions, formulas and sources: docs/methods.md, section 5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
from scipy import stats as sps

from lcanalysis import stats, terms

ENGINEERING_LEVELS: tuple[str, ...] = ("bachelor_eng", "msc_eng")
"""Programme levels that count as a transition from the foundation year."""

DEFAULT_COVARIATES: tuple[str, ...] = ("age_band", "legal_sex", "parental_education", "employed")


def _index(col: str) -> pl.Expr:
    return terms.term_index_expr(col)


def _last_index(last_term: str | None, *frames: pl.DataFrame) -> int:
    """Regular-term index of ``last_term``, or of the latest ``term`` in ``frames``."""
    if last_term is not None:
        value = pl.select(terms.term_index_expr(pl.lit(last_term))).item()
        if value is None:
            raise ValueError(f"last_term {last_term!r} is not a canonical term such as 'HT2025'")
        return int(value)
    latest = [f.select(_index("term").max()).item() for f in frames if f.height]
    if not latest:
        raise ValueError("no registrations or results to take the last observed term from")
    return int(max(latest))


def _passed_modules(results: pl.DataFrame) -> pl.DataFrame:
    """One row per person, course and module: the first pass (a re-examination that
    raises the grade does not earn the credits twice)."""
    return (
        results.sort("examined_on")
        .unique(["person_id", "course_code", "module_code"], keep="first", maintain_order=True)
        .select("person_id", "course_code", "credits_earned", _index("term").alias("_result_idx"))
    )


def credited_registrations(
    registrations: pl.DataFrame, results: pl.DataFrame, *, window_terms: int = 3
) -> pl.DataFrame:
    """Credits earned on each registration within its term and the next ``window_terms``.

    Each passed module (first pass only) is attributed to the person's latest
    registration on the same course at or before the result's term, so a re-
    registration does not count a result twice; it counts if its term index is at
    most registration + ``window_terms``. Earned credits are capped at the credits
    registered (a course cannot be more than completed). Returns the registrations
    with ``credits_earned`` (Float64, 0 when nothing was passed) and ``window_end``
    (regular-term index of the window's last term).
    """
    regs = registrations.with_columns(_index("term").alias("_reg_idx"))
    modules = _passed_modules(results).with_row_index("_module")
    attributed = (
        modules.join(
            regs.select("person_id", "course_code", "term", "_reg_idx"),
            on=["person_id", "course_code"],
            how="inner",
        )
        .filter(pl.col("_reg_idx") <= pl.col("_result_idx"))
        .sort("_module", "_reg_idx")
        .unique("_module", keep="last", maintain_order=True)
        .filter(pl.col("_result_idx") <= pl.col("_reg_idx") + window_terms)
        .group_by("person_id", "course_code", "term")
        .agg(pl.col("credits_earned").sum())
    )
    return (
        regs.join(attributed, on=["person_id", "course_code", "term"], how="left")
        .with_columns(
            pl.min_horizontal(pl.col("credits_earned").fill_null(0.0), pl.col("credits_registered"))
            .cast(pl.Float64)
            .alias("credits_earned"),
            (pl.col("_reg_idx") + window_terms).alias("window_end"),
        )
        .drop("_reg_idx")
    )


def _with_groups(
    frame: pl.DataFrame, by: Sequence[str], entrants: pl.DataFrame | None
) -> pl.DataFrame:
    """``frame`` restricted to entrants and given their ``by`` columns, if entrants are given."""
    by = list(by)
    if entrants is not None:
        extra = [c for c in by if c not in frame.columns]
        frame = frame.join(entrants.select("person_id", *extra), on="person_id", how="inner")
    absent = [c for c in by if c not in frame.columns]
    if absent:
        raise ValueError(
            f"group columns {absent} are neither in registrations nor given by entrants; "
            "pass entrants=routes.entrants(...) to group by route"
        )
    return frame


def performance_rate(
    registrations: pl.DataFrame,
    results: pl.DataFrame,
    *,
    by: Sequence[str] = ("route",),
    entrants: pl.DataFrame | None = None,
    window_terms: int = 3,
    last_term: str | None = None,
    alpha: float = 0.05,
    credited: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """UKÄ's performance rate (prestationsgrad): credits earned / credits registered.

    Definition (UKÄ): for the registrations of a group, the credits earned on the
    registered courses during the registration term and the next ``window_terms``
    regular terms (summer excluded), divided by the credits registered,

        R = sum_i y_i / sum_i x_i,

    y_i, x_i the earned and registered credits of person i summed over their
    registrations (attribution rules: :func:`credited_registrations`). Registrations
    whose window ends after ``last_term`` (default: the latest term in the data) are
    left out and counted in ``incomplete_window``. ``credited`` is
    :func:`credited_registrations` of these registrations and results with this
    ``window_terms`` when it is at hand (:func:`lcanalysis.derived.credited_registrations`
    keeps it for every notebook); without it, it is computed here.

    Interval: credits are not Bernoulli trials and one person's courses are not
    independent, so the interval is the linearisation (delta-method) interval of a
    ratio of sums with persons as clusters (Cochran 1977, section 6.4; as in
    survey software such as R's ``survey::svyratio``):

        Var(R) = n / (n - 1) * sum_i (y_i - R x_i)^2 / (sum_i x_i)^2,

    n persons in the group; R ± z sqrt(Var), clipped to [0, 1]. Null for one person.

    Returns
    -------
    Ratio frame: ``by``, numerator (credits earned, Float64), denominator (credits
    registered, Float64), rate, ci_low, ci_high, suppressed, suppression_reason,
    n_persons, n_registrations, incomplete_window. Disclose on ``n_persons``:
    the numerator and denominator are credits, not people.
    """
    by = list(by)
    last = _last_index(last_term, registrations, results)
    if credited is None:
        credited = credited_registrations(registrations, results, window_terms=window_terms)
    regs = _with_groups(credited, by, entrants)
    complete = pl.col("window_end") <= last
    incomplete = (
        regs.filter(~complete).group_by(by).len("incomplete_window")
        if by
        else regs.filter(~complete).select(pl.len().alias("incomplete_window"))
    )
    per_person = (
        regs.filter(complete)
        .group_by(*by, "person_id")
        .agg(
            pl.col("credits_earned").sum().alias("y"),
            pl.col("credits_registered").sum().alias("x"),
            pl.len().alias("k"),
        )
    )
    agg = [
        pl.col("y").sum().alias("numerator"),
        pl.col("x").sum().alias("denominator"),
        pl.len().alias("n_persons"),
        pl.col("k").sum().cast(pl.Int64).alias("n_registrations"),
    ]
    grouped = (per_person.group_by(by).agg(agg) if by else per_person.select(agg)).with_columns(
        (pl.col("numerator") / pl.col("denominator")).alias("rate")
    )
    resid = (
        per_person.join(grouped.select(*by, "rate"), on=by, how="left", nulls_equal=True)
        if by
        else per_person.with_columns(pl.lit(grouped["rate"].item()).alias("rate"))
    ).with_columns(((pl.col("y") - pl.col("rate") * pl.col("x")) ** 2).alias("_sq"))
    sums = resid.group_by(by).agg(pl.col("_sq").sum()) if by else resid.select(pl.col("_sq").sum())
    z = float(sps.norm.isf(alpha / 2))
    n = pl.col("n_persons").cast(pl.Float64)
    se = (n / (n - 1) * pl.col("_sq")).sqrt() / pl.col("denominator")
    out = (
        grouped.join(sums, on=by, how="left", nulls_equal=True) if by else grouped.with_columns(sums)
    ).with_columns(
        pl.when(pl.col("n_persons") > 1)
        .then((pl.col("rate") - z * se).clip(0.0, 1.0))
        .alias("ci_low"),
        pl.when(pl.col("n_persons") > 1)
        .then((pl.col("rate") + z * se).clip(0.0, 1.0))
        .alias("ci_high"),
    )
    out = (
        out.join(incomplete, on=by, how="full", nulls_equal=True, coalesce=True)
        if by
        else out.with_columns(incomplete)
    )
    if by:
        out = out.sort(by)
    return out.select(
        *by,
        pl.col("numerator").cast(pl.Float64),
        pl.col("denominator").cast(pl.Float64),
        "rate",
        "ci_low",
        "ci_high",
        pl.lit(False).alias("suppressed"),
        pl.lit(None, dtype=pl.Utf8).alias("suppression_reason"),
        pl.col("n_persons").fill_null(0).cast(pl.Int64),
        pl.col("n_registrations").fill_null(0).cast(pl.Int64),
        pl.col("incomplete_window").fill_null(0).cast(pl.Int64),
    )


def pass_rates(
    registrations: pl.DataFrame,
    results: pl.DataFrame,
    *,
    by: Sequence[str] = ("course_code",),
    entrants: pl.DataFrame | None = None,
    window_terms: int = 0,
    last_term: str | None = None,
) -> pl.DataFrame:
    """Course pass rate: share of registrations completed within the window.

    Definition: a registration is passed when the credits earned on it within its
    term and the next ``window_terms`` regular terms (0: the registration term
    only) reach the credits registered (:func:`credited_registrations`); rate =
    passed registrations / registrations, per ``by`` (default per course). The unit
    is the registration, so a person who re-registers counts once per registration
    (a caveat for the Wilson interval, which assumes independent trials).
    Registrations whose window ends after ``last_term`` are unknown and counted in
    ``missing``. Pass ``entrants`` to group by route or other entrant columns.
    """
    last = _last_index(last_term, registrations, results)
    regs = _with_groups(
        credited_registrations(registrations, results, window_terms=window_terms), by, entrants
    ).with_columns(
        pl.when(pl.col("window_end") <= last)
        .then(pl.col("credits_earned") >= pl.col("credits_registered"))
        .alias("passed")
    )
    return stats.rates(regs, list(by), "passed")


def continuation_status(
    registrations: pl.DataFrame,
    entrants: pl.DataFrame,
    *,
    next_terms: int = 1,
    last_term: str | None = None,
) -> pl.DataFrame:
    """Person-level continuation flags: entrants with ``next_term`` and ``year_2``.

    Definitions (census rules are parameters, DESIGN.md section 4; cf. UKÄ's
    "kvarvaro" and HESA's continuation indicator):

    - ``next_term``: registered on any course in one of the ``next_terms`` regular
      terms after the entry term (default 1: the next regular term);
    - ``year_2``: registered on any course 2 or 3 regular terms after the entry term
      (the second year of study).

    Summer registrations do not count. A flag is null (unknown) when the person has
    no such registration and the window ends after ``last_term`` (default: the
    latest registration term in the data): they have not had the chance yet.
    """
    last = _last_index(last_term, registrations)
    regular = (
        registrations.filter(~pl.col("term").str.starts_with("ST"))
        .select("person_id", _index("term").alias("_idx"))
        .unique()
    )
    entry = entrants.with_columns(_index("entry_term").alias("_entry"))
    offsets = (
        entry.select("person_id", "_entry")
        .join(regular, on="person_id", how="inner")
        .with_columns((pl.col("_idx") - pl.col("_entry")).alias("_offset"))
        .group_by("person_id")
        .agg(
            pl.col("_offset").is_between(1, next_terms).any().alias("_next"),
            pl.col("_offset").is_between(2, 3).any().alias("_year2"),
        )
    )

    def flag(seen: str, window_end: pl.Expr) -> pl.Expr:
        observed = pl.col(seen).fill_null(False)
        return pl.when(observed).then(True).when(window_end <= last).then(False).otherwise(None)

    return (
        entry.join(offsets, on="person_id", how="left")
        .with_columns(
            flag("_next", pl.col("_entry") + next_terms).alias("next_term"),
            flag("_year2", pl.col("_entry") + 3).alias("year_2"),
        )
        .drop("_entry", "_next", "_year2")
    )


def continuation(
    registrations: pl.DataFrame,
    entrants: pl.DataFrame,
    *,
    next_terms: int = 1,
    by: Sequence[str] = ("route",),
    last_term: str | None = None,
) -> pl.DataFrame:
    """Continuation rates by route: rate frame with a ``measure`` key column.

    ``measure`` is ``"next_term"`` or ``"year_2"`` (definitions in
    :func:`continuation_status`). Rate = entrants with the flag / entrants whose flag
    is known; entrants not yet observed long enough are counted in ``missing``.
    Wilson intervals.
    """
    status = continuation_status(registrations, entrants, next_terms=next_terms, last_term=last_term)
    return _measure_rates(status, list(by), ["next_term", "year_2"])


def _measure_rates(frame: pl.DataFrame, by: list[str], measures: list[str]) -> pl.DataFrame:
    pieces = [
        stats.rates(frame, by, m).with_columns(pl.lit(m).alias("measure")) for m in measures
    ]
    out = pl.concat(pieces)
    return out.select(*by, "measure", *[c for c in out.columns if c not in (*by, "measure")])


@dataclass(frozen=True)
class FoundationYearOutcomes:
    """Result of :func:`foundation_year_outcomes`.

    Attributes
    ----------
    rates:
        Rate frame with key columns ``by`` and ``measure`` (``"completion"``,
        ``"transition"``), Wilson intervals, ``missing`` = not yet observable.
    persons:
        One row per foundation-year entrant: the entrant columns plus
        ``fy_credits``, ``completed``, ``transitioned``, ``transition_term``,
        ``duration_terms`` and ``event`` (for :func:`transition_survival`).
    """

    rates: pl.DataFrame
    persons: pl.DataFrame


def foundation_year_outcomes(
    registrations: pl.DataFrame,
    results: pl.DataFrame,
    entrants: pl.DataFrame,
    *,
    completion_credits: float = 60.0,
    transition_window_terms: int = 4,
    by: Sequence[str] = ("route",),
    last_term: str | None = None,
) -> FoundationYearOutcomes:
    """Completion of the foundation year and transition to an engineering programme.

    Applies to entrants whose entry level is ``foundation_year`` (make them with
    ``routes.entrants(..., programme_levels=["foundation_year"])``). With e the
    regular-term index of the entry term and W = ``transition_window_terms``:

    - ``fy_credits``: credits earned (first pass of each module) on courses the
      person was registered on at foundation-year level, in terms e .. e + W;
    - ``completed``: fy_credits >= ``completion_credits`` (tekniskt basår is 60
      credits);
    - ``transitioned``: a registration at ``bachelor_eng`` or ``msc_eng`` level in
      terms e + 1 .. e + W;
    - ``duration_terms``: regular terms from entry to the first engineering
      registration after entry (``event`` = 1), or to the last observed term
      (``event`` = 0, right-censored), for Kaplan-Meier curves.

    ``completed`` and ``transitioned`` are null when the outcome has not happened and
    e + W is after ``last_term`` (default: latest term in the data).
    """
    last = _last_index(last_term, registrations, results)
    fy = entrants.filter(pl.col("programme_level") == "foundation_year").with_columns(
        _index("entry_term").alias("_entry")
    )
    window_end = pl.col("_entry") + transition_window_terms
    fy_courses = (
        registrations.filter(pl.col("programme_level") == "foundation_year")
        .select("person_id", "course_code")
        .unique()
    )
    credits = (
        _passed_modules(results)
        .join(fy_courses, on=["person_id", "course_code"], how="inner")
        .join(fy.select("person_id", "_entry"), on="person_id", how="inner")
        .filter(pl.col("_result_idx").is_between(pl.col("_entry"), pl.col("_entry") + transition_window_terms))
        .group_by("person_id")
        .agg(pl.col("credits_earned").sum().alias("fy_credits"))
    )
    first_eng = (
        registrations.filter(pl.col("programme_level").is_in(ENGINEERING_LEVELS))
        .select("person_id", "term", _index("term").alias("_idx"))
        .join(fy.select("person_id", "_entry"), on="person_id", how="inner")
        .filter(pl.col("_idx") > pl.col("_entry"))
        .sort("_idx", terms.term_seq("term"))
        .group_by("person_id", maintain_order=True)
        .first()
        .select("person_id", pl.col("term").alias("transition_term"), pl.col("_idx").alias("_eng"))
    )
    persons = (
        fy.join(credits, on="person_id", how="left")
        .join(first_eng, on="person_id", how="left")
        .with_columns(pl.col("fy_credits").fill_null(0.0).cast(pl.Float64))
        .with_columns(
            pl.when(pl.col("fy_credits") >= completion_credits)
            .then(True)
            .when(window_end <= last)
            .then(False)
            .alias("completed"),
            pl.when(pl.col("_eng") <= window_end)
            .then(True)
            .when(window_end <= last)
            .then(False)
            .alias("transitioned"),
            (pl.coalesce("_eng", pl.lit(last)) - pl.col("_entry")).cast(pl.Int64).alias("duration_terms"),
            pl.col("_eng").is_not_null().cast(pl.Int8).alias("event"),
        )
        .drop("_entry", "_eng")
    )
    return FoundationYearOutcomes(
        rates=_measure_rates(persons, list(by), ["completed", "transitioned"]).with_columns(
            pl.col("measure").replace({"completed": "completion", "transitioned": "transition"})
        ),
        persons=persons,
    )


@dataclass(frozen=True)
class AdjustedComparison:
    """Result of :func:`adjusted_comparison`.

    Attributes
    ----------
    odds_ratios, marginal_effect, n_obs:
        As in :class:`lcanalysis.stats.LogisticEffects`; the exposure term is
        ``learning_centre`` (1 = learning-centre route, 0 = campus).
    covariates_used:
        Covariates in the model.
    covariates_dropped:
        Covariate -> reason (``"aliased_with_route"``: its known levels occur in one
        route only, e.g. ``employed``, known only for participants).
    """

    odds_ratios: pl.DataFrame
    marginal_effect: pl.DataFrame
    n_obs: int
    covariates_used: tuple[str, ...]
    covariates_dropped: dict[str, str]


def adjusted_comparison(
    person_frame: pl.DataFrame,
    outcome: str,
    covariates: Sequence[str] = DEFAULT_COVARIATES,
    *,
    cluster: str | None = None,
) -> AdjustedComparison:
    """Learning centre vs campus on a 0/1 outcome, adjusted by logistic regression.

    Model: logit P(outcome) = b0 + b1 learning_centre + covariates, fitted with
    :func:`lcanalysis.stats.logistic_effects`; reports the odds ratio exp(b1) (Wald
    interval) and the average marginal effect of the route on the probability
    scale (delta-method interval), optionally with standard errors clustered on
    ``cluster`` (e.g. ``learning_centre_id``).

    Nulls: rows with an unknown outcome (e.g. not yet observable) are left out, as
    are rows with a null numeric covariate; ``n_obs`` counts the rest. A null in a
    text or boolean covariate becomes its own level ``"unknown"``. A covariate whose
    levels do not overlap between the routes cannot be adjusted for (it is the
    route in disguise) and is dropped with its reason in ``covariates_dropped``.

    Caveat: an association adjusted for observed background, not a causal effect;
    learning-centre entrants select themselves into the route.
    """
    covs = list(covariates)
    frame = person_frame.filter(pl.col(outcome).is_not_null()).with_columns(
        (pl.col("route") == "learning_centre").cast(pl.Int8).alias("learning_centre"),
        pl.col(outcome).cast(pl.Int8),
        *[
            pl.col(c).cast(pl.String).fill_null("unknown")
            for c in covs
            if not person_frame.schema[c].is_numeric()
        ],
    )
    dropped: dict[str, str] = {}
    for c in covs:
        if frame.schema[c].is_numeric():
            continue
        routes_per_level = frame.group_by(c).agg(pl.col("learning_centre").n_unique())
        if frame[c].n_unique() > 1 and (routes_per_level["learning_centre"] == 1).all():
            dropped[c] = "aliased_with_route"
    used = [c for c in covs if c not in dropped]
    columns = [outcome, "learning_centre", *used, *([cluster] if cluster else [])]
    data = frame.select(columns).drop_nulls()
    fit = stats.logistic_effects(data, outcome, "learning_centre", used, cluster)
    return AdjustedComparison(
        odds_ratios=fit.odds_ratios,
        marginal_effect=fit.marginal_effect.with_columns(pl.lit(fit.n_obs).alias("n_obs")),
        n_obs=fit.n_obs,
        covariates_used=tuple(used),
        covariates_dropped=dropped,
    )


def transition_survival(person_frame: pl.DataFrame, by: str | None = "route") -> pl.DataFrame:
    """Kaplan-Meier curve of staying *without* an engineering registration, by route.

    Uses ``duration_terms`` and ``event`` of :attr:`FoundationYearOutcomes.persons`
    with :func:`lcanalysis.stats.survival_curve` (log-log pointwise interval).
    1 - survival at t is the cumulative share who have moved on to an engineering
    programme within t regular terms of the foundation-year entry; people who have
    not are censored at the last observed term.
    """
    return stats.survival_curve(person_frame, "duration_terms", "event", by)


FUNNEL_STAGES = ("applied", "admitted", "registered", "passed_foundation_year", "entered_engineering")


def foundation_year_funnel(
    applications: pl.DataFrame,
    registrations: pl.DataFrame,
    outcomes: pl.DataFrame,
    *,
    cohort_terms: Sequence[str],
) -> pl.DataFrame:
    """From application to an engineering programme, for foundation-year applicants.

    Applicants: persons with an application to a ``foundation_year`` programme for a
    term in ``cohort_terms``; their route is ``learning_centre`` when any such
    application names a learning centre (the locally taught foundation year,
    strand b), else ``campus``. Stages, each a subset of the one before in the
    normal course of things:

    - ``admitted``: admitted to a foundation-year programme in those terms;
    - ``registered``: registered at foundation-year level in a term they applied for;
    - ``passed_foundation_year`` / ``entered_engineering``: ``completed`` /
      ``transitioned`` is true in ``outcomes`` (the ``persons`` frame of
      :func:`foundation_year_outcomes`).

    Rate = persons at the stage / applicants of the route, Wilson interval. The last
    two stages count only outcomes already observed: for recent cohorts whose window
    is still open they are lower bounds, not final rates.
    """
    applied = applications.filter(
        (pl.col("programme_level") == "foundation_year") & pl.col("term").is_in(list(cohort_terms))
    )
    people = applied.group_by("person_id").agg(
        pl.when(pl.col("learning_centre_id").is_not_null().any())
        .then(pl.lit("learning_centre"))
        .otherwise(pl.lit("campus"))
        .first()
        .alias("route"),
        (pl.col("admission_status") == "admitted").any().alias("admitted"),
    )
    registered = (
        registrations.filter(pl.col("programme_level") == "foundation_year")
        .join(applied.select("person_id", "term").unique(), on=["person_id", "term"], how="semi")
        .select("person_id")
        .unique()
    )
    passed = outcomes.filter(pl.col("completed").fill_null(False)).select("person_id")
    entered = outcomes.filter(pl.col("transitioned").fill_null(False)).select("person_id")
    flags = people.with_columns(
        pl.lit(True).alias("applied"),
        pl.col("person_id").is_in(registered["person_id"].implode()).alias("registered"),
        pl.col("person_id").is_in(passed["person_id"].implode()).alias("passed_foundation_year"),
        pl.col("person_id").is_in(entered["person_id"].implode()).alias("entered_engineering"),
    )
    counts = flags.group_by("route").agg(
        pl.len().alias("denominator"), *[pl.col(s).sum().alias(s) for s in FUNNEL_STAGES]
    )
    long = counts.unpivot(
        index=["route", "denominator"], on=list(FUNNEL_STAGES), variable_name="stage",
        value_name="numerator",
    ).with_columns(pl.col("numerator").cast(pl.Int64), pl.col("denominator").cast(pl.Int64))
    order = {s: i for i, s in enumerate(FUNNEL_STAGES)}
    long = long.sort(pl.col("stage").replace_strict(order), "route")
    return stats.add_rate_columns(long.select("stage", "route", "numerator", "denominator"))
