"""The known truth of a generated world, read off its canonical frames.

Two kinds of values (docs/synthetic-world.md documents every key):

- generating parameters (the pilot effect, the first-generation probability), which
  an estimator should recover within its interval;
- realised values computed from the very records written to the raw files (shares,
  performance rates, stay shares, Faggian types), which a descriptive indicator
  computed on the cleaned data should reproduce exactly.
"""

from __future__ import annotations

import polars as pl

from lcanalysis.config import load_programmes
from lcanalysis.synth.calendar import term_index, term_of_today
from lcanalysis.synth.parameters import DONT_KNOW, PARENTAL_EDUCATION_TEXT
from lcanalysis.synth.world import World

ROUTES: tuple[str, ...] = ("learning_centre", "campus")
FAGGIAN_TYPES: tuple[str, ...] = (
    "non_migrant", "late_migrant", "return_migrant", "university_stayer", "repeat_migrant",
)


def _term_name(idx: int) -> str:
    return f"{'HT' if idx % 2 else 'VT'}{idx // 2}"


def _share(num: int, den: int) -> dict:
    return {"numerator": num, "denominator": den, "share": None if den == 0 else num / den}


def student_routes(world: World) -> pl.DataFrame:
    """Registered persons and their route: ``learning_centre`` if any registration was
    taught at a learning centre, else ``campus``."""
    return world.registrations.group_by("person").agg(
        route=pl.when((pl.col("delivery_mode") == "learning_centre").any())
        .then(pl.lit("learning_centre")).otherwise(pl.lit("campus"))
    )


def first_generation(world: World, routes: pl.DataFrame) -> dict:
    """First-generation share by route: the generating probability (mean over the
    route's students), the realised share among all its students, and the realised
    share among survey respondents whose parental education is known (what the
    cleaned ``persons`` table shows), with the generating probability averaged over
    those same respondents: the expectation of that share, which its interval should
    cover (only campus entrants from HT2023 are surveyed, and the mix of home
    municipalities drifts over the years, so the all-students mean is a different
    target)."""
    students = routes.join(world.persons.select("person", "p_high_parent", "first_generation"), on="person")
    level = pl.col("parental_text").replace_strict(
        {t: i for i, t in enumerate(PARENTAL_EDUCATION_TEXT)}, default=None, return_dtype=pl.Int64)
    known = world.survey.filter(pl.col("parental_text").is_not_null() & (pl.col("parental_text") != DONT_KNOW))
    known = known.select("person", fg=level < 4).join(routes, on="person").join(
        world.persons.select("person", "p_high_parent"), on="person")
    out = {}
    for route in ROUTES:
        s = students.filter(pl.col("route") == route)
        k = known.filter(pl.col("route") == route)
        out[route] = {
            "generating_probability": float((1 - s["p_high_parent"]).mean()) if len(s) else None,
            "realised_students": _share(int(s["first_generation"].sum()), len(s)),
            "realised_survey_known": _share(int(k["fg"].sum()), len(k)),
            "generating_probability_survey_known": float((1 - k["p_high_parent"]).mean()) if len(k) else None,
        }
    return out


def performance_rate(world: World, routes: pl.DataFrame, from_term_idx: int | None, last_term_idx: int) -> dict:
    """UKÄ's performance rate by route: credits earned in the registration term and
    the three next terms (VT/HT, results matched on person and course, term of the
    examination) over credits registered, for registrations from ``from_term_idx``
    whose four-term window is over by ``last_term_idx`` (the last term completed
    before ``today``). A registration whose window is still open is left out, not
    counted as a failure (docs/methods.md, section 5): the count is
    ``incomplete_window``."""
    regs = world.registrations
    if from_term_idx is not None:
        regs = regs.filter(pl.col("term_idx") >= from_term_idx)
    open_window = regs.filter(pl.col("term_idx") + 3 > last_term_idx).join(routes, on="person")
    regs = regs.filter(pl.col("term_idx") + 3 <= last_term_idx)
    earned = regs.select("person", "course_code", "term_idx").join(
        world.results.select("person", "course_code", "credits", res_idx="term_idx"),
        on=["person", "course_code"],
    ).filter(pl.col("res_idx").is_between(pl.col("term_idx"), pl.col("term_idx") + 3))
    reg = regs.join(routes, on="person").group_by("route").agg(registered=pl.col("credits").sum())
    got = earned.join(routes, on="person").group_by("route").agg(earned=pl.col("credits").sum())
    table = reg.join(got, on="route", how="left").fill_null(0.0)
    out: dict = {}
    for route in ROUTES:
        row = table.filter(pl.col("route") == route)
        registered = float(row["registered"].sum())
        earned_sum = float(row["earned"].sum())
        out[route] = {"credits_earned": earned_sum, "credits_registered": registered,
                      "rate": None if registered == 0 else earned_sum / registered,
                      "incomplete_window": open_window.filter(pl.col("route") == route).height}
    lc, campus = out["learning_centre"]["rate"], out["campus"]["rate"]
    out["difference_learning_centre_minus_campus"] = None if lc is None or campus is None else lc - campus
    return out


