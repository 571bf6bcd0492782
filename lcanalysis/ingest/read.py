"""Reading one raw export (CSV/TXT/TSV or XLSX) into an all-text frame.

The reader decides nothing about values: every cell stays text (surrounding
whitespace stripped, blank -> null), so ``"7,5"`` and ``"0180"`` reach the cleaner
exactly as written. It finds the header row, maps headers to canonical columns
through ``config/columns.yaml`` and records where each row was in the file.

Row numbers (``_row``) are what a person sees: for CSV the physical line on which
the record starts (header line included, title lines counted, line breaks inside
quoted fields counted); for XLSX the spreadsheet row. Blank lines and rows whose
every cell is blank are not records; they are left out and counted in a warning.

Choices for malformed files:

- empty file (0 bytes, or only whitespace): zero rows, one warning; a file with only
  a header: zero rows;
- a record with fewer fields than the header (a truncated last line): the missing
  cells are null;
- a record with more fields than the header, or a quote that is never closed:
  :class:`~lcanalysis.errors.InputError` naming the line, since the cells cannot be
  put in the right columns;
- two headers meaning the same column: InputError naming both;
- NUL bytes in the first 8 KB: InputError "not a text file";
- a file above :data:`MAX_FILE_BYTES`: InputError before a byte is parsed (the
  cleaner holds a source in memory; a 2 GB export must be split, e.g. by term);
- a zip archive (an XLSX workbook) with a text file's name: InputError saying so;
- a text file that mixes UTF-8 and Windows-1252 lines (two exports pasted
  together): InputError naming the first line that is not UTF-8, since either
  reading garbles the other half;
- an XLSX whose first sheet lacks the required columns: the error names the
  workbook's other sheets and the ``sheet:`` setting.
"""

from __future__ import annotations

import csv
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lcanalysis.errors import InputError
from lcanalysis.ingest.columns import HeaderMapping, SourceColumns, map_headers
from lcanalysis.ingest.detect import (
    CHUNK_BYTES,
    SAMPLE_BYTES,
    SEPARATORS,
    detect_separator,
    detect_unicode,
    has_cp1252_undefined,
    parse_records,
    read_sample,
)
from lcanalysis.sources import SOURCES, Layout

#: Name of the row-number column added to every raw frame.
ROW = "_row"

#: The header row must be among this many first rows (XLSX and CSV alike).
HEADER_SEARCH_ROWS = 20

#: Files larger than this are refused before reading (bytes). A module constant, so
#: tests can lower it and a site with more memory can raise it.
MAX_FILE_BYTES = 1024**3

#: A UTF-8 encoded Latin-1 letter (å, ä, ö, é ... as two bytes): in a Windows-1252
#: reading it would be "Ã¥", which no Swedish export contains.
_UTF8_LETTER = re.compile(rb"\xc3[\x80-\xbf]")

_ZIP_MAGIC = b"PK\x03\x04"

_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(?:\.0+)?$")


@dataclass
class RawTable:
    """One raw file as read, before any value is interpreted.

    Attributes
    ----------
    frame:
        Every mapped column as text (``pl.String``) under its canonical name, in file
        order, plus ``_row`` (``Int64``): the line (CSV) or spreadsheet row (XLSX)
        on which the record starts, as a person sees it in the file.
    file:
        The file path as given.
    source:
        The raw source (``registrations`` ...).
    layout:
        The header layout it was read in (:class:`lcanalysis.sources.Layout`), or
        ``None`` for a single header row.
    encoding:
        The detected text encoding, or ``"xlsx"``.
    separator:
        The detected field separator; empty for XLSX.
    dropped_columns:
        Original headers that matched no alias and were dropped.
    skipped_title_rows:
        Rows above the header row that were skipped.
    warnings:
        Things the evaluator should know (dropped columns, blank rows, unnamed headers).
    headers:
        The header cells as read (for ``lcanalysis inspect``).
    mapping:
        How each header was mapped, or None for an empty file.
    """

    frame: pl.DataFrame
    file: str
    source: str
    encoding: str
    separator: str
    layout: str | None = None
    dropped_columns: list[str] = field(default_factory=list)
    skipped_title_rows: int = 0
    warnings: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    mapping: HeaderMapping | None = None


