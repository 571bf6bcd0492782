"""Pilot effect on applications: difference-in-differences estimators.

The pilot opened learning centres in a few municipalities at different times
(staggered adoption). The question is whether residents of the served municipalities
apply to and are admitted to KTH more often than they would have without a centre.
The unit is the municipality, the period the calendar year of the application term
(the panel: :func:`lcanalysis.indicators.panel.municipality_panel`).

Estimators (all take a long panel, one row per unit and period, pandas or polars):

- :func:`twfe_did` two-way fixed-effects DiD (the textbook dummy regression),
- :func:`callaway_santanna` group-time ATTs (Callaway & Sant'Anna 2021), robust to
  effects that differ between cohorts and over time, where TWFE is biased,
- :func:`event_study` and :func:`pretrend_test` relative-time TWFE and a joint test
  of the leads,
- :func:`randomisation_inference` and :func:`placebo_test` permutation p-values and
  intervals that do not rely on many treated clusters (the pilot has about a dozen),
- :func:`matched_comparison` and :func:`estimate_pilot_effect` a matched comparison
  set and one tidy table for the report.

See docs/methods.md (section 7) for the methods text and the simulation study that checks
bias and coverage (benchmarks/effect_coverage.py).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd
import polars as pl
import scipy.sparse as sp
from scipy import stats

from lcanalysis.errors import InputError

Panel = pl.DataFrame | pd.DataFrame
Control = Literal["not_yet_treated", "never_treated"]
Aggregation = Literal["group", "simple"]
Estimator = Literal["twfe", "cs"]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class DidResult:
    """One effect estimate with its interval; ``method`` names the estimator."""

    method: str
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float
    n_obs: int
    n_units: int


@dataclass(frozen=True)
class CsResult:
    """Callaway-Sant'Anna output.

    ``att_gt``: group (first treated period), time, estimate, std_error, ci_low,
    ci_high, n_treated, n_control. ``overall``: the aggregated ATT. ``event_time``:
    event_time (time - group), estimate, std_error, ci_low, ci_high.
    """

    att_gt: pl.DataFrame
    overall: DidResult
    event_time: pl.DataFrame
    aggregation: str
    control: str


@dataclass(frozen=True)
class PretrendTest:
    """Wald test that every lead (pre-treatment relative-time) coefficient is zero."""

    statistic: float
    df: int
    p_value: float


@dataclass(frozen=True)
class RiResult:
    """Randomisation inference: observed estimate, permutation p-value, inverted interval.

    ``permuted`` holds the estimates under the permuted assignments (sharp null of no
    effect); ``ci_low``/``ci_high`` are -inf/inf when the interval is unbounded.
    """

    estimator: str
    estimate: float
    p_value: float
    ci_low: float
    ci_high: float
    n_permutations: int
    permuted: np.ndarray


# --------------------------------------------------------------------------- helpers


def _require(frame: Panel, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{name} has no column(s) {missing}; it has {list(frame.columns)}")


def _long(panel: Panel, columns: Sequence[str | None]) -> pl.DataFrame:
    """The needed columns as polars, rows with a missing outcome dropped, key checked."""
    wanted = list(dict.fromkeys(c for c in columns if c is not None))
    _require(panel, wanted, "panel")
    frame = pl.from_pandas(panel[wanted]) if isinstance(panel, pd.DataFrame) else panel
    frame = frame.select(wanted).drop_nulls(wanted[0]).filter(
        pl.col(wanted[0]).cast(pl.Float64).is_not_nan()
    )
    if frame.select(wanted[1:3]).is_duplicated().any():
        raise InputError(f"panel has more than one row per {wanted[1]} and {wanted[2]}")
    return frame


def _codes(values: pl.Series) -> np.ndarray:
    return np.unique(values.to_numpy(), return_inverse=True)[1]


def _first_treated_by_unit(frame: pl.DataFrame, unit: str, first_treated: str) -> pl.DataFrame:
    per_unit = frame.group_by(unit).agg(pl.col(first_treated).unique())
    if (per_unit[first_treated].list.len() > 1).any():
        raise InputError(f"panel: {first_treated} differs between rows of the same {unit}")
    return per_unit.with_columns(pl.col(first_treated).list.first()).sort(unit)


def _wide(panel: Panel, outcome: str, unit: str, time: str, first_treated: str):
    """Balanced panel as (Y units x periods, first-treated per unit with inf = never, periods)."""
    frame = _long(panel, [outcome, unit, time, first_treated])
    periods = np.sort(frame[time].unique().to_numpy()).astype(float)
    units = _first_treated_by_unit(frame, unit, first_treated)
    if frame.height != units.height * periods.size:
        raise InputError(
            f"panel is unbalanced ({frame.height} rows for {units.height} {unit} x "
            f"{periods.size} {time}): Callaway-Sant'Anna here needs a balanced panel"
        )
    y = frame.sort(unit, time)[outcome].to_numpy().astype(float).reshape(units.height, -1)
    g = units[first_treated].cast(pl.Float64).fill_null(np.inf).to_numpy()
    return y, g, periods


class _FixedEffects:
    """The unit and time fixed effects of one panel, factorised once.

    Residuals on both sets of indicators, exact and without iterating: demean within
    the factor with more levels M (units), then project out the other factor's
    indicators F (periods) demeaned the same way, Z = M-demeaned F. Z = U S V' is never
    formed: its Gram matrix Z'Z = F'F - F'M diag(1/counts) M'F is periods x periods,
    its eigenvectors give V and S, and U'x = S^-1 V' Z'x with Z'x = F'x - F'M
    diag(1/counts) M'x, so every product with the observations is a sparse sum by
    level (a multithreaded BLAS makes dense products with many columns slow on a busy
    machine). Balanced and unbalanced panels alike; the rank of Z says whether the
    fixed effects are identified (units and periods connected).
    """

    def __init__(self, unit_codes: np.ndarray, time_codes: np.ndarray):
        n = unit_codes.size
        n_units, n_times = int(unit_codes.max() + 1), int(time_codes.max() + 1)
        many, few = (unit_codes, time_codes) if n_units >= n_times else (time_codes, unit_codes)
        self._many, self._few = many, few
        self._many_indicator = sp.csr_matrix((np.ones(n), (np.arange(n), many)))
        self._few_indicator = sp.csr_matrix((np.ones(n), (np.arange(n), few)))
        self._counts = np.asarray(self._many_indicator.sum(axis=0)).ravel()
        self._cross = sp.csr_matrix(self._few_indicator.T @ self._many_indicator
                                    @ sp.diags(1.0 / self._counts))
        gram = (self._few_indicator.T @ self._few_indicator
                - self._cross @ (self._many_indicator.T @ self._few_indicator)).toarray()
        eigenvalues, vectors = np.linalg.eigh(gram)
        keep = eigenvalues > eigenvalues.max() * 1e-10
        self._rotation = vectors[:, keep].T / np.sqrt(eigenvalues[keep])[:, None]  # S^-1 V'
        self.identified = bool(keep.sum() == gram.shape[0] - 1)
        self.n_params = n_units + n_times - 1  # intercept, units - 1 and periods - 1 dummies

    def _level_sums(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sums by level of the many factor and U'x (coordinates on the basis)."""
        sums = self._many_indicator.T @ values
        return sums, self._rotation @ (self._few_indicator.T @ values - self._cross @ sums)

    def _demean(self, values: np.ndarray, sums: np.ndarray) -> np.ndarray:
        return values - (sums / self._counts[:, None])[self._many]

    def residuals(self, values: np.ndarray) -> np.ndarray:
        """Residuals of each column of ``values`` (observations x columns):
        M-demeaned x - U U'x, with U c = Z V S^-1 c = the M-demeaned (S^-1 V')' c
        taken at each observation's period."""
        values = np.asarray(values, float)
        sums, coordinates = self._level_sums(values)
        spanned = (self._rotation.T @ coordinates)[self._few]
        return (self._demean(values, sums)
                - self._demean(spanned, self._many_indicator.T @ spanned))

    def residual_sums_of_squares(self, values: np.ndarray) -> np.ndarray:
        """Each column's sum of squared residuals, without forming the residuals:
        |x|^2 - sum over levels of (level sum)^2 / count - |U'x|^2."""
        sums, coordinates = self._level_sums(values)
        return ((values * values).sum(axis=0) - (sums * sums / self._counts[:, None]).sum(axis=0)
                - (coordinates * coordinates).sum(axis=0))


