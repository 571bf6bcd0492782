"""The run's report: one self-contained HTML file, and the poster pack.

:func:`build_report` writes ``report.html`` in a run folder: a title (with a
"Synthetic data / Syntetiska data" banner for the demo world), the summary (the
body of the 10_lessons_learnt notebook), one section per notebook, a methods
appendix (docs/methods.md), the data-quality appendix (the cleaning report) and the
run's manifest summary. Notebooks are rendered with nbconvert's ``basic`` template
without code, prompts or stderr, inside this module's own small stylesheet, and
every image is embedded as a ``data:`` URI, so the file can be mailed on its own.

:func:`poster_pack` copies every figure whose path under figures/ contains "poster"
(``save_figure(..., size="poster_panel" | "poster_wide")`` callers name them so).
"""

from __future__ import annotations

import base64
import html
import mimetypes
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from lcanalysis import paths

SUMMARY_NOTEBOOK = "10_lessons_learnt"
"""The notebook whose body is the report's summary section."""

POSTER_SUFFIXES = (".png", ".pdf", ".svg")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Learning-centre pilot: evaluation report",
        "contents": "Contents",
        "summary": "Summary",
        "results": "Results by notebook",
        "methods": "Appendix A. Methods",
        "quality": "Appendix B. Data quality",
        "run": "Appendix C. About this run",
        "failed": "This notebook failed at cell {cell}: {error}. What it showed before failing is below.",
        "missing": "No output: this notebook has not run successfully in this or an earlier run.",
        "skipped": "Not re-run: output copied from run {source} ({reason}).",
        "no_file": "{file} was not found.",
        "field": "Field",
        "value": "Value",
        "notebook": "Notebook",
        "status": "Status",
        "duration": "Duration (s)",
        "run_id": "Run id",
        "started": "Started (UTC)",
        "finished": "Finished (UTC)",
        "commit": "Git commit",
        "none": "none (not a git checkout)",
        "data": "Data",
        "synthetic_data": "synthetic demo world",
        "real_data": "real data (pseudonymised)",
    },
    "sv": {
        "title": "Lärcentrumpiloten: utvärderingsrapport",
        "contents": "Innehåll",
        "summary": "Sammanfattning",
        "results": "Resultat per notebook",
        "methods": "Bilaga A. Metod",
        "quality": "Bilaga B. Datakvalitet",
        "run": "Bilaga C. Om körningen",
        "failed": "Notebooken misslyckades i cell {cell}: {error}. Det som visades före felet finns nedan.",
        "missing": "Inget resultat: notebooken har inte körts utan fel i denna eller en tidigare körning.",
        "skipped": "Inte omkörd: resultatet kopierat från körning {source} ({reason}).",
        "no_file": "{file} saknas.",
        "field": "Fält",
        "value": "Värde",
        "notebook": "Notebook",
        "status": "Status",
        "duration": "Tid (s)",
        "run_id": "Körnings-id",
        "started": "Start (UTC)",
        "finished": "Slut (UTC)",
        "commit": "Git-commit",
        "none": "ingen (inte en git-utcheckning)",
        "data": "Data",
        "synthetic_data": "syntetisk demovärld",
        "real_data": "riktiga data (pseudonymiserade)",
    },
}

BANNER = "Synthetic data / Syntetiska data"
NOTEBOOK_OPEN = '<main class="notebook">'
NOTEBOOK_CLOSE = "</main>"

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 60rem; margin: 0 auto;
       padding: 1rem 2rem 4rem; color: #1a1a1a; line-height: 1.45; }
h1, h2, h3 { line-height: 1.2; }
.banner { background: #b3261e; color: #fff; font-weight: bold; padding: .6rem 1rem;
          border-radius: 4px; font-size: 1.2rem; }
