"""The scan: every file under the given folders through the readers and the checks,
each file within a time budget.

For each file the checks of :data:`CHECKS` run in order; each takes the file and the
:class:`Scan` (the text matcher, the disclosure policy, the file's deadline) and
yields findings. A check for something new (another kind of table audit, say) is a
function of ``(path, scan)`` appended to that list.

Time budget (:class:`TimeBudget`): a file may take a number of seconds of CPU time
that grows with its size, or it is reported as ``unscanned`` ("could not be scanned
in N s of CPU time"): what could not be checked is not known to be safe, and the gate
goes on with the next file. CPU time, not wall-clock time, so a machine busy with
other work does not turn honest files into findings. PDFs are read by pypdf in a
worker process (:class:`PdfWorker`) whose CPU timer (``SIGPROF``) interrupts the
parser at the budget, and which is killed if it has not answered after
:data:`WALL_CLOCK_FACTOR` times the budget; so a parser that never returns cannot hang
the gate. The other readers are the gate's own front-to-back code (and polars,
ElementTree, zlib); the budget (CPU time of the scanning thread) is checked between
the pieces they yield.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import signal
import struct
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from lcanalysis import paths
from lcanalysis.privacy import extract, pdf
from lcanalysis.privacy.ledger import CleanLedger, checks_fingerprint, content_digest
from lcanalysis.privacy.rules import Finding, Matcher, names_from_raw, pseudonym_column

if TYPE_CHECKING:  # disclosure imports scipy (a second); only table audits need it
    from multiprocessing.connection import Connection
    from multiprocessing.context import SpawnProcess

    from lcanalysis import disclosure

__all__ = ["CHECKS", "DEFAULT_BUDGET", "DEFAULT_LOCATIONS", "PdfReaders", "PdfWorker", "Scan", "ScanAhead", "TimeBudget",
           "gate", "scan"]

DEFAULT_LOCATIONS = ("data/processed", "reports", "figures")
"""Folders :func:`gate` scans, relative to the project root."""



@dataclass(frozen=True)
class TimeBudget:
    """How much CPU time one file may take: ``seconds``, plus ``seconds_per_mb`` for
    each MB of the file (the scan is linear in a file's size, so a fixed budget would report
    a large honest file, and a budget that grows with the size still stops a scan
    that does not progress)."""

    seconds: float = 30.0
    seconds_per_mb: float = 15.0

    def of(self, size: int) -> float:
        return self.seconds + self.seconds_per_mb * size / 2**20


DEFAULT_BUDGET = TimeBudget()
"""30 s plus 15 s per MB of CPU time: a printed 1.7 MB report needs 3.3 s of it
(docs/performance.md, "Privacy gate")."""


WALL_CLOCK_FACTOR = 10
"""A PDF worker that has not answered after this many times the file's budget in
wall-clock time is killed (it is stopped, or stuck where its CPU timer cannot reach)."""


class OutOfTime(Exception):
    """A file's time budget ran out."""


def _serve(connection: Connection) -> None:
    """The worker process: read the PDF at each path received, send back its text
    (or the error), until the connection closes."""
    import logging

    # pypdf's warnings about a file's small defects (which it repairs) would go to the
    # user's terminal; what it cannot repair is reported by the gate.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:  # imported before the first PDF arrives (0.15 s), not in its time budget
        import pypdf  # noqa: F401
        import pypdfium2  # noqa: F401
    except ImportError:
        pass  # pdf_text says what it cannot read without them
    timer = getattr(signal, "ITIMER_PROF", None)  # CPU time; not on Windows
    if timer is not None:
        signal.signal(signal.SIGPROF, _out_of_cpu)
    while True:
        try:
            path, seconds, share = connection.recv()
        except EOFError:
            return
        started = time.process_time()
        try:
            if timer is not None:
                signal.setitimer(timer, max(seconds, 1e-6))
            text = pdf.pdf_text(path, share)
            if timer is not None:
                signal.setitimer(timer, 0)
            connection.send((True, (text, time.process_time() - started)))
        except _CpuTimeUp:
            connection.send((False, OutOfTime()))
        except Exception as err:  # noqa: BLE001 - sent to the gate, which reports the file
            if timer is not None:
                signal.setitimer(timer, 0)
            connection.send((False, err))


class _CpuTimeUp(BaseException):
    """Raised in the worker by its CPU timer: not an Exception, so that no
    ``except Exception`` inside the parser or the fallback swallows it."""


def _out_of_cpu(signum, frame) -> None:
    raise _CpuTimeUp


