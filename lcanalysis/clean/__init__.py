"""Raw exports -> typed, pseudonymised, validated tables in data/processed.

:func:`clean` is what ``lcanalysis clean`` runs. For each raw source present (each
declared in :mod:`lcanalysis.sources`) it reads every file (:mod:`lcanalysis.ingest`),
applies the column rules its declaration names (:mod:`lcanalysis.clean.sources`),
replaces identity numbers by keyed pseudonyms, removes exact duplicates, quarantines
rows that cannot be cleaned with a reason code, derives the ``persons`` table,
validates each table against its schema (:mod:`lcanalysis.schemas`) and writes
everything at once: the new folder is built
beside the old one and swapped in only when complete, so an interrupted run leaves
the previous processed data intact.

Row accounting, per source file: ``rows_in = rows_out + duplicates + quarantined``.
A "row" is a data row of the file (one record); for SCB municipal statistics it is
one region-by-category line.
"""

from __future__ import annotations

import json
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from lcanalysis import identity, paths, schemas, terms
from lcanalysis.clean.report import CleaningReport, FileAccount
from lcanalysis.clean.rules import apply_rules
from lcanalysis.clean.sources import PERSON_RULE_OUTPUT, Lookups, terms_from_dates
from lcanalysis.config import load_codes, load_learning_centres, load_programmes
from lcanalysis.errors import ConfigError, InputError
from lcanalysis.ingest import (
    list_source_files,
    load_column_config,
    municipal_stats_from_scb,
    read_raw_file,
    read_scb_table,
)
from lcanalysis.sources import SOURCES, Source
from lcanalysis.values import repeated

VALIDATED_MANIFEST = "validated.json"
"""SHA-256 of each processed table as written right after its schema validation."""

SYNTHETIC_MARKER = "SYNTHETIC.json"
"""File that marks a raw folder (and everything made from it) as synthetic data."""

QUARANTINE_COLUMNS = {
    "source": pl.Utf8,
    "file": pl.Utf8,
    "row": pl.Int64,
    "column": pl.Utf8,
    "reason": pl.Utf8,
    "person_id": pl.Utf8,
}

IDENTITY_COLUMNS = {"birth_year": pl.Int32, "legal_sex": pl.Utf8, "id_kind": pl.Utf8}
"""What a person's identity number tells about them (the number itself is never kept)."""



@dataclass
class SourceResult:
    """What cleaning one source gave.

    Attributes
    ----------
    table:
        Its processed table.
    identities:
        ``person_id`` and what the identity number says (:data:`IDENTITY_COLUMNS`),
        one row per person; ``None`` for a source that is not about people.
    quarantine:
        Its quarantined rows (:data:`QUARANTINE_COLUMNS`).
    accounts:
        The row accounting of each of its files.
    background:
        What its rows say about each person (``person_id``, ``survey_term``,
        parental education, employment, foreign background), for persons; or None.
    """

    table: pl.DataFrame
    identities: pl.DataFrame | None
    quarantine: pl.DataFrame
    accounts: list[FileAccount] = field(default_factory=list)
    background: pl.DataFrame | None = None


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in 1 MiB blocks."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_synthetic(raw_dir: Path) -> bool:
    """Whether ``raw_dir`` is a generated demo world (it holds the synthetic marker)."""
    return (raw_dir / SYNTHETIC_MARKER).is_file()


def _read_source(source: str, files: list[Path], raw_dir: Path, spec) -> tuple[pl.DataFrame, list[FileAccount], list[str]]:
    frames: list[pl.DataFrame] = []
    accounts: list[FileAccount] = []
    item_columns: set[str] = set()
    for path in files:
        raw = read_raw_file(path, source, spec)
        name = path.relative_to(raw_dir).as_posix()
        accounts.append(
            FileAccount(
                source=source,
                file=name,
                rows_in=raw.frame.height,
                warnings=[f"{name}: {w}" for w in raw.warnings],
            )
        )
        item_columns.update(c for c in raw.frame.columns if c.startswith("item:"))
        frames.append(raw.frame.with_columns(pl.lit(name).alias("_file")))
    columns = sorted(set().union(*(f.columns for f in frames)))
    aligned = [
        f.with_columns([pl.lit(None, pl.Utf8).alias(c) for c in columns if c not in f.columns])
        .select(columns)
        for f in frames
    ]
    return pl.concat(aligned, how="vertical"), accounts, sorted(item_columns)


