"""PDF -> text pieces: PDFium reads the text of the pages, pypdf the rest of the
document (and a page whose PDFium text cannot be trusted); a linear scan of the raw
streams takes over where pypdf cannot.

Both open the same bytes once (:func:`pdf_text`). pypdf (pure Python) reads the page
tree, the Info dictionary, the XMP metadata stream, the annotations of each page
(contents, titles, link targets), form fields (names, values, tooltips, choices), the
outline and embedded files; it follows cross-reference streams and compressed object
streams, so objects stored there are read too. PDFium (C++, through pypdfium2:
:func:`pdfium_page_text`) reads each page's text: every character of the page, inside
its crop and media boxes or not, painted or invisible (render mode 3), in fonts with a
ToUnicode map or an encoding it knows (Chromium's print-to-PDF, matplotlib). That was
the slow part: :func:`pdf_text` of the run's 46-page report took 3.3-4.8 s of CPU with
pypdf's ``extract_text``, and takes 0.8-1.4 s with PDFium, checks and the 4 pages
pypdf still reads included (docs/privacy.md).

The gate must not become blind where pypdf saw text, so a page is pypdf's, as before
PDFium, whenever PDFium's reading of it might have lost something pypdf reads
(``PdfText.pypdf_pages`` says which pages and why): PDFium cannot open the file (or
finds another number of pages) or fails on the page; the page shows text more often
than PDFium has text objects (it gave up on part of a content stream); a text object
is not upright (PDFium breaks a rotated label into pieces where its runs change); a
character has no Unicode mapping in PDFium (a Type 3 font's glyph names without a
ToUnicode map, which pypdf maps), or U+FFFD; a text object adds nothing to PDFium's
text and is not a blank (text shrunk to nothing, a repeated object); or PDFium reads
the text objects out of the content's order (it sorts a line by position, which
interleaves runs that overlap). PDFium would read a span's ``/ActualText`` in place of
its glyphs; those marks are removed first (in memory), so it reads the glyphs, as
pypdf does. Text is NFKC normalised: typesetting writes ligatures (``ﬀ`` for ``ff``),
which would hide a name.

When pypdf cannot open the file, or fails on a part of it, :func:`raw_pieces` reads
the file as bytes: every ``stream ... endstream`` body (inflated when it is
Flate-compressed, bounded by :data:`MAX_INFLATED_BYTES`) and the object text between
them, and takes the PDF strings out of each (``(literal)`` and ``<hex>``), joining the
pieces of one ``TJ`` array. It is one pass with patterns that never backtrack over
what they have read, so its time is linear in the file's size. It cannot decode
glyph ids of embedded fonts (Chromium's text), which only a PDF library can map to
Unicode.

This module runs in the gate's worker process (:mod:`lcanalysis.privacy.scanner`),
which is killed when a file's time budget runs out; it imports neither polars nor
the rules, and pypdf and pypdfium2 only when it reads a PDF.
"""

from __future__ import annotations

import ctypes
import functools
import html
import io
import re
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, compress, repeat
from operator import eq, le, mul, ne
from pathlib import Path
from types import SimpleNamespace

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
# A text-showing operator (Tj, TJ, ' or ") of a content stream, as a token of its own;
# strings (as STRING; one left open at the end says so: "open") and comments are
# matched whole, so that what is inside them is not counted.
SHOW = re.compile(
    rb"\((?:[^()\\]++|\\.|\((?:[^()\\]++|\\.)*+\)|[(\\])*+(?:\)|(?P<open>\Z))|<[0-9A-Fa-f\s]*+>|%[^\r\n]*+"
    rb"|(?<![^\s()<>\[\]{}/%])(?P<show>T[jJ]|['\"])(?![^\s()<>\[\]{}/%])",
    re.DOTALL,
)
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.DOTALL)
_SPACE = re.compile(rb"\s++")

