"""Every chart: both languages, the synthetic mark, suppressed codes, n, files, pixels."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from lcanalysis.disclosure import mark_protected
from lcanalysis.plots import charts
from lcanalysis.plots.labels import NBSP, label

BASELINE = Path(__file__).parent / "baseline"

# chart, frame fixture, keyword arguments, (sv text, en text), the suppression reason, an n shown
CASES = {
    "gap": (charts.gap_chart, "gap_frame", {"characteristic": "programme_level",
            "benchmark": {"bachelor_eng": 0.35}}, ("Tekniskt basår", "Foundation year"),
            "small_count", "n = 1 234"),
    "funnel": (charts.funnel_chart, "funnel_frame", {}, ("Klarade basåret", "Passed the foundation year"),
               "small_count", "Campus (n = 1 500)"),
    "composition": (charts.composition_chart, "composition_frame", {"category": "parental_education"},
                    ("Referensbefolkning", "Reference population"), "small_count", "n = 45 000"),
    "typology": (charts.typology_chart, "typology_frame", {}, ("Återflyttare", "Return migrant"),
                 "secondary", "n = 900"),
    "survival": (charts.survival_chart, "survival_frame", {"group": "route"},
                 ("Andel kvar", "Share remaining"), "small_population", "Campus (n = 900)"),
    "event_study": (charts.event_study_chart, "event_frame", {"n": 1234},
                    ("Referensperiod", "Reference period"), "small_population", "n = 1 234"),
    "likert": (charts.likert_chart, "likert_frame", {"group": "route"},
               ("Instämmer helt", "Strongly agree"), "small_count", "n = 37"),
    "ranking": (charts.ranking_chart, "ranking_frame", {}, ("Andel", "Rate"),
                "small_denominator", "Hudiksvall (n = 48)"),
    "flow": (charts.flow_chart, "flow_frame", {}, ("Arbetsort", "Place of work"), "small_count",
             "Stockholm (n = 45)"),
}


def texts(fig) -> str:
    """Every visible text of a drawn figure, joined; NBSP read as a space."""
    from matplotlib.text import Text

    fig.canvas.draw()
    shown = (t.get_text().replace("\n", " ") for t in fig.findobj(Text) if t.get_visible())
    return "\n".join(shown).replace(NBSP, " ")


def draw(kind: str, request: pytest.FixtureRequest, lang: str, synthetic: bool = True):
    func, fixture, kwargs, *_ = CASES[kind]
    return func(request.getfixturevalue(fixture), lang=lang, synthetic=synthetic, **kwargs)


@pytest.mark.parametrize("kind", CASES)
def test_chart_labels_marks_suppression_in_words_and_n(kind, request):
    *_, (sv, en), reason, n_text = CASES[kind]
    sv_text = texts(draw(kind, request, "sv"))
    en_text = texts(draw(kind, request, "en"))
    assert sv in sv_text and sv not in en_text
    assert en in en_text and en not in sv_text
    assert "SYNTETISKA DATA" in sv_text and "SYNTHETIC DATA" in en_text
    # A suppressed value: the mark in the chart and its reason in words in the
    # footnote, in the chart's language; never the reason code.
    for lang, shown in (("sv", sv_text), ("en", en_text)):
        assert label("suppression_reason." + reason, lang) in shown
        assert "[" not in shown and not re.search(r"\b[a-z]+_[a-z_]+\b", shown)
        if kind != "flow":  # a suppressed flow is not drawn: the footnote lists it
            assert re.search(rf"(?m)^ ?{label('mark.suppressed', lang)}$", shown), shown
    assert "Dold = visas inte (röjandekontroll)" in sv_text
    assert "Hidden = not shown (disclosure control)" in en_text
    assert n_text in sv_text


@pytest.mark.parametrize("kind", ["gap", "flow"])
def test_real_data_chart_has_no_synthetic_mark(kind, request):
    assert "SYNTETISKA" not in texts(draw(kind, request, "sv", synthetic=False))


# Every chart is drawn in both languages above; writing its three files takes 1-2 s a
# chart (PNG at 300 dpi, SVG, PDF with embedded fonts), so `make test-fast` writes the
# file set for one chart and `make test` for every chart.
@pytest.mark.parametrize("kind", [k if k == "gap" else pytest.param(k, marks=pytest.mark.slow)
                                  for k in CASES])
def test_chart_saves_png_svg_pdf(kind, request, tmp_path):
    from lcanalysis.plots.style import save_figure

    paths = save_figure(draw(kind, request, "sv"), kind, notebook="nb", figures_dir=tmp_path,
                        metadata={"run_id": "run-42", "source": "demo"})
    assert {p.suffix for p in paths.values()} == {".png", ".svg", ".pdf"}
    for path in paths.values():
        assert path.parent == tmp_path / "nb" and path.stat().st_size > 1000
    assert "SYNTETISKA DATA" in paths["svg"].read_text("utf-8")


def test_suppressed_value_is_not_drawn_as_zero(gap_frame):
    """The suppressed learning-centre bachelor cell has no dot, only its code."""
    fig = charts.gap_chart(gap_frame, characteristic="programme_level", lang="en", synthetic=False)
    ax = fig.axes[0]
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert len(dots) == 3
    assert all(line.get_xdata()[0] > 0 for line in dots)


def test_flow_chart_lists_suppressed_path_without_its_count(flow_frame):
    text = texts(charts.flow_chart(flow_frame, lang="en", synthetic=True))
    assert "Hudiksvall → Hudiksvall → Sundsvall (too few people in the cell)" in text
    assert "n = 115" in text  # 40 + 25 + 30 + 20: the suppressed path is not counted
    assert "Sundsvall (n" not in text  # a suppressed node is not drawn


def test_small_multiples_one_panel_per_centre(gap_frame):
    frame = mark_protected(pl.concat([gap_frame.with_columns(learning_centre_id=pl.lit(c))
                                      for c in ("norrtalje", "hudiksvall", "arvika")]))
    fig = charts.small_multiples(frame, kind="gap", characteristic="programme_level", lang="sv",
                                 synthetic=True, panel_labels={"norrtalje": "Lärcentrum Norrtälje"})
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3
    titles = [ax.get_title(loc="left") for ax in visible]
    assert titles == ["Lärcentrum Norrtälje", "hudiksvall", "arvika"]
    assert visible[0].get_xlim() == visible[2].get_xlim()
    assert "dold" in texts(fig).splitlines()


def test_unknown_category_code_names_key_and_language(gap_frame):
    frame = mark_protected(gap_frame.with_columns(route=pl.lit("by_boat")))
    with pytest.raises(KeyError, match=r"route\.by_boat.*'en'"):
        charts.gap_chart(frame, characteristic="programme_level", lang="en", synthetic=True)


def test_missing_column_is_a_clear_error(gap_frame):
    with pytest.raises(ValueError, match="lacks column.*ci_high"):
        charts.gap_chart(mark_protected(gap_frame.drop("ci_high")), characteristic="programme_level",
                         synthetic=True)


@pytest.mark.parametrize("kind", ["gap", "funnel", "event_study", "likert"])
def test_image_matches_baseline(kind, request, tmp_path, regen_baselines):
    from matplotlib.testing.compare import compare_images

    fig = draw(kind, request, "sv")
    expected = BASELINE / f"{kind}.png"
    if regen_baselines:
        BASELINE.mkdir(exist_ok=True)
        fig.savefig(expected, dpi=60)
        pytest.skip(f"baseline {expected.name} regenerated")
    assert expected.exists(), f"no baseline {expected}: run pytest tests/plots --regen-baselines"
    actual = tmp_path / f"{kind}.png"
    fig.savefig(actual, dpi=60)
    assert compare_images(str(expected), str(actual), tol=8) is None


def test_survival_chart_without_events_says_so():
    empty = mark_protected(pl.DataFrame(schema={"group": pl.Utf8, "time": pl.Float64, "survival": pl.Float64,
                                 "ci_low": pl.Float64, "ci_high": pl.Float64, "at_risk": pl.Int64}))
    for lang, text in (("sv", "Inga händelser observerade ännu"), ("en", "No events observed yet")):
        fig = charts.survival_chart(empty, lang=lang, synthetic=False)
        assert text in [t.get_text() for t in fig.axes[0].texts]
