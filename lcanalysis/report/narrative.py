"""The report's and the notebooks' words, from one template file per language.

``lcanalysis/report/language/en.py`` and ``sv.py`` each hold ``TEXT``: key ->
template. Keys are ``report.<what>`` for the report's own text (headings, captions,
notes), ``finding.<what>`` for the generated findings and ``<notebook>.<what>`` for
a notebook's narrative (its title, question, definitions and caveats, the text above
each table and figure) and the notes of its tables. Both files must have the same
keys (tests/report/test_assemble_language.py), so a Swedish run never falls back
to an English sentence.

Values are written in the language's number format: ``{n}`` (an integer) as
``1 234`` / ``1,234``, ``{x:.2f}`` with two decimals, ``{p:.1%}`` as ``45,2 %`` /
``45.2%``.
"""

from __future__ import annotations

import string
from types import MappingProxyType

from lcanalysis.plots.labels import check_lang, format_number, format_percent
from lcanalysis.report.language import en, sv

TEMPLATES = MappingProxyType({"en": en.TEXT, "sv": sv.TEXT})


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: object, format_spec: str) -> str:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return super().format_field(value, format_spec)
        decimals = int(format_spec[1:-1]) if format_spec[:1] == "." and format_spec[-1:] in "f%" else 0
        if format_spec.endswith("%"):
            return format_percent(value, self.lang, decimals)
        return format_number(value, self.lang, decimals)


def text(key: str, lang: str, **values: object) -> str:
    """The template ``key`` in ``lang`` with ``values`` filled in.

    Raises
    ------
    KeyError
        When the key is missing in that language's file (the message names the file).
    """
    check_lang(lang)
    template = TEMPLATES[lang].get(key)
    if template is None:
        raise KeyError(f"no text {key!r} in lcanalysis/report/language/{lang}.py")
    return _Formatter(lang).format(template, **values)


def series(items, lang: str) -> str:
    """``a, b and c`` / ``a, b och c``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {text('report.and', lang)} {items[-1]}"


def disclosure_rules(policy, lang: str) -> str:
    """The rules of a disclosure policy (:class:`lcanalysis.disclosure.Policy`) as one
    sentence in ``lang``, with the policy's own numbers (``report.rule.*``)."""

    def number(value: float) -> str:
        return format_number(value, lang, 0 if float(value).is_integer() else 1)

    rules = []
    if policy.small_count_max:
        rules.append(text("report.rule.small_count", lang, max=number(policy.small_count_max)))
    if policy.rounding_base:
        rules.append(text("report.rule.rounding", lang, base=number(policy.rounding_base)))
    if policy.min_denominator:
        rules.append(text("report.rule.min_denominator", lang, min=number(policy.min_denominator)))
    if policy.extreme_margin is not None:
        rules.append(text("report.rule.extreme", lang, margin=number(policy.extreme_margin)))
    rules.append(text("report.rule.secondary", lang))
    rules[-1] = f"{text('report.and', lang)} {rules[-1]}"
    return text("report.rules", lang, policy=text(f"report.policy_name.{policy.name}", lang),
                rules="; ".join(rules))


def has_text(key: str, lang: str) -> bool:
    return key in TEMPLATES[check_lang(lang)]


class Narrative:
    """One notebook's narrative in the run's language.

    ``say = Narrative("01_widening_participation", lang)`` in the notebook; then
    ``say("question")`` displays that paragraph (Markdown) and ``say.note("route_gaps")``
    is a table's note for ``nb.table(..., note=...)``.
    """

    def __init__(self, notebook: str, lang: str, *, cohort: list[str] | None = None, **defaults: object) -> None:
        self.notebook = notebook
        self.lang = check_lang(lang)
        self.defaults = dict(defaults)
        if cohort is not None:
            self.defaults["cohort"] = series(cohort, self.lang)

    def text(self, key: str, **values: object) -> str:
        return text(f"{self.notebook}.{key}", self.lang, **{**self.defaults, **values})

    def data_note(self, nb) -> str:
        """One line on the data and the disclosure policy, for the notebook's first output."""
        key = "report.data_note" if nb.synthetic else "report.data_note_real"
        return text(key, self.lang, policy=nb.policy.name)

    def outcome(self, code: str) -> str:
        """The outcome of the effect model in words (``applicants_per_10k``)."""
        key = f"words.outcome.{code}"
        return text(key, self.lang) if has_text(key, self.lang) else text("words.outcome.other", self.lang,
                                                                           outcome=code)

    def strands(self, codes) -> str:
        """A centre's strands in words."""
        from lcanalysis.plots.labels import category_label

        return series([category_label("strand", c, self.lang) for c in codes], self.lang)

    def __call__(self, key: str, **values: object) -> None:
        """Display the paragraph (as Markdown, wherever the call is in its cell)."""
        from IPython.display import Markdown, display

        display(Markdown(self.text(key, **values)))

    def note(self, table: str, **values: object) -> str:
        return self.text(f"note.{table}", **values)
