"""SCB statistical tables -> the municipal_stats table.

Any format SCB gives (:mod:`lcanalysis.ingest.cube`: CSV, XLSX, PX, JSON-stat, PxWeb
v1 JSON) is read into a long :class:`~lcanalysis.ingest.cube.Cube`; this module
decides what the table is and what it can give municipal_stats:

- the dimensions' roles, from their names in Swedish, English or Finnish: the region
  (``region``, ``kommun``), the age (``ålder``, ``age``), the education level
  (``utbildningsnivå``, ``level of education``), the year, the contents
  (``tabellinnehåll``); every other dimension (sex, marital status, background) is
  summed over, after its total value ("totalt", "total, all men and women") is left
  out;
- the kind: *education* (UF0506) when an education dimension is present, else
  *population* (BE0101N1) when an age dimension is; a table that counts something
  else (live births, deaths, migration, average age ...), has no region, or holds
  no municipality (counties, NUTS regions, the whole country) is refused with one
  line saying what to download instead;
- ages: single years (``"0 år"``, ``"1 year"``, ``"100+ år"``) and any bands
  (``"16-24 år"``, ``"95+ år"``) are mapped onto the bands of municipal_stats; a band
  that cannot be formed from the file's ages (a file band crossing its edge, ages
  not covered) is left missing, never guessed;
- education: SCB's levels for the population aged 25-64 (ages outside 25-64 are left
  out); post-secondary 3 years or more = "eftergymnasial utbildning, 3 år eller
  mer" + "forskarutbildning"; the denominator is every level including "uppgift om
  utbildningsnivå saknas";
- missing cells (``..``) stay missing: a band with a missing cell, or a municipality
  the file does not hold whole (a cut download), is missing, never zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lcanalysis.errors import InputError
from lcanalysis.ingest.cube import Cube, read_csv_cube, read_xlsx_cube
from lcanalysis.ingest.jsonstat import read_json_cube
from lcanalysis.ingest.px import read_px
from lcanalysis.schemas import MUNICIPAL_STATS_COUNTS
from lcanalysis.text import fold

#: File endings of SCB tables, and the reader of each.
READERS = {
    ".csv": read_csv_cube,
    ".txt": read_csv_cube,
    ".tsv": read_csv_cube,
    ".xlsx": read_xlsx_cube,
    ".px": read_px,
    ".json": read_json_cube,
}

#: Columns of the processed municipal_stats table, in order.
MUNICIPAL_STATS_COLUMNS = (
    "municipality_code",
    "year",
    *MUNICIPAL_STATS_COUNTS,
    "post_secondary_3y_share_25_64",
)

#: The age bands of municipal_stats: column, first age, last age (None: open).
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("pop_0_18", 0, 18),
    ("pop_19_24", 19, 24),
    ("pop_25_34", 25, 34),
    ("pop_35_44", 35, 44),
    ("pop_45_64", 45, 64),
    ("pop_65_plus", 65, None),
)

#: The ages of the education shares.
EDUCATION_AGES = (25, 64)

_LEVEL_3Y_PLUS = "post_secondary_3y_plus"
_LEVEL_OTHER = "other_level"
_LEVEL_UNKNOWN = "unknown_level"

#: SCB's education levels (UF0506, Swedish and English interface; folded, commas
#: removed) -> post-secondary 3 years or more, another level, or not known.
EDUCATION_LEVELS = {
    **dict.fromkeys(
        (
            "eftergymnasial utbildning 3 ar eller mer",
            "eftergymnasial utbildning 3 ar eller langre",
            "forskarutbildning",
            "post-secondary education 3 years or more",
            "post-secondary education 3 years or longer",
            "post-graduate education",
            "postgraduate education",
        ),
        _LEVEL_3Y_PLUS,
    ),
    **dict.fromkeys(
        (
            "forgymnasial utbildning",
            "forgymnasial utbildning kortare an 9 ar",
            "forgymnasial utbildning 9 (10) ar",
            "gymnasial utbildning",
            "gymnasial utbildning hogst 2 ar",
            "gymnasial utbildning 3 ar",
            "eftergymnasial utbildning mindre an 3 ar",
            "primary and lower secondary education",
            "primary and lower secondary education less than 9 years",
            "primary and lower secondary education 9-10 years",
            "upper secondary education",
            "upper secondary education 2 years or less",
            "upper secondary education 3 years",
            "post-secondary education less than 3 years",
        ),
        _LEVEL_OTHER,
    ),
    **dict.fromkeys(
        (
            "uppgift om utbildningsniva saknas",
            "uppgift saknas",
            "no information about level of educational attainment",
            "level of education unknown",
        ),
        _LEVEL_UNKNOWN,
    ),
}

#: Dimension names (folded) of each role.
REGION_NAMES = frozenset({"region", "kommun", "municipality", "kunta", "lan", "county"})
AGE_NAMES = frozenset({"alder", "age", "ika", "alder (ar)", "age (years)"})
CONTENTS_NAMES = frozenset({"tabellinnehall", "contents", "contentscode", "observations", "table contents"})
_EDUCATION_NAME = re.compile(r"^(utbildningsniva|(highest )?(level of )?education(al)?( level| attainment)?)")

#: Words in a title or measure that name something other than a population count.
OTHER_MEASURES = {
    "levande fodda": "live births",
    "live births": "live births",
    "doda": "deaths",
    "dodsfall": "deaths",
    "deaths": "deaths",
    "mortality": "deaths",
    "flyttningar": "migration",
    "migration": "migration",
    "inflyttade": "migration",
    "utflyttade": "migration",
    "invandringar": "migration",
    "utvandringar": "migration",
    "immigra": "migration",
    "emigra": "migration",
    "inmigrated": "migration",
    "medelalder": "average age",
    "average age": "average age",
    "medelfolkmangd": "mean population",
    "mean population": "mean population",
    "folkokning": "population change",
    "population increase": "population change",
}

_TOTAL = re.compile(
    r"^(totalt?|samtliga|alla|summa|both sexes|men and women|man och kvinnor)\b"
)
_COUNTRY = frozenset({"riket", "sweden", "whole sweden", "hela riket", "sverige", "whole country"})
_CODE = re.compile(r"^\s*(\d{2}|\d{4})(?:\s|$)")
_NUTS = re.compile(r"^\s*SE\d{0,3}(?:\s|$)")
_AGE_UNIT = r"\s*(?:ar|years?|yrs?)?"


@dataclass
class ScbTable:
    """One SCB table, its meaning decided.

    Attributes
    ----------
    frame:
        One row per cell of the file: ``region_label`` (as written), ``region_kind``
        (``municipality``, ``county``, ``nuts``, ``country``), ``municipality_code``
        (null unless a municipality), ``band`` (the municipal_stats age band, or the
        education class; null for a cell that feeds nothing: a total of a dimension
        that is summed over, an age outside 25-64), ``year``, ``value`` (null where
        SCB gives ``..``), ``_row``, then the other dimensions as read.
    kind:
        ``"population"`` or ``"education"``.
    file, title, layout:
        As read.
    unavailable:
        municipal_stats columns this table cannot give (an age band its ages do not
        form), left missing.
    summed:
        The dimensions summed over (``kön``, ``civilstånd``).
    warnings:
        What the evaluator should know.
    """

    frame: pl.DataFrame
    kind: str
    file: str
    title: str = ""
    layout: str = ""
    unavailable: list[str] = field(default_factory=list)
    summed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_cube(path: Path) -> Cube:
    """Read an SCB file of any format SCB gives (by its ending) into a Cube."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(
            f"not an SCB table file ({path.suffix or 'no ending'}); download the table as "
            "CSV, XLSX, PX or JSON (JSON-stat)",
            file=path,
        )
    return reader(path)


