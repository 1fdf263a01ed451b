"""The areas every table is reported for: national, comparison group and the chosen municipality."""
import pandas as pd

from .params import Params

NATIONAL = "landsplan"
COMPARISON = "casekommuner"


def areas(params: Params) -> list[tuple[str, list[int] | None]]:
    """(omraade label, municipality codes or None for all) in report order."""
    chosen = [(str(params.kommune), [params.kommune])] if params.kommune is not None else []
    return [(NATIONAL, None), (COMPARISON, list(params.sammenligning)), *chosen]


def in_area(kom: pd.Series, codes: list[int] | None) -> pd.Series:
    """Mask of rows whose municipality lies in the area (all rows for the national area)."""
    return pd.Series(True, index=kom.index) if codes is None else kom.isin(codes)


def nesting(params: Params) -> list[tuple[str, str]]:
    """(outer, inner) pairs of areas where the inner one lies inside the outer one."""
    pairs = [(NATIONAL, COMPARISON)]
    if params.kommune is not None:
        pairs.append((NATIONAL, str(params.kommune)))
        if params.kommune in params.sammenligning:
            pairs.append((COMPARISON, str(params.kommune)))
    return pairs
