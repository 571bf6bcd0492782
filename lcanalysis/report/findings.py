"""The findings: one or two generated sentences per question of the pilot.

Each sentence is filled in from a table the run exported, that is from a file that
passed the disclosure audit (:func:`lcanalysis.report.tables.export_tables`; the
privacy gate audits it again): no number reaches a sentence that is not in an
audited table. A value that was suppressed there gives the sentence
``finding.suppressed`` ("the group is too small to publish"), never a number; a
table the run did not produce gives ``finding.missing``. The templates are in
:mod:`lcanalysis.report.language`; the source table is linked from each sentence.

Each finding carries its strength of evidence (OfS type, Maryland level and the
reasons; :mod:`lcanalysis.indicators.evidence`), read from the findings table of
notebook 10 (``10_lessons_learnt/findings.csv``) for the questions it grades, and
graded as a model projection for the scale-up.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from lcanalysis.report.document import Heading, Prose
from lcanalysis.report.narrative import text
from lcanalysis.report.reading import parse_number, read_csv


class Suppressed(Exception):
    """A value the sentence needs was not published (disclosure control)."""


@dataclass(frozen=True)
class Finding:
    key: str  # reach, performance, stay, effect, scaleup
    question: str
    sentence: str
    source: str  # "<task>/<table>" of the exported table behind it
    figure: str  # the poster figure's name under figures/ ("" if none)
    evidence: str  # the strength-of-evidence sentence


@dataclass(frozen=True)
class Question:
    key: str
    source: str
    figure: str
    values: Callable[[list[dict[str, str]], str], dict[str, object]]
    graded: str  # the finding id in 10's findings table, or "design:<design>" graded here
    extra: tuple[tuple[str, Callable[[list[dict[str, str]], str], dict[str, object]]], ...] = ()


def _row(rows: list[dict[str, str]], **match: str) -> dict[str, str]:
    for row in rows:
        if all(row.get(k) == v for k, v in match.items()):
            return row
    raise LookupError(match)


def _number(row: Mapping[str, str], column: str, lang: str) -> float:
    cell = row.get(column, "")
    if cell.startswith("["):
        raise Suppressed(column)
    value = parse_number(cell, lang)
    if value is None:
        raise LookupError(column)
    return value


def _route_pair(rows, lang, *, n: str = "denominator", **match: str) -> dict[str, object]:
    out: dict[str, object] = {}
    for route, prefix in (("learning_centre", "lc"), ("campus", "campus")):
        row = _row(rows, route=route, **match)
        out[f"{prefix}_rate"] = _number(row, "rate", lang)
        out[f"{prefix}_low"] = _number(row, "ci_low", lang)
        out[f"{prefix}_high"] = _number(row, "ci_high", lang)
        out[f"{prefix}_n"] = int(_number(row, n, lang))
    return out


def _mature(rows, lang) -> dict[str, object]:
    return {"mature_rate": _number(_row(rows, route="learning_centre", characteristic="mature"), "rate", lang),
            "mature_campus": _number(_row(rows, route="campus", characteristic="mature"), "rate", lang)}


def _effect(rows, lang) -> dict[str, object]:
    row = _row(rows, method="callaway_santanna")
    return {"estimate": _number(row, "estimate", lang), "low": _number(row, "ci_low", lang),
            "high": _number(row, "ci_high", lang), "units": int(_number(row, "n_units", lang)),
            "obs": int(_number(row, "n_obs", lang))}


def _randomisation(rows, lang) -> dict[str, object]:
    return {"p": _number(_row(rows, method="randomisation_inference_cs"), "p_value", lang)}


def _scaleup(rows, lang) -> dict[str, object]:
    ranked = [r for r in rows if r.get("ranked_by") == "expected"]
    if not ranked:
        raise LookupError("ranked_by")
    row = min(ranked, key=lambda r: _number(r, "k", lang))
    return {"k": int(_number(row, "k", lang)), "expected": _number(row, "expected", lang),
            "low": _number(row, "prediction_low", lang), "high": _number(row, "prediction_high", lang),
            "obs": int(_number(row, "n_obs", lang))}


QUESTIONS: tuple[Question, ...] = (
    Question("reach", "01_widening_participation/characteristics_by_route",
             "01_widening_participation/poster_reach",
             lambda rows, lang: _route_pair(rows, lang, characteristic="first_generation"),
             "reach_first_generation_gap", (("finding.reach.mature", _mature),)),
    Question("performance", "02_study_progression/performance_rate", "02_study_progression/poster_foundation_year_funnel",
             lambda rows, lang: _route_pair(rows, lang, n="n_persons"), "performance_rate_learning_centre"),
    Question("stay", "03_brain_drain/retention", "03_brain_drain/poster_retention",
             lambda rows, lang: _route_pair(rows, lang, years="1", measure="lives_in_home"),
             "stays_in_home_region_learning_centre"),
    Question("effect", "04_pilot_effect/pilot_effect", "04_pilot_effect/poster_event_study", _effect,
             "pilot_effect", (("finding.effect.randomisation", _randomisation),)),
    Question("scaleup", "07_scale_up/scale_up_scenarios", "", _scaleup, "design:scale_up_projection"),
)
"""The pilot's questions in the report's order: the table each is answered from, the
poster figure that shows it, and how the sentence's values are read."""


