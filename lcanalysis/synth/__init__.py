"""The synthetic demo world with its known truth.

:func:`generate_demo_world` writes every raw source of the evaluation as messy as real
exports are (``out/<source>/``), with documented planted defects, plus
``out/truth.json`` (the generating and realised values an analysis should recover)
and the marker ``out/SYNTHETIC.json``. :func:`write_registrations_export` writes a
large Ladok-like registrations file for benchmarks. See docs/synthetic-world.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from lcanalysis import sources
from lcanalysis.synth import defects, exports
from lcanalysis.synth.exports import write_registrations_export
from lcanalysis.synth.parameters import WorldParameters
from lcanalysis.synth.truth import compute_truth
from lcanalysis.synth.world import World, build_world

__all__ = ["DemoWorld", "SOURCES", "WorldParameters", "generate_demo_world", "write_registrations_export"]

SOURCES: tuple[str, ...] = tuple(sources.SOURCES)
"""The raw sources the demo world writes: every declared source (lcanalysis/sources.py)."""

MARKER = "SYNTHETIC.json"
TRUTH = "truth.json"


@dataclass
class DemoWorld:
    """A generated demo world on disk.

    Attributes
    ----------
    root:
        The folder holding one sub-folder per raw source, truth.json and SYNTHETIC.json.
    sources:
        Source name -> its folder.
    truth:
        The contents of truth.json.
    world:
        The canonical frames the files were written from (for tests and notebooks
        that want to compare; never written to disk as such).
    """

    root: Path
    sources: dict[str, Path]
    truth: dict
    world: World = field(repr=False)

    @property
    def truth_path(self) -> Path:
        return self.root / TRUTH

    @property
    def marker_path(self) -> Path:
        return self.root / MARKER


def generate_demo_world(
    out: Path, *, seed: int = 20241, scale: float = 1.0, today: date = date(2026, 11, 1),
) -> DemoWorld:
    """Generate the synthetic world and write it as raw exports under ``out``.

    Parameters
    ----------
    out:
        Target folder (created if needed); each source goes to ``out/<source>/``.
    seed:
        One seed, one world: the same seed, scale and today give byte-identical files.
    scale:
        Multiplies the applicant rates (baseline and pilot effect), so the number of
        persons and everything that follows; 1.0 gives about 38,000 applicants and
        19,000 students over 2015-2026.
    today:
        The export date: nothing in the files is dated after it.

    Returns
    -------
    DemoWorld
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    defects.check_unresolvable()
    world = build_world(seed, scale, today)
    rng = np.random.default_rng([seed, 1])
    variants = exports.municipality_variants(world.municipalities)
    written = {
        "registrations": exports.write_registrations(world, out, rng),
        "results": exports.write_results(world, out, rng),
        "applications": exports.write_applications(world, out, rng, variants),
        "participants": exports.write_participants(world, out, rng, variants),
        "survey": exports.write_survey(world, out, rng),
        "followups": exports.write_followups(world, out, rng, variants),
        "activities": exports.write_activities(world, out, rng, variants),
        "municipal_stats": exports.write_municipal_stats(world, out, rng),
    }
    truth = compute_truth(world, seed, written)
    (out / TRUTH).write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    marker = {"synthetic": True, "generator": "lcanalysis.synth", "seed": seed, "scale": scale, "version": 1}
    (out / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
    return DemoWorld(root=out, sources={s: out / sources.source(s).folder for s in written},
                     truth=truth, world=world)