def read_scb_table(path: Path) -> ScbTable:
    """Read one SCB table and decide what it is (see the module docstring).

    Raises
    ------
    InputError
        For a file that is not an SCB table, or one that cannot serve
        municipal_stats (another measure, no municipalities), naming what to
        download instead; an unknown age band or education level.
    """
    return interpret(read_cube(path))


def dimension_role(name: str) -> str:
    """What a dimension is, by its name: ``region``, ``age``, ``education``,
    ``contents`` or ``other`` (summed over)."""
    key = fold(name)
    if key in REGION_NAMES:
        return "region"
    if key in AGE_NAMES:
        return "age"
    if _EDUCATION_NAME.match(key):
        return "education"
    if key in CONTENTS_NAMES:
        return "contents"
    return "other"


def _other_measure(text: str) -> str | None:
    key = fold(text)
    return next((what for word, what in OTHER_MEASURES.items() if word in key), None)


def age_interval(label: str) -> tuple[int, int | None] | None:
    """The ages an SCB age label covers: ``"4 år"`` (4, 4), ``"16-24 år"`` (16, 24),
    ``"100+ år"``/``"65- år"`` (100/65, None), ``"-19"`` (0, 19); None if not an age."""
    key = fold(label).replace("\u2013", "-")
    if m := re.fullmatch(rf"(\d+){_AGE_UNIT}", key):
        return int(m[1]), int(m[1])
    if m := re.fullmatch(rf"(\d+){_AGE_UNIT}\s*-\s*(\d+){_AGE_UNIT}", key):
        return int(m[1]), int(m[2])
    if m := re.fullmatch(rf"(\d+){_AGE_UNIT}\s*(?:\+|-|och aldre|or older|and over){_AGE_UNIT}", key):
        return int(m[1]), None
    if m := re.fullmatch(rf"-\s*(\d+){_AGE_UNIT}", key):
        return 0, int(m[1])
    return None


