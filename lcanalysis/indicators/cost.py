"""What the pilot costs per outcome: the cost ledger and cost-effectiveness ratios.

The ledger (config/costs.yaml) lists the costs per learning centre, year and strand
(centre staff hours and rate, premises, lab and internship hosting at local
companies, travel for campus visits, KTH teaching and coordination), each with a source
note. From it and the outcomes in the data: cost per participant, per credit earned, per
foundation-year completer and per additional applicant attributed to the pilot (the
effect per 10,000 times the served population, per year; its interval carried from the
effect's), a sensitivity table, and for scale-up candidates the expected cost per
expected new student. Bands follow the EEF Toolkit's cost bands. Methods and
assumptions: docs/methods.md ("Cost per outcome"), following J-PAL's
cost-effectiveness analysis (costs and effects over the same period, ratios with the
effect's uncertainty shown, never a ratio over an effect that may be zero).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lcanalysis import paths
from lcanalysis.config import LearningCentre, read_yaml
from lcanalysis.errors import ConfigError

ITEMS = ("centre_staff", "premises", "lab_and_internship_hosting", "travel",
         "kth_teaching_and_coordination")
BANDS = ("very_low", "low", "moderate", "high", "very_high")


@dataclass(frozen=True)
class CostLedger:
    """config/costs.yaml, checked: ``lines`` (centre, year, strand, item, amount_sek,
    source), ``synthetic``, and the cost bands' upper limits in SEK."""

    lines: pl.DataFrame
    synthetic: bool
    band_limits_sek: Mapping[str, float]

    def years(self) -> list[int]:
        return sorted(self.lines["year"].unique().to_list())

    def annual_cost(self) -> float:
        """Mean cost of the pilot per ledger year (all centres)."""
        return float(self.lines["amount_sek"].sum()) / len(self.years())

    def cost_per_centre_year(self) -> float:
        """Mean cost of one centre in one year it ran (the scale-up's unit cost)."""
        per = self.lines.group_by("centre", "year").agg(pl.col("amount_sek").sum())
        return float(per["amount_sek"].mean())


def load_ledger(centres: Mapping[str, LearningCentre], path: Path | None = None) -> CostLedger:
    """Read and check the ledger: every line's centre exists and runs the strand, the
    item is known, it has ``hours`` and ``rate_sek`` or ``amount_sek`` (not both, not
    negative) and a source; every problem is reported at once with its line number."""
    path = path or paths.config_dir() / "costs.yaml"
    raw = read_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("lines"), list):
        raise ConfigError(path, ["expected top-level keys 'synthetic', 'cost_bands' and 'lines'"])
    problems: list[str] = []
    rows = []
    for i, line in enumerate(raw["lines"], start=1):
        where = f"lines[{i}]"
        if not isinstance(line, dict):
            problems.append(f"{where} must be a mapping")
            continue
        centre = centres.get(line.get("centre"))
        if centre is None:
            problems.append(f"{where}: unknown centre {line.get('centre')!r}")
        elif line.get("strand") not in centre.strands:
            problems.append(f"{where}: centre {line['centre']!r} does not run strand "
                            f"{line.get('strand')!r} (it runs {', '.join(centre.strands)})")
        if line.get("item") not in ITEMS:
            problems.append(f"{where}: item {line.get('item')!r} is not one of {', '.join(ITEMS)}")
        if not isinstance(line.get("year"), int):
            problems.append(f"{where}: year must be a year like 2025, not {line.get('year')!r}")
        if not str(line.get("source") or "").strip():
            problems.append(f"{where}: no source note")
        hours, rate, amount = line.get("hours"), line.get("rate_sek"), line.get("amount_sek")
        if (amount is None) == (hours is None or rate is None):
            problems.append(f"{where}: give either hours and rate_sek, or amount_sek")
            continue
        value = amount if amount is not None else hours * rate
        if not isinstance(value, int | float) or value < 0:
            problems.append(f"{where}: the cost must be a number of SEK >= 0, not {value!r}")
            continue
        rows.append((line.get("centre"), line.get("year"), line.get("strand"), line.get("item"),
                     float(value), str(line.get("source"))))
    bands = raw.get("cost_bands") or {}
    rate, upper = bands.get("sek_per_gbp"), bands.get("upper_gbp") or {}
    if not isinstance(rate, int | float) or rate <= 0:
        problems.append(f"cost_bands.sek_per_gbp must be a positive number, not {rate!r}")
    missing = [b for b in BANDS[:-1] if not isinstance(upper.get(b), int | float)]
    if missing:
        problems.append(f"cost_bands.upper_gbp lacks {', '.join(missing)}")
    if problems:
        raise ConfigError(path, problems)
    frame = pl.DataFrame(rows, schema={"centre": pl.Utf8, "year": pl.Int64, "strand": pl.Utf8,
                                       "item": pl.Utf8, "amount_sek": pl.Float64,
                                       "source": pl.Utf8}, orient="row")
    limits = {b: float(upper[b]) * float(rate) for b in BANDS[:-1]}
    return CostLedger(frame, bool(raw.get("synthetic", False)), limits)


