"""Tests of lcanalysis.indicators.panel: the municipality panel on hand-made tables."""

from __future__ import annotations

import polars as pl
import pytest

from lcanalysis.config import LearningCentre
from lcanalysis.errors import InputError
from lcanalysis.indicators.panel import first_treated_year, municipality_panel


def test_first_treated_year_timing_rule():
    # Calendar (default): an HT2024 centre recruited in the HT2024 round (spring 2024).
    assert first_treated_year("HT2024") == 2024
    assert first_treated_year("VT2025") == 2025
    assert first_treated_year("HT2024", timing="main_round") == 2025
    assert first_treated_year("VT2025", timing="main_round") == 2025
    with pytest.raises(InputError):
        first_treated_year("2024")


def test_municipality_panel_counts_rates_and_timing():
    stats = pl.DataFrame({
        "municipality_code": ["0188", "0140", "0181"], "year": [2023] * 3,
        "pop_19_24": [1000, 500, 100], "pop_25_34": [1000, 500, 100],
        "pop_35_44": [1000, 500, 100], "pop_45_64": [2000, 500, 200],
        "post_secondary_3y_share_25_64": [0.2, 0.3, 0.4],
    })
    applications = pl.DataFrame({
        "person_id": ["p1", "p1", "p2", "p3"],
        "term": ["HT2024", "HT2024", "VT2024", "HT2023"],
        "programme_code": ["A", "B", "A", "A"],
        "admission_status": ["admitted", "not_admitted", "reserve", "admitted"],
        "home_municipality_code": ["0188", "0188", "0188", "0140"],
    })
    persons = pl.DataFrame({"person_id": ["p1", "p2", "p3"], "birth_year": [1990, 2004, 2000],
                            "first_generation": [True, None, False]})
    centres = {
        "norrtalje": LearningCentre("norrtalje", "norrtalje", "0188", ("0188",), (), "HT2024"),
        "sodertalje": LearningCentre("sodertalje", "sodertalje", "0181", ("0181", "0140",), (), "VT2024"),
        "other": LearningCentre("other", "other", "0140", ("0140",), (), "HT2022"),
    }
    features = pl.DataFrame({"municipality_code": ["0188", "0140", "0181"],
                             "skr_group": ["B5", "A2", "B3"]})
    panel = municipality_panel(applications, stats, persons, centres,
                               municipality_features=features)
    assert panel.height == 6  # 3 municipalities x 2023-2024
    row = panel.filter(municipality_code="0188", year=2024).row(0, named=True)
    assert (row["applicants"], row["admitted"]) == (2, 1)
    assert (row["applicants_first_generation"], row["applicants_25plus"]) == (1, 1)
    assert row["population_19_64"] == 5000  # 2023 statistics carried forward
    assert row["applicants_per_10k"] == pytest.approx(4.0)  # 2 / 5000 * 10 000
    assert row["applicants_25plus_per_10k"] == pytest.approx(2.5)  # 1 / 4000 * 10 000
    assert (row["pilot_start_year"], row["treated"], row["skr_group"]) == (2024, 1, "B5")
    # 0140 is served by "other" (HT2022) and Södertälje (VT2024): the earliest, 2022.
    assert panel.filter(municipality_code="0140")["pilot_start_year"].to_list() == [2022, 2022]
    assert panel.filter(municipality_code="0140")["treated"].to_list() == [1, 1]
    empty = panel.filter(municipality_code="0181", year=2023).row(0, named=True)
    assert (empty["applicants"], empty["pilot_start_year"]) == (0, 2024)


def test_panel_fills_a_missing_scb_band_from_the_nearest_year():
    stats = pl.DataFrame({
        "municipality_code": ["0188", "0188"], "year": [2023, 2024],
        "pop_19_24": [1000, None], "pop_25_34": [1000, 1100], "pop_35_44": [1000, 1100],
        "pop_45_64": [2000, 2100], "post_secondary_3y_share_25_64": [0.2, None],
    })
    apps = pl.DataFrame({"person_id": ["p1"], "term": ["HT2024"], "admission_status": ["admitted"],
                         "home_municipality_code": ["0188"]})
    panel = municipality_panel(apps, stats, None, {})
    row = panel.filter(year=2024).row(0, named=True)
    # 2024's 19-24 band is "..": 2023's 1000 is used, not 0 (which would give 4300).
    assert row["population_19_64"] == 1000 + 1100 + 1100 + 2100
    assert row["education_share"] == 0.2
