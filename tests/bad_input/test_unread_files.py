"""A file in a source folder is read or refused: never skipped with exit 0."""

import pytest
from typer.testing import CliRunner

from lcanalysis.cli import app

GOOD = "Personnummer;Kurskod;Termin;hp\n19900101-1239;SF1625;HT2024;7,5\n"


@pytest.mark.parametrize(
    ("name", "what"),
    [("notes.pdf", "a .pdf"), ("BE0101N1.px", "a .px"), ("answers.json", "a .json"),
     ("older", "a folder"), ("LÄSMIG", "a file without an ending")],
)
def test_an_unreadable_file_beside_a_good_one_is_refused(tmp_path, name, what):
    folder = tmp_path / "raw" / "registrations"
    folder.mkdir(parents=True)
    (folder / "r.csv").write_text(GOOD, encoding="utf-8")
    if name == "older":
        (folder / name).mkdir()
    else:
        (folder / name).write_bytes(b"%PDF-1.4\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["clean", "--raw", str(tmp_path / "raw"), "--out", str(out),
                                      "--today", "2025-06-01"], env={"LCANALYSIS_KEY": "ef" * 32})
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert name in line and f"{what} in a source folder, which no reader reads" in line
    assert not out.exists()


def test_readme_hidden_and_lock_files_are_ignored(tmp_path):
    folder = tmp_path / "raw" / "registrations"
    folder.mkdir(parents=True)
    (folder / "r.csv").write_text(GOOD, encoding="utf-8")
    for name in ("README.md", ".DS_Store", "~$r.xlsx"):
        (folder / name).write_bytes(b"x")
    result = CliRunner().invoke(app, ["clean", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out"),
                                      "--today", "2025-06-01"], env={"LCANALYSIS_KEY": "ef" * 32})
    assert result.exit_code == 0, result.output