def _quarantine(rows: pl.DataFrame, source: str, reason: pl.Expr, column: pl.Expr) -> pl.DataFrame:
    return rows.select(
        pl.lit(source).alias("source"),
        pl.col("_file").alias("file"),
        pl.col("_row").cast(pl.Int64).alias("row"),
        column.cast(pl.Utf8).alias("column"),
        reason.cast(pl.Utf8).alias("reason"),
        pl.col("person_id").cast(pl.Utf8) if "person_id" in rows.columns else pl.lit(None, pl.Utf8).alias("person_id"),
    )


def _duplicates(frame: pl.DataFrame, value_cols: list[str], key_cols: list[str]) -> tuple[pl.Series, pl.Series]:
    """Masks over ``frame``: exact duplicates, and repeated keys among the rest.

    Exactly what two passes of ``pl.struct(...).is_first_distinct()`` give (a row is
    a duplicate if an earlier row has the same ``value_cols``; of the other rows, one
    is a ``duplicate_key`` if an earlier one has the same ``key_cols``), but the
    struct comparisons run only on rows whose key is shared. The key columns are
    among the value columns, so rows with equal values have equal keys, and rows
    with equal keys have equal key hashes (polars hashes as its equality compares:
    0.0 and -0.0 alike, NaN alike, nulls alike). A row whose key hash occurs once is
    therefore neither a duplicate nor a repeated key; every other row goes through
    the exact comparison, in file order, so a hash collision can never drop a row.
    """
    missing = set(key_cols) - set(value_cols)
    if missing:
        raise ValueError(f"key columns {sorted(missing)} are not among the value columns")
    duplicate = pl.select(pl.repeat(False, frame.height, dtype=pl.Boolean)).to_series()
    duplicate_key = duplicate.clone()
    if frame.height < 2:
        return duplicate, duplicate_key
    shared = repeated(frame.select(key_cols).hash_rows(0)).arg_true()
    if not shared.len():
        return duplicate, duplicate_key
    candidates = frame[shared].select(value_cols)
    seen_before = ~candidates.select(pl.struct(value_cols).is_first_distinct()).to_series()
    rest = (~seen_before).arg_true()
    repeated_key = ~candidates[rest].select(pl.struct(key_cols).is_first_distinct()).to_series()
    return (
        duplicate.scatter(shared, seen_before),
        duplicate_key.scatter(shared.gather(rest), repeated_key),
    )


