"""One Chromium prints every PDF of a run (lcanalysis.report.pdf.Browser): pages of
different sizes from several threads at once, and the contents' page numbers read
from the first print and written in before the second."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from lcanalysis.report import pdf
from tests.fixtures.chromium import require_chromium

MM_PER_PT = 25.4 / 72


def _page(size: str, words: str) -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>@page {{ size: {size}; margin: 10mm; }}'
            f"</style></head><body><p>{words}</p></body></html>")


def _pages(path: Path):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(path.read_bytes())).pages


def test_one_browser_prints_pages_of_their_own_size_from_several_threads(tmp_path):
    require_chromium("the PDF printer")
    sizes = {"A4": (210, 297), "A5": (148, 210), "A3": (297, 420), "105mm 148mm": (105, 148)}
    with pdf.Browser() as browser, ThreadPoolExecutor(max_workers=4) as pool:
        printed = {size: pool.submit(browser.print_pdf, _page(size, f"page {size}"),
                                     tmp_path / f"{size.replace(' ', 'x')}.pdf")
                   for size in sizes}
        files = {size: future.result() for size, future in printed.items()}
    for size, file in files.items():
        (page,) = _pages(file)
        assert [round(float(v) * MM_PER_PT) for v in page.mediabox[2:]] == list(sizes[size])
        assert f"page {size}" in page.extract_text()
    assert not list(tmp_path.glob(".*.partial"))


def _report_html() -> str:
    toc = "".join(f'<li><a href="#part-{i}">Part {i}</a><span class="dots"></span><span class="pg"></span></li>'
                  for i in (1, 2, 3))
    parts = "".join(f'<h1 id="part-{i}" style="break-before: page">Part {i}</h1>'
                    + "<p>text</p>" * (60 * i) for i in (1, 2, 3))
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>@page {{ size: A4; margin: 20mm; }}'
            f"</style></head><body><nav class=\"toc\"><ol>{toc}</ol></nav>{parts}</body></html>")


def _contents_match_the_headings(target: Path) -> dict[int, int]:
    pages = _pages(target)
    starts = {i: next(n for n, p in enumerate(pages, 1) if f"Part {i}\ntext" in p.extract_text()) for i in (1, 2, 3)}
    assert starts[1] == 2 and starts[3] > starts[2] > starts[1]
    contents = pages[0].extract_text()
    for i, start in starts.items():
        assert f"Part{i}{start}" in contents.replace(" ", "")
    return starts


def test_the_contents_get_the_page_of_each_heading_from_the_first_print(tmp_path):
    require_chromium("the PDF printer")
    with pdf.Browser() as browser:
        target = browser.print_report(_report_html(), tmp_path / "report.pdf")
    _contents_match_the_headings(target)


def test_a_right_guess_of_the_pages_prints_once_and_a_wrong_one_twice(tmp_path, monkeypatch):
    require_chromium("the PDF printer")
    prints = []
    original = pdf.Browser.print_tab
    monkeypatch.setattr(pdf.Browser, "print_tab", lambda self, session: prints.append(1) or original(self, session))
    with pdf.Browser() as browser:
        first = browser.print_report(_report_html(), tmp_path / "first.pdf")
        right = pdf.destination_pages(first.read_bytes())
        assert right == {f"part-{i}": p for i, p in _contents_match_the_headings(first).items()}
        assert len(prints) == 2  # no guess: the first print finds the pages
        for guess, times in [(right, 1), ({**right, "part-3": right["part-3"] + 1}, 2),
                             ({"part-1": right["part-1"]}, 2)]:
            prints.clear()
            target = browser.print_report(_report_html(), tmp_path / "again.pdf", guess=guess)
            assert len(prints) == times, guess
            _contents_match_the_headings(target)


def test_a_missing_chromium_is_an_error_that_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "CHROMIUM", tmp_path / "no-chromium")
    with pytest.raises(pdf.PdfError, match="ensure-chromium"):
        pdf.Browser()
