"""What every notebook does around its analysis: check parameters, open the data,
protect and publish tables, save figures.

A notebook's first code cell after the tagged ``parameters`` cell is::

    nb = start("01_widening_participation", data_dir=data_dir, lang=lang, ...)

:func:`start` validates every parameter at once (one message listing all problems),
loads the processed tables (:class:`lcanalysis.dataset.Dataset`), applies the house
style and says when the data are synthetic. Tables reach the notebook's output only
through :meth:`NotebookRun.table`, and figures' data only through
:meth:`NotebookRun.protect` (charts refuse anything else), so an executed notebook
never shows a small cell or a row of person-level data.

Every table declares its keys and how it links to the others
(:class:`lcanalysis.disclosure.Layout`: margins, population, indicator). The tables
and figure data of one notebook are protected as one linked set, in the order they
are published: each gets the primary suppression of the policy, then the secondary
suppression that keeps every hidden value of it and of the earlier ones out of the
intruder's reach (:func:`lcanalysis.disclosure.protect`). Figures go through
:meth:`NotebookRun.figure` to figures/<notebook>/ with the run's metadata;
:meth:`NotebookRun.finish` exports the tables and figure data (CSV + XLSX, layouts,
disclosure log; audited and attacked once more).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
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
    figure_exports: list = field(default_factory=list)
    """Figures handed to the background writer and not yet waited for (:meth:`finish`)."""
    publication: object = None
    """The notebook's linked set of published tables and figure data
    (:class:`lcanalysis.disclosure.publication.Publication`), in publishing order."""

    def __post_init__(self) -> None:
        from lcanalysis.disclosure.publication import Publication

        if self.publication is None:
            self.publication = Publication(self.name, self.policy)

    @property
    def published(self) -> dict[str, object]:
        """Name -> :class:`lcanalysis.disclosure.Published` (protected), tables and figure
        data, in the order they were published."""
        return self.publication.published

    @property
    def synthetic(self) -> bool:
        return self.data.synthetic

    def protect(
        self,
        frame: pl.DataFrame,
        *,
        name: str | None = None,
        keys: Sequence[str] | None = None,
        total: str | None = None,
        population: str | None = None,
        measure_key: str | None = None,
        measure: str | None = None,
        share_of: str | None = None,
        domains: Mapping[str, Sequence[str]] | None = None,
    ) -> pl.DataFrame:
        """The frame after disclosure control under the run's policy, linked to
        everything this notebook published before; what charts may draw.

        ``name`` names the table (or the figure's data: exported under that name);
        ``keys`` are its key columns and the other arguments its
        :class:`lcanalysis.disclosure.Layout`. Without ``keys`` the layout declared
        for ``name`` in config/table_layouts.yaml is used; without ``name`` either,
        the first entry of this notebook there, not yet published, whose keys are
        columns of the frame and include all its text columns (an entry named by a
        pattern, ``profile_*``, is named by the table of a matching name and the same
        frame published next). Rate frames and count
        tables get primary suppression (:func:`lcanalysis.disclosure.apply_policy`),
        then the secondary suppression against every table of the notebook
        (:func:`lcanalysis.disclosure.protect`); survival frames are cut where too
        few are at risk or a step has too few events; frames of model estimates
        pass as they are. Publishing the same name again with the same frame gives
        the same protected frame (a figure and its table); with other numbers it
        is an error.
        """
        from lcanalysis import disclosure

        publication = self.publication
        if name is not None and name in publication.unprotected:
            return publication.publish(name, frame)
        if name is not None and keys is None:
            # A figure drawn first under its declared pattern (profile_*) takes its name now.
            for pattern, earlier in list(publication.unprotected.items()):
                if "*" in pattern and fnmatch.fnmatchcase(name, pattern) and earlier.equals(frame):
                    publication.rename(pattern, name)
                    return publication.published[name].frame
        if keys is None:
            name, layout = self._declared_layout(name, frame)
        else:
            if name is None:
                raise ParameterError(f"{self.name}: protect(keys=...) needs name= too")
            layout = disclosure.Layout(
                keys=tuple(keys), total=total, population=population, measure_key=measure_key,
                measure=measure, share_of=share_of, domains=domains or {})
        return publication.publish(name, frame, layout)

    def _declared_layout(self, name: str | None, frame: pl.DataFrame):
        from lcanalysis.disclosure import publication

        if name is not None:
            try:
                return name, publication.declared_layout(self.name, name)
            except publication.LayoutError as error:
                raise ParameterError(str(error)) from None
        entries = publication.declared_layouts().get(self.name, {})
        text = {c for c, t in frame.schema.items()
                if c != "suppression_reason" and (t == pl.Utf8 or t == pl.Categorical)}
        for entry_name, entry in entries.items():
            keys = set(entry["keys"])
            if (entry_name not in self.published and keys <= set(frame.columns) and text <= keys
                    and not any(fnmatch.fnmatchcase(n, entry_name) for n in self.published)):
                # a pattern (profile_*) stands until the table of that name comes
                return entry_name, publication.Layout.from_json(entry)
        raise ParameterError(
            f"{self.name}: no layout in {publication.LAYOUTS_FILE} fits a frame with columns "
            f"{frame.columns}; pass name= and keys=[...]")

    def table(self, name: str, frame: pl.DataFrame, *, note: str, keys: Sequence[str] | None = None,
              caption: str | None = None, statistics: bool = True, **layout):
        """Publish a table: disclosure control (:meth:`protect`, with ``keys`` and
        the ``layout`` arguments), keep it for export, show it as HTML.

        ``note`` states what the numbers mean (definition and source); it goes to the
        notes sheet of the exported workbook. Without ``keys`` the layout declared
        for ``name`` in config/table_layouts.yaml is used. ``statistics=False`` is for
        tables about the processing rather than about people (row accounting of the
        cleaning): shown as they are, not exported, and no layout needed.
        """
        from IPython.display import HTML

        from lcanalysis.report.tables import render_html_table

        shown = frame
        if statistics:
            shown = self.protect(frame, name=name, keys=keys, **layout)
            self.tables[name] = shown
            self.notes[name] = note
        return HTML(render_html_table(shown, lang=self.lang, caption=caption or note))

    def figure(self, fig, name: str, *, size: str = "report_column") -> None:
        """Save ``fig`` (PNG, SVG, PDF) under figures/<notebook>/, in the background.

        The kernel's figure writer (:class:`lcanalysis.plots.writer.FigureWriter`) draws
        a copy of the figure in its own process while the notebook goes on;
        :meth:`finish` waits for the files. A bad name or size, or synthetic data
        without the mark, is an error here and now. Returns nothing: the notebook's
        inline backend shows the figure once at the end of the cell, however many
        sizes of it were saved. A figure drawn before exactly as now (the same data,
        texts, size and code; :mod:`lcanalysis.plots.drawn`) is not drawn again: the
        files drawn then are written with this run's id.
        """
        from lcanalysis.derived import derived_dir
        from lcanalysis.plots.writer import figure_writer

        self.figure_exports.append(figure_writer().submit(
            fig, name, notebook=self.name, size=size, figures_dir=self.figures_dir,
            drawn_dir=derived_dir(self.data) / "figures",
            metadata={"source": "lcanalysis processed tables" + (" (synthetic data)" if self.synthetic else ""),
                      "run_id": self.run_id},
        ))

    def finish(self) -> None:
        """Export every published table and figure's data (CSV, one workbook, the
        layouts and the disclosure log) after the disclosure checks, and say where;
        interactively (no ``tables_dir``) say that nothing was exported.

        First waits for the figures handed to the background writer (:meth:`figure`);
        one that could not be written fails the notebook here, naming it
        (:class:`lcanalysis.plots.writer.FigureExportError`)."""
        if self.figure_exports:
            from lcanalysis.plots.writer import figure_writer

            exports, self.figure_exports = self.figure_exports, []
            figure_writer().wait(exports)
        if not self.published:
            print("No tables to export.")
            return
        if self.tables_dir is None:
            print(f"{len(self.published)} table(s) shown; set tables_dir to export them.")
            return
        from lcanalysis.report.tables import export_tables

        figure_note = (f"Data of a figure of {self.name}, protected with its tables "
                       "(the figure's caption says what it shows).")
        written = export_tables(
            {n: p.frame for n, p in self.published.items()}, self.tables_dir,
            policy=self.policy, lang=self.lang,
            notes={n: self.notes.get(n, figure_note) for n in self.published},
            synthetic=self.synthetic, layouts={n: p.layout for n, p in self.published.items()},
        )
        print(f"{len(self.published)} table(s) exported to {self.tables_dir} "
              f"({len(written)} files).")


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
    """Check the parameters, open the data and apply the house style; in a Jupyter
    kernel, a figure shown before exactly as now is shown from what was kept, not drawn
    again (:func:`lcanalysis.plots.drawn.remember_inline_figures`).

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

    from lcanalysis.derived import derived_dir
    from lcanalysis.plots.drawn import remember_inline_figures
    from lcanalysis.plots.style import use_house_style

    use_house_style()
    data = Dataset.load(data_path)
    remember_inline_figures(derived_dir(data) / "figures")
    run = NotebookRun(
        name=name,
        lang=lang,
        policy=disclosure.get_policy(disclosure_policy),
        data=data,
        figures_dir=_resolve(figures_dir),
        tables_dir=_resolve(tables_dir) if tables_dir else None,
        run_id=run_id,
        region_scale=region_scale,
    )
    return run
