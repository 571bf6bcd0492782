"""Encoding and separator detection for raw text exports.

Swedish exports arrive as UTF-8, UTF-8 with a byte-order mark, or Windows-1252 (Excel
"CSV (semikolonavgränsad)"); SCB's statistical database writes Latin-1. A file that
is valid UTF-8 is read as UTF-8. Validity is checked over the *whole* file with an
incremental decoder, because one Latin-1 "ö" can appear on line four million; the
check runs at C speed (about 1 GB/s) and the bytes are then in the OS cache for the
reader, so it costs little next to parsing.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from pathlib import Path

from lcanalysis.errors import InputError

#: Bytes read per step when checking a whole file.
CHUNK_BYTES = 16 * 1024 * 1024

#: Bytes of the start of a file read to find its separator and header.
SAMPLE_BYTES = 256 * 1024

#: Bytes checked for NUL characters: a text export has none.
BINARY_PROBE_BYTES = 8192

#: Separators recognised, in the order preferred on a tie.
SEPARATORS = (";", ",", "\t")

#: Bytes that Windows-1252 leaves undefined; a file containing one is read as Latin-1.
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


def check_text_file(path: Path) -> None:
    """Raise :class:`InputError` "not a text file" when the start of the file holds NUL bytes."""
    with open(path, "rb") as handle:
        head = handle.read(BINARY_PROBE_BYTES)
    if b"\x00" in head:
        raise InputError(
            "not a text file (it contains NUL bytes); export it as CSV or XLSX", file=path
        )


def detect_encoding(path: Path) -> str:
    """The text encoding of a raw export.

    Returns
    -------
    str
        ``"utf-8-sig"`` when the file starts with a UTF-8 byte-order mark; ``"utf-8"``
        when every byte sequence in the file is valid UTF-8 (an ASCII-only file is
        UTF-8); otherwise ``"cp1252"``, or ``"latin-1"`` when the file holds a byte
        that Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D).

    Raises
    ------
    InputError
        When the file is not text (NUL bytes in its first 8 KB).
    """
    unicode = detect_unicode(path)
    if unicode is not None:
        return unicode
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            if has_cp1252_undefined(chunk):
                return "latin-1"
    return "cp1252"


def detect_unicode(path: Path) -> str | None:
    """``"utf-8-sig"`` or ``"utf-8"`` as :func:`detect_encoding` decides them, else None
    (a single-byte encoding: Windows-1252 or Latin-1).

    Raises
    ------
    InputError
        When the file is not text (NUL bytes in its first 8 KB).
    """
    check_text_file(path)
    with open(path, "rb") as handle:
        if handle.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    return "utf-8"


def has_cp1252_undefined(data: bytes) -> bool:
    """Whether ``data`` holds a byte that Windows-1252 leaves undefined (then it is Latin-1)."""
    return any(byte in data for byte in _CP1252_UNDEFINED)


def read_sample(path: Path, encoding: str, *, size: int = SAMPLE_BYTES) -> tuple[str, bool]:
    """The first ``size`` bytes of a file decoded, cut at the last line break.

    Returns the text and whether it is the whole file.
    """
    with open(path, "rb") as handle:
        raw = handle.read(size + 1)
    complete = len(raw) <= size
    text = raw[:size].decode(encoding, errors="replace")
    if not complete and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    return text, complete


def parse_records(sample: str, separator: str, limit: int) -> list[tuple[list[str], int]]:
    """Up to ``limit`` records of a text sample, each with its last physical line number."""
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=separator, quotechar='"')
    records = []
    try:
        for record in reader:
            records.append((record, reader.line_num))
            if len(records) >= limit:
                break
    except csv.Error:
        pass
    return records


def detect_separator(sample_text: str, *, complete: bool = True, lines: int = 50) -> str:
    """The field separator of a delimited text: ``";"``, ``","`` or a tab.

    Each candidate splits the first ``lines`` records (quotes respected, so a quoted
    field may hold separators and line breaks); the candidate under which the most
    records have the same field count (above one), weighted by that count, wins (the
    separator that explains the most cells in a consistent shape), then the number of
    agreeing records, then the order ``;``, ``,``, tab. Leading title lines therefore do not decide, and
    a decimal comma in a semicolon file does not make it comma-separated. A text with
    a single column is reported as ``";"``.

    Parameters
    ----------
    sample_text:
        The start of the file, decoded.
    complete:
        Whether the sample is the whole file; if not, its last record may be cut and
        is not counted.
    lines:
        How many records to compare.
    """
    best: tuple[int, int, int] = (0, 0, 0)
    chosen = SEPARATORS[0]
    for rank, separator in enumerate(SEPARATORS):
        records = parse_records(sample_text, separator, lines + 1)
        if not complete and len(records) > 1:
            records = records[:-1]
        counts = Counter(len(r) for r, _ in records[:lines] if len(r) > 1)
        if not counts:
            continue
        width, agreeing = max(counts.items(), key=lambda item: (item[1], item[0]))
        score = (agreeing * width, agreeing, -rank)
        if score > best:
            best, chosen = score, separator
    return chosen
