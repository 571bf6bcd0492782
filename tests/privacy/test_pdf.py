"""PDFs through the gate: printed reports, figures, object streams, damaged and
hostile files, and the time budget.

The numbers are the messy fixture's people (tests/fixtures/messy_raw.py): Anna
Andersson 811218-9876, Bertil Berg 880229-2345, Cecilia Ceder 750615-3217.
"""

from __future__ import annotations

import subprocess
import sys
import unicodedata

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


# --- page text: PDFium, and pypdf where PDFium's cannot be trusted ------------------------

HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
PLANTED = "Anna Andersson 811218-9876 anna@example.se"
PLANTED_FOUND = [
    ("email", "page 1", "a***@***.se"),
    ("identity_number", "page 1", "811218-****"),
    ("name", "page 1", "A*** A********"),
]


def _stream(data: bytes, dictionary: bytes = b"") -> tuple[bytes, bytes]:
    return (b"<< %s /Length %d >>" % (dictionary, len(data)), data)


def hand_pdf(contents: list[bytes], *, font: bytes = HELVETICA, objects=(),
             boxes: bytes = b"/MediaBox [0 0 300 200]", resources: bytes = b"") -> bytes:
    """A PDF with one page per content stream, each with ``font`` as /F1, more
    ``resources`` and ``boxes``; ``objects`` (a dictionary, or a ``(dictionary,
    data)`` stream) are objects 3, 4, ..., for the font and resources to refer to."""
    body = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", *objects]
    kids = []
    for content in contents:
        kids.append(b"%d 0 R" % (len(body) + 1))
        body.append(b"<< /Type /Page /Parent 2 0 R %s /Contents %d 0 R /Resources << /Font << /F1 %s >> %s >> >>"
                    % (boxes, len(body) + 2, font, resources))
        body.append(_stream(content))
    body[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, item in enumerate(body, start=1):
        offsets.append(len(out))
        if isinstance(item, tuple):
            out += b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (number, *item)
        else:
            out += b"%d 0 obj\n%s\nendobj\n" % (number, item)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(body) + 1, xref)
    return bytes(out)


def _glyph_names_font(subtype: bytes) -> tuple[bytes, list, bytes]:
    """A font whose codes 33, 34, ... are the glyphs of PLANTED's characters by name
    (/Differences, no ToUnicode), and PLANTED in those codes."""
    names = {"A": "A", "n": "n", "a": "a", " ": "space", "d": "d", "e": "e", "r": "r", "s": "s",
             "o": "o", "8": "eight", "1": "one", "2": "two", "9": "nine", "7": "seven", "6": "six",
             "-": "hyphen", "@": "at", "x": "x", "m": "m", "p": "p", "l": "l", ".": "period"}
    chars = sorted(names)
    codes = {char: 33 + i for i, char in enumerate(chars)}
    encoding = (b"/Encoding << /Type /Encoding /Differences [33 %s] >>"
                % b" ".join(b"/" + names[char].encode() for char in chars))
    shown = bytes(codes[char] for char in PLANTED).replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    if subtype == b"Type1":
        return b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica %s >>" % encoding, [], shown
    # Type 3 (matplotlib's pdf.fonttype 3, here without the ToUnicode map it now writes):
    # every glyph is a box.
    procs = b"<< %s >>" % b" ".join(b"/%s 4 0 R" % names[char].encode() for char in chars)
    font = (b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 600 700] /FontMatrix [0.001 0 0 0.001 0 0] "
            b"/CharProcs 3 0 R %s /FirstChar 33 /LastChar %d /Widths [%s] >>"
            % (encoding, 32 + len(chars), b" ".join(b"600" for _ in chars)))
    return font, [procs, _stream(b"600 0 0 0 500 700 d1 50 0 400 700 re f")], shown


