"""The synthetic population: municipalities with their SCB-style statistics, the
municipalities the centres serve, applicants per municipality and year, the people
with their identity numbers, and where people move or commute."""

from __future__ import annotations

import numpy as np
import polars as pl

from lcanalysis import geo
from lcanalysis.config import LearningCentre
from lcanalysis.synth.calendar import term_index
from lcanalysis.synth.parameters import (
    EDU_COLUMNS,
    FIRST_NAMES,
    LAST_NAMES,
    POP_COLUMNS,
    WorldParameters,
)

_GROUP_MEDIAN_POP = {"A2": 40_000, "B3": 90_000, "B4": 22_000, "B5": 14_000,
                     "C6": 28_000, "C7": 11_000, "C8": 8_000, "C9": 9_000}
_GROUP_GROWTH = {"A1": 0.011, "A2": 0.010, "B3": 0.009, "B4": 0.006, "B5": 0.002,
                 "C6": 0.001, "C7": -0.002, "C8": -0.004, "C9": -0.003}
_GROUP_EDU = {"A1": 0.42, "A2": 0.36, "B3": 0.34, "B4": 0.25, "B5": 0.21,
              "C6": 0.23, "C7": 0.19, "C8": 0.17, "C9": 0.17}
_KNOWN_POP = {
    "0180": 985_000, "1480": 605_000, "1280": 362_000, "0380": 245_000, "0580": 167_000,
    "1880": 159_000, "1980": 158_000, "1283": 152_000, "0680": 145_000, "2480": 133_000,
    "1281": 129_000, "0181": 102_000, "0188": 64_000, "0192": 29_000, "2184": 37_000,
    "2132": 9_400, "0883": 36_000, "0884": 15_500, "1784": 26_000, "1785": 15_000,
    "2283": 18_800, "2282": 17_800, "2361": 10_000, "0140": 11_700, "0162": 33_000,
    "0186": 48_000, "2403": 2_400,
}
_KNOWN_EDU = {"0162": 0.60, "0186": 0.59, "0160": 0.52, "0182": 0.49, "0184": 0.50,
              "1281": 0.54, "0380": 0.46, "2480": 0.42, "0580": 0.42, "0180": 0.50}
_AGE_SHARES = np.array([0.215, 0.070, 0.132, 0.128, 0.250, 0.205])
_URBAN_SHIFT = np.array([0.0, 0.01, 0.035, 0.01, -0.015, -0.04])
_RURAL_SHIFT = np.array([-0.01, -0.015, -0.03, -0.015, 0.01, 0.06])

def build_municipalities(rng: np.random.Generator, p: WorldParameters) -> pl.DataFrame:
    """The 290 municipalities with the generating values of each.

    Columns: geo's columns plus ``distance_km`` (to KTH), ``pop_last`` (population in
    the last year), ``growth`` (yearly), ``edu_2021`` (post-secondary share 2021).
    """
    munis = geo.municipalities()
    codes = munis["municipality_code"]
    groups = munis["skr_group_2023"].to_list()
    median = np.array([_GROUP_MEDIAN_POP.get(g, 500_000) for g in groups], dtype=float)
    # Within a group, sizes vary about threefold either way (clipped), so that no small
    # commuter municipality comes out the size of a regional city.
    pop = np.clip(median * np.clip(rng.lognormal(0.0, 0.4, len(munis)), 1 / 3, 3.0), 2_400, 170_000)
    known = np.array([c in _KNOWN_POP for c in codes])
    pop_known = np.array([_KNOWN_POP.get(c, 0) for c in codes], dtype=float)
    free_total = p.national_population - pop_known.sum()
    pop = np.where(known, pop_known, pop * free_total / pop[~known].sum())

    edu = np.array([_GROUP_EDU[g] for g in groups]) + rng.normal(0.0, 0.025, len(munis))
    edu = np.clip(edu, 0.12, 0.55)
    fixed = np.array([c in _KNOWN_EDU for c in codes])
    edu_fixed = np.array([_KNOWN_EDU.get(c, 0.0) for c in codes])
    target = p.national_post_secondary_share * pop.sum() - (edu_fixed * pop)[fixed].sum()
    edu = np.where(fixed, edu_fixed, edu * target / (edu * pop)[~fixed].sum())
    return munis.with_columns(
        distance_km=geo.distance_to_stockholm_km(codes),
        pop_last=pl.Series(np.round(pop)),
        growth=pl.Series([_GROUP_GROWTH[g] for g in groups]),
        edu_2021=pl.Series(edu),
    )


