"""``lcanalysis run`` end to end on a temporary project, plus its parts in-process.

The project copy (LCANALYSIS_ROOT) holds the fixture notebooks of
tests/fixtures/notebooks, the real cleaning configuration and an empty synthetic
demo world (only its marker), so cleaning is real but takes no time. Three runs of
the real CLI share one module fixture: a first run (with a stale lock planted), an
unchanged re-run, and ``--only pass --force``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from lcanalysis.clean import file_sha256
from lcanalysis.pipeline.data import prepare_data
from lcanalysis.pipeline.run import point_latest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "notebooks"
CLI = REPO / ".venv" / "bin" / "lcanalysis"
SECRET = "ab" * 32  # a key that must never show up in any output

PIPELINE = """
defaults:
  data_dir: data/processed
  figures_dir: figures
  lang: en
notebooks:
  - name: pass
    path: notebooks/passing.ipynb
  - name: fail
    path: notebooks/failing.ipynb
  - name: typed
    path: notebooks/typed.ipynb
    parameters: {code: "007", threshold: 0.25, terms: [HT2024, VT2025], flag: true}
    fan_out: {parameter: learning_centre_id, values: [norrtalje, sodertalje]}
  - name: 10_lessons_learnt
    path: notebooks/summary.ipynb
    after: [pass, fail, typed]
