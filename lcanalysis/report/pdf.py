"""report.pdf: the report's HTML printed by headless Chromium.

Why Chromium (docs/architecture.md): it is already installed for the browser test
(``scripts/ensure-chromium``, Debian's package, nothing downloaded at run time),
prints the same HTML as report.html (one layout to maintain), embeds the fonts it
uses, keeps SVG figures as vectors, writes CSS page-margin boxes (page numbers),
internal links with named destinations and a document outline from the headings.

The table of contents gets its page numbers in a second pass: the first print's
named destinations (one per heading the contents link to, read with pypdf) give
each heading's page, and the contents' lines have the same height with or without
the numbers, so the second print has the same pages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from lcanalysis.errors import LcanalysisError

CHROMIUM = Path(os.environ.get("LCANALYSIS_CHROMIUM", "/usr/bin/chromium"))
"""The browser that prints (``$LCANALYSIS_CHROMIUM`` overrides the Debian path)."""

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--no-first-run",
         "--no-pdf-header-footer", "--generate-pdf-document-outline")
TIMEOUT_S = 300


class PdfError(LcanalysisError):
    """Chromium is missing or could not print the page."""


def print_pdf(html_text: str, target: Path) -> Path:
    """Print one HTML page (its own ``@page`` rules decide the paper) to ``target``."""
    if not CHROMIUM.is_file():
        raise PdfError(f"{target.name} not written: {CHROMIUM} is missing; install it with "
                       "scripts/ensure-chromium (or set LCANALYSIS_CHROMIUM)")
    with tempfile.TemporaryDirectory(prefix="lcanalysis-pdf-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(html_text, encoding="utf-8")
        out = Path(tmp) / "out.pdf"
        cmd = [str(CHROMIUM), *FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}",
               f"--print-to-pdf={out}", page.as_uri()]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise PdfError(f"{target.name} not written: Chromium exited with {done.returncode}: {last}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(out, target)
    return target


def destination_pages(pdf: Path) -> dict[str, int]:
    """Named destination (an HTML id that a link points to) -> page number, from 1."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    return {name.lstrip("/"): reader.get_destination_page_number(dest) + 1
            for name, dest in reader.named_destinations.items()}


def write_report_pdf(doc, target: Path, *, render: Callable) -> Path:
    """Print ``doc`` (rendered by ``render(doc, page_numbers=...)``) with its contents'
    page numbers filled in (see the module docstring)."""
    print_pdf(render(doc), target)
    pages = destination_pages(target)
    return print_pdf(render(doc, page_numbers=pages), target)
