"""What a study of this size can see: power, minimum detectable effects and sample sizes.

Two questions a planner asks before a scale-up:

- for a comparison of two routes (a share such as foundation-year completion), how big
  must the gap be before a two-sided test at ``alpha`` sees it with probability
  ``power`` (:func:`minimum_detectable_gap`), and how many students per route does a
  given gap need (:func:`students_needed`);
- for the pilot's municipality design (difference-in-differences with randomisation
  inference), how big must a constant effect be before the permutation test detects it,
  given the number of centres and years of data (:func:`simulated_mde`).

The formulas and their assumptions are in docs/methods.md ("Power and minimum
detectable effects").
"""

from __future__ import annotations

import math
import multiprocessing
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np
import polars as pl

from lcanalysis.errors import InputError

# --------------------------------------------------------------------------- two proportions


def _check_proportion(name: str, value: float) -> None:
    if not 0 < value < 1:
        raise ValueError(f"{name} must be a proportion strictly between 0 and 1, not {value!r}")


def _check_power(alpha: float, power: float) -> None:
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError(f"alpha and power must be between 0 and 1, not {alpha!r} and {power!r}")


def minimum_detectable_gap(
    p_reference: float,
    n_reference: int,
    n_group: int,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
) -> float:
    """The smallest p_group - p_reference (above the reference) a two-sided test detects.

    Cohen's effect size for two proportions, h = 2 asin(sqrt(p_group)) -
    2 asin(sqrt(p_reference)), is found as statsmodels' ``NormalIndPower`` solves it
    (``nobs1 = n_group``, ``ratio = n_reference / n_group``, two-sided ``alpha``, both
    tails counted), and converted back: p_group = sin^2(asin(sqrt(p_reference)) + h/2).
    Without the far tail, h = (z_{1-alpha/2} + z_power) / sqrt(n_g n_r / (n_g + n_r)).

    Returns NaN when no p_group <= 1 can be detected (the reference is too close to 1
    for groups this small). Raises ValueError for a p_reference outside (0, 1) or a
    group size below 2.
    """
    _check_proportion("p_reference", p_reference)
    _check_power(alpha, power)
    if n_reference < 2 or n_group < 2:
        raise ValueError(f"need at least 2 people per group, not {n_group} and {n_reference}")
    # imported here, not with the module: simulated_mde's spawned workers never need it
    from statsmodels.stats.power import NormalIndPower

    h = NormalIndPower().solve_power(effect_size=None, nobs1=n_group, ratio=n_reference / n_group,
                                     alpha=alpha, power=power, alternative="two-sided")
    angle = math.asin(math.sqrt(p_reference)) + float(h) / 2
    if angle > math.pi / 2:
        return math.nan
    return math.sin(angle) ** 2 - p_reference


def students_needed(
    p_reference: float,
    gap: float,
    *,
    ratio: float = 1.0,
    alpha: float = 0.05,
    power: float = 0.8,
) -> int:
    """Students needed in the group (``ratio`` times as many in the reference) to detect
    a gap of ``gap`` (a proportion, 0.05 = 5 percentage points) above ``p_reference``.

    The inverse of :func:`minimum_detectable_gap`: Cohen's h of (p_reference + gap,
    p_reference), ``NormalIndPower`` solved for ``nobs1``, rounded up.
    """
    _check_proportion("p_reference", p_reference)
    _check_proportion("p_reference + gap", p_reference + gap)
    _check_power(alpha, power)
    if gap <= 0:
        raise ValueError(f"gap must be positive, not {gap!r}")
    from statsmodels.stats.power import NormalIndPower

    h = 2 * math.asin(math.sqrt(p_reference + gap)) - 2 * math.asin(math.sqrt(p_reference))
    n = NormalIndPower().solve_power(effect_size=h, nobs1=None, ratio=ratio, alpha=alpha,
                                     power=power, alternative="two-sided")
    return math.ceil(float(n) - 1e-9)


def students_needed_table(
    p_references: Sequence[float],
    gaps: Sequence[float] = (0.05, 0.10),
    *,
    alpha: float = 0.05,
    power: float = 0.8,
) -> pl.DataFrame:
    """:func:`students_needed` (equal routes) for every reference share and gap:
    p_reference, gap_pp, students_per_route. Pairs with p_reference + gap >= 1 are left
    out (no such gap exists)."""
    rows = [(p, round(100 * g, 6), students_needed(p, g, alpha=alpha, power=power))
            for g in gaps for p in p_references if p + g < 1]
    return pl.DataFrame(rows, schema={"p_reference": pl.Float64, "gap_pp": pl.Float64,
                                      "students_per_route": pl.Int64}, orient="row")


# --------------------------------------------------------------------------- the pilot design


@dataclass(frozen=True)
class _Scenario:
    n_centres: int
    years: int
    seed: int