@dataclass
class SourceFiles:
    """The raw files found under a raw-data folder.

    Attributes
    ----------
    files:
        Source name -> the readable files of that source, sorted by name; only the
        sources whose folder exists.
    skipped:
        Files (and sub-folders) in source folders that no reader reads, e.g. ``.pdf``:
        the cleaner refuses them (a file that is neither read nor refused would let a
        user believe it was read).
    """

    files: dict[str, list[Path]]
    skipped: list[Path]


def list_source_files(raw_dir: Path) -> SourceFiles:
    """Find the raw exports of each source under ``raw_dir/<source>/``.

    Files with one of the source's endings (its declaration's ``suffixes``, any
    case: ``.csv``, ``.txt``, ``.tsv`` or ``.xlsx``; in ``municipal_stats`` also
    ``.px`` and ``.json``) are listed; hidden files, Excel lock files (``~$...``) and
    ``README*`` are ignored; anything else is returned as skipped, for the cleaner to
    refuse. A source whose folder is absent is not in the result (its table is not
    produced).
    """
    files: dict[str, list[Path]] = {}
    skipped: list[Path] = []
    for source in SOURCES.values():
        folder = Path(raw_dir) / source.folder
        if not folder.is_dir():
            continue
        found = []
        for entry in sorted(folder.iterdir(), key=lambda p: p.name):
            name = entry.name
            if name.startswith((".", "~$")) or name.upper().startswith("README"):
                continue
            if entry.is_file() and entry.suffix.lower() in source.suffixes:
                found.append(entry)
            else:
                skipped.append(entry)
        files[source.name] = found
    return SourceFiles(files=files, skipped=skipped)


def read_raw_file(
    path: Path, source: str, spec: SourceColumns, *, sheet: str | None = None
) -> RawTable:
    """Read one raw export of ``source`` into text columns with canonical names.

    Parameters
    ----------
    path:
        A ``.csv``/``.txt``/``.tsv`` (UTF-8, UTF-8 with BOM, Windows-1252 or Latin-1;
        ``;``, ``,`` or tab) or ``.xlsx`` file.
    source:
        The raw source the file belongs to.
    spec:
        The source's header specification (from :func:`load_column_config`).
    sheet:
        XLSX only: the sheet to read; defaults to ``spec.sheet``, then the first sheet.

    Raises
    ------
    InputError
        For a file that is not text, a missing required column, two headers for one
        column, a record with too many fields, an unclosed quote, a missing sheet.
    """
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(
            f"the file has {size} bytes, above the limit of {MAX_FILE_BYTES} bytes "
            "(lcanalysis.ingest.read.MAX_FILE_BYTES); split the export, e.g. by term",
            file=path,
        )
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path, source, spec, sheet or spec.sheet)
    return _read_delimited(path, source, spec)


