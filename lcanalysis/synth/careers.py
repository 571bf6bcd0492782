"""Study careers in the synthetic world: applications, admitted students,
registrations, results, and the follow-ups of where people live and work."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from lcanalysis.config import LearningCentre
from lcanalysis.synth.calendar import epoch_date, exam_window, term_of_today
from lcanalysis.synth.parameters import (
    CAMPUS_PROGRAMMES,
    CURRICULA,
    MODULES,
    SHARED_COURSE,
    STOCKHOLM,
    WorldParameters,
)
from lcanalysis.synth.population import commute, weighted_choice


def build_applications(
    rng: np.random.Generator, people: pl.DataFrame, centres: dict[str, LearningCentre],
    p: WorldParameters,
) -> pl.DataFrame:
    """Applications: one row per person and programme choice.

    Columns: ``person``, ``term_idx``, ``programme_code``, ``priority`` (1 = first
    choice), ``status`` (Antagen / Reserv / Ej antagen / Återbud / Struken),
    ``home_code``, ``centre``. A person is admitted to at most one choice; choices
    below it are struck (Struken), choices above it are Reserv or Ej antagen.
    """
    n = len(people)
    is_pilot = people["pilot"].to_numpy()
    n_choices = np.where(is_pilot, rng.choice([1, 2], n, p=[0.7, 0.3]),
                         rng.choice([1, 2, 3], n, p=[0.5, 0.3, 0.2]))
    codes = np.array([c for c, _ in CAMPUS_PROGRAMMES])
    weights = np.array([w for _, w in CAMPUS_PROGRAMMES])
    # Distinct campus choices: order programmes by weighted random keys (Gumbel top-k).
    keys = np.log(weights)[None, :] - np.log(-np.log(rng.random((n, len(codes)))))
    order = np.argsort(-keys, axis=1)
    lc_prog = np.array([
        None if cid is None else ("TBASD" if "foundation_year" in centres[cid].strands
                                  else ("TIDAB" if rng.random() < 0.6 else "TIELA"))
        for cid in people["centre"].to_list()
    ], dtype=object)
    admit = rng.random(n) < np.where(is_pilot, p.admit_lc, p.admit_campus)
    admitted_at = np.where(
        is_pilot, 1, np.minimum(rng.choice([1, 2, 3], n, p=[0.65, 0.25, 0.10]), n_choices))
    admitted_at = np.where(admit, admitted_at, 0)
    declined = admit & (rng.random(n) < p.declined)
    reserve = rng.random((n, 3)) < 0.5

    rows_person, rows_prio, rows_code, rows_status, rows_centre = [], [], [], [], []
    centre = people["centre"].to_list()
    for k in range(3):
        has = n_choices > k
        idx = np.nonzero(has)[0]
        if k == 0:
            code = np.where(is_pilot[idx], lc_prog[idx], codes[order[idx, 0]])
        else:
            # A pilot applicant's second choice is a campus programme other than the
            # first (one application per programme and round).
            first_campus = codes[order[idx, 0]]
            other = np.where(first_campus == lc_prog[idx].astype(str), codes[order[idx, 1]], first_campus)
            code = np.where(is_pilot[idx], other, codes[order[idx, k]])
        a = admitted_at[idx]
        status = np.where(
            a == k + 1, np.where(declined[idx], "Återbud", "Antagen"),
            np.where((a > 0) & (k + 1 > a), "Struken",
                     np.where(reserve[idx, k], "Reserv", "Ej antagen")))
        rows_person.append(idx)
        rows_prio.append(np.full(len(idx), k + 1))
        rows_code.append(code.astype(str))
        rows_status.append(status)
        rows_centre.append(np.array([centre[i] if (k == 0 and is_pilot[i]) else None for i in idx],
                                    dtype=object))
    apps = pl.DataFrame({
        "person": np.concatenate(rows_person),
        "priority": np.concatenate(rows_prio),
        "programme_code": np.concatenate(rows_code),
        "status": np.concatenate(rows_status),
        "centre": pl.Series(np.concatenate(rows_centre).tolist(), dtype=pl.String),
    })
    return apps.join(people.select("person", "home_code", term_idx="app_term_idx"), on="person").sort(
        "person", "priority")


# -- studies ------------------------------------------------------------------------

def build_students(
    rng: np.random.Generator, people: pl.DataFrame, apps: pl.DataFrame,
    programmes: dict[str, str], today: date, p: WorldParameters,
) -> pl.DataFrame:
    """Admitted applicants who registered: person, programme, level, route, centre,
    entry term and the number of tracked terms they study (after dropout and today).

    ``route`` is ``learning_centre`` when the admission came through a centre, else
    ``campus``. Tracked terms: 2 for the foundation year, otherwise the first 4.

    Foundation-year students carry their planted outcome: ``fy_completes`` (they
    study both terms and pass all 60 credits; drawn with ``fy_completion_*``) and,
    for completers, ``fy_transitions`` (drawn with ``fy_transition_*``): they go on
    to ``eng_programme`` (``eng_level``) on campus from ``eng_entry_idx``, the first
    HT after the foundation year, for ``eng_terms`` tracked terms (campus dropout,
    nothing after today; 0 = no engineering registration, or not yet).
    ``last_idx`` is the last studied term, foundation year or engineering.
    """
    adm = apps.filter(pl.col("status") == "Antagen").select(
        "person", "programme_code", "centre", entry_idx="term_idx")
    adm = adm.join(people.select("person", "pilot"), on="person").with_columns(
        level=pl.col("programme_code").replace_strict(programmes),
        route=pl.when(pl.col("centre").is_not_null()).then(pl.lit("learning_centre"))
        .otherwise(pl.lit("campus")),
    )
    n = len(adm)
    fy = adm["level"].to_numpy() == "foundation_year"
    lc = adm["route"].to_numpy() == "learning_centre"
    planned = np.where(fy, 2, 4)
    drop_p = np.where(lc, p.dropout_lc, p.dropout_campus)
    stays = rng.random((n, 3)) >= drop_p[:, None]
    studied = 1 + np.cumprod(stays, axis=1).sum(axis=1)
    today_idx = term_of_today(today)
    entry = adm["entry_idx"].to_numpy()

    completes = fy & (rng.random(n) < np.where(lc, p.fy_completion_lc, p.fy_completion_campus))
    transitions = completes & (rng.random(n) < np.where(lc, p.fy_transition_lc, p.fy_transition_campus))
    studied = np.where(completes, planned, studied)
    eng = [(c, w) for c, w in CAMPUS_PROGRAMMES if programmes[c] in ("bachelor_eng", "msc_eng")]
    eng_codes = np.array([c for c, _ in eng])
    eng_weights = np.array([w for _, w in eng])
    eng_code = rng.choice(eng_codes, n, p=eng_weights / eng_weights.sum())
    eng_stays = rng.random((n, 3)) >= p.dropout_campus
    eng_studied = 1 + np.cumprod(eng_stays, axis=1).sum(axis=1)
    # Engineering programmes start in HT: the first HT after the two foundation terms.
    eng_entry = entry + 2 + (entry % 2 == 0)
    eng_terms = np.where(transitions, np.clip(np.minimum(eng_studied, today_idx - eng_entry + 1), 0, None), 0)

    n_terms = np.minimum(np.minimum(planned, studied), today_idx - entry + 1)
    last_idx = np.where(eng_terms > 0, eng_entry + eng_terms - 1, entry + n_terms - 1)
    return adm.with_columns(
        n_terms=pl.Series(n_terms),
        fy_completes=pl.Series(completes),
        fy_transitions=pl.Series(transitions),
        eng_programme=pl.when(pl.Series(transitions)).then(pl.Series(eng_code)),
        eng_entry_idx=pl.when(pl.Series(transitions)).then(pl.Series(eng_entry)),
        eng_terms=pl.Series(eng_terms),
        last_idx=pl.Series(last_idx),
    ).with_columns(
        eng_level=pl.col("eng_programme").replace_strict(programmes, default=None),
    ).filter(pl.col("n_terms") > 0)


def _curriculum_table() -> pl.DataFrame:
    rows = [
        (level, offset, pos, code, credits)
        for level, terms in CURRICULA.items()
        for offset, courses in enumerate(terms)
        for pos, (code, credits) in enumerate(courses)
    ]
    return pl.DataFrame(rows, schema=["level", "offset", "pos", "course_code", "credits"], orient="row")


def build_registrations(
    rng: np.random.Generator, students: pl.DataFrame, centres: dict[str, LearningCentre]
) -> pl.DataFrame:
    """Course registrations: one row per person, course and term.

    Columns: ``person``, ``term_idx``, ``offset`` (term of study, 0 = first),
    ``course_code``, ``credits``, ``programme_code``, ``delivery_mode`` (campus /
    learning_centre / distance), ``centre`` (only on learning-centre registrations),
    ``registered_on``. Learning-centre students of engineering programmes study half
    time (the first two courses of each term) from a centre: the shared course
    HF1017 at the centre, the rest at distance; the foundation year is taught at the
    centre in full. Foundation-year students who go on to engineering
    (``eng_terms`` > 0) are registered on that programme from ``eng_entry_idx`` as
    campus students, full time, whichever route they came by (``route`` stays the
    student's admission route; ``taught`` is the route of teaching).
    """
    cols = ["person", "programme_code", "centre", "entry_idx", "level", "route", "n_terms"]
    continuing = students.filter(pl.col("eng_terms") > 0).select(
        "person", programme_code="eng_programme", centre=pl.lit(None, dtype=pl.String),
        entry_idx="eng_entry_idx", level="eng_level", route="route", n_terms="eng_terms",
        taught=pl.lit("campus"),
    )
    expanded = pl.concat([students.select(*cols, taught="route"), continuing]).with_columns(
        offset=pl.int_ranges(0, pl.col("n_terms"))).explode("offset")
    regs = expanded.join(_curriculum_table(), on=["level", "offset"])
    regs = regs.filter(
        (pl.col("taught") == "campus") | (pl.col("level") == "foundation_year") | (pl.col("pos") < 2)
    )
    at_centre = (pl.col("taught") == "learning_centre") & (
        (pl.col("level") == "foundation_year") | (pl.col("course_code") == SHARED_COURSE))
    regs = regs.with_columns(
        term_idx=pl.col("entry_idx") + pl.col("offset"),
        delivery_mode=pl.when(at_centre).then(pl.lit("learning_centre"))
        .when(pl.col("taught") == "learning_centre").then(pl.lit("distance"))
        .otherwise(pl.lit("campus")),
    ).with_columns(centre=pl.when(at_centre).then(pl.col("centre")))
    regs = regs.sort("person", "term_idx", "pos")
    start, _ = exam_window(regs["term_idx"].to_numpy())
    ht = regs["term_idx"].to_numpy() % 2 == 1
    # Registration: 20 Aug - 4 Sep for HT, 8 - 22 Jan for VT.
    reg_day = start - np.where(ht, 5, 8) + rng.integers(0, 15, len(regs))
    return regs.with_columns(registered_on=epoch_date(pl.Series(reg_day))).select(
        "person", "term_idx", "offset", "course_code", "credits", "programme_code",
        "delivery_mode", "centre", "registered_on", "route",
    )


def build_results(
    rng: np.random.Generator, regs: pl.DataFrame, people: pl.DataFrame, students: pl.DataFrame,
    today: date,
) -> pl.DataFrame:
    """Passed modules (Ladok's results export holds passes only).

    Each module of a registration is eventually passed with probability
    ``logistic(ability + module ease)``; when passed, it is in the registration term
    (80 %) or 1-5 terms later (retakes; 3 % fall after UKÄ's four-term window).
    Foundation-year courses follow the student's planted outcome instead: a
    completer (``fy_completes``) passes every module within the two foundation
    terms (a first-term module at the latest in the second term), 60 credits; a
    non-completer never passes one of their foundation-year modules, chosen at
    random, and the rest as above. Results dated after ``today`` do not exist yet.
    Columns: ``person``, ``course_code``, ``module_code``, ``credits``, ``grade``,
    ``examined_on``, ``term_idx`` (term of the examination), ``reg_term_idx``.
    """
    mods = pl.DataFrame(
        [(c, m, mc, ease) for c, ms in MODULES.items() for m, mc, ease in ms],
        schema=["credits", "module_code", "module_credits", "ease"], orient="row",
    )
    fy_codes = [c for term in CURRICULA["foundation_year"] for c, _ in term]
    rows = regs.select("person", "course_code", "credits", "offset", reg_term_idx="term_idx").join(
        mods, on="credits").join(people.select("person", "ability"), on="person").join(
        students.select("person", "fy_completes"), on="person", how="left", maintain_order="left")
    n = len(rows)
    logit = rows["ability"].to_numpy() + rows["ease"].to_numpy()
    passed = rng.random(n) < 1 / (1 + np.exp(-logit))
    delay = rng.choice(6, n, p=[0.80, 0.09, 0.05, 0.03, 0.02, 0.01])
    fy = rows["course_code"].is_in(fy_codes).to_numpy()
    completer = fy & rows["fy_completes"].fill_null(False).to_numpy()
    key = np.where(fy & ~completer, rng.random(n), -1.0)
    never = rows.select("person", _key=pl.Series(key)).select(
        (pl.col("_key") >= 0) & (pl.col("_key") == pl.col("_key").max().over("person"))
    ).to_series().to_numpy()
    passed = np.where(completer, True, passed & ~never)
    delay = np.where(completer, np.where(rows["offset"].to_numpy() == 0, np.minimum(delay, 1), 0), delay)
    exam_idx = rows["reg_term_idx"].to_numpy() + delay
    lo, hi = exam_window(exam_idx)
    day = lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)
    is_exam = rows["module_code"].to_numpy() == "TEN1"
    grade = np.where(is_exam, rng.choice(np.array(list("ABCDE")), n, p=[0.15, 0.2, 0.3, 0.2, 0.15]), "P")
    out = rows.with_columns(
        examined_on=epoch_date(pl.Series(day)), term_idx=pl.Series(exam_idx),
        grade=pl.Series(grade), keep=pl.Series(passed),
    ).filter(pl.col("keep") & (pl.col("examined_on") <= today))
    return out.select(
        "person", "course_code", "module_code", pl.col("module_credits").alias("credits"),
        "grade", "examined_on", "term_idx", "reg_term_idx",
    ).sort("person", "examined_on", "course_code", "module_code")


# -- learning-centre participation --------------------------------------------------


def build_followups(
    rng: np.random.Generator, students: pl.DataFrame, people: pl.DataFrame,
    centres: dict[str, LearningCentre], munis: pl.DataFrame, today: date,
) -> pl.DataFrame:
    """Residence and work 1 and 3 years after the last studied term.

    Observed on the day one and three years after the end of the last studied term
    (30 Jun for VT, 15 Jan for HT); observations after ``today`` do not exist.
    Residence after 1 year: learning-centre students stay home (78 %), move to the
    centre's municipality, a neighbour in the county, Stockholm or elsewhere;
    campus students from outside Stockholm stay in Stockholm (45 %) or its county
    (20 %), return home (25 %) or move elsewhere; Stockholmers mostly stay. After 3
    years 80 % live where they lived at 1 year; movers go home, to Stockholm or
    elsewhere. Work: employed 85 % (1 year) / 90 % (3 years), in the residence
    municipality or (30 %) another in its county. Columns: ``person``, ``horizon``
    (1 or 3), ``observed_on``, ``residence_code``, ``work_code``, ``employed``,
    ``home_code``, ``study_code``, ``route``.
    """
    codes = munis["municipality_code"].to_numpy()
    pop = munis["pop_last"].to_numpy()
    sthlm_county = codes[(munis["county_code"].to_numpy() == "01") & (codes != STOCKHOLM)]
    sthlm_pop = pop[(munis["county_code"].to_numpy() == "01") & (codes != STOCKHOLM)]
    s = students.join(people.select("person", "home_code"), on="person").with_columns(
        study_code=pl.col("centre").replace_strict(
            {cid: c.municipality for cid, c in centres.items()}, default=STOCKHOLM),
    )
    n = len(s)
    home = s["home_code"].to_numpy()
    study = s["study_code"].to_numpy()
    lc = s["route"].to_numpy() == "learning_centre"
    anywhere = weighted_choice(rng, codes, pop, n)
    county_move = commute(rng, home, munis, 1.0)
    to_county = weighted_choice(rng, sthlm_county, sthlm_pop, n)
    u = rng.random(n)
    lc_r1 = np.select([u < 0.78, u < 0.83, u < 0.91, u < 0.96], [home, study, county_move, STOCKHOLM], anywhere)
    out_r1 = np.select([u < 0.45, u < 0.65, u < 0.90], [STOCKHOLM, to_county, home], anywhere)
    sto_r1 = np.select([u < 0.80, u < 0.92], [STOCKHOLM, to_county], anywhere)
    r1 = np.where(lc, lc_r1, np.where(home == STOCKHOLM, sto_r1, out_r1))
    v = rng.random(n)
    w = rng.random(n)
    elsewhere = weighted_choice(rng, codes, pop, n)
    moved = np.where(r1 != home, np.select([w < 0.5, w < 0.75], [home, STOCKHOLM], elsewhere),
                     np.where(w < 0.4, STOCKHOLM, elsewhere))
    r3 = np.where(v < 0.80, r1, moved)

    last = s["last_idx"].to_numpy()
    end_year = last // 2 + (last % 2)
    end_md = np.where(last % 2 == 1, "-01-15", "-06-30")
    frames = []
    for horizon, res, emp_p in ((1, r1, 0.85), (3, r3, 0.90)):
        observed = np.array([f"{y + horizon}{md}" for y, md in zip(end_year, end_md, strict=True)],
                            dtype="datetime64[D]")
        employed = rng.random(n) < emp_p
        work = commute(rng, res, munis, 0.3)
        frames.append(s.select("person", "home_code", "study_code", "route").with_columns(
            horizon=pl.lit(horizon, dtype=pl.Int32),
            observed_on=pl.Series(observed).cast(pl.Date),
            residence_code=pl.Series(res),
            work_code=pl.when(pl.Series(employed)).then(pl.Series(work)),
            employed=pl.Series(employed),
        ))
    return pl.concat(frames).filter(pl.col("observed_on") <= today).sort("person", "horizon")


# -- the whole world ----------------------------------------------------------------
