"""Palette legibility under colour-vision deficiency, the house style, and save_figure."""

from __future__ import annotations

import itertools
import re

import numpy as np
import polars as pl
import pytest

from lcanalysis.disclosure import mark_protected
from lcanalysis.plots import style

CVD = ["deuteranomaly", "protanomaly", "tritanomaly"]


def cvd_distance(a: str, b: str, cvd_type: str | None) -> float:
    from colorspacious import cspace_convert, deltaE
    from matplotlib.colors import to_rgb

    def seen(c):
        rgb = np.array(to_rgb(c))
        if cvd_type is None:
            return rgb
        sim = {"name": "sRGB1+CVD", "cvd_type": cvd_type, "severity": 100}
        return np.clip(cspace_convert(rgb, sim, "sRGB1"), 0, 1)

    return float(deltaE(seen(a), seen(b), input_space="sRGB1", uniform_space="CAM02-UCS"))


# colours drawn side by side in one chart, and the smallest CAM02-UCS distance required
# (about 10 units separates categories at a glance; ordered ramps also differ in lightness)
GROUPS = {
    "categorical": (style.CATEGORICAL, 10.0),
    "routes": (tuple(style.ROUTE_COLOURS.values()), 10.0),
    "likert neighbours": (style.DIVERGING_5, 10.0),
    "sequential neighbours": (style.SEQUENTIAL, 8.0),
}


@pytest.mark.parametrize("cvd_type", [None, *CVD])
@pytest.mark.parametrize("group", GROUPS)
def test_colours_used_together_stay_apart_under_cvd(group, cvd_type):
    colours, minimum = GROUPS[group]
    if "neighbours" in group:  # ordered scales: adjacent levels must differ
        pairs = list(itertools.pairwise(colours))
    else:
        pairs = list(itertools.combinations(colours, 2))
    too_close = [(a, b, round(d, 1)) for a, b in pairs
                 if (d := cvd_distance(a, b, cvd_type)) < minimum]
    assert too_close == []


def test_kth_blue_leads_the_palette():
    assert style.CATEGORICAL[0] == style.KTH_BLUE == "#004791"


def test_house_style_context_restores_rcparams():
    import matplotlib

    before = matplotlib.rcParams["axes.spines.top"]
    with style.house_style():
        assert matplotlib.rcParams["axes.spines.top"] is False
        assert matplotlib.rcParams["svg.fonttype"] == "none"
    assert matplotlib.rcParams["axes.spines.top"] == before


def test_house_style_keeps_what_is_set_inside_it_outside_the_house_keys():
    # In a Jupyter kernel the inline backend turns interactive mode on when the first
    # figure is made, inside this block; it must stay on, or no later figure of the
    # notebook is shown (rc_context used to restore it).
    import matplotlib

    was = matplotlib.is_interactive()
    try:
        matplotlib.interactive(False)
        with style.house_style():
            matplotlib.interactive(True)
        assert matplotlib.is_interactive()
    finally:
        matplotlib.interactive(was)


def test_house_figure_has_no_top_right_spines_and_value_grid_only(gap_frame):
    from lcanalysis.plots.charts import gap_chart

    ax = gap_chart(gap_frame, characteristic="programme_level", synthetic=False).axes[0]
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    assert any(line.get_visible() for line in ax.xaxis.get_gridlines())
    assert not any(line.get_visible() for line in ax.yaxis.get_gridlines())


def test_mark_synthetic_on_any_figure():
    import matplotlib.pyplot as plt

    fig = plt.figure()
    mark = style.mark_synthetic(fig, "en")
    assert mark.get_text() == "SYNTHETIC DATA" and mark in fig.texts


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """One saved gap chart, shared by the file checks below (saving costs a second)."""
    from lcanalysis.plots.charts import gap_chart

    frame = pl.DataFrame(
        {"programme_level": ["foundation_year"], "route": ["campus"], "numerator": [300],
         "denominator": [1200], "rate": [0.25], "ci_low": [0.226], "ci_high": [0.275],
         "suppressed": [False], "suppression_reason": [None]},
        schema_overrides={"suppression_reason": pl.Utf8},
    )
    fig = gap_chart(mark_protected(frame), characteristic="programme_level", synthetic=True, lang="sv")
    return style.save_figure(fig, "gap", notebook="participation",
                             figures_dir=tmp_path_factory.mktemp("figures"),
                             metadata={"run_id": "run-2025-01", "source": "demo world"})


