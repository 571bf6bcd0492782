"""Scale-up: how many students would learning centres in other municipalities recruit?

Fits a count model of new learning-centre students per centre and year on the
served area's characteristics, with the served population as exposure, then
predicts candidate municipalities with simulation intervals and adds up the top-K
candidates (:func:`scale_up_scenarios`). With eight pilot centres and two or three
years the model rests on few observations: the intervals, not the point predictions,
are the result to report.

Inputs are processed tables plus a ``municipality_features`` frame (one row per
municipality_code with ``skr_group`` and ``distance_km``, the road or straight-line
distance to KTH in Stockholm, e.g. from ``lcanalysis.geo``), so this module does not
depend on how that frame is made.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import patsy
import polars as pl
import statsmodels.api as sm
import statsmodels.formula.api as smf
from statsmodels.genmod.generalized_linear_model import GLMResults

from lcanalysis.config import LearningCentre
from lcanalysis.errors import InputError
from lcanalysis.indicators.panel import POPULATION_19_64, first_treated_year
from lcanalysis.stats import strict_sum

DEFAULT_FORMULA = "recruits ~ education_share + log_distance + log_population"
"""Continuous covariates only: with eight pilot centres in five SKR groups, group
dummies are barely identified and cannot predict for a group without a centre; the
education level, distance and size carry what the groups describe. Pass a formula
with ``C(skr_group)`` once centres cover the groups."""
Family = Literal["poisson", "negbin"]


def _require(frame: pl.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{name} has no column(s) {missing}; it has {list(frame.columns)}")


def _term_year(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars().str.slice(2, 4).cast(pl.Int32, strict=False)


def _area_statistics(municipal_stats: pl.DataFrame, served: pl.DataFrame, keys: list[str]):
    """Residents 19-64 and the share of 25-64 with >= 3 years post-secondary, summed over
    each area's municipalities, from the same year's statistics or the latest earlier one."""
    _require(municipal_stats, ("municipality_code", "year", *POPULATION_19_64,
                               "pop_25_64_educated", "post_secondary_3y_25_64"),
             "municipal_stats")
    stats = municipal_stats.select(
        "municipality_code", pl.col("year").cast(pl.Int32),
        strict_sum(list(POPULATION_19_64)).alias("population"),
        "pop_25_64_educated", "post_secondary_3y_25_64",
    ).sort("year")
    return (
        served.sort("year")
        .join_asof(stats, on="year", by="municipality_code", check_sortedness=False)
        .group_by(keys)
        .agg(
            pl.col("population").sum().alias("population_served"),
            pl.when(pl.col("pop_25_64_educated").null_count()
                    + pl.col("post_secondary_3y_25_64").null_count() == 0)
            .then(pl.col("post_secondary_3y_25_64").sum() / pl.col("pop_25_64_educated").sum())
            .alias("education_share"),
            pl.col("population").null_count().alias("_missing"),
        )
    )


def _with_logs(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("distance_km").log().alias("log_distance"),
        pl.col("population_served").log().alias("log_population"),
    )


def centre_year_table(
    participants: pl.DataFrame,
    registrations: pl.DataFrame | None,
    centres: Mapping[str, LearningCentre],
    municipal_stats: pl.DataFrame,
    municipality_features: pl.DataFrame,
) -> pl.DataFrame:
    """New learning-centre students per centre and calendar year, with the served area.

    - ``recruits``: persons counted in the year they first appear at the centre, as a
      participant (``start_term``) or, when ``registrations`` is given, with a course
      registration carrying the centre's ``learning_centre_id``; later years do not
      count them again. Years run from the centre's ``start_term`` year to the last
      year in the data, zero when nobody new came.
    - Served area: the centre's ``serves`` list (config/learning_centres.yaml):
      ``population_served`` = residents 19-64 summed (the exposure),
      ``education_share`` = residents 25-64 with >= 3 years post-secondary over
      residents 25-64 with known education, summed over the area.
    - ``skr_group`` and ``distance_km`` of the centre's own municipality, from
      ``municipality_features`` (municipality_code, skr_group, distance_km);
      ``log_distance`` and ``log_population`` (of population_served) for the model.
    """
    _require(participants, ("person_id", "learning_centre_id", "start_term"), "participants")
    _require(municipality_features, ("municipality_code", "skr_group", "distance_km"),
             "municipality_features")
    unknown = set(participants["learning_centre_id"].unique()) - set(centres)
    if unknown:
        raise InputError(f"participants: unknown learning centres {sorted(unknown)}",
                         column="learning_centre_id")
    appearances = [participants.select("person_id", "learning_centre_id",
                                       _term_year("start_term").alias("year"))]
    if registrations is not None:
        _require(registrations, ("person_id", "learning_centre_id", "term"), "registrations")
        appearances.append(
            registrations.filter(pl.col("learning_centre_id").is_in(list(centres)))
            .select("person_id", "learning_centre_id", _term_year("term").alias("year"))
        )
    first_year = (
        pl.concat(appearances)
        .group_by("person_id", "learning_centre_id")
        .agg(pl.col("year").min())
    )
    if first_year["year"].null_count():
        raise InputError("participants or registrations: a term is not like 'HT2024'")
    last_year = int(first_year["year"].max())
    recruits = first_year.group_by("learning_centre_id", "year").agg(pl.len().alias("recruits"))

    grid = pl.DataFrame(
        [(cid, c.municipality, year)
         for cid, c in centres.items()
         for year in range(first_treated_year(c.start_term, timing="calendar"), last_year + 1)],
        schema={"learning_centre_id": pl.String, "municipality_code": pl.String,
                "year": pl.Int32},
        orient="row",
    )
    served = pl.DataFrame(
        [(cid, code) for cid, c in centres.items() for code in c.serves],
        schema={"learning_centre_id": pl.String, "served_code": pl.String}, orient="row",
    )
    area = _area_statistics(
        municipal_stats,
        grid.join(served, on="learning_centre_id").select(
            "learning_centre_id", "year", pl.col("served_code").alias("municipality_code")),
        ["learning_centre_id", "year"],
    )
    if area["_missing"].sum():
        raise InputError("municipal_stats lacks a served municipality or a year before the pilot")
    table = (
        grid.join(recruits, on=["learning_centre_id", "year"], how="left")
        .with_columns(pl.col("recruits").fill_null(0).cast(pl.Int64))
        .join(area.drop("_missing"), on=["learning_centre_id", "year"], how="left")
        .join(municipality_features.select("municipality_code", "skr_group", "distance_km"),
              on="municipality_code", how="left")
    )
    return _with_logs(table).sort("learning_centre_id", "year")


def candidate_municipalities(
    municipal_stats: pl.DataFrame,
    municipality_features: pl.DataFrame,
    *,
    year: int,
    exclude: Collection[str] = (),
) -> pl.DataFrame:
    """Every municipality as a candidate centre serving only itself, in ``year``.

    Same columns as :func:`centre_year_table` (population_served, education_share,
    skr_group, distance_km, log_distance, log_population) so that
    :func:`predict_recruitment` can use them; ``exclude`` drops e.g. the pilot's own
    served municipalities and Stockholm itself. A municipality whose population or
    education level is not reported for ``year`` is left out (compare the row count
    with 290 minus ``exclude``).
    """
    _require(municipality_features, ("municipality_code", "skr_group", "distance_km"),
             "municipality_features")
    served = (
        municipality_features.select("municipality_code")
        .filter(~pl.col("municipality_code").is_in(list(exclude)))
        .with_columns(pl.lit(year, pl.Int32).alias("year"))
    )
    area = _area_statistics(municipal_stats, served, ["municipality_code", "year"])
    # Municipalities whose population or education level SCB did not report for the
    # year cannot be predicted for; they are left out of the candidates.
    table = area.filter((pl.col("_missing") == 0) & pl.col("education_share").is_not_null())
    table = table.drop("_missing").join(
        municipality_features.select("municipality_code", "skr_group", "distance_km"),
        on="municipality_code",
    )
    return _with_logs(table).sort("municipality_code")


@dataclass(frozen=True)
class RecruitmentModel:
    """A fitted recruitment model: the statsmodels GLM result and how it was made.

    ``alpha`` is the NB2 dispersion (variance = mu + alpha mu^2), None for Poisson.
    """

    result: GLMResults
    family: str
    formula: str
    exposure: str
    alpha: float | None


def fit_recruitment_model(
    centre_years: pl.DataFrame,
    *,
    family: Family = "poisson",
    formula: str = DEFAULT_FORMULA,
    exposure: str = "population_served",
) -> RecruitmentModel:
    """Count model of recruits per centre-year, rate per resident of the served area.

    statsmodels GLM with log link and ``exposure=`` the served population, i.e.
    log E[recruits] = log(population_served) + x'b: coefficients act on the
    recruitment rate. ``family="poisson"``: variance = mean; ``"negbin"``: NB2 with
    its dispersion alpha estimated by maximum likelihood (statsmodels discrete
    NegativeBinomial), then the GLM refitted with that alpha. Standard errors are
    the model-based ones; centre-years of the same centre are treated as
    independent given the covariates. Default covariates: SKR group, education
    share, log distance to Stockholm, log population served.
    """
    data = centre_years.to_pandas()
    if data[exposure].le(0).any() or data[exposure].isna().any():
        raise InputError(f"centre_years: {exposure} must be positive", column=exposure)
    offset_exposure = data[exposure].to_numpy(float)
    if family == "poisson":
        alpha = None
        glm_family = sm.families.Poisson()
    elif family == "negbin":
        mle = smf.negativebinomial(formula, data, exposure=offset_exposure).fit(disp=0)
        alpha = float(mle.params["alpha"])
        glm_family = sm.families.NegativeBinomial(alpha=alpha)
    else:
        raise ValueError(f"family must be 'poisson' or 'negbin', not {family!r}")
    result = smf.glm(formula, data, family=glm_family, exposure=offset_exposure).fit()
    return RecruitmentModel(result, family, formula, exposure, alpha)


def predict_recruitment(
    model: RecruitmentModel,
    candidates: pl.DataFrame,
    *,
    n_simulations: int = 4000,
    level: float = 0.9,
    seed: int = 0,
) -> pl.DataFrame:
    """Expected new students per year at each candidate, with simulation intervals.

    ``expected`` = exp(x'b) * exposure at the estimates. Simulation (seeded): draw the
    coefficients from the normal with the fitted covariance (parameter uncertainty),
    giving the mean mu* (``expected_low``/``expected_high``); then a count from
    Poisson(mu*) or NB2(mu*, alpha) (outcome noise), giving the prediction interval
    (``prediction_low``/``prediction_high``), both at ``level``. ``draws`` keeps each
    candidate's simulated counts; draw j of every candidate shares coefficient draw
    j, so :func:`scale_up_scenarios` can add candidates up. The NB dispersion is held
    at its estimate.
    """
    data = candidates.to_pandas()
    design_info = model.result.model.data.model_spec
    try:
        (x,) = patsy.build_design_matrices([design_info], data, return_type="matrix")
    except patsy.PatsyError as exc:
        raise InputError(f"candidates do not fit the model's covariates: {exc}") from exc
    x = np.asarray(x)
    if x.shape[0] != candidates.height:
        raise InputError("candidates have missing covariates")
    exposure = data[model.exposure].to_numpy(float)
    params = np.asarray(model.result.params)
    rng = np.random.default_rng(seed)
    beta = rng.multivariate_normal(params, np.asarray(model.result.cov_params()), n_simulations)
    mu = np.exp(x @ beta.T) * exposure[:, None]
    if model.alpha is None:
        counts = rng.poisson(mu)
    else:
        counts = rng.poisson(rng.gamma(1 / model.alpha, model.alpha * mu))
    tail = (1 - level) / 2
    mean_low, mean_high = np.quantile(mu, [tail, 1 - tail], axis=1)
    pred_low, pred_high = np.quantile(counts, [tail, 1 - tail], axis=1)
    return candidates.with_columns(
        pl.Series("expected", np.exp(x @ params) * exposure),
        pl.Series("expected_low", mean_low), pl.Series("expected_high", mean_high),
        pl.Series("prediction_low", pred_low), pl.Series("prediction_high", pred_high),
        pl.Series("draws", counts.astype(np.int64)),
    )


def priority_score(frame: pl.DataFrame) -> pl.Expr:
    """Widening-participation priority: mean z-score of low education and distance.

    (z(-education_share) + z(log_distance)) / 2, z-scores across the rows of
    ``frame``: municipalities where few adults have a long post-secondary education
    and that are far from KTH rank first.
    """
    _require(frame, ("education_share", "log_distance"), "predictions")

    def z(expr: pl.Expr) -> pl.Expr:
        return (expr - expr.mean()) / expr.std()

    return ((z(-pl.col("education_share")) + z(pl.col("log_distance"))) / 2).alias("priority")


def scale_up_scenarios(
    predictions: pl.DataFrame,
    k_values: Sequence[int] = (5, 10, 20),
    rank_by: Literal["expected", "priority"] = "expected",
    *,
    id_column: str = "municipality_code",
    level: float = 0.9,
) -> pl.DataFrame:
    """New students per year if centres opened in the top-K candidates.

    Candidates of :func:`predict_recruitment` are ranked by ``expected`` students or by
    :func:`priority_score`; for each K the expected students are summed, and the
    prediction interval is the quantiles of the summed simulated counts (draws share
    the coefficient draw, so uncertainty common to all candidates is kept). Assumes
    centres do not compete for the same students.
    """
    if rank_by == "priority":
        ranked = predictions.with_columns(priority_score(predictions)).sort(
            "priority", descending=True)
    elif rank_by == "expected":
        ranked = predictions.sort("expected", descending=True)
    else:
        raise ValueError(f"rank_by must be 'expected' or 'priority', not {rank_by!r}")
    draws = ranked["draws"].to_numpy()
    tail = (1 - level) / 2
    rows = []
    for k in k_values:
        if k > ranked.height:
            raise InputError(f"scale_up_scenarios: K={k} but only {ranked.height} candidates")
        total = draws[:k].sum(axis=0)
        low, high = np.quantile(total, [tail, 1 - tail])
        rows.append({"k": k, "rank_by": rank_by, "candidates": ranked[id_column][:k].to_list(),
                     "expected": float(ranked["expected"][:k].sum()),
                     "prediction_low": float(low), "prediction_high": float(high)})
    return pl.DataFrame(rows)

