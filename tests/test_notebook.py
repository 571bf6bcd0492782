"""The notebook glue: parameters checked at once, tables protected before they show."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from lcanalysis.clean import clean
from lcanalysis.notebook import ParameterError, start
from tests.fixtures.messy_raw import write_messy_raw


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    root = tmp_path_factory.mktemp("nb")
    clean(write_messy_raw(root / "raw"), root / "processed", key=b"k" * 32, today=date(2026, 11, 1))
    return root / "processed"


def test_every_bad_parameter_is_reported_at_once(tmp_path):
    with pytest.raises(ParameterError) as err:
        start("x", data_dir=str(tmp_path), lang="de", disclosure_policy="lax",
              region_scale="parish", comparison="some")
    text = str(err.value)
    for word in ("lang", "disclosure_policy", "region_scale", "comparison", "lcanalysis clean"):
        assert word in text


def test_tables_are_protected_before_they_are_shown_and_exported(processed, tmp_path, capsys):
    nb = start("x", data_dir=str(processed), lang="en", figures_dir=str(tmp_path / "f"),
               tables_dir=str(tmp_path / "t"))
    rates = pl.DataFrame({"route": ["campus", "learning_centre"], "numerator": [30, 3],
                          "denominator": [100, 40], "rate": [0.3, 0.075],
                          "ci_low": [0.2, 0.02], "ci_high": [0.4, 0.2]})
    html = nb.table("shares", rates, note="A share.").data
    # 3 of 40 is a small count: shown as its reason code, never as 3 or 7.5 %.
    assert "small_count" in html and "7.5" not in html and ">3<" not in html
    assert nb.tables["shares"]["suppressed"].to_list() == [False, True]
    nb.finish()
    assert (tmp_path / "t" / "shares.csv").is_file()
    assert "exported" in capsys.readouterr().out


def test_processing_tables_are_shown_but_not_exported(processed, tmp_path):
    nb = start("x", data_dir=str(processed), lang="sv", figures_dir=str(tmp_path / "f"))
    nb.table("accounting", pl.DataFrame({"file": ["a.csv"], "rows_in": [3]}), note="Rows.",
             statistics=False)
    assert nb.tables == {}
