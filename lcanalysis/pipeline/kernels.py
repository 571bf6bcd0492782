"""Warm kernels: one Jupyter kernel runs notebook after notebook, reset in between.

Starting a kernel and importing what the notebooks need (polars, pandas, matplotlib,
scipy, statsmodels) costs every notebook 4-7 s before its first result, which made
up most of a pipeline run of 16 notebooks on two cores. So each worker process of
``lcanalysis run`` keeps one kernel (:class:`WarmKernel`) and hands it to papermill
for each of its notebooks (nbclient's ``km``: a kernel manager that the caller owns
is neither started nor shut down per notebook).

Before every notebook the kernel is put back in the state a fresh kernel is in
(:func:`restore`, run inside the kernel):

- the user namespace is emptied (IPython's ``reset``, as ``%reset -f``: every
  variable, the output history);
- open figures are closed, matplotlib's ``rcParams`` and the warning filters are
  set back to what they were when the kernel was new, polars' display settings to
  its defaults;
- ``__main__.__spec__`` is there again (None), as multiprocessing's spawn needs;
- the working directory is the notebook's folder, and the execution count starts
  at 1 again, so the executed notebook numbers its cells as a fresh kernel would.

What stays is what makes the next notebook fast: imported modules, and the caches
of pure functions, which are moved out of the garbage collector's sight
(``gc.freeze``) so that it does not walk them again in every notebook. tests/pipeline/test_kernels.py checks that notebooks run in a warm
kernel give the same outputs as in fresh kernels.

Each kernel has one client (:attr:`WarmKernel.client`), connected and waited for once
when the kernel is started, and used for every reset and by papermill for every
notebook (:meth:`WarmKernel.execute_notebook`, through :func:`connected_engine`).
A new client per notebook, as papermill makes by default, waits for the kernel
again (jupyter_client's ``wait_for_ready``), and that ends only after 0.2 s with no
message on the output channel: two such waits a notebook (the reset's and
papermill's) were 0.4 s of 0.7 s a centre profile took on a fast machine. The replies
and outputs a client reads are those of its own requests (by message id), so one
notebook's late messages are never read as the next one's.

Start-up is correct on a slow or busy machine by construction: the client that waits
for the kernel's first reply is the kernel manager's own (``manager.client()``), which
judges "alive" by the kernel *process*, not by the heartbeat channel. A client built
from the connection file alone judges by heartbeats, which do not beat yet while a
kernel is still importing on a loaded machine, and so declared such kernels dead after
about a second ("Kernel died before replying to kernel_info"). The wait is bounded by
``startup_timeout`` (config/pipeline.yaml, ``kernel.startup_timeout_s``).

A kernel that died (or was never started) is started before the next notebook. A
kernel that dies or does not answer during start-up is started once more; only when
that fails too does the notebook fail, with :class:`KernelStartError` naming the
kernel's log. The worker's kernel is shut down when the worker process exits.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from lcanalysis.errors import LcanalysisError

_FRESH: dict[str, object] = {}
"""Kernel side: the state of the kernel when it was new (see :func:`restore`)."""


def restore(cwd: str) -> None:
    """Kernel side: put the kernel back in a fresh kernel's state for the next notebook.

    Called (after IPython's ``reset``) by :meth:`WarmKernel.reset`. The first call, in a
    kernel that has run nothing yet, records that state.
    """
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.style.core import STYLE_BLACKLIST

    if not _FRESH:
        # The style settings only: not the backend or interactive mode, which the
        # inline backend sets up once, when the first figure is made.
        _FRESH["rc"] = {k: v for k, v in matplotlib.rcParams.items() if k not in STYLE_BLACKLIST}
        _FRESH["warnings"] = list(warnings.filters)
    else:
        plt.close("all")
        matplotlib.rcParams.update(_FRESH["rc"])
        warnings.filters[:] = _FRESH["warnings"]  # type: ignore[index]
        # What warnings.resetwarnings does after changing the filters (the name of
        # this private hook differs between Python versions).
        getattr(warnings, "_filters_mutated", lambda: None)()
        if "polars" in sys.modules:
            sys.modules["polars"].Config.restore_defaults()
    # IPython's reset empties __main__'s namespace, __spec__ included, which a fresh
    # kernel has (as None) and multiprocessing's spawn reads.
    main = sys.modules["__main__"]
    if not hasattr(main, "__spec__"):
        main.__spec__ = None
    os.chdir(cwd)
    # What is left after the reset (the reset has just collected garbage) is the
    # kernel's for good: modules, the caches of pure functions. Frozen, it is no
    # longer walked by every collection, the reset's included (0.1-0.15 s a notebook).
    gc.freeze()


# InteractiveShell.reset(new_session=True) is what ``%reset -f`` does, and also starts
# a new history session with the execution count back at 1.
_RESET = "get_ipython().reset(new_session=True)\n" \
    "import lcanalysis.pipeline.kernels as _lcanalysis_kernels\n" \
    "_lcanalysis_kernels.restore({cwd!r})\n" \
    "del _lcanalysis_kernels\n"

KERNEL_IMPORTS = ("lcanalysis.notebook", "lcanalysis.report.narrative", "lcanalysis.stats",
                  "lcanalysis.plots.charts", "matplotlib.pyplot")
"""What a warmed-up kernel imports before its first notebook
(:func:`lcanalysis.pipeline.execute.warm_worker`): what the notebooks' first cells
import (the notebook helper, its narrative, the charts, pyplot) and the intervals
every indicator module computes with (:mod:`lcanalysis.stats`: statsmodels and
scipy.stats, 2.5 s of a kernel's 3.5-4 s of imports). Every kernel of a run that
executes more than a couple of notebooks imports them all anyway."""

# The imports stay in sys.modules; the names go with the next notebook's reset.
_PRELOAD = "import importlib as _lcanalysis_importlib\n" \
    "for _lcanalysis_module in {modules!r}:\n" \
    "    _lcanalysis_importlib.import_module(_lcanalysis_module)\n" \
    "del _lcanalysis_importlib, _lcanalysis_module\n"


class KernelStartError(LcanalysisError):
    """The kernel could not be started (it died or did not answer, twice)."""


class WarmKernel:
    """A kernel of one worker process, reused for each notebook the worker runs.

    Parameters
    ----------
    kernel_name:
        The Jupyter kernel spec (``python3``).
    startup_timeout:
        Seconds a new kernel may take to answer its first request.
    attempts:
        How many times a kernel is started before the notebook fails.
    """

    def __init__(self, kernel_name: str, *, startup_timeout: float = 60.0, attempts: int = 2) -> None:
        self.kernel_name = kernel_name
        self.startup_timeout = startup_timeout
        self.attempts = attempts
        self.manager = None
        self.client = None
        """The kernel's client, connected once it has answered (see the module docstring)."""

    def start(self, cwd: Path, log: Path) -> None:
        """Launch the kernel process if there is none or it died, and return at once:
        :meth:`ready` waits for it to answer (a worker imports papermill meanwhile)."""
        from jupyter_core.utils import run_sync

        if self.manager is None or not run_sync(self.manager.is_alive)():
            self._start(cwd, log)

    def execute_notebook(self, input_path: Path, output_path: Path, *, cwd: Path, log: Path,
                         **options) -> None:
        """Execute a notebook with papermill in this kernel, reset for it first (and
        started if need be: see :meth:`ready`), through the kernel's own client.
        ``options`` are papermill's (``parameters``, ``progress_bar`` ...); ``log`` is
        the kernel's log."""
        import papermill

        self.ready(cwd, log)
        papermill.execute_notebook(str(input_path), str(output_path), engine_name=connected_engine(),
                                   kernel_name=self.kernel_name, km=self.manager, kc=self.client,
                                   cwd=str(cwd), **options)

    def ready(self, cwd: Path, log: Path) -> None:
        """Reset the kernel for a notebook in ``cwd``; a kernel is started first if
        there is none or it died (its stderr appended to ``log``).

        Notebooks go to the kernel through :meth:`execute_notebook`, never through
        another client of :attr:`manager`: the clients of one manager share its
        session, and the kernel sends each reply to the last client of that session
        to connect, so the kernel's own client would wait for replies in vain.

        Raises
        ------
        KernelStartError
            When the kernel died or did not answer within ``startup_timeout`` on every
            attempt.
        """
        from jupyter_core.utils import run_sync

        problems: list[str] = []
        for _ in range(self.attempts):
            self.start(cwd, log)
            try:
                run_sync(self._reset)(cwd)
            except (RuntimeError, TimeoutError) as err:
                alive = run_sync(self.manager.is_alive)()
                problems.append(
                    f"{'no answer' if alive else 'the kernel process ended'} ({' '.join(str(err).split())})"
                )
                note(log, f"kernel start failed: {problems[-1]}")
                self.shutdown()
                continue
            return
        raise KernelStartError(
            f"the Jupyter kernel {self.kernel_name!r} could not be started "
            f"({len(problems)} attempt(s), {self.startup_timeout:g} s each): {'; '.join(problems)}; "
            f"the kernel's messages are in {log}"
        )

    def _start(self, cwd: Path, log: Path) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.shutdown()
        self.manager = AsyncKernelManager(kernel_name=self.kernel_name)
        note(log, f"starting kernel {self.kernel_name!r}")
        with open(log, "ab") as stderr:
            run_sync(self.manager.start_kernel)(cwd=str(cwd), stderr=stderr)

    def preload(self, modules: Sequence[str], *, log: Path) -> None:
        """Import ``modules`` in the kernel (started by :meth:`ready`), so that the
        notebooks find them imported. A module that cannot be imported is left to the
        notebook that imports it, which shows the error where it belongs; it is noted
        in ``log``."""
        from jupyter_core.utils import run_sync

        content = run_sync(self._execute)(_PRELOAD.format(modules=list(modules)))
        if content["status"] != "ok":
            note(log, f"importing {', '.join(modules)} ahead of the notebooks failed: "
                      f"{content.get('ename')}: {content.get('evalue')}")

    async def _reset(self, cwd: Path) -> None:
        """Wait for the kernel, then run :func:`restore` in it (an error there is raised here)."""
        content = await self._execute(_RESET.format(cwd=str(cwd)))
        if content["status"] != "ok":
            raise KernelStartError(
                f"resetting the kernel failed: {content.get('ename')}: {content.get('evalue')}"
            )

    async def _execute(self, code: str) -> dict:
        """Run ``code`` in the kernel (outside its history) and return the reply's
        content; the kernel's client is connected first, waiting for the kernel, if it
        is not yet."""
        if self.client is None:
            client = self.manager.client()
            client.start_channels()
            try:
                await client.wait_for_ready(timeout=self.startup_timeout)
            except BaseException:
                client.stop_channels()
                raise
            client.allow_stdin = False  # as papermill's own client: no input() in a run
            self.client = client
        reply = await self.client.execute_interactive(
            code, store_history=False, timeout=self.startup_timeout, output_hook=lambda message: None,
        )
        return reply["content"]

    def shutdown(self) -> None:
        """Shut the kernel down, if there is one (killing it if it does not stop)."""
        if self.client is not None:
            self.client.stop_channels()
            self.client = None
        if self.manager is None:
            return
        from jupyter_core.utils import run_sync

        manager, self.manager = self.manager, None
        if run_sync(manager.is_alive)():
            run_sync(manager.shutdown_kernel)(now=True)
        else:
            run_sync(manager.cleanup_resources)()


@cache
def connected_engine() -> str:
    """The name of papermill's engine for a warm kernel, registered with papermill on
    first use. It is papermill's own nbclient engine but for two things:

    - its notebook client is handed the kernel's connected client (``kc``) instead of
      making a client of its own (nbclient makes one only while it has none);
    - the executed notebook is written once, when it ends (normally, by an error in a
      cell, or by an exception such as a dead kernel or a timeout: papermill's own
      last save is in a ``finally``), not also when it starts and before and after
      every cell. Those 30-40 writes a notebook, each validated by nbformat, were
      made while the kernel waited for the next cell. A notebook's progress is in
      run.log, not in its half-written file."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class SavedAtTheEnd(NotebookExecutionManager):
        def save(self, **kwargs):
            if self.end_time is not None:  # set by notebook_complete, just before its save
                super().save(**kwargs)

    class ConnectedEngine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                             autosave_cell_every=30, **kwargs):
            # papermill's Engine.execute_notebook (2.7), with the manager above
            nb_man = SavedAtTheEnd(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                                   autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, *, kc,
                                     **kwargs):
            # papermill's NBClientEngine.execute_managed_notebook (2.7), with the client
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs,
                timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout, kernel_name=kernel_name, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file,
            )
            client = PapermillNotebookClient(nb_man, **final_kwargs)
            client.kc = kc
            return client.execute()

    name = "lcanalysis-connected"
    papermill_engines.register(name, ConnectedEngine)
    return name


def note(log: Path, message: str) -> None:
    """A line of the runner's own in the kernel's log."""
    stamp = datetime.now(UTC).strftime("%H:%M:%S")
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(f"{stamp} lcanalysis: {message}\n")
