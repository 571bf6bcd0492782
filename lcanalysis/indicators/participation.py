"""Widening participation: who the learning-centre route reaches, compared with campus.

Every function takes the entrant frame of :func:`lcanalysis.indicators.routes.entrants`
and returns a rate frame (:mod:`lcanalysis.stats`): group columns, numerator,
denominator, rate, ci_low, ci_high, suppressed, suppression_reason. Unknown values are
never dropped silently: they are a category of their own (``"unknown"``) or are left
out of a denominator with their count in a ``missing`` column. Definitions, formulas
and sources: docs/methods.md, section 4.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
from scipy import stats as sps

from lcanalysis import stats
from lcanalysis.disclosure import Policy, apply_policy

UNKNOWN = "unknown"
"""Label of a missing value when it is reported as a category."""

ALL = "All"
"""Label of the margin (all categories) in :func:`cross`."""

REFERENCE_AGE_BANDS: tuple[str, ...] = ("pop_19_24", "pop_25_34", "pop_35_44", "pop_45_64")
"""municipal_stats population columns forming the reference population by default
(ages 19-64); mature = the bands from 25 on."""

_MATURE_BANDS = frozenset({"pop_25_34", "pop_35_44", "pop_45_64", "pop_65_plus"})


def _as_category(col: str) -> pl.Expr:
    """A column as text categories, null as ``"unknown"`` (booleans become "true"/"false")."""
    return pl.col(col).cast(pl.String).fill_null(UNKNOWN).alias(col)


def _ordered_categories(frame: pl.DataFrame, col: str) -> list[str]:
    """Observed categories of ``col`` in the column's own order (Enum order, False
    before True, text alphabetically), then ``"unknown"`` last if any value is null."""
    values = frame.get_column(col)
    known = values.drop_nulls().unique().sort().cast(pl.String).to_list()
    return known + ([UNKNOWN] if values.null_count() else [])


def category_shares(
    frame: pl.DataFrame,
    column: str,
    by: Sequence[str] = (),
    *,
    categories: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Rate frame of the share of rows in each category of ``column``, per group.

    Every group gets every category (zero counts included), so groups line up for
    comparison. ``numerator`` = rows in the category, ``denominator`` = all rows of
    the group, unknown (null) values included as the category ``"unknown"``; the
    numerators of a group sum to its denominator. Interval: Wilson. ``categories``
    fixes the list and order (default: the observed ones, see module notes).
    """
    by = list(by)
    missing = [c for c in [*by, column] if c not in frame.columns]
    if missing:
        raise ValueError(f"columns {missing} not in frame (columns: {frame.columns})")
    cats = list(categories) if categories is not None else _ordered_categories(frame, column)
    data = frame.select(*by, _as_category(column))
    unexpected = sorted(set(data[column].unique().to_list()) - set(cats))
    if unexpected:
        raise ValueError(f"values {unexpected} of {column!r} are not in categories {cats}")
    groups = data.select(by).unique().sort(by) if by else pl.DataFrame()
    grid = pl.DataFrame({column: cats})
    grid = groups.join(grid, how="cross") if by else grid
    counts = data.group_by([*by, column]).len("numerator")
    totals = data.group_by(by).len("denominator") if by else data.select(pl.len().alias("denominator"))
    out = grid.join(counts, on=[*by, column], how="left", nulls_equal=True, maintain_order="left")
    out = (
        out.join(totals, on=by, how="left", nulls_equal=True, maintain_order="left")
        if by
        else out.join(totals, how="cross")
    )
    return stats.add_rate_columns(out.with_columns(pl.col("numerator").fill_null(0)))


def composition(
    entrants: pl.DataFrame, characteristic: str, by: Sequence[str] = ("route",)
) -> pl.DataFrame:
    """Composition of entrants: the share with each category of a background variable.

    Definition: for group g (e.g. route) and category c of ``characteristic``
    (first_generation, parental_education, age_band, mature, legal_sex,
    foreign_background, skr_group, distance_band, employed), share = entrants of g
    with c / all entrants of g. Unknown values are the category ``"unknown"`` and
    stay in the denominator, so shares sum to 1 within a group and a change in
    missingness is visible rather than hidden. As in UKÄ's and HESA's widening-
    participation tables, counts are of entrants (people), not registrations.

    Caveat: ``employed`` comes from the participant lists and, for everyone else,
    from the survey; non-respondents are ``"unknown"``.

    Returns
    -------
    Rate frame with key columns ``by`` and ``characteristic`` (text: booleans are
    ``"true"``/``"false"``), Wilson intervals, not yet suppressed.
    """
    return category_shares(entrants, characteristic, by)


