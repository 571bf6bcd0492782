"""Separator detection on the shapes that fooled it once."""

from lcanalysis.ingest.detect import detect_separator


def test_comma_file_with_semicolons_and_line_breaks_in_quoted_cells():
    # Found by the round-trip property test: under ";" this splits into more
    # (narrower) consistent records than under ",", which explains more cells.
    text = 'personnummer,kurskod,termin,hp\r\n,,";\n",";,"\r\n,,";\n",";,"\r\n'
    assert detect_separator(text) == ","


def test_semicolon_file_with_decimal_commas_and_a_title_line():
    text = "Registreringar HT2024\nPersonnummer;Kurskod;Termin;hp\n811218-9876;SF1625;HT2024;7,5\n900101-1239;SF1625;HT2024;7,5\n"
    assert detect_separator(text) == ";"


def test_tab_file():
    text = "Personnr\tTermin\tKommun\n8112189876\tHT2024\tSolna, Sverige\n"
    assert detect_separator(text) == "\t"
