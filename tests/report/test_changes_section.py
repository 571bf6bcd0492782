"""The changes since the last run reach every format as the HTML has them: in Word a
heading in the contents, the indicator table as a real Word table with its caption,
the revision chart as a picture (the section used to arrive as paragraphs only)."""

from __future__ import annotations

import base64

import pytest

from lcanalysis.report import assemble, docx
from lcanalysis.report.document import Figure, Heading, TableBlock
from tests.fixtures.report_run import make_run, png

# The shape lcanalysis.pipeline.changes.section_html writes.
SECTION = f"""<section class="report-section" id="changes"><h2>Changes since the last run</h2>
<p>This run (b) compared with run a.</p>
<h3>Moved beyond their uncertainty</h3>
<ul><li><strong>First-generation share</strong>: 34.4% → 36.1%, +1.7 pp; data</li></ul>
<h3>All indicators</h3><p>3 indicators: 1 beyond their uncertainty.</p>
<table class="lc-table changes" lang="en"><thead><tr><th scope="col">Indicator</th><th scope="col">Previous</th>
<th scope="col">Current</th><th scope="col">Difference (95 % CI)</th><th scope="col">Beyond uncertainty</th></tr></thead>
<tbody><tr><th scope="row">First-generation share</th><td>34.4%</td><td>36.1%</td><td>+1.7 pp (0.2 to 3.2)</td><td>yes</td></tr>
<tr><th scope="row">Mature share</th><td>13.6%</td><td>13.9%</td><td>+0.3 pp (−1.1 to 1.7)</td><td>no</td></tr>
</tbody></table>
<h3>Revision history of the headline indicators</h3>
<img alt="Headline indicators" src="data:image/png;base64,{base64.b64encode(png(40, 20)).decode()}">
</section>"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    run_dir, manifest, figures = make_run(tmp_path_factory.mktemp("run"), "en")
    doc = assemble.read_document(run_dir, manifest, lang="en", synthetic=True, figures_dir=figures,
                                 changes_html=SECTION)
    return doc, docx.write_docx(doc, run_dir / "report.docx")


def test_the_section_is_headings_a_numbered_table_and_a_figure_after_the_findings(built):
    doc, _ = built
    at = next(i for i, b in enumerate(doc.blocks) if isinstance(b, Heading) and b.anchor == "changes")
    assert doc.blocks[at].level == 2 and doc.blocks[at].text == "Changes since the last run"
    assert at < next(i for i, b in enumerate(doc.blocks) if isinstance(b, Heading) and b.level == 1 and i > 1)
    tables = [b.table for b in doc.blocks if isinstance(b, TableBlock)]
    figures = [b for b in doc.blocks if isinstance(b, Figure)]
    # numbered first: the section is the first to have a table and a figure
    assert (tables[0].number, tables[0].caption) == (1, "All indicators")
    assert tables[0].header[0] == "Indicator" and tables[0].rows[1] == [
        "Mature share", "13.6%", "13.9%", "+0.3 pp (−1.1 to 1.7)", "no"]
    # numbers right-aligned on one line; an interval is text that may wrap (within the page)
    assert tables[0].numeric == [False, True, True, False, False]
    assert figures[0].caption == "Figure 1. Revision history of the headline indicators"
    assert [t.number for t in tables] == list(range(1, len(tables) + 1))


def test_word_gets_a_heading_a_real_table_and_the_chart(built):
    import docx as python_docx

    _, path = built
    word = python_docx.Document(str(path))
    headings = [(p.style.name, p.text) for p in word.paragraphs]
    assert ("Heading 2", "Changes since the last run") in headings
    assert ("Caption", "Table 1. All indicators") in headings
    changes = word.tables[0]
    assert [c.text for c in changes.rows[0].cells] == ["Indicator", "Previous", "Current",
                                                       "Difference (95 % CI)", "Beyond uncertainty"]
    assert [c.text for c in changes.rows[2].cells][:2] == ["Mature share", "13.6%"]
    assert len(word.inline_shapes) == 2  # the revision chart and the notebook's figure


def test_a_long_unbroken_indicator_name_keeps_the_table_within_an_a4_page(tmp_path):
    from tests.fixtures.chromium import require_chromium
    from tests.report.test_assemble_formats import measure_tables

    require_chromium("measuring the report's tables")
    long_name = "findings: stays_in_home_region_learning_centre_after_the_first_year_of_study"
    run_dir, manifest, figures = make_run(tmp_path, "en")
    doc = assemble.read_document(run_dir, manifest, lang="en", synthetic=True, figures_dir=figures,
                                 changes_html=SECTION.replace("Mature share", long_name))
    page = tmp_path / "report.html"
    page.write_text(assemble.document_html(doc), encoding="utf-8")
    tables, too_wide = measure_tables(page, tmp_path)
    assert (tables, too_wide) == (7, 0)
