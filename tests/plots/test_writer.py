"""The background figure writer: the same files as save_figure, and failures that say so."""

from __future__ import annotations

import re

import polars as pl
import pytest

from lcanalysis.disclosure import mark_protected
from lcanalysis.plots import style
from lcanalysis.plots import writer as writer_module
from lcanalysis.plots.charts import gap_chart

META = {"run_id": "run-1", "source": "demo world"}
FILES = [f"{stem}.{ext}" for stem in ("page", "poster") for ext in ("png", "svg", "pdf")]


def _chart():
    frame = pl.DataFrame(
        {"characteristic": ["first_generation", "first_generation", "mature", "mature"],
         "route": ["campus", "learning_centre"] * 2, "numerator": [300, 40, 200, 30],
         "denominator": [1200, 100, 1200, 100], "rate": [0.25, 0.4, 0.17, 0.3],
         "ci_low": [0.226, 0.3, 0.15, 0.2], "ci_high": [0.275, 0.5, 0.19, 0.4],
         "suppressed": [False] * 4, "suppression_reason": [None] * 4},
        schema_overrides={"suppression_reason": pl.Utf8},
    )
    return gap_chart(mark_protected(frame), characteristic="characteristic", synthetic=True, lang="sv")


@pytest.fixture(scope="module")
def writer():
    return writer_module.FigureWriter()


def _clip_ids_out(svg: bytes) -> bytes:
    return re.sub(rb"\bp[0-9a-f]{10}\b", b"p-clip", svg)


def _contents(folder):
    return {name: (folder / name).read_bytes() for name in FILES}


def test_the_writer_writes_what_save_figure_writes_byte_for_byte(writer, tmp_path):
    fig = _chart()
    for stem, size in (("page", "report_page"), ("poster", "poster_panel")):
        style.save_figure(fig, stem, notebook="now", size=size, figures_dir=tmp_path, metadata=META)
    fig = _chart()
    exports = [writer.submit(fig, stem, notebook="later", size=size, figures_dir=tmp_path, metadata=META)
               for stem, size in (("page", "report_page"), ("poster", "poster_panel"))]
    assert [e.label for e in exports] == ["later/page", "later/poster"]
    writer.wait(exports)
    assert _contents(tmp_path / "later") == _contents(tmp_path / "now")
    assert not [p for p in (tmp_path / "later").iterdir() if p.name.startswith(".")]


def test_a_figure_changed_after_it_was_handed_over_is_written_as_changed(writer, tmp_path):
    fig = _chart()
    style.save_figure(fig, "page", notebook="now", size="report_page", figures_dir=tmp_path, metadata=META)
    fig.axes[0].set_xlabel("ändrad")
    style.save_figure(fig, "poster", notebook="now", size="poster_panel", figures_dir=tmp_path, metadata=META)

    fig = _chart()
    first = writer.submit(fig, "page", notebook="later", size="report_page", figures_dir=tmp_path,
                          metadata=META)
    fig.axes[0].set_xlabel("ändrad")
    second = writer.submit(fig, "poster", notebook="later", size="poster_panel", figures_dir=tmp_path,
                           metadata=META)
    writer.wait([first, second])
    later, now = _contents(tmp_path / "later"), _contents(tmp_path / "now")
    assert {n: b for n, b in later.items() if n != "poster.svg"} == {
        n: b for n, b in now.items() if n != "poster.svg"}
    # drawn from a fresh copy, not from one already saved once: the SVG's clip-path
    # ids (hashes of matplotlib's internal clip objects) differ, nothing else
    assert _clip_ids_out(later["poster.svg"]) == _clip_ids_out(now["poster.svg"])
    assert "ändrad" in (tmp_path / "later" / "poster.svg").read_text(encoding="utf-8")
    assert "ändrad" not in (tmp_path / "later" / "page.svg").read_text(encoding="utf-8")


