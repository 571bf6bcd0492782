"""Tests of identity-number parsing, pseudonyms and key handling (lcanalysis.identity)."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal, assert_series_equal

from lcanalysis.errors import KeyMissingError
from lcanalysis.identity import (
    DEMO_KEY,
    REASONS,
    InvalidPersonalNumber,
    KeyFileError,
    PersonalNumber,
    generate_key,
    identify,
    is_demo_key,
    load_key,
    luhn_check_digit,
    parse_personal_number,
    parse_personal_numbers,
    pseudonymise,
    write_key,
)
from tests.fixtures.examples import examples

ON = date(2025, 1, 1)


# --- Luhn -----------------------------------------------------------------------------


def test_luhn_hand_checked() -> None:
    # 8 1 1 2 1 8 9 8 7 weighted 2 1 2 1 ...: 16->7, 1, 2, 2, 2, 8, 18->9, 8, 14->5 = 44 -> 6
    assert luhn_check_digit("811218987") == 6
    # 7 0 1 0 6 3 2 3 9: 14->5, 0, 2, 0, 12->3, 3, 4, 3, 18->9 = 29 -> 1
    assert luhn_check_digit("701063239") == 1
    # 0 0 0 2 2 9 1 2 3: 0, 0, 0, 2, 4, 9, 2, 2, 6 = 25 -> 5
    assert luhn_check_digit("000229123") == 5
    # sum already a multiple of ten: 0 0 0 0 0 0 0 0 0 -> 0
    assert luhn_check_digit("000000000") == 0


@pytest.mark.parametrize("bad", ["81121898", "8112189876", "81121898a", "８１１２１８９８７"])
def test_luhn_refuses_anything_but_nine_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        luhn_check_digit(bad)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 8), st.data())
def test_luhn_detects_every_single_digit_error(nine: str, position: int, data) -> None:
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != nine[position]]))
    changed = nine[:position] + wrong + nine[position + 1 :]
    assert luhn_check_digit(changed) != luhn_check_digit(nine)


# --- scalar parser: hand-checked examples ----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "811218-9876",
        "8112189876",
        "19811218-9876",
        "198112189876",
        "  811218-9876\t",
        "\u00a0811218-9876",
    ],
)
def test_skatteverket_example_in_every_form(text: str) -> None:
    assert parse_personal_number(text, on=ON) == PersonalNumber(
        normalized="198112189876", kind="personnummer", birth_date=date(1981, 12, 18), legal_sex="M"
    )


def test_samordningsnummer_day_plus_60() -> None:
    assert parse_personal_number("701063-2391", on=ON) == PersonalNumber(
        normalized="197010632391",
        kind="samordningsnummer",
        birth_date=date(1970, 10, 3),
        legal_sex="M",
    )


def test_legal_sex_is_parity_of_second_last_digit() -> None:
    # 850101-0022: birth number 002, even -> F; 16->7, 5, 0, 1, 0, 1, 0, 0, 2*2 = 18 -> 2
    assert parse_personal_number("850101-0022", on=ON).legal_sex == "F"
    assert parse_personal_number("811218-9876", on=ON).legal_sex == "M"


@pytest.mark.parametrize(
    ("text", "born"),
    [
        ("121212-1212", date(2012, 12, 12)),
        ("121212+1212", date(1912, 12, 12)),
        ("250101-1239", date(2025, 1, 1)),  # born on the reference day: this century
        ("250101+1239", date(1925, 1, 1)),  # turned 100 that day
        ("250102-1238", date(1925, 1, 2)),  # 2025-01-02 is after ON: previous century
        ("250102+1238", date(1825, 1, 2)),
        ("19250102-1238", date(1925, 1, 2)),
    ],
)
def test_century_from_separator_relative_to_on(text: str, born: date) -> None:
    assert parse_personal_number(text, on=ON).birth_date == born


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("000229-1235", None),  # 2000 is a leap year
        ("20000229-1235", None),
        ("000289-1232", None),  # samordningsnummer on a leap day
        ("000229+1235", "date"),  # 1900 is not
        ("19000229-1235", "date"),
        ("19000289-1232", "date"),
        ("20230229-1238", "date"),
        ("811318-9875", "date"),  # month 13
        ("811200-9876", "date"),  # day 0
        ("811232-9878", "date"),  # day 32
        ("811260-9873", "date"),  # neither a day nor a samordningsnummer day
        ("811292-9875", "date"),  # samordningsnummer day 32
        ("20300101-1232", "future_date"),
        ("20250102-1238", "future_date"),
        ("811218-9877", "check_digit"),
        ("701063-2390", "check_digit"),
        ("701061-2393", None),  # samordningsnummer days 61 and 91
        ("701091-2397", None),
        ("701092-2396", "date"),
        ("701031-2390", None),
        ("", "missing"),
        ("  \t", "missing"),
        ("811218-0008", "format"),  # birth number 000: never issued (check digit right)
        ("301225-0001", "format"),
        ("19811278-0005", "format"),  # nor in a samordningsnummer
        ("811218-0016", None),  # 001 is
        ("19900101-T000", None),  # an interim number's digits are not a birth number
        ("811218-987", "format"),
        ("1981121898760", "format"),
        ("19811218+9876", "format"),  # '+' only in the ten-digit form
        ("811218--9876", "format"),
        ("811218 9876", "format"),
        ("81121a-9876", "format"),
        ("811218/9876", "format"),
        ("８１１２１８-９８７６", "format"),  # full-width digits
        ("811218-9876\n1", "format"),
        ("19900101-1T23", "format"),
        ("19900101-TFF1", "format"),
        ("19900101-Ö123", "format"),
    ],
)
def test_validity(text: str, reason: str | None) -> None:
    if reason is None:
        parse_personal_number(text, on=ON)
    else:
        with pytest.raises(InvalidPersonalNumber) as caught:
            parse_personal_number(text, on=ON)
        assert caught.value.reason == reason


def test_error_messages_never_show_the_whole_number() -> None:
    for text in ["811218-9877", "19811318-9875", "20300101-1232", "8112189876x"]:
        with pytest.raises(InvalidPersonalNumber) as caught:
            parse_personal_number(text, on=ON)
        message = str(caught.value)
        assert text[-4:] not in message and text.replace("-", "") not in message
        assert len(message) > 20


def test_future_check_defaults_to_today() -> None:
    tomorrow = date.today() + timedelta(days=1)
    nine = tomorrow.strftime("%y%m%d") + "123"
    with pytest.raises(InvalidPersonalNumber) as caught:
        parse_personal_number(f"{tomorrow.year // 100}{nine}{luhn_check_digit(nine)}")
    assert caught.value.reason == "future_date"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19900101-T123", PersonalNumber("19900101T123", "interim", date(1990, 1, 1), "F")),
        ("900101t123", PersonalNumber("19900101T123", "interim", date(1990, 1, 1), "F")),
        ("19900101TF10", PersonalNumber("19900101TF10", "interim", date(1990, 1, 1), "M")),
        ("900101-r951", PersonalNumber("19900101R951", "interim", date(1990, 1, 1), "M")),
    ],
)
def test_interim_numbers(text: str, expected: PersonalNumber) -> None:
    assert parse_personal_number(text, on=ON) == expected


def test_interim_numbers_have_no_samordningsnummer_days() -> None:
    with pytest.raises(InvalidPersonalNumber) as caught:
        parse_personal_number("19900161-T123", on=ON)
    assert caught.value.reason == "date"


# --- scalar parser: properties ---------------------------------------------------------


@st.composite
def identity_numbers(draw) -> tuple[str, PersonalNumber, date]:
    """A valid number in one of its accepted spellings, what it means, and `on`."""
    on = draw(st.dates(date(1950, 1, 1), date(2150, 12, 31)))
    born = draw(st.dates(date(on.year - 150, 1, 1), on))
    edge = draw(st.sampled_from(["none", "first_of_month", "last_of_month", "on", "hundred"]))
    if edge == "first_of_month":
        born = born.replace(day=1)
    elif edge == "last_of_month":
        next_month = (born.replace(day=28) + timedelta(days=4)).replace(day=1)
        born = min(next_month - timedelta(days=1), on)
    elif edge == "on":
        born = on
    elif edge == "hundred" and not (on.month == 2 and on.day == 29):
        born = on.replace(year=on.year - 100)  # the hundredth birthday: '+' from today
    kind = draw(st.sampled_from(["personnummer", "samordningsnummer", "interim"]))
    birth_number = draw(st.integers(0 if kind == "interim" else 1, 999))  # 000 is never issued
    written_day = born.day + 60 if kind == "samordningsnummer" else born.day
    yymmdd = f"{born:%y%m}{written_day:02d}"
    if kind == "interim":
        letters = draw(st.sampled_from(["T", "t", "R"]))
        second = draw(st.sampled_from("0123456789ABFZ"))
        serial = f"{letters}{second}{birth_number % 100:02d}"
        sex_digit = birth_number % 100 // 10
    else:
        serial = f"{birth_number:03d}{luhn_check_digit(yymmdd + f'{birth_number:03d}')}"
        sex_digit = birth_number % 10
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    spellings = [
        f"{born.year // 100:02d}{yymmdd}{serial}",
        f"{born.year // 100:02d}{yymmdd}-{serial}",
    ]
    if age >= 100:
        spellings.append(f"{yymmdd}+{serial}")
    else:
        spellings += [f"{yymmdd}-{serial}", f"{yymmdd}{serial}"]
    text = draw(st.sampled_from(spellings))
    padded = draw(st.sampled_from(["{}", " {} ", "\t{}\n"])).format(text)
    meaning = PersonalNumber(
        normalized=f"{born.year:04d}{yymmdd[2:]}{serial.upper()}",
        kind=kind,
        birth_date=born,
        legal_sex="F" if sex_digit % 2 == 0 else "M",
    )
    return padded, meaning, on


@given(identity_numbers())
def test_every_spelling_parses_to_its_meaning(case) -> None:
    text, meaning, on = case
    assert parse_personal_number(text, on=on) == meaning


@given(identity_numbers(), st.integers(1, 9))
def test_a_wrong_check_digit_is_refused(case, shift: int) -> None:
    text, meaning, on = case
    text = text.strip()
    if meaning.kind == "interim":
        return
    corrupted = text[:-1] + str((int(text[-1]) + shift) % 10)
    with pytest.raises(InvalidPersonalNumber) as caught:
        parse_personal_number(corrupted, on=on)
    assert caught.value.reason == "check_digit"


@given(st.text())
def test_any_text_is_parsed_or_refused_with_a_reason(text: str) -> None:
    try:
        parse_personal_number(text, on=ON)
    except InvalidPersonalNumber as refused:
        assert refused.reason in REASONS


# --- vectorised parser -----------------------------------------------------------------


def _scalar_rows(values: list[str | None], on: date) -> pl.DataFrame:
    rows = []
    for value in values:
        try:
            parsed = parse_personal_number("" if value is None else value, on=on)
        except InvalidPersonalNumber as refused:
            rows.append((None, None, None, None, refused.reason))
        else:
            rows.append((parsed.normalized, parsed.kind, parsed.birth_date, parsed.legal_sex, None))
    return pl.DataFrame(
        rows,
        schema={
            "normalized": pl.String,
            "kind": pl.String,
            "birth_date": pl.Date,
            "legal_sex": pl.String,
            "error": pl.String,
        },
        orient="row",
    )


def _mutate(text: str, data) -> str:
    """A near miss: one character replaced, dropped or inserted."""
    position = data.draw(st.integers(0, len(text)))
    char = data.draw(st.sampled_from("0123456789-+ TtX\u00a0é"))
    how = data.draw(st.sampled_from(["replace", "drop", "insert"]))
    if how == "insert":
        return text[:position] + char + text[position:]
    end = position + 1
    return text[:position] + ("" if how == "drop" else char) + text[end:]


@settings(max_examples=examples(60), deadline=None)
@given(st.data())
def test_vectorised_agrees_with_scalar(data) -> None:
    _, _, on = data.draw(identity_numbers())
    values: list[str | None] = []
    for _ in range(data.draw(st.integers(0, 40))):
        source = data.draw(st.sampled_from(["valid", "near_miss", "text", "digits", "null"]))
        if source == "null":
            values.append(None)
        elif source == "text":
            values.append(data.draw(st.text(max_size=15)))
        elif source == "digits":
            values.append(data.draw(st.text(alphabet="0123456789-+Tt ", max_size=14)))
        else:
            text, _, _ = data.draw(identity_numbers())
            values.append(text if source == "valid" else _mutate(text, data))
    result = parse_personal_numbers(pl.Series("pnr", values, dtype=pl.String), on=on)
    assert_frame_equal(result, _scalar_rows(values, on))


def test_vectorised_hand_checked() -> None:
    values = pl.Series(["811218-9876", None, "701063-2391", "811218-9877", "19900101-T123", "x"])
    expected = pl.DataFrame(
        {
            "normalized": ["198112189876", None, "197010632391", None, "19900101T123", None],
            "kind": ["personnummer", None, "samordningsnummer", None, "interim", None],
            "birth_date": [
                date(1981, 12, 18),
                None,
                date(1970, 10, 3),
                None,
                date(1990, 1, 1),
                None,
            ],
            "legal_sex": ["M", None, "M", None, "F", None],
            "error": [None, "missing", None, "check_digit", None, "format"],
        }
    )
    assert_frame_equal(parse_personal_numbers(values, on=ON), expected)


def test_vectorised_agrees_on_every_hand_checked_case() -> None:
    cases = [
        text
        for test in (
            test_validity,
            test_century_from_separator_relative_to_on,
            test_interim_numbers,
        )
        for mark in test.pytestmark
        for text, _ in mark.args[1]
    ]
    assert len(cases) > 40
    assert_frame_equal(parse_personal_numbers(pl.Series(cases), on=ON), _scalar_rows(cases, ON))


def test_vectorised_empty_and_all_null() -> None:
    assert parse_personal_numbers(pl.Series([], dtype=pl.String), on=ON).shape == (0, 5)
    nulls = parse_personal_numbers(pl.Series([None, None]), on=ON)
    assert nulls["error"].to_list() == ["missing", "missing"]


def test_vectorised_refuses_numbers_read_as_integers() -> None:
    with pytest.raises(TypeError, match="leading zeros"):
        parse_personal_numbers(pl.Series([8112189876]), on=ON)


# --- pseudonyms ------------------------------------------------------------------------


def test_pseudonym_known_vector() -> None:
    expected = hmac.new(DEMO_KEY, b"198112189876", hashlib.sha256).hexdigest()[:32]
    assert expected == "832bcd00a10301b0133674496f479e77"
    ids = pseudonymise(pl.Series(["198112189876", None]), DEMO_KEY)
    assert ids.name == "person_id"
    assert ids.to_list() == [expected, None]


def test_pseudonym_with_a_key_longer_than_a_sha256_block() -> None:
    key = bytes(range(100))
    value = "19900101T123"
    expected = hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]
    assert pseudonymise(pl.Series([value]), key).to_list() == [expected]


def test_pseudonym_refuses_an_empty_key() -> None:
    with pytest.raises(ValueError):
        pseudonymise(pl.Series(["198112189876"]), b"")


@settings(max_examples=examples(50), deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.sampled_from(["198112189876", "197010632391"]), st.text())),
    st.binary(min_size=1, max_size=80),
)
def test_pseudonyms_are_hmac_and_keep_equality(values: list[str | None], key: bytes) -> None:
    ids = pseudonymise(pl.Series(values, dtype=pl.String), key).to_list()
    assert len(ids) == len(values)
    for value, person_id in zip(values, ids, strict=True):
        if value is None:
            assert person_id is None
        else:
            assert person_id == hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]
    pairs = {(v, i) for v, i in zip(values, ids, strict=True) if v is not None}
    assert len({v for v, _ in pairs}) == len({i for _, i in pairs}) == len(pairs)


@settings(max_examples=examples(50), deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.sampled_from(
                ["198112189876", "8112189876", " 811218-9876 ", "197010632391", "19900101T123",
                 "811218-9875", "", "   ", "20991231-0000"]
            ),
            st.text(max_size=14),
        ),
        max_size=30,
    )
)
def test_identify_is_parsing_then_pseudonymising(values: list[str | None]) -> None:
    # identify() parses and hashes each distinct value once, in a background thread:
    # row for row the same as the two public steps one after the other.
    series = pl.Series("pnr", values, dtype=pl.String)
    identified = identify(series, DEMO_KEY, on=ON)
    parsed = parse_personal_numbers(series, on=ON)
    assert_frame_equal(identified.parsed, parsed)
    assert_series_equal(identified.person_ids(), pseudonymise(parsed["normalized"], DEMO_KEY))


def test_identify_by_hand() -> None:
    identified = identify(pl.Series(["811218-9876", None, "198112189876", "811218-9875"]), DEMO_KEY, on=ON)
    assert identified.parsed["normalized"].to_list() == ["198112189876", None, "198112189876", None]
    assert identified.parsed["error"].to_list() == [None, "missing", None, "check_digit"]
    assert identified.person_ids().to_list() == [
        "832bcd00a10301b0133674496f479e77", None, "832bcd00a10301b0133674496f479e77", None
    ]


def test_identify_refuses_an_empty_key() -> None:
    with pytest.raises(ValueError):
        identify(pl.Series(["198112189876"]), b"", on=ON)


# --- keys ------------------------------------------------------------------------------


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """A project root and a home folder in tmp_path, and no key in the environment."""
    root, home = tmp_path / "project", tmp_path / "home"
    root.mkdir()
    home.mkdir()
    monkeypatch.setenv("LCANALYSIS_ROOT", str(root))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("LCANALYSIS_KEY", raising=False)
    return root, home


def test_demo_key() -> None:
    assert is_demo_key(DEMO_KEY)
    assert not is_demo_key(DEMO_KEY + b"x")
    assert not is_demo_key(bytes.fromhex(generate_key()))


def test_generate_key_is_64_random_hex() -> None:
    first, second = generate_key(), generate_key()
    assert len(first) == 64 and int(first, 16) >= 0
    assert first != second


def test_key_from_environment(elsewhere, monkeypatch) -> None:
    monkeypatch.setenv("LCANALYSIS_KEY", "00ff" * 8)
    assert load_key() == bytes([0, 255] * 8)


@pytest.mark.parametrize("bad", ["00ff" * 7 + "0f", "zz" * 16, "0" * 33])
def test_a_malformed_environment_key_is_refused_without_showing_it(
    elsewhere, monkeypatch, bad
) -> None:
    monkeypatch.setenv("LCANALYSIS_KEY", bad)
    with pytest.raises(KeyMissingError) as caught:
        load_key()
    assert bad not in str(caught.value)


def test_environment_wins_over_the_key_file(elsewhere, tmp_path, monkeypatch) -> None:
    key_file = write_key(tmp_path / "keys" / "key")
    monkeypatch.setenv("LCANALYSIS_KEY", "ab" * 16)
    assert load_key(key_file) == bytes([0xAB] * 16)


def test_write_then_load(elsewhere, tmp_path) -> None:
    key_file = write_key(tmp_path / "keys" / "key")
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    text = key_file.read_text()
    assert len(text.strip()) == 64
    assert load_key(key_file) == bytes.fromhex(text.strip())


def test_default_key_file_under_home(elsewhere) -> None:
    _, home = elsewhere
    with pytest.raises(KeyMissingError, match="lcanalysis keygen"):
        load_key()
    written = write_key(home / ".config" / "lcanalysis" / "key")
    assert load_key() == bytes.fromhex(written.read_text())


def test_missing_key_file_says_how_to_make_one(elsewhere, tmp_path) -> None:
    with pytest.raises(KeyMissingError, match="lcanalysis keygen"):
        load_key(tmp_path / "nowhere" / "key")


def test_key_file_inside_the_project_is_refused(elsewhere) -> None:
    root, _ = elsewhere
    (root / "secrets").mkdir()
    (root / "secrets" / "key").write_text("ab" * 32)
    with pytest.raises(KeyMissingError, match="inside the project"):
        load_key(root / "secrets" / "key")


def test_write_key_refuses_to_overwrite(elsewhere, tmp_path) -> None:
    key_file = write_key(tmp_path / "key")
    before = key_file.read_text()
    with pytest.raises(KeyFileError, match="already exists"):
        write_key(key_file)
    assert key_file.read_text() == before


def test_write_key_refuses_the_project_folder(elsewhere) -> None:
    root, _ = elsewhere
    with pytest.raises(KeyFileError, match="inside the project"):
        write_key(root / "key")
    assert not (root / "key").exists()
