"""Disclosure control (METHODS.md §4), applied once to every table before it is shown or written.

Primary suppression hides counts below the threshold (`min_celle`), and shares or means
resting on fewer persons. Secondary suppression then hides further cells, smallest first,
until no hidden count can be recovered from the cells left visible:

* `Additive`: parts that sum to a total (published, or known from shares); the hidden parts
  must also together count at least the threshold, as their sum is the total minus the
  visible parts;
* `Remainder`: an inner area inside an outer one, whose unpublished difference is small;
* `Overlap`: a total and two overlapping sub-groups, whose derived cells (only a, only b,
  both) are small.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

PRIMARY, SECONDARY = "primary", "secondary"


@dataclass(frozen=True)
class Additive:
    """Rows `parts` sum to row `total`, or to a known total when `total` is None."""
    parts: tuple[int, ...]
    total: int | None = None


@dataclass(frozen=True)
class Remainder:
    """Rows `inner` lie inside row `outer`; outer minus inner is not published."""
    outer: int
    inner: tuple[int, ...]


@dataclass(frozen=True)
class Overlap:
    """Row `total` counts the union of rows `a` and `b`, which may overlap."""
    total: int
    a: int
    b: int


Constraint = Additive | Remainder | Overlap


@dataclass(frozen=True)
class Rules:
    """How a table is protected.

    A row is hidden when any of its `counts` is below the threshold (missing counts are
    ignored); constraints act on the first count. `follows` are values computed from the
    row's persons (shares, means), hidden with it; `private` columns are needed for the
    check but never published.
    """
    counts: tuple[str, ...]
    follows: tuple[str, ...] = ()
    private: tuple[str, ...] = ()
    constraints: Callable[[pd.DataFrame, object], list[Constraint]] | None = None  # (table, params)


@dataclass
class Suppression:
    rows: set[int] = field(default_factory=set)
    log: list[tuple[int, str, str]] = field(default_factory=list)  # (row, rule, reason)

    def hide(self, row: int, rule: str, reason: str) -> None:
        if row not in self.rows:
            self.rows.add(row)
            self.log.append((row, rule, reason))


def _smallest(values: pd.Series, candidates, hidden: set[int]) -> int | None:
    visible = [r for r in candidates if r not in hidden and values[r] > 0]
    return min(visible, key=lambda r: (values[r], r)) if visible else None


def _fix(constraint: Constraint, values: pd.Series, hidden: set[int], min_cell: int) -> tuple[int, str] | None:
    """A further cell to hide if `constraint` lets a hidden or small count be recovered."""
    if isinstance(constraint, Additive):
        cells = list(constraint.parts) + ([constraint.total] if constraint.total is not None else [])
        if not any(r in hidden for r in cells):
            return None
        hidden_positive = [r for r in cells if r in hidden and values[r] > 0]
        total_known = constraint.total is None or constraint.total not in hidden
        hidden_sum = sum(values[r] for r in constraint.parts if r in hidden)  # total minus the visible parts
        if len(hidden_positive) < 2:
            reason = "recoverable from its total"
        elif total_known and hidden_sum < min_cell:
            reason = f"its hidden parts together count fewer than {min_cell}"
        else:
            return None
        row = _smallest(values, constraint.parts, hidden)
        if row is None and constraint.total is not None:
            row = _smallest(values, [constraint.total], hidden)
        return (row, reason) if row is not None else None
    if isinstance(constraint, Remainder):
        cells = [constraint.outer, *constraint.inner]
        rest = values[constraint.outer] - sum(values[r] for r in constraint.inner)
        if 0 < rest < min_cell and not any(r in hidden for r in cells):
            row = _smallest(values, constraint.inner, hidden)
            return (row, "outer area minus inner area below threshold") if row is not None else None
        return None
    total, a, b = constraint.total, constraint.a, constraint.b
    derivable = {(a, b, total): values[a] + values[b] - values[total],  # in both sub-groups
                 (total, b): values[total] - values[b],                 # only in a
                 (total, a): values[total] - values[a]}                 # only in b
    for cells, value in derivable.items():
        if 0 < value < min_cell and not any(r in hidden for r in cells):
            row = _smallest(values, cells, hidden)
            return (row, "overlapping sub-groups reveal a small derived count") if row is not None else None
    return None


def suppress(table: pd.DataFrame, rules: Rules, min_cell: int, params=None) -> tuple[pd.DataFrame, list[dict]]:
    """The table with suppressed cells missing, and the audit records of what was hidden and why."""
    table = table.reset_index(drop=True)
    if not rules.counts:  # a table that counts no persons
        return table, []
    values = table[rules.counts[0]].astype("int64")
    constraints = rules.constraints(table, params) if rules.constraints else []
    state = Suppression()
    for column in rules.counts:
        small = table[column].astype("Float64") < min_cell
        for row in table.index[small.fillna(False).to_numpy()]:
            state.hide(int(row), PRIMARY, f"{column} below {min_cell}")
    changed = True
    while changed:
        changed = False
        for constraint in constraints:
            fix = _fix(constraint, values, state.rows, min_cell)
            if fix is not None:
                state.hide(int(fix[0]), SECONDARY, fix[1])
                changed = True
    shown = table.copy()
    hidden = shown.index.isin(sorted(state.rows))
    for column in rules.counts:
        shown[column] = shown[column].astype("Int64").mask(hidden)
    for column in rules.follows:
        shown[column] = shown[column].astype("Float64").mask(hidden)
    keys = [c for c in table.columns if c not in (*rules.counts, *rules.follows, *rules.private)]
    audit = [_record(table, keys, row, rule, reason, min_cell) for row, rule, reason in state.log]
    return shown.drop(columns=list(rules.private)), audit


def _record(table: pd.DataFrame, keys: list[str], row: int, rule: str, reason: str, min_cell: int) -> dict:
    cell = {k: (v.item() if hasattr(v, "item") else v) for k, v in table.loc[row, keys].items()}
    return {"celle": cell, "regel": rule, "begrundelse": reason, "graense": min_cell}


def _rows_by(table: pd.DataFrame, by: list[str], column: str):
    """For each group of `by`, a mapping from `column`'s value to its row number."""
    for _, group in table.groupby(by, sort=False) if by else [(None, table)]:
        yield dict(zip(group[column], group.index))


def overlaps(table: pd.DataFrame, by: list[str], column: str, total: str, a: str, b: str) -> list[Overlap]:
    return [Overlap(rows[total], rows[a], rows[b]) for rows in _rows_by(table, by, column)
            if {total, a, b} <= rows.keys()]


def additive(table: pd.DataFrame, by: list[str], column: str, parts: tuple[str, ...],
             total: str | None = None) -> list[Additive]:
    """Parts summing to a published total row, or (total=None) to a total known some other way."""
    return [Additive(tuple(rows[p] for p in parts if p in rows), rows.get(total) if total else None)
            for rows in _rows_by(table, by, column)]


def remainders(table: pd.DataFrame, by: list[str], column: str, nesting: list[tuple[str, str]]) -> list[Remainder]:
    """For each (outer, inner) pair of `column` values, the inner row inside the outer row."""
    return [Remainder(rows[outer], (rows[inner],)) for rows in _rows_by(table, by, column)
            for outer, inner in nesting if outer in rows and inner in rows]
