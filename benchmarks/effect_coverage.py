"""Simulation study: bias, RMSE and 95 % coverage of the pilot-effect estimators.

Each replication draws a staggered panel like the pilot's (60 municipalities, 12
years, 8 treated in 3 cohorts starting in years 6, 8 and 10 with 3, 3 and 2 units),
y = unit effect N(0, 1) + year effect N(0, 0.5^2) + AR(1) noise (rho 0.5, sd 1) +
effect, under three effects: none, constant 1, and dynamic 0.5 * (years since start
+ 1). The target is the cohort-size weighted mean post-treatment ATT (Callaway and
Sant'Anna's group aggregation) of the simulated units. Methods: TWFE (cluster-robust
t interval), Callaway-Sant'Anna (multiplier bootstrap), randomisation inference with
the TWFE and with the C&S statistic (interval by test inversion under a constant
effect). Replications run in worker processes; the table and the run time are
printed.

    .venv/bin/python benchmarks/effect_coverage.py --replications 200
"""

from __future__ import annotations

import argparse
import time
from multiprocessing import Pool

import numpy as np
import polars as pl

from lcanalysis.indicators.effect import callaway_santanna, randomisation_inference, twfe_did

N_UNITS, N_YEARS = 60, 12
COHORTS = {6: 3, 8: 3, 10: 2}
SCENARIOS = {
    "zero": lambda e: 0.0 * e,
    "constant": lambda e: 1.0 + 0.0 * e,
    "dynamic": lambda e: 0.5 * (e + 1),
}


def simulate(scenario: str, seed: int) -> tuple[pl.DataFrame, float]:
    """One panel and its true group-aggregated ATT."""
    rng = np.random.default_rng(seed)
    starts = np.full(N_UNITS, np.nan)
    starts[: sum(COHORTS.values())] = np.repeat(list(COHORTS), list(COHORTS.values()))
    years = np.arange(1, N_YEARS + 1)
    noise = np.empty((N_UNITS, N_YEARS))
    noise[:, 0] = rng.normal(size=N_UNITS) / np.sqrt(1 - 0.25)
    for t in range(1, N_YEARS):
        noise[:, t] = 0.5 * noise[:, t - 1] + rng.normal(size=N_UNITS)
    event = years[None, :] - starts[:, None]
    treated = event >= 0
    effect = np.where(treated, SCENARIOS[scenario](np.nan_to_num(event)), 0.0)
    y = rng.normal(size=(N_UNITS, 1)) + rng.normal(0, 0.5, size=(1, N_YEARS)) + noise + effect
    truth = np.mean([effect[i, treated[i]].mean() for i in range(N_UNITS) if treated[i].any()])
    panel = pl.DataFrame({
        "unit": np.repeat(np.arange(N_UNITS), N_YEARS),
        "year": np.tile(years, N_UNITS),
        "first": np.repeat(starts, N_YEARS),
        "treated": treated.ravel().astype(np.int8),
        "y": y.ravel(),
    }).with_columns(pl.col("first").fill_nan(None).cast(pl.Int64))
    return panel, float(truth)


def replicate(task: tuple[str, int, int, int]) -> list[dict]:
    scenario, seed, n_permutations, n_bootstrap = task
    panel, truth = simulate(scenario, seed)
    twfe = twfe_did(panel, "y", "unit", "year", "treated")
    cs = callaway_santanna(panel, "y", "unit", "year", "first", n_bootstrap=n_bootstrap,
                           seed=seed).overall
    results = [("TWFE", twfe.estimate, twfe.ci_low, twfe.ci_high, twfe.p_value),
               ("C&S", cs.estimate, cs.ci_low, cs.ci_high, cs.p_value)]
    for estimator, label in (("twfe", "RI (TWFE)"), ("cs", "RI (C&S)")):
        ri = randomisation_inference(panel, "y", "unit", "year", "first", estimator=estimator,
                                     n_permutations=n_permutations, seed=seed)
        results.append((label, ri.estimate, ri.ci_low, ri.ci_high, ri.p_value))
    return [{"scenario": scenario, "method": m, "error": est - truth,
             "covered": low <= truth <= high, "width": high - low, "rejected": p < 0.05}
            for m, est, low, high, p in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--permutations", type=int, default=999)
    parser.add_argument("--bootstrap", type=int, default=999)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    tasks = [(scenario, seed, args.permutations, args.bootstrap)
             for scenario in SCENARIOS for seed in range(args.replications)]
    started = time.perf_counter()
    with Pool(args.workers) as pool:
        rows = [row for rows in pool.imap_unordered(replicate, tasks, chunksize=4) for row in rows]
    elapsed = time.perf_counter() - started
    table = (
        pl.DataFrame(rows)
        .group_by("scenario", "method", maintain_order=True)
        .agg(
            pl.col("error").mean().alias("bias"),
            (pl.col("error") ** 2).mean().sqrt().alias("rmse"),
            pl.col("covered").mean().alias("coverage_95"),
            pl.col("width").median().alias("median_ci_width"),
            pl.col("rejected").mean().alias("reject_h0_5pct"),
        )
        .sort("scenario", "method")
    )
    print(f"{args.replications} replications per scenario, {args.permutations} permutations, "
          f"{args.bootstrap} bootstrap draws, {args.workers} workers: {elapsed:.0f} s")
    print("| scenario | method | bias | RMSE | coverage 95% | median CI width | reject H0 at 5% |")
    print("|---|---|---|---|---|---|---|")
    for r in table.iter_rows(named=True):
        print(f"| {r['scenario']} | {r['method']} | {r['bias']:+.3f} | {r['rmse']:.3f} | "
              f"{r['coverage_95']:.3f} | {r['median_ci_width']:.2f} | {r['reject_h0_5pct']:.3f} |")


if __name__ == "__main__":
    main()