CHARACTERISTICS: dict[str, pl.Expr] = {
    "first_generation": pl.col("first_generation"),
    "mature": pl.col("mature"),
    "female": pl.col("legal_sex") == "F",
    "foreign_background": pl.col("foreign_background"),
    "employed": pl.col("employed"),
    "far_from_stockholm": pl.col("distance_km") >= 150,
    "rural": pl.col("skr_group").is_in(["C8", "C9"]),
}
"""The widening-participation characteristics of an entrant, as yes/no/unknown.

first generation (UKÄ: no parent with >= 3 years of post-secondary education),
mature (25 or over at entry), female (legal sex), foreign background (SCB),
employed while studying, far from Stockholm (home municipality >= 150 km from
KTH's main campus) and rural (home municipality in SKR's groups C8-C9, "rural
municipalities", 2023 classification)."""


def characteristic_rates(
    entrants: pl.DataFrame,
    characteristics: Sequence[str] = tuple(CHARACTERISTICS),
    by: Sequence[str] = ("route",),
) -> pl.DataFrame:
    """Share of entrants with each characteristic, among those for whom it is known.

    For each characteristic k of :data:`CHARACTERISTICS` and group g: numerator =
    entrants of g with k, denominator = entrants of g whose k is known, Wilson
    interval; the entrants with k unknown are counted in ``missing`` (so survey
    non-response is visible, not hidden in the denominator). One rate frame with a
    ``characteristic`` column first, for the gap chart and the report's headline
    table.
    """
    unknown = [k for k in characteristics if k not in CHARACTERISTICS]
    if unknown:
        raise ValueError(f"unknown characteristics {unknown}; known: {', '.join(CHARACTERISTICS)}")
    frames = []
    for name in characteristics:
        flagged = entrants.select(*by, CHARACTERISTICS[name].alias("has"))
        frames.append(
            stats.rates(flagged, list(by), "has").select(
                pl.lit(name).alias("characteristic"), pl.all()
            )
        )
    return pl.concat(frames)


