"""House style of every lcanalysis figure: colours, fonts, marks, sizes and saving.

Colours
-------
``CATEGORICAL`` starts with KTH blue (#004791, KTH's graphic profile) and continues
with companions from the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal
Design"; the palette Wong 2011, Nature Methods 8:441 recommends), chosen so that
every pair stays apart under simulated deuteranopia, protanopia and tritanopia
(tests/plots/test_style.py measures CAM02-UCS distances with colorspacious).
``SEQUENTIAL`` is a light-to-dark ramp ending in KTH blue, for ordered
categories; ``DIVERGING_5`` is Paul Tol's colour-blind-safe "BuRd" scheme
(Tol 2021, "Colour schemes", SRON/EPS/TN/09-002) reduced to five levels with a
neutral grey centre, for Likert items. ``NEUTRAL`` (grey) is kept for
suppressed and unknown values, which are always labelled as text as well.

Sizes
-----
``SIZES`` gives the width of each output: ``report_column`` 8.5 cm and
``report_page`` 17 cm (an A4 report's column and text width); ``poster_panel``
26 cm (a third of an A0 poster's 841 mm width, minus margins) and ``poster_wide``
40 cm (half the A0 width). Poster sizes scale text and lines by 2 and 2.5 so that
labels stay legible from two metres (about 16-20 pt on the printed poster).

Fonts
-----
DejaVu Sans, which ships with matplotlib, so the same figure comes out on a bare
machine; it covers å, ä, ö and the typographic minus and is embedded as TrueType
(Type 42) in PDF. SVG keeps text as ``<text>`` elements so editors can fix a word
without redrawing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from lcanalysis.plots.labels import check_lang, label

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.text import Text

PROJECT = "lcanalysis: KTH learning-centre pilot evaluation"

KTH_BLUE = "#004791"
CATEGORICAL: tuple[str, ...] = (
    KTH_BLUE,
    "#E69F00",  # Okabe-Ito orange
    "#56B4E9",  # Okabe-Ito sky blue
    "#009E73",  # Okabe-Ito bluish green
    "#D55E00",  # Okabe-Ito vermillion
    "#CC79A7",  # Okabe-Ito reddish purple
)
ROUTE_COLOURS: dict[str, str] = {
    "campus": KTH_BLUE,
    "learning_centre": "#E69F00",
    "distance": "#009E73",
    "reference": "#6E6E6E",
}
SEQUENTIAL: tuple[str, ...] = ("#D6E4F2", "#9EBFE0", "#6396CA", "#2E6CAE", KTH_BLUE, "#00264F")
DIVERGING_5: tuple[str, ...] = ("#B2182B", "#F4A582", "#D9D9D9", "#92C5DE", "#2166AC")
NEUTRAL = "#BBBBBB"
TEXT_GREY = "#4D4D4D"
SYNTHETIC_MARK_COLOUR = "#B2182B"

CM = 1 / 2.54


@dataclass(frozen=True)
class FigureSize:
    """An output size: width in centimetres and the factor applied to text and lines."""

    width_cm: float
    scale: float = 1.0


SIZES: dict[str, FigureSize] = {
    "report_column": FigureSize(8.5),
    "report_page": FigureSize(17.0),
    "poster_panel": FigureSize(26.0, 2.0),
    "poster_wide": FigureSize(40.0, 2.5),
}

HOUSE_RC: dict[str, object] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 7.5,
    "axes.titlesize": 8.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 7.5,
    "axes.labelcolor": TEXT_GREY,
    "axes.edgecolor": TEXT_GREY,
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.axisbelow": True,
    "grid.color": "#E3E3E3",
    "grid.linewidth": 0.6,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "xtick.color": TEXT_GREY,
    "ytick.color": TEXT_GREY,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.dpi": 100,
    "lines.linewidth": 1.2,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "none",
    "svg.hashsalt": "lcanalysis",
    "axes.unicode_minus": True,
}


def ensure_backend() -> None:
    """Choose the non-interactive Agg backend only when nothing chose a backend.

    A Jupyter kernel (``MPLBACKEND`` or ``%matplotlib inline``) or a user's
    ``matplotlib.use`` call is left alone, so inline figures keep working.
    """
    import matplotlib

    if os.environ.get("MPLBACKEND"):
        return
    if matplotlib.rcParams._get_backend_or_none() is None:
        matplotlib.use("Agg")


def house_rc() -> dict[str, object]:
    """The rcParams of the house style (a fresh dict each call)."""
    from cycler import cycler

    rc = dict(HOUSE_RC)
    rc["axes.prop_cycle"] = cycler(color=list(CATEGORICAL))
    return rc


def use_house_style() -> None:
    """Apply the house style to every figure drawn from now on in this process."""
    import matplotlib

    ensure_backend()
    matplotlib.rcParams.update(house_rc())


@contextmanager
def house_style() -> Iterator[None]:
    """Draw inside the house style and restore the caller's settings afterwards.

    Only the settings the house style changes are restored, not all of them as
    ``matplotlib.rc_context`` does: in a Jupyter kernel the inline backend is set up
    when the first figure is made, inside this block, and turns interactive mode on,
    which must outlast the block (rc_context turned it off again, and every later
    figure of the notebook was no longer shown).
    """
    import matplotlib

    ensure_backend()
    rc = house_rc()
    saved = {key: matplotlib.rcParams[key] for key in rc}
    matplotlib.rcParams.update(rc)
    try:
        yield
    finally:
        matplotlib.rcParams.update(saved)


@dataclass
class FigureInfo:
    """What a house figure knows about itself: language, synthetic flag, header and footer."""

    lang: str
    synthetic: bool
    title: Text | None = None
    title_text: str = ""
    mark: Text | None = None
    footer: Text | None = None
    footer_lines: list[str] = field(default_factory=list)
    legends: list[tuple[object, int]] = field(default_factory=list)
    scale: float = 1.0


def _house_layout_engine(info: FigureInfo, pad_pt: float = 4.0):
    """A constrained layout that first reserves room for the title, mark and footnote.

    The header (title left, synthetic mark right) and footer (notes) are figure
    texts anchored to the corners; before each draw they are word-wrapped to the
    figure's current width, legends drop columns until they fit (from the
    number they were made with), and the axes are laid out in the space
    left between header and footer, so a figure saved at 8.5 cm and at 40 cm
    keeps every word visible.
    """
    engine = _house_layout_engine_class()(h_pad=2 / 72, w_pad=2 / 72)
    engine.house_info = info
    engine.pad_pt = pad_pt
    return engine


@cache
def _house_layout_engine_class() -> type:
    """``HouseLayoutEngine``, defined on first use (matplotlib is imported only then) as
    an attribute of this module, so that a house figure can be pickled for the
    background writer (:class:`lcanalysis.plots.writer.FigureWriter`)."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    class HouseLayoutEngine(ConstrainedLayoutEngine):
        house_info: FigureInfo
        pad_pt: float

        def execute(self, fig: Figure) -> dict:
            info = self.house_info
            fig_w, fig_h = fig.bbox.width, fig.bbox.height
            pad = self.pad_pt * fig.dpi / 72
            # the renderer of this draw: texts cache the one they last saw, whose dpi
            # differs between the PNG, SVG and PDF passes of save_figure
            renderer = fig._get_renderer()
            for owner, ncols in info.legends:
                for k in range(ncols, 0, -1):
                    legend = _build_legend(owner, k)
                    if legend.get_window_extent(renderer).width <= fig_w - 2 * pad:
                        break
            mark_w = 0.0
            if info.mark is not None:
                mark_w = info.mark.get_window_extent(renderer).width + 2 * pad
            top = pad
            if info.title is not None:
                _wrap(info.title, info.title_text, fig_w - mark_w - 2 * pad, renderer)
                top += info.title.get_window_extent(renderer).height + pad
            if info.mark is not None:
                top = max(top, info.mark.get_window_extent(renderer).height + 3 * pad)
            for legend in fig.legends:  # a figure legend sits in the header, under the title
                legend.set_bbox_to_anchor((pad / fig_w, 1 - top / fig_h), transform=fig.transFigure)
                top += legend.get_window_extent(renderer).height + pad
            bottom = pad
            if info.footer is not None and info.footer_lines:
                _wrap(info.footer, "\n".join(info.footer_lines), fig_w - 2 * pad, renderer)
                bottom += info.footer.get_window_extent(renderer).height + pad
            rect = (0, bottom / fig_h, 1, max(0.1, 1 - (top + bottom) / fig_h))
            self.set(rect=rect)
            return super().execute(fig)

    HouseLayoutEngine.__module__ = __name__
    HouseLayoutEngine.__qualname__ = "HouseLayoutEngine"
    return HouseLayoutEngine


