"""How long does the privacy gate take on a run's PDFs, and does it grow linearly?

Builds, in a temporary folder:

- a run folder as the report issue lays it out: ``report.pdf`` (an HTML report of
  twelve sections, each with text, a table and a figure, printed by headless
  Chromium as the report is), ``poster.pdf`` (an A1 page of figures, printed the
  same way) and 25 figure PDFs (matplotlib, TrueType fonts as the house style
  writes them). Without /usr/bin/chromium the report and poster are multi-page
  matplotlib PDFs instead (the script says so);
- PDFs of about 1, 4 and 16 MB made the same way as the report (more sections);
- a 1 MB PDF whose content stream opens an array of strings and never closes it
  (``[`` and no ``] TJ``: what made the old gate backtrack exponentially).

Then times :func:`lcanalysis.privacy.scan` over each, with 2,000 participant names,
in wall-clock and in CPU seconds (this process and the PDF worker, whose start-up is
counted; the machine is shared, and CPU time is what other work does not move), with
a budget no file reaches. Prints the run folder's time against the target (a few
seconds: 5 s) and its CPU time against pypdf's own page text of the same files (the
floor any pypdf-based gate pays), each size's default budget, and the CPU ratios of
the 4 and 16 MB files to the 1 MB one next to their size ratios: linear growth
means the two agree.

Usage: python benchmarks/gate_speed.py
"""

from __future__ import annotations

import base64
import io
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from lcanalysis import privacy  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.privacy.pdfs import content_stream_pdf  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
TARGET_S = 5.0
SIZES_MB = (1, 4, 16)
RC = {"pdf.fonttype": 42}


def names() -> set[str]:
    """2,000 participants' full names and their double last names, as names_from_raw keeps them."""
    first = ["Anna", "Erik", "Eva", "Lars", "Karin", "Nils", "Sara", "Johan", "Maria", "Per"]
    last = ["Andersson", "Bergman", "Cederlund", "Dahlberg", "Ekström", "Falk", "Lindqvist",
            "Nyström", "Holm", "Sundberg"]
    second = [f"{w}{s}" for w in ("Ahl", "Bro", "Fors", "Hag", "Sjö") for s in ("gren", "lund", "vik", "dal")]
    full = {f"{first[i % 10]} {last[(i // 10) % 10]}-{second[i // 100]}" for i in range(2000)}
    return full | {n.split()[-1] for n in full}


def figure(seed: int, kind: str = "line"):
    rng = np.random.default_rng(seed)
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
        x = np.arange(2015, 2027)
        if kind == "bar":
            ax.bar([f"Centre {i}" for i in range(8)], rng.integers(5, 60, 8))
        else:
            for line in range(4):
                ax.plot(x, rng.random(len(x)).cumsum(), label=f"Lärcentrum {line + 1}")
            ax.legend()
        ax.set_title(f"Andel sökande per år, figur {seed}")
        ax.set_xlabel("År")
        ax.set_ylabel("Andel (%)")
    return fig


def png_uri(seed: int) -> str:
    buffer = io.BytesIO()
    fig = figure(seed)
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def section(number: int) -> str:
    rows = "".join(
        f"<tr><td>Lärcentrum {r}</td><td>HT{2020 + r % 6}</td><td>{12 + r * 3}</td>"
        f"<td>{0.1 + r / 100:.2f}</td></tr>" for r in range(30)
    )
    text = ("Studenter som läste via ett lärcentrum tog i genomsnitt fler högskolepoäng "
            "under första året än jämförelsegruppen, men skillnaden är osäker. ") * 12
    return (f"<h2>{number}. Avsnitt {number}: studieresultat</h2><p>{text}</p>"
            f"<table><tr><th>Centrum</th><th>Termin</th><th>Antal</th><th>Andel</th></tr>{rows}"
            f"</table><img src='{png_uri(number)}' style='width:16cm'>")


def chromium(html: str, out: Path) -> Path:
    page = out.with_suffix(".html")
    page.write_text(html, encoding="utf-8")
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--no-first-run", "--no-pdf-header-footer",
                    f"--print-to-pdf={out}", page.as_uri()],
                   check=True, capture_output=True, timeout=600)
    page.unlink()
    return out


def report(out: Path, sections: int) -> Path:
    """A report of ``sections`` sections: printed by Chromium, else matplotlib pages."""
    if CHROMIUM.is_file():
        body = "".join(section(n) for n in range(1, sections + 1))
        return chromium("<!doctype html><html lang='sv'><head><meta charset='utf-8'><style>"
                        "@page{size:A4;margin:2cm} body{font-family:sans-serif}</style></head>"
                        f"<body><h1>Utvärdering av lärcentrumpiloten</h1>{body}</body></html>", out)
    from matplotlib.backends.backend_pdf import PdfPages

    with PdfPages(out) as pages:
        for n in range(1, sections + 1):
            fig = figure(n)
            fig.text(0.02, 0.01, f"Avsnitt {n}: studieresultat " * 6, fontsize=5)
            pages.savefig(fig)
            plt.close(fig)
    return out


