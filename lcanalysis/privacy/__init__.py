"""The privacy gate: scan what a run wrote for anything that identifies a person.

Before a run counts as done (DESIGN.md section 5), :func:`gate` scans
``data/processed``, ``reports`` and ``figures`` for

- Swedish identity numbers in any written form (10 or 12 digits, with ``-``, ``+``,
  a space or a typeset dash, samordningsnummer, Ladok interim numbers) that pass
  :func:`lcanalysis.identity.parse_personal_number`: check digit and a real birth
  date. A candidate is a digit run bounded by characters that are neither digits
  nor hex letters, so the digits inside a 32-hex ``person_id`` never count;
- e-mail addresses;
- IPv4 and IPv6 addresses that could point at a person's machine
  (:func:`lcanalysis.privacy.rules.ip_address`; not version numbers or dates);
- names that occur in the raw files (:func:`names_from_raw`), as whole words,
  ignoring case;
- cells of exported tables (``reports/**/tables/*.csv|xlsx``) that break the
  disclosure policy (:func:`lcanalysis.disclosure.audit`);
- in executed notebooks, outputs that look like a pseudonym column (two or more
  distinct 32-hex values, or one next to the word ``person_id``): row-level data
  has no place in a notebook's output.

Two halves: :mod:`~lcanalysis.privacy.extract` and :mod:`~lcanalysis.privacy.pdf`
turn files into ``(location, text)`` pieces; :mod:`~lcanalysis.privacy.rules` says
what in a piece is a finding; :mod:`~lcanalysis.privacy.scanner` runs the checks over
the files, each within a time budget. A file the gate cannot read, or cannot read
within its budget, is itself a finding (``unscanned``): what cannot be checked is
not known to be safe.

A :class:`Finding` never repeats what it found in full: an identity number is shown
as its birth date and ``****``, a name as initials and stars, an address by its
first part.
"""

from __future__ import annotations

from lcanalysis.privacy import extract, pdf, rules
from lcanalysis.privacy.rules import Finding, Matcher, names_from_raw
from lcanalysis.privacy.scanner import (
    CHECKS,
    DEFAULT_BUDGET,
    DEFAULT_LOCATIONS,
    TimeBudget,
    gate,
    scan,
)

__all__ = [
    "CHECKS",
    "CONTENT_PATTERNS",
    "DEFAULT_BUDGET",
    "DEFAULT_LOCATIONS",
    "Finding",
    "Matcher",
    "TimeBudget",
    "gate",
    "names_from_raw",
    "scan",
]

CONTENT_PATTERNS = {**rules.PATTERNS, **extract.PATTERNS, **pdf.PATTERNS}
"""Every fixed regular expression the gate applies to what it reads, by name (the
names pattern is made per scan by :class:`Matcher`). Each must run in linear time;
tests/privacy/test_patterns.py feeds each one pathological input."""