def __getattr__(name: str):
    if name == "HouseLayoutEngine":  # what pickle looks up for a house figure's layout engine
        return _house_layout_engine_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _build_legend(owner, ncols: int):
    """(Re)build the legend of an axes or figure made by :func:`add_legend` with ``ncols``."""
    from matplotlib.figure import Figure

    kwargs = owner.house_legend_kwargs
    fig = owner if isinstance(owner, Figure) else owner.get_figure(root=True)
    info = figure_info(fig)
    size = float(HOUSE_RC["legend.fontsize"]) * (info.scale if info else 1.0)
    kwargs = {"prop": {"size": size}, **kwargs}
    if isinstance(owner, Figure):
        for old in list(owner.legends):
            old.remove()
    with house_style():
        return owner.legend(ncols=ncols, **kwargs)


def add_legend(owner, handles: list, ncols: int, **kwargs) -> None:
    """Add a legend to an axes or figure that the house layout may re-flow to fewer columns."""
    from matplotlib.figure import Figure

    fig = owner if isinstance(owner, Figure) else owner.get_figure(root=True)
    owner.house_legend_kwargs = {"handles": handles, "frameon": False, "handlelength": 1.2,
                                 "columnspacing": 1.2, **kwargs}
    _build_legend(owner, ncols)
    info = figure_info(fig)
    if info is not None:
        info.legends.append((owner, ncols))