def common_start_twfe(y: np.ndarray, treated: np.ndarray, n_post: int) -> np.ndarray:
    """TWFE estimates for a balanced panel where the treated units all start together.

    ``y`` is units x periods, ``treated`` assignments x units (0/1) with the same number
    k of treated units in every row, treated in the last ``n_post`` periods. The
    two-way demeaned treatment is (s - k/N)(post - T/P), an outer product, so the
    estimate is (s - k/N)' c / (k (1 - k/N) T (1 - T/P)) with c_i = sum_t (post_t - T/P)
    y_it: one matrix product for every assignment (checked against
    :func:`lcanalysis.indicators.effect.twfe_did` in the tests).
    """
    n_units, n_periods = y.shape
    post = np.zeros(n_periods)
    post[n_periods - n_post:] = 1.0
    post -= n_post / n_periods
    k = treated[0].sum()
    scale = k * (1 - k / n_units) * n_post * (1 - n_post / n_periods)
    return (treated - k / n_units) @ (y @ post) / scale


def _draw_assignments(draws: np.ndarray, k: int) -> np.ndarray:
    """0/1 rows marking the ``k`` units with the smallest uniform draws in each row.

    The same units as the first ``k`` of ``draws.argsort(axis=1)``, found by a partial
    sort (the k-th smallest draw of each row as a threshold) rather than a full one;
    a row whose threshold is tied (draws repeat with probability about 1e-14) takes
    the argsort's units.
    """
    threshold = np.partition(draws, k - 1, axis=1)[:, k - 1:k]
    treated = (draws <= threshold).astype(float)
    for row in np.flatnonzero(treated.sum(axis=1) != k):
        treated[row] = 0.0
        treated[row, draws[row].argsort()[:k]] = 1.0
    return treated


def _scenario_power(y: np.ndarray, scenario: _Scenario, effects: np.ndarray,
                    n_simulations: int, n_permutations: int, alpha: float) -> np.ndarray:
    """Share of simulated pilots whose randomisation test rejects, for every effect.

    ``y`` is units x periods of never-served municipalities. Each simulation draws
    ``n_centres`` of them as treated in the last ``years`` periods, then
    ``n_permutations`` placebo assignments of the same size among all of them. The TWFE
    estimate is linear in the outcome, so with a constant effect tau added to the
    treated cells the observed estimate is a + tau and a permuted one a_j + tau b_j
    (b_j: the permuted estimator applied to the true treatment): one pass per
    simulation serves every effect.
    """
    rng = np.random.default_rng(scenario.seed)
    n_units, n_periods = y.shape
    post = np.zeros((1, n_periods))
    post[0, n_periods - scenario.years:] = 1.0
    rejections = np.zeros(effects.size)
    for _ in range(n_simulations):
        treated = _draw_assignments(rng.random((n_permutations + 1, n_units)), scenario.n_centres)
        a = common_start_twfe(y, treated, scenario.years)
        b = common_start_twfe(treated[0][:, None] * post, treated, scenario.years)
        statistic = np.abs(a[0] + effects * b[0])
        permuted = np.abs(a[1:, None] + effects[None, :] * b[1:, None])
        extreme = (permuted >= statistic * (1 - 1e-10) - 1e-12).sum(axis=0)
        rejections += (1 + extreme) / (1 + n_permutations) <= alpha
    return rejections / n_simulations


def _first_crossing(effects: np.ndarray, power: np.ndarray, target: float) -> float:
    """Smallest effect where the power curve reaches ``target`` (linear between grid
    points), NaN if it never does on the grid."""
    above = np.flatnonzero(power >= target)
    if above.size == 0:
        return math.nan
    i = above[0]
    if i == 0:
        return float(effects[0])
    e0, e1, p0, p1 = effects[i - 1], effects[i], power[i - 1], power[i]
    return float(e0 + (target - p0) * (e1 - e0) / (p1 - p0))


def _print_progress(done: int, total: int) -> None:
    print(f"MDE simulation: {done}/{total} scenarios done", file=sys.stderr, flush=True)


