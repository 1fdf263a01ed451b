"""Disclosure control of SØM's consequence estimates (METHODS.md §4), national tables.

* A follow-up year in which either group counts fewer than `min_celle` persons is hidden
  (sizes, means and differences of every post).
* A flag's mean is a share of persons: where the persons with, or without, the flag in a
  group number 1 to `min_celle` − 1, the post's year is hidden.
* A cohort's sizes are hidden if below the threshold, or if a shown year's size differs from
  them by 1 to `min_celle` − 1 (the persons not followed that year).
* The covariances of a hidden post-year are hidden with it.

The means of volumes rest on every person of their group (zeros included). Potentials formed
from the estimates are missing wherever they need a hidden one.
"""
import numpy as np
import pandas as pd

from .codes import FLAG_COLUMNS
from .consequences import GROUPS

PRIMARY, SECONDARY = "primary", "secondary"
REASONS = {
    "year": "færre end {m} personer i en af grupperne dette opfølgningsår ({column})",
    "flag": "et afledt antal (personer med eller uden posten i en af grupperne) ville være under {m}",
    "cohort": "færre end {m} personer ({column})",
    "followed": "et afledt antal (personer i gruppen, der ikke følges et opfølgningsår) ville være under {m}",
    "covariance": "hører til en skjult post og et skjult opfølgningsår",
}
ITEM = ["scenarie", "post", "opfoelgningsaar"]


def _record(cell: dict, rule: str, reason: str, min_cell: int, column: str = "") -> dict:
    return {"celle": {k: (v.item() if hasattr(v, "item") else v) for k, v in cell.items()}, "regel": rule,
            "begrundelse": REASONS[reason].format(m=min_cell, column=column), "graense": min_cell}


def protect_estimates(tables: dict[str, pd.DataFrame], min_cell: int) -> tuple[dict[str, pd.DataFrame], dict]:
    """The consequence estimates with suppressed cells missing, and the audit records."""
    items, cohorts = tables["som_konsekvens"].copy(), tables["som_kohorte"].copy()
    audit = {table_id: [] for table_id in tables}
    sizes = [f"n_{name}" for name in GROUPS.values()]
    few = pd.DataFrame({column: items[column] < min_cell for column in sizes})
    small = lambda v: (v > 0) & (v < min_cell)  # noqa: E731
    flags = items["post"].isin(FLAG_COLUMNS)
    derived = np.zeros(len(items), dtype=bool)
    for name in GROUPS.values():
        n, persons = items[f"n_{name}"], (items[f"gennemsnit_{name}"] * items[f"n_{name}"]).round()
        derived |= (flags & (small(persons) | small(n - persons))).to_numpy()
    year_hidden = few.any(axis=1).to_numpy()
    for row in np.flatnonzero(year_hidden | derived):
        cell = items.loc[row, ITEM].to_dict()
        if year_hidden[row]:
            column = next(c for c in sizes if few.loc[row, c])
            audit["som_konsekvens"].append(_record(cell, PRIMARY, "year", min_cell, column))
        else:
            audit["som_konsekvens"].append(_record(cell, SECONDARY, "flag", min_cell))
        audit["som_kovarians"].append(_record(cell, SECONDARY, "covariance", min_cell))
    hidden = year_hidden | derived
    items[sizes] = items[sizes].astype("Int64").mask(np.repeat(year_hidden[:, None], 2, axis=1))
    measures = [c for c in items.columns if c not in (*ITEM, *sizes)]
    items[measures] = items[measures].astype("Float64").mask(np.repeat(hidden[:, None], len(measures), axis=1))
    hidden_keys = pd.MultiIndex.from_frame(tables["som_konsekvens"].loc[hidden, ITEM])
    covariances = tables["som_kovarians"].copy()
    touches = np.zeros(len(covariances), dtype=bool)
    for side in ("1", "2"):
        keys = pd.MultiIndex.from_arrays([covariances["scenarie"], covariances[f"post_{side}"],
                                          covariances[f"opfoelgningsaar_{side}"]])
        touches |= keys.isin(hidden_keys)
    covariances["kovarians"] = covariances["kovarians"].astype("Float64").mask(touches)
    cohorts[sizes] = cohorts[sizes].astype("Int64")
    for row, cohort in cohorts.iterrows():
        shown = items[(items["scenarie"] == cohort["scenarie"]) & ~year_hidden]
        below = [c for c in sizes if cohort[c] < min_cell]
        unfollowed = any(small(cohort[c] - shown[c].astype("float64")).any() for c in sizes)
        if below or unfollowed:
            cohorts.loc[row, sizes] = pd.NA
            cell = {"scenarie": cohort["scenarie"]}
            audit["som_kohorte"].append(_record(cell, PRIMARY, "cohort", min_cell, below[0]) if below
                                        else _record(cell, SECONDARY, "followed", min_cell))
    return {"som_kohorte": cohorts, "som_konsekvens": items, "som_kovarians": covariances}, audit