def _case(name: str) -> tuple[bytes, str | None]:
    """Case ``name``: a one-page PDF with PLANTED on it, and why pypdf reads its page
    (None: PDFium reads it)."""
    shown = PLANTED.encode()
    if name == "invisible":  # render mode 3, as an OCR layer: PDFium reads it
        return hand_pdf([b"BT 3 Tr /F1 12 Tf 20 100 Td (%s) Tj ET" % shown]), None
    if name == "outside-the-boxes":  # off the media box and the crop box
        return hand_pdf([b"BT /F1 12 Tf 20 100 Td (Hej) Tj ET BT /F1 12 Tf 400 700 Td (%s) Tj ET" % shown],
                        boxes=b"/MediaBox [0 0 300 200] /CropBox [10 10 200 150]"), None
    if name == "actual-text":  # PDFium would read "hidden" for the glyphs
        return hand_pdf([b"BT /F1 12 Tf 20 100 Td /Span << /ActualText (hidden) >> BDC (%s) Tj EMC ET"
                         % shown]), None
    if name in ("type1-glyph-names", "type3-glyph-names"):
        font, objects, codes = _glyph_names_font(b"Type1" if name.startswith("type1") else b"Type3")
        return (hand_pdf([b"BT /F1 12 Tf 20 100 Td (%s) Tj ET" % codes], font=font, objects=objects),
                None if name.startswith("type1") else "characters without a Unicode mapping")
    if name == "winansi":  # a standard encoding, no ToUnicode, Swedish letters
        return (hand_pdf([b"BT /F1 12 Tf 20 100 Td (\xc5sa \xd6berg %s) Tj ET" % shown],
                         font=b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"),
                None)
    if name == "cid-without-tounicode":  # two-byte codes, no ToUnicode: pypdf takes them as Unicode
        font = (b"<< /Type /Font /Subtype /Type0 /BaseFont /Arial /Encoding /Identity-H /DescendantFonts [3 0 R] >>")
        objects = [b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Arial /CIDSystemInfo "
                   b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 4 0 R >>",
                   b"<< /Type /FontDescriptor /FontName /Arial /Flags 32 /FontBBox [0 -200 1000 900] "
                   b"/ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>"]
        return (hand_pdf([b"BT /F1 12 Tf 20 100 Td <%s> Tj ET" % PLANTED.encode("utf-16-be").hex().encode()],
                         font=font, objects=objects), "characters without a Unicode mapping")
    if name == "rotated":  # a rotated label: PDFium would break it where its runs change
        return (hand_pdf([b"BT /F1 12 Tf 0 1 -1 0 100 10 Tm (Anna Andersson) Tj "
                          b"( 811218-9876) Tj ( anna@example.se) Tj ET"]), "text that is not upright")
    if name in ("in-a-form", "in-a-turned-form"):  # the text is in a form XObject the page draws
        xobject = _stream(b"BT /F1 12 Tf 20 100 Td (%s) Tj ET" % shown,
                          b"/Type /XObject /Subtype /Form /BBox [0 0 300 200] /Resources << /Font << /F1 %s >> >>"
                          % HELVETICA)
        turn = b"0 1 -1 0 250 0 cm " if name == "in-a-turned-form" else b""
        return (hand_pdf([b"q %s/X1 Do Q" % turn], objects=[xobject], resources=b"/XObject << /X1 3 0 R >>"),
                "text that is not upright" if turn else None)
    if name == "overlapping-runs":  # PDFium orders a line's text objects by x: "Anna anna@... Andersson"
        return (hand_pdf([b"BT /F1 10 Tf 20 100 Td (Anna ) Tj ET BT /F1 10 Tf 47 100 Td (Andersson ) Tj ET "
                          b"BT /F1 10 Tf 96 100 Td (811218-9876 ) Tj ET BT /F1 10 Tf 30 100 Td (anna@example.se) Tj ET"],
                         boxes=b"/MediaBox [0 0 400 200]"),
                "text PDFium reads out of the content's order")
    if name == "a-space-apart":  # a text object of one space has no outline: blank, PDFium reads on
        return hand_pdf([b"BT /F1 12 Tf 20 100 Td (%s) Tj ET BT /F1 12 Tf 20 50 Td ( ) Tj ET" % shown]), None
    if name == "repeated":  # PDFium drops a text object that repeats the one before it
        return (hand_pdf([b"BT /F1 12 Tf 20 100 Td (%s) Tj ET BT /F1 12 Tf 20.2 100 Td (%s) Tj ET" % (shown, shown)]),
                "a text object PDFium leaves out")
    # Text shrunk to nothing, beside a visible "Hej": PDFium leaves out a text object
    # without width; a flattened matrix is not upright either.
    shrunk, why = {"font-size-0": (b"0 Tf", "a text object PDFium leaves out"),
                   "font-size-0.001": (b"0.001 Tf", None),  # tiny, not nothing: PDFium reads it
                   "scaling-0": (b"12 Tf 0 Tz", "text that is not upright"),
                   "flat-matrix": (b"12 Tf 1 0 0 0 20 50 Tm", "text that is not upright")}[name]
    return hand_pdf([b"BT /F1 12 Tf 20 100 Td (Hej) Tj ET BT /F1 %s 20 50 Td (%s) Tj ET" % (shrunk, shown)]), why


CASES = ["invisible", "outside-the-boxes", "actual-text", "type1-glyph-names", "type3-glyph-names",
         "winansi", "cid-without-tounicode", "rotated", "overlapping-runs", "in-a-form", "in-a-turned-form", "a-space-apart", "repeated",
         "font-size-0",
         "font-size-0.001", "scaling-0", "flat-matrix"]


@pytest.mark.parametrize("name", CASES)
def test_each_page_is_read_by_pdfium_or_else_by_pypdf(tmp_path, name):
    data, why = _case(name)
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    text = pdf.pdf_text(path)
    assert text.pypdf_pages == ([] if why is None else [("page 1", why)])
    [(location, page)] = text.pieces
    assert location == "page 1" and PLANTED in " ".join(page.split())


def test_what_pypdf_read_on_those_pages_the_gate_finds(tmp_path):
    for name in CASES:
        (tmp_path / f"{name}.pdf").write_bytes(_case(name)[0])
    findings = privacy.scan([tmp_path], names=NAMES)
    by_file = {name: sorted({(f.kind, f.location, f.excerpt) for f in findings if f.file.endswith(f"/{name}.pdf")})
               for name in CASES}
    # pypdf reads the repeated text twice, run together: "...example.seAnna Andersson"
    assert set(by_file.pop("repeated")) > set(PLANTED_FOUND)
    assert by_file == dict.fromkeys(by_file, PLANTED_FOUND)


@pytest.mark.parametrize(
    "content",
    [
        b"BT /F1 12 Tf 20 100 Td [" + b"(a) " * 100 + b"\nET\nBT 20 50 Td (%s) Tj ET",  # an array left open
        b"BT /F1 12 Tf 20 100 Td (abc Tj ET\nBT /F1 12 Tf 20 50 Td (%s) Tj ET",  # a string left open
        b"BI /W 1 /H 1 /BPC 8 /CS /G ID \x00\x00 \nBT /F1 12 Tf 20 50 Td (%s) Tj ET",  # an image without EI
    ],
    ids=["array", "string", "inline-image"],
)
def test_a_stream_pdfium_gives_up_on_goes_to_pypdf_and_its_raw_scan(tmp_path, content):
    # PDFium reads no text object there, and no text; pypdf fails on the page, so
    # the raw scan reads the file (as before PDFium).
    path = tmp_path / "broken.pdf"
    path.write_bytes(hand_pdf([content % PLANTED.encode()]))
    text = pdf.pdf_text(path)
    assert text.pypdf_pages == [("page 1", "text-showing operators without a PDFium text object")]
    assert text.fallback.startswith("pypdf failed on page 1 (")
    assert found(privacy.scan([path], names=NAMES)) == [
        (kind, "stream 1 (raw)", excerpt) for kind, _, excerpt in PLANTED_FOUND]


def _tounicode_pdf(pages: int = 3) -> bytes:
    """``pages`` pages in a font whose codes are not ASCII (each character's code is
    its ASCII code plus 128, less 128 above that; "ff" is one code) and whose
    ToUnicode map says what they are: the way Chromium and most producers write
    text. Lines, kerning in TJ arrays, a word broken at a line end, å ä ö."""
    alphabet = [chr(c) for c in range(32, 127)] + ["å", "ä", "ö", "Å", "Ö", "ff"]
    codes = {char: 128 + i if 128 + i < 256 else i for i, char in enumerate(alphabet)}
    mapping = b"\n".join(b"<%02X> <%s>" % (code, char.encode("utf-16-be").hex().upper().encode())
                         for char, code in codes.items())
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Hand def "
            b"1 begincodespacerange <00> <FF> endcodespacerange\n%d beginbfchar\n%s\nendbfchar\n"
            b"endcmap CMapName currentdict /CMap defineresource pop end end" % (len(codes), mapping))

    def encode(text: str) -> bytes:
        out, i = bytearray(), 0
        while i < len(text):
            char = "ff" if text.startswith("ff", i) else text[i]
            out.append(codes[char])
            i += len(char)
        return bytes(out).replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    contents = []
    for n in range(1, pages + 1):
        lines = [
            f"Sida {n}: Intervju med Staffan Ekdahl",
            f"Kontakt {n}: anna.andersson@example.se, 811218-987{n}",
            "Elever på lärcentrum i Söderhamn och Åre",
            "Ett ord som bryts vid rad-",
            "slutet, och tal: 12,5 % (n = 119).",
        ]
        ops = [b"BT /F1 11 Tf 14 TL 20 180 Td"]
        for k, line in enumerate(lines):
            if k == 1:  # a TJ array with kerning inside words
                head, tail = line[:10], line[10:]
                ops.append(b"[(%s) -40 (%s)] TJ T*" % (encode(head), encode(tail)))
            else:
                ops.append(b"(%s) Tj T*" % encode(line))
        ops.append(b"ET")
        contents.append(b"\n".join(ops))
    return hand_pdf(contents, font=b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 3 0 R >>",
                    objects=[_stream(cmap)], boxes=b"/MediaBox [0 0 420 200]")


