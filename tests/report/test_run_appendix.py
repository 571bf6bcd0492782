"""The run's appendix names every part in words: a notebook whose narrative has no
intro template is named by the title its part has in the report, not by its file."""

from __future__ import annotations

import nbformat

from lcanalysis.report import assemble
from lcanalysis.report.document import Prose
from tests.fixtures.report_run import make_run


def test_a_part_without_an_intro_template_is_named_by_its_heading(tmp_path):
    run_dir, manifest, figures = make_run(tmp_path, "en")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 09 · Site visits: what did the centres say?")]
    nbformat.write(nb, run_dir / "09_site_visits.ipynb")
    manifest["tasks"]["09_site_visits"] = {"notebook": "09_site_visits", "status": "ok", "duration_s": 1.0}
    doc = assemble.read_document(run_dir, manifest, lang="en", synthetic=True, figures_dir=figures)
    appendix = doc.blocks[-1]
    assert isinstance(appendix, Prose)
    assert "<td>Site visits: what did the centres say?</td>" in appendix.html
    assert "09_site_visits" not in appendix.html
