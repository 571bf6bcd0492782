"""Header aliases: which raw header means which canonical column, per raw source.

The aliases live in ``config/columns.yaml`` (a reviewed data file, not code). Matching
ignores case, surrounding and repeated spaces and the difference between Swedish
letters and their plain forms, so ``" PERSONNUMMER "``, ``"Personnummer"`` and
``"personnummer"`` are one alias, and so are ``"Lärcentrum"`` and ``"larcentrum"``.

Survey tools write the question text as the header: a header that is no alias is
also tried without a trailing parenthesis (``"Personnummer (ÅÅÅÅMMDD-NNNN)"``) or
question mark, and
each part after a `` - `` (Qualtrics' "matrix question - statement"), in that order.
A header may also be known and deliberately not read: ``personal_data`` (names,
e-mail and IP addresses, locations, response ids: dropped at reading, named in the
warnings) and ``not_used`` (fields the indicators do not need).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lcanalysis.errors import ConfigError, InputError
from lcanalysis.text import fold

#: Keys a source entry in config/columns.yaml may have.
SOURCE_KEYS = frozenset(
    {"required", "columns", "item_pattern", "sheet", "personal_data", "not_used", "term_from_date"}
)

#: Why a known header is not read, by the config key that lists it.
DROP_REASONS = {"personal_data": "personal data", "not_used": "not used"}

#: Prefix of the canonical name of a survey experience item ("item:f3").
ITEM_PREFIX = "item:"

@dataclass(frozen=True)
class SourceColumns:
    """The header specification of one raw source.

    Attributes
    ----------
    source:
        The source name (``registrations``, ``survey`` ...), also its folder name.
    aliases:
        Canonical column name -> the headers that mean it, as written in the config.
    required:
        Canonical columns every file of the source must have.
    item_pattern:
        For the wide survey: a regular expression (matched case-insensitively at the
        start of the header) whose first group is the experience item id.
    sheet:
        The XLSX sheet to read; ``None`` means the first sheet.
    dropped_headers:
        Folded header -> why it is known and not read (``personal data``, ``not used``).
    term_from_date:
        A required term column -> the date columns (in order of preference) whose
        date gives the term when the export has no term: a course round's start date,
        a survey response's recorded time. A file with one of them need not have the
        term column.
    """

    source: str
    aliases: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    item_pattern: re.Pattern[str] | None = None
    sheet: str | None = None
    dropped_headers: dict[str, str] = field(default_factory=dict)
    term_from_date: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for canonical, names in self.aliases.items():
            for name in (canonical, *names):
                lookup.setdefault(fold(name), canonical)
        object.__setattr__(self, "lookup", lookup)

    def canonical(self, header: str) -> str | None:
        """The canonical column a raw header means, ``item:<id>`` or ``None`` if unknown.

        Tried on the header as written, then on its question-text readings
        (:func:`readings`): the aliases first, then the item pattern.
        """
        texts = readings(header)
        for text in texts:
            found = self.lookup.get(fold(text))
            if found is not None:
                return found
        if self.item_pattern is not None:
            for text in texts:
                match = self.item_pattern.match(text.replace("\ufeff", ""))
                if match:
                    return ITEM_PREFIX + re.sub(r"\s+", "", match.group(1)).casefold()
        return None

    def drop_reason(self, header: str) -> str | None:
        """Why a known header is not read (``"personal data"``, ``"not used"``), else None."""
        return next(
            (r for text in readings(header) if (r := self.dropped_headers.get(fold(text)))), None
        )

    def is_required_alias(self, header: str) -> bool:
        """Whether a cell text names a required column or a date standing in for one
        (used to find a header row)."""
        stand_ins = {c for columns in self.term_from_date.values() for c in columns}
        return any(self.lookup.get(fold(t)) in (*self.required, *stand_ins) for t in readings(header))


def readings(header: str) -> list[str]:
    """The texts a header is matched as: itself, without a trailing parenthesis and
    question mark, and each part after " - " (last first), e.g. ``"Hur väl stämmer påståendena? - F1 Jag
    kände mig välkommen"`` -> also ``"F1 Jag kände mig välkommen"``."""
    texts = [header]
    bare = re.sub(r"\s*\([^()]*\)\s*$", "", header).rstrip(" ?:.*")
    if bare and bare != header:
        texts.append(bare)
    parts = header.split(" - ")
    texts += [p.strip() for p in reversed(parts[1:]) if p.strip()]
    return texts


