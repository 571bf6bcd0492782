"""Tables laid out for reading: words with units, rounded numbers, no codes.

The exported CSV and the workbook keep every column at six decimals
(:mod:`lcanalysis.report.tables`); the report shows a reader's version of the same
audited file:

- headers in words from ``labels.json`` (``column.<code>``) with the unit after
  them: ``Andel (%)``, ``Skillnad (procentenheter)``;
- proportions as per cent with one decimal, differences of proportions in
  percentage points, counts as whole numbers, ratios and estimates with two
  decimals, p-values with three (``< 0,001`` below that);
- each lower/upper bound pair as one "95 % interval" column (``32,4–36,5``);
- codes as words (routes, characteristics, methods, learning centres by name);
- a suppressed value as ``..`` (Statistics Sweden's mark for a value that is not
  shown) with the reason in the table's note, never a number;
- at most :data:`MAX_COLUMNS` columns, so no table is wider than an A4 page: the
  columns left out are named in the note, and the workbook sheet has them all.
"""

from __future__ import annotations

import csv
import html
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lcanalysis.plots.labels import category_label, format_number, label
from lcanalysis.report.narrative import text

MAX_COLUMNS = 6
"""Columns of a report table: six fit an A4 page in portrait at the report's type size
without breaking a header word (seven did not: the effect table's long method names
and headers made it 673 px wide against the page's 658 px in Chromium)."""

SUPPRESSED_MARK = ".."

PERCENT = frozenset({"rate", "share", "survival", "completed_share", "share_filled", "observed_rate",
                     "expected_rate", "reference_rate"})
"""Proportions, shown as per cent."""

PROPORTION_DIFFERENCES = frozenset({"difference", "diff_ci_low", "diff_ci_high", "ame"})
"""Differences of proportions, shown in percentage points."""

POINTS = frozenset({"gap_pp", "gap_ci_low", "gap_ci_high", "difference_pp"})
"""Already in percentage points."""

INTERVALS = (
    ("ci_low", "ci_high"), ("gap_ci_low", "gap_ci_high"), ("ratio_ci_low", "ratio_ci_high"),
    ("diff_ci_low", "diff_ci_high"), ("prediction_low", "prediction_high"),
)
"""Lower and upper bounds shown as one column, in the order of the first."""

HIDDEN = frozenset({"suppressed", "suppression_reason", "outcome", "rank_by", "comparison"})
"""Columns not shown: disclosure bookkeeping (said in the note) and constants the
caption already names (the outcome and comparison group of the effect table)."""

SHOWN_WHEN_VARYING = frozenset({"outcome"})
"""Of :data:`HIDDEN`, the columns shown when their value differs between rows: then
they are what tells the rows apart (notebook 08's cost per participant, per credit,
per completer)."""

CODES = frozenset({"host_municipality_code", "municipality_code", "candidates", "learning_centre_id", "term"})
"""Columns of codes that look like numbers (municipality codes "0181"): shown as words."""

LEAVE_OUT_FIRST = (
    "std_error", "incomplete_window", "n_registrations", "entrants_without_reference",
    "reference_numerator", "reference_denominator", "ratio_ci_low", "ratio", "n_units", "numerator",
    "comparison", "sessions_without_hours", "observed", "expected_rate", "denominator",
)
"""The columns a reader misses least, left out first when a table has too many."""

MAIN_ESTIMATES = ("rate", "difference_pp", "gap_pp", "ame", "difference", "estimate", "expected", "share")
"""The column whose unit a table's plain ``ci_low``/``ci_high`` take."""


@dataclass
class ReadingTable:
    number: int
    caption: str
    header: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    notes: list[str] = field(default_factory=list)
    source: str = ""  # "<task>/<table>" of the exported file it was read from ("" if none)

    @property
    def width(self) -> int:
        return len(self.header)


def unit(column: str, lang: str, ci_unit: str | None = None) -> str:
    kind = _kind(column, ci_unit)
    if kind == "percent":
        return " (%)"
    if kind in ("points", "proportion_difference"):
        return f" ({text('report.unit_points', lang)})"
    return ""


def _kind(column: str, ci_unit: str | None) -> str:
    if column in ("ci_low", "ci_high") and ci_unit is not None:
        column = ci_unit
    if column in PERCENT:
        return "percent"
    if column in PROPORTION_DIFFERENCES:
        return "proportion_difference"
    if column in POINTS:
        return "points"
    if column == "p_value":
        return "p"
    return "number"


def parse_number(text: str, lang: str) -> float | None:
    """A number as written in an exported CSV of ``lang`` (decimal comma in sv), else None."""
    value = text.replace(",", ".") if lang == "sv" else text
    try:
        return float(value)
    except ValueError:
        return None


def format_value(column: str, cell: str, lang: str, *, ci_unit: str | None = None) -> tuple[str, bool]:
    """The reader's text of one exported cell and whether it is a number."""
    if cell == "":
        return "–", False
    if cell.startswith("[") and cell.endswith("]") and column not in ("candidates",):
        return SUPPRESSED_MARK, True
    number = None if column in CODES else parse_number(cell, lang)
    if number is None:
        return category_text(column, cell, lang), False
    kind = _kind(column, ci_unit)
    if kind == "percent":
        return format_number(number * 100, lang, 1), True
    if kind == "proportion_difference":
        return format_number(number * 100, lang, 1), True
    if kind == "points":
        return format_number(number, lang, 1), True
    if kind == "p":
        return ("< " + format_number(0.001, lang, 3)) if number < 0.001 else format_number(number, lang, 3), True
    if float(number).is_integer():
        return format_number(number, lang, 0), True
    return format_number(number, lang, 2 if abs(number) < 100 else 0), True


