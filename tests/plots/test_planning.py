"""Notebook 08's planner charts: they refuse unprotected frames and draw in both languages."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import polars as pl  # noqa: E402
import pytest  # noqa: E402

from lcanalysis.disclosure import mark_protected  # noqa: E402
from lcanalysis.plots import planning  # noqa: E402
from lcanalysis.plots.charts import UnprotectedData  # noqa: E402

MDE = pl.DataFrame({"n_centres": [4, 8, 4, 8], "years": [2, 2, 5, 5],
                    "mde": [1.8, 1.2, 1.1, None], "n_obs": [3000] * 4})
COSTS = pl.DataFrame({"outcome": ["participant", "foundation_year_completer", "additional_applicant"],
                      "cost_per": [1500.0, None, 40_000.0], "cost_band": ["low", None, "very_high"]})


def texts(fig) -> str:
    return " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


@pytest.mark.parametrize("lang, words", [("en", ["2 years of data", "The pilot's estimate"]),
                                         ("sv", ["2 års data", "Pilotens skattning"])])
def test_mde_chart(lang, words):
    fig = planning.mde_chart(mark_protected(MDE.clone()), lang=lang, synthetic=True, observed=2.0)
    assert all(w in texts(fig) for w in words)
    lines = fig.axes[0].get_lines()
    assert [len(line.get_xdata()) for line in lines[:2]] == [2, 1]  # the null MDE is left out


def test_charts_refuse_unprotected_frames():
    with pytest.raises(UnprotectedData):
        planning.mde_chart(MDE.clone(), lang="en", synthetic=True)
    with pytest.raises(UnprotectedData):
        planning.cost_chart(COSTS.clone(), lang="en", synthetic=True)


def test_cost_chart_lists_rows_without_a_cost_in_the_footnote():
    fig = planning.cost_chart(mark_protected(COSTS.clone()), lang="en", synthetic=True)
    assert len(fig.axes[0].patches) == 2
    from lcanalysis.plots.style import figure_info

    assert figure_info(fig).footer_lines == [
        "Not drawn (no outcome, or suppressed): Per foundation-year completer"]


def test_students_needed_chart_draws_arithmetic_without_protection():
    frame = pl.DataFrame({"p_reference": [0.5, 0.6, 0.5, 0.6], "gap_pp": [5.0, 5.0, 10.0, 10.0],
                          "students_per_route": [1565, 1471, 388, 356]})
    fig = planning.students_needed_chart(frame, lang="sv", synthetic=True, observed_share=0.55)
    assert "5 procentenheter" in texts(fig) and "10 procentenheter" in texts(fig)


def tick_labels(axis) -> list[str]:
    axis.figure.canvas.draw()
    return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]


def test_axes_write_numbers_in_the_runs_format_not_powers_of_ten():
    fig = planning.mde_chart(mark_protected(MDE.clone()), lang="sv", synthetic=True, observed=2.0)
    assert "1,0" in tick_labels(fig.axes[0].yaxis)
    centres = tick_labels(fig.axes[0].xaxis)
    assert "4" in centres and all(c.isdigit() for c in centres)  # whole numbers of centres
    frame = pl.DataFrame({"p_reference": [0.5, 0.6, 0.5, 0.6], "gap_pp": [5.0, 5.0, 10.0, 10.0],
                          "students_per_route": [1565, 1471, 388, 356]})
    needed = planning.students_needed_chart(frame, lang="sv", synthetic=True)
    assert {"500", "1\u00a0000"} <= set(tick_labels(needed.axes[0].yaxis))
    costs = planning.cost_chart(mark_protected(COSTS.clone()), lang="en", synthetic=True)
    assert {"2,000", "20,000"} <= set(tick_labels(costs.axes[0].xaxis))
