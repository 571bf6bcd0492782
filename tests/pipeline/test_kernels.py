"""Warm kernels (lcanalysis.pipeline.kernels): a notebook run in a kernel that has
already run another notebook gives what it gives in a fresh kernel."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import papermill
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from lcanalysis.pipeline.kernels import KernelStartError, WarmKernel

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
    "import sys\nprint(getattr(sys.modules['__main__'], '__spec__', 'missing'))",
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
            kernel.execute_notebook(source, target, cwd=folder, log=log, progress_bar=False)
    finally:
        kernel.shutdown()
    return done


@pytest.mark.slow  # end to end: a notebook executed in a warm and in a fresh kernel
def test_a_warm_kernel_runs_a_notebook_as_a_fresh_kernel_does(runs):
    fresh, warm = outputs(runs["fresh"]), outputs(runs["warm"])
    assert warm == fresh
    # What the probe found: nothing left behind by the first notebook.
    # (and the same warning filters and polars settings as a fresh kernel, cell 3)
    assert fresh[1][1] == ["False 1.5 notebooks 0\n"]
    # Cells numbered from 1; both figures shown (not only the first).
    assert fresh[3][1] == ["None\n"]  # __main__.__spec__, which spawning processes reads
    assert [count for count, _ in warm] == [1, 2, 3, 4, 5, 6]
    assert warm[4][1] == warm[5][1] == ["<Figure size 640x480 with 1 Axes>"]


def test_the_kernel_is_shut_down_and_a_dead_kernel_is_replaced(tmp_path):
    folder = tmp_path
    probe = write_notebook(folder / "probe.ipynb", ["import os\nprint(os.getpid())"])
    kernel = WarmKernel("python3")
    try:
        pids, clients = [], []
        for _ in range(3):
            kernel.execute_notebook(probe, folder / "out.ipynb", cwd=folder, log=folder / "kernel.log",
                                    progress_bar=False)
            pids.append(int(outputs(folder / "out.ipynb")[0][1][0]))
            clients.append(kernel.client)
            if len(pids) == 2:
                os.kill(pids[-1], signal.SIGKILL)  # a kernel that died is started again
                time.sleep(0.5)
        assert pids[0] == pids[1] != pids[2]
        # one client per kernel, for its resets and every notebook; a new one for the new kernel
        assert clients[0] is clients[1] is not clients[2]
        assert not clients[0].channels_running
    finally:
        kernel.shutdown()
    assert kernel.manager is None and kernel.client is None
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.kill(pids[2], 0)  # shut down, not left running


# --------------------------------------------------------------------------- start-up


def kernel_spec(root: Path, name: str, prelude: str) -> str:
    """A kernel spec ``name`` under ``root`` whose process runs ``prelude`` (Python)
    before it starts ipykernel: a slow machine, or a kernel that dies."""
    folder = root / "kernels" / name
    folder.mkdir(parents=True)
    code = f"{prelude}\nfrom ipykernel import kernelapp\nkernelapp.launch_new_instance()"
    spec = {"argv": [sys.executable, "-c", code, "-f", "{connection_file}"],
            "display_name": name, "language": "python"}
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return name


@pytest.fixture
def kernel_specs(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "jupyter"
    monkeypatch.setenv("JUPYTER_PATH", str(root))
    return root


def run_probe(kernel: WarmKernel, folder: Path) -> int:
    """The pid the probe notebook prints, run in ``kernel``."""
    probe = folder / "probe.ipynb"
    if not probe.is_file():
        write_notebook(probe, ["import os\nprint(os.getpid())"])
    kernel.execute_notebook(probe, folder / "out.ipynb", cwd=folder, log=folder / "kernel.log", progress_bar=False)
    return int(outputs(folder / "out.ipynb")[0][1][0])


@pytest.mark.slow
def test_a_kernel_that_is_slow_to_start_is_waited_for(tmp_path, kernel_specs):
    # Nothing answers for 4 s: not the heartbeat, not the shell. A client that judged
    # "alive" by heartbeats gave up on such a kernel after about a second.
    name = kernel_spec(kernel_specs, "slow", "import time\ntime.sleep(4)")
    kernel = WarmKernel(name, startup_timeout=60)
    try:
        pid = run_probe(kernel, tmp_path)
        assert pid == kernel.manager.provisioner.pid
    finally:
        kernel.shutdown()
    assert "kernel start failed" not in (tmp_path / "kernel.log").read_text()


@pytest.mark.slow
def test_a_kernel_that_is_busy_importing_is_waited_for(tmp_path, kernel_specs):
    # The heartbeat answers at once, the shell only after 4 s (imports on a busy laptop).
    name = kernel_spec(kernel_specs, "busy", "import sys\nsys.argv += ['--IPKernelApp.exec_lines=[\"import time; time.sleep(4)\"]']")
    kernel = WarmKernel(name, startup_timeout=60)
    try:
        run_probe(kernel, tmp_path)
    finally:
        kernel.shutdown()


def test_a_kernel_that_dies_once_at_start_up_is_started_again(tmp_path, kernel_specs):
    marker = tmp_path / "died-once"
    name = kernel_spec(kernel_specs, "flaky",
                       f"import os, sys\nif not os.path.exists({str(marker)!r}):\n"
                       f"    open({str(marker)!r}, 'w').close()\n    sys.exit(3)")
    kernel = WarmKernel(name, startup_timeout=60)
    try:
        run_probe(kernel, tmp_path)
    finally:
        kernel.shutdown()
    log = (tmp_path / "kernel.log").read_text()
    assert marker.exists()
    assert log.count("starting kernel 'flaky'") == 2
    assert "kernel start failed: the kernel process ended" in log


def test_a_kernel_that_always_dies_fails_with_a_message_naming_its_log(tmp_path, kernel_specs):
    name = kernel_spec(kernel_specs, "broken", "import sys\nprint('no GPU driver', file=sys.stderr)\nsys.exit(3)")
    kernel = WarmKernel(name, startup_timeout=60)
    with pytest.raises(KernelStartError) as caught:
        kernel.ready(tmp_path, tmp_path / "kernel.log")
    message = str(caught.value)
    assert "'broken' could not be started (2 attempt(s), 60 s each)" in message
    assert "the kernel process ended" in message and str(tmp_path / "kernel.log") in message
    assert kernel.manager is None
    log = (tmp_path / "kernel.log").read_text()
    assert log.count("no GPU driver") == 2  # the kernel's own stderr is kept


def test_a_kernel_that_never_answers_fails_after_the_start_up_timeout(tmp_path, kernel_specs):
    name = kernel_spec(kernel_specs, "hung", "import time\ntime.sleep(600)")
    kernel = WarmKernel(name, startup_timeout=2, attempts=1)
    with pytest.raises(KernelStartError, match=r"1 attempt\(s\), 2 s each\): no answer"):
        kernel.ready(tmp_path, tmp_path / "kernel.log")
    assert kernel.manager is None  # the hung process was killed, not left behind


@pytest.fixture
def busy_cores():
    """Two processes that burn a core each, for at most three minutes, always stopped."""
    burners = [subprocess.Popen([sys.executable, "-c",
                                 "import time\nend = time.monotonic() + 180\n"
                                 "while time.monotonic() < end: pass"]) for _ in range(2)]
    try:
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


@pytest.mark.slow
def test_warm_kernels_start_and_serve_while_both_cores_are_busy(tmp_path, busy_cores):
    # Two workers start their kernels at the same moment, as `lcanalysis run` does,
    # while two other processes keep both cores busy; each serves three notebooks.
    folders = [tmp_path / "a", tmp_path / "b"]
    for folder in folders:
        folder.mkdir()
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        pids = list(pool.map(_serve_three, folders))
    for served in pids:
        assert len(served) == 3 and len(set(served)) == 1  # one warm kernel, never replaced


def _serve_three(folder: Path) -> list[int]:
    kernel = WarmKernel("python3", startup_timeout=60)
    try:
        return [run_probe(kernel, folder) for _ in range(3)]
    finally:
        kernel.shutdown()


@pytest.mark.slow  # two kernels started
def test_a_kernel_preloaded_runs_a_notebook_as_a_fresh_kernel_does(runs, tmp_path):
    folder = runs["fresh"].parent / "notebooks"
    log = tmp_path / "kernel.log"
    kernel = WarmKernel("python3")
    try:
        kernel.ready(folder, log)
        kernel.preload(["polars", "matplotlib.pyplot", "no_such_module_here", "tabnanny"], log=log)
        found = tmp_path / "found.ipynb"
        source = write_notebook(tmp_path / "found-source.ipynb",
                                ["import sys\nprint('polars' in sys.modules, 'tabnanny' in sys.modules)"])
        kernel.execute_notebook(source, found, cwd=folder, log=log, progress_bar=False)
        warm = tmp_path / "warm.ipynb"
        kernel.execute_notebook(folder / "probe.ipynb", warm, cwd=folder, log=log, progress_bar=False)
    finally:
        kernel.shutdown()
    # imported up to the module that is missing, which is named in the kernel's log
    assert outputs(found) == [(1, ["True False\n"])]
    assert "no_such_module_here" in log.read_text()
    assert outputs(warm) == outputs(runs["fresh"])


# ------------------------------------------------------------------- saving the notebook


def test_the_executed_notebook_is_written_once_when_it_ends(tmp_path, monkeypatch):
    import papermill.engines

    writes: list[str] = []
    real_write = papermill.engines.write_ipynb
    monkeypatch.setattr(papermill.engines, "write_ipynb",
                        lambda nb, path, **kw: (writes.append(path), real_write(nb, path, **kw))[1])
    source = write_notebook(tmp_path / "four.ipynb", ["a = 1", "print(a + 1)", "b = 3", "print(a + b)"])
    kernel = WarmKernel("python3")
    try:
        kernel.execute_notebook(source, tmp_path / "out.ipynb", cwd=tmp_path, log=tmp_path / "kernel.log",
                                progress_bar=False)
    finally:
        kernel.shutdown()
    # papermill alone writes it 10 times here: at the start, before and after each cell, at the end
    assert writes == [str(tmp_path / "out.ipynb")]
    assert outputs(tmp_path / "out.ipynb") == [(1, []), (2, ["2\n"]), (3, []), (4, ["4\n"])]


def test_a_notebook_whose_kernel_dies_is_written_as_far_as_it_ran(tmp_path):
    source = write_notebook(tmp_path / "dies.ipynb", [
        "print('before')", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "print('never')"])
    kernel = WarmKernel("python3")
    try:
        with pytest.raises(Exception, match="(?i)dead|died"):
            kernel.execute_notebook(source, tmp_path / "out.ipynb", cwd=tmp_path, log=tmp_path / "kernel.log",
                                    progress_bar=False)
    finally:
        kernel.shutdown()
    found = outputs(tmp_path / "out.ipynb")
    assert found[0] == (1, ["before\n"]) and found[2] == (None, [])
    papermill_meta = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells
    assert papermill_meta[0].metadata.papermill["status"] == "completed"
