import csv
import datetime
import io

import polars as pl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from lcanalysis.errors import InputError
from lcanalysis.ingest import (
    detect_encoding,
    detect_separator,
    list_source_files,
    read,
    read_raw_file,
)
from lcanalysis.ingest.columns import SourceColumns
from tests.fixtures.examples import examples

HEADER = ["Personnummer", "Kurskod", "Termin", "Registrerade hp", "Övrigt"]
ROWS = [
    ["19900101-1234", "SF1625", "HT2024", "7,5", "Åsa"],
    ["199102022345", "DD1310 ; kväll", "VT2025", "", 'sa "hej"'],
    ["  19920303-3456 ", "ME1003", "HT2024", "15", "rad 1\nrad 2"],
    ["19930404-4567", "SF1624", "HT2024", "7,5", "Örjan"],
]
EXPECTED = pl.DataFrame(
    {
        "personal_number": ["19900101-1234", "199102022345", "19920303-3456", "19930404-4567"],
        "course_code": ["SF1625", "DD1310 ; kväll", "ME1003", "SF1624"],
        "term": ["HT2024", "VT2025", "HT2024", "HT2024"],
        "credits_registered": ["7,5", None, "15", "7,5"],
        "_row": [2, 3, 4, 6],
    }
)


def write_csv(path, rows, encoding, separator, lineterminator="\r\n"):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=separator, lineterminator=lineterminator).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1"])
@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_every_encoding_and_separator(tmp_path, registrations, encoding, separator):
    path = tmp_path / "reg.csv"
    write_csv(path, [HEADER, *ROWS], encoding, separator)
    table = read_raw_file(path, "registrations", registrations)
    assert_frame_equal(table.frame, EXPECTED)
    assert table.separator == separator
    assert table.encoding == {"latin-1": "cp1252"}.get(encoding, encoding)
    assert table.dropped_columns == ["Övrigt"]
    assert any("Övrigt" in w for w in table.warnings)


