"""The background figure writer: a notebook's figures drawn in another process.

Each kernel has one :class:`FigureWriter` (:func:`figure_writer`), which draws the
PNG, SVG and PDF of the figures handed to it (:func:`lcanalysis.plots.style.draw_figure_files`)
in one spawned process while the notebook goes on, and writes the files of a figure
drawn before from what was kept (:mod:`lcanalysis.plots.drawn`).
"""

from __future__ import annotations

import itertools
import os
import weakref
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from lcanalysis.errors import LcanalysisError
from lcanalysis.plots.style import (
    FigureFiles,
    draw_figure_files,
    figure_files,
    style_rc,
    write_drawn_files,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class FigureExportError(LcanalysisError):
    """The background writer could not write a figure's files."""


@dataclass
class FigureExport:
    """A figure handed to the :class:`FigureWriter`: its ``notebook/name`` and the
    pending write."""

    label: str
    future: Future


class FigureWriter:
    """Writes figures (:func:`write_figure_files`) in one background process, in the
    order they are given, so the notebook goes on while PNG, SVG and PDF are drawn.

    :meth:`submit` checks the arguments (:func:`figure_files`) at once and pickles
    the figure with the rcParams of the moment; the process draws its copy, so the
    notebook may go on changing and showing the original. A figure given again
    unchanged (another size of the same chart, next) is drawn from the writer's copy
    as it is after the first save: what :func:`save_figure` called twice on the figure
    would write, byte for byte. :meth:`wait` returns once the given figures are
    written and raises :class:`FigureExportError` naming each one that failed.

    Given a ``drawn_dir``, a figure drawn before with everything its files depend on
    alike is not drawn again: the files drawn then are written, with this run's id
    (:mod:`lcanalysis.plots.drawn`); what is drawn is kept there.

    A process, not a thread: matplotlib's rcParams are global, and saving changes them.
    """

    def __init__(self) -> None:
        self._pool = None
        self._last: _Handed | None = None
        self._tokens = itertools.count()

    def submit(self, fig: Figure, name: str, *, drawn_dir: Path | None = None, **arguments) -> FigureExport:
        """Hand ``fig`` to the writer; ``arguments`` as for :func:`save_figure`."""
        import pickle

        from lcanalysis.plots import drawn

        files = figure_files(fig, name, **arguments)
        rc = style_rc()
        last = self._last
        if last is not None and last.figure() is fig and not fig.stale:
            key = drawn.next_key(last.key, files) if last.key else None
        else:
            payload = pickle.dumps(fig)
            key = drawn.figure_key(fig, rc, files) if drawn_dir is not None else None
            last = self._last = _Handed(weakref.ref(fig), next(self._tokens), payload, rc, key)
            fig.stale = False  # any change to the figure from now on sets it again
        label = f"{arguments.get('notebook')}/{name}"
        before = drawn.lookup(drawn_dir, key, files.run_id) if key is not None else None
        if before is not None:
            job = (_write_drawn, before, files)
        else:
            # the writer's copy is as the earlier saves of the chain left it only if it drew them all
            replay = [] if last.saves == last.copy_saves else list(last.saves)
            payload = None if last.copy_saves and not replay else last.payload
            job = (_write_copy, last.token, payload, last.rc, replay, files,
                   drawn_dir if key is not None else None, key)
            last.copy_saves = [*last.saves, files]
        last.saves.append(files)
        return FigureExport(label, self._executor().submit(*job))

    def wait(self, exports: list[FigureExport]) -> None:
        """Return once every export is written; raise naming those that failed."""
        from concurrent.futures.process import BrokenProcessPool

        failed = []
        for export in exports:
            try:
                export.future.result()
            except BrokenProcessPool as err:
                self._pool = None  # a new process for the next figures
                self._last = None  # and a new copy there
                failed.append(f"{export.label}: the figure writer's process died ({err})")
            except Exception as err:  # noqa: BLE001 - every failure is reported, with its figure
                failed.append(f"{export.label}: {type(err).__name__}: {err}")
        if failed:
            raise FigureExportError(f"{len(failed)} figure(s) not written: " + "; ".join(failed))

    def _executor(self):
        if self._pool is None:
            import multiprocessing
            import sys
            from concurrent.futures import ProcessPoolExecutor

            # spawn, not fork (a forked child inherits polars' threads mid-state); spawn
            # reads __main__.__spec__, which a kernel reset between notebooks may lack
            main = sys.modules.get("__main__")
            if main is not None and not hasattr(main, "__spec__"):
                main.__spec__ = None
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start_writer)
        return self._pool


