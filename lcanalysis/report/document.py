"""The report as a document: headings, prose, tables and figures, read from a run.

One :class:`Document` is built from a run folder and written three ways (HTML and
the PDF printed from it in :mod:`lcanalysis.report.assemble`, Word in
:mod:`lcanalysis.report.docx`), so the three files say the same thing.

What a notebook contributes: its narrative (markdown cells and the Markdown that
:mod:`lcanalysis.report.narrative` displays), its tables and its figures. Code,
prompts and printed lines (machine messages such as "tables exported to <path>")
stay out. A table is read back from the run's exported CSV (the audited file: the
numbers here are exactly the numbers that passed disclosure control) and laid out
for reading by :mod:`lcanalysis.report.reading`; a table that is not exported
(processing tables of the data-quality notebook) is taken from the notebook's own
HTML. A figure is the SVG that ``NotebookRun.figure`` saved under figures/ (vector
in the PDF) when the run that executed the notebook saved it (:func:`run_figure`;
the run folder keeps a copy), else the notebook's own PNG.
"""

from __future__ import annotations

import ast
import base64
import html
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lcanalysis.report.reading import ReadingTable, html_table, reading_table

HEADING_PREFIX = re.compile(r"^\s*\d{2}\s*·\s*")
"""The "01 · " number in a notebook's title: the file's order, not words for a reader."""

TABLE_CALL = re.compile(r"""nb\.table\(\s*(f?)(["'])(.+?)\2""")
FIGURE_CALL = re.compile(r"""nb\.figure\(\s*\w+\s*,\s*(f?)(["'])(.+?)\2""")


@dataclass
class Heading:
    level: int  # 1 = a part of the report, 2 and 3 inside it
    text: str
    anchor: str


@dataclass
class Prose:
    html: str  # paragraphs and lists: p, ul, ol, li, strong, em, code, a


@dataclass
class Notice:
    text: str
    failed: bool = False


@dataclass
class Figure:
    caption: str
    png: bytes
    svg: bytes | None = None
    anchor: str = ""


@dataclass
class TableBlock:
    table: ReadingTable
    anchor: str = ""


Block = Heading | Prose | Notice | Figure | TableBlock


@dataclass
class Document:
    title: str
    lang: str
    synthetic: bool
    blocks: list[Block] = field(default_factory=list)

    def headings(self, max_level: int = 2) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading) and b.level <= max_level]


def run_policy(manifest: Mapping[str, object]):
    """The disclosure policy the run's notebooks ran under (their ``disclosure_policy``
    parameter; the one most of them used, should a notebook override it)."""
    from lcanalysis import disclosure

    tasks: Mapping[str, Mapping] = manifest["tasks"]  # type: ignore[assignment]
    names = Counter(str((e.get("parameters") or {}).get("disclosure_policy", "default")) for e in tasks.values())
    return disclosure.get_policy(names.most_common(1)[0][0] if names else "default")


def slug(text: str) -> str:
    from lcanalysis.text import fold

    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "section"


def markdown_html(text: str) -> str:
    """Markdown to HTML with tables, via mistune (shipped with nbconvert)."""
    import mistune

    return mistune.create_markdown(plugins=["table", "strikethrough", "footnotes"])(text)