def _wrap(text: Text, raw: str, width_px: float, renderer) -> None:
    """Word-wrap ``raw`` into ``text`` so that no line is wider than ``width_px``."""
    lines: list[str] = []
    for paragraph in raw.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            text.set_text(candidate)
            if line and text.get_window_extent(renderer).width > width_px:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    text.set_text("\n".join(lines))


def house_figure(
    *,
    lang: str,
    synthetic: bool,
    title: str | None,
    height_in: float,
    nrows: int = 1,
    ncols: int = 1,
    **subplots_kw,
) -> tuple[Figure, object]:
    """A new figure in the house style at report-page width, with title and synthetic mark.

    Returns the figure and the axes as ``plt.subplots`` does. Footnotes are added
    with :func:`set_footer`.
    """
    ensure_backend()
    import matplotlib.pyplot as plt
    from matplotlib.transforms import ScaledTranslation

    check_lang(lang)
    with house_style():
        fig, axes = plt.subplots(
            nrows, ncols, figsize=(SIZES["report_page"].width_cm * CM, height_in), **subplots_kw
        )
        info = FigureInfo(lang=lang, synthetic=synthetic)
        off = 4 / 72
        if title:
            info.title_text = title
            info.title = fig.text(
                0,
                1,
                title,
                ha="left",
                va="top",
                fontsize=HOUSE_RC["axes.titlesize"],
                fontweight="bold",
                color="black",
                transform=fig.transFigure + ScaledTranslation(off, -off, fig.dpi_scale_trans),
            )
        if synthetic:
            mark_synthetic(fig, lang, info=info)
        info.footer = fig.text(
            0,
            0,
            "",
            ha="left",
            va="bottom",
            fontsize=6.5,
            color=TEXT_GREY,
            transform=fig.transFigure + ScaledTranslation(off, off, fig.dpi_scale_trans),
        )
        fig.set_layout_engine(_house_layout_engine(info))
    return fig, axes


def figure_info(fig: Figure) -> FigureInfo | None:
    """The :class:`FigureInfo` of a house figure, or None for any other figure."""
    return getattr(fig.get_layout_engine(), "house_info", None)


def set_footer(fig: Figure, lines: list[str]) -> None:
    """Set the footnote lines (n, suppression codes, caveats) of a house figure."""
    info = figure_info(fig)
    if info is None:
        raise ValueError("set_footer needs a figure made by lcanalysis.plots (house_figure)")
    info.footer_lines = [line for line in lines if line]


