"""The poster pack holds the poster figures this run made (or the runs its skipped
notebooks come from), not what earlier runs left in the shared figures/ folder."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from lcanalysis.plots.style import save_figure  # noqa: E402
from lcanalysis.report.assemble import poster_pack  # noqa: E402
from lcanalysis.report.document import figure_run  # noqa: E402
from tests.fixtures.report_run import png, svg  # noqa: E402


def _write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_only_figures_of_the_runs_shown_are_packed(tmp_path):
    figures, run_dir = tmp_path / "figures", tmp_path / "reports" / "run-b"
    _write(figures / "01_nb" / "poster_reach.png", png(run_id="run-b"))
    _write(figures / "01_nb" / "poster_reach.svg", svg("run-b"))
    _write(figures / "05_nb" / "poster_likert.svg", svg("run-a"))  # 05 skipped, its outputs from run-a
    _write(figures / "10_nb" / "poster_reach.png", png(run_id="run-0"))  # a notebook that no longer makes it
    _write(figures / "10_nb" / "poster_reach.svg", svg("run-0"))
    _write(figures / "01_nb" / "poster_drawn_by_hand.png", png())  # no run id: whose is it?
    _write(figures / "01_nb" / "gaps.svg", svg("run-b"))  # not a poster figure
    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [1, 2])
    save_figure(fig, "poster_gaps", notebook="01_nb", figures_dir=figures,
                metadata={"run_id": "run-b", "source": "test", "synthetic": False})
    plt.close(fig)
    assert figure_run(figures / "01_nb" / "poster_gaps.pdf") == "run-b"

    copied, left_out = poster_pack(figures, run_dir, {"run-b", "run-a"})
    assert sorted(p.relative_to(run_dir).as_posix() for p in copied) == [
        "poster_pack/01_nb/poster_gaps.pdf", "poster_pack/01_nb/poster_gaps.png", "poster_pack/01_nb/poster_gaps.svg",
        "poster_pack/01_nb/poster_reach.png", "poster_pack/01_nb/poster_reach.svg",
        "poster_pack/05_nb/poster_likert.svg"]
    assert sorted(p.relative_to(figures).as_posix() for p in left_out) == [
        "01_nb/poster_drawn_by_hand.png", "10_nb/poster_reach.png", "10_nb/poster_reach.svg"]
    assert (run_dir / "poster_pack" / "01_nb" / "poster_reach.svg").read_bytes() == svg("run-b")
