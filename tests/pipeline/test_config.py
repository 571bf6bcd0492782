"""config/pipeline.yaml validation: every problem at once, and typed parameters.

Each test builds a small project in a temporary folder (LCANALYSIS_ROOT) with the
fixture notebooks of tests/fixtures/notebooks and the real learning-centre list.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lcanalysis.errors import ConfigError
from lcanalysis.pipeline.config import (
    NOT_A_LITERAL,
    load_pipeline,
    parameters_cell,
    type_problem,
)

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "notebooks"


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "config").mkdir()
    shutil.copy(REPO / "config" / "learning_centres.yaml", tmp_path / "config")
    shutil.copytree(FIXTURES, tmp_path / "notebooks", ignore=shutil.ignore_patterns("*.py"))
    monkeypatch.setenv("LCANALYSIS_ROOT", str(tmp_path))
    return tmp_path


def write_config(project: Path, text: str) -> Path:
    path = project / "config" / "pipeline.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def notebook(project: Path, name: str, cells: list[dict]) -> None:
    nb = {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    (project / "notebooks" / name).write_text(json.dumps(nb), encoding="utf-8")


def code(source: str, tags: tuple[str, ...] = ()) -> dict:
    return {"cell_type": "code", "source": source, "metadata": {"tags": list(tags)}, "outputs": [],
            "execution_count": None}


GOOD = """
defaults:
  data_dir: data/processed
  lang: en
  cohort_terms: [HT2024]
notebooks:
  - name: pass
    path: notebooks/passing.ipynb
  - name: typed
    path: notebooks/typed.ipynb
    parameters: {code: "007", threshold: 1, terms: [HT2024, VT2025], flag: true, optional: [1, 2]}
    fan_out: {parameter: learning_centre_id, values: [norrtalje, arvika]}
  - name: summary
    path: notebooks/summary.ipynb
    after: [pass, typed]
"""


def test_valid_configuration_gives_typed_parameters_and_expanded_tasks(project):
    pipeline = load_pipeline(write_config(project, GOOD))
    tasks = {t.name: t for t in pipeline.tasks()}
    assert list(tasks) == ["pass", "typed-norrtalje", "typed-arvika", "summary"]
    # defaults reach only the notebooks that declare them; paths become absolute
    assert tasks["pass"].parameters == {"data_dir": str(project / "data/processed"), "lang": "en"}
    typed = tasks["typed-arvika"].parameters
    assert typed["code"] == "007" and isinstance(typed["code"], str)
    assert typed["threshold"] == 1 and typed["learning_centre_id"] == "arvika"
    assert typed["terms"] == ["HT2024", "VT2025"] and typed["flag"] is True
    assert "cohort_terms" not in typed  # typed.ipynb does not declare it
    assert tasks["summary"].after == ("pass", "typed")
    # runner parameters are added only where declared
    assert tasks["summary"].runner_parameters({"tables_dir": "/t", "run_id": "r"}) == {"tables_dir": "/t"}


def test_lang_option_overrides_the_file(project):
    pipeline = load_pipeline(write_config(project, GOOD), lang="sv")
    assert pipeline.tasks()[0].parameters["lang"] == "sv"


def test_kernel_start_up_timeout_defaults_to_60_s_and_is_checked(project):
    assert load_pipeline(write_config(project, GOOD)).kernel_startup_timeout == 60.0
    slow = load_pipeline(write_config(project, "kernel: {startup_timeout_s: 180}\n" + GOOD))
    assert slow.kernel_startup_timeout == 180.0
    with pytest.raises(ConfigError) as caught:
        load_pipeline(write_config(project, "kernel: {startup_timeout_s: 0, retries: 3}\n" + GOOD))
    message = str(caught.value)
    assert "kernel: unknown key 'retries' (allowed: startup_timeout_s)" in message
    assert "startup_timeout_s must be a number of seconds of at least 1, not 0" in message


def test_every_problem_is_reported_at_once(project):
    notebook(project, "noparams.ipynb", [code("x = 1")])
    notebook(project, "twoparams.ipynb", [code("x = 1", ("parameters",)), code("y = 2", ("parameters",))])
    path = write_config(project, """
extra: 1
defaults:
  lang: fr
  colour: red
  run_id: abc
  cohort_terms: [HT2024, "ht 25", Foo]
  programme_levels: [msc_eng, phd]
notebooks:
  - name: missing
    path: notebooks/nope.ipynb
  - name: noparams
    path: notebooks/noparams.ipynb
  - name: twoparams
    path: notebooks/twoparams.ipynb
  - name: typed
    path: notebooks/typed.ipynb
    colour: blue
    parameters: {code: 007, threshold: [1, 2], flag: 1, terms: [2024], unknown_one: 3}
    fan_out: {parameter: learning_centre_id, values: [norrtalje, atlantis]}
  - name: pass
    path: notebooks/passing.ipynb
    after: [typed, nowhere]
    parameters: {synthetic: true}
