"""Project-root paths, resolved from the package rather than the working directory.

The root is the folder that holds ``pyproject.toml`` above this package, unless the
environment variable ``LCANALYSIS_ROOT`` points elsewhere (tests and scheduled runs
use it to work on a copy). papermill, the tests and the CLI therefore agree on where
data/, figures/ and reports/ are, whatever directory they were started from.
"""

from __future__ import annotations

import os
from pathlib import Path

from lcanalysis.sources import SOURCES

PACKAGE_DIR = Path(__file__).resolve().parent
REFERENCE_DIR = PACKAGE_DIR / "reference"


def project_root() -> Path:
    """The project folder: ``$LCANALYSIS_ROOT`` if set, else the parent of the package."""
    env = os.environ.get("LCANALYSIS_ROOT")
    if env:
        return Path(env).expanduser().resolve()
    return PACKAGE_DIR.parent


def config_dir() -> Path:
    return project_root() / "config"


def raw_dir() -> Path:
    return project_root() / "data" / "raw"


def demo_raw_dir() -> Path:
    return raw_dir() / "demo"


def resolve_raw_dir(raw: Path | None = None, *, root: Path | None = None) -> Path:
    """The raw folder a run, a cleaning or the privacy gate reads: ``raw`` when given,
    else data/raw when it holds a real source folder (one named after a source of
    :data:`lcanalysis.sources.SOURCES`), else the synthetic demo world in
    data/raw/demo. ``root`` is the project (default :func:`project_root`). The one
    place this rule is written."""
    if raw is not None:
        return raw
    base = raw_dir() if root is None else Path(root) / "data" / "raw"
    if any((base / source.folder).is_dir() for source in SOURCES.values()):
        return base
    return base / "demo"


def processed_dir() -> Path:
    return project_root() / "data" / "processed"


def figures_dir() -> Path:
    return project_root() / "figures"


def reports_dir() -> Path:
    return project_root() / "reports"


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def docs_dir() -> Path:
    return project_root() / "docs"
