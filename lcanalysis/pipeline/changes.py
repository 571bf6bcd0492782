"""What changed since the last run, and why.

Every run is compared with the previous successful run (or one named with
``lcanalysis run --compare-with RUN_ID``) and writes ``reports/<run-id>/changes.json``:

- ``causes``: what differs between the two runs' inputs, read from their manifests:
  ``data`` (raw files added, removed or edited, by source), ``definitions``
  (config/*.yaml other than the pipeline file, with the keys that changed when both
  runs kept a copy of their configuration), ``parameters`` (notebook parameters from
  config/pipeline.yaml, the report language, notebooks added or removed) and
  ``code`` (the commits between the two runs' commits, with their subjects from git,
  and package versions);
- ``indicators``: every exported rate and estimate with a 95 % interval, matched by a
  stable id (``<notebook>/<table>?<key>=<value>&...``, the keys being the table's
  columns before its counts or estimate), with both runs' values, the difference
  and whether it lies beyond what the two intervals allow (docs/methods.md,
  "Changes between runs"). The headline findings (notebook 10_lessons_learnt, its
  ``findings`` table when it exports one) come first. A suppressed value stays
  suppressed (its code here; "hidden" and the reason in words in the report) and is
  never differenced.

Runs that are not comparable (another raw folder, demo world against real data,
another disclosure policy) say so, and their indicators are not compared.

:func:`revision_history` collects the headline indicators of every comparable run in
reports/ (``revisions.csv``) and :func:`revision_chart` draws them with their
intervals; :func:`section_html` is the report's section "Changes since the last run" /
"Förändringar sedan förra körningen"; :func:`terminal_text` is what
``lcanalysis compare`` prints.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import html
import json
import math
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from lcanalysis.errors import LcanalysisError
from lcanalysis.pipeline.data import write_json_atomic

CHANGES_FILE = "changes.json"
REVISIONS_FILE = "revisions.csv"
CHART_FOLDER = "changes"
CHART_NAME = "revision_history"
CONFIG_COPY = "config"
"""Sub-folder of a run holding a copy of the definition files it ran with."""
MANIFEST = "manifest.json"
HEADLINE_TASK = "10_lessons_learnt"
FINDINGS_TABLE = f"{HEADLINE_TASK}/findings"
VALUE_COLUMNS = ("rate", "estimate", "ame")
"""The column holding a table's estimate, in order of preference."""
FIRST_MEASURE = ("numerator", "denominator", *VALUE_COLUMNS)
"""Without declared keys, a table's key columns are the columns before the first of these."""
LAYOUTS = "disclosure.json"
"""The layouts an export writes beside its tables (``lcanalysis.report.tables``):
``{"tables": {name: {"keys": [...], ...}}}``, the declared key columns."""
RUN_SPECIFIC = frozenset({"run_id", "tables_dir", "synthetic"})
"""Task parameters that differ on every run (or are compared as comparability)."""
CAUSES = ("data", "definitions", "parameters", "code")
RAW_TOP = "(raw folder)"
"""The source of a file at the top of the raw folder (the demo world's markers)."""
MAX_KEYS = 20
"""Changed keys listed per definition file; the rest are counted."""


class RunNotFound(LcanalysisError):
    """A run named for a comparison is not in reports/."""


# --------------------------------------------------------------------------- runs


def finished_runs(reports_dir: Path) -> list[Path]:
    """Run folders of ``reports_dir`` whose manifest is written and whose privacy gate
    found nothing (the runs ``reports/latest`` may point at), oldest first."""
    runs = []
    for folder in sorted(reports_dir.iterdir()) if reports_dir.is_dir() else []:
        if folder.is_symlink() or not folder.is_dir():
            continue
        manifest = _read_manifest(folder)
        if manifest and manifest.get("finished") and not manifest.get("privacy_gate", {}).get("findings"):
            runs.append(folder)
    return runs


def previous_run(reports_dir: Path, run_id: str) -> Path | None:
    """The newest finished run (:func:`finished_runs`) started before ``run_id``."""
    earlier = [r for r in finished_runs(reports_dir) if r.name < run_id]
    return earlier[-1] if earlier else None


def resolve_run(reports_dir: Path, name: str) -> Path:
    """A run folder from a run id, ``latest``, or a path to a run folder.

    Raises
    ------
    RunNotFound
        When no folder with a manifest matches; the message lists the runs there are.
    """
    for candidate in (Path(name), reports_dir / name):
        if (candidate / MANIFEST).is_file():
            return candidate.resolve()
    known = [r.name for r in finished_runs(reports_dir)]
    listed = ", ".join(known[-5:]) if known else "none"
    raise RunNotFound(f"{name}: no run folder with a {MANIFEST} in {reports_dir} "
                      f"(newest finished runs: {listed})")


