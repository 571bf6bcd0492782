"""Run-to-run changes (lcanalysis.pipeline.changes) on small run folders built here.

Each run folder imitates what ``lcanalysis run`` writes: manifest.json (inputs'
hashes, task parameters, commit, versions) and tables/<notebook>/<table>.csv in the
export format of lcanalysis.report.tables (en: ``,`` and decimal points; sv: ``;``
and decimal commas; a suppressed cell as ``[code]``).
"""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from lcanalysis.pipeline import changes as ch
from lcanalysis.stats import difference_in_proportions
from tests.fixtures.language import other_language_words

HEADER = "route,characteristic,numerator,denominator,rate,ci_low,ci_high,suppressed,suppression_reason"
TASKS = ("10_lessons_learnt", "02_study_progression")


def rate_row(route: str, characteristic: str, x: int, n: int) -> str:
    low, high = proportion_confint(x, n, method="wilson")
    return f"{route},{characteristic},{x},{n},{x / n:.6f},{low:.6f},{high:.6f},false,"


def reach_table(lc: tuple[int, int] = (76, 100), campus: tuple[int, int] = (340, 1000)) -> str:
    return "\n".join([HEADER, rate_row("learning_centre", "first_generation", *lc),
                      rate_row("campus", "first_generation", *campus)]) + "\n"


PILOT_EFFECT = ("method,estimate,std_error,ci_low,ci_high,p_value,n_obs,n_units,comparison,outcome\n"
                "twfe,7.5,0.7,6.1,8.9,0,3480,290,all,applicants_per_10k\n")
PERFORMANCE = ("route,numerator,denominator,rate,ci_low,ci_high,suppressed,suppression_reason,"
               "n_persons,n_registrations,incomplete_window\n"
               "learning_centre,4051.5,4590,0.88268,0.844514,0.920846,false,,90,612,1517\n")


