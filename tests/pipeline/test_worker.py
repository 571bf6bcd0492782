"""A notebook worker leaves out the IRI grammar jsonschema would load, and nbformat
still validates notebooks (it checks no formats)."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
from lcanalysis.pipeline.execute import start_worker
start_worker()
import nbformat, papermill
from nbformat.v4 import new_code_cell, new_notebook
nb = new_notebook(cells=[new_code_cell("x = 1")])
nbformat.validate(nb)
nb.cells[0]["cell_type"] = "no such type"
try:
    nbformat.validate(nb)
except nbformat.ValidationError:
    print("invalid refused")
print("grammar loaded:", sys.modules.get("rfc3987_syntax") is not None)
"""


def test_a_worker_validates_notebooks_without_the_iri_grammar():
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["invalid refused", "grammar loaded: False"]
