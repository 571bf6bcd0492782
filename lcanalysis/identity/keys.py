"""The secret pseudonymisation key: where it is kept, how it is made, and which key a
raw folder gets (:func:`key_for`: the published demo key only for the synthetic world)."""

from __future__ import annotations

import hmac
import os
import re
import secrets
from pathlib import Path

from lcanalysis.errors import KeyMissingError, LcanalysisError
from lcanalysis.paths import project_root

DEMO_KEY: bytes = b"lcanalysis-demo-key-synthetic-data-only"
"""The fixed, published key of the synthetic demo world. Never use it on real data."""

KEY_ENV = "LCANALYSIS_KEY"
"""Environment variable holding the pseudonymisation key as hex (32+ hex characters)."""


class KeyFileError(LcanalysisError):
    """A key file cannot be written where asked (it exists, or is inside the project)."""


def is_demo_key(key: bytes) -> bool:
    """Whether ``key`` is the published :data:`DEMO_KEY`, i.e. outputs are synthetic."""
    return hmac.compare_digest(key, DEMO_KEY)


def key_for(key_file: Path | None, *, synthetic: bool) -> bytes:
    """The pseudonymisation key for a raw folder: the published :data:`DEMO_KEY` for
    the synthetic demo world, else the evaluator's key (:func:`load_key`).

    Raises
    ------
    KeyMissingError
        No key is set up, or the key given for real data is the demo key (which would
        make real people's pseudonyms computable by anyone who has lcanalysis).
    """
    if synthetic:
        return DEMO_KEY
    key = load_key(key_file)
    if is_demo_key(key):
        raise KeyMissingError(
            "the demo key cannot pseudonymise real data; create a key with `lcanalysis keygen`"
        )
    return key


def default_key_file() -> Path:
    """Where the key is kept by default: ``~/.config/lcanalysis/key``, outside any project."""
    return Path("~/.config/lcanalysis/key").expanduser()


def _inside_project(path: Path) -> bool:
    return path.expanduser().resolve().is_relative_to(project_root().resolve())


_KEY_HEX = re.compile(r"(?:[0-9a-fA-F]{2}){16,}")
_KEYGEN_HELP = (
    f"create one with `lcanalysis keygen` (writes {{path}}), or set {KEY_ENV} to a hex "
    "string of at least 32 characters"
)


def _key_from_hex(text: str, source: str) -> bytes:
    value = text.strip()
    if _KEY_HEX.fullmatch(value) is None:
        raise KeyMissingError(
            f"the key in {source} is not an even-length hex string of at least 32 characters; "
            + _KEYGEN_HELP.format(path=default_key_file())
        )
    return bytes.fromhex(value)


def load_key(key_file: Path | None = None) -> bytes:
    """The secret pseudonymisation key for real data.

    Looked for in order: the environment variable ``LCANALYSIS_KEY``, ``key_file``,
    :func:`default_key_file`. Either way the key is written as hex (at least 32 hex
    characters, i.e. 128 bits; :func:`generate_key` makes 256) and returned decoded.

    A key file inside the project folder is refused: the project is shared, copied
    and committed together with its data, and a key next to the pseudonymised data
    undoes the pseudonymisation.

    Raises
    ------
    KeyMissingError
        No key, a malformed key, or a key file inside the project; the message says
        how to create one. The key itself is never shown.
    """
    env = os.environ.get(KEY_ENV, "")
    if env.strip():
        return _key_from_hex(env, f"the environment variable {KEY_ENV}")
    path = (default_key_file() if key_file is None else Path(key_file)).expanduser()
    if _inside_project(path):
        raise KeyMissingError(
            f"refusing the key file {path}: it is inside the project folder "
            f"{project_root()}, where it would travel with the data it protects; move it "
            f"outside, e.g. to {default_key_file()}"
        )
    if not path.is_file():
        raise KeyMissingError(
            f"no pseudonymisation key: {KEY_ENV} is not set and {path} does not exist; "
            + _KEYGEN_HELP.format(path=default_key_file())
        )
    return _key_from_hex(path.read_text(encoding="utf-8"), str(path))


def generate_key() -> str:
    """A new random key: 64 hex characters (256 bits) from :mod:`secrets`."""
    return secrets.token_hex(32)


def write_key(path: Path) -> Path:
    """Write a new key (:func:`generate_key`) to ``path``, readable by its owner only.

    The file gets mode 0600 and missing parent folders mode 0700. An existing file is
    never overwritten (that would orphan every pseudonym made with the old key), and
    a path inside the project folder is refused (see :func:`load_key`).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    KeyFileError
        The file exists or is inside the project folder.
    """
    target = Path(path).expanduser()
    if _inside_project(target):
        raise KeyFileError(
            f"refusing to write a key inside the project folder {project_root()}: "
            f"keep it outside, e.g. {default_key_file()}"
        )
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(
            f"{target} already exists; not overwriting it, since pseudonyms made with "
            "that key could no longer be matched"
        ) from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        os.chmod(target, 0o600)
        handle.write(generate_key() + "\n")
    return target
