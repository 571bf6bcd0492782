"""How long does each step of the report stage take on a finished run?

Rebuilds the report of a run folder (``reports/<run-id>/`` of ``lcanalysis run``,
with ``$LCANALYSIS_ROOT`` pointing at its project) into a temporary folder, step by
step in one process, and then as ``build_report`` does it (the steps overlapping):

- the document read from the run (notebooks, audited tables, figures) and its HTML;
- report.docx (python-docx);
- report.pdf (two prints in one Chromium tab, the contents' page numbers between);
- poster.pdf (A0) and poster-A1.pdf;
- build_report as a whole: one Chromium for the three PDFs, the posters printing
  while the report does, the Word file written meanwhile.

Prints wall-clock seconds per step and the load average (the machine is shared:
compare runs made at the same load, alternating). The run folder is only read.

Usage: LCANALYSIS_ROOT=<project> python benchmarks/report_speed.py <run-folder> [rounds]
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def main(run_dir: Path, rounds: int) -> None:
    from lcanalysis import paths
    from lcanalysis.pipeline.changes import section_html
    from lcanalysis.report import assemble, docx, pdf, poster

    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    lang, synthetic = manifest["lang"], bool(manifest["synthetic"])
    with tempfile.TemporaryDirectory(prefix="report-speed-") as tmp:
        copy = Path(tmp) / run_dir.name
        shutil.copytree(run_dir, copy, symlinks=True)
        for round_ in range(rounds):
            times: dict[str, float] = {}

            def timed(step, call, *args, times=times, **kwargs):
                start = time.perf_counter()
                result = call(*args, **kwargs)
                times[step] = round(time.perf_counter() - start, 2)
                return result

            changes = section_html(copy, lang)
            doc = timed("document", assemble.read_document, copy, manifest, lang=lang, synthetic=synthetic,
                        figures_dir=paths.figures_dir(), changes_html=changes)
            html = timed("html", assemble.document_html, doc)
            timed("docx", docx.write_docx, doc, copy / "report.docx")
            with pdf.Browser() as browser:
                timed("pdf", browser.print_report, html, copy / "report.pdf")
                for size, name in (("A0", "poster.pdf"), ("A1", "poster-A1.pdf")):
                    page = poster.poster_html(copy, manifest, lang=lang, synthetic=synthetic,
                                              figures_dir=paths.figures_dir(), size=size)
                    timed(size, browser.print_pdf, page, copy / name)
            timed("build_report", assemble.build_report, copy, manifest, lang=lang, synthetic=synthetic,
                  changes_html=changes)
            print(f"round {round_ + 1}:", json.dumps(times), f"load {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), int(sys.argv[2]) if len(sys.argv) > 2 else 1)
