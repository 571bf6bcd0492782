"""The cost ledger and cost-effectiveness ratios, on small hand-checked ledgers."""

from __future__ import annotations

import math

import polars as pl
import pytest

from lcanalysis.config import LearningCentre, load_learning_centres
from lcanalysis.errors import ConfigError
from lcanalysis.indicators import cost

CENTRES = {"a": LearningCentre(centre_id="a", name="A", municipality="0188", serves=("0188",),
                               strands=("foundation_year",), start_term="HT2024")}
BANDS = "cost_bands: {sek_per_gbp: 10, upper_gbp: {very_low: 80, low: 200, moderate: 720, high: 1200}}\n"


def write(tmp_path, lines: str):
    path = tmp_path / "costs.yaml"
    path.write_text("synthetic: true\n" + BANDS + "lines:\n" + lines, encoding="utf-8")
    return path


def test_ledger_sums_hours_times_rate_and_amounts(tmp_path):
    path = write(tmp_path,
                 "- {centre: a, year: 2024, strand: foundation_year, item: centre_staff, hours: 100, rate_sek: 500, source: s}\n"
                 "- {centre: a, year: 2025, strand: foundation_year, item: premises, amount_sek: 30000, source: s}\n")
    ledger = cost.load_ledger(CENTRES, path)
    assert ledger.lines["amount_sek"].to_list() == [50_000.0, 30_000.0]
    assert ledger.synthetic and ledger.years() == [2024, 2025]
    assert ledger.annual_cost() == 40_000.0  # 80,000 over two years
    assert ledger.cost_per_centre_year() == 40_000.0
    assert ledger.band_limits_sek == {"very_low": 800.0, "low": 2000.0, "moderate": 7200.0,
                                      "high": 12000.0}


def test_ledger_problems_name_the_line(tmp_path):
    path = write(tmp_path,
                 "- {centre: b, year: 2024, strand: foundation_year, item: centre_staff, hours: 1, rate_sek: 1, source: s}\n"
                 "- {centre: a, year: 2024, strand: shared_course, item: rent, amount_sek: 5, source: ''}\n"
                 "- {centre: a, year: 2024, strand: foundation_year, item: premises, amount_sek: 5, hours: 2, rate_sek: 3, source: s}\n")
    with pytest.raises(ConfigError) as err:
        cost.load_ledger(CENTRES, path)
    assert err.value.problems == [
        "lines[1]: unknown centre 'b'",
        "lines[2]: centre 'a' does not run strand 'shared_course' (it runs foundation_year)",
        "lines[2]: item 'rent' is not one of centre_staff, premises, lab_and_internship_hosting, "
        "travel, kth_teaching_and_coordination",
        "lines[2]: no source note",
        "lines[3]: give either hours and rate_sek, or amount_sek",
    ]


def test_cost_band_edges():
    limits = {"very_low": 800.0, "low": 2000.0, "moderate": 7200.0, "high": 12000.0}
    assert [cost.cost_band(v, limits) for v in (800, 800.01, 2000, 7000, 12000, 12001)] == [
        "very_low", "low", "low", "moderate", "high", "very_high"]
    assert cost.cost_band(None, limits) is None


def test_cost_per_outcome(tmp_path):
    path = write(tmp_path, "- {centre: a, year: 2024, strand: foundation_year, item: premises, amount_sek: 60000, source: s}\n")
    ledger = cost.load_ledger(CENTRES, path)
    outcomes = pl.DataFrame({"outcome": ["participant", "credit_earned", "foundation_year_completer"],
                             "count": [40, 30, 0], "amount": [40.0, 1500.0, 0.0]})
    table = cost.cost_per_outcome(ledger, outcomes)
    assert table["cost_per"].to_list() == [1500.0, 40.0, None]
    assert table["cost_band"].to_list() == ["low", "very_low", None]


