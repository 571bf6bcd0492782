"""The gate's ledger of contents read clean: what it has read before and found
nothing in, under the same checks, so that a later run does not read it again.

Most of what a run's gate reads is what the run before it read: the processed tables
(2.7 s of a forced re-run's gate), and the exported tables that the intruder attacks
(1.9 s). The ledger (``data/derived/privacy-gate.json``) keeps a key for each file the
gate read to its end without a finding, and for each run's exported tables that the
intruder attacked without a finding. A key is a hash of

- the checks (:func:`checks_fingerprint`): the lcanalysis package's files (rules,
  readers, disclosure policies), the versions of the libraries that read files for the
  gate (pypdf, polars), the names looked for and the disclosure policy;
- what a check depends on besides the content: the file's suffix and whether it lies
  in a ``tables`` folder (:func:`file_key`); for the attack, every file the intruder
  reads and its path in the run (:func:`lcanalysis.report.tables.attack_inputs`);
- the content itself (BLAKE2b).

So a key found in the ledger means: these bytes, read by these checks, were found
clean. Anything else (new bytes, another rule, another name in the raw files, another
policy, a new pypdf) has another key and is read. Nothing that was found is kept: a
file with a finding is read again each time, and reported each time; nor is a file
(or a run's tables) whose bytes changed while the gate read it.

The ledger holds hashes only, no text of any file. It lives in ``data/derived``, on
the private side with the pseudonymised data (docs/privacy.md); deleting it only
makes the next gate read everything. At most :data:`LIMIT` keys are kept, the most
recently used.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

__all__ = ["LEDGER_FILE", "LIMIT", "CleanLedger", "checks_fingerprint", "content_digest"]

LEDGER_FILE = "privacy-gate.json"
LIMIT = 5000
"""Keys kept: about fifteen runs' worth of files (a run writes some 300)."""
READERS = ("pypdf", "pypdfium2", "polars")


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def checks_fingerprint(names: Iterable[str], policy: object) -> str:
    """What the gate's findings depend on besides a file: the package's code and
    reference data, the readers' versions, the names and the policy."""
    from importlib.metadata import PackageNotFoundError, version

    from lcanalysis.derived import package_fingerprint

    h = hashlib.sha256(package_fingerprint().encode())
    for reader in READERS:
        try:
            h.update(f"\0{reader}={version(reader)}".encode())
        except PackageNotFoundError:
            h.update(f"\0{reader}=none".encode())
    for name in sorted(set(names)):
        h.update(b"\0name=" + name.encode("utf-8"))
    h.update(f"\0policy={policy!r}".encode())
    return h.hexdigest()


class CleanLedger:
    """The keys in ``folder/privacy-gate.json`` for the checks ``checks``
    (:func:`checks_fingerprint`); :meth:`add` then :meth:`save` to keep new ones."""

    def __init__(self, folder: Path, checks: str) -> None:
        self.path = Path(folder) / LEDGER_FILE
        self.checks = checks
        self._used: dict[str, float] = self._read()
        self._new: dict[str, float] = {}

    def _read(self) -> dict[str, float]:
        try:
            found = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # none yet, or damaged: read everything again
            return {}
        keys = found.get("keys") if isinstance(found, dict) else None
        if not isinstance(keys, dict):
            return {}
        return {k: float(v) for k, v in keys.items() if isinstance(k, str) and isinstance(v, (int, float))}

    def key(self, *parts: str) -> str:
        """The key of ``parts`` under these checks."""
        h = hashlib.sha256(self.checks.encode())
        for part in parts:
            h.update(b"\0" + part.encode("utf-8"))
        return h.hexdigest()[:40]

    def file_key(self, path: Path, digest: str) -> str:
        """The key of a file's content as the checks read it: they depend on its
        suffix and on whether it lies directly in a ``tables`` folder."""
        return self.key("file", path.suffix.lower(), str(path.parent.name == "tables"), digest)

    def files_key(self, kind: str, what: str, root: Path, files: Iterable[Path]) -> str:
        """The key of a set of files by their paths under ``root`` and contents (the
        tables one check reads together)."""
        return self.key(kind, what, *(f"{p.relative_to(root).as_posix()}={content_digest(p.read_bytes())}"
                                      for p in files))

    def __contains__(self, key: str) -> bool:
        if key in self._used or key in self._new:
            self._new[key] = time.time()
            return True
        return False

    def add(self, key: str) -> None:
        self._new[key] = time.time()

    def save(self) -> None:
        """Merge the keys used or added into the file (another gate may have written
        it meanwhile), keep the :data:`LIMIT` most recent, replace it atomically. A
        ledger that cannot be written is left as it is: the next gate reads more."""
        if not self._new:
            return
        merged = {**self._read(), **self._new}
        kept = dict(sorted(merged.items(), key=lambda kv: kv[1], reverse=True)[:LIMIT])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{LEDGER_FILE}.")
        except OSError:
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"keys": kept}, fh)
            os.replace(tmp, self.path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
            return
        self._used, self._new = kept, {}