def split_markdown(text: str, *, shift: int, anchor_prefix: str) -> list[Block]:
    """Markdown as blocks: headings (``#`` + ``shift`` levels, at most 3) and the prose between."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markdown_html(text), "html.parser")
    blocks: list[Block] = []
    prose: list[str] = []

    def flush() -> None:
        if "".join(prose).strip():
            blocks.append(Prose("".join(prose).strip()))
        prose.clear()

    for node in soup.contents:
        name = getattr(node, "name", None)
        if name and re.fullmatch(r"h[1-6]", name):
            flush()
            words = HEADING_PREFIX.sub("", node.get_text(" ", strip=True))
            level = min(int(name[1]) + shift, 3)
            blocks.append(Heading(level, words, f"{anchor_prefix}-{slug(words)}"))
        else:
            prose.append(str(node))
    flush()
    return blocks


NUMBER_CELL = re.compile(r"[+\u2212-]?[\d\u00a0 ]*\d(?:[.,]\d+)?(?:\u00a0?%| p\.?[ep]\.?| pp)?")
"""A cell that is one number (with its unit): right-aligned and kept on one line; an
interval or a sentence is text, which may wrap."""


def _number_cell(cell: str) -> bool:
    return NUMBER_CELL.fullmatch(cell) is not None


def section_blocks(fragment: str, *, lang: str, counter: dict[str, int], anchor: str) -> list[Block]:
    """An HTML section written outside the notebooks (the changes since the last run,
    :func:`lcanalysis.pipeline.changes.section_html`) as blocks, so that every writer
    gets its parts: ``h2``/``h3`` as headings (the ``h2`` anchored ``anchor``), each
    ``table`` as a numbered table captioned by the heading above it, each ``img`` (a
    PNG data URI) as a numbered figure, the rest as prose. ``counter`` numbers tables
    and figures as in :func:`notebook_blocks`."""
    from bs4 import BeautifulSoup

    from lcanalysis.report.narrative import text

    soup = BeautifulSoup(fragment, "html.parser")
    root = soup.find("section") or soup
    blocks: list[Block] = []
    heading = ""
    for node in root.find_all(recursive=False):
        if node.name in ("h1", "h2", "h3", "h4"):
            heading = node.get_text(" ", strip=True)
            level = 2 if node.name in ("h1", "h2") else 3
            blocks.append(Heading(level, heading, anchor if level == 2 else f"{anchor}-{slug(heading)}"))
        elif node.name == "table":
            counter["table"] += 1
            header = [c.get_text(" ", strip=True) for c in node.select("thead th")]
            rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in node.select("tbody tr")]
            numeric = [j > 0 and any(_number_cell(r[j]) for r in rows if len(r) > j)
                       and all(_number_cell(r[j]) or r[j] == "–" for r in rows if len(r) > j)
                       for j in range(len(header))]
            table = ReadingTable(counter["table"], heading, header, rows, numeric)
            blocks.append(TableBlock(table, anchor=f"table-{counter['table']}"))
        elif node.name == "img" and node.get("src", "").startswith("data:image/png;base64,"):
            counter["figure"] += 1
            png = base64.b64decode(node["src"].split(",", 1)[1])
            caption = text("report.figure_caption", lang, number=counter["figure"], title=heading)
            blocks.append(Figure(caption, png, anchor=f"figure-{counter['figure']}"))
        else:
            blocks.append(Prose(str(node)))
    return blocks


KEPT_FIGURES = "figures"
"""The run folder's copy of the figures its report shows: ``figures/<notebook>/<name>.*``."""

SVG_RUN = re.compile(rb"<dc:identifier>([^<]*)</dc:identifier>")
PDF_RUN = re.compile(rb"/Keywords \([^)]*?run_id=([^;)]*)")


def figure_run(path: Path) -> str | None:
    """The run that saved a figure file, from the metadata ``save_figure`` embeds
    (the SVG's Dublin Core identifier, the PNG's ``RunId`` text chunk, ``run_id=`` in
    the PDF's Keywords); None if it has none."""
    data = path.read_bytes()
    if path.suffix == ".svg":
        found = SVG_RUN.search(data[:8192])
        return found.group(1).decode("utf-8") if found else None
    if path.suffix == ".pdf":
        found = PDF_RUN.search(data)
        return found.group(1).decode("latin-1") if found else None
    at = 8  # PNG: chunks of length, type, data, CRC after the signature, text before the image data
    while at + 8 <= len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        if kind == b"IDAT":
            break
        if kind == b"tEXt" and body.startswith(b"RunId\0"):
            return body[len(b"RunId\0"):].decode("latin-1")
        at += 12 + length
    return None


def run_figure(run_dir: Path, figures_dir: Path, figure: str, made_by: str) -> tuple[bytes, bytes] | None:
    """(PNG, SVG) of ``figure`` (``<notebook>/<name>``) as run ``made_by`` saved it.

    The shared figures/ folder holds the last run's figures, whatever its language;
    a report takes a figure from there (or from the folder of run ``made_by``, for a
    part copied from an earlier run) only when the files say ``made_by`` saved them,
    and keeps a copy under ``run_dir/figures/``, where a report rebuilt later finds
    it. None when neither has it: the caller shows the notebook's own image.
    """
    import shutil

    kept = {ext: run_dir / KEPT_FIGURES / f"{figure}.{ext}" for ext in ("png", "svg")}
    if not all(f.is_file() for f in kept.values()):
        for folder in (figures_dir, run_dir.parent / made_by / KEPT_FIGURES):
            found = {ext: folder / f"{figure}.{ext}" for ext in ("png", "svg")}
            if all(f.is_file() and figure_run(f) == made_by for f in found.values()):
                kept["png"].parent.mkdir(parents=True, exist_ok=True)
                for ext, file in found.items():
                    shutil.copy2(file, kept[ext])
                break
        else:
            return None
    return kept["png"].read_bytes(), kept["svg"].read_bytes()


