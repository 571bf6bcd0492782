"""Folding text for lookups: the one rule used for headers, codes and names.

Raw exports spell the same thing many ways ("Lärcentrum", "LARCENTRUM ",
"larcentrum"). :func:`fold` maps them to one key: Unicode NFKC, case-folded,
surrounding and repeated white space collapsed, Swedish and other Latin letters
reduced to their plain forms (å, ä -> a; ö -> o; é -> e), and a byte-order mark
removed.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lookup key for ``text``: case, spacing and diacritics ignored."""
    text = unicodedata.normalize("NFKD", text.replace("\ufeff", "").casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text).strip()