class PdfWorker:
    """One worker process that reads PDFs (:func:`lcanalysis.privacy.pdf.pdf_text`),
    started at the first PDF of a scan and replaced when a file runs out of time.

    A worker that dies (it could not start, or the parser crashed) is reported for
    the file it was reading, at once, and the next file gets a new one.
    """

    def __init__(self) -> None:
        self._process: SpawnProcess | None = None
        self._connection: Connection | None = None

    def read(self, path: Path, seconds: float, share: tuple[int, int] = (0, 1)) -> tuple[pdf.PdfText, float]:
        """The text of the PDF at ``path`` (its ``share``, :func:`lcanalysis.privacy.pdf.pdf_text`)
        and the CPU seconds its reading took.

        Raises :class:`OutOfTime` when the reading needs more than ``seconds`` of the
        worker's CPU time (a timer in the worker), or more than ten times that in
        wall-clock time (the worker is then killed)."""
        self.send(path, seconds, share)
        return self.receive(seconds)

    def start(self) -> None:
        """Start the process, if it is not running (:meth:`send` does)."""
        if self._process is None:
            context = multiprocessing.get_context("spawn")
            connection, child = context.Pipe()
            process = context.Process(target=_serve, args=(child,), daemon=True)
            process.start()
            child.close()
            self._process, self._connection = process, connection

    def send(self, path: Path, seconds: float, share: tuple[int, int] = (0, 1)) -> None:
        """Start reading (:meth:`read` is this and :meth:`receive`)."""
        self.start()
        assert self._connection is not None
        with contextlib.suppress(OSError):  # the process is gone: receive says so
            self._connection.send((str(path), seconds, share))

    def receive(self, seconds: float) -> tuple[pdf.PdfText, float]:
        """The reply to :meth:`send` (see :meth:`read`)."""
        process, connection = self._process, self._connection
        assert process is not None and connection is not None
        reply = None
        try:
            ready = wait([connection, process.sentinel], WALL_CLOCK_FACTOR * seconds)
            if connection in ready:
                reply = connection.recv()
        except (OSError, EOFError):  # the process is gone
            ready = [process.sentinel]
        if reply is not None:
            ok, value = reply
            if not ok:
                raise value
            return value
        self.close()
        if ready:
            raise extract.Unreadable(
                f"the PDF reader process stopped (exit code {process.exitcode}); "
                "a script that calls the gate needs `if __name__ == '__main__':`")
        raise OutOfTime

    def close(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
            assert self._connection is not None
            self._connection.close()
            self._process = self._connection = None


SHARED_PDF_BYTES = 512 * 1024
"""A PDF this large (the printed report: pypdf takes seconds over its pages) is read
by two workers at once, each half of its pages (:class:`PdfReaders`)."""


class PdfReaders:
    """The PDF workers of one scan: one for most files; with ``shares`` of 2 (the
    default) two for a large one, which read its pages in two halves at the same time
    (:data:`SHARED_PDF_BYTES`). Both halves' pieces, in order, are the whole file's;
    if either half could not read everything, the whole file is read again by one
    worker, which falls back to the raw scan as :func:`lcanalysis.privacy.pdf.pdf_text`
    does. Each half has the file's budget on its timer; the CPU time of both counts
    against the file. Every worker is started at the first PDF, so that the second has
    imported pypdf by the time a large file comes."""

    def __init__(self, shares: int = 2) -> None:
        self.workers = [PdfWorker() for _ in range(max(shares, 1))]

    def read(self, path: Path, seconds: float) -> tuple[pdf.PdfText, float]:
        for worker in self.workers[1:]:
            worker.start()
        if len(self.workers) == 1 or path.stat().st_size < SHARED_PDF_BYTES:
            return self.workers[0].read(path, seconds)
        shares = len(self.workers)
        for i, worker in enumerate(self.workers):
            worker.send(path, seconds, (i, shares))
        replies, error = [], None
        for worker in self.workers:  # every reply is taken, so no worker is left mid-file
            try:
                replies.append(worker.receive(seconds))
            except Exception as err:  # noqa: BLE001 - out of time, a dead worker, a parser error: the file's
                error = error or err
        if error is not None:
            raise error
        used = sum(u for _, u in replies)
        if any(text.fallback or text.unreadable for text, _ in replies):
            text, again = self.workers[0].read(path, seconds)
            return text, used + again
        return pdf.joined([text for text, _ in replies]), used

    def close(self) -> None:
        for worker in self.workers:
            worker.close()


@dataclass
class Scan:
    """What the checks of one scan share."""

    matcher: Matcher
    policy: disclosure.Policy | str
    pdfs: PdfReaders = field(default_factory=PdfReaders)
    seconds: float = 0.0
    deadline: float = 0.0
    contents: dict[tuple[str, str], list[Finding]] = field(default_factory=dict)
    """The text findings of each content read so far, by (suffix, digest): a copy of a
    file (a poster figure in the run's poster pack, a figure kept with its report)
    has the findings of the original, at its own path, without being read again."""
    ledger: CleanLedger | None = None
    """Contents earlier gates read clean under the same checks, which this one does
    not read again (:mod:`lcanalysis.privacy.ledger`); None: read everything."""
    _digest: tuple[Path, str] | None = field(default=None, init=False, repr=False)

    def digest(self, path: Path, *, again: bool = False) -> str:
        """The file's :func:`~lcanalysis.privacy.ledger.content_digest` (the last
        file's is kept; ``again`` reads the file anew)."""
        if again or self._digest is None or self._digest[0] != path:
            self._digest = (path, content_digest(path.read_bytes()))
        return self._digest[1]

    def in_time(self) -> None:
        """Raise :class:`OutOfTime` once the current file's budget (CPU time of this
        thread) has run out."""
        if time.thread_time() >= self.deadline:
            raise OutOfTime


# --- the checks -----------------------------------------------------------------------------


def _content(path: Path, scan: Scan) -> Iterator[Finding]:
    """Identity numbers, e-mail and IP addresses and names in the file's text; in
    notebook outputs also pseudonym columns (row-level data). A file whose bytes were
    read before under the same suffix gets those findings (:attr:`Scan.contents`)."""
    key = (path.suffix.lower(), scan.digest(path))
    if key in scan.contents:
        yield from (dataclasses.replace(f, file=str(path)) for f in scan.contents[key])
        return
    found = []
    for finding in _read_content(path, scan):
        found.append(finding)
        yield finding
    scan.contents[key] = found  # only a file read to its end


def _read_content(path: Path, scan: Scan) -> Iterator[Finding]:
    file = str(path)
    suffix = path.suffix.lower()
    if suffix == ".ipynb":
        for location, text, is_output in extract.notebook_pieces(path):
            scan.in_time()
            yield from scan.matcher.findings(text, file, location)
            if is_output and (found := pseudonym_column(text)):
                yield Finding(file, location, "pseudonym_column", found)
        return
    if suffix == ".pdf":
        text, used = scan.pdfs.read(path, scan.seconds)
        scan.deadline -= used
        pieces: Iterable[tuple[str, str]] = text.pieces
        for location, reason in text.unreadable:
            yield Finding(file, location, "unscanned", reason)
    else:
        pieces = extract.pieces(path)
    for location, piece in pieces:
        scan.in_time()
        yield from scan.matcher.findings(piece, file, location)


def _disclosure(path: Path, scan: Scan) -> Iterator[Finding]:
    """Cells of exported tables (``reports/**/tables/*.csv|xlsx``) that break the
    disclosure policy (:func:`lcanalysis.disclosure.audit`)."""
    if path.parent.name != "tables" or path.suffix.lower() not in (".csv", ".xlsx"):
        return
    import polars as pl

    from lcanalysis import disclosure

    policy = disclosure.get_policy(scan.policy)
    if path.suffix.lower() == ".csv":
        table = pl.read_csv(path, infer_schema_length=None)
    else:
        table = pl.read_excel(path)
    if not any(c in table.columns for c in ("numerator", "count", "n")):
        return
    header_rows = 1
    for violation in disclosure.audit(table, policy):
        where = "table" if violation.row < 0 else f"row {violation.row + 1 + header_rows}"
        yield Finding(
            str(path),
            f"{where} column {violation.column!r}",
            "disclosure",
            f"{violation.reason} under policy {policy.name!r}",
        )


CHECKS: list[Callable[[Path, Scan], Iterable[Finding]]] = [_content, _disclosure]
"""The checks run on every file, in this order."""


# --- the scan ----------------------------------------------------------------------------------


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            yield path


def _unreadable_errors() -> tuple[type[Exception], ...]:
    import polars as pl

    return (ValueError, KeyError, OSError, zipfile.BadZipFile, ElementTree.ParseError,
            struct.error, pl.exceptions.PolarsError)


def scan(
    paths: Iterable[Path],
    *,
    names: set[str],
    policy: disclosure.Policy | str = "default",
    raw_dir: Path | None = None,
    budget: TimeBudget = DEFAULT_BUDGET,
) -> list[Finding]:
    """Every finding in the files under ``paths`` (files or folders, recursively).

    Parameters
    ----------
    paths:
        Files and folders to scan.
    names:
        Names to look for (whole words, any case); see :func:`names_from_raw`.
    policy:
        Disclosure policy (or its name) that exported tables
        (``.../tables/*.csv|xlsx``) must pass; looked up when the first table is
        audited, so a scan without tables does not load :mod:`lcanalysis.disclosure`.
    raw_dir:
        If given, the names of :func:`names_from_raw` over this folder are added.
    budget:
        How long each file may take (:class:`TimeBudget`): a file not scanned
        within it is a finding (``unscanned``, "could not be scanned in N s").

    A file that cannot be parsed as what its name says (a damaged PNG, a ``.xlsx``
    that is not a zip) is reported as ``unscanned`` rather than raising.
    """
    if raw_dir is not None:
        names = set(names) | names_from_raw(raw_dir)
    paths = list(paths)
    state = Scan(Matcher(names), policy)
    return _scan_files(_files(paths), state, budget) + _attack(paths, policy)


def _scan_files(files: Iterable[Path], state: Scan, budget: TimeBudget) -> list[Finding]:
    """The checks over ``files``, each file within its budget (see :func:`scan`)."""
    unreadable = _unreadable_errors()
    findings: list[Finding] = []
    try:
        for path in files:
            try:
                size = path.stat().st_size
            except FileNotFoundError:  # removed since it was listed: not among the outputs
                continue
            if size == 0:
                continue
            clean = None
            if state.ledger is not None:
                clean = state.ledger.file_key(path, state.digest(path))
                if clean in state.ledger:
                    continue
            seconds = budget.of(size)
            state.seconds = seconds
            state.deadline = time.thread_time() + seconds
            before = len(findings)
            try:
                for check in CHECKS:
                    for finding in check(path, state):  # kept when the budget runs out
                        findings.append(finding)
                if clean is not None and len(findings) == before and _unchanged(path, state, clean):
                    state.ledger.add(clean)
            except OutOfTime:
                findings.append(Finding(
                    str(path), "whole file", "unscanned",
                    f"could not be scanned in {seconds:.0f} s of CPU time (the gate's time budget "
                    "per file): what was not read is not known to be safe"))
            except extract.Unreadable as err:
                findings.append(Finding(str(path), "whole file", "unscanned", str(err)))
            except unreadable as err:
                findings.append(Finding(str(path), "whole file", "unscanned",
                                        f"cannot be read ({type(err).__name__})"))
    finally:
        state.pdfs.close()
    return findings


def _unchanged(path: Path, state: Scan, key: str) -> bool:
    """Whether ``path`` still holds the bytes of ``key`` after the checks read it: a
    file written while it was read is not recorded as clean (what was read may not be
    what the key says)."""
    assert state.ledger is not None
    return state.ledger.file_key(path, state.digest(path, again=True)) == key


def _attack(paths: list[Path], policy: disclosure.Policy | str, ledger: CleanLedger | None = None) -> list[Finding]:
    """The intruder over each run's exported tables, all notebooks together (issue 16)."""
    from lcanalysis.report.tables import attack_exports

    return [Finding(file, where, "disclosure", detail)
            for file, where, detail in attack_exports(paths, policy, ledger=ledger)]


class ScanAhead:
    """:func:`scan`, begun while a run is still writing: what it finds is what
    :func:`scan` over the same paths would find once the run is done.

    On creation it lists the files under ``paths`` (with their size and modification
    time) and scans them, and attacks the exported tables, in another process (the
    scan is Python code holding its interpreter's lock; a thread would take it from
    the report being written meanwhile). :meth:`finish` waits for that, then scans
    every file that appeared or changed since the listing (read once: a copy of a
    file already read gets its findings, :attr:`Scan.contents`), in place of what
    was found in a changed file before, and attacks the tables again if anything
    under a ``tables`` folder is among them. The run's runner starts it when the
    notebooks are done, so the figures, the processed data and the notebooks' outputs
    are scanned while the report is written, and only the report's files are left.
    If the other process cannot start or dies, :meth:`finish` scans the listed files
    itself.

    With ``ledger`` (a folder: the run gives data/derived), contents that earlier
    gates read clean under the same checks are not read again, and what this one
    reads clean is added (:mod:`lcanalysis.privacy.ledger`).
    """

    def __init__(self, paths: Iterable[Path], *, names: set[str],
                 policy: disclosure.Policy | str = "default", budget: TimeBudget = DEFAULT_BUDGET,
                 ledger: Path | None = None) -> None:
        from concurrent.futures import ProcessPoolExecutor

        self.paths = [Path(p) for p in paths]
        self.names = set(names)
        self.policy = policy
        self.budget = budget
        self.ledger = None if ledger is None else (Path(ledger), checks_fingerprint(self.names, policy))
        self.listed = {p: _stamp(p) for p in _files(self.paths)}
        self._pdfs = PdfReaders()  # for the report's PDFs: started now, ready by then
        for worker in self._pdfs.workers:
            worker.start()
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        self._first = self._pool.submit(_scan_listed, self.paths, list(self.listed), self.names,
                                        self.policy, self.budget, self.ledger)

    def finish(self) -> list[Finding]:
        """Every finding: the listed files', the later files', the tables' attack."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            first, attacked, contents = self._first.result()
        except BrokenProcessPool:
            first, attacked, contents = _scan_listed(self.paths, list(self.listed), self.names,
                                                     self.policy, self.budget, self.ledger)
        finally:
            self._pool.shutdown()
        ledger = _open_ledger(self.ledger)  # with what the first part added
        later = [p for p in _files(self.paths) if self.listed.get(p) != _stamp(p)]
        again = {str(p) for p in later}  # changed since it was listed: what it holds now counts
        findings = [f for f in first if f.file not in again] + self._scan_later(later, contents, ledger)
        if any("tables" in p.parts for p in later):
            attacked = _attack(self.paths, self.policy, ledger)
        if ledger is not None:
            ledger.save()
        return findings + attacked

    def _scan_later(self, later: list[Path], contents: dict, ledger: CleanLedger | None) -> list[Finding]:
        """The later files' findings, in their order. The PDFs among them (the printed
        report: pypdf takes seconds over its pages) are read by their own worker
        process, from a second thread, while this one scans the other files."""
        from concurrent.futures import ThreadPoolExecutor

        matcher = Matcher(self.names)
        pdfs = [p for p in later if p.suffix.lower() == ".pdf"]
        others = [p for p in later if p.suffix.lower() != ".pdf"]
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="privacy-gate-pdfs") as reader:
            read = reader.submit(_scan_files, pdfs, Scan(matcher, self.policy, pdfs=self._pdfs, contents=contents,
                                                         ledger=ledger), self.budget)
            found = _scan_files(others, Scan(matcher, self.policy, contents=contents, ledger=ledger), self.budget)
            found += read.result()  # an error in the thread is raised here
        order = {str(p): i for i, p in enumerate(later)}
        return sorted(found, key=lambda f: order.get(f.file, len(order)))


def _open_ledger(ledger: tuple[Path, str] | None) -> CleanLedger | None:
    return None if ledger is None else CleanLedger(*ledger)


def _scan_listed(paths: list[Path], files: list[Path], names: set[str], policy: disclosure.Policy | str,
                 budget: TimeBudget, ledger: tuple[Path, str] | None = None
                 ) -> tuple[list[Finding], list[Finding], dict]:
    """:class:`ScanAhead`'s first part: the findings of ``files``, the attack on the
    tables under ``paths``, and the contents read; what it read clean is added to the
    ledger (folder, checks), if there is one."""
    # the notebooks' figures: small PDFs, one worker
    state = Scan(Matcher(names), policy, pdfs=PdfReaders(shares=1), ledger=_open_ledger(ledger))
    found = _scan_files(files, state, budget), _attack(paths, policy, state.ledger), state.contents
    if state.ledger is not None:
        state.ledger.save()
    return found


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


def gate(
    project_root: Path,
    *,
    policy: disclosure.Policy | str = "default",
    budget: TimeBudget = DEFAULT_BUDGET,
) -> list[Finding]:
    """Scan a project's outputs (:data:`DEFAULT_LOCATIONS`) with the names of its raw files.

    What the runner calls before it marks a run complete; an empty list means the
    run may be published as far as the gate can tell.
    """
    root = Path(project_root)
    raw = paths.resolve_raw_dir(root=root)
    config = root / "config"
    names = (
        names_from_raw(raw, config_dir=config if config.is_dir() else None)
        if raw.is_dir()
        else set()
    )
    return scan([root / location for location in DEFAULT_LOCATIONS], names=names,
                policy=policy, budget=budget)
