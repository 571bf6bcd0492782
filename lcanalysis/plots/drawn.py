"""Figures drawn before: a figure the figure writer has drawn once is not drawn again.

Drawing a figure's three files (PNG at 300 dpi, SVG, PDF with embedded fonts) costs
about a second of CPU, and a run draws some 40 of them; a forced re-run, a re-run in
JupyterLab or a run after a change to one notebook draws nearly all of them exactly as
before. So the writer (:class:`lcanalysis.plots.writer.FigureWriter`) keeps what it
drew in ``data/derived/figures/`` (beside the derived tables, never published), under
a key of everything the files depend on:

- the figure's whole state, as :mod:`pickle` gives it to the writer's process (the
  writer draws nothing else), in a canonical form (:class:`_Canonical`): three things
  that name objects rather than describe them are written without their names, none
  of which is drawn (the ids of a transform's dependants, the counter of callback
  ids and the figure's pyplot number);
- for a figure given again unchanged (another size of the same chart), the key of the
  previous save and this one's size and metadata, since the writer draws that from its
  copy as the previous save left it;
- the style settings of the moment, the size, and every piece of the files' metadata
  except the run id;
- what draws: the lcanalysis package's own files, the versions of matplotlib,
  FreeType, Pillow, fontTools and NumPy, and the fonts matplotlib knows.

A figure whose key was drawn before gets the files drawn then, with the run id in
their metadata changed to this run's (:func:`restamp`): the bytes a new drawing would
give, which tests/plots/test_drawn.py holds them to. The run id is in the PNG's text
chunks (rewritten with their lengths and checksums), in the SVG's metadata, and in
the PDF's Info dictionary (replaced in place, so only by an id of the same length:
the cross-reference offsets stay right; "interactive" in JupyterLab, the run's id in
``lcanalysis run``). Files are kept only when the run id occurs in them exactly as
often as their metadata holds it, so a figure that shows its run id is always drawn.

The image a notebook shows of a figure (the inline backend's PNG, drawn in the
kernel at the end of each cell) is kept the same way (:func:`remember_inline_figures`):
under a key of the figure as it is when shown, the style settings, the way IPython is
set to draw it and what draws; a figure shown before is shown from what was kept.

Entries are written under temporary names and renamed, the entry's record last; the
newest :data:`KEEP` entries (by last use) are kept.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from lcanalysis.plots.style import FigureFiles

FORMATS = ("png", "svg", "pdf")
KEEP = 400
"""Entries kept in a folder: a run of the demo world draws about 40 figure files and
shows about 30 figures, in each language."""
RECORD = "drawn.json"


@dataclass(frozen=True)
class Drawn:
    """The files of a figure drawn before, and the run id their metadata carries."""

    run_id: str
    files: Mapping[str, bytes]


def figure_key(fig: Figure, rc: Mapping[str, object], files: FigureFiles) -> str:
    """The key of ``fig`` saved as ``files`` with the style settings ``rc``."""
    canonical = io.BytesIO()
    _Canonical(canonical, protocol=5).dump(fig)
    return _key(b"figure", canonical.getvalue(), _settings(rc), _files_material(files), _drawing())


def next_key(previous: str, files: FigureFiles) -> str:
    """The key of the figure of key ``previous`` saved once more, as ``files``."""
    return _key(b"again", previous.encode(), _files_material(files))


def lookup(folder: Path, key: str, run_id: str) -> Drawn | None:
    """What was drawn for ``key`` in ``folder``, if its files can carry ``run_id``
    (:func:`restamp`); else None (never drawn, an entry being written or removed, or
    drawn under a run id of another length)."""
    entry = folder / key
    try:
        record = json.loads((entry / RECORD).read_text(encoding="utf-8"))
        if record["run_id"] != run_id and len(record["run_id"]) != len(run_id):
            return None
        found = Drawn(record["run_id"], {ext: (entry / f"figure.{ext}").read_bytes() for ext in FORMATS})
        os.utime(entry / RECORD)  # last used, for pruning
    except (OSError, ValueError, KeyError):
        return None
    return found


def keep(folder: Path, key: str, files: FigureFiles, contents: Mapping[str, bytes]) -> bool:
    """Keep the files just written for ``files`` (their ``contents``) under ``key``.
    False when nothing was kept: the run id occurs in them other than in their
    metadata, or the folder cannot be written (the figure's own files are written
    all the same; it is drawn again next time)."""
    from lcanalysis.plots.style import atomic_write

    if any(_occurrences(ext, contents[ext], files.run_id) != _in_metadata(files, ext) for ext in FORMATS):
        return False
    entry = folder / key
    try:
        entry.mkdir(parents=True, exist_ok=True)
        for ext in FORMATS:
            atomic_write(entry / f"figure.{ext}", contents[ext])
        atomic_write(entry / RECORD, json.dumps({"run_id": files.run_id}).encode())
        _prune(folder)
    except OSError:
        return False
    return True


def restamp(drawn: Drawn, run_id: str) -> dict[str, bytes]:
    """``drawn``'s files with ``run_id`` for the run id in their metadata (of the same
    length, or the same: :func:`lookup` finds no other)."""
    old, new = drawn.run_id, run_id
    if old == new:
        return dict(drawn.files)
    if len(old) != len(new):
        raise ValueError(f"run id {new!r} cannot replace {old!r} in a PDF: not the same length")
    return {
        "png": _png_text_replaced(drawn.files["png"], old, new),
        "svg": drawn.files["svg"].replace(old.encode(), new.encode()),
        "pdf": drawn.files["pdf"].replace(old.encode(), new.encode()).replace(
            old.encode("utf-16-be"), new.encode("utf-16-be")),
    }


INLINE_BACKENDS = ("inline", "module://matplotlib_inline.backend_inline")
"""The names of the inline backend (``MPLBACKEND`` in a Jupyter kernel)."""


def remember_inline_figures(folder: Path) -> None:
    """In an IPython kernel, show a figure shown before exactly as before from what was
    kept in ``folder``, instead of drawing it again: the PNG formatter IPython uses for
    figures (the inline backend's) is wrapped (:class:`_RememberedPng`). Nothing is
    changed outside IPython or where no PNG formatter draws figures; called again (the
    next notebook in a warm kernel), only the folder changes."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    import matplotlib
    from matplotlib.figure import Figure

    png = shell.display_formatter.formatters.get("image/png")
    if png is None:
        return
    if matplotlib.get_backend(auto_select=False) in INLINE_BACKENDS and Figure not in png.type_printers:
        # The inline backend registers its PNG formatter when its module is imported,
        # which pyplot does when the first figure is made: in a new kernel that is
        # after this, and each kernel's first notebook drew all its figures again.
        # Imported now, as pyplot would import it.
        import matplotlib_inline.backend_inline  # noqa: F401
    try:
        current = png.lookup_by_type(Figure)
    except KeyError:
        return
    if isinstance(current, _RememberedPng):
        current.folder = folder
    elif current is not None:
        png.for_type(Figure, _RememberedPng(current, folder))


class _RememberedPng:
    """IPython's PNG formatter for figures (``draw``), remembering what it drew."""

    def __init__(self, draw, folder: Path) -> None:
        self.draw = draw
        self.folder = folder

    def __call__(self, fig):
        from lcanalysis.plots.style import style_rc

        try:
            canonical = io.BytesIO()
            _Canonical(canonical, protocol=5).dump(fig)
        except Exception:  # noqa: BLE001 - a figure that cannot be pickled is drawn, as before
            return self.draw(fig)
        rc = style_rc()
        key = "inline-" + _key(b"inline", canonical.getvalue(), _settings(rc), _formatter(self.draw), _drawing())
        entry = self.folder / key
        try:
            record = json.loads((entry / RECORD).read_text(encoding="utf-8"))
            os.utime(entry / RECORD)
            return record["shown"]
        except (OSError, ValueError, KeyError):
            pass
        shown = self.draw(fig)
        if isinstance(shown, str):  # base64 PNG; None for a figure without axes
            from lcanalysis.plots.style import atomic_write

            try:
                entry.mkdir(parents=True, exist_ok=True)
                atomic_write(entry / RECORD, json.dumps({"shown": shown}).encode())
                _prune(self.folder)
            except OSError:
                pass  # drawn again next time
        return shown


def _formatter(draw) -> bytes:
    """How IPython draws a figure's PNG: the function and its settings (``bbox_inches``,
    ``base64`` ...), with IPython's version."""
    import IPython

    function = getattr(draw, "func", draw)
    keywords = sorted(getattr(draw, "keywords", {}).items())
    return repr((IPython.__version__, getattr(function, "__module__", ""), getattr(function, "__qualname__", ""),
                 getattr(draw, "args", ()), keywords)).encode()


class _Canonical(pickle.Pickler):
    """A pickler that writes a figure's state without the names of its objects.

    Drawing never reads them: a transform keeps its dependants by ``id()`` to tell
    them when it changes; a callback registry counts the ids it hands out; the figure
    keeps the number pyplot gave it; and a grouper (aligned labels) keeps sets of
    artists, ordered by where they are in memory.
    """

    def reducer_override(self, obj):
        from matplotlib import cbook
        from matplotlib.figure import Figure
        from matplotlib.transforms import TransformNode

        if not isinstance(obj, (TransformNode, cbook.CallbackRegistry, cbook.Grouper, Figure)):
            return NotImplemented
        reduced = obj.__reduce_ex__(5)
        state = dict(reduced[2])
        if isinstance(obj, TransformNode):
            state["_parents"] = list(state["_parents"].values())
        elif isinstance(obj, cbook.CallbackRegistry):
            state["_cid_gen"] = None
        elif isinstance(obj, cbook.Grouper):
            order = state["_ordering"]
            state["_mapping"] = [(k, sorted(v, key=order.__getitem__))
                                 for k, v in sorted(state["_mapping"].items(), key=lambda kv: order[kv[0]])]
            state["_ordering"] = sorted(order.values())
        else:
            state.pop("_number", None)
        return (reduced[0], reduced[1], state, *reduced[3:])


def _key(*parts: bytes) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        h.update(len(part).to_bytes(8, "little") + part)
    return h.hexdigest()


def _settings(rc: Mapping[str, object]) -> bytes:
    canonical = io.BytesIO()
    _Canonical(canonical, protocol=5).dump(sorted(rc.items()))
    return canonical.getvalue()


_RUN = "\0run\0"


def _files_material(files: FigureFiles) -> bytes:
    """The size and metadata of ``files``, the run id written as a placeholder."""
    def general(value):
        if isinstance(value, str):
            return value.replace(files.run_id, _RUN)
        if isinstance(value, list):
            return [general(v) for v in value]
        return value

    meta = {ext: {k: general(v) for k, v in getattr(files, ext).items()} for ext in FORMATS}
    return json.dumps({"size": files.size, "meta": meta}, sort_keys=True).encode()


@cache
def _drawing() -> bytes:
    """What draws the files: the package's code, the libraries, the fonts."""
    import fontTools
    import matplotlib
    import numpy
    import PIL
    from matplotlib import font_manager, ft2font

    from lcanalysis.derived import package_fingerprint

    fonts = sorted(f"{f.fname}:{f.name}:{f.style}:{f.weight}" for f in font_manager.fontManager.ttflist)
    return json.dumps([package_fingerprint(), matplotlib.__version__, ft2font.__freetype_version__,
                       PIL.__version__, fontTools.version, numpy.__version__, fonts]).encode()


def _in_metadata(files: FigureFiles, ext: str) -> int:
    """How often the run id is written in the ``ext`` file's metadata."""
    values = getattr(files, ext).values()
    flat = [v for value in values for v in (value if isinstance(value, list) else [value])]
    return sum(str(v).count(files.run_id) for v in flat if v is not None)


def _occurrences(ext: str, content: bytes, run_id: str) -> int:
    if ext == "png":
        return sum(data.count(run_id.encode("latin-1")) for kind, data in _png_chunks(content)
                   if kind in (b"tEXt", b"iTXt"))
    count = content.count(run_id.encode())
    if ext == "pdf":
        count += content.count(run_id.encode("utf-16-be"))
    return count


def _png_chunks(content: bytes):
    position = 8  # the signature
    while position < len(content):
        (length,) = struct.unpack(">I", content[position:position + 4])
        kind = content[position + 4:position + 8]
        yield kind, content[position + 8:position + 8 + length]
        position += 12 + length


def _png_text_replaced(content: bytes, old: str, new: str) -> bytes:
    """The PNG with ``old`` replaced by ``new`` in its text chunks (lengths and CRCs
    written anew); the image data as it was."""
    out = [content[:8]]
    for kind, data in _png_chunks(content):
        if kind in (b"tEXt", b"iTXt"):
            data = data.replace(old.encode("latin-1"), new.encode("latin-1"))
        out.append(struct.pack(">I", len(data)) + kind + data
                   + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return b"".join(out)


def _prune(folder: Path) -> None:
    """Remove all but the :data:`KEEP` entries used last."""
    import shutil

    entries = []
    for entry in folder.iterdir():
        try:
            entries.append(((entry / RECORD).stat().st_mtime, entry))
        except OSError:
            continue  # being written
    for _, entry in sorted(entries, reverse=True)[KEEP:]:
        shutil.rmtree(entry, ignore_errors=True)
