"""Writing the world as messy raw exports, the way the real ones arrive.

Every source gets the encoding, separator, headers and value spellings of the
system it imitates (docs/synthetic-world.md lists them); identity numbers and
municipalities are written in several forms within one file; defects and
duplicates are planted through :mod:`lcanalysis.synth.defects`. Everything is
deterministic: same world and Generator, byte-identical files.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from lcanalysis import geo
from lcanalysis.synth import defects
from lcanalysis.synth.calendar import term_name_expr
from lcanalysis.synth.parameters import (
    AGE_BANDS,
    CURRICULA,
    EDU_COLUMNS,
    EDUCATION_LEVELS,
    POP_COLUMNS,
    SURVEY_ITEMS,
)
from lcanalysis.synth.world import World

REGISTRATION_HEADERS: tuple[str, ...] = (
    "Personnummer", "Kurskod", "Termin", "Omfattning hp", "Programkod", "Studieform",
    "Lärcentrum", "Registreringsdatum",
)
_MODE_TEXT = {"campus": "Campus", "learning_centre": "Lärcentrum", "distance": "Distans"}
_STRAND_TEXT = {"foundation_year": "Tekniskt basår", "industry_labs": "Labb och praktik",
                "shared_course": "Gemensam digital kurs"}
# Identity-number forms: 0 YYYYMMDDNNNC, 1 YYYYMMDD-NNNC, 2 YYMMDDNNNC, 3 YYMMDD-NNNC.
_PNR_STYLES = {
    "registrations": (0.1, 0.9, 0.0, 0.0), "results": (0.0, 0.0, 0.3, 0.7),
    "applications": (0.8, 0.2, 0.0, 0.0), "participants": (0.2, 0.2, 0.3, 0.3),
    "survey": (0.25, 0.25, 0.25, 0.25), "followups": (1.0, 0.0, 0.0, 0.0),
    "activities": (0.0, 0.5, 0.0, 0.5),
}
# Municipality forms: code, code without leading zero, "0180 Stockholm", short name,
# official name, name without Swedish letters, lower case with hyphens.
MUNICIPALITY_STYLES: tuple[str, ...] = (
    "code", "code_no_zero", "scb_label", "name", "official_name", "ascii", "lower_hyphen",
)
_HOME_STYLE_P = (0.37, 0.01, 0.2, 0.3, 0.08, 0.02, 0.02)


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def municipality_variants(munis: pl.DataFrame) -> pl.DataFrame:
    """Every written form of every municipality that :func:`geo.resolve_municipality`
    resolves back to it; a form that would not (``"Habo"`` for Håbo) falls back to
    the code. Columns: ``code``, ``style`` (index in :data:`MUNICIPALITY_STYLES`),
    ``text``."""
    rows = []
    for code, name, official in munis.select("municipality_code", "name", "official_name").rows():
        forms = (code, code.lstrip("0"), f"{code} {name}", name, official, _fold(name),
                 name.lower().replace(" ", "-"))
        for style, text in enumerate(forms):
            rows.append((code, style, text if geo.resolve_municipality(text) == code else code))
    return pl.DataFrame(rows, schema=["code", "style", "text"], orient="row")


def _styles(rng: np.random.Generator, n: int, probs: tuple[float, ...]) -> pl.Series:
    return pl.Series(rng.choice(len(probs), n, p=np.array(probs) / sum(probs)), dtype=pl.Int64)


def pnr_text(pnr: pl.Expr, style: pl.Expr) -> pl.Expr:
    """An identity number written in form ``style`` (see ``_PNR_STYLES``)."""
    return (
        pl.when(style == 0).then(pnr)
        .when(style == 1).then(pnr.str.slice(0, 8) + "-" + pnr.str.slice(8))
        .when(style == 2).then(pnr.str.slice(2))
        .otherwise(pnr.str.slice(2, 6) + "-" + pnr.str.slice(8))
    )


def term_text(idx: pl.Expr, form: str) -> pl.Expr:
    """Term index written as ``HT2024`` (canonical), ``HT 2024`` (spaced), ``Höst 2024``
    (word) or ``20242`` (Ladok period code)."""
    year = (idx // 2).cast(pl.String)
    ht = idx % 2 == 1
    if form == "canonical":
        return term_name_expr(idx)
    if form == "spaced":
        return pl.when(ht).then(pl.lit("HT ")).otherwise(pl.lit("VT ")) + year
    if form == "word":
        return pl.when(ht).then(pl.lit("Höst ")).otherwise(pl.lit("Vår ")) + year
    return year + pl.when(ht).then(pl.lit("2")).otherwise(pl.lit("1"))


def _decimal_comma(x: pl.Expr) -> pl.Expr:
    """Credits or hours with a decimal comma and one decimal (``7,5``, ``15,0``)."""
    return x.round(1).cast(pl.String).str.replace(r"\.", ",").str.replace(r"^(-?\d+)$", "$1,0")


def _date_text(d: pl.Expr, bad: pl.Expr, form: str) -> pl.Expr:
    """A date as ``2024-09-02`` (iso) or ``2/9 2024`` (dm); planted impossible dates
    (ISO text in ``bad``) are written in the same form."""
    if form == "iso":
        return pl.coalesce(bad, d.dt.strftime("%Y-%m-%d"))
    good = pl.concat_str([d.dt.day().cast(pl.String), pl.lit("/"), d.dt.month().cast(pl.String),
                          pl.lit(" "), d.dt.year().cast(pl.String)])
    parts = bad.str.split("-")
    spoilt = pl.concat_str([parts.list.get(2).cast(pl.Int32).cast(pl.String), pl.lit("/"),
                            parts.list.get(1).cast(pl.Int32).cast(pl.String), pl.lit(" "),
                            parts.list.get(0)])
    return pl.when(bad.is_not_null()).then(spoilt).otherwise(good)


def _muni_text(frame: pl.DataFrame, variants: pl.DataFrame, code_col: str, style: pl.Series,
               out: str) -> pl.DataFrame:
    joined = frame.with_columns(_style=style).join(
        variants, left_on=[code_col, "_style"], right_on=["code", "style"], how="left",
        maintain_order="left")
    return joined.rename({"text": out}).drop("_style")


def _write_text(df: pl.DataFrame, path: Path, *, sep: str, encoding: str, bom: bool = False,
                crlf: bool = False, title: tuple[str, ...] = ()) -> None:
    terminator = "\r\n" if crlf else "\n"
    body = df.write_csv(separator=sep, line_terminator=terminator, quote_style="necessary")
    text = "".join(t + terminator for t in title) + body
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def _finish(rng: np.random.Generator, source: str, formatted: pl.DataFrame) -> tuple[pl.DataFrame, int, int]:
    """Add the source's duplicates and shuffle the rows; returns the frame, the number
    of duplicates and the number of rows carrying an interim number."""
    with_dups, n_dup = defects.add_duplicates(rng, source, formatted)
    shuffled = with_dups[rng.permutation(len(with_dups))]
    interim = int(shuffled["pnr"].str.slice(8, 1).eq("T").sum())
    return shuffled, n_dup, interim


# -- sources ------------------------------------------------------------------------

def _centre_names(world: World) -> dict[str, str]:
    return {cid: c.name for cid, c in world.centres.items()}


def _persons(world: World, frame: pl.DataFrame) -> pl.DataFrame:
    return frame.join(world.persons.select("person", "pnr", "id_kind"), on="person",
                      maintain_order="left")


_PNR_OK = pl.col("id_kind") != "interim"


def write_registrations(world: World, out: Path, rng: np.random.Generator) -> dict:
    """Ladok registrations: Windows-1252, ``;``, CRLF, decimal comma, one file per
    year; terms as ``Höst 2016`` (2015-2018), ``HT2019`` (2019-2022) or the Ladok code
    ``20232`` (2023 on)."""
    regs = _persons(world, world.registrations)
    planted, counts = defects.plant(rng, "registrations", regs, pnr_ok=_PNR_OK)
    year = pl.col("term_idx") // 2
    form = pl.when(year <= 2018).then(term_text(pl.col("term_idx"), "word")).when(year <= 2022).then(
        term_text(pl.col("term_idx"), "canonical")).otherwise(term_text(pl.col("term_idx"), "ladok"))
    formatted = planted.with_columns(_style=_styles(rng, len(planted), _PNR_STYLES["registrations"])).select(
        "pnr", "defect", _year=year,
        Personnummer=pnr_text(pl.col("pnr"), pl.col("_style")),
        Kurskod=pl.col("course_code"),
        Termin=form,
        **{"Omfattning hp": _decimal_comma(pl.col("credits"))},
        Programkod=pl.col("programme_code"),
        Studieform=pl.col("delivery_mode").replace_strict(_MODE_TEXT),
        **{"Lärcentrum": pl.col("centre").replace_strict(_centre_names(world), default=None)},
        Registreringsdatum=pl.col("registered_on").dt.strftime("%Y-%m-%d"),
    )
    final, n_dup, interim = _finish(rng, "registrations", formatted)
    folder = out / "registrations"
    folder.mkdir(parents=True, exist_ok=True)
    for y in sorted(final["_year"].unique().to_list()):
        part = final.filter(pl.col("_year") == y).select(REGISTRATION_HEADERS)
        _write_text(part, folder / f"ladok_registreringar_{y}.csv", sep=";", encoding="cp1252", crlf=True)
    return {"defects": counts, "duplicates": n_dup, "interim": interim, "rows": len(final)}


def write_results(world: World, out: Path, rng: np.random.Generator) -> dict:
    """Ladok passed examinations: UTF-8 with BOM, ``,``, English-ish headers, ``4.5``."""
    res = _persons(world, world.results)
    planted, counts = defects.plant(rng, "results", res, pnr_ok=_PNR_OK)
    formatted = planted.with_columns(_style=_styles(rng, len(planted), _PNR_STYLES["results"])).select(
        "pnr", "defect",
        **{"Personal number": pnr_text(pl.col("pnr"), pl.col("_style")),
           "Course code": pl.col("course_code"), "Module code": pl.col("module_code"),
           "Credits": pl.col("credits").round(1).cast(pl.String),
           "Grade": pl.col("grade"),
           "Examination date": _date_text(pl.col("examined_on"), pl.col("bad_date"), "iso"),
           "Term": term_text(pl.col("term_idx"), "canonical")},
    )
    final, n_dup, interim = _finish(rng, "results", formatted)
    folder = out / "results"
    folder.mkdir(parents=True, exist_ok=True)
    _write_text(final.drop("pnr", "defect"), folder / "ladok_resultat.csv", sep=",", encoding="utf-8", bom=True)
    return {"defects": counts, "duplicates": n_dup, "interim": interim, "rows": len(final)}


def write_applications(world: World, out: Path, rng: np.random.Generator, variants: pl.DataFrame) -> dict:
    """Admissions: tab-separated UTF-8; home municipality in every written form."""
    apps = _persons(world, world.applications)
    planted, counts = defects.plant(rng, "applications", apps, pnr_ok=_PNR_OK)
    style = _styles(rng, len(planted), _HOME_STYLE_P)
    planted = _muni_text(planted, variants, "home_code", style, "_home")
    formatted = planted.with_columns(_style=_styles(rng, len(planted), _PNR_STYLES["applications"])).select(
        "pnr", "defect", "home_code",
        Personnr=pnr_text(pl.col("pnr"), pl.col("_style")),
        **{"Antagningsomgång": term_text(pl.col("term_idx"), "canonical"),
           "Anmälningskod": pl.col("programme_code"),
           "Prioritet": pl.col("priority").cast(pl.String),
           "Antagningsbesked": pl.col("status"),
           "Hemkommun": pl.coalesce("bad_municipality", "_home"),
           "Lärcentrum": pl.col("centre").replace_strict(_centre_names(world), default=None)},
    )
    final, n_dup, interim = _finish(rng, "applications", formatted)
    # Forms that look misspelt but resolve: anything but the code, the SCB label, the
    # short and the official name; counted over every written row (a row planted with
    # another defect, or duplicated, shows its municipality too), except the planted
    # unresolvable names.
    plain = variants.filter(pl.col("style").is_in([0, 2, 3, 4])).select(
        home_code="code", Hemkommun="text", _plain=pl.lit(True)).unique()
    variants_used = final.filter(pl.col("defect").fill_null("") != "unknown_municipality").join(
        plain, on=["home_code", "Hemkommun"], how="left")["_plain"].null_count()
    folder = out / "applications"
    folder.mkdir(parents=True, exist_ok=True)
    _write_text(final.drop("pnr", "defect", "home_code"), folder / "antagning_2015_2026.tsv",
                sep="\t", encoding="utf-8")
    return {"defects": counts, "duplicates": n_dup, "interim": interim, "rows": len(final),
            "harmless_variants": variants_used}


def write_participants(world: World, out: Path, rng: np.random.Generator, variants: pl.DataFrame) -> dict:
    """One XLSX per centre (title row, header on row 3); Härjedalen's list is a CSV."""
    import xlsxwriter

    parts = _persons(world, world.participants)
    planted, counts = defects.plant(rng, "participants", parts, pnr_ok=_PNR_OK)
    style = pl.Series(np.full(len(planted), 3), dtype=pl.Int64)
    planted = _muni_text(planted, variants, "employer_code", style, "_employer")
    formatted = planted.with_columns(_style=_styles(rng, len(planted), _PNR_STYLES["participants"])).select(
        "pnr", "defect", "centre",
        Namn=pl.col("name"),
        Personnummer=pnr_text(pl.col("pnr"), pl.col("_style")),
        **{"Lärcentrum": pl.col("centre").replace_strict(_centre_names(world)),
           "Spår": pl.col("strand").replace_strict(_STRAND_TEXT),
           "Starttermin": term_text(pl.col("start_term_idx"), "spaced"),
           "Förvärvsarbetar": pl.when(pl.col("employed")).then(pl.lit("Ja")).otherwise(pl.lit("Nej")),
           "Arbetsgivarens kommun": pl.col("_employer")},
    )
    final, _, interim = _finish(rng, "participants", formatted)
    folder = out / "participants"
    folder.mkdir(parents=True, exist_ok=True)
    extract = world.today - timedelta(days=31)
    headers = [c for c in final.columns if c not in ("pnr", "defect", "centre")]
    for cid, centre in world.centres.items():
        rows = final.filter(pl.col("centre") == cid).sort("Personnummer", "Spår")
        if cid == "harjedalen":
            csv_rows = rows.with_columns(
                pl.lit(cid).alias("Lärcentrum"),
                pl.col("Förvärvsarbetar").replace_strict({"Ja": "J", "Nej": "N"}),
            ).select(headers)
            _write_text(csv_rows, folder / f"deltagare_{cid}.csv", sep=",", encoding="utf-8")
            continue
        path = folder / f"deltagarlista_{cid}.xlsx"
        book = xlsxwriter.Workbook(str(path))
        book.set_properties({"created": datetime(extract.year, extract.month, extract.day)})
        sheet = book.add_worksheet("Deltagare")
        sheet.write(0, 0, f"Deltagarlista – {centre.name}, uttag {extract.isoformat()}")
        sheet.write_row(2, 0, headers)
        for r, values in enumerate(rows.select(headers).rows(), start=3):
            sheet.write_row(r, 0, ["" if v is None else v for v in values])
        book.close()
    return {"defects": counts, "duplicates": 0, "interim": interim, "rows": len(final)}


