"""Typed project configuration: programmes, learning centres and coded values.

Each loader reads one reviewed YAML file under ``config/`` and checks all of it
before returning, raising :class:`lcanalysis.errors.ConfigError` that lists every
problem at once (the devices_rap pattern), so an evaluator fixes the file in one go.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from lcanalysis import paths
from lcanalysis.errors import ConfigError
from lcanalysis.schemas import PROGRAMME_LEVELS, STRANDS
from lcanalysis.text import fold


def read_yaml(path: Path) -> object:
    """Parse a YAML file, turning a missing file or a syntax error into a ConfigError."""
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError:
        raise ConfigError(path, ["file not found"]) from None
    except yaml.YAMLError as err:
        raise ConfigError(path, [f"not valid YAML: {err}"]) from None


@dataclass(frozen=True)
class Programme:
    code: str
    level: str
    name: str


@dataclass(frozen=True)
class LearningCentre:
    """A learning centre in the pilot.

    ``serves`` lists the municipalities whose residents the centre is meant to reach
    (its own and neighbours without a centre); ``start_term`` is when the pilot
    started there, canonical ("HT2024").
    """

    centre_id: str
    name: str
    municipality: str
    serves: tuple[str, ...]
    strands: tuple[str, ...]
    start_term: str


def load_programmes(path: Path | None = None) -> dict[str, Programme]:
    """Programme code -> level, from ``config/programmes.yaml``."""
    path = path or paths.config_dir() / "programmes.yaml"
    data = read_yaml(path)
    problems: list[str] = []
    entries = data.get("programmes") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise ConfigError(path, ["top-level key 'programmes' must map codes to {level, name}"])
    out: dict[str, Programme] = {}
    for code, spec in entries.items():
        if not isinstance(spec, dict):
            problems.append(f"{code}: expected a mapping with 'level' and 'name'")
            continue
        level = spec.get("level")
        if level not in PROGRAMME_LEVELS:
            problems.append(f"{code}: level {level!r} is not one of {', '.join(PROGRAMME_LEVELS)}")
            continue
        out[str(code).upper()] = Programme(str(code).upper(), level, str(spec.get("name", "")))
    if problems:
        raise ConfigError(path, problems)
    return out


def load_learning_centres(path: Path | None = None) -> dict[str, LearningCentre]:
    """Learning centres of the pilot, from ``config/learning_centres.yaml``.

    Municipality codes are checked against the reference table and start terms are
    normalised with :func:`lcanalysis.terms.parse_term`.
    """
    from lcanalysis import geo, terms

    path = path or paths.config_dir() / "learning_centres.yaml"
    data = read_yaml(path)
    entries = data.get("learning_centres") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise ConfigError(path, ["top-level key 'learning_centres' must map ids to centres"])
    known = set(geo.municipalities()["municipality_code"].to_list())
    problems: list[str] = []
    out: dict[str, LearningCentre] = {}
    for cid, spec in entries.items():
        if not isinstance(spec, dict):
            problems.append(f"{cid}: expected a mapping")
            continue
        missing = [k for k in ("name", "municipality", "serves", "strands", "start_term") if k not in spec]
        if missing:
            problems.append(f"{cid}: missing {', '.join(missing)}")
            continue
        codes = [str(spec["municipality"]), *map(str, spec["serves"])]
        problems += [f"{cid}: unknown municipality code {c!r}" for c in codes if c not in known]
        problems += [
            f"{cid}: unknown strand {s!r} (allowed: {', '.join(STRANDS)})"
            for s in spec["strands"]
            if s not in STRANDS
        ]
        try:
            start = str(terms.parse_term(str(spec["start_term"])))
        except ValueError as err:
            problems.append(f"{cid}: start_term: {err}")
            continue
        out[str(cid)] = LearningCentre(
            centre_id=str(cid),
            name=str(spec["name"]),
            municipality=str(spec["municipality"]),
            serves=tuple(map(str, spec["serves"])),
            strands=tuple(spec["strands"]),
            start_term=start,
        )
    if problems:
        raise ConfigError(path, problems)
    return out


@cache
def _codes_cached(path: Path) -> dict[str, dict[str, str]]:
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(path, ["expected a mapping of code lists"])
    problems: list[str] = []
    out: dict[str, dict[str, str]] = {}
    for kind, mapping in data.items():
        lookup: dict[str, str] = {}
        for code, aliases in (mapping or {}).items():
            for alias in [code, *(aliases or [])]:
                key = fold(str(alias))
                if key in lookup and lookup[key] != code:
                    problems.append(
                        f"{kind}: {alias!r} maps to both {lookup[key]!r} and {code!r}"
                    )
                lookup[key] = code
        out[str(kind)] = lookup
    if problems:
        raise ConfigError(path, problems)
    return out


def load_codes(path: Path | None = None) -> dict[str, dict[str, str]]:
    """Coded values from ``config/codes.yaml``: kind -> {folded raw value: canonical code}.

    Raw values are compared after :func:`lcanalysis.text.fold` (case, spaces and
    Swedish letters ignored).
    """
    return _codes_cached((path or paths.config_dir() / "codes.yaml").resolve())
