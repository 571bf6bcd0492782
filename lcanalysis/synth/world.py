"""The synthetic world: municipalities, people and their lives, in canonical form.

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

from lcanalysis import geo
from lcanalysis.config import LearningCentre, load_learning_centres, load_programmes

AGE_BANDS: tuple[str, ...] = ("0-18", "19-24", "25-34", "35-44", "45-64", "65+")
"""SCB-style age bands of the population table (BE0101N1), in years."""

POP_COLUMNS: tuple[str, ...] = (
    "pop_0_18", "pop_19_24", "pop_25_34", "pop_35_44", "pop_45_64", "pop_65_plus",
)

EDUCATION_LEVELS: tuple[str, ...] = (
    "förgymnasial utbildning",
    "gymnasial utbildning",
    "eftergymnasial utbildning, mindre än 3 år",
    "eftergymnasial utbildning, 3 år eller mer",
    "uppgift om utbildningsnivå saknas",
)
"""SCB's education levels (UF0506) for the population aged 25-64."""

EDU_COLUMNS: tuple[str, ...] = (
    "edu_pre_upper_secondary", "edu_upper_secondary", "edu_post_secondary_lt_3y",
    "edu_post_secondary_3y_plus", "edu_missing",
)

PARENTAL_EDUCATION_TEXT: tuple[str, ...] = (
    "Förgymnasial utbildning",
    "Gymnasial utbildning, högst 2 år",
    "Gymnasial utbildning, 3 år",
    "Eftergymnasial utbildning, mindre än 3 år",
    "Eftergymnasial utbildning, 3 år eller mer",
    "Forskarutbildning",
)
"""UKÄ's six levels of the higher-educated parent, as worded in the survey. Index 4
(3 years or more of post-secondary education) is the "högutbildade" threshold."""

DONT_KNOW = "Vet ej"

SURVEY_ITEMS: tuple[str, ...] = (
    "F1 Jag känner mig som en del av KTH",
    "F2 Arbetsbelastningen är rimlig",
    "F3 Jag får det stöd jag behöver",
    "F4 Jag har tillgång till labb och utrustning",
    "F5 Undervisningen passar min livssituation",
    "F6 Jag har kontakt med andra studenter",
    "F7 Jag kan kombinera studier och arbete",
    "F8 Jag skulle rekommendera utbildningen",
)

SHARED_COURSE = "HF1017"
"""The digital course of strand (c), taken together at several centres and on campus."""

STOCKHOLM = "0180"

_GROUP_MEDIAN_POP = {"A2": 40_000, "B3": 90_000, "B4": 22_000, "B5": 14_000,
                     "C6": 28_000, "C7": 11_000, "C8": 8_000, "C9": 9_000}
_GROUP_GROWTH = {"A1": 0.011, "A2": 0.010, "B3": 0.009, "B4": 0.006, "B5": 0.002,
                 "C6": 0.001, "C7": -0.002, "C8": -0.004, "C9": -0.003}
_GROUP_EDU = {"A1": 0.42, "A2": 0.36, "B3": 0.34, "B4": 0.25, "B5": 0.21,
              "C6": 0.23, "C7": 0.19, "C8": 0.17, "C9": 0.17}
# Population in the last year of the panel, rounded public figures (SCB, 31 Dec 2024).
_KNOWN_POP = {
    "0180": 985_000, "1480": 605_000, "1280": 362_000, "0380": 245_000, "0580": 167_000,
    "1880": 159_000, "1980": 158_000, "1283": 152_000, "0680": 145_000, "2480": 133_000,
    "1281": 129_000, "0181": 102_000, "0188": 64_000, "0192": 29_000, "2184": 37_000,
    "2132": 9_400, "0883": 36_000, "0884": 15_500, "1784": 26_000, "1785": 15_000,
    "2283": 18_800, "2282": 17_800, "2361": 10_000, "0140": 11_700, "0162": 33_000,
    "0186": 48_000, "2403": 2_400,
}
# Share of 25-64-year-olds with >= 3 years of post-secondary education (SCB UF0506, 2021).
_KNOWN_EDU = {"0162": 0.60, "0186": 0.59, "0160": 0.52, "0182": 0.49, "0184": 0.50,
              "1281": 0.54, "0380": 0.46, "2480": 0.42, "0580": 0.42, "0180": 0.50}
_AGE_SHARES = np.array([0.215, 0.070, 0.132, 0.128, 0.250, 0.205])
_URBAN_SHIFT = np.array([0.0, 0.01, 0.035, 0.01, -0.015, -0.04])
_RURAL_SHIFT = np.array([-0.01, -0.015, -0.03, -0.015, 0.01, 0.06])