def _words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def test_pdfium_and_pypdf_read_a_tounicode_font_alike(tmp_path):
    import pypdfium2

    path = tmp_path / "report.pdf"
    path.write_bytes(_tounicode_pdf())
    reader = PdfReader(path)
    with pypdfium2.PdfDocument(path.read_bytes()) as document:
        for index, page in enumerate(reader.pages):
            found, why = pdf.pdfium_page_text(document, index, page)
            assert (why, _words(found)) == ("", _words(page.extract_text()))
    text = pdf.pdf_text(path)
    assert text.pypdf_pages == []
    assert "Staffan Ekdahl" in text.pieces[0][1] and "811218-9873" in text.pieces[2][1]
    assert "rad-\nslutet" in text.pieces[0][1]  # the hyphen PDFium takes out is put back


@pytest.mark.slow  # a report printed by the real Chromium
def test_pdfium_and_pypdf_read_a_chromium_printed_report_alike(tmp_path):
    require_chromium("the PDFium-and-pypdf test")
    paragraph = ("<p>Staffan Ekdahl (811218-9876, staffan.ekdahl@example.se) leder effektutvärderingen "
                 "of the first office; different efforts affect the official figures.</p>")
    path = chromium_pdf(
        "<!doctype html><html lang='sv'><body>"
        + "".join(f"<h2>Avsnitt {n}</h2>" + paragraph * 12 + "<table><tr><td>Åsa</td><td>12,5 %</td></tr></table>"
                  for n in range(6))
        + "</body></html>",
        tmp_path / "report.pdf",
    )
    reader = PdfReader(path)
    assert len(reader.pages) > 1
    text = pdf.pdf_text(path)
    assert text.pypdf_pages == []  # every page read by PDFium (ligatures carry /ActualText)
    pages = [piece for location, piece in text.pieces if location.startswith("page ")]
    assert [_words(piece) for piece in pages] == [_words(page.extract_text()) for page in reader.pages]