def make_run(reports: Path, run_id: str, *, tables: dict[str, str] | None = None,
             raw: dict[str, str] | None = None, config: dict[str, str] | None = None,
             params: dict[str, object] | None = None, commit: str | None = None,
             synthetic: bool = True, raw_dir: str = "data/raw/demo", lang: str = "en",
             finished: bool = True, findings: int = 0) -> Path:
    """A run folder with a manifest and exported tables (name "<task>/<table>" -> CSV text)."""
    run = reports / run_id
    parameters = {"lang": lang, "disclosure_policy": "default", "cohort_terms": ["HT2024", "VT2025"],
                  "run_id": run_id, "tables_dir": f"reports/{run_id}/tables", "synthetic": synthetic,
                  **(params or {})}
    manifest = {
        "run_id": run_id, "started": f"2026-01-0{run_id[-1]}T02:30:00+00:00",
        "finished": f"2026-01-0{run_id[-1]}T02:32:00+00:00" if finished else None,
        "git_commit": commit, "versions": {"lcanalysis": "0.1.0", "polars": "1.20.0"},
        "lang": lang, "synthetic": synthetic,
        "inputs": {"raw_dir": raw_dir,
                   "raw_files": raw if raw is not None else {"registrations/ladok.csv": "aa",
                                                              "results/results.csv": "bb"},
                   "config_files": config if config is not None else {"codes.yaml": "c1",
                                                                       "learning_centres.yaml": "l1"}},
        "tasks": {t: {"notebook": t, "status": "ok", "outcome": "ok", "parameters": dict(parameters)}
                  for t in TASKS},
        "privacy_gate": {"findings": findings},
    }
    tables = tables if tables is not None else {"10_lessons_learnt/reach": reach_table(),
                                                "10_lessons_learnt/pilot_effect": PILOT_EFFECT,
                                                "02_study_progression/performance_rate": PERFORMANCE}
    for name, text in tables.items():
        path = run / "tables" / f"{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8-sig")
    (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return run


def by_id(changes: dict) -> dict[str, dict]:
    return {e["id"]: e for e in changes["indicators"]}


LC = "10_lessons_learnt/reach?route=learning_centre&characteristic=first_generation"


# --------------------------------------------------------------------------- the Done-when cases


def test_identical_runs_have_no_causes_and_no_movement(tmp_path):
    a = make_run(tmp_path, "run-1", commit=None)
    b = make_run(tmp_path, "run-2", commit=None)
    changes = ch.compare_runs(a, b)
    assert changes["comparable"] is True
    assert changes["causes"] == {"data": [], "definitions": [], "parameters": [], "code": []}
    entries = changes["indicators"]
    assert len(entries) == 4  # two reach rows, one pilot effect, one performance rate
    assert all(e["difference"] == 0 and e["beyond_uncertainty"] is False for e in entries)
    assert changes["summary"]["moved"] == 0 and changes["summary"]["beyond_uncertainty"] == 0
    (b / ch.CHANGES_FILE).write_text(json.dumps(changes), encoding="utf-8")
    section = ch.section_html(b, "en")
    assert "Nothing changed in the data, definitions, parameters or code" in section
    # nothing moved: no table, the indicators counted
    assert section.count('<th scope="row"') == 0
    assert "Of 4 indicators, 0 moved beyond their uncertainty; 4 other indicator(s) moved within their " \
           "uncertainty or not at all." in section


def test_a_changed_raw_file_is_a_data_cause_naming_its_source(tmp_path):
    a = make_run(tmp_path, "run-1")
    b = make_run(tmp_path, "run-2", raw={"registrations/ladok.csv": "CHANGED",
                                         "results/results.csv": "bb",
                                         "surveys/2025.xlsx": "new"})
    data = ch.compare_runs(a, b)["causes"]["data"]
    assert data == [{"source": "registrations", "file": "registrations/ladok.csv", "change": "edited"},
                    {"source": "surveys", "file": "surveys/2025.xlsx", "change": "added"}]
    assert ch.data_causes({"results/r.csv": "x"}, {}) == [
        {"source": "results", "file": "results/r.csv", "change": "removed"}]


def test_a_changed_pipeline_parameter_is_a_parameters_cause_naming_it(tmp_path):
    a = make_run(tmp_path, "run-1")
    b = make_run(tmp_path, "run-2", params={"cohort_terms": ["HT2024", "VT2025", "HT2025"]})
    changes = ch.compare_runs(a, b)
    assert changes["causes"]["parameters"] == [{"parameter": "cohort_terms", "tasks": sorted(TASKS),
                                                "previous": ["HT2024", "VT2025"],
                                                "current": ["HT2024", "VT2025", "HT2025"]}]
    assert {tuple(e["causes"]) for e in changes["indicators"]} == {("parameters: cohort_terms",)}
    # a notebook whose outputs were copied unchanged cannot have moved
    manifest = json.loads((b / "manifest.json").read_text())
    manifest["tasks"]["10_lessons_learnt"].update(status="skipped", reason="unchanged")
    copied = ch.compare_runs(a, b, current_manifest=manifest)
    assert {e["table"].split("/")[0] for e in copied["indicators"] if e["causes"]} == {"02_study_progression"}


def test_a_changed_definition_file_is_a_definitions_cause_with_its_keys(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    centres = config / "learning_centres.yaml"
    centres.write_text("learning_centres:\n  norrtalje: {start_term: HT2024, serves: ['0188']}\n"
                       "  arvika: {start_term: VT2025}\n", encoding="utf-8")
    from lcanalysis.clean import file_sha256

    a = make_run(tmp_path / "reports", "run-1", config={"learning_centres.yaml": file_sha256(centres)})
    assert ch.keep_config(a, config, {"learning_centres.yaml": file_sha256(centres)}) == [
        "learning_centres.yaml"]
    centres.write_text("learning_centres:\n  norrtalje: {start_term: VT2025, serves: ['0188']}\n"
                       "  arvika: {start_term: VT2025}\n  vastervik: {start_term: VT2025}\n",
                       encoding="utf-8")
    b = make_run(tmp_path / "reports", "run-2", config={"learning_centres.yaml": file_sha256(centres)})
    ch.keep_config(b, config, {"learning_centres.yaml": file_sha256(centres)})
    definitions = ch.compare_runs(a, b)["causes"]["definitions"]
    assert definitions == [{"file": "learning_centres.yaml", "change": "edited",
                            "keys": ["learning_centres.norrtalje.start_term", "learning_centres.vastervik"]}]


def test_a_definition_file_without_an_earlier_copy_is_named_with_keys_unknown(tmp_path):
    a = make_run(tmp_path, "run-1", config={"codes.yaml": "c1"})
    b = make_run(tmp_path, "run-2", config={"codes.yaml": "c2", "evidence.yaml": "e1"})
    changes = ch.compare_runs(a, b)
    assert changes["causes"]["definitions"] == [
        {"file": "codes.yaml", "change": "edited", "keys": None},
        {"file": "evidence.yaml", "change": "added", "keys": None}]
    assert ch.cause_lines(changes, "en") == [
        ("definitions", "the code lists edited (which settings is not known: no copy of the earlier file)"),
        ("definitions", "the rules for grading the evidence added")]
    many = {"causes": {"data": ch.data_causes({}, {f"registrations/r{i}.csv": "x" for i in range(5)})}}
    assert ch.cause_lines(many, "en") == [
        ("data", "Ladok: course registrations: r0.csv, r1.csv, r2.csv (+2) added")]


def test_the_report_section_appears_in_both_languages(tmp_path):
    make_run(tmp_path, "run-1", tables={"10_lessons_learnt/reach": reach_table((760, 1000))})
    b = make_run(tmp_path, "run-2", tables={"10_lessons_learnt/reach": reach_table((710, 1000))},
                 raw={"registrations/ladok.csv": "new", "results/results.csv": "bb"})
    ch.record_changes(b, json.loads((b / "manifest.json").read_text()), reports_dir=tmp_path,
                      config_dir=tmp_path / "no-config")
    en, sv = ch.section_html(b, "en"), ch.section_html(b, "sv")
    assert "<h2>Changes since the last run</h2>" in en
    assert "<h2>Förändringar sedan förra körningen</h2>" in sv
    for text, moved, cause in ((en, "Headline findings that moved beyond their uncertainty",
                                 "Ladok: course registrations: ladok.csv edited"),
                               (sv, "Huvudresultat som förändrats mer än osäkerheten",
                                "Ladok: kursregistreringar: ladok.csv har ändrats")):
        assert moved in text and cause in text
    # the headline that moved: 76 % -> 71 % of 1,000 (Newcombe: -8.8 to -1.1 points)
    assert "76.0% → 71.0%, −5.0\u00a0pp (−8.8\u00a0pp to −1.1\u00a0pp); possible causes: data" in en
    assert "76,0\u00a0% → 71,0\u00a0%, −5,0\u00a0p.e. (−8,8\u00a0p.e.; −1,1\u00a0p.e.)" in sv
    assert "Changes since" not in sv and "Förändringar" not in en
    # labels in the section's language, whatever the run's language was
    assert "Learning centre, First generation" in en and "Lärcentrum, Första generationen" in sv


# --------------------------------------------------------------------------- judging movement


def test_newcombe_judges_a_proportion_of_people_hand_checked(tmp_path):
    """76/100 -> 71/100: Newcombe (-0.1702, 0.0721) includes 0; 760/1000 -> 710/1000:
    (-0.0885, -0.0113) excludes it (values from Newcombe 1998 method 10 by hand)."""
    a = make_run(tmp_path, "run-1", tables={"10_lessons_learnt/reach": reach_table((76, 100), (760, 1000))})
    b = make_run(tmp_path, "run-2", tables={"10_lessons_learnt/reach": reach_table((71, 100), (710, 1000))})
    entries = by_id(ch.compare_runs(a, b))
    small = entries[LC]
    big = entries["10_lessons_learnt/reach?route=campus&characteristic=first_generation"]
    assert small["method"] == big["method"] == "newcombe"
    assert small["difference"] == pytest.approx(-0.05)
    assert small["difference_ci"] == pytest.approx([-0.170170, 0.072065], abs=1e-5)
    assert small["beyond_uncertainty"] is False
    assert big["difference_ci"] == pytest.approx([-0.088493, -0.011313], abs=1e-5)
    assert big["beyond_uncertainty"] is True
    assert (small["previous_n"], small["current_n"]) == (100, 100)


def test_other_estimates_are_judged_from_their_intervals(tmp_path):
    """pilot effect 7.5 (6.1, 8.9) -> 10.0 (8.8, 11.2): MOVER interval
    2.5 -/+ sqrt(1.2^2 + 1.4^2) = (0.656, 4.344), beyond; a credits ratio (n_persons)
    is not treated as a proportion of people."""
    a = make_run(tmp_path, "run-1")
    effect = PILOT_EFFECT.replace("twfe,7.5,0.7,6.1,8.9", "twfe,10.0,0.6,8.8,11.2")
    b = make_run(tmp_path, "run-2", tables={"10_lessons_learnt/pilot_effect": effect,
                                            "02_study_progression/performance_rate": PERFORMANCE})
    entries = by_id(ch.compare_runs(a, b))
    twfe = entries["10_lessons_learnt/pilot_effect?method=twfe"]
    assert twfe["method"] == "mover"
    assert twfe["difference_ci"] == pytest.approx([2.5 - math.hypot(1.2, 1.4), 2.5 + math.hypot(1.2, 1.4)])
    assert twfe["beyond_uncertainty"] is True and twfe["proportion"] is False
    performance = entries["02_study_progression/performance_rate?route=learning_centre"]
    assert performance["method"] == "mover" and performance["current_n"] == 90
    assert entries[LC]["status"] == "only_previous"


@given(st.integers(1, 400), st.integers(0, 400), st.integers(1, 400), st.integers(0, 400))
def test_mover_on_wilson_intervals_is_newcombe(n1, x1, n2, x2):
    """Zou & Donner's MOVER with Wilson intervals is Newcombe's method 10: checked
    against statsmodels' implementation through lcanalysis.stats."""
    x1, x2 = min(x1, n1), min(x2, n2)
    (l1, u1), (l2, u2) = (proportion_confint(x, n, method="wilson") for x, n in ((x1, n1), (x2, n2)))
    low, high = ch.mover_interval((x1 / n1, l1, u1), (x2 / n2, l2, u2))
    expected = difference_in_proportions(x1, n1, x2, n2)
    assert (low, high) == pytest.approx((expected.ci_low, expected.ci_high), abs=1e-9)


def test_suppressed_values_stay_suppressed_and_are_never_differenced(tmp_path):
    hidden = HEADER + "\nlearning_centre,first_generation,[small_count],[small_count],[small_count]," \
                      "[small_count],[small_count],true,small_count\n"
    a = make_run(tmp_path, "run-1", tables={"10_lessons_learnt/reach": hidden})
    b = make_run(tmp_path, "run-2", tables={"10_lessons_learnt/reach": reach_table()})
    changes = ch.compare_runs(a, b)
    entry = by_id(changes)[LC]
    assert entry["previous"] is None and entry["previous_suppressed"] == "small_count"
    assert entry["current"] == pytest.approx(0.76)
    assert entry["difference"] is None and entry["beyond_uncertainty"] is None
    assert entry["status"] == "suppressed"
    (b / ch.CHANGES_FILE).write_text(json.dumps(changes), encoding="utf-8")
    # a hidden headline value is listed, in words, with its reason
    section = ch.section_html(b, "en")
    assert "<td>hidden (too few people in the cell)</td><td>76.0%</td><td>–</td></tr>" in section
    assert "dold (för få personer i cellen)" in ch.section_html(b, "sv")
    assert "1 are hidden in one of the runs" in section
    assert "hidden (too few people in the cell)" in ch.terminal_text(changes)
    assert "[" not in section.split("<img")[0] and "[" not in ch.terminal_text(changes)


def test_swedish_exports_are_read_with_their_separator_and_decimal_comma(tmp_path):
    path = tmp_path / "reach.csv"
    path.write_text("route;characteristic;numerator;denominator;rate;ci_low;ci_high;suppressed;"
                    "suppression_reason\nlearning_centre;first_generation;76;100;0,76;0,667677;0,833087;"
                    "false;\n", encoding="utf-8-sig")
    [indicator] = ch.read_table(path, "10_lessons_learnt/reach")
    assert indicator.id == LC
    assert (indicator.value, indicator.ci_low, indicator.numerator, indicator.denominator) == (
        0.76, 0.667677, 76, 100)


def test_an_unreadable_number_names_file_row_and_column(tmp_path):
    path = tmp_path / "reach.csv"
    path.write_text(HEADER + "\nlearning_centre,first_generation,76,100,0.76,low,0.83,false,\n",
                    encoding="utf-8")
    with pytest.raises(ch.LcanalysisError, match=r"reach.csv: row 2, column 'ci_low': 'low'"):
        ch.read_table(path, "10_lessons_learnt/reach")


def test_declared_keys_from_the_layouts_file_make_the_id(tmp_path):
    run = make_run(tmp_path, "run-1")
    (run / "tables" / "10_lessons_learnt" / "disclosure.json").write_text(json.dumps(
        {"policy": "default", "tables": {"pilot_effect": {"keys": ["method", "comparison", "outcome"]}}}))
    ids = set(ch.read_indicators(run))
    assert "10_lessons_learnt/pilot_effect?method=twfe&comparison=all&outcome=applicants_per_10k" in ids
    assert LC in ids  # reach has no declared keys there: the columns before its counts


def test_findings_in_percent_are_shown_in_per_cent_and_points(tmp_path):
    findings = ("finding,estimate,ci_low,ci_high,n,unit,suppressed,suppression_reason\n"
                "stays_learning_centre,{},{},{},43,percent,false,\n")
    a = make_run(tmp_path, "run-1", tables={"10_lessons_learnt/findings": findings.format(86.0, 72.7, 93.4)})
    b = make_run(tmp_path, "run-2", tables={"10_lessons_learnt/findings": findings.format(80.5, 70.1, 88.2)})
    changes = ch.compare_runs(a, b)
    [entry] = changes["indicators"]
    assert entry["method"] == "mover" and entry["headline"] is True
    # MOVER by hand: -5.5 -/+ sqrt(10.4^2 + 7.4^2), sqrt(7.7^2 + 13.3^2)
    assert entry["difference_ci"] == pytest.approx([-5.5 - math.hypot(10.4, 7.4), -5.5 + math.hypot(7.7, 13.3)])
    assert "86.0%     80.5%    −5.5\u00a0pp (−18.3\u00a0pp to 9.9\u00a0pp)  no" in ch.terminal_text(changes)


def test_findings_table_is_the_headline_when_present(tmp_path):
    findings = "finding,estimate,ci_low,ci_high,n,evidence_ofs\nreach_first_generation,0.76,0.67,0.83,100,strong\n"
    run = make_run(tmp_path, "run-1", tables={"10_lessons_learnt/findings": findings,
                                              "10_lessons_learnt/reach": reach_table()})
    (run / "tables" / "10_lessons_learnt" / "disclosure.json").write_text(json.dumps(
        {"tables": {"findings": {"keys": ["finding", "evidence_ofs"]}}}))
    assert ch.headline_ids(ch.read_indicators(run)) == [
        "10_lessons_learnt/findings?finding=reach_first_generation"]


# --------------------------------------------------------------------------- comparability


@pytest.mark.parametrize(("change", "reason", "words"), [
    ({"synthetic": False}, "synthetic demo world before, real data now",
     "one ran on the synthetic demo world and the other on real data"),
    ({"raw_dir": "data/raw"}, "different raw folder: data/raw/demo before, data/raw now",
     "they read different raw data folders"),
    ({"params": {"disclosure_policy": "ofs"}}, "different disclosure policy: default before, ofs now",
     "they ran under different disclosure policies"),
])
def test_runs_that_are_not_comparable_say_so(tmp_path, change, reason, words):
    a = make_run(tmp_path, "run-1")
    b = make_run(tmp_path, "run-2", **change)
    changes = ch.compare_runs(a, b)
    assert changes["comparable"] is False and changes["not_comparable"] == [reason]
    assert changes["indicators"] == []
    (b / ch.CHANGES_FILE).write_text(json.dumps(changes), encoding="utf-8")
    section = ch.section_html(b, "en")
    assert words in section and reason not in section  # the report says it in words, without paths


# --------------------------------------------------------------------------- code


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
                               "PATH": "/usr/bin:/bin"}).stdout.strip()