def write_survey(world: World, out: Path, rng: np.random.Generator) -> dict:
    """Survey, wide: ``;`` UTF-8, one column per item ``F1 ...`` (1-5, blank = no answer)."""
    survey = _persons(world, world.survey)
    planted, counts = defects.plant(rng, "survey", survey, pnr_ok=_PNR_OK)
    yes_no = {True: "Ja", False: "Nej"}
    formatted = planted.with_columns(_style=_styles(rng, len(planted), _PNR_STYLES["survey"])).select(
        "pnr", "defect",
        Personnummer=pnr_text(pl.col("pnr"), pl.col("_style")),
        **{"Enkätomgång": term_text(pl.col("survey_term_idx"), "canonical"),
           "Föräldrarnas högsta utbildning": pl.col("parental_text"),
           "Arbetar du": pl.col("employed").replace_strict(yes_no, return_dtype=pl.String),
           "Utländsk bakgrund": pl.col("foreign_background").replace_strict(yes_no, return_dtype=pl.String)},
        **{item: pl.col(f"f{i + 1}").cast(pl.String) for i, item in enumerate(SURVEY_ITEMS)},
    )
    final, _, interim = _finish(rng, "survey", formatted)
    folder = out / "survey"
    folder.mkdir(parents=True, exist_ok=True)
    _write_text(final.drop("pnr", "defect"), folder / "enkat_studenter.csv", sep=";", encoding="utf-8")
    return {"defects": counts, "duplicates": 0, "interim": interim, "rows": len(final)}


