"""Person-level tables that several notebooks derive from the same processed data,
computed once per data version and read back by the others.

:func:`entrants` (:func:`lcanalysis.indicators.routes.entrants`) is what nearly every
notebook starts from, and :func:`credited_registrations`
(:func:`lcanalysis.indicators.progression.credited_registrations`) is behind every
performance rate; together they were about 4.5 s of each of a dozen notebooks in a
run. Each is kept as Parquet in ``data/derived/`` (beside data/processed, so under
data/: pseudonymised person-level rows, never in reports/ or figures/, ignored by git),
named ``<table>-<shape>-<version>.parquet``: the shape is the SHA-256 of the
parameters that shape it (cohort terms, programme levels, window), the version that of

- the content of every processed table it reads (a re-cleaned or edited table is a
  new version, so a stale file is never read),
- the lcanalysis package's own files (a change of definition is a new version too).

A file is written under a temporary name and renamed, so a reader sees all of it or
nothing. Two processes asking at once (the two notebooks a run starts with, on a new
data version) do not both compute it: the one that takes the lock
(``.<table>-<shape>.lock``, an operating-system lock, released if its holder dies)
computes, the other waits and reads the file, and the computing one has polars'
threads on both cores to itself (where there is no ``flock``, on Windows, both
compute and the second rename replaces the first's file with the same rows). Older
versions of a table of the same shape are removed once a new one is written. The same call does the same in JupyterLab as in
``lcanalysis run``: nothing depends on the run.

:func:`simulated_mde` keeps notebook 08's design simulation (seconds on both cores)
the same way, by the content of the panel it is given rather than by the tables
behind it. What the profile did not earn a cache: the municipality panel and the
mobility histories (about 0.1 s each once the entrants are known; docs/performance.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import polars as pl

from lcanalysis.dataset import Dataset

DERIVED_FOLDER = "derived"
"""The folder beside data/processed that holds the derived tables."""


def derived_dir(data: Dataset) -> Path:
    """``data/derived`` of the processed folder ``data`` was loaded from."""
    return Path(data.directory).resolve().parent / DERIVED_FOLDER


def entrants(
    data: Dataset,
    *,
    cohort_terms: Collection[str] | None = None,
    programme_levels: Collection[str] | None = None,
) -> pl.DataFrame:
    """:func:`lcanalysis.indicators.routes.entrants` of ``data`` (same rows, order and
    types), computed once per data version and these parameters."""
    from lcanalysis.indicators import routes

    return cached(
        data, "entrants", ("registrations", "participants", "persons"),
        {"cohort_terms": _as_set(cohort_terms), "programme_levels": _as_set(programme_levels)},
        lambda: routes.entrants(data.registrations, data.participants, data.persons,
                                cohort_terms=cohort_terms, programme_levels=programme_levels),
    )


def credited_registrations(data: Dataset, *, window_terms: int = 3) -> pl.DataFrame:
    """:func:`lcanalysis.indicators.progression.credited_registrations` of ``data``,
    computed once per data version and window; pass it to
    :func:`lcanalysis.indicators.progression.performance_rate` as ``credited``."""
    from lcanalysis.indicators import progression

    return cached(
        data, "credited_registrations", ("registrations", "results"), {"window_terms": window_terms},
        lambda: progression.credited_registrations(data.registrations, data.results,
                                                   window_terms=window_terms),
    )


def _as_set(values: Collection[str] | None) -> list[str] | None:
    """Parameters that act as a set (a filter), in one order, so equal sets share a file."""
    return None if values is None else sorted(set(values))


def version_key(data: Dataset, tables: Collection[str]) -> str:
    """The data version a derived table rests on: the content of the processed
    ``tables`` it reads and the package's own files."""
    from lcanalysis.clean import file_sha256

    material = {
        "tables": {t: file_sha256(Path(data.directory) / f"{t}.parquet") for t in sorted(tables)},
        "package": package_fingerprint(),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:32]


