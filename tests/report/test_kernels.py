"""Warm kernels (lcanalysis.report.kernels): a notebook run in a kernel that has
already run another notebook gives what it gives in a fresh kernel."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import nbformat
import papermill
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from lcanalysis.report.kernels import WarmKernel

# The first notebook changes everything a notebook can leave behind in its kernel.
LITTERING = [
    "import os, warnings\nimport matplotlib, matplotlib.pyplot as plt\nimport polars as pl",
    "left_behind = 42\nmatplotlib.rcParams['lines.linewidth'] = 9\n"
    "warnings.simplefilter('ignore')\npl.Config.set_tbl_rows(3)\nos.chdir('/')",
    "fig, ax = plt.subplots()\nax.plot([1, 2])",
    "fig2 = plt.figure()  # left open",
]

# The second reports on the state it finds, and makes two figures.
PROBE = [
    "import os, warnings\nimport matplotlib, matplotlib.pyplot as plt\nimport polars as pl",
    "print('left_behind' in dir(), matplotlib.rcParams['lines.linewidth'],\n"
    "      os.path.basename(os.getcwd()), len(plt.get_fignums()))",
    "print(warnings.filters, pl.Config.state(if_set=True))",
    "fig, ax = plt.subplots()\n_ = ax.plot([3, 1])",
    "fig, ax = plt.subplots()\n_ = ax.plot([1, 3])",
]


def write_notebook(path: Path, sources: list[str]) -> Path:
    notebook = new_notebook(cells=[new_code_cell(s) for s in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def outputs(path: Path) -> list[tuple[int | None, list[str]]]:
    """Per code cell: its execution count and its outputs (text, or the output type)."""
    cells = nbformat.read(path, as_version=4).cells
    return [
        (cell.execution_count,
         [o.get("text") or o.get("data", {}).get("text/plain") or o.output_type for o in cell.outputs])
        for cell in cells
    ]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("kernels") / "notebooks"
    folder.mkdir()
    littering = write_notebook(folder / "littering.ipynb", LITTERING)
    probe = write_notebook(folder / "probe.ipynb", PROBE)
    log = folder.parent / "kernel.log"
    done = {"fresh": folder.parent / "fresh.ipynb", "warm": folder.parent / "warm.ipynb"}
    papermill.execute_notebook(str(probe), str(done["fresh"]), kernel_name="python3",
                               cwd=str(folder), progress_bar=False)
    kernel = WarmKernel("python3")
    try:
        for source, target in ((littering, folder.parent / "littering-out.ipynb"), (probe, done["warm"])):
            manager = kernel.ready(folder, log)
            papermill.execute_notebook(str(source), str(target), kernel_name="python3", km=manager,
                                       cwd=str(folder), progress_bar=False)
    finally:
        kernel.shutdown()
    return done


def test_a_warm_kernel_runs_a_notebook_as_a_fresh_kernel_does(runs):
    fresh, warm = outputs(runs["fresh"]), outputs(runs["warm"])
    assert warm == fresh
    # What the probe found: nothing left behind by the first notebook.
    # (and the same warning filters and polars settings as a fresh kernel, cell 3)
    assert fresh[1][1] == ["False 1.5 notebooks 0\n"]
    # Cells numbered from 1; both figures shown (not only the first).
    assert [count for count, _ in warm] == [1, 2, 3, 4, 5]
    assert warm[3][1] == warm[4][1] == ["<Figure size 640x480 with 1 Axes>"]


def test_the_kernel_is_shut_down_and_a_dead_kernel_is_replaced(tmp_path):
    folder = tmp_path
    probe = write_notebook(folder / "probe.ipynb", ["import os\nprint(os.getpid())"])
    kernel = WarmKernel("python3")
    try:
        pids = []
        for _ in range(3):
            manager = kernel.ready(folder, folder / "kernel.log")
            papermill.execute_notebook(str(probe), str(folder / "out.ipynb"), kernel_name="python3",
                                       km=manager, cwd=str(folder), progress_bar=False)
            pids.append(int(outputs(folder / "out.ipynb")[0][1][0]))
            if len(pids) == 2:
                os.kill(pids[-1], signal.SIGKILL)  # a kernel that died is started again
                time.sleep(0.5)
        assert pids[0] == pids[1] != pids[2]
    finally:
        kernel.shutdown()
    assert kernel.manager is None
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.kill(pids[2], 0)  # shut down, not left running
