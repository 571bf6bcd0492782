"""The headline findings: one number per question, as notebooks 01-04 show it, with its
interval, n and evidence label.

:func:`headline_findings` is the one place that decides what the headline of each
question is; notebook 10 (lessons learnt), the report's findings-first sentences and
the run-to-run comparison all read its frame, and a test runs notebooks 01-04 and 10 and
checks that the numbers are the ones those notebooks export. Each finding computes its
indicator with exactly the call (and parameters) of the notebook it comes from, then
takes one row:

- ``reach_first_generation_gap``, ``reach_mature_gap``: 01's ``route_gaps``, learning
  centre minus campus in percentage points (Newcombe interval);
- ``performance_rate_learning_centre``: 02's ``performance_rate``, learning-centre
  route, per cent of registered credits earned;
- ``stays_in_home_region_learning_centre``: 03's ``retention``, ``lives_in_home`` at
  ``followup_years``, learning-centre route, per cent;
- ``pilot_effect``: 04's ``pilot_effect``, the randomisation-inference row (the
  Callaway-Sant'Anna estimate with the interval valid with few treated municipalities).

Finding ids are stable:
code that compares runs keys on them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from lcanalysis import derived, disclosure, geo
from lcanalysis.config import LearningCentre
from lcanalysis.dataset import Dataset
from lcanalysis.indicators import effect, evidence, mobility, participation, progression
from lcanalysis.indicators.panel import municipality_panel

FINDINGS = (
    "reach_first_generation_gap",
    "reach_mature_gap",
    "performance_rate_learning_centre",
    "stays_in_home_region_learning_centre",
    "pilot_effect",
)
"""The finding ids, in the report's order."""

COLUMNS = ("finding", "estimate", "ci_low", "ci_high", "n", "evidence_ofs", "evidence_sms",
           "evidence_reasons", "unit", "source", "suppressed", "suppression_reason")

SCHEMA = {
    "finding": pl.Utf8, "estimate": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64,
    "n": pl.Int64, "evidence_ofs": pl.Int64, "evidence_sms": pl.Int64,
    "evidence_reasons": pl.Utf8, "unit": pl.Utf8, "source": pl.Utf8, "suppressed": pl.Boolean,
    "suppression_reason": pl.Utf8,
}


@dataclass(frozen=True)
class _Finding:
    finding: str
    row: Mapping[str, object] | None  # the source row after disclosure control
    estimate: str
    ci: tuple[str, str]
    n: str
    scale: float
    unit: str
    source: str
    label: evidence.Evidence


def _one(frame: pl.DataFrame, **keys) -> dict:
    rows = frame.filter(*[pl.col(k) == v for k, v in keys.items()]).to_dicts()
    if len(rows) != 1:
        raise ValueError(f"expected one row with {keys}, found {len(rows)}")
    return rows[0]


def _row(f: _Finding) -> dict:
    row = f.row
    suppressed = bool(row.get("suppressed"))
    shown = None if suppressed else row

    def scaled(column: str) -> float | None:
        return None if shown is None or shown[column] is None else shown[column] * f.scale

    return {
        "finding": f.finding, "estimate": scaled(f.estimate), "ci_low": scaled(f.ci[0]),
        "ci_high": scaled(f.ci[1]), "n": None if shown is None else int(shown[f.n]),
        "evidence_ofs": f.label.ofs, "evidence_sms": f.label.sms,
        "evidence_reasons": f.label.text(), "unit": f.unit, "source": f.source,
        "suppressed": suppressed,
        "suppression_reason": row.get("suppression_reason") if suppressed else None,
    }


