"""Statistical disclosure control: policies as data, suppression that holds across
margins and linked tables, and the intruder's attack that checks it.

- :mod:`.policy`: the policies (default, ofs, hesa), primary suppression and rounding
  of one table (:func:`apply_policy`), the audit of one table's cells (:func:`audit`);
- :mod:`.cells`: published tables as one system of people counts (:class:`Layout`
  declares how a table's rows map to cells and which tables share a population);
- :mod:`.suppression`: secondary suppression by the intruder's LP bounds
  (:func:`protect`) and the disclosure log;
- :mod:`.attack`: the intruder over a set of published tables (:func:`attack`;
  over a run folder's exports: :func:`lcanalysis.report.tables.attack_run`).

Typical use::

    layout = Layout(keys=("age_band", "route"), total="All", measure="first_generation")
    primary = apply_policy(crossed, "default", keys=layout.keys)
    safe = protect(Published("by_age", primary, layout), "default")
    assert attack([Published("by_age", safe, layout)], "default") == []
"""

from lcanalysis.disclosure.attack import Finding, attack
from lcanalysis.disclosure.cells import CellSystem, Layout, LayoutError, Published
from lcanalysis.disclosure.policy import (
    DISCLOSURE_COLUMNS,
    PEOPLE,
    POLICIES,
    RATE_VALUES,
    SAMPLE,
    Policy,
    Violation,
    apply_policy,
    audit,
    get_policy,
    is_estimate_table,
    is_protected,
    is_ratio_frame,
    is_survival_frame,
    mark_protected,
)
from lcanalysis.disclosure.suppression import (
    SuppressionError,
    check_layouts,
    disclosure_log,
    protect,
)

__all__ = [
    "DISCLOSURE_COLUMNS", "PEOPLE", "POLICIES", "RATE_VALUES", "SAMPLE", "CellSystem", "Finding",
    "Layout", "LayoutError", "Policy", "Published", "SuppressionError", "Violation",
    "apply_policy", "attack", "audit", "check_layouts", "disclosure_log",
    "get_policy", "is_estimate_table", "is_protected", "is_ratio_frame", "is_survival_frame",
    "mark_protected", "protect",
]
