"""Notebook 08 (design and cost) speaks the run's language only (issues 15 and 17).

One small demo world is generated and cleaned; the real notebook 08 is executed on it
with papermill in Swedish and in English, on a small MDE grid (two numbers of
centres, one number of years, 40 simulations) so both runs take about a minute each.
What a reader of the executed notebook sees (its Markdown, printed sentences and
tables: captions, headers, cells) must hold no function word of the other language
(the word lists of the report's language test) and no code name such as
``applicants_per_10k`` in a caption or header.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lcanalysis import identity
from lcanalysis.clean import clean
from lcanalysis.synth import generate_demo_world
from tests.fixtures.language import (
    CODE_NAME,
    ENGLISH,
    SWEDISH,
    other_language_words,
    words,
)

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "08_design_and_cost.ipynb"
SMALL_GRID = {"n_permutations": 99, "n_bootstrap": 999, "mde_centres": [4, 8], "mde_years": [3],
              "mde_simulations": 40, "mde_permutations": 49, "report_centres": 8, "report_years": 3}


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("design-language")
    generate_demo_world(root / "raw", seed=11, scale=0.5)
    clean(root / "raw", root / "processed", key=identity.DEMO_KEY)
    return root / "processed"


@pytest.fixture(scope="module", params=["sv", "en"])
def executed(request, processed, tmp_path_factory) -> tuple[str, dict]:
    import papermill

    lang = request.param
    out = tmp_path_factory.mktemp(f"nb08-{lang}")
    parameters = {"data_dir": str(processed), "tables_dir": str(out / "tables"),
                  "figures_dir": str(out / "figures"), "lang": lang, **SMALL_GRID}
    papermill.execute_notebook(NOTEBOOK, out / "08.ipynb", parameters=parameters, cwd=str(REPO),
                               progress_bar=False, kernel_name="python3")
    return lang, json.loads((out / "08.ipynb").read_text(encoding="utf-8"))


def reader_text(notebook: dict) -> dict[str, list[str]]:
    """The executed notebook as a reader sees it: prose (Markdown cells and outputs,
    printed lines) and tables' captions and headers, and their cells. The last line,
    "N table(s) exported to <folder>", is lcanalysis.notebook's and left out here."""
    from bs4 import BeautifulSoup

    seen: dict[str, list[str]] = {"prose": [], "headings": [], "cells": []}
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            seen["prose"].append("".join(cell["source"]))
        for output in cell.get("outputs", []):
            if output.get("name") == "stdout":
                seen["prose"] += [line for line in "".join(output["text"]).splitlines()
                                  if "exported to" not in line]
            data = output.get("data", {})
            if "text/markdown" in data:
                seen["prose"].append("".join(data["text/markdown"]))
            elif "text/html" in data and "<table" in "".join(data["text/html"]):
                soup = BeautifulSoup("".join(data["text/html"]), "html.parser")
                seen["headings"] += [t.get_text(" ", strip=True) for t in soup.select("caption, thead th")]
                seen["cells"] += [t.get_text(" ", strip=True) for t in soup.select("tbody th, tbody td")]
    return seen


@pytest.mark.slow
def test_notebook_08_has_no_sentence_in_the_other_language(executed):
    lang, notebook = executed
    seen = reader_text(notebook)
    assert len(seen["headings"]) > 30, "the six tables' captions and headers"
    everything = "\n".join(seen["prose"] + seen["headings"] + seen["cells"])
    assert other_language_words(everything, lang) == []
    own = SWEDISH if lang == "sv" else ENGLISH
    assert sum(w in own for w in words("\n".join(seen["prose"]))) > 20


@pytest.mark.slow
def test_notebook_08_tables_name_columns_and_outcomes_in_words(executed):
    lang, notebook = executed
    seen = reader_text(notebook)
    assert [h for h in seen["headings"] if CODE_NAME.search(h)] == []
    assert [c for c in seen["cells"] if CODE_NAME.search(c)] == []
    outcome = "sökande till KTH per 10 000 invånare" if lang == "sv" else "KTH applicants per 10,000 residents"
    assert any(outcome in caption for caption in seen["headings"])


@pytest.mark.slow
def test_the_mde_sentence_is_in_the_runs_language_and_number_format(executed):
    lang, notebook = executed
    # displayed as Markdown: the report leaves printed lines out
    shown = ["".join(o["data"]["text/markdown"]) for cell in notebook["cells"] for o in cell.get("outputs", [])
             if "text/markdown" in o.get("data", {})]
    sentence = next(p for p in shown if p.startswith(("Med 8", "With 8")))
    if lang == "sv":
        assert sentence.startswith("Med 8 lärcentrum och 3 års data kunde piloten ")
        assert "per 10 000 invånare" in sentence and "," in sentence.split("den såg ")[1]
    else:
        assert sentence.startswith("With 8 centres and 3 years the pilot could ")
        assert "." in sentence.split("it saw ")[1].rstrip(".")