def _read_delimited(
    path: Path, source: str, spec: SourceColumns, *, encoding: str | None = None
) -> RawTable:
    """Read a delimited text export (see :func:`read_raw_file`).

    The encoding is decided as :func:`~lcanalysis.ingest.detect.detect_encoding`
    decides it, in fewer passes over the file: a file that is not UTF-8 is taken as
    Windows-1252 (or Latin-1 if its first 256 KB say so), and the one pass that
    transcodes it to UTF-8 (:func:`_read_single_byte`) also counts its lines, looks
    for UTF-8 letters (mixed encodings) and for bytes Windows-1252 leaves undefined:
    if one turns up, the file is Latin-1 and is read again as such (``encoding``).
    """
    with open(path, "rb") as handle:
        if handle.read(len(_ZIP_MAGIC)) == _ZIP_MAGIC:
            raise InputError(
                "not a text file: an XLSX workbook (a zip archive) with a text file's name; "
                "rename it to .xlsx",
                file=path,
            )
    if encoding is None:
        encoding = detect_unicode(path) or _single_byte_encoding(path)
    sample, complete = read_sample(path, encoding)
    if not sample.strip():
        return _empty(path, source, spec, encoding, "", ["file is empty: no header, no rows"])
    separator = _choose_separator(sample, complete, spec)
    records = parse_records(sample, separator, HEADER_SEARCH_ROWS)
    header_at = _header_index([r for r, _ in records], spec)
    header = _header_rows([r for r, _ in records], header_at, _layouts(source))
    headers = [cell.strip() for cell in records[header.texts][0]]
    header_line = records[header.last][1]
    header_row = records[header.texts][1] - _lines_in(records, header.texts) + 1
    try:
        mapping = map_headers(
            headers, spec, file=path, row=header_row, names=header.names,
            samples=[r for r, _ in records[header.last + 1:]], free_text=header.free_text,
            layout_hint=header.layout.without_person if header.layout else "",
        )
    except InputError as err:
        if len(headers) > 1:
            raise
        raise InputError(
            f"{err.message} (the header is a single cell: is the separator something other "
            "than ';', ',' or tab? export with one of those)",
            file=path,
            row=err.row,
            column=err.column,
        ) from None
    width = len(headers)
    names = [f"_c{i}" for i in range(width)]
    csv_options = {
        "has_header": False,
        "separator": separator,
        "quote_char": '"',
        "schema": dict.fromkeys(names, pl.String),
        "infer_schema": False,
        "raise_if_empty": False,
        "missing_columns": "insert",
    }
    try:
        if encoding in ("utf-8", "utf-8-sig"):
            frame = pl.read_csv(path, skip_lines=header_line, **csv_options)
            lines = _count_lines(path) - header_line
        else:
            frame, lines = _read_single_byte(path, encoding, header_line, csv_options)
    except _Latin1:
        return _read_delimited(path, source, spec, encoding="latin-1")
    except pl.exceptions.PolarsError as exc:
        raise _diagnose(path, encoding, separator, header_line, width, exc) from None
    warnings = _title_warning(header.first) + header.warnings
    frame, blank = _finish(frame, names, mapping, first_row=header_line + 1, lines=lines)
    if blank:
        warnings.append(f"{blank} blank line(s) skipped")
    return _table(frame, path, source, encoding, separator, mapping, header.first, warnings, headers,
                  header.layout)


def _check_single_encoding(path: Path, encoding: str) -> None:
    """Refuse a file that is not valid UTF-8 yet holds UTF-8 letters: mixed encodings.

    Called once a UTF-8 letter has been seen; reads the file line by line to name a
    Windows-1252 (or Latin-1) line and a UTF-8 line. A file whose every line is one
    or the other passes (a "Ã¥" written in Windows-1252 on its own).
    """
    utf8_line = bad_line = None
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                bad_line = bad_line or number
            else:
                if utf8_line is None and _UTF8_LETTER.search(line):
                    utf8_line = number
            if utf8_line and bad_line:
                name = "Windows-1252" if encoding == "cp1252" else "Latin-1"
                raise InputError(
                    f"mixed encodings: this line is {name} but line {utf8_line} is UTF-8 "
                    "(files pasted together?); save the whole file in one encoding",
                    file=path,
                    row=bad_line,
                )


def _count_lines(path: Path) -> int:
    """Physical lines in a file: its line feeds, plus one for a last line without one.

    A line feed is the byte 0x0A in UTF-8, Windows-1252 and Latin-1 alike (it never
    occurs inside a UTF-8 multi-byte letter), so the bytes are counted undecoded.
    """
    count, last = 0, b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (1 if last not in (b"", b"\n") else 0)


def _lines_in(records: list[tuple[list[str], int]], index: int) -> int:
    """Physical lines taken by record ``index`` (more than one if a quoted cell breaks)."""
    previous = records[index - 1][1] if index else 0
    return records[index][1] - previous


def _choose_separator(sample: str, complete: bool, spec: SourceColumns) -> str:
    """The separator under which a header row names the most required columns; the
    shape-based guess (:func:`detect_separator`) when no separator names more.

    Cells full of other separators (a ';' file whose cells hold commas and line
    breaks) can make another separator split the data more consistently, but header
    names do not contain separators: the header is the stronger evidence.
    """
    detected = detect_separator(sample, complete=complete)

    def named(separator: str) -> int:
        rows = [r for r, _ in parse_records(sample, separator, HEADER_SEARCH_ROWS)]
        return max((sum(1 for c in row if c and spec.is_required_alias(c)) for row in rows), default=0)

    return max(SEPARATORS, key=lambda sep: (named(sep), sep == detected))


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


