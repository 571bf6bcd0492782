"""The run's deliverables: report.html, report.pdf, report.docx, poster.pdf, and the poster pack.

:func:`build_report` reads the run into one :class:`~lcanalysis.report.document.Document`
and writes it three ways, so the three files say the same thing:

- ``report.html``: self-contained (styles and figures inside, SVG figures), to mail;
- ``report.pdf``: the same HTML printed by headless Chromium (:mod:`lcanalysis.report.pdf`):
  A4, page numbers, a table of contents with page numbers, vector figures, fonts embedded;
- ``report.docx``: Word styles Heading 1-3, Word tables, figures with captions
  (:mod:`lcanalysis.report.docx`), for the report's authors to edit;

and :mod:`lcanalysis.report.poster` lays out ``poster.pdf`` (A0) from the same findings.

The report's order: title (and the synthetic-data banner), contents, the findings
(generated sentences, :mod:`lcanalysis.report.findings`), the results of notebooks
01-07 (the per-centre profiles as one part), then the appendices: methods (the
run's language, :mod:`lcanalysis.report.language`), data quality (notebook 00) and
the run. Every word comes from the run's language.

:func:`poster_pack` copies every figure whose path under figures/ contains "poster"
(``save_figure(..., size="poster_panel" | "poster_wide")`` callers name them so).
"""

from __future__ import annotations

import base64
import contextlib
import html
import mimetypes
import re
import shutil
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from lcanalysis import paths
from lcanalysis.report.document import (
    Document,
    Figure,
    Heading,
    Notice,
    Prose,
    TableBlock,
    markdown_html,
    notebook_blocks,
    run_policy,
    section_blocks,
    split_markdown,
)
from lcanalysis.report.narrative import disclosure_rules, text

SUMMARY_NOTEBOOK = "10_lessons_learnt"
"""The notebook whose tables hold the headline evidence (shown as the findings, not as a section)."""
QUALITY_NOTEBOOK = "00_data_quality"
"""The notebook shown as the data-quality appendix."""

POSTER_SUFFIXES = (".png", ".pdf", ".svg")
NOTEBOOK_OPEN = '<main class="notebook">'
NOTEBOOK_CLOSE = "</main>"

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 174mm; margin: 0 auto;
       padding: 1rem 0 3rem; color: #1a1a1a; line-height: 1.45; font-size: 10.5pt; }
