"""How ``lcanalysis clean`` would read one raw file, without writing anything.

``lcanalysis inspect PATH`` prints, for a file in ``data/raw/<source>/``: the source
(from the folder), the encoding, the separator, the title rows skipped, the header
row(s), each header and the column it becomes (or why it is dropped), how many
values of each column parse under the cleaning rules, and a few parsed sample
values, identity numbers shown as their birth date and ``****`` and names as
initials. For an SCB table: its layout, title, dimensions and their roles, the kind
of table, the regions, and what it gives municipal_stats, or the one line that
refuses it. It is what an evaluator runs before adding an alias.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from lcanalysis import sources
from lcanalysis.errors import InputError

#: Parsed sample values shown per column.
SAMPLES = 3

#: Columns whose values are names: shown as initials.
NAME_COLUMNS = frozenset({"name"})


@dataclass
class Inspection:
    """What inspecting a file found: ``lines`` to print, and whether it would be read."""

    source: str
    lines: list[str] = field(default_factory=list)
    readable: bool = True


def guess_source(path: Path) -> str | None:
    """The raw source a file belongs to: the name of its folder, if it is one."""
    return path.parent.name if path.parent.name in sources.SOURCES else None


def mask(column: str, value: str) -> str:
    """A parsed value as it may be shown: an identity number as its birth date and
    ``****``, a name as initials and stars; anything else as it is."""
    if column == "personal_number":
        return f"{value[:8]}-****"
    if column in NAME_COLUMNS:
        return " ".join(w[0] + "*" * (len(w) - 1) for w in value.split())
    return value


def inspect_file(path: Path, *, source: str | None = None, config_dir: Path | None = None,
                 today: date | None = None) -> Inspection:
    """Inspect one raw file (see the module docstring).

    Raises
    ------
    InputError
        When the source cannot be told from the folder and is not given, or is not a
        source.
    """
    from lcanalysis import paths

    path = Path(path)
    source = source or guess_source(path)
    if source not in sources.SOURCES:
        told = f"there is no source {source!r}" if source else (
            f"cannot tell the source from the folder {path.parent.name!r}"
        )
        raise InputError(
            f"{told}; put the file in data/raw/<source>/ or pass --source "
            f"(one of {', '.join(sources.SOURCES)})",
            file=path,
        )
    config_dir = config_dir or paths.config_dir()
    found = Inspection(source, [f"file: {path}", f"source: {source} (from the folder)"])
    inspector = sources.source(source).function("inspector")
    try:
        if inspector is not None:
            inspector(path, found)
        else:
            _raw(path, source, config_dir, today or date.today(), found)
    except InputError as err:
        found.readable = False
        found.lines.append(f"refused: {err.message}" + (f" (row {err.row})" if err.row else "")
                           + (f" (column {err.column!r})" if err.column else ""))
    return found


def inspect_scb_table(path: Path, found: Inspection) -> None:
    """What an SCB table gives municipal_stats (the inspector of its declaration)."""
    from lcanalysis.ingest.scb import dimension_role, interpret, read_cube

    cube = read_cube(path)
    found.lines += [f"layout: {cube.layout}", f"title: {cube.title or '(none)'}",
                    f"cells: {cube.frame.height}"]
    table = interpret(cube)
    found.lines.append(f"read as: {table.kind} table")
    for dim in cube.dimensions:
        values = cube.frame.get_column(dim).unique(maintain_order=True).to_list()
        role = "summed over" if dim in table.summed else dimension_role(dim)
        found.lines.append(f"  dimension {dim!r} ({role}): {len(values)} values, e.g. "
                           + ", ".join(repr(v) for v in values[:SAMPLES]))
    kinds = dict(table.frame.group_by("region_kind").agg(pl.col("region_label").n_unique()).iter_rows())
    found.lines.append("regions: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    years = sorted(table.frame.get_column("year").unique().to_list())
    found.lines.append(f"years: {', '.join(map(str, years[:10]))}" + (" ..." if len(years) > 10 else ""))
    found.lines += [f"warning: {w}" for w in table.warnings]


def _raw(path: Path, source: str, config_dir: Path, today: date, found: Inspection) -> None:
    from lcanalysis import identity
    from lcanalysis.clean.sources import Lookups, rules_of, terms_from_dates
    from lcanalysis.config import load_codes, load_learning_centres, load_programmes
    from lcanalysis.ingest import load_column_config, read_raw_file

    spec = load_column_config(config_dir / "columns.yaml")[source]
    raw = read_raw_file(path, source, spec)
    found.lines += [
        f"layout: {raw.layout or 'one header row'}",
        f"encoding: {raw.encoding}",
        f"separator: {raw.separator!r}" if raw.separator else "workbook: XLSX",
        f"title rows skipped: {raw.skipped_title_rows}",
        f"records: {raw.frame.height}",
        "headers:",
    ]
    mapping = raw.mapping
    for index, header in enumerate(raw.headers):
        column = mapping.canonical[index] if mapping else None
        if column is not None:
            found.lines.append(f"  {header!r} -> {column}")
            continue
        reason = next((r for h, r in (mapping.known_dropped.items() if mapping else ())
                       if h == header or h.startswith(f"{header} (")), None)
        if header.strip():
            found.lines.append(f"  {header!r} dropped ({reason or 'no alias in config/columns.yaml'})")
    found.lines += [f"warning: {w}" for w in raw.warnings]
    frame = terms_from_dates(raw.frame, spec, today)
    for column, dates in spec.term_from_date.items():
        stand_in = next((d for d in dates if d in raw.frame.columns), None)
        if column not in raw.frame.columns and stand_in:
            found.lines.append(f"{column}: no such column; the term of {stand_in} stands in")
    lookups = Lookups(
        programmes=load_programmes(config_dir / "programmes.yaml"),
        centres=load_learning_centres(config_dir / "learning_centres.yaml"),
        codes=load_codes(config_dir / "codes.yaml"),
        today=today,
    )
    numbers = frame.get_column("personal_number") if "personal_number" in frame.columns else pl.Series(
        "personal_number", [None] * frame.height, dtype=pl.String)
    identified = identity.identify(numbers, identity.DEMO_KEY, on=today)  # nothing is kept
    items = tuple(c for c in frame.columns if c.startswith("item:"))
    found.lines.append("values that parse (under the cleaning rules):")
    for rule in rules_of(source, lookups, identified, item_columns=items):
        if rule.raw not in frame.columns:
            continue
        raw_values = frame.get_column(rule.raw)
        parsed = rule.parse(raw_values)
        ok = parsed.is_not_null()
        if rule.valid is not None:
            ok = ok & rule.valid(parsed).fill_null(False)
        given = int(raw_values.is_not_null().sum())
        shown = [mask(rule.raw, str(v)) for v in parsed.filter(ok).unique(maintain_order=True).head(SAMPLES)]
        found.lines.append(
            f"  {rule.raw}: {int(ok.sum())} of {given} filled values parse"
            + (f", e.g. {', '.join(shown)}" if shown else "")
        )
