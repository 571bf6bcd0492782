"""The privacy gate: silent on a clean run, and catches what is planted in every format.

Each planted value is one of the messy fixture's people (tests/fixtures/messy_raw.py):
Anna Andersson, 811218-9876. Every finding must be redacted: the full number or
name never appears in what the gate prints.
"""

from __future__ import annotations

import json
import shutil

import matplotlib
import nbformat
import polars as pl
import pytest
import xlsxwriter

from lcanalysis import privacy
from tests.fixtures.cli import run_cli

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NUMBER = "811218-9876"
SECRETS = ("8112189876", "198112189876", "Anna Andersson", "Andersson")


@pytest.fixture(scope="module")
def names(messy_cleaned):
    raw, _ = messy_cleaned
    return privacy.names_from_raw(raw)


def kinds(findings) -> list[tuple[str, str]]:
    return [(f.kind, f.location) for f in findings]


def assert_redacted(findings) -> None:
    for finding in findings:
        flat = str(finding).replace("-", "")
        for secret in SECRETS:
            assert secret not in flat, finding


def test_names_come_from_the_participant_list(names):
    # Full names, and last names of >= 4 letters; "Berg" is too short to stand alone.
    assert names == {"Anna Andersson", "Andersson", "Bertil Berg", "Cecilia Ceder", "Ceder"}


def test_a_clean_processed_folder_has_no_findings(messy_cleaned, names):
    _, out = messy_cleaned
    assert privacy.scan([out], names=names) == []


def test_identity_number_in_a_notebook_output(tmp_path, names):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("df.head()")
    cell.outputs = [nbformat.v4.new_output("stream", text=f"first row: {NUMBER}\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("# Effect"), cell]
    path = tmp_path / "effect.ipynb"
    nbformat.write(nb, path)
    findings = privacy.scan([path], names=names)
    assert kinds(findings) == [("identity_number", "cell 2 output 1")]
    assert findings[0].excerpt == "811218-****"
    assert_redacted(findings)


def test_identity_number_in_a_notebook_source(tmp_path, names):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"person = '{NUMBER}'")]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    assert kinds(privacy.scan([path], names=names)) == [("identity_number", "cell 1 source")]


def test_pseudonym_column_in_a_notebook_output(tmp_path, names):
    ids = ["3f2a" + "0" * 27 + str(i) for i in range(3)]
    nb = nbformat.v4.new_notebook()
    table = nbformat.v4.new_code_cell("persons")
    table.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "\n".join(ids)})]
    checksum = nbformat.v4.new_code_cell("md5(file)")
    checksum.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": ids[0]})]
    nb.cells = [table, checksum]
    path = tmp_path / "rows.ipynb"
    nbformat.write(nb, path)
    findings = privacy.scan([path], names=names)
    # Three ids are a column; one hex string alone (a checksum) is not.
    assert kinds(findings) == [("pseudonym_column", "cell 1 output 1")]
    assert ids[0] not in str(findings[0])


def test_identity_number_in_a_png_text_chunk(tmp_path, names):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    path = tmp_path / "fig.png"
    fig.savefig(path, metadata={"Description": f"made from 19{NUMBER}"})
    plt.close(fig)
    findings = privacy.scan([path], names=names)
    assert kinds(findings) == [("identity_number", "chunk tEXt Description")]
    assert findings[0].excerpt == "19811218-****"
    assert_redacted(findings)


def test_identity_number_and_name_in_an_svg(tmp_path, names):
    # Text drawn as paths is still named in the SVG's comments, where the gate reads it.
    fig, ax = plt.subplots()
    ax.set_title(f"Anna Andersson {NUMBER}")
    path = tmp_path / "fig.svg"
    fig.savefig(path)
    plt.close(fig)
    found = {f.kind for f in privacy.scan([path], names=names)}
    assert found == {"identity_number", "name"}
    assert_redacted(privacy.scan([path], names=names))


def test_identity_number_and_name_in_a_pdf(tmp_path, names):
    fig, ax = plt.subplots()
    ax.set_title("Cecilia Ceder")
    path = tmp_path / "fig.pdf"
    fig.savefig(path, metadata={"Title": f"pnr {NUMBER}"})
    plt.close(fig)
    findings = privacy.scan([path], names=names)
    assert ("identity_number", "Info /Title") in kinds(findings)
    assert ("name", "page 1") in kinds(findings)
    assert_redacted(findings)


