"""Tables for reading and generated findings: hand-checked against the demo world's
first-generation numbers (693 of 2,013 on campus, 92 of 121 at the learning centres)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lcanalysis.plots.labels import NBSP, category_label
from lcanalysis.report import findings, reading
from tests.fixtures.report_run import CHARACTERISTICS, ROUTE_GAPS, _csv


def _write(tmp_path: Path, task: str, name: str, table: dict, lang: str) -> Path:
    folder = tmp_path / task
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    path.write_text(_csv(table, lang), encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_rate_table_reads_as_words_units_and_rounded_numbers(tmp_path, lang):
    path = _write(tmp_path, "01_widening_participation", "characteristics_by_route", CHARACTERISTICS, lang)
    table = reading.reading_table(path, lang=lang, number=3, caption="c", sheet="characteristics_by_route")
    if lang == "sv":
        assert table.header == ["Egenskap", "Studieväg", "Täljare", "Nämnare", "Andel (%)",
                                "95 % konfidensintervall (%)"]
        assert table.rows[0][1:] == ["Campus", "693", f"2{NBSP}013", "34,4", "32,4–36,5"]
    else:
        assert table.header[-2:] == ["Rate (%)", "95% interval (%)"]
        assert table.rows[0][1:] == ["Campus", "693", "2,013", "34.4", "32.4–36.5"]
    assert table.source == "01_widening_participation/characteristics_by_route"
    assert table.notes == []


def test_a_wide_table_keeps_six_columns_and_names_the_rest(tmp_path):
    path = _write(tmp_path, "01_widening_participation", "route_gaps", ROUTE_GAPS, "sv")
    table = reading.reading_table(path, lang="sv", number=1, caption="c", sheet="route_gaps")
    assert table.width == reading.MAX_COLUMNS == 6
    # 16 columns: suppressed/suppression_reason hidden, three bound pairs merged (11),
    # then the five a reader misses least left out and the denominator (the table
    # above has it), named in the note with the workbook's sheet.
    assert table.header == ["Egenskap", "Studieväg", "Andel (%)", "Andel campus (%)",
                            "Skillnad mot campus (procentenheter)",
                            "Skillnad mot campus, 95 % konfidensintervall (procentenheter)"]
    assert table.rows[0][4:] == ["41,6", "33,0–48,6"]
    assert table.notes[-1] == ("Visas inte här: campus täljare; campus nämnare; kvot mot campus, 95 % "
                               "konfidensintervall; kvot mot campus; täljare; nämnare; arbetsboken tables.xlsx "
                               "har alla kolumner (blad route_gaps).")


def test_a_suppressed_value_is_marked_and_its_reason_named(tmp_path):
    path = _write(tmp_path, "01_widening_participation", "route_gaps", ROUTE_GAPS, "en")
    table = reading.reading_table(path, lang="en", number=1, caption="c", sheet="route_gaps")
    # Exported CSVs write a suppressed cell as its reason code; here the row is empty
    # where suppressed, so its numbers read "–", never 0.
    assert "0" not in table.rows[1][3:]
    suppressed = dict(CHARACTERISTICS, rows=[CHARACTERISTICS["rows"][0],
                                             ["first_generation", "learning_centre", "[small_count]", "121",
                                              "[small_count]", "[small_count]", "[small_count]", "true",
                                              "small_count"]])
    path = _write(tmp_path, "x", "characteristics_by_route", suppressed, "en")
    table = reading.reading_table(path, lang="en", number=1, caption="c", sheet="s")
    assert table.rows[1][2] == ".." and table.rows[1][4:] == ["..", ".."]
    reason = category_label("suppression_reason", "small_count", "en").lower()
    assert table.notes == [f".. = not shown: {reason}."]


def test_findings_sentence_is_the_numbers_of_the_table_with_interval_n_and_comparison(tmp_path):
    _write(tmp_path, "01_widening_participation", "characteristics_by_route", CHARACTERISTICS, "sv")
    reach = findings.findings(tmp_path, lang="sv")[0]
    p = f"{NBSP}%"
    assert reach.sentence == (
        f"76,0{p} av nybörjarna via lärcentrum var förstagenerationsstudenter (95 % konfidensintervall "
        f"67,7{p}–82,8{p}, n = 121), mot 34,4{p} på campus (32,4{p}–36,5{p}, n = 2{NBSP}013). "
        f"92,4{p} var 25 år eller äldre när de började (campus 13,6{p})."
    )
    _write(tmp_path, "01_widening_participation", "characteristics_by_route", CHARACTERISTICS, "en")
    assert findings.findings(tmp_path, lang="en")[0].sentence.startswith(
        "76.0% of learning-centre entrants were first-generation students (95% interval 67.7%–82.8%, n = 121)")


def test_a_suppressed_value_makes_a_sentence_that_says_so_and_shows_no_number(tmp_path):
    rows = [r[:] for r in CHARACTERISTICS["rows"]]
    rows[1][2:7] = ["[small_count]", "121", "[small_count]", "[small_count]", "[small_count]"]
    _write(tmp_path, "01_widening_participation", "characteristics_by_route",
           dict(CHARACTERISTICS, rows=rows), "en")
    reach = findings.findings(tmp_path, lang="en")[0]
    assert reach.sentence == ("Whom did it reach? The answer is not shown: the group is too small to publish "
                              "(disclosure control).")
    assert not any(ch.isdigit() for ch in reach.sentence)


def test_a_table_the_run_did_not_make_gives_a_sentence_without_numbers(tmp_path):
    stay = next(f for f in findings.findings(tmp_path, lang="sv") if f.key == "stay")
    assert stay.sentence == "Stannade de kvar? Inget svar i denna körning: tabellen bakom svaret togs inte fram."


def test_each_finding_carries_its_evidence_label_from_the_findings_table(tmp_path):
    reasons = "beskrivande jämförelse av vägarna vid en tidpunkt, ingen jämförelsegrupp"
    graded = {"columns": ["finding", "estimate", "evidence_ofs", "evidence_sms", "evidence_reasons"],
              "rows": [["reach_first_generation_gap", "41.6", "2", "1", reasons],
                       ["pilot_effect", "7.9", "3", "3", "skillnad-i-skillnader för 13 betjänade"]]}
    _write(tmp_path, "10_lessons_learnt", "findings", graded, "sv")
    by_key = {f.key: f for f in findings.findings(tmp_path, lang="sv")}
    assert by_key["reach"].evidence == (
        f"Evidensstyrka: OfS typ 2 (empirisk), nivå 1 av 5 på Maryland Scientific Methods Scale; {reasons}.")
    assert by_key["effect"].evidence.startswith("Evidensstyrka: OfS typ 3 (kausal), nivå 3 av 5")
    # not in the table: said so, never guessed
    assert by_key["stay"].evidence == ("Evidensstyrka: inte bedömd i denna körning (resultattabellen "
                                       "togs inte fram).")
    # the scale-up is graded as a projection, whatever the table holds
    assert by_key["scaleup"].evidence.startswith("Evidensstyrka: OfS typ 2 (empirisk), nivå 1 av 5")
    assert "prognos för nya kommuner" in by_key["scaleup"].evidence
    blocks = findings.findings_blocks(tmp_path, lang="sv", anchors={})
    assert any(reasons in getattr(b, "html", "") for b in blocks)


def test_an_outcome_column_that_tells_the_rows_apart_is_shown_and_a_constant_one_is_not(tmp_path):
    costs = {"columns": ["outcome", "count", "cost_per", "cost_band"],
             "rows": [["participant", "181", "115448.6", "very_high"],
                      ["credit_earned", "35", "12827.6", "high"]]}
    path = _write(tmp_path, "08_design_and_cost", "cost_per_outcome", costs, "sv")
    table = reading.reading_table(path, lang="sv", number=1, caption="c", sheet="cost_per_outcome")
    assert table.header[0] == "Utfall"
    assert [row[0] for row in table.rows] == ["Per deltagare", "Per avklarad högskolepoäng"]
    effect = {"columns": ["method", "outcome", "estimate"],
              "rows": [["twfe", "applicants_per_10k", "3.24"], ["callaway_santanna", "applicants_per_10k", "3.17"]]}
    path = _write(tmp_path, "04_pilot_effect", "pilot_effect", effect, "en")
    assert reading.reading_table(path, lang="en", number=2, caption="c", sheet="pilot_effect").header == [
        "Method", "Estimate"]
