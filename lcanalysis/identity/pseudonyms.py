"""Keyed pseudonyms: ``person_id`` = HMAC-SHA256 of the normalised identity number
under a secret key (:mod:`lcanalysis.identity.keys`), each distinct number parsed and
hashed once (:func:`identify`)."""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date

import polars as pl

from lcanalysis.identity.numbers import _check_text, _parse_distinct, _to_rows
from lcanalysis.values import distinct_codes


class Identified:
    """A raw column of identity numbers being parsed and pseudonymised in the background.

    Made by :func:`identify`. One background thread first finds the distinct values
    and parses them (polars' categorical encoding runs on one core), then hashes them
    (one Python call per number); the caller's polars work, which releases the GIL,
    runs meanwhile. Each attribute waits for what it needs.
    """

    def __init__(self, parse: Future, ids: Future) -> None:
        self._parse = parse
        self._ids = ids
        self._parsed: pl.DataFrame | None = None

    @property
    def codes(self) -> pl.Series:
        """Each row's raw value as a number: the same for the same spelling (UInt32,
        null for a blank), see :func:`lcanalysis.values.distinct_codes`."""
        return self._parse.result()[1]

    @property
    def parsed(self) -> pl.DataFrame:
        """:func:`parse_personal_numbers` of the column, row for row."""
        if self._parsed is None:
            self._parsed = _to_rows(*self._parse.result())
        return self._parsed

    def person_ids(self) -> pl.Series:
        """``person_id`` per row (null where the number is invalid); waits for the hashing."""
        return self._ids.result().gather(self.codes)


def identify(values: pl.Series, key: bytes, *, on: date | None = None) -> Identified:
    """Parse a raw column of identity numbers and pseudonymise it, each distinct value once.

    The same results as :func:`parse_personal_numbers` and :func:`pseudonymise` of
    its ``normalized`` column, faster: each distinct raw value is parsed and hashed
    once, and mapped back to the rows with one gather; and the work runs in a
    background thread (:class:`Identified`), hidden behind the caller's other work
    (measured in docs/performance.md).
    """
    _check_text(values)
    if not key:
        raise ValueError("the pseudonymisation key is empty")
    on = date.today() if on is None else on

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lcanalysis-identity")
    parsed = pool.submit(_parse_distinct, values, on)
    ids = pool.submit(lambda: _keyed_ids(parsed.result()[0]["normalized"], key))
    pool.shutdown(wait=False)  # the thread ends when the hashing is done
    return Identified(parsed, ids)


def _keyed_ids(normalized: pl.Series, key: bytes) -> pl.Series:
    """HMAC-SHA256 pseudonym of each value (see :func:`pseudonymise`); null stays null.

    HMAC (RFC 2104) with the keyed inner and outer SHA-256 states prepared once and
    copied per value (half the time of ``hmac.digest``; tested against :mod:`hmac`).
    The values reach Python as UTF-8 bytes (polars' Binary view of the strings) and
    the digests go back as bytes, hex-encoded and cut to 32 characters by polars.
    """
    block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    inner_copy = hashlib.sha256(bytes(byte ^ 0x36 for byte in block)).copy
    outer_copy = hashlib.sha256(bytes(byte ^ 0x5C for byte in block)).copy
    out: list[bytes | None] = []
    append = out.append
    for value in normalized.cast(pl.Binary).to_list():
        if value is None:
            append(None)
            continue
        inner_hash = inner_copy()
        inner_hash.update(value)
        outer_hash = outer_copy()
        outer_hash.update(inner_hash.digest())
        append(outer_hash.digest())
    return pl.Series("person_id", out, dtype=pl.Binary).bin.encode("hex").str.slice(0, 32)


def pseudonymise(normalized: pl.Series, key: bytes) -> pl.Series:
    """Replace normalised identity numbers by keyed pseudonyms (``person_id``).

    ``person_id`` = the first 32 hex characters (128 bits) of HMAC-SHA256 over the
    UTF-8 normalised number under ``key``: the same person gets the same id in every
    table and run with the same key, and without the key the id cannot be traced back
    by trying all numbers (there are only about 10^10). Each distinct value is hashed
    once; nulls stay null.

    Parameters
    ----------
    normalized:
        The ``normalized`` column of :func:`parse_personal_numbers` (String).
    key:
        From :func:`load_key`, or :data:`DEMO_KEY` for synthetic data only.

    Returns
    -------
    polars.Series
        String series named ``person_id``, aligned with ``normalized``.
    """
    if not key:
        raise ValueError("the pseudonymisation key is empty")
    if not (normalized.dtype == pl.String or normalized.dtype == pl.Null):
        raise TypeError(f"normalised identity numbers must be strings, not {normalized.dtype}")
    codes, distinct = distinct_codes(normalized)
    return _keyed_ids(distinct, key).gather(codes)