def mark_synthetic(fig: Figure, lang: str, *, info: FigureInfo | None = None) -> Text:
    """Put the visible "Syntetiska data" / "Synthetic data" mark in the top-right corner.

    Every figure drawn from the synthetic demo world carries it, so a PNG copied
    out of a report can never pass for a result. Works on any figure; on a house
    figure the layout keeps the axes clear of it.
    """
    from matplotlib.transforms import ScaledTranslation

    check_lang(lang)
    info = info or figure_info(fig)
    off = 5 / 72
    mark = fig.text(
        1,
        1,
        label("note.synthetic", lang).upper(),
        ha="right",
        va="top",
        fontsize=7,
        fontweight="bold",
        color=SYNTHETIC_MARK_COLOUR,
        gid="synthetic-mark",
        bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": SYNTHETIC_MARK_COLOUR, "lw": 0.8},
        transform=fig.transFigure + ScaledTranslation(-off, -off, fig.dpi_scale_trans),
        zorder=10,
    )
    if info is not None:
        info.mark = mark
        info.synthetic = True
    return mark


@contextmanager
def _scaled(fig: Figure, size: FigureSize) -> Iterator[None]:
    """Temporarily resize ``fig`` to ``size``: width set, text and lines scaled."""
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.text import Text

    old_size = fig.get_size_inches().copy()
    saved: list[tuple[object, str, object]] = []
    s = size.scale
    info = figure_info(fig)
    if info is not None:
        info.scale = s
    height = old_size[1] * s
    fig.set_size_inches(size.width_cm * CM, height)
    if s != 1:
        fig.draw_without_rendering()  # create every tick label so that all text can be scaled
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                ticks = axis.get_ticklabels()
                saved.append((axis, "ticklabel", ticks[0].get_fontsize() if ticks else None))
                if ticks:
                    axis.set_tick_params(labelsize=ticks[0].get_fontsize() * s)
        tick_labels = {id(t) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
                       for t in axis.get_ticklabels(which="both")}
        for artist in fig.findobj(lambda a: isinstance(a, Text) and id(a) not in tick_labels):
            saved.append((artist, "fontsize", artist.get_fontsize()))
            artist.set_fontsize(artist.get_fontsize() * s)
        for artist in fig.findobj(lambda a: isinstance(a, Line2D)):
            saved.append((artist, "line", (artist.get_linewidth(), artist.get_markersize())))
            artist.set_linewidth(artist.get_linewidth() * s)
            artist.set_markersize(artist.get_markersize() * s)
        for artist in fig.findobj(lambda a: isinstance(a, (Collection, Patch))):
            lw = artist.get_linewidth()
            saved.append((artist, "linewidth", lw))
            artist.set_linewidth(lw * s)
    try:
        _fit_height(fig)
        yield
    finally:
        for artist, what, value in reversed(saved):
            if what == "ticklabel" and value is not None:
                artist.set_tick_params(labelsize=value)
            elif what == "fontsize":
                artist.set_fontsize(value)
            elif what == "line":
                artist.set_linewidth(value[0])
                artist.set_markersize(value[1])
            elif what == "linewidth":
                artist.set_linewidth(value)
        fig.set_size_inches(old_size)
        if info is not None:
            info.scale = 1.0


def _fit_height(fig: Figure, min_axes_in: float = 0.9) -> None:
    """Make ``fig`` taller until every visible axes is at least ``min_axes_in`` high.

    At a narrow width titles, legends and footnotes wrap onto more lines; the
    chart's own height would then leave no room for the plot.
    """
    import warnings

    for _ in range(8):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.draw_without_rendering()
        collapsed = any("collapsed" in str(w.message) for w in caught)
        heights = [ax.get_position().height * fig.get_figheight() for ax in fig.axes
                   if ax.get_visible()]
        if not collapsed and min(heights, default=min_axes_in) >= min_axes_in - 0.01:
            return
        fig.set_size_inches(fig.get_figwidth(), fig.get_figheight() * 1.2)


def atomic_write(path: Path, content: bytes) -> None:
    """Write ``content`` to a temporary name beside ``path`` and rename it to ``path``,
    so a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class FigureFiles:
    """The three files of one saved figure: paths by format, size, the run id and each
    format's metadata (which carries the run id)."""

    paths: dict[str, Path]
    size: str
    run_id: str
    png: dict[str, object]
    svg: dict[str, object]
    pdf: dict[str, object]


