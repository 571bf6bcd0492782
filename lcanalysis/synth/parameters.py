"""The generating values of the synthetic world: its constants (age bands, education
levels, survey items, curricula, host companies) and :class:`WorldParameters`, each
calibrated as docs/synthetic-world.md says."""

from __future__ import annotations

from dataclasses import dataclass

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

# Population in the last year of the panel, rounded public figures (SCB, 31 Dec 2024).
# Share of 25-64-year-olds with >= 3 years of post-secondary education (SCB UF0506, 2021).

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
