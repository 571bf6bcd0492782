"""Figures drawn before (lcanalysis.plots.drawn): a figure drawn again exactly as before
gets the files a new drawing would give, byte for byte, with this run's id; anything
that changes the drawing draws it anew."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest

from lcanalysis.disclosure import mark_protected
from lcanalysis.plots import drawn, style
from lcanalysis.plots import writer as writer_module
from lcanalysis.plots.charts import gap_chart

SIZES = (("page", "report_page"), ("poster", "poster_panel"))
FILES = [f"{stem}.{ext}" for stem, _ in SIZES for ext in ("png", "svg", "pdf")]
RUN_A = "20261201T100000Z-aaaaaa"
RUN_B = "20261202T110000Z-bbbbbb"
SOURCE = "demovärld"  # not ASCII: the PDF writes its Info strings in UTF-16


def _chart(label: str = "first_generation", lang: str = "sv"):
    frame = pl.DataFrame(
        {"characteristic": [label, label, "mature", "mature"],
         "route": ["campus", "learning_centre"] * 2, "numerator": [300, 40, 200, 30],
         "denominator": [1200, 100, 1200, 100], "rate": [0.25, 0.4, 0.17, 0.3],
         "ci_low": [0.226, 0.3, 0.15, 0.2], "ci_high": [0.275, 0.5, 0.19, 0.4],
         "suppressed": [False] * 4, "suppression_reason": [None] * 4},
        schema_overrides={"suppression_reason": pl.Utf8},
    )
    return gap_chart(mark_protected(frame), characteristic="characteristic", synthetic=True, lang=lang)


@pytest.fixture(scope="module")
def writer():
    return writer_module.FigureWriter()


def _submit(writer, fig, folder, run_id, drawn_dir, sizes=SIZES):
    exports = [writer.submit(fig, stem, notebook="nb", size=size, figures_dir=folder, drawn_dir=drawn_dir,
                             metadata={"run_id": run_id, "source": SOURCE})
               for stem, size in sizes]
    writer.wait(exports)


def _contents(folder):
    return {name: (folder / "nb" / name).read_bytes() for name in FILES if (folder / "nb" / name).exists()}


def _fresh(tmp_path, run_id, name="fresh", fig=None):
    """What save_figure writes for the chart, both sizes in turn, in this process."""
    fig = fig or _chart()
    for stem, size in SIZES:
        style.save_figure(fig, stem, notebook="nb", size=size, figures_dir=tmp_path / name,
                          metadata={"run_id": run_id, "source": SOURCE})
    return _contents(tmp_path / name)


def _entries(drawn_dir):
    return sorted(p.name for p in drawn_dir.iterdir()) if drawn_dir.exists() else []


def test_a_figure_drawn_before_gets_the_bytes_a_new_drawing_gives(writer, tmp_path):
    cache = tmp_path / "drawn"
    _submit(writer, _chart(), tmp_path / "a", RUN_A, cache)
    assert len(_entries(cache)) == 2  # one entry per size
    assert _contents(tmp_path / "a") == _fresh(tmp_path, RUN_A, "fresh-a")

    _submit(writer, _chart(), tmp_path / "b", RUN_B, cache)
    assert len(_entries(cache)) == 2  # nothing drawn anew
    b = _contents(tmp_path / "b")
    assert b == _fresh(tmp_path, RUN_B, "fresh-b")
    assert all(RUN_A.encode() not in content for content in b.values())
    from PIL import Image

    for stem, _ in SIZES:  # the PNG's text chunks, rewritten, still check out
        image = Image.open(tmp_path / "b" / "nb" / f"{stem}.png")
        image.load()
        assert image.text["RunId"] == RUN_B


def test_the_files_written_are_those_kept(writer, tmp_path):
    """The second run's files come from what was kept (not drawn again): a mark put into
    a kept SVG comes out."""
    cache = tmp_path / "drawn"
    _submit(writer, _chart(), tmp_path / "a", RUN_A, cache, sizes=SIZES[:1])
    (entry,) = _entries(cache)
    svg = cache / entry / "figure.svg"
    svg.write_bytes(svg.read_bytes().replace(b"</svg>", b"<!-- kept -->\n</svg>"))
    _submit(writer, _chart(), tmp_path / "b", RUN_B, cache, sizes=SIZES[:1])
    assert b"<!-- kept -->" in (tmp_path / "b" / "nb" / "page.svg").read_bytes()


def test_any_change_to_the_figure_draws_it_anew(writer, tmp_path):
    cache = tmp_path / "drawn"
    _submit(writer, _chart(), tmp_path / "a", RUN_A, cache)
    for i, fig in enumerate((_chart(label="employed"), _chart(lang="en"))):
        _submit(writer, fig, tmp_path / f"b{i}", RUN_B, cache)
        assert _contents(tmp_path / f"b{i}") == _fresh(tmp_path, RUN_B, f"fresh{i}", fig=fig)
    changed = _chart()
    changed.axes[0].set_xlabel("ändrad")
    _submit(writer, changed, tmp_path / "c", RUN_B, cache)
    assert "ändrad" in (tmp_path / "c" / "nb" / "page.svg").read_text(encoding="utf-8")
    assert len(_entries(cache)) == 8  # four figures, two sizes each


def test_the_second_size_drawn_after_the_first_was_kept_is_drawn_as_a_second_save(writer, tmp_path):
    """The first size is kept, the second is not (removed): the writer draws a fresh
    copy through the first save before the second, as save_figure twice would."""
    cache = tmp_path / "drawn"
    _submit(writer, _chart(), tmp_path / "a", RUN_A, cache)
    fig = _chart()
    first = drawn.figure_key(fig, _rc(), style.figure_files(
        fig, "page", notebook="nb", size="report_page", figures_dir=tmp_path,
        metadata={"run_id": RUN_A, "source": SOURCE}))
    (second,) = set(_entries(cache)) - {first}
    import shutil

    shutil.rmtree(cache / second)
    _submit(writer, _chart(), tmp_path / "b", RUN_B, cache)
    assert _contents(tmp_path / "b") == _fresh(tmp_path, RUN_B)


def _rc():
    return style.style_rc()


def test_a_run_id_of_another_length_is_drawn_anew(writer, tmp_path):
    cache = tmp_path / "drawn"
    _submit(writer, _chart(), tmp_path / "a", RUN_A, cache)
    _submit(writer, _chart(), tmp_path / "b", "interactive", cache)
    assert _contents(tmp_path / "b") == _fresh(tmp_path, "interactive")


def test_a_figure_showing_its_run_id_is_never_kept(tmp_path):
    fig = _chart()
    fig.axes[0].set_xlabel(f"run {RUN_A}")
    files = style.figure_files(fig, "page", notebook="nb", figures_dir=tmp_path,
                               metadata={"run_id": RUN_A, "source": SOURCE})
    contents = style.draw_figure_files(fig, files)
    assert not drawn.keep(tmp_path / "drawn", "k", files, contents)
    assert not (tmp_path / "drawn" / "k").exists()
    fig = _chart()
    assert drawn.keep(tmp_path / "drawn", "k", files, style.draw_figure_files(fig, files))


KEY_SCRIPT = """
import sys
import matplotlib
import matplotlib.pyplot as plt
sys.path.insert(0, {tests!r})
from plots.test_drawn import _chart, _rc
from lcanalysis.plots import drawn, style
from lcanalysis.plots import writer as writer_module
for _ in range(int(sys.argv[1])):
    plt.figure()  # figures before it: other pyplot numbers, other callback ids
