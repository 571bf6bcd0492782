"""The synthetic world: municipalities, people and their lives, in canonical form.

:func:`build_world` draws them in a fixed order from one generator:
:mod:`~lcanalysis.synth.population` (municipalities, statistics, people),
:mod:`~lcanalysis.synth.careers` (applications to follow-ups) and
:mod:`~lcanalysis.synth.centres` (participants, activities, survey), with the
generating values in :mod:`~lcanalysis.synth.parameters` and terms in
:mod:`~lcanalysis.synth.calendar`.

Everything here is typed and clean (4-digit municipality codes, canonical terms,
12-character identity numbers, real dates). :mod:`lcanalysis.synth.exports` turns
these frames into messy raw files and :mod:`lcanalysis.synth.defects` plants the
documented defects; :mod:`lcanalysis.synth.truth` reads the known truth off these
frames. The calibration (which public figure each parameter follows) is documented
in ``docs/synthetic-world.md``.

All randomness comes from one seeded :class:`numpy.random.Generator`, consumed in a
fixed order, so one seed gives one world.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from lcanalysis.config import LearningCentre, load_learning_centres, load_programmes
from lcanalysis.synth.calendar import term_of_today
from lcanalysis.synth.careers import (
    build_applications,
    build_followups,
    build_registrations,
    build_results,
    build_students,
)
from lcanalysis.synth.centres import build_activities, build_participants, build_survey
from lcanalysis.synth.parameters import WorldParameters
from lcanalysis.synth.population import (
    applicant_counts,
    build_municipal_stats,
    build_municipalities,
    build_people,
    treated_municipalities,
)


@dataclass
class World:
    """The canonical frames of one generated world (see each builder for columns)."""

    params: WorldParameters
    scale: float
    today: date
    years: tuple[int, ...]
    centres: dict[str, LearningCentre]
    municipalities: pl.DataFrame
    municipal_stats: pl.DataFrame
    persons: pl.DataFrame
    applications: pl.DataFrame
    students: pl.DataFrame
    registrations: pl.DataFrame
    results: pl.DataFrame
    participants: pl.DataFrame
    activities: pl.DataFrame
    survey: pl.DataFrame
    survey_invited: int
    followups: pl.DataFrame
    treated: dict[str, int]
    pilot_applicants: pl.DataFrame


# -- terms --------------------------------------------------------------------------


def build_world(seed: int, scale: float, today: date, params: WorldParameters | None = None) -> World:
    """Generate every canonical frame of the world from one seed.

    Parameters
    ----------
    seed:
        Seed of the single numpy Generator; one seed gives one world.
    scale:
        Multiplies every applicant rate (baseline and pilot effect), hence the
        number of persons and everything that follows from them. Municipalities
        and their statistics do not scale.
    today:
        The export date: years 2015..today.year are generated, and no registration,
        result, activity or follow-up is dated after it.
    params:
        Generating values; :class:`WorldParameters` defaults when None.
    """
    p = params or WorldParameters()
    rng = np.random.default_rng(seed)
    years = tuple(range(2015, today.year + 1))
    centres = load_learning_centres()
    programmes = {code: prog.level for code, prog in load_programmes().items()}
    munis = build_municipalities(rng, p)
    stats = build_municipal_stats(rng, munis, years, p)
    treated = treated_municipalities(centres)
    counts = applicant_counts(rng, munis, stats, treated, p, scale)
    people = build_people(rng, munis, counts, centres, treated, p)
    today_idx = term_of_today(today)
    people = people.filter(pl.col("app_term_idx") <= today_idx)
    apps = build_applications(rng, people, centres, p)
    students = build_students(rng, people, apps, programmes, today, p)
    regs = build_registrations(rng, students, centres)
    results = build_results(rng, regs, people, students, today)
    participants = build_participants(rng, students, people, centres, munis)
    activities = build_activities(rng, participants, students, centres, munis, today)
    survey, invited = build_survey(rng, students, people, p)
    followups = build_followups(rng, students, people, centres, munis, today)
    return World(
        params=p, scale=scale, today=today, years=years, centres=centres,
        municipalities=munis, municipal_stats=stats, persons=people, applications=apps,
        students=students, registrations=regs, results=results, participants=participants,
        activities=activities, survey=survey, survey_invited=invited, followups=followups,
        treated={c: v[0] for c, v in treated.items()},
        pilot_applicants=counts.select("municipality_code", "year", "pop_19_64", "n_pilot", "n_campus"),
    )