""")
    with pytest.raises(ConfigError) as info:
        load_pipeline(path)
    expected = [
        "unknown top-level key 'extra'",
        "defaults: unknown key 'colour'",
        "defaults: 'run_id' is set by the runner",
        "defaults: lang must be one of sv, en, not 'fr'",
        "defaults: cohort_terms: write 'ht 25' as 'HT2025'",
        "defaults: cohort_terms: 'Foo' is not a term",
        "defaults: programme_levels: unknown level 'phd'",
        "notebook missing: notebook file notebooks/nope.ipynb not found",
        "notebook noparams: noparams.ipynb: expected exactly one code cell tagged 'parameters', found 0",
        "notebook twoparams: twoparams.ipynb: expected exactly one code cell tagged 'parameters', found 2",
        "notebook typed: unknown key 'colour'",
        "notebook typed: fan_out.values ['atlantis'] are not learning-centre ids",
        "notebook typed: parameter 'code' is int 7 but the notebook's default is str '007' (quote it",
        "notebook typed: parameter 'threshold' is list [1, 2] but the notebook's default is float 0.5",
        "notebook typed: parameter 'flag' is int 1 but the notebook's default is bool False",
        "notebook typed: parameter 'terms': elements [2024] are not str",
        "notebook typed: unknown parameter 'unknown_one': not assigned in typed.ipynb's parameters cell",
        "notebook pass: parameter 'synthetic' is set by the runner",
        "notebook pass: 'after' names 'nowhere', which is not a notebook of this pipeline",
    ]
    problems = info.value.problems
    for text in expected:
        assert any(text in p for p in problems), (text, problems)
    assert len(problems) == len(expected), problems
    # a fan-out over a parameter the notebook does not assign
    path = write_config(project, """
notebooks:
  - name: typed
    path: notebooks/typed.ipynb
    fan_out: {parameter: centre, values: [norrtalje]}
""")
    with pytest.raises(ConfigError, match="unknown parameter 'centre'"):
        load_pipeline(path)


def test_all_centres_fans_out_over_every_centre(project):
    path = write_config(project, """
notebooks:
  - name: typed
    path: notebooks/typed.ipynb
    parameters: {threshold: 0.25}
    fan_out: {parameter: learning_centre_id, values: all_centres}
""")
    from lcanalysis.config import load_learning_centres

    names = [t.name for t in load_pipeline(path).tasks()]
    assert names == [f"typed-{c}" for c in load_learning_centres()]
    assert len(names) >= 5


def test_after_cycle_is_reported(project):
    path = write_config(project, """
notebooks:
  - {name: a, path: notebooks/passing.ipynb, after: [b]}
  - {name: b, path: notebooks/summary.ipynb, after: [a]}
""")
    with pytest.raises(ConfigError, match="cycle: a -> b -> a"):
        load_pipeline(path)


def test_parameters_cell_reads_literals_annotations_and_expressions(project):
    notebook(project, "p.ipynb", [code(
        'a = "007"\nb: int = 3\nc = d = -1.5\ne = str(Path("x"))\nf = (1, 2)\nimport os\nif a:\n    g = 1',
        ("parameters",),
    )])
    declared, problems = parameters_cell(project / "notebooks" / "p.ipynb")
    assert problems == []
    assert declared == {"a": "007", "b": 3, "c": -1.5, "d": -1.5, "e": NOT_A_LITERAL, "f": (1, 2)}


def test_parameters_cell_that_is_not_python(project):
    notebook(project, "bad.ipynb", [code("x = = 1", ("parameters",))])
    declared, problems = parameters_cell(project / "notebooks" / "bad.ipynb")
    assert declared is None and "not valid Python" in problems[0]


@pytest.mark.parametrize(
    ("value", "default", "ok"),
    [
        ("007", "007", True),
        (7, "007", False),
        (1, 0.5, True),  # an int may replace a float
        (0.5, 1, False),
        (True, 1, False),  # bool is not int here
        (1, False, False),
        ([1], None, True),  # None accepts anything
        ("x", NOT_A_LITERAL, True),
        (["HT2024"], ["VT2025"], True),
        ([2024], ["VT2025"], False),
        ("HT2024", ["VT2025"], False),
        ([1, "a"], [], True),
        (None, "x", False),
    ],
)
def test_type_problem(value, default, ok):
    assert (type_problem("p", value, default) is None) is ok


def test_real_pipeline_configuration_is_valid():
    """config/pipeline.yaml against the committed notebooks: every notebook exists, every
    parameter is declared with its type, and the per-centre profile fans out over all
    eight centres (17 tasks, with 08_design_and_cost)."""
    pipeline = load_pipeline(REPO / "config" / "pipeline.yaml")
    names = [s.name for s in pipeline.notebooks]
    assert names[0] == "00_data_quality" and "10_lessons_learnt" in names
    tasks = [t.name for t in pipeline.tasks()]
    assert len(tasks) == 17
    assert "06_learning_centre_profile-harjedalen" in tasks


def test_parameter_choices_match_the_modules_that_define_them():
    from lcanalysis import disclosure, geo
    from lcanalysis.pipeline.config import CHOICES
    from lcanalysis.plots.labels import LANGS

    assert CHOICES["lang"] == tuple(LANGS)
    assert CHOICES["disclosure_policy"] == tuple(disclosure.POLICIES)
    assert CHOICES["region_scale"] == tuple(geo.SCALES)