def save_figure(
    fig: Figure,
    name: str,
    *,
    notebook: str,
    size: str = "report_column",
    figures_dir: Path | None = None,
    metadata: Mapping[str, object] | None = None,
) -> dict[str, Path]:
    """Write ``fig`` as PNG (300 dpi), SVG and PDF to ``figures/<notebook>/<name>.*``
    now (:func:`figure_files` says what and checks the arguments;
    :class:`lcanalysis.plots.writer.FigureWriter` does the same in a background process).

    Returns ``{"png": path, "svg": path, "pdf": path}``. Each file is written to a
    temporary name and renamed, so a reader never sees half a figure.
    """
    files = figure_files(fig, name, notebook=notebook, size=size, figures_dir=figures_dir,
                         metadata=metadata)
    return write_figure_files(fig, files)


def figure_files(
    fig: Figure,
    name: str,
    *,
    notebook: str,
    size: str = "report_column",
    figures_dir: Path | None = None,
    metadata: Mapping[str, object] | None = None,
) -> FigureFiles:
    """What :func:`save_figure` writes for ``fig``: PNG (300 dpi), SVG and PDF at
    ``figures/<notebook>/<name>.*`` with their metadata; every argument checked.

    Parameters
    ----------
    fig:
        A figure, normally from :mod:`lcanalysis.plots.charts`.
    name, notebook:
        File stem and folder; letters, digits, ``-`` and ``_`` only.
    size:
        A key of :data:`SIZES`. The width is set exactly; the height is the
        chart's own (times the size's scale), since it depends on the number of rows.
    figures_dir:
        Root folder, default :func:`lcanalysis.paths.figures_dir`.
    metadata:
        ``source`` (the data source), ``run_id``, optionally ``title`` and
        ``description``; ``synthetic`` is taken from a house figure and required
        for any other figure. Embedded as PNG text chunks, SVG Dublin Core
        ``<metadata>`` and the PDF Info dictionary (Title, Subject, Keywords,
        Creator), together with the project name.

    Raises ValueError for a bad name, size or metadata, and for a figure of
    synthetic data without the mark.
    """
    import re
    from importlib.metadata import version

    from lcanalysis.paths import figures_dir as default_figures_dir

    for part, what in ((name, "name"), (notebook, "notebook")):
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", part):
            raise ValueError(f"figure {what} {part!r}: use letters, digits, '-' and '_' only")
    if size not in SIZES:
        raise ValueError(f"unknown figure size {size!r}: use one of {', '.join(SIZES)}")
    meta = dict(metadata or {})
    info = figure_info(fig)
    if "synthetic" in meta:
        synthetic = bool(meta.pop("synthetic"))
    elif info is not None:
        synthetic = info.synthetic
    else:
        raise ValueError("save_figure: say whether the figure shows synthetic data "
                         "(metadata={'synthetic': True/False})")
    if synthetic and (info is None or info.mark is None) and not fig.findobj(
        lambda a: getattr(a, "get_gid", lambda: None)() == "synthetic-mark"
    ):
        raise ValueError("a figure of synthetic data must carry the mark: call mark_synthetic first")
    source = str(meta.pop("source", "unknown"))
    run_id = str(meta.pop("run_id", "unknown"))
    title = str(meta.pop("title", name))
    description = str(meta.pop("description", ""))
    if meta:
        raise ValueError(f"unknown metadata keys: {', '.join(sorted(meta))}")
    data_kind = "synthetic data" if synthetic else "real data (pseudonymised)"
    subject = f"{description + '. ' if description else ''}Source: {source}; run {run_id}; {data_kind}"
    keywords = [PROJECT, f"run_id={run_id}", f"synthetic={str(synthetic).lower()}", f"source={source}"]
    creator = f"lcanalysis {version('lcanalysis')}"

    out = Path(figures_dir) if figures_dir is not None else default_figures_dir()
    folder = out / notebook
    return FigureFiles(
        paths={ext: folder / f"{name}.{ext}" for ext in ("png", "svg", "pdf")},
        size=size,
        run_id=run_id,
        png={"Title": title, "Description": subject, "Source": source, "Software": creator,
             "Project": PROJECT, "RunId": run_id, "Synthetic": str(synthetic).lower()},
        svg={"Title": title, "Description": subject, "Source": source, "Identifier": run_id,
             "Creator": creator, "Publisher": PROJECT, "Keywords": keywords, "Date": None},
        pdf={"Title": title, "Subject": subject, "Keywords": "; ".join(keywords),
             "Creator": creator, "Author": PROJECT, "CreationDate": None},
    )


