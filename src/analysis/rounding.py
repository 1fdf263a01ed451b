"""Rounding as a reader expects it: halves away from zero (35,5 → 36 and 86,5 → 87), on the
number as written in decimal (0,285 → 0,29), not on its binary approximation."""
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd


def half_away(value, decimals: int = 0) -> float | int:
    """`value` rounded to `decimals` places, halves away from zero (an int for 0 places, as `round`)."""
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return int(rounded) if decimals == 0 else float(rounded)


def danish(value, decimals: int = 0) -> str:
    """`value` rounded like `half_away` and written the Danish way: 72.000; 12,5; -3."""
    text = f"{half_away(value, decimals) + 0:,.{decimals}f}"  # + 0: no "-0"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def half_away_all(values: pd.Series, decimals: int = 0) -> pd.Series:
    """Every value of a series rounded like `half_away`; missing values stay missing."""
    numbers = values.astype("float64")
    return numbers.map(lambda v: v if np.isnan(v) else float(half_away(v, decimals)))


def ratio(part: pd.Series, whole: pd.Series, scale: float = 100, decimals: int = 1) -> pd.Series:
    """scale × part / whole, rounded like `half_away`; missing where either is missing or whole is 0."""
    index = part.index
    part = part.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    whole = pd.Series(whole).astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(whole > 0, scale * part / whole, np.nan)
    return half_away_all(pd.Series(value, index=index), decimals).astype("Float64")
