"""A report shows the figures of its own run: the shared figures/ folder holds the
last run's figures, in whatever language it ran, so a report takes a figure only
when the file says its run saved it, and the run folder keeps a copy for a report
rebuilt later."""

from __future__ import annotations

import base64

from lcanalysis.report import assemble, poster
from lcanalysis.report.document import Figure, figure_run
from lcanalysis.report.findings import findings
from tests.fixtures.report_run import make_run, png, svg

FIGURE = "01_widening_participation/characteristics_by_route"


def _figures(doc) -> list[Figure]:
    return [b for b in doc.blocks if isinstance(b, Figure)]


def _run_in_english_after(figures, names, run_id="20261201T110000Z-e4e4e4"):
    """A later run in the other language overwrites the shared figures."""
    for name in names:
        (figures / name).parent.mkdir(parents=True, exist_ok=True)
        (figures / f"{name}.svg").write_bytes(svg(run_id, colour="#e4e4e4"))
        (figures / f"{name}.png").write_bytes(png(40, 20, run_id))


def test_figure_run_reads_the_id_save_figure_embeds(tmp_path):
    (tmp_path / "a.svg").write_bytes(svg("run-a"))
    (tmp_path / "a.png").write_bytes(png(4, 3, "run-a"))
    (tmp_path / "b.png").write_bytes(png(4, 3))
    assert [figure_run(tmp_path / n) for n in ("a.svg", "a.png", "b.png")] == ["run-a", "run-a", None]


def test_a_report_rebuilt_after_a_run_in_the_other_language_keeps_its_own_figures(tmp_path):
    run_dir, manifest, figures = make_run(tmp_path, "sv")
    first = assemble.read_document(run_dir, manifest, lang="sv", synthetic=True, figures_dir=figures)
    assert _figures(first)[0].svg == svg(run_dir.name)
    assert (run_dir / "figures" / f"{FIGURE}.svg").read_bytes() == svg(run_dir.name)
    poster.poster_html(run_dir, manifest, lang="sv", synthetic=True, figures_dir=figures)  # as the run does
    on_poster = [f.figure for f in findings(run_dir / "tables", lang="sv") if f.figure]
    _run_in_english_after(figures, [FIGURE, *on_poster])
    again = assemble.read_document(run_dir, manifest, lang="sv", synthetic=True, figures_dir=figures)
    assert _figures(again)[0].svg == svg(run_dir.name)
    sheet = poster.poster_html(run_dir, manifest, lang="sv", synthetic=True, figures_dir=figures)
    assert base64.b64encode(svg(run_dir.name)).decode() in sheet
    assert "#e4e4e4" not in sheet and base64.b64encode(svg("20261201T110000Z-e4e4e4", "#e4e4e4")).decode() not in sheet


def test_without_its_own_copy_a_report_shows_the_notebooks_image_not_another_runs(tmp_path):
    run_dir, manifest, figures = make_run(tmp_path, "sv")
    _run_in_english_after(figures, [FIGURE])
    doc = assemble.read_document(run_dir, manifest, lang="sv", synthetic=True, figures_dir=figures)
    (figure,) = _figures(doc)
    assert figure.svg is None and figure.png == png()  # the PNG inside the executed notebook
    assert not (run_dir / "figures" / f"{FIGURE}.svg").exists()


def test_a_part_copied_from_an_earlier_run_shows_that_runs_figures(tmp_path):
    run_dir, manifest, figures = make_run(tmp_path, "sv")
    earlier = run_dir.parent / "20261130T100000Z-000000"
    (earlier / "figures" / "01_widening_participation").mkdir(parents=True)
    (earlier / "figures" / f"{FIGURE}.svg").write_bytes(svg(earlier.name, "#00aa00"))
    (earlier / "figures" / f"{FIGURE}.png").write_bytes(png(40, 20, earlier.name))
    manifest["tasks"]["01_widening_participation"].update(status="skipped", copied_from=earlier.name)
    doc = assemble.read_document(run_dir, manifest, lang="sv", synthetic=True, figures_dir=figures)
    assert _figures(doc)[0].svg == svg(earlier.name, "#00aa00")