def poster(out: Path) -> Path:
    if CHROMIUM.is_file():
        images = "".join(f"<img src='{png_uri(100 + i)}' style='width:38cm'>" for i in range(6))
        return chromium("<!doctype html><html lang='sv'><head><meta charset='utf-8'><style>"
                        "@page{size:A1;margin:2cm} body{font-family:sans-serif;font-size:28pt}"
                        "</style></head><body><h1>Lärcentrumpiloten: vad vi har lärt oss</h1>"
                        f"<p>{'Fler sökande från glesbygd. ' * 20}</p>{images}</body></html>", out)
    fig = figure(100)
    fig.set_size_inches(23.4, 33.1)
    fig.savefig(out)
    plt.close(fig)
    return out


def floor(path: Path) -> float:
    """The parser's own cost in CPU seconds: pypdf's text of every page of the PDFs
    under ``path``, in this process (no worker, no metadata, no checks)."""
    from pypdf import PdfReader

    files = sorted(path.rglob("*.pdf")) if path.is_dir() else [path]
    start = time.process_time()
    for file in files:
        for page in PdfReader(file).pages:
            page.extract_text()
    return time.process_time() - start


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_scan(path: Path, found_names: set[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of the gate over ``path`` (CPU: this process and
    the PDF worker, which the scan ends and waits for)."""
    wall, cpu, child = time.perf_counter(), time.process_time(), children_cpu()
    findings = privacy.scan([path], names=found_names, budget=privacy.TimeBudget(3600, 0))
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu + children_cpu() - child
    if findings:
        raise SystemExit(f"the gate found something in the benchmark's own files: {findings[:3]}")
    return wall, cpu


def main() -> None:
    made_by = "Chromium print-to-PDF" if CHROMIUM.is_file() else "matplotlib (no /usr/bin/chromium)"
    found_names = names()
    with tempfile.TemporaryDirectory(prefix="lcanalysis-gate-") as tmp:
        root = Path(tmp)
        run = root / "reports" / "run-1"
        (run / "figures").mkdir(parents=True)
        report(run / "report.pdf", 12)
        poster(run / "poster.pdf")
        for n in range(25):
            fig = figure(200 + n, "bar" if n % 2 else "line")
            fig.savefig(run / "figures" / f"figure_{n:02d}.pdf")
            plt.close(fig)
        run_mb = sum(p.stat().st_size for p in run.rglob("*.pdf")) / 2**20
        run_floor = floor(run)
        run_s, run_cpu = timed_scan(run, found_names)
        print(f"run folder (report.pdf, poster.pdf, 25 figures; {run_mb:.1f} MB, {made_by}): "
              f"{run_s:.2f} s, {run_s / TARGET_S:.2f}x the {TARGET_S:.0f} s target; CPU {run_cpu:.2f} s "
              f"against {run_floor:.2f} s for pypdf's page text alone: {run_cpu / run_floor:.2f}x")

        probe = report(root / "probe.pdf", 4)
        per_section = probe.stat().st_size / 4
        sized = []
        for mb in SIZES_MB:
            path = report(root / f"report_{mb}mb.pdf", max(1, round(mb * 2**20 / per_section)))
            sized.append((path.stat().st_size, *timed_scan(path, found_names), floor(path)))
        base_size, _, base_cpu, _ = sized[0]
        for (size, seconds, cpu, parser), mb in zip(sized, SIZES_MB, strict=True):
            print(f"{mb:>2} MB report ({size / 2**20:.1f} MB): {seconds:.2f} s, CPU {cpu:.2f} s "
                  f"(pypdf's page text alone {parser:.2f} s; default budget "
                  f"{privacy.DEFAULT_BUDGET.of(size):.0f} s); size {size / base_size:.1f}x, "
                  f"CPU {cpu / base_cpu:.1f}x the first")

        bracket = root / "open_array.pdf"
        bracket.write_bytes(content_stream_pdf(b"BT /F1 12 Tf 20 100 Td [" + b"(a) " * 260_000))
        wall, cpu = timed_scan(bracket, found_names)
        print(f"1 MB content stream with '[' and no '] TJ': {wall:.2f} s, CPU {cpu:.2f} s")


if __name__ == "__main__":
    main()