def test_png_is_300_dpi_report_column_wide_with_text_chunks(saved):
    from PIL import Image

    with Image.open(saved["png"]) as png:
        assert abs(png.size[0] - 8.5 / 2.54 * 300) <= 1
        assert png.info["RunId"] == "run-2025-01" and png.info["Synthetic"] == "true"
        assert png.info["Source"] == "demo world" and "lcanalysis" in png.info["Project"]


def test_svg_keeps_text_and_dublin_core_metadata(saved):
    svg = saved["svg"].read_text("utf-8")
    assert "<text" in svg and "Tekniskt basår" in svg and "SYNTETISKA DATA" in svg
    assert re.search(r"<dc:identifier>run-2025-01</dc:identifier>", svg)
    assert "synthetic=true" in svg and "KTH learning-centre pilot" in svg


def test_pdf_embeds_truetype_fonts_and_info(saved):
    pdf = saved["pdf"].read_bytes()
    assert b"/FontFile2" in pdf and b"/Type3" not in pdf
    assert b"run_id=run-2025-01" in pdf and b"synthetic=true" in pdf
    assert b"/Creator (lcanalysis" in pdf and b"/Title (gap)" in pdf


def test_no_temporary_files_left(saved):
    assert sorted(p.name for p in saved["png"].parent.iterdir()) == ["gap.pdf", "gap.png", "gap.svg"]


def test_poster_size_is_wider_with_larger_text(gap_frame, tmp_path):
    from PIL import Image

    from lcanalysis.plots.charts import gap_chart

    fig = gap_chart(gap_frame, characteristic="programme_level", synthetic=True)
    size_before = fig.get_size_inches().copy()
    fonts_before = sorted(t.get_fontsize() for t in fig.texts)
    paths = style.save_figure(fig, "gap", notebook="poster", size="poster_panel",
                              figures_dir=tmp_path, metadata={"run_id": "r", "source": "demo"})
    with Image.open(paths["png"]) as png:
        assert abs(png.size[0] - 26 / 2.54 * 300) <= 1
    assert (fig.get_size_inches() == size_before).all()  # the figure is given back unchanged
    assert sorted(t.get_fontsize() for t in fig.texts) == fonts_before


def test_save_refuses_unknown_size_bad_name_and_unlabelled_figures(tmp_path):
    import matplotlib.pyplot as plt

    fig = plt.figure()
    with pytest.raises(ValueError, match="unknown figure size"):
        style.save_figure(fig, "x", notebook="n", size="a4", figures_dir=tmp_path)
    with pytest.raises(ValueError, match="letters, digits"):
        style.save_figure(fig, "../x", notebook="n", figures_dir=tmp_path)
    with pytest.raises(ValueError, match="synthetic"):
        style.save_figure(fig, "x", notebook="n", figures_dir=tmp_path)
    with pytest.raises(ValueError, match="must carry the mark"):
        style.save_figure(fig, "x", notebook="n", figures_dir=tmp_path, metadata={"synthetic": True})


def test_default_folder_follows_project_root(gap_frame, tmp_path, monkeypatch):
    from lcanalysis.plots.charts import gap_chart

    monkeypatch.setenv("LCANALYSIS_ROOT", str(tmp_path))
    fig = gap_chart(mark_protected(pl.DataFrame(gap_frame)), characteristic="programme_level",
                    synthetic=True)
    paths = style.save_figure(fig, "gap", notebook="nb", metadata={"run_id": "r"})
    assert paths["pdf"] == tmp_path / "figures" / "nb" / "gap.pdf"
