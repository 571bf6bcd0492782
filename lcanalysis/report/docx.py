"""report.docx: the report as a Word file for its authors to edit (python-docx).

The same :class:`~lcanalysis.report.document.Document` as report.html: the title in
Word's *Title* style, headings in *Heading 1-3* (so Word's navigation pane and its
table of contents work), prose as paragraphs and lists (*List Bullet*, *List
Number*), every table as a real Word table with its caption (*Caption*) above it
and its notes below, every figure as an embedded 300 dpi PNG (Word has no SVG in
python-docx) with its caption below. A4 pages with the page number in the footer;
the table of contents is a Word field, filled in when Word updates fields (it asks
when the file is opened).
"""

from __future__ import annotations

import io
from pathlib import Path

from lcanalysis.report.document import Document, Figure, Heading, Notice, Prose, TableBlock
from lcanalysis.report.narrative import text

FIGURE_WIDTH_CM = 16.0


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A Word field (``PAGE``, ``TOC ...``) in ``paragraph``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def element(tag: str, **attrs: str):
        node = OxmlElement(tag)
        for key, value in attrs.items():
            node.set(qn(key), value)
        return node

    run = paragraph.add_run()
    run._r.append(element("w:fldChar", **{"w:fldCharType": "begin", "w:dirty": "true"}))
    instr = element("w:instrText", **{"xml:space": "preserve"})
    instr.text = instruction
    run._r.append(instr)
    run._r.append(element("w:fldChar", **{"w:fldCharType": "separate"}))
    shown = paragraph.add_run(placeholder)
    shown._r.append(element("w:fldChar", **{"w:fldCharType": "end"}))


def _inline(paragraph, node) -> None:
    """The text of an HTML node as runs: bold, italic and code kept."""
    from bs4 import NavigableString

    def walk(n, bold=False, italic=False, code=False):
        if isinstance(n, NavigableString):
            if str(n):
                run = paragraph.add_run(str(n).replace("\n", " "))
                run.bold, run.italic = bold or None, italic or None
                if code:
                    run.font.name = "DejaVu Sans Mono"
            return
        name = n.name
        for child in n.children:
            walk(child, bold or name in ("strong", "b", "th"), italic or name in ("em", "i"),
                 code or name == "code")

    walk(node)


def _html_blocks(word, fragment: str) -> None:
    """Paragraphs, lists and tables of an HTML fragment into the Word document."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(fragment, "html.parser")
    for node in soup.find_all(["p", "li", "table", "h1", "h2", "h3", "h4"]):
        if node.find_parent(["table", "li"]) is not None and node.name != "li":
            continue
        if node.name == "li":
            style = "List Number" if node.find_parent("ol") else "List Bullet"
            _inline(word.add_paragraph(style=style), node)
        elif node.name == "table":
            rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in node.find_all("tr")]
            _word_table(word, rows[0] if rows else [], rows[1:], [False] * len(rows[0] if rows else []))
        elif node.name.startswith("h"):
            word.add_heading(node.get_text(" ", strip=True), level=3)
        else:
            _inline(word.add_paragraph(), node)


def _word_table(word, header: list[str], rows: list[list[str]], numeric: list[bool]):
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    table = word.add_table(rows=1 + len(rows), cols=max(len(header), 1))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, (line, row) in enumerate(zip([header, *rows], table.rows, strict=True)):
        for j, (value, cell) in enumerate(zip(line, row.cells, strict=False)):
            cell.text = value
            for paragraph in cell.paragraphs:
                if numeric[j] and i > 0:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                for run in paragraph.runs:
                    run.font.size = Pt(8.5)
                    run.bold = i == 0 or None
    return table


def write_docx(doc: Document, target: Path) -> Path:
    """Write ``doc`` as a Word file at ``target`` (see the module docstring)."""
    import docx
    from docx.shared import Cm, Pt

    lang = doc.lang
    word = docx.Document()
    section = word.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.9))
    word.styles["Normal"].font.name = "DejaVu Sans"
    word.styles["Normal"].font.size = Pt(10)
    word.core_properties.title = doc.title
    word.core_properties.language = lang
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    update = OxmlElement("w:updateFields")  # Word offers to fill in the contents on opening
    update.set(qn("w:val"), "true")
    word.settings.element.append(update)
    footer = section.footer.paragraphs[0]
    footer.add_run(text("report.page", lang) + " ")
    _field(footer, "PAGE", "1")

    word.add_heading(doc.title, level=0)
    word.add_paragraph(text("report.subtitle", lang))
    if doc.synthetic:
        banner = word.add_paragraph().add_run(text("report.banner", lang))
        banner.bold = True
    word.add_heading(text("report.contents", lang), level=1)
    _field(word.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u', text("report.toc_update", lang))
    for block in doc.blocks:
        if isinstance(block, Heading):
            word.add_heading(block.text, level=block.level)
        elif isinstance(block, Prose):
            _html_blocks(word, block.html)
        elif isinstance(block, Notice):
            word.add_paragraph().add_run(block.text).italic = True
        elif isinstance(block, Figure):
            word.add_picture(io.BytesIO(block.png), width=Cm(FIGURE_WIDTH_CM))
            word.add_paragraph(block.caption, style="Caption")
        elif isinstance(block, TableBlock):
            t = block.table
            word.add_paragraph(text("report.table_caption", lang, number=t.number, caption=t.caption),
                               style="Caption")
            _word_table(word, t.header, t.rows, t.numeric)
            for note in t.notes:
                word.add_paragraph().add_run(note).font.size = Pt(8.5)
    target.parent.mkdir(parents=True, exist_ok=True)
    word.save(str(target))
    return target