def _clean_source(
    declared: Source, files: list[Path], raw_dir: Path, spec, lk: Lookups, key: bytes
) -> SourceResult:
    """The rule-driven cleaner: read, apply the declaration's rules, pseudonymise,
    finish, remove duplicates, shape the table."""
    source, table_name = declared.name, declared.table
    frame, accounts, item_columns = _read_source(source, files, raw_dir, spec)
    frame = terms_from_dates(frame, spec, lk.today)
    numbers = (
        frame.get_column("personal_number") if "personal_number" in frame.columns
        else pl.Series("personal_number", [None] * frame.height, dtype=pl.Utf8)
    )
    identified = identity.identify(numbers, key, on=lk.today)
    rules = declared.function("rules")(lk, identified, tuple(item_columns))
    typed = apply_rules(frame, rules)
    del frame, numbers  # the raw text: its memory serves the columns made next
    # Masks as Series, not expressions: polars then skips copying the frame when a
    # mask keeps every row.
    passed = typed.get_column("_reason").is_null()
    good = typed.filter(passed)
    finish = declared.function("finish")
    if finish is not None:
        good = finish(good, lk)  # while the pseudonyms are hashed
    parsed = identified.parsed
    person = pl.DataFrame([
        identified.codes.alias("_pn_code"),
        identified.person_ids(),
        parsed["birth_date"].dt.year().cast(pl.Int32).alias("_birth_year"),
        parsed["legal_sex"].alias("_legal_sex"),
        parsed["kind"].alias("_id_kind"),
    ])
    del identified, parsed
    good = good.hstack(person.filter(passed))
    bad = typed.filter(~passed).hstack(person.filter(~passed))
    quarantined = [_quarantine(bad, source, pl.col("_reason"), pl.col("_column"))]
    del typed, person

    # The duplicate check compares what a row says: the table's columns, or, for a
    # source whose rows are reshaped into its table, the columns its rules make.
    if declared.to_table is not None:
        value_cols = [r.output for r in rules if r.output != PERSON_RULE_OUTPUT]
        key_cols = list(declared.key)
    else:
        value_cols = [c for c in schemas.columns(table_name) if c != "person_id"]
        key_cols = list(declared.key or schemas.unique_key(table_name))

    # Exact duplicates: the same cleaned values again (also across files and spellings).
    # Rows are in file order and row order as read, so "first" means first in the files.
    duplicate, duplicate_key = _duplicates(good, ["person_id", *value_cols], key_cols)
    duplicates = good.filter(duplicate)
    # The same key with different values: keep the first, quarantine the others.
    quarantined.append(
        _quarantine(
            good.filter(duplicate_key), source, pl.lit("duplicate_key"),
            pl.lit(", ".join(c for c in key_cols if c != "person_id")),
        )
    )
    good = good.filter(~duplicate & ~duplicate_key)

    quarantine = pl.concat(quarantined)
    _account(accounts, good, duplicates, quarantine)
    # One row per person, the first: first the first row of each raw spelling of a
    # number (integer codes, cheap), then the first of each person among those.
    identities = (
        good.select("person_id", *(pl.col(f"_{c}").alias(c) for c in IDENTITY_COLUMNS))
        .filter(good.get_column("_pn_code").is_first_distinct())
        .unique("person_id", maintain_order=True)
    )

    to_table = declared.function("to_table")
    if to_table is not None:
        table, background = to_table(good, tuple(item_columns))
    else:
        table, background = good.select(schemas.columns(table_name)), None
    return SourceResult(table, identities, quarantine, accounts, background)


def _account(accounts: list[FileAccount], good: pl.DataFrame, duplicates: pl.DataFrame, quarantine: pl.DataFrame) -> None:
    out = dict(good.group_by("_file").len().iter_rows())
    dup = dict(duplicates.group_by("_file").len().iter_rows())
    reasons: dict[str, dict[str, int]] = {}
    for file, reason, n in quarantine.group_by("file", "reason").len().sort("file", "reason").iter_rows():
        reasons.setdefault(file, {})[reason] = n
    for acc in accounts:
        acc.rows_out = out.get(acc.file, 0)
        acc.duplicates = dup.get(acc.file, 0)
        acc.quarantined = reasons.get(acc.file, {})


def clean_municipal_stats(files: list[Path], raw_dir: Path) -> SourceResult:
    """SCB tables -> municipal_stats. A row is one record of the file: a line of a
    CSV or sheet, a stub row of a PX or JSON table.

    National, county and NUTS lines are totals, not municipalities: they are set
    aside in quarantine with reason ``aggregate_region`` so the accounting shows
    them; lines that feed no column (a total of a dimension that is summed over, an
    age outside 25-64 in an education table) with reason ``not_needed``. A table that cannot serve (another measure, no municipality) is refused
    by :func:`lcanalysis.ingest.read_scb_table`.
    """
    tables = [read_scb_table(path) for path in files]
    frame, _ = municipal_stats_from_scb(tables)
    accounts: list[FileAccount] = []
    quarantined: list[pl.DataFrame] = []
    for path, table in zip(files, tables, strict=True):
        name = path.relative_to(raw_dir).as_posix()
        lines = table.frame.group_by("_row").agg(
            pl.when((pl.col("region_kind") != "municipality").all())
            .then(pl.lit("aggregate_region"))
            .when(pl.col("band").is_null().all())
            .then(pl.lit("not_needed"))
            .alias("reason")
        )
        aside = lines.filter(pl.col("reason").is_not_null())
        accounts.append(
            FileAccount(
                "municipal_stats", name, rows_in=lines.height,
                rows_out=lines.height - aside.height,
                quarantined=dict(aside.group_by("reason").len().sort("reason").iter_rows()),
                warnings=[f"{name}: {w}" for w in (f"read as {table.kind}: {table.layout}", *table.warnings)],
            )
        )
        quarantined.append(
            aside.sort("_row").select(
                pl.lit("municipal_stats").alias("source"), pl.lit(name).alias("file"),
                pl.col("_row").cast(pl.Int64).alias("row"),
                pl.when(pl.col("reason") == "aggregate_region").then(pl.lit("region"))
                .otherwise(pl.lit(", ".join(table.summed) or None)).cast(pl.Utf8).alias("column"),
                pl.col("reason").cast(pl.Utf8), pl.lit(None, pl.Utf8).alias("person_id"),
            )
        )
    return SourceResult(
        frame,
        None,
        pl.concat(quarantined) if quarantined else pl.DataFrame(schema=QUARANTINE_COLUMNS),
        accounts,
    )


