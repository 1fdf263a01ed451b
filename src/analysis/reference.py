"""Reference data shipped in data/reference/: municipalities, staircase, prices, published figures."""
from functools import cache

import pandas as pd

from .project import REFERENCE_DIR


@cache
def municipalities() -> pd.DataFrame:
    """The 98 municipalities: kom, navn, region, casekommune, indbyggere (approximate)."""
    return pd.read_csv(REFERENCE_DIR / "kommuner.csv", dtype={"kom": "int64", "casekommune": "bool"})


def municipality_codes() -> frozenset[int]:
    return frozenset(municipalities()["kom"].tolist())


def case_municipalities() -> list[int]:
    """The report's four case municipalities, the default comparison group."""
    table = municipalities()
    return sorted(table.loc[table["casekommune"], "kom"].tolist())


def municipality_name(kom: int) -> str:
    table = municipalities().set_index("kom")
    return str(table.at[kom, "navn"])


def published_figures() -> pd.DataFrame:
    """The report's published numbers with their tolerances (publicerede_tal)."""
    return pd.read_csv(REFERENCE_DIR / "publicerede_tal.csv")