def simulated_mde(
    panel: pl.DataFrame,
    outcome: str,
    *,
    n_centres: Sequence[int] = (4, 8, 12, 20, 30, 40),
    years: Sequence[int] = (2, 3, 5),
    effects: Sequence[float] | None = None,
    n_simulations: int = 200,
    n_permutations: int = 199,
    alpha: float = 0.05,
    power: float = 0.8,
    seed: int = 0,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = _print_progress,
    unit: str = "municipality_code",
    time: str = "year",
    first_treated: str = "pilot_start_year",
) -> pl.DataFrame:
    """Minimum detectable constant effect of the pilot design, by simulation.

    Only never-served municipalities of ``panel`` are used (their real outcomes carry
    the panel's own noise, serial correlation and heterogeneity, and no real effect).
    For each number of centres k and years of data after the start T: ``n_simulations``
    times, k of them are drawn as pilot municipalities starting T periods before the
    panel's end (every earlier period is pre-pilot), a constant effect tau is added to
    their treated cells, and the TWFE estimate is tested by randomisation inference
    with ``n_permutations`` placebo starts drawn among the never-served municipalities.
    Power(tau) is the share of rejections at ``alpha``; the MDE is the smallest tau on
    the ``effects`` grid (default 0 to 4 standard deviations of the outcome, 41 points)
    where power reaches ``power``, interpolated linearly, NaN when the grid never does.

    Scenarios run in ``workers`` processes (spawned, not forked; in this process for 1), each seeded from ``seed`` and its position
    in the grid (the result does not depend on ``workers``); ``progress(done, total)``
    is called as scenarios finish. Returns n_centres, years, mde, power_at_mde_grid
    (the power reached at the first grid point at or above the MDE), n_simulations,
    n_permutations, n_units (never-served municipalities used) and n_obs (their
    municipality-years): a table of model estimates for disclosure control.
    """
    needed = [outcome, unit, time, first_treated]
    missing = [c for c in needed if c not in panel.columns]
    if missing:
        raise InputError(f"panel has no column(s) {missing}")
    never = (panel.filter(pl.col(first_treated).is_null()).drop_nulls(outcome)
             .sort(unit, time))
    periods = np.sort(never[time].unique().to_numpy())
    n_units = never[unit].n_unique()
    if never.height != n_units * periods.size:
        raise InputError(f"panel: the never-served {unit}s are not observed in every {time} "
                         f"({never.height} rows for {n_units} x {periods.size})")
    bad_k = [k for k in n_centres if not 1 <= k < n_units]
    bad_t = [t for t in years if not 1 <= t < periods.size]
    if bad_k or bad_t:
        raise ValueError(f"n_centres must be 1 to {n_units - 1} and years 1 to {periods.size - 1} "
                         f"(the panel has {n_units} never-served units, {periods.size} periods); "
                         f"not {bad_k or ''} {bad_t or ''}")
    y = never[outcome].cast(pl.Float64).to_numpy().reshape(n_units, periods.size)
    grid = (np.linspace(0, 4 * float(np.std(y)), 161) if effects is None
            else np.asarray(sorted(effects), float))
    scenarios = [_Scenario(k, t, seed * 1_000_003 + i)
                 for i, (k, t) in enumerate((k, t) for t in years for k in n_centres)]
    results: dict[_Scenario, np.ndarray] = {}
    arguments = (y,)
    settings = (grid, n_simulations, n_permutations, alpha)
    if workers <= 1:
        for done, s in enumerate(scenarios, start=1):
            results[s] = _scenario_power(*arguments, s, *settings)
            if progress is not None:
                progress(done, len(scenarios))
    else:
        # spawn, not fork: a forked child inherits polars' thread pool mid-state and hangs.
        # spawn reads __main__.__spec__, which an interactive __main__ has as None but a
        # kernel whose namespace was reset between notebooks may lack altogether.
        main = sys.modules.get("__main__")
        if main is not None and not hasattr(main, "__spec__"):
            main.__spec__ = None
        with ProcessPoolExecutor(max_workers=workers,
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(_scenario_power, *arguments, s, *settings): s
                       for s in scenarios}
            for done, future in enumerate(as_completed(futures), start=1):
                results[futures[future]] = future.result()
                if progress is not None:
                    progress(done, len(scenarios))
    rows = []
    for s in scenarios:
        curve = results[s]
        mde = _first_crossing(grid, curve, power)
        reached = curve[grid >= mde][0] if not math.isnan(mde) else math.nan
        rows.append((s.n_centres, s.years, mde, float(reached)))
    return pl.DataFrame(rows, schema={"n_centres": pl.Int64, "years": pl.Int64, "mde": pl.Float64,
                                      "power_at_mde_grid": pl.Float64}, orient="row").with_columns(
        pl.lit(n_simulations).alias("n_simulations"),
        pl.lit(n_permutations).alias("n_permutations"),
        pl.lit(n_units).alias("n_units"),
        pl.lit(never.height).alias("n_obs"),
    )


def mde_sentence(mde: pl.DataFrame, n_centres: int, years: int, observed: float, *,
                 lang: str) -> str:
    """The report's sentence: what the design could detect and what the pilot saw."""
    from lcanalysis.plots.labels import check_lang, format_number

    check_lang(lang)
    row = mde.filter((pl.col("n_centres") == n_centres) & (pl.col("years") == years))
    if row.is_empty():
        raise ValueError(f"no MDE for {n_centres} centres and {years} years in the table")
    value = row["mde"].item()
    if value is None or math.isnan(value):
        could = ("kunde piloten inte upptäcka någon effekt inom det prövade intervallet"
                 if lang == "sv" else "could not detect any effect within the range tried")
    else:
        could = (f"kunde piloten upptäcka omkring {format_number(value, lang, 1)} fler sökande "
                 "per 10 000 invånare" if lang == "sv" else
                 f"could detect about {format_number(value, lang, 1)} more applicants per 10,000")
    saw = format_number(observed, lang, 1)
    if lang == "sv":
        return f"Med {n_centres} lärcentrum och {years} års data {could}; den såg {saw}."
    return f"With {n_centres} centres and {years} years the pilot {could}; it saw {saw}."