def derive_persons(
    identities: pl.DataFrame,
    applications: pl.DataFrame | None,
    background: pl.DataFrame | None,
) -> pl.DataFrame:
    """One row per person seen in any table.

    ``identities`` has ``person_id`` and :data:`IDENTITY_COLUMNS` (birth year, legal
    sex and id kind, read from the identity number, which is never stored);
    the home municipality from the person's earliest application (by term); parental
    education, first generation, foreign background and employment ("are you in
    work while studying") from the person's latest survey answer. ``first_generation`` follows UKÄ: true when the
    higher-educated parent has less than three years of post-secondary education,
    null when unknown.
    """
    persons = identities.unique("person_id", maintain_order=True)
    if applications is not None and applications.height:
        home = (
            applications.sort(terms.term_seq("term"), "programme_code")
            .group_by("person_id", maintain_order=True)
            .first()
            .select("person_id", "home_municipality_code")
        )
    else:
        home = pl.DataFrame(schema={"person_id": pl.Utf8, "home_municipality_code": pl.Utf8})
    if background is not None and background.height:
        latest = (
            background.sort(terms.term_seq("survey_term"), descending=True)
            .group_by("person_id", maintain_order=True)
            .first()
            .drop("survey_term")
        )
    else:
        latest = pl.DataFrame(
            schema={"person_id": pl.Utf8, "parental_education": pl.Utf8,
                    "employed": pl.Boolean, "foreign_background": pl.Boolean}
        )
    persons = persons.join(home, on="person_id", how="left").join(latest, on="person_id", how="left")
    persons = persons.with_columns(pl.col("parental_education").fill_null("unknown"))
    return persons.with_columns(
        pl.when(pl.col("parental_education") == "unknown")
        .then(pl.lit(None, pl.Boolean))
        .otherwise(pl.col("parental_education").is_in(schemas.FIRST_GENERATION_LEVELS))
        .alias("first_generation")
    ).select(schemas.columns("persons"))


