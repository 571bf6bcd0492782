"""The planner's charts of notebook 08: what a scale-up could detect and what it costs.

- :func:`mde_chart`: the design's minimum detectable effect against the number of
  centres, one line per number of years of data, with the pilot's estimate;
- :func:`students_needed_chart`: students per route to detect a 5 or 10 point gap in a
  share, against the reference share;
- :func:`cost_chart`: cost per outcome as bars on a log scale, coloured by EEF-style
  cost band.

Like every chart here they draw only frames that have been through disclosure
control (``nb.protect``; the students-needed table is arithmetic, not data) and take
every word from labels.json.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from lcanalysis.disclosure import is_protected
from lcanalysis.indicators.cost import BANDS
from lcanalysis.plots.charts import CHROME_IN, ROW_IN, UnprotectedData
from lcanalysis.plots.labels import category_label, format_number, label, number_formatter
from lcanalysis.plots.style import (
    CATEGORICAL,
    SEQUENTIAL,
    TEXT_GREY,
    add_legend,
    house_figure,
    house_style,
)

if TYPE_CHECKING:
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure


def _protected(frame: pl.DataFrame, chart: str, columns: list[str]) -> None:
    if not is_protected(frame):
        raise UnprotectedData(f"{chart}: draw nb.protect(frame, name=..., keys=[...]), not the "
                              "frame itself")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{chart}: the frame has no column(s) {missing}")


def _log_axis(axis: Axis, lang: str) -> None:
    """A log axis with ticks at 1, 2 and 5 times a power of ten, written as plain numbers
    in ``lang`` (``20 000``, not matplotlib's ``2 × 10⁴``)."""
    from matplotlib.ticker import LogLocator, NullLocator

    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_minor_locator(NullLocator())
    axis.set_major_formatter(number_formatter(lang))


def mde_chart(frame: pl.DataFrame, *, lang: str, synthetic: bool,
              observed: float | None = None) -> Figure:
    """``frame``: n_centres, years, mde (:func:`lcanalysis.indicators.design.simulated_mde`).
    A dashed line marks ``observed`` (the pilot's estimate) when given; an MDE that the
    grid never reached (null) is left out of its line."""
    _protected(frame, "mde_chart", ["n_centres", "years", "mde"])
    fig, ax = house_figure(lang=lang, synthetic=synthetic, title=label("title.mde_by_centres", lang),
                           height_in=CHROME_IN + 2.4)
    with house_style():
        handles = []
        for i, years in enumerate(sorted(frame["years"].unique())):
            line = frame.filter(pl.col("years") == years).drop_nulls("mde").sort("n_centres")
            handles += ax.plot(line["n_centres"], line["mde"], marker="o", color=CATEGORICAL[i],
                               label=label("legend.years_of_data", lang).format(years=years))
        if observed is not None:
            handles.append(ax.axhline(observed, color=TEXT_GREY, linestyle="--",
                                      label=label("legend.observed_effect", lang)))
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(number_formatter(lang))
        ax.yaxis.set_major_formatter(number_formatter(lang, 1))
        ax.set_xlabel(label("axis.n_centres", lang))
        ax.set_ylabel(label("axis.mde_per_10k", lang))
        ax.set_ylim(bottom=0)
        add_legend(ax, handles, ncols=len(handles))
    return fig


def students_needed_chart(frame: pl.DataFrame, *, lang: str, synthetic: bool,
                          observed_share: float | None = None) -> Figure:
    """``frame``: p_reference, gap_pp, students_per_route
    (:func:`lcanalysis.indicators.design.students_needed_table`); a vertical line marks
    the observed reference share when given. The frame is arithmetic on chosen shares,
    not data about people, so it needs no disclosure control (the observed share does:
    take it from a protected table)."""
    missing = [c for c in ("p_reference", "gap_pp", "students_per_route") if c not in frame.columns]
    if missing:
        raise ValueError(f"students_needed_chart: the frame has no column(s) {missing}")
    fig, ax = house_figure(lang=lang, synthetic=synthetic, title=label("title.students_needed", lang),
                           height_in=CHROME_IN + 2.4)
    with house_style():
        handles = []
        for i, gap in enumerate(sorted(frame["gap_pp"].unique())):
            line = frame.filter(pl.col("gap_pp") == gap).sort("p_reference")
            handles += ax.plot(100 * line["p_reference"], line["students_per_route"], marker="o",
                               color=CATEGORICAL[i],
                               label=label("legend.gap_pp", lang).format(gap=format_number(gap, lang, 0)))
        if observed_share is not None:
            handles.append(ax.axvline(100 * observed_share, color=TEXT_GREY, linestyle="--",
                                      label=label("legend.observed_share", lang)))
        ax.set_xlabel(label("axis.reference_share", lang))
        ax.set_ylabel(label("axis.students_per_route", lang))
        ax.set_yscale("log")
        _log_axis(ax.yaxis, lang)
        add_legend(ax, handles, ncols=len(handles))
    return fig


def cost_chart(frame: pl.DataFrame, *, lang: str, synthetic: bool) -> Figure:
    """``frame``: outcome, cost_per, cost_band (cost per outcome, e.g. from
    :func:`lcanalysis.indicators.cost.cost_per_outcome` and the cost per additional
    applicant). Rows without a cost (suppressed, or no outcome) are listed in the
    footnote rather than drawn."""
    from lcanalysis.plots.style import set_footer

    _protected(frame, "cost_chart", ["outcome", "cost_per", "cost_band"])
    drawn = frame.filter(pl.col("cost_per").is_not_null() & pl.col("cost_per").is_finite())
    left_out = frame.filter(~pl.col("outcome").is_in(drawn["outcome"].to_list()))
    fig, ax = house_figure(lang=lang, synthetic=synthetic, title=label("title.cost_per_outcome", lang),
                           height_in=CHROME_IN + ROW_IN * 2 * max(drawn.height, 1))
    colours = dict(zip(BANDS, SEQUENTIAL[1:], strict=True))
    with house_style():
        names = [category_label("outcome", o, lang) for o in drawn["outcome"]]
        ax.barh(names, drawn["cost_per"], color=[colours[b] for b in drawn["cost_band"]])
        for y, value in enumerate(drawn["cost_per"]):
            ax.text(value, y, " " + format_number(value, lang, 0), va="center", fontsize="small")
        ax.set_xscale("log")
        _log_axis(ax.xaxis, lang)
        ax.invert_yaxis()
        ax.set_xlabel(label("axis.cost_sek", lang))
        from matplotlib.patches import Patch

        shown = [b for b in BANDS if b in set(drawn["cost_band"])]
        add_legend(ax, [Patch(color=colours[b], label=category_label("cost_band", b, lang))
                        for b in shown], ncols=max(len(shown), 1))
    if left_out.height:
        set_footer(fig, [label("note.not_drawn", lang) + ": " + ", ".join(
            category_label("outcome", o, lang) for o in left_out["outcome"])])
    return fig