PATTERNS = {"pdf_string": STRING, "pdf_kerning": KERNING, "pdf_stream_start": STREAM_START,
            "pdf_escape": _ESCAPE, "pdf_space": _SPACE, "pdf_show": SHOW}
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
    pypdf_pages: list[tuple[str, str]] = field(default_factory=list)
    """``(page N, why)`` for each page whose text pypdf extracted because PDFium's
    could not be trusted (:func:`pdfium_page_text`)."""

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
    document = _pdfium_document(data, len(pages)) if first < last else None
    try:
        for part, read in [
            *([("Info", lambda: _info(reader, text)), ("XMP", lambda: _xmp(reader, text))] if index == 0 else []),
            *[(f"page {n}", lambda n=n, page=page: _page(n, page, document, text))
              for n, page in enumerate(pages[first:last], start=first + 1)],
            *([("form fields", lambda: _fields(reader, text)),
               ("outline", lambda: _outline(reader.outline, text)),
               ("attachments", lambda: _attachments(reader, text))] if index == shares - 1 else []),
        ]:
            try:
                read()
            except Exception as err:  # noqa: BLE001 - as above: the raw scan reads that part
                failed.append(f"{part} ({type(err).__name__})")
    finally:
        if document is not None:
            document.close()
    if failed:
        return _with_raw(text, data, "pypdf failed on " + ", ".join(failed))
    return text


def joined(shares: list[PdfText]) -> PdfText:
    """The shares of one file read by :func:`pdf_text` (each read in full), as one."""
    return PdfText(pieces=[piece for part in shares for piece in part.pieces],
                   pypdf_pages=[page for part in shares for page in part.pypdf_pages])


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


def _page(number: int, page, document, text: PdfText) -> None:
    """Page ``number`` (from 1): its text, by PDFium where it can be trusted, else by
    pypdf; its annotations and link targets, by pypdf."""
    found, why = ((None, "PDFium cannot open the file") if document is None
                  else pdfium_page_text(document, number - 1, page))
    if found is None:
        text.pypdf_pages.append((f"page {number}", why))
        found = page.extract_text()
    text.add(f"page {number}", found)
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


# --- the pages' text with PDFium -----------------------------------------------------------

_SIZE_EPSILON = 0.01
"""PDFium leaves a text object narrower than this (its ``kSizeEpsilon``, in points)
out of the page's text."""
_SKEW = 0.01
"""Text whose matrix turns it by more than this (``|b| / a``, ``|c| / d``: about half a
degree) is not upright."""
_PAINTING_MODES = frozenset({0, 1, 2, 4, 5, 6})
"""Text render modes that paint the glyphs (3 is invisible text, 7 only clips)."""


def _pdfium_document(data: bytes, pages: int):
    """``data`` opened with PDFium (a ``pypdfium2.PdfDocument``, to be closed), or None
    when PDFium cannot open it or finds another number of pages than pypdf (page ``n``
    might then not be the same page)."""
    try:
        import pypdfium2

        document = pypdfium2.PdfDocument(data)
    except Exception:  # noqa: BLE001 - PdfiumError, or no usable library: pypdf reads the pages
        return None
    if len(document) != pages:
        document.close()
        return None
    return document


