"""Swedish personal identity numbers and the keyed pseudonyms that replace them.

Three modules, one job each: ``numbers`` (parsing and validation), ``pseudonyms``
(HMAC of the normalised number) and ``keys`` (the secret key and its rules).

Raw exports identify people by a personnummer, a samordningsnummer or one of Ladok's
interim numbers (:mod:`lcanalysis.identity.numbers`). Everything downstream keys on
the normalised 12-character form (``YYYYMMDDNNNC``), and only through
:func:`~lcanalysis.identity.pseudonyms.pseudonymise`, the HMAC-SHA256 of that form
under a secret key. The key comes from :func:`~lcanalysis.identity.keys.load_key`; the
synthetic demo world uses the published :data:`DEMO_KEY`, which :func:`is_demo_key`
recognises so that outputs made with it can be marked as synthetic.
"""

from lcanalysis.identity.keys import (
    DEMO_KEY,
    KEY_ENV,
    KeyFileError,
    default_key_file,
    generate_key,
    is_demo_key,
    key_for,
    load_key,
    write_key,
)
from lcanalysis.identity.numbers import (
    REASONS,
    InvalidPersonalNumber,
    PersonalNumber,
    luhn_check_digit,
    parse_personal_number,
    parse_personal_numbers,
)
from lcanalysis.identity.pseudonyms import Identified, identify, pseudonymise

__all__ = [
    "DEMO_KEY",
    "KEY_ENV",
    "REASONS",
    "Identified",
    "InvalidPersonalNumber",
    "KeyFileError",
    "PersonalNumber",
    "default_key_file",
    "generate_key",
    "identify",
    "is_demo_key",
    "key_for",
    "load_key",
    "luhn_check_digit",
    "parse_personal_number",
    "parse_personal_numbers",
    "pseudonymise",
    "write_key",
]