def _level(label: str) -> str | None:
    return EDUCATION_LEVELS.get(re.sub(r"\s+", " ", fold(label).replace(",", "")).strip())


def region_kind(label: str, code: str | None, municipality_codes: frozenset[str]) -> tuple[str, str | None]:
    """What a region label is: ``("municipality", "0114")``, ``("county", None)``,
    ``("nuts", None)``, ``("country", None)`` or ``("unknown", None)``.

    The code is the file's (PX ``CODES``, JSON-stat category id) or the label's
    prefix (``"0114 Upplands Väsby"``); a label without one is resolved by name
    (:func:`lcanalysis.geo.resolve_municipality`: "Upplands Väsby").
    """
    from lcanalysis import geo

    text = label.strip()
    if _NUTS.match(text) or (code and _NUTS.match(code)):
        return "nuts", None
    digits = code if code and code.isdigit() else (m[1] if (m := _CODE.match(text)) else None)
    if digits:
        if digits == "00":
            return "country", None
        if len(digits) == 2:
            return "county", None
        if len(digits) == 4:
            return ("municipality", digits) if digits in municipality_codes else ("unknown", None)
    key = fold(text)
    if key in _COUNTRY:
        return "country", None
    if key.endswith((" lan", " county")):
        return "county", None
    resolved = geo.resolve_municipality(text)
    return ("municipality", resolved) if resolved else ("unknown", None)