@dataclass
class _Handed:
    """Kernel side: the figure last handed to the writer, and what became of its saves."""

    figure: weakref.ref
    token: int
    payload: bytes
    """The figure as it was handed over (the kernel's own may be drawn inline since)."""
    rc: dict
    key: str | None
    """Its key for figures drawn before (:mod:`lcanalysis.plots.drawn`), or None."""
    saves: list[FigureFiles] = field(default_factory=list)
    """Every save asked for, in order."""
    copy_saves: list[FigureFiles] = field(default_factory=list)
    """The saves the writer's copy of ``token`` has been through."""


@cache
def figure_writer() -> FigureWriter:
    """This process's background figure writer (one per kernel)."""
    return FigureWriter()


_WRITER_COPY: dict[int, Figure] = {}
"""Writer side: the figure last handed over, by token."""


def _start_writer() -> None:
    """Writer side: the non-interactive backend, whatever the kernel's was; and deaf
    to Ctrl-C. Jupyter interrupts the kernel's whole process group when it shuts the
    kernel down, which left a KeyboardInterrupt traceback of the idle writer in every
    kernel's log; the writer ends when the kernel does (its queue closes)."""
    import signal

    os.environ["MPLBACKEND"] = "agg"
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _write_copy(token: int, payload: bytes | None, rc: dict, replay: list[FigureFiles],
                files: FigureFiles, drawn_dir: Path | None, key: str | None) -> dict[str, Path]:
    """Writer side: unpickle the figure (or take the copy of ``token``), draw it through
    the ``replay`` saves it missed (the files were written from figures drawn before),
    then draw and write it; and keep the files in ``drawn_dir``, if given."""
    import pickle

    import matplotlib
    import matplotlib.pyplot as plt

    from lcanalysis.plots import drawn

    matplotlib.rcParams.update(rc)
    if payload is not None:
        for old in _WRITER_COPY.values():
            plt.close(old)
        _WRITER_COPY.clear()
        _WRITER_COPY[token] = pickle.loads(payload)
    fig = _WRITER_COPY[token]
    for earlier in replay:
        draw_figure_files(fig, earlier)
    contents = draw_figure_files(fig, files)
    written = write_drawn_files(files, contents)
    if drawn_dir is not None and key is not None:
        drawn.keep(drawn_dir, key, files, contents)
    return written


def hand_over(executor, fig: Figure, files: FigureFiles, formats: Sequence[str]) -> Future:
    """Have ``executor`` (a pool of other processes, whose matplotlib backend is Agg)
    draw the ``formats`` of ``fig``'s ``files`` and write them; the figure is pickled
    now, with the style settings of the moment, so the caller may go on drawing the
    other formats itself. The future's result is what :func:`write_drawn_files`
    returns. The drawing is :func:`save_figure`'s, not always its bytes: without the
    formats drawn before it there, the layout may place things up to a few thousandths
    of a point apart (text measured at another resolution before), and an SVG names
    its clip paths (hashes of where they are) otherwise. For a figure kept by its
    bytes, use the :class:`FigureWriter`."""
    import pickle

    return executor.submit(_write_formats, pickle.dumps(fig), style_rc(), files, tuple(formats))


def _write_formats(payload: bytes, rc: dict, files: FigureFiles, formats: tuple[str, ...]) -> dict[str, Path]:
    """The other process's side of :func:`hand_over`."""
    import pickle

    import matplotlib
    import matplotlib.pyplot as plt

    matplotlib.rcParams.update(rc)
    fig = pickle.loads(payload)
    try:
        return write_drawn_files(files, draw_figure_files(fig, files, formats))
    finally:
        plt.close(fig)


def _write_drawn(before, files: FigureFiles) -> dict[str, Path]:
    """Writer side: write the files of a figure drawn before (:mod:`lcanalysis.plots.drawn`)
    with this run's id."""
    from lcanalysis.plots import drawn

    return write_drawn_files(files, drawn.restamp(before, files.run_id))