def reference_population(
    municipal_stats: pl.DataFrame,
    municipalities: pl.DataFrame,
    *,
    year: int,
    age_bands: Sequence[str] = REFERENCE_AGE_BANDS,
    by: Sequence[str] = (),
    weight: str = "entrants",
) -> pl.DataFrame:
    """Reference shares in the population of the entrants' home municipalities.

    Two characteristics are available from SCB's municipal statistics:

    - ``first_generation``: share of residents aged 25-64 *without* 3 or more years
      of post-secondary education, 1 - ``post_secondary_3y_share_25_64`` (SCB
      UF0506; the same threshold as UKÄ's "högutbildade föräldrar"). It is the
      share of the *parents' generation* without a long higher education, a proxy
      for the share of young people who would be first generation.
    - ``mature``: share aged 25 or over among the population in ``age_bands``
      (default 19-64, SCB BE0101N1): (bands from 25 on) / (all bands given).

    Weighting. For municipality m with share p_m and ``n_m`` entrants,

    - ``weight="entrants"`` (default): p_ref = sum_m n_m p_m / sum_m n_m, the share
      the entrants would have if each resembled their home municipality;
    - ``weight="population"``: p_ref = sum_m N_m p_m / sum_m N_m over the distinct
      home municipalities, N_m the population the share is of (the pooled share of
      the area the route draws from).

    Parameters
    ----------
    municipal_stats:
        The processed ``municipal_stats`` table.
    municipalities:
        One row per entrant with ``home_municipality_code`` (e.g. ``entrants()``),
        and the ``by`` columns.
    year:
        Statistics year to use.
    age_bands:
        Population columns of ``municipal_stats`` forming the age reference.
    by:
        Group columns of ``municipalities`` (e.g. ``("route",)``) for one reference
        per group.
    weight:
        ``"entrants"`` or ``"population"``.

    Returns
    -------
    pl.DataFrame
        ``by``, ``characteristic``, ``category`` ("true"/"false"), ``reference_share``,
        ``entrants_with_reference`` and ``entrants_without_reference`` (home
        municipality unknown or without statistics that year; left out of the
        weights, counted here).
    """
    if weight not in ("entrants", "population"):
        raise ValueError(f"weight must be 'entrants' or 'population', got {weight!r}")
    bands = list(age_bands)
    absent = [c for c in bands if c not in municipal_stats.columns]
    if absent:
        raise ValueError(f"age bands {absent} are not municipal_stats columns")
    by = list(by)
    mature_bands = [c for c in bands if c in _MATURE_BANDS]
    year_stats = municipal_stats.filter(pl.col("year") == year).select(
        pl.col("municipality_code").alias("home_municipality_code"),
        (1 - pl.col("post_secondary_3y_share_25_64")).alias("first_generation"),
        pl.col("pop_25_64_educated").cast(pl.Float64).alias("first_generation_base"),
        (stats.strict_sum(mature_bands) / stats.strict_sum(bands)).alias("mature"),
        stats.strict_sum(bands).cast(pl.Float64).alias("mature_base"),
    )
    if year_stats.is_empty():
        raise ValueError(f"municipal_stats has no rows for year {year}")
    people = municipalities.select(*by, "home_municipality_code").join(
        year_stats, on="home_municipality_code", how="left"
    )
    pieces = []
    for characteristic in ("first_generation", "mature"):
        known = pl.col(characteristic).is_not_null()
        if weight == "entrants":
            share = pl.col(characteristic).filter(known).mean()
        else:
            distinct = pl.col("home_municipality_code").is_first_distinct() & known
            base = pl.col(f"{characteristic}_base")
            share = (pl.col(characteristic) * base).filter(distinct).sum() / base.filter(distinct).sum()
        aggs = [
            share.alias("reference_share"),
            known.sum().cast(pl.Int64).alias("entrants_with_reference"),
            (~known).sum().cast(pl.Int64).alias("entrants_without_reference"),
        ]
        grouped = people.group_by(by).agg(aggs).sort(by) if by else people.select(aggs)
        pieces.append(
            pl.concat(
                [
                    grouped.with_columns(
                        pl.lit(characteristic).alias("characteristic"),
                        pl.lit(category).alias("category"),
                        (
                            pl.col("reference_share")
                            if category == "true"
                            else 1 - pl.col("reference_share")
                        ).alias("reference_share"),
                    )
                    for category in ("true", "false")
                ]
            )
        )
    return pl.concat(pieces).select(
        *by,
        "characteristic",
        "category",
        "reference_share",
        "entrants_with_reference",
        "entrants_without_reference",
    )


def representation_index(composition: pl.DataFrame, reference: pl.DataFrame) -> pl.DataFrame:
    """Representation index: share among entrants / share in the reference population.

    ``composition`` is an unsuppressed frame from :func:`composition` (its last key
    column is the characteristic); ``reference`` one from :func:`reference_population`, joined on
    the shared group columns, the characteristic and the category. The entrants'
    share here is among entrants with a *known* value: ``known_share = numerator /
    (denominator - unknown)``, with ``unknown`` (the count of the "unknown" category)
    shown. Index = known_share / reference_share; 1 means proportionate
    representation, above 1 over-representation. The interval is the Wilson
    interval of known_share divided by reference_share: the reference is a census
    count and is treated as fixed. Categories without a reference row are dropped
    (only first_generation and mature have references).
    """
    keys = composition.columns[: composition.columns.index("numerator")]
    characteristic, groups = keys[-1], keys[:-1]
    group_keys = [k for k in groups if k in reference.columns]
    unknown = pl.col("numerator").filter(pl.col(characteristic) == UNKNOWN).sum()
    known = (
        composition.with_columns((unknown.over(groups) if groups else unknown).alias("unknown"))
        .filter(pl.col(characteristic) != UNKNOWN)
        .with_columns((pl.col("denominator") - pl.col("unknown")).alias("known"))
    )
    low, high = stats.wilson_interval(known["numerator"].to_numpy(), known["known"].to_numpy())
    ref = reference.filter(pl.col("characteristic") == characteristic).select(
        *group_keys, pl.col("category").alias(characteristic), "reference_share"
    )
    return (
        known.with_columns(
            pl.when(pl.col("known") > 0).then(pl.col("numerator") / pl.col("known")).alias("known_share"),
            pl.Series("_low", low, nan_to_null=True),
            pl.Series("_high", high, nan_to_null=True),
        )
        .join(ref, on=[*group_keys, characteristic], how="inner", nulls_equal=True, maintain_order="left")
        .with_columns(
            (pl.col("known_share") / pl.col("reference_share")).alias("index"),
            (pl.col("_low") / pl.col("reference_share")).alias("index_ci_low"),
            (pl.col("_high") / pl.col("reference_share")).alias("index_ci_high"),
        )
        .select(
            *keys,
            "numerator",
            "denominator",
            "unknown",
            "known_share",
            "reference_share",
            "index",
            "index_ci_low",
            "index_ci_high",
        )
    )


