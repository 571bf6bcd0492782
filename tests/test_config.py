"""Typed configuration: every problem reported at once."""

from __future__ import annotations

import pytest

from lcanalysis.config import load_codes, load_learning_centres, load_programmes
from lcanalysis.errors import ConfigError


def test_the_shipped_configuration_loads():
    centres = load_learning_centres()
    assert centres["norrtalje"].municipality == "0188"
    assert centres["norrtalje"].start_term == "HT2024"
    assert load_programmes()["TBASD"].level == "foundation_year"
    assert load_codes()["admission_status"]["antagen"] == "admitted"
    assert load_codes()["strand"]["basar"] == "foundation_year"  # folded: "Basår"


def test_every_problem_in_a_centres_file_at_once(tmp_path):
    path = tmp_path / "centres.yaml"
    path.write_text(
        "learning_centres:\n"
        "  x:\n    name: X\n    municipality: '9999'\n    serves: ['0188']\n"
        "    strands: [knitting]\n    start_term: HT2024\n"
        "  y:\n    name: Y\n    municipality: '0188'\n    serves: []\n    strands: []\n"
        "    start_term: Vinter 2024\n"
        "  z:\n    name: Z\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_learning_centres(path)
    text = str(err.value)
    assert "'9999'" in text and "knitting" in text and "start_term" in text and "z: missing" in text
    assert len(err.value.problems) == 4


def test_programme_with_unknown_level(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("programmes:\n  ABC: {level: phd}\n  DEF: {level: msc_eng}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="ABC: level 'phd'"):
        load_programmes(path)
