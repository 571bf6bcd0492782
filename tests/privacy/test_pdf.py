"""PDFs through the gate: printed reports, figures, object streams, damaged and
hostile files, and the time budget.

The numbers are the messy fixture's people (tests/fixtures/messy_raw.py): Anna
Andersson 811218-9876, Bertil Berg 880229-2345, Cecilia Ceder 750615-3217.
"""

from __future__ import annotations

import subprocess
import sys

import matplotlib
import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText, Link
from pypdf.xmp import XmpInformation

from lcanalysis import privacy
from lcanalysis.privacy import pdf, scanner
from tests.fixtures.chromium import require_chromium
from tests.privacy.pdfs import chromium_pdf, content_stream_pdf, object_stream_pdf

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NAMES = {"Anna Andersson", "Staffan Ekdahl"}


def found(findings) -> list[tuple[str, str, str]]:
    return sorted((f.kind, f.location, f.excerpt) for f in findings)


@pytest.mark.slow  # end to end: a report printed by the real Chromium
def test_a_chromium_printed_report_text_info_and_xmp(tmp_path):
    require_chromium("the printed-report test")
    path = chromium_pdf(
        "<!doctype html><html lang='sv'><body><h1>Effect</h1>"
        "<p>Citat från Anna Andersson (811218-9876) om kursen.</p>"
        "<p>Intervju: Staffan Ekdahl</p></body></html>",
        tmp_path / "report.pdf",
    )
    writer = PdfWriter(clone_from=path)
    writer.add_metadata({"/Author": "880229-2345"})
    xmp = XmpInformation.create()
    xmp.dc_creator = ["19750615-3217"]
    writer.xmp_metadata = xmp
    writer.write(path)
    assert "Chrome" in PdfReader(path).metadata["/Creator"]

    assert found(privacy.scan([path], names=NAMES)) == [
        ("identity_number", "Info /Author", "880229-****"),
        ("identity_number", "XMP", "19750615-****"),
        ("identity_number", "page 1", "811218-****"),
        ("name", "page 1", "A*** A********"),
        # Chromium sets "ff" as a ligature glyph; the text is NFKC-normalised.
        ("name", "page 1", "S****** E*****"),
    ]


def test_a_long_bracket_run_without_tj_is_read_in_one_pass(tmp_path):
    # An array of 100,000 strings that never closes: the old pattern
    # \[((?:<literal>|[^\]])*)\]\s*TJ could split it 2**100000 ways. Scanned within
    # the default budget, or the gate would report the file as unscanned.
    path = tmp_path / "open.pdf"
    path.write_bytes(content_stream_pdf(
        b"BT /F1 12 Tf 20 100 Td [" + b"(a) " * 100_000 + b"\nET\nBT 20 50 Td (811218-9876) Tj ET"
    ))
    assert [(f.kind, f.excerpt) for f in privacy.scan([path], names=NAMES)] == [
        ("identity_number", "811218-****")
    ]


def test_objects_in_a_compressed_object_stream_are_read(tmp_path):
    path = tmp_path / "saved.pdf"
    path.write_bytes(object_stream_pdf(
        author="pnr 811218-9876", note="mail anna.andersson@example.se",
        field_value="19880229-2345", shown="Bertil 750615-3217",
    ))
    assert found(privacy.scan([path], names=NAMES)) == [
        ("email", "page 1 annotation 1 /Contents", "a***@***.se"),
        ("identity_number", "Info /Author", "811218-****"),
        ("identity_number", "form field 1 /V", "19880229-****"),
        ("identity_number", "page 1", "750615-****"),
    ]


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        # cut before the cross-reference table and trailer: pypdf cannot open it
        (lambda data: data[: data.index(b"xref")], "pypdf cannot open it (PdfStreamError)"),
        # the page tree's array never closes: pypdf repairs the tree to no pages
        (lambda data: data.replace(b"/Kids [3 0 R]", b"/Kids [3 0 R"), "pypdf finds no pages"),
    ],
    ids=["truncated", "broken-page-tree"],
)
def test_a_pdf_pypdf_cannot_read_is_read_from_its_raw_streams(tmp_path, damage, why):
    # The raw scan inflates the content stream and joins the pieces of the TJ array.
    path = tmp_path / "damaged.pdf"
    path.write_bytes(damage(content_stream_pdf(
        b"BT /F1 12 Tf 20 100 Td [(8112) -20 (18-9876)] TJ ET")))
    assert pdf.pdf_text(path).fallback == why
    assert found(privacy.scan([path], names=NAMES)) == [
        ("identity_number", "stream 1 (raw)", "811218-****")
    ]


