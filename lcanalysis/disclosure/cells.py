"""Published tables as one system of people counts, and the bounds an intruder gets.

Every number of people a table shows is a *cell* of one cube per population: the
number of people of that population with given values of some dimensions. A
:class:`Layout`, declared by whoever publishes the table, says how its rows map to
cells:

- a count table's row is the cell of its key values (``count`` or ``n``);
- an indicator rate's row (``measure_key`` names the column holding the indicator,
  e.g. ``characteristic``, or ``measure`` names the one indicator of the table)
  gives three cells: the numerator N(keys, indicator = 1), the denominator
  N(keys, indicator known) and the complement N(keys, indicator = 0), with
  denominator = numerator + complement;
- a share row (``share_of`` names the category column, e.g. parental education)
  gives the numerator N(keys) and the denominator N(keys without the category).

A key's value equal to the layout's ``total`` (``"All"``, ``"Total"``) or null means
"every value of that dimension", so the margins of a cross, an overall table and the
rows of a per-centre profile name the same cells when they share a ``population``.
A dimension's *domain* (its complete set of values) comes from the table's margins,
from the categories of a share table, or is declared (``domains``); for every cell C
and dimension k of known domain, C = sum over v of C with k = v. Children nobody
published are unknowns >= 0, so "the total minus the centres shown" bounds the
centre that is not.

Some indicators are categories of another dimension (:func:`defined_indicators`):
first generation is parental education below three years of post-secondary. For a
cell C with such an indicator = 1 (or 0) and cells of the same people by that
dimension, C = the sum of the cells of its categories, so "known minus the
non-first-generation categories shown" bounds a category that is hidden.

:class:`CellSystem` collects the cells of a set of published tables, their
equations and what is shown of each (a value, or under a rounding policy the
interval of values that round to it), and gives the linear-programming bounds of
any sum of cells (:meth:`CellSystem.bounds`, scipy's HiGHS). With the true values it
also checks that every equation the layouts imply holds (:meth:`CellSystem.check`),
so a wrong declaration is an error, not a false sense of safety.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from lcanalysis.disclosure.policy import (
    Policy,
    _count_column,
    _is_rate_frame,
    is_ratio_frame,
    is_survival_frame,
)

Cell = tuple[str, tuple[tuple[str, str], ...]]
"""(population, sorted (dimension, value) pairs)."""


class LayoutError(ValueError):
    """A layout that does not fit its table, or implies equations the data break."""


@dataclass(frozen=True)
class Layout:
    """How a published table's rows map to cells of its population (module docstring).

    Attributes
    ----------
    keys:
        The key columns, declared (never guessed); every other column is a value.
    total:
        The value of a key column that marks a margin over that key.
    population:
        Tables with the same population count the same people and are protected and
        attacked as one set; ``None``: the table is a population of its own.
    measure_key, measure:
        For indicator rates: the key column naming each row's 0/1 indicator, or the
        name of the table's single indicator (default: the table's name).
    share_of:
        For shares of a group: the category column whose values partition the
        denominator.
    domains:
        Complete value sets of dimensions beyond what margins show, e.g. every
        learning centre for per-centre tables.
    quotes:
        For a table whose rows repeat rows of other tables (the headline findings):
        the column naming, per row, the row it repeats as
        ``notebook/table?key=value&...``; the run's intruder checks that no shown row
        repeats a row its source hides (:func:`lcanalysis.disclosure.attack`).
    """

    keys: tuple[str, ...]
    total: str | None = None
    population: str | None = None
    measure_key: str | None = None
    measure: str | None = None
    share_of: str | None = None
    domains: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    quotes: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", tuple(self.keys))
        object.__setattr__(
            self, "domains", {k: tuple(str(v) for v in vs) for k, vs in dict(self.domains).items()}
        )
        for name, column in (("measure_key", self.measure_key), ("share_of", self.share_of)):
            if column is not None and column not in self.keys:
                raise LayoutError(f"{name}={column!r} must be one of the keys {list(self.keys)}")
        if self.measure_key and (self.measure or self.share_of):
            raise LayoutError("give one of measure_key, measure and share_of")
        if self.measure and self.share_of:
            raise LayoutError("give one of measure and share_of")
        if self.quotes is not None and self.quotes not in self.keys:
            raise LayoutError(f"quotes={self.quotes!r} must be one of the keys {list(self.keys)}")

    def check(self, frame: pl.DataFrame, table: str) -> None:
        """Raise :class:`LayoutError` (naming the table and columns) when the layout
        does not fit ``frame``: a declared key missing, or a text column that is not
        declared as a key (a key would be taken for a value)."""
        missing = [k for k in self.keys if k not in frame.columns]
        if missing:
            raise LayoutError(f"table {table!r}: declared key column(s) {missing} are not among "
                              f"its columns {frame.columns}")
        undeclared = [c for c, t in frame.schema.items()
                      if c not in self.keys and c != "suppression_reason"
                      and (t == pl.Utf8 or t == pl.Categorical or isinstance(t, pl.Enum))]
        if undeclared:
            raise LayoutError(f"table {table!r}: text column(s) {undeclared} are not declared "
                              f"keys; declare keys={[*self.keys, *undeclared]}")

    def to_json(self) -> dict:
        return {"keys": list(self.keys), "total": self.total, "population": self.population,
                "measure_key": self.measure_key, "measure": self.measure,
                "share_of": self.share_of, "domains": {k: list(v) for k, v in self.domains.items()},
                "quotes": self.quotes}

    @classmethod
    def from_json(cls, data: Mapping) -> Layout:
        return cls(keys=tuple(data["keys"]), total=data.get("total"),
                   population=data.get("population"), measure_key=data.get("measure_key"),
                   measure=data.get("measure"), share_of=data.get("share_of"),
                   domains=data.get("domains") or {}, quotes=data.get("quotes"))


@dataclass(frozen=True)
class Published:
    """A table as it is published: its name, the protected frame, its layout."""

    name: str
    frame: pl.DataFrame
    layout: Layout


@dataclass(frozen=True)
class RowCells:
    """The cells behind one row: numerator (or count), denominator, complement.

    ``complement`` is the complement cell of an indicator rate; for a share row the
    complement is denominator - numerator (``share``), for a count row there is none.
    """

    table: str
    row: int
    x: Cell
    d: Cell | None
    complement: Cell | None
    share: bool


def is_cell_table(frame: pl.DataFrame) -> bool:
    """Rate frames and count tables of people: the tables that become cells."""
    return (
        bool({"numerator", "count", "n"} & set(frame.columns))
        and not is_ratio_frame(frame)
        and not is_survival_frame(frame)
    )


def _cell(population: str, coords: Mapping[str, str]) -> Cell:
    return population, tuple(sorted(coords.items()))


def population_of(table: Published) -> str:
    return table.layout.population or f"table {table.name}"


def row_cells(table: Published) -> list[RowCells]:
    """The cells of every row of a rate frame or count table (others: none)."""
    frame, layout = table.frame, table.layout
    if not is_cell_table(frame):
        return []
    population = population_of(table)
    is_rate = _is_rate_frame(frame)
    out = []
    for i, row in enumerate(frame.select(layout.keys).iter_rows(named=True)):
        coords = {
            k: str(v) for k, v in row.items()
            if v is not None and str(v) != layout.total and k != layout.measure_key
        }
        if not is_rate:
            out.append(RowCells(table.name, i, _cell(population, coords), None, None, False))
        elif layout.share_of is not None:
            parent = {k: v for k, v in coords.items() if k != layout.share_of}
            out.append(RowCells(table.name, i, _cell(population, coords),
                                _cell(population, parent), None, True))
        else:
            measure = str(row[layout.measure_key]) if layout.measure_key else (
                layout.measure or table.name)
            out.append(RowCells(
                table.name, i,
                _cell(population, {**coords, measure: "1"}),
                _cell(population, {**coords, measure: "known"}),
                _cell(population, {**coords, measure: "0"}),
                False,
            ))
    return out


def _domains(tables: Iterable[Published]) -> dict[str, dict[str, set[str]]]:
    """Dimension -> complete value set, per population."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for table in tables:
        if not is_cell_table(table.frame):
            continue
        layout, population = table.layout, population_of(table)
        for key in layout.keys:
            if key == layout.measure_key:
                continue
            values = {str(v) for v in table.frame[key].to_list() if v is not None}
            if layout.total is not None and layout.total in values:
                out[population][key] |= values - {layout.total}
            elif key == layout.share_of:
                out[population][key] |= values
        for key, values in layout.domains.items():
            out[population][key] |= set(values)
    return out


