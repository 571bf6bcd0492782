"""The attack over a run folder's exports, through the privacy gate's scan: a
leaky export is a finding, the protected one is not, and the run's disclosure log
is merged."""

from __future__ import annotations

import json

import polars as pl

from lcanalysis import disclosure as dc
from lcanalysis import privacy
from lcanalysis.report.tables import LAYOUT_FILE, LOG_FILE, export_tables
from tests.disclosure.test_attack import BY_AGE, ISSUE_CELLS, cross


def _export(run, frame, lang):
    folder = run / "tables" / "01_widening_participation"
    export_tables({"first_generation_by_age": frame}, folder, policy="default", lang=lang,
                  notes={"first_generation_by_age": "Share first generation."}, synthetic=True,
                  layouts={"first_generation_by_age": BY_AGE})
    return folder


def test_gate_attacks_the_exported_tables_of_a_run(tmp_path):
    primary = dc.apply_policy(cross(ISSUE_CELLS), "default", keys=BY_AGE.keys)
    safe = dc.protect(dc.Published("first_generation_by_age", primary, BY_AGE), "default")
    run = tmp_path / "reports" / "run-1"
    folder = _export(run, safe, "sv")
    assert privacy.scan([run], names=set()) == []
    log = pl.read_csv(run / LOG_FILE)
    assert log["table"].unique().to_list() == ["01_widening_participation/first_generation_by_age"]
    assert set(log["kind"]) == {"primary", "secondary"}
    # Someone "fixes" the export by showing the secondary cells again: the margins
    # now give 7 of 9 away, in the Swedish CSV as written.
    path = folder / "first_generation_by_age.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    truth = cross(ISSUE_CELLS)
    for i, row in enumerate(safe.iter_rows(named=True), start=1):
        if row["suppression_reason"] == "secondary":
            t = truth.row(i - 1, named=True)
            lines[i] = f"{t['age_band']};{t['route']};{t['numerator']};{t['denominator']};0,5;0,4;0,6;false;"
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    found = privacy.scan([tmp_path / "reports"], names=set())
    assert {f.kind for f in found} == {"disclosure"}
    assert any("narrow_interval" in f.excerpt and "[7, 7]" in f.excerpt for f in found)
    # A CSV without its layout is not known to be safe.
    (folder / LAYOUT_FILE).write_text(json.dumps({"tables": {}}), encoding="utf-8")
    assert any("no_layout" in f.excerpt for f in privacy.scan([run], names=set()))