@dataclass(frozen=True)
class HeaderRows:
    """Where the header of a file is: a single row, or a survey tool's two or three.

    Attributes
    ----------
    first:
        Index of the first header row (the rows above are title rows).
    texts:
        Index of the row whose cells are the headers (question texts, in a survey).
    last:
        Index of the last header row; the records start after it.
    names:
        The variable-name row (Qualtrics ``Q1``, ``Q3_1``), or None.
    warnings:
        How the rows were read, for the cleaning report.
    layout:
        The layout the rows were read in; ``None`` for a single header row.
    free_text:
        Positions of the columns the layout's marker row marks as free text.
    """

    first: int
    texts: int
    last: int
    names: list[str] | None = None
    warnings: list[str] = field(default_factory=list)
    layout: Layout | None = None
    free_text: frozenset[int] = frozenset()


def _layouts(source: str) -> tuple[Layout, ...]:
    """The header layouts of ``source``'s declaration (none for an undeclared source)."""
    declared = SOURCES.get(source)
    return declared.layouts if declared is not None else ()


def _header_rows(rows: list[list[str]], at: int, layouts: tuple[Layout, ...]) -> HeaderRows:
    """The header rows around row ``at`` (the first row naming a required column).

    Each of ``layouts`` (its source's, lcanalysis/sources.py) is tried in order:
    with a marker row (Qualtrics' ``{"ImportId": ...}``), ``at`` may be the names or
    the texts row and the marker row must be there; without one, ``at`` is the texts
    row and the names row must hold identifiers (``V1 V2 ... Q1``), as many as the
    headers. Otherwise the header is the single row ``at``.
    """

    def names_row(index: int, texts: int) -> bool:
        if len(rows[index]) != len(rows[texts]):
            return False
        cells = [c.strip() for c in rows[index] if c.strip()]
        return len(cells) >= 2 and all(_IDENTIFIER.match(c) for c in cells)

    def strip(row: list[str]) -> list[str]:
        return [c.strip().lstrip("\ufeff") for c in row]

    for layout in layouts:
        found_at = (layout.names_row, layout.texts_row) if layout.marker else (layout.texts_row,)
        for offset in (o for o in found_at if o is not None):
            start = at - offset
            if start < 0 or start + layout.rows > len(rows):
                continue
            if layout.marker is not None:
                if not layout.marks(rows[start + layout.marker_row]):
                    continue
            elif layout.names_row is None or not names_row(start + layout.names_row, start + layout.texts_row):
                continue
            free_text = frozenset(
                i for i, cell in enumerate(rows[start + layout.marker_row])
                if layout.free_text_marker and re.match(layout.free_text_marker, cell)
            ) if layout.marker_row is not None else frozenset()
            return HeaderRows(
                start, start + layout.texts_row, start + layout.rows - 1,
                strip(rows[start + layout.names_row]) if layout.names_row is not None else None,
                [layout.reading], layout, free_text,
            )
    return HeaderRows(at, at, at)


