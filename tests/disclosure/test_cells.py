"""The intruder's linear programmes: each solved once per process, with the answer
HiGHS gives it fresh."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.optimize
from scipy.sparse import csr_array

from lcanalysis.disclosure import cells


@pytest.fixture
def solves(monkeypatch):
    calls = []
    real = scipy.optimize.linprog

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(scipy.optimize, "linprog", counted)
    monkeypatch.setattr(cells, "_SOLVED", {})
    return calls


def test_a_programme_met_again_is_not_solved_again(solves):
    # x0 + x1 = 10 (a margin and its two children), x >= 0: x0 lies in [0, 10]
    a_eq, b_eq = csr_array(np.array([[1.0, 1.0]])), np.zeros(1) + 10
    objective = np.array([1.0, 0.0])
    assert cells._extremes(objective, a_eq, b_eq, [(0, None), (0, None)]) == (0.0, 10.0)
    assert len(solves) == 2  # minimum and maximum
    assert cells._extremes(objective.copy(), a_eq.copy(), b_eq, [(0, None), (0, None)]) == (0.0, 10.0)
    assert len(solves) == 2
    # x1 shown as at least 4: another programme
    assert cells._extremes(objective, a_eq, b_eq, [(0, None), (4, None)]) == (0.0, 6.0)
    assert len(solves) == 4
    # the other cell as objective: another programme
    low, high = cells._extremes(np.array([0.0, 1.0]), a_eq, b_eq, [(0, None), (4, None)])
    assert (low, high) == (4.0, 10.0) and len(solves) == 6


def test_an_unbounded_side_is_infinite_and_kept_so(solves):
    assert cells._extremes(np.array([1.0]), None, None, [(2, None)]) == (2.0, math.inf)
    assert cells._extremes(np.array([1.0]), None, None, [(2, None)]) == (2.0, math.inf)
    assert len(solves) == 2


def test_kept_answers_are_what_a_fresh_solve_gives(solves):
    rng = np.random.default_rng(7)
    programmes = []
    for _ in range(30):
        n = int(rng.integers(2, 6))
        a = rng.integers(-1, 2, size=(2, n)).astype(float)
        a[:, 0] = 1.0
        bounds = [(int(rng.integers(0, 3)), int(rng.integers(5, 20))) for _ in range(n)]
        x = np.array([rng.integers(lo, hi + 1) for lo, hi in bounds], dtype=float)
        objective = rng.integers(-1, 2, size=n).astype(float)
        programmes.append((objective, csr_array(a), a @ x, bounds))  # feasible: x solves it
    first = [cells._extremes(*p) for p in programmes]
    again = [cells._extremes(*p) for p in programmes]
    assert again == first
    for (objective, a, b, bounds), kept in zip(programmes, first, strict=True):
        low = scipy.optimize.linprog(objective, A_eq=a, b_eq=b, bounds=bounds, method="highs").fun
        high = -scipy.optimize.linprog(-objective, A_eq=a, b_eq=b, bounds=bounds, method="highs").fun
        assert kept == (low, high)