def category_text(column: str, value: str, lang: str) -> str:
    """Words for a code: labels.json, learning centres by name, municipalities by name."""
    if column == "learning_centre_id":
        return _centre_names().get(value, value)
    if column in ("candidates", "host_municipality_code"):
        codes = re.findall(r"\d{4}", value)
        names = _municipality_names()
        return ", ".join(names.get(code, code) for code in codes) if codes else value
    if column == "term" and value in ("learning_centre", "campus"):
        return category_label("route", value, lang)
    try:
        return category_label(column, value, lang)
    except KeyError:
        return value


@cache
def _centre_names() -> dict[str, str]:
    from lcanalysis.config import load_learning_centres

    return {cid: centre.name for cid, centre in load_learning_centres().items()}


@cache
def _municipality_names() -> dict[str, str]:
    from lcanalysis import geo

    table = geo.municipalities()
    return dict(zip(table["municipality_code"].to_list(), table["name"].to_list(), strict=True))


INTERVAL_OF = {"gap_ci_low": "gap_pp", "ratio_ci_low": "ratio", "diff_ci_low": "difference"}
"""Bounds that belong to another column than the table's main estimate: their header names it."""


def header_text(column: str, lang: str, ci_unit: str | None) -> str:
    for pair in INTERVALS:
        if column == pair[0]:
            key = "report.prediction_interval" if column == "prediction_low" else "report.interval"
            words = text(key, lang)
            if column in INTERVAL_OF:
                words = f"{label('column.' + INTERVAL_OF[column], lang)}, {words}"
            return words + unit(column, lang, ci_unit)
    try:
        words = label(f"column.{column}", lang)
    except KeyError:
        words = column.replace("_", " ").capitalize()
    return words + unit(column, lang, ci_unit)


def read_csv(path: Path, lang: str) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";" if lang == "sv" else ",")
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def reading_table(path: Path, *, lang: str, number: int, caption: str, sheet: str,
                  parameters: dict[str, object] | None = None) -> ReadingTable:
    """The reader's version of one exported CSV (see the module docstring)."""
    columns, rows = read_csv(path, lang)
    ci_unit = next((c for c in MAIN_ESTIMATES if c in columns), None)
    shown = [c for c in columns if c not in HIDDEN
             or (c in SHOWN_WHEN_VARYING and len({row[c] for row in rows}) > 1)]
    merged = {high for _, high in INTERVALS}
    shown = [c for c in shown if c not in merged or not any(low in columns for low, h in INTERVALS if h == c)]
    left_out: list[str] = []
    for column in LEAVE_OUT_FIRST:
        if len(shown) <= MAX_COLUMNS:
            break
        if column in shown:
            shown.remove(column)
            left_out.append(column)
    while len(shown) > MAX_COLUMNS:
        left_out.append(shown.pop())
    pairs = dict(INTERVALS)
    body: list[list[str]] = []
    numeric = [False] * len(shown)
    reasons: set[str] = set()
    for row in rows:
        cells = []
        for j, column in enumerate(shown):
            if column in pairs and pairs[column] in row:
                low, is_num = format_value(column, row[column], lang, ci_unit=ci_unit)
                high, _ = format_value(pairs[column], row[pairs[column]], lang, ci_unit=ci_unit)
                cell = SUPPRESSED_MARK if SUPPRESSED_MARK in (low, high) else (
                    "–" if "–" in (low, high) else f"{low}\u2013{high}")
            else:
                cell, is_num = format_value(column, row[column], lang, ci_unit=ci_unit)
            if cell == SUPPRESSED_MARK:
                reasons.add(row.get("suppression_reason") or "secondary")
            numeric[j] = numeric[j] or is_num
            cells.append(cell)
        body.append(cells)
    notes = []
    if reasons:
        words = ", ".join(category_label("suppression_reason", r, lang).lower() for r in sorted(reasons))
        notes.append(text("report.suppressed_note", lang, mark=SUPPRESSED_MARK, reasons=words))
    if left_out:
        names = "; ".join(header_text(c, lang, ci_unit).lower() for c in left_out)
        notes.append(text("report.more_columns", lang, columns=names, sheet=sheet))
    return ReadingTable(number, caption, [header_text(c, lang, ci_unit) for c in shown], body, numeric, notes,
                        source=f"{path.parent.name}/{path.stem}")


def html_table(fragment: str, *, lang: str, number: int) -> ReadingTable:
    """A notebook's own HTML table (one that is not exported: processing tables) as a
    reading table, at most :data:`MAX_COLUMNS` wide."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(fragment, "html.parser")
    table = soup.find("table")
    caption_tag = table.find("caption") if table else None
    caption = caption_tag.get_text(" ", strip=True) if caption_tag else ""
    header = [th.get_text(" ", strip=True) for th in table.select("thead th")] if table else []
    rows = []
    numeric = [False] * len(header)
    for tr in table.select("tbody tr") if table else []:
        cells = tr.find_all(["th", "td"])
        rows.append([_html_cell(c.get_text(" ", strip=True), lang) for c in cells][:MAX_COLUMNS])
        for j, c in enumerate(cells[:MAX_COLUMNS]):
            numeric[j] = numeric[j] or "num" in (c.get("class") or [])
    notes = []
    if len(header) > MAX_COLUMNS:
        notes.append(text("report.more_columns_notebook", lang,
                          columns=", ".join(h.lower() for h in header[MAX_COLUMNS:])))
    return ReadingTable(number, caption, header[:MAX_COLUMNS], rows, numeric[:MAX_COLUMNS], notes)


def _html_cell(cell: str, lang: str) -> str:
    """A cell of a notebook's HTML table: booleans in words, empty as a dash."""
    if cell in ("true", "false"):
        return text(f"report.{cell}", lang)
    return html.unescape(cell) or "–"