def cost_band(cost_sek: float | None, limits: Mapping[str, float]) -> str | None:
    """The EEF-style band of a cost: the first band whose upper limit it does not
    exceed, else ``very_high``; None for a missing cost."""
    if cost_sek is None or math.isnan(cost_sek):
        return None
    for band in BANDS[:-1]:
        if cost_sek <= limits[band]:
            return band
    return "very_high"


def cost_per_outcome(ledger: CostLedger, outcomes: pl.DataFrame) -> pl.DataFrame:
    """Total ledger cost divided by each outcome's amount.

    ``outcomes``: outcome, count (the people behind it: participants, completers, or
    the persons whose credits are counted) and amount (participants, completers,
    credits earned), over the ledger's years. Returns outcome, count, amount,
    cost_sek, cost_per, cost_band: a count table (disclosure on ``count``).
    """
    total = float(ledger.lines["amount_sek"].sum())
    return outcomes.select("outcome", "count", "amount").with_columns(
        pl.lit(total).alias("cost_sek"),
        pl.when(pl.col("amount") > 0).then(total / pl.col("amount")).alias("cost_per"),
    ).with_columns(pl.col("cost_per").map_elements(
        lambda v: cost_band(v, ledger.band_limits_sek), return_dtype=pl.Utf8).alias("cost_band"))


def additional_applicants(effect_per_10k: float, population_19_64: float) -> float:
    """Applicants per year attributed to the pilot: effect per 10,000 x population / 10,000."""
    return effect_per_10k * population_19_64 / 10_000


def _per(cost: float, additional: float) -> float:
    """cost / additional, infinite when the pilot may have added nobody (<= 0)."""
    return cost / additional if additional > 0 else math.inf


def cost_per_additional_applicant(
    annual_cost_sek: float,
    effect: Mapping[str, float],
    population_19_64: float,
    *,
    n_obs: int,
) -> pl.DataFrame:
    """Cost per additional applicant per year, with the interval carried from the effect.

    ``effect``: estimate, ci_low, ci_high per 10,000 residents 19-64 and year;
    ``population_19_64``: the served municipalities' population. The ratio is
    monotone in the effect, so its interval is the cost over the additional
    applicants at the effect's upper and lower ends; an end at or below zero gives an
    unbounded (infinite) upper limit: the data do not rule out that the pilot added
    nobody. One row: outcome, additional_per_year (low, high), cost_sek_per_year,
    estimate, ci_low, ci_high, n_obs (a table of model estimates).
    """
    added = {k: additional_applicants(effect[k], population_19_64)
             for k in ("estimate", "ci_low", "ci_high")}
    return pl.DataFrame({
        "outcome": ["additional_applicant"],
        "additional_per_year": [added["estimate"]],
        "additional_low": [added["ci_low"]], "additional_high": [added["ci_high"]],
        "cost_sek_per_year": [annual_cost_sek],
        "estimate": [_per(annual_cost_sek, added["estimate"])],
        "ci_low": [_per(annual_cost_sek, added["ci_high"])],
        "ci_high": [_per(annual_cost_sek, added["ci_low"])],
        "n_obs": [n_obs],
    })


def sensitivity(
    annual_cost_sek: float,
    effect: Mapping[str, float],
    population_19_64: float,
    *,
    n_obs: int,
    cost_factors: Sequence[float] = (0.75, 1.0, 1.25),
) -> pl.DataFrame:
    """Cost per additional applicant with costs -25 %, as booked and +25 %, and the effect
    at the low end of its interval, its estimate and its high end: cost_change_pct,
    effect_at, effect_per_10k, estimate, n_obs."""
    rows = []
    for factor in cost_factors:
        for at, key in (("ci_low", "ci_low"), ("estimate", "estimate"), ("ci_high", "ci_high")):
            added = additional_applicants(effect[key], population_19_64)
            rows.append((round(100 * (factor - 1)), at, effect[key],
                         _per(annual_cost_sek * factor, added)))
    return pl.DataFrame(rows, schema={"cost_change_pct": pl.Int64, "effect_at": pl.Utf8,
                                      "effect_per_10k": pl.Float64, "estimate": pl.Float64},
                        orient="row").with_columns(pl.lit(n_obs).alias("n_obs"))