def interpret(cube: Cube) -> ScbTable:
    """Decide what ``cube`` is and which municipal_stats columns its cells feed.

    Raises
    ------
    InputError
        As :func:`read_scb_table`.
    """
    from lcanalysis import geo

    path = cube.file
    roles = {d: dimension_role(d) for d in cube.dimensions}
    frame = cube.frame
    warnings: list[str] = []
    measures = [cube.title]
    for dim in (d for d, r in roles.items() if r == "contents"):
        values = frame.get_column(dim).unique(maintain_order=True).to_list()
        if len(values) > 1:
            raise InputError(
                f"the table holds several measures ({', '.join(map(repr, values))}); download "
                "one: Folkmängd (population) or the education level counts",
                file=path,
            )
        measures += values
    other = next((m for text in measures if (m := _other_measure(text))), None)
    title = cube.title or "(no title)"
    if other:
        raise InputError(
            f"the table counts {other} ({title!r}), not the population: municipal_stats needs "
            "SCB's BE0101N1 'Folkmängd efter region, ålder och år' or UF0506 "
            "'Befolkning efter utbildningsnivå'",
            file=path,
        )
    region = next((d for d, r in roles.items() if r == "region"), None)
    age = next((d for d, r in roles.items() if r == "age"), None)
    education = next((d for d, r in roles.items() if r == "education"), None)
    if region is None:
        raise InputError(
            f"the table has no region dimension (dimensions: {', '.join(cube.dimensions)}): "
            "it is the whole country only; download it by region, choosing the municipalities",
            file=path,
        )
    if education is None and age is None:
        raise InputError(
            f"neither an age ('ålder', 'age') nor an education level ('utbildningsnivå') "
            f"dimension (dimensions: {', '.join(cube.dimensions)}): municipal_stats needs "
            "BE0101N1 (population by region and age) or UF0506 (education level)",
            file=path,
        )
    kind = "education" if education else "population"
    # Totals in the dimensions summed over, or in the age/education dimension.
    summed = [d for d, r in roles.items() if r == "other"]
    total = pl.lit(False)
    for dim in [d for d in cube.dimensions if d != region]:
        values = frame.get_column(dim).unique().to_list()
        totals = [v for v in values if v is not None and _TOTAL.match(fold(v))]
        if totals and len(totals) < len(values):
            total = total | pl.col(dim).is_in(totals)
    frame = frame.with_columns(_total=total)
    # Regions.
    codes = cube.codes.get(region, {})
    known = frozenset(geo.municipalities()["municipality_code"].to_list())
    labels = frame.get_column(region).unique(maintain_order=True).to_list()
    kinds = {label: region_kind(label, codes.get(label), known) for label in labels}
    unknown = [label for label, (k, _) in kinds.items() if k == "unknown"]
    if unknown:
        first = frame.filter(pl.col(region) == unknown[0]).get_column("_row").min()
        raise InputError(
            f"region {unknown[0]!r} is not one of the 290 municipalities, a county or the country",
            file=path, row=first, column=region,
        )
    found = {k for k, _ in kinds.values()}
    if "municipality" not in found:
        seen = next(k for k in ("nuts", "county", "country") if k in found)
        example = next(label for label in labels if kinds[label][0] == seen)
        what = {"nuts": "NUTS regions", "county": "counties", "country": "the whole country only"}[seen]
        raise InputError(
            f"the table holds no municipality: its regions are {what} ({example!r}); download "
            "it again choosing the municipalities (kommuner) under region",
            file=path,
        )
    frame = frame.with_columns(
        region_kind=pl.col(region).replace_strict({k: v[0] for k, v in kinds.items()}),
        municipality_code=pl.col(region).replace_strict(
            {k: v[1] for k, v in kinds.items()}, return_dtype=pl.String
        ),
    )
    unavailable: list[str] = []
    counted = frame.filter(~pl.col("_total"))
    if kind == "population":
        band, unavailable = _age_bands(counted, age, path)
    else:
        band = _education_classes(counted, education, age, cube.title, path)
    frame = frame.with_columns(band=pl.when(~pl.col("_total")).then(band))
    if summed:
        warnings.append(f"summed over {', '.join(map(repr, summed))}")
    if unavailable:
        warnings.append(
            f"{', '.join(unavailable)} cannot be formed from the file's ages: left missing"
        )
    return ScbTable(
        frame=frame.select(
            pl.col(region).alias("region_label"), "region_kind", "municipality_code", "band",
            "year", "value", "_row",
            *(pl.col(d) for d in cube.dimensions if d != region),
        ),
        kind=kind,
        file=path,
        title=cube.title,
        layout=cube.layout,
        unavailable=unavailable,
        summed=summed,
        warnings=warnings,
    )


def _intervals(frame: pl.DataFrame, age: str, path: str) -> dict[str, tuple[int, int | None]]:
    found = {}
    for label, row in frame.group_by(age).agg(pl.col("_row").min()).sort("_row").iter_rows():
        interval = age_interval(label)
        if interval is None:
            raise InputError(
                f"unknown age band {label!r}; expected ages as SCB writes them: '4 år', "
                "'16-24 år', '100+ år', '1 year', '65+ years'",
                file=path, row=row, column=age,
            )
        found[label] = interval
    ordered = sorted(found.items(), key=lambda item: item[1][0])
    for (a, (_, a_hi)), (b, (b_lo, _)) in zip(ordered, ordered[1:], strict=False):
        if a_hi is None or a_hi >= b_lo:
            raise InputError(
                f"age bands {a!r} and {b!r} overlap; download single years or bands that do not",
                file=path, column=age,
            )
    return found


def _covers(parts: list[tuple[int, int | None]], lo: int, hi: int | None) -> bool:
    """Whether disjoint intervals ``parts`` cover ``lo``..``hi`` exactly, without gaps."""
    at = lo
    for p_lo, p_hi in sorted(parts, key=lambda p: p[0]):
        if p_lo != at:
            return False
        if p_hi is None:
            return hi is None
        at = p_hi + 1
    return hi is not None and at == hi + 1


