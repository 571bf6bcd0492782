"""How long do the pilot-effect estimators take, against an earlier commit's?

Times the calls notebooks 04 and 08 make (and 10 through the headline) on the demo
world's municipality panel (data/processed; `lcanalysis clean` or `make run` writes
it): this tree's lcanalysis.indicators.effect (A) against the same module of
``--baseline COMMIT`` (B), checked out in a temporary ``git worktree`` and imported
from there (the rest of the package is this tree's). Each call runs A, B, A, B, ...
(``--repeat`` rounds, default 3), so both see the same load; the script prints both
medians, the ratio A / B, and the largest difference between A's and B's numbers
(relative to max(1, |value|)), and exits non-zero when one exceeds 1e-10: the faster
code must give the same numbers with the same seeds.

The default baseline, 3ef9294, is the commit before the estimators' inner loops were
rewritten (issue 18).

Usage: python benchmarks/effect_speed.py [--baseline COMMIT] [--repeat N]
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from lcanalysis import geo
from lcanalysis.config import load_learning_centres
from lcanalysis.dataset import Dataset
from lcanalysis.indicators import effect
from lcanalysis.indicators.panel import municipality_panel
from lcanalysis.paths import processed_dir

REPO = Path(__file__).resolve().parent.parent
TOLERANCE = 1e-10
OUTCOME, UNIT, TIME, FIRST = "applicants_per_10k", "municipality_code", "year", "pilot_start_year"


def load_baseline(worktree: Path):
    """The baseline's effect module, imported from its file under another name."""
    spec = importlib.util.spec_from_file_location(
        "baseline_effect", worktree / "lcanalysis" / "indicators" / "effect.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def numbers(result) -> np.ndarray:
    """Every number of an estimator's result, flattened (strings left out)."""
    if isinstance(result, pl.DataFrame):
        return result.select(pl.selectors.numeric()).to_numpy().astype(float).ravel()
    if dataclasses.is_dataclass(result):
        parts = [numbers(getattr(result, f.name)) for f in dataclasses.fields(result)
                 if not isinstance(getattr(result, f.name), str)]
        return np.concatenate(parts) if parts else np.empty(0)
    return np.atleast_1d(np.asarray(result, float)).ravel()


def difference(a, b) -> float:
    x, y = numbers(a), numbers(b)
    if x.shape != y.shape or not np.array_equal(np.isnan(x), np.isnan(y)):
        return np.inf
    finite = np.isfinite(x) & np.isfinite(y)
    if not np.array_equal(x[~finite], y[~finite], equal_nan=True):
        return np.inf
    return float((np.abs(x - y)[finite] / np.maximum(1.0, np.abs(x[finite]))).max(initial=0.0))


def calls(panel: pl.DataFrame) -> dict[str, object]:
    """The estimator calls of notebooks 04 and 08, as functions of the module."""
    treated = panel.with_columns(
        (pl.col(TIME) >= pl.col(FIRST)).fill_null(False).cast(pl.Int8).alias("treated"))
    args = (OUTCOME, UNIT, TIME, FIRST)
    return {
        "twfe_did": lambda m: m.twfe_did(treated, OUTCOME, UNIT, TIME, "treated"),
        "callaway_santanna": lambda m: m.callaway_santanna(panel, *args, n_bootstrap=999),
        "randomisation_inference cs 499": lambda m: m.randomisation_inference(
            panel, *args, estimator="cs", n_permutations=499),
        "randomisation_inference twfe 499": lambda m: m.randomisation_inference(
            panel, *args, estimator="twfe", n_permutations=499),
        "event_study (04)": lambda m: m.event_study(panel, *args, leads=4, lags=2),
        "pretrend_test (04)": lambda m: m.pretrend_test(panel, *args, leads=4, lags=2),
        "placebo_test 499 (04)": lambda m: m.placebo_test(panel, *args, n_permutations=499),
        "estimate_pilot_effect 499 (04)": lambda m: m.estimate_pilot_effect(
            panel, OUTCOME, n_permutations=499),
        "wild_cluster_bootstrap webb 9999": lambda m: m.wild_cluster_bootstrap(
            panel, *args, weights="webb"),
        "few_cluster_inference (08)": lambda m: m.few_cluster_inference(
            panel, OUTCOME, n_permutations=499),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="3ef9294", help="commit to compare with")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of A, B per call")
    options = parser.parse_args()
    data = Dataset.load(processed_dir())
    panel = municipality_panel(data.applications, data.municipal_stats, data.persons,
                               load_learning_centres(),
                               municipality_features=geo.municipality_features())
    served = panel.filter(pl.col(FIRST).is_not_null())[UNIT].n_unique()
    print(f"demo panel: {panel[UNIT].n_unique()} municipalities ({served} served) x "
          f"{panel[TIME].n_unique()} years; A = this tree, B = {options.baseline}; "
          f"median of {options.repeat}, alternating")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        worktree = Path(tmp) / "baseline-tree"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet",
                        str(worktree), options.baseline], check=True)
        try:
            baseline = load_baseline(worktree)
            totals = {"A": 0.0, "B": 0.0}
            print(f"{'call':34s} {'A s':>7s} {'B s':>7s} {'A / B':>6s}  max difference")
            for name, call in calls(panel).items():
                times: dict[str, list[float]] = {"A": [], "B": []}
                results = {}
                for _ in range(options.repeat):
                    for label, module in (("A", effect), ("B", baseline)):
                        start = time.perf_counter()
                        results[label] = call(module)
                        times[label].append(time.perf_counter() - start)
                a, b = statistics.median(times["A"]), statistics.median(times["B"])
                totals["A"] += a
                totals["B"] += b
                diff = difference(results["A"], results["B"])
                failed |= not diff <= TOLERANCE
                print(f"{name:34s} {a:7.3f} {b:7.3f} {a / b:6.3f}  {diff:.1e}"
                      f"{'' if diff <= TOLERANCE else '  DIFFERENT'}")
            print(f"{'all of the above':34s} {totals['A']:7.3f} {totals['B']:7.3f} "
                  f"{totals['A'] / totals['B']:6.3f}")
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force",
                            str(worktree)], check=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