def faggian_expr(home: str, study: str, residence: str) -> pl.Expr:
    """Faggian-McCann-Sheppard type from home region (before study), study region and
    region of residence at follow-up."""
    h, u, r = pl.col(home), pl.col(study), pl.col(residence)
    return (
        pl.when((h == u) & (r == h)).then(pl.lit("non_migrant"))
        .when(h == u).then(pl.lit("late_migrant"))
        .when(r == h).then(pl.lit("return_migrant"))
        .when(r == u).then(pl.lit("university_stayer"))
        .otherwise(pl.lit("repeat_migrant"))
    )


def mobility(world: World) -> tuple[dict, dict]:
    """Stay-in-home-region shares and Faggian types by horizon, route and scale.

    Home region = the person's home municipality at application (or its county);
    study region = the learning centre's municipality, or Stockholm (0180) for
    campus; residence = the follow-up's residence municipality.
    """
    county = dict(zip(world.municipalities["municipality_code"], world.municipalities["county_code"], strict=True))
    fol = world.followups
    for col in ("home_code", "study_code", "residence_code"):
        fol = fol.with_columns(pl.col(col).replace_strict(county).alias(col.replace("_code", "_county")))
    stay: dict = {}
    types: dict = {}
    for horizon in (1, 3):
        key = f"{horizon}y"
        stay[key], types[key] = {}, {}
        h = fol.filter(pl.col("horizon") == horizon)
        for route in ROUTES:
            r = h.filter(pl.col("route") == route)
            stay[key][route], types[key][route] = {}, {}
            for scale, suffix in (("municipality", "_code"), ("county", "_county")):
                stayed = int((r[f"home{suffix}"] == r[f"residence{suffix}"]).sum())
                stay[key][route][scale] = _share(stayed, len(r))
                counts = r.select(t=faggian_expr(f"home{suffix}", f"study{suffix}", f"residence{suffix}"))
                vc = dict(counts["t"].value_counts().rows())
                types[key][route][scale] = {t: int(vc.get(t, 0)) for t in FAGGIAN_TYPES}
    return stay, types


def pilot_effect(world: World) -> dict:
    """Planted and realised pilot effect on applicants per 10,000 residents aged 19-64."""
    extra = world.persons.filter(pl.col("pilot")).group_by("home_code", "app_year").agg(n=pl.len())
    cells = world.pilot_applicants.filter(
        pl.col("municipality_code").is_in(list(world.treated))
        & (pl.col("year") >= pl.col("municipality_code").replace_strict(world.treated, default=None, return_dtype=pl.Int64))
        & (pl.col("year") <= world.today.year)
    ).join(extra, left_on=["municipality_code", "year"], right_on=["home_code", "app_year"], how="left")
    realised = float(cells["n"].fill_null(0).sum() / cells["pop_19_64"].sum() * 10_000)
    return {
        "generating": world.params.pilot_effect_per_10k * world.scale,
        "realised": realised,
        "pilot_applicants": int(cells["n"].fill_null(0).sum()),
        "treated_municipality_years": len(cells),
        "unit": "extra unique applicants per 10,000 residents aged 19-64 per year, counted by "
                "home municipality and calendar year of the intake term, additive, in served "
                "municipalities from their first treated year",
        "common_trend_per_10k_per_year": world.params.applicant_trend_per_10k * world.scale,
    }


FY_WINDOW_TERMS = 4
"""Regular terms after entry in which foundation-year outcomes count
(``foundation_year_outcomes``' default ``transition_window_terms``)."""
FY_COMPLETION_CREDITS = 60.0
ENGINEERING_LEVELS = ("bachelor_eng", "msc_eng")


def _fy_counts(frame: pl.DataFrame) -> dict:
    entrants, completers, transitions = frame.height, int(frame["completed"].sum()), int(frame["transitioned"].sum())
    return {
        "entrants": entrants, "completers": completers, "transitions": transitions,
        "completion_share": None if entrants == 0 else completers / entrants,
        "transition_share": None if entrants == 0 else transitions / entrants,
        "transition_given_completion": None if completers == 0 else
        int((frame["completed"] & frame["transitioned"]).sum()) / completers,
    }