def test_identity_number_in_a_csv_line(tmp_path, names):
    path = tmp_path / "export.csv"
    path.write_text("term,value\nHT2024,1\nHT2024,198112189876\n", encoding="utf-8")
    findings = privacy.scan([path], names=names)
    assert kinds(findings) == [("identity_number", "line 3")]
    assert_redacted(findings)


def test_identity_number_in_an_xlsx_cell(tmp_path, names):
    path = tmp_path / "table.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Resultat")
    sheet.write_string(0, 0, "term")
    sheet.write_string(2, 1, "8112189876")
    book.close()
    findings = privacy.scan([path], names=names)
    assert kinds(findings) == [("identity_number", "Resultat!B3")]
    assert_redacted(findings)


def test_identity_number_in_a_parquet_cell(tmp_path, names):
    path = tmp_path / "t.parquet"
    pl.DataFrame({"note": ["ok", "ok", f"pnr {NUMBER}"], "n": [1, 2, 3]}).write_parquet(path)
    findings = privacy.scan([path], names=names)
    assert kinds(findings) == [("identity_number", "column 'note' row 3")]
    assert_redacted(findings)


def test_identity_number_stored_as_an_integer_in_parquet(tmp_path, names):
    path = tmp_path / "t.parquet"
    pl.DataFrame({"pnr": [198112189876]}).write_parquet(path)
    assert kinds(privacy.scan([path], names=names)) == [("identity_number", "column 'pnr' row 1")]


def test_a_raw_name_in_an_html_report(tmp_path, names):
    path = tmp_path / "report.html"
    path.write_text(
        "<html><body>\n<p>Quote from ANNA ANDERSSON</p>\n<td>Cecilia&nbsp;Ceder</td>\n"
        "<p>Annan text, Bergsjö och Anderssonska huset</p>\n</body></html>\n",
        encoding="utf-8",
    )
    findings = privacy.scan([path], names=names)
    assert kinds(findings) == [("name", "line 2"), ("name", "line 3")]
    assert findings[0].excerpt == "A*** A********"
    assert_redacted(findings)


def test_an_email_address(tmp_path, names):
    path = tmp_path / "notes.md"
    path.write_text("Contact: a.b.svensson@example.se for details\n", encoding="utf-8")
    findings = privacy.scan([path], names=names)
    assert kinds(findings) == [("email", "line 1")]
    assert findings[0].excerpt == "a***@***.se"


def test_a_small_count_in_an_exported_table(tmp_path, names):
    tables = tmp_path / "reports" / "run-1" / "tables"
    tables.mkdir(parents=True)
    (tables / "unsafe.csv").write_text(
        "region,count,suppressed,suppression_reason\nNorrtälje,3,false,\nGävle,12,false,\n",
        encoding="utf-8",
    )
    (tables / "safe.csv").write_text(
        "region,count,suppressed,suppression_reason\nNorrtälje,,true,small_count\nGävle,12,false,\n",
        encoding="utf-8",
    )
    # Tables without a declared layout are also refused by the intruder check
    # (tests/disclosure); here only the per-table rule is looked at.
    findings = [f for f in privacy.scan([tmp_path / "reports"], names=names)
                if "no_layout" not in f.excerpt]
    assert [(f.file.rsplit("/", 1)[-1], f.location, f.kind) for f in findings] == [
        ("unsafe.csv", "row 2 column 'count'", "disclosure")
    ]
    assert "small_count" in findings[0].excerpt


def test_what_is_not_an_identity_number(tmp_path, names):
    # A valid 12-digit personnummer inside a hex pseudonym, a wrong check digit, a
    # decimal fraction and a timestamp are not findings.
    hex_id = "ab198112189876" + "cd" * 9
    path = tmp_path / "not.txt"
    path.write_text(
        f"{hex_id}\n811218-9875\nrate 0.8112189876\nD:20251128134000\n", encoding="utf-8"
    )
    assert privacy.scan([path], names=names) == []


@pytest.mark.parametrize(
    ("written", "excerpt"),
    [
        ("701063-2391", "701063-****"),  # samordningsnummer
        ("19950412T123", "19950412-****"),  # Ladok interim number
        ("811218+9876", "811218+****"),  # aged 100 or more
        ("811218 9876", "811218 ****"),
    ],
)
def test_every_written_form_is_found(tmp_path, names, written, excerpt):
    path = tmp_path / "x.log"
    path.write_text(f"id={written}.\n", encoding="utf-8")
    assert [f.excerpt for f in privacy.scan([path], names=names)] == [excerpt]


