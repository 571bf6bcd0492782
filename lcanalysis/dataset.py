"""Loading the processed tables for notebooks: ``Dataset.load(dir)``.

Each accessor reads one table from data/processed, validates it against its schema
(:mod:`lcanalysis.schemas`) on first use and caches it, so a notebook cell that asks
for ``ds.registrations`` gets a frame that honours the data contract or a clear
error naming the table. A file that is byte for byte what the cleaner validated and
wrote (its SHA-256 recorded in validated.json) is not validated a second time: that
saves every notebook kernel the pandera import, and an edited or replaced file is
still caught. A table whose raw source was absent is an error that says
which source folder to fill, not an empty frame that would pass for "no students".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lcanalysis import paths, schemas, sources
from lcanalysis.errors import LcanalysisError


def raw_folder_of(table: str) -> str:
    """Where the exports that make ``table`` go (its source's declaration,
    lcanalysis/sources.py); persons is made from every person-level source."""
    declared = sources.of_table(table)
    return f"data/raw/{declared.folder}/" if declared is not None else "any person-level source"


class TableMissing(LcanalysisError):
    """A notebook asked for a table that cleaning did not produce."""


@dataclass
class Dataset:
    """The processed tables of one cleaning run, loaded lazily and validated once.

    Attributes
    ----------
    directory:
        The data/processed folder.
    synthetic:
        True when the tables were made from the synthetic demo world; every figure
        and table made from them must say so.
    cleaning_report:
        The parsed cleaning_report.json.
    """

    directory: Path
    synthetic: bool
    cleaning_report: dict
    _cache: dict[str, pl.DataFrame] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, directory: str | Path | None = None) -> Dataset:
        """Open the processed folder (default: the project's data/processed)."""
        directory = Path(directory) if directory else paths.processed_dir()
        report_path = directory / "cleaning_report.json"
        if not report_path.is_file():
            raise LcanalysisError(
                f"{directory}: no cleaned data here (cleaning_report.json is missing); "
                "run `lcanalysis clean` or `make run` first"
            )
        report = json.loads(report_path.read_text(encoding="utf-8"))
        return cls(directory=directory, synthetic=bool(report.get("synthetic")), cleaning_report=report)

    def has(self, table: str) -> bool:
        return (self.directory / f"{table}.parquet").is_file()

    def table(self, name: str) -> pl.DataFrame:
        """The validated table ``name`` (see docs/data-contract.md)."""
        if name not in schemas.TABLES:  # not SCHEMAS: that builds every pandera schema
            raise KeyError(f"unknown table {name!r}; tables are {', '.join(schemas.TABLES)}")
        if name not in self._cache:
            path = self.directory / f"{name}.parquet"
            if not path.is_file():
                raise TableMissing(
                    f"{path}: table {name!r} was not produced because its raw source was "
                    f"absent; add exports to {raw_folder_of(name)} and clean again"
                )
            frame = pl.read_parquet(path)
            if not self._validated_at_cleaning(path):
                frame = schemas.validate(name, frame)
            self._cache[name] = frame
        return self._cache[name]

    def _validated_at_cleaning(self, path: Path) -> bool:
        """Whether ``path`` is byte for byte the file the cleaner validated and wrote
        (its SHA-256 is in validated.json); anything else is validated again."""
        from lcanalysis.clean import VALIDATED_MANIFEST, file_sha256

        manifest = self.directory / VALIDATED_MANIFEST
        if not manifest.is_file():
            return False
        recorded = json.loads(manifest.read_text(encoding="utf-8")).get(path.name)
        return recorded is not None and recorded == file_sha256(path)

    def quarantine(self, name: str) -> pl.DataFrame:
        """Quarantined rows of table ``name`` (empty when none were quarantined)."""
        path = self.directory / "quarantine" / f"{name}.parquet"
        if not path.is_file():
            return pl.DataFrame(
                schema={"source": pl.Utf8, "file": pl.Utf8, "row": pl.Int64, "column": pl.Utf8,
                        "reason": pl.Utf8, "person_id": pl.Utf8}
            )
        return pl.read_parquet(path)

    def __getattr__(self, name: str) -> pl.DataFrame:
        """``ds.<table>`` for every processed table (``ds.registrations``,
        ``ds.survey_responses`` ...): :meth:`table`."""
        if name.startswith("_") or name not in schemas.TABLES:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return self.table(name)
