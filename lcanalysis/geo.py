"""Swedish municipalities, counties and SKR groups: lookups, name resolution, regions.

The reference tables in ``lcanalysis/reference/`` (see ``PROVENANCE.md`` there) list
the 290 municipalities (kommuner) with SCB's 4-digit municipality code, SCB's 2-digit
county (län) code, SKR's municipality group (Kommungruppsindelning 2023, A1..C9) and
the coordinates of each municipality's seat (centralort). Everything a raw file says
about a municipality (``"0180"``, ``180``, ``"0180 Stockholm"``, ``"Stockholms stad"``,
``"Goteborgs stad"``) is resolved to the 4-digit code with :func:`resolve_municipality`;
all later steps work on codes only.

Regions at several scales (municipality, county, SKR group) are what the brain-drain
indicators compare: a person's home region before study, where they studied and where
they live and work at follow-up. :func:`region_expr` maps codes to any of these scales
inside polars queries. :func:`distance_to_stockholm_km` and :func:`distance_band` say
how far a municipality is from KTH's main campus, the pilot's point of reference for
"studying without moving to Stockholm".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TypeVar

import polars as pl

from lcanalysis.paths import REFERENCE_DIR

SCALES: tuple[str, ...] = ("municipality", "county", "skr_group")
"""Regional scales for :func:`region_expr`: the municipality itself, its county (län),
or its SKR municipality group (2023 version)."""

KTH_CAMPUS_LAT_LON: tuple[float, float] = (59.3498, 18.0707)
"""KTH's main campus (Valhallavägen, Stockholm), WGS84 degrees north and east."""

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), the sphere on which great-circle distances are measured."""

DISTANCE_BANDS: tuple[str, ...] = ("0-49 km", "50-149 km", "150-299 km", "300+ km")
"""Distance bands from KTH's main campus, nearest first: [0, 50), [50, 150),
[150, 300) and 300 km or more. Roughly: Stockholm and its inner suburbs; daily
commuting range (Uppsala, Södertälje, Norrtälje); weekly commuting range (Gävle,
Linköping, Karlstad); and everything further away."""

_SUFFIXES = (" kommun", " stad", " kn")
_CODE = re.compile(r"\d{1,4}(?:\.0*)?")
_LABEL = re.compile(r"(\d{3,4})[\s,:;\-]+(.*\S)", re.DOTALL)
_NON_WORD = re.compile(r"[\W_]+")

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


@functools.cache
def _read(name: str, schema: tuple[tuple[str, type[pl.DataType]], ...]) -> pl.DataFrame:
    path = REFERENCE_DIR / name
    return pl.read_csv(path, schema=dict(schema), encoding="utf8")


def municipalities() -> pl.DataFrame:
    """The 290 Swedish municipalities, one row each, sorted by code.

    Columns: ``municipality_code`` (SCB kommunkod, 4-digit string, e.g. ``"0180"``),
    ``name`` (the short name SCB uses, e.g. ``"Falun"``), ``official_name`` (the name
    the municipality uses for itself, e.g. ``"Falu kommun"``, ``"Malmö stad"``,
    ``"Region Gotland"``), ``county_code`` (SCB länskod, 2-digit string: the first two
    digits of the municipality code), ``skr_group_2023`` (SKR Kommungruppsindelning
    2023, ``"A1"`` to ``"C9"``), ``lat`` and ``lon`` (WGS84 degrees of the
    municipality's seat, rounded to 0.01 degree).

    The file is read once per process; each call returns a fresh frame.
    """
    return _read(
        "municipalities.csv",
        (
            ("municipality_code", pl.String),
            ("name", pl.String),
            ("official_name", pl.String),
            ("county_code", pl.String),
            ("skr_group_2023", pl.String),
            ("lat", pl.Float64),
            ("lon", pl.Float64),
        ),
    ).clone()


def counties() -> pl.DataFrame:
    """The 21 Swedish counties (län): ``county_code`` (SCB, 2-digit string), ``name``
    (short, e.g. ``"Stockholm"``) and ``official_name`` (e.g. ``"Stockholms län"``)."""
    return _read(
        "counties.csv",
        (("county_code", pl.String), ("name", pl.String), ("official_name", pl.String)),
    ).clone()


def skr_groups() -> pl.DataFrame:
    """SKR's nine municipality groups of 2023 (Kommungruppsindelning 2023).

    Columns: ``skr_group`` (``"A1"`` .. ``"C9"``), ``main_group`` (``"A"``, ``"B"``,
    ``"C"``), ``main_group_name_sv``/``_en`` and ``group_name_sv``/``_en``. Main
    group A is the large cities and the municipalities near them, B the
    medium-sized towns and the municipalities near them, C the small towns and rural
    municipalities; within each, the groups are set by population and commuting.
    """
    return _read(
        "skr_groups.csv",
        (
            ("skr_group", pl.String),
            ("main_group", pl.String),
            ("main_group_name_sv", pl.String),
            ("main_group_name_en", pl.String),
            ("group_name_sv", pl.String),
            ("group_name_en", pl.String),
        ),
    ).clone()


def skr_group_labels(lang: str = "en") -> dict[str, str]:
    """SKR group code -> group name in Swedish (``"sv"``) or English (``"en"``), for
    axis labels and table headers, e.g. ``{"A1": "Large cities", ...}``."""
    if lang not in ("sv", "en"):
        raise ValueError(f"lang must be 'sv' or 'en', got {lang!r}")
    table = skr_groups()
    return dict(zip(table["skr_group"], table[f"group_name_{lang}"], strict=True))


def _key(text: str) -> str:
    """Case-folded words of ``text``: hyphens, punctuation and runs of spaces become
    one space; Swedish letters are kept."""
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def _ascii_key(key: str) -> str:
    """``key`` with diacritics removed (å, ä -> a; ö -> o; é -> e)."""
    decomposed = unicodedata.normalize("NFKD", key)
    return _key("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


@functools.cache
def _name_index() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """Alias -> codes, once with Swedish letters kept and once with them folded.

    The aliases of a municipality are its short name, its official name and the
    official name without its trailing "kommun"/"stad" ("Falu", "Göteborgs").
    """
    exact: dict[str, set[str]] = {}
    folded: dict[str, set[str]] = {}
    table = municipalities()
    for code, name, official in table.select("municipality_code", "name", "official_name").rows():
        aliases = {_key(name), _key(official)}
        aliases |= {_key(official)[: -len(s)] for s in _SUFFIXES if _key(official).endswith(s)}
        for alias in aliases:
            exact.setdefault(alias, set()).add(code)
            folded.setdefault(_ascii_key(alias), set()).add(code)
    return (
        {k: frozenset(v) for k, v in exact.items()},
        {k: frozenset(v) for k, v in folded.items()},
    )


@functools.cache
def _codes() -> frozenset[str]:
    return frozenset(municipalities()["municipality_code"])


def _resolve_name(text: str) -> str | None:
    key = _key(text)
    candidates = [key]
    for suffix in _SUFFIXES:
        if key.endswith(suffix):
            base = key[: -len(suffix)]
            candidates.append(base)
            if base.endswith("s"):
                candidates.append(base[:-1])
    exact, folded = _name_index()
    for index, fold in ((exact, str), (folded, _ascii_key)):
        for candidate in candidates:
            codes = index.get(fold(candidate))
            if codes is not None:
                return next(iter(codes)) if len(codes) == 1 else None
    return None


def resolve_municipality(text: str | int | None) -> str | None:
    """The 4-digit SCB municipality code that ``text`` refers to, or None.

    Accepted, in any letter case and with surrounding spaces:

    - a code with or without its leading zero: ``"0180"``, ``"180"``, ``180``, and the
      ``"180.0"`` that spreadsheets make of a numeric cell;
    - an SCB region label, code then name: ``"0180 Stockholm"``; the name must agree
      with the code, so ``"0180 Göteborg"`` is None rather than a guess;
    - the short name (``"Falun"``), the official name (``"Falu kommun"``,
      ``"Göteborgs Stad"``, ``"Region Gotland"``) or the short name with a trailing
      ``" kommun"``, ``" stad"`` or ``" kn"`` in regular or genitive form
      (``"Stockholms kommun"``, ``"Faluns kommun"``);
    - any of these with hyphens and spaces interchanged (``"Upplands-Väsby"``) or with
      the Swedish letters written without diacritics (``"Ornskoldsvik"``).

    Names with Swedish letters are matched exactly first, so ``"Habo"`` is Habo
    (0643) and ``"Håbo"`` is Håbo (0305): a name written without diacritics that is
    itself another municipality's name means that municipality. A name that would
    fit two municipalities once diacritics are dropped, and did not match either
    exactly, gives None.

    Names shared with other places: a short name always means the municipality (
    ``"Stockholm"`` is Stockholm municipality, not the county or the urban area;
    ``"Gotland"`` is Region Gotland, whose area is the island). County names
    (``"Stockholms län"``), regions that are county councils (``"Region Stockholm"``)
    and localities that are not municipality names (``"Sveg"``) give None.

    Never raises for a str or int; other types give None.
    """
    if isinstance(text, bool) or not isinstance(text, str | int):
        return None
    stripped = str(text).strip()
    if _CODE.fullmatch(stripped):
        code = stripped.split(".")[0].zfill(4)
        return code if code in _codes() else None
    label = _LABEL.fullmatch(stripped)
    if label:
        code = label.group(1).zfill(4)
        if code in _codes() and _resolve_name(label.group(2)) == code:
            return code
        return None
    return _resolve_name(stripped)


def resolve_municipalities(values: pl.Series) -> pl.Series:
    """Vectorised :func:`resolve_municipality`: each distinct value is resolved once.

    ``values`` may be strings or integers (a code column read as numbers). Returns a
    String series of 4-digit codes with the same name and length; null where the
    value was null or could not be resolved (the cleaning step quarantines those as
    ``unknown_municipality``).
    """
    text = values.cast(pl.String)
    distinct = text.drop_nulls().unique().to_list()
    mapping = {value: resolve_municipality(value) for value in distinct}
    return text.replace_strict(mapping, default=None, return_dtype=pl.String).alias(values.name)


def _check_scale(scale: str) -> None:
    if scale not in SCALES:
        allowed = ", ".join(repr(s) for s in SCALES)
        raise ValueError(f"scale must be one of {allowed}; got {scale!r}")


def _lookup(codes: pl.Expr, column: str, dtype: type[pl.DataType]) -> pl.Expr:
    """Replace each municipality code by ``column`` of its row; null when unknown."""
    table = municipalities()
    return codes.replace_strict(
        table["municipality_code"], table[column], default=None, return_dtype=dtype
    )


def region_expr(col: str | pl.Expr, scale: str) -> pl.Expr:
    """Expression mapping 4-digit municipality codes to their region at ``scale``.

    Parameters
    ----------
    col:
        Column name (or expression) holding municipality codes as 4-digit strings,
        as produced by :func:`resolve_municipalities`.
    scale:
        ``"municipality"`` (the code itself), ``"county"`` (the 2-digit SCB county
        code) or ``"skr_group"`` (SKR Kommungruppsindelning 2023, ``"A1"``..``"C9"``).

    Returns
    -------
    pl.Expr
        String expression; null for a null or unknown code, so that an unknown place
        is never counted as a region.

    Raises
    ------
    ValueError
        If ``scale`` is not one of :data:`SCALES`.
    """
    _check_scale(scale)
    codes = pl.col(col) if isinstance(col, str) else col
    column = {
        "municipality": "municipality_code",
        "county": "county_code",
        "skr_group": "skr_group_2023",
    }[scale]
    return _lookup(codes, column, pl.String)


def _on_series(series: pl.Series, build: pl.Expr) -> pl.Series:
    """Evaluate ``build`` (written against ``pl.col("codes")``) on one series."""
    frame = pl.DataFrame({"codes": series})
    return frame.select(build).to_series().alias(series.name)


def region_of(codes: pl.Series | pl.Expr, scale: str) -> pl.Series | pl.Expr:
    """:func:`region_expr` for a Series (returns a Series) or an Expr (returns an Expr)."""
    if isinstance(codes, pl.Series):
        return _on_series(codes, region_expr(pl.col("codes"), scale))
    return region_expr(codes, scale)


def add_region(df: FrameT, col: str, scale: str, out: str) -> FrameT:
    """``df`` with a new column ``out``: the region of municipality code ``col`` at
    ``scale`` (see :func:`region_expr`). Works on eager and lazy frames."""
    return df.with_columns(region_expr(col, scale).alias(out))


def _distance_expr(codes: pl.Expr) -> pl.Expr:
    lat = _lookup(codes, "lat", pl.Float64).radians()
    lon = _lookup(codes, "lon", pl.Float64).radians()
    kth_lat, kth_lon = (pl.lit(v).radians() for v in KTH_CAMPUS_LAT_LON)
    haversine = ((lat - kth_lat) / 2).sin().pow(2) + lat.cos() * kth_lat.cos() * (
        (lon - kth_lon) / 2
    ).sin().pow(2)
    return 2 * EARTH_RADIUS_KM * haversine.sqrt().arcsin()


def distance_to_stockholm_km(codes: pl.Series | pl.Expr) -> pl.Series | pl.Expr:
    """Great-circle distance in km from each municipality's seat to KTH's main campus.

    Measured on a sphere of radius :data:`EARTH_RADIUS_KM` (haversine formula) from
    the seat coordinates in :func:`municipalities` to :data:`KTH_CAMPUS_LAT_LON`.
    Straight-line distance, not travel distance; seat coordinates are accurate to
    about 0.05 degree, so distances to about 5 km. Null for an unknown code.
    Accepts a Series (returns a Float64 Series) or an Expr (returns an Expr).
    """
    if isinstance(codes, pl.Series):
        return _on_series(codes, _distance_expr(pl.col("codes")))
    return _distance_expr(codes)


def _band_expr(km: pl.Expr) -> pl.Expr:
    lower, mid, upper, far = DISTANCE_BANDS
    return (
        pl.when(km.is_null() | km.is_nan() | (km < 0))
        .then(None)
        .when(km < 50)
        .then(pl.lit(lower))
        .when(km < 150)
        .then(pl.lit(mid))
        .when(km < 300)
        .then(pl.lit(upper))
        .otherwise(pl.lit(far))
        .cast(pl.Enum(DISTANCE_BANDS))
    )


def distance_band(km: pl.Series | pl.Expr) -> pl.Series | pl.Expr:
    """The :data:`DISTANCE_BANDS` label of each distance in km, as an ordered Enum.

    Bands are half-open: 49.9 km is ``"0-49 km"`` and 50 km is ``"50-149 km"``.
    Null for a null, NaN or negative distance. Accepts a Series or an Expr.
    """
    if isinstance(km, pl.Series):
        return _on_series(km.cast(pl.Float64), _band_expr(pl.col("codes")))
    return _band_expr(km.cast(pl.Float64))


def municipality_features() -> pl.DataFrame:
    """Per municipality: SKR group 2023 and distance to KTH, for panels and models.

    Columns ``municipality_code``, ``skr_group`` (SKR Kommungruppsindelning 2023) and
    ``distance_km`` (:func:`distance_to_stockholm_km`), the shape that
    :mod:`lcanalysis.indicators.panel` and :mod:`lcanalysis.indicators.scaleup` take.
    """
    return municipalities().select(
        "municipality_code",
        pl.col("skr_group_2023").alias("skr_group"),
        distance_to_stockholm_km(pl.col("municipality_code")).alias("distance_km"),
    )