@dataclass(frozen=True)
class _ClusterFit:
    params: np.ndarray
    cov: np.ndarray
    df: int

    @property
    def std_errors(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))

    def conf_int(self, level: float) -> np.ndarray:
        half = stats.t.ppf(0.5 + level / 2, self.df) * self.std_errors
        return np.column_stack([self.params - half, self.params + half])

    def p_values(self) -> np.ndarray:
        return 2 * stats.t.sf(np.abs(self.params / self.std_errors), self.df)


def _cluster_ols(y: np.ndarray, x: np.ndarray, groups: np.ndarray, n_fixed: int) -> _ClusterFit:
    """OLS of ``y`` on the columns of ``x``, both residualised on the fixed effects, with
    the cluster-robust covariance of the full dummy regression.

    By Frisch-Waugh-Lovell the coefficients, the residuals and the coefficients' block
    of the sandwich are those of the regression with every dummy (``n_fixed`` columns:
    intercept and fixed effects). As statsmodels' ``OLS(...).fit(cov_type="cluster",
    use_t=True)`` on that regression: CR1 small-sample factor G/(G-1) * (N-1)/(N-K), K
    its columns, and t with G-1 degrees of freedom for tests and intervals.
    """
    inverse = np.linalg.inv(x.T @ x)
    params = inverse @ (x.T @ y)
    resid = y - x @ params
    n_groups = int(groups.max() + 1)
    scores = np.column_stack([np.bincount(groups, x[:, j] * resid, n_groups)
                              for j in range(x.shape[1])])
    n, k = y.size, n_fixed + x.shape[1]
    ssc = n_groups / (n_groups - 1) * (n - 1) / (n - k)
    return _ClusterFit(params, ssc * inverse @ (scores.T @ scores) @ inverse, n_groups - 1)


# --------------------------------------------------------------------------- TWFE


def twfe_did(
    panel: Panel,
    outcome: str,
    unit: str,
    time: str,
    treated: str,
    cluster: str | None = None,
    *,
    level: float = 0.95,
) -> DidResult:
    """Two-way fixed-effects difference-in-differences.

    The regression ``outcome ~ treated + C(unit) + C(time)`` by OLS, errors clustered
    by ``cluster`` (default: the unit), computed within (outcome and treatment
    residualised on the fixed effects, :class:`_FixedEffects`), which gives the dummy
    regression's estimate and standard errors. Standard error: CR1 with small-sample
    factor G/(G-1) * (N-1)/(N-K), tests and interval from t with G-1 degrees of freedom
    (statsmodels' cluster covariance; a test compares them). Balanced or unbalanced
    panels; rows with a missing outcome are dropped.

    Assumes parallel trends and, with staggered adoption, an effect that is the same
    for every cohort and constant over time: otherwise the estimate is a weighted
    average with possibly negative weights (Goodman-Bacon 2021); prefer
    :func:`callaway_santanna` then.
    """
    frame = _long(panel, [outcome, unit, time, treated, cluster])
    d = frame[treated].cast(pl.Float64).to_numpy()
    if not np.isin(d, (0.0, 1.0)).all():
        raise InputError(f"panel: {treated} must be 0/1", column=treated)
    unit_codes, time_codes = _codes(frame[unit]), _codes(frame[time])
    fixed = _FixedEffects(unit_codes, time_codes)
    y_res, d_res = fixed.residuals(
        np.column_stack([frame[outcome].cast(pl.Float64).to_numpy(), d])).T
    if d_res @ d_res <= 1e-20 * max(d @ d, 1.0):
        raise InputError(f"panel: {treated} is collinear with the unit and time fixed effects")
    groups = unit_codes if cluster is None else _codes(frame[cluster])
    fit = _cluster_ols(y_res, d_res[:, None], groups, fixed.n_params)
    (low, high), = fit.conf_int(level)
    return DidResult("twfe", float(fit.params[0]), float(fit.std_errors[0]), float(low),
                     float(high), float(fit.p_values()[0]), frame.height,
                     int(unit_codes.max() + 1))


