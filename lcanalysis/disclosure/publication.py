"""The tables of one notebook, protected in the order they are published.

A notebook's tables and figure data are one linked set: each new table gets the
primary suppression of the policy, then the secondary suppression that keeps every
hidden value of it and of the earlier ones out of the intruder's reach
(:func:`lcanalysis.disclosure.protect`). What a table shows therefore depends on the
tables published before it in the same notebook, and anything that repeats a
notebook's number (the headline findings) must protect it the same way:
:class:`Publication` is that one procedure, used by
:class:`lcanalysis.notebook.NotebookRun` and by
:func:`lcanalysis.indicators.headline.headline_findings`.

The layouts of tables whose notebook does not declare them in the call are in
config/table_layouts.yaml (:func:`declared_layout`).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from functools import cache

import polars as pl

from lcanalysis import paths
from lcanalysis.disclosure.cells import Layout, LayoutError, Published, is_cell_table
from lcanalysis.disclosure.policy import Policy, apply_policy, get_policy
from lcanalysis.disclosure.suppression import check_layouts, protect

LAYOUTS_FILE = "config/table_layouts.yaml"


@cache
def declared_layouts() -> dict[str, dict[str, dict]]:
    """Notebook -> table name (``*`` allowed) -> layout, from config/table_layouts.yaml."""
    import yaml

    path = paths.project_root() / LAYOUTS_FILE
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def declared_layout(notebook: str, table: str) -> Layout:
    """The layout declared for ``table`` of ``notebook`` (an entry may be a pattern,
    ``profile_*``); :class:`LayoutError` naming the file when there is none."""
    found = [v for k, v in declared_layouts().get(notebook, {}).items()
             if fnmatch.fnmatchcase(table, k)]
    if not found:
        raise LayoutError(
            f"{notebook}: table {table!r} has no declared layout: pass keys=[...] (its key "
            f"columns) or declare it under {notebook} in {LAYOUTS_FILE}")
    return Layout.from_json(found[0])


@dataclass
class Publication:
    """The linked set of one notebook: every table published so far, protected and
    as computed (the true numbers, for the layout checks)."""

    notebook: str
    policy: Policy
    published: dict[str, Published] = field(default_factory=dict)
    """Name -> protected table, in the order published."""
    unprotected: dict[str, pl.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.policy = get_policy(self.policy)

    def publish(self, name: str, frame: pl.DataFrame, layout: Layout | None = None) -> pl.DataFrame:
        """``frame`` protected as the next table of the set (``layout``: the declared
        one when None); publishing the same name again with the same frame gives the
        same protected frame, with other numbers it is an error."""
        if name in self.unprotected:
            if self.unprotected[name].equals(frame):
                return self.published[name].frame
            raise ValueError(f"{self.notebook}: {name!r} was published before with other numbers; "
                             "give the second table its own name")
        layout = layout or declared_layout(self.notebook, name)
        layout.check(frame, name)
        protected = apply_policy(frame, self.policy, keys=layout.keys)
        if is_cell_table(protected):
            # True counts needed: under a rounding policy some frames arrive rounded
            # (route gaps apply the policy themselves); the default policy's run checks
            # the same layouts on the same data.
            if self.policy.rounding_base is None:
                check_layouts([*(Published(n, f, self.published[n].layout)
                                 for n, f in self.unprotected.items()),
                               Published(name, frame, layout)])
            protected = protect(Published(name, protected, layout), self.policy,
                                published=list(self.published.values()))
        self.unprotected[name] = frame
        self.published[name] = Published(name, protected, layout)
        return protected

    def rename(self, old: str, new: str) -> None:
        """Give a table published under a pattern (``profile_*``) its name."""
        self.unprotected = {new if k == old else k: v for k, v in self.unprotected.items()}
        self.published = {
            new if k == old else k: Published(new, v.frame, v.layout) if k == old else v
            for k, v in self.published.items()}