def clean(
    raw_dir: Path,
    out_dir: Path,
    *,
    key: bytes,
    today: date | None = None,
    config_dir: Path | None = None,
) -> CleaningReport:
    """Clean every raw source under ``raw_dir`` into ``out_dir`` (see module docstring)."""
    # pandera (for the schemas) is imported in the background while the first file
    # is read, which runs mostly outside the GIL (docs/performance.md).
    threading.Thread(target=schemas.preload, name="lcanalysis-schemas", daemon=True).start()
    today = today or date.today()
    config_dir = config_dir or paths.config_dir()
    specs = load_column_config(config_dir / "columns.yaml")
    lk = Lookups(
        programmes=load_programmes(config_dir / "programmes.yaml"),
        centres=load_learning_centres(config_dir / "learning_centres.yaml"),
        codes=load_codes(config_dir / "codes.yaml"),
        today=today,
    )
    found = list_source_files(raw_dir)
    # Refused before anything is read: a file no reader reads would otherwise be lost.
    if found.skipped:
        first = found.skipped[0]
        what = "a folder" if first.is_dir() else f"a {first.suffix or 'file without an ending'}"
        readable = ", ".join(sorted(SOURCES[first.parent.name].suffixes))
        raise InputError(
            f"{what} in a source folder, which no reader reads (they read {readable}); "
            "move it out of data/raw/<source>/ or export it in one of those formats",
            file=first,
        )
    synthetic = is_synthetic(raw_dir)
    results: dict[str, SourceResult] = {}
    for declared in SOURCES.values():
        files = found.files.get(declared.name)
        if not files:
            continue
        cleaner = declared.function("cleaner")
        if cleaner is not None:
            results[declared.name] = cleaner(files, raw_dir)
            continue
        if declared.name not in specs:
            raise ConfigError(config_dir / "columns.yaml", [
                f"no entry for source {declared.name!r}, whose folder {raw_dir / declared.folder} "
                "has files: add its header aliases"
            ])
        results[declared.name] = _clean_source(declared, files, raw_dir, specs[declared.name], lk, key)

    tables = {SOURCES[s].table: r.table for s, r in results.items()}
    person_sources = [r for r in results.values() if r.identities is not None]
    if person_sources:
        backgrounds = [r.background for r in person_sources if r.background is not None]
        tables["persons"] = derive_persons(
            pl.concat([r.identities for r in person_sources]),
            tables.get("applications"),
            pl.concat(backgrounds) if backgrounds else None,
        )
    for name in list(tables):
        tables[name] = schemas.validate(name, tables[name])

    report = CleaningReport(
        files=[acc for r in results.values() for acc in r.accounts],
        tables={name: t.height for name, t in sorted(tables.items())},
        synthetic=synthetic,
    )
    quarantines = {
        SOURCES[s].table: r.quarantine.sort("file", "row") for s, r in results.items() if r.quarantine.height
    }
    _write_all(out_dir, tables, quarantines, report, raw_dir if synthetic else None)
    return report


def _write_all(
    out_dir: Path,
    tables: dict[str, pl.DataFrame],
    quarantines: dict[str, pl.DataFrame],
    report: CleaningReport,
    synthetic_raw: Path | None,
) -> None:
    """Build the new processed folder beside ``out_dir`` and swap it in when complete."""
    out_dir = out_dir.resolve()
    recover_interrupted(out_dir)
    staging = out_dir.with_name(f".{out_dir.name}.staging")
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "quarantine").mkdir(parents=True)
    # Two at a time: polars writes outside the GIL, and one big table leaves the
    # second core idle part of the time.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="lcanalysis-write") as pool:
        for written in [
            pool.submit(table.write_parquet, staging / f"{name}.parquet", statistics=False)
            for name, table in tables.items()
        ]:
            written.result()
    # Every table was validated against its schema just before this write: record the
    # files' hashes so that a reader can tell a byte-identical file from an edited one
    # (lcanalysis.dataset skips re-validating the former).
    (staging / VALIDATED_MANIFEST).write_text(
        json.dumps({f"{name}.parquet": file_sha256(staging / f"{name}.parquet")
                    for name in sorted(tables)}, indent=2) + "\n",
        encoding="utf-8",
    )
    for name, table in quarantines.items():
        table.write_parquet(staging / "quarantine" / f"{name}.parquet", statistics=False)
    (staging / "cleaning_report.json").write_text(
        json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (staging / "cleaning_report.md").write_text(report.to_markdown(), encoding="utf-8")
    if synthetic_raw is not None:
        shutil.copyfile(synthetic_raw / SYNTHETIC_MARKER, staging / SYNTHETIC_MARKER)
    for keep in ("README.md", ".gitkeep"):
        if (out_dir / keep).exists():
            shutil.copyfile(out_dir / keep, staging / keep)
    old = out_dir.with_name(f".{out_dir.name}.old")
    if out_dir.exists():
        out_dir.rename(old)
    staging.rename(out_dir)
    if old.exists():
        shutil.rmtree(old)


def recover_interrupted(out_dir: Path) -> None:
    """Undo the traces of a cleaning run that was killed while writing.

    A killed run can leave a half-written staging folder (removed) or, if it died
    between the two renames of the swap, the previous data under ``.<name>.old``
    with no ``out_dir`` (moved back).
    """
    old = out_dir.with_name(f".{out_dir.name}.old")
    if old.exists():
        if out_dir.exists():
            shutil.rmtree(old)
        else:
            old.rename(out_dir)
    staging = out_dir.with_name(f".{out_dir.name}.staging")
    if staging.exists():
        shutil.rmtree(staging)