def foundation_year(world: World, routes: pl.DataFrame) -> dict:
    """Foundation-year completion and transition by route: the generating
    probabilities and the realised counts read off the records, as
    ``progression.foundation_year_outcomes`` defines them.

    Entrant: a person's first term with a registration on a foundation-year
    programme (e). Completed: >= 60 credits passed on the foundation-year courses
    they were registered on, examined in terms e .. e + 4. Transitioned: a
    registration on a bachelor_eng or msc_eng programme in terms e + 1 .. e + 4.
    Counted for cohorts whose window ends by ``last_term``, today's term (the
    latest term in the data, the indicator's default); every planted outcome is
    settled by the first HT after the two foundation terms, so none can change
    later. ``by_cohort`` splits the counts by entry term (routes with entrants).
    """
    p = world.params
    levels = {code: prog.level for code, prog in load_programmes().items()}
    regs = world.registrations.with_columns(level=pl.col("programme_code").replace_strict(levels))
    fy_regs = regs.filter(pl.col("level") == "foundation_year")
    last = term_of_today(world.today)
    entry = fy_regs.group_by("person").agg(entry_idx=pl.col("term_idx").min()).join(routes, on="person")
    credits = (
        world.results.join(fy_regs.select("person", "course_code").unique(), on=["person", "course_code"])
        .join(entry, on="person")
        .filter(pl.col("term_idx").is_between(pl.col("entry_idx"), pl.col("entry_idx") + FY_WINDOW_TERMS))
        .group_by("person").agg(fy_credits=pl.col("credits").sum())
    )
    eng = (
        regs.filter(pl.col("level").is_in(ENGINEERING_LEVELS)).select("person", "term_idx")
        .join(entry, on="person")
        .filter((pl.col("term_idx") > pl.col("entry_idx"))
                & (pl.col("term_idx") <= pl.col("entry_idx") + FY_WINDOW_TERMS))
        .select("person").unique().with_columns(transitioned=pl.lit(True))
    )
    closed = (
        entry.filter(pl.col("entry_idx") + FY_WINDOW_TERMS <= last)
        .join(credits, on="person", how="left").join(eng, on="person", how="left")
        .with_columns(completed=pl.col("fy_credits").fill_null(0.0) >= FY_COMPLETION_CREDITS,
                      transitioned=pl.col("transitioned").fill_null(False))
    )
    generating = {
        "learning_centre": {"completion": p.fy_completion_lc, "transition_given_completion": p.fy_transition_lc},
        "campus": {"completion": p.fy_completion_campus, "transition_given_completion": p.fy_transition_campus},
    }
    for g in generating.values():
        g["transition"] = round(g["completion"] * g["transition_given_completion"], 6)
    cohorts = sorted(closed["entry_idx"].unique().to_list())
    return {
        "completion_credits": FY_COMPLETION_CREDITS,
        "transition_window_terms": FY_WINDOW_TERMS,
        "last_term": _term_name(last),
        "cohorts": [_term_name(c) for c in cohorts],
        "generating": generating,
        "realised": {route: _fy_counts(closed.filter(pl.col("route") == route)) for route in ROUTES},
        "by_cohort": {
            _term_name(c): {route: _fy_counts(frame) for route in ROUTES
                            for frame in [closed.filter((pl.col("entry_idx") == c) & (pl.col("route") == route))]
                            if frame.height}
            for c in cohorts
        },
    }


def compute_truth(world: World, seed: int, written: dict[str, dict]) -> dict:
    """The truth.json document: generating values, realised values, counts, defects."""
    routes = student_routes(world)
    stay, types = mobility(world)
    last_complete = term_of_today(world.today) - 1
    students = routes.join(world.persons.select("person", "age", "working"), on="person")
    ages = {
        route: {
            "students": int(s.height), "mean_age_at_application": float(s["age"].mean()),
            "share_aged_25_plus": float((s["age"] >= 25).mean()), "share_working": float(s["working"].mean()),
        }
        for route in ROUTES for s in [students.filter(pl.col("route") == route)]
    }
    written_defects = {src: w["defects"] for src, w in written.items() if w.get("defects")}
    return {
        "synthetic": True,
        "generator": "lcanalysis.synth",
        "version": 1,
        "seed": seed,
        "scale": world.scale,
        "today": world.today.isoformat(),
        "years": [world.years[0], world.years[-1]],
        "treated_municipalities": {
            code: {"first_treated_year": year,
                   "centre": next(cid for cid, c in world.centres.items() if code in c.serves and
                                  int(c.start_term[2:]) == year)}
            for code, year in sorted(world.treated.items())
        },
        "pilot_effect_applicants_per_10k": pilot_effect(world),
        "first_generation_share": first_generation(world, routes),
        "performance_rate": {
            "pilot_period": {"from_term": "HT2024", "last_term": _term_name(last_complete),
                             **performance_rate(world, routes, term_index(True, 2024), last_complete)},
            "all_terms": {"last_term": _term_name(last_complete),
                          **performance_rate(world, routes, None, last_complete)},
        },
        "foundation_year": foundation_year(world, routes),
        "stay_in_home_region_share": stay,
        "faggian_types": types,
        "students_by_route": ages,
        "counts": {
            "persons": world.persons.height,
            "students": routes.height,
            "applications": world.applications.height,
            "registrations": world.registrations.height,
            "results": world.results.height,
            "participants": world.participants.height,
            "activities": world.activities.height,
            "survey_invited": world.survey_invited,
            "survey_respondents": world.survey.height,
            "followups": world.followups.height,
            "municipal_stats": world.municipal_stats.height,
            "raw_rows": {src: w["rows"] for src, w in written.items() if "rows" in w},
        },
        "defects": {**written_defects,
                    "duplicates": {src: w["duplicates"] for src, w in written.items() if w.get("duplicates")}},
        "interim_numbers": {src: w["interim"] for src, w in written.items() if "interim" in w},
        "harmless_municipality_variants": {"applications": written["applications"]["harmless_variants"]},
        "municipal_stats_missing_cells": written["municipal_stats"]["missing_cells"],
    }
