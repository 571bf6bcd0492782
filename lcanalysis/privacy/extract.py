"""File formats -> text pieces: what the gate reads in each kind of file.

Each reader yields ``(location, text)`` pieces; :mod:`lcanalysis.privacy.rules`
decides what in them is a finding. What is read: text files line by line (CSV,
Markdown, JSON, logs, HTML and SVG with entities decoded, embedded base64 images
decoded), notebook sources and outputs (images in outputs too), PNG text chunks
(tEXt, zTXt, iTXt), PDFs (:mod:`lcanalysis.privacy.pdf`), the XML inside
XLSX/DOCX/PPTX (cells by reference), and every Parquet cell (each distinct value
once). A reader raises :class:`Unreadable` (or a parsing error) for what it cannot
read; the gate reports that as a finding.
"""

from __future__ import annotations

import base64
import html
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

__all__ = ["PATTERNS", "Unreadable", "notebook_pieces", "pieces", "png_chunks"]

TEXT_SUFFIXES = frozenset(
    {".csv", ".tsv", ".txt", ".md", ".json", ".log", ".html", ".htm", ".svg", ".xml", ".tex",
     ".yaml", ".yml"}
)
ZIP_XML_SUFFIXES = frozenset({".xlsx", ".docx", ".pptx"})
MARKUP_SUFFIXES = frozenset({".html", ".htm", ".svg", ".xml"})


class Unreadable(Exception):
    """A file, or a part of it, that the gate cannot read (the reason is the message)."""


# "data:image/...;base64," then one possessive run of base64 characters: each URI is
# read once, front to back.
DATA_URI = re.compile(r"data:image/(png|svg\+xml|jpeg|gif);base64,([A-Za-z0-9+/=]++)")
_WORKSHEET = re.compile(r"xl/worksheets/sheet\d+\.xml")

PATTERNS = {"data_uri": DATA_URI, "worksheet_name": _WORKSHEET}
"""The patterns the readers apply (worksheet_name to zip member names only)."""


def text_lines(path: Path) -> Iterator[tuple[str, str]]:
    """Lines of a text file; in markup, embedded images (base64 data URIs) are decoded
    and their own text (PNG text chunks, SVG text) is scanned instead of the base64,
    whose random letters and digits can look like an identity number."""
    markup = path.suffix.lower() in MARKUP_SUFFIXES
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            if not markup:
                yield f"line {number}", line
                continue
            for found in DATA_URI.finditer(line):
                data = base64.b64decode(found.group(2) + "=" * (-len(found.group(2)) % 4))
                if found.group(1) == "png":
                    for chunk, text in png_chunks(data):
                        yield f"line {number} image {chunk}", text
                elif found.group(1) == "svg+xml":
                    yield f"line {number} image", html.unescape(data.decode("utf-8", "replace"))
            yield f"line {number}", html.unescape(DATA_URI.sub("data:image", line))


def png_chunks(data: bytes) -> Iterator[tuple[str, str]]:
    """Text of a PNG's tEXt, zTXt and iTXt chunks (PNG spec 11.3.4)."""
    position = 8
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        keyword, _, rest = body.partition(b"\0")
        label = f"chunk {kind.decode('latin-1')} {keyword.decode('latin-1')}"
        try:
            if kind == b"tEXt":
                yield label, rest.decode("latin-1")
            elif kind == b"zTXt":
                yield label, zlib.decompress(rest[1:]).decode("latin-1")
            elif kind == b"iTXt":
                compressed, text = rest[0], rest[2:]
                text = text.split(b"\0", 2)[-1]
                yield (
                    label,
                    (zlib.decompress(text) if compressed else text).decode("utf-8", "replace"),
                )
        except (zlib.error, IndexError):
            yield label, rest.decode("latin-1")


