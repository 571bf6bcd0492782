"""The headline findings are the numbers notebooks 01-04 show.

One small demo world is generated and cleaned; the real notebooks 01, 02, 03, 04 and 10
are executed on it (papermill, English, 99 permutations) and the findings table that 10
exports is compared with the tables 01-04 export, row by row (the CSVs keep six
decimals). This is what issue 13 asked: one headline function used by 10, equal to
what the question notebooks show.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from lcanalysis import identity
from lcanalysis.clean import clean
from lcanalysis.indicators import headline
from lcanalysis.synth import generate_demo_world

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = ("01_widening_participation", "02_study_progression", "03_brain_drain",
             "04_pilot_effect", "10_lessons_learnt")


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def one(rows: list[dict], **keys) -> dict:
    found = [r for r in rows if all(r[k] == v for k, v in keys.items())]
    assert len(found) == 1, (keys, found)
    return found[0]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    import papermill

    root = tmp_path_factory.mktemp("headline")
    generate_demo_world(root / "raw", seed=11, scale=0.5)
    clean(root / "raw", root / "processed", key=identity.DEMO_KEY)
    for name in NOTEBOOKS:
        parameters = {"data_dir": str(root / "processed"), "tables_dir": str(root / "tables" / name),
                      "figures_dir": str(root / "figures"), "lang": "en"}
        if name in ("04_pilot_effect", "10_lessons_learnt"):
            parameters["n_permutations"] = 99
        papermill.execute_notebook(REPO / "notebooks" / f"{name}.ipynb", root / f"{name}.ipynb",
                                   parameters=parameters, cwd=str(REPO), progress_bar=False,
                                   kernel_name="python3")
    return root / "tables"


@pytest.mark.slow
def test_findings_equal_what_notebooks_01_to_04_show(exported):
    findings = {r["finding"]: r for r in read_csv(exported / "10_lessons_learnt" / "findings.csv")}
    assert list(findings) == list(headline.FINDINGS)
    assert list(read_csv(exported / "10_lessons_learnt" / "findings.csv")[0])[:8] == [
        "finding", "estimate", "ci_low", "ci_high", "n", "evidence_ofs", "evidence_sms",
        "evidence_reasons"]

    def same(finding: str, row: dict, columns: tuple[str, str, str, str], scale: float = 1.0):
        got = findings[finding]
        if row.get("suppressed") == "true":  # hidden in its notebook: hidden here, no numbers
            assert got["suppressed"] == "true", finding
            assert not any(ch.isdigit() for c in ("estimate", "ci_low", "ci_high", "n") for ch in got[c])
            return
        for mine, theirs in zip(("estimate", "ci_low", "ci_high"), columns[:3], strict=True):
            assert float(got[mine]) == pytest.approx(float(row[theirs]) * scale, abs=2e-4), (
                finding, mine)
        assert int(got["n"]) == int(float(row[columns[3]])), finding

    gaps = read_csv(exported / "01_widening_participation" / "route_gaps.csv")
    for indicator in ("first_generation", "mature"):
        same(f"reach_{indicator}_gap",
             one(gaps, characteristic=indicator, route="learning_centre"),
             ("gap_pp", "gap_ci_low", "gap_ci_high", "denominator"))
    performance = read_csv(exported / "02_study_progression" / "performance_rate.csv")
    same("performance_rate_learning_centre", one(performance, route="learning_centre"),
         ("rate", "ci_low", "ci_high", "n_persons"), 100.0)
    retention = read_csv(exported / "03_brain_drain" / "retention.csv")
    same("stays_in_home_region_learning_centre",
         one(retention, route="learning_centre", years="1", measure="lives_in_home"),
         ("rate", "ci_low", "ci_high", "denominator"), 100.0)
    effects = read_csv(exported / "04_pilot_effect" / "pilot_effect.csv")
    same("pilot_effect", one(effects, method="randomisation_inference_cs"),
         ("estimate", "ci_low", "ci_high", "n_units"))
    assert findings["pilot_effect"]["evidence_ofs"] in ("2", "3")
    assert findings["pilot_effect"]["evidence_reasons"].startswith("difference-in-differences of ")
    assert {findings[f]["evidence_sms"] for f in headline.FINDINGS[:4]} == {"1"}


@pytest.mark.slow
def test_each_finding_names_its_row_and_the_run_leaks_nothing_through_it(exported):
    """The small world hides the learning centre's 1-year retention in notebook 03
    (small complement): the finding that repeats it is hidden too, it names the row
    it repeats, and the intruder over the whole run (findings linked to their
    sources) finds nothing."""
    from lcanalysis.report.tables import attack_run

    findings = {r["finding"]: r for r in read_csv(exported / "10_lessons_learnt" / "findings.csv")}
    retention = one(read_csv(exported / "03_brain_drain" / "retention.csv"),
                    route="learning_centre", years="1", measure="lives_in_home")
    assert retention["suppressed"] == "true"
    stays = findings["stays_in_home_region_learning_centre"]
    assert stays["suppressed"] == "true" and stays["suppression_reason"] == retention["suppression_reason"]
    assert stays["source"] == "03_brain_drain/retention?route=learning_centre&years=1&measure=lives_in_home"
    assert findings["reach_mature_gap"]["source"] == (
        "01_widening_participation/route_gaps?characteristic=mature&route=learning_centre")
    assert attack_run(exported.parent, "default") == []


@pytest.mark.slow
def test_a_count_in_a_sentence_is_the_protected_count(exported):
    """Notebook 03 says how many entrants its flow chart leaves out: the number comes
    from the protected not_placed table (the same small-count rule as every table),
    so the sentence shows it exactly when the table does."""
    import json

    row = one(read_csv(exported / "03_brain_drain" / "not_placed.csv"), work_region="unknown")
    executed = json.loads((exported.parent / "03_brain_drain.ipynb").read_text(encoding="utf-8"))
    said = [line for cell in executed["cells"] if cell["cell_type"] == "code"
            for out in cell.get("outputs", []) for line in out.get("data", {}).get("text/markdown", [])
            if line.startswith("Not drawn:")]
    assert len(said) == 1
    if row["suppressed"] == "true":
        assert said[0].startswith("Not drawn: the entrants without a work place") and not any(
            ch.isdigit() for ch in said[0].split("the ")[1].split("-year")[0])
    else:
        assert said[0].replace(",", "").startswith(f"Not drawn: {row['count']} entrants without a work place")