def pdfium_page_text(document, index: int, page) -> tuple[str | None, str]:
    """The text of page ``index`` (from 0) of the ``pypdfium2.PdfDocument``
    ``document`` as PDFium reads it (every character of the page, inside its boxes or
    not, painted or invisible), and ``""``; or None and why pypdf must read the page
    instead. ``page`` is the same page in pypdf, whose content streams say how often
    the page shows text. pypdf reads the page when:

    - PDFium fails on the page;
    - PDFium has fewer text objects than the page's content streams (and those of the
      form XObjects it uses) have text-showing operators: PDFium gave up on a part of
      a content stream that pypdf reads on (an array that never closes, say);
    - a text object is not upright (rotated, skewed, mirrored or flattened, by its own
      matrix or a form's around it): PDFium breaks such a line where it changes text
      object, and a rotated name would then read as pieces;
    - a character has no Unicode mapping (PDFium then gives its character code: a
      font with neither a ToUnicode map nor an encoding PDFium knows, such as a Type 3
      font's glyph names, which pypdf maps), or the text has U+FFFD;
    - a text object adds no character to the text, unless it is blank: bounds under
      :data:`_SIZE_EPSILON` both ways at a font size (times the scale of its matrix) of
      at least 1 pt, so its glyphs have no outline (a space), in a mode that paints
      them. PDFium drops a text object narrower than that (text shrunk to nothing,
      ``0 Tf``) and one that repeats the one before it;
    - PDFium reads the text objects out of the order of the content: it orders the
      objects of a line by their position, which interleaves runs that overlap
      (two chart labels on one baseline read letter by letter in turn), where
      pypdf reads them one after the other.

    ``/ActualText`` marks are removed from the text objects first (in memory only):
    PDFium would read a marked span's ``/ActualText`` in place of its glyphs, pypdf
    reads the glyphs, and the gate must not lose what pypdf read. Line ends are
    ``\n``; the hyphen PDFium takes out of a word broken at a line end is put back
    (``-\n``).
    """
    try:
        pdfium_page = document[index]
    except Exception as err:  # noqa: BLE001 - PdfiumError and the like
        return None, f"PDFium cannot load the page ({type(err).__name__})"
    try:
        return _pdfium_text(pdfium_page, page)
    except Exception as err:  # noqa: BLE001 - as above
        return None, f"PDFium failed on the page ({type(err).__name__})"
    finally:
        pdfium_page.close()


def _pdfium_text(page, pypdf_page) -> tuple[str | None, str]:
    lib = _library()
    objects, in_forms, why = _text_objects(lib, page)
    if why:
        return None, why
    if _shows_missed(pypdf_page, len(objects) - in_forms, in_forms):
        return None, "text-showing operators without a PDFium text object"
    textpage = page.get_textpage()
    try:
        raw, count = _handle(textpage.raw), textpage.count_chars()
        chars = range(count)
        if any(map(lib.unicode_map_error, repeat(raw, count), chars)):
            return None, "characters without a Unicode mapping"
        text = textpage.get_text_range(errors="replace") if count else ""
        if "\ufffd" in text:
            return None, "U+FFFD in its text"
        if "\ufffe" in text and text.count("\ufffe") != sum(
            1 for hyphen in map(lib.is_hyphen, repeat(raw, count), chars) if hyphen == 1
        ):
            return None, "characters PDFium cannot give"
        of_chars = list(map(lib.char_object, repeat(raw, count), chars))
        shown = set(of_chars)
        if any(not _blank(lib, obj) for obj in objects if obj not in shown):
            return None, "a text object PDFium leaves out"
        order = dict(zip(objects, range(1, len(objects) + 1), strict=True))
        # each character's object, by its place in the content; 0: the spaces and line ends PDFium adds
        places = list(filter(None, map(order.get, of_chars, repeat(0))))
        if places != sorted(places):
            return None, "text PDFium reads out of the content's order"
    finally:
        textpage.close()
    return text.replace("\ufffe", "-\n").replace("\r\n", "\n"), ""


