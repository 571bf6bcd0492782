"""The pipeline configuration (``config/pipeline.yaml``) and the check of every notebook's parameters.

papermill only warns about an unknown parameter or a notebook without a
``parameters`` cell, and its ``-p`` option turns ``"007"`` into ``7``. So before
anything runs, :func:`load_pipeline` reads the configuration, opens every notebook,
parses its parameters cell with :mod:`ast` and checks each value the runner will pass
against the type of the notebook's own default. Every problem is collected and
raised at once as one :class:`~lcanalysis.errors.ConfigError`.

The file has two keys:

``defaults``
    Parameters every notebook gets *if its parameters cell assigns them*:
    ``data_dir`` and ``figures_dir`` (paths relative to the project root), ``lang``,
    ``disclosure_policy``, ``region_scale``, ``cohort_terms``, ``programme_levels``
    and ``comparison``. ``synthetic``, ``run_id`` and ``tables_dir`` are set by the
    runner (:data:`RUNNER_PARAMETERS`) and may not be written in the file.
``notebooks``
    A list of ``{name, path, parameters, fan_out, after}``. ``path`` is relative to
    the project root; ``parameters`` override the defaults for that notebook and must
    be assigned in its parameters cell; ``fan_out: {parameter, values}`` runs the
    notebook once per value (``values: all_centres`` means every centre in
    config/learning_centres.yaml); ``after`` names notebooks that must finish first.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lcanalysis import paths
from lcanalysis.errors import ConfigError

CHOICES: dict[str, tuple[str, ...]] = {
    "lang": ("sv", "en"),
    "disclosure_policy": ("default", "ofs", "hesa"),
    "region_scale": ("municipality", "county", "skr_group"),
    "comparison": ("all", "matched"),
}
"""Parameters whose value must be one of a fixed set: checked here for scheduled runs
and by :func:`lcanalysis.notebook.start` for interactive ones. The lists mirror
``lcanalysis.plots.labels.LANGS``, ``lcanalysis.disclosure.POLICIES``,
``lcanalysis.geo.SCALES`` and ``estimate_pilot_effect``'s ``comparison``; a test
keeps them in step without this light module importing those."""

PATH_PARAMETERS = ("data_dir", "figures_dir")
"""Parameters written as paths relative to the project root and passed as absolute paths."""

RUNNER_PARAMETERS: dict[str, object] = {"synthetic": False, "run_id": "", "tables_dir": ""}
"""Parameters the runner sets on every run, with a value of the type it passes."""

DEFAULT_KEYS = (*PATH_PARAMETERS, *CHOICES, "cohort_terms", "programme_levels")
"""Keys allowed under ``defaults``."""

NOTEBOOK_KEYS = ("name", "path", "parameters", "fan_out", "after")
FAN_OUT_KEYS = ("parameter", "values")
ALL_CENTRES = "all_centres"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


class _NotALiteral:
    """The default of a parameter assigned from an expression (its type is not known)."""

    def __repr__(self) -> str:
        return "<expression>"


NOT_A_LITERAL = _NotALiteral()


DEFAULT_STARTUP_TIMEOUT = 60.0
"""Seconds a new kernel may take to answer: a loaded laptop needs several, not one."""


@dataclass(frozen=True)
class NotebookSpec:
    """One notebook of the pipeline as configured.

    ``declared`` maps each name assigned in the notebook's parameters cell to its
    default value (:data:`NOT_A_LITERAL` when the default is an expression).
    """

    name: str
    path: Path
    parameters: dict[str, object]
    declared: dict[str, object]
    fan_out: tuple[str, tuple[str, ...]] | None = None
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class Task:
    """One execution of a notebook: a notebook, or one value of a fanned-out notebook.

    ``parameters`` are the configured values (defaults the notebook declares, its own
    overrides and the fan-out value); the runner adds the
    :data:`RUNNER_PARAMETERS` the notebook declares. ``after`` names notebooks.
    """

    name: str
    notebook: str
    path: Path
    parameters: dict[str, object]
    declared: frozenset[str]
    after: tuple[str, ...] = ()

    def runner_parameters(self, values: Mapping[str, object]) -> dict[str, object]:
        """All parameters for this task: its own plus those of ``values`` it declares."""
        return {**self.parameters, **{k: v for k, v in values.items() if k in self.declared}}


@dataclass(frozen=True)
class Pipeline:
    """A validated pipeline configuration."""

    path: Path
    defaults: dict[str, object]
    notebooks: tuple[NotebookSpec, ...]
    kernel_startup_timeout: float = DEFAULT_STARTUP_TIMEOUT
    """Seconds a new Jupyter kernel may take to answer (``kernel.startup_timeout_s``)."""

    def tasks(self) -> list[Task]:
        """Every execution in configuration order, fan-outs expanded (``<name>-<value>``)."""
        out: list[Task] = []
        for spec in self.notebooks:
            base = _parameters_for(spec, self.defaults)
            declared = frozenset(spec.declared)
            if spec.fan_out is None:
                out.append(Task(spec.name, spec.name, spec.path, base, declared, spec.after))
                continue
            parameter, values = spec.fan_out
            out.extend(
                Task(f"{spec.name}-{value}", spec.name, spec.path, {**base, parameter: value},
                     declared, spec.after)
                for value in values
            )
        return out


def load_pipeline(path: Path | None = None, *, lang: str | None = None) -> Pipeline:
    """Read and validate the pipeline configuration, raising every problem at once.

    Parameters
    ----------
    path:
        The YAML file, default ``config/pipeline.yaml``.
    lang:
        Overrides ``defaults.lang`` (the ``--lang`` option).

    Raises
    ------
    ConfigError
        Listing unknown keys, missing notebook files, notebooks without exactly one
        cell tagged ``parameters``, parameters a notebook does not assign, values
        whose type differs from the notebook's default, bad choices and fan-out
        values that are not learning-centre ids.
    """
    from lcanalysis.config import read_yaml

    path = path or paths.config_dir() / "pipeline.yaml"
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(path, ["expected a mapping with 'defaults' and 'notebooks'"])
    problems: list[str] = [
        f"unknown top-level key {k!r} (allowed: defaults, notebooks, kernel)"
        for k in data if k not in ("defaults", "notebooks", "kernel")
    ]
    startup_timeout = _kernel_startup_timeout(data.get("kernel"), problems)
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        problems.append("defaults: expected a mapping")
        defaults = {}
    defaults = dict(defaults)
    if lang is not None:
        defaults["lang"] = lang
    for key in defaults:
        if key in RUNNER_PARAMETERS:
            problems.append(f"defaults: {key!r} is set by the runner; remove it")
        elif key not in DEFAULT_KEYS:
            problems.append(f"defaults: unknown key {key!r} (allowed: {', '.join(DEFAULT_KEYS)})")
    defaults = {k: v for k, v in defaults.items() if k in DEFAULT_KEYS}
    problems += [f"defaults: {p}" for p in _check_values(defaults)]
    defaults = _resolve_paths(defaults)

    entries = data.get("notebooks")
    if not isinstance(entries, list) or not entries:
        problems.append("notebooks: expected a non-empty list of {name, path, ...}")
        entries = []
    centres = _centre_ids(problems) if any(
        isinstance(e, dict) and "fan_out" in e for e in entries
    ) else ()
    specs: list[NotebookSpec] = []
    names: set[str] = set()
    afters: dict[str, list[str]] = {}  # every named entry's 'after', valid or not
    for i, entry in enumerate(entries, start=1):
        spec = _notebook_spec(i, entry, names, defaults, centres, problems)
        if spec is not None:
            specs.append(spec)
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            names.add(entry["name"])
            after = entry.get("after")
            afters[entry["name"]] = [a for a in after if isinstance(a, str)] if isinstance(after, list) else []
    problems += _check_after(afters)
    if problems:
        raise ConfigError(path, problems)
    return Pipeline(path=Path(path), defaults=defaults, notebooks=tuple(specs),
                    kernel_startup_timeout=startup_timeout)


def _kernel_startup_timeout(section: object, problems: list[str]) -> float:
    """``kernel.startup_timeout_s``: a number of seconds, at least 1."""
    if section is None:
        return DEFAULT_STARTUP_TIMEOUT
    if not isinstance(section, dict):
        problems.append("kernel: expected a mapping such as {startup_timeout_s: 60}")
        return DEFAULT_STARTUP_TIMEOUT
    problems += [f"kernel: unknown key {k!r} (allowed: startup_timeout_s)"
                 for k in section if k != "startup_timeout_s"]
    value = section.get("startup_timeout_s", DEFAULT_STARTUP_TIMEOUT)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 1:
        problems.append(f"kernel: startup_timeout_s must be a number of seconds of at least 1, not {value!r}")
        return DEFAULT_STARTUP_TIMEOUT
    return float(value)


def parameters_cell(notebook: Path) -> tuple[dict[str, object] | None, list[str]]:
    """The names assigned in ``notebook``'s cell tagged ``parameters``, with their defaults.

    Returns
    -------
    (declared, problems)
        ``declared`` maps names to their literal default (:data:`NOT_A_LITERAL` for
        an expression); it is ``None`` when the cell cannot be read. ``problems``
        says why: no such cell, several, or a cell that is not valid Python.
    """
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError) as err:
        return None, [f"cannot read {notebook}: {err}"]
    tagged = [
        c for c in cells
        if c.get("cell_type") == "code" and "parameters" in c.get("metadata", {}).get("tags", [])
    ]
    if len(tagged) != 1:
        return None, [f"{notebook.name}: expected exactly one code cell tagged 'parameters', found {len(tagged)}"]
    source = tagged[0].get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        return None, [f"{notebook.name}: the parameters cell is not valid Python (line {err.lineno}: {err.msg})"]
    declared: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        try:
            default = ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            default = NOT_A_LITERAL
        for target in targets:
            if isinstance(target, ast.Name):
                declared[target.id] = default
    return declared, []


def kind(value: object) -> str:
    """The parameter type of a value as the checks name it: bool, int, float, str, list, dict, None."""
    if value is None:
        return "None"
    for name, types in (("bool", bool), ("int", int), ("float", float), ("str", str),
                        ("list", (list, tuple)), ("dict", dict)):
        if isinstance(value, types):
            return name
    return type(value).__name__


def type_problem(name: str, value: object, default: object) -> str | None:
    """Why ``value`` cannot replace the notebook default ``default``, or None if it can.

    Types must match exactly, with two allowances: any value may replace a default
    of ``None`` or an expression, and an int may replace a float. The elements of a
    list must have the kind of the default list's elements when those all agree.
    """
    if default is None or default is NOT_A_LITERAL:
        return None
    want, got = kind(default), kind(value)
    if got != want and not (want == "float" and got == "int"):
        hint = " (quote it in the YAML file to keep it a string)" if want == "str" and got in ("int", "float", "bool") else ""
        return f"parameter {name!r} is {got} {value!r} but the notebook's default is {want} {default!r}{hint}"
    if want == "list" and default:
        element_kinds = {kind(d) for d in default}
        if len(element_kinds) == 1:
            (element,) = element_kinds
            bad = [v for v in value if kind(v) != element]
            if bad:
                return f"parameter {name!r}: elements {bad!r} are not {element} like the notebook's default {list(default)!r}"
    return None


def _check_values(values: Mapping[str, object]) -> list[str]:
    """Problems with values of the parameters that have fixed meanings."""
    from lcanalysis import terms
    from lcanalysis.schemas import PROGRAMME_LEVELS

    problems: list[str] = []
    for key, allowed in CHOICES.items():
        if key in values and values[key] not in allowed:
            problems.append(f"{key} must be one of {', '.join(allowed)}, not {values[key]!r}")
    for key in PATH_PARAMETERS:
        if key in values and not isinstance(values[key], str):
            problems.append(f"{key} must be a path (a string), not {values[key]!r}")
    if "cohort_terms" in values:
        cohort = values["cohort_terms"]
        if not isinstance(cohort, list) or not cohort:
            problems.append(f"cohort_terms must be a non-empty list of terms like HT2024, not {cohort!r}")
        else:
            for term in cohort:
                try:
                    canonical = str(terms.parse_term(str(term)))
                except ValueError:
                    problems.append(f"cohort_terms: {term!r} is not a term (write e.g. HT2024)")
                    continue
                if canonical != term:
                    problems.append(f"cohort_terms: write {term!r} as {canonical!r}")
    if "programme_levels" in values:
        levels = values["programme_levels"]
        if not isinstance(levels, list) or not levels:
            problems.append(f"programme_levels must be a non-empty list, not {levels!r}")
        else:
            problems += [
                f"programme_levels: unknown level {lv!r} (allowed: {', '.join(PROGRAMME_LEVELS)})"
                for lv in levels if lv not in PROGRAMME_LEVELS
            ]
    return problems


def _resolve_paths(values: dict[str, object]) -> dict[str, object]:
    root = paths.project_root()
    return {
        k: str(root / v) if k in PATH_PARAMETERS and isinstance(v, str) else v
        for k, v in values.items()
    }


def _centre_ids(problems: list[str]) -> tuple[str, ...]:
    from lcanalysis.config import load_learning_centres

    try:
        return tuple(load_learning_centres())
    except ConfigError as err:
        problems += [f"{err.file}: {p}" for p in err.problems]
        return ()


def _parameters_for(spec: NotebookSpec, defaults: Mapping[str, object]) -> dict[str, object]:
    """Defaults the notebook declares, then its own parameters."""
    return {**{k: v for k, v in defaults.items() if k in spec.declared}, **spec.parameters}


def _notebook_spec(
    i: int,
    entry: object,
    seen: set[str],
    defaults: Mapping[str, object],
    centres: tuple[str, ...],
    problems: list[str],
) -> NotebookSpec | None:
    """Check one entry of ``notebooks`` (appending to ``problems``); the spec if usable."""
    if not isinstance(entry, dict):
        problems.append(f"notebooks[{i}]: expected a mapping with name and path")
        return None
    name = entry.get("name")
    where = f"notebook {name}" if isinstance(name, str) else f"notebooks[{i}]"
    count = len(problems)
    problems += [
        f"{where}: unknown key {k!r} (allowed: {', '.join(NOTEBOOK_KEYS)})"
        for k in entry if k not in NOTEBOOK_KEYS
    ]
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        problems.append(f"{where}: 'name' must be letters, digits, '_' and '-', not {name!r}")
    elif name in seen:
        problems.append(f"{where}: the name is used twice")
    rel = entry.get("path")
    if not isinstance(rel, str):
        problems.append(f"{where}: 'path' must be the notebook's path relative to the project root")
        return None
    path = paths.project_root() / rel
    if not path.is_file():
        problems.append(f"{where}: notebook file {rel} not found")
        return None
    declared, cell_problems = parameters_cell(path)
    problems += [f"{where}: {p}" for p in cell_problems]
    own = entry.get("parameters") or {}
    if not isinstance(own, dict):
        problems.append(f"{where}: 'parameters' must be a mapping")
        own = {}
    for key in own:
        if key in RUNNER_PARAMETERS:
            problems.append(f"{where}: parameter {key!r} is set by the runner; remove it")
    own = {k: v for k, v in own.items() if k not in RUNNER_PARAMETERS}
    problems += [f"{where}: {p}" for p in _check_values(own)]
    own = _resolve_paths(own)
    fan_out = _fan_out(where, entry.get("fan_out"), centres, problems)
    after = entry.get("after") or []
    if not isinstance(after, list) or not all(isinstance(a, str) for a in after):
        problems.append(f"{where}: 'after' must be a list of notebook names")
        after = []
    if declared is None:
        return None
    values = {**{k: v for k, v in defaults.items() if k in declared}, **own, **RUNNER_PARAMETERS}
    if fan_out is not None:
        values[fan_out[0]] = fan_out[1][0] if fan_out[1] else ""
    for key, value in values.items():
        if key not in declared:
            if key in own or (fan_out is not None and key == fan_out[0]):
                problems.append(
                    f"{where}: unknown parameter {key!r}: not assigned in {path.name}'s parameters cell"
                    f" (it assigns: {', '.join(declared) or 'nothing'})"
                )
            continue
        problem = type_problem(key, value, declared[key])
        if problem:
            problems.append(f"{where}: {problem}")
    if len(problems) > count:
        return None
    return NotebookSpec(name, path, own, declared, fan_out, tuple(after))


def _fan_out(
    where: str, spec: object, centres: tuple[str, ...], problems: list[str]
) -> tuple[str, tuple[str, ...]] | None:
    if spec is None:
        return None
    if not isinstance(spec, dict) or set(spec) != set(FAN_OUT_KEYS):
        problems.append(f"{where}: 'fan_out' must be {{parameter: NAME, values: {ALL_CENTRES} | [ids]}}")
        return None
    parameter, values = spec["parameter"], spec["values"]
    if not isinstance(parameter, str):
        problems.append(f"{where}: fan_out.parameter must be a parameter name")
        return None
    if values == ALL_CENTRES:
        return parameter, centres
    if not isinstance(values, list) or not values:
        problems.append(f"{where}: fan_out.values must be {ALL_CENTRES!r} or a non-empty list of centre ids")
        return None
    unknown = [v for v in values if v not in centres]
    if unknown:
        problems.append(
            f"{where}: fan_out.values {unknown!r} are not learning-centre ids"
            f" (config/learning_centres.yaml has: {', '.join(centres)})"
        )
        return None
    return parameter, tuple(values)


def _check_after(afters: Mapping[str, list[str]]) -> list[str]:
    """Unknown names in ``after`` (notebook name -> names) and dependency cycles."""
    problems = [
        f"notebook {name}: 'after' names {a!r}, which is not a notebook of this pipeline"
        for name, after in afters.items() for a in after if a not in afters
    ]
    graph = {name: [a for a in after if a in afters] for name, after in afters.items()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = trail[trail.index(nxt):] if nxt in trail else [nxt]
                problems.append(f"'after' forms a cycle: {' -> '.join([*cycle, nxt])}")
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [node])
    return problems
