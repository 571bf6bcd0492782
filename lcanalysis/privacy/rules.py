"""What counts as a finding: identity numbers, e-mail and IP addresses, names, pseudonym columns.

The rules side of the gate. Every pattern here is applied to text taken from files
(:mod:`lcanalysis.privacy.extract`), so each must run in time linear in the text:
no alternation that two branches can match under a repeat, possessive quantifiers
(``*+``, ``++``, Python 3.11+) where a repeat must never give characters back, and
candidates bounded on both sides by look-arounds of fixed width. Every compiled
pattern of the package is listed in :data:`lcanalysis.privacy.CONTENT_PATTERNS`,
which tests/privacy/test_patterns.py feeds pathological input.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lcanalysis.text import fold

__all__ = ["MIN_LAST_NAME_LETTERS", "PATTERNS", "Finding", "Matcher", "Names", "ip_address",
           "names_from_raw", "pseudonym_column"]

MIN_LAST_NAME_LETTERS = 4
"""A last name alone is searched for only when it has at least this many letters."""

# Written between birth date and serial: a hyphen, a plus (aged 100 or more), a space,
# and what typesetting turns them into (no-break spaces, Unicode hyphens and dashes, the
# minus sign); all but "+" are read as "-".
_SEPARATORS = "-+ \u00a0\u202f\u2010\u2011\u2012\u2013\u2014\u2212"

# Identity-number candidates: 6 or 8 digits, an optional separator, then 4 serial
# characters (digits, or a letter, a letter or digit and two digits for an interim
# number). Bounded on both sides by anything but a digit or a hex letter, so digit
# runs inside a hex pseudonym are not candidates; a run after "<digit>." is a
# decimal fraction (a rate), not a number of its own. After "<digit>," it is not
# skipped: that is also a comma-separated file's next field. Every part has a fixed
# maximum width, so a start position costs a bounded number of steps.
IDENTITY_NUMBER = re.compile(
    r"(?<![0-9A-Fa-f])(?<![0-9][.])"
    r"(?P<date>[0-9]{8}|[0-9]{6})(?P<sep>[" + _SEPARATORS + r"]?)"
    r"(?P<serial>[0-9]{4}|[A-Za-z][A-Za-z0-9][0-9]{2})"
    r"(?![0-9A-Fa-f])"
)
# The local part may not start inside a run of its own characters (the look-behind),
# so each run is tried once; it cannot contain "@", so it never gives characters
# back (possessive). Domain labels are separated by dots, so the split is unique.
EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]++@[A-Za-z0-9-]++(?:\.[A-Za-z0-9-]++)*\.[A-Za-z]{2,}+(?![\w-])"
)
# Four dotted decimal parts of at most three digits, not part of a longer dotted run
# (so a version 1.2.3, a date 2024.01.15 or an OID 1.3.6.1.4.1 is never a candidate),
# not after a letter (v1.2.3.4) or a product name and a slash (Chrome/156.0.0.0, in
# every PDF Chromium prints; after "//" in a URL it is a candidate); a sentence's
# full stop after it is allowed.
IPV4 = re.compile(r"(?<![\w.])(?<!\w/)(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![\w]|\.[0-9])")
# Hex groups of at most four digits joined by colons (2-7 colons), optionally ending
# in an IPv4 address (::ffff:192.0.2.1); not part of a longer run of such characters.
# ipaddress decides whether a candidate is an address.
IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}+:){2,7}+(?:[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}"
    r"|[0-9A-Fa-f]{0,4}+)(?![\w:]|\.[0-9])"
)
HEX32 = re.compile(r"(?<![0-9A-Fa-f])[0-9a-f]{32}(?![0-9A-Fa-f])")
WORD_CHARS = re.compile(r"\w++")
BLANKS = re.compile(r"\s++")
_WORD = re.compile(r"[^\W\d_]++")

PATTERNS = {
    "identity_number": IDENTITY_NUMBER,
    "email": EMAIL,
    "ipv4": IPV4,
    "ipv6": IPV6,
    "hex32": HEX32,
    "word_chars": WORD_CHARS,
    "blanks": BLANKS,
    "label_word": _WORD,
}
"""The patterns of the rules, by name."""


@dataclass(frozen=True)
class Finding:
    """One thing in an output that may identify a person.

    Attributes
    ----------
    file:
        The file, as given or found.
    location:
        Where in it: ``line 12``, ``cell 3 output 1``, ``chunk tEXt Title``,
        ``page 2``, ``Info /Author``, ``XMP``, ``page 1 annotation 3 /Contents``,
        ``Sheet1!B4``, ``column 'x' row 7``, ``whole file``.
    kind:
        ``identity_number``, ``email``, ``ip_address``, ``name``, ``disclosure``,
        ``pseudonym_column`` or ``unscanned``.
    excerpt:
        What was found, redacted: never the value in full.
    """

    file: str
    location: str
    kind: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.file}: {self.location}: {self.kind}: {self.excerpt}"


# --- redaction -------------------------------------------------------------------------


def _redact_number(match: re.Match[str]) -> str:
    sep = match["sep"] if match["sep"] in ("+", " ") else "-"
    return f"{match['date']}{sep}****"


def _redact_words(text: str) -> str:
    return " ".join(w[0] + "*" * (len(w) - 1) for w in text.split())


def _redact_email(text: str) -> str:
    local, _, domain = text.partition("@")
    return f"{local[0]}***@***.{domain.rsplit('.', 1)[-1]}"


def _redact_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if address.version == 4:
        return f"{str(address).split('.')[0]}.*.*.*"
    return f"{address.exploded.split(':')[0]}:****"


# --- the checks on a piece of text ---------------------------------------------------


def _identity_numbers(text: str) -> Iterator[str]:
    for match in IDENTITY_NUMBER.finditer(text):
        # Imported at the first candidate: identity loads polars, which the PDF worker
        # process (it imports this package, never this function) does not need.
        from lcanalysis import identity

        sep = match["sep"]
        number = match["date"] + ("+" if sep == "+" else "-" if sep else "") + match["serial"]
        try:
            identity.parse_personal_number(number)
        except identity.InvalidPersonalNumber:
            continue
        yield _redact_number(match)


def _is_netmask(address: ipaddress.IPv4Address) -> bool:
    """255.255.255.0 and the like: ones, then zeros."""
    inverted = ~int(address) & 0xFFFFFFFF
    return inverted & (inverted + 1) == 0


def ip_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address ``text`` names if it could point at a person's machine, else None.

    Not an address: anything :mod:`ipaddress` refuses (a part above 255, a leading
    zero, a malformed IPv6 group list). Not a person's: the unspecified address
    (0.0.0.0, ::), loopback (127.0.0.0/8, ::1), an IPv4 netmask (ones then zeros,
    255.255.255.0), and IPv6 space that is not allocated to anyone
    (:attr:`ipaddress.IPv6Address.is_reserved`: outside 2000::/3, fc00::/7, fe80::/10
    and multicast; this is also what a Python slice ``x[1::2]`` looks like). An
    IPv4-mapped IPv6 address is judged as its IPv4 address.
    """
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_unspecified or address.is_loopback:
        return None
    if address.version == 4 and _is_netmask(address):
        return None
    if address.version == 6 and (address.is_reserved or address.is_multicast):
        return None
    return address