"""


def make_project(root: Path) -> Path:
    (root / "config").mkdir(parents=True)
    for name in ("codes", "columns", "programmes", "learning_centres"):
        shutil.copy(REPO / "config" / f"{name}.yaml", root / "config")
    (root / "config" / "pipeline.yaml").write_text(PIPELINE, encoding="utf-8")
    shutil.copytree(FIXTURES, root / "notebooks", ignore=shutil.ignore_patterns("*.py"))
    (root / "data" / "raw" / "demo").mkdir(parents=True)
    (root / "data" / "raw" / "demo" / "SYNTHETIC.json").write_text('{"synthetic": true}\n')
    (root / "docs").mkdir()
    (root / "docs" / "dot.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    (root / "docs" / "methods.md").write_text(
        "# Methods\n\n| rate | definition |\n|---|---|\n| METHODS-MARKER | UKÄ |\n\n![dot](dot.png)\n",
        encoding="utf-8",
    )
    return root


def lcanalysis(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LCANALYSIS_ROOT": str(root), "LCANALYSIS_KEY": SECRET}
    return subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True, timeout=240)


def manifest(run_dir: Path) -> dict:
    return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))


def run_dir_of(result: subprocess.CompletedProcess, root: Path) -> Path:
    # The summary line; other lines (the changes since the last run) name earlier runs.
    run_id = re.search(r"^run (\d{8}T\d{6}Z-[0-9a-f]{6}): \d+ ok", result.stdout, flags=re.M).group(1)
    return root / "reports" / run_id


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("project"))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (root / "reports").mkdir()
    (root / "reports" / ".lock").write_text(json.dumps({"pid": dead.pid, "started": "earlier"}))
    first = lcanalysis(root, "run")
    second = lcanalysis(root, "run")
    third = lcanalysis(root, "run", "--only", "pass", "--force")
    return root, first, second, third


@pytest.mark.slow
def test_first_run_reports_the_failure_and_replaces_the_stale_lock(runs):
    root, first, _, _ = runs
    assert first.returncode == 1, first.stderr
    assert "removed a stale lock" in first.stdout
    assert re.search(r"FAILED fail at cell 4: ValueError: planted failure", first.stdout)
    for task in ("pass", "typed-norrtalje", "typed-sodertalje", "10_lessons_learnt"):
        assert re.search(rf"^ok +{task} \d+\.\d s$", first.stdout, flags=re.M), first.stdout
    assert "Kernel is running over TCP" not in first.stderr  # kernel chatter goes to logs/
    assert not (root / "reports" / ".lock").exists()


@pytest.mark.slow
def test_manifest_records_parameters_statuses_and_versions(runs):
    root, first, _, _ = runs
    run_dir = run_dir_of(first, root)
    m = manifest(run_dir)
    assert m["run_id"] == run_dir.name and m["started"] <= m["finished"]
    assert m["git_commit"] is None  # the temporary project is not a git checkout
    assert set(m["versions"]) == {"lcanalysis", "polars", "pandas", "statsmodels", "papermill", "matplotlib"}
    assert m["synthetic"] is True and m["inputs"]["raw_files"] == {"SYNTHETIC.json": file_sha256(
        root / "data/raw/demo/SYNTHETIC.json")}
    tasks = m["tasks"]
    assert [tasks[t]["status"] for t in tasks] == ["ok", "failed", "ok", "ok", "ok"]
    assert tasks["fail"]["error"] == {"cell_index": 4, "execution_count": 4, "ename": "ValueError",
                                      "evalue": "planted failure in the fixture"}
    params = tasks["typed-sodertalje"]["parameters"]
    assert params["code"] == "007" and params["learning_centre_id"] == "sodertalje"
    assert tasks["pass"]["parameters"] == {
        "data_dir": str(root / "data/processed"), "figures_dir": str(root / "figures"), "lang": "en",
        "run_id": run_dir.name, "synthetic": True, "tables_dir": str(run_dir / "tables" / "pass"),
    }
    assert all(t["duration_s"] > 0 for t in tasks.values())


@pytest.mark.slow
def test_outputs_tables_figures_and_poster_pack(runs):
    root, first, _, _ = runs
    run_dir = run_dir_of(first, root)
    assert (run_dir / "tables" / "pass" / "parameters.txt").read_text() == "lang,synthetic\nen,True\n"
    for task in ("pass", "fail", "typed-norrtalje", "10_lessons_learnt"):
        assert (run_dir / f"{task}.ipynb").is_file() and (run_dir / f"{task}.html").is_file()
    executed = json.loads((run_dir / "fail.ipynb").read_text())
    assert executed["metadata"]["papermill"]["exception"] is True
    page = (run_dir / "pass.html").read_text()
    assert "Passing fixture" in page and "write_bytes" not in page  # no code cells
    assert "data:image/png;base64," in page
    assert "key visible: False" in (run_dir / "pass.ipynb").read_text()
    assert [p.relative_to(run_dir).as_posix() for p in (run_dir / "poster_pack").rglob("*.png")] == [
        "poster_pack/fixture_pass/counts_poster.png"
    ]
    assert "running  pass" in (run_dir / "run.log").read_text()


@pytest.mark.slow
def test_report_is_one_self_contained_file(runs):
    root, first, _, _ = runs
    html = (run_dir_of(first, root) / "report.html").read_text()
    assert "Synthetic data: the numbers come from the demo world" in html
    assert html.index('id="findings"') < html.index("Passing fixture done.")  # findings first
    assert "This part failed while running (ValueError: planted failure" in html
    for name in ("report.pdf", "report.docx", "poster.pdf"):  # built from the same document
        assert (run_dir_of(first, root) / name).stat().st_size > 0, name
    for attr, value in re.findall(r'\b(src|href)="([^"]*)"', html):
        assert value.startswith(("data:", "#")), (attr, value)
    assert "<link" not in html and "<script" not in html
    # The run appendix shows when the run's results were complete, not "None".
    finished = manifest(run_dir_of(first, root))["finished"]
    assert re.search(rf"Report written \(UTC\)</t[dh]>\s*<td>{re.escape(finished)}</td>", html), finished


@pytest.mark.slow
def test_unchanged_rerun_skips_and_copies_but_reruns_failures_and_their_dependents(runs):
    root, first, second, _ = runs
    assert second.returncode == 1
    first_dir, second_dir = run_dir_of(first, root), run_dir_of(second, root)
    tasks = manifest(second_dir)["tasks"]
    assert {t: e["status"] for t, e in tasks.items()} == {
        "pass": "skipped", "fail": "failed", "typed-norrtalje": "skipped", "typed-sodertalje": "skipped",
        "10_lessons_learnt": "ok",  # it comes after 'fail', which ran again
    }
    assert tasks["pass"]["reason"] == "unchanged" and tasks["pass"]["copied_from"] == first_dir.name
    assert (second_dir / "pass.html").read_bytes() == (first_dir / "pass.html").read_bytes()
    assert (second_dir / "tables" / "pass" / "parameters.txt").is_file()
    assert "skipped  pass 0.0 s  (unchanged)" in second.stdout
    assert not manifest(second_dir)["inputs"]["cleaned_this_run"]


@pytest.mark.slow
def test_only_reruns_the_named_notebook_and_latest_points_at_the_newest_run(runs):
    root, first, _, third = runs
    assert third.returncode == 0, third.stdout + third.stderr
    third_dir = run_dir_of(third, root)
    tasks = manifest(third_dir)["tasks"]
    assert tasks["pass"]["status"] == "ok"
    assert {tasks[t]["reason"] for t in tasks if t != "pass"} == {"not selected"}
    assert tasks["typed-norrtalje"]["copied_from"] == run_dir_of(first, root).name
    assert "not re-run and failed earlier: fail" in third.stdout
    latest = root / "reports" / "latest"
    assert latest.is_symlink() and os.readlink(latest) == third_dir.name


@pytest.mark.slow
def test_key_never_reaches_outputs(runs):
    root = runs[0]
    for folder in (root / "reports", root / "data" / "processed"):
        for file in folder.rglob("*"):
            if file.is_file():
                assert SECRET not in file.read_text(errors="replace"), file


def test_configuration_errors_and_a_live_lock_stop_before_anything_runs(tmp_path):
    root = make_project(tmp_path)
    config = root / "config" / "pipeline.yaml"
    config.write_text(PIPELINE.replace('code: "007"', "code: 007").replace("lang: en", "lang: de"))
    result = lcanalysis(root, "run")
    assert result.returncode == 2
    assert "2 problem(s)" in result.stderr and "lang must be one of sv, en, not 'de'" in result.stderr
    assert "quote it" in result.stderr and "Traceback" not in result.stderr
    assert not (root / "reports").exists() and not (root / "data" / "processed").exists()

    config.write_text(PIPELINE)
    (root / "reports").mkdir()
    (root / "reports" / ".lock").write_text(json.dumps({"pid": os.getpid(), "started": "now"}))
    result = lcanalysis(root, "run", "--only", "nosuch")
    assert result.returncode == 2 and "unknown notebook(s) nosuch" in result.stderr
    result = lcanalysis(root, "run")
    assert result.returncode == 2 and f"another run is in progress (pid {os.getpid()}" in result.stderr
    assert [p.name for p in (root / "reports").iterdir()] == [".lock"]


def test_point_latest_replaces_the_link(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        point_latest(tmp_path, tmp_path / name)
    assert os.readlink(tmp_path / "latest") == "b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "latest"]


@pytest.fixture
def real_project(tmp_path, monkeypatch):
    from tests.fixtures.messy_raw import write_messy_raw

    root = make_project(tmp_path)
    shutil.rmtree(root / "data" / "raw" / "demo")
    write_messy_raw(root / "data" / "raw")
    monkeypatch.setenv("LCANALYSIS_ROOT", str(root))
    monkeypatch.setenv("LCANALYSIS_KEY", SECRET)
    return root


def test_prepare_data_cleans_real_data_only_when_inputs_change(real_project, monkeypatch):
    log: list[str] = []
    config = real_project / "config" / "pipeline.yaml"
    changes: list[int] = []
    state = prepare_data(config, None, log.append, before_change=lambda: changes.append(1))
    assert state.cleaned and not state.synthetic and changes == [1]  # told before cleaning
    assert state.raw_dir == real_project / "data" / "raw"
    assert (real_project / "data" / "processed" / "registrations.parquet").is_file()
    assert SECRET not in (real_project / "data" / "processed" / ".inputs.json").read_text()
    again = prepare_data(config, None, log.append, before_change=lambda: changes.append(1))
    assert not again.cleaned and again.processed_hash == state.processed_hash and changes == [1]
    config.write_text(PIPELINE + "\n# a pipeline change does not trigger cleaning\n")
    assert not prepare_data(config, None, log.append).cleaned
    raw = next((real_project / "data" / "raw").rglob("*.csv"))
    raw.write_bytes(raw.read_bytes() + b"\n")
    assert prepare_data(config, None, log.append).cleaned
    monkeypatch.setenv("LCANALYSIS_KEY", "cd" * 32)  # another key gives other pseudonyms
    assert prepare_data(config, None, log.append).cleaned
    assert not any(SECRET in line for line in log)


def test_prepare_data_writes_the_demo_world_only_when_missing(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    shutil.rmtree(root / "data" / "raw" / "demo")
    monkeypatch.setenv("LCANALYSIS_ROOT", str(root))
    calls: list[Path] = []

    def generate_demo_world(target: Path) -> None:
        calls.append(target)
        target.mkdir(parents=True)
        (target / "SYNTHETIC.json").write_text("{}")

    monkeypatch.setitem(sys.modules, "lcanalysis.synth", types.SimpleNamespace(generate_demo_world=generate_demo_world))
    config = root / "config" / "pipeline.yaml"
    told: list[int] = []
    state = prepare_data(config, None, lambda _: None, before_change=lambda: told.append(len(calls)))
    assert calls == [root / "data" / "raw" / "demo"] and state.synthetic and state.cleaned
    assert told == [0, 1]  # before the demo world is written, and before it is cleaned
    prepare_data(config, None, lambda _: None, before_change=lambda: told.append(len(calls)))
    assert len(calls) == 1 and told == [0, 1]


@pytest.mark.slow
def test_privacy_gate_stops_a_run_that_leaks_an_identity_number(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    root = make_project(tmp_path)
    leaky = new_notebook(cells=[new_code_cell('run_id = "interactive"'),
                                new_code_cell('print("811218-9876")')])
    leaky.cells[0].metadata["tags"] = ["parameters"]
    leaky.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(leaky, root / "notebooks" / "leaky.ipynb")
    (root / "config" / "pipeline.yaml").write_text(
        "defaults: {}\nnotebooks:\n  - name: leaky\n    path: notebooks/leaky.ipynb\n", encoding="utf-8")
    result = lcanalysis(root, "run")
    assert result.returncode == 1, result.stdout + result.stderr
    run_dir = run_dir_of(result, root)
    findings = (run_dir / "privacy_findings.txt").read_text(encoding="utf-8")
    assert "leaky" in findings and "811218-9876" not in findings and "8112189876" not in findings
    assert manifest(run_dir)["privacy_gate"]["findings"] >= 1
    assert not (root / "reports" / "latest").exists()
    assert "privacy gate" in result.stdout