def _text_objects(lib, page) -> tuple[list[int], int, str]:
    """The text objects of ``page`` in the order of its content (a form's where the
    form is drawn: the order PDFium's text page reads them in), their
    ``/ActualText`` marks removed, and how many of them are inside forms; or why
    PDFium's text of the page is not used (a text object that is not upright). Each
    PDFium function is mapped over a content's objects: a report page has a thousand."""
    found: list[int] = []
    in_forms = 0

    def read(count, get, holder, outer) -> str:
        nonlocal in_forms
        objects = list(map(get, repeat(holder, count(holder)), range(count(holder))))
        kinds = list(map(lib.object_type, objects))
        texts = list(compress(objects, map(eq, kinds, repeat(lib.TEXT))))
        a, b, c, d = _matrices(lib, texts, outer)
        if not (min(a, default=1) > 0 and min(d, default=1) > 0
                and all(map(le, map(abs, b), map(mul, a, repeat(_SKEW))))
                and all(map(le, map(abs, c), map(mul, d, repeat(_SKEW))))):
            return "text that is not upright"
        counts = list(map(lib.count_marks, texts))
        owners = list(chain.from_iterable(map(repeat, texts, counts)))
        marks = list(map(lib.get_mark, owners, chain.from_iterable(map(range, counts))))
        actual = map(ne, map(lib.mark_value_type, marks, repeat(b"ActualText")), repeat(lib.UNKNOWN))
        for obj, mark in compress(zip(owners, marks, strict=True), actual):
            lib.remove_mark(obj, mark)
        if count is lib.count_form_objects:
            in_forms += len(texts)
        if lib.FORM not in kinds:
            found.extend(texts)
            return ""
        forms = list(compress(objects, map(eq, kinds, repeat(lib.FORM))))
        matrices = dict(zip(forms, zip(*_matrices(lib, forms, outer), strict=True), strict=True))
        for obj, kind in zip(objects, kinds, strict=True):
            if kind == lib.TEXT:
                found.append(obj)
            elif kind == lib.FORM and (why := read(lib.count_form_objects, lib.get_form_object, obj, matrices[obj])):
                return why
        return ""

    why = read(lib.count_objects, lib.get_object, _handle(page.raw), (1.0, 0.0, 0.0, 1.0))
    return ([], 0, why) if why else (found, in_forms, "")


def _shows_missed(page, top: int, in_forms: int) -> bool:
    """Whether the pypdf ``page``'s content streams have more text-showing operators
    than ``top``, or the form XObjects it has (and theirs) more than ``in_forms``:
    then PDFium did not make a text object of each. Counted as substrings first
    (``Tj`` inside a string counts too: a count at least the true one), as tokens
    (:data:`SHOW`) only when that is more."""
    if _shows(_data(page.get("/Contents")), top):
        return True
    forms, seen, resources = [], set(), [page.get("/Resources")]
    while resources:
        found = resources.pop()
        found = found.get_object() if found is not None else {}
        xobjects = found.get("/XObject") if hasattr(found, "get") else None
        for ref in (xobjects.get_object().values() if xobjects is not None else []):
            key = getattr(ref, "idnum", None) or id(ref)
            xobject = ref.get_object()
            if key in seen or xobject.get("/Subtype") != "/Form":
                continue
            seen.add(key)
            forms.append(xobject.get_data())
            resources.append(xobject.get("/Resources"))
    return bool(forms) and _shows(b"\n".join(forms), in_forms)


def _shows(data: bytes, objects: int) -> bool:
    """Whether the content stream ``data`` may have more than ``objects``
    text-showing operators: it has more, or a string in it never closes (what
    follows might be operators that PDFium took for the string's)."""
    if sum(map(data.count, (b"Tj", b"TJ", b"'", b'"'))) <= objects:
        return False
    shows = 0
    for match in SHOW.finditer(data):
        if match["open"] is not None:
            return True
        shows += match["show"] is not None
    return shows > objects


def _data(contents) -> bytes:
    """The bytes of a page's /Contents: one stream, or an array of them."""
    contents = contents.get_object() if contents is not None else None
    if contents is None:
        return b""
    if isinstance(contents, list):
        return b"\n".join(part.get_object().get_data() for part in contents)
    return contents.get_data()


