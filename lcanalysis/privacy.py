"""The privacy gate: scan what a run wrote for anything that identifies a person.

Before a run counts as done (DESIGN.md section 5), :func:`gate` scans
``data/processed``, ``reports`` and ``figures`` for

- Swedish identity numbers in any written form (10 or 12 digits, with ``-``, ``+``
  or a space, samordningsnummer, Ladok interim numbers) that pass
  :func:`lcanalysis.identity.parse_personal_number`: check digit and a real birth
  date. A candidate is a digit run bounded by characters that are neither digits
  nor hex letters, so the digits inside a 32-hex ``person_id`` never count;
- e-mail addresses;
- names that occur in the raw files (:func:`names_from_raw`), as whole words,
  ignoring case;
- cells of exported tables (``reports/**/tables/*.csv|xlsx``) that break the
  disclosure policy (:func:`lcanalysis.disclosure.audit`);
- in executed notebooks, outputs that look like a pseudonym column (two or more
  distinct 32-hex values, or one next to the word ``person_id``): row-level data
  has no place in a notebook's output.

What is read: text files line by line (CSV, Markdown, JSON, logs, HTML and SVG with
entities decoded), notebook sources and outputs (images in outputs too), PNG text
chunks (tEXt, zTXt, iTXt), PDF metadata and the text objects of its content
streams, the XML inside XLSX/DOCX/PPTX (cells by reference), and every Parquet
cell (each distinct value once). A file the gate cannot read is itself a finding
(``unscanned``): what cannot be checked is not known to be safe.

A :class:`Finding` never repeats what it found in full: an identity number is shown
as its birth date and ``****``, a name as initials and stars.
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

import polars as pl

from lcanalysis import identity
from lcanalysis.text import fold

if TYPE_CHECKING:  # disclosure imports scipy (a second); only table audits need it
    from lcanalysis import disclosure

__all__ = ["DEFAULT_LOCATIONS", "Finding", "gate", "names_from_raw", "scan"]

DEFAULT_LOCATIONS = ("data/processed", "reports", "figures")
"""Folders :func:`gate` scans, relative to the project root."""

TEXT_SUFFIXES = frozenset(
    {
        ".csv",
        ".tsv",
        ".txt",
        ".md",
        ".json",
        ".log",
        ".html",
        ".htm",
        ".svg",
        ".xml",
        ".tex",
        ".yaml",
        ".yml",
    }
)
ZIP_XML_SUFFIXES = frozenset({".xlsx", ".docx", ".pptx"})
MARKUP_SUFFIXES = frozenset({".html", ".htm", ".svg", ".xml"})

MIN_LAST_NAME_LETTERS = 4
"""A last name alone is searched for only when it has at least this many letters."""

# Identity-number candidates: 6 or 8 digits, an optional separator, then 4 serial
# characters (digits, or a letter, a letter or digit and two digits for an interim
# number). Bounded on both sides by anything but a digit or a hex letter, so digit
# runs inside a hex pseudonym are not candidates; a run after "<digit>." is a
# decimal fraction (a rate), not a number of its own. After "<digit>," it is not
# skipped: that is also a comma-separated file's next field.
_CANDIDATE = re.compile(
    r"(?<![0-9A-Fa-f])(?<![0-9][.])"
    r"(?P<date>[0-9]{8}|[0-9]{6})(?P<sep>[-+ ]?)(?P<serial>[0-9]{4}|[A-Za-z][A-Za-z0-9][0-9]{2})"
    r"(?![0-9A-Fa-f])"
)
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)
_HEX32 = re.compile(r"(?<![0-9A-Fa-f])[0-9a-f]{32}(?![0-9A-Fa-f])")


@dataclass(frozen=True)
class Finding:
    """One thing in an output that may identify a person.

    Attributes
    ----------
    file:
        The file, as given or found.
    location:
        Where in it: ``line 12``, ``cell 3 output 1``, ``chunk tEXt Title``,
        ``stream 5``, ``Sheet1!B4``, ``column 'x' row 7``.
    kind:
        ``identity_number``, ``email``, ``name``, ``disclosure``,
        ``pseudonym_column`` or ``unscanned``.
    excerpt:
        What was found, redacted: never the value in full.
    """

    file: str
    location: str
    kind: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.file}: {self.location}: {self.kind}: {self.excerpt}"


# --- what counts ------------------------------------------------------------------


def _redact_number(match: re.Match[str]) -> str:
    return f"{match['date']}{match['sep'] or '-'}****"


def _redact_words(text: str) -> str:
    return " ".join(w[0] + "*" * (len(w) - 1) for w in text.split())


def _redact_email(text: str) -> str:
    local, _, domain = text.partition("@")
    return f"{local[0]}***@***.{domain.rsplit('.', 1)[-1]}"


class _Matcher:
    """The patterns of one scan: identity numbers, e-mail addresses, the raw names."""

    def __init__(self, names: Iterable[str]) -> None:
        words = sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True)
        self.names = (
            re.compile(
                r"(?<!\w)(?:"
                + "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
                + r")(?!\w)",
                re.IGNORECASE,
            )
            if words
            else None
        )

    def findings(self, text: str, file: str, location: str) -> Iterator[Finding]:
        for match in _CANDIDATE.finditer(text):
            number = match[0].replace(" ", "-")
            try:
                identity.parse_personal_number(number)
            except identity.InvalidPersonalNumber:
                continue
            yield Finding(file, location, "identity_number", _redact_number(match))
        for match in _EMAIL.finditer(text):
            yield Finding(file, location, "email", _redact_email(match[0]))
        if self.names is not None:
            for match in self.names.finditer(text):
                yield Finding(file, location, "name", _redact_words(match[0]))


# --- names from the raw files -----------------------------------------------------


def _project_words() -> set[str]:
    """Folded words the project itself writes: processed column names and every
    label in lcanalysis/plots/labels.json (Swedish and English)."""
    import json
    import re

    from lcanalysis import paths, schemas

    words = {part for table in schemas.TABLES for col in schemas.columns(table) for part in col.split("_")}
    labels = json.loads((paths.PACKAGE_DIR / "plots" / "labels.json").read_text(encoding="utf-8"))
    for entry in labels.values():
        for text in entry.values():
            words.update(re.findall(r"[^\W\d_]+", text))
    return {fold(w) for w in words if len(w) >= MIN_LAST_NAME_LETTERS}


def names_from_raw(raw_dir: Path, *, config_dir: Path | None = None) -> set[str]:
    """The names of people in the raw exports, as the gate searches for them.

    Read with :mod:`lcanalysis.ingest` from every source whose columns include
    ``name`` in ``config/columns.yaml`` (participant lists). Kept: each full name
    of at least two characters, and its last word when that has at least
    :data:`MIN_LAST_NAME_LETTERS` letters and is not also a municipality's name
    (a report about "Mora" does not name Anna Mora) or a word of the project's own
    vocabulary (a report about pilot strands does not name Eva Strand): those are
    searched as part of the full name only. First names alone are not searched:
    too many are ordinary words.
    """
    from lcanalysis import geo, paths
    from lcanalysis.ingest import list_source_files, load_column_config, read_raw_file

    specs = load_column_config((config_dir or paths.config_dir()) / "columns.yaml")
    places = {fold(n) for n in geo.municipalities()["name"].to_list()} | _project_words()
    found = list_source_files(raw_dir)
    names: set[str] = set()
    for source, spec in specs.items():
        if "name" not in spec.aliases:
            continue
        for path in found.files.get(source, []):
            frame = read_raw_file(path, source, spec).frame
            if "name" not in frame.columns:
                continue
            for full in frame["name"].drop_nulls().unique().to_list():
                full = " ".join(full.split())
                if len(full) < 2:
                    continue
                names.add(full)
                last = full.split()[-1]
                if (
                    len(full.split()) > 1
                    and sum(c.isalpha() for c in last) >= MIN_LAST_NAME_LETTERS
                    and fold(last) not in places
                ):
                    names.add(last)
    return names


# --- readers: (location, text) pieces of each kind of file ------------------------


_DATA_URI = re.compile(r"data:image/(png|svg\+xml|jpeg|gif);base64,([A-Za-z0-9+/=]+)")


def _text_lines(path: Path) -> Iterator[tuple[str, str]]:
    """Lines of a text file; in markup, embedded images (base64 data URIs) are decoded
    and their own text (PNG text chunks, SVG text) is scanned instead of the base64,
    whose random letters and digits can look like an identity number."""
    markup = path.suffix.lower() in MARKUP_SUFFIXES
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            if not markup:
                yield f"line {number}", line
                continue
            for found in _DATA_URI.finditer(line):
                data = base64.b64decode(found.group(2) + "=" * (-len(found.group(2)) % 4))
                if found.group(1) == "png":
                    for chunk, text in _png_chunks(data):
                        yield f"line {number} image {chunk}", text
                elif found.group(1) == "svg+xml":
                    yield f"line {number} image", html.unescape(data.decode("utf-8", "replace"))
            yield f"line {number}", html.unescape(_DATA_URI.sub("data:image", line))


def _png_chunks(data: bytes) -> Iterator[tuple[str, str]]:
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


_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
_PDF_LITERAL = rb"\((?:\\.|[^\\)])*\)"
_PDF_INFO = re.compile(
    rb"/(Title|Author|Subject|Keywords|Creator|Producer)\s*("
    + _PDF_LITERAL
    + rb"|<[0-9A-Fa-f\s]*>)",
    re.DOTALL,
)
_PDF_TEXT = re.compile(
    rb"\[((?:" + _PDF_LITERAL + rb"|[^\]])*)\]\s*TJ|(" + _PDF_LITERAL + rb")\s*Tj", re.DOTALL
)
_PDF_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _pdf_string(token: bytes) -> str:
    """A PDF literal ``(...)`` or hex ``<...>`` string as text (UTF-16 with a BOM, else Latin-1)."""
    if token.startswith(b"<"):
        raw = bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode().ljust(2, "0"))
    else:
        raw = re.sub(
            rb"\\([0-7]{1,3}|.)",
            lambda m: (
                bytes([int(m[1], 8) & 0xFF]) if m[1][:1].isdigit() else _PDF_ESCAPES.get(m[1], m[1])
            ),
            token[1:-1],
            flags=re.DOTALL,
        )
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace")
    return raw.decode("latin-1")


def _pdf_pieces(data: bytes) -> Iterator[tuple[str, str]]:
    """PDF Info entries, XMP metadata and the text shown by each content stream.

    Text drawn with Type 3 fonts (matplotlib's default) is readable; glyph ids of
    embedded TrueType fonts are not, and neither are compressed object streams.
    """
    for match in _PDF_INFO.finditer(_PDF_STREAM.sub(b"stream endstream", data)):
        yield f"Info /{match[1].decode()}", _pdf_string(match[2])
    for number, match in enumerate(_PDF_STREAM.finditer(data), start=1):
        body = match[1]
        with contextlib.suppress(zlib.error):
            body = zlib.decompress(body)
        if b"<x:xmpmeta" in body or b"<?xpacket" in body:
            yield f"stream {number} (XMP)", body.decode("utf-8", "replace")
            continue
        shown = []
        for text in _PDF_TEXT.finditer(body):
            if text[1] is not None:
                shown.append("".join(_pdf_string(s) for s in re.findall(_PDF_LITERAL, text[1])))
            else:
                shown.append(_pdf_string(text[2]))
        if shown:
            yield f"stream {number}", " ".join(shown)


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
    for name in sorted(
        n for n in book.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)
    ):
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


def _notebook_pieces(path: Path) -> Iterator[tuple[str, str, bool]]:
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
                    for chunk, text in _png_chunks(base64.b64decode("".join(value))):
                        yield f"{where} {chunk}", text, True
                elif mime.startswith("image/") and not mime.endswith("svg+xml"):
                    continue
                else:
                    texts.append(value if isinstance(value, (str, list)) else json.dumps(value))
            joined = "\n".join("".join(t) if isinstance(t, list) else t for t in texts)
            yield where, html.unescape(joined), True


def _parquet_pieces(path: Path) -> Iterator[tuple[str, str]]:
    """Each distinct value of each column (as text), located by its first row."""
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


# --- disclosure audit of exported tables -------------------------------------------


def _audit_table(path: Path, policy: disclosure.Policy | str) -> Iterator[Finding]:
    from lcanalysis import disclosure

    policy = disclosure.get_policy(policy)
    if path.suffix.lower() == ".csv":
        table = pl.read_csv(path, infer_schema_length=None)
    else:
        table = pl.read_excel(path)
    if not any(c in table.columns for c in ("numerator", "count", "n")):
        return
    header_rows = 1
    for violation in disclosure.audit(table, policy):
        where = "table" if violation.row < 0 else f"row {violation.row + 1 + header_rows}"
        yield Finding(
            str(path),
            f"{where} column {violation.column!r}",
            "disclosure",
            f"{violation.reason} under policy {policy.name!r}",
        )


def _is_exported_table(path: Path) -> bool:
    return path.parent.name == "tables" and path.suffix.lower() in (".csv", ".xlsx")


# --- the scan ----------------------------------------------------------------------


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            yield path


def _looks_like_text(path: Path) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(65536)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start > len(head) - 4 and b"\0" not in head
    return b"\0" not in head


def _pseudonym_column(text: str) -> str | None:
    values = set(_HEX32.findall(text))
    if len(values) >= 2 or (values and "person_id" in text):
        return f"{len(values)} distinct 32-hex value(s) (row-level pseudonyms), e.g. {min(values)[:4]}****"
    return None


def _scan_file(path: Path, matcher: _Matcher, policy: disclosure.Policy | str) -> Iterator[Finding]:
    file = str(path)
    suffix = path.suffix.lower()
    if suffix == ".ipynb":
        for location, text, is_output in _notebook_pieces(path):
            yield from matcher.findings(text, file, location)
            if is_output and (found := _pseudonym_column(text)):
                yield Finding(file, location, "pseudonym_column", found)
        return
    if suffix == ".png":
        pieces: Iterable[tuple[str, str]] = _png_chunks(path.read_bytes())
    elif suffix == ".pdf":
        pieces = _pdf_pieces(path.read_bytes())
    elif suffix in ZIP_XML_SUFFIXES:
        pieces = _zip_pieces(path)
    elif suffix == ".parquet":
        pieces = _parquet_pieces(path)
    elif suffix in TEXT_SUFFIXES or _looks_like_text(path):
        pieces = _text_lines(path)
    else:
        yield Finding(
            file, "whole file", "unscanned", f"the gate cannot read {suffix or 'this'} files"
        )
        return
    for location, text in pieces:
        yield from matcher.findings(text, file, location)
    if _is_exported_table(path):
        yield from _audit_table(path, policy)


def scan(
    paths: Iterable[Path],
    *,
    names: set[str],
    policy: disclosure.Policy | str = "default",
    raw_dir: Path | None = None,
) -> list[Finding]:
    """Every finding in the files under ``paths`` (files or folders, recursively).

    Parameters
    ----------
    paths:
        Files and folders to scan.
    names:
        Names to look for (whole words, any case); see :func:`names_from_raw`.
    policy:
        Disclosure policy (or its name) that exported tables
        (``.../tables/*.csv|xlsx``) must pass; looked up when the first table is
        audited, so a scan without tables does not load :mod:`lcanalysis.disclosure`.
    raw_dir:
        If given, the names of :func:`names_from_raw` over this folder are added.

    A file that cannot be parsed as what its name says (a damaged PNG, a ``.xlsx``
    that is not a zip) is reported as ``unscanned`` rather than raising.
    """
    if raw_dir is not None:
        names = set(names) | names_from_raw(raw_dir)
    matcher = _Matcher(names)
    findings: list[Finding] = []
    for path in _files(paths):
        if path.stat().st_size == 0:
            continue
        try:
            for finding in _scan_file(path, matcher, policy):
                findings.append(finding)
        except (
            ValueError,
            KeyError,
            OSError,
            zipfile.BadZipFile,
            ElementTree.ParseError,
            struct.error,
            pl.exceptions.PolarsError,
        ) as err:
            findings.append(
                Finding(
                    str(path), "whole file", "unscanned", f"cannot be read ({type(err).__name__})"
                )
            )
    return findings


def _project_raw_dir(project_root: Path) -> Path:
    """data/raw when it holds real source folders, else the demo world (as the CLI does)."""
    from lcanalysis.ingest import SOURCES

    base = project_root / "data" / "raw"
    return base if any((base / s).is_dir() for s in SOURCES) else base / "demo"


def gate(project_root: Path, *, policy: disclosure.Policy | str = "default") -> list[Finding]:
    """Scan a project's outputs (:data:`DEFAULT_LOCATIONS`) with the names of its raw files.

    What the runner calls before it marks a run complete; an empty list means the
    run may be published as far as the gate can tell.
    """
    root = Path(project_root)
    raw = _project_raw_dir(root)
    config = root / "config"
    names = (
        names_from_raw(raw, config_dir=config if config.is_dir() else None)
        if raw.is_dir()
        else set()
    )
    return scan([root / location for location in DEFAULT_LOCATIONS], names=names, policy=policy)