@dataclass(frozen=True)
class HeaderMapping:
    """How the headers of one file map to canonical columns.

    Attributes
    ----------
    canonical:
        Per header position, the canonical column name or ``None`` (dropped).
    dropped:
        Original headers that matched no alias, in file order.
    known_dropped:
        Why each known header that is not read was dropped: header -> ``personal
        data`` or ``not used``.
    """

    canonical: list[str | None]
    dropped: list[str]
    known_dropped: dict[str, str] = field(default_factory=dict)


def map_headers(
    headers: list[str],
    spec: SourceColumns,
    *,
    file: str | Path,
    row: int | None = None,
    names: list[str] | None = None,
    samples: list[list[str]] | None = None,
    free_text: frozenset[int] = frozenset(),
    layout_hint: str = "",
) -> HeaderMapping:
    """Map the headers of one file to the canonical columns of its source.

    Parameters
    ----------
    headers:
        The header cells in file order (blank headers are dropped).
    spec:
        The source's header specification.
    file, row:
        The file and the header's row in it, for messages.
    names:
        A second header row, position for position: the variable names a survey tool
        writes above (or below) the question texts (Qualtrics ``Q1``, ``Q3_1``); a
        column whose text means nothing is tried by its name.
    samples:
        The first data rows, for a missing column's suggestion by meaning.
    free_text:
        Positions the file's layout marks as free-text answers (Qualtrics' ImportId
        ``QID2_TEXT``): dropped as ``free text``, whatever their header says.
    layout_hint:
        What to do about a missing identity-number column in the file's layout
        (:attr:`lcanalysis.sources.Layout.without_person`), added to the message.

    Raises
    ------
    InputError
        When a required column is missing (naming it, the headers whose values
        read as it and the closest spellings), or two headers mean the same
        canonical column (naming both).
    """
    canonical: list[str | None] = []
    dropped: list[str] = []
    known: dict[str, str] = {}
    seen: dict[str, str] = {}
    twice: tuple[str, str, str, str] | None = None
    for index, header in enumerate(headers):
        name = names[index] if names is not None and index < len(names) else ""
        shown = f"{header} ({name})" if name and name != header else header
        reason = ("free text" if index in free_text else None) or spec.drop_reason(header) or (
            spec.drop_reason(name) if name else None
        )
        column = None
        if reason is None:
            column = spec.canonical(header) if header.strip() else None
            if column is None and name.strip():
                column = spec.canonical(name)
        if reason is not None:
            known[shown] = reason
        elif column is None:
            if header.strip() or name.strip():
                dropped.append(shown)
        elif column in seen:
            twice = twice or (seen[column], shown, column, header)
        else:
            seen[column] = shown
        canonical.append(column)
    missing = [
        column for column in spec.required
        if column not in seen and not any(c in seen for c in spec.term_from_date.get(column, ()))
    ]
    if missing:
        taken = {i for i, c in enumerate(canonical) if c is not None}
        hint = f"; {layout_hint}" if layout_hint and "personal_number" in missing else ""
        raise InputError(
            _missing_message(missing, headers, spec, samples, taken) + hint,
            file=file, row=row, column=missing[0],
        )
    if twice:
        first, second, column, header = twice
        raise InputError(
            f"headers {first!r} and {second!r} both mean column {column!r}; "
            "remove or rename one of them",
            file=file,
            row=row,
            column=header,
        )
    return HeaderMapping(canonical=canonical, dropped=dropped, known_dropped=known)


#: What a required column holds, so that a header can be recognised by its values.
MEANINGS = {
    "personal_number": "identity numbers",
    "term": "terms",
    "survey_term": "terms",
    "start_term": "terms",
    "credits_registered": "credits",
    "credits_earned": "credits",
    "examined_on": "dates",
    "observed_on": "dates",
    "date": "dates",
}