.report-section { border-top: 2px solid #ccc; margin-top: 2.5rem; padding-top: .5rem; }
.nb-label { color: #666; font-family: monospace; font-size: .85rem; }
.notice { background: #fff4e5; border-left: 4px solid #e08a00; padding: .5rem 1rem; }
.notice.failed { background: #fdecea; border-color: #b3261e; }
img, svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; vertical-align: top; }
pre { background: #f6f6f6; padding: .5rem; overflow-x: auto; font-size: .85rem; }
.output_error pre, .output_traceback pre { background: #fdecea; }
.anchor-link { display: none; }
"""


def page(title: str, body: str, *, lang: str, synthetic: bool) -> str:
    """A complete HTML page around ``body`` with the report's stylesheet (and banner)."""
    banner = f'<p class="banner">{BANNER}</p>\n' if synthetic else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"{banner}{body}\n</body>\n</html>\n"
    )


def notebook_body(notebook: Path, *, base_dir: Path) -> str:
    """The HTML body of an executed notebook without code, prompts or stderr output.

    Images in outputs stay embedded; local images in markdown cells are read from
    ``base_dir`` (the source notebook's folder) and embedded too.
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.outputs if not (o.output_type == "stream" and o.get("name") == "stderr")
            ]
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"path": str(base_dir)}})
    return embed_local_images(body, base_dir)


def write_notebook_html(notebook: Path, target: Path, *, base_dir: Path, lang: str, synthetic: bool) -> None:
    """Write the no-code HTML page of one executed notebook (its body inside ``<main class="notebook">``,
    which :func:`build_report` takes back out)."""
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


def markdown_html(text: str) -> str:
    """Markdown to HTML with tables, via mistune (shipped with nbconvert)."""
    import mistune

    return mistune.create_markdown(plugins=["table", "strikethrough", "footnotes"])(text)


def build_report(
    run_dir: Path,
    manifest: Mapping[str, object],
    *,
    lang: str,
    synthetic: bool,
    methods_md: Path | None = None,
    cleaning_md: Path | None = None,
) -> Path:
    """Write ``report.html`` in ``run_dir`` and return its path.

    Parameters
    ----------
    run_dir:
        The run folder, holding each task's no-code page ``<task>.html``
        (:func:`write_notebook_html`), whose body becomes the task's section.
    manifest:
        The run's manifest (see :mod:`lcanalysis.pipeline.run`); its ``tasks``
        give the order, status and output of every notebook.
    lang:
        ``"sv"`` or ``"en"``: the language of the report's own headings.
    synthetic:
        Whether the run used the synthetic demo world (adds the banner).
    methods_md, cleaning_md:
        The methods text and the cleaning report, default docs/methods.md and
        data/processed/cleaning_report.md.
    """
    t = TEXT[lang]
    methods_md = methods_md or paths.docs_dir() / "methods.md"
    cleaning_md = cleaning_md or paths.processed_dir() / "cleaning_report.md"
    tasks: Mapping[str, Mapping] = manifest["tasks"]  # type: ignore[assignment]
    sections: list[tuple[str, str, str]] = []  # (anchor, title, html)
    summary_html = ""
    for name, entry in tasks.items():
        title, body = _task_section(run_dir, name, entry, t)
        if entry["notebook"] == SUMMARY_NOTEBOOK:
            summary_html += body
        else:
            sections.append((f"nb-{name}", title, body))
    appendices = [
        ("methods", t["methods"], _markdown_file(methods_md, t)),
        ("quality", t["quality"], _markdown_file(cleaning_md, t)),
        ("run", t["run"], _run_summary(manifest, t, synthetic)),
    ]
    contents = [("summary", t["summary"])] if summary_html else []
    contents += [(a, title) for a, title, _ in sections] + [(a, title) for a, title, _ in appendices]
    parts = [f"<h1>{html.escape(t['title'])}</h1>"]
    parts.append(f"<nav><h2>{t['contents']}</h2><ol>" + "".join(
        f'<li><a href="#{a}">{html.escape(title)}</a></li>' for a, title in contents
    ) + "</ol></nav>")
    if summary_html:
        parts.append(f'<section class="report-section" id="summary"><h2>{t["summary"]}</h2>{summary_html}</section>')
    if sections:
        parts.append(f'<h2 class="report-section">{t["results"]}</h2>')
    parts += [f'<section class="report-section" id="{a}">{body}</section>' for a, _, body in sections]
    parts += [
        f'<section class="report-section" id="{a}"><h2>{html.escape(title)}</h2>{body}</section>'
        for a, title, body in appendices
    ]
    target = run_dir / "report.html"
    target.write_text(page(t["title"], "\n".join(parts), lang=lang, synthetic=synthetic), encoding="utf-8")
    return target


def poster_pack(figures_dir: Path, run_dir: Path) -> list[Path]:
    """Copy every PNG/PDF/SVG under ``figures_dir`` whose relative path contains
    "poster" into ``run_dir/poster_pack/``, keeping the sub-folders; returns the copies."""
    target = run_dir / "poster_pack"
    copied: list[Path] = []
    if not figures_dir.is_dir():
        return copied
    for file in sorted(figures_dir.rglob("*")):
        rel = file.relative_to(figures_dir)
        if file.is_file() and file.suffix.lower() in POSTER_SUFFIXES and "poster" in rel.as_posix().lower():
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, dest)
            copied.append(dest)
    return copied


def _task_section(run_dir: Path, name: str, entry: Mapping, t: Mapping[str, str]) -> tuple[str, str]:
    """The title and HTML of one task's section, with a notice for failures and skips."""
    notes = []
    error = entry.get("error")
    if entry["status"] == "failed" and error:
        cell = error.get("cell_index")
        notes.append(("failed", t["failed"].format(
            cell="?" if cell is None else cell,
            error=html.escape(f"{error.get('ename')}: {error.get('evalue')}"),
        )))
    elif entry["status"] == "skipped":
        notes.append(("", t["skipped"].format(
            source=html.escape(str(entry.get("copied_from"))), reason=html.escape(str(entry.get("reason")))
        )))
    page_file = run_dir / f"{name}.html"
    body = notebook_html_body(page_file.read_text(encoding="utf-8")) if page_file.is_file() else None
    title = name
    if body is None:
        notes.append(("failed", t["missing"]))
        body = ""
    heading = re.search(r"<h1[^>]*>(.*?)<", body, flags=re.S)
    if heading:
        title = f"{html.unescape(heading.group(1)).strip()} ({name})"
    label = f'<p class="nb-label">{html.escape(name)}</p>'
    notices = "".join(f'<p class="notice {cls}">{text}</p>' for cls, text in notes)
    return title, label + notices + body


def _markdown_file(path: Path, t: Mapping[str, str]) -> str:
    if not path.is_file():
        return f'<p class="notice">{html.escape(t["no_file"].format(file=path.name))}</p>'
    return embed_local_images(markdown_html(path.read_text(encoding="utf-8")), path.parent)


def _run_summary(manifest: Mapping, t: Mapping[str, str], synthetic: bool) -> str:
    versions: Mapping[str, str | None] = manifest.get("versions", {})
    rows = [
        (t["run_id"], manifest.get("run_id")),
        (t["started"], manifest.get("started")),
        (t["finished"], manifest.get("finished")),
        (t["commit"], manifest.get("git_commit") or t["none"]),
        (t["data"], t["synthetic_data"] if synthetic else t["real_data"]),
        *((name, version or "-") for name, version in versions.items()),
    ]
    info = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    tasks = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(e['status'])}</td>"
        f"<td>{e.get('duration_s', 0):.1f}</td></tr>"
        for name, e in manifest["tasks"].items()
    )
    return (
        f"<table><tr><th>{t['field']}</th><th>{t['value']}</th></tr>{info}</table>"
        f"<table><tr><th>{t['notebook']}</th><th>{t['status']}</th><th>{t['duration']}</th></tr>{tasks}</table>"
    )
