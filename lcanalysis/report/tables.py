"""Exporting indicator tables: CSV, one Excel workbook, and accessible HTML.

Only tables that pass the disclosure checks are written: each table's own audit
(:func:`lcanalysis.disclosure.audit`) and the intruder's attack on the tables
together (:func:`lcanalysis.disclosure.attack`); one failing table stops the whole
export, with every violation of every table listed. Beside the tables go their
layouts (``disclosure.json``: keys, margins, population, for the run's attack) and
the disclosure log (``disclosure_log.csv``: every hidden cell, its rule, primary or
secondary, and the policy). :func:`read_exported_table` reads a CSV back as the
intruder would.

File choices
------------
- CSV is UTF-8 with a byte-order mark, so Excel opens å, ä and ö correctly. With
  ``lang="sv"`` the separator is ``;`` and decimals use a comma (what Excel expects
  under Swedish regional settings, where the comma is the decimal sign); with
  ``lang="en"`` the separator is ``,`` and decimals a point. There is no thousands
  separator, so every number stays a number in Excel.
- Column names and category values stay as codes (``route``, ``learning_centre``)
  in CSV and Excel, so the files can be read back by code; the HTML table for the
  report shows the translated labels.
- A suppressed value is written as its reason code in brackets (``[small_count]``),
  never as 0 or an empty cell.
- Text cells beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  get a leading single quote (OWASP "CSV injection"), in CSV and in Excel, where
  every text is written as a string, never as a formula.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from lcanalysis.errors import LcanalysisError
from lcanalysis.plots.labels import (
    category_label,
    check_lang,
    format_number,
    format_percent,
    label,
)

INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PROPORTION_COLUMNS = frozenset(
    {"rate", "ci_low", "ci_high", "share", "difference", "diff_ci_low", "diff_ci_high", "survival", "share_filled"}
)
DISCLOSURE_COLUMNS = ("suppressed", "suppression_reason")
WORKBOOK_NAME = "tables.xlsx"
LAYOUT_FILE = "disclosure.json"
LOG_FILE = "disclosure_log.csv"
if TYPE_CHECKING:
    from lcanalysis.disclosure import Layout

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class ExportRefused(LcanalysisError):
    """At least one table failed the disclosure checks; nothing was written.

    ``violations`` maps each failing table's name to its list of
    :class:`lcanalysis.disclosure.Finding` (row, column, reason, message).
    """

    def __init__(self, violations: Mapping[str, list], policy: str) -> None:
        self.violations = dict(violations)
        lines = [f"export refused: {len(self.violations)} table(s) fail disclosure policy {policy!r}"]
        for name, found in self.violations.items():
            lines.append(f"  table {name!r}: {len(found)} violation(s)")
            lines += [
                f"    row {v.row}, column {v.column!r}: {v.reason}: {v.message}" for v in found
            ]
        super().__init__("\n".join(lines))


def escape_cell(text: str) -> str:
    """``text`` made safe for a spreadsheet: a leading ``'`` before ``= + - @``, tab or CR."""
    return f"'{text}" if text.startswith(INJECTION_PREFIXES) else text


def _is_suppressed_cell(row: Mapping, column: str) -> bool:
    return bool(row.get("suppressed")) and row[column] is None and column not in DISCLOSURE_COLUMNS


def _code(row: Mapping) -> str:
    return f"[{row.get('suppression_reason') or 'secondary'}]"


DECIMALS = 6
"""Decimals kept in exported numbers: a rate to 0.0001 percentage points is more than
any estimate here supports, and no run of digits in an export is long enough to be
mistaken for (or hide) an identity number."""


