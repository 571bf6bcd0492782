"""lcanalysis.derived: derived tables computed once per data version, never stale."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lcanalysis import derived
from lcanalysis.clean import clean
from lcanalysis.dataset import Dataset
from lcanalysis.indicators import progression, routes
from tests.fixtures.messy_raw import write_messy_raw

LEVELS = ["foundation_year", "bachelor_eng", "msc_eng"]


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("derived")
    raw = write_messy_raw(root / "raw")
    clean(raw, root / "processed", key=b"k" * 32, today=date(2026, 11, 1))
    return root / "processed"


@pytest.fixture
def processed(cleaned, tmp_path) -> Path:
    """A project's data/processed of its own (data/derived is made beside it)."""
    copy = tmp_path / "data" / "processed"
    shutil.copytree(cleaned, copy)
    return copy


def _files(processed: Path, name: str) -> list[Path]:
    return sorted((processed.parent / "derived").glob(f"{name}-*.parquet"))


def test_entrants_are_those_of_routes_and_read_back_the_second_time(processed, monkeypatch):
    data = Dataset.load(processed)
    expected = routes.entrants(data.registrations, data.participants, data.persons,
                               programme_levels=LEVELS)
    assert expected.height > 0
    first = derived.entrants(data, programme_levels=LEVELS)
    assert_frame_equal(first, expected)  # rows, order and types (age_band is an Enum)
    [path] = _files(processed, "entrants")
    assert path.parent == processed.parent / "derived"

    def must_not_run(*args, **kwargs):
        raise AssertionError("computed again although the data did not change")

    monkeypatch.setattr(routes, "entrants", must_not_run)
    again = derived.entrants(Dataset.load(processed), programme_levels=reversed(LEVELS))
    assert_frame_equal(again, expected)
    assert _files(processed, "entrants") == [path]


def test_a_changed_processed_table_is_never_read_from_the_old_file(processed):
    data = Dataset.load(processed)
    before = derived.entrants(data)
    [old] = _files(processed, "entrants")
    registrations = pl.read_parquet(processed / "registrations.parquet")
    dropped = before["person_id"][0]
    registrations.filter(pl.col("person_id") != dropped).write_parquet(processed / "registrations.parquet")

    changed = Dataset.load(processed)
    after = derived.entrants(changed)
    assert dropped not in after["person_id"].to_list()
    assert_frame_equal(after, routes.entrants(changed.registrations, changed.participants, changed.persons))
    [new] = _files(processed, "entrants")
    assert new != old  # the stale version is gone, not kept beside the new one


def test_each_set_of_parameters_has_its_own_file(processed):
    data = Dataset.load(processed)
    everyone = derived.entrants(data)
    foundation = derived.entrants(data, programme_levels=["foundation_year"])
    assert len(_files(processed, "entrants")) == 2
    assert set(foundation["person_id"]) <= set(everyone["person_id"])
    assert set(foundation["programme_level"]) == {"foundation_year"}
    assert_frame_equal(derived.entrants(data), everyone)
    assert len(_files(processed, "entrants")) == 2


def test_performance_rate_from_the_derived_credits_is_the_same(processed):
    data = Dataset.load(processed)
    entrants = derived.entrants(data)
    # the fixture's windows are not over by its last term: count them all
    direct = progression.performance_rate(data.registrations, data.results, entrants=entrants,
                                          window_terms=1, last_term="HT2030")
    assert direct["denominator"].sum() > 0 and direct["numerator"].sum() > 0
    for _ in range(2):  # computed, then read back
        shared = progression.performance_rate(
            data.registrations, data.results, entrants=entrants, window_terms=1, last_term="HT2030",
            credited=derived.credited_registrations(data, window_terms=1))
        assert_frame_equal(shared, direct)
    assert_frame_equal(derived.credited_registrations(data),
                       progression.credited_registrations(data.registrations, data.results))
    assert len(_files(processed, "credited_registrations")) == 2