CAMPUS_PROGRAMMES: tuple[tuple[str, float], ...] = (
    ("TBASA", 0.10), ("TIDAB", 0.11), ("TIELA", 0.07), ("TIMAS", 0.08), ("TIBYH", 0.07),
    ("CDATE", 0.19), ("CELTE", 0.12), ("CMAST", 0.14), ("CSAMH", 0.12),
)
"""Programmes campus applicants apply to, with the share of first choices."""

# Curriculum of the tracked terms per programme level: (course code, credits).
CURRICULA: dict[str, tuple[tuple[tuple[str, float], ...], ...]] = {
    "foundation_year": (
        (("SF0003", 7.5), ("SK0003", 7.5), ("KD0001", 7.5), ("HF0025", 7.5)),
        (("SF0004", 7.5), ("SK0004", 7.5), ("DD0001", 7.5), ("HF0026", 7.5)),
    ),
    "bachelor_eng": (
        ((SHARED_COURSE, 7.5), ("HF1000", 7.5), ("HF1003", 7.5), ("HF1010", 6.0), ("HF1904", 1.5)),
        (("HF1006", 7.5), ("HF1008", 7.5), ("HF1012", 15.0)),
        (("HF1018", 7.5), ("HF1021", 7.5), ("HF1020", 15.0)),
        (("HF1022", 7.5), ("HF1023", 7.5), ("HF1031", 3.0), ("HF1032", 12.0)),
    ),
    "msc_eng": (
        (("SF1625", 7.5), ("DD1310", 7.5), ("SF1624", 7.5), ("ME1003", 6.0), ("DD1390", 1.5)),
        (("SF1626", 7.5), ("SK1104", 7.5), ("DD1320", 7.5), ("EL1000", 7.5)),
        (("SF1918", 7.5), ("SK1105", 15.0), ("DD1321", 7.5)),
        (("SF1922", 7.5), ("DD1351", 7.5), ("SK1108", 3.0), ("ME1010", 12.0)),
    ),
}

# Modules (Ladok "moduler") a course of given credits is split into; the last number
# is the module's ease on the logit scale (labs are passed more often than exams).
MODULES: dict[float, tuple[tuple[str, float, float], ...]] = {
    15.0: (("TEN1", 7.5, 0.0), ("PRO1", 4.5, 0.8), ("LAB1", 3.0, 1.5)),
    12.0: (("TEN1", 6.0, 0.0), ("PRO1", 6.0, 0.8)),
    7.5: (("TEN1", 4.5, 0.0), ("LAB1", 3.0, 1.5)),
    6.0: (("TEN1", 4.0, 0.0), ("ÖVN1", 2.0, 1.2)),
    3.0: (("TEN1", 3.0, 0.3),),
    1.5: (("INL1", 1.5, 1.5),),
}

FIRST_NAMES: tuple[str, ...] = (
    "Anna", "Eva", "Maria", "Karin", "Sara", "Emma", "Johanna", "Elin", "Linnea", "Maja",
    "Ida", "Sofia", "Hanna", "Amira", "Fatima", "Lina", "Ebba", "Wilma", "Klara", "Agnes",
    "Erik", "Lars", "Karl", "Johan", "Anders", "Per", "Mikael", "Oskar", "Viktor", "Emil",
    "Ali", "Mohammed", "Lucas", "Hugo", "Axel", "Filip", "Isak", "Jonas", "Niklas", "Olle",
)
LAST_NAMES: tuple[str, ...] = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Lindberg", "Lindström", "Lindqvist", "Engström", "Hedlund", "Sundberg",
    "Åberg", "Öberg", "Forsberg", "Sjöberg", "Wallin", "Holm", "Nyström", "Hassan",
    "Yilmaz", "Ahmed", "Nordin", "Berglund", "Lundgren", "Strand", "Mäkinen", "Korhonen",
)
HOST_ORG_PATTERNS: tuple[str, ...] = (
    "{} Energi AB", "{} Mekaniska Verkstad AB", "{}s Elektronik AB", "Teknikcentrum {} AB",
)