def defined_indicators() -> dict[str, tuple[str, dict[str, tuple[str, ...]]]]:
    """Indicator -> (the dimension it is made of, its value ("1", "0") -> the values
    of that dimension it stands for), as the cleaning defines them
    (:data:`lcanalysis.schemas.FIRST_GENERATION_LEVELS`)."""
    from lcanalysis.schemas import FIRST_GENERATION_LEVELS, PARENTAL_EDUCATION_LEVELS

    known = tuple(v for v in PARENTAL_EDUCATION_LEVELS if v != "unknown")
    return {"first_generation": ("parental_education", {
        "1": FIRST_GENERATION_LEVELS,
        "0": tuple(v for v in known if v not in FIRST_GENERATION_LEVELS),
    })}


def _rounded_interval(value: float, base: int | None) -> tuple[float, float]:
    if base is None:
        return value, value
    return max(0.0, math.ceil(value - base / 2)), math.ceil(value + base / 2) - 1


class CellSystem:
    """The cells of a set of published tables, their equations and shown values."""

    def __init__(self, tables: Sequence[Published], policy: Policy) -> None:
        self.policy = policy
        self.tables = {t.name: t for t in tables}
        self.index: dict[Cell, int] = {}
        self.rows: list[RowCells] = []
        self.equations: list[dict[int, float]] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.shown: set[int] = set()
        for table in tables:
            self.rows.extend(row_cells(table))
        for rc in self.rows:
            for c in (rc.x, rc.d, rc.complement):
                if c is not None:
                    self._var(c)
        for rc in self.rows:
            if rc.complement is not None:
                self.equations.append({self.index[rc.d]: 1.0, self.index[rc.x]: -1.0,
                                       self.index[rc.complement]: -1.0})
        referenced = list(self.index)
        domains = _domains(tables)
        for cell in referenced:
            population, coords = cell
            have = dict(coords)
            for dim, values in domains.get(population, {}).items():
                if dim in have:
                    continue
                children = [_cell(population, {**have, dim: v}) for v in sorted(values)]
                if not any(c in self.index for c in children):
                    continue
                equation = {self.index[cell]: 1.0}
                for child in children:
                    equation[self._var(child)] = equation.get(self._var(child), 0.0) - 1.0
                self.equations.append(equation)
        definitions = defined_indicators()
        for cell in referenced:
            population, coords = cell
            have = dict(coords)
            for indicator, (dim, parts) in definitions.items():
                if have.get(indicator) not in parts or dim in have:
                    continue
                rest = {k: v for k, v in have.items() if k != indicator}
                children = [_cell(population, {**rest, dim: v}) for v in parts[have[indicator]]]
                if not any(c in self.index for c in children):
                    continue
                equation = {self.index[cell]: 1.0}
                for child in children:
                    equation[self._var(child)] = -1.0
                self.equations.append(equation)
        for rc in self.rows:
            frame = self.tables[rc.table].frame
            count = _count_column(frame)
            for cell, column in ((rc.x, count), (rc.d, "denominator")):
                if cell is None:
                    continue
                value = frame[column][rc.row]
                if value is not None:
                    self._show(self.index[cell], float(value))
        self._components()

    def _var(self, cell: Cell) -> int:
        if cell not in self.index:
            self.index[cell] = len(self.index)
            self.lower.append(0.0)
            self.upper.append(math.inf)
        return self.index[cell]

    def _show(self, var: int, value: float) -> None:
        low, high = _rounded_interval(value, self.policy.rounding_base)
        self.lower[var] = max(self.lower[var], low)
        self.upper[var] = min(self.upper[var], high)
        self.shown.add(var)

    def _components(self) -> None:
        parent = list(range(len(self.index)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for equation in self.equations:
            first, *rest = equation
            for other in rest:
                parent[find(other)] = find(first)
        self.component = [find(i) for i in range(len(self.index))]
        members: dict[int, list[int]] = defaultdict(list)
        for i, root in enumerate(self.component):
            members[root].append(i)
        self.members = dict(members)
        self.component_equations: dict[int, list[int]] = defaultdict(list)
        for e, equation in enumerate(self.equations):
            self.component_equations[self.component[next(iter(equation))]].append(e)

    def neighbours(self, var: int) -> set[int]:
        """Cells that share an equation with ``var``."""
        out: set[int] = set()
        for e in self.component_equations.get(self.component[var], []):
            if var in self.equations[e]:
                out |= set(self.equations[e])
        return out - {var}

    def bounds(self, expression: Mapping[int, float]) -> tuple[float, float]:
        """Smallest and largest value of sum(coefficient x cell) given every equation
        and everything shown (integers: the LP bounds rounded inwards)."""
        if not expression:
            return 0.0, 0.0
        root = self.component[next(iter(expression))]
        variables = self.members[root]
        if any(self.component[v] != root for v in expression):
            raise ValueError("an expression spans cells that share no equation")
        position = {v: j for j, v in enumerate(variables)}
        equations = self.component_equations.get(root, [])
        bounds = [(self.lower[v], None if math.isinf(self.upper[v]) else self.upper[v])
                  for v in variables]
        objective = np.zeros(len(variables))
        for v, coefficient in expression.items():
            objective[position[v]] = coefficient
        if equations:
            from scipy.sparse import lil_array

            a = lil_array((len(equations), len(variables)))
            for i, e in enumerate(equations):
                for v, coefficient in self.equations[e].items():
                    a[i, position[v]] = coefficient
            a_eq, b_eq = a.tocsr(), np.zeros(len(equations))
        else:
            a_eq = b_eq = None
        low, high = _extremes(objective, a_eq, b_eq, bounds)
        return math.ceil(low - 1e-6), (math.inf if math.isinf(high) else math.floor(high + 1e-6))

    def check(self, truth: Mapping[int, float]) -> None:
        """Raise :class:`LayoutError` when the true values break an equation.

        ``truth``: cell -> true value for the cells whose value is known (published
        or hidden). An equation with unknown cells must leave them >= 0."""
        names = {v: c for c, v in self.index.items()}
        for equation in self.equations:
            known = sum(truth[v] * c for v, c in equation.items() if v in truth)
            unknown = [c for v, c in equation.items() if v not in truth]
            if (not unknown and abs(known) > 1e-6) or (unknown and (
                    (all(c < 0 for c in unknown) and known < -1e-6)
                    or (all(c > 0 for c in unknown) and known > 1e-6))):
                cells = ", ".join(describe(names[v]) for v in equation)
                raise LayoutError(
                    f"the declared layouts imply {cells} add up, but the data do not "
                    f"(off by {known:g}): tables that share a population must count the "
                    "same people, and margins must sum their members"
                )


_SOLVED: dict[bytes, tuple[float, float]] = {}
"""The extremes of each linear programme solved in this process, by the programme's
bytes (:func:`_extremes`)."""
_SOLVED_MAX = 200_000


def _extremes(objective: np.ndarray, a_eq, b_eq, bounds: list) -> tuple[float, float]:
    """Minimum and maximum of ``objective`` x subject to ``a_eq`` x = ``b_eq`` and the
    variables' ``bounds`` (scipy's HiGHS; an unbounded side is infinite).

    The same programme is met again and again: secondary suppression re-checks every
    hidden cell after each cell it hides, and a notebook's export attacks the tables
    its ``protect`` calls have just attacked (2-5 s of LP a notebook,
    docs/performance.md). Its answer is kept by the programme's exact bytes
    (objective, the equations' sparse arrays, the bounds), so a programme solved
    before is not solved again; HiGHS gives a programme the same answer each time.
    """
    import hashlib

    h = hashlib.blake2b(objective.tobytes(), digest_size=24)
    if a_eq is not None:
        for part in (a_eq.data, a_eq.indices, a_eq.indptr):
            h.update(part.tobytes())
            h.update(b"|")
    h.update(repr(bounds).encode())
    key = h.digest()
    if key in _SOLVED:
        return _SOLVED[key]
    from scipy.optimize import linprog

    result = []
    for sign in (1.0, -1.0):
        fit = linprog(sign * objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if fit.status == 3:  # unbounded
            result.append(-sign * math.inf)
        elif fit.status != 0:
            raise LayoutError(f"the published values contradict the tables' equations "
                              f"({fit.message}); check the layouts' populations")
        else:
            result.append(sign * fit.fun)
    if len(_SOLVED) >= _SOLVED_MAX:
        _SOLVED.clear()
    _SOLVED[key] = low_high = (result[0], result[1])
    return low_high


def describe(cell: Cell) -> str:
    """A cell for a message: ``N(route=learning_centre, mature=1 | entrants)``."""
    population, coords = cell
    inner = ", ".join(f"{k}={v}" for k, v in coords) or "all"
    return f"N({inner} | {population})"

