"""Evidence labels from config/evidence.yaml: the rules of issue 17, case by case."""

from __future__ import annotations

import pytest

from lcanalysis.errors import ConfigError
from lcanalysis.indicators import evidence

PASSING = {"n_treated": 13, "n_comparison": 277, "pretrend_p": 0.41, "placebo_p": 0.62,
           "interval_method": "randomisation_inference_cs"}


def test_descriptive_comparison_is_type_2_level_1():
    label = evidence.grade("descriptive_comparison")
    assert (label.ofs, label.sms) == (2, 1)
    assert "no comparison group" in label.text()


def test_adjusted_comparison_stays_type_2_and_says_what_was_adjusted_for():
    label = evidence.grade("adjusted_comparison", {"adjusted_for": "age band and sex"})
    assert (label.ofs, label.sms) == (2, 2)
    assert label.reasons[0].startswith("comparison adjusted for age band and sex")
    with pytest.raises(ValueError, match="needs 'adjusted_for'"):
        evidence.grade("adjusted_comparison")


def test_did_with_every_check_passed_is_type_3_level_3():
    label = evidence.grade("difference_in_differences", PASSING)
    assert (label.ofs, label.sms) == (3, 3)
    assert label.reasons == (
        "difference-in-differences of 13 served against 277 comparison municipalities; "
        "interval method: Randomisation inference (Callaway & Sant'Anna)",)


@pytest.mark.parametrize("change, said", [
    ({"pretrend_p": 0.03}, "pre-trend test rejects parallel trends (p = 0.030)"),
    ({"placebo_p": 0.01}, "placebo start one year early finds an effect (p = 0.010)"),
    ({"n_treated": None}, "number of treated municipalities not stated"),
    ({"interval_method": "twfe"}, "interval (Two-way fixed effects) is not from a method valid with few"),
])
def test_did_drops_one_level_and_names_the_failed_condition(change, said):
    label = evidence.grade("difference_in_differences", {**PASSING, **change})
    assert (label.ofs, label.sms) == (2, 2)
    assert len(label.reasons) == 2 and label.reasons[1].startswith(said)


def test_did_drops_one_level_however_many_conditions_fail():
    facts = {"n_treated": 13, "n_comparison": 277, "interval_method": "twfe"}  # no p-values
    label = evidence.grade("difference_in_differences", facts)
    assert (label.ofs, label.sms) == (2, 2)
    assert label.reasons[1] == "pre-trend test rejects parallel trends (p = –)"
    assert len(label.reasons) == 4


def test_threshold_is_inclusive_and_swedish_text():
    label = evidence.grade("difference_in_differences", {**PASSING, "pretrend_p": 0.10,
                                                         "placebo_p": 0.05}, lang="sv")
    assert (label.ofs, label.sms) == (2, 2)
    assert label.reasons[1] == "placebostart ett år tidigare finner en effekt (p = 0,050)"


def test_rules_file_problems_are_listed_at_once(tmp_path):
    bad = tmp_path / "evidence.yaml"
    bad.write_text(
        "thresholds: {pretrend_p_min: 2, placebo_p_min: 0.1, few_cluster_methods: [x]}\n"
        "designs:\n"
        "  d: {ofs: 4, sms: 3, reason: {en: a}, conditions: {pretrnd: {}}}\n",
        encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        evidence.load_rules(bad)
    assert err.value.problems == [
        "thresholds.pretrend_p_min must be a number in [0, 1), not 2",
        "designs.d.ofs must be 1, 2 or 3, not 4",
        "designs.d.reason has no 'sv' text",
        "designs.d.conditions.pretrnd is not one of pretrend, placebo, treated_units_stated, "
        "few_cluster_interval",
    ]


def test_unknown_design_names_the_known_ones():
    with pytest.raises(ValueError, match="knows descriptive_comparison, adjusted_comparison"):
        evidence.grade("rct")