def write_figure_files(fig: Figure, files: FigureFiles) -> dict[str, Path]:
    """Write ``fig`` as ``files`` says (:func:`figure_files`); each file to a temporary
    name, then renamed."""
    return write_drawn_files(files, draw_figure_files(fig, files))


def draw_figure_files(fig: Figure, files: FigureFiles,
                      formats: Sequence[str] = ("png", "svg", "pdf")) -> dict[str, bytes]:
    """The contents of the PNG, SVG and PDF file of ``fig`` that ``files`` describes
    (or of those of ``formats``, drawn in that order)."""
    import io

    import matplotlib

    if "pdf" in formats:  # fontTools' subsetting, 0.2 s to import, is the PDF's only
        pdf_fonts_without_layout_tables()
        pdf_fonts_from_small_bases()
    rc = {"pdf.fonttype": 42, "svg.fonttype": "none", "svg.hashsalt": "lcanalysis"}
    arguments = {"png": {"dpi": 300, "metadata": files.png}, "svg": {"metadata": files.svg},
                 "pdf": {"metadata": files.pdf}}
    contents = {}
    with matplotlib.rc_context(rc), _scaled(fig, SIZES[files.size]):
        for ext in formats:
            buffer = io.BytesIO()
            fig.savefig(buffer, format=ext, **arguments[ext])
            contents[ext] = buffer.getvalue()
    return contents


def write_drawn_files(files: FigureFiles, contents: Mapping[str, bytes]) -> dict[str, Path]:
    """Write the ``contents`` of ``files`` (PNG, SVG, PDF, or some of them) to their
    paths; returns the paths written, by format."""
    files.paths["png"].parent.mkdir(parents=True, exist_ok=True)
    for ext, content in contents.items():
        atomic_write(files.paths[ext], content)
    return {ext: files.paths[ext] for ext in contents}


PDF_UNUSED_FONT_TABLES = ("GSUB", "GPOS", "GDEF", "kern", "JSTF", "BASE", "MATH")
"""OpenType tables a PDF reader never uses: text in a PDF is drawn glyph by glyph at
positions the file gives (substitutions, kerning and marks were applied when
matplotlib laid the text out), and an embedded TrueType font needs only its outlines,
metrics and character map (PDF 1.7, 9.9 "Embedded font programs")."""


def pdf_fonts_without_layout_tables() -> None:
    """Make matplotlib subset the fonts it embeds in PDF (and PostScript) without
    :data:`PDF_UNUSED_FONT_TABLES`.

    matplotlib embeds DejaVu Sans as a Type 42 subset made by fontTools, and fontTools
    reads and subsets the font's large GSUB and GPOS tables for each font of each PDF:
    0.2-0.3 s a font, three or four fonts a figure, about 60 % of a figure's PDF time
    (docs/performance.md). Dropped before subsetting, they are never read. The pages
    drawn and the text a reader extracts are the same (tests/plots/test_writer.py
    renders both with poppler); the files are smaller. Idempotent, for this process.

    matplotlib has no option for it: this hands its PDF/PS font helper
    (``matplotlib.backends._backend_pdf_ps``, which imports fontTools' ``subset``
    module) a ``subset`` module whose ``load_font`` removes the tables from the font
    it opens, before fontTools looks at them. If a matplotlib release no longer has
    that helper or that import, nothing is changed and PDFs are written as matplotlib
    writes them (slower, not different in what they show).
    """
    import types

    from fontTools import subset
    from matplotlib.backends import _backend_pdf_ps as helper

    if getattr(helper, "subset", None) is not subset:
        return

    def load_font(font_file, options, **kwargs):
        font = subset.load_font(font_file, options, **kwargs)
        for tag in PDF_UNUSED_FONT_TABLES:
            if tag in font:
                del font[tag]  # a lazily opened font: the table is never read
        return font

    lean = types.ModuleType(subset.__name__, subset.__doc__)
    lean.__dict__.update({k: v for k, v in vars(subset).items() if not k.startswith("__")})
    lean.load_font = load_font
    helper.subset = lean