fig = _chart(label=sys.argv[2])
files = style.figure_files(fig, "page", notebook="nb", metadata={{"run_id": sys.argv[3], "source": "x"}})
print(drawn.figure_key(fig, _rc(), files))
"""


def test_the_key_is_the_same_in_every_process_and_differs_with_the_figure(tmp_path):
    from pathlib import Path

    script = KEY_SCRIPT.format(tests=str(Path(__file__).resolve().parents[1]))

    def key(*args):
        return subprocess.run([sys.executable, "-c", script, *map(str, args)], check=True,
                              capture_output=True, text=True).stdout.strip()

    same = {key(0, "first_generation", RUN_A), key(3, "first_generation", RUN_B)}
    assert len(same) == 1  # another process, hash seed, figure number and run id
    assert key(0, "employed", RUN_A) not in same


def test_only_the_entries_used_last_are_kept(tmp_path, monkeypatch):
    import os

    monkeypatch.setattr(drawn, "KEEP", 3)
    fig = _chart()
    files = style.figure_files(fig, "page", notebook="nb", figures_dir=tmp_path,
                               metadata={"run_id": RUN_A, "source": SOURCE})
    contents = style.draw_figure_files(fig, files)
    cache = tmp_path / "drawn"
    for i in range(3):
        drawn.keep(cache, f"k{i}", files, contents)
        os.utime(cache / f"k{i}" / drawn.RECORD, (1000 + i, 1000 + i))
    assert drawn.lookup(cache, "k0", RUN_B) is not None  # used now: the newest
    drawn.keep(cache, "k3", files, contents)
    assert _entries(cache) == ["k0", "k2", "k3"]
    assert json.loads((cache / "k3" / drawn.RECORD).read_text()) == {"run_id": RUN_A}


INLINE_SCRIPT = """
import json, sys
from IPython.core.interactiveshell import InteractiveShell
import matplotlib
from matplotlib_inline.backend_inline import configure_inline_support
shell = InteractiveShell.instance()
matplotlib.use("module://matplotlib_inline.backend_inline")
configure_inline_support(shell, "module://matplotlib_inline.backend_inline")  # what a kernel does
sys.path.insert(0, {tests!r})
from plots.test_drawn import _chart
from pathlib import Path
from matplotlib.figure import Figure
from lcanalysis.plots import drawn