def test_two_processes_asking_at_once_get_the_same_whole_table_computed_once(processed):
    """Both ask while the first is still computing (slowly): one computes, the other
    waits for it and reads its file; each gets the right rows, one file is left and
    no temporary file."""
    script = textwrap.dedent(f"""
        import sys, time
        from lcanalysis import derived
        from lcanalysis.dataset import Dataset
        from lcanalysis.indicators import routes
        real = routes.entrants
        computed = []
        def slow(*args, **kwargs):
            computed.append(1)
            frame = real(*args, **kwargs)
            time.sleep(1.5)
            return frame
        routes.entrants = slow
        frame = derived.entrants(Dataset.load({str(processed)!r}))
        print(frame.hash_rows().sum(), frame.height, len(computed))
    """)
    workers = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
               for _ in range(2)]
    outputs = [w.communicate(timeout=300)[0].split() for w in workers]
    assert all(w.returncode == 0 for w in workers)
    data = Dataset.load(processed)
    expected = routes.entrants(data.registrations, data.participants, data.persons)
    assert sorted(outputs) == [[str(expected.hash_rows().sum()), str(expected.height), n] for n in ("0", "1")]
    assert len(_files(processed, "entrants")) == 1
    assert [p.name for p in (processed.parent / "derived").iterdir()
            if p.name.startswith(".") and p.suffix != ".lock"] == []
    assert_frame_equal(pl.read_parquet(_files(processed, "entrants")[0]), expected)


def test_a_change_of_the_package_is_a_new_version(processed, monkeypatch):
    data = Dataset.load(processed)
    derived.entrants(data)
    monkeypatch.setattr(derived, "package_fingerprint", lambda: "another definition")
    derived.entrants(data)
    [only] = _files(processed, "entrants")
    assert only.stem.endswith(derived.version_key(data, ["registrations", "participants", "persons"]))


def test_the_design_simulation_is_read_back_for_the_same_panel_and_settings_only(processed, monkeypatch, capfd):
    import numpy as np

    from lcanalysis.indicators import design
    from tests.indicators.test_design import iid_panel

    data = Dataset.load(processed)
    panel = iid_panel(30, 8, 1.0, seed=3)
    settings = {"n_centres": [4, 8], "years": [2, 3], "effects": np.linspace(0, 4, 21), "n_simulations": 20,
                "n_permutations": 19, "seed": 4}
    expected = design.simulated_mde(panel, "applicants_per_10k", workers=1, progress=None, **settings)
    first = derived.simulated_mde(data, panel, "applicants_per_10k", workers=1, progress=None, **settings)
    assert_frame_equal(first, expected)
    computed = []
    original = design.simulated_mde
    monkeypatch.setattr(design, "simulated_mde", lambda *a, **k: computed.append(1) or original(*a, **k))
    capfd.readouterr()
    again = derived.simulated_mde(data, panel, "applicants_per_10k", workers=2, progress=None, **settings)
    assert_frame_equal(again, expected)  # NaN, Int32 columns and all
    assert computed == [] and "read from" in capfd.readouterr().err
    changed = panel.with_columns(pl.when(pl.int_range(pl.len()) == 5).then(pl.col("applicants_per_10k") + 1)
                                 .otherwise(pl.col("applicants_per_10k")).alias("applicants_per_10k"))
    derived.simulated_mde(data, changed, "applicants_per_10k", workers=1, progress=None, **settings)
    derived.simulated_mde(data, panel, "applicants_per_10k", workers=1, progress=None, **{**settings, "seed": 5})
    assert computed == [1, 1]  # another panel, another seed: computed
    assert len(_files(processed, "simulated_mde")) == 2  # one per seed; the older panel's replaced


def test_the_few_cluster_inference_is_read_back_for_the_same_panel_and_settings_only(processed, monkeypatch):
    from lcanalysis.indicators import effect
    from tests.indicators.test_design import iid_panel

    data = Dataset.load(processed)
    panel = iid_panel(12, 6, 1.0, seed=3).with_columns(  # four municipalities served from 2018
        pl.when(pl.col("municipality_code") < "0004").then(2018).otherwise(None).cast(pl.Int32)
        .alias("pilot_start_year"))
    settings = {"n_permutations": 19, "n_bootstrap": 99, "seed": 2}
    expected = effect.few_cluster_inference(panel, "applicants_per_10k", **settings)
    assert_frame_equal(derived.few_cluster_inference(data, panel, "applicants_per_10k", **settings), expected)
    computed = []
    original = effect.few_cluster_inference
    monkeypatch.setattr(effect, "few_cluster_inference", lambda *a, **k: computed.append(1) or original(*a, **k))
    assert_frame_equal(derived.few_cluster_inference(data, panel, "applicants_per_10k", **settings), expected)
    assert computed == []
    changed = panel.with_columns(pl.when(pl.int_range(pl.len()) == 7).then(pl.col("applicants_per_10k") + 1)
                                 .otherwise(pl.col("applicants_per_10k")).alias("applicants_per_10k"))
    other = derived.few_cluster_inference(data, changed, "applicants_per_10k", **settings)
    assert computed == [1] and not other.equals(expected)
    derived.few_cluster_inference(data, panel, "applicants_per_10k", **{**settings, "seed": 3})
    assert computed == [1, 1]