PDF_BASE_CHARACTERS = "".join(map(chr, [
    *range(0x20, 0x7F), *range(0xA0, 0x180),  # Basic Latin, Latin-1, Latin Extended-A (å, ä, ö, é ...)
    *range(0x2010, 0x2070),  # General Punctuation: dashes, quotes, ‰, thin spaces
    0x20AC, 0x2190, 0x2191, 0x2192, 0x2193, 0x2212, 0x2248, 0x2264, 0x2265,  # €, arrows, minus, ≈, ≤, ≥
]))
"""What the figures' text is written in: each embedded font is subset from a base of
these characters' glyphs (:func:`pdf_fonts_from_small_bases`)."""


def pdf_fonts_from_small_bases() -> None:
    """Make matplotlib subset each font it embeds in a PDF from a small base font: the
    glyphs of :data:`PDF_BASE_CHARACTERS` (and what they are composed of), made once
    per font and process, instead of the whole font (DejaVu Sans: 6,000 glyphs).

    fontTools reads the whole character map, glyph table and glyph names of the font
    it subsets, for each font of each PDF: most of what is left of a figure's PDF time
    after :func:`pdf_fonts_without_layout_tables`. A subset of the base keeps the same
    glyphs in the same order, with the same names, outlines and metrics, so the font
    embedded, and the PDF, are byte for byte what subsetting the whole font gives
    (tests/plots/test_writer.py compares them); a figure with a glyph outside the base
    is subset from the whole font. Idempotent, for this process; if matplotlib's PDF
    font helper (``matplotlib.backends._backend_pdf_ps.get_glyphs_subset``) no longer
    has this shape, nothing is changed.
    """
    import io
    from contextlib import contextmanager

    from matplotlib.backends import _backend_pdf_ps as helper

    whole = getattr(helper, "get_glyphs_subset", None)
    if whole is None or not hasattr(helper, "SubsetResults") or getattr(whole, "small_bases", False):
        return
    bases: dict[tuple[str, int], tuple[bytes, dict[int, int]] | None] = {}

    class _Base(io.BytesIO):
        face_index = 0  # what the helper reads of a font's path

    def base(fontfile):
        key = (str(fontfile), getattr(fontfile, "face_index", 0))
        if key not in bases:
            bases[key] = None
            try:
                from fontTools import ttLib

                font = ttLib.TTFont(str(fontfile), fontNumber=key[1], lazy=True)
                cmap = font.getBestCmap() or {}
                gids = {font.getGlyphID(cmap[ord(c)]) for c in PDF_BASE_CHARACTERS if ord(c) in cmap}
                with whole(fontfile, gids) as made:
                    content = io.BytesIO()
                    made.font.save(content, reorderTables=False)
                    bases[key] = (content.getvalue(), dict(made.glyph_index_map))
            except Exception:  # noqa: BLE001 - a font that cannot be based is subset whole
                bases[key] = None
        return bases[key]

    @contextmanager
    def get_glyphs_subset(fontfile, glyphs):
        glyphs = set(glyphs)
        small = base(fontfile)
        if small is None or not glyphs <= small[1].keys():
            with whole(fontfile, glyphs) as made:
                yield made
            return
        content, in_base = small
        with whole(_Base(content), {in_base[g] for g in glyphs}) as made:
            yield helper.SubsetResults(made.font, {g: made.glyph_index_map[in_base[g]] for g in glyphs})

    get_glyphs_subset.small_bases = bases  # font -> its base (None: subset whole)
    get_glyphs_subset.__wrapped__ = whole
    helper.get_glyphs_subset = get_glyphs_subset


_NOT_STYLE = frozenset({
    "backend", "backend_fallback", "interactive", "toolbar", "timezone", "figure.max_open_warning",
    "figure.raise_window", "savefig.directory", "tk.window_focus", "docstring.hardcopy", "date.epoch",
    "webagg.port", "webagg.address", "webagg.port_retries", "webagg.open_in_browser"})
"""rcParams that are about the session, not the figure's look: matplotlib's own list
of what a style may not set (``STYLE_BLACKLIST``), kept by the kernel, not the writer."""


def style_rc() -> dict[str, object]:
    """The rcParams of the moment that style a figure (all but :data:`_NOT_STYLE`): what
    the figure writer draws with, and part of the key of a figure drawn before."""
    import matplotlib

    return {k: v for k, v in matplotlib.rcParams.items() if k not in _NOT_STYLE}