def _age_bands(frame: pl.DataFrame, age: str, path: str) -> tuple[pl.Expr, list[str]]:
    """The municipal_stats band of each age label; the bands the ages cannot form."""
    intervals = _intervals(frame, age, path)
    mapping: dict[str, str | None] = {}
    unavailable = []
    for column, lo, hi in AGE_BANDS:
        inside = [
            (label, iv) for label, iv in intervals.items()
            if iv[0] >= lo and (hi is None or (iv[1] is not None and iv[1] <= hi))
        ]
        crossing = [
            label for label, (a, b) in intervals.items()
            if (label, (a, b)) not in inside
            and (hi is None or a <= hi) and (b is None or b >= lo)
        ]
        if crossing or not _covers([iv for _, iv in inside], lo, hi):
            unavailable.append(column)
        for label, _ in inside:
            mapping[label] = column
    return pl.col(age).replace_strict(mapping, default=None, return_dtype=pl.String), unavailable


def _education_classes(
    frame: pl.DataFrame, education: str, age: str | None, title: str, path: str
) -> pl.Expr:
    levels: dict[str, str] = {}
    for label, row in frame.group_by(education).agg(pl.col("_row").min()).iter_rows():
        level = _level(label)
        if level is None:
            raise InputError(
                f"unknown education level {label!r}; expected SCB's levels, e.g. "
                "'eftergymnasial utbildning, 3 år eller mer', 'forskarutbildning', "
                "'uppgift om utbildningsnivå saknas'",
                file=path, row=row, column=education,
            )
        levels[label] = level
    band = pl.col(education).replace_strict(levels, default=None, return_dtype=pl.String)
    lo, hi = EDUCATION_AGES
    if age is None:
        if "25-64" not in title.replace("\u2013", "-"):
            raise InputError(
                "an education table without an age dimension must be for ages 25-64 (its "
                f"title says {title!r}); download it with ålder, or for 25-64 år",
                file=path,
            )
        return band
    intervals = _intervals(frame, age, path)
    inside = {
        label for label, (a, b) in intervals.items() if a >= lo and b is not None and b <= hi
    }
    crossing = [
        label for label, (a, b) in intervals.items()
        if label not in inside and a <= hi and (b is None or b >= lo)
    ]
    if crossing or not _covers([intervals[label] for label in inside], lo, hi):
        raise InputError(
            f"the ages 25-64 cannot be formed from the file's age bands "
            f"({', '.join(map(repr, crossing or sorted(intervals)))}); download single years "
            "or bands that start at 25 and end at 64",
            file=path, column=age,
        )
    return pl.when(pl.col(age).is_in(sorted(inside))).then(band)


def _held_whole(table: ScbTable) -> pl.DataFrame:
    """(municipality_code, year) pairs for which the table has every cell it should:
    one per combination of the values its other dimensions take in the file."""
    frame = table.frame.filter(pl.col("region_kind") == "municipality", pl.col("band").is_not_null())
    dims = [c for c in frame.columns if c not in (
        "region_label", "region_kind", "municipality_code", "band", "year", "value", "_row")]
    expected = 1
    for dim in dims:
        expected *= frame.get_column(dim).n_unique()
    counts = frame.group_by("municipality_code", "year").agg(
        pl.len().alias("cells"), pl.col("region_label").first()
    )
    return counts.with_columns(whole=pl.col("cells") == expected)


def _strict_sum(expr: pl.Expr) -> pl.Expr:
    """Sum that is null when any part is null (a total is unknown if a part is)."""
    return pl.when(expr.null_count() == 0).then(expr.sum())


