"""Errors a user can cause, with the place they occurred.

Every problem with input that a person can fix (a bad file, a missing column, an
unknown municipality, a missing key) is raised as :class:`InputError`, which the CLI
prints as one line naming file, row and column; never as a traceback.
"""

from __future__ import annotations

from pathlib import Path


class LcanalysisError(Exception):
    """Base class of every error the CLI reports as a message rather than a traceback."""


class InputError(LcanalysisError):
    """A problem in an input file, located as precisely as it is known.

    Parameters
    ----------
    message:
        What is wrong and, where possible, what to do about it.
    file, row, column:
        Where. ``row`` is the 1-based line or spreadsheet row as the user sees it
        in the file (header included), not a 0-based frame index.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ConfigError(LcanalysisError):
    """A configuration file is invalid; ``problems`` lists every problem found at once."""

    def __init__(self, file: str | Path, problems: list[str]) -> None:
        self.file = str(file)
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{self.file}: {len(self.problems)} problem(s)\n{lines}")


class KeyMissingError(LcanalysisError):
    """No pseudonymisation key was found, so real data cannot be cleaned."""