@cache
def package_fingerprint() -> str:
    """SHA-256 of every file of the lcanalysis package (code and reference data) as
    this process imported it."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def cached(
    data: Dataset,
    name: str,
    tables: Collection[str],
    parameters: Mapping[str, object],
    compute: Callable[[], pl.DataFrame],
) -> pl.DataFrame:
    """The frame ``compute()`` gives for ``data``, read from data/derived/ when this
    data version and ``parameters`` made it before, else computed and written there.

    ``tables`` are the processed tables ``compute`` reads; ``parameters`` everything
    else that shapes the frame (JSON-serialisable).
    """
    return _kept(data, name, parameters, version_key(data, tables), compute)


def simulated_mde(data: Dataset, panel: pl.DataFrame, outcome: str, **settings) -> pl.DataFrame:
    """:func:`lcanalysis.indicators.design.simulated_mde` of ``panel`` (same rows, a
    seeded simulation: the same for the same panel and settings), computed once per
    content of the panel and these settings; ``workers`` and ``progress`` change
    neither and are passed on. A result read back is said on stderr, where the
    simulation reports its progress."""
    import sys

    from lcanalysis.indicators import design

    shaping = {k: v for k, v in settings.items() if k not in ("workers", "progress")}
    parameters = _parameters(outcome, shaping)
    computed = []

    def compute() -> pl.DataFrame:
        computed.append(True)
        return design.simulated_mde(panel, outcome, **settings)

    result = _kept(data, "simulated_mde", parameters, frame_version(panel), compute)
    if not computed:
        print("MDE simulation: the same panel and settings as before; read from "
              f"{derived_dir(data)}", file=sys.stderr, flush=True)
    return result


def few_cluster_inference(data: Dataset, panel: pl.DataFrame, outcome: str, **settings) -> pl.DataFrame:
    """:func:`lcanalysis.indicators.effect.few_cluster_inference` of ``panel`` (same
    rows: its permutations and bootstrap draws are seeded), computed once per content
    of the panel and these settings."""
    from lcanalysis.indicators import effect

    return _kept(data, "few_cluster_inference", _parameters(outcome, settings), frame_version(panel),
                 lambda: effect.few_cluster_inference(panel, outcome, **settings))


def _parameters(outcome: str, settings: Mapping[str, object]) -> dict[str, object]:
    """An estimator's outcome and settings as JSON has them: sequences (tuples, ranges,
    NumPy arrays) as lists."""
    def as_json(value: object) -> object:
        if hasattr(value, "tolist"):
            return value.tolist()
        return list(value) if isinstance(value, (tuple, list, range)) else value

    return {"outcome": outcome, **{k: as_json(v) for k, v in settings.items()}}


def frame_version(frame: pl.DataFrame) -> str:
    """SHA-256 of a frame's content (its Arrow IPC form: columns, types, values) and
    of the package's own files."""
    import io

    buffer = io.BytesIO()
    frame.rechunk().write_ipc(buffer, compression="uncompressed")
    h = hashlib.sha256(buffer.getvalue())
    h.update(package_fingerprint().encode())
    return h.hexdigest()[:32]


def _kept(data: Dataset, name: str, parameters: Mapping[str, object], version: str,
          compute: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    """The frame of ``name``, these parameters and this version, read from
    data/derived/ or computed by ``compute`` and written there."""
    folder = derived_dir(data)
    shape = hashlib.sha256(json.dumps(parameters, sort_keys=True).encode()).hexdigest()[:16]
    path = folder / f"{name}-{shape}-{version}.parquet"
    try:
        return pl.read_parquet(path)
    except FileNotFoundError:
        pass
    folder.mkdir(parents=True, exist_ok=True)
    with _one_at_a_time(folder / f".{name}-{shape}.lock"):
        try:
            return pl.read_parquet(path)  # made while this process waited
        except FileNotFoundError:
            return _write(folder, path, name, shape, compute())


@contextmanager
def _one_at_a_time(lock: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file ``lock`` (waiting for it); without ``flock``
    (Windows) nothing is held."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(lock, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _write(folder: Path, path: Path, name: str, shape: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Write ``frame`` to ``path`` (a temporary name, renamed) and remove the older
    versions of the same table and shape."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".parquet", dir=folder)
    os.close(fd)
    try:
        frame.write_parquet(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for older in folder.glob(f"{name}-{shape}-*.parquet"):
        if older != path:
            older.unlink(missing_ok=True)
    return frame