_IDENTITY_NUMBER = re.compile(r"^(?:\d{2})?(\d{6})[-+]?(\d{3})(\d)$")


def _parses(meaning: str, cells: list[str]) -> int:
    """How many of ``cells`` read as ``meaning`` (identity numbers with a valid check
    digit, terms, credits between 0 and 60, dates)."""
    import polars as pl

    from lcanalysis import terms, values
    from lcanalysis.identity import luhn_check_digit

    if meaning == "identity numbers":
        found = 0
        for cell in cells:
            m = _IDENTITY_NUMBER.match(cell.strip())
            found += bool(m) and luhn_check_digit(m[1] + m[2]) == int(m[3])
        return found
    if meaning == "terms":
        found = 0
        for cell in cells:
            try:
                terms.parse_term(cell)
            except terms.InvalidTerm:
                continue
            found += 1
        return found
    series = pl.Series(cells, dtype=pl.String)
    if meaning == "credits":
        parsed = values.parse_credits(series)
        return int(((parsed > 0) & (parsed <= 60)).sum())
    return int(values.parse_dates(series).is_not_null().sum())


def by_meaning(
    column: str, headers: list[str], samples: list[list[str]], taken: set[int]
) -> list[tuple[str, int, int]]:
    """Headers (not mapped to another column) whose sampled values read as what
    ``column`` holds: ``(header, values that parse, values sampled)``, best first."""
    meaning = MEANINGS.get(column)
    if meaning is None or not samples:
        return []
    found = []
    for index, header in enumerate(headers):
        if index in taken or not header.strip():
            continue
        cells = [row[index] for row in samples if index < len(row) and row[index].strip()]
        if cells and (hits := _parses(meaning, cells)) * 2 >= len(cells):
            found.append((header, hits, len(cells)))
    return sorted(found, key=lambda f: -f[1] / f[2])


def _missing_message(
    missing: list[str],
    headers: list[str],
    spec: SourceColumns,
    samples: list[list[str]] | None = None,
    taken: set[int] | None = None,
) -> str:
    """What is missing, which headers hold such values, which are spelled alike.

    By meaning first: a header whose sampled values parse as the column's kind
    (``"Antal"`` holding ``"7,5"``) is named with its count; then headers spelled
    alike, saying when their values do not read as the column's kind (a
    ``"Registreringsdatum"`` offered for credits holds dates).
    """
    present = {fold(h): h for h in headers if h.strip()}
    parts = []
    for column in missing:
        meaningful = by_meaning(column, headers, samples or [], taken or set())
        candidates = [fold(a) for a in (column, *spec.aliases.get(column, ()))]
        close: list[str] = []
        for candidate in candidates:
            for hit in difflib.get_close_matches(candidate, list(present), n=3, cutoff=0.6):
                if present[hit] not in close:
                    close.append(present[hit])
        hints = []
        if meaningful:
            hints.append("by their values: " + ", ".join(
                f"{h!r} holds {MEANINGS[column]} in {n} of {m} sampled rows"
                for h, n, m in meaningful[:3]
            ))
        spelled = [c for c in close if c not in {h for h, _, _ in meaningful}]
        if spelled:
            contradicted = (
                f", but their values do not read as {MEANINGS[column]}"
                if samples and column in MEANINGS else ""
            )
            hints.append(f"closest headers: {', '.join(repr(c) for c in spelled[:3])}{contradicted}")
        hint = f" ({'; '.join(hints)})" if hints else ""
        parts.append(f"{column!r}{hint}")
    accepted = "; ".join(
        f"{column}: {', '.join(spec.aliases.get(column, ()))}"
        + "".join(
            f" (or a date column for it, {stand_in}: {', '.join(spec.aliases.get(stand_in, ()))})"
            for stand_in in spec.term_from_date.get(column, ())
        )
        for column in missing
    )
    return (
        f"missing required column(s) {', '.join(parts)} for source {spec.source!r}; "
        f"add the header to config/columns.yaml if it is one of these; accepted headers: {accepted}"
    )


