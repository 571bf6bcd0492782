"""The notebook glue: parameters checked at once, tables and figure data protected as
one linked set before they show, charts refusing anything else."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from lcanalysis.clean import clean
from lcanalysis.notebook import ParameterError, start
from tests.fixtures.messy_raw import write_messy_raw


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    root = tmp_path_factory.mktemp("nb")
    clean(write_messy_raw(root / "raw"), root / "processed", key=b"k" * 32, today=date(2026, 11, 1))
    return root / "processed"


def test_every_bad_parameter_is_reported_at_once(tmp_path):
    with pytest.raises(ParameterError) as err:
        start("x", data_dir=str(tmp_path), lang="de", disclosure_policy="lax",
              region_scale="parish", comparison="some")
    text = str(err.value)
    for word in ("lang", "disclosure_policy", "region_scale", "comparison", "lcanalysis clean"):
        assert word in text


def test_tables_are_protected_before_they_are_shown_and_exported(processed, tmp_path, capsys):
    nb = start("x", data_dir=str(processed), lang="en", figures_dir=str(tmp_path / "f"),
               tables_dir=str(tmp_path / "t"))
    rates = pl.DataFrame({"route": ["campus", "learning_centre"], "numerator": [30, 3],
                          "denominator": [100, 40], "rate": [0.3, 0.075],
                          "ci_low": [0.2, 0.02], "ci_high": [0.4, 0.2]})
    html = nb.table("shares", rates, note="A share.", keys=["route"]).data
    # 3 of 40 is a small count: shown as its reason code, never as 3 or 7.5 %.
    assert "small_count" in html and "7.5" not in html and ">3<" not in html
    assert nb.tables["shares"]["suppressed"].to_list() == [False, True]
    nb.finish()
    assert (tmp_path / "t" / "shares.csv").is_file()
    assert "exported" in capsys.readouterr().out


def test_processing_tables_are_shown_but_not_exported(processed, tmp_path):
    nb = start("x", data_dir=str(processed), lang="sv", figures_dir=str(tmp_path / "f"))
    nb.table("accounting", pl.DataFrame({"file": ["a.csv"], "rows_in": [3]}), note="Rows.",
             statistics=False)
    assert nb.tables == {}


def _rates(rows, keys):
    from lcanalysis.stats import add_rate_columns

    return add_rate_columns(pl.DataFrame(rows, schema=[*keys, "numerator", "denominator"],
                                         orient="row"))


def test_charts_refuse_frames_that_skipped_disclosure_control(processed, tmp_path):
    from lcanalysis.plots import charts

    nb = start("x", data_dir=str(processed), lang="en", figures_dir=str(tmp_path / "f"))
    rates = _rates([("mature", "campus", 300, 1000), ("mature", "learning_centre", 3, 40)],
                   ["characteristic", "route"])
    with pytest.raises(charts.UnprotectedData, match="nb.protect"):
        charts.gap_chart(rates, characteristic="characteristic", lang="en", synthetic=True)
    shown = nb.protect(rates, name="reach", keys=["characteristic", "route"],
                       measure_key="characteristic")
    charts.gap_chart(shown, characteristic="characteristic", lang="en", synthetic=True)
    # a frame derived from a protected one is new data: protect it again
    with pytest.raises(charts.UnprotectedData):
        charts.gap_chart(shown.head(1), characteristic="characteristic", lang="en", synthetic=True)
    # the table of the same name and frame is the figure's protected frame
    nb.table("reach", rates, note="Shares.")
    assert nb.tables["reach"] is shown
    with pytest.raises(ValueError, match="published before with other numbers"):
        nb.protect(rates.head(1), name="reach", keys=["characteristic", "route"])


def test_a_table_without_declared_keys_is_refused(processed, tmp_path):
    nb = start("x", data_dir=str(processed), lang="en", figures_dir=str(tmp_path / "f"))
    with pytest.raises(ParameterError, match="no declared layout.*keys="):
        nb.table("shares", pl.DataFrame({"route": ["campus"], "n": [40]}), note="People.")


def test_tables_of_a_notebook_are_protected_as_one_linked_set(processed, tmp_path):
    """The overall rate is shown first; the cross published after it must not let
    overall minus the other age band give the hidden cell (92 - 85 = 7)."""
    from lcanalysis.report.tables import attack_run

    nb = start("x", data_dir=str(processed), lang="sv", figures_dir=str(tmp_path / "f"),
               tables_dir=str(tmp_path / "t"))
    overall = _rates([("first_generation", "campus", 553, 1625),
                      ("first_generation", "learning_centre", 92, 121)], ["characteristic", "route"])
    nb.table("characteristics", overall, note="Shares.", keys=["characteristic", "route"],
             measure_key="characteristic", population="entrants")
    by_age = _rates([("20-24", "campus", 500, 1500), ("20-24", "learning_centre", 7, 9),
                     ("25-34", "campus", 53, 125), ("25-34", "learning_centre", 85, 112)],
                    ["age_band", "route"])
    nb.table("by_age", by_age, note="By age.", keys=["age_band", "route"],
             measure="first_generation", population="entrants",
             domains={"age_band": ["20-24", "25-34"]})
    hidden = nb.tables["by_age"].filter(pl.col("suppressed"))
    assert set(hidden["suppression_reason"]) == {"small_denominator", "secondary"}
    # 25-34 at the learning centre must go too, else 92 - 85 = 7
    assert ("25-34", "learning_centre") in set(hidden.select("age_band", "route").rows())
    nb.finish()
    assert attack_run(tmp_path / "t", "default") == []
    log = pl.read_csv(tmp_path / "t" / "disclosure_log.csv")
    # One secondary row is enough, with its denominator (121 - 112 would give the 9).
    assert log.select("cell", "kind").rows() == [
        ("age_band=20-24, route=learning_centre", "primary"),
        ("age_band=25-34, route=learning_centre", "secondary")]
    assert nb.tables["by_age"]["denominator"].to_list() == [1500, None, 125, None]


def test_survival_curves_are_protected_before_they_are_drawn(processed, tmp_path):
    from lcanalysis.plots import charts

    nb = start("x", data_dir=str(processed), lang="en", figures_dir=str(tmp_path / "f"))
    curve = pl.DataFrame([("campus", 2.0, 0.5, 0.44, 0.55, 327), ("learning_centre", 2.0, 0.52, 0.43,
                          0.6, 143), ("learning_centre", 3.0, 0.5045, 0.42, 0.58, 40)],
                         schema=["route", "time", "survival", "ci_low", "ci_high", "at_risk"],
                         orient="row")
    with pytest.raises(charts.UnprotectedData):
        charts.survival_chart(curve, group="route", lang="en", synthetic=True)
    shown = nb.protect(curve, name="time_to_transition", keys=["route"])
    # 40 at risk x (1 - 0.5045 / 0.52) = 1 event at term 3: that step is hidden
    assert shown["suppression_reason"].to_list() == [None, None, "small_count"]
    charts.survival_chart(shown, group="route", lang="en", synthetic=True)


def test_a_figure_under_a_declared_pattern_takes_the_name_of_its_table(processed, tmp_path):
    nb = start("06_learning_centre_profile", data_dir=str(processed), lang="en",
               figures_dir=str(tmp_path / "f"), tables_dir=str(tmp_path / "t"))
    profile = _rates([("mature", "campus", 300, 1000), ("mature", "learning_centre", 22, 26)],
                     ["characteristic", "route"])
    shown = nb.protect(profile)  # layout "profile_*" of config/table_layouts.yaml
    nb.table("profile_solleftea", profile, note="Profile.")
    assert nb.tables["profile_solleftea"] is shown and list(nb.published) == ["profile_solleftea"]
    assert shown["suppression_reason"].to_list() == [None, "small_complement"]  # 22 of 26
    nb.finish()
    assert (tmp_path / "t" / "profile_solleftea.csv").is_file()