def route_gaps(
    entrants: pl.DataFrame,
    indicator: str,
    reference_route: str = "campus",
    by: Sequence[str] | None = None,
    *,
    policy: str | Policy | None = None,
) -> pl.DataFrame:
    """Gap between routes in a 0/1 characteristic: learning centre minus campus.

    Definition: for a person-level indicator (e.g. ``first_generation``, ``mature``,
    ``foreign_background``), p_route = entrants with the indicator / entrants with
    it known (unknowns are left out and counted in the rate frame's ``missing``).
    gap = 100 (p_LC - p_campus) percentage points with Newcombe's hybrid score
    interval (Newcombe 1998), ratio = p_LC / p_campus with the Katz log interval,
    via :func:`lcanalysis.stats.compare_groups`, within each stratum of ``by``.

    With ``policy`` the route rates are suppressed first
    (:func:`lcanalysis.disclosure.apply_policy`), so a comparison against a hidden
    reference is hidden too and the result can be exported.
    """
    strata = list(by or [])
    rate_frame = stats.rates(entrants, [*strata, "route"], indicator)
    if policy is not None:
        rate_frame = apply_policy(rate_frame, policy)
    return stats.compare_groups(rate_frame, "route", reference_route, strata)


@dataclass(frozen=True)
class Standardisation:
    """Result of :func:`indirect_standardisation`.

    Attributes
    ----------
    summary:
        One row per non-reference route: ``route``, ``n`` (entrants in cells with a
        reference), ``observed``, ``expected``, ``observed_rate``, ``expected_rate``
        (the benchmark), ``difference_pp`` with ``ci_low``/``ci_high``,
        ``ratio`` (observed / expected), ``entrants_without_reference`` (in cells
        with no reference-route entrant), ``missing`` (indicator unknown). Rates and
        the difference are null when no cell has a reference.
    cells:
        One row per route and cell: the cell columns, ``n``, ``observed``,
        ``reference_n``, ``reference_observed``, ``reference_rate``, ``expected``
        (null when the cell has no reference) and ``has_reference``.
    """

    summary: pl.DataFrame
    cells: pl.DataFrame