# --------------------------------------------------------------------------- Callaway-Sant'Anna


@dataclass(frozen=True)
class _CsDesign:
    """Which units and periods each 2x2 comparison ATT(g, t) uses."""

    group: np.ndarray  # first treated period of the cell's cohort
    time: np.ndarray
    base_idx: np.ndarray
    time_idx: np.ndarray
    treat: np.ndarray  # units x cells, bool
    control: np.ndarray  # units x cells, bool


def _cs_design(g: np.ndarray, periods: np.ndarray, control: Control, anticipation: int) -> _CsDesign:
    position = {p: i for i, p in enumerate(periods)}
    never = np.isinf(g)
    cells = []
    for cohort in np.unique(g[~never & (g > periods[0])]):
        treat = g == cohort
        for t in periods:
            base = cohort - 1 - anticipation if t >= cohort - anticipation else t - 1
            if base not in position or base == t:
                continue
            if control == "never_treated":
                ctrl = never
            else:
                ctrl = never | ((g > max(t, base) + anticipation) & (g != cohort))
            if ctrl.any():
                cells.append((cohort, t, position[base], position[t], treat, ctrl))
    if not cells:
        raise InputError("no cohort has both a comparison group and a period before treatment")
    cohort, t, base_idx, time_idx, treat, ctrl = zip(*cells, strict=True)
    return _CsDesign(np.array(cohort), np.array(t), np.array(base_idx), np.array(time_idx),
                     np.column_stack(treat), np.column_stack(ctrl))


def _cs_att(y: np.ndarray, design: _CsDesign) -> tuple[np.ndarray, np.ndarray]:
    """ATT(g, t) of every cell and its influence function (units x cells).

    ATT = mean change (base -> t) of the cohort minus that of the controls; the
    influence function psi_i = 1{treated}(dY_i - mean_T)/p_T - 1{control}(dY_i - mean_C)/p_C
    so that ATT_hat - ATT = mean(psi) to first order.
    """
    dy = y[:, design.time_idx] - y[:, design.base_idx]
    n_treat, n_ctrl = design.treat.sum(axis=0), design.control.sum(axis=0)
    mean_t = (dy * design.treat).sum(axis=0) / n_treat
    mean_c = (dy * design.control).sum(axis=0) / n_ctrl
    n = y.shape[0]
    psi = (design.treat * (dy - mean_t) * (n / n_treat)
           - design.control * (dy - mean_c) * (n / n_ctrl))
    return mean_t - mean_c, psi


def _cs_weights(design: _CsDesign, cells: np.ndarray, per_cell: np.ndarray):
    """Aggregation weights w_k = p_g c_k / sum(p_g c_k) over ``cells`` and their influence.

    p_g is the cohort's share of units (estimated, hence the influence term, as in
    C&S's ``aggte``); c_k is a fixed multiplier (1, or 1/number of post cells).
    """
    treat = design.treat[:, cells].astype(float)
    p = treat.mean(axis=0)
    total = (p * per_cell).sum()
    w = p * per_cell / total
    centred = (treat - p) * per_cell
    w_influence = centred / total - np.outer(centred.sum(axis=1) / total, w)
    return w, w_influence


def _cs_overall_weights(design: _CsDesign, aggregation: Aggregation):
    post = np.flatnonzero(design.time >= design.group)
    if post.size == 0:
        raise InputError("no post-treatment period with a comparison group")
    if aggregation == "group":
        per_cohort = {c: (design.group[post] == c).sum() for c in np.unique(design.group[post])}
        per_cell = np.array([1.0 / per_cohort[c] for c in design.group[post]])
    elif aggregation == "simple":
        per_cell = np.ones(post.size)
    else:
        raise ValueError(f"aggregation must be 'group' or 'simple', not {aggregation!r}")
    return post, *_cs_weights(design, post, per_cell)