def test_code_causes_are_the_commits_between_the_runs(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "commit", "-q", "--allow-empty", "-m", "first")
    first = git(repo, "rev-parse", "HEAD")
    git(repo, "commit", "-q", "--allow-empty", "-m", "Reach counts first-generation students by parent")
    second = git(repo, "rev-parse", "HEAD")
    a = make_run(tmp_path, "run-1", commit=first)
    b = make_run(tmp_path, "run-2", commit=second)
    code = ch.compare_runs(a, b, repo=repo)["causes"]["code"]
    assert code == [{"commit": second[:len(code[0]["commit"])],
                     "subject": "Reach counts first-generation students by parent"}]
    outside = ch.compare_runs(make_run(tmp_path, "run-3", commit=None), b, repo=repo)["causes"]["code"]
    assert outside[0]["commit"] == "unknown"


def test_package_versions_that_changed_are_code_causes():
    assert ch.code_causes({"versions": {"polars": "1.20.0"}}, {"versions": {"polars": "1.21.0"}}, None) == [
        {"package": "polars", "previous": "1.20.0", "current": "1.21.0"}]


# --------------------------------------------------------------------------- history and the run's step


def test_previous_run_skips_unfinished_runs_and_runs_with_privacy_findings(tmp_path):
    make_run(tmp_path, "run-1")
    make_run(tmp_path, "run-2", findings=3)
    make_run(tmp_path, "run-3", finished=False)
    assert ch.previous_run(tmp_path, "run-4").name == "run-1"
    assert ch.previous_run(tmp_path, "run-1") is None
    with pytest.raises(ch.RunNotFound, match="run-9: no run folder"):
        ch.resolve_run(tmp_path, "run-9")