def indirect_standardisation(
    entrants: pl.DataFrame,
    indicator: str,
    *,
    cells: Sequence[str] = ("age_band", "programme_level", "skr_group"),
    reference_route: str = "campus",
    alpha: float = 0.05,
) -> Standardisation:
    """Observed against expected: the OfS/HESA benchmark for the learning-centre route.

    Definition (indirect standardisation, as in HESA's UK Performance Indicators
    and the OfS's benchmarks): the entrants are split into cells by ``cells``
    (nulls form a cell ``"unknown"``); with n_c the route's entrants in cell c,
    O_c those with the indicator and r_c the reference (campus) rate in the cell,

        expected E = sum_c n_c r_c,   observed O = sum_c O_c,
        benchmark  = E / N,          difference = 100 (O - E) / N  (pp),

    over cells that have at least one reference entrant (N = sum of their n_c).
    Cells with no reference entrant cannot be benchmarked: they are flagged in
    ``cells`` and their entrants counted in ``entrants_without_reference``.
    Entrants with the indicator unknown are left out and counted in ``missing``.

    Variance: the benchmark is treated as fixed (the reference route is usually much
    larger) and O as a sum of independent binomials with the route's own cell rates
    p_c = O_c / n_c: Var(O - E) = sum_c n_c p_c (1 - p_c); interval
    100 (O - E ± z sqrt(Var)) / N. Caveats: cells where everyone or no one has the
    indicator add no variance, so with few entrants per cell the interval is too
    narrow; ignoring the benchmark's own uncertainty also narrows it.
    """
    cols = list(cells)
    data = entrants.select("route", *[_as_category(c) for c in cols], pl.col(indicator).cast(pl.Int64))
    missing = data.filter(pl.col(indicator).is_null()).group_by("route").len("missing")
    data = data.drop_nulls(indicator)
    per_cell = data.group_by("route", *cols).agg(
        pl.len().alias("n"), pl.col(indicator).sum().alias("observed")
    )
    reference = per_cell.filter(pl.col("route") == reference_route).select(
        *cols,
        pl.col("n").alias("reference_n"),
        pl.col("observed").alias("reference_observed"),
        (pl.col("observed") / pl.col("n")).alias("reference_rate"),
    )
    cell_frame = (
        per_cell.filter(pl.col("route") != reference_route)
        .join(reference, on=cols, how="left")
        .with_columns(
            (pl.col("n") * pl.col("reference_rate")).alias("expected"),
            pl.col("reference_n").is_not_null().alias("has_reference"),
        )
        .sort("route", *cols)
    )
    z = float(sps.norm.isf(alpha / 2))
    rate = pl.col("observed") / pl.col("n")
    summary = (
        cell_frame.group_by("route")
        .agg(
            pl.col("n").filter("has_reference").sum().alias("n"),
            pl.col("observed").filter("has_reference").sum().alias("observed"),
            pl.col("expected").filter("has_reference").sum().alias("expected"),
            (pl.col("n") * rate * (1 - rate)).filter("has_reference").sum().alias("_var"),
            pl.col("n").filter(~pl.col("has_reference")).sum().alias("entrants_without_reference"),
        )
        .join(missing, on="route", how="left")
        .sort("route")
        .with_columns(
            pl.col("n").cast(pl.Int64),
            pl.col("entrants_without_reference").cast(pl.Int64),
            *[
                pl.when(pl.col("n") > 0).then(value).alias(name)
                for name, value in (
                    ("observed_rate", pl.col("observed") / pl.col("n")),
                    ("expected_rate", pl.col("expected") / pl.col("n")),
                    ("difference_pp", 100 * (pl.col("observed") - pl.col("expected")) / pl.col("n")),
                    ("_half", 100 * z * pl.col("_var").sqrt() / pl.col("n")),
                )
            ],
            pl.when(pl.col("expected") > 0).then(pl.col("observed") / pl.col("expected")).alias("ratio"),
            pl.col("missing").fill_null(0).cast(pl.Int64),
        )
        .select(
            "route",
            "n",
            "observed",
            "expected",
            "observed_rate",
            "expected_rate",
            "difference_pp",
            (pl.col("difference_pp") - pl.col("_half")).alias("ci_low"),
            (pl.col("difference_pp") + pl.col("_half")).alias("ci_high"),
            "ratio",
            "entrants_without_reference",
            "missing",
        )
    )
    return Standardisation(summary=summary, cells=cell_frame)


def cross(
    entrants: pl.DataFrame,
    indicator: str,
    rows: str,
    cols: str,
    *,
    by: Sequence[str] = (),
) -> pl.DataFrame:
    """Two-way table of a 0/1 indicator's rate, with the margins beside it.

    Definition: for each (row category, column category), rate = entrants with the
    indicator / entrants with it known, e.g. the share first generation by
    ``age_band`` x ``legal_sex``. The margins are rows and columns labelled
    ``"All"``: (r, "All") over every column category, ("All", c) over every row
    category, ("All", "All") overall, so each cell can be read against its row and
    column and the whole. Nulls in ``rows``/``cols`` are the category ``"unknown"``
    (and count in the margins); unknown indicator values are left out and counted
    in ``missing``. Within each stratum of ``by``. Wilson intervals.

    For secondary suppression of the result pass ``total="All"`` to
    :func:`lcanalysis.disclosure.secondary_suppression`.
    """
    if rows == cols:
        raise ValueError("rows and cols must be different columns")
    strata = list(by)
    data = entrants.select(*strata, _as_category(rows), _as_category(cols), indicator)
    row_order = [*_ordered_categories(entrants, rows), ALL]
    col_order = [*_ordered_categories(entrants, cols), ALL]
    parts = [
        data,
        data.with_columns(pl.lit(ALL).alias(cols)),
        data.with_columns(pl.lit(ALL).alias(rows)),
        data.with_columns(pl.lit(ALL).alias(rows), pl.lit(ALL).alias(cols)),
    ]
    out = stats.rates(pl.concat(parts), [*strata, rows, cols], indicator)
    order = [
        pl.col(rows).replace_strict(row_order, range(len(row_order))),
        pl.col(cols).replace_strict(col_order, range(len(col_order))),
    ]
    return out.sort(*strata, *order)