@dataclass(frozen=True)
class WorldParameters:
    """The generating values of the demo world (see docs/synthetic-world.md).

    Parameters
    ----------
    national_population:
        Sweden's population in the panel's last year; all municipalities except the
        named ones in ``_KNOWN_POP`` are scaled to reach it (SCB: 10.59 M, 2024).
    national_post_secondary_share:
        Population-weighted share of 25-64-year-olds with >= 3 years of
        post-secondary education in 2021 (SCB UF0506: about 30 %).
    post_secondary_trend:
        Yearly additive growth of that share in every municipality.
    campus_applicants_per_year:
        Expected unique applicants to KTH's programmes nationally in 2021 at scale 1.
    distance_decay_km:
        Applicant rates fall as ``exp(-km / distance_decay_km)`` with the distance
        of the home municipality from KTH's main campus.
    education_elasticity:
        Applicant rates are proportional to ``(share / national share) ** this``,
        the municipality's post-secondary share relative to the nation's.
    applicant_trend_per_10k:
        Common additive yearly trend of every municipality's applicant rate
        (applicants per 10,000 residents aged 19-64, times scale), so that trends are
        parallel for the difference-in-differences estimator.
    pilot_effect_per_10k:
        Extra unique applicants per 10,000 residents aged 19-64 per year in every
        served municipality from its first treated year (times scale). They are the
        learning-centre applicants.
    high_parent_logit_campus, high_parent_logit_lc, high_parent_slope:
        Probability that a parent has >= 3 years of post-secondary education:
        ``logistic(logit + slope * (municipality share - national share))``.
    lc_age_mean, lc_age_sd:
        Age of learning-centre applicants at application (normal, clipped 20-62).
    campus_older_share:
        Share of campus applicants aged 25+ (the rest are 19-24).
    working_campus_young, working_campus_older, working_lc:
        Probability of gainful employment while studying: campus under 25, campus
        25+, learning centre.
    foreign_background_campus, foreign_background_lc:
        Probability of foreign background (born abroad or both parents born abroad).
    admit_campus, admit_lc:
        Probability that an applicant is admitted to one of their choices.
    declined:
        Probability that an admitted applicant declines (återbud) and never registers.
    dropout_campus, dropout_lc:
        Probability of leaving before each tracked term after the first.
    fy_completion_campus, fy_completion_lc:
        Probability that a foundation-year student (TBASA campus, TBASD learning
        centre) completes the year: studies both terms and passes every module of
        its 60 credits within them. Non-completers leave at least one module
        unpassed (campus about 65 %, public figure; centre lower: older, working).
    fy_transition_campus, fy_transition_lc:
        Probability that a completer starts an engineering programme (bachelor_eng
        or msc_eng, on campus) in the next autumn term (the foundation year
        guarantees a place; about 80-90 % take it up). Non-completers do not.
    ability_campus, ability_lc_shift, ability_older, ability_working, ability_first_gen:
        Student's pass logit: mean for campus, shift for the learning-centre route and
        for being 25+, working and first-generation (standard deviation 1).
    survey_unit_nonresponse, survey_item_nonresponse, survey_dont_know:
        Share of invited students who do not answer at all; share of blank items among
        respondents; share answering "Vet ej" about parental education.
    """

    national_population: int = 10_550_000
    national_post_secondary_share: float = 0.30
    post_secondary_trend: float = 0.0045
    campus_applicants_per_year: float = 3000.0
    distance_decay_km: float = 250.0
    education_elasticity: float = 1.5
    applicant_trend_per_10k: float = 0.05
    pilot_effect_per_10k: float = 8.0
    high_parent_logit_campus: float = 0.35
    high_parent_logit_lc: float = -0.9
    high_parent_slope: float = 4.0
    lc_age_mean: float = 35.0
    lc_age_sd: float = 8.0
    campus_older_share: float = 0.08
    working_campus_young: float = 0.12
    working_campus_older: float = 0.50
    working_lc: float = 0.70
    foreign_background_campus: float = 0.28
    foreign_background_lc: float = 0.18
    admit_campus: float = 0.55
    admit_lc: float = 0.85
    declined: float = 0.07
    dropout_campus: float = 0.06
    dropout_lc: float = 0.10
    ability_campus: float = 2.3
    ability_lc_shift: float = -0.2
    ability_older: float = -0.5
    ability_working: float = -0.5
    ability_first_gen: float = -0.2
    fy_completion_campus: float = 0.65
    fy_completion_lc: float = 0.55
    fy_transition_campus: float = 0.85
    fy_transition_lc: float = 0.80
    survey_unit_nonresponse: float = 0.35
    survey_item_nonresponse: float = 0.05
    survey_dont_know: float = 0.04


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

def term_index(season_ht: np.ndarray | bool, year: np.ndarray | int) -> np.ndarray | int:
    """Position in the VT/HT sequence (summer skipped): ``year * 2 + (1 if HT)``."""
    return np.asarray(year) * 2 + np.asarray(season_ht, dtype=np.int64)