def write_followups(world: World, out: Path, rng: np.random.Generator, variants: pl.DataFrame) -> dict:
    """Follow-ups: ``,`` UTF-8, one file per horizon; municipalities as codes or SCB labels."""
    fol = _persons(world, world.followups)
    planted, counts = defects.plant(rng, "followups", fol, pnr_ok=_PNR_OK)
    probs = (0.6, 0.0, 0.4, 0.0, 0.0, 0.0, 0.0)
    planted = _muni_text(planted, variants, "residence_code", _styles(rng, len(planted), probs), "_res")
    planted = _muni_text(planted, variants, "work_code", _styles(rng, len(planted), probs), "_work")
    formatted = planted.with_columns(_style=_styles(rng, len(planted), _PNR_STYLES["followups"])).select(
        "pnr", "defect", "horizon",
        Personnummer=pnr_text(pl.col("pnr"), pl.col("_style")),
        **{"Uppföljningsdatum": _date_text(pl.col("observed_on"), pl.col("bad_date"), "iso"),
           "Folkbokföringskommun": pl.coalesce("bad_municipality", "_res"),
           "Arbetsställekommun": pl.col("_work"),
           "Förvärvsarbetande": pl.when(pl.col("employed")).then(pl.lit("1")).otherwise(pl.lit("0"))},
    )
    final, _, interim = _finish(rng, "followups", formatted)
    folder = out / "followups"
    folder.mkdir(parents=True, exist_ok=True)
    for horizon in (1, 3):
        part = final.filter(pl.col("horizon") == horizon).drop("pnr", "defect", "horizon")
        _write_text(part, folder / f"uppfoljning_{horizon}ar.csv", sep=",", encoding="utf-8")
    return {"defects": counts, "duplicates": 0, "interim": interim, "rows": len(final)}