FINDINGS_TABLE = "10_lessons_learnt/findings"


def _evidence(q: Question, graded: Mapping[str, Mapping[str, str]], lang: str) -> str:
    if q.graded.startswith("design:"):
        from lcanalysis import paths
        from lcanalysis.indicators import evidence

        if not (paths.config_dir() / evidence.RULES_FILE).is_file():
            return text("finding.evidence_missing", lang)  # a project without the rules
        label = evidence.grade(q.graded.removeprefix("design:"), lang=lang)
        ofs, sms, reasons = label.ofs, label.sms, label.text()
    elif q.graded in graded:
        row = graded[q.graded]
        ofs, sms, reasons = int(row["evidence_ofs"]), int(row["evidence_sms"]), row["evidence_reasons"]
    else:
        return text("finding.evidence_missing", lang)
    return text("finding.evidence", lang, ofs=ofs, ofs_words=text(f"evidence.ofs.{ofs}", lang),
                sms=sms, reasons=reasons)


def findings(tables_dir: Path, *, lang: str) -> list[Finding]:
    """Every question's sentence and evidence label for the run whose exported
    tables are in ``tables_dir``."""
    graded_file = tables_dir / f"{FINDINGS_TABLE}.csv"
    graded = ({row["finding"]: row for row in read_csv(graded_file, lang)[1]}
              if graded_file.is_file() else {})
    out = []
    for q in QUESTIONS:
        question = text(f"finding.{q.key}.question", lang)
        csv_file = tables_dir / f"{q.source}.csv"
        if not csv_file.is_file():
            sentence = text("finding.missing", lang, question=question)
        else:
            _, rows = read_csv(csv_file, lang)
            try:
                sentence = text(f"finding.{q.key}", lang, **q.values(rows, lang))
            except Suppressed:
                sentence = text("finding.suppressed", lang, question=question)
            except LookupError:
                sentence = text("finding.missing", lang, question=question)
            else:
                for key, values in q.extra:
                    try:
                        sentence += text(key, lang, **values(rows, lang))
                    except (Suppressed, LookupError):
                        continue  # an addition to the sentence, left out rather than shown
        out.append(Finding(q.key, question, sentence, q.source, q.figure, _evidence(q, graded, lang)))
    return out


def findings_blocks(tables_dir: Path, *, lang: str, anchors: Mapping[str, tuple[str, int]]) -> list:
    """The findings as report blocks: the question as a heading, the sentence and a
    link to the table in the report that holds its numbers."""
    blocks: list = []
    for f in findings(tables_dir, lang=lang):
        blocks.append(Heading(2, f.question, f"finding-{f.key}"))
        link = ""
        if f.source in anchors:
            anchor, number = anchors[f.source]
            words = text("report.see_table", lang, number=number)
            link = " " + text("finding.source", lang, link=f'<a href="#{anchor}">{html.escape(words)}</a>')
        blocks.append(Prose(f'<p class="finding">{html.escape(f.sentence)}{link}</p>'
                            f'<p class="evidence">{html.escape(f.evidence)}</p>'))
    return blocks
