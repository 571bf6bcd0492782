"""What every notebook does around its analysis: check parameters, open the data,
protect and publish tables, save figures.

A notebook's first code cell after the tagged ``parameters`` cell is::

    nb = start("01_widening_participation", data_dir=data_dir, lang=lang, ...)

:func:`start` validates every parameter at once (one message listing all problems),
loads the processed tables (:class:`lcanalysis.dataset.Dataset`), applies the house
style and says when the data are synthetic. Tables reach the notebook's output only
through :meth:`NotebookRun.table`, which applies the disclosure policy first, so an
executed notebook never shows a small cell or a row of person-level data; figures go
through :meth:`NotebookRun.figure` to figures/<notebook>/ with the run's metadata.
:meth:`NotebookRun.finish` exports the tables (CSV + XLSX, audited).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lcanalysis import paths
from lcanalysis.dataset import Dataset
from lcanalysis.errors import LcanalysisError
from lcanalysis.pipeline.config import CHOICES


class ParameterError(LcanalysisError):
    """Notebook parameters that cannot be used; lists every problem at once."""


def _resolve(path: str | Path) -> Path:
    path = Path(path)
    return path if path.is_absolute() else paths.project_root() / path


@dataclass
class NotebookRun:
    """One execution of one notebook: its parameters, data and outputs.

    Attributes
    ----------
    name:
        The notebook's name (figures go to figures/<name>/).
    lang:
        ``"sv"`` or ``"en"``: every label, number format and note.
    policy:
        The disclosure policy (:mod:`lcanalysis.disclosure`) applied to every table.
    data:
        The processed tables.
    synthetic:
        True for the demo world: every figure and table says "synthetic data".
    """

    name: str
    lang: str
    policy: object
    data: Dataset
    figures_dir: Path
    tables_dir: Path | None
    run_id: str
    region_scale: str = "municipality"
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def synthetic(self) -> bool:
        return self.data.synthetic

    def protect(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The frame after primary disclosure control under the run's policy.

        Rate frames and count tables (a ``numerator``, ``count`` or ``n`` column) are
        suppressed and rounded by :func:`lcanalysis.disclosure.apply_policy`, which
        keeps earlier suppression; frames of model estimates (no counts) pass as
        they are.
        """
        from lcanalysis import disclosure

        if not {"numerator", "count", "n"} & set(frame.columns):
            return frame
        return disclosure.apply_policy(frame, self.policy)

    def table(self, name: str, frame: pl.DataFrame, *, note: str, caption: str | None = None,
              statistics: bool = True):
        """Publish a table: disclosure control, keep it for export, show it as HTML.

        ``note`` states what the numbers mean (definition and source); it goes to the
        notes sheet of the exported workbook. ``statistics=False`` is for tables about
        the processing rather than about people (row accounting of the cleaning):
        shown as they are and not exported.
        """
        from IPython.display import HTML

        from lcanalysis.report.tables import render_html_table

        shown = frame
        if statistics:
            shown = self.protect(frame)
            self.tables[name] = shown
            self.notes[name] = note
        return HTML(render_html_table(shown, lang=self.lang, caption=caption or note))

    def figure(self, fig, name: str, *, size: str = "report_column") -> None:
        """Save ``fig`` (PNG, SVG, PDF) under figures/<notebook>/.

        Returns nothing: the notebook's inline backend shows the figure once at the end
        of the cell, however many sizes of it were saved.
        """
        from lcanalysis.plots.style import save_figure

        save_figure(
            fig, name, notebook=self.name, size=size, figures_dir=self.figures_dir,
            metadata={"source": "lcanalysis processed tables" + (" (synthetic data)" if self.synthetic else ""),
                      "run_id": self.run_id},
        )

    def finish(self) -> None:
        """Export every published table (CSV and one workbook), after the disclosure
        audit, and say where; interactively (no ``tables_dir``) say that nothing was
        exported."""
        if not self.tables:
            print("No tables to export.")
            return
        if self.tables_dir is None:
            print(f"{len(self.tables)} table(s) shown; set tables_dir to export them.")
            return
        from lcanalysis.report.tables import export_tables

        written = export_tables(
            self.tables, self.tables_dir, policy=self.policy, lang=self.lang,
            notes=self.notes, synthetic=self.synthetic,
        )
        print(f"{len(self.tables)} table(s) exported to {self.tables_dir} ({len(written)} files).")


def start(
    name: str,
    *,
    data_dir: str = "data/processed",
    lang: str = "sv",
    disclosure_policy: str = "default",
    region_scale: str = "municipality",
    comparison: str = "all",
    figures_dir: str = "figures",
    tables_dir: str = "",
    run_id: str = "interactive",
) -> NotebookRun:
    """Check the parameters, open the data and apply the house style.

    Every problem with the parameters is reported in one :class:`ParameterError`.
    ``tables_dir`` empty means tables are shown but not exported (interactive use).
    """
    from lcanalysis import disclosure

    given = {"lang": lang, "disclosure_policy": disclosure_policy, "region_scale": region_scale,
             "comparison": comparison}
    problems = [
        f"{key} must be one of {', '.join(CHOICES[key])}, not {value!r}"
        for key, value in given.items()
        if value not in CHOICES[key]
    ]
    data_path = _resolve(data_dir)
    if not (data_path / "cleaning_report.json").is_file():
        problems.append(f"data_dir {data_path} holds no cleaned data: run `lcanalysis clean` first")
    if problems:
        raise ParameterError(f"notebook {name}: " + "; ".join(problems))

    from lcanalysis.plots.style import use_house_style

    use_house_style()
    run = NotebookRun(
        name=name,
        lang=lang,
        policy=disclosure.get_policy(disclosure_policy),
        data=Dataset.load(data_path),
        figures_dir=_resolve(figures_dir),
        tables_dir=_resolve(tables_dir) if tables_dir else None,
        run_id=run_id,
        region_scale=region_scale,
    )
    return run