def write_activities(world: World, out: Path, rng: np.random.Generator, variants: pl.DataFrame) -> dict:
    """Activities: ``;`` Windows-1252, dates as ``2/9 2024``, hours with decimal comma."""
    acts = _persons(world, world.activities)
    planted, counts = defects.plant(rng, "activities", acts, pnr_ok=_PNR_OK)
    planted = _muni_text(planted, variants, "host_code",
                         pl.Series(np.full(len(planted), 3), dtype=pl.Int64), "_host")
    formatted = planted.with_columns(_style=_styles(rng, len(planted), _PNR_STYLES["activities"])).select(
        "pnr", "defect",
        Personnummer=pnr_text(pl.col("pnr"), pl.col("_style")),
        Aktivitet=pl.col("activity_type"),
        Datum=_date_text(pl.col("date"), pl.col("bad_date"), "dm"),
        Kurskod=pl.col("course_code"),
        **{"Värdorganisation": pl.col("host_org"), "Värdkommun": pl.col("_host"),
           "Timmar": _decimal_comma(pl.col("hours")),
           "Genomförd": pl.when(pl.col("completed")).then(pl.lit("Ja")).otherwise(pl.lit("Nej"))},
    )
    final, n_dup, interim = _finish(rng, "activities", formatted)
    folder = out / "activities"
    folder.mkdir(parents=True, exist_ok=True)
    _write_text(final.drop("pnr", "defect"), folder / "aktiviteter.csv", sep=";", encoding="cp1252")
    return {"defects": counts, "duplicates": n_dup, "interim": interim, "rows": len(final)}


