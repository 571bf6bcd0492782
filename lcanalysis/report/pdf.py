"""report.pdf and the posters: HTML printed by one headless Chromium.

Why Chromium (docs/architecture.md): it is already installed for the browser test
(``scripts/ensure-chromium``, Debian's package, nothing downloaded at run time),
prints the same HTML as report.html (one layout to maintain), embeds the fonts it
uses, keeps SVG figures as vectors, writes CSS page-margin boxes (page numbers),
internal links with named destinations and a document outline from the headings.

One browser prints every document of a run (:class:`Browser`): Chromium is started
once with ``--remote-debugging-pipe`` and driven over the DevTools protocol on that
pipe (JSON messages ended by a NUL byte; the standard library is enough), each
document in its own tab, several at a time from threads. Starting Chromium and
loading the page were most of each of the four prints of the first version, which
started a browser per print (docs/performance.md, "The report stage").

The table of contents gets its page numbers in a second print of the same tab,
without loading the page again: the first print's named destinations (one per
heading the contents link to, read with pypdf) give each heading's page, a script
writes them into the contents, and the contents' lines have the same height with
or without the numbers, so the second print has the same pages. (Chromium has no
``target-counter()``, the CSS that would number them in one print.) Given the pages
of an earlier report, the first print is made with those numbers written in; when
its headings are on those pages, it is the report, and the second print is not made.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from lcanalysis.errors import LcanalysisError

CHROMIUM = Path(os.environ.get("LCANALYSIS_CHROMIUM", "/usr/bin/chromium"))
"""The browser that prints (``$LCANALYSIS_CHROMIUM`` overrides the Debian path)."""

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--no-first-run")
TIMEOUT_S = 300
"""The longest one protocol call (loading or printing a page) may take."""

PRINT = {"preferCSSPageSize": True, "printBackground": True, "generateDocumentOutline": True,
         "displayHeaderFooter": False, "marginTop": 0, "marginBottom": 0, "marginLeft": 0,
         "marginRight": 0}
"""Page.printToPDF: the page's own ``@page`` rules decide paper and margins."""

CONTENTS_PAGES = """(pages => {
  const toc = document.querySelector('nav.toc');
  for (const item of toc.querySelectorAll('li')) {
    const anchor = item.querySelector('a').getAttribute('href').slice(1);
    item.querySelector('.pg').textContent = pages[anchor] ?? '';
  }
  toc.classList.add('paged');
})"""
"""Writes each heading's page into the contents of the report's HTML
(:func:`lcanalysis.report.assemble.document_html`: ``nav.toc li`` with a link and a
``.pg`` span) and shows the dotted leaders (class ``paged``)."""


PLACE_FDS = ("import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
             "os.execv(sys.argv[3], sys.argv[3:])")


def _above_4(fd: int) -> int:
    """``fd`` moved to a number above 4 (the original is closed)."""
    import fcntl

    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 5)
    os.close(fd)
    return moved


class PdfError(LcanalysisError):
    """Chromium is missing or could not print the page."""