def _csv_value(value: object, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        text = format(round(value, DECIMALS), f".{DECIMALS + 6}g")
        return text.replace(".", ",") if lang == "sv" else text
    if isinstance(value, int):
        return str(value)
    return escape_cell(str(value))


def sheet_names(names: list[str], reserved: str) -> dict[str, str]:
    """Excel sheet names for ``names``: at most 31 characters, no ``[]:*?/\\``, unique
    (ignoring case, as Excel does) and different from the ``reserved`` notes sheet."""
    taken = {reserved.lower()}
    out: dict[str, str] = {}
    for name in names:
        base = _SHEET_FORBIDDEN.sub("_", name).strip("'")[:31] or "table"
        candidate, k = base, 1
        while candidate.lower() in taken:
            k += 1
            suffix = f"~{k}"
            candidate = base[: 31 - len(suffix)] + suffix
        taken.add(candidate.lower())
        out[name] = candidate
    return out


def _atomic_write(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_tables(
    tables: Mapping[str, pl.DataFrame],
    out_dir: Path,
    *,
    policy,
    lang: str,
    notes: Mapping[str, str],
    synthetic: bool,
    layouts: Mapping[str, Layout],
) -> list[Path]:
    """Write each table as CSV and all of them in one workbook, after a disclosure audit.

    Parameters
    ----------
    tables:
        Name -> rate frame or count table (names: letters, digits, ``-``, ``_``).
    out_dir:
        Folder for ``<name>.csv`` and ``tables.xlsx`` (created if absent).
    policy:
        A :class:`lcanalysis.disclosure.Policy` or its name; every table must pass
        ``audit(table, policy)`` or nothing is written.
    lang:
        ``"sv"`` or ``"en"``: CSV separator and decimal sign, notes language.
    notes:
        Name -> definition of what the table's numbers mean (which UKÄ definition,
        which census date ...); every table needs one, shown on the notes sheet.
    synthetic:
        True for the synthetic demo world: the notes sheet then opens with the warning.
    layouts:
        Name -> :class:`lcanalysis.disclosure.Layout` (declared keys, margins,
        population) of every table; written to ``disclosure.json``.

    Returns
    -------
    list of Path
        The CSV files in the order of ``tables``, the layouts, the disclosure log,
        then the workbook.

    Raises
    ------
    ExportRefused
        When any table fails the audit; the message lists every violation per table.
    ValueError
        For a bad table name or a table without a definition in ``notes``.
    """
    from lcanalysis.disclosure import Published, attack, disclosure_log, get_policy

    check_lang(lang)
    policy = get_policy(policy)
    bad = [n for n in tables if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", n)]
    if bad:
        raise ValueError(f"table names must be letters, digits, '-' and '_': {', '.join(bad)}")
    undefined = [n for n in tables if not notes.get(n)]
    if undefined:
        raise ValueError(f"no definition in notes for table(s): {', '.join(undefined)}")
    undeclared = [n for n in tables if n not in layouts]
    if undeclared:
        raise ValueError(f"no layout (declared keys) for table(s): {', '.join(undeclared)}")
    # NaN is "not applicable" (e.g. no standard error for a permutation estimate):
    # written like any other missing number, never as a spreadsheet error.
    tables = {name: t.with_columns(pl.col(pl.Float32, pl.Float64).fill_nan(None))
              for name, t in tables.items()}
    published = [Published(name, t, layouts[name]) for name, t in tables.items()]
    failing: dict[str, list] = {}
    for finding in attack(published, policy):
        failing.setdefault(finding.table, []).append(finding)
    if failing:
        raise ExportRefused(failing, policy.name)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        path = out_dir / f"{name}.csv"
        _atomic_write(path, lambda tmp, t=table: _write_csv(t, Path(tmp), lang))
        written.append(path)
    book = out_dir / WORKBOOK_NAME
    _atomic_write(book, lambda tmp: _write_workbook(tables, tmp, policy, lang, notes, synthetic))
    written.append(book)
    sidecar = out_dir / LAYOUT_FILE
    text = json.dumps({"policy": policy.name, "lang": lang,
                       "tables": {n: layouts[n].to_json() for n in tables}}, indent=1)
    _atomic_write(sidecar, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    log = pl.concat([disclosure_log(t.name, t.frame, t.layout, policy) for t in published])
    log_path = out_dir / LOG_FILE
    _atomic_write(log_path, lambda tmp: log.write_csv(tmp))
    return [*written[:-1], sidecar, log_path, book]


def read_exported_table(path: Path) -> pl.DataFrame:
    """An exported CSV read back with the types it was written from, as an intruder
    (or the privacy gate) reads it: the separator from the header (``;`` for
    Swedish, ``,`` for English), decimal commas, ``true``/``false``, a reason code in
    brackets as null, the spreadsheet-injection quote removed."""
    text = Path(path).read_text(encoding="utf-8-sig")
    header = text.split("\n", 1)[0]
    separator = ";" if header.count(";") > header.count(",") else ","
    raw = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    columns, rows = raw[0], raw[1:]
    data = {}
    for j, column in enumerate(columns):
        cells = [None if (r[j] == "" or (r[j].startswith("[") and r[j].endswith("]"))) else r[j]
                 for r in rows]
        data[_unescape(column)] = _typed(cells, separator)
    return pl.DataFrame(data)


def _unescape(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(INJECTION_PREFIXES) else text


def _typed(cells: list[str | None], separator: str) -> pl.Series:
    present = [c for c in cells if c is not None]
    if present and all(c in ("true", "false") for c in present):
        return pl.Series([None if c is None else c == "true" for c in cells], dtype=pl.Boolean)
    # Codes with a leading zero (municipality "0181") stay text, as they were written.
    if present and all(re.fullmatch(r"-?(0|[1-9]\d*)", c) for c in present):
        return pl.Series([None if c is None else int(c) for c in cells], dtype=pl.Int64)
    number = r"-?((0|[1-9]\d*)([.,]\d+)?([eE][-+]?\d+)?|nan|inf)"
    if present and all(re.fullmatch(number, c) for c in present):
        fix = (lambda c: c.replace(",", ".")) if separator == ";" else (lambda c: c)
        return pl.Series([None if c is None else float(fix(c)) for c in cells], dtype=pl.Float64)
    return pl.Series([None if c is None else _unescape(c) for c in cells], dtype=pl.Utf8)


def _write_csv(table: pl.DataFrame, path: Path, lang: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if lang == "sv" else ",", lineterminator="\r\n")
    writer.writerow([escape_cell(c) for c in table.columns])
    for row in table.iter_rows(named=True):
        writer.writerow(
            [_code(row) if _is_suppressed_cell(row, c) else _csv_value(row[c], lang)
             for c in table.columns]
        )
    path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")


def _policy_text(policy) -> str:
    from dataclasses import asdict

    settings = ", ".join(f"{k} = {v}" for k, v in asdict(policy).items() if k != "name")
    return f"{policy.name}: {settings}"


def _write_workbook(tables, path, policy, lang, notes, synthetic) -> None:
    import xlsxwriter

    notes_name = label("table.notes_sheet", lang)
    names = sheet_names(list(tables), notes_name)
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(path, options) as book:
        bold = book.add_format({"bold": True})
        warn = book.add_format({"bold": True, "font_color": "#B2182B"})
        pct = book.add_format({"num_format": "0.0%"})
        code = book.add_format({"italic": True, "font_color": "#4D4D4D", "align": "right"})
        notes_sheet = book.add_worksheet(notes_name)
        for name, table in tables.items():
            sheet = book.add_worksheet(names[name])
            for j, column in enumerate(table.columns):
                sheet.write_string(0, j, escape_cell(column), bold)
                sheet.set_column(j, j, max(10, min(len(column) + 2, 30)))
            for i, row in enumerate(table.iter_rows(named=True), start=1):
                for j, column in enumerate(table.columns):
                    value = row[column]
                    if _is_suppressed_cell(row, column):
                        sheet.write_string(i, j, _code(row), code)
                    elif value is None:
                        sheet.write_blank(i, j, None)
                    elif isinstance(value, bool):
                        sheet.write_boolean(i, j, value)
                    elif isinstance(value, int | float):
                        fmt = pct if column in PROPORTION_COLUMNS else None
                        sheet.write_number(i, j, round(value, DECIMALS), fmt)
                    else:
                        sheet.write_string(i, j, escape_cell(str(value)))
            sheet.freeze_panes(1, 0)
        r = 0
        notes_sheet.write_string(r, 0, label("table.notes_heading", lang), bold)
        r += 1
        if synthetic:
            notes_sheet.write_string(r, 0, label("note.synthetic_warning", lang), warn)
        else:
            notes_sheet.write_string(r, 0, label("table.real_data", lang))
        r += 2
        notes_sheet.write_string(r, 0, label("table.policy", lang), bold)
        notes_sheet.write_string(r, 1, _policy_text(policy))
        r += 1
        notes_sheet.write_string(r, 0, label("table.suppressed_codes", lang), bold)
        for reason in sorted(policy.reasons):
            notes_sheet.write_string(r, 1, f"[{reason}]")
            notes_sheet.write_string(r, 2, category_label("suppression_reason", reason, lang))
            r += 1
        r += 1
        notes_sheet.write_string(r, 0, label("table.table", lang), bold)
        notes_sheet.write_string(r, 1, label("table.definition", lang), bold)
        for name in tables:
            r += 1
            notes_sheet.write_string(r, 0, names[name])
            notes_sheet.write_string(r, 1, escape_cell(notes[name]))
        notes_sheet.set_column(0, 0, 28)
        notes_sheet.set_column(1, 1, 90)
        notes_sheet.set_column(2, 2, 40)


def _header(column: str, lang: str) -> str:
    try:
        return label(f"column.{column}", lang)
    except KeyError:
        return column


def _html_value(column: str, value: object, lang: str, proportions: bool = True) -> tuple[str, bool]:
    """Display text of one cell and whether it is numeric (right-aligned).

    ``proportions``: the table's ``ci_low``/``ci_high`` are intervals of proportions
    (a rate frame), shown as per cent; in a table of model estimates they are in the
    estimate's own unit. A p-value keeps three decimals; NaN (not applicable, e.g. no
    standard error for a permutation estimate) is a dash.
    """
    if value is None:
        return "", False
    if isinstance(value, bool):
        return category_label(column, value, lang), False
    if isinstance(value, int):
        return format_number(value, lang, 0), True
    if isinstance(value, float):
        if math.isnan(value):
            return "–", True
        if column == "p_value":
            return format_number(value, lang, 3), True
        if column in PROPORTION_COLUMNS and (proportions or column not in ("ci_low", "ci_high")):
            return format_percent(value, lang, 1), True
        return format_number(value, lang, 2 if abs(value) < 100 else 1), True
    return category_label(column, value, lang), False


def render_html_table(table: pl.DataFrame, *, lang: str, caption: str) -> str:
    """An accessible HTML ``<table>`` of ``table`` for the report.

    A ``<caption>``, a ``<thead>`` with ``scope="col"`` headers and, in each row, the
    first column as a ``<th scope="row">``. Headers and category values are
    translated (``labels.json``), numbers formatted for ``lang`` (proportions as per
    cent with one decimal). A suppressed cell shows its code (``[small_count]``)
    with a ``title`` that explains it; the ``suppressed`` and
    ``suppression_reason`` columns themselves are not repeated. All text is
    HTML-escaped.
    """
    check_lang(lang)
    esc = html.escape
    columns = [c for c in table.columns if c not in DISCLOSURE_COLUMNS]
    proportions = "estimate" not in table.columns
    suppressed_word = label("legend.suppressed", lang)
    out = [f'<table class="lc-table" lang="{lang}">', f"<caption>{esc(caption)}</caption>",
           "<thead>", "<tr>"]
    out += [f'<th scope="col">{esc(_header(c, lang))}</th>' for c in columns]
    out += ["</tr>", "</thead>", "<tbody>"]
    for row in table.iter_rows(named=True):
        cells = []
        for j, column in enumerate(columns):
            tag = "th" if j == 0 else "td"
            scope = ' scope="row"' if j == 0 else ""
            if _is_suppressed_cell(row, column):
                reason = row.get("suppression_reason") or "secondary"
                explanation = f"{suppressed_word}: {category_label('suppression_reason', reason, lang)}"
                cells.append(f'<{tag}{scope} class="suppressed" title="{esc(explanation)}">'
                             f"{esc(_code(row))}</{tag}>")
                continue
            text, numeric = _html_value(column, row[column], lang, proportions)
            cls = ' class="num"' if numeric else ""
            cells.append(f"<{tag}{scope}{cls}>{esc(text)}</{tag}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


# --- a run's exports as the intruder reads them ------------------------------------


def _export_folders(run_dir: Path) -> list[Path]:
    """Folders of exported tables under ``run_dir``: those with layouts, and any with
    CSV files under a ``tables`` folder (which then lack their layouts)."""
    run_dir = Path(run_dir)
    with_layouts = {p.parent for p in run_dir.rglob(LAYOUT_FILE)}
    under_tables = {p.parent for p in run_dir.rglob("*.csv")
                    if "tables" in p.relative_to(run_dir).parts[:-1] or run_dir.name == "tables"}
    return sorted(with_layouts | under_tables)


def _prefix(folder: Path, run_dir: Path) -> str:
    parts = [p for p in folder.relative_to(run_dir).parts if p != "tables"]
    return "".join(f"{p}/" for p in parts)


def _attacked_files(run_dir: Path) -> list[tuple[Path, Path, list[Path]]]:
    """(folder, its layouts file, its tables) for each export folder under ``run_dir``:
    every file :func:`run_tables` reads."""
    return [(folder, folder / LAYOUT_FILE, sorted(p for p in folder.glob("*.csv") if p.name != LOG_FILE))
            for folder in _export_folders(run_dir)]


def attack_inputs(run_dir: Path) -> list[Path]:
    """Every file the intruder reads in ``run_dir`` (:func:`run_tables`): what its
    findings depend on, with the policy and the code."""
    return [path for _, sidecar, csvs in _attacked_files(run_dir)
            for path in ([sidecar] if sidecar.is_file() else []) + csvs]


def run_tables(run_dir: Path):
    """Every exported table under ``run_dir`` with its layout, as an intruder reads
    them: the CSV files and the ``disclosure.json`` beside them. A table's name gets
    its notebook's folder (``01_widening_participation/first_generation_by_age``).

    Returns (list of :class:`lcanalysis.disclosure.Published`, findings): a CSV
    without a layout is a finding (``"no_layout"``), since what cannot be attacked is
    not known to be safe."""
    from lcanalysis.disclosure import Finding, Layout, Published

    run_dir = Path(run_dir)
    tables, findings = [], []
    for folder, sidecar, csvs in _attacked_files(run_dir):
        layouts = json.loads(sidecar.read_text(encoding="utf-8"))["tables"] if sidecar.is_file() else {}
        for path in csvs:
            if path.stem not in layouts:
                findings.append(Finding(str(path), -1, "", "no_layout",
                                        f"no layout for this table in {sidecar}"))
                continue
            tables.append(Published(_prefix(folder, run_dir) + path.stem,
                                    read_exported_table(path), Layout.from_json(layouts[path.stem])))
    return tables, findings


def attack_run(run_dir: Path, policy) -> list:
    """The intruder (:func:`lcanalysis.disclosure.attack`) over every exported table
    of one run folder, all notebooks together: linked tables of different notebooks
    (the same population) are attacked as one set."""
    from lcanalysis.disclosure import attack

    tables, findings = run_tables(run_dir)
    return findings + attack(tables, policy)


def merge_disclosure_logs(tables_dir: Path, path: Path) -> Path | None:
    """The notebooks' disclosure logs under ``tables_dir`` in one file ``path``
    (``reports/<run-id>/disclosure_log.csv``), table names with their notebook's
    folder; None when nothing was exported."""
    tables_dir = Path(tables_dir)
    parts = [
        pl.read_csv(folder / LOG_FILE, schema_overrides={"cell": pl.Utf8}).with_columns(
            (pl.lit(_prefix(folder, tables_dir)) + pl.col("table")).alias("table"))
        for folder in _export_folders(tables_dir) if (folder / LOG_FILE).is_file()
    ]
    if not parts:
        return None
    merged = pl.concat(parts)
    _atomic_write(Path(path), lambda tmp: merged.write_csv(tmp))
    return Path(path)


def attack_exports(paths, policy, *, ledger=None) -> list[tuple[str, str, str]]:
    """For the privacy gate: the intruder (:func:`attack_run`) over each run folder
    among ``paths`` (a folder with a ``tables`` folder, or such folders directly
    inside one, as ``reports/``), after merging each run's logs into its
    ``disclosure_log.csv``. Returns (file, location, detail) of every finding.

    With a ``ledger`` (:class:`lcanalysis.privacy.ledger.CleanLedger`), a run whose
    tables (:func:`attack_inputs`, by path and content) the intruder attacked before
    without a finding is not attacked again, and one attacked now without a finding
    is added to it."""
    from lcanalysis.disclosure import LayoutError, get_policy

    name = get_policy(policy).name
    out = []
    for path in map(Path, paths):
        if not path.is_dir():
            continue
        runs = [path] if (path / "tables").is_dir() else sorted(
            p for p in path.iterdir() if p.is_dir() and not p.is_symlink() and (p / "tables").is_dir())
        for run in runs:
            tables = run / "tables"
            merge_disclosure_logs(tables, run / LOG_FILE)
            key = None if ledger is None else _attack_key(ledger, name, tables)
            if key is not None and key in ledger:
                continue
            try:
                found = attack_run(tables, policy)
            except LayoutError as err:  # tables of several notebooks that do not add up
                out.append((str(tables), "tables sharing a population", f"inconsistent_layouts: {err}"))
                continue
            if key is not None and not found and key == _attack_key(ledger, name, tables):  # not rewritten meanwhile
                ledger.add(key)
            for f in found:
                file = (f.table if f.table.endswith(".csv") else str(tables) if f.row < 0
                        else str(tables / f"{f.table}.csv"))
                where = "table" if f.row < 0 else f"row {f.row + 2}"
                out.append((file, f"{where} column {f.column!r}",
                            f"{f.reason} under policy {name!r}: {f.message}"))
    return out


def _attack_key(ledger, policy_name: str, tables: Path) -> str:
    """The ledger's key of what the intruder reads in ``tables`` (paths and bytes)."""
    return ledger.files_key("attack", policy_name, tables, attack_inputs(tables))
