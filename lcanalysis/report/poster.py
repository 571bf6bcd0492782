"""poster.pdf: the pilot's poster, A0 portrait (841 x 1189 mm), laid out from the run.

An HTML page with a CSS grid, printed by Chromium like the report
(:mod:`lcanalysis.report.pdf`): the title, the
synthetic-data mark when it applies, the pilot's three strands, the four findings
that have a poster figure (the sentence of :mod:`lcanalysis.report.findings` above
the figure the run saved, :func:`lcanalysis.report.document.run_figure`, SVG so it
stays sharp at A0), the method in three lines and
the run. Every word is in the run's language; the numbers are the findings' (from
audited tables) and the figures'.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from pathlib import Path

from lcanalysis.plots.labels import category_label
from lcanalysis.report.document import run_figure, run_policy
from lcanalysis.report.findings import findings
from lcanalysis.report.narrative import disclosure_rules, text

SIZES_MM = {"A0": (841, 1189), "A1": (594, 841)}
STRANDS = ("industry_labs", "foundation_year", "shared_course")
"""The pilot's strands (a), (b), (c)."""

STYLE = """
* { box-sizing: border-box; }
html { font-size: calc(var(--scale) * 30pt); }
body { margin: 0; font-family: "DejaVu Sans", Arial, sans-serif; color: #1a1a1a; }
.sheet { width: var(--w); height: var(--h); padding: 4% 4.5%; display: flex; flex-direction: column; gap: 1.6rem; }
header { border-bottom: .25rem solid #1954a6; padding-bottom: 1rem; }
h1 { font-size: 3.6rem; margin: 0 0 .4rem; color: #1954a6; line-height: 1.1; }
.subtitle { font-size: 1.5rem; margin: 0; color: #333; }
.mark { display: inline-block; margin-top: .8rem; background: #b3261e; color: #fff; font-weight: bold;
        font-size: 1.3rem; padding: .3rem .9rem; border-radius: .3rem; }
h2 { font-size: 1.7rem; margin: 0 0 .6rem; color: #1954a6; }
.strands { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1.2rem; }
.strand { background: #eef3fa; border-radius: .5rem; padding: .8rem 1rem; font-size: 1.15rem; }
.strand b { display: block; font-size: 1.5rem; color: #1954a6; }
.findings { display: grid; grid-template-columns: 1fr 1fr; grid-template-rows: 1fr 1fr; gap: 1.6rem; flex: 1;
            min-height: 0; }
.finding { display: flex; flex-direction: column; border: .12rem solid #c9d6ea; border-radius: .5rem;
           padding: 1rem 1.2rem; min-height: 0; }
.finding h3 { font-size: 1.55rem; margin: 0 0 .4rem; }
.finding p { font-size: 1.05rem; margin: 0 0 .8rem; line-height: 1.35; }
.finding p.evidence { font-size: .8rem; color: #4a5568; margin-top: -.5rem; }
.finding .figure { flex: 1; min-height: 0; position: relative; }
.finding img { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: contain; }
.method { font-size: 1.05rem; line-height: 1.4; }
footer { font-size: .9rem; color: #555; border-top: .1rem solid #ccc; padding-top: .5rem; }
"""


def poster_html(run_dir: Path, manifest: Mapping[str, object], *, lang: str, synthetic: bool,
                figures_dir: Path, size: str = "A0") -> str:
    """The poster as one HTML page of ``size`` (``"A0"`` or ``"A1"``)."""
    width, height = SIZES_MM[size]
    esc = html.escape
    rules = disclosure_rules(run_policy(manifest), lang)
    strands = "".join(
        f'<div class="strand"><b>({letter})</b>{esc(category_label("strand", code, lang))}</div>'
        for letter, code in zip("abc", STRANDS, strict=True))
    cards = []
    for f in [f for f in findings(run_dir / "tables", lang=lang) if f.figure][:4]:
        saved = run_figure(run_dir, figures_dir, f.figure, _made_by(manifest, f.figure.split("/")[0], run_dir.name))
        image = (f'<img src="data:image/svg+xml;base64,{base64.b64encode(saved[1]).decode()}" '
                 f'alt="{esc(f.question)}">') if saved else ""
        cards.append(f'<section class="finding"><h3>{esc(f.question)}</h3><p>{esc(f.sentence)}</p>'
                     f'<p class="evidence">{esc(f.evidence)}</p>'
                     f'<div class="figure">{image}</div></section>')
    mark = f'<div class="mark">{esc(text("report.banner", lang))}</div>' if synthetic else ""
    subtitle = text("report.subtitle", lang)
    body = (
        f'<div class="sheet"><header><h1>{esc(text("poster.title", lang))}</h1>'
        f'<p class="subtitle">{esc(subtitle)}</p>{mark}</header>'
        f'<section><h2>{esc(text("poster.strands", lang))}</h2><div class="strands">{strands}</div></section>'
        f'<section class="findings">{"".join(cards)}</section>'
        f'<section class="method"><h2>{esc(text("poster.method", lang))}</h2>'
        f'{esc(text("poster.method_text", lang, disclosure_rules=rules))}</section>'
        f'<footer>{esc(text("poster.footer", lang, run_id=manifest.get("run_id", "")))}</footer></div>'
    )
    scale = width / SIZES_MM["A0"][0]
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>'
            f'{esc(text("poster.title", lang))}</title><style>@page {{ size: {width}mm {height}mm; margin: 0; }}'
            f':root {{ --w: {width}mm; --h: {height}mm; --scale: {scale:.4f}; }}{STYLE}</style></head>'
            f"<body>{body}</body></html>")


def _made_by(manifest: Mapping[str, object], notebook: str, run_id: str) -> str:
    """The run that executed ``notebook`` (an earlier one when this run copied its results)."""
    tasks: Mapping[str, Mapping] = manifest["tasks"]  # type: ignore[assignment]
    entry = next((e for e in tasks.values() if e.get("notebook") == notebook), {})
    return str(entry.get("copied_from") or run_id)


def write_poster(browser, run_dir: Path, manifest: Mapping[str, object], *, lang: str, synthetic: bool,
                 figures_dir: Path) -> list[Path]:
    """Write poster.pdf (A0) and poster-A1.pdf in ``run_dir``, printed by ``browser``
    (a :class:`lcanalysis.report.pdf.Browser`); return both paths."""
    written = []
    for size, name in (("A0", "poster.pdf"), ("A1", "poster-A1.pdf")):
        page = poster_html(run_dir, manifest, lang=lang, synthetic=synthetic, figures_dir=figures_dir, size=size)
        written.append(browser.print_pdf(page, run_dir / name))
    return written
