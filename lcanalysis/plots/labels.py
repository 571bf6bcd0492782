"""Swedish and English labels and number formats for every chart and table.

All visible words come from one reviewed data file, ``labels.json`` beside this
module: keys are ``<domain>.<code>`` (``route.learning_centre``,
``faggian_type.return_migrant``, ``suppression_reason.small_count``) or
``<kind>.<name>`` for titles, axes, legends and notes (``axis.rate``). A missing
translation is an error that names the key and the language, never a silently
English word in a Swedish report.

Numbers follow the Swedish Language Council's rules for ``sv`` (decimal comma,
a non-breaking space as thousands separator and before the per cent sign:
``12 345,6`` and ``45,2 %``) and ordinary English for ``en`` (``12,345.6``,
``45.2%``). Negative numbers use the typographic minus sign (U+2212) in both.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache, partial
from importlib import resources
from typing import Literal

Lang = Literal["sv", "en"]
LANGS: tuple[Lang, ...] = ("sv", "en")
NBSP = "\u00a0"
MINUS = "\u2212"


@cache
def _table() -> dict[str, dict[str, str]]:
    text = resources.files("lcanalysis.plots").joinpath("labels.json").read_text("utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def check_lang(lang: str) -> Lang:
    """Return ``lang`` if it is a supported language, else raise ``ValueError``."""
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}: use one of {', '.join(LANGS)}")
    return lang  # type: ignore[return-value]


def label(key: str, lang: str) -> str:
    """The text shown for ``key`` in ``lang``.

    Raises
    ------
    KeyError
        When the key is not in ``labels.json`` or has no text in that language;
        the message names both, so the fix is one line in the data file.
    """
    check_lang(lang)
    entry = _table().get(key)
    if entry is None:
        raise KeyError(f"no label {key!r} in lcanalysis/plots/labels.json (language {lang!r})")
    text = entry.get(lang)
    if not text:
        raise KeyError(f"label {key!r} has no {lang!r} text in lcanalysis/plots/labels.json")
    return text


CATEGORY_DOMAINS = frozenset({
    "route", "delivery_mode", "strand", "programme_level", "parental_education",
    "first_generation", "faggian_type", "skr_group", "age_band", "admission_status",
    "legal_sex", "suppression_reason", "funnel_stage", "likert", "characteristic", "measure",
})
"""Columns whose values are codes from a closed list, each translated in labels.json.
Other keys of labels.json (``title.*``, ``axis.*``, ``table.*`` ...) are interface
text, not categories."""

MARGINS = {"All": "margin.all", "Total": "margin.total", "unknown": "margin.unknown"}
"""Values that mean the same in every domain: the margins of a cross table and the
unknown category."""


def known_domains() -> frozenset[str]:
    """Domains (column names) that have a closed list of translated codes."""
    return CATEGORY_DOMAINS


def category_label(domain: str, value: object, lang: str) -> str:
    """Label of one category value, e.g. ``category_label("route", "campus", "sv")``.

    Domains with a closed code list in ``labels.json`` (routes, strands, programme
    levels, parental education, Faggian types, SKR groups, age bands, admission
    statuses, funnel stages, Likert levels ...) are translated strictly: an unknown
    code raises ``KeyError``. Free-text domains such as learning-centre names or
    survey item codes are shown as they are.
    """
    key_value = str(value).lower() if isinstance(value, bool) else str(value)
    if key_value in MARGINS and f"{domain}.{key_value}" not in _table():
        return label(MARGINS[key_value], lang)
    if f"{domain}.{key_value}" in _table():
        # Open domains (e.g. the regions of a flow chart) translate the codes they
        # know and show other values (municipality names) as they are.
        return label(f"{domain}.{key_value}", lang)
    if domain in known_domains():
        return label(f"{domain}.{key_value}", lang)
    check_lang(lang)
    return key_value


def format_number(x: float, lang: str, decimals: int = 0) -> str:
    """``x`` with ``decimals`` decimals in the style of ``lang``.

    Examples
    --------
    >>> format_number(12345.6, "sv", 1)
    '12\\xa0345,6'
    >>> format_number(12345.6, "en", 1)
    '12,345.6'
    """
    check_lang(lang)
    text = f"{abs(x):,.{decimals}f}"
    negative = x < 0 and float(text.replace(",", "")) != 0  # no "−0,0"
    if lang == "sv":
        text = text.replace(",", NBSP).replace(".", ",")
    return f"{MINUS}{text}" if negative else text


def format_percent(p: float, lang: str, decimals: int = 0) -> str:
    """A proportion ``p`` (0.452) as a per cent (``45,2 %`` in sv, ``45.2%`` in en)."""
    number = format_number(p * 100, lang, decimals)
    return f"{number}{NBSP}%" if lang == "sv" else f"{number}%"


def format_n(n: int, lang: str) -> str:
    """The size of a group as shown beside every estimate: ``n = 1 234``."""
    return f"n{NBSP}={NBSP}{format_number(n, lang, 0)}"


def number_formatter(lang: str, decimals: int = 0, *, scale: float = 1.0) -> Callable:
    """A matplotlib tick formatter writing ``value * scale`` with :func:`format_number`."""
    from matplotlib.ticker import FuncFormatter

    check_lang(lang)
    # partials of module functions, not closures: a figure is pickled for the background writer
    return FuncFormatter(partial(_scaled_number, lang=lang, decimals=decimals, scale=scale))


def _scaled_number(v: float, _pos: int | None, *, lang: str, decimals: int, scale: float) -> str:
    return format_number(v * scale, lang, decimals)


def percent_formatter(lang: str, decimals: int = 0, *, absolute: bool = False) -> Callable:
    """A matplotlib tick formatter for proportions shown as per cent.

    ``absolute=True`` drops the sign, for diverging bars where the left side
    also counts up from the centre.
    """
    from matplotlib.ticker import FuncFormatter

    check_lang(lang)
    return FuncFormatter(partial(_tick_percent, lang=lang, decimals=decimals, absolute=absolute))


def _tick_percent(v: float, _pos: int | None, *, lang: str, decimals: int, absolute: bool) -> str:
    return format_percent(abs(v) if absolute else v, lang, decimals)