def test_latin1_only_bytes_are_detected(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a;b\n\x81;\xe5\n")
    assert detect_encoding(path) == "latin-1"


def test_late_non_utf8_byte_is_found(tmp_path):
    path = tmp_path / "late.csv"
    path.write_bytes(b"a;b\n" + b"x;y\n" * 2_000_000 + "å;ö\n".encode("cp1252"))
    assert detect_encoding(path) == "cp1252"


def test_a_latin1_byte_after_the_sample_rereads_the_file_as_latin1(tmp_path, registrations):
    # The reader takes a non-UTF-8 file as Windows-1252 and checks the rest while it
    # transcodes: 0x81 (undefined in Windows-1252) on the last line makes it Latin-1.
    body = "198112189876;SF1625;HT2024;7,5\n" * 20_000  # 620 KB, past the 256 KB sample
    path = tmp_path / "late-latin1.csv"
    path.write_bytes(
        "Personnummer;Kurskod;Termin;Registrerade hp\n".encode("latin-1")
        + body.encode("latin-1")
        + b"198112189876;\x81\xc5;HT2024;7,5\n"
    )
    table = read_raw_file(path, "registrations", registrations)
    assert table.encoding == "latin-1"
    assert table.frame.height == 20_001
    assert table.frame["course_code"][-1] == "\u0081\u00c5"
    assert table.frame["_row"][-1] == 20_002


def test_a_windows1252_file_reads_every_letter(tmp_path, registrations):
    # Bytes 0x80-0x9F are letters in Windows-1252 (the euro sign, curly quotes).
    path = tmp_path / "cp.csv"
    path.write_bytes(
        "Personnummer;Kurskod;Termin;Registrerade hp\n198112189876;\u20acÅ\u201d;HT2024;7,5\n".encode("cp1252")
    )
    table = read_raw_file(path, "registrations", registrations)
    assert table.encoding == "cp1252"
    assert table.frame["course_code"].to_list() == ["\u20acÅ\u201d"]


def test_multibyte_characters_across_chunk_boundaries(tmp_path, monkeypatch):
    from lcanalysis.ingest import detect

    monkeypatch.setattr(detect, "CHUNK_BYTES", 3)
    path = tmp_path / "u.csv"
    path.write_bytes("aåäö;€ö\n".encode())
    assert detect_encoding(path) == "utf-8"


def test_decimal_comma_does_not_make_a_semicolon_file_comma_separated():
    sample = "pnr;kurs;termin;hp\n" + "1;SF1;HT2024;7,5\n" * 30
    assert detect_separator(sample) == ";"


def test_title_rows_above_the_header_are_skipped(tmp_path, registrations):
    path = tmp_path / "reg.csv"
    write_csv(path, [["Registreringar HT2024"], [], HEADER[:4], ROWS[0][:4]], "utf-8", ";")
    table = read_raw_file(path, "registrations", registrations)
    assert table.skipped_title_rows == 2
    assert table.frame["_row"].to_list() == [4]


def test_blank_lines_are_skipped_and_rows_still_count_lines(tmp_path, registrations):
    path = tmp_path / "reg.csv"
    path.write_text("pnr;kurskod;termin;hp\n\n1;A;HT2024;7\n;;;\n2;B;HT2024;7\n", encoding="utf-8")
    table = read_raw_file(path, "registrations", registrations)
    assert table.frame["_row"].to_list() == [3, 5]
    assert "2 blank line(s) skipped" in table.warnings


def test_truncated_last_line_gives_nulls(tmp_path, registrations):
    path = tmp_path / "reg.csv"
    path.write_text("pnr;kurskod;termin;hp\n1;A;HT2024;7\n2;B", encoding="utf-8")
    frame = read_raw_file(path, "registrations", registrations).frame
    assert frame.row(1) == ("2", "B", None, None, 3)


def test_too_many_fields_names_the_line(tmp_path, registrations):
    path = tmp_path / "reg.csv"
    path.write_text('pnr;kurskod;termin;hp\n1;A;HT2024;7\n"2\n";B;HT2024;7,5;x\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"reg\.csv, row 3: 5 fields but the header has 4"):
        read_raw_file(path, "registrations", registrations)


def test_unclosed_quote_names_the_line(tmp_path, registrations):
    path = tmp_path / "reg.csv"
    path.write_text(
        'pnr;kurskod;termin;hp\n1;A;HT2024;7\n"2;B;HT2024;7\n3;C;VT2025;7\n', encoding="utf-8"
    )
    with pytest.raises(
        InputError, match=r"row 3: a quoted cell starting on this line is never closed"
    ):
        read_raw_file(path, "registrations", registrations)


def test_empty_and_header_only_files_have_zero_rows(tmp_path, registrations):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    table = read_raw_file(empty, "registrations", registrations)
    assert table.frame.height == 0
    assert table.warnings == ["file is empty: no header, no rows"]
    header_only = tmp_path / "header.csv"
    header_only.write_text("pnr;kurskod;termin;hp\r\n", encoding="utf-8")
    frame = read_raw_file(header_only, "registrations", registrations).frame
    assert frame.height == 0
    assert frame.columns == ["personal_number", "course_code", "term", "credits_registered", "_row"]


def test_binary_garbage_is_not_a_text_file(tmp_path, registrations):
    path = tmp_path / "x.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00garbage")
    with pytest.raises(InputError, match="x.csv: not a text file"):
        read_raw_file(path, "registrations", registrations)


def test_missing_required_column_in_a_file(tmp_path, registrations):
    path = tmp_path / "reg.csv"
    path.write_text("Personnumer;Kurskod;Termin;HP\n1;A;HT2024;7\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_raw_file(path, "registrations", registrations)
    assert str(err.value).startswith(f"{path}, row 1, column 'personal_number': missing required")
    assert "'Personnumer'" in str(err.value)


def test_duplicate_headers_are_an_error(tmp_path, registrations):
    path = tmp_path / "reg.csv"
    path.write_text("pnr;kurskod;termin;hp;HP\n1;A;HT2024;7;7\n", encoding="utf-8")
    with pytest.raises(InputError, match="headers 'hp' and 'HP' both mean"):
        read_raw_file(path, "registrations", registrations)


CELL = st.text(
    alphabet=st.sampled_from(list("abcÅÄÖåäö é;,\t\"'\n 0123456789-€")), min_size=0, max_size=12
)


@settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(CELL, min_size=4, max_size=4), min_size=1, max_size=8),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    separator=st.sampled_from([";", ",", "\t"]),
    transcode_bytes=st.sampled_from([None, 1, 5, 23]),
)
# Found by this test: cells full of the other separators and line breaks once made the
# shape-based guess pick the wrong separator; the header decides now.
@example(rows=[["", "", ";\n", ";,"], ["", "", ";\n", ";,"]], encoding="utf-8", separator=",", transcode_bytes=None)
@example(rows=[["", ",,", "\n", ",,;"], ["", ",,", "\n", ";,,"]], encoding="utf-8", separator=";", transcode_bytes=None)
def test_any_table_of_text_cells_reads_back(
    tmp_path, registrations, rows, encoding, separator, transcode_bytes
):
    # transcode_bytes: a Windows-1252 file is transcoded and parsed piece by piece
    # (cut between records, outside quotes); tiny pieces cut it everywhere.
    path = tmp_path / f"prop-{encoding}.csv"
    write_csv(path, [HEADER[:4], *rows], encoding, separator, lineterminator="\n")
    with pytest.MonkeyPatch.context() as patch:
        if transcode_bytes:
            patch.setattr(read, "TRANSCODE_BYTES", transcode_bytes)
        table = read_raw_file(path, "registrations", registrations)

    def tidy(cell):
        return cell.strip() or None

    kept = [r for r in rows if any(tidy(c) for c in r)]
    expected_rows, line = [], 2
    for row in rows:
        if any(tidy(c) for c in row):
            expected_rows.append(line)
        line += 1 + sum(c.count("\n") for c in row)
    assert table.frame.drop("_row").rows() == [tuple(tidy(c) for c in r) for r in kept]
    assert table.frame["_row"].to_list() == expected_rows