def write_municipal_stats(world: World, out: Path, rng: np.random.Generator, n_missing: int = 4) -> dict:
    """Two SCB "CSV with heading" files (Latin-1, ``;``): population by age band and
    education level of 25-64-year-olds, with Riket and county rows and ``..`` in
    ``n_missing`` municipality cells of each."""
    stats = world.municipal_stats
    munis = world.municipalities
    counties = geo.counties()
    years = [str(y) for y in world.years]
    folder = out / "municipal_stats"
    folder.mkdir(parents=True, exist_ok=True)
    missing: dict[str, list[dict]] = {}
    tables = (
        ("population", "ålder", POP_COLUMNS, [f"{b} år" for b in AGE_BANDS],
         "Folkmängden per region, ålder och år", "scb_folkmangd_alder.csv"),
        ("education", "utbildningsnivå", EDU_COLUMNS, list(EDUCATION_LEVELS),
         "Befolkning 25-64 år efter region, utbildningsnivå och år", "scb_utbildningsniva.csv"),
    )
    for kind, dim, cols, labels, title, filename in tables:
        long = stats.join(munis.select("municipality_code", "name", "county_code"), on="municipality_code")
        wide = {}
        for col, label in zip(cols, labels, strict=True):
            wide[label] = long.pivot(on="year", index=["municipality_code", "name", "county_code"],
                                     values=col, sort_columns=True)
        lines = [f'"{title}"', "", ";".join(f'"{h}"' for h in ["region", dim, *years])]
        muni_cells = [(code, label) for label in labels for code in munis["municipality_code"]]
        chosen = rng.choice(len(muni_cells) * len(years), n_missing, replace=False)
        holes = {(muni_cells[i // len(years)], years[i % len(years)]) for i in chosen}
        missing[kind] = sorted(
            ({"municipality_code": c, "band": lab, "year": int(y)} for (c, lab), y in holes),
            key=lambda d: (d["municipality_code"], d["band"], d["year"]))

        def row(region: str, label: str, values: list[int], code: str | None,
                holes: set = holes) -> str:
            cells = [".." if code is not None and ((code, label), y) in holes else str(v)
                     for y, v in zip(years, values, strict=True)]
            return ";".join([f'"{region}"', f'"{label}"', *cells])

        for label in labels:
            lines.append(row("00 Riket", label, [int(wide[label][y].sum()) for y in years], None))
        for ccode, cname in counties.select("county_code", "official_name").rows():
            for label in labels:
                part = wide[label].filter(pl.col("county_code") == ccode)
                lines.append(row(f"{ccode} {cname}", label, [int(part[y].sum()) for y in years], None))
            for label in labels:
                part = wide[label].filter(pl.col("county_code") == ccode).sort("municipality_code")
                for r in part.iter_rows(named=True):
                    lines.append(row(f"{r['municipality_code']} {r['name']}", label,
                                     [r[y] for y in years], r["municipality_code"]))
        (folder / filename).write_bytes(("\r\n".join(lines) + "\r\n").encode("latin-1"))
    return {"missing_cells": missing}


# -- benchmark export ---------------------------------------------------------------

_CHUNK_ROWS = 250_000
_BENCH_COURSES = np.array(sorted({c for terms in CURRICULA.values() for t in terms for c, _ in t}))
_BENCH_CREDITS = dict(sorted({c: cr for terms in CURRICULA.values() for t in terms for c, cr in t}.items()))
_BENCH_PROGRAMMES = np.array(["TBASA", "TIDAB", "TIELA", "TIMAS", "CDATE", "CELTE", "CMAST", "CSAMH", ""])


def _bench_chunk(seed: int, chunk: int, first_row: int, n: int) -> pl.DataFrame:
    """Rows ``first_row .. first_row + n`` of the benchmark export.

    Row ``i`` belongs to person ``i // 4`` (each person has four registrations, on
    distinct courses): person ``g`` is born ``1960-01-01 + g mod 16000`` days with
    birth number ``g // 16000``, so identity numbers are unique up to 16 million
    persons and no (person, course, term) key repeats.
    """
    rng = np.random.default_rng([seed, chunk])
    rows = np.arange(first_row, first_row + n, dtype=np.int64)
    person = rows // 4
    persons, inverse = np.unique(person, return_inverse=True)
    m = len(persons)
    birth = np.datetime64("1960-01-01") + (persons % 16_000).astype("timedelta64[D]")
    serial = persons // 16_000 + 1  # birth numbers from 001: 000 is never issued
    pnr = _bench_pnr(birth, serial)
    offset = rng.integers(0, len(_BENCH_COURSES), m)
    term = rng.integers(2015 * 2, 2026 * 2 + 2, m)
    course = _BENCH_COURSES[(offset[inverse] + (rows % 4) * 7) % len(_BENCH_COURSES)]
    programme = _BENCH_PROGRAMMES[rng.integers(0, len(_BENCH_PROGRAMMES), m)]
    mode = np.where(rng.random(m) < 0.97, "Campus", "Lärcentrum")
    frame = pl.DataFrame({"pnr": pnr[inverse], "course": course, "term": term[inverse],
                          "programme": programme[inverse], "mode": mode[inverse]})
    return frame.select(
        Personnummer=pl.col("pnr"),
        Kurskod=pl.col("course"),
        Termin=term_text(pl.col("term"), "canonical"),
        **{"Omfattning hp": _decimal_comma(pl.col("course").replace_strict(_BENCH_CREDITS))},
        Programkod=pl.col("programme"),
        Studieform=pl.col("mode"),
        **{"Lärcentrum": pl.when(pl.col("mode") == "Lärcentrum").then(pl.lit("Lärcentrum Norrtälje"))},
        Registreringsdatum=(pl.col("term") // 2).cast(pl.String)
        + pl.when(pl.col("term") % 2 == 1).then(pl.lit("-08-26")).otherwise(pl.lit("-01-15")),
    )


def _bench_pnr(birth: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """``YYYYMMDD-NNNC`` for given birth dates and birth numbers (Luhn check digit)."""
    from lcanalysis.synth.population import luhn_check_digits

    year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    month_start = birth.astype("datetime64[M]")
    month = month_start.astype(np.int64) % 12 + 1
    day = (birth - month_start.astype("datetime64[D]")).astype(np.int64) + 1
    yy = year % 100
    nine = np.stack([yy // 10, yy % 10, month // 10, month % 10, day // 10, day % 10,
                     serial // 100, serial // 10 % 10, serial % 10], axis=1)
    check = luhn_check_digits(nine)
    frame = pl.DataFrame({"y": year, "m": month, "d": day, "s": serial, "c": check})
    return frame.select(pl.concat_str([
        pl.col("y").cast(pl.String), pl.col("m").cast(pl.String).str.zfill(2),
        pl.col("d").cast(pl.String).str.zfill(2), pl.lit("-"),
        pl.col("s").cast(pl.String).str.zfill(3), pl.col("c").cast(pl.String),
    ])).to_series().to_numpy()


def write_registrations_export(path: Path, n_rows: int, *, seed: int = 1) -> Path:
    """Write a Ladok-like registrations export of exactly ``n_rows`` data rows.

    For benchmarks of the reader and cleaner: Windows-1252, ``;``, CRLF, decimal
    comma, the Swedish headers of :data:`REGISTRATION_HEADERS`, valid identity
    numbers (``YYYYMMDD-NNNC``) and unique (person, course, term) keys. Written in
    chunks of 250,000 rows, so memory does not grow with ``n_rows``; the same
    ``seed`` and ``n_rows`` give a byte-identical file.

    Parameters
    ----------
    path:
        File to write (its folder must exist).
    n_rows:
        Number of data rows after the header line.
    seed:
        Seed of the per-chunk Generators.

    Returns
    -------
    Path
        ``path``.
    """
    if n_rows < 0:
        raise ValueError("n_rows must be zero or more")
    with open(path, "wb") as fh:
        fh.write((";".join(REGISTRATION_HEADERS) + "\r\n").encode("cp1252"))
        for chunk, first in enumerate(range(0, n_rows, _CHUNK_ROWS)):
            part = _bench_chunk(seed, chunk, first, min(_CHUNK_ROWS, n_rows - first))
            body = part.write_csv(separator=";", line_terminator="\r\n", include_header=False,
                                  quote_style="necessary")
            fh.write(body.encode("cp1252"))
    return path