def scale_up_costs(predictions: pl.DataFrame, cost_per_centre_year: float, *,
                   n_obs: int) -> pl.DataFrame:
    """Expected cost per expected new student for each scale-up candidate.

    ``predictions``: :func:`lcanalysis.indicators.scaleup.predict_recruitment`'s frame
    (municipality_code, expected, prediction_low, prediction_high). A centre there is
    assumed to cost what an average pilot centre cost per year; the interval is that
    cost over the prediction interval's ends (infinite where the low end is zero).
    Returns municipality_code, expected_students, estimate, ci_low, ci_high, n_obs.
    """
    return predictions.select(
        "municipality_code",
        pl.col("expected").alias("expected_students"),
        pl.col("expected").map_elements(lambda e: _per(cost_per_centre_year, e),
                                        return_dtype=pl.Float64).alias("estimate"),
        pl.col("prediction_high").map_elements(lambda e: _per(cost_per_centre_year, e),
                                               return_dtype=pl.Float64).alias("ci_low"),
        pl.col("prediction_low").map_elements(lambda e: _per(cost_per_centre_year, e),
                                              return_dtype=pl.Float64).alias("ci_high"),
    ).with_columns(pl.lit(n_obs).alias("n_obs"))


def pilot_outcomes(participants: pl.DataFrame, performance: pl.DataFrame,
                   foundation_year_rates: pl.DataFrame, years: Sequence[int]) -> pl.DataFrame:
    """The pilot's outcomes over the ledger's ``years``, for :func:`cost_per_outcome`.

    - participants: distinct people on a centre's list with a start term in ``years``;
    - credit_earned: the learning-centre route's credits earned (the numerator of
      :func:`progression.performance_rate`), count = its ``n_persons``;
    - foundation_year_completer: the learning-centre route's completion numerator of
      :func:`progression.foundation_year_outcomes`.
    """
    started = participants.filter(
        pl.col("start_term").str.slice(2, 4).cast(pl.Int64, strict=False).is_in(list(years)))
    n_participants = started["person_id"].n_unique()
    lc_perf = performance.filter(pl.col("route") == "learning_centre")
    completion = foundation_year_rates.filter((pl.col("route") == "learning_centre")
                                              & (pl.col("measure") == "completion"))
    credits = float(lc_perf["numerator"].item()) if lc_perf.height else 0.0
    persons = int(lc_perf["n_persons"].item()) if lc_perf.height else 0
    completers = int(completion["numerator"].item()) if completion.height else 0
    return pl.DataFrame({
        "outcome": ["participant", "credit_earned", "foundation_year_completer"],
        "count": [n_participants, persons, completers],
        "amount": [float(n_participants), credits, float(completers)],
    })


def served_population(panel: pl.DataFrame, *, first_treated: str = "pilot_start_year") -> float:
    """Residents 19-64 of the served municipalities in the panel's latest year (the
    population the effect per 10,000 applies to)."""
    latest = panel.filter(pl.col("year") == panel["year"].max())
    return float(latest.filter(pl.col(first_treated).is_not_null())["population_19_64"].sum())


def chart_rows(per_outcome: pl.DataFrame, per_applicant: pl.DataFrame,
               limits: Mapping[str, float]) -> pl.DataFrame:
    """outcome, cost_per, cost_band of both tables, for :func:`lcanalysis.plots.planning.cost_chart`.
    Pass the protected tables: a suppressed row stays without a cost, and the result
    of two protected tables is marked protected too (it shows nothing they do not)."""
    from lcanalysis.disclosure import is_protected, mark_protected

    applicant = per_applicant.select(
        "outcome", pl.col("estimate").alias("cost_per"),
        pl.col("estimate").map_elements(lambda v: cost_band(v, limits), return_dtype=pl.Utf8)
        .alias("cost_band"))
    rows = pl.concat([per_outcome.select("outcome", "cost_per", "cost_band"), applicant])
    return mark_protected(rows) if is_protected(per_outcome) and is_protected(per_applicant) else rows