def write_workbook(path):
    workbook = xlsxwriter.Workbook(path)
    workbook.add_worksheet("Info").write(0, 0, "Se bladet Data")
    sheet = workbook.add_worksheet("Data")
    sheet.write(0, 0, "Kursregistreringar KTH lärcentrum")
    sheet.write_row(2, 0, ["Personnummer", "KURSKOD", "termin", "HP", "Registrerad"])
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(3, 0, [199001011234, "SF1625", "HT2024", 7.5])
    sheet.write_datetime(3, 4, datetime.datetime(2024, 9, 2), date)
    sheet.write_row(4, 0, ["19910202-2345", "SF1624", "VT2025", 15])
    sheet.write_row(6, 0, ["19920303-3456", " ME1003 ", "HT2024", 7])
    sheet.merge_range(2, 5, 2, 6, "Kommentar")
    sheet.write(4, 6, "under sammanslagen rubrik")
    workbook.close()


def test_xlsx_title_rows_named_sheet_numbers_and_dates(tmp_path, registrations):
    path = tmp_path / "reg.xlsx"
    write_workbook(path)
    table = read_raw_file(path, "registrations", registrations, sheet="Data")
    expected = pl.DataFrame(
        {
            "personal_number": ["199001011234", "19910202-2345", "19920303-3456"],
            "course_code": ["SF1625", "SF1624", "ME1003"],
            "term": ["HT2024", "VT2025", "HT2024"],
            "credits_registered": ["7.5", "15", "7"],
            "_row": [4, 5, 7],
        }
    )
    assert_frame_equal(table.frame, expected)
    assert table.skipped_title_rows == 2
    assert table.dropped_columns == ["Registrerad", "Kommentar", "column G"]
    assert any("header cell G3 is empty" in w for w in table.warnings)


def test_xlsx_missing_sheet_lists_the_sheets(tmp_path, registrations):
    path = tmp_path / "reg.xlsx"
    write_workbook(path)
    with pytest.raises(
        InputError, match="sheet 'Blad1' not found; the workbook has 'Info', 'Data'"
    ):
        read_raw_file(path, "registrations", registrations, sheet="Blad1")


def test_xlsx_first_sheet_without_header_is_missing_columns(tmp_path, registrations):
    path = tmp_path / "reg.xlsx"
    write_workbook(path)
    with pytest.raises(InputError, match="missing required column"):
        read_raw_file(path, "registrations", registrations)


def test_xlsx_dates_become_iso_text(tmp_path):
    spec = SourceColumns(
        source="activities",
        aliases={"personal_number": ("pnr",), "date": ("datum",)},
        required=("personal_number", "date"),
    )
    path = tmp_path / "act.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["pnr", "datum"])
    sheet.write(1, 0, "1")
    sheet.write_datetime(
        1, 1, datetime.datetime(2024, 9, 2), workbook.add_format({"num_format": "d/m yyyy"})
    )
    workbook.close()
    assert read_raw_file(path, "activities", spec).frame["date"].to_list() == ["2024-09-02"]


def test_list_source_files(tmp_path):
    for name in [
        "b.CSV",
        "a.xlsx",
        "c.tsv",
        "d.txt",
        "notes.pdf",
        ".hidden.csv",
        "~$a.xlsx",
        "README.md",
    ]:
        (tmp_path / "registrations" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "registrations" / name).write_text("x")
    (tmp_path / "results").mkdir()
    (tmp_path / "unknown_source").mkdir()
    found = list_source_files(tmp_path)
    assert {s: [p.name for p in ps] for s, ps in found.files.items()} == {
        "registrations": ["a.xlsx", "b.CSV", "c.tsv", "d.txt"],
        "results": [],
    }
    assert [p.name for p in found.skipped] == ["notes.pdf"]


@pytest.mark.parametrize("pad", [" ", "\t", "\u00a0", "\u2007", "\u202f", "\u3000"])
def test_cells_padded_with_any_unicode_space_are_stripped(tmp_path, registrations, pad):
    # Only columns with a padded cell are stripped (found with the regex \s, which in
    # polars is Unicode White_Space, the set strip_chars() removes).
    path = tmp_path / "pad.csv"
    path.write_text(
        "Personnummer;Kurskod;Termin;Registrerade hp\n"
        f"198112189876;{pad}SF1625{pad};HT2024;7,5\n"
        f"198112189876;SF1624;{pad};7,5\n",
        encoding="utf-8",
    )
    frame = read_raw_file(path, "registrations", registrations).frame
    assert frame["course_code"].to_list() == ["SF1625", "SF1624"]
    assert frame["term"].to_list() == ["HT2024", None]
    assert frame["personal_number"].to_list() == ["198112189876"] * 2