h1, h2, h3 { line-height: 1.2; break-after: avoid; }
h1 { font-size: 17pt; margin-top: 1.6em; border-top: 2px solid #ccc; padding-top: .4em; }
h1.title { font-size: 22pt; border: none; margin-top: 0; }
p.subtitle { font-size: 12pt; color: #444; margin-top: -.4em; }
h2 { font-size: 13pt; margin-top: 1.3em; }
h3 { font-size: 11pt; }
.part-break { break-before: page; }
.banner { background: #b3261e; color: #fff; font-weight: bold; padding: .5rem .8rem;
          border-radius: 4px; font-size: 11pt; }
.notice { background: #fff4e5; border-left: 4px solid #e08a00; padding: .4rem .8rem; }
.notice.failed { background: #fdecea; border-color: #b3261e; }
nav.toc ol { list-style: none; padding-left: 0; }
nav.toc li { display: flex; gap: .4em; margin: .15em 0; }
nav.toc li.l2 { padding-left: 1.4em; font-size: 9.5pt; }
nav.toc li a { color: #1a1a1a; text-decoration: none; }
nav.toc li .dots { flex: 1; border-bottom: 1px dotted #999; margin-bottom: .3em; }
nav.toc:not(.paged) li .dots { visibility: hidden; }
nav.toc li .pg { min-width: 1.6em; text-align: right; }
.finding { margin: .6em 0 .9em; break-inside: avoid; }
.finding h2 { margin-bottom: .2em; }
figure { margin: 1em 0; break-inside: avoid; }
figure img { max-width: 100%; height: auto; display: block; margin: 0 auto; }
figcaption, caption { font-size: 9.5pt; color: #333; text-align: left; padding: .2em 0; }
caption { caption-side: top; font-weight: bold; }
table.lc-table { border-collapse: collapse; margin: .6em 0 .2em; font-size: 8.5pt; width: 100%;
                 table-layout: auto; break-inside: auto; }
table.lc-table th, table.lc-table td { border-bottom: 1px solid #ccc; padding: .15rem .35rem;
                                       text-align: left; vertical-align: top; hyphens: auto; }
table.lc-table thead th { border-bottom: 1.5px solid #333; vertical-align: bottom; }
table.lc-table th.num { text-align: right; }
table.lc-table tbody th { overflow-wrap: anywhere; }
table.lc-table td.num { text-align: right; white-space: nowrap; }
table.lc-table tr { break-inside: avoid; }
p.table-note { font-size: 8.5pt; color: #444; margin: .1em 0 1em; }
"""


def _esc(value: object) -> str:
    return html.escape(str(value))


def page(title: str, body: str, *, lang: str, synthetic: bool) -> str:
    """A complete HTML page around ``body`` with the report's stylesheet (and banner)."""
    banner = f'<p class="banner">{_esc(text("report.banner", lang))}</p>\n' if synthetic else ""
    page_word = text("report.page", lang).replace('"', "")
    page_rule = ("@page { size: A4; margin: 18mm 18mm 20mm 18mm; @bottom-center { content: "
                 f'"{page_word} " counter(page) " / " counter(pages); '
                 'font: 9pt "DejaVu Sans", Arial, sans-serif; color: #555; } }')
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_esc(title)}</title>\n<style>{page_rule}{STYLE}</style>\n"
        f"</head>\n<body>\n{banner}{body}\n</body>\n</html>\n"
    )


def notebook_body(notebook: Path, *, base_dir: Path) -> str:
    """The HTML body of an executed notebook without code, prompts or printed lines.

    Images in outputs stay embedded; local images in markdown cells are read from
    ``base_dir`` (the source notebook's folder) and embedded too.
    """
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if o.output_type != "stream"]
    body, _ = notebook_exporter().from_notebook_node(nb, resources={"metadata": {"path": str(base_dir)}})
    return embed_local_images(body, base_dir)


@cache
def notebook_exporter():
    """One nbconvert exporter per process: it compiles its Jinja templates once (0.2 s
    each time, for every notebook of a run)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


def write_notebook_html(notebook: Path, target: Path, *, base_dir: Path, lang: str, synthetic: bool) -> None:
    """Write the no-code HTML page of one executed notebook (its body inside ``<main class="notebook">``)."""
    body = f"{NOTEBOOK_OPEN}\n{notebook_body(notebook, base_dir=base_dir)}\n{NOTEBOOK_CLOSE}"
    target.write_text(page(notebook.stem, body, lang=lang, synthetic=synthetic), encoding="utf-8")


def notebook_html_body(page_html: str) -> str | None:
    """The notebook body of a page written by :func:`write_notebook_html` (None if not one)."""
    start = page_html.find(NOTEBOOK_OPEN)
    end = page_html.rfind(NOTEBOOK_CLOSE)
    if start < 0 or end < start:
        return None
    return page_html[start + len(NOTEBOOK_OPEN):end].strip()


def embed_local_images(fragment: str, base_dir: Path) -> str:
    """Replace ``<img src="relative/path">`` by a data URI (or a note when the file is missing)."""

    def replace(match: re.Match[str]) -> str:
        src = html.unescape(match.group(2))
        if src.startswith(("data:", "#")):
            return match.group(0)
        file = (base_dir / src).resolve()
        if not file.is_file():
            return f'<span class="notice">[{html.escape(src)}]</span>'
        mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        data = base64.b64encode(file.read_bytes()).decode("ascii")
        return f'{match.group(1)}data:{mime};base64,{data}{match.group(3)}'

    return re.sub(r'(<img\b[^>]*?\bsrc=")([^"]*)(")', replace, fragment)


# --- the document -------------------------------------------------------------------


def read_document(run_dir: Path, manifest: Mapping[str, object], *, lang: str, synthetic: bool,
                  figures_dir: Path | None = None, changes_html: str = "") -> Document:
    """The report of one run as a :class:`Document` (see the module docstring);
    ``changes_html`` (what changed since the last run) follows the findings."""
    from lcanalysis.report.findings import findings_blocks

    figures_dir = figures_dir or paths.figures_dir()
    tables_dir = run_dir / "tables"
    tasks: Mapping[str, Mapping] = manifest["tasks"]  # type: ignore[assignment]
    counter = {"table": 0, "figure": 0}
    doc = Document(text("report.title", lang), lang, synthetic)
    results: list = []
    quality: list = []
    seen_notebooks: set[str] = set()
    titles: dict[str, str] = {}  # task -> the title of its part, for the run's appendix
    # The changes section follows the findings, so its tables and figure are numbered first.
    changes = section_blocks(changes_html, lang=lang, counter=counter, anchor="changes") if changes_html else []
    # Tables and figures are numbered in reading order: the data-quality appendix last.
    ordered = sorted(tasks.items(), key=lambda item: str(item[1]["notebook"]) == QUALITY_NOTEBOOK)
    for name, entry in ordered:
        notebook = str(entry["notebook"])
        if notebook == SUMMARY_NOTEBOOK:
            continue
        blocks = _task_blocks(run_dir, name, entry, tables_dir, figures_dir, lang, counter)
        titles[name] = next((b.text for b in blocks if isinstance(b, Heading) and b.level == 1), name)
        if notebook in seen_notebooks:
            # A notebook run once per centre: its title and introduction once, then a
            # subsection per centre.
            first = next((i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.level == 2), 0)
            notices = [b for b in blocks[:first] if isinstance(b, Notice)]
            blocks = notices + blocks[first:]
        seen_notebooks.add(notebook)
        (quality if notebook == QUALITY_NOTEBOOK else results).extend(blocks)
    anchors = _anchors(results)
    doc.blocks.append(Heading(1, text("report.findings", lang), "findings"))
    doc.blocks.append(Prose(f"<p>{_esc(text('report.findings_intro', lang))}</p>"))
    doc.blocks += findings_blocks(tables_dir, lang=lang, anchors=anchors)
    doc.blocks += changes
    doc.blocks += results
    doc.blocks.append(Heading(1, text("report.methods", lang), "methods"))
    rules = disclosure_rules(run_policy(manifest), lang)
    doc.blocks += split_markdown(text("report.methods_text", lang, disclosure_rules=rules), shift=1,
                                 anchor_prefix="methods")
    doc.blocks.append(Heading(1, text("report.quality", lang), "quality"))
    doc.blocks += [_demote(b) for b in quality if not (isinstance(b, Heading) and b.level == 1)]
    doc.blocks.append(Heading(1, text("report.run", lang), "run"))
    doc.blocks.append(_run_summary(manifest, lang, synthetic, titles))
    return doc


def _demote(block):
    return Heading(min(block.level + 1, 3), block.text, block.anchor) if isinstance(block, Heading) else block


def _anchors(blocks: list) -> dict[str, tuple[str, int]]:
    """Exported table name (``<task>/<name>``) -> (anchor, table number), for the findings' links."""
    return {b.table.source: (b.anchor, b.table.number) for b in blocks
            if isinstance(b, TableBlock) and b.table.source}


def _task_blocks(run_dir: Path, name: str, entry: Mapping, tables_dir: Path, figures_dir: Path,
                 lang: str, counter: dict[str, int]) -> list:
    notebook = run_dir / f"{name}.ipynb"
    notes: list = []
    error = entry.get("error")
    if entry["status"] == "failed" and error:
        notes.append(Notice(text("report.failed", lang, error=f"{error.get('ename')}: {error.get('evalue')}"),
                            failed=True))
    elif entry["status"] == "skipped":
        key = "report.skipped" if entry.get("reason") == "unchanged" else "report.skipped_not_selected"
        notes.append(Notice(text(key, lang, source=entry.get("copied_from"))))
    if not notebook.is_file():
        return [Heading(1, name, f"part-{name}"), Notice(text("report.missing", lang), failed=True)]
    blocks = notebook_blocks(notebook, task=name, tables_dir=tables_dir, figures_dir=figures_dir,
                             lang=lang, counter=counter, run_dir=run_dir,
                             made_by=str(entry.get("copied_from") or run_dir.name))
    title_at = next((i for i, b in enumerate(blocks) if isinstance(b, Heading)), None)
    if title_at is None:
        return [Heading(1, name, f"part-{name}"), *notes, *blocks]
    return [*blocks[: title_at + 1], *notes, *blocks[title_at + 1:]]


def _run_summary(manifest: Mapping, lang: str, synthetic: bool, titles: Mapping[str, str]) -> Prose:
    finished = manifest.get("finished") or datetime.now(UTC).isoformat(timespec="seconds")
    rows = [
        (text("report.run_id", lang), manifest.get("run_id")),
        (text("report.started", lang), manifest.get("started")),
        (text("report.finished", lang), finished),
        (text("report.commit", lang), manifest.get("git_commit") or text("report.no_commit", lang)),
        (text("report.data", lang), text("report.synthetic_data" if synthetic else "report.real_data", lang)),
        (text("report.language", lang), text("report.language_name", lang)),
    ]
    info = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in rows)
    tasks = "".join(
        f"<tr><td>{_esc(_part_title(name, lang, titles.get(name, name)))}</td><td>{_esc(text('report.status.' + e['status'], lang))}</td>"
        f'<td class="num">{_esc(_seconds(e.get("duration_s", 0), lang))}</td></tr>'
        for name, e in manifest["tasks"].items()
    )
    return Prose(
        f'<table class="lc-table"><thead><tr><th>{_esc(text("report.field", lang))}</th>'
        f'<th>{_esc(text("report.value", lang))}</th></tr></thead><tbody>{info}</tbody></table>'
        f'<table class="lc-table"><thead><tr><th>{_esc(text("report.part", lang))}</th>'
        f'<th>{_esc(text("report.status", lang))}</th><th class="num">{_esc(text("report.duration", lang))}</th>'
        f"</tr></thead><tbody>{tasks}</tbody></table>"
    )


def _seconds(value: float, lang: str) -> str:
    from lcanalysis.plots.labels import format_number

    return format_number(float(value or 0), lang, 1)


def _part_title(task: str, lang: str, heading: str) -> str:
    """A task in words: the notebook's title (its ``intro`` text, else the ``heading``
    its part of the report has), a centre's profile by the centre's name."""
    from lcanalysis.report.narrative import has_text
    from lcanalysis.report.reading import category_text

    notebook, _, centre = task.partition("-")
    key = f"{notebook}.intro"
    if not has_text(key, lang):
        return heading
    title = re.sub(r"^#\s*\d{2}\s*·\s*", "", text(key, lang, cohort="", window="").splitlines()[0])
    if centre:
        title = f"{title}: {category_text('learning_centre_id', centre, lang)}"
    return title


# --- HTML ---------------------------------------------------------------------------


def document_html(doc: Document) -> str:
    """The document as one self-contained HTML page (the printed version's contents
    get their page numbers in :meth:`lcanalysis.report.pdf.Browser.print_report`)."""
    lang = doc.lang
    parts = [f'<h1 class="title">{_esc(doc.title)}</h1>',
             f'<p class="subtitle">{_esc(text("report.subtitle", lang))}</p>']
    toc = [f'<li class="l{h.level}"><a href="#{h.anchor}">{_esc(h.text)}</a>'
           '<span class="dots"></span><span class="pg"></span></li>' for h in doc.headings(2)]
    parts.append(f'<nav class="toc"><h2>{_esc(text("report.contents", lang))}</h2>'
                 f'<ol>{"".join(toc)}</ol></nav>')
    for block in doc.blocks:
        if isinstance(block, Heading):
            cls = ' class="part-break"' if block.level == 1 else ""
            parts.append(f'<h{block.level} id="{block.anchor}"{cls}>{_esc(block.text)}</h{block.level}>')
        elif isinstance(block, Prose):
            parts.append(block.html)
        elif isinstance(block, Notice):
            parts.append(f'<p class="notice{" failed" if block.failed else ""}">{_esc(block.text)}</p>')
        elif isinstance(block, Figure):
            parts.append(_figure_html(block))
        elif isinstance(block, TableBlock):
            parts.append(_table_html(block, lang))
    return page(doc.title, "\n".join(parts), lang=lang, synthetic=doc.synthetic)


def _figure_html(figure: Figure) -> str:
    if figure.svg is not None:
        src = "data:image/svg+xml;base64," + base64.b64encode(figure.svg).decode("ascii")
    else:
        src = "data:image/png;base64," + base64.b64encode(figure.png).decode("ascii")
    return (f'<figure id="{figure.anchor}"><img src="{src}" alt="{_esc(figure.caption)}">'
            f"<figcaption>{_esc(figure.caption)}</figcaption></figure>")


def _table_html(block: TableBlock, lang: str) -> str:
    t = block.table
    caption = text("report.table_caption", lang, number=t.number, caption=t.caption)
    numeric_class = ' class="num"'
    head = "".join(f'<th scope="col"{numeric_class if num else ""}>{_esc(h)}</th>'
                   for h, num in zip(t.header, t.numeric, strict=True))
    body = []
    for row in t.rows:
        cells = []
        for j, (cell, num) in enumerate(zip(row, t.numeric, strict=False)):
            tag = "th" if j == 0 else "td"
            scope = ' scope="row"' if j == 0 else ""
            cls = ' class="num"' if num else ""
            cells.append(f"<{tag}{scope}{cls}>{_esc(cell)}</{tag}>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    notes = "".join(f'<p class="table-note">{_esc(n)}</p>' for n in t.notes)
    return (f'<table class="lc-table" id="{block.anchor}" lang="{lang}"><caption>{_esc(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{notes}")


# --- the run's files ----------------------------------------------------------------


def build_report(
    run_dir: Path,
    manifest: Mapping[str, object],
    *,
    lang: str,
    synthetic: bool,
    figures_dir: Path | None = None,
    changes_html: str = "",
    earlier_pdf: Path | None = None,
    executor=None,
    printing: Printing | None = None,
) -> Path:
    """Write report.html, report.pdf, report.docx and poster.pdf (and poster-A1.pdf)
    in ``run_dir``; return the HTML's path.

    Parameters
    ----------
    run_dir:
        The run folder, holding each task's executed notebook ``<task>.ipynb`` and its
        exported tables under ``tables/<task>/``.
    manifest:
        The run's manifest (see :mod:`lcanalysis.pipeline.run`); its ``tasks`` give
        the order, status and output of every notebook.
    lang:
        ``"sv"`` or ``"en"``: the language of every word in the four files.
    synthetic:
        Whether the run used the synthetic demo world (adds the banner and the poster's mark).
    figures_dir:
        Where the notebooks saved their figures (default figures/).
    changes_html:
        The section on what changed since the last run, placed after the findings.
    earlier_pdf:
        An earlier run's report.pdf: its headings' pages are the first guess at this
        one's (:meth:`lcanalysis.report.pdf.Browser.print_report`).
    executor:
        A pool of other processes to write report.docx in (python-docx is Python
        through and through: in this process it would take turns with the printing's
        own Python, 2 s each); by default it is written in this process.
    printing:
        The run's :class:`Printing`, begun earlier (its posters may be printed by
        now); by default one is begun here, and closed.

    Raises
    ------
    lcanalysis.report.pdf.PdfError
        When Chromium is missing or fails; report.html and report.docx are written first.
    """
    from concurrent.futures import ThreadPoolExecutor

    from lcanalysis.report import docx

    figures_dir = figures_dir or paths.figures_dir()
    with contextlib.ExitStack() as stack:
        if printing is None:
            printing = stack.enter_context(Printing(run_dir, manifest, lang=lang, synthetic=synthetic,
                                                    figures_dir=figures_dir))
        doc = read_document(run_dir, manifest, lang=lang, synthetic=synthetic, figures_dir=figures_dir,
                            changes_html=changes_html)
        target = run_dir / "report.html"
        report_html = document_html(doc)
        target.write_text(report_html, encoding="utf-8")
        # Chromium prints the report (another process: the Word file is written
        # meanwhile, in this thread or by ``executor``).
        with ThreadPoolExecutor(max_workers=1) as background:
            printed = background.submit(printing.print_report, report_html, run_dir / "report.pdf",
                                        guess=_pages_of(earlier_pdf))
            if executor is None:
                docx.write_docx(doc, run_dir / "report.docx")
            else:
                executor.submit(docx.write_docx, doc, run_dir / "report.docx").result()
            printed.result()
    return target


class Printing:
    """One headless Chromium for a run's PDFs, begun before the report is complete: the
    posters, which read only the figures, the tables and the tasks of the manifest,
    print at once in a thread of their own, while the caller writes what the report
    still needs (the section on changes); :meth:`print_report` prints the report with
    the same browser and waits for the posters. Begun at the start of the run's tail,
    Chromium's start (0.5 s) and the posters (1.2-1.5 s) are off the path to the
    report's PDF.

    A browser that cannot be started (no Chromium) is reported by :meth:`print_report`
    (:class:`lcanalysis.report.pdf.PdfError`), so that report.html and report.docx are
    written first. Use as a context manager."""

    def __init__(self, run_dir: Path, manifest: Mapping[str, object], *, lang: str, synthetic: bool,
                 figures_dir: Path | None = None) -> None:
        from concurrent.futures import ThreadPoolExecutor

        from lcanalysis.report import pdf, poster

        self.browser: pdf.Browser | None = None
        self.error: pdf.PdfError | None = None
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="posters")
        try:
            self.browser = pdf.Browser()
        except pdf.PdfError as err:
            self.error = err
            self.posters = None
            return
        # a copy: the run goes on adding to its manifest meanwhile (its changes)
        self.posters = self._background.submit(poster.write_poster, self.browser, run_dir, dict(manifest),
                                               lang=lang, synthetic=synthetic,
                                               figures_dir=figures_dir or paths.figures_dir())

    def print_report(self, report_html: str, target: Path, *, guess: Mapping[str, int] | None = None) -> list[Path]:
        """Print ``report_html`` to ``target``; returns its path and the posters' paths,
        once they are printed too."""
        if self.error is not None:
            raise self.error
        report = self.browser.print_report(report_html, target, guess=guess)
        return [report, *self.posters.result()]

    def close(self) -> None:
        """Wait for the posters (an error there is the caller's, from :meth:`print_report`)
        and close the browser."""
        self._background.shutdown(wait=True)
        if self.browser is not None:
            self.browser.close()
            self.browser = None

    def __enter__(self) -> Printing:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _pages_of(report_pdf: Path | None) -> dict[str, int] | None:
    """The pages of an earlier report's headings, if it can be read (else no guess)."""
    from lcanalysis.report import pdf

    if report_pdf is None or not Path(report_pdf).is_file():
        return None
    try:
        return pdf.destination_pages(Path(report_pdf).read_bytes())
    except Exception:  # noqa: BLE001 - a guess only: any unreadable file means none
        return None


def poster_pack(figures_dir: Path, run_dir: Path, made_by: Collection[str]) -> tuple[list[Path], list[Path]]:
    """Copy every PNG/PDF/SVG under ``figures_dir`` whose relative path contains
    "poster" and whose embedded run id (:func:`~lcanalysis.report.document.figure_run`)
    is one of ``made_by`` (the run, and the runs its skipped notebooks' outputs come
    from) into ``run_dir/poster_pack/``, keeping the sub-folders.

    The shared figures/ folder also keeps what earlier runs saved and this one did not
    write again (a figure a notebook no longer makes, another centre's profile), which
    is not this run's: returns (the copies, the files left out)."""
    from lcanalysis.report.document import figure_run

    target = run_dir / "poster_pack"
    copied: list[Path] = []
    left_out: list[Path] = []
    if not figures_dir.is_dir():
        return copied, left_out
    for file in sorted(figures_dir.rglob("*")):
        rel = file.relative_to(figures_dir)
        if not (file.is_file() and file.suffix.lower() in POSTER_SUFFIXES and "poster" in rel.as_posix().lower()):
            continue
        if figure_run(file) not in made_by:
            left_out.append(file)
            continue
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, dest)
        copied.append(dest)
    return copied, left_out


__all__ = ["build_report", "document_html", "markdown_html", "poster_pack", "read_document",
           "write_notebook_html", "notebook_html_body", "embed_local_images"]