class Browser:
    """One headless Chromium for every print of a run (see the module docstring).

    Use as a context manager; :meth:`print_pdf` and :meth:`print_report` may be
    called from several threads at once.
    """

    def __init__(self) -> None:
        if not CHROMIUM.is_file():
            raise PdfError(f"no PDF written: {CHROMIUM} is missing; install it with "
                           "scripts/ensure-chromium (or set LCANALYSIS_CHROMIUM)")
        self._tmp = tempfile.TemporaryDirectory(prefix="lcanalysis-pdf-")
        # Chromium reads the protocol on fd 3 and writes it on fd 4: a small Python
        # puts the pipe's ends there and becomes Chromium (the shell's redirections
        # take single-digit fds only). The ends are first moved above 4, so putting
        # one in place cannot close the other.
        commands_in, self._commands = (_above_4(fd) for fd in os.pipe())
        self._replies, replies_out = (_above_4(fd) for fd in os.pipe())
        self._process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", PLACE_FDS, str(commands_in), str(replies_out), str(CHROMIUM),
             *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={Path(self._tmp.name) / 'profile'}",
             "about:blank"],
            pass_fds=(commands_in, replies_out), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.close(commands_in)
        os.close(replies_out)
        self._lock = threading.Lock()
        self._next_id = 0
        self._pending: dict[int, Future] = {}
        self._events: dict[tuple[str, str], Future] = {}
        self._stderr: list[bytes] = []
        threading.Thread(target=self._read, name="chromium-protocol", daemon=True).start()
        threading.Thread(target=lambda: self._stderr.extend(self._process.stderr), daemon=True).start()
        self._pages = 0

    # --- the protocol ---------------------------------------------------------------

    def _read(self) -> None:
        buffer = b""
        with open(self._replies, "rb", buffering=0) as replies:
            while chunk := replies.read(1 << 16):
                buffer += chunk
                *messages, buffer = buffer.split(b"\0")
                for message in messages:
                    self._dispatch(json.loads(message))
        with self._lock:
            waiting = [*self._pending.values(), *self._events.values()]
            self._pending.clear()
            self._events.clear()
        for future in waiting:
            if not future.done():
                future.set_exception(PdfError(f"Chromium stopped: {self._last_message()}"))

    def _dispatch(self, message: dict) -> None:
        with self._lock:
            if "id" in message:
                future = self._pending.pop(message["id"], None)
            else:
                future = self._events.pop((message.get("sessionId", ""), message.get("method", "")), None)
        if future is not None:
            future.set_result(message)

    def _last_message(self) -> str:
        lines = b"".join(self._stderr).decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"exit code {self._process.poll()}"

    def expect(self, session: str, event: str) -> Future:
        """A future for the next ``event`` of ``session`` (set before the call that causes it)."""
        future: Future = Future()
        with self._lock:
            self._events[(session, event)] = future
        return future

    def call(self, method: str, params: dict | None = None, *, session: str = "") -> dict:
        """Send one protocol command and wait for its result."""
        future: Future = Future()
        with self._lock:
            self._next_id += 1
            message = {"id": self._next_id, "method": method, "params": params or {}}
            if session:
                message["sessionId"] = session
            self._pending[self._next_id] = future
            data = json.dumps(message).encode("utf-8") + b"\0"
            try:
                while data:
                    data = data[os.write(self._commands, data):]
            except OSError as err:
                raise PdfError(f"Chromium stopped: {self._last_message()} ({err})") from err
        reply = _wait(future, method)
        if "error" in reply:
            raise PdfError(f"Chromium: {method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    # --- pages ----------------------------------------------------------------------

    def open(self, html_text: str) -> str:
        """A new tab showing ``html_text``, loaded; returns its session."""
        with self._lock:
            self._pages += 1
            page = Path(self._tmp.name) / f"page-{self._pages}.html"
        page.write_text(html_text, encoding="utf-8")
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=session)
        loaded = self.expect(session, "Page.loadEventFired")
        self.call("Page.navigate", {"url": page.as_uri()}, session=session)
        _wait(loaded, f"loading {page.name}")
        return session

    def print_tab(self, session: str) -> bytes:
        return base64.b64decode(self.call("Page.printToPDF", PRINT, session=session)["data"])

    def close_tab(self, session: str) -> None:
        self.call("Target.detachFromTarget", {"sessionId": session})

    def print_pdf(self, html_text: str, target: Path) -> Path:
        """Print one HTML page (its own ``@page`` rules decide the paper) to ``target``."""
        session = self.open(html_text)
        try:
            return _write(target, self.print_tab(session))
        finally:
            self.close_tab(session)

    def print_report(self, html_text: str, target: Path, guess: Mapping[str, int] | None = None) -> Path:
        """Print the report with its contents' page numbers filled in (module docstring).

        ``guess``: the pages an earlier report's headings were on (:func:`destination_pages`
        of it), written into the contents before the first print. When that print has
        every heading on the page guessed, it is the report and no second print is
        made: a run whose report has the pages of the one before prints it once."""
        session = self.open(html_text)
        try:
            if guess:
                self._number_contents(session, guess)
            printed = self.print_tab(session)
            pages = destination_pages(printed)
            if not guess or pages != dict(guess):
                self._number_contents(session, pages)
                printed = self.print_tab(session)
            return _write(target, printed)
        finally:
            self.close_tab(session)

    def _number_contents(self, session: str, pages: Mapping[str, int]) -> None:
        script = f"{CONTENTS_PAGES}({json.dumps(dict(pages))})"
        self.call("Runtime.evaluate", {"expression": script}, session=session)

    def close(self) -> None:
        with contextlib.suppress(PdfError):  # a browser that stopped by itself is closed too
            self.call("Browser.close")
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._commands)
        self._tmp.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _wait(future: Future, what: str) -> dict:
    try:
        return future.result(timeout=TIMEOUT_S)
    except FutureTimeout:
        raise PdfError(f"Chromium: {what} took more than {TIMEOUT_S} s") from None


def _write(target: Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` by a rename, so no reader sees half a PDF."""
    if not data:
        raise PdfError(f"{target.name} not written: Chromium printed nothing")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(data)
    partial.replace(target)
    return target


def destination_pages(pdf: bytes) -> dict[str, int]:
    """Named destination (an HTML id that a link points to) -> page number, from 1."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return {name.lstrip("/"): reader.get_destination_page_number(dest) + 1
            for name, dest in reader.named_destinations.items()}
