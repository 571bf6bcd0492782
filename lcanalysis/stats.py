"""Intervals, gaps and regression helpers: thin, tested wrappers over statsmodels.

Every rate the project reports is a *rate frame* (docs: DESIGN.md section 4): a polars
DataFrame with the group columns first, then

- ``numerator`` (Int64), ``denominator`` (Int64),
- ``rate`` (Float64, numerator / denominator, null when the denominator is 0),
- ``ci_low``, ``ci_high`` (Float64, 95 % Wilson score interval by default),
- ``suppressed`` (Boolean) and ``suppression_reason`` (Utf8, null when not suppressed),
  set by :func:`lcanalysis.disclosure.apply_policy`.

Every column before ``numerator`` is a group (key) column; the disclosure module relies
on that. Functions here never modify their input: a frame in, a new frame out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
import polars as pl
from scipy import stats as sps
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

RATE_COLUMNS = ["numerator", "denominator", "rate", "ci_low", "ci_high"]
DISCLOSURE_COLUMNS = ["suppressed", "suppression_reason"]


class Estimate(NamedTuple):
    """A point estimate with its interval; floats for scalar input, arrays otherwise."""

    estimate: np.ndarray | float
    ci_low: np.ndarray | float
    ci_high: np.ndarray | float


def _as_float_array(values) -> np.ndarray:
    if isinstance(values, pl.Series):
        return values.cast(pl.Float64).to_numpy()
    return np.asarray(values, dtype=float)


def _shape_like(scalar_input: bool, *arrays: np.ndarray) -> tuple:
    if scalar_input:
        return tuple(float(a[0]) for a in arrays)
    return arrays


def _check_counts(numerator: np.ndarray, denominator: np.ndarray) -> None:
    if np.any(numerator < 0) or np.any(numerator > denominator):
        raise ValueError("counts must satisfy 0 <= numerator <= denominator")


def strict_sum(columns: list[str]) -> pl.Expr:
    """Row sum of ``columns`` that is null when any of them is null.

    ``pl.sum_horizontal`` skips nulls, so a population band that SCB reports as
    ``..`` would make a municipality silently smaller; here it makes the total
    unknown.
    """
    if not columns:
        raise ValueError("strict_sum needs at least one column")
    total = pl.col(columns[0])
    for name in columns[1:]:
        total = total + pl.col(name)
    return total


def wilson_interval(numerator, denominator, alpha: float = 0.05) -> tuple:
    """Wilson score interval for a binomial proportion numerator / denominator.

    Uses statsmodels ``proportion_confint(method="wilson")`` (Wilson 1927), the interval
    DESIGN.md section 4 prescribes for every rate. Vectorised over scalars, numpy
    arrays and polars or pandas Series; where the denominator is 0 both limits are NaN
    (no interval exists for an empty group). The lower limit is exactly 0 when the
    numerator is 0 and the upper exactly 1 when it equals the denominator.

    Returns
    -------
    (ci_low, ci_high): floats for scalar input, numpy arrays otherwise.
    """
    scalar_input = np.ndim(numerator) == 0 and np.ndim(denominator) == 0
    x = np.atleast_1d(_as_float_array(numerator))
    n = np.atleast_1d(_as_float_array(denominator))
    x, n = np.broadcast_arrays(x, n)
    _check_counts(x, n)
    empty = n == 0
    low, high = proportion_confint(x, np.where(empty, 1, n), alpha=alpha, method="wilson")
    # Exact limits at the boundaries: statsmodels leaves rounding noise of order 1e-17.
    low = np.where(empty, np.nan, np.where(x == 0, 0.0, low))
    high = np.where(empty, np.nan, np.where(x == n, 1.0, high))
    return _shape_like(scalar_input, low, high)


def add_rate_columns(
    df: pl.DataFrame,
    numerator: str = "numerator",
    denominator: str = "denominator",
    *,
    alpha: float = 0.05,
) -> pl.DataFrame:
    """Turn a frame of counts into a rate frame (Wilson interval, not yet suppressed).

    ``numerator`` and ``denominator`` are renamed to the standard names and cast to
    Int64; every other column is kept, in order, as a group column before them. The
    rate is null where the denominator is 0. ``suppressed`` is False and
    ``suppression_reason`` null until :func:`lcanalysis.disclosure.apply_policy` runs.
    """
    for name in (numerator, denominator):
        if name not in df.columns:
            raise ValueError(f"column {name!r} not in frame (columns: {df.columns})")
    keys = [c for c in df.columns if c not in (numerator, denominator)]
    out = df.select(
        *keys,
        pl.col(numerator).cast(pl.Int64).alias("numerator"),
        pl.col(denominator).cast(pl.Int64).alias("denominator"),
    )
    if out["numerator"].null_count() or out["denominator"].null_count():
        raise ValueError("numerator and denominator must not contain nulls")
    low, high = wilson_interval(
        np.atleast_1d(out["numerator"].to_numpy()),
        np.atleast_1d(out["denominator"].to_numpy()),
        alpha=alpha,
    )
    return out.with_columns(
        pl.when(pl.col("denominator") > 0)
        .then(pl.col("numerator") / pl.col("denominator"))
        .otherwise(None)
        .alias("rate"),
        pl.Series("ci_low", low, dtype=pl.Float64, nan_to_null=True),
        pl.Series("ci_high", high, dtype=pl.Float64, nan_to_null=True),
        pl.lit(False).alias("suppressed"),
        pl.lit(None, dtype=pl.Utf8).alias("suppression_reason"),
    )


def rates(df: pl.DataFrame, by: list[str], indicator: str, *, alpha: float = 0.05) -> pl.DataFrame:
    """Rate frame of a person-level 0/1 indicator per group.

    Each input row is one person (or one unit of the indicator's definition); the
    indicator column is boolean or 0/1. The numerator counts 1/True, the denominator
    counts non-null values; nulls (indicator unknown) are left out of the denominator
    and counted in a final ``missing`` column. Groups are sorted by ``by``; with
    ``by=[]`` the result is one overall row. Interval: Wilson (:func:`wilson_interval`).
    """
    missing_cols = [c for c in [*by, indicator] if c not in df.columns]
    if missing_cols:
        raise ValueError(f"columns {missing_cols} not in frame (columns: {df.columns})")
    values = df.get_column(indicator).drop_nulls().cast(pl.Int64)
    if not values.is_in([0, 1]).all():
        raise ValueError(f"indicator {indicator!r} must be boolean or 0/1")
    ind = pl.col(indicator).cast(pl.Int64)
    aggs = [
        ind.sum().alias("numerator"),
        ind.count().alias("denominator"),
        ind.null_count().cast(pl.Int64).alias("missing"),
    ]
    counts = df.group_by(by).agg(aggs).sort(by) if by else df.select(aggs)
    missing = counts.select(*by, "missing")
    out = add_rate_columns(counts.drop("missing"), alpha=alpha)
    if by:
        return out.join(missing, on=by, how="left", nulls_equal=True, maintain_order="left")
    return out.with_columns(missing["missing"])


def difference_in_proportions(x1, n1, x2, n2, alpha: float = 0.05) -> Estimate:
    """Difference p1 - p2 with Newcombe's hybrid score interval.

    Newcombe (1998) method 10, the square-and-add of the two Wilson intervals, via
    statsmodels ``confint_proportions_2indep(method="newcomb", compare="diff")``.
    Vectorised; NaN where either denominator is 0. On the proportion scale (multiply
    by 100 for percentage points); the limits are kept within [-1, 1] (rounding).
    """
    scalar_input = all(np.ndim(v) == 0 for v in (x1, n1, x2, n2))
    a1, b1, a2, b2 = np.broadcast_arrays(
        *(np.atleast_1d(_as_float_array(v)) for v in (x1, n1, x2, n2))
    )
    _check_counts(a1, b1)
    _check_counts(a2, b2)
    empty = (b1 == 0) | (b2 == 0)
    a1s, a2s = np.where(empty, 0, a1), np.where(empty, 0, a2)
    b1s, b2s = np.where(empty, 1, b1), np.where(empty, 1, b2)
    low, high = confint_proportions_2indep(
        a1s, b1s, a2s, b2s, method="newcomb", compare="diff", alpha=alpha
    )
    diff = a1s / b1s - a2s / b2s
    # The interval lies in [-1, 1]; at 0/n against n/n statsmodels' square-and-add
    # gives -1 - 2e-16 in floating point.
    low, high = np.clip(low, -1.0, 1.0), np.clip(high, -1.0, 1.0)
    result = [np.where(empty, np.nan, v) for v in (diff, low, high)]
    return Estimate(*_shape_like(scalar_input, *result))


def ratio_of_proportions(x1, n1, x2, n2, alpha: float = 0.05) -> Estimate:
    """Ratio p1 / p2 with the Katz log interval.

    statsmodels ``confint_proportions_2indep(method="log", compare="ratio")`` (Katz et
    al. 1978, no continuity adjustment). The log interval does not exist when either
    numerator is 0, so estimate and interval are NaN there, as they are when either
    denominator is 0.
    """
    scalar_input = all(np.ndim(v) == 0 for v in (x1, n1, x2, n2))
    a1, b1, a2, b2 = np.broadcast_arrays(
        *(np.atleast_1d(_as_float_array(v)) for v in (x1, n1, x2, n2))
    )
    _check_counts(a1, b1)
    _check_counts(a2, b2)
    undefined = (a1 == 0) | (a2 == 0) | (b1 == 0) | (b2 == 0)
    a1s, b1s, a2s, b2s = (np.where(undefined, 1, v) for v in (a1, b1, a2, b2))
    low, high = confint_proportions_2indep(
        a1s, b1s, a2s, b2s, method="log", compare="ratio", alpha=alpha
    )
    ratio = (a1s / b1s) / (a2s / b2s)
    result = [np.where(undefined, np.nan, v) for v in (ratio, low, high)]
    return Estimate(*_shape_like(scalar_input, *result))


def compare_groups(
    rate_frame: pl.DataFrame,
    group_col: str,
    reference: object,
    by: list[str] | None = None,
    *,
    alpha: float = 0.05,
) -> pl.DataFrame:
    """Each group against a reference group: gap in percentage points and rate ratio.

    For every row of ``rate_frame`` whose ``group_col`` is not ``reference`` (within
    each stratum of ``by``), the gap ``100 * (rate - reference_rate)`` with Newcombe's
    hybrid score interval (:func:`difference_in_proportions`) and the ratio
    ``rate / reference_rate`` with the Katz log interval (:func:`ratio_of_proportions`).

    A comparison inherits suppression: if the group's row was suppressed its reason is
    kept; if only the reference was, the reason is ``"reference_suppressed"``. A
    suppressed comparison shows only the group's denominator, so run this on a frame
    that has been through :func:`lcanalysis.disclosure.apply_policy` and the result
    passes :func:`lcanalysis.disclosure.audit`. Columns: ``by``, ``group_col``,
    numerator, denominator, rate, reference_numerator, reference_denominator,
    reference_rate, gap_pp, gap_ci_low, gap_ci_high, ratio, ratio_ci_low,
    ratio_ci_high, suppressed, suppression_reason.
    """
    by = list(by or [])
    ref = rate_frame.filter(pl.col(group_col) == reference)
    if ref.is_empty():
        raise ValueError(f"reference {reference!r} not found in column {group_col!r}")
    if ref.select(by).is_duplicated().any() or (not by and ref.height > 1):
        raise ValueError(f"reference {reference!r} occurs more than once per stratum")
    ref = ref.select(
        *by,
        pl.col("numerator").alias("reference_numerator"),
        pl.col("denominator").alias("reference_denominator"),
        pl.col("rate").alias("reference_rate"),
        pl.col("suppressed").alias("_ref_suppressed"),
    )
    others = rate_frame.filter(pl.col(group_col) != reference).select(
        *by, group_col, "numerator", "denominator", "rate", "suppressed", "suppression_reason"
    )
    joined = (
        others.join(ref, on=by, how="left", nulls_equal=True, maintain_order="left")
        if by
        else others.join(ref, how="cross")
    )
    counts = [
        joined[c].cast(pl.Float64).fill_null(np.nan).to_numpy()
        for c in ("numerator", "denominator", "reference_numerator", "reference_denominator")
    ]
    usable = ~np.any([np.isnan(c) for c in counts], axis=0)
    safe = [np.where(usable, c, 0.0) for c in counts]
    gap = difference_in_proportions(*safe, alpha=alpha)
    ratio = ratio_of_proportions(*safe, alpha=alpha)

    def column(name: str, values: np.ndarray, scale: float = 1.0) -> pl.Series:
        return pl.Series(name, np.where(usable, values * scale, np.nan), nan_to_null=True)

    suppressed = pl.col("suppressed") | pl.col("_ref_suppressed").fill_null(False)
    numbers = [
        column("gap_pp", gap.estimate, 100.0),
        column("gap_ci_low", gap.ci_low, 100.0),
        column("gap_ci_high", gap.ci_high, 100.0),
        column("ratio", ratio.estimate),
        column("ratio_ci_low", ratio.ci_low),
        column("ratio_ci_high", ratio.ci_high),
    ]
    hidden_when_suppressed = [
        "numerator",
        "rate",
        "reference_numerator",
        "reference_denominator",
        "reference_rate",
        *[s.name for s in numbers],
    ]
    return (
        joined.with_columns(numbers)
        .with_columns(
            *[
                pl.when(suppressed).then(None).otherwise(pl.col(c)).alias(c)
                for c in hidden_when_suppressed
            ],
            pl.when(pl.col("suppressed"))
            .then(pl.col("suppression_reason"))
            .when(suppressed)
            .then(pl.lit("reference_suppressed"))
            .otherwise(None)
            .alias("suppression_reason"),
            suppressed.alias("suppressed"),
        )
        .select(
            *by,
            group_col,
            "numerator",
            "denominator",
            "rate",
            "reference_numerator",
            "reference_denominator",
            "reference_rate",
            *[s.name for s in numbers],
            "suppressed",
            "suppression_reason",
        )
    )


@dataclass(frozen=True)
class LogisticEffects:
    """Result of :func:`logistic_effects`.

    Attributes
    ----------
    odds_ratios:
        One row per model term except the intercept: ``term`` (patsy name, e.g.
        ``C(sex)[T.male]``), ``odds_ratio``, ``ci_low``, ``ci_high`` (Wald interval on
        the log-odds scale, exponentiated), ``p_value``.
    marginal_effect:
        One row for the exposure: ``term``, ``ame`` (average marginal effect on the
        probability scale; for a 0/1 exposure the average discrete change from 0 to 1),
        ``ci_low``, ``ci_high``, ``p_value`` (delta method).
    n_obs:
        Rows used (rows with a null in any model column are dropped first).
    n_clusters:
        Distinct clusters when cluster-robust errors were asked for, else None.
    cov_type:
        ``"cluster"`` or ``"nonrobust"``.
    """

    odds_ratios: pl.DataFrame
    marginal_effect: pl.DataFrame
    n_obs: int
    n_clusters: int | None
    cov_type: str


def _formula_term(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return series.name
    return f"C({series.name})"


def logistic_effects(
    df: pl.DataFrame | pd.DataFrame,
    outcome: str,
    exposure: str,
    covariates: list[str],
    cluster: str | None = None,
    *,
    alpha: float = 0.05,
) -> LogisticEffects:
    """Adjusted effect of an exposure (e.g. studying at a learning centre) on a 0/1 outcome.

    Fits a logistic regression by maximum likelihood with statsmodels formula
    ``smf.logit("outcome ~ exposure + covariates")``; string, categorical and enum
    covariates enter as ``C(name)`` (first level as reference), numeric and boolean
    ones as they are. Standard errors are cluster-robust (``cov_type="cluster"``,
    e.g. clustered on learning centre) when ``cluster`` is given. The average marginal
    effect of the exposure comes from ``get_margeff(at="overall", dummy=True)``, so for
    a 0/1 exposure it is the average change in predicted probability from 0 to 1,
    with delta-method interval using the same (clustered) covariance.

    Column names must be valid Python identifiers (they are used in a formula). The
    exposure must be numeric or boolean. Rows with a null in any used column are
    dropped; ``n_obs`` says how many remain.
    """
    pdf = df.to_pandas() if isinstance(df, pl.DataFrame) else df
    used = [outcome, exposure, *covariates, *([cluster] if cluster else [])]
    absent = [c for c in used if c not in pdf.columns]
    if absent:
        raise ValueError(f"columns {absent} not in frame")
    data = pdf[used].dropna()
    data = data.assign(
        **{
            c: data[c].astype(int)
            for c in [outcome, exposure, *covariates]
            if pd.api.types.is_bool_dtype(data[c])
        }
    )
    if not pd.api.types.is_numeric_dtype(data[exposure]):
        raise ValueError(f"exposure {exposure!r} must be numeric or boolean")
    if not data[outcome].isin([0, 1]).all():
        raise ValueError(f"outcome {outcome!r} must be boolean or 0/1")
    # Imported here: statsmodels' formula API is slow to import and the CLI must start fast.
    import statsmodels.formula.api as smf

    rhs = " + ".join([exposure, *(_formula_term(data[c]) for c in covariates)])
    model = smf.logit(f"{outcome} ~ {rhs}", data=data)
    if cluster:
        groups = pd.factorize(data[cluster])[0]
        result = model.fit(disp=0, cov_type="cluster", cov_kwds={"groups": groups})
    else:
        result = model.fit(disp=0)
    conf = result.conf_int(alpha=alpha)
    terms = [t for t in result.params.index if t != "Intercept"]
    odds = pl.DataFrame(
        {
            "term": terms,
            "odds_ratio": np.exp(result.params[terms].to_numpy()),
            "ci_low": np.exp(conf.loc[terms, 0].to_numpy()),
            "ci_high": np.exp(conf.loc[terms, 1].to_numpy()),
            "p_value": result.pvalues[terms].to_numpy(),
        }
    )
    margeff = result.get_margeff(at="overall", dummy=True)
    i = model.exog_names[1:].index(exposure)
    me_conf = margeff.conf_int(alpha=alpha)
    effect = pl.DataFrame(
        {
            "term": [exposure],
            "ame": [float(margeff.margeff[i])],
            "ci_low": [float(me_conf[i, 0])],
            "ci_high": [float(me_conf[i, 1])],
            "p_value": [float(margeff.pvalues[i])],
        }
    )
    return LogisticEffects(
        odds_ratios=odds,
        marginal_effect=effect,
        n_obs=int(result.nobs),
        n_clusters=int(data[cluster].nunique()) if cluster else None,
        cov_type="cluster" if cluster else "nonrobust",
    )


def survival_curve(
    df: pl.DataFrame,
    duration: str,
    event: str,
    by: str | None = None,
    *,
    alpha: float = 0.05,
) -> pl.DataFrame:
    """Kaplan-Meier curve as a tidy frame, e.g. time (terms) to dropout or to degree.

    Estimated with statsmodels ``SurvfuncRight`` (right-censored data; ``event`` is 1
    for the event, 0 for censored). statsmodels gives the Greenwood standard error
    but no pointwise interval (its only interval, ``simultaneous_cb``, is a 95 %
    Hall-Wellner band for the whole curve); the interval here is the pointwise
    log-log (Kalbfleisch-Prentice) interval built from that Greenwood standard error,
    ``S ** exp(+-z * se / (S * |log S|))``, the default of R's ``survfit`` with
    ``conf.type="log-log"`` and of Stata's ``sts``. It is null where S is 0 or 1.

    One row per distinct event time (censoring-only times are not rows) with columns
    ``by`` (if given), ``time``, ``survival``, ``ci_low``, ``ci_high``, ``at_risk``.
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    z = sps.norm.isf(alpha / 2)
    groups = df.partition_by(by, maintain_order=True, as_dict=True) if by else {(): df}
    pieces = []
    for key in sorted(groups, key=lambda k: (k[0] is None, k[0]) if k else ()):
        part = groups[key].drop_nulls([duration, event])
        fit = SurvfuncRight(
            part[duration].cast(pl.Float64).to_numpy(),
            part[event].cast(pl.Int64).to_numpy(),
        )
        surv = fit.surv_prob
        with np.errstate(divide="ignore", invalid="ignore"):
            log_s = np.log(surv)
            half = z * fit.surv_prob_se / (surv * np.abs(log_s))
            defined = (surv > 0) & (surv < 1)
            low = np.where(defined, surv ** np.exp(half), np.nan)
            high = np.where(defined, surv ** np.exp(-half), np.nan)
        piece = pl.DataFrame(
            {
                "time": fit.surv_times.astype(float),
                "survival": surv,
                "ci_low": pl.Series(low, nan_to_null=True),
                "ci_high": pl.Series(high, nan_to_null=True),
                "at_risk": np.asarray(fit.n_risk, dtype=np.int64),
            }
        )
        if by:
            piece = piece.select(pl.lit(key[0], dtype=df.schema[by]).alias(by), pl.all())
        pieces.append(piece)
    return pl.concat(pieces)