def test_cost_per_additional_applicant_carries_the_effect_interval():
    """Effect 2.0 (0.5 to 4.0) per 10,000 on 50,000 residents: 10 (2.5 to 20) more
    applicants a year; 1,000,000 SEK a year -> 100,000 (50,000 to 400,000) per applicant."""
    table = cost.cost_per_additional_applicant(
        1_000_000, {"estimate": 2.0, "ci_low": 0.5, "ci_high": 4.0}, 50_000, n_obs=120)
    row = table.row(0, named=True)
    assert (row["additional_per_year"], row["additional_low"], row["additional_high"]) == (10, 2.5, 20)
    assert (row["estimate"], row["ci_low"], row["ci_high"]) == (100_000, 50_000, 400_000)
    unbounded = cost.cost_per_additional_applicant(
        1_000_000, {"estimate": 2.0, "ci_low": -1.0, "ci_high": 4.0}, 50_000, n_obs=120)
    assert math.isinf(unbounded["ci_high"].item())


def test_sensitivity_grid():
    table = cost.sensitivity(1_000_000, {"estimate": 2.0, "ci_low": 0.5, "ci_high": 4.0}, 50_000,
                             n_obs=120)
    assert table.height == 9
    got = {(r["cost_change_pct"], r["effect_at"]): r["estimate"] for r in table.iter_rows(named=True)}
    assert got[(-25, "estimate")] == 75_000 and got[(25, "ci_low")] == 500_000
    assert got[(0, "ci_high")] == 50_000


def test_scale_up_costs():
    predictions = pl.DataFrame({"municipality_code": ["0001"], "expected": [4.0],
                                "prediction_low": [0.0], "prediction_high": [8.0]})
    row = cost.scale_up_costs(predictions, 400_000, n_obs=15).row(0, named=True)
    assert (row["estimate"], row["ci_low"]) == (100_000, 50_000) and math.isinf(row["ci_high"])


def test_pilot_outcomes_count_people_and_credits():
    participants = pl.DataFrame({"person_id": ["p1", "p2", "p2", "p3"],
                                 "start_term": ["HT2024", "VT2025", "HT2025", "HT2023"]})
    performance = pl.DataFrame({"route": ["campus", "learning_centre"], "numerator": [900.0, 450.0],
                                "n_persons": [30, 12]})
    fy = pl.DataFrame({"route": ["learning_centre", "learning_centre"],
                       "measure": ["completion", "transition"], "numerator": [7, 5]})
    table = cost.pilot_outcomes(participants, performance, fy, [2024, 2025])
    assert table.rows() == [("participant", 2, 2.0), ("credit_earned", 12, 450.0),
                            ("foundation_year_completer", 7, 7.0)]


def test_the_demo_ledger_is_marked_synthetic_and_valid():
    ledger = cost.load_ledger(load_learning_centres())
    assert ledger.synthetic
    assert set(ledger.lines["centre"]) == set(load_learning_centres())


def test_served_population_takes_the_latest_year_of_served_municipalities():
    panel = pl.DataFrame({"year": [2024, 2025, 2024, 2025, 2025],
                          "pilot_start_year": [2025, 2025, None, None, 2024],
                          "population_19_64": [1000.0, 1100.0, 5000.0, 5100.0, 300.0]})
    assert cost.served_population(panel) == 1400.0


def test_chart_rows_band_the_applicant_cost():
    limits = {"very_low": 800.0, "low": 2000.0, "moderate": 7200.0, "high": 12000.0}
    per_outcome = pl.DataFrame({"outcome": ["participant"], "count": [40], "amount": [40.0],
                                "cost_sek": [6e4], "cost_per": [1500.0], "cost_band": ["low"]})
    per_applicant = pl.DataFrame({"outcome": ["additional_applicant"], "estimate": [50_000.0]})
    rows = cost.chart_rows(per_outcome, per_applicant, limits)
    assert rows.rows() == [("participant", 1500.0, "low"),
                           ("additional_applicant", 50_000.0, "very_high")]