def _matrices(lib, objects: list[int], outer: tuple[float, float, float, float]) -> tuple[list[float], ...]:
    """The linear parts of the objects' matrices times ``outer`` (the forms' around
    them): the lists of their ``a``, ``b``, ``c`` and ``d``."""
    size = ctypes.sizeof(lib.matrix)
    values = (ctypes.c_float * (6 * len(objects)))()
    start = ctypes.addressof(values)
    if not all(map(lib.object_matrix, objects, range(start, start + size * len(objects), size))):
        raise ValueError("PDFium gives no matrix for an object")
    a, b, c, d = values[0::6], values[1::6], values[2::6], values[3::6]
    if outer == (1.0, 0.0, 0.0, 1.0):
        return a, b, c, d
    a0, b0, c0, d0 = outer
    return ([x * a0 + y * c0 for x, y in zip(a, b, strict=True)], [x * b0 + y * d0 for x, y in zip(a, b, strict=True)],
            [x * a0 + y * c0 for x, y in zip(c, d, strict=True)], [x * b0 + y * d0 for x, y in zip(c, d, strict=True)])


def _blank(lib, obj: int) -> bool:
    """Whether the text object ``obj`` draws glyphs without outlines (see
    :func:`pdfium_page_text`)."""
    left, bottom, right, top, size = (ctypes.c_float() for _ in range(5))
    matrix = lib.matrix()
    return bool(
        lib.bounds(obj, left, bottom, right, top)
        and right.value - left.value < _SIZE_EPSILON and top.value - bottom.value < _SIZE_EPSILON
        and lib.render_mode(obj) in _PAINTING_MODES
        and lib.font_size(obj, size) and lib.object_matrix(obj, ctypes.addressof(matrix))
        and size.value**2 * abs(matrix.a * matrix.d - matrix.b * matrix.c) >= 1
    )


def _handle(pointer) -> int:
    return ctypes.cast(pointer, ctypes.c_void_p).value


@functools.cache
def _library():
    """The PDFium functions :func:`pdfium_page_text` calls, as pypdfium2 binds them but
    with handles as plain addresses (``void *``): a page's text objects are compared
    with the objects of its characters, tens of thousands of calls for a report, and a
    pypdfium2 handle would have to be cast to compare."""
    import pypdfium2.raw as pdfium

    handle, number, flag = ctypes.c_void_p, ctypes.c_int, ctypes.c_int
    floats = ctypes.POINTER(ctypes.c_float)

    def bind(name, result, *arguments):
        address = ctypes.cast(getattr(pdfium, name), ctypes.c_void_p).value
        return ctypes.CFUNCTYPE(result, *arguments)(address)

    return SimpleNamespace(
        TEXT=pdfium.FPDF_PAGEOBJ_TEXT, FORM=pdfium.FPDF_PAGEOBJ_FORM, UNKNOWN=pdfium.FPDF_OBJECT_UNKNOWN,
        matrix=pdfium.FS_MATRIX,
        count_objects=bind("FPDFPage_CountObjects", number, handle),
        get_object=bind("FPDFPage_GetObject", handle, handle, number),
        count_form_objects=bind("FPDFFormObj_CountObjects", number, handle),
        get_form_object=bind("FPDFFormObj_GetObject", handle, handle, ctypes.c_ulong),
        object_type=bind("FPDFPageObj_GetType", number, handle),
        object_matrix=bind("FPDFPageObj_GetMatrix", flag, handle, handle),
        count_marks=bind("FPDFPageObj_CountMarks", number, handle),
        get_mark=bind("FPDFPageObj_GetMark", handle, handle, ctypes.c_ulong),
        mark_value_type=bind("FPDFPageObjMark_GetParamValueType", number, handle, ctypes.c_char_p),
        remove_mark=bind("FPDFPageObj_RemoveMark", flag, handle, handle),
        bounds=bind("FPDFPageObj_GetBounds", flag, handle, floats, floats, floats, floats),
        render_mode=bind("FPDFTextObj_GetTextRenderMode", number, handle),
        font_size=bind("FPDFTextObj_GetFontSize", flag, handle, floats),
        unicode_map_error=bind("FPDFText_HasUnicodeMapError", number, handle, number),
        is_hyphen=bind("FPDFText_IsHyphen", number, handle, number),
        char_object=bind("FPDFText_GetTextObject", handle, handle, number),
    )


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