def build_municipal_stats(
    rng: np.random.Generator, munis: pl.DataFrame, years: tuple[int, ...], p: WorldParameters
) -> pl.DataFrame:
    """Population by age band and education level of 25-64-year-olds, per year.

    One row per municipality and year: ``municipality_code``, ``year``, the six
    :data:`POP_COLUMNS` (persons on 31 December) and the five :data:`EDU_COLUMNS`
    (persons aged 25-64 at each SCB level; they add up to pop_25_34 + pop_35_44 +
    pop_45_64).
    """
    n, t = len(munis), len(years)
    yr = np.array(years)
    groups = munis["skr_group_2023"].to_list()
    shift = np.array([
        _URBAN_SHIFT if g in ("A1", "B3") else _RURAL_SHIFT if g in ("C7", "C8", "C9")
        else np.zeros(6) for g in groups
    ])
    shares = np.clip((_AGE_SHARES + shift) * rng.normal(1.0, 0.03, (n, 6)), 0.02, None)
    shares = shares / shares.sum(axis=1, keepdims=True)
    ageing = np.outer(yr - yr[-1], np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0015]))
    total = munis["pop_last"].to_numpy()[:, None] * (
        1 + munis["growth"].to_numpy()[:, None]
    ) ** (yr - yr[-1])[None, :]
    band_shares = shares[:, None, :] + ageing[None, :, :]
    band_shares[:, :, 4] -= ageing[None, :, 5]
    pops = np.round(total[:, :, None] * band_shares).astype(np.int64)

    pop_2564 = pops[:, :, 2:5].sum(axis=2)
    high = np.clip(munis["edu_2021"].to_numpy()[:, None] + p.post_secondary_trend * (yr - 2021), 0.05, 0.8)
    rural = np.array([g.startswith("C") for g in groups])[:, None]
    missing = np.full((n, t), 0.015)
    pre = np.where(rural, 0.11, 0.08) - 0.002 * (yr - 2015)
    lt3 = np.full((n, t), 0.16)
    upper = 1 - high - missing - pre - lt3
    levels = np.stack([pre + 0 * high, upper, lt3, high, missing], axis=2)
    edu = np.floor(pop_2564[:, :, None] * levels).astype(np.int64)
    edu[:, :, 1] += pop_2564 - edu.sum(axis=2)

    frame = {
        "municipality_code": np.repeat(munis["municipality_code"].to_numpy(), t),
        "year": np.tile(yr, n),
    }
    for i, col in enumerate(POP_COLUMNS):
        frame[col] = pops[:, :, i].ravel()
    for i, col in enumerate(EDU_COLUMNS):
        frame[col] = edu[:, :, i].ravel()
    return pl.DataFrame(frame).with_columns(pl.col("year").cast(pl.Int32))


# -- applicants ---------------------------------------------------------------------

def treated_municipalities(centres: dict[str, LearningCentre]) -> dict[str, tuple[int, str, str]]:
    """Served municipality -> (first treated year, centre id, start term).

    The first treated year is the calendar year of the centre's start term: the
    first intake a resident could apply to (HT2024 -> 2024, VT2025 -> 2025).
    """
    out: dict[str, tuple[int, str, str]] = {}
    for cid, centre in centres.items():
        for code in centre.serves:
            year = int(centre.start_term[2:])
            if code not in out or year < out[code][0]:
                out[code] = (year, cid, centre.start_term)
    return out


def applicant_counts(
    rng: np.random.Generator, munis: pl.DataFrame, stats: pl.DataFrame,
    treated: dict[str, tuple[int, str, str]], p: WorldParameters, scale: float,
) -> pl.DataFrame:
    """Unique applicants per home municipality and year: campus (baseline) and pilot."""
    base = munis.select(
        "municipality_code",
        affinity=(-pl.col("distance_km") / p.distance_decay_km).exp()
        * (pl.col("edu_2021") / p.national_post_secondary_share) ** p.education_elasticity,
    )
    panel = stats.select(
        "municipality_code", "year",
        pop_19_64=pl.col("pop_19_24") + pl.col("pop_25_34") + pl.col("pop_35_44") + pl.col("pop_45_64"),
    ).join(base, on="municipality_code")
    ref = panel.filter(pl.col("year") == 2021)
    r0 = p.campus_applicants_per_year / (ref["pop_19_64"] * ref["affinity"] / 10_000).sum()
    first = pl.col("municipality_code").replace_strict(
        {c: v[0] for c, v in treated.items()}, default=None, return_dtype=pl.Int32
    )
    panel = panel.with_columns(
        rate=scale * (r0 * pl.col("affinity") + p.applicant_trend_per_10k * (pl.col("year") - 2015)),
        pilot_rate=pl.when(first.is_not_null() & (pl.col("year") >= first))
        .then(pl.lit(scale * p.pilot_effect_per_10k)).otherwise(0.0),
    )
    lam = panel["rate"].to_numpy() * panel["pop_19_64"].to_numpy() / 10_000
    lam_pilot = panel["pilot_rate"].to_numpy() * panel["pop_19_64"].to_numpy() / 10_000
    return panel.with_columns(
        n_campus=pl.Series(rng.poisson(lam)), n_pilot=pl.Series(rng.poisson(lam_pilot)),
    )