def _read_manifest(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _load_manifest(folder: Path) -> dict:
    manifest = _read_manifest(folder)
    if manifest is None:
        raise RunNotFound(f"{folder / MANIFEST}: missing or not valid JSON; is {folder} a run folder?")
    return manifest


# --------------------------------------------------------------------------- comparability


def disclosure_policies(manifest: Mapping) -> set[str]:
    """The disclosure policies the run's notebooks were given."""
    tasks: Mapping[str, Mapping] = manifest.get("tasks", {})
    return {str(t.get("parameters", {}).get("disclosure_policy")) for t in tasks.values()
            if "disclosure_policy" in t.get("parameters", {})}


def not_comparable(previous: Mapping, current: Mapping) -> list[str]:
    """Why two runs' indicators cannot be compared (empty when they can)."""
    return [reason for _, reason in _not_comparable(previous, current)]


def _not_comparable(previous: Mapping, current: Mapping) -> list[tuple[str, str]]:
    """(kind, reason) for :func:`not_comparable`; the kind (``raw_dir``, ``data``,
    ``policy``) is what the report says in words (``changes.not_comparable.<kind>``)."""
    reasons = []
    raw = (previous.get("inputs", {}).get("raw_dir"), current.get("inputs", {}).get("raw_dir"))
    if raw[0] != raw[1]:
        reasons.append(("raw_dir", f"different raw folder: {raw[0]} before, {raw[1]} now"))
    if bool(previous.get("synthetic")) != bool(current.get("synthetic")):
        kinds = ["synthetic demo world" if m.get("synthetic") else "real data" for m in (previous, current)]
        reasons.append(("data", f"{kinds[0]} before, {kinds[1]} now"))
    policies = (disclosure_policies(previous), disclosure_policies(current))
    if policies[0] != policies[1]:
        reasons.append(("policy", f"different disclosure policy: {', '.join(sorted(policies[0])) or '-'} before, "
                                  f"{', '.join(sorted(policies[1])) or '-'} now"))
    return reasons


# --------------------------------------------------------------------------- causes


def data_causes(previous: Mapping[str, str], current: Mapping[str, str]) -> list[dict]:
    """Raw files added, removed or edited, from two runs' ``inputs.raw_files``
    (relative path -> sha256); the source is the file's first folder."""
    out = []
    for file in sorted(set(previous) | set(current)):
        if previous.get(file) == current.get(file):
            continue
        change = "added" if file not in previous else "removed" if file not in current else "edited"
        source = file.split("/", 1)[0] if "/" in file else RAW_TOP
        out.append({"source": source, "file": file, "change": change})
    return out


def definition_causes(previous: Mapping[str, str], current: Mapping[str, str],
                      previous_copy: Path | None = None, current_copy: Path | None = None) -> list[dict]:
    """Definition files (config/*.yaml but the pipeline file) added, removed or edited,
    from two runs' ``inputs.config_files`` (name -> sha256). ``keys`` lists the
    dotted keys that changed when both runs kept a copy of the file (None otherwise)."""
    out = []
    for name in sorted(set(previous) | set(current)):
        if previous.get(name) == current.get(name):
            continue
        change = "added" if name not in previous else "removed" if name not in current else "edited"
        entry: dict[str, object] = {"file": name, "change": change, "keys": None}
        before = _config_copy(previous_copy, name, previous.get(name))
        after = _config_copy(current_copy, name, current.get(name))
        if change == "edited" and before is not None and after is not None:
            keys = changed_keys(before, after)
            entry["keys"] = keys[:MAX_KEYS] + ([f"... {len(keys) - MAX_KEYS} more"] if len(keys) > MAX_KEYS else [])
        out.append(entry)
    return out


def _config_copy(folder: Path | None, name: str, digest: str | None):
    """The parsed copy of a definition file kept by a run, if its hash is the manifest's."""
    import yaml

    from lcanalysis.clean import file_sha256

    if folder is None or digest is None or not (folder / name).is_file():
        return None
    if file_sha256(folder / name) != digest:
        return None
    return yaml.safe_load((folder / name).read_text(encoding="utf-8"))


def changed_keys(before: object, after: object, prefix: str = "") -> list[str]:
    """Dotted paths of the values that differ between two parsed YAML documents.

    Mappings are followed key by key; any other value (lists included) is compared
    whole, so ``cohort_terms`` changes as one key.
    """
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        out = []
        for key in sorted(set(before) | set(after), key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in before or key not in after:
                out.append(path)
            else:
                out += changed_keys(before[key], after[key], path)
        return out
    return [] if before == after else [prefix or "(document)"]


def parameter_causes(previous: Mapping, current: Mapping) -> list[dict]:
    """Run parameters that changed: each notebook parameter (with the tasks where it
    changed and the values), the report language, notebooks added or removed."""
    out: list[dict] = []
    before: Mapping[str, Mapping] = previous.get("tasks", {})
    after: Mapping[str, Mapping] = current.get("tasks", {})
    changed: dict[str, dict] = {}
    for task in sorted(set(before) & set(after)):
        p, c = before[task].get("parameters", {}), after[task].get("parameters", {})
        for name in sorted((set(p) | set(c)) - RUN_SPECIFIC):
            if p.get(name) != c.get(name):
                entry = changed.setdefault(name, {"parameter": name, "tasks": [], "values": []})
                entry["tasks"].append(task)
                if (p.get(name), c.get(name)) not in entry["values"]:
                    entry["values"].append((p.get(name), c.get(name)))
    for entry in changed.values():
        values = entry.pop("values")
        entry["previous"], entry["current"] = values[0] if len(values) == 1 else (
            [v[0] for v in values], [v[1] for v in values])
        out.append(entry)
    if previous.get("lang") != current.get("lang") and "lang" not in changed:
        out.append({"parameter": "lang", "tasks": [], "previous": previous.get("lang"),
                    "current": current.get("lang")})
    for task in sorted(set(before) ^ set(after)):
        out.append({"parameter": "notebooks", "tasks": [task],
                    "previous": task if task in before else None, "current": task if task in after else None})
    return out


def code_causes(previous: Mapping, current: Mapping, repo: Path | None) -> list[dict]:
    """Commits between the two runs' commits (``git log``; commit "unknown" when a run
    has no commit or git cannot tell) and package versions that changed."""
    out: list[dict] = []
    a, b = previous.get("git_commit"), current.get("git_commit")
    if a != b:
        if not a or not b or repo is None:
            which = previous.get("run_id") if not a else current.get("run_id")
            out.append({"commit": "unknown", "subject": f"unknown: run {which} has no git commit "
                                                        "(not made in a git checkout)"})
        else:
            out += _commits(repo, a, b)
    versions = (previous.get("versions", {}), current.get("versions", {}))
    for package in sorted(set(versions[0]) | set(versions[1])):
        if versions[0].get(package) != versions[1].get(package):
            out.append({"package": package, "previous": versions[0].get(package),
                        "current": versions[1].get(package)})
    return out


def _commits(repo: Path, a: str, b: str) -> list[dict]:
    found: list[dict] = []
    for rev, direction in ((f"{a}..{b}", "added"), (f"{b}..{a}", "not in the current run")):
        try:
            out = subprocess.run(["git", "-C", str(repo), "log", "--format=%h%x09%s", rev],
                                 capture_output=True, text=True, timeout=30, check=False)
        except OSError as err:
            return [{"commit": "unknown", "subject": f"unknown: git not available ({err})"}]
        if out.returncode != 0:
            return [{"commit": "unknown",
                     "subject": f"unknown: git cannot compare {a[:10]} and {b[:10]} ({_first_line(out.stderr)})"}]
        for line in out.stdout.splitlines():
            commit, _, subject = line.partition("\t")
            entry = {"commit": commit, "subject": subject}
            if direction != "added":
                entry["direction"] = direction
            found.append(entry)
    return found


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "no message")


def causes(previous_dir: Path, previous: Mapping, current_dir: Path, current: Mapping,
           repo: Path | None) -> dict[str, list[dict]]:
    """The four kinds of cause between two runs (see the module docstring)."""
    pi, ci = previous.get("inputs", {}), current.get("inputs", {})
    return {
        "data": data_causes(pi.get("raw_files", {}), ci.get("raw_files", {})),
        "definitions": definition_causes(pi.get("config_files", {}), ci.get("config_files", {}),
                                         previous_dir / CONFIG_COPY, current_dir / CONFIG_COPY),
        "parameters": parameter_causes(previous, current),
        "code": code_causes(previous, current, repo),
    }


def keep_config(run_dir: Path, config_dir: Path, config_files: Mapping[str, str]) -> list[str]:
    """Copy the definition files a run used into ``run_dir/config/``, so a later run
    can name the keys that changed; a file whose hash no longer matches the
    manifest's (edited during the run) is not copied. Returns the names copied."""
    from lcanalysis.clean import file_sha256

    target = run_dir / CONFIG_COPY
    copied = []
    for name, digest in sorted(config_files.items()):
        source = config_dir / name
        if source.is_file() and file_sha256(source) == digest:
            target.mkdir(exist_ok=True)
            shutil.copy2(source, target / name)
            copied.append(name)
    return copied


# --------------------------------------------------------------------------- indicators


@dataclass(frozen=True)
class Indicator:
    """One exported estimate of one run.

    ``numerator``/``denominator`` are set for a proportion of people (a rate frame
    whose counts are people), where the Newcombe interval applies; ``suppressed`` is
    the suppression code when the value is hidden; ``proportion`` is true for a
    table's ``rate`` (shown as per cent, differences in percentage points); ``unit``
    is the table's ``unit`` column when it has one (the findings table: ``percent``,
    ``percentage_points``, ``per_10k``); ``column`` the column the value is read from.
    """

    id: str
    table: str
    keys: tuple[tuple[str, str], ...]
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: float | None
    numerator: int | None = None
    denominator: int | None = None
    suppressed: str | None = None
    proportion: bool = False
    unit: str | None = None
    column: str = "rate"

    @property
    def headline(self) -> bool:
        return self.table.startswith(f"{HEADLINE_TASK}/")


def indicator_id(table: str, keys: Sequence[tuple[str, str]]) -> str:
    """``<notebook>/<table>?<key>=<value>&...`` (just the table when it has no keys)."""
    return table + ("?" + "&".join(f"{k}={v}" for k, v in keys) if keys else "")


def read_table(path: Path, table: str, keys: Sequence[str] | None = None) -> list[Indicator]:
    """The indicators of one exported CSV (:mod:`lcanalysis.report.tables`): its rows
    with an estimate (``rate``, ``estimate`` or ``ame``) and a 95 % interval
    (``ci_low``, ``ci_high``); tables without both give none. ``keys`` are the
    declared key columns (default: the columns before the counts or the estimate).

    Reads both export styles: ``,`` with decimal points (en) and ``;`` with decimal
    commas (sv). A cell ``[code]`` or an empty estimate in a row marked
    ``suppressed`` is suppressed. Raises :class:`LcanalysisError` naming the file,
    row and column of a number that cannot be read.
    """
    text = path.read_text(encoding="utf-8-sig")
    header = text.split("\n", 1)[0]
    delimiter = ";" if ";" in header else ","
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    if not rows:
        return []
    columns = rows[0]
    value_col = next((c for c in VALUE_COLUMNS if c in columns), None)
    if value_col is None or "ci_low" not in columns or "ci_high" not in columns:
        return []
    if keys is not None and set(keys) <= set(columns):
        key_cols = list(keys)
    else:
        key_cols = columns[:min(columns.index(c) for c in FIRST_MEASURE if c in columns)]
    people = {"numerator", "denominator"} <= set(columns) and "n_persons" not in columns
    n_col = next((c for c in ("n_persons", "denominator", "n_obs", "n") if c in columns), None)
    out, seen = [], {}
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        cells = dict(zip(columns, row, strict=False))

        def num(column: str, cells=cells, number=number) -> float | None:
            raw = cells.get(column, "").strip()
            if not raw or raw.startswith("["):
                return None
            try:
                return float(raw.replace(",", ".") if delimiter == ";" else raw)
            except ValueError:
                raise LcanalysisError(f"{path}: row {number}, column {column!r}: "
                                      f"{raw!r} is not a number") from None

        keys = tuple((c, cells.get(c, "")) for c in key_cols)
        base = indicator_id(table, keys)
        seen[base] = seen.get(base, 0) + 1
        ident = base if seen[base] == 1 else f"{base}#{seen[base]}"
        value_cell = cells.get(value_col, "").strip()
        marked = cells.get("suppressed", "").strip().lower() == "true"
        code = None
        if value_cell.startswith("["):
            code = value_cell.strip("[]") or "suppressed"
        elif marked and not value_cell:
            code = cells.get("suppression_reason", "").strip() or "suppressed"
        if code is not None:
            out.append(Indicator(ident, table, keys, None, None, None, None, suppressed=code,
                                 proportion=value_col == "rate", unit=cells.get("unit") or None,
                                 column=value_col))
            continue
        x, d = (num("numerator"), num("denominator")) if people else (None, None)
        whole = x is not None and d is not None and x.is_integer() and d.is_integer() and 0 <= x <= d
        out.append(Indicator(
            ident, table, keys, num(value_col), num("ci_low"), num("ci_high"),
            num(n_col) if n_col else None,
            numerator=int(x) if whole else None, denominator=int(d) if whole else None,
            proportion=value_col == "rate", unit=cells.get("unit") or None, column=value_col,
        ))
    return out


def read_indicators(run_dir: Path, notebook: str = "*") -> dict[str, Indicator]:
    """Every indicator of a run's exported tables (``tables/<notebook>/<table>.csv``;
    ``notebook`` a folder name or pattern), with the key columns declared in each
    folder's layouts when it has them."""
    found: dict[str, Indicator] = {}
    declared: dict[Path, Mapping] = {}
    for path in sorted((run_dir / "tables").glob(f"{notebook}/*.csv")):
        if path.parent not in declared:
            declared[path.parent] = _declared_keys(path.parent / LAYOUTS)
        table = f"{path.parent.name}/{path.stem}"
        # A finding is named by its id alone: its other declared keys (evidence
        # wording, unit, source notebook) may be reworded without it becoming another finding.
        keys = ["finding"] if table == FINDINGS_TABLE else declared[path.parent].get(path.stem)
        for indicator in read_table(path, table, keys):
            found[indicator.id] = indicator
    return found


def _declared_keys(path: Path) -> dict[str, list[str]]:
    """Table name -> declared key columns, from an export's layouts file (none if absent)."""
    if not path.is_file():
        return {}
    try:
        tables = json.loads(path.read_text(encoding="utf-8")).get("tables", {})
    except ValueError as err:
        raise LcanalysisError(f"{path}: not valid JSON ({err}); re-run the notebook that wrote it") from None
    return {name: list(layout["keys"]) for name, layout in tables.items()
            if isinstance(layout, Mapping) and isinstance(layout.get("keys"), list)}


def headline_ids(indicators: Mapping[str, Indicator]) -> list[str]:
    """The headline indicators: the rows of 10_lessons_learnt's ``findings`` table
    when the run has one, else every indicator of 10_lessons_learnt."""
    findings = [i for i, ind in indicators.items() if ind.table == FINDINGS_TABLE]
    return findings or [i for i, ind in indicators.items() if ind.headline]


def mover_interval(current: tuple[float, float, float], previous: tuple[float, float, float]
                   ) -> tuple[float, float]:
    """95 % interval of ``current - previous`` from each estimate's own interval
    (estimate, low, high), by the method of variance estimates recovery (Zou &
    Donner 2008): with Wilson intervals it is Newcombe's method 10."""
    e1, l1, u1 = current
    e2, l2, u2 = previous
    d = e1 - e2
    return d - math.sqrt((e1 - l1) ** 2 + (u2 - e2) ** 2), d + math.sqrt((u1 - e1) ** 2 + (e2 - l2) ** 2)


def compare_indicator(previous: Indicator | None, current: Indicator | None, lang: str = "en") -> dict:
    """One ``indicators`` entry of changes.json.

    ``method`` says how ``beyond_uncertainty`` was judged: ``newcombe`` (both runs
    give a proportion of people with its counts: Newcombe's interval for the
    difference of two proportions, :func:`lcanalysis.stats.difference_in_proportions`),
    ``mover`` (any other estimate with a 95 % interval in both runs: the interval of
    the difference recovered from the two intervals, :func:`mover_interval`), or
    null when nothing can be judged (suppressed, missing in one run, no interval).
    ``beyond_uncertainty`` is true when the difference's interval excludes 0.
    """
    ref = current or previous
    assert ref is not None
    entry: dict[str, object] = {
        "id": ref.id, "label": indicator_label(ref.table, ref.keys, lang, ref.column), "table": ref.table,
        "keys": [list(k) for k in ref.keys], "column": ref.column, "headline": False,
        "proportion": ref.proportion, "unit": ref.unit,
        "previous": None, "current": None, "difference": None, "difference_ci": None,
        "beyond_uncertainty": None, "method": None,
        "previous_ci": None, "current_ci": None, "previous_n": None, "current_n": None,
        "previous_suppressed": None, "current_suppressed": None,
        "status": "compared",
    }
    for side, ind in (("previous", previous), ("current", current)):
        if ind is None:
            continue
        entry[f"{side}_suppressed"] = ind.suppressed
        entry[side] = ind.value
        entry[f"{side}_n"] = _plain(ind.n)
        if ind.ci_low is not None and ind.ci_high is not None:
            entry[f"{side}_ci"] = [ind.ci_low, ind.ci_high]
    if previous is None or current is None:
        entry["status"] = "only_current" if previous is None else "only_previous"
        return entry
    if previous.suppressed or current.suppressed:
        entry["status"] = "suppressed"
        return entry
    if previous.value is None or current.value is None:
        entry["status"] = "no_value"
        return entry
    entry["difference"] = round(current.value - previous.value, 12)
    if None not in (previous.numerator, previous.denominator, current.numerator, current.denominator) \
            and previous.denominator and current.denominator:
        from lcanalysis.stats import difference_in_proportions

        est = difference_in_proportions(current.numerator, current.denominator,
                                        previous.numerator, previous.denominator)
        low, high, method = float(est.ci_low), float(est.ci_high), "newcombe"
    elif None not in (previous.ci_low, previous.ci_high, current.ci_low, current.ci_high):
        low, high = mover_interval((current.value, current.ci_low, current.ci_high),
                                   (previous.value, previous.ci_low, previous.ci_high))
        method = "mover"
    else:
        entry["status"] = "no_interval"
        return entry
    entry["difference_ci"] = [low, high]
    entry["method"] = method
    entry["beyond_uncertainty"] = bool(low > 0 or high < 0)
    return entry


def _plain(value: float | None) -> float | int | None:
    return int(value) if value is not None and float(value).is_integer() else value


def indicator_label(table: str, keys: Sequence[Sequence[str]], lang: str, column: str | None = None) -> str:
    """An indicator in words: the table's title (:func:`table_title`), its keys'
    values in words and the column the value is from ("Lärcentrum minus campus:
    förstagenerationsstudent (skillnad)"); a headline finding by its name alone."""
    from lcanalysis.plots.labels import category_label, label

    if table == FINDINGS_TABLE and keys:
        return category_label("finding", keys[0][1], lang)
    task, _, name = table.partition("/")
    parts = list(dict.fromkeys(key_text(c, v, lang) for c, v in keys))  # a code and its name say it once
    text = table_title(task, name, lang) + (f": {', '.join(parts)}" if parts else "")
    if column:
        with contextlib.suppress(KeyError):
            text += f" ({label(f'column.{column}', lang).lower()})"
    return text


def key_text(column: str, value: str, lang: str) -> str:
    """A key's value in words (:func:`lcanalysis.report.reading.category_text`: codes,
    learning centres, municipalities by name; an outcome as the narrative says it); a
    number with its column's name ("år efter studierna 1")."""
    from lcanalysis.plots.labels import label
    from lcanalysis.report.narrative import has_text, text
    from lcanalysis.report.reading import category_text

    if column == "outcome" and has_text(f"words.outcome.{value}", lang):
        return text(f"words.outcome.{value}", lang)
    column = KEY_DOMAINS.get(column, column)
    words = category_text(column, value, lang)
    if words == value and NUMBER.fullmatch(value):
        for key in (f"column.{column}", f"axis.{column}"):
            with contextlib.suppress(KeyError):
                return f"{label(key, lang).lower()} {value}"
    return words


KEY_DOMAINS = {"stage": "funnel_stage", "municipality_code": "host_municipality_code"}
"""Key columns whose codes are translated as another column's (a municipality code by its name)."""

NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def table_title(task: str, table: str, lang: str) -> str:
    """A table's title in words: the first phrase of its note (the words the report
    captions it with, ``<notebook>.note.<table>`` in the language modules, a
    centre's profile with the centre's name), else ``changes.table.<table>``, else
    the title of the notebook's part of the report."""
    from lcanalysis.report.narrative import TEMPLATES, has_text, text
    from lcanalysis.report.reading import category_text

    notebook, _, centre = task.partition("-")
    stem = table.removesuffix(f"_{centre}") if centre else table
    centre_name = category_text("learning_centre_id", centre, lang) if centre else ""
    note = f"{notebook}.note.{stem}"
    if has_text(note, lang):
        phrase = re.split(r"[,:;]\s|\.\s|\s\(|\.$", TEMPLATES[lang][note], maxsplit=1)[0]
        if "{" not in phrase.replace("{centre}", ""):
            return phrase.replace("{centre}", centre_name)
    if has_text(f"changes.table.{stem}", lang):
        return text(f"changes.table.{stem}", lang)
    return part_title(task, lang)


def part_title(task: str, lang: str) -> str:
    """A notebook run in words: its title (the first line of its ``intro`` text), a
    centre's profile with the centre's name; ``changes.part_unnamed`` for a notebook
    without an introduction."""
    from lcanalysis.report.narrative import TEMPLATES, has_text, text
    from lcanalysis.report.reading import category_text

    notebook, _, centre = task.partition("-")
    key = f"{notebook}.intro"
    if not has_text(key, lang):
        return text("changes.part_unnamed", lang)
    title = re.sub(r"^#\s*\d{2}\s*·\s*", "", TEMPLATES[lang][key].splitlines()[0])
    return f"{title}: {category_text('learning_centre_id', centre, lang)}" if centre else title


def _label(entry: Mapping, lang: str) -> str:
    """An entry's label in ``lang`` (changes.json holds it in the run's language)."""
    return indicator_label(str(entry["table"]), entry.get("keys") or [], lang,
                           str(entry.get("column") or ("rate" if entry.get("proportion") else "estimate")))


def _listed(entries: Sequence[Mapping]) -> list[Mapping]:
    """The entries the table shows: every headline indicator, and every other one
    whose value, suppression or presence differs between the runs."""
    return [e for e in entries if e["headline"] or e["difference"] or e["status"] != "compared"]


def compare_runs(previous_dir: Path, current_dir: Path, *, current_manifest: Mapping | None = None,
                 repo: Path | None = None, lang: str | None = None) -> dict:
    """The changes between two run folders (the content of changes.json).

    ``current_manifest`` is the current run's manifest while it is being written
    (default: its manifest.json); ``repo`` the git checkout for the commits between
    the runs; ``lang`` the labels' language (default: the current run's).
    """
    previous = _load_manifest(previous_dir)
    current = dict(current_manifest) if current_manifest is not None else _load_manifest(current_dir)
    lang = lang or str(current.get("lang") or "en")
    found_reasons = _not_comparable(previous, current)
    reasons = [reason for _, reason in found_reasons]
    result: dict[str, object] = {
        "previous_run": previous.get("run_id", previous_dir.name),
        "current_run": current.get("run_id", current_dir.name),
        "comparable": not reasons, "not_comparable": reasons,
        "not_comparable_kinds": [kind for kind, _ in found_reasons],
        "causes": causes(previous_dir, previous, current_dir, current, repo),
        "indicators": [],
    }
    if not reasons:
        before, after = read_indicators(previous_dir), read_indicators(current_dir)
        headline = set(headline_ids(after)) | set(headline_ids(before))
        found: Mapping[str, list[dict]] = result["causes"]  # type: ignore[assignment]
        entries = []
        for ident in list(after) + [i for i in before if i not in after]:
            entry = compare_indicator(before.get(ident), after.get(ident), lang)
            entry["headline"] = ident in headline
            entry["causes"] = task_causes(str(entry["table"]).split("/", 1)[0], found, current)
            entries.append(entry)
        entries.sort(key=lambda e: (not e["headline"], e["beyond_uncertainty"] is not True))
        result["indicators"] = entries
    result["summary"] = summary(result)
    return result


def task_causes(task: str, found: Mapping[str, Sequence[Mapping]], current: Mapping) -> list[str]:
    """The causes that can have moved a notebook's numbers: none when this run copied
    its outputs unchanged from an earlier run; else the changed data, definitions
    and code, and the parameters that changed for this notebook."""
    entry = current.get("tasks", {}).get(task, {})
    if entry.get("status") == "skipped" and entry.get("reason") == "unchanged":
        return []
    out = [kind for kind in ("data", "definitions", "code") if found.get(kind)]
    out += [f"parameters: {c['parameter']}" for c in found.get("parameters", [])
            if task in c.get("tasks", []) or not c.get("tasks")]
    return out


def summary(changes: Mapping) -> dict[str, int]:
    """Counts of the indicators by outcome."""
    entries: Sequence[Mapping] = changes.get("indicators", [])  # type: ignore[assignment]
    return {
        "indicators": len(entries),
        "beyond_uncertainty": sum(e["beyond_uncertainty"] is True for e in entries),
        "within_uncertainty": sum(e["beyond_uncertainty"] is False for e in entries),
        "moved": sum(bool(e["difference"]) for e in entries),
        "suppressed": sum(e["status"] == "suppressed" for e in entries),
        "only_previous": sum(e["status"] == "only_previous" for e in entries),
        "only_current": sum(e["status"] == "only_current" for e in entries),
    }


def first_run(current: Mapping) -> dict:
    """changes.json of a run with no earlier finished run to compare with."""
    return {"previous_run": None, "current_run": current.get("run_id"), "comparable": False,
            "not_comparable": ["no earlier finished run in reports/"],
            "causes": {c: [] for c in CAUSES}, "indicators": [], "summary": summary({})}


# --------------------------------------------------------------------------- history


HISTORY_COLUMNS = ("run_id", "started", "id", "label", "proportion", "unit", "value", "ci_low", "ci_high",
                   "n", "suppressed")


def revision_history(reports_dir: Path, current_dir: Path, *, current_manifest: Mapping | None = None,
                     lang: str = "en") -> list[dict]:
    """The headline indicators of the current run in every finished run of
    ``reports_dir`` comparable with it (:func:`not_comparable`), oldest first, the
    current run last: one row per run and indicator (HISTORY_COLUMNS)."""
    current = dict(current_manifest) if current_manifest is not None else _load_manifest(current_dir)
    now = read_indicators(current_dir, HEADLINE_TASK)
    ids = headline_ids(now)
    runs = [(r, _load_manifest(r)) for r in finished_runs(reports_dir) if r.resolve() != current_dir.resolve()]
    runs = [(r, m) for r, m in runs if not not_comparable(m, current) and m.get("run_id", r.name) < str(
        current.get("run_id", current_dir.name))]
    rows = []
    for folder, manifest in [*runs, (current_dir, current)]:
        found = now if folder is current_dir else read_indicators(folder, HEADLINE_TASK)
        for ident in ids:
            ind = found.get(ident)
            if ind is None:
                continue
            rows.append({"run_id": manifest.get("run_id", folder.name), "started": manifest.get("started"),
                         "id": ident,
                         "label": indicator_label(now[ident].table, now[ident].keys, lang, now[ident].column),
                         "proportion": ind.proportion, "unit": ind.unit, "value": ind.value,
                         "ci_low": ind.ci_low, "ci_high": ind.ci_high, "n": _plain(ind.n),
                         "suppressed": ind.suppressed})
    return rows


def write_history(rows: Sequence[Mapping], path: Path) -> None:
    """``revisions.csv``: UTF-8 with BOM, a suppressed value as its code in brackets."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(HISTORY_COLUMNS)
        for row in rows:
            writer.writerow([
                f"[{row['suppressed']}]" if row["suppressed"] and c in ("value", "ci_low", "ci_high", "n")
                else "" if row[c] is None else round(row[c], 6) if isinstance(row[c], float) else row[c]
                for c in HISTORY_COLUMNS
            ])


RUN_TICKS_MAX = 7
"""At most this many runs are labelled along a revision chart's x axis."""


def run_ticks(runs: int) -> list[int]:
    """The runs (0-based positions) a revision chart labels: every one up to
    :data:`RUN_TICKS_MAX`, else every k-th counted back from the newest, which is
    always labelled. Labels for each of many runs crowd into one another: fourteen
    runs printed the labels 10 to 14 as one run of ten digits, which is what a reader
    saw, and what the privacy gate read in the PDF as a valid identity number."""
    step = max(math.ceil(runs / RUN_TICKS_MAX), 1)
    return list(range(runs - 1, -1, -step))[::-1]


def revision_chart(rows: Sequence[Mapping], *, lang: str, synthetic: bool):
    """Small multiples, one panel per headline indicator: its estimate in each run
    (dots joined by a line) with the 95 % interval (vertical bars); a suppressed value
    is not drawn, and the footnote says how many are hidden and why. Rates in per
    cent, other estimates in their own unit; runs along the x axis by start date (by
    number when two runs share a date)."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    from lcanalysis.plots.labels import (
        category_label,
        format_n,
        number_formatter,
        percent_formatter,
    )
    from lcanalysis.plots.style import KTH_BLUE, house_figure, house_style, set_footer

    ids = list(dict.fromkeys(r["id"] for r in rows))
    runs = list(dict.fromkeys(r["run_id"] for r in rows))
    dates = [str(next(r["started"] for r in rows if r["run_id"] == run) or "")[:10] for run in runs]
    ticks = dates if all(dates) and len(set(dates)) == len(dates) else [str(i + 1) for i in range(len(runs))]
    ncols = 3 if len(ids) > 4 else max(len(ids), 1)
    nrows = max(math.ceil(len(ids) / ncols), 1)
    fig, axes = house_figure(lang=lang, synthetic=synthetic, title=TEXT[lang]["chart_title"],
                             height_in=0.9 + 1.35 * nrows, nrows=nrows, ncols=ncols, squeeze=False)
    hidden: dict[str, int] = {}  # suppression reason -> hidden values (not drawn)
    with house_style():
        for k, ax in enumerate(axes.flat):
            if k >= len(ids):
                ax.set_visible(False)
                continue
            mine = [r for r in rows if r["id"] == ids[k]]
            xs = [runs.index(r["run_id"]) for r in mine if r["value"] is not None]
            ys = [r["value"] for r in mine if r["value"] is not None]
            ax.plot(xs, ys, "-", color=KTH_BLUE, lw=0.9)
            for r in mine:
                if r["suppressed"]:
                    hidden[r["suppressed"]] = hidden.get(r["suppressed"], 0) + 1
            visible = [r for r in mine if not r["suppressed"]]
            # one artist for all intervals and one for all dots of a panel, not one per
            # run: a tree's every run is in the chart, and drawing hundreds of artists
            # took seconds of every run
            bars = [r for r in visible if r["ci_low"] is not None and r["ci_high"] is not None]
            if bars:
                ax.vlines([runs.index(r["run_id"]) for r in bars], [r["ci_low"] for r in bars],
                          [r["ci_high"] for r in bars], color=KTH_BLUE, lw=1.0)
            dots = [r for r in visible if r["value"] is not None]
            if dots:
                ax.plot([runs.index(r["run_id"]) for r in dots], [r["value"] for r in dots], "o",
                        color=KTH_BLUE, ms=3.5, zorder=3, ls="none")
            last = mine[-1]
            ax.set_title(_wrap(last["label"]) + (f"\n{format_n(last['n'], lang)}" if last["n"] else ""),
                         fontsize=6.5, loc="left")
            scale = _scale(last)
            decimals = _tick_decimals(mine, 100 if scale == "share" else 1)
            ax.yaxis.set_major_formatter(
                percent_formatter(lang, decimals) if scale == "share"
                else FuncFormatter(partial(_percent_tick, lang=lang, decimals=decimals))
                if scale == "percent" else number_formatter(lang, decimals))
            ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
            shown = run_ticks(len(runs))
            ax.set_xticks(shown)
            ax.set_xticklabels([ticks[i] for i in shown], rotation=30 if len(shown) > 4 else 0,
                               ha="right" if len(shown) > 4 else "center")
            ax.set_xlim(-0.5, len(runs) - 0.5)
            ax.grid(axis="y")
    footer = [TEXT[lang]["chart_footer"].format(
        first=run_text(runs[0], lang) if runs else "–", last=run_text(runs[-1], lang) if runs else "–",
        runs=len(runs))]
    if hidden:
        reasons = "; ".join(category_label("suppression_reason", r, lang) for r in sorted(hidden))
        footer.append(TEXT[lang]["chart_hidden"].format(
            n=sum(hidden.values()), reasons=reasons))
    set_footer(fig, footer)
    return fig


def _percent_tick(v: float, _pos: int | None, *, lang: str, decimals: int) -> str:
    """A tick of a panel whose values are per cent already (a partial of it, not a
    closure: the chart is pickled to be drawn in another process)."""
    from lcanalysis.plots.labels import format_percent

    return format_percent(v / 100, lang, decimals)


def _tick_decimals(rows: Sequence[Mapping], scale: float) -> int:
    """Decimals that keep the ticks of a panel apart: about four ticks over the range
    of its values and interval limits (in the unit shown: per cent for rates)."""
    values = [v * scale for r in rows for v in (r["value"], r["ci_low"], r["ci_high"]) if v is not None]
    span = (max(values) - min(values)) if values else 0.0
    if span <= 0:
        return 1
    return min(max(0, -math.floor(math.log10(span / 4))), 3)


def _wrap(text: str, width: int = 30) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


# --------------------------------------------------------------------------- the run's step


def record_changes(run_dir: Path, manifest: Mapping, *, reports_dir: Path, config_dir: Path,
                   compare_with: Path | None = None, repo: Path | None = None, executor=None) -> dict:
    """What a run does after its notebooks: keep a copy of its definition files,
    compare with the previous finished run (or the run folder ``compare_with``, from
    :func:`resolve_run`), write ``changes.json``, ``revisions.csv`` and the revision
    chart (``changes/revision_history.{png,svg,pdf}``). Returns the changes.

    Given an ``executor`` (a pool of other processes), the chart's SVG and PDF are
    drawn there (:func:`lcanalysis.plots.writer.hand_over`) while this process draws
    the PNG the report shows; the caller waits for the executor's work."""
    keep_config(run_dir, config_dir, manifest.get("inputs", {}).get("config_files", {}))
    lang = str(manifest.get("lang") or "en")
    run_id = str(manifest.get("run_id", run_dir.name))
    previous = compare_with or previous_run(reports_dir, run_id)
    if previous is None:
        changes = first_run(manifest)
    else:
        changes = compare_runs(previous, run_dir, current_manifest=manifest, repo=repo, lang=lang)
    write_json_atomic(run_dir / CHANGES_FILE, changes)
    rows = revision_history(reports_dir, run_dir, current_manifest=manifest, lang=lang)
    write_history(rows, run_dir / REVISIONS_FILE)
    if rows:
        import matplotlib.pyplot as plt

        from lcanalysis.plots.style import draw_figure_files, figure_files, write_drawn_files
        from lcanalysis.plots.writer import hand_over

        fig = revision_chart(rows, lang=lang, synthetic=bool(manifest.get("synthetic")))
        files = figure_files(fig, CHART_NAME, notebook=CHART_FOLDER, size="report_page", figures_dir=run_dir,
                             metadata={"source": "lcanalysis run manifests and exported tables", "run_id": run_id})
        here = ("png", "svg", "pdf")
        if executor is not None:  # the report needs only the PNG (section_html)
            hand_over(executor, fig, files, ("svg", "pdf"))
            here = ("png",)
        write_drawn_files(files, draw_figure_files(fig, files, here))
        plt.close(fig)
    return changes


def one_line(changes: Mapping) -> str:
    """The run log's line about the changes: the run compared with, what moved beyond
    its uncertainty, and the kinds of cause."""
    if changes.get("previous_run") is None:
        return "changes since the last run: no earlier finished run to compare with"
    head = f"changes since run {changes['previous_run']}: "
    if not changes.get("comparable"):
        return head + "not comparable (" + "; ".join(changes["not_comparable"]) + ")"
    s = changes.get("summary") or summary(changes)
    found = [f"{kind} ({len(items)})" for kind, items in changes["causes"].items() if items]
    return (head + f"{s['beyond_uncertainty']} of {s['indicators']} indicators beyond their uncertainty; "
            + ("causes: " + ", ".join(found) if found else "no causes"))


# --------------------------------------------------------------------------- words

def _texts(lang: str) -> dict[str, str]:
    """This section's words in ``lang``: the ``changes.*`` entries of the report's
    language module (lcanalysis/report/language/), where every sentence lives."""
    from lcanalysis.report.language import en, sv

    module = {"en": en, "sv": sv}[lang]
    return {k.removeprefix("changes."): v for k, v in module.TEXT.items() if k.startswith("changes.")}


TEXT: dict[str, dict[str, str]] = {lang: _texts(lang) for lang in ("en", "sv")}


def _scale(entry: Mapping) -> str:
    """How an entry's numbers read: ``share`` (a rate, 0-1), ``percent`` and
    ``points`` (already times 100: the findings table's units), or ``number``."""
    if entry.get("proportion"):
        return "share"
    return {"percent": "percent", "percentage_points": "points"}.get(str(entry.get("unit")), "number")


def _number(value: float, scale: str, lang: str) -> str:
    """A value: per cent with one decimal for rates and percentages, points for
    percentage points, else two decimals."""
    from lcanalysis.plots.labels import format_number, format_percent

    if scale == "share":
        return format_percent(value, lang, 1)
    if scale == "percent":
        return format_percent(value / 100, lang, 1)
    if scale == "points":
        return format_number(value, lang, 1) + "\u00a0" + TEXT[lang]["pp"]
    return format_number(value, lang, 2)


def _signed(value: float, scale: str, lang: str, *, sign: bool = True) -> str:
    """A difference: percentage points for rates and percentages, with a + before a
    positive one."""
    from lcanalysis.plots.labels import format_number

    if scale != "number":
        points = value * 100 if scale == "share" else value
        text = format_number(points, lang, 1) + "\u00a0" + TEXT[lang]["pp"]
    else:
        text = format_number(value, lang, 2)
    positive = text[0].isdigit() and any(ch in "123456789" for ch in text.split("\u00a0")[0])
    return ("+" + text) if sign and value > 0 and positive else text


def hidden_text(reason: str, lang: str) -> str:
    """A suppressed value in words, as the charts say it: "dold (för få personer i cellen)"."""
    from lcanalysis.plots.labels import category_label, label

    try:
        why = category_label("suppression_reason", reason, lang)
    except KeyError:
        why = category_label("suppression_reason", "secondary", lang)
    return f"{label('mark.suppressed', lang)} ({why})"


def _shown(entry: Mapping, side: str, lang: str) -> str:
    """A run's value as shown: hidden with its reason, "only in ..." or a dash, or the number."""
    t = TEXT[lang]
    if entry.get(f"{side}_suppressed"):
        return hidden_text(str(entry[f"{side}_suppressed"]), lang)
    if entry.get(side) is None:
        other = "current" if side == "previous" else "previous"
        return t[f"only_{other}"] if entry["status"] == f"only_{other}" else t["na"]
    return _number(entry[side], _scale(entry), lang)  # type: ignore[arg-type]


def _difference(entry: Mapping, lang: str) -> str:
    """The difference with its 95 % interval, or a dash."""
    if entry.get("difference") is None:
        return TEXT[lang]["na"]
    prop = _scale(entry)
    text = _signed(entry["difference"], prop, lang)  # type: ignore[arg-type]
    if entry.get("difference_ci"):
        lo, hi = (_signed(v, prop, lang, sign=False) for v in entry["difference_ci"])  # type: ignore[union-attr]
        text += f" ({lo}; {hi})" if lang == "sv" else f" ({lo} to {hi})"
    return text


def _why(entry: Mapping, lang: str) -> str:
    """"possible causes: data, the cohort terms" (or "no recorded cause")."""
    t = TEXT[lang]
    found = [t[c].lower() if c in t else parameter_text(c.removeprefix("parameters: "), lang)
             for c in entry.get("causes") or []]
    return f"{t['possible_causes']}: {', '.join(found)}" if found else t["no_cause"]


def parameter_text(name: str, lang: str) -> str:
    """A notebook parameter by what it means ("the cohort terms"): ``changes.parameter.<name>``."""
    t = TEXT[lang]
    return t.get(f"parameter.{name}", t["parameter.other"])


def definition_text(file: str, lang: str) -> str:
    """A definition file by what it holds ("the disclosure policies"): ``changes.config.<stem>``."""
    t = TEXT[lang]
    stem = file.rsplit(".", 1)[0]
    return t[f"config.{stem}"] if f"config.{stem}" in t else t["config.other"].format(file=file)


def run_text(run_id: str, lang: str) -> str:
    """A run by when it started ("2026-12-01 12:09 UTC"), from its id (``YYYYMMDDTHHMMSSZ-...``)."""
    found = re.match(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})\d{2}Z", run_id)
    if not found:
        return run_id
    y, m, d, hh, mm = found.groups()
    return TEXT[lang]["run_at"].format(date=f"{y}-{m}-{d}", time=f"{hh}:{mm}")


