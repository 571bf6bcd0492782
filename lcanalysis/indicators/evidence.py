"""How strong each finding's evidence is: an OfS type and a Maryland level with reasons.

The rules are data (config/evidence.yaml): a finding's design (descriptive route
comparison, adjusted comparison, difference-in-differences) gives its Office for
Students type and its Maryland Scientific Methods Scale level; a design with
conditions (difference-in-differences: pre-trend test, placebo, number of treated
units stated, an interval valid with few clusters) keeps its level only when all of
them pass and otherwise drops one level, saying which failed. See docs/methods.md
("Strength of evidence").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lcanalysis import paths
from lcanalysis.config import read_yaml
from lcanalysis.errors import ConfigError

LANGS = ("en", "sv")
CONDITIONS = ("pretrend", "placebo", "treated_units_stated", "few_cluster_interval")


@dataclass(frozen=True)
class Design:
    name: str
    ofs: int
    sms: int
    reason: Mapping[str, str]
    failed: Mapping[str, Mapping[str, str]]  # condition -> lang -> text


@dataclass(frozen=True)
class EvidenceRules:
    """config/evidence.yaml, checked."""

    designs: Mapping[str, Design]
    pretrend_p_min: float
    placebo_p_min: float
    few_cluster_methods: frozenset[str]


@dataclass(frozen=True)
class Evidence:
    """A finding's label: OfS type (1-3), Maryland level (1-5) and the reasons."""

    ofs: int
    sms: int
    reasons: tuple[str, ...]

    def text(self) -> str:
        return "; ".join(self.reasons)


RULES_FILE = "evidence.yaml"
"""The rule table, in the project's config folder."""


def load_rules(path: Path | None = None) -> EvidenceRules:
    """Read and check config/evidence.yaml (every problem reported at once)."""
    path = path or paths.config_dir() / RULES_FILE
    raw = read_yaml(path)
    problems: list[str] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("designs"), dict):
        raise ConfigError(path, ["expected top-level keys 'thresholds' and 'designs'"])
    thresholds = raw.get("thresholds") or {}
    for key in ("pretrend_p_min", "placebo_p_min"):
        value = thresholds.get(key)
        if not isinstance(value, int | float) or not 0 <= value < 1:
            problems.append(f"thresholds.{key} must be a number in [0, 1), not {value!r}")
    methods = thresholds.get("few_cluster_methods")
    if not isinstance(methods, list) or not methods:
        problems.append("thresholds.few_cluster_methods must be a list of method names")
        methods = []
    designs = {}
    for name, spec in raw["designs"].items():
        where = f"designs.{name}"
        if not isinstance(spec, dict):
            problems.append(f"{where} must be a mapping")
            continue
        if spec.get("ofs") not in (1, 2, 3):
            problems.append(f"{where}.ofs must be 1, 2 or 3, not {spec.get('ofs')!r}")
        if spec.get("sms") not in (1, 2, 3, 4, 5):
            problems.append(f"{where}.sms must be 1 to 5, not {spec.get('sms')!r}")
        reason = spec.get("reason") or {}
        problems += [f"{where}.reason has no {lang!r} text" for lang in LANGS if not reason.get(lang)]
        failed = {}
        for condition, texts in (spec.get("conditions") or {}).items():
            if condition not in CONDITIONS:
                problems.append(f"{where}.conditions.{condition} is not one of {', '.join(CONDITIONS)}")
                continue
            texts = texts or {}
            problems += [f"{where}.conditions.{condition} has no {lang}_failed text"
                         for lang in LANGS if not texts.get(f"{lang}_failed")]
            failed[condition] = {lang: texts.get(f"{lang}_failed", "") for lang in LANGS}
        designs[name] = Design(name, spec.get("ofs"), spec.get("sms"), reason, failed)
    if problems:
        raise ConfigError(path, problems)
    return EvidenceRules(designs, float(thresholds["pretrend_p_min"]),
                         float(thresholds["placebo_p_min"]), frozenset(methods))


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "–"


def _format(template: str, facts: Mapping[str, object], lang: str, *,
            missing_ok: bool = False) -> str:
    """``template`` with the facts filled in (floats to three decimals in ``lang``'s
    format); a fact the template needs but was not given is an error, or a dash for
    the text of a failed condition (a check that was not computed has failed)."""
    from lcanalysis.plots.labels import format_number

    shown = {k: (format_number(v, lang, 3) if isinstance(v, float) else v) for k, v in facts.items()}
    if missing_ok:
        return template.format_map(_Missing(shown))
    try:
        return template.format(**shown)
    except KeyError as err:
        raise ValueError(f"evidence text {template!r} needs {err.args[0]!r}; give it in facts") from None


def condition_results(facts: Mapping[str, object], rules: EvidenceRules) -> dict[str, bool]:
    """Each difference-in-differences condition, passed or not, from the finding's facts:
    ``pretrend_p`` and ``placebo_p`` (not below their thresholds; a missing p fails),
    ``n_treated`` (a positive number) and ``interval_method`` (one of the few-cluster
    methods)."""

    def at_least(key: str, minimum: float) -> bool:
        value = facts.get(key)
        return isinstance(value, int | float) and not math.isnan(value) and value >= minimum

    n_treated = facts.get("n_treated")
    return {
        "pretrend": at_least("pretrend_p", rules.pretrend_p_min),
        "placebo": at_least("placebo_p", rules.placebo_p_min),
        "treated_units_stated": isinstance(n_treated, int) and n_treated > 0,
        "few_cluster_interval": facts.get("interval_method") in rules.few_cluster_methods,
    }


def grade(design: str, facts: Mapping[str, object] | None = None, *, lang: str = "en",
          rules: EvidenceRules | None = None) -> Evidence:
    """The evidence label of one finding of ``design`` (a key of config/evidence.yaml).

    ``facts`` fill the reason's placeholders ({adjusted_for}, {n_treated} ...; a method
    code in ``interval_method`` is said in words, "Randomisation inference (Callaway &
    Sant'Anna)") and, for
    a design with conditions, decide them (:func:`condition_results`). When any
    condition fails, the OfS type and the Maryland level each drop by one (not below 1)
    and a reason per failed condition follows the design's own reason.
    """
    rules = rules or load_rules()
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    if design not in rules.designs:
        raise ValueError(f"unknown design {design!r}; config/evidence.yaml knows "
                         f"{', '.join(rules.designs)}")
    spec = rules.designs[design]
    facts = dict(facts or {})
    words = dict(facts)
    if isinstance(facts.get("interval_method"), str):
        from lcanalysis.plots.labels import category_label

        words["interval_method"] = category_label("method", facts["interval_method"], lang)
    reasons = [_format(spec.reason[lang], words, lang)]
    ofs, sms = spec.ofs, spec.sms
    if spec.failed:
        passed = condition_results(facts, rules)
        failed = [c for c in spec.failed if not passed[c]]
        reasons += [_format(spec.failed[c][lang], words, lang, missing_ok=True) for c in failed]
        if failed:
            ofs, sms = max(ofs - 1, 1), max(sms - 1, 1)
    return Evidence(ofs, sms, tuple(reasons))
