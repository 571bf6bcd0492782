"""The ``lcanalysis`` command: one front door for evaluators and scheduled runs.

Heavy libraries (polars, pandas, statsmodels, papermill) are imported inside the
commands, so ``lcanalysis --help`` answers in well under a second. Errors a user can
cause are printed as one line (file, row, column, what to do), never a traceback;
the exit code is 2 for such errors.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from lcanalysis.sources import SOURCES

app = typer.Typer(
    help="Evaluation toolkit for KTH's learning-centre pilot: clean raw exports, "
    "run the notebooks, build the report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fail(message: str, code: int = 2) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _user_errors(func):
    """Turn the errors a user can cause into one red line and exit code 2."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from lcanalysis.errors import LcanalysisError

        try:
            return func(*args, **kwargs)
        except LcanalysisError as err:
            _fail(str(err))
        except OSError as err:
            _fail(f"{err.filename or ''}: {err.strerror or err}")

    return wrapper


@app.command()
@_user_errors
def clean(
    raw: Annotated[Path | None, typer.Option(help="Raw folder (default: data/raw, or data/raw/demo when it has no real data).")] = None,
    out: Annotated[Path | None, typer.Option(help="Output folder (default: data/processed).")] = None,
    key_file: Annotated[Path | None, typer.Option(help="Key file (default: $LCANALYSIS_KEY or ~/.config/lcanalysis/key).")] = None,
    today: Annotated[str | None, typer.Option(help="Reference date for future-date checks, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Clean raw exports into typed, pseudonymised tables (data/processed)."""
    from lcanalysis import identity, paths
    from lcanalysis.clean import clean as run_clean
    from lcanalysis.clean import is_synthetic

    raw_dir = paths.resolve_raw_dir(raw)
    if not raw_dir.is_dir():
        _fail(f"{raw_dir}: no raw data here; put exports in data/raw/<source>/ or run `lcanalysis demo-data`")
    key = identity.key_for(key_file, synthetic=is_synthetic(raw_dir))
    out_dir = out or paths.processed_dir()
    reference = date.fromisoformat(today) if today else None
    report = run_clean(raw_dir, out_dir, key=key, today=reference)
    _print_summary(report, out_dir)


def _print_summary(report, out_dir: Path) -> None:
    """One line per source: files, rows in/out, duplicates, quarantined by reason."""
    from rich.console import Console
    from rich.table import Table

    per_source: dict[str, list] = {}
    for f in report.files:
        acc = per_source.setdefault(f.source, [0, 0, 0, 0, {}])
        acc[0] += 1
        acc[1] += f.rows_in
        acc[2] += f.rows_out
        acc[3] += f.duplicates
        for reason, n in f.quarantined.items():
            acc[4][reason] = acc[4].get(reason, 0) + n
    title = "Cleaning" + (" (synthetic data)" if report.synthetic else "")
    table = Table(title=title, title_justify="left")
    table.add_column("source")
    for col in ("files", "in", "out", "dup."):
        table.add_column(col, justify="right")
    table.add_column("quarantined")
    for source, (files, rows_in, rows_out, dups, reasons) in per_source.items():
        detail = ", ".join(f"{n} {r}" for r, n in sorted(reasons.items())) or "0"
        table.add_row(source, str(files), str(rows_in), str(rows_out), str(dups), detail)
    console = Console()
    console.print(table)
    console.print("Tables: " + ", ".join(f"{name} {n}" for name, n in report.tables.items()))
    console.print(f"Written to {out_dir}; per-file accounting in cleaning_report.md there.")


@app.command()
@_user_errors
def inspect(
    path: Annotated[Path, typer.Argument(help="A raw file, in data/raw/<source>/ (the folder names its source).")],
    source: Annotated[str | None, typer.Option(
        help=f"The source, when the folder does not say it: one of {', '.join(SOURCES)}.",
    )] = None,
) -> None:
    """Show how a raw file would be read, writing nothing: headers -> columns, values that parse.

    Exit code 2 when the file would be refused (the reason is printed).
    """
    from lcanalysis.inspect import inspect_file

    if not path.is_file():
        _fail(f"{path}: no such file")
    found = inspect_file(path, source=source)
    for line in found.lines:
        typer.echo(line)
    if not found.readable:
        raise typer.Exit(2)


@app.command("demo-data")
@_user_errors
def demo_data(
    out: Annotated[Path | None, typer.Option(help="Output folder (default: data/raw/demo).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives byte-identical files.")] = 20241,
    scale: Annotated[float, typer.Option(help="Multiplies the population of the world.")] = 1.0,
    registrations: Annotated[int | None, typer.Option(help="Instead of a world, write one registrations export with exactly N rows (benchmarks).")] = None,
) -> None:
    """Write the synthetic demo world (raw exports with a known truth)."""
    from lcanalysis import paths

    if registrations is not None:
        from lcanalysis.synth import write_registrations_export

        target = out or paths.raw_dir() / "benchmark" / "registrations" / "registrations.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        write_registrations_export(target, registrations, seed=seed)
        typer.echo(f"Wrote {registrations} registrations to {target}")
        return
    from lcanalysis.synth import generate_demo_world

    target = out or paths.demo_raw_dir()
    world = generate_demo_world(target, seed=seed, scale=scale)
    typer.echo(f"Wrote the synthetic demo world to {target} (truth in {world.truth_path.name})")


@app.command()
@_user_errors
def keygen(
    path: Annotated[Path | None, typer.Argument(help="Where to write the key (default: ~/.config/lcanalysis/key).")] = None,
) -> None:
    """Create a pseudonymisation key file outside the project (mode 0600)."""
    from lcanalysis import identity

    written = identity.write_key(path or identity.default_key_file())
    typer.echo(f"Wrote a new key to {written}. Keep it safe: the same key gives the same pseudonyms.")


@app.command()
@_user_errors
def check(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to scan (default: data/processed, reports, figures).")] = None,
    raw: Annotated[Path | None, typer.Option(help="Raw folder whose participant names are searched for (default: as for clean).")] = None,
    policy: Annotated[str, typer.Option(help="Disclosure policy exported tables must pass: default, ofs or hesa.")] = "default",
    seconds_per_file: Annotated[float | None, typer.Option(min=0, help="Time budget of a file: these seconds plus --seconds-per-mb for each MB (default: 30); a file not scanned within it is a finding.")] = None,
    seconds_per_mb: Annotated[float | None, typer.Option(min=0, help="Seconds added to a file's time budget per MB of it (default: 15).")] = None,
) -> None:
    """Privacy gate: find identity numbers, names, e-mail and IP addresses and unsafe table cells in outputs.

    Prints one finding per line (values redacted) and exits 1 when anything is found.
    """
    from lcanalysis import disclosure, privacy
    from lcanalysis import paths as project_paths

    if policy not in disclosure.POLICIES:
        _fail(f"unknown disclosure policy {policy!r}; known: {', '.join(disclosure.POLICIES)}")
    targets = paths or [project_paths.project_root() / p for p in privacy.DEFAULT_LOCATIONS]
    missing = [str(p) for p in targets if not p.exists()]
    if paths and missing:
        _fail(f"{', '.join(missing)}: no such file or folder")
    raw_dir = project_paths.resolve_raw_dir(raw)
    names = privacy.names_from_raw(raw_dir) if raw_dir.is_dir() else set()
    default = privacy.DEFAULT_BUDGET
    budget = privacy.TimeBudget(
        default.seconds if seconds_per_file is None else seconds_per_file,
        default.seconds_per_mb if seconds_per_mb is None else seconds_per_mb,
    )
    findings = privacy.scan(targets, names=names, policy=policy, budget=budget)
    for finding in findings:
        typer.echo(str(finding))
    scanned = ", ".join(str(p) for p in targets)
    if findings:
        typer.secho(f"{len(findings)} finding(s) in {scanned}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    typer.echo(f"No findings in {scanned} ({len(names)} names from {raw_dir} searched).")


# --------------------------------------------------------------------------- run
# The pipeline (lcanalysis.pipeline): data, notebooks, report, privacy gate.


@app.command("run")
@_user_errors
def run(
    config: Annotated[Path | None, typer.Option(help="Pipeline configuration (default: config/pipeline.yaml).")] = None,
    jobs: Annotated[int, typer.Option(help="Notebooks executed at the same time, each in its own process.")] = 2,
    only: Annotated[list[str] | None, typer.Option(help="Run only this notebook (repeat, or separate names by commas); the others are copied from reports/latest.")] = None,
    lang: Annotated[str | None, typer.Option(help="Report language, sv or en (default: from the configuration).")] = None,
    force: Annotated[bool, typer.Option(help="Execute notebooks even when nothing they depend on changed.")] = False,
    key_file: Annotated[Path | None, typer.Option(help="Key file for real data (default: $LCANALYSIS_KEY or ~/.config/lcanalysis/key).")] = None,
    compare_with: Annotated[str | None, typer.Option(help="Run id (or folder) that changes.json compares this run with (default: the previous finished run).")] = None,
) -> None:
    """Run the pipeline: demo world if needed, clean, notebooks, report (reports/<run-id>/).

    Exit code 1 when a notebook failed or the privacy gate found something in the
    outputs, 2 for a problem with the configuration, the key or the lock.
    """
    from lcanalysis.pipeline.run import run_pipeline

    result = run_pipeline(config, jobs=jobs, only=only or (), lang=lang, force=force, key_file=key_file,
                          compare_with=compare_with)
    if result.failed or result.privacy_findings:
        raise typer.Exit(1)


# --------------------------------------------------------------------------- compare
# Run-to-run changes (lcanalysis.pipeline.changes).


@app.command()
@_user_errors
def compare(
    run_a: Annotated[str, typer.Argument(help="The earlier run: its id, `latest`, or its folder.")],
    run_b: Annotated[str, typer.Argument(help="The later run: its id, `latest` (default), or its folder.")] = "latest",
    lang: Annotated[str | None, typer.Option(help="sv or en (default: the later run's language).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON, as in changes.json.")] = False,
) -> None:
    """What changed between two runs, and why: data, definitions, parameters and code,
    then every exported indicator with its difference and whether it is beyond its uncertainty."""
    import json

    from lcanalysis import paths
    from lcanalysis.pipeline import changes

    if lang is not None and lang not in ("sv", "en"):
        _fail(f"--lang must be sv or en, not {lang!r}")
    reports = paths.reports_dir()
    earlier, later = changes.resolve_run(reports, run_a), changes.resolve_run(reports, run_b)
    result = changes.compare_runs(earlier, later, repo=paths.project_root(), lang=lang)
    if as_json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False, default=str))
        return
    shown = lang or str(json.loads((later / "manifest.json").read_text(encoding="utf-8")).get("lang") or "en")
    typer.echo(changes.terminal_text(result, shown))