def _beyond(entry: Mapping, lang: str) -> str:
    value = entry.get("beyond_uncertainty")
    return TEXT[lang]["na"] if value is None else TEXT[lang]["yes" if value else "no"]


def cause_lines(changes: Mapping, lang: str) -> list[tuple[str, str]]:
    """(kind, sentence) for every cause, in words, in the order data, definitions,
    parameters, code: raw files by name within the raw folder, definition files and
    parameters by what they mean, notebooks by their titles, commits counted."""
    t = TEXT[lang]
    found: Mapping[str, Sequence[Mapping]] = changes.get("causes", {})
    lines = []
    groups: dict[tuple[str, str], list[str]] = {}
    for c in found.get("data", []):
        groups.setdefault((c["source"], c["change"]), []).append(c["file"].rsplit("/", 1)[-1])
    for (source, change), files in groups.items():
        shown = ", ".join(files[:3]) + (f" (+{len(files) - 3})" if len(files) > 3 else "")
        lines.append(("data", t["data_line"].format(
            source=t["raw_folder"] if source == RAW_TOP else _source_text(source, lang), files=shown,
            change=t[change])))
    for c in found.get("definitions", []):
        keys = c.get("keys")
        detail = t["n_settings"].format(n=_settings(keys)) if keys else (
            t["keys_unknown"] if c["change"] == "edited" else "")
        lines.append(("definitions", f"{definition_text(c['file'], lang)} {t[c['change']]}"
                      + (f" ({detail})" if detail else "")))
    for c in found.get("parameters", []):
        tasks = c.get("tasks") or []
        if c["parameter"] == "notebooks":
            lines.append(("parameters", t["notebook_added" if c["current"] else "notebook_removed"].format(
                part=part_title(tasks[0], lang))))
            continue
        shown = "; ".join(part_title(task, lang) for task in tasks[:3]) + (
            f" (+{len(tasks) - 3})" if len(tasks) > 3 else "")
        where = f" {t['in_tasks']} {shown}" if tasks else ""
        domain = PARAMETER_DOMAINS.get(c["parameter"])
        lines.append(("parameters", f"{parameter_text(c['parameter'], lang)}: {_value(c['previous'], lang, domain)}"
                                    f" → {_value(c['current'], lang, domain)}{where}"))
    commits = [c for c in found.get("code", []) if "package" not in c]
    if commits:
        unknown = any(c["commit"] == "unknown" for c in commits)
        lines.append(("code", t["commits_unknown"] if unknown else t["commits"].format(n=len(commits))))
    for c in found.get("code", []):
        if "package" in c:
            lines.append(("code", f"{c['package']} {_value(c['previous'], lang)} → {_value(c['current'], lang)}"))
    return lines