png = shell.display_formatter.formatters["image/png"]
draws = []
inline = png.lookup_by_type(Figure)
png.for_type(Figure, lambda fig: draws.append(1) or inline(fig))
before = shell.display_formatter.format(_chart())[0]["image/png"]  # as the inline backend shows it
drawn.remember_inline_figures(Path(sys.argv[1]))
drawn.remember_inline_figures(Path(sys.argv[1]))  # the next notebook in the same kernel: not wrapped twice
first = shell.display_formatter.format(_chart())[0]["image/png"]
again = shell.display_formatter.format(_chart())[0]["image/png"]
changed = _chart()
changed.axes[0].set_xlabel("ändrad")
other = shell.display_formatter.format(changed)[0]["image/png"]
print(json.dumps({{"draws": len(draws), "first": first == before, "again": again == before,
                   "other": other != before}}))
"""


def test_a_figure_shown_before_in_a_notebook_is_shown_from_what_was_kept(tmp_path):
    from pathlib import Path

    script = INLINE_SCRIPT.format(tests=str(Path(__file__).resolve().parents[1]))

    def shown():
        out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "drawn")], check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    # drawn for the inline backend, for the first of two equal figures, for the changed one
    assert shown() == {"draws": 3, "first": True, "again": True, "other": True}
    # another kernel: all three as kept, byte for byte (the one draw is the inline backend's own, before)
    assert shown() == {"draws": 1, "first": True, "again": True, "other": True}
    assert len([p for p in (tmp_path / "drawn").iterdir() if p.name.startswith("inline-")]) == 2


def test_a_new_kernels_first_notebook_shows_its_figures_from_what_was_kept(tmp_path):
    # In a real kernel the inline backend registers its PNG formatter only when pyplot
    # makes the first figure, after notebook.start has asked to remember: the first
    # notebook of every kernel drew its figures again. Two new kernels, one notebook each.
    import nbformat
    import papermill
    from nbformat.v4 import new_code_cell, new_notebook

    kept = tmp_path / "drawn"
    notebook = new_notebook(cells=[new_code_cell(source) for source in (
        f"from pathlib import Path\nfrom lcanalysis.plots import drawn\ndrawn.remember_inline_figures(Path({str(kept)!r}))",
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(3, 2))\n_ = ax.plot([1, 3, 2])",
        "from IPython import get_ipython\nfrom matplotlib.figure import Figure\n"
        "print(type(get_ipython().display_formatter.formatters['image/png'].lookup_by_type(Figure)).__name__)",
    )])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, tmp_path / "shows.ipynb")
    shown = []
    for run in ("first", "second"):
        out = tmp_path / f"{run}.ipynb"
        papermill.execute_notebook(str(tmp_path / "shows.ipynb"), str(out), kernel_name="python3",
                                   cwd=str(tmp_path), progress_bar=False)
        cells = nbformat.read(out, as_version=4).cells
        assert cells[2].outputs[0]["text"] == "_RememberedPng\n"
        shown.append(next(o["data"]["image/png"] for o in cells[1].outputs if "image/png" in o.get("data", {})))
    assert len([p for p in kept.iterdir() if p.name.startswith("inline-")]) == 1  # kept by the first kernel
    assert shown[0] == shown[1]