_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _xlsx_cells(book: zipfile.ZipFile) -> Iterator[tuple[str, str]]:
    """Every cell of every sheet as ``Sheet!A1``, shared strings resolved."""
    shared: list[str] = []
    if "xl/sharedStrings.xml" in book.namelist():
        root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
        shared = [
            "".join(t.text or "" for t in si.iter(f"{_SHEET_NS}t"))
            for si in root.iter(f"{_SHEET_NS}si")
        ]
    titles = _sheet_titles(book)
    for name in sorted(n for n in book.namelist() if _WORKSHEET.fullmatch(n)):
        sheet = titles.get(name, Path(name).stem)
        for cell in ElementTree.fromstring(book.read(name)).iter(f"{_SHEET_NS}c"):
            ref = cell.get("r", "?")
            formula = cell.find(f"{_SHEET_NS}f")
            if formula is not None and formula.text:
                yield f"{sheet}!{ref} (formula)", formula.text
            value = cell.find(f"{_SHEET_NS}v")
            if cell.get("t") == "s" and value is not None and value.text is not None:
                index = int(value.text)
                yield f"{sheet}!{ref}", shared[index] if index < len(shared) else ""
            elif cell.get("t") == "inlineStr":
                yield f"{sheet}!{ref}", "".join(t.text or "" for t in cell.iter(f"{_SHEET_NS}t"))
            elif value is not None and value.text:
                yield f"{sheet}!{ref}", value.text


def _sheet_titles(book: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> sheet title, via workbook.xml and its relationships."""
    try:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return {}
    targets = {
        r.get("Id"): "xl/" + r.get("Target", "").lstrip("/").removeprefix("xl/") for r in rels
    }
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    return {
        targets.get(s.get(rel), ""): s.get("name", "") for s in workbook.iter(f"{_SHEET_NS}sheet")
    }


def _zip_pieces(path: Path) -> Iterator[tuple[str, str]]:
    with zipfile.ZipFile(path) as book:
        if path.suffix.lower() == ".xlsx":
            yield from _xlsx_cells(book)
        for name in book.namelist():
            if name.endswith(".xml") and not name.startswith("xl/"):
                text = "".join(ElementTree.fromstring(book.read(name)).itertext())
                yield name, text


def notebook_pieces(path: Path) -> Iterator[tuple[str, str, bool]]:
    """(location, text, is_output) of every source, output and image in a notebook."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for c, cell in enumerate(notebook.get("cells", []), start=1):
        source = cell.get("source", "")
        yield f"cell {c} source", "".join(source) if isinstance(source, list) else source, False
        for o, output in enumerate(cell.get("outputs", []), start=1):
            where = f"cell {c} output {o}"
            texts = [output.get("text", ""), output.get("traceback", []), output.get("evalue", "")]
            for mime, value in output.get("data", {}).items():
                if mime == "image/png":
                    for chunk, text in png_chunks(base64.b64decode("".join(value))):
                        yield f"{where} {chunk}", text, True
                elif mime.startswith("image/") and not mime.endswith("svg+xml"):
                    continue
                else:
                    texts.append(value if isinstance(value, (str, list)) else json.dumps(value))
            joined = "\n".join("".join(t) if isinstance(t, list) else t for t in texts)
            yield where, html.unescape(joined), True


def _parquet_pieces(path: Path) -> Iterator[tuple[str, str]]:
    """Each distinct value of each column (as text), located by its first row."""
    import polars as pl

    frame = pl.read_parquet(path)
    for column in frame.columns:
        yield f"column {column!r} header", column
        # First row of each distinct value in one pass (a lookup per value would be
        # quadratic on a column of pseudonyms).
        firsts = (
            frame.select(pl.col(column).cast(pl.String, strict=False).alias("value"))
            .with_row_index("row")
            .drop_nulls("value")
            .group_by("value", maintain_order=True)
            .agg(pl.col("row").first())
        )
        for value, row in firsts.iter_rows():
            yield f"column {column!r} row {row + 1}", value


def _looks_like_text(path: Path) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(65536)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start > len(head) - 4 and b"\0" not in head
    return b"\0" not in head


def pieces(path: Path) -> Iterator[tuple[str, str]]:
    """The ``(location, text)`` pieces of any file but a notebook (:func:`notebook_pieces`)
    and a PDF (:func:`lcanalysis.privacy.pdf.pdf_pieces`, read in a worker process).

    Raises
    ------
    Unreadable
        For a kind of file the gate does not read (neither a known format nor text).
    """
    suffix = path.suffix.lower()
    if suffix == ".png":
        yield from png_chunks(path.read_bytes())
    elif suffix in ZIP_XML_SUFFIXES:
        yield from _zip_pieces(path)
    elif suffix == ".parquet":
        yield from _parquet_pieces(path)
    elif suffix in TEXT_SUFFIXES or _looks_like_text(path):
        yield from text_lines(path)
    else:
        raise Unreadable(f"the gate cannot read {suffix or 'this'} files")
