"""The revision chart labels a readable number of runs: labels for each of many runs
ran into one another (10 to 14 as ten digits), which the privacy gate then read in the PDF as
an identity number and refused the run."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from lcanalysis import privacy  # noqa: E402
from lcanalysis.pipeline import changes as ch  # noqa: E402
from lcanalysis.plots.style import save_figure  # noqa: E402


@pytest.mark.parametrize(("runs", "labelled"), [
    (1, [0]), (3, [0, 1, 2]), (7, list(range(7))), (8, [1, 3, 5, 7]),
    (14, [1, 3, 5, 7, 9, 11, 13]), (15, [2, 5, 8, 11, 14]), (40, [3, 9, 15, 21, 27, 33, 39])])
def test_at_most_seven_runs_are_labelled_the_newest_always(runs, labelled):
    assert ch.run_ticks(runs) == labelled
    assert len(labelled) <= ch.RUN_TICKS_MAX and labelled[-1] == runs - 1


INDICATORS = [  # (unit, proportion, value, low, high): the kinds of the report's headline findings
    ("percentage_points", False, 41.2, 32.5, 48.3), ("percentage_points", False, 77.9, 75.1, 80.6),
    (None, True, 0.883, 0.845, 0.912), (None, True, 0.860, 0.727, 0.934), ("number", False, 7.6, 6.9, 8.4)]


def _rows(runs: int) -> list[dict]:
    """The five headline indicators over ``runs`` runs of one day (so the runs are
    numbered), in three panels a row as the report's chart has them."""
    return [{"run_id": f"20261201T{10 + i // 60:02d}{i % 60:02d}00Z-abc{i:03d}",
             "started": f"2026-12-01T10:{i:02d}:00+00:00",
             "id": f"10_lessons_learnt/findings?finding=f{k}",
             "label": f"Indicator {k}: learning centre minus campus", "proportion": proportion,
             "unit": unit, "value": value * (1 + 0.001 * i), "ci_low": low, "ci_high": high,
             "n": 119, "suppressed": None}
            for k, (unit, proportion, value, low, high) in enumerate(INDICATORS) for i in range(runs)]


@pytest.mark.parametrize("runs", [14, 23])
def test_a_chart_of_many_runs_passes_the_privacy_gate(tmp_path, runs):
    fig = ch.revision_chart(_rows(runs), lang="sv", synthetic=True)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == [str(i + 1) for i in ch.run_ticks(runs)] and labels[-1] == str(runs)
    files = save_figure(fig, "revision_history", notebook="changes", size="report_page", figures_dir=tmp_path,
                        metadata={"source": "test", "run_id": "run-1"})
    plt.close(fig)
    assert privacy.scan([files["pdf"], files["svg"], files["png"]], names=set()) == []