def luhn_check_digits(nine: np.ndarray) -> np.ndarray:
    """Luhn check digits of an (n, 9) digit array (Skatteverket's rule)."""
    weights = np.array([2, 1, 2, 1, 2, 1, 2, 1, 2])
    prod = nine * weights
    total = (prod // 10 + prod % 10).sum(axis=1)
    return (10 - total % 10) % 10


def _identity_numbers(
    rng: np.random.Generator, birth: np.ndarray, male: np.ndarray, kind: np.ndarray
) -> np.ndarray:
    """Unique 12-character identity numbers (``YYYYMMDDNNNC``, interim ``YYYYMMDDTNNN``).

    ``birth`` is datetime64[D]; ``kind`` 0 personnummer, 1 samordningsnummer (day +
    60), 2 interim (Ladok: the letter T and three digits, the middle one carrying
    legal sex as the third serial character does in a personnummer).
    """
    n = len(birth)
    year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    month_start = birth.astype("datetime64[M]")
    month = month_start.astype(np.int64) % 12 + 1
    day = (birth - month_start.astype("datetime64[D]")).astype(np.int64) + 1 + np.where(kind == 1, 60, 0)
    yy = year % 100

    def draw(size: int, sex: np.ndarray) -> np.ndarray:
        serial = rng.integers(0, 100, size) * 10 + rng.integers(0, 5, size) * 2 + sex
        return np.where(serial == 0, 2, serial)  # the birth number 000 is never issued

    serial = draw(n, male)
    while True:
        nine = np.stack([yy // 10, yy % 10, month // 10, month % 10, day // 10, day % 10,
                         serial // 100, serial // 10 % 10, serial % 10], axis=1)
        check = luhn_check_digits(nine)
        key = np.where(kind == 2, -(serial + 1), serial * 10 + check) + (
            (year * 10_000 + month * 100 + day) * 100_000)
        _, first_seen = np.unique(key, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first_seen] = False
        if not dup.any():
            break
        serial = np.where(dup, draw(n, male), serial)
    interim_digits = serial // 100 * 100 + serial % 10 * 10 + serial // 10 % 10
    frame = pl.DataFrame({"y": year, "m": month, "d": day, "s": serial, "c": check,
                          "i": interim_digits, "interim": kind == 2})
    return frame.select(pl.concat_str([
        pl.col("y").cast(pl.String), pl.col("m").cast(pl.String).str.zfill(2),
        pl.col("d").cast(pl.String).str.zfill(2),
        pl.when(pl.col("interim"))
        .then(pl.lit("T") + pl.col("i").cast(pl.String).str.zfill(3))
        .otherwise(pl.col("s").cast(pl.String).str.zfill(3) + pl.col("c").cast(pl.String)),
    ])).to_series().to_numpy()


def build_people(
    rng: np.random.Generator, munis: pl.DataFrame, counts: pl.DataFrame,
    centres: dict[str, LearningCentre], treated: dict[str, tuple[int, str, str]],
    p: WorldParameters,
) -> pl.DataFrame:
    """One row per applicant (person): who they are and where they come from.

    Columns: ``person`` (0..n-1), ``pilot`` (a learning-centre applicant generated by
    the pilot effect), ``centre`` (centre id for pilot applicants), ``home_code``,
    ``app_year``, ``app_term_idx``, ``age`` (at 31 Aug of the application year),
    ``birth_date``, ``male``, ``id_kind``, ``pnr`` (12 characters), ``p_high_parent``,
    ``parent_level`` (0-5, index in :data:`PARENTAL_EDUCATION_TEXT`),
    ``first_generation``, ``working``, ``foreign_background``, ``ability`` and ``name``.
    """
    campus = counts.filter(pl.col("n_campus") > 0).select(
        "municipality_code", "year", pl.col("n_campus").alias("n"), pilot=pl.lit(False))
    pilot = counts.filter(pl.col("n_pilot") > 0).select(
        "municipality_code", "year", pl.col("n_pilot").alias("n"), pilot=pl.lit(True))
    cells = pl.concat([campus, pilot])
    rep = cells["n"].to_numpy()
    people = pl.DataFrame({
        "home_code": np.repeat(cells["municipality_code"].to_numpy(), rep),
        "app_year": np.repeat(cells["year"].to_numpy(), rep),
        "pilot": np.repeat(cells["pilot"].to_numpy(), rep),
    })
    n = len(people)
    is_pilot = people["pilot"].to_numpy()
    home = people["home_code"].to_numpy()
    year = people["app_year"].to_numpy()
    centre = np.array([treated[c][1] if pl_ and c in treated else None
                       for c, pl_ in zip(home, is_pilot, strict=True)], dtype=object)
    # Intake term: HT of the application year; a centre opening in VT takes half its
    # first year's applicants in that VT.
    vt_start = np.array([
        cid is not None and centres[cid].start_term == f"VT{y}" for cid, y in zip(centre, year, strict=True)
    ])
    ht = ~(vt_start & (rng.random(n) < 0.5))
    app_term_idx = term_index(ht, year)

    older = rng.random(n) < p.campus_older_share
    age_campus = np.where(older, 25 + rng.exponential(7.0, n), 19 + rng.gamma(1.3, 1.6, n))
    age_lc = np.clip(rng.normal(p.lc_age_mean, p.lc_age_sd, n), 20, 62)
    age = np.where(is_pilot, age_lc, np.minimum(age_campus, 62))
    ref_day = np.array([f"{y}-08-31" for y in year], dtype="datetime64[D]")
    birth = ref_day - np.round(age * 365.25).astype("timedelta64[D]") - rng.integers(0, 365, n).astype("timedelta64[D]")
    age = (ref_day - birth).astype(np.int64) / 365.25
    male = (rng.random(n) < np.where(is_pilot, 0.55, 0.68)).astype(np.int64)
    u = rng.random(n)
    kind = np.where(u < 0.004, 2, np.where(u < 0.019, 1, 0))
    pnr = _identity_numbers(rng, birth, male, kind)

    edu = dict(zip(munis["municipality_code"], munis["edu_2021"], strict=True))
    edu_home = np.array([edu[c] for c in home])
    logit = np.where(is_pilot, p.high_parent_logit_lc, p.high_parent_logit_campus) + (
        p.high_parent_slope * (edu_home - p.national_post_secondary_share))
    p_high = 1 / (1 + np.exp(-logit))
    high = rng.random(n) < p_high
    low_level = rng.choice(4, n, p=[0.08, 0.22, 0.35, 0.35])
    high_level = np.where(rng.random(n) < 0.12, 5, 4)
    parent_level = np.where(high, high_level, low_level)
    working = rng.random(n) < np.where(
        is_pilot, p.working_lc, np.where(age >= 25, p.working_campus_older, p.working_campus_young))
    foreign = rng.random(n) < np.where(is_pilot, p.foreign_background_lc, p.foreign_background_campus)
    ability = (p.ability_campus + rng.normal(0, 1, n) + p.ability_lc_shift * is_pilot
               + p.ability_older * (age >= 25) + p.ability_working * working
               + p.ability_first_gen * ~high)
    names = np.char.add(np.char.add(rng.choice(np.array(FIRST_NAMES), n), " "),
                        rng.choice(np.array(LAST_NAMES), n))
    return people.with_columns(
        person=pl.Series(np.arange(n), dtype=pl.Int64),
        centre=pl.Series(centre.tolist(), dtype=pl.String),
        app_term_idx=pl.Series(app_term_idx),
        age=pl.Series(age),
        birth_date=pl.Series(birth).cast(pl.Date),
        male=pl.Series(male.astype(bool)),
        id_kind=pl.Series(np.array(["personnummer", "samordningsnummer", "interim"])[kind]),
        pnr=pl.Series(pnr),
        p_high_parent=pl.Series(p_high),
        parent_level=pl.Series(parent_level),
        first_generation=pl.Series(~high),
        working=pl.Series(working),
        foreign_background=pl.Series(foreign),
        ability=pl.Series(ability),
        name=pl.Series(names),
    )


def weighted_choice(rng: np.random.Generator, codes: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    return rng.choice(codes, n, p=weights / weights.sum())


def commute(rng: np.random.Generator, home: np.ndarray, munis: pl.DataFrame, share: float) -> np.ndarray:
    """Another municipality of the same county, chosen by population, with probability
    ``share`` (commuting to, or moving to, a neighbour); otherwise ``home`` itself.
    Gotland, alone in its county, always stays home."""
    codes = munis["municipality_code"].to_numpy()
    county = munis["county_code"].to_numpy()
    pop = munis["pop_last"].to_numpy()
    county_of = dict(zip(codes, county, strict=True))
    home_county = np.array([county_of[c] for c in home])
    out = home.copy()
    pending = rng.random(len(home)) < share
    for c in np.unique(county):
        in_c = county == c
        if in_c.sum() < 2:
            continue
        cum = np.cumsum(pop[in_c]) / pop[in_c].sum()
        todo = pending & (home_county == c)
        while todo.any():
            pick = codes[in_c][np.minimum(np.searchsorted(cum, rng.random(todo.sum())), in_c.sum() - 1)]
            idx = np.nonzero(todo)[0]
            out[idx] = pick
            todo[idx] = pick == home[idx]
    return out