def headline_findings(
    data: Dataset,
    centres: Mapping[str, LearningCentre],
    *,
    policy: disclosure.Policy | str = "default",
    cohort_terms: Sequence[str] | None = ("HT2024", "VT2025", "HT2025"),
    programme_levels: Sequence[str] | None = None,
    region_scale: str = "municipality",
    followup_years: int = 1,
    outcome: str = "applicants_per_10k",
    comparison: str = "all",
    n_permutations: int = 499,
    lang: str = "en",
    rules: evidence.EvidenceRules | None = None,
) -> pl.DataFrame:
    """One row per finding of :data:`FINDINGS`: finding, estimate, ci_low, ci_high, n,
    evidence_ofs, evidence_sms, evidence_reasons, unit, source, suppressed,
    suppression_reason.

    Parameters mean what they mean in the notebooks (01-04) whose numbers these are:
    01 and 02 use ``cohort_terms`` and ``programme_levels``, 03 ``programme_levels``,
    ``region_scale`` and ``followup_years``, 04 ``outcome``, ``comparison`` and
    ``n_permutations`` (also for its placebo test). Units: ``percentage_points`` (gaps),
    ``percent`` (rates, the notebooks' proportions times 100), ``per_10k`` (the pilot
    effect, per 10,000 residents 19-64 and year). ``n``: the learning-centre route's
    people behind the number (its denominator; ``n_persons`` for the performance rate);
    for the pilot effect, the municipalities in the panel.

    Disclosure: each source row is taken from its table as its notebook shows it: the
    tables that notebook publishes up to the source table are published again in the
    same order with their declared layouts
    (:class:`lcanalysis.disclosure.publication.Publication`), so the secondary
    suppression is the notebook's; a suppressed source row gives a finding with
    ``suppressed`` true, its reason, and no numbers. ``source`` names the exported row
    (``notebook/table?key=value``), which the run's intruder checks the finding
    against (a finding may not show a row its source hides). Evidence labels
    (:func:`evidence.grade`) are in ``lang``; the pilot effect's label uses the
    pre-trend test (4 leads, 2 lags, as notebook 04) and the placebo test.
    """
    rules = rules or evidence.load_rules()
    policy = disclosure.get_policy(policy)
    found: list[_Finding] = []

    entrants = derived.entrants(data, cohort_terms=cohort_terms, programme_levels=programme_levels)
    descriptive = evidence.grade("descriptive_comparison", lang=lang, rules=rules)
    gaps = pl.concat([
        participation.route_gaps(entrants, indicator, policy=policy).select(
            pl.lit(indicator).alias("characteristic"), pl.all())
        for indicator in ("first_generation", "mature")
    ])
    gaps = _as_published("01_widening_participation", policy, [
        ("entrants_by_route", entrants.group_by("route").len("n").sort("route")),
        ("characteristics_by_route", participation.characteristic_rates(entrants)),
        ("route_gaps", gaps),
    ])
    for indicator in ("first_generation", "mature"):
        keys = {"characteristic": indicator, "route": "learning_centre"}
        found.append(_Finding(f"reach_{indicator}_gap", _one(gaps, **keys),
                              "gap_pp", ("gap_ci_low", "gap_ci_high"), "denominator", 1.0,
                              "percentage_points", _source("01_widening_participation/route_gaps", keys),
                              descriptive))

    performance = _as_published("02_study_progression", policy, [(
        "performance_rate",
        progression.performance_rate(data.registrations, data.results, by=("route",),
                                     entrants=entrants, credited=derived.credited_registrations(data)))])
    keys = {"route": "learning_centre"}
    found.append(_Finding("performance_rate_learning_centre", _one(performance, **keys), "rate",
                          ("ci_low", "ci_high"), "n_persons", 100.0, "percent",
                          _source("02_study_progression/performance_rate", keys), descriptive))

    movers = derived.entrants(data, programme_levels=programme_levels)
    histories = mobility.mobility_histories(movers, data.followups, centres, scale=region_scale)
    retention = _as_published("03_brain_drain", policy, [("retention", mobility.retention(histories))])
    keys = {"route": "learning_centre", "years": followup_years, "measure": "lives_in_home"}
    found.append(_Finding("stays_in_home_region_learning_centre", _one(retention, **keys),
                          "rate", ("ci_low", "ci_high"), "denominator", 100.0, "percent",
                          _source("03_brain_drain/retention", keys), descriptive))

    found.append(_pilot_effect(data, centres, outcome=outcome, comparison=comparison,
                               n_permutations=n_permutations, policy=policy, lang=lang,
                               rules=rules))
    return pl.DataFrame([_row(f) for f in found], schema=SCHEMA)


def _pilot_effect(data, centres, *, outcome, comparison, n_permutations, policy, lang,
                  rules) -> _Finding:
    unit, time, first = "municipality_code", "year", "pilot_start_year"
    panel = municipality_panel(data.applications, data.municipal_stats, data.persons,
                               centres, municipality_features=geo.municipality_features())
    estimates = effect.estimate_pilot_effect(panel, outcome, comparison=comparison,
                                             n_permutations=n_permutations)
    row = _one(estimates.filter(pl.col("method").str.starts_with("randomisation_inference")))
    pretrend = effect.pretrend_test(panel, outcome, unit, time, first, leads=4, lags=2)
    placebo = effect.placebo_test(panel, outcome, unit, time, first, n_permutations=n_permutations)
    served = panel.filter(pl.col(first).is_not_null())[unit].n_unique()
    label = evidence.grade("difference_in_differences", {
        "n_treated": served, "n_comparison": int(row["n_units"]) - served,
        "pretrend_p": pretrend.p_value, "placebo_p": placebo.p_value,
        "interval_method": row["method"],
    }, lang=lang, rules=rules)
    audited = disclosure.audit(estimates.filter(pl.col("method") == row["method"]), policy)
    shown = {**row, "suppressed": bool(audited), "suppression_reason":
             audited[0].reason if audited else None}
    keys = {"method": row["method"], "comparison": row["comparison"], "outcome": row["outcome"]}
    return _Finding("pilot_effect", shown, "estimate", ("ci_low", "ci_high"), "n_units", 1.0,
                    "per_10k", _source("04_pilot_effect/pilot_effect", keys), label)


def _as_published(notebook: str, policy: disclosure.Policy,
                  tables: Sequence[tuple[str, pl.DataFrame]]) -> pl.DataFrame:
    """The last of ``tables`` as ``notebook`` shows it: the notebook's tables up to it,
    published in the notebook's order with their declared layouts (what a table
    shows depends on the tables before it: :mod:`lcanalysis.disclosure.publication`)."""
    from lcanalysis.disclosure.publication import Publication

    publication = Publication(notebook, policy)
    for name, frame in tables:
        shown = publication.publish(name, frame)
    return shown


def _source(table: str, keys: Mapping[str, object]) -> str:
    """``notebook/table?key=value&...``: the exported row a finding repeats (the
    ``quotes`` column of its layout, checked by the run's intruder)."""
    return table + "?" + "&".join(f"{k}={v}" for k, v in keys.items())
