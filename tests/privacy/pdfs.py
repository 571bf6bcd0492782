"""PDFs for the gate's tests, made the way real ones are: Chromium's print-to-PDF,
matplotlib, pypdf, and by hand where a layout must be exact (object streams, a
damaged file, a content stream that never closes its array)."""

from __future__ import annotations

import subprocess
import zlib
from pathlib import Path

from lcanalysis.report.pdf import CHROMIUM


def chromium_pdf(html: str, out: Path) -> Path:
    """``html`` printed to ``out`` by headless Chromium, as the report's PDF is made."""
    page = out.with_suffix(".html")
    page.write_text(html, encoding="utf-8")
    subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--no-pdf-header-footer", f"--print-to-pdf={out}", page.as_uri()],
        check=True, capture_output=True, timeout=180,
    )
    page.unlink()
    return out


def _object(number: int, dictionary: bytes, stream: bytes | None = None) -> bytes:
    if stream is None:
        return b"%d 0 obj\n%s\nendobj\n" % (number, dictionary)
    return b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (number, dictionary, stream)


def object_stream_pdf(*, author: str, note: str, field_value: str, shown: str) -> bytes:
    """A one-page PDF 1.5 whose catalogue, pages, Info dictionary (``/Author``), a
    text annotation (``/Contents``) and a text form field (``/V``) are stored in a
    Flate-compressed object stream, indexed by a cross-reference stream (no classic
    xref table): the layout of Word, LibreOffice and Acrobat saves. The page shows
    ``shown`` in Helvetica."""
    packed = {
        1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [9 0 R] >> >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
           b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> "
           b"/Annots [6 0 R 9 0 R] >>",
        5: b"<< /Author (" + author.encode("latin-1") + b") /Producer (hand) >>",
        6: b"<< /Type /Annot /Subtype /Text /Rect [10 10 30 30] /Contents ("
           + note.encode("latin-1") + b") >>",
        9: b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (respondent) /Rect [40 10 140 30] "
           b"/P 3 0 R /V (" + field_value.encode("latin-1") + b") >>",
    }
    body, index = b"", []
    for number, text in packed.items():
        index.append(b"%d %d" % (number, len(body)))
        body += text + b"\n"
    header = b" ".join(index) + b"\n"
    objstm = zlib.compress(header + body)
    content = b"BT /F1 12 Tf 20 100 Td (" + shown.encode("latin-1") + b") Tj ET"

    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {4: len(out)}
    out += _object(4, b"<< /Length %d >>" % len(content), content)
    offsets[7] = len(out)
    out += _object(7, b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>"
                   % (len(packed), len(header), len(objstm)), objstm)
    offsets[8] = len(out)
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    order = list(packed)
    for number in range(1, 10):
        if number in packed:
            rows.append(b"\x02" + (7).to_bytes(4, "big") + order.index(number).to_bytes(2, "big"))
        else:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00")
    xref = zlib.compress(b"".join(rows))
    out += _object(8, b"<< /Type /XRef /Size 10 /W [1 4 2] /Root 1 0 R /Info 5 0 R "
                   b"/Filter /FlateDecode /Length %d >>" % len(xref), xref)
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[8]
    return bytes(out)


def content_stream_pdf(content: bytes) -> bytes:
    """A valid one-page PDF (classic xref table) whose page content stream is ``content``."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, dictionary in enumerate(objects, start=1):
        offsets.append(len(out))
        out += _object(number, dictionary)
    offsets.append(len(out))
    out += _object(4, b"<< /Length %d >>" % len(content), content)
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n"
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
