"""PDF -> text pieces: pypdf reads the document; a linear scan of the raw streams
takes over where it cannot.

With pypdf (:func:`pdf_text`): the text of every page (fonts with a ToUnicode map,
standard encodings and Type 3 glyph names: what Chromium's print-to-PDF and
matplotlib write), the Info dictionary, the XMP metadata stream, the annotations of
each page (contents, titles, link targets), form fields (names, values, tooltips,
choices), the outline and embedded files. pypdf follows cross-reference streams and
compressed object streams, so objects stored there are read too. Text is NFKC
normalised: typesetting writes ligatures (``ﬀ`` for ``ff``), which would hide a
name.

When pypdf cannot open the file, or fails on a part of it, :func:`raw_pieces` reads
the file as bytes: every ``stream ... endstream`` body (inflated when it is
Flate-compressed, bounded by :data:`MAX_INFLATED_BYTES`) and the object text between
them, and takes the PDF strings out of each (``(literal)`` and ``<hex>``), joining the
pieces of one ``TJ`` array. It is one pass with patterns that never backtrack over
what they have read, so its time is linear in the file's size. It cannot decode
glyph ids of embedded fonts (Chromium's text), which only pypdf can map to Unicode.

This module runs in the gate's worker process (:mod:`lcanalysis.privacy.scanner`),
which is killed when a file's time budget runs out; it imports neither polars nor
the rules.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["MAX_INFLATED_BYTES", "PATTERNS", "PdfText", "joined", "pdf_text", "raw_pieces"]

MAX_INFLATED_BYTES = 256 * 2**20
"""A stream that inflates to more than this is not read further (and is reported)."""

_INFLATE_CHUNK = 1 << 16

# A literal string, or a hex string. Inside a literal: runs of ordinary bytes,
# escapes, balanced parentheses one level deep ("(a (b) c)"), or else a lone "(" or
# backslash; it ends at its ")" or at the end of the data. So a literal that is once
# opened always matches, and the scan goes on after it: an unclosed "(" is never
# read again from each position inside it (which would be quadratic). Every repeat
# is possessive.
STRING = re.compile(
    rb"\((?:[^()\\]++|\\.|\((?:[^()\\]++|\\.)*+\)|[(\\])*+(?:\)|\Z)|<[0-9A-Fa-f\s]*+>",
    re.DOTALL,
)
# What lies between the strings of one TJ array: kerning numbers and the brackets.
KERNING = re.compile(rb"[\s0-9.+\-\[\]]*+")
STREAM_START = re.compile(rb"stream\r?\n")
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.DOTALL)
_SPACE = re.compile(rb"\s++")

PATTERNS = {"pdf_string": STRING, "pdf_kerning": KERNING, "pdf_stream_start": STREAM_START,
            "pdf_escape": _ESCAPE, "pdf_space": _SPACE}
"""The patterns of the raw scan, by name."""

_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_ANNOTATION_KEYS = ("/Contents", "/T", "/Subj", "/RC", "/NM")
_FIELD_KEYS = ("/T", "/TU", "/TM", "/V", "/DV", "/Opt")


@dataclass
class PdfText:
    """What a PDF holds as text: ``(location, text)`` pieces, and ``(location, reason)``
    for each part that could not be read."""

    pieces: list[tuple[str, str]] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    fallback: str | None = None
    """Why the raw scan was used, when it was (its pieces say ``(raw)``)."""

    def add(self, location: str, text: str) -> None:
        if text:
            self.pieces.append((location, unicodedata.normalize("NFKC", text)))


# --- with pypdf --------------------------------------------------------------------------


def pdf_text(path: str | Path, share: tuple[int, int] = (0, 1)) -> PdfText:
    """The text pieces of the PDF at ``path`` (see the module's description).

    Locations: ``Info /Author``, ``XMP``, ``page 3``, ``page 3 annotation 2 /Contents``,
    ``page 3 annotation 2 /URI``, ``form field 4 /V``, ``outline``, ``attachment 1``;
    from the raw scan ``stream 12 (raw)``, ``objects (raw)``.

    ``share`` ``(i, n)``: the ``i``-th of ``n`` readers of one file, which reads the
    ``i``-th of ``n`` consecutive runs of its pages; the first also reads the Info and
    XMP, the last the form fields, outline and attachments. The shares' pieces, one
    after the other, are the whole file's, in its order (:func:`joined`). A share
    that could not read everything says so (``fallback`` or ``unreadable``): its
    caller then reads the whole file in one share.
    """
    from pypdf import PdfReader

    data = Path(path).read_bytes()
    text = PdfText()
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            text.unreadable.append(("whole file", "encrypted with a password"))
            return text
        pages = list(reader.pages)
    except Exception as err:  # noqa: BLE001 - pypdf raises many kinds on a damaged file
        return _with_raw(text, data, f"pypdf cannot open it ({type(err).__name__})")
    if not pages:  # a damaged page tree: pypdf repairs it to nothing
        return _with_raw(text, data, "pypdf finds no pages")
    failed = []
    index, shares = share
    first, last = len(pages) * index // shares, len(pages) * (index + 1) // shares
    for part, read in [
        *([("Info", lambda: _info(reader, text)), ("XMP", lambda: _xmp(reader, text))] if index == 0 else []),
        *[(f"page {n}", lambda n=n, page=page: _page(n, page, text))
          for n, page in enumerate(pages[first:last], start=first + 1)],
        *([("form fields", lambda: _fields(reader, text)),
           ("outline", lambda: _outline(reader.outline, text)),
           ("attachments", lambda: _attachments(reader, text))] if index == shares - 1 else []),
    ]:
        try:
            read()
        except Exception as err:  # noqa: BLE001 - as above: the raw scan reads that part
            failed.append(f"{part} ({type(err).__name__})")
    if failed:
        return _with_raw(text, data, "pypdf failed on " + ", ".join(failed))
    return text


def joined(shares: list[PdfText]) -> PdfText:
    """The shares of one file read by :func:`pdf_text` (each read in full), as one."""
    return PdfText(pieces=[piece for part in shares for piece in part.pieces])


def _with_raw(text: PdfText, data: bytes, why: str) -> PdfText:
    """``text`` plus the raw scan of the whole file. ``why`` is not a finding by
    itself: the raw scan reads what pypdf could not, except glyph ids."""
    for location, piece in raw_pieces(data, text.unreadable):
        text.add(location, piece)
    text.fallback = why
    return text


def _string(value) -> str:
    from pypdf.generic import ByteStringObject

    value = value.get_object() if hasattr(value, "get_object") else value
    if isinstance(value, ByteStringObject):
        return bytes(value).decode("latin-1")
    if isinstance(value, list):
        return "\n".join(_string(v) for v in value)
    return str(value)


def _info(reader, text: PdfText) -> None:
    info = reader.trailer.get("/Info")
    if info is None:
        return
    for key, value in info.get_object().items():
        text.add(f"Info {key}", _string(value))


def _xmp(reader, text: PdfText) -> None:
    # The stream as bytes, not pypdf's XmpInformation: that parses the XML, and a
    # malformed packet would then hide the values inside it.
    metadata = reader.trailer["/Root"].get_object().get("/Metadata")
    if metadata is not None:
        text.add("XMP", html.unescape(metadata.get_object().get_data().decode("utf-8", "replace")))


def _page(number: int, page, text: PdfText) -> None:
    text.add(f"page {number}", page.extract_text())
    annotations = page.get("/Annots")
    for m, ref in enumerate(annotations.get_object() if annotations is not None else [], start=1):
        annotation = ref.get_object()
        where = f"page {number} annotation {m}"
        if annotation.get("/Subtype") != "/Widget":  # widgets are read as form fields
            for key in _ANNOTATION_KEYS:
                if key in annotation:
                    text.add(f"{where} {key}", _string(annotation[key]))
        action = annotation.get("/A")
        if action is not None:
            action = action.get_object()
            for key in ("/URI", "/F"):
                if key in action:
                    text.add(f"{where} {key}", _string(action[key]))


def _fields(reader, text: PdfText) -> None:
    for i, found in enumerate((reader.get_fields() or {}).values(), start=1):
        for key in _FIELD_KEYS:
            if found.get(key) is not None:
                text.add(f"form field {i} {key}", _string(found[key]))


def _outline(items, text: PdfText) -> None:
    titles = []
    stack = [items]
    while stack:
        for item in stack.pop():
            if isinstance(item, list):
                stack.append(item)
            else:
                titles.append(str(item.title))
    text.add("outline", "\n".join(titles))


def _attachments(reader, text: PdfText) -> None:
    for i, (name, contents) in enumerate(reader.attachments.items(), start=1):
        text.add(f"attachment {i} name", name)
        for content in contents:
            try:
                text.add(f"attachment {i}", content.decode("utf-8"))
            except UnicodeDecodeError:
                text.unreadable.append((f"attachment {i}", "an embedded file that is not text"))


# --- the raw scan -------------------------------------------------------------------------


def _inflate(body: bytes) -> tuple[bytes, bool]:
    """``body`` inflated as far as it inflates (a truncated stream gives what it has;
    a stream that is not Flate is returned as it is), and whether it was cut at
    :data:`MAX_INFLATED_BYTES`."""
    inflater = zlib.decompressobj()
    out: list[bytes] = []
    size = 0
    for start in range(0, len(body), _INFLATE_CHUNK):
        try:
            chunk = inflater.decompress(body[start : start + _INFLATE_CHUNK],
                                        MAX_INFLATED_BYTES - size)
        except zlib.error:
            break
        out.append(chunk)
        size += len(chunk)
        if size >= MAX_INFLATED_BYTES:
            return b"".join(out), True
        if inflater.eof:
            break
    return (b"".join(out), False) if out and size else (body, False)


def _decode(token: bytes) -> str:
    """A PDF literal ``(...)`` or hex ``<...>`` string as text (UTF-16 with a BOM, else Latin-1)."""
    if token.startswith(b"<"):  # a hex string
        digits = _SPACE.sub(b"", token[1:-1])
        raw = bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())
    else:
        raw = _ESCAPE.sub(
            lambda m: (
                bytes([int(m[1], 8) & 0xFF]) if m[1][:1].isdigit() else _ESCAPES.get(m[1], m[1])
            ),
            token[1:-1] if token.endswith(b")") else token[1:],
        )
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace")
    return raw.decode("latin-1")


def _strings(body: bytes) -> str:
    """The strings of a content stream or of object text, one line per text operation:
    strings separated only by kerning numbers (a TJ array) are joined."""
    lines: list[str] = []
    current: list[str] = []
    end = None
    for match in STRING.finditer(body):
        if end is not None and not KERNING.fullmatch(body, end, match.start()):
            lines.append("".join(current))
            current = []
        current.append(_decode(match[0]))
        end = match.end()
    lines.append("".join(current))
    return "\n".join(line for line in lines if line)


def raw_pieces(data: bytes, unreadable: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """The strings of every stream (``stream N (raw)``; XMP packets as they are, as
    ``stream N (raw XMP)``) and of the object text between streams (``objects (raw)``).
    A stream cut at :data:`MAX_INFLATED_BYTES` is added to ``unreadable``."""
    outside: list[bytes] = []
    position = 0
    number = 0
    while (start := STREAM_START.search(data, position)) is not None:
        outside.append(data[position : start.start()])
        end = data.find(b"endstream", start.end())
        end = len(data) if end < 0 else end
        number += 1
        body, cut = _inflate(data[start.end() : end])
        if cut:
            unreadable.append((f"stream {number} (raw)",
                               f"inflates to more than {MAX_INFLATED_BYTES >> 20} MB"))
        if b"<x:xmpmeta" in body or b"<?xpacket" in body:
            yield f"stream {number} (raw XMP)", html.unescape(body.decode("utf-8", "replace"))
        else:
            yield f"stream {number} (raw)", _strings(body)
        position = end + len(b"endstream")
    outside.append(data[position:])
    yield "objects (raw)", _strings(b"\n".join(outside))