def load_column_config(path: Path) -> dict[str, SourceColumns]:
    """Read and validate ``config/columns.yaml``.

    Every problem is collected before raising: unknown keys, a required column that
    has no aliases, an alias that means two different columns in one source, an item
    pattern that is not a valid regular expression.

    Raises
    ------
    ConfigError
        Listing every problem found.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(path, [f"cannot read the file: {exc}"]) from None
    if not isinstance(data, dict):
        raise ConfigError(path, ["expected a mapping of source name -> column specification"])
    problems: list[str] = []
    specs: dict[str, SourceColumns] = {}
    for source, entry in data.items():
        spec = _source_columns(str(source), entry, problems)
        if spec is not None:
            specs[str(source)] = spec
    if problems:
        raise ConfigError(path, problems)
    return specs


def _source_columns(source: str, entry: object, problems: list[str]) -> SourceColumns | None:
    if not isinstance(entry, dict):
        problems.append(f"{source}: expected a mapping with 'required' and 'columns'")
        return None
    start = len(problems)
    for key in sorted(set(entry) - SOURCE_KEYS):
        problems.append(
            f"{source}: unknown key {key!r} (allowed: {', '.join(sorted(SOURCE_KEYS))})"
        )
    columns = entry.get("columns")
    if not isinstance(columns, dict) or not columns:
        problems.append(f"{source}: 'columns' must be a non-empty mapping")
        columns = {}
    aliases: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for canonical, names in columns.items():
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            problems.append(f"{source}.{canonical}: aliases must be a list of strings")
            continue
        aliases[str(canonical)] = tuple(names)
        for name in (str(canonical), *names):
            key = fold(name)
            if key in owner and owner[key] != canonical:
                problems.append(
                    f"{source}: alias {name!r} is used for both {owner[key]!r} and {canonical!r}"
                )
            owner.setdefault(key, str(canonical))
    required = entry.get("required", [])
    if not isinstance(required, list):
        problems.append(f"{source}: 'required' must be a list")
        required = []
    for column in required:
        if column not in columns:
            problems.append(f"{source}: required column {column!r} is not in 'columns'")
    pattern = None
    if "item_pattern" in entry:
        try:
            pattern = re.compile(str(entry["item_pattern"]), re.IGNORECASE)
        except re.error as exc:
            problems.append(f"{source}: item_pattern is not a valid regular expression: {exc}")
        else:
            if pattern.groups < 1:
                problems.append(f"{source}: item_pattern needs a group for the item id")
    sheet = entry.get("sheet")
    if sheet is not None and not isinstance(sheet, str):
        problems.append(f"{source}: 'sheet' must be a sheet name")
    dropped_headers: dict[str, str] = {}
    for key, reason in DROP_REASONS.items():
        names = entry.get(key, [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            problems.append(f"{source}: {key!r} must be a list of headers")
            continue
        for name in names:
            if fold(name) in owner:
                problems.append(f"{source}: {name!r} is in {key!r} and an alias of {owner[fold(name)]!r}")
            dropped_headers[fold(name)] = reason
    term_from_date: dict[str, tuple[str, ...]] = {}
    stand_ins = entry.get("term_from_date", {})
    if not isinstance(stand_ins, dict):
        problems.append(f"{source}: 'term_from_date' must map a term column to date columns")
        stand_ins = {}
    for column, dates in stand_ins.items():
        dates = [dates] if isinstance(dates, str) else dates
        unknown = [d for d in [column, *dates] if d not in columns]
        if unknown:
            problems.append(f"{source}: term_from_date names {unknown} that are not in 'columns'")
        term_from_date[str(column)] = tuple(str(d) for d in dates)
    if len(problems) > start:
        return None
    return SourceColumns(
        source=source,
        aliases=aliases,
        required=tuple(str(c) for c in required),
        item_pattern=pattern,
        sheet=sheet,
        dropped_headers=dropped_headers,
        term_from_date=term_from_date,
    )
