"""``reports/.lock``: one run at a time, with no window in which two runs both hold it.

The lock is an operating-system lock on the file (``flock`` on POSIX, ``msvcrt.locking``
on Windows), held for as long as the run's process holds the file open; the operating
system releases it when the process ends, however it ends. The file's content (pid,
host, start time) only says who holds it, for the message another run prints.

What this replaces, and why: the first version created the file with ``O_EXCL`` and
judged a lock whose pid was gone "stale", then removed and re-created it. Two runs
that found the same stale lock could both remove it and both go on (the second
removing the first's fresh lock). With an operating-system lock, taking over a lock
left by a dead run is part of taking the lock: there is nothing to remove.

A lock file whose content names a live process of this host (or any process of
another host) but which is not locked is respected too: it was written by a run that
does not use operating-system locks (an older lcanalysis, another machine sharing the
folder).
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from lcanalysis.errors import LcanalysisError


class RunLocked(LcanalysisError):
    """Another run holds the lock."""


class RunLock:
    """``reports/.lock`` held for a ``with`` block.

    A lock left by a run whose process is gone is reported through ``log`` and taken
    over. The file is removed when the block ends.
    """

    def __init__(self, path: Path, log: Callable[[str], None]) -> None:
        self.path = path
        self.log = log
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(10):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_lock(fd):
                holder = _read(fd)
                os.close(fd)
                raise RunLocked(_held_message(holder, self.path))
            if not _same_file(fd, self.path):
                # The holder before us removed the file after we opened it: our lock is
                # on a file nobody else will open. Start again on the current file.
                os.close(fd)
                continue
            holder = _read(fd)
            if holder and holder.get("pid") != os.getpid() and _alive(holder):
                os.close(fd)
                raise RunLocked(_held_message(holder, self.path))
            if holder:
                self.log(f"removed a stale lock {self.path} left by pid {holder.get('pid', '?')} "
                         f"(started {holder.get('started', '?')})")
            info = {"pid": os.getpid(), "host": socket.gethostname(),
                    "started": datetime.now(UTC).isoformat(timespec="seconds")}
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, json.dumps(info).encode())
            self._fd = fd
            return self
        raise RunLocked(f"could not take the lock {self.path}: other runs kept replacing it")

    def __exit__(self, *exc: object) -> None:
        if self._fd is None:
            return
        # Removed while still locked: a run that opened the file before the removal
        # finds, once it has the lock, that the path no longer names its file, and
        # starts again (see __enter__).
        self.path.unlink(missing_ok=True)
        os.close(self._fd)  # releases the operating-system lock
        self._fd = None


def _try_lock(fd: int) -> bool:
    """Take the operating-system lock on ``fd`` without waiting; False if another holds it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _same_file(fd: int, path: Path) -> bool:
    try:
        current = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (opened.st_dev, opened.st_ino) == (current.st_dev, current.st_ino)


def _read(fd: int) -> dict | None:
    """The holder recorded in the lock file, if it holds one."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        data = json.loads(os.read(fd, 4096).decode("utf-8") or "null")
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _held_message(holder: Mapping | None, path: Path) -> str:
    holder = holder or {}
    return (f"another run is in progress (pid {holder.get('pid', '?')}, started "
            f"{holder.get('started', '?')}); lock {path}")


def _alive(holder: Mapping) -> bool:
    """Whether the lock's process is alive (a lock from another host counts as alive)."""
    pid = holder.get("pid")
    if holder.get("host") not in (None, socket.gethostname()):
        return True
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
