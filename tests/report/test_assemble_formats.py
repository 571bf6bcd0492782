"""The four files of a run: report.html, report.pdf, report.docx, poster.pdf.

Built from a small run folder (tests/fixtures/report_run.py) in both languages and
read back the way a reader gets them: the PDF with pypdf (page size, pages,
extractable text), the Word file with python-docx (heading styles, tables,
pictures), the HTML in headless Chromium (no table wider than the A4 text width).
The PDF and poster need Chromium (``scripts/ensure-chromium``): skipped without it,
except in CI, where that fails.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from lcanalysis.report import assemble, pdf
from lcanalysis.report.language import en, sv
from tests.fixtures.chromium import require_chromium
from tests.fixtures.language import (
    CODE_NAME,
    ENGLISH,
    LEFTOVERS,
    SWEDISH,
    other_language_words,
    words,
)
from tests.fixtures.report_run import make_run

MM_PER_PT = 25.4 / 72
A4_TEXT_WIDTH_PX = (210 - 2 * 18) / 25.4 * 96
"""The text width of an A4 page with the report's 18 mm margins, in CSS pixels."""


ABSOLUTE_PATH = re.compile(r"(?<![\w.])/(?:tmp|work|home|root|usr|var|Users)/")


@pytest.fixture(scope="module", params=["sv", "en"])
def built(request, tmp_path_factory):
    require_chromium("report.pdf and poster.pdf")
    lang = request.param
    run_dir, manifest, figures = make_run(tmp_path_factory.mktemp(f"run-{lang}"), lang)
    assemble.build_report(run_dir, manifest, lang=lang, synthetic=True, figures_dir=figures)
    return lang, run_dir


def html_text(path: Path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for node in soup(["style", "script"]):
        node.decompose()
    return soup.get_text(" ")


def pdf_text(path: Path) -> tuple[list, str]:
    from pypdf import PdfReader

    reader = PdfReader(path)
    return reader.pages, "\n".join(page.extract_text() for page in reader.pages)


def docx_text(path: Path) -> str:
    import docx

    word = docx.Document(str(path))
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in word.paragraphs] + cells)


def test_every_template_exists_in_both_languages_with_the_same_placeholders():
    import string

    assert set(en.TEXT) == set(sv.TEXT)
    fields = string.Formatter()
    for key in en.TEXT:
        names = [{f for _, f, _, _ in fields.parse(t.TEXT[key]) if f} for t in (en, sv)]
        assert names[0] == names[1], key


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_no_template_has_a_sentence_in_the_other_language(lang):
    table = sv.TEXT if lang == "sv" else en.TEXT
    found = {key: hits for key, value in table.items() if (hits := other_language_words(value, lang))}
    assert found == {}


def test_the_rendered_files_are_in_the_runs_language_only(built):
    lang, run_dir = built
    texts = {
        "report.html": html_text(run_dir / "report.html"),
        "report.pdf": pdf_text(run_dir / "report.pdf")[1],
        "report.docx": docx_text(run_dir / "report.docx"),
        "poster.pdf": pdf_text(run_dir / "poster.pdf")[1],
    }
    own = SWEDISH if lang == "sv" else ENGLISH
    for name, text in texts.items():
        assert other_language_words(text, lang) == [], name
        assert sum(w in own for w in words(text)) > 20, name


def test_no_code_names_leftovers_or_machine_paths_in_any_of_the_four(built):
    lang, run_dir = built
    for name, text in (("report.html", html_text(run_dir / "report.html")),
                       ("report.pdf", pdf_text(run_dir / "report.pdf")[1]),
                       ("report.docx", docx_text(run_dir / "report.docx")),
                       ("poster.pdf", pdf_text(run_dir / "poster.pdf")[1])):
        assert ABSOLUTE_PATH.findall(text) == [], name
        assert LEFTOVERS.findall(text) == [], name
        # A note names the workbook's sheet as the reader sees it in Excel: "(sheet route_gaps)".
        codes = CODE_NAME.findall(re.sub(r"\((?:blad|sheet) \w+\)", "", text))
        assert codes == [], name


def test_pdf_is_a4_with_numbered_pages_contents_and_text(built):
    lang, run_dir = built
    pages, text = pdf_text(run_dir / "report.pdf")
    assert len(pages) >= 5  # title and contents, findings, two parts, three appendices (parts start pages)
    for page in pages:
        width, height = (float(v) * MM_PER_PT for v in page.mediabox[2:])
        assert (round(width), round(height)) == (210, 297)
    page_word = "Sida" if lang == "sv" else "Page"
    assert f"{page_word} 2 / {len(pages)}" in pages[1].extract_text()
    # The contents give each part its page: the findings start on page 2 or 3.
    contents = pages[0].extract_text()
    findings = "Resultat i korthet" if lang == "sv" else "Findings"
    assert re.search(rf"{findings}\W*[23]\b", contents)
    sentence = "76,0" if lang == "sv" else "76.0%"
    assert sentence in text
    with open(run_dir / "report.pdf", "rb") as handle:
        raw = handle.read()
    assert b"/FontFile2" in raw or b"/FontFile3" in raw  # fonts embedded
    assert b"/Outlines" in raw


def test_poster_is_a0_portrait_with_the_findings_and_the_synthetic_mark(built):
    lang, run_dir = built
    pages, text = pdf_text(run_dir / "poster.pdf")
    assert len(pages) == 1
    width, height = (float(v) * MM_PER_PT for v in pages[0].mediabox[2:])
    assert (round(width), round(height)) == (841, 1189)
    assert ("Syntetiska data" if lang == "sv" else "Synthetic data") in text
    assert ("Vilka nådde piloten?" if lang == "sv" else "Whom did it reach?") in text
    a1 = pdf_text(run_dir / "poster-A1.pdf")[0][0]
    assert [round(float(v) * MM_PER_PT) for v in a1.mediabox[2:]] == [594, 841]


