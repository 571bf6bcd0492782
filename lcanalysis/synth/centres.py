"""The learning centres' side of the synthetic world: participant lists, activities
(labs and internships at local companies, the shared course's campus visits) and
the survey with its non-response."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from lcanalysis.config import LearningCentre
from lcanalysis.synth.calendar import epoch_date, exam_window, term_index
from lcanalysis.synth.parameters import (
    DONT_KNOW,
    HOST_ORG_PATTERNS,
    PARENTAL_EDUCATION_TEXT,
    SHARED_COURSE,
    STOCKHOLM,
    WorldParameters,
)
from lcanalysis.synth.population import commute


def build_participants(
    rng: np.random.Generator, students: pl.DataFrame, people: pl.DataFrame,
    centres: dict[str, LearningCentre], munis: pl.DataFrame,
) -> pl.DataFrame:
    """Participant lists: one row per learning-centre student and strand.

    The student's main strand is foundation_year (TBASD) or shared_course
    (engineering programme from a centre); at centres that run industry_labs every
    student also takes part in the labs. Columns: ``person``, ``centre``,
    ``strand``, ``start_term_idx``, ``employed``, ``employer_code``, ``name``.
    """
    lc = students.filter(pl.col("route") == "learning_centre").join(
        people.select("person", "working", "home_code", "name"), on="person")
    main = lc.with_columns(strand=pl.when(pl.col("level") == "foundation_year")
                           .then(pl.lit("foundation_year")).otherwise(pl.lit("shared_course")))
    labs_at = [cid for cid, c in centres.items() if "industry_labs" in c.strands]
    labs = lc.filter(pl.col("centre").is_in(labs_at)).with_columns(strand=pl.lit("industry_labs"))
    both = pl.concat([main, labs]).sort("person", "strand")
    employer = commute(rng, both["home_code"].to_numpy(), munis, 0.3)
    return both.select(
        "person", "centre", "strand", start_term_idx="entry_idx", employed="working", name="name",
    ).with_columns(employer_code=pl.when(pl.col("employed")).then(pl.Series(employer)))


def _host_orgs(centre: LearningCentre, munis: pl.DataFrame) -> list[str]:
    town = munis.filter(pl.col("municipality_code") == centre.municipality)["name"][0]
    return [pattern.format(town) for pattern in HOST_ORG_PATTERNS]


def build_activities(
    rng: np.random.Generator, participants: pl.DataFrame, students: pl.DataFrame,
    centres: dict[str, LearningCentre], munis: pl.DataFrame, today: date,
) -> pl.DataFrame:
    """Lab sessions and internships (industry_labs) and campus visits (shared_course).

    Industry labs: four lab sessions at local companies in the first term (distinct
    days, 3-4 hours) and, for 40 %, an internship of 40 or 80 hours in the second
    term. Shared course: two visits to KTH Campus in Stockholm (0180), 6 hours.
    Columns: ``person``, ``activity_type`` (Labb / Praktik / Campusbesök), ``date``,
    ``course_code``, ``host_org``, ``host_code``, ``hours``, ``completed``.
    Activities after ``today`` are not yet held and are left out.
    """
    info = participants.join(students.select("person", "level"), on="person")
    frames = []
    labs = info.filter(pl.col("strand") == "industry_labs")
    if len(labs):
        n = len(labs)
        lo, _ = exam_window(labs["start_term_idx"].to_numpy())
        offsets = np.sort(np.stack([rng.choice(90, 4, replace=False) for _ in range(n)]), axis=1)
        orgs = {cid: _host_orgs(c, munis) for cid, c in centres.items()}
        org = np.array([orgs[c][k] for c, k in zip(labs["centre"], rng.integers(0, 4, n), strict=True)])
        host = np.array([centres[c].municipality for c in labs["centre"]])
        course = np.where(labs["level"].to_numpy() == "foundation_year", "SK0003", SHARED_COURSE)
        lab = pl.DataFrame({
            "person": np.repeat(labs["person"].to_numpy(), 4),
            "activity_type": "Labb",
            "day": (lo[:, None] + offsets).ravel(),
            "course_code": np.repeat(course, 4),
            "host_org": np.repeat(org, 4),
            "host_code": np.repeat(host, 4),
            "hours": rng.choice([3.0, 3.5, 4.0], 4 * n),
            "completed": rng.random(4 * n) < 0.92,
        })
        intern = rng.random(n) < 0.4
        lo2, _ = exam_window(labs["start_term_idx"].to_numpy() + 1)
        prak = pl.DataFrame({
            "person": labs["person"].to_numpy()[intern],
            "activity_type": "Praktik",
            "day": (lo2 + rng.integers(0, 60, n))[intern],
            "course_code": course[intern],
            "host_org": org[intern],
            "host_code": host[intern],
            "hours": rng.choice([40.0, 80.0], n)[intern],
            "completed": (rng.random(n) < 0.85)[intern],
        })
        frames += [lab, prak]
    shared = info.filter(pl.col("strand") == "shared_course")
    if len(shared):
        n = len(shared)
        lo, _ = exam_window(shared["start_term_idx"].to_numpy())
        visits = np.stack([lo + 30 + rng.integers(0, 10, n), lo + 75 + rng.integers(0, 10, n)], axis=1)
        frames.append(pl.DataFrame({
            "person": np.repeat(shared["person"].to_numpy(), 2),
            "activity_type": "Campusbesök",
            "day": visits.ravel(),
            "course_code": SHARED_COURSE,
            "host_org": "KTH Campus Valhallavägen",
            "host_code": STOCKHOLM,
            "hours": 6.0,
            "completed": rng.random(2 * n) < 0.9,
        }))
    acts = pl.concat(frames) if frames else pl.DataFrame()
    return acts.with_columns(date=epoch_date("day")).filter(pl.col("date") <= today).drop("day").sort(
        "person", "date", "activity_type")


# -- survey -------------------------------------------------------------------------

_ITEM_MEANS = {
    "campus": (3.8, 3.0, 3.4, 3.9, 3.2, 3.9, 2.8, 3.9),
    "learning_centre": (3.4, 3.3, 3.9, 3.6, 4.2, 3.2, 3.9, 4.1),
}


def build_survey(
    rng: np.random.Generator, students: pl.DataFrame, people: pl.DataFrame, p: WorldParameters,
) -> tuple[pl.DataFrame, int]:
    """Survey answers of the respondents (wide), and the number invited.

    Invited: every learning-centre student and the campus comparison group (campus
    students who entered from HT2023), surveyed in their entry term. Unit
    non-respondents are absent from the export. Columns: ``person``,
    ``survey_term_idx``, ``route``, ``parental_text`` (null = item not answered),
    ``employed``, ``foreign_background`` (null = not answered) and ``f1`` .. ``f8``
    (1-5, null = not answered).
    """
    invited = students.filter(
        (pl.col("route") == "learning_centre") | (pl.col("entry_idx") >= term_index(True, 2023))
    ).join(people.select("person", "parent_level", "working", "foreign_background"), on="person")
    n_invited = len(invited)
    resp = invited.filter(pl.Series(rng.random(n_invited) >= p.survey_unit_nonresponse))
    n = len(resp)
    text = np.array(PARENTAL_EDUCATION_TEXT)[resp["parent_level"].to_numpy()]
    text = np.where(rng.random(n) < p.survey_dont_know, DONT_KNOW, text)

    def blank(values: np.ndarray) -> pl.Series:
        missing = pl.Series(rng.random(n) < p.survey_item_nonresponse)
        return pl.select(pl.when(missing).then(None).otherwise(pl.Series(values))).to_series()

    lc = resp["route"].to_numpy() == "learning_centre"
    means = np.where(lc[:, None], np.array(_ITEM_MEANS["learning_centre"]), np.array(_ITEM_MEANS["campus"]))
    items = np.clip(np.round(means + rng.normal(0, 0.9, (n, 8))), 1, 5).astype(np.int64)
    cols = {f"f{i + 1}": blank(items[:, i]).cast(pl.Int64) for i in range(8)}
    return resp.select(
        "person", "route", survey_term_idx="entry_idx",
    ).with_columns(
        parental_text=blank(text).cast(pl.String),
        employed=blank(resp["working"].to_numpy()).cast(pl.Boolean),
        foreign_background=blank(resp["foreign_background"].to_numpy()).cast(pl.Boolean),
        **cols,
    ), n_invited


# -- after study --------------------------------------------------------------------