def _call_name(match: re.Match[str] | None, parameters: dict[str, object]) -> str | None:
    """The name in ``nb.table("name"`` / ``nb.figure(fig, f"profile_{id}"``, f-strings
    filled in from the notebook's parameters (None when it cannot be)."""
    if match is None:
        return None
    name = match.group(3)
    if match.group(1):
        try:
            name = name.format(**parameters)
        except (KeyError, IndexError, ValueError):
            return None
    return name


def read_notebook(path: Path) -> list[dict]:
    """The cells of an executed notebook (nbformat 4 JSON), their sources and output
    data joined into strings as ``nbformat.read`` gives them. Plain JSON: importing
    nbformat (its JSON-schema validator builds grammars) took longer than reading
    every notebook of a run."""
    import json

    def joined(value):
        return "".join(value) if isinstance(value, list) else value

    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        cell["source"] = joined(cell.get("source", ""))
        for output in cell.get("outputs", []):
            if "data" in output:
                output["data"] = {kind: joined(value) for kind, value in output["data"].items()}
    return cells


def notebook_parameters(cells: list[dict]) -> dict[str, object]:
    """The parameters the notebook ran with: the defaults of its tagged cell, then
    papermill's injected values."""
    values: dict[str, object] = {}
    for cell in cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] == "code" and ("parameters" in tags or "injected-parameters" in tags):
            try:
                tree = ast.parse(cell["source"])
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    try:
                        values[node.targets[0].id] = ast.literal_eval(node.value)
                    except ValueError:
                        continue
    return values


def notebook_blocks(
    notebook: Path,
    *,
    task: str,
    tables_dir: Path,
    figures_dir: Path,
    lang: str,
    counter: dict[str, int],
    run_dir: Path,
    made_by: str,
) -> list[Block]:
    """The blocks of one executed notebook (see the module docstring).

    ``counter`` numbers tables and figures across the whole report
    (``{"table": n, "figure": n}``), updated in place. Figures are those run
    ``made_by`` saved (:func:`run_figure`).
    """
    from lcanalysis.report.narrative import text

    cells = read_notebook(notebook)
    parameters = notebook_parameters(cells)
    notebook_name = notebook.stem.split("-")[0]
    blocks: list[Block] = []
    section = ""

    def add_markdown(source: str) -> None:
        nonlocal section
        for block in split_markdown(source, shift=0, anchor_prefix=task):
            if isinstance(block, Heading):
                section = block.text
            blocks.append(block)

    for cell in cells:
        if cell["cell_type"] == "markdown":
            add_markdown(cell["source"])
            continue
        if cell["cell_type"] != "code":
            continue
        table_name = _call_name(TABLE_CALL.search(cell["source"]), parameters)
        figure_name = _call_name(FIGURE_CALL.search(cell["source"]), parameters)
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "error":
                blocks.append(Notice(f"{output.get('ename')}: {output.get('evalue')}", failed=True))
                continue
            if kind not in ("display_data", "execute_result"):
                continue  # printed lines: machine messages, not the report's text
            data = output.get("data", {})
            if "text/markdown" in data:
                add_markdown(data["text/markdown"])
            elif "image/png" in data:
                counter["figure"] += 1
                saved = run_figure(run_dir, figures_dir, f"{notebook_name}/{figure_name}", made_by) \
                    if figure_name else None
                png, svg = saved or (base64.b64decode(data["image/png"]), None)
                number = counter["figure"]
                caption = text("report.figure_caption", lang, number=number, title=section)
                blocks.append(Figure(caption, png, svg, anchor=f"figure-{number}"))
            elif "text/html" in data and "<table" in data["text/html"]:
                counter["table"] += 1
                number = counter["table"]
                csv_file = tables_dir / task / f"{table_name}.csv" if table_name else None
                if csv_file is not None and csv_file.is_file():
                    table = reading_table(csv_file, lang=lang, number=number, caption=_caption(data["text/html"]),
                                          parameters=parameters, sheet=table_name)
                else:
                    table = html_table(data["text/html"], lang=lang, number=number)
                blocks.append(TableBlock(table, anchor=f"table-{number}"))
    return blocks


def _caption(table_html: str) -> str:
    match = re.search(r"<caption>(.*?)</caption>", table_html, flags=re.S)
    return html.unescape(match.group(1)).strip() if match else ""
