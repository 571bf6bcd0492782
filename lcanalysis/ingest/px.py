"""PX (PC-Axis) files, the format of SCB's statistical database, read into a :class:`Cube`.

A PX file is a list of ``KEYWORD[lang]("variable")=value;`` statements followed by
``DATA=``. What is used (Statistics Sweden, "PX-file format specification", 2013):

- ``CHARSET="ANSI"`` means Windows-1252; ``CODEPAGE`` names the encoding when given;
  otherwise the file is read as its bytes say (UTF-8 if valid, else Windows-1252);
- ``STUB`` and ``HEADING`` name the variables; ``VALUES("var")`` their labels and
  ``CODES("var")`` their codes (a region's code, ``"0114"``, is used when present);
- ``TIMEVAL("var")`` marks the time variable; ``CONTENTS`` and ``TITLE`` say what is
  counted;
- ``DATA``: one number per cell, stub variables first, the last heading variable
  changing fastest; the symbols ``"."`` to ``"......"``, ``".."`` and ``"-"`` are
  missing values (``DATASYMBOL1``-``6``, never zero);
- statements for other languages (``VALUES[sv]("region")``) are ignored: the file's
  default language is read.

A string value may continue on the next line (``"...accord"`` then ``"ing to..."``):
adjacent strings without a comma between them are one string.
"""

from __future__ import annotations

import re
from itertools import product
from pathlib import Path

import polars as pl

from lcanalysis.errors import InputError
from lcanalysis.ingest.cube import TIME_NAMES, YEAR, Cube, number
from lcanalysis.ingest.detect import detect_encoding
from lcanalysis.text import fold

_KEY = re.compile(r'^\s*([A-Za-z0-9-]+)(\[[A-Za-z-]+\])?(?:\((.*)\))?\s*$', re.DOTALL)
_TOKEN = re.compile(r'"([^"]*)"|(,)|([^\s,"]+)')


def _statements(text: str) -> tuple[list[tuple[str, str]], str]:
    """``(keyword part, value part)`` of every statement before DATA, and the data text."""
    statements: list[tuple[str, str]] = []
    at, length = 0, len(text)
    while at < length:
        equals = _outside_quotes(text, "=", at)
        if equals < 0:
            break
        key = text[at:equals].strip()
        if key.upper() == "DATA":
            end = _outside_quotes(text, ";", equals + 1)
            return statements, text[equals + 1: end if end >= 0 else length]
        end = _outside_quotes(text, ";", equals + 1)
        if end < 0:
            raise InputError(f"PX statement {key!r} has no closing ';'", file=None)
        statements.append((key, text[equals + 1: end]))
        at = end + 1
    return statements, ""


def _outside_quotes(text: str, char: str, start: int) -> int:
    quoted = False
    for index in range(start, len(text)):
        c = text[index]
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            return index
    return -1


def _values(value: str) -> list[str]:
    """A statement's value as a list: comma-separated items, adjacent strings joined."""
    items: list[str] = []
    joinable = False
    for quoted, comma, bare in _TOKEN.findall(value):
        if comma:
            joinable = False
        elif joinable and quoted is not None and bare == "":
            items[-1] += quoted
        else:
            items.append(quoted if bare == "" else bare)
            joinable = bare == ""
    return items


def _encoding(raw: bytes, path: Path) -> str:
    head = raw[:4096].decode("latin-1")
    codepage = re.search(r'CODEPAGE\s*=\s*"([^"]+)"', head)
    if codepage:
        return codepage.group(1).lower()
    charset = re.search(r'CHARSET\s*=\s*"([^"]+)"', head)
    if charset and charset.group(1).upper() == "ANSI":
        return "cp1252"
    return detect_encoding(path)


def read_px(path: Path) -> Cube:
    """Read a PX file (see the module docstring) into a :class:`Cube`.

    Raises
    ------
    InputError
        When the file lacks ``STUB``/``HEADING``, ``VALUES`` or ``DATA``, has a
        number of data cells that is not the product of the variables' values, or
        a cell that is neither a number nor a data symbol.
    """
    path = Path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode(_encoding(raw, path))
    except (LookupError, UnicodeDecodeError) as exc:
        raise InputError(f"PX file cannot be decoded: {exc}", file=path) from None
    try:
        statements, data = _statements(text)
    except InputError as err:
        raise InputError(err.message, file=path) from None
    meta: dict[tuple[str, str], list[str]] = {}
    for key, value in statements:
        match = _KEY.match(key)
        if match is None or match.group(2):  # another language's statement
            continue
        keyword = match.group(1).upper()
        variable = _values(match.group(3))[0] if match.group(3) else ""
        meta[(keyword, variable)] = _values(value)
    stub = meta.get(("STUB", ""), [])
    heading = meta.get(("HEADING", ""), [])
    variables = stub + heading
    if not variables or not data.strip():
        raise InputError("not a PX table: no STUB/HEADING or no DATA", file=path)
    labels = []
    for variable in variables:
        values = meta.get(("VALUES", variable))
        if not values:
            raise InputError(f"PX variable {variable!r} has no VALUES", file=path)
        labels.append(values)
    cells = [q if q else b for q, _, b in _TOKEN.findall(data) if q or b]
    expected = 1
    for values in labels:
        expected *= len(values)
    if len(cells) != expected:
        raise InputError(
            f"PX DATA has {len(cells)} cells but the variables give {expected} "
            f"({' x '.join(str(len(v)) for v in labels)})",
            file=path,
        )
    time_var = next((v for (k, v) in meta if k == "TIMEVAL"), None) or next(
        (v for v in variables if fold(v) in TIME_NAMES), None
    )
    if time_var is None:
        raise InputError("not a PX table by year: no TIMEVAL and no variable 'år'/'year'/'tid'", file=path)
    codes = {
        v: dict(zip(meta[("VALUES", v)], meta[("CODES", v)], strict=False))
        for v in variables if ("CODES", v) in meta
    }
    time_at = variables.index(time_var)
    dims = [v for v in variables if v != time_var]
    per_stub = 1
    for values in labels[len(stub):]:
        per_stub *= len(values)
    records = []
    for index, (combo, cell) in enumerate(zip(product(*labels), cells, strict=True)):
        year = YEAR.search(combo[time_at])
        if year is None:
            raise InputError(f"time value {combo[time_at]!r} is not a year", file=path, column=time_var)
        row = index // per_stub + 1
        value = number(cell, file=path, row=row, column=time_var)
        records.append((*(c for i, c in enumerate(combo) if i != time_at), int(year.group(1)), value, row))
    schema = dict.fromkeys(dims, pl.String) | {"year": pl.Int32, "value": pl.Float64, "_row": pl.Int64}
    title = "; ".join(
        " ".join(meta[(k, "")]) for k in ("TITLE", "CONTENTS") if (k, "") in meta
    )
    encoding = _encoding(raw, path)
    return Cube(
        frame=pl.DataFrame(records, schema=schema, orient="row"),
        dimensions=dims,
        codes=codes,
        title=title,
        file=str(path),
        layout=f"PX ({encoding}, {' x '.join(variables)})",
    )
