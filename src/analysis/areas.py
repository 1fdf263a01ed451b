"""The areas results are reported for, and how an area's counts are summed from municipalities.

A result package holds landsplan, the five regions and all 98 municipalities (the
hierarchy that disclosure control protects); a book shows landsplan, its comparison group
and the chosen municipality, each aggregated from the package's protected cells.
"""
import pandas as pd

from .params import Params
from .reference import municipalities

NATIONAL = "landsplan"
COMPARISON = "casekommuner"
_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


def region_label(name: str) -> str:
    """'Region Sjælland' -> 'region_sjaelland'."""
    return name.lower().translate(_ASCII).replace(" ", "_")


def regions() -> dict[str, list[int]]:
    """Region label -> member municipality codes, in the reference file's order."""
    table = municipalities()
    return {region_label(name): group["kom"].tolist() for name, group in table.groupby("region", sort=False)}


def package_areas() -> list[tuple[str, list[int] | None]]:
    """(omraade, municipality codes or None for all): landsplan, the regions, every municipality."""
    codes = municipalities()["kom"].tolist()
    return [(NATIONAL, None), *regions().items(), *[(str(kom), [kom]) for kom in codes]]


def hierarchy() -> list[tuple[str, list[str]]]:
    """(area, the areas that partition it): landsplan into regions, each region into municipalities."""
    return [(NATIONAL, list(regions())), *[(region, [str(k) for k in kom]) for region, kom in regions().items()]]


def book_areas(params: Params) -> list[tuple[str, list[int] | None]]:
    """The book's areas in report order: landsplan, the comparison group, the chosen municipality."""
    chosen = [(str(params.kommune), [params.kommune])] if params.kommune is not None else []
    return [(NATIONAL, None), (COMPARISON, list(params.sammenligning)), *chosen]


def complete(frame: pd.DataFrame, levels: dict[str, list], values: list[str]) -> pd.DataFrame:
    """`frame` (kom, keys, values) on the full grid of every municipality and key level, 0 where absent."""
    grid = pd.MultiIndex.from_product([municipalities()["kom"].tolist(), *levels.values()], names=["kom", *levels])
    summed = frame.groupby(["kom", *levels], observed=True)[values].sum()
    return summed.reindex(grid, fill_value=0).reset_index()


def aggregate(by_kom: pd.DataFrame, areas: list[tuple[str, list[int] | None]], values: list[str]) -> pd.DataFrame:
    """Per area, the sum of its municipalities' rows (columns other than kom and `values` are keys).

    A sum over a missing (suppressed) cell is missing: an area never rests on a hidden cell."""
    keys = [c for c in by_kom.columns if c not in ("kom", *values)]
    every = by_kom["kom"].unique().tolist()
    membership = pd.DataFrame([(omraade, kom) for omraade, codes in areas
                               for kom in (every if codes is None else codes)], columns=["omraade", "kom"])
    rows = membership.merge(by_kom, on="kom")
    groups = [rows["omraade"], *[rows[k] for k in keys]]
    summed = rows[values].groupby(groups, sort=False).sum(min_count=1)
    table = summed.mask(rows[values].isna().groupby(groups, sort=False).any()).reset_index()
    return table[["omraade", *keys, *values]]


def select(package_table: pd.DataFrame, areas: list[tuple[str, list[int] | None]], values: list[str]) -> pd.DataFrame:
    """A package table's rows for `areas`: an area of the package as it is, any other group of
    municipalities summed from the municipalities' protected cells (missing if any is hidden)."""
    known = set(package_table["omraade"])
    parts = []
    for omraade, codes in areas:
        if omraade in known and omraade != COMPARISON:
            parts.append(package_table[package_table["omraade"] == omraade])
        else:
            members = package_table[package_table["omraade"].isin([str(k) for k in codes])]
            by_kom = members.rename(columns={"omraade": "kom"})
            parts.append(aggregate(by_kom, [(omraade, None)], values))
    return pd.concat(parts, ignore_index=True)
