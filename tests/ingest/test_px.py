"""The PX reader: every cell lands on its labels (a round trip from a cube written as
the PX specification lays it out), and the real files' quirks."""

from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lcanalysis.errors import InputError
from lcanalysis.ingest.px import read_px
from tests.fixtures.examples import examples

LABELS = st.text(alphabet="abcdefåäö ÅÄÖ-", min_size=1, max_size=8).map(str.strip).filter(bool)


def _px(stub, heading, values, cells, *, symbols=()):
    def quoted(items):
        return ",".join(f'"{v}"' for v in items)

    lines = ['CHARSET="ANSI";', 'TITLE="Folkmängd efter test";',
             f"STUB={quoted(stub)};", f"HEADING={quoted(heading)};"]
    for variable in (*stub, *heading):
        lines.append(f'VALUES("{variable}")={quoted(values[variable])};')
    lines.append(f'TIMEVAL("år")=TLIST(A1),{quoted(values["år"])};')
    data = [f'"{c}"' if c in symbols else str(c) for c in cells]
    lines.append("DATA=")
    lines += [" ".join(data[i:i + 5]) for i in range(0, len(data), 5)]
    return ("\r\n".join(lines) + ";\r\n").encode("cp1252")


@given(
    regions=st.lists(LABELS, min_size=1, max_size=3, unique=True),
    sexes=st.lists(LABELS, min_size=1, max_size=2, unique=True),
    years=st.lists(st.integers(1990, 2030).map(str), min_size=1, max_size=3, unique=True),
    year_in_stub=st.booleans(),
)
@settings(max_examples=examples(60), deadline=None)
def test_round_trip(tmp_path_factory, regions, sexes, years, year_in_stub):
    values = {"region": regions, "kön": sexes, "år": years}
    stub, heading = (["region", "år"], ["kön"]) if year_in_stub else (["region"], ["år", "kön"])
    order = [*stub, *heading]
    combos = list(product(*(values[v] for v in order)))
    cells = list(range(1, len(combos) + 1))
    path = tmp_path_factory.mktemp("px") / "t.px"
    path.write_bytes(_px(stub, heading, values, cells))
    cube = read_px(path)
    got = {(r["region"], r["kön"], r["year"]): r["value"] for r in cube.frame.iter_rows(named=True)}
    expected = {}
    for combo, cell in zip(combos, cells, strict=True):
        named = dict(zip(order, combo, strict=True))
        expected[(named["region"], named["kön"], int(named["år"]))] = float(cell)
    assert got == expected


def test_symbols_continued_strings_and_other_languages(tmp_path):
    text = "\r\n".join([
        'CHARSET="ANSI";', 'LANGUAGES="sv","en";', 'TITLE="Folkmängd; efter region";',
        'TITLE[en]="Population";', 'NOTE="en lång "', '"anteckning";',
        'STUB="region";', 'HEADING="år";', 'VALUES("region")="Upplands Väsby",', '"Vallentuna";',
        'VALUES[en]("region")="X","Y";', 'VALUES("år")="2023";', 'CODES("region")="0114","0115";',
        'DATA=', '".." 5;',
    ])
    path = tmp_path / "t.px"
    path.write_bytes(text.encode("cp1252"))
    cube = read_px(path)
    assert cube.frame.select("region", "value").rows() == [("Upplands Väsby", None), ("Vallentuna", 5.0)]
    assert cube.codes == {"region": {"Upplands Väsby": "0114", "Vallentuna": "0115"}}
    assert cube.title.startswith("Folkmängd; efter region")


def test_wrong_number_of_cells(tmp_path):
    path = tmp_path / "t.px"
    path.write_bytes(b'STUB="region";HEADING="\xe5r";VALUES("region")="a","b";VALUES("\xe5r")="2023";DATA=1;')
    with pytest.raises(InputError, match=r"PX DATA has 1 cells but the variables give 2 \(2 x 1\)"):
        read_px(path)