def _mammen(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    """Mammen's two-point multipliers: mean 0, variance 1, third moment 1."""
    root5 = np.sqrt(5.0)
    low, high = (1 - root5) / 2, (1 + root5) / 2
    return np.where(rng.random(size) < (root5 + 1) / (2 * root5), low, high)


def callaway_santanna(
    panel: Panel,
    outcome: str,
    unit: str,
    time: str,
    first_treated: str,
    *,
    control: Control = "not_yet_treated",
    anticipation: int = 0,
    aggregation: Aggregation = "group",
    n_bootstrap: int = 999,
    seed: int = 0,
    level: float = 0.95,
) -> CsResult:
    """Callaway & Sant'Anna (2021) group-time ATTs, unconditional parallel trends.

    ``first_treated`` is the first treated period of each unit (null = never treated).
    For each cohort g and period t, ATT(g, t) is the 2x2 DiD of the cohort against the
    controls: not-yet-treated units (first treated after max(t, base) + anticipation,
    and never-treated ones) or, with ``control="never_treated"``, only never-treated
    units. Post-periods (t >= g - anticipation) use the long base period
    g - 1 - anticipation; pre-periods use the varying base t - 1 (the R ``did``
    defaults). No covariates. A balanced panel is required; cohorts treated in the
    first period have no pre-period and are dropped. Periods are integers (years).

    Aggregation (post cells t >= g, cohort weights = cohort size):
    ``"group"`` (default, C&S's recommended overall ATT): the mean of ATT(g, t) over
    each cohort's post periods, averaged over cohorts weighted by size; ``"simple"``:
    all post cells weighted by cohort size (cohorts treated earlier weigh more).
    Event time e: cells with t - g = e, weighted by cohort size.

    Inference: multiplier bootstrap of the influence functions (Mammen weights, one
    draw per unit, so clustered by unit; the estimated cohort weights' own influence is
    included), ``n_bootstrap`` draws seeded by ``seed``. Standard error = bootstrap
    inter-quartile range / 1.349 as in ``did``. Intervals and p-values use Student's t
    with G1 - 1 degrees of freedom, G1 the number of treated units, instead of the
    normal: with a handful of treated municipalities the normal interval under-covers
    (0.87-0.90 in the simulation study, docs/methods.md section 7), the usual
    few-treated-clusters problem; with many treated units t and normal agree.
    """
    y, g, periods = _wide(panel, outcome, unit, time, first_treated)
    design = _cs_design(g, periods, control, anticipation)
    att, psi = _cs_att(y, design)
    n = y.shape[0]

    post, w_post, w_post_inf = _cs_overall_weights(design, aggregation)
    estimates = [att, [w_post @ att[post]]]
    influences = [psi, (psi[:, post] @ w_post + w_post_inf @ att[post])[:, None]]
    event = design.time - design.group
    event_times = np.unique(event)
    for e in event_times:
        cells = np.flatnonzero(event == e)
        w, w_inf = _cs_weights(design, cells, np.ones(cells.size))
        estimates.append([w @ att[cells]])
        influences.append((psi[:, cells] @ w + w_inf @ att[cells])[:, None])
    estimate = np.concatenate(estimates)
    influence = np.hstack(influences)

    rng = np.random.default_rng(seed)
    draws = _mammen(rng, (n_bootstrap, n)) @ influence / n
    q25, q75 = np.quantile(draws, [0.25, 0.75], axis=0)
    se = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
    treated_units = int(design.treat.any(axis=1).sum())
    reference = stats.t(df=max(treated_units - 1, 1))
    z = reference.ppf(0.5 + level / 2)
    low, high = estimate - z * se, estimate + z * se

    k = att.size
    att_gt = pl.DataFrame({
        "group": design.group.astype(int), "time": design.time.astype(int),
        "estimate": att, "std_error": se[:k], "ci_low": low[:k], "ci_high": high[:k],
        "n_treated": design.treat.sum(axis=0), "n_control": design.control.sum(axis=0),
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = float(2 * reference.sf(abs(estimate[k] / se[k])))
    overall = DidResult("callaway_santanna", float(estimate[k]), float(se[k]), float(low[k]),
                        float(high[k]), p_value, y.size, n)
    event_frame = pl.DataFrame({
        "event_time": event_times.astype(int), "estimate": estimate[k + 1:],
        "std_error": se[k + 1:], "ci_low": low[k + 1:], "ci_high": high[k + 1:],
    })
    return CsResult(att_gt, overall, event_frame, aggregation, control)


# --------------------------------------------------------------------------- event study


def _event_study_fit(panel, outcome, unit, time, first_treated, leads, lags, reference):
    if not -leads <= reference <= lags or leads < 1 or lags < 0:
        raise ValueError("need leads >= 1, lags >= 0 and -leads <= reference <= lags")
    frame = _long(panel, [outcome, unit, time, first_treated])
    relative = (frame[time] - frame[first_treated]).cast(pl.Float64).to_numpy()
    binned = np.clip(relative, -leads, lags)  # NaN (never treated) stays NaN
    event_times = [e for e in range(-leads, lags + 1) if e != reference]
    relative_dummies = np.column_stack([(binned == e).astype(float) for e in event_times])
    unit_codes = _codes(frame[unit])
    fixed = _FixedEffects(unit_codes, _codes(frame[time]))
    within = fixed.residuals(
        np.column_stack([frame[outcome].cast(pl.Float64).to_numpy(), relative_dummies]))
    if not fixed.identified or np.linalg.matrix_rank(within[:, 1:]) < len(event_times):
        raise InputError("event study not identified: add never-treated units or fewer leads/lags")
    return _cluster_ols(within[:, 0], within[:, 1:], unit_codes, fixed.n_params), event_times


def event_study(
    panel: Panel,
    outcome: str,
    unit: str,
    time: str,
    first_treated: str,
    *,
    leads: int = 3,
    lags: int = 3,
    reference: int = -1,
    level: float = 0.95,
) -> pl.DataFrame:
    """Dynamic TWFE event study: effect by years since the pilot started.

    OLS of the outcome on relative-time dummies (time - first_treated, binned: the
    first lead collects every period <= -leads, the last lag every period >= lags),
    unit and time fixed effects; the ``reference`` period is omitted, so estimates are
    relative to it (its row has estimate 0 and no standard error). Never-treated units
    have every dummy 0. Errors clustered by unit (CR1, t with G-1 df). With
    heterogeneous cohorts the leads and lags can be contaminated by other periods'
    effects (Sun & Abraham 2021); compare with the ``event_time`` of
    :func:`callaway_santanna`.
    """
    fit, event_times = _event_study_fit(panel, outcome, unit, time, first_treated,
                                        leads, lags, reference)
    ci = fit.conf_int(level)
    frame = pl.DataFrame({
        "event_time": event_times, "estimate": fit.params, "std_error": fit.std_errors,
        "ci_low": ci[:, 0], "ci_high": ci[:, 1],
    })
    reference_row = pl.DataFrame({"event_time": [reference], "estimate": [0.0]})
    return pl.concat([frame, reference_row], how="diagonal").sort("event_time")


def pretrend_test(
    panel: Panel,
    outcome: str,
    unit: str,
    time: str,
    first_treated: str,
    *,
    leads: int = 3,
    lags: int = 3,
    reference: int = -1,
) -> PretrendTest:
    """Joint Wald test that all leads of :func:`event_study` are zero.

    Statistic b' V^-1 b over the lead coefficients (relative times < 0 other than the
    reference), V the cluster-robust covariance; chi-square with as many degrees of
    freedom as leads. A large p-value is no proof of parallel trends (low power with
    few treated units).
    """
    fit, event_times = _event_study_fit(panel, outcome, unit, time, first_treated,
                                        leads, lags, reference)
    index = np.array([i for i, e in enumerate(event_times) if e < 0])
    if index.size == 0:
        raise ValueError("no lead to test: the reference is the only pre-period")
    b = fit.params[index]
    cov = fit.cov[np.ix_(index, index)]
    statistic = float(b @ np.linalg.solve(cov, b))
    return PretrendTest(statistic, int(index.size), float(stats.chi2.sf(statistic, index.size)))


# --------------------------------------------------------------------------- randomisation


def _permuted_starts(g: np.ndarray, eligible: np.ndarray, strata: np.ndarray,
                     n_permutations: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.tile(g, (n_permutations, 1))
    for stratum in np.unique(strata[eligible]):
        members = np.flatnonzero(eligible & (strata == stratum))
        out[:, members] = rng.permuted(np.tile(g[members], (n_permutations, 1)), axis=1)
    return out


def _ri_statistics(frame: pl.DataFrame, outcome, unit, time, first_treated, starts,
                   estimator: Estimator, control: Control, aggregation: Aggregation):
    """Estimates on the outcome (a) and on the observed treatment (b) per assignment.

    Both estimators are linear in the outcome, so under the constant-effect null
    Y - tau*D the estimate is a - tau*b: one pass serves every tau of the inversion.
    """
    frame = frame.sort(unit, time)
    unit_codes = _codes(frame[unit])
    times = frame[time].cast(pl.Float64).to_numpy()
    g_obs = _first_treated_by_unit(frame, unit, first_treated)[first_treated]
    g_obs = g_obs.cast(pl.Float64).fill_null(np.inf).to_numpy()
    d_obs = (times >= g_obs[unit_codes]).astype(float)
    y = frame[outcome].cast(pl.Float64).to_numpy()
    if estimator == "twfe":
        time_codes = _codes(frame[time])
        # Each assignment's estimate is y~'d / d~'d~ (Frisch-Waugh-Lovell): the outcome and
        # the observed treatment are residualised once, a permuted treatment needs only
        # its residual sum of squares.
        fixed = _FixedEffects(unit_codes, time_codes)
        y_res, d_res = fixed.residuals(np.column_stack([y, d_obs])).T
        d_all = (times[:, None] >= starts[:, unit_codes].T).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            denominator = fixed.residual_sums_of_squares(d_all)
            return (y_res @ d_all) / denominator, (d_res @ d_all) / denominator
    if estimator != "cs":
        raise ValueError(f"estimator must be 'twfe' or 'cs', not {estimator!r}")
    n_units, periods = unit_codes.max() + 1, np.unique(times)
    if frame.height != n_units * periods.size:
        raise InputError("panel is unbalanced: the 'cs' estimator needs a balanced panel")
    y_wide, d_wide = y.reshape(n_units, -1), d_obs.reshape(n_units, -1)
    return (_cs_permuted_points(y_wide, starts, periods, control, aggregation),
            _cs_permuted_points(d_wide, starts, periods, control, aggregation))


def _cs_permuted_points(y: np.ndarray, starts: np.ndarray, periods: np.ndarray,
                        control: Control, aggregation: Aggregation,
                        batch: int = 64) -> np.ndarray:
    """The overall Callaway-Sant'Anna estimate of ``y`` (units x periods) for every row
    of ``starts`` (first treated period per unit, inf = never).

    The rows are permutations of one assignment, so they share the cells (cohort,
    period, base period), each cell's numbers of treated and control units and the
    aggregation weights, which depend on nothing else: only which units are treated
    or controls changes. A batch of rows is then two products of the 0/1 memberships
    (rows x units x cells) with the cells' changes.
    """
    design = _cs_design(starts[0], periods, control, 0)
    post, w, _ = _cs_overall_weights(design, aggregation)
    cohort, cutoff = design.group[post], np.maximum(design.time, periods[design.base_idx])[post]
    n_treat, n_ctrl = design.treat[:, post].sum(axis=0), design.control[:, post].sum(axis=0)
    dy = y[:, design.time_idx[post]] - y[:, design.base_idx[post]]
    out = np.empty(len(starts))
    for begin in range(0, len(starts), batch):
        g = starts[begin:begin + batch, :, None]
        treat = (g == cohort).astype(float)
        ctrl = np.isinf(g) if control == "never_treated" else (
            np.isinf(g) | ((g > cutoff) & (g != cohort)))
        ctrl = np.broadcast_to(ctrl, treat.shape).astype(float)
        att = (np.einsum("rup,up->rp", treat, dy) / n_treat
               - np.einsum("rup,up->rp", ctrl, dy) / n_ctrl)
        out[begin:begin + batch] = att @ w
    return out


def randomisation_inference(
    panel: Panel,
    outcome: str,
    unit: str,
    time: str,
    first_treated: str,
    *,
    estimator: Estimator = "twfe",
    n_permutations: int = 999,
    seed: int = 0,
    pool: Collection | None = None,
    strata: str | None = None,
    level: float = 0.95,
    grid: Sequence[float] | None = None,
    control: Control = "not_yet_treated",
    aggregation: Aggregation = "group",
) -> RiResult:
    """Randomisation (permutation) inference for the pilot effect.

    The observed start years (null = never) are shuffled among the ``pool`` units
    (default every unit; within each ``strata`` value, e.g. SKR group, when given),
    so each permutation keeps the number of treated units and the cohort sizes; units
    outside the pool keep their own status, and every treated unit must be in the
    pool. The statistic is the TWFE or Callaway-Sant'Anna (not-yet-treated, no
    anticipation) overall estimate. p-value = (1 + #{|permuted| >= |observed|}) /
    (1 + n_permutations) under the sharp null of no effect for anyone.

    Interval by test inversion: for a constant effect tau, the sharp null is tested on
    Y - tau*D; the interval is the smallest and largest tau of a grid (default 401
    points around the estimate, widened until both ends are rejected, else +-inf) with
    p > 1 - level. Valid when the assignment is as good as random within the pool;
    with a dynamic or heterogeneous effect the interval is for the constant effect
    that fits best, not a proof of coverage (see docs/methods.md (section 7)).
    """
    frame = _long(panel, [outcome, unit, time, first_treated, strata])
    units = _first_treated_by_unit(frame, unit, first_treated)
    g = units[first_treated].cast(pl.Float64).fill_null(np.inf).to_numpy()
    unit_ids = units[unit].to_numpy()
    eligible = np.ones(g.size, bool) if pool is None else np.isin(unit_ids, list(pool))
    if (~eligible & np.isfinite(g)).any():
        raise InputError("randomisation_inference: every treated unit must be in the pool")
    if strata is None:
        stratum = np.zeros(g.size)
    else:
        by_unit = frame.group_by(unit).agg(pl.col(strata).first()).sort(unit)
        stratum = _codes(by_unit[strata].cast(pl.String).fill_null(""))
    starts = _permuted_starts(g, eligible, stratum, n_permutations, seed)
    observed_a, observed_b = _ri_statistics(frame, outcome, unit, time, first_treated,
                                            g[None, :], estimator, control, aggregation)
    a, b = _ri_statistics(frame, outcome, unit, time, first_treated, starts,
                          estimator, control, aggregation)
    estimate, slope = float(observed_a[0]), float(observed_b[0])

    def p_values(taus: np.ndarray) -> np.ndarray:
        observed = np.abs(estimate - taus * slope)
        permuted = np.abs(a[:, None] - taus[None, :] * b[:, None])
        extreme = permuted >= observed * (1 - 1e-10) - 1e-12
        return (1 + extreme.sum(axis=0)) / (1 + n_permutations)

    p_value = float(p_values(np.array([0.0]))[0])
    alpha = 1 - level
    if grid is not None:
        taus = np.asarray(grid, float)
        accepted = taus[p_values(taus) > alpha]
        low, high = (accepted.min(), accepted.max()) if accepted.size else (np.nan, np.nan)
    else:
        half = 5 * np.nanstd(a) if np.nanstd(a) > 0 else max(abs(estimate), 1.0)
        low, high = -np.inf, np.inf
        for _ in range(6):
            taus = np.linspace(estimate - half, estimate + half, 401)
            accept = p_values(taus) > alpha
            if not (accept[0] or accept[-1]):
                low, high = taus[accept].min(), taus[accept].max()
                break
            half *= 4
    return RiResult(estimator, estimate, p_value, float(low), float(high), n_permutations, a)


def placebo_test(
    panel: Panel,
    outcome: str,
    unit: str,
    time: str,
    first_treated: str,
    *,
    shift: int = 1,
    estimator: Estimator = "twfe",
    n_permutations: int = 999,
    seed: int = 0,
    pool: Collection | None = None,
    strata: str | None = None,
) -> RiResult:
    """Placebo: pretend the pilot started ``shift`` periods earlier, on pre-pilot data only.

    Keeps the periods before the earliest real start (so no real effect is in the
    data and the panel stays balanced), moves every start ``shift`` periods earlier
    and returns :func:`randomisation_inference` on that panel: an estimate far from
    zero with a small p-value points at diverging pre-trends or anticipation.
    """
    if shift < 1:
        raise ValueError("shift must be at least 1")
    frame = _long(panel, [outcome, unit, time, first_treated, strata])
    earliest = frame[first_treated].min()
    if earliest is None:
        raise InputError(f"panel: no unit has a {first_treated}")
    placebo = frame.filter(pl.col(time) < earliest).with_columns(
        pl.col(first_treated) - shift
    )
    if placebo.filter(pl.col(time) >= pl.col(first_treated)).height == 0:
        raise InputError(f"placebo shift {shift} leaves no placebo-treated period before the pilot")
    return randomisation_inference(placebo, outcome, unit, time, first_treated,
                                   estimator=estimator, n_permutations=n_permutations,
                                   seed=seed, pool=pool, strata=strata)


# --------------------------------------------------------------------------- wild cluster bootstrap


_WEBB_POINTS = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


def _wild_weights(kind: str, n_clusters: int, n_bootstrap: int, rng: np.random.Generator):
    """Cluster multipliers, one row per draw: Rademacher (+-1; every one of the 2^G sign
    patterns once when 2^G <= n_bootstrap, the exact bootstrap distribution) or Webb's
    six-point distribution (+-sqrt(1/2), +-1, +-sqrt(3/2), mean 0, variance 1), which has
    more distinct patterns with few clusters."""
    if kind == "rademacher":
        if 2 ** n_clusters <= n_bootstrap:
            patterns = np.arange(2 ** n_clusters)[:, None] >> np.arange(n_clusters)[None, :]
            return 1.0 - 2.0 * (patterns & 1)
        return rng.choice(np.array([-1.0, 1.0]), size=(n_bootstrap, n_clusters))
    if kind == "webb":
        return rng.choice(_WEBB_POINTS, size=(n_bootstrap, n_clusters))
    raise ValueError(f"weights must be 'webb' or 'rademacher', not {kind!r}")


def wild_cluster_bootstrap(
    panel: Panel,
    outcome: str,
    unit: str,
    time: str,
    first_treated: str,
    *,
    weights: Literal["webb", "rademacher"] = "webb",
    n_bootstrap: int = 9999,
    seed: int = 0,
    level: float = 0.95,
) -> DidResult:
    """Wild cluster restricted bootstrap (WCR) of the TWFE estimate, clustered by unit.

    The estimate and standard error are :func:`twfe_did`'s (treated = time >=
    first_treated; CR1 cluster-robust). The test of "no effect" imposes the null: the
    model without the treatment is fitted, and each draw rebuilds the outcome as its
    fitted values plus its residuals times one multiplier per cluster (``weights``:
    Webb's six points or Rademacher's two, Cameron, Gelbach & Miller 2008; Webb 2023),
    re-estimates and takes the cluster-robust t statistic. p-value = share of draws
    with |t*| >= |t| (symmetric, two-sided). The interval inverts the same test: the
    values beta0 whose null, imposed the same way with the same multipliers, has
    p > 1 - level (found by bisection; +-inf when not rejected within 1,000 standard
    errors). Few treated clusters make every cluster-robust test unreliable; the wild
    bootstrap with the null imposed is the method that stays close to its nominal
    size with few clusters (MacKinnon & Webb 2017), except when the treated clusters
    are very few (under about 5), where it under-rejects.

    Computed without redrawing the fixed effects, as in Roodman et al. (2019): with
    d~ and u~ the treatment and the restricted residuals after two-way demeaning, each
    draw's cluster scores are linear in the multipliers, s*_g = sum_h v_h C_gh with
    C_gh = d~_g' M(1_h u~)_g (M the two-way demeaning), so all draws are one matrix
    product. Rademacher weights with 2^G <= n_bootstrap enumerate every sign pattern.
    """
    if n_bootstrap < 99:
        raise ValueError(f"n_bootstrap must be at least 99, not {n_bootstrap}")
    frame = _long(panel, [outcome, unit, time, first_treated]).sort(unit, time)
    unit_codes, time_codes = _codes(frame[unit]), _codes(frame[time])
    times = frame[time].cast(pl.Float64).to_numpy()
    starts = frame[first_treated].cast(pl.Float64).fill_null(np.inf).to_numpy()
    d = (times >= starts).astype(float)
    if d.min() == d.max():
        raise InputError(f"panel: nobody or everybody is treated ({first_treated})")
    y = frame[outcome].cast(pl.Float64).to_numpy()
    fixed = _FixedEffects(unit_codes, time_codes)
    y_res, d_res = fixed.residuals(np.column_stack([y, d])).T
    n, n_clusters = y.size, int(unit_codes.max() + 1)
    n_params = fixed.n_params + 1  # and the treatment
    ssc = n_clusters / (n_clusters - 1) * (n - 1) / (n - n_params)
    sum_dd = float(d_res @ d_res)
    cluster_dd = np.bincount(unit_codes, d_res * d_res, n_clusters)
    estimate = float(d_res @ y_res) / sum_dd
    scores = np.bincount(unit_codes, d_res * (y_res - estimate * d_res), n_clusters)
    std_error = float(np.sqrt(ssc * (scores @ scores)) / sum_dd)

    # C(beta0) = C_y - beta0 C_d: restricted residuals under beta0 are y~ - beta0 d~.
    members = np.zeros((n, n_clusters))
    members[np.arange(n), unit_codes] = 1.0
    demeaned = fixed.residuals(np.hstack([members * y_res[:, None], members * d_res[:, None]]))
    c_y = members.T @ (d_res[:, None] * demeaned[:, :n_clusters])
    c_d = members.T @ (d_res[:, None] * demeaned[:, n_clusters:])
    v = _wild_weights(weights, n_clusters, n_bootstrap, np.random.default_rng(seed))
    vc_y, vc_d = v @ c_y.T, v @ c_d.T  # draws x clusters

    def t_draws(rows: np.ndarray, beta0: float) -> np.ndarray:
        draw_scores = vc_y[rows] - beta0 * vc_d[rows]
        shift = draw_scores.sum(axis=1) / sum_dd  # beta* - beta0
        residual_scores = draw_scores - shift[:, None] * cluster_dd[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            return shift / (np.sqrt(ssc * (residual_scores ** 2).sum(axis=1)) / sum_dd)

    # The restricted scores of a draw are r_y - beta0 r_d, so its t statistic needs three
    # sums per draw (of r_y^2, r_y r_d, r_d^2) for every beta0 of the inversion, not a
    # pass over draws x clusters. A draw whose statistic lies within 1e-9 of the
    # threshold, relative to the rounding the shortcut can make, is decided by
    # t_draws: the p-values are those of the direct computation.
    sum_y, sum_d = vc_y.sum(axis=1), vc_d.sum(axis=1)
    size_y, size_d = np.abs(vc_y).sum(axis=1), np.abs(vc_d).sum(axis=1)
    r_y = vc_y - (sum_y / sum_dd)[:, None] * cluster_dd[None, :]
    r_d = vc_d - (sum_d / sum_dd)[:, None] * cluster_dd[None, :]
    ss_yy, ss_yd, ss_dd = (r_y * r_y).sum(axis=1), (r_y * r_d).sum(axis=1), (r_d * r_d).sum(axis=1)
    del r_y, r_d

    def p_value(beta0: float) -> float:
        threshold = abs((estimate - beta0) / std_error) * (1 - 1e-12)
        ss = ss_yy - 2 * beta0 * ss_yd + beta0 * beta0 * ss_dd
        with np.errstate(divide="ignore", invalid="ignore"):
            root = np.sqrt(ssc * ss)
            t = np.abs(sum_y - beta0 * sum_d) / root
            rounding = ((size_y + abs(beta0) * size_d) / root
                        + t * (ss_yy + beta0 * beta0 * ss_dd) / ss + threshold)
            unsure = ~(np.abs(t - threshold) > 1e-9 * rounding)
        extreme = t >= threshold
        rows = np.flatnonzero(unsure)
        if rows.size:
            extreme[rows] = np.abs(t_draws(rows, beta0)) >= threshold
        return float(np.mean(extreme))

    alpha = 1 - level

    def bound(direction: float) -> float:
        inside, step = estimate, std_error
        while p_value(estimate + direction * step) > alpha:
            inside, step = estimate + direction * step, step * 2
            if step > 1000 * std_error:
                return direction * np.inf
        outside = estimate + direction * step
        for _ in range(60):
            middle = (inside + outside) / 2
            if p_value(middle) > alpha:
                inside = middle
            else:
                outside = middle
            if abs(outside - inside) <= 1e-6 * std_error:
                break
        return (inside + outside) / 2

    return DidResult(f"wild_cluster_bootstrap_{weights}", estimate, std_error, float(bound(-1.0)),
                     float(bound(1.0)), p_value(0.0), n, n_clusters)


def few_cluster_inference(
    panel: Panel,
    outcome: str,
    *,
    unit: str = "municipality_code",
    time: str = "year",
    first_treated: str = "pilot_start_year",
    n_permutations: int = 999,
    n_bootstrap: int = 9999,
    seed: int = 0,
) -> pl.DataFrame:
    """The pilot effect's inference that stays valid with few treated municipalities,
    side by side: randomisation inference (Callaway-Sant'Anna and TWFE statistics) and
    the wild cluster restricted bootstrap of the TWFE estimate (Webb and Rademacher
    weights). One row per method: method, estimate, std_error, ci_low, ci_high,
    p_value, n_obs, n_units."""
    rows = []
    for estimator in ("cs", "twfe"):
        ri = randomisation_inference(panel, outcome, unit, time, first_treated,
                                     estimator=estimator, n_permutations=n_permutations, seed=seed)
        rows.append(DidResult(f"randomisation_inference_{estimator}", ri.estimate, float("nan"),
                              ri.ci_low, ri.ci_high, ri.p_value, 0, 0))
    for weights in ("webb", "rademacher"):
        rows.append(wild_cluster_bootstrap(panel, outcome, unit, time, first_treated,
                                           weights=weights, n_bootstrap=n_bootstrap, seed=seed))
    sizes = rows[-1]
    return pl.DataFrame([asdict(r) for r in rows]).with_columns(
        pl.lit(sizes.n_obs).alias("n_obs"), pl.lit(sizes.n_units).alias("n_units"))


# --------------------------------------------------------------------------- comparison


def matched_comparison(
    panel: Panel,
    unit: str,
    time: str,
    outcome: str,
    treated_units: Collection,
    *,
    by: Sequence[str] = ("skr_group",),
    k: int = 3,
    covariates: Sequence[str] = ("log_population", "education_share"),
    first_treated: str = "pilot_start_year",
) -> pl.DataFrame:
    """The ``k`` nearest never-treated units for each treated unit, within ``by`` cells.

    Unit features are pre-period means (periods before the earliest start among the
    treated units) of ``covariates`` and of the outcome. Distance: Euclidean on the
    features standardised by their standard deviation across units (a diagonal
    Mahalanobis distance), so log population, education share and the pre-period
    outcome weigh alike. Candidates are units with a null ``first_treated`` in the same
    ``by`` cell (e.g. SKR group) with complete features; matching is with replacement
    (one comparison unit may serve several treated units); a cell with fewer than ``k``
    candidates gives fewer matches. Returns treated_unit, comparison_unit, rank,
    distance.
    """
    columns = [outcome, unit, time, first_treated, *by, *covariates]
    frame = _long(panel, columns)
    treated_units = list(treated_units)
    start = frame.filter(pl.col(unit).is_in(treated_units))[first_treated].min()
    if start is None:
        raise InputError(f"matched_comparison: treated units have no {first_treated}")
    features = [outcome, *covariates]
    per_unit = (
        frame.filter(pl.col(time) < start)
        .group_by(unit)
        .agg(*[pl.col(c).first() for c in by], pl.col(first_treated).first(),
             *[pl.col(c).mean() for c in features])
    )
    scaled = per_unit.with_columns([(pl.col(c) / pl.col(c).std()).alias(c) for c in features])
    treated = scaled.filter(pl.col(unit).is_in(treated_units))
    if treated.select(features).null_count().sum_horizontal().item():
        raise InputError("matched_comparison: a treated unit lacks pre-period covariates")
    candidates = scaled.filter(pl.col(first_treated).is_null()
                               & ~pl.col(unit).is_in(treated_units)).drop_nulls(features)
    pairs = (
        treated.join(candidates, on=list(by), suffix="_candidate")
        .with_columns(distance=pl.sum_horizontal(
            [(pl.col(c) - pl.col(f"{c}_candidate")) ** 2 for c in features]).sqrt())
        .sort(unit, "distance", f"{unit}_candidate")
        .with_columns(rank=pl.col("distance").rank("ordinal").over(unit).cast(pl.Int32))
        .filter(pl.col("rank") <= k)
    )
    return pairs.select(pl.col(unit).alias("treated_unit"),
                        pl.col(f"{unit}_candidate").alias("comparison_unit"),
                        "rank", "distance")


def estimate_pilot_effect(
    panel: Panel,
    outcome: str,
    comparison: Literal["all", "matched"] = "all",
    *,
    unit: str = "municipality_code",
    time: str = "year",
    first_treated: str = "pilot_start_year",
    by: Sequence[str] = ("skr_group",),
    k: int = 3,
    covariates: Sequence[str] = ("log_population", "education_share"),
    ri_estimator: Estimator = "cs",
    n_permutations: int = 999,
    n_bootstrap: int = 999,
    seed: int = 0,
) -> pl.DataFrame:
    """The pilot effect on ``outcome`` by three methods, one row each, for the report.

    ``comparison="all"`` uses every municipality; ``"matched"`` keeps the served
    municipalities and their :func:`matched_comparison` set. Rows: ``twfe``
    (:func:`twfe_did`, treated = year >= first_treated), ``callaway_santanna``
    (not-yet-treated controls, group aggregation, bootstrap interval) and
    ``randomisation_inference`` (the ``ri_estimator`` estimate, permutation p-value
    and inverted interval; permutations among the units of the comparison).
    """
    frame = pl.from_pandas(panel) if isinstance(panel, pd.DataFrame) else panel
    if comparison == "matched":
        treated_units = frame.filter(pl.col(first_treated).is_not_null())[unit].unique()
        matches = matched_comparison(frame, unit, time, outcome, treated_units, by=by, k=k,
                                     covariates=covariates, first_treated=first_treated)
        keep = set(treated_units.to_list()) | set(matches["comparison_unit"].to_list())
        frame = frame.filter(pl.col(unit).is_in(sorted(keep)))
    elif comparison != "all":
        raise ValueError(f"comparison must be 'all' or 'matched', not {comparison!r}")
    frame = frame.with_columns(
        (pl.col(time) >= pl.col(first_treated)).fill_null(False).cast(pl.Int8).alias("_treated")
    )
    twfe = twfe_did(frame, outcome, unit, time, "_treated")
    cs = callaway_santanna(frame, outcome, unit, time, first_treated,
                           n_bootstrap=n_bootstrap, seed=seed).overall
    ri = randomisation_inference(frame, outcome, unit, time, first_treated,
                                 estimator=ri_estimator, n_permutations=n_permutations, seed=seed)
    ri_row = DidResult(f"randomisation_inference_{ri_estimator}", ri.estimate, float("nan"),
                       ri.ci_low, ri.ci_high, ri.p_value, twfe.n_obs, twfe.n_units)
    return pl.DataFrame([asdict(r) for r in (twfe, cs, ri_row)]).with_columns(
        pl.lit(comparison).alias("comparison"), pl.lit(outcome).alias("outcome")
    )