def _header_index(rows: list[list[str]], spec: SourceColumns) -> int:
    """The first of the first rows that names a required column, else the first non-blank row."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(cell and spec.is_required_alias(cell) for cell in row):
            return index
    return next((i for i, row in enumerate(rows) if any(c.strip() for c in row)), 0)


class _Latin1(Exception):
    """A file read as Windows-1252 holds a byte that Windows-1252 leaves undefined."""


def _single_byte_encoding(path: Path) -> str:
    """Windows-1252, or Latin-1 when the start of the file already shows it; the rest
    of the file is checked while it is transcoded (:func:`_read_single_byte`)."""
    with open(path, "rb") as handle:
        return "latin-1" if has_cp1252_undefined(handle.read(SAMPLE_BYTES)) else "cp1252"


#: Bytes of a Windows-1252 or Latin-1 file transcoded at a time (see :func:`_read_single_byte`).
TRANSCODE_BYTES = 16 * 1024 * 1024


def _read_single_byte(
    path: Path, encoding: str, header_line: int, csv_options: dict
) -> tuple[pl.DataFrame, int]:
    """Read a Windows-1252 or Latin-1 file: the records, and the lines they take.

    polars reads UTF-8 only, so the file is transcoded in memory, in chunks of
    :data:`TRANSCODE_BYTES` (single-byte encodings: no character is split; line
    structure is unchanged, so line numbers agree with the original). Transcoding
    runs in Python and holds the GIL; so that the second core is not idle meanwhile,
    each transcoded piece, cut at a record boundary, is parsed by polars in a
    background thread (:class:`_BackgroundParses`) while the next one is
    transcoded: on 5 million rows 1.1 s instead of 1.45 s. A piece is cut at the last line feed
    before which the double quotes are balanced, i.e. outside any quoted cell. If a
    piece cannot be parsed (a stray quote, a ragged line), the whole text is parsed
    at once instead, which gives the same records or the error to diagnose.

    The same pass counts line feeds, looks for UTF-8 letters (a file mixing
    encodings is refused by :func:`_check_single_encoding`) and, for Windows-1252,
    meets any byte it leaves undefined as a decoding error: :class:`_Latin1`.
    """
    pieces: list[bytes] = []
    lines, previous, pending, mixed_checked = 0, b"", b"", False
    body_at: int | None = None  # where the records start, once the header is passed
    with _BackgroundParses(csv_options) as parses, open(path, "rb") as raw:
        while chunk := raw.read(TRANSCODE_BYTES):
            try:
                text = chunk.decode(encoding).encode("utf-8")
            except UnicodeDecodeError:
                raise _Latin1 from None
            lines += chunk.count(b"\n")
            # Chunks overlap by one byte so that no two-byte UTF-8 letter is split;
            # the lead byte 0xC3 ("Ã" in Windows-1252, rare in Swedish text) is looked
            # for with a plain byte search before the pattern.
            if (
                not mixed_checked
                and (b"\xc3" in chunk or previous == b"\xc3")
                and _UTF8_LETTER.search(previous + chunk)
            ):
                _check_single_encoding(path, encoding)
                mixed_checked = True
            previous = chunk[-1:]
            pending += text
            if body_at is None:
                body_at = _after_lines(pending, header_line)
                if body_at is None:
                    continue
                pieces.append(pending[:body_at])
                pending = pending[body_at:]
            cut = _record_boundary(pending)
            if cut:
                pieces.append(pending[:cut])
                parses.start(pieces[-1])
                pending = pending[cut:]
        if previous not in (b"", b"\n"):
            lines += 1
        if body_at is None:  # fewer lines than the header needs: no records
            pieces.append(pending)
            return pl.read_csv(b"".join(pieces), skip_lines=header_line, **csv_options), 0
        if pending:
            pieces.append(pending)
            parses.start(pending)
        frames = parses.frames()
    if frames is None:  # a piece failed: parse the whole text, for its records or error
        frames = [pl.read_csv(b"".join(pieces), skip_lines=header_line, **csv_options)]
    schema = csv_options["schema"]
    frame = pl.concat(frames, rechunk=True) if frames else pl.DataFrame(schema=schema)
    return frame, lines - header_line


class _BackgroundParses:
    """CSV pieces parsed by polars in a background thread, in order.

    ``pl.read_csv`` releases the GIL while it parses, so the thread runs beside the
    transcoding; it also joins each piece's chunks into one, there, rather than
    leaving 170-odd chunks that a later step would copy together in the main thread
    (0.2 s on 5 million rows). Every parse is waited for before the block is left,
    also when the reading stops early with an error.
    """

    def __init__(self, csv_options: dict) -> None:
        self._options = csv_options
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lcanalysis-csv")
        self._running: list[Future] = []

    def __enter__(self) -> _BackgroundParses:
        return self

    def __exit__(self, *exc_info) -> None:
        self._pool.shutdown(wait=True)

    def start(self, piece: bytes) -> None:
        self._running.append(self._pool.submit(self._parse, piece))

    def _parse(self, piece: bytes) -> pl.DataFrame:
        return pl.read_csv(piece, **self._options).rechunk()

    def frames(self) -> list[pl.DataFrame] | None:
        """The results in order, once all are done; None if any piece failed."""
        frames: list[pl.DataFrame] = []
        failed = False
        for parse in self._running:
            try:
                frames.append(parse.result())
            except pl.exceptions.PolarsError:
                failed = True
        self._running = []
        return None if failed else frames


def _after_lines(data: bytes, count: int) -> int | None:
    """The offset just after the first ``count`` line feeds of ``data``, if it has them."""
    at = 0
    for _ in range(count):
        found = data.find(b"\n", at)
        if found < 0:
            return None
        at = found + 1
    return at


def _record_boundary(data: bytes) -> int:
    """The offset after the last line feed of ``data`` that lies outside quotes (an
    even number of double quotes before it), or 0. ``data`` starts at a record."""
    cut = data.rfind(b"\n")
    if cut < 0:
        return 0
    quotes_before = data.count(b'"', 0, cut)
    while quotes_before % 2:
        earlier = data.rfind(b"\n", 0, cut)
        if earlier < 0:
            return 0
        quotes_before -= data.count(b'"', earlier, cut)
        cut = earlier
    return cut + 1


def _diagnose(
    path: Path, encoding: str, separator: str, header_line: int, width: int, exc: Exception
) -> InputError:
    """Find the line that stopped the fast reader and say what is wrong with it."""
    with open(path, encoding=encoding, newline="") as handle:
        for _ in range(header_line):
            handle.readline()
        reader = csv.reader(handle, delimiter=separator, quotechar='"', strict=True)
        start = header_line + 1
        try:
            for record in reader:
                if len(record) > width:
                    return InputError(
                        f"{len(record)} fields but the header has {width}; quote cells that "
                        f"contain {separator!r} or check the separator",
                        file=path,
                        row=start,
                    )
                start = header_line + reader.line_num + 1
        except csv.Error:
            return InputError(
                "a quoted cell starting on this line is never closed (unbalanced '\"')",
                file=path,
                row=start,
            )
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return InputError(f"cannot be read as delimited text: {first_line}", file=path)


def _finish(
    frame: pl.DataFrame,
    names: list[str],
    mapping: HeaderMapping,
    *,
    first_row: int,
    lines: int | None,
) -> tuple[pl.DataFrame, int]:
    """Number the records, drop blank ones, keep the mapped columns, tidy the cells.

    ``first_row`` is the row of the first record. In a spreadsheet (``lines`` None)
    a row is a row. In a text file each record starts one line after the previous
    one plus the line breaks inside the previous one's quoted cells; ``lines`` is the
    number of physical lines the records take, so when it equals the number of
    records no cell holds a line break and the cells need not be searched for one
    (0.5 s on 5 million rows).
    """
    row = pl.int_range(pl.len(), dtype=pl.Int64) + first_row
    if lines is not None and frame.height and lines != frame.height:
        breaks = pl.sum_horizontal(
            pl.col(n).str.count_matches("\n", literal=True).fill_null(0) for n in names
        ).cast(pl.Int64)
        row = row + breaks.cum_sum() - breaks
    kept = [(n, c) for n, c in zip(names, mapping.canonical, strict=True) if c is not None]
    cells = [c for _, c in kept]
    # Only columns that need it are stripped, and only columns with empty cells get
    # nulls: finding out reads the cells, changing them writes a new column, and on
    # 10 million rows the new columns' fresh memory cost more than the reading.
    # (Rust's \s is Unicode White_Space, the set strip_chars() strips.)
    padded = (
        frame.select(pl.col(n).str.contains(r"^\s|\s$").any() for n, _ in kept).row(0)
        if kept else ()
    )
    frame = frame.select(
        row.alias(ROW),
        *(
            (pl.col(n).str.strip_chars() if pad else pl.col(n)).alias(c)
            for (n, c), pad in zip(kept, padded, strict=True)
        ),
    )
    empty = frame.select((pl.col(c).str.len_bytes() == 0).any() for c in cells).row(0) if cells else ()
    frame = frame.with_columns(
        pl.when(pl.col(c).str.len_bytes() > 0).then(pl.col(c))
        for c, has_empty in zip(cells, empty, strict=True) if has_empty
    )
    blank = pl.all_horizontal(pl.col(c).is_null() for c in cells)
    blank_count = frame.select(blank.sum()).item() if frame.height else 0
    if blank_count:
        frame = frame.filter(~blank)
    return frame.select(*cells, ROW), blank_count


def _title_warning(skipped: int) -> list[str]:
    return [f"{skipped} title row(s) above the header skipped"] if skipped else []


def _table(
    frame: pl.DataFrame,
    path: Path,
    source: str,
    encoding: str,
    separator: str,
    mapping: HeaderMapping,
    skipped: int,
    warnings: list[str],
    headers: list[str],
    layout: Layout | None = None,
) -> RawTable:
    for reason, label in (("personal data", "personal data dropped at reading"),
                          ("free text", "free-text answer(s) dropped at reading (they may hold names)"),
                          ("not used", "known column(s) not used, dropped")):
        named = [h for h, r in mapping.known_dropped.items() if r == reason]
        if named:
            warnings.append(f"{label}: " + ", ".join(repr(h) for h in named))
    if mapping.dropped:
        warnings.append("unknown column(s) dropped: " + ", ".join(repr(d) for d in mapping.dropped))
    return RawTable(
        headers=list(headers),
        mapping=mapping,
        frame=frame,
        file=str(path),
        source=source,
        encoding=encoding,
        separator=separator,
        layout=layout.name if layout else None,
        dropped_columns=list(mapping.dropped),
        skipped_title_rows=skipped,
        warnings=warnings,
    )


def _empty(
    path: Path, source: str, spec: SourceColumns, encoding: str, separator: str, warnings: list[str]
) -> RawTable:
    schema = dict.fromkeys(spec.required, pl.String) | {ROW: pl.Int64}
    return RawTable(
        frame=pl.DataFrame(schema=schema),
        file=str(path),
        source=source,
        encoding=encoding,
        separator=separator,
        warnings=warnings,
    )


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _read_xlsx(path: Path, source: str, spec: SourceColumns, sheet: str | None) -> RawTable:
    import fastexcel

    try:
        reader = fastexcel.read_excel(path)
    except Exception as exc:  # fastexcel raises its own error types for damaged files
        with open(path, "rb") as handle:
            zipped = handle.read(len(_ZIP_MAGIC)) == _ZIP_MAGIC
        detail = (
            str(exc).strip().splitlines()[0]
            if zipped
            else "it is not a zip archive; a CSV with an .xlsx name?"
        )
        raise InputError(f"not a readable XLSX workbook ({detail})", file=path) from None
    if sheet is not None and sheet not in reader.sheet_names:
        raise InputError(
            f"sheet {sheet!r} not found; the workbook has {', '.join(map(repr, reader.sheet_names))}",
            file=path,
        )
    if not reader.sheet_names:
        return _empty(path, source, spec, "xlsx", "", ["workbook has no sheets"])
    name = sheet if sheet is not None else reader.sheet_names[0]
    # header_row=None with skip_rows=0 keeps leading blank rows, so row i of the
    # frame is spreadsheet row i + 1.
    grid = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string").to_polars()
    if grid.height == 0:
        return _empty(path, source, spec, "xlsx", "", [f"sheet {name!r} is empty"])
    names = list(grid.columns)
    top = grid.head(HEADER_SEARCH_ROWS).rows()
    rows = [["" if cell is None else str(cell) for cell in row] for row in top]
    header = _header_rows(rows, _header_index(rows, spec), _layouts(source))
    header_at = header.texts
    warnings = _title_warning(header.first) + header.warnings
    headers = []
    for index, cell in enumerate(rows[header_at]):
        text = cell.strip()
        if not text and grid[names[index]].slice(header.last + 1).drop_nulls().len():
            text = f"column {_column_letter(index)}"
            warnings.append(
                f"header cell {text[7:]}{header_at + 1} is empty (a merged cell?); "
                f"its column is named {text!r}"
            )
        headers.append(text)
    try:
        mapping = map_headers(
            headers, spec, file=path, row=header_at + 1, names=header.names,
            samples=rows[header.last + 1:], free_text=header.free_text,
            layout_hint=header.layout.without_person if header.layout else "",
        )
    except InputError as err:
        others = [s for s in reader.sheet_names if s != name]
        if sheet is not None or not others:
            raise
        raise InputError(
            f"{err.message} (sheet {name!r} was read, the first; the workbook also has "
            f"{', '.join(map(repr, others))}: put the data first or set `sheet:` for "
            f"{source} in config/columns.yaml)",
            file=path,
            row=err.row,
            column=err.column,
        ) from None
    body = grid.slice(header.last + 1).select(
        pl.col(n).str.replace(_MIDNIGHT.pattern, "${1}") for n in names
    )
    frame, blank = _finish(body, names, mapping, first_row=header.last + 2, lines=None)
    if blank:
        warnings.append(f"{blank} blank row(s) skipped")
    return _table(frame, path, source, "xlsx", "", mapping, header.first, warnings, headers,
                  header.layout)
