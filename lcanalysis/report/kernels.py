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
- the working directory is the notebook's folder, and the execution count starts
  at 1 again, so the executed notebook numbers its cells as a fresh kernel would.

What stays is what makes the next notebook fast: imported modules, and the caches
of pure functions. tests/report/test_kernels.py checks that notebooks run in a warm
kernel give the same outputs as in fresh kernels.

A kernel that died (or was never started) is started before the next notebook;
the worker's kernel is shut down when the worker process exits.
"""

from __future__ import annotations

import os
from pathlib import Path

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
        import sys

        if "polars" in sys.modules:
            sys.modules["polars"].Config.restore_defaults()
    os.chdir(cwd)


# InteractiveShell.reset(new_session=True) is what ``%reset -f`` does, and also starts
# a new history session with the execution count back at 1.
_RESET = "get_ipython().reset(new_session=True)\n" \
    "import lcanalysis.report.kernels as _lcanalysis_kernels\n" \
    "_lcanalysis_kernels.restore({cwd!r})\n" \
    "del _lcanalysis_kernels\n"


class WarmKernel:
    """A kernel of one worker process, reused for each notebook the worker runs.

    Parameters
    ----------
    kernel_name:
        The Jupyter kernel spec (``python3``).
    """

    def __init__(self, kernel_name: str) -> None:
        self.kernel_name = kernel_name
        self.manager = None

    def ready(self, cwd: Path, log: Path):
        """The kernel manager, reset for a notebook in ``cwd``; a kernel is started
        first if there is none or it died (its stderr appended to ``log``)."""
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        if self.manager is None or not run_sync(self.manager.is_alive)():
            self.shutdown()
            self.manager = AsyncKernelManager(kernel_name=self.kernel_name)
            with open(log, "ab") as stderr:
                run_sync(self.manager.start_kernel)(cwd=str(cwd), stderr=stderr)
        self.reset(cwd)
        return self.manager

    def reset(self, cwd: Path) -> None:
        """Run :func:`restore` in the kernel (an error there is raised here)."""
        from jupyter_client import BlockingKernelClient

        client = BlockingKernelClient(connection_file=self.manager.connection_file)
        client.load_connection_file()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            reply = client.execute_interactive(
                _RESET.format(cwd=str(cwd)), store_history=False, timeout=60,
                output_hook=lambda message: None,
            )
        finally:
            client.stop_channels()
        content = reply["content"]
        if content["status"] != "ok":
            raise RuntimeError(
                f"resetting the kernel failed: {content.get('ename')}: {content.get('evalue')}"
            )

    def shutdown(self) -> None:
        """Shut the kernel down, if there is one."""
        if self.manager is None:
            return
        from jupyter_core.utils import run_sync

        try:
            if run_sync(self.manager.is_alive)():
                run_sync(self.manager.shutdown_kernel)(now=True)
        finally:
            self.manager = None