def test_a_failing_write_fails_loudly_naming_the_figure(writer, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    fig = _chart()
    bad = writer.submit(fig, "page", notebook="nb", size="report_page", figures_dir=blocked, metadata=META)
    good = writer.submit(_chart(), "page", notebook="nb", size="report_page", figures_dir=tmp_path,
                         metadata=META)
    with pytest.raises(writer_module.FigureExportError, match=r"1 figure\(s\) not written: nb/page: "):
        writer.wait([bad, good])
    assert (tmp_path / "nb" / "page.pdf").is_file()  # the others are still written


def test_bad_arguments_are_refused_at_once(writer, tmp_path):
    with pytest.raises(ValueError, match="figure name"):
        writer.submit(_chart(), "../x", notebook="nb", figures_dir=tmp_path, metadata=META)
    with pytest.raises(ValueError, match="unknown figure size"):
        writer.submit(_chart(), "x", notebook="nb", size="a4", figures_dir=tmp_path, metadata=META)


def _rendered(pdf, tmp_path):
    """The PDF's page as PDFium draws it (150 dpi, grey levels) and its extracted text:
    a reader that is not matplotlib, installed with the package (pypdfium2)."""
    import numpy as np
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        pixels = np.array(page.render(scale=150 / 72, grayscale=True).to_numpy())
        text = page.get_textpage().get_text_range()
    finally:
        document.close()
    return pixels, text


def test_pdf_fonts_without_layout_tables_draw_the_same_pages(tmp_path, monkeypatch):
    from fontTools import subset
    from matplotlib.backends import _backend_pdf_ps as helper

    fig = _chart()
    fig.axes[0].set_title("Förstagenerationsstudenter: office, affärsflöde, fjäll, ÅÄÖ 1–2 %")
    install = style.pdf_fonts_without_layout_tables
    monkeypatch.setattr(helper, "subset", subset)  # as matplotlib has it
    monkeypatch.setattr(style, "pdf_fonts_without_layout_tables", lambda: None)
    with_tables = style.save_figure(fig, "with", notebook="nb", size="report_page", figures_dir=tmp_path,
                                    metadata=META)["pdf"]
    install()
    assert helper.subset is not subset, "the lean subsetting was not installed on this matplotlib"
    lean = style.save_figure(fig, "lean", notebook="nb", size="report_page", figures_dir=tmp_path,
                             metadata=META)["pdf"]
    pixels, text = _rendered(with_tables, tmp_path)
    lean_pixels, lean_text = _rendered(lean, tmp_path)
    assert "affärsflöde" in text and lean_text == text
    assert lean_pixels.shape == pixels.shape and (lean_pixels == pixels).all()
    assert lean.stat().st_size < with_tables.stat().st_size


@pytest.mark.parametrize("title", [
    "Förstagenerationsstudenter: ÅÄÖ åäö é ü – “citat” 1–2 % ≈ 3 € → −4",  # all in the base
    "Summa ∑ och ☼",  # glyphs outside the base: the whole font is subset
])
def test_pdf_fonts_from_small_bases_are_the_bytes_of_whole_fonts(tmp_path, monkeypatch, title):
    from matplotlib.backends import _backend_pdf_ps as helper

    style.pdf_fonts_without_layout_tables()
    style.pdf_fonts_from_small_bases()
    lean = helper.get_glyphs_subset
    assert getattr(lean, "small_bases", None) is not None, "the small bases were not installed on this matplotlib"

    def pdf(folder):
        fig = _chart()
        fig.axes[0].set_title(title)
        fig.axes[0].set_xlabel(title, fontweight="bold")
        return style.save_figure(fig, "chart", notebook="nb", size="report_page", figures_dir=tmp_path / folder,
                                 metadata=META)["pdf"].read_bytes()

    from_bases = pdf("bases")
    assert any(b is not None for b in lean.small_bases.values())
    monkeypatch.setattr(helper, "get_glyphs_subset", lean.__wrapped__)
    monkeypatch.setattr(style, "pdf_fonts_from_small_bases", lambda: None)
    assert pdf("whole") == from_bases


def test_formats_handed_over_to_another_process_are_the_files_save_figure_writes(tmp_path):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    fig = _chart()
    style.save_figure(fig, "page", notebook="now", size="report_page", figures_dir=tmp_path, metadata=META)
    fig = _chart()
    files = style.figure_files(fig, "page", notebook="split", size="report_page", figures_dir=tmp_path,
                               metadata=META)
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                             initializer=writer_module._start_writer) as other:
        there = writer_module.hand_over(other, fig, files, ("svg", "pdf"))
        here = style.write_drawn_files(files, style.draw_figure_files(fig, files, ("png",)))
        assert sorted(there.result()) == ["pdf", "svg"] and sorted(here) == ["png"]
    now, split = tmp_path / "now", tmp_path / "split"
    assert sorted(p.name for p in split.iterdir()) == ["page.pdf", "page.png", "page.svg"]
    assert (split / "page.png").read_bytes() == (now / "page.png").read_bytes()
    # Drawn without the PNG (and SVG) before them, the layout places things up to a few
    # thousandths of a point apart; an SVG then also names its clip paths (hashes of
    # where they are) otherwise. The same drawing, to 0.01 pt.
    for ext in ("svg", "pdf"):
        assert _same_drawing(*(_drawing(folder / f"page.{ext}") for folder in (split, now))), ext
    moved = _drawing(now / "page.svg")
    assert not _same_drawing(moved, (moved[0], [v + 0.02 for v in moved[1]]))  # not blind to a move


def _drawing(path) -> tuple[list[bytes], list[float]]:
    """What a figure file draws: its text (PDF streams inflated) without its numbers,
    clip-path names, stream lengths and object numbers; and the numbers."""
    import zlib

    data = path.read_bytes()
    if path.suffix == ".pdf":
        data = data.split(b"xref")[0]
        parts = re.split(rb"stream\r?\n(.*?)\r?\nendstream", data, flags=re.S)
        data = b"".join(zlib.decompress(p) if i % 2 else re.sub(rb"/Length \d+|\d+ 0 obj|\n\d+\nendobj", b"", p)
                        for i, p in enumerate(parts))
    data = _clip_ids_out(data)
    number = rb"-?\d+\.\d+"
    return re.split(number, data), [float(n) for n in re.findall(number, data)]


def _same_drawing(a, b) -> bool:
    return a[0] == b[0] and len(a[1]) == len(b[1]) and all(abs(x - y) < 0.01 for x, y in zip(a[1], b[1], strict=True))
