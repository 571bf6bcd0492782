"""The data a run works on: the demo world when there is no real data, and a cleaning
whenever the raw files, the cleaning configuration, the key or the package changed."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lcanalysis import identity, paths
from lcanalysis.clean import file_sha256

INPUTS_FILE = ".inputs.json"
"""In data/processed: the digest of what the last cleaning read."""


def hash_tree(folder: Path, exclude: Sequence[str] = ()) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``folder`` (sorted; names in ``exclude`` left out)."""
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): file_sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in exclude
    }


@dataclass
class DataState:
    """The data a run works on."""

    raw_dir: Path
    synthetic: bool
    raw_files: dict[str, str]
    config_files: dict[str, str]
    processed_hash: str
    cleaned: bool


def prepare_data(pipeline_config: Path, key_file: Path | None, log: Callable[[str], None],
                 before_change: Callable[[], None] = lambda: None) -> DataState:
    """Make sure data/processed is cleaned from the current raw data.

    Writes the demo world first when data/raw holds no real source folder and
    data/raw/demo has no synthetic marker yet. Cleans when the digest of the raw
    files, the configuration files (all of config/*.yaml but the pipeline's), the
    key and the package's code (:func:`lcanalysis.derived.package_fingerprint`: a
    changed working tree keeps its version number) differs from the one stored in
    ``data/processed/.inputs.json`` by the last cleaning. ``before_change`` is called
    before the demo world is written and before cleaning (the run warms its notebook
    workers up then: the data is about to change, so its notebooks will run).
    """
    from lcanalysis.clean import SYNTHETIC_MARKER, is_synthetic
    from lcanalysis.derived import package_fingerprint

    raw_dir = paths.resolve_raw_dir()
    if raw_dir == paths.demo_raw_dir() and not (raw_dir / SYNTHETIC_MARKER).is_file():
        from lcanalysis.synth import generate_demo_world

        log(f"no real data in {paths.raw_dir()}: writing the synthetic demo world to {raw_dir}")
        before_change()
        generate_demo_world(raw_dir)
    key = identity.key_for(key_file, synthetic=is_synthetic(raw_dir))
    raw_files = hash_tree(raw_dir)
    skip = {pipeline_config.resolve(), (paths.config_dir() / "pipeline.yaml").resolve()}
    config_files = {
        p.name: file_sha256(p) for p in sorted(paths.config_dir().glob("*.yaml")) if p.resolve() not in skip
    }
    material = json.dumps({
        "raw_dir": str(raw_dir), "raw": raw_files, "config": config_files,
        "lcanalysis": package_fingerprint(),
        "key": hashlib.sha256(b"lcanalysis key fingerprint:" + key).hexdigest(),
    }, sort_keys=True)
    digest = hashlib.sha256(material.encode()).hexdigest()
    processed = paths.processed_dir()
    stored = processed / INPUTS_FILE
    previous = json.loads(stored.read_text(encoding="utf-8")).get("digest") if stored.is_file() else None
    cleaned = previous != digest or not (processed / "cleaning_report.json").is_file()
    if cleaned:
        from lcanalysis.clean import clean

        log(f"raw inputs changed: cleaning {raw_dir} into {processed}")
        before_change()
        report = clean(raw_dir, processed, key=key)
        log("cleaned: " + (", ".join(f"{n} {rows}" for n, rows in report.tables.items()) or "no tables"))
        stored.write_text(json.dumps({"digest": digest}) + "\n", encoding="utf-8")
    else:
        log("raw inputs unchanged since the last cleaning")
    processed_files = hash_tree(processed, exclude=(INPUTS_FILE, "README.md", ".gitkeep"))
    return DataState(
        raw_dir=raw_dir,
        synthetic=is_synthetic(raw_dir),
        raw_files=raw_files,
        config_files=config_files,
        processed_hash=hashlib.sha256(json.dumps(processed_files, sort_keys=True).encode()).hexdigest(),
        cleaned=cleaned,
    )


def package_version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def write_json_atomic(path: Path, data: Mapping) -> None:
    """Write ``data`` as JSON to a temporary name beside ``path`` and rename it over
    ``path``, so a reader never sees half a manifest."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)