def _table_counts(table: ScbTable) -> pl.DataFrame:
    """One table's counts: municipality_code, year, column, value (null = missing)."""
    whole = _held_whole(table)
    incomplete = whole.filter(~pl.col("whole"))
    if incomplete.height:
        names = incomplete.get_column("region_label").unique(maintain_order=True).to_list()
        table.warnings.append(
            f"{len(names)} municipality(ies) not held whole (cells missing: a cut or partial "
            f"download?), their counts left missing: {', '.join(map(repr, names[:3]))}"
            + (" ..." if len(names) > 3 else "")
        )
    cells = table.frame.filter(pl.col("region_kind") == "municipality", pl.col("band").is_not_null())
    key = ["municipality_code", "year"]
    if table.kind == "population":
        per_band = cells.group_by(*key, "band").agg(value=_strict_sum(pl.col("value")))
        columns = [c for c, _, _ in AGE_BANDS]
        grid = whole.select(*key, "whole").join(pl.DataFrame({"band": columns}), how="cross")
        counts = grid.join(per_band, on=[*key, "band"], how="left").with_columns(
            value=pl.when(pl.col("whole") & ~pl.col("band").is_in(table.unavailable))
            .then(pl.col("value"))
        )
        return counts.select(*key, pl.col("band").alias("column"), pl.col("value").cast(pl.Int64))
    totals = cells.group_by(key).agg(
        pop_25_64_educated=_strict_sum(pl.col("value")),
        post_secondary_3y_25_64=_strict_sum(pl.col("value").filter(pl.col("band") == _LEVEL_3Y_PLUS)),
    )
    counts = whole.select(*key, "whole").join(totals, on=key, how="left").unpivot(
        index=[*key, "whole"], variable_name="column", value_name="value"
    )
    return counts.select(
        *key, "column", pl.when(pl.col("whole")).then(pl.col("value")).cast(pl.Int64).alias("value")
    )


def municipal_stats_from_scb(tables: list[ScbTable]) -> tuple[pl.DataFrame, dict[str, int]]:
    """Turn SCB population and education tables into the municipal_stats table.

    One row per municipality and year: persons by age band (31 December), their
    total, the population aged 25-64 by education level (``pop_25_64_educated``, all
    levels including "uppgift saknas"), those with post-secondary education of 3
    years or more (UKÄ's "högutbildade" threshold) and their share. A count is null
    when SCB reports ``..`` for a part of it, when the file's ages cannot form its
    band, or when the file does not hold the municipality whole; ``pop_total`` is
    null when any band is.

    Returns
    -------
    frame, skipped
        The table, and the number of cells of regions that are not municipalities:
        ``country``, ``county`` and ``nuts``.

    Raises
    ------
    InputError
        When two tables give different values for the same municipality, year and
        column.
    """
    skipped = {"country": 0, "county": 0, "nuts": 0}
    parts = []
    for table in tables:
        for kind, n in table.frame.group_by("region_kind").len().iter_rows():
            if kind in skipped:
                skipped[kind] += n
        parts.append(_table_counts(table).with_columns(file=pl.lit(table.file)))
    key = ["municipality_code", "year"]
    schema = {"municipality_code": pl.String, "year": pl.Int32, "column": pl.String,
              "value": pl.Int64, "file": pl.String}
    long = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
    conflicts = (
        long.filter(pl.col("value").is_not_null())
        .group_by([*key, "column"])
        .agg(pl.col("value").n_unique().alias("values"), pl.col("file").unique().sort())
        .filter(pl.col("values") > 1)
    )
    if conflicts.height:
        first = conflicts.sort(key).row(0, named=True)
        raise InputError(
            f"{' and '.join(first['file'])} give different values for municipality "
            f"{first['municipality_code']}, {first['year']}, {first['column']}; keep one "
            "of the overlapping tables",
            file=first["file"][0],
            column=str(first["year"]),
        )
    merged = long.group_by([*key, "column"]).agg(pl.col("value").drop_nulls().first())
    counts = [c for c in MUNICIPAL_STATS_COUNTS if c != "pop_total"]
    wide = merged.pivot("column", index=key, values="value") if merged.height else pl.DataFrame(
        schema={"municipality_code": pl.String, "year": pl.Int32}
    )
    wide = wide.with_columns(pl.lit(None, pl.Int64).alias(c) for c in counts if c not in wide.columns)
    bands = [c for c, _, _ in AGE_BANDS]
    any_missing = pl.any_horizontal(pl.col(c).is_null() for c in bands)
    stats = wide.with_columns(
        pl.col("year").cast(pl.Int32),
        *(pl.col(c).cast(pl.Int64) for c in counts),
        pop_total=pl.when(~any_missing).then(pl.sum_horizontal(bands)).cast(pl.Int64),
    ).with_columns(
        post_secondary_3y_share_25_64=pl.col("post_secondary_3y_25_64").cast(pl.Float64)
        / pl.col("pop_25_64_educated")
    )
    return stats.select(MUNICIPAL_STATS_COLUMNS).sort(key), skipped
