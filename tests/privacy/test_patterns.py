"""The gate's patterns run in linear time, and the names check finds what a regular
expression of the names finds."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lcanalysis.privacy as privacy
from lcanalysis.privacy import extract, pdf, rules, scanner
from lcanalysis.privacy.rules import Names

REPO = Path(__file__).resolve().parents[2]


def test_every_pattern_of_the_gate_is_in_the_battery():
    # A pattern added to any module of the gate without being listed is not fed
    # pathological input: it must be listed in CONTENT_PATTERNS.
    listed = {id(p) for p in privacy.CONTENT_PATTERNS.values()}
    for module in (rules, extract, pdf, scanner):
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                assert id(value) in listed, f"{module.__name__}.{name} is not in CONTENT_PATTERNS"


@pytest.mark.slow
def test_no_pattern_backtracks_on_pathological_input():
    # Exponential backtracking never finishes (the timeout); a quadratic pattern
    # takes seconds on one input, which the battery reports (tests/privacy/pathological.py).
    result = subprocess.run(
        [sys.executable, "-m", "tests.privacy.pathological"],
        cwd=REPO, capture_output=True, text=True, timeout=1200,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def reference(names: set[str], text: str) -> list[str]:
    """What the gate found before: one alternation of the names, longest first,
    whole words (no word character either side), blanks between words, any case."""
    words = sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True)
    if not words:
        return []
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in words) + r")(?!\w)",
        re.IGNORECASE,
    )
    return [m[0] for m in pattern.finditer(text)]


NAME_WORDS = ["Anna", "Andersson", "Eva", "Ek", "Karin", "Anna-Karin", "Åsa", "Berg"]
names_strategy = st.sets(
    st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=3).map(" ".join), max_size=6
)
text_strategy = st.lists(
    st.sampled_from(NAME_WORDS + ["anna", "ANDERSSON", "åsa", " ", "  ", "\n", "-", ", ", "x",
                                 "2", "_", "é"]),
    max_size=25,
).map("".join)


@given(names_strategy, text_strategy)
def test_names_are_found_as_an_alternation_of_them_finds_them(names, text):
    assert list(Names(names).find(text)) == reference(names, text)


def test_names_examples():
    names = Names({"Anna Andersson", "Andersson", "Anna-Karin Ek"})
    assert list(names.find("ANNA\n ANDERSSON och Andersson, anna-karin  ek, Anderssons, "
                           "Anna-Karin-Ek")) == ["ANNA\n ANDERSSON", "Andersson", "anna-karin  ek"]
