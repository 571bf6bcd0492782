"""Fixtures for the chart tests: small hand-made indicator frames, figure clean-up,
and ``--regen-baselines`` to rewrite the image-comparison baselines.

Baselines live in tests/plots/baseline/ as 60 dpi PNGs of the figure at its own
(report-page) size. To regenerate them after a deliberate change of style::

    .venv/bin/pytest tests/plots --regen-baselines

then look at the new PNGs before committing them.
"""

from __future__ import annotations

import polars as pl
import pytest

RATE = ["numerator", "denominator", "rate", "ci_low", "ci_high", "suppressed", "suppression_reason"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-baselines",
        action="store_true",
        default=False,
        help="rewrite tests/plots/baseline/*.png from the current code instead of comparing",
    )


@pytest.fixture
def regen_baselines(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regen-baselines", default=False))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _rows(rows: list[tuple], columns: list[str]) -> pl.DataFrame:
    # Hand-made frames stand for published ones: charts draw only protected frames.
    from lcanalysis.disclosure import mark_protected

    return mark_protected(pl.DataFrame(rows, schema=columns, orient="row"))


@pytest.fixture
def gap_frame() -> pl.DataFrame:
    """Rates per programme level and route; learning-centre bachelor cell suppressed (n = 4)."""
    return _rows(
        [
            ("foundation_year", "learning_centre", 12, 40, 0.30, 0.18, 0.45, False, None),
            ("foundation_year", "campus", 300, 1200, 0.25, 0.226, 0.275, False, None),
            ("bachelor_eng", "learning_centre", None, 4, None, None, None, True, "small_count"),
            ("bachelor_eng", "campus", 500, 1234, 0.405, 0.378, 0.433, False, None),
        ],
        ["programme_level", "route", *RATE],
    )


@pytest.fixture
def funnel_frame() -> pl.DataFrame:
    """Applicants of each route reaching each stage; one learning-centre stage suppressed."""
    counts = {"learning_centre": (120, [120, 80, 70, 45, None]), "campus": (1500, [1500, 900, 850, 600, 420])}
    stages = ["applied", "admitted", "registered", "passed_foundation_year", "entered_engineering"]
    rows = [
        (s, r, n, d, None if n is None else n / d, None, None, n is None, "small_count" if n is None else None)
        for r, (d, ns) in counts.items()
        for s, n in zip(stages, ns, strict=True)
    ]
    return _rows(rows, ["stage", "route", *RATE])


@pytest.fixture
def composition_frame() -> pl.DataFrame:
    """Parental education by route and of the reference population; two suppressed cells."""
    levels = ["upper_secondary_3y", "post_secondary_lt_3y", "post_secondary_3y_plus", "unknown"]
    shares = {
        "learning_centre": (80, [0.5, None, None, 0.1]),
        "campus": (1500, [0.3, 0.2, 0.45, 0.05]),
        "reference": (45000, [0.4, 0.2, 0.35, 0.05]),
    }
    rows = [
        (g, c, None, d, s, None, None, s is None, "small_count" if s is None else None)
        for g, (d, ss) in shares.items()
        for c, s in zip(levels, ss, strict=True)
    ]
    return _rows(rows, ["route", "parental_education", *RATE])


@pytest.fixture
def typology_frame() -> pl.DataFrame:
    types = ["non_migrant", "late_migrant", "return_migrant", "university_stayer", "repeat_migrant"]
    shares = {"learning_centre": (60, [0.5, 0.1, 0.15, None, None]), "campus": (900, [0.2, 0.15, 0.2, 0.3, 0.15])}
    rows = [
        (g, t, None, d, s, None, None, s is None, "secondary" if s is None else None)
        for g, (d, ss) in shares.items()
        for t, s in zip(types, ss, strict=True)
    ]
    return _rows(rows, ["route", "faggian_type", *RATE])


@pytest.fixture
def survival_frame() -> pl.DataFrame:
    """Share still studying by term; the learning-centre curve is suppressed from term 3."""
    rows = []
    for g, n0, drop in (("learning_centre", 60, 0.05), ("campus", 900, 0.08)):
        for t in range(5):
            hidden = g == "learning_centre" and t >= 3
            s = 1 - drop * t
            rows.append((g, t, s, s - 0.05, min(s + 0.05, 1.0), n0 - 5 * t, hidden,
                         "small_population" if hidden else None))
    return _rows(rows, ["route", "time", "survival", "ci_low", "ci_high", "at_risk", "suppressed",
                        "suppression_reason"])


@pytest.fixture
def event_frame() -> pl.DataFrame:
    """Event-study estimates around the start; -1 is the reference, +3 suppressed."""
    rows = [
        (-3, -0.01, -0.04, 0.02, False, False, None),
        (-2, 0.005, -0.025, 0.035, False, False, None),
        (-1, 0.0, None, None, True, False, None),
        (0, 0.02, -0.01, 0.05, False, False, None),
        (1, 0.04, 0.01, 0.07, False, False, None),
        (2, 0.05, 0.015, 0.085, False, False, None),
        (3, None, None, None, False, True, "small_population"),
    ]
    return _rows(rows, ["event_time", "estimate", "ci_low", "ci_high", "reference", "suppressed",
                        "suppression_reason"])


@pytest.fixture
def likert_frame() -> pl.DataFrame:
    """Answers 1-5 per item and route; F2 at the learning centres has a suppressed level."""
    rows = []
    for item in ("F1", "F2"):
        for g, counts in (("learning_centre", [1, 2, 4, 10, 20]), ("campus", [3, 5, 8, 15, 12])):
            for v, c in zip(range(1, 6), counts, strict=True):
                hidden = item == "F2" and g == "learning_centre" and v == 1
                rows.append((item, g, v, None if hidden else c, hidden, "small_count" if hidden else None))
    return _rows(rows, ["item", "route", "value", "count", "suppressed", "suppression_reason"])


@pytest.fixture
def ranking_frame() -> pl.DataFrame:
    rows = [
        ("Norrtälje", 0.30, 0.22, 0.39, 120, False, None),
        ("Hudiksvall", 0.45, 0.31, 0.60, 48, False, None),
        ("Arvika", None, None, None, 4, True, "small_denominator"),
        ("Västervik", 0.20, 0.12, 0.31, 60, False, None),
    ]
    return _rows(rows, ["label", "estimate", "ci_low", "ci_high", "n", "suppressed", "suppression_reason"])


@pytest.fixture
def flow_frame() -> pl.DataFrame:
    rows = [
        ("Norrtälje", "Norrtälje", "Norrtälje", 40, False, None),
        ("Norrtälje", "Norrtälje", "Stockholm", 25, False, None),
        ("Hudiksvall", "Hudiksvall", "Hudiksvall", 30, False, None),
        ("Hudiksvall", "Stockholm", "Stockholm", 20, False, None),
        ("Hudiksvall", "Hudiksvall", "Sundsvall", None, True, "small_count"),
    ]
    return _rows(rows, ["home_region", "study_region", "work_region", "count", "suppressed",
                        "suppression_reason"])