def test_annotations_and_link_targets(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    path = tmp_path / "fig.pdf"
    fig.savefig(path)
    plt.close(fig)
    writer = PdfWriter(clone_from=path)
    writer.add_annotation(0, FreeText(text="Fråga Anna Andersson", rect=(50, 50, 200, 80)))
    writer.add_annotation(0, Link(rect=(50, 100, 200, 120), url="mailto:anna@example.se"))
    writer.write(path)
    assert found(privacy.scan([path], names=NAMES)) == [
        ("email", "page 1 annotation 2 /URI", "a***@***.se"),
        ("name", "page 1 annotation 1 /Contents", "A*** A********"),
    ]


def test_an_encrypted_pdf_is_a_finding(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("secret", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    writer.write(path)
    assert found(privacy.scan([path], names=NAMES)) == [
        ("unscanned", "whole file", "encrypted with a password")
    ]


def test_a_file_over_its_time_budget_is_a_finding(tmp_path):
    figure = tmp_path / "fig.pdf"
    figure.write_bytes(content_stream_pdf(b"BT /F1 12 Tf 20 100 Td (ok) Tj ET"))
    notes = tmp_path / "notes.md"
    notes.write_text("nothing here\n", encoding="utf-8")
    findings = privacy.scan([tmp_path], names=NAMES, budget=privacy.TimeBudget(0, 0))
    assert [(f.file.rsplit("/", 1)[-1], f.kind, f.location) for f in findings] == [
        ("fig.pdf", "unscanned", "whole file"),
        ("notes.md", "unscanned", "whole file"),
    ]
    assert str(findings[0]).endswith(
        "could not be scanned in 0 s of CPU time (the gate's time budget per file): "
        "what was not read is not known to be safe")


def test_the_budget_grows_with_the_file():
    assert privacy.DEFAULT_BUDGET.of(0) == 30
    assert privacy.DEFAULT_BUDGET.of(2 * 2**20) == 60
    assert privacy.TimeBudget(5, 0).of(10**9) == 5


def test_the_pdf_worker_is_replaced_after_a_file_runs_out_of_time(tmp_path):
    path = tmp_path / "fig.pdf"
    path.write_bytes(content_stream_pdf(b"BT /F1 12 Tf 20 100 Td (811218-9876) Tj ET"))
    worker = scanner.PdfWorker()
    try:
        with pytest.raises(scanner.OutOfTime):
            worker.read(path, 0)  # no time at all: killed
        text, used = worker.read(path, 300)
        assert text.pieces == [("page 1", "811218-9876")] and 0 < used < 300
    finally:
        worker.close()


def test_a_pdf_the_worker_cannot_open_is_a_finding(tmp_path):
    # The error comes back from the worker process and the worker stays usable.
    worker = scanner.PdfWorker()
    try:
        with pytest.raises(FileNotFoundError):
            worker.read(tmp_path / "gone.pdf", 300)
        path = tmp_path / "fig.pdf"
        path.write_bytes(content_stream_pdf(b"BT /F1 12 Tf 20 100 Td (ok) Tj ET"))
        assert worker.read(path, 300)[0].pieces == [("page 1", "ok")]
    finally:
        worker.close()


def test_a_script_without_a_main_guard_gets_a_finding_not_a_hang(tmp_path):
    # The worker is started with "spawn", which imports the caller's main module: an
    # unguarded script makes the worker fail at start. The gate says so at once.
    path = tmp_path / "fig.pdf"
    path.write_bytes(content_stream_pdf(b"BT /F1 12 Tf 20 100 Td (ok) Tj ET"))
    script = tmp_path / "unguarded.py"
    script.write_text(
        "from lcanalysis import privacy\n"
        f"print([f.excerpt for f in privacy.scan([{str(path)!r}], names=set())])\n",
        encoding="utf-8",
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            timeout=600, cwd=tmp_path)
    assert "the PDF reader process stopped (exit code 1)" in result.stdout.splitlines()[-1]


def _many_pages(path, pages=5):
    """A PDF of ``pages`` pages, each with its own text (a number on page 2, a name
    on page 4), an Info author, a link on page 3, an outline and an attachment: every
    part pdf_text reads."""
    writer = PdfWriter()
    texts = {2: b"811218-9876", 4: b"Anna Andersson"}
    for n in range(1, pages + 1):
        one = path.with_name(f"page-{n}.pdf")
        one.write_bytes(content_stream_pdf(b"BT /F1 12 Tf 20 100 Td (%s) Tj ET" % texts.get(n, b"page %d" % n)))
        writer.append(str(one))
    writer.add_metadata({"/Author": "880229-2345"})
    writer.add_annotation(2, Link(rect=(50, 100, 200, 120), url="mailto:anna@example.se"))
    writer.add_outline_item(title="Staffan Ekdahl", page_number=4)
    writer.add_attachment("notes.txt", b"ring 750615-3217")
    writer.write(path)
    return path


@pytest.mark.parametrize("shares", [2, 3, 7])
def test_the_shares_of_a_pdf_joined_are_the_whole_file(tmp_path, shares):
    path = _many_pages(tmp_path / "report.pdf")
    whole = pdf.pdf_text(path)
    parts = [pdf.pdf_text(path, (i, shares)) for i in range(shares)]
    assert [location for location, _ in whole.pieces] == [
        "Info /Producer", "Info /Author", "page 1", "page 2", "page 3", "page 3 annotation 1 /URI", "page 4",
        "page 5", "outline", "attachment 1 name", "attachment 1"]
    assert pdf.joined(parts).pieces == whole.pieces
    pages = [[loc for loc, _ in part.pieces if loc.split()[0] == "page" and len(loc.split()) == 2] for part in parts]
    assert sorted(sum(pages, [])) == [f"page {n}" for n in range(1, 6)]  # each page read by one share
    if shares == 2:
        assert pages == [["page 1", "page 2"], ["page 3", "page 4", "page 5"]]


def test_a_large_pdf_is_read_by_two_workers_with_the_findings_of_one(tmp_path, monkeypatch):
    path = _many_pages(tmp_path / "report.pdf")
    one = privacy.scan([path], names=NAMES)
    monkeypatch.setattr(scanner, "SHARED_PDF_BYTES", 0)
    readers = scanner.PdfReaders()
    try:
        text, used = readers.read(path, 300)
        assert text.pieces == pdf.pdf_text(path).pieces and used > 0
        assert all(w._process is not None for w in readers.workers)  # both read
    finally:
        readers.close()
    assert found(privacy.scan([path], names=NAMES)) == found(one) == [
        ("email", "page 3 annotation 1 /URI", "a***@***.se"),
        ("identity_number", "Info /Author", "880229-****"),
        ("identity_number", "attachment 1", "750615-****"),
        ("identity_number", "page 2", "811218-****"),
        ("name", "outline", "S****** E*****"),
        ("name", "page 4", "A*** A********"),
    ]


def test_a_large_pdf_pypdf_cannot_read_is_read_whole_from_its_raw_streams(tmp_path, monkeypatch):
    # Each half would fall back to the raw scan of the whole file: read once, by one.
    path = tmp_path / "damaged.pdf"
    data = content_stream_pdf(b"BT /F1 12 Tf 20 100 Td [(8112) -20 (18-9876)] TJ ET")
    path.write_bytes(data[: data.index(b"xref")])
    monkeypatch.setattr(scanner, "SHARED_PDF_BYTES", 0)
    assert found(privacy.scan([path], names=NAMES)) == [("identity_number", "stream 1 (raw)", "811218-****")]