def term_name_expr(idx: pl.Expr) -> pl.Expr:
    """Canonical term (``"HT2024"``) of a term index."""
    return pl.concat_str(
        [pl.when(idx % 2 == 1).then(pl.lit("HT")).otherwise(pl.lit("VT")),
         (idx // 2).cast(pl.String)]
    )


def term_of_today(today: date) -> int:
    """Term index of ``today`` by the date-to-term rule (VT until 14 Aug, then HT)."""
    return term_index((today.month, today.day) >= (8, 15), today.year)


def _epoch_date(col: str | pl.Expr) -> pl.Expr:
    expr = pl.col(col) if isinstance(col, str) else col
    return expr.cast(pl.Int32).cast(pl.Date)


def _exam_window(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last day (epoch days) of the examination window of a term index.

    HT: 25 Aug - 20 Dec; VT: 16 Jan - 12 Jun; both inside the date-to-term rule of
    :mod:`lcanalysis.terms`, so an examination date always falls in its term.
    """
    year = idx // 2
    ht = idx % 2 == 1
    y = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    start = np.where(ht, 236, 15)  # day of year - 1: 25 Aug (non-leap approx), 16 Jan
    end = np.where(ht, 353, 162)  # 20 Dec, 12 Jun
    return y + start, y + end


# -- municipalities -----------------------------------------------------------------

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


def _applicant_counts(
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


def _luhn(nine: np.ndarray) -> np.ndarray:
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
        check = _luhn(nine)
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
    start, _ = _exam_window(regs["term_idx"].to_numpy())
    ht = regs["term_idx"].to_numpy() % 2 == 1
    # Registration: 20 Aug - 4 Sep for HT, 8 - 22 Jan for VT.
    reg_day = start - np.where(ht, 5, 8) + rng.integers(0, 15, len(regs))
    return regs.with_columns(registered_on=_epoch_date(pl.Series(reg_day))).select(
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
    lo, hi = _exam_window(exam_idx)
    day = lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)
    is_exam = rows["module_code"].to_numpy() == "TEN1"
    grade = np.where(is_exam, rng.choice(np.array(list("ABCDE")), n, p=[0.15, 0.2, 0.3, 0.2, 0.15]), "P")
    out = rows.with_columns(
        examined_on=_epoch_date(pl.Series(day)), term_idx=pl.Series(exam_idx),
        grade=pl.Series(grade), keep=pl.Series(passed),
    ).filter(pl.col("keep") & (pl.col("examined_on") <= today))
    return out.select(
        "person", "course_code", "module_code", pl.col("module_credits").alias("credits"),
        "grade", "examined_on", "term_idx", "reg_term_idx",
    ).sort("person", "examined_on", "course_code", "module_code")


# -- learning-centre participation --------------------------------------------------

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
    employer = _commute(rng, both["home_code"].to_numpy(), munis, 0.3)
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
        lo, _ = _exam_window(labs["start_term_idx"].to_numpy())
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
        lo2, _ = _exam_window(labs["start_term_idx"].to_numpy() + 1)
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
        lo, _ = _exam_window(shared["start_term_idx"].to_numpy())
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
    return acts.with_columns(date=_epoch_date("day")).filter(pl.col("date") <= today).drop("day").sort(
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

def _weighted_choice(rng: np.random.Generator, codes: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    return rng.choice(codes, n, p=weights / weights.sum())


def _commute(rng: np.random.Generator, home: np.ndarray, munis: pl.DataFrame, share: float) -> np.ndarray:
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
    anywhere = _weighted_choice(rng, codes, pop, n)
    county_move = _commute(rng, home, munis, 1.0)
    to_county = _weighted_choice(rng, sthlm_county, sthlm_pop, n)
    u = rng.random(n)
    lc_r1 = np.select([u < 0.78, u < 0.83, u < 0.91, u < 0.96], [home, study, county_move, STOCKHOLM], anywhere)
    out_r1 = np.select([u < 0.45, u < 0.65, u < 0.90], [STOCKHOLM, to_county, home], anywhere)
    sto_r1 = np.select([u < 0.80, u < 0.92], [STOCKHOLM, to_county], anywhere)
    r1 = np.where(lc, lc_r1, np.where(home == STOCKHOLM, sto_r1, out_r1))
    v = rng.random(n)
    w = rng.random(n)
    elsewhere = _weighted_choice(rng, codes, pop, n)
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
        work = _commute(rng, res, munis, 0.3)
        frames.append(s.select("person", "home_code", "study_code", "route").with_columns(
            horizon=pl.lit(horizon, dtype=pl.Int32),
            observed_on=pl.Series(observed).cast(pl.Date),
            residence_code=pl.Series(res),
            work_code=pl.when(pl.Series(employed)).then(pl.Series(work)),
            employed=pl.Series(employed),
        ))
    return pl.concat(frames).filter(pl.col("observed_on") <= today).sort("person", "horizon")


# -- the whole world ----------------------------------------------------------------

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
    counts = _applicant_counts(rng, munis, stats, treated, p, scale)
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