def _ip_addresses(text: str) -> Iterator[str]:
    inside_ipv6: list[tuple[int, int]] = []  # an IPv4-mapped address is one finding
    if "::" in text or text.count(":") >= 7:
        for match in IPV6.finditer(text):
            if (address := ip_address(match[0])) is not None:
                inside_ipv6.append(match.span())
                yield _redact_address(address)
    if "." in text:
        for match in IPV4.finditer(text):
            if any(a <= match.start() < b for a, b in inside_ipv6):
                continue
            if (address := ip_address(match[0])) is not None:
                yield _redact_address(address)


def _emails(text: str) -> Iterator[str]:
    if "@" in text:
        for match in EMAIL.finditer(text):
            yield _redact_email(match[0])


class Names:
    """The names of one scan, found as whole words ignoring case.

    A name is its words (runs of word characters) and what separates them: one or
    more blanks where the name has a space, else the same characters (``-`` in
    ``Anna-Karin``). A text is split into words once, and the words at each position
    are looked up among the names (one look-up per length of name), so the time is
    linear in the text whatever the number of names (an alternation of 2,000 names
    tried at every word is not). Where names overlap, the longest one starting at a
    word is taken.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.by_words: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for name in {n.strip() for n in names if len(n.strip()) >= 2}:
            words = list(WORD_CHARS.finditer(name))
            if words:
                key = tuple(w[0].casefold() for w in words)
                between = tuple(BLANKS.sub(" ", name[a.end() : b.start()])
                                for a, b in itertools.pairwise(words))
                self.by_words.setdefault(key, []).append(between)
        self.lengths = sorted({len(key) for key in self.by_words}, reverse=True)

    def __bool__(self) -> bool:
        return bool(self.by_words)

    def find(self, text: str) -> Iterator[str]:
        """Each name in ``text``, as written there."""
        spans = list(WORD_CHARS.finditer(text))
        folded = [span[0].casefold() for span in spans]
        i = 0
        while i < len(spans):
            taken = 1
            for length in self.lengths:
                separators = self.by_words.get(tuple(folded[i : i + length]), ())
                if not separators or i + length > len(spans):
                    continue
                written = tuple(BLANKS.sub(" ", text[a.end() : b.start()])
                                for a, b in itertools.pairwise(spans[i : i + length]))
                if written in separators:
                    yield text[spans[i].start() : spans[i + length - 1].end()]
                    taken = length
                    break
            i += taken


class Matcher:
    """The text checks of one scan, in the order their findings are listed: identity
    numbers, e-mail addresses, IP addresses, and the names of the raw files.

    Each check takes a piece of text and yields the redacted excerpt of each thing it
    found; :meth:`findings` turns them into :class:`Finding` s of the check's kind.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.names = Names(names)
        self.checks = [
            ("identity_number", _identity_numbers),
            ("email", _emails),
            ("ip_address", _ip_addresses),
            ("name", self._names),
        ]

    def _names(self, text: str) -> Iterator[str]:
        if self.names:
            for found in self.names.find(text):
                yield _redact_words(found)

    def findings(self, text: str, file: str, location: str) -> Iterator[Finding]:
        for kind, check in self.checks:
            for excerpt in check(text):
                yield Finding(file, location, kind, excerpt)