def _source_text(source: str, lang: str) -> str:
    from lcanalysis.plots.labels import category_label

    return category_label("source", source, lang)


def _settings(keys: Sequence[str]) -> int:
    """How many settings changed, from a definition's listed keys (the last may be "... N more")."""
    more = re.fullmatch(r"\.\.\. (\d+) more", keys[-1]) if keys else None
    return len(keys) - 1 + int(more.group(1)) if more else len(keys)


PARAMETER_DOMAINS = {"programme_levels": "programme_level", "learning_centre_id": "learning_centre_id",
                     "comparison": "comparison", "report_centres": "learning_centre_id"}
"""Parameters whose values are codes, by the column whose words they take."""


def _value(value: object, lang: str, domain: str | None = None) -> str:
    """A parameter's value for reading: a code in words, a list as its items, nothing as a dash."""
    from lcanalysis.report.reading import category_text

    if value is None:
        return "–"
    if isinstance(value, bool):
        return TEXT[lang]["yes" if value else "no"]
    if isinstance(value, list):
        return ", ".join(_value(v, lang, domain) for v in value) or "–"
    return category_text(domain, str(value), lang) if domain else str(value)


def section_html(run_dir: Path, lang: str) -> str:
    """The report section "Changes since the last run" / "Förändringar sedan förra
    körningen" of a run folder, from its changes.json and revision chart (empty when
    the run has no changes.json), in words: the headline indicators that moved beyond
    their uncertainty, the causes, a table of every indicator that moved beyond its
    uncertainty (and of the headline indicators hidden or missing in a run) and a
    sentence counting the others (changes.json and ``lcanalysis compare`` list them
    all), then the revision history chart."""
    path = run_dir / CHANGES_FILE
    if not path.is_file():
        return ""
    changes = json.loads(path.read_text(encoding="utf-8"))
    t = TEXT[lang]
    esc = html.escape
    out = [f'<section class="report-section" id="changes"><h2>{esc(t["title"])}</h2>']
    if changes.get("previous_run") is None:
        out.append(f"<p>{esc(t['first'])}</p>")
    else:
        out.append(f"<p>{esc(t['compared'].format(current=run_text(changes['current_run'], lang), previous=run_text(changes['previous_run'], lang)))}"  # noqa: E501
                   "</p>")
    if changes.get("previous_run") is not None and not changes.get("comparable"):
        out.append(f'<p class="notice">{esc(t["not_comparable"])}</p><ul>'
                   + "".join(f"<li>{esc(t['not_comparable.' + kind])}</li>"
                             for kind in changes.get("not_comparable_kinds", [])) + "</ul>")
    entries: list[Mapping] = changes.get("indicators", [])
    if changes.get("comparable"):
        moved = [e for e in entries if e["headline"] and e["beyond_uncertainty"]]
        out.append(f"<h3>{esc(t['moved'])}</h3>")
        if moved:
            out.append("<ul>" + "".join(
                f"<li><strong>{esc(_label(e, lang))}</strong>: {esc(_shown(e, 'previous', lang))} → "
                f"{esc(_shown(e, 'current', lang))}, {esc(_difference(e, lang))}; {esc(_why(e, lang))}</li>"
                for e in moved) + "</ul>")
        else:
            out.append(f"<p>{esc(t['moved_none'])}</p>")
    if changes.get("previous_run") is not None:
        out.append(f"<h3>{esc(t['why'])}</h3>")
        lines = cause_lines(changes, lang)
        if lines:
            out.append("<ul>" + "".join(f"<li><strong>{esc(t[kind])}</strong>: {esc(text)}</li>"
                                        for kind, text in lines) + "</ul>")
        else:
            out.append(f"<p>{esc(t['no_causes'])}</p>")
    if entries:
        beyond = [e for e in entries if e["beyond_uncertainty"] or e["headline"] and e["status"] in (
            "suppressed", "only_previous", "only_current")]
        out.append(f"<h3>{esc(t['all_table'])}</h3><p>{esc(counts_sentence(changes, lang))} {esc(t['method'])}</p>")
        if beyond:
            head = "".join(f'<th scope="col">{esc(t[c])}</th>' for c in ("indicator", "previous", "current",
                                                                        "difference"))
            body = "".join(
                f"<tr><th scope=\"row\">{esc(_label(e, lang))}</th>"
                f"<td>{esc(_shown(e, 'previous', lang))}</td><td>{esc(_shown(e, 'current', lang))}</td>"
                f"<td>{esc(_difference(e, lang))}</td></tr>"
                for e in beyond)
            out.append(f'<table class="lc-table changes" lang="{lang}"><thead><tr>{head}</tr></thead>'
                       f"<tbody>{body}</tbody></table>")
    chart = run_dir / CHART_FOLDER / f"{CHART_NAME}.png"
    if chart.is_file():
        data = base64.b64encode(chart.read_bytes()).decode("ascii")
        out.append(f"<h3>{esc(t['history'])}</h3>"
                   f'<img alt="{esc(t["chart_title"])}" style="max-width:100%;height:auto" '
                   f'src="data:image/png;base64,{data}">')
    out.append("</section>")
    return "\n".join(out)


