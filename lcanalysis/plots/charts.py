"""The chart catalogue: one function per kind of figure in the report and on the poster.

Every function takes an indicator frame (polars, see the rate-frame convention in
docs/architecture.md), the language (``"sv"`` or ``"en"``) and whether the data are
synthetic, and returns a matplotlib Figure in the house style (:mod:`.style`):

- every estimate shows its n (``n = 1 234``) beside it, in a tick label or a footnote;
- a suppressed value is drawn as the word "dold" / "hidden" where the value would have
  been (a hatched segment in stacked bars), and the footnote gives the reasons in
  words ("för få personer i cellen"); it is never a zero, an empty bar, a gap or a
  reason code;
- a figure of synthetic data carries the "Syntetiska data" / "Synthetic data" mark;
- a chart draws only a frame that came out of disclosure control
  (:func:`lcanalysis.disclosure.is_protected`: ``nb.protect`` in a notebook), and
  refuses any other, so no figure shows counts the policy has not seen.

Rates are proportions (0-1) and are shown as per cent; differences and event-study
estimates in proportion units are shown as percentage points.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from lcanalysis.plots.labels import (
    category_label,
    format_n,
    format_number,
    format_percent,
    label,
    number_formatter,
    percent_formatter,
)
from lcanalysis.plots.style import (
    CATEGORICAL,
    DIVERGING_5,
    KTH_BLUE,
    NEUTRAL,
    ROUTE_COLOURS,
    SEQUENTIAL,
    TEXT_GREY,
    add_legend,
    house_figure,
    house_style,
    set_footer,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FUNNEL_STAGES = ("applied", "admitted", "registered", "passed_foundation_year", "entered_engineering")
FAGGIAN_TYPES = ("non_migrant", "late_migrant", "return_migrant", "university_stayer", "repeat_migrant")
ROW_IN = 0.24  # height of one bar or dot row, inches
CHROME_IN = 1.3  # title, legend, axis and footnote, inches


@dataclass
class _Notes:
    """Footnote material gathered while drawing: suppression reasons and extra lines."""

    lang: str
    reasons: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def hidden(self, row: Mapping) -> str:
        """The mark drawn for a suppressed value ("dold" / "hidden"); its reason goes to the footnote."""
        self.reason(row)
        return label("mark.suppressed", self.lang)

    def reason(self, row: Mapping) -> str:
        """The reason ``row`` is suppressed, in words, noted for the footnote."""
        reason = row.get("suppression_reason") or "secondary"
        if reason not in self.reasons:
            self.reasons.append(reason)
        return category_label("suppression_reason", reason, self.lang)

    def add(self, line: str) -> None:
        if line not in self.lines:
            self.lines.append(line)

    def footer(self) -> list[str]:
        out = list(self.lines)
        if self.reasons:
            reasons = "; ".join(category_label("suppression_reason", r, self.lang) for r in self.reasons)
            out.append(f"{label('note.suppressed', self.lang)}: {reasons}.")
        return out


def _require(frame: pl.DataFrame, columns: Sequence[str], chart: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{chart}: the frame lacks column(s) {', '.join(missing)}; it has {', '.join(frame.columns)}"
        )


class UnprotectedData(ValueError):
    """A chart was given a frame that has not been through disclosure control."""


def _require_protected(frame: pl.DataFrame, chart: str) -> None:
    from lcanalysis.disclosure import is_protected

    if not is_protected(frame):
        raise UnprotectedData(
            f"{chart}: the frame has not been through disclosure control; draw "
            "nb.protect(frame, name=..., keys=[...]) (or disclosure.apply_policy's result), "
            "not the indicator frame itself"
        )


def _is_suppressed(row: Mapping) -> bool:
    return bool(row.get("suppressed"))


def _levels(frame: pl.DataFrame, column: str, order: Sequence | None = None) -> list:
    present = frame.get_column(column).unique(maintain_order=True).to_list()
    if order is None:
        return present
    return [v for v in order if v in present] + [v for v in present if v not in order]


def _colour(domain: str, value: object, index: int) -> str:
    if domain == "route" and value in ROUTE_COLOURS:
        return ROUTE_COLOURS[value]
    return CATEGORICAL[index % len(CATEGORICAL)]


def _text_colour(hex_colour: str) -> str:
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(hex_colour)
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5 else "black"


def _wrapped(text: str, width: int = 24) -> str:
    """A long category label broken over lines, so that a column-width figure keeps its plot."""
    import textwrap

    return "\n".join(textwrap.fill(part, width) for part in text.split("\n"))


def _row_axis(ax: Axes, labels: list[str]) -> None:
    ax.set_yticks(range(len(labels)), [_wrapped(t) for t in labels])
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)


def _code_text(ax: Axes, x_axes: float, y: float, text: str, **kw) -> None:
    from matplotlib.transforms import blended_transform_factory

    ax.text(
        x_axes, y, text, transform=blended_transform_factory(ax.transAxes, ax.transData),
        va="center", fontsize=6.5, color=TEXT_GREY, style="italic", **kw,
    )


def _legend_above(ax: Axes, handles: list, ncols: int) -> None:
    from matplotlib.transforms import blended_transform_factory

    if handles:  # aligned with the title at the figure's left edge, just above the axes
        transform = blended_transform_factory(ax.get_figure(root=True).transFigure, ax.transAxes)
        add_legend(ax, handles, ncols, loc="lower left", bbox_to_anchor=(0.01, 1.01),
                   bbox_transform=transform, borderaxespad=0)


# ---------------------------------------------------------------- panel drawers


def _draw_gap(ax: Axes, frame: pl.DataFrame, notes: _Notes, *, characteristic: str,
              route: str = "route", benchmark: Mapping[object, float] | None = None,
              xlabel: str | None = None) -> list:
    from matplotlib.lines import Line2D

    _require(frame, [characteristic, route, "rate", "ci_low", "ci_high", "denominator"], "gap_chart")
    lang = notes.lang
    levels = _levels(frame, characteristic)
    routes = _levels(frame, route)
    step = 0.6 / max(len(routes), 1)
    offsets = {r: (j - (len(routes) - 1) / 2) * step for j, r in enumerate(routes)}
    highs = [v for v in frame.get_column("ci_high").to_list() if v is not None]
    highs += list((benchmark or {}).values())
    xmax = min(1.0, (int(max(highs, default=0.5) * 10) + 1) / 10)
    for row in frame.iter_rows(named=True):
        i = levels.index(row[characteristic])
        y = i + offsets[row[route]]
        colour = _colour("route", row[route], routes.index(row[route]))
        n = row.get("denominator")
        n_text = format_n(n, lang) if n is not None else ""
        if _is_suppressed(row) or row["rate"] is None:
            value_text = notes.hidden(row)
            _code_text(ax, 0.01, y, value_text, ha="left")
        else:
            ax.hlines(y, row["ci_low"], row["ci_high"], color=colour, lw=1.2)
            ax.plot(row["rate"], y, "o", color=colour, ms=4.5, zorder=3)
            value_text = format_percent(row["rate"], lang, 0)
        _code_text(ax, 1.02, y, f"{value_text}  {n_text}".strip(), ha="left")
    handles = [
        Line2D([], [], color=_colour("route", r, j), marker="o", ms=4.5, lw=1.2,
               label=category_label(route, r, lang))
        for j, r in enumerate(routes)
    ]
    for lvl, value in (benchmark or {}).items():
        if lvl in levels:
            ax.plot(value, levels.index(lvl), marker="|", ms=14, mew=1.5, color="black", zorder=4)
    if benchmark:
        handles.append(Line2D([], [], color="black", marker="|", ms=9, mew=1.5, lw=0,
                              label=label("legend.benchmark", lang)))
    _row_axis(ax, [category_label(characteristic, v, lang) for v in levels])
    ax.set_xlim(0, xmax)
    ax.xaxis.set_major_formatter(percent_formatter(lang))
    ax.grid(axis="x")
    ax.set_xlabel(xlabel or label("axis.rate", lang))
    notes.add(label("note.ci", lang))
    return handles


def _draw_funnel(ax: Axes, frame: pl.DataFrame, notes: _Notes, *, stage: str = "stage",
                 route: str = "route") -> list:
    from matplotlib.patches import Patch

    _require(frame, [stage, route, "numerator", "denominator", "rate"], "funnel_chart")
    lang = notes.lang
    stages = _levels(frame, stage, FUNNEL_STAGES)
    routes = _levels(frame, route)
    height = 0.8 / len(routes)
    handles = []
    for j, r in enumerate(routes):
        part = frame.filter(pl.col(route) == r)
        colour = _colour("route", r, j)
        n = part.get_column("denominator").drop_nulls().max()
        handles.append(Patch(color=colour, label=f"{category_label(route, r, lang)} ({format_n(n, lang)})"))
        for row in part.iter_rows(named=True):
            y = stages.index(row[stage]) + (j - (len(routes) - 1) / 2) * height
            if _is_suppressed(row) or row["rate"] is None:
                _code_text(ax, 0.01, y, notes.hidden(row), ha="left")
                continue
            ax.barh(y, row["rate"], height=height * 0.9, color=colour)
            ax.text(row["rate"] + 0.01, y, f"{format_number(row['numerator'], lang)} "
                    f"({format_percent(row['rate'], lang)})", va="center", fontsize=6.5,
                    color=TEXT_GREY)
    _row_axis(ax, [category_label("funnel_stage", s, lang) for s in stages])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(percent_formatter(lang))
    ax.grid(axis="x")
    ax.set_xlabel(label("axis.share_of_applicants", lang))
    return handles


def _draw_shares(ax: Axes, frame: pl.DataFrame, notes: _Notes, *, group: str, category: str,
                 order: Sequence | None, colours: Callable[[list], list[str]],
                 reference: str | None = None, xlabel_key: str = "axis.share") -> list:
    from matplotlib.patches import Patch

    _require(frame, [group, category, "rate", "denominator"], "share chart")
    lang = notes.lang
    groups = _levels(frame, group)
    if reference is not None and reference in groups:
        groups = [g for g in groups if g != reference] + [reference]
    cats = _levels(frame, category, order)
    palette = dict(zip(cats, colours(cats), strict=True))
    ticks = []
    for i, g in enumerate(groups):
        part = frame.filter(pl.col(group) == g)
        n = part.get_column("denominator").drop_nulls().max()
        ticks.append(f"{category_label(group, g, lang)}\n{format_n(n, lang) if n is not None else ''}")
        left = 0.0
        hidden = []
        rows = {row[category]: row for row in part.iter_rows(named=True)}
        for c in cats:
            row = rows.get(c)
            if row is None:
                continue
            if _is_suppressed(row) or row["rate"] is None:
                hidden.append(notes.hidden(row))
                continue
            ax.barh(i, row["rate"], left=left, height=0.7, color=palette[c], edgecolor="white", lw=0.5)
            if row["rate"] >= 0.08:
                ax.text(left + row["rate"] / 2, i, format_percent(row["rate"], lang), ha="center",
                        va="center", fontsize=6.5, color=_text_colour(palette[c]))
            left += row["rate"]
        if hidden:
            rest = max(1.0 - left, 0.0)
            ax.barh(i, rest, left=left, height=0.7, color="white", edgecolor=NEUTRAL, hatch="////",
                    lw=0.5)
            ax.text(left + rest / 2 if rest > 0.2 else 1.01, i, hidden[0],
                    ha="center" if rest > 0.2 else "left", va="center", fontsize=6.5,
                    color=TEXT_GREY, style="italic",
                    bbox={"fc": "white", "ec": "none", "pad": 0.5})
    _row_axis(ax, ticks)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(percent_formatter(lang))
    ax.set_xlabel(label(xlabel_key, lang))
    handles = [Patch(color=palette[c], label=category_label(category, c, lang)) for c in cats]
    if notes.reasons:
        handles.append(Patch(fc="white", ec=NEUTRAL, hatch="////", label=label("legend.suppressed", lang)))
    return handles


def _sequential(cats: list) -> list[str]:
    from matplotlib.colors import LinearSegmentedColormap, to_hex

    known = [c for c in cats if c != "unknown"]
    ramp = LinearSegmentedColormap.from_list("lc_seq", SEQUENTIAL)
    k = len(known)
    shades = {c: to_hex(ramp(0.15 + 0.85 * i / max(k - 1, 1))) for i, c in enumerate(known)}
    return [shades.get(c, NEUTRAL) for c in cats]


def _categorical(cats: list) -> list[str]:
    return [CATEGORICAL[i % len(CATEGORICAL)] for i in range(len(cats))]


def _draw_survival(ax: Axes, frame: pl.DataFrame, notes: _Notes, *, group: str = "group",
                   xlabel: str | None = None) -> list:
    from matplotlib.lines import Line2D

    _require(frame, [group, "time", "survival", "ci_low", "ci_high", "at_risk"], "survival_chart")
    lang = notes.lang
    handles = []
    if frame.is_empty():
        # No event yet (e.g. nobody has reached the transition): say so, not a blank plot.
        ax.text(0.5, 0.5, label("note.no_events", lang), transform=ax.transAxes, ha="center",
                va="center", color=TEXT_GREY, style="italic")
    for j, g in enumerate(_levels(frame, group)):
        part = frame.filter(pl.col(group) == g).sort("time")
        colour = _colour(group if group == "route" else "", g, j)
        if "suppressed" in part.columns:
            shown = part.filter(~pl.col("suppressed").fill_null(False))
            hidden = part.filter(pl.col("suppressed").fill_null(False))
        else:
            shown, hidden = part, part.clear()
        # Every curve starts at 100 % at time 0 (the Kaplan-Meier estimate before the
        # first event), so a curve with a single event time is still drawn as a step.
        # The last level is drawn on for one term, so a drop at the last event time shows.
        times = shown.get_column("time").to_list()
        t = [0.0, *times, (times[-1] + 1) if times else 1.0]
        level = [1.0, *shown.get_column("survival").to_list()]
        ax.step(t, [*level, level[-1]], where="post", color=colour)
        low = [1.0, *shown.get_column("ci_low").fill_null(float("nan")).to_list()]
        high = [1.0, *shown.get_column("ci_high").fill_null(float("nan")).to_list()]
        low, high = [*low, low[-1]], [*high, high[-1]]
        ax.fill_between(t, low, high, step="post", color=colour, alpha=0.18, lw=0)
        if hidden.height and shown.height:
            ax.text(t[-2], shown.get_column("survival")[-1], f" {notes.hidden(hidden.row(0, named=True))}",
                    fontsize=6.5, color=colour, style="italic", va="bottom")
        n0 = part.get_column("at_risk")[0]
        n_text = f" ({format_n(n0, lang)})" if n0 is not None else ""
        handles.append(Line2D([], [], color=colour, label=f"{category_label(group, g, lang)}{n_text}"))
    from matplotlib.ticker import MaxNLocator

    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(percent_formatter(lang))
    ax.grid(axis="y")
    ax.set_xlabel(xlabel or label("axis.terms_since_start", lang))
    ax.set_ylabel(label("axis.survival", lang))
    notes.add(label("note.ci_bands", lang))
    return handles


def _draw_event_study(ax: Axes, frame: pl.DataFrame, notes: _Notes, *, n: int | None = None,
                      treatment_start: float = -0.5, percentage_points: bool = True,
                      ylabel: str | None = None) -> list:
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    _require(frame, ["event_time", "estimate", "ci_low", "ci_high"], "event_study_chart")
    lang = notes.lang
    if n is None and "n" not in frame.columns:
        raise ValueError("event_study_chart: give n= (units in the panel) or an 'n' column per event time")
    ax.axhline(0, color=TEXT_GREY, lw=0.7)
    ax.axvline(treatment_start, color=TEXT_GREY, lw=0.8, ls="--")
    for row in frame.sort("event_time").iter_rows(named=True):
        x = row["event_time"]
        is_ref = bool(row.get("reference")) or (row["estimate"] == 0 and row["ci_low"] is None)
        if _is_suppressed(row):
            ax.text(x, 0, notes.hidden(row), rotation=90, ha="center", va="bottom", fontsize=6,
                    color=TEXT_GREY, style="italic")
        elif is_ref:
            ax.plot(x, 0, "o", mfc="white", mec=KTH_BLUE, ms=5, zorder=3)
        else:
            ax.vlines(x, row["ci_low"], row["ci_high"], color=KTH_BLUE, lw=1.2)
            ax.plot(x, row["estimate"], "o", color=KTH_BLUE, ms=4.5, zorder=3)
        if row.get("n") is not None:
            ax.annotate(format_number(row["n"], lang), (x, 0), xycoords=("data", "axes fraction"),
                        xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                        fontsize=5.5, color=TEXT_GREY)
    ax.set_xticks(sorted(frame.get_column("event_time").unique().to_list()))
    ax.xaxis.set_major_formatter(number_formatter(lang))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    if percentage_points:
        ax.yaxis.set_major_formatter(number_formatter(lang, 0, scale=100))
        ax.set_ylabel(label("axis.effect_pp", lang))
    else:
        ax.yaxis.set_major_formatter(number_formatter(lang, 1))
        ax.set_ylabel(ylabel or label("axis.estimate", lang))
    ax.grid(axis="y")
    ax.set_xlabel(label("axis.event_time", lang))
    if n is not None:
        notes.add(f"{label('note.n_treated_units', lang)}: {format_n(n, lang)}.")
    else:
        notes.add(label("note.n_per_event_time", lang))
    return [
        Line2D([], [], color=KTH_BLUE, marker="o", ms=4.5, label=label("legend.estimate", lang)),
        Line2D([], [], lw=0, marker="o", mfc="white", mec=KTH_BLUE, ms=5,
               label=label("legend.reference_period", lang)),
        Line2D([], [], color=TEXT_GREY, ls="--", lw=0.8, label=label("legend.treatment_start", lang)),
    ]


def _draw_likert(ax: Axes, frame: pl.DataFrame, notes: _Notes, *, item: str = "item",
                 group: str | None = "group", value: str = "value",
                 item_labels: Mapping[str, str] | None = None) -> list:
    from matplotlib.patches import Patch

    _require(frame, [item, value], "likert_chart")
    if "count" not in frame.columns and not {"share", "n"} <= set(frame.columns):
        raise ValueError("likert_chart: the frame needs 'count', or 'share' with 'n'")
    lang = notes.lang
    keys = [item] + ([group] if group and group in frame.columns else [])
    bars = frame.select(keys).unique(maintain_order=True).iter_rows()
    ticks = []
    for i, key in enumerate(bars):
        part = frame.filter(pl.all_horizontal(pl.col(k) == v for k, v in zip(keys, key, strict=True)))
        name = (item_labels or {}).get(key[0], category_label(item, key[0], lang))
        if len(key) > 1:
            name = f"{name} · {category_label(group, key[1], lang)}"
        rows = list(part.iter_rows(named=True))
        suppressed = [r for r in rows if _is_suppressed(r)]
        if "count" in part.columns:
            n = None if suppressed else sum(r["count"] or 0 for r in rows)
            shares = {} if suppressed else {r[value]: (r["count"] or 0) / n for r in rows if n}
        else:
            n = next((r["n"] for r in rows if r["n"] is not None), None)
            shares = {} if suppressed else {r[value]: r["share"] or 0.0 for r in rows}
        ticks.append(f"{name}\n{format_n(n, lang)}" if n is not None else name)
        if suppressed:
            _code_text(ax, 0.5, i, notes.hidden(suppressed[0]), ha="center")
            continue
        left = -(shares.get(1, 0) + shares.get(2, 0) + shares.get(3, 0) / 2)
        for level in range(1, 6):
            width = shares.get(level, 0.0)
            colour = DIVERGING_5[level - 1]
            ax.barh(i, width, left=left, height=0.7, color=colour, edgecolor="white", lw=0.5)
            if width >= 0.09:
                ax.text(left + width / 2, i, format_percent(width, lang), ha="center", va="center",
                        fontsize=6, color=_text_colour(colour))
            left += width
    _row_axis(ax, ticks)
    ax.axvline(0, color=TEXT_GREY, lw=0.6)
    ax.set_xlim(-1, 1)
    ax.xaxis.set_major_formatter(percent_formatter(lang, absolute=True))
    ax.grid(axis="x")
    ax.set_xlabel(label("axis.share_of_responses", lang))
    return [Patch(color=DIVERGING_5[k - 1], label=label(f"likert.{k}", lang)) for k in range(1, 6)]


def _draw_ranking(ax: Axes, frame: pl.DataFrame, notes: _Notes, *, label_col: str = "label",
                  percent: bool = True, xlabel: str | None = None) -> list:
    _require(frame, [label_col, "estimate", "ci_low", "ci_high"], "ranking_chart")
    n_col = next((c for c in ("n", "denominator") if c in frame.columns), None)
    if n_col is None:
        raise ValueError("ranking_chart: the frame needs an 'n' or 'denominator' column")
    lang = notes.lang
    ordered = frame.sort("estimate", descending=True, nulls_last=True)
    ticks = []
    for i, row in enumerate(ordered.iter_rows(named=True)):
        n = row[n_col]
        ticks.append(f"{category_label(label_col, row[label_col], lang)} ({format_n(n, lang)})"
                     if n is not None else category_label(label_col, row[label_col], lang))
        if _is_suppressed(row) or row["estimate"] is None:
            _code_text(ax, 0.01, i, notes.hidden(row), ha="left")
            continue
        ax.hlines(i, row["ci_low"], row["ci_high"], color=KTH_BLUE, lw=1.2)
        ax.plot(row["estimate"], i, "o", color=KTH_BLUE, ms=4.5, zorder=3)
    _row_axis(ax, ticks)
    ax.grid(axis="x")
    if percent:
        ax.xaxis.set_major_formatter(percent_formatter(lang))
        ax.set_xlabel(xlabel or label("axis.rate", lang))
    else:
        ax.xaxis.set_major_formatter(number_formatter(lang, 1))
        ax.set_xlabel(xlabel or label("axis.estimate", lang))
    notes.add(label("note.ci", lang))
    return []


# ---------------------------------------------------------------- public charts


def _single(draw: Callable, frame: pl.DataFrame, *, lang: str, synthetic: bool, title: str | None,
            rows: float, legend_cols: int, chart: str, **kwargs) -> Figure:
    _require_protected(frame, chart)
    fig, ax = house_figure(lang=lang, synthetic=synthetic, title=title,
                           height_in=CHROME_IN + ROW_IN * rows)
    notes = _Notes(lang)
    with house_style():
        handles = draw(ax, frame, notes, **kwargs)
        _legend_above(ax, handles, legend_cols)
    set_footer(fig, notes.footer())
    return fig


def gap_chart(frame: pl.DataFrame, *, characteristic: str, route: str = "route", lang: str = "sv",
              synthetic: bool, benchmark: Mapping[object, float] | None = None,
              title: str | None = None, xlabel: str | None = None) -> Figure:
    """Rates with 95 % intervals for each route, one row per level of a characteristic.

    Parameters
    ----------
    frame:
        Rate frame with ``characteristic`` and ``route`` columns (e.g. the share of
        first-generation students per programme level, learning centre vs campus).
        Each dot is a rate, each line its Wilson interval; the rate and n are
        written at the right edge.
    benchmark:
        Optional reference values per characteristic level (e.g. the national rate
        from UKÄ), drawn as black ticks.
    """
    rows = frame.get_column(characteristic).n_unique() * max(frame.get_column(route).n_unique(), 1)
    return _single(_draw_gap, frame, chart="gap_chart",
                   lang=lang, synthetic=synthetic, rows=rows * 0.8,
                   title=label("title.gap", lang) if title is None else title, legend_cols=4,
                   characteristic=characteristic, route=route, benchmark=benchmark, xlabel=xlabel)


def composition_chart(frame: pl.DataFrame, *, category: str, group: str = "route",
                      reference: str | None = "reference", order: Sequence | None = None,
                      lang: str = "sv", synthetic: bool, title: str | None = None) -> Figure:
    """Composition of each route by an ordered category, with the reference population beside.

    ``frame`` is a rate frame with one row per ``group`` and ``category`` (rate =
    share of the group, denominator = group size), e.g. parental education of
    learning-centre students, campus students and the 25-64 population of the
    municipalities served (``group == reference``, drawn last). Segments are 100 %
    stacked bars in a sequential palette (``unknown`` in grey); suppressed
    categories are pooled into one hatched segment marked hidden.
    """
    return _single(_draw_shares, frame, chart="composition_chart",
                   lang=lang, synthetic=synthetic,
                   rows=frame.get_column(group).n_unique() * 1.8 + 2,
                   title=label("title.composition", lang) if title is None else title,
                   legend_cols=2, group=group, category=category, order=order,
                   colours=_sequential, reference=reference)


def typology_chart(frame: pl.DataFrame, *, route: str = "route", typology: str = "faggian_type",
                   lang: str = "sv", synthetic: bool, title: str | None = None) -> Figure:
    """Shares of the Faggian-McCann-Sheppard migration types per route, as stacked bars.

    ``frame``: rate frame with ``route`` and ``typology`` columns (rate = share of
    the route's graduates of each type, denominator = graduates followed up).
    """
    return _single(_draw_shares, frame, chart="typology_chart",
                   lang=lang, synthetic=synthetic,
                   rows=frame.get_column(route).n_unique() * 1.8 + 2,
                   title=label("title.typology", lang) if title is None else title,
                   legend_cols=3, group=route, category=typology, order=FAGGIAN_TYPES,
                   colours=_categorical)


def funnel_chart(frame: pl.DataFrame, *, stage: str = "stage", route: str = "route",
                 lang: str = "sv", synthetic: bool, title: str | None = None) -> Figure:
    """From application to an engineering programme, per route.

    ``frame``: rate frame with one row per ``stage`` (applied, admitted, registered,
    passed_foundation_year, entered_engineering) and ``route``; numerator = people
    who reached the stage, denominator = applicants of the route, rate = their
    share. Each bar is labelled with the count and the share; the legend gives n.
    """
    rows = frame.get_column(stage).n_unique() * max(frame.get_column(route).n_unique(), 1)
    return _single(_draw_funnel, frame, chart="funnel_chart",
                   lang=lang, synthetic=synthetic, rows=rows * 0.8,
                   title=label("title.funnel", lang) if title is None else title,
                   legend_cols=2, stage=stage, route=route)


def survival_chart(frame: pl.DataFrame, *, group: str = "group", lang: str = "sv",
                   synthetic: bool, title: str | None = None, xlabel: str | None = None) -> Figure:
    """Kaplan-Meier style step curves (share still studying) with 95 % bands.

    ``frame``: survival frame (group, time, survival, ci_low, ci_high, at_risk and
    optionally suppressed/suppression_reason). The legend gives n at risk at the
    first time; a curve stops at its first suppressed time marked hidden.
    """
    return _single(_draw_survival, frame, chart="survival_chart",
                   lang=lang, synthetic=synthetic, rows=8,
                   title=label("title.survival", lang) if title is None else title,
                   legend_cols=3, group=group, xlabel=xlabel)


def event_study_chart(frame: pl.DataFrame, *, n: int | None = None, lang: str = "sv",
                      synthetic: bool, treatment_start: float = -0.5,
                      percentage_points: bool = True, title: str | None = None,
                      ylabel: str | None = None) -> Figure:
    """Estimated effect of a learning centre by term relative to its start (event study).

    ``frame``: event_time, estimate, ci_low, ci_high (proportion units unless
    ``percentage_points=False``); the reference period (flag ``reference`` or
    estimate 0 with a null interval) is a hollow dot. A dashed line marks the
    start (between event time -1 and 0 by default). ``n`` is the number of units
    in the panel; alternatively an ``n`` column gives it per event time. ``ylabel``
    names the outcome's unit when it is not percentage points (e.g. applicants per
    10,000 residents).
    """
    return _single(_draw_event_study, frame, chart="event_study_chart",
                   lang=lang, synthetic=synthetic, rows=8,
                   title=label("title.event_study", lang) if title is None else title,
                   legend_cols=3, n=n, treatment_start=treatment_start,
                   percentage_points=percentage_points, ylabel=ylabel)


def likert_chart(frame: pl.DataFrame, *, item: str = "item", group: str | None = "group",
                 value: str = "value", item_labels: Mapping[str, str] | None = None,
                 lang: str = "sv", synthetic: bool, title: str | None = None) -> Figure:
    """Diverging stacked bars of 1-5 survey answers, centred on the neutral answer.

    ``frame``: one row per item, group and value with ``count`` (or ``share`` and
    ``n``). Disagreement extends left, agreement right; n per bar is in its label.
    A bar with any suppressed level is replaced by the mark hidden.
    """
    keys = [item] + ([group] if group and group in frame.columns else [])
    bars = frame.select(keys).unique().height
    return _single(_draw_likert, frame, chart="likert_chart",
                   lang=lang, synthetic=synthetic, rows=bars * 1.6 + 1,
                   title=label("title.likert", lang) if title is None else title, legend_cols=3,
                   item=item, group=group, value=value, item_labels=item_labels)


def ranking_chart(frame: pl.DataFrame, *, label_col: str = "label", percent: bool = True,
                  lang: str = "sv", synthetic: bool, title: str | None = None,
                  xlabel: str | None = None) -> Figure:
    """Dot plot of estimates with 95 % intervals, sorted from highest to lowest.

    ``frame``: label, estimate, ci_low, ci_high and ``n`` or ``denominator``;
    suppressed rows are listed last marked hidden. Overlapping
    intervals mean the order is not certain: say so in the text.
    """
    return _single(_draw_ranking, frame, chart="ranking_chart",
                   lang=lang, synthetic=synthetic, rows=frame.height,
                   title=label("title.ranking", lang) if title is None else title, legend_cols=1,
                   label_col=label_col, percent=percent, xlabel=xlabel)


def flow_chart(frame: pl.DataFrame, *, stages: Sequence[str] = ("home_region", "study_region",
               "work_region"), lang: str = "sv", synthetic: bool,
               stage_labels: Sequence[str] | None = None, title: str | None = None) -> Figure:
    """Alluvial diagram: home region -> place of study -> place of work.

    ``frame``: one row per path with the ``stages`` columns, ``count`` and
    ``suppressed`` (a from/to frame works with ``stages=("from", "to")``). Band
    widths are proportional to counts and coloured by the first stage; each node
    shows its n. Suppressed paths are not drawn and their regions are listed in
    the footnote with the reason in words, never their count.
    """
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path as MplPath

    _require_protected(frame, "flow_chart")
    _require(frame, [*stages, "count"], "flow_chart")
    if stage_labels is None:
        default = {"home_region": "flow.home", "study_region": "flow.study", "work_region": "flow.work"}
        stage_labels = [label(default[s], lang) if s in default else s for s in stages]
    suppressed_mask = (pl.col("suppressed").fill_null(False) if "suppressed" in frame.columns
                       else pl.lit(False)) | pl.col("count").is_null()
    shown = frame.filter(~suppressed_mask)
    hidden = frame.filter(suppressed_mask)
    total = shown.get_column("count").sum() or 0
    nodes = []
    for s in stages:
        sizes = shown.group_by(s).agg(pl.col("count").sum()).sort(["count", s], descending=[True, False])
        nodes.append(dict(sizes.iter_rows()))
    gap = 0.03 * total
    height = total + gap * max(len(n) for n in nodes)
    fig, ax = house_figure(lang=lang, synthetic=synthetic,
                           title=label("title.flow", lang) if title is None else title,
                           height_in=CHROME_IN + 2.6)
    notes = _Notes(lang)
    width = 0.05
    pos: list[dict] = []
    home_colour = {h: CATEGORICAL[i % len(CATEGORICAL)] for i, h in enumerate(nodes[0])}
    with house_style():
        for k, sizes in enumerate(nodes):
            y = height
            pos.append({})
            for name, size in sizes.items():
                pos[k][name] = y
                colour = home_colour[name] if k == 0 else TEXT_GREY
                ax.add_patch(Rectangle((k - width / 2, y - size), width, size, color=colour, lw=0))
                text = f"{category_label(stages[k], name, lang)} ({format_n(size, lang)})"
                if k == 0:
                    ax.text(k - width, y - size / 2, text, ha="right", va="center", fontsize=6.5)
                elif k == len(nodes) - 1:
                    ax.text(k + width, y - size / 2, text, ha="left", va="center", fontsize=6.5)
                else:
                    ax.text(k, y - size / 2, text, ha="center", va="center", fontsize=6.5,
                            bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1}, zorder=5)
                y -= size + gap
            ax.text(k, height + gap, stage_labels[k], ha="center", va="bottom", fontweight="bold",
                    fontsize=7)
        for k in range(len(stages) - 1):
            a, b = stages[k], stages[k + 1]
            out_rows = sorted(shown.iter_rows(named=True),
                              key=lambda r, a=a, b=b, k=k: (list(nodes[k + 1]).index(r[b]),
                                                            list(nodes[0]).index(r[stages[0]])))
            in_order = sorted(out_rows, key=lambda r, a=a, k=k: (list(nodes[k]).index(r[a]),
                                                                  list(nodes[0]).index(r[stages[0]])))
            out_y = dict(pos[k])
            in_y = dict(pos[k + 1])
            start = {}
            for r in in_order:
                start[id(r)] = out_y[r[a]]
                out_y[r[a]] -= r["count"]
            for r in out_rows:
                y0, y1 = start[id(r)], in_y[r[b]]
                in_y[r[b]] -= r["count"]
                c = r["count"]
                x0, x1, xm = k + width / 2, k + 1 - width / 2, k + 0.5
                verts = [(x0, y0), (xm, y0), (xm, y1), (x1, y1), (x1, y1 - c),
                         (xm, y1 - c), (xm, y0 - c), (x0, y0 - c), (x0, y0)]
                codes = [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4,
                         MplPath.LINETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4,
                         MplPath.CLOSEPOLY]
                ax.add_patch(PathPatch(MplPath(verts, codes), fc=home_colour[r[stages[0]]],
                                       alpha=0.45, lw=0))
        ax.set_xlim(-0.75, len(stages) - 0.25)
        ax.set_ylim(-gap, height + 3 * gap)
        ax.axis("off")
    notes.add(f"{label('note.n_total', lang)}: {format_n(total, lang)}.")
    if hidden.height:
        listed = "; ".join(
            " → ".join(category_label(s, r[s], lang) for s in stages) + f" ({notes.reason(r)})"
            for r in hidden.iter_rows(named=True)
        )
        notes.add(f"{label('note.suppressed_flows', lang)}: {listed}.")
    set_footer(fig, notes.footer())
    return fig


_PANELS: dict[str, tuple[Callable, bool, int]] = {
    # kind: (drawer, share the y axis, legend columns)
    "gap": (_draw_gap, True, 4),
    "funnel": (_draw_funnel, True, 2),
    "survival": (_draw_survival, True, 3),
    "event_study": (_draw_event_study, True, 3),
    "likert": (_draw_likert, True, 3),
    "ranking": (_draw_ranking, False, 1),
    "typology": (_draw_shares, True, 3),
    "composition": (_draw_shares, True, 2),
}


def small_multiples(frame: pl.DataFrame, *, by: str = "learning_centre_id", kind: str,
                    lang: str = "sv", synthetic: bool, ncols: int = 2,
                    panel_labels: Mapping[object, str] | None = None, title: str | None = None,
                    **chart_kwargs) -> Figure:
    """One panel per learning centre (or any ``by`` value), all of one ``kind``, shared axes.

    ``kind`` is one of gap, funnel, survival, event_study, likert, ranking,
    typology, composition; ``chart_kwargs`` are that chart's arguments
    (e.g. ``characteristic=`` for gap). Panel titles are ``panel_labels[value]``
    or the value itself (e.g. the learning centre's name from
    config/learning_centres.yaml). One legend serves all panels.
    """
    if kind not in _PANELS:
        raise ValueError(f"small_multiples: unknown kind {kind!r}; use one of {', '.join(_PANELS)}")
    _require_protected(frame, "small_multiples")
    _require(frame, [by], "small_multiples")
    draw, sharey, legend_cols = _PANELS[kind]
    if kind == "typology":
        chart_kwargs = {"group": chart_kwargs.pop("route", "route"),
                        "category": chart_kwargs.pop("typology", "faggian_type"),
                        "order": FAGGIAN_TYPES, "colours": _categorical, **chart_kwargs}
    elif kind == "composition":
        chart_kwargs = {"group": "route", "reference": "reference", "order": None,
                        "colours": _sequential, **chart_kwargs}
    panels = _levels(frame, by)
    nrows = -(-len(panels) // ncols)
    per_panel = max(frame.filter(pl.col(by) == p).height for p in panels)
    row_height = ROW_IN * (per_panel * (0.8 if kind in ("gap", "funnel", "ranking") else 0.6)) + 0.9
    fig, axes = house_figure(lang=lang, synthetic=synthetic, title=title, nrows=nrows, ncols=ncols,
                             height_in=CHROME_IN + row_height * nrows, sharex=True,
                             sharey=sharey, squeeze=False)
    notes = _Notes(lang)
    handles: list = []
    with house_style():
        for idx, ax in enumerate(axes.flat):
            if idx >= len(panels):
                ax.set_visible(False)
                continue
            value = panels[idx]
            part = frame.filter(pl.col(by) == value)
            handles = draw(ax, part, notes, **chart_kwargs) or handles
            ax.set_title((panel_labels or {}).get(value, category_label(by, value, lang)),
                         fontsize=7.5)
            if idx % ncols:
                ax.set_ylabel("")
            if idx < len(panels) - ncols:
                ax.set_xlabel("")
            else:  # the bottom panel of its column: show the shared x axis
                ax.xaxis.set_tick_params(labelbottom=True)
        if handles:
            add_legend(fig, handles, legend_cols, loc="upper left", borderaxespad=0)
    set_footer(fig, notes.footer())
    return fig