def test_docx_has_word_headings_tables_and_pictures_with_captions(built):
    import docx

    lang, run_dir = built
    word = docx.Document(str(run_dir / "report.docx"))
    styles = {p.style.name for p in word.paragraphs}
    assert {"Title", "Heading 1", "Heading 2", "Caption"} <= styles
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[1] == ("Resultat i korthet" if lang == "sv" else "Findings")
    # three exported tables, the processing table and the two tables about the run
    assert len(word.tables) == 6
    assert word.tables[0].rows[0].cells[-1].text.endswith("(%)")
    assert len(word.inline_shapes) == 1
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    assert captions[0].startswith("Figur 1." if lang == "sv" else "Figure 1.")
    with zipfile.ZipFile(run_dir / "report.docx") as package:
        assert any(n.startswith("word/media/") for n in package.namelist())


MEASURE = """<script>
window.addEventListener('load', () => {
  const wide = [...document.querySelectorAll('table')].filter(t => t.getBoundingClientRect().width > LIMIT);
  document.body.setAttribute('data-tables', document.querySelectorAll('table').length);
  document.body.setAttribute('data-too-wide', wide.length);
});
</script>"""


def measure_tables(report: Path, tmp_path: Path) -> tuple[int, int]:
    """(tables, tables wider than the A4 text width) of ``report`` as Chromium lays it out."""
    page = tmp_path / "measure.html"
    page.write_text(report.read_text(encoding="utf-8").replace(
        "</body>", MEASURE.replace("LIMIT", f"{A4_TEXT_WIDTH_PX + 1:.1f}") + "</body>"), encoding="utf-8")
    done = subprocess.run(
        [str(pdf.CHROMIUM), *pdf.FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=794,1123",
         "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True)
    tables = re.search(r'data-tables="(\d+)"', done.stdout)
    wide = re.search(r'data-too-wide="(\d+)"', done.stdout)
    assert tables and wide, done.stdout[:500]
    return int(tables.group(1)), int(wide.group(1))


def test_no_table_is_wider_than_an_a4_page_in_chromium(built, tmp_path):
    lang, run_dir = built
    tables, too_wide = measure_tables(run_dir / "report.html", tmp_path)
    assert tables == 6
    assert too_wide == 0


def test_the_word_file_written_by_another_process_is_the_one_written_here(tmp_path):
    from tests.fixtures.executor import PicklingExecutor

    require_chromium("report.pdf")
    run_dir, manifest, figures = make_run(tmp_path, "en")
    other = PicklingExecutor()
    assemble.build_report(run_dir, manifest, lang="en", synthetic=True, figures_dir=figures, executor=other)
    assert other.ran == ["write_docx"]  # the document, pickled
    def text() -> str:  # without the time the report was made
        return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", "(made)", docx_text(run_dir / "report.docx"))

    there = text()
    pictures = len(zipfile.ZipFile(run_dir / "report.docx").namelist())
    assemble.build_report(run_dir, manifest, lang="en", synthetic=True, figures_dir=figures)
    assert text() == there and len(there) > 1000 and "(made)" in there
    assert len(zipfile.ZipFile(run_dir / "report.docx").namelist()) == pictures


def test_the_posters_printed_while_the_changes_are_written_are_the_posters(tmp_path):
    # The run begins its Printing before the report's last section exists: the posters
    # print at once. They are the posters build_report prints by itself.
    require_chromium("poster.pdf")
    run_dir, manifest, figures = make_run(tmp_path, "en")
    assemble.build_report(run_dir, manifest, lang="en", synthetic=True, figures_dir=figures)
    def printed(name: str) -> str:  # without the time the report was made
        return re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?(\+00:00| UTC)?", "(made)", pdf_text(run_dir / name)[1])

    alone = {name: printed(name) for name in ("poster.pdf", "poster-A1.pdf", "report.pdf")}
    for name in alone:
        (run_dir / name).unlink()
    with assemble.Printing(run_dir, manifest, lang="en", synthetic=True, figures_dir=figures) as printing:
        printing.posters.result()  # printed before there is a report to print
        assert (run_dir / "poster.pdf").is_file() and not (run_dir / "report.pdf").exists()
        assemble.build_report(run_dir, manifest, lang="en", synthetic=True, figures_dir=figures,
                              printing=printing)
    assert printing.browser is None  # closed by its owner, not by build_report
    assert {name: printed(name) for name in alone} == alone
    assert "(made)" in alone["report.pdf"]


def test_without_chromium_the_html_and_word_files_are_written_and_the_error_says_so(tmp_path, monkeypatch):
    run_dir, manifest, figures = make_run(tmp_path, "en")
    monkeypatch.setattr(pdf, "CHROMIUM", tmp_path / "no-chromium")
    with (assemble.Printing(run_dir, manifest, lang="en", synthetic=True, figures_dir=figures) as printing,
          pytest.raises(pdf.PdfError, match="ensure-chromium")):
        assemble.build_report(run_dir, manifest, lang="en", synthetic=True, figures_dir=figures,
                              printing=printing)
    assert (run_dir / "report.html").is_file() and (run_dir / "report.docx").is_file()
    assert not (run_dir / "report.pdf").exists() and not (run_dir / "poster.pdf").exists()
