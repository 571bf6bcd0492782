"""The cleaning report: row accounting per source file, as JSON and Markdown.

For every file ``rows_in = rows_out + duplicates + sum(quarantined)``; the report
refuses to be built otherwise, because a row that vanishes silently is the one
defect this project never ships. Reports carry no timestamps, so cleaning the same
input twice gives byte-identical reports as well as tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class AccountingError(AssertionError):
    """Rows were lost or invented between reading and writing: a defect, not bad input."""


@dataclass
class FileAccount:
    """What happened to the rows of one raw file."""

    source: str
    file: str
    rows_in: int
    rows_out: int = 0
    duplicates: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def balances(self) -> bool:
        return self.rows_in == self.rows_out + self.duplicates + sum(self.quarantined.values())

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "file": self.file,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "duplicates": self.duplicates,
            "quarantined": dict(sorted(self.quarantined.items())),
            "warnings": self.warnings,
        }


@dataclass
class CleaningReport:
    """Accounts for every file, the row count of every table written, and flags."""

    files: list[FileAccount]
    tables: dict[str, int]
    synthetic: bool

    def __post_init__(self) -> None:
        broken = [f for f in self.files if not f.balances()]
        if broken:
            detail = "; ".join(
                f"{f.file}: in {f.rows_in} != out {f.rows_out} + duplicates {f.duplicates}"
                f" + quarantined {sum(f.quarantined.values())}"
                for f in broken
            )
            raise AccountingError(f"row accounting does not balance: {detail}")

    def totals_by_reason(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for f in self.files:
            for reason, n in f.quarantined.items():
                totals[reason] = totals.get(reason, 0) + n
        return dict(sorted(totals.items()))

    def to_dict(self) -> dict:
        return {
            "synthetic": self.synthetic,
            "files": [f.to_dict() for f in self.files],
            "tables": self.tables,
            "quarantined_by_reason": self.totals_by_reason(),
            "duplicates": sum(f.duplicates for f in self.files),
        }

    def to_markdown(self) -> str:
        lines = ["# Cleaning report", ""]
        if self.synthetic:
            lines += ["**Synthetic data**: made from the generated demo world, not real students.", ""]
        lines += [
            "Every row of every raw file is accounted for: rows in = rows out + duplicates"
            " removed + rows quarantined (with a reason code; see docs/data-contract.md).",
            "",
            "| source | file | rows in | rows out | duplicates | quarantined | reasons |",
            "|---|---|---:|---:|---:|---:|---|",
        ]
        for f in self.files:
            reasons = ", ".join(f"{r} {n}" for r, n in sorted(f.quarantined.items())) or ""
            lines.append(
                f"| {f.source} | {f.file} | {f.rows_in} | {f.rows_out} | {f.duplicates}"
                f" | {sum(f.quarantined.values())} | {reasons} |"
            )
        lines += ["", "## Tables written", "", "| table | rows |", "|---|---:|"]
        lines += [f"| {name} | {n} |" for name, n in self.tables.items()]
        warnings = [w for f in self.files for w in f.warnings]
        if warnings:
            lines += ["", "## Warnings", ""]
            lines += [f"- {w}" for w in warnings]
        return "\n".join(lines) + "\n"