def pseudonym_column(text: str) -> str | None:
    """Why a notebook output looks like a column of pseudonyms, or None: two or more
    distinct 32-hex values, or one next to the word ``person_id``."""
    values = set(HEX32.findall(text))
    if len(values) >= 2 or (values and "person_id" in text):
        return f"{len(values)} distinct 32-hex value(s) (row-level pseudonyms), e.g. {min(values)[:4]}****"
    return None


# --- names from the raw files ----------------------------------------------------------


def _project_words() -> set[str]:
    """Folded words the project itself writes: processed column names and every
    label in lcanalysis/plots/labels.json (Swedish and English)."""
    from lcanalysis import paths, schemas

    words = {part for table in schemas.TABLES for col in schemas.columns(table) for part in col.split("_")}
    labels = json.loads((paths.PACKAGE_DIR / "plots" / "labels.json").read_text(encoding="utf-8"))
    for entry in labels.values():
        for text in entry.values():
            words.update(_WORD.findall(text))
    return {fold(w) for w in words if len(w) >= MIN_LAST_NAME_LETTERS}


def names_from_raw(raw_dir: Path, *, config_dir: Path | None = None) -> set[str]:
    """The names of people in the raw exports, as the gate searches for them.

    Read with :mod:`lcanalysis.ingest` from every source whose columns include
    ``name`` in ``config/columns.yaml`` (participant lists). Kept: each full name
    of at least two characters, and its last word when that has at least
    :data:`MIN_LAST_NAME_LETTERS` letters and is not also a municipality's name
    (a report about "Mora" does not name Anna Mora) or a word of the project's own
    vocabulary (a report about pilot strands does not name Eva Strand): those are
    searched as part of the full name only. First names alone are not searched:
    too many are ordinary words.
    """
    from lcanalysis import geo, paths
    from lcanalysis.ingest import list_source_files, load_column_config, read_raw_file

    specs = load_column_config((config_dir or paths.config_dir()) / "columns.yaml")
    places = {fold(n) for n in geo.municipalities()["name"].to_list()} | _project_words()
    found = list_source_files(raw_dir)
    names: set[str] = set()
    for source, spec in specs.items():
        if "name" not in spec.aliases:
            continue
        for path in found.files.get(source, []):
            frame = read_raw_file(path, source, spec).frame
            if "name" not in frame.columns:
                continue
            for full in frame["name"].drop_nulls().unique().to_list():
                full = " ".join(full.split())
                if len(full) < 2:
                    continue
                names.add(full)
                last = full.split()[-1]
                if (
                    len(full.split()) > 1
                    and sum(c.isalpha() for c in last) >= MIN_LAST_NAME_LETTERS
                    and fold(last) not in places
                ):
                    names.add(last)
    return names
