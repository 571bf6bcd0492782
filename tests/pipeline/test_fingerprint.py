"""When a notebook must run again: its fingerprint changes with everything its
outputs depend on, and only with that."""

from __future__ import annotations

from types import SimpleNamespace

from lcanalysis import derived
from lcanalysis.pipeline.execute import fingerprint


def test_a_notebook_is_stale_when_its_configuration_or_the_package_code_changes(tmp_path, monkeypatch):
    notebook = tmp_path / "03_brain_drain.ipynb"
    notebook.write_text('{"cells": []}', encoding="utf-8")
    task = SimpleNamespace(path=notebook)  # a task's fingerprint reads only its notebook file
    config = {"table_layouts.yaml": "a1", "evidence.yaml": "b2"}
    base = fingerprint(task, {"lang": "sv", "run_id": "20261201T100000Z-aaaaaa"}, "data-1", config)

    # the run's own id is not an input
    assert fingerprint(task, {"lang": "sv", "run_id": "20261201T110000Z-bbbbbb"}, "data-1", config) == base
    # a parameter, the data, a configuration file the notebooks read
    assert fingerprint(task, {"lang": "en", "run_id": "x"}, "data-1", config) != base
    assert fingerprint(task, {"lang": "sv", "run_id": "x"}, "data-2", config) != base
    assert fingerprint(task, {"lang": "sv", "run_id": "x"}, "data-1",
                       {**config, "table_layouts.yaml": "a2"}) != base
    # the package's code, even with the same version number (a working tree)
    monkeypatch.setattr(derived, "package_fingerprint", lambda: "changed code")
    assert fingerprint(task, {"lang": "sv", "run_id": "x"}, "data-1", config) != base