def test_a_page_pdfium_fails_on_is_read_by_pypdf(tmp_path, monkeypatch):
    path = tmp_path / "report.pdf"
    path.write_bytes(_tounicode_pdf())
    before = pdf.pdf_text(path)
    reading, pages = pdf._pdfium_text, []

    def failing(page, pypdf_page):
        pages.append(page)
        if len(pages) == 2:
            raise RuntimeError("PDFium fails")
        return reading(page, pypdf_page)

    monkeypatch.setattr(pdf, "_pdfium_text", failing)
    after = pdf.pdf_text(path)
    assert after.pypdf_pages == [("page 2", "PDFium failed on the page (RuntimeError)")]
    assert [(location, _words(piece)) for location, piece in after.pieces] == [
        (location, _words(piece)) for location, piece in before.pieces]
    assert after.pieces[1] == ("page 2", unicodedata.normalize("NFKC", PdfReader(path).pages[1].extract_text()))


def test_a_file_pdfium_cannot_open_is_read_by_pypdf(tmp_path, monkeypatch):
    import pypdfium2

    path = tmp_path / "report.pdf"
    path.write_bytes(_tounicode_pdf())
    before = pdf.pdf_text(path)

    def cannot(data):
        raise pypdfium2.PdfiumError("PDFium cannot open it")

    monkeypatch.setattr(pypdfium2, "PdfDocument", cannot)
    after = pdf.pdf_text(path)
    assert after.pypdf_pages == [(f"page {n}", "PDFium cannot open the file") for n in (1, 2, 3)]
    assert [(location, _words(piece)) for location, piece in after.pieces] == [
        (location, _words(piece)) for location, piece in before.pieces]