def test_revision_history_across_runs_keeps_suppression(tmp_path):
    hidden = HEADER + "\nlearning_centre,first_generation,[small_count],[small_count],[small_count]," \
                      "[small_count],[small_count],true,small_count\n"
    make_run(tmp_path, "run-1", tables={"10_lessons_learnt/reach": hidden})
    make_run(tmp_path, "run-2", tables={"10_lessons_learnt/reach": reach_table((60, 90))})
    make_run(tmp_path, "run-3", synthetic=False, tables={"10_lessons_learnt/reach": reach_table((1, 2))})
    current = make_run(tmp_path, "run-4", tables={"10_lessons_learnt/reach": reach_table((76, 100))})
    rows = [r for r in ch.revision_history(tmp_path, current) if r["id"] == LC]
    assert [(r["run_id"], r["value"], r["suppressed"]) for r in rows] == [
        ("run-1", None, "small_count"), ("run-2", pytest.approx(0.666667), None), ("run-4", 0.76, None)]
    ch.write_history(rows, tmp_path / "revisions.csv")
    lines = (tmp_path / "revisions.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].endswith("[small_count],[small_count],[small_count],[small_count],small_count")


def test_record_changes_writes_changes_history_and_chart(tmp_path):
    make_run(tmp_path, "run-1")
    current = make_run(tmp_path, "run-2", tables={"10_lessons_learnt/reach": reach_table((710, 1000))})
    changes = ch.record_changes(current, json.loads((current / "manifest.json").read_text()),
                                reports_dir=tmp_path, config_dir=tmp_path / "none")
    assert json.loads((current / "changes.json").read_text()) == json.loads(json.dumps(changes))
    assert changes["previous_run"] == "run-1"
    assert ch.one_line(changes) == ("changes since run run-1: 0 of 4 indicators beyond their uncertainty; "
                                    "no causes")
    assert (current / "revisions.csv").is_file()
    for suffix in ("png", "svg", "pdf"):
        assert (current / "changes" / f"revision_history.{suffix}").stat().st_size > 1000
    assert 'src="data:image/png;base64,' in ch.section_html(current, "sv")


def test_record_changes_hands_the_charts_svg_and_pdf_to_an_executor(tmp_path):
    from tests.fixtures.executor import PicklingExecutor

    make_run(tmp_path, "run-1")
    current = make_run(tmp_path, "run-2", tables={"10_lessons_learnt/reach": reach_table((710, 1000))})
    manifest = json.loads((current / "manifest.json").read_text())
    other = PicklingExecutor()
    ch.record_changes(current, manifest, reports_dir=tmp_path, config_dir=tmp_path / "none", executor=other)
    assert other.ran == ["_write_formats"]  # the chart, pickled: the PNG is drawn here
    chart = {s: (current / "changes" / f"revision_history.{s}").read_bytes() for s in ("png", "svg", "pdf")}
    ch.record_changes(current, manifest, reports_dir=tmp_path, config_dir=tmp_path / "none")
    alone = {s: (current / "changes" / f"revision_history.{s}").read_bytes() for s in ("png", "svg", "pdf")}
    assert chart["png"] == alone["png"] and chart["pdf"] == alone["pdf"]
    assert chart["svg"].startswith(b"<?xml") and len(chart["svg"]) == len(alone["svg"])


def test_the_first_run_says_there_is_nothing_to_compare(tmp_path):
    run = make_run(tmp_path, "run-1")
    ch.record_changes(run, json.loads((run / "manifest.json").read_text()), reports_dir=tmp_path,
                      config_dir=tmp_path / "none")
    assert json.loads((run / "changes.json").read_text())["previous_run"] is None
    assert "There is no earlier finished run to compare with." in ch.section_html(run, "en")


# --------------------------------------------------------------------------- the command


@pytest.mark.slow
def test_lcanalysis_compare_prints_the_changes(tmp_path):
    from tests.fixtures.cli import run_cli

    reports = tmp_path / "reports"
    make_run(reports, "run-1", tables={"10_lessons_learnt/reach": reach_table((760, 1000))})
    make_run(reports, "run-2", tables={"10_lessons_learnt/reach": reach_table((710, 1000))},
             params={"cohort_terms": ["HT2024"]})
    env = {"LCANALYSIS_ROOT": str(tmp_path)}
    done = run_cli("compare", "run-1", "run-2", env_extra=env)
    assert done.returncode == 0, done.stderr
    assert "Headline findings that moved beyond their uncertainty:" in done.stdout
    assert "the cohort (entry terms): HT2024, VT2025 → HT2024 in Study progression" in done.stdout
    assert json.loads(run_cli("compare", "run-1", "run-2", "--json", env_extra=env).stdout)[
        "previous_run"] == "run-1"
    missing = run_cli("compare", "run-0", env_extra=env)
    assert missing.returncode == 2 and "run-0: no run folder with a manifest.json" in missing.stderr


# --------------------------------------------------------------------------- end to end


HEADLINE_RUN = "01_widening_participation,02_study_progression,03_brain_drain,04_pilot_effect,10_lessons_learnt"


@pytest.mark.slow
def test_a_run_after_new_raw_data_explains_its_changes(tmp_path):
    """Two real runs of 10_lessons_learnt (with 01-04, whose rows its findings repeat:
    the privacy gate fails a findings table quoting tables the run did not publish) on
    the demo world, the second after the world was written again with another seed:
    changes.json names the raw sources that changed, the report has the section in
    words, `lcanalysis compare` agrees."""
    import shutil

    from tests.fixtures.cli import run_cli

    root = Path(__file__).resolve().parents[2]
    for folder in ("config", "notebooks", "docs"):
        shutil.copytree(root / folder, tmp_path / folder)
    env = {"LCANALYSIS_ROOT": str(tmp_path)}
    first = run_cli("run", "--only", HEADLINE_RUN, env_extra=env, timeout=1500)
    assert first.returncode == 0, first.stdout + first.stderr
    assert run_cli("demo-data", "--seed", "2", env_extra=env).returncode == 0
    second = run_cli("run", "--only", HEADLINE_RUN, env_extra=env, timeout=1500)
    assert second.returncode == 0, second.stdout + second.stderr
    runs = ch.finished_runs(tmp_path / "reports")
    assert len(runs) == 2
    changes = json.loads((runs[1] / "changes.json").read_text(encoding="utf-8"))
    assert changes["previous_run"] == runs[0].name and changes["comparable"] is True
    sources = {c["source"] for c in changes["causes"]["data"]}
    assert {"registrations", "results"} <= sources
    assert any(e["headline"] and e["difference"] for e in changes["indicators"])
    report = (runs[1] / "report.html").read_text(encoding="utf-8")
    assert "Changes since the last run" in report and "[small_count]" not in report
    assert f"changes since run {runs[0].name}" in second.stdout
    shown = run_cli("compare", runs[0].name, runs[1].name, env_extra=env)
    assert "Data: Ladok: course registrations: ladok_registreringar_" in shown.stdout


# --------------------------------------------------------------------------- words


FINDINGS = ("finding,estimate,ci_low,ci_high,n,unit,suppressed,suppression_reason\n"
            "reach_first_generation_gap,{},{},{},100,percentage_points,false,\n"
            "performance_rate_learning_centre,{},,,90,percent,{},{}\n")
PROFILE = HEADER + "\n" + "{}\n"
PILOT = ("method,estimate,std_error,ci_low,ci_high,p_value,n_obs,n_units,comparison,outcome\n"
         "twfe,{},0.7,{},{},0,3480,290,all,applicants_per_10k\n")
CODE_NAME = r"\b[a-z]+_[a-z0-9_]+\b|[\[\]{}]|\bNone\b|\bnan\b|\.ya?ml\b|/\w|\w/|\bconfig\b"
"""What the reader must not see: snake_case codes, brackets and braces, None/nan, paths, config files."""


def two_runs_that_differ(tmp_path: Path) -> Path:
    """Two runs (run ids as ``lcanalysis run`` makes them) differing in every kind of
    cause, with a headline finding that moved, one hidden in the second run, a centre's
    profile, the pilot effect and a definition file whose settings changed."""
    config = tmp_path / "config"
    config.mkdir()
    centres = config / "learning_centres.yaml"
    centres.write_text("learning_centres:\n  arvika: {start_term: VT2025}\n", encoding="utf-8")
    from lcanalysis.clean import file_sha256

    reports = tmp_path / "reports"
    runs = []
    for number, (gap, rate, hidden, lc, effect, terms) in enumerate((
            ((12.0, 8.0, 16.0), 88.0, ("false", ""), (76, 100), (7.5, 6.1, 8.9), ["HT2024", "VT2025"]),
            ((2.0, -2.0, 6.0), 0, ("true", "small_count"), (40, 100), (2.5, 1.1, 3.9), ["HT2024"])), start=1):
        if number == 2:
            centres.write_text("learning_centres:\n  arvika: {start_term: HT2025}\n", encoding="utf-8")
        findings = FINDINGS.format(*gap, "" if hidden[0] == "true" else rate, *hidden)
        run = make_run(reports, f"2026010{number}T023000Z-ab12c{number}", commit=None,
                       params={"cohort_terms": terms, "programme_levels": ["foundation_year", "msc_eng"][:number]},
                       raw={"registrations/ladok.csv": f"v{number}", "results/results.csv": "bb"},
                       config={"learning_centres.yaml": file_sha256(centres)},
                       tables={"10_lessons_learnt/findings": findings,
                               "06_learning_centre_profile-arvika/profile_arvika": PROFILE.format(
                                   rate_row("learning_centre", "first_generation", *lc)),
                               "04_pilot_effect/pilot_effect": PILOT.format(*effect)})
        manifest = json.loads((run / "manifest.json").read_text())
        manifest["versions"]["polars"] = f"1.2{number}.0"
        manifest["tasks"]["06_learning_centre_profile-arvika"] = {
            "notebook": "06_learning_centre_profile", "status": "ok",
            "parameters": {"cohort_terms": terms, "learning_centre_id": "arvika", "disclosure_policy": "default"}}
        (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        ch.keep_config(run, config, {"learning_centres.yaml": file_sha256(centres)})
        runs.append((run, manifest))
    run, manifest = runs[1]
    ch.record_changes(run, manifest, reports_dir=reports, config_dir=config)
    return run


def reader_text(fragment: str) -> str:
    """What a reader sees of a section: its text, without the chart's data URI."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(fragment, "html.parser").get_text(" ", strip=True)


def test_the_section_says_everything_in_words_in_either_language(tmp_path):
    import re

    run = two_runs_that_differ(tmp_path)
    changes = json.loads((run / ch.CHANGES_FILE).read_text(encoding="utf-8"))
    # every kind of cause and every row is there to be said
    assert all(changes["causes"][kind] for kind in ("data", "definitions", "parameters", "code"))
    assert changes["summary"]["beyond_uncertainty"] >= 2 and changes["summary"]["suppressed"] == 1
    texts = {lang: reader_text(ch.section_html(run, lang)) for lang in ("en", "sv")}
    for lang, text in texts.items():
        assert re.findall(CODE_NAME, text) == [], lang
    en, sv = texts["en"], texts["sv"]
    # one language throughout: no English function words in Swedish, no Swedish in English
    assert other_language_words(sv, "sv") == [] and other_language_words(en, "en") == []
    # and the words of this section the shared lists do not hold
    assert not re.findall(r"\b(in|only|moved)\b", sv)
    assert not re.findall(r"\b(körningen|förändrats)\b", en)
    # the indicators by name, values in words
    assert "First-generation students: learning centre minus campus : 12.0\u00a0pp → 2.0\u00a0pp" in en
    assert "Förstagenerationsstudenter: lärcentrum minus campus : 12,0\u00a0p.e. → 2,0\u00a0p.e." in sv
    assert "Performance rate on the learning-centre route 88.0% hidden (too few people in the cell)" in en
    assert "Prestationsgrad via lärcentrum 88,0\u00a0% dold (för få personer i cellen)" in sv
    assert "Lärcentrum Arvika's entrants compared with campus entrants: Learning centre, First generation" in en
    # the causes by what they mean
    assert "the learning centres and their start dates edited (1 setting(s) changed)" in en
    assert "lärcentrumen och deras startdatum har ändrats (1 inställning(ar) ändrade)" in sv
    assert "the cohort (entry terms): HT2024, VT2025 → HT2024 in" in en
    assert "kohorten (startterminer): HT2024, VT2025 → HT2024 i" in sv
    assert "the programme levels included: Foundation year → Foundation year, Master of Science in Engineering" in en
    assert "Learning-centre profile: Lärcentrum Arvika" in en
    assert "Ladok: course registrations: ladok.csv edited" in en and "ladok.csv har ändrats" in sv
    assert "polars 1.21.0 → 1.22.0" in en
    assert "2026-01-02 at 02:30 UTC" in en and "2026-01-02 kl. 02:30 UTC" in sv
    # only the indicators beyond their uncertainty (and the hidden headline) are rows
    rows = ch.section_html(run, "en").count('<th scope="row"')
    assert rows == changes["summary"]["beyond_uncertainty"] + 1
    assert f"Of {changes['summary']['indicators']} indicators, {changes['summary']['beyond_uncertainty']} moved" in en
    # the command keeps every row
    shown = ch.terminal_text(changes, "en")
    assert all(ch.indicator_label(e["table"], e["keys"], "en", e["column"]) in shown for e in changes["indicators"])


def test_the_revision_chart_leaves_a_hidden_value_out_and_says_so(tmp_path):
    import matplotlib.pyplot as plt

    from lcanalysis.plots.style import figure_info

    run = two_runs_that_differ(tmp_path)
    rows = ch.revision_history(tmp_path / "reports", run)
    hidden = [r for r in rows if r["suppressed"]]
    assert len(hidden) == 1
    for lang, note in (("en", "Not drawn: 1 hidden value(s) (too few people in the cell)."),
                       ("sv", "Visas inte: 1 dolt/dolda värde(n) (för få personer i cellen).")):
        fig = ch.revision_chart(rows, lang=lang, synthetic=True)
        footer = figure_info(fig).footer_lines
        assert note in footer, footer
        shown = [t.get_text() for t in fig.findobj(plt.Text)] + footer
        assert not any("[" in t or "small_count" in t for t in shown)
        panel = next(ax for ax in fig.axes if "".join(ax.get_title(loc="left").split()).startswith(
            "".join(hidden[0]["label"].split())))
        drawn = [x for line in panel.get_lines() for x in line.get_xdata()]
        assert 1 not in drawn  # the second run's value of that panel is not drawn
        plt.close(fig)