def counts_sentence(changes: Mapping, lang: str) -> str:
    """What the section's table leaves out, counted: "Av 280 indikatorer förändrades 4
    mer än osäkerheten (i tabellen); 270 andra förändrades inom sin osäkerhet, ..."."""
    t = TEXT[lang]
    s = changes.get("summary") or summary(changes)
    parts = [t["count_within"].format(n=s["within_uncertainty"])] if s["within_uncertainty"] else []
    if s["suppressed"]:
        parts.append(t["count_suppressed"].format(n=s["suppressed"]))
    if s["only_previous"] + s["only_current"]:
        parts.append(t["count_only"].format(n=s["only_previous"] + s["only_current"]))
    rest = s["indicators"] - s["beyond_uncertainty"] - sum(
        (s["within_uncertainty"], s["suppressed"], s["only_previous"], s["only_current"]))
    if rest:
        parts.append(t["count_unjudged"].format(n=rest))
    if not parts:
        return t["counts_all"].format(indicators=s["indicators"], beyond=s["beyond_uncertainty"])
    return t["counts"].format(indicators=s["indicators"], beyond=s["beyond_uncertainty"], others="; ".join(parts))


def terminal_text(changes: Mapping, lang: str = "en") -> str:
    """What ``lcanalysis compare`` prints: the same content as :func:`section_html`."""
    t = TEXT[lang]
    lines = [t["title"], "=" * len(t["title"])]
    if changes.get("previous_run") is None:
        lines.append(t["first"])
        return "\n".join(lines)
    lines.append(t["compared"].format(current=run_text(changes["current_run"], lang),
                                      previous=run_text(changes["previous_run"], lang)))
    if not changes.get("comparable"):
        lines.append(t["not_comparable"])
        lines += [f"  - {r}" for r in changes["not_comparable"]]
    entries: list[Mapping] = changes.get("indicators", [])
    if changes.get("comparable"):
        lines += ["", t["moved"] + ":"]
        moved = [e for e in entries if e["headline"] and e["beyond_uncertainty"]]
        lines += [f"  - {_label(e, lang)}: {_shown(e, 'previous', lang)} → {_shown(e, 'current', lang)}, "
                  f"{_difference(e, lang)}; {_why(e, lang)}" for e in moved] or [f"  {t['moved_none']}"]
        others = sum(1 for e in entries if not e["headline"] and e["beyond_uncertainty"])
        if others:
            lines.append("  " + t["moved_other"].format(n=others))
    lines += ["", t["why"] + ":"]
    lines += [f"  - {t[kind]}: {text}" for kind, text in cause_lines(changes, lang)] or [f"  {t['no_causes']}"]
    if entries:
        lines += ["", t["every_indicator"] + ": " + counts_sentence(changes, lang)]
        listed = _listed(entries)
        rows = [(_label(e, lang), _shown(e, "previous", lang), _shown(e, "current", lang),
                 _difference(e, lang), _beyond(e, lang)) for e in listed]
        header = (t["indicator"], t["previous"], t["current"], t["difference"], t["beyond"])
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
        for r in [header, *rows]:
            lines.append("  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
        if len(listed) < len(entries):
            lines.append("  " + t["same"].format(n=len(entries) - len(listed)))
    return "\n".join(lines)