def test_an_unreadable_file_is_a_finding(tmp_path, names):
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02" * 100)
    assert sorted(
        (f.file.rsplit("/", 1)[-1], f.kind) for f in privacy.scan([tmp_path], names=names)
    ) == [
        ("blob.bin", "unscanned"),
        ("broken.xlsx", "unscanned"),
    ]


def test_gate_scans_a_projects_outputs_with_its_raw_names(messy_cleaned, tmp_path):
    raw, out = messy_cleaned
    shutil.copytree(raw, tmp_path / "data" / "raw")
    shutil.copytree(out, tmp_path / "data" / "processed")
    assert privacy.gate(tmp_path) == []
    run = tmp_path / "reports" / "run-1"
    run.mkdir(parents=True)
    (run / "report.html").write_text("<p>Bertil Berg</p>\n", encoding="utf-8")
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "meta.json").write_text(json.dumps({"by": "Ceder"}), encoding="utf-8")
    assert [(f.kind, f.location) for f in privacy.gate(tmp_path)] == [
        ("name", "line 1"),
        ("name", "line 1"),
    ]


def test_check_command_exit_codes(messy_cleaned, tmp_path):
    raw, out = messy_cleaned
    clean = run_cli("check", str(out), "--raw", str(raw))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "No findings" in clean.stdout

    planted = tmp_path / "report.html"
    planted.write_text(f"<p>Anna Andersson, {NUMBER}</p>\n", encoding="utf-8")
    found = run_cli("check", str(out), str(planted), "--raw", str(raw))
    assert found.returncode == 1
    lines = found.stdout.strip().splitlines()
    assert len(lines) == 2 and all("report.html: line 1:" in line for line in lines)
    assert "8112189876" not in found.stdout.replace("-", "") and "Andersson" not in found.stdout
    assert "Traceback" not in found.stderr

    missing = run_cli("check", str(tmp_path / "nowhere"))
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr


def test_check_command_time_budget(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("nothing to find\n", encoding="utf-8")
    assert run_cli("check", str(notes), "--raw", str(tmp_path)).returncode == 0
    over = run_cli("check", str(notes), "--raw", str(tmp_path), "--seconds-per-file", "0",
                   "--seconds-per-mb", "0")
    assert over.returncode == 1
    assert f"{notes}: whole file: unscanned: could not be scanned in 0 s of CPU time" in over.stdout


def test_a_last_name_that_is_a_project_word_is_searched_only_in_full(tmp_path):
    raw = tmp_path / "raw" / "participants"
    raw.mkdir(parents=True)
    (raw / "list.csv").write_text(
        "Personnummer;Namn;Lärcentrum;Spår;Starttermin\n"
        "811218-9876;Eva Strand;Norrtälje;Basår;HT2024\n", encoding="utf-8")
    names = privacy.names_from_raw(tmp_path / "raw")
    assert names == {"Eva Strand"}  # "strand" is a column of the participants table
    report = tmp_path / "report.html"
    report.write_text("<h1>Strand (a): labs and internships</h1>\n<p>Eva Strand</p>\n",
                      encoding="utf-8")
    found = privacy.scan([report], names=names)
    assert [f.location for f in found] == ["line 2"]


def test_base64_images_in_html_are_decoded_not_read_as_digits(tmp_path, names):
    import base64

    # A harmless image whose base64 happens to contain a valid-looking number, and one
    # whose PNG text chunk really holds an identity number.
    harmless = "iVBORw0KGgo+5803300104/AAAA"
    leaky_png = (b"\x89PNG\r\n\x1a\n" + (9 + 11 + 4).to_bytes(4, "big") + b"tEXt"
                 + b"Description\x00" + NUMBER.encode() + b"\x00\x00\x00\x00")
    page = tmp_path / "report.html"
    page.write_text(
        f'<img src="data:image/png;base64,{harmless}">\n'
        f'<img src="data:image/png;base64,{base64.b64encode(leaky_png).decode()}">\n',
        encoding="utf-8",
    )
    found = privacy.scan([page], names=names)
    assert [f.location for f in found] == ["line 2 image chunk tEXt Description"]
    assert_redacted(found)
