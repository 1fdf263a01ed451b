"""Disclosure control of a single national table (METHODS.md §4): the SØM tables.

Primary suppression hides a row when any of its counts is below the threshold (`min_celle`),
with the shares or means resting on it. The package's tables, whose cells are related across
areas, groups and tables, are protected together in `protection`.
"""
from dataclasses import dataclass

import pandas as pd

PRIMARY = "primary"


@dataclass(frozen=True)
class Rules:
    """How a table is protected: a row is hidden when any of its `counts` is below the threshold
    (missing counts are ignored); `follows` are values computed from the row's persons (hidden
    with it); `private` columns are needed for the check but never published."""
    counts: tuple[str, ...]
    follows: tuple[str, ...] = ()
    private: tuple[str, ...] = ()


def suppress(table: pd.DataFrame, rules: Rules, min_cell: int) -> tuple[pd.DataFrame, list[dict]]:
    """The table with suppressed cells missing, and the audit records of what was hidden and why."""
    table = table.reset_index(drop=True)
    hidden = pd.Series(False, index=table.index)
    reasons = {}
    for column in rules.counts:
        small = (table[column].astype("Float64") < min_cell).fillna(False)
        for row in table.index[small.to_numpy() & ~hidden.to_numpy()]:
            reasons[int(row)] = f"færre end {min_cell} personer ({column})"
        hidden |= small
    shown = table.copy()
    for column in rules.counts:
        shown[column] = shown[column].astype("Int64").mask(hidden)
    for column in rules.follows:
        shown[column] = shown[column].astype("Float64").mask(hidden)
    keys = [c for c in table.columns if c not in (*rules.counts, *rules.follows, *rules.private)]
    audit = [{"celle": {k: (v.item() if hasattr(v, "item") else v) for k, v in table.loc[row, keys].items()},
              "regel": PRIMARY, "begrundelse": reason, "graense": min_cell} for row, reason in sorted(reasons.items())]
    return shown.drop(columns=list(rules.private)), audit
