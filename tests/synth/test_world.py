"""The synthetic demo world: files, determinism, shapes, planted defects and truth.

Raw files are re-read here with the plain csv module and openpyxl (not with the
project's readers), so that a defect count in truth.json is checked against what a
person would find in the files.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime
from functools import cache
from pathlib import Path

import openpyxl
import pytest

from lcanalysis import geo
from lcanalysis.identity import InvalidPersonalNumber, parse_personal_number
from lcanalysis.synth import SOURCES, generate_demo_world, write_registrations_export

TODAY = date(2026, 11, 1)
SCALE = 0.3


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return generate_demo_world(tmp_path_factory.mktemp("demo"), seed=7, scale=SCALE, today=TODAY)


def _rows(path: Path, encoding: str, sep: str) -> list[dict[str, str]]:
    text = path.read_bytes().decode(encoding)
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=sep))


def _xlsx_rows(path: Path) -> list[dict[str, str]]:
    sheet = openpyxl.load_workbook(path, read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    header = values[2]
    return [{h: ("" if v is None else str(v)) for h, v in zip(header, row, strict=True)} for row in values[3:]]


def _source_rows(root: Path, source: str) -> list[dict[str, str]]:
    folder = root / source
    if source == "registrations":
        return [r for f in sorted(folder.glob("*.csv")) for r in _rows(f, "cp1252", ";")]
    if source == "results":
        return _rows(folder / "ladok_resultat.csv", "utf-8-sig", ",")
    if source == "applications":
        return _rows(folder / "antagning_2015_2026.tsv", "utf-8", "\t")
    if source == "survey":
        return _rows(folder / "enkat_studenter.csv", "utf-8", ";")
    if source == "followups":
        return [r for f in sorted(folder.glob("*.csv")) for r in _rows(f, "utf-8", ",")]
    if source == "activities":
        return _rows(folder / "aktiviteter.csv", "cp1252", ";")
    if source == "participants":
        rows = [r for f in sorted(folder.glob("*.xlsx")) for r in _xlsx_rows(f)]
        return rows + [r for f in sorted(folder.glob("*.csv")) for r in _rows(f, "utf-8", ",")]
    raise AssertionError(source)


PNR_COLUMN = {"registrations": "Personnummer", "results": "Personal number",
              "applications": "Personnr", "survey": "Personnummer", "followups": "Personnummer",
              "activities": "Personnummer", "participants": "Personnummer"}
CREDITS_COLUMN = {"registrations": "Omfattning hp", "results": "Credits"}
DATE_COLUMN = {"results": "Examination date", "followups": "Uppföljningsdatum", "activities": "Datum"}
MUNICIPALITY_COLUMN = {"applications": "Hemkommun", "followups": "Folkbokföringskommun"}


# A file repeats a person's number and a date on many rows: each text is parsed once
# (the parsed number is a frozen dataclass), which keeps the defect counts below
# from parsing 240,000 numbers one by one.
@cache
def _pnr(text: str):
    try:
        return parse_personal_number(text, on=TODAY)
    except InvalidPersonalNumber:
        return None


@cache
def _date_ok(text: str) -> bool:
    for fmt in ("%Y-%m-%d", "%d/%m %Y"):
        try:
            datetime.strptime(text, fmt)
            return True
        except ValueError:
            continue
    return False


def test_every_source_folder_and_marker_written(demo):
    for source in SOURCES:
        files = [p for p in (demo.root / source).iterdir() if p.is_file()]
        assert files, source
    marker = json.loads(demo.marker_path.read_text())
    assert marker == {"synthetic": True, "generator": "lcanalysis.synth", "seed": 7, "scale": SCALE, "version": 1}
    truth = json.loads(demo.truth_path.read_text())
    assert truth["synthetic"] is True and truth["seed"] == 7
    assert len(list((demo.root / "participants").glob("*.xlsx"))) == 7


def test_same_seed_gives_identical_files_and_another_seed_differs(tmp_path):
    def files(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    a = files(generate_demo_world(tmp_path / "a", seed=3, scale=0.05, today=TODAY).root)
    b = files(generate_demo_world(tmp_path / "b", seed=3, scale=0.05, today=TODAY).root)
    c = files(generate_demo_world(tmp_path / "c", seed=4, scale=0.05, today=TODAY).root)
    assert a == b
    assert a.keys() == c.keys()
    assert a["registrations/ladok_registreringar_2020.csv"] != c["registrations/ladok_registreringar_2020.csv"]


def test_municipal_stats_cover_290_municipalities_and_12_years(demo):
    for name, encoding_check in (("scb_folkmangd_alder.csv", "ålder"), ("scb_utbildningsniva.csv", "utbildningsnivå")):
        raw = (demo.root / "municipal_stats" / name).read_bytes()
        lines = raw.decode("latin-1").splitlines()
        assert lines[0].startswith('"') and lines[1] == ""
        rows = list(csv.reader(lines[2:], delimiter=";"))
        header = rows[0]
        assert header[:2] == ["region", encoding_check]
        assert header[2:] == [str(y) for y in range(2015, 2027)]
        muni = [r for r in rows[1:] if re.fullmatch(r"\d{4} .+", r[0])]
        codes = {r[0][:4] for r in muni}
        assert codes == set(geo.municipalities()["municipality_code"])
        assert len(muni) == 290 * (6 if "folk" in name else 5)
        assert any(r[0] == "00 Riket" for r in rows) and any(r[0] == "01 Stockholms län" for r in rows)
        assert sum(cell == ".." for r in muni for cell in r[2:]) == 4
    pop = demo.world.municipal_stats.with_columns(
        total=sum(demo.world.municipal_stats[c] for c in demo.world.municipal_stats.columns if c.startswith("pop_")))
    last = pop.filter(pop["year"] == 2026)
    assert 10.2e6 < last["total"].sum() < 10.9e6
    sthlm = int(last.filter(last["municipality_code"] == "0180")["total"][0])
    assert 950_000 < sthlm < 1_020_000
    assert 2_000 < last["total"].min() < 3_000


@pytest.mark.parametrize("source", [s for s in SOURCES if s != "municipal_stats"])
def test_planted_defects_are_in_the_files_in_the_counted_number(demo, source):
    rows = _source_rows(demo.root, source)
    truth = demo.truth["defects"]
    expected = truth.get(source, {})
    parsed = [_pnr(r[PNR_COLUMN[source]]) for r in rows]
    assert sum(p is None for p in parsed) == expected.get("invalid_personal_number", 0)
    assert sum(p is not None and p.kind == "interim" for p in parsed) == demo.truth["interim_numbers"][source]
    if source in CREDITS_COLUMN:
        negative = sum(float(r[CREDITS_COLUMN[source]].replace(",", ".")) < 0 for r in rows)
        assert negative == expected.get("invalid_credits", 0)
    if source in DATE_COLUMN:
        bad = sum(not _date_ok(r[DATE_COLUMN[source]]) for r in rows)
        assert bad == expected.get("invalid_date", 0)
    if source in MUNICIPALITY_COLUMN:
        unresolved = sum(geo.resolve_municipality(r[MUNICIPALITY_COLUMN[source]]) is None for r in rows)
        assert unresolved == expected.get("unknown_municipality", 0)
    lines = [tuple(r.values()) for r in rows]
    assert len(lines) - len(set(lines)) == truth["duplicates"].get(source, 0)
    assert len(rows) == demo.truth["counts"]["raw_rows"][source]


def test_every_source_has_some_defect_and_interim_numbers(demo):
    planted = {s for s, c in demo.truth["defects"].items() if s != "duplicates" and sum(c.values()) > 0}
    assert planted == {"registrations", "results", "applications", "participants", "survey", "followups",
                       "activities"}
    assert demo.truth["interim_numbers"]["registrations"] > 0


def test_harmless_municipality_spellings_resolve(demo):
    rows = _source_rows(demo.root, "applications")
    munis = geo.municipalities()
    plain = set(munis["municipality_code"]) | set(munis["name"]) | set(munis["official_name"]) | {
        f"{c} {n}" for c, n in zip(munis["municipality_code"], munis["name"], strict=True)}
    odd = [r["Hemkommun"] for r in rows if r["Hemkommun"] not in plain
           and geo.resolve_municipality(r["Hemkommun"]) is not None]
    assert len(odd) == demo.truth["harmless_municipality_variants"]["applications"] > 0
    assert any(re.fullmatch(r"[a-z-]+", v) and "-" in v for v in odd) or any(
        v != v.encode("ascii", "ignore").decode() for v in odd) or any(v.isdigit() for v in odd)


def _learning_centre_persons(root: Path) -> tuple[set[str], set[str]]:
    lc, campus = set(), set()
    for r in _source_rows(root, "registrations"):
        p = _pnr(r["Personnummer"])
        if p is not None:
            (lc if r["Studieform"] == "Lärcentrum" else campus).add(p.normalized)
    return lc, campus - lc


def test_learning_centre_students_are_older_and_more_often_first_generation(demo):
    lc, campus = _learning_centre_persons(demo.root)
    assert lc and campus

    def mean_birth_year(ids: set[str]) -> float:
        return sum(int(i[:4]) for i in ids) / len(ids)

    assert mean_birth_year(campus) - mean_birth_year(lc) > 8
    fg = demo.truth["first_generation_share"]
    assert fg["learning_centre"]["generating_probability"] > fg["campus"]["generating_probability"] + 0.2
    assert fg["learning_centre"]["realised_students"]["share"] > fg["campus"]["realised_students"]["share"]
    ages = demo.truth["students_by_route"]
    assert 30 < ages["learning_centre"]["mean_age_at_application"] < 40


def test_survey_first_generation_share_matches_truth_exactly(demo):
    lc, campus = _learning_centre_persons(demo.root)
    high = {"Eftergymnasial utbildning, 3 år eller mer", "Forskarutbildning"}
    counts = {"learning_centre": [0, 0], "campus": [0, 0]}
    for r in _source_rows(demo.root, "survey"):
        p = _pnr(r["Personnummer"])
        level = r["Föräldrarnas högsta utbildning"]
        if p is None or level in ("", "Vet ej"):
            continue
        route = "learning_centre" if p.normalized in lc else "campus" if p.normalized in campus else None
        assert route is not None
        counts[route][0] += level not in high
        counts[route][1] += 1
    for route, (num, den) in counts.items():
        known = demo.truth["first_generation_share"][route]["realised_survey_known"]
        assert (known["numerator"], known["denominator"]) == (num, den)


def test_truth_records_the_pilot_and_every_faggian_type(demo):
    truth = demo.truth
    effect = truth["pilot_effect_applicants_per_10k"]
    assert effect["generating"] == pytest.approx(8.0 * SCALE)
    assert effect["pilot_applicants"] > 0
    assert truth["treated_municipalities"]["0188"] == {"first_treated_year": 2024, "centre": "norrtalje"}
    assert truth["treated_municipalities"]["2361"]["first_treated_year"] == 2026
    types = truth["faggian_types"]["3y"]["campus"]["municipality"]
    assert all(n > 0 for n in types.values()), types
    stay = truth["stay_in_home_region_share"]["1y"]
    assert stay["learning_centre"]["municipality"]["share"] > stay["campus"]["municipality"]["share"]
    perf = truth["performance_rate"]["all_terms"]["campus"]["rate"]
    assert 0.75 < perf < 0.9


def test_no_name_outside_the_participant_lists(demo):
    names = {r["Namn"] for r in _source_rows(demo.root, "participants")}
    assert names
    for source in ("registrations", "results", "applications", "survey", "followups", "activities"):
        text = " ".join(" ".join(r.values()) for r in _source_rows(demo.root, source))
        assert not any(name in text for name in list(names)[:50]), source


def test_registrations_export_has_exact_rows_in_cp1252(tmp_path):
    path = write_registrations_export(tmp_path / "bench.csv", 1_003, seed=5)
    raw = path.read_bytes()
    text = raw.decode("cp1252")
    assert "Lärcentrum".encode("cp1252") in raw
    lines = text.split("\r\n")
    assert lines[-1] == "" and len(lines) - 2 == 1_003
    rows = list(csv.reader(lines[1:-1], delimiter=";"))
    assert lines[0].split(";")[:4] == ["Personnummer", "Kurskod", "Termin", "Omfattning hp"]
    assert all(len(r) == 8 for r in rows)
    assert all("," in r[3] and "." not in r[3] for r in rows)
    assert all(_pnr(r[0]) is not None for r in rows)
    assert len({(r[0], r[1], r[2]) for r in rows}) == len(rows)
    again = write_registrations_export(tmp_path / "again.csv", 1_003, seed=5).read_bytes()
    other = write_registrations_export(tmp_path / "other.csv", 1_003, seed=6).read_bytes()
    assert again == raw and other != raw


def test_registrations_export_counts_rows_across_chunks(tmp_path):
    path = write_registrations_export(tmp_path / "big.csv", 250_003, seed=1)
    assert path.read_bytes().count(b"\r\n") == 250_004
