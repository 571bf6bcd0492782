"""The methods appendix and the poster state the run's own disclosure policy: the
numbers are those of lcanalysis.disclosure.POLICIES (written out here by hand), not
the default policy's whatever the run used."""

from __future__ import annotations

import pytest

from lcanalysis.report import assemble, poster
from lcanalysis.report.document import Prose
from tests.fixtures.report_run import make_run

EXPECTED = {
    # policy: (sentences that must be there, sentences that must not)
    ("default", "en"): (["no count of 1–4 people is published", "fewer than 10 people"], ["rounded"]),
    ("ofs", "en"): (["rounded to the nearest multiple of 10", "fewer than 23 people",
                     "2 or fewer people have (or lack) the outcome"], ["1–4", "fewer than 10 "]),
    ("hesa", "en"): (["rounded to the nearest multiple of 5", "fewer than 22.5 people"], ["1–4", "fewer than 10 "]),
    ("hesa", "sv"): (["avrundas till närmaste multipel av 5", "färre än 22,5 personer"], ["1–4", "färre än 10 "]),
    ("ofs", "sv"): (["multipel av 10", "färre än 23 personer"], ["1–4"]),
}


def _run(tmp_path, lang: str, policy: str):
    run_dir, manifest, figures = make_run(tmp_path, lang)
    for entry in manifest["tasks"].values():
        entry["parameters"] = {"disclosure_policy": policy, "lang": lang}
    return run_dir, manifest, figures


@pytest.mark.parametrize(("policy", "lang"), sorted(EXPECTED))
def test_methods_and_poster_quote_the_runs_policy(tmp_path, policy, lang):
    run_dir, manifest, figures = _run(tmp_path, lang, policy)
    doc = assemble.read_document(run_dir, manifest, lang=lang, synthetic=True, figures_dir=figures)
    at = next(i for i, b in enumerate(doc.blocks) if getattr(b, "anchor", "") == "methods")
    methods = " ".join(b.html for b in doc.blocks[at:] if isinstance(b, Prose))
    sheet = poster.poster_html(run_dir, manifest, lang=lang, synthetic=True, figures_dir=figures)
    present, absent = EXPECTED[(policy, lang)]
    for where, words in (("methods", methods), ("poster", sheet)):
        for sentence in present:
            assert sentence in words, (where, sentence)
        for sentence in absent:
            assert sentence not in words, (where, sentence)
