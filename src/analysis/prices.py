"""Unit prices (enhedspriser, DATA_CONTRACT.md) and the public cost of each person-year."""
from pathlib import Path

import numpy as np
import pandas as pd

from . import codes, rowkeys
from .contract import ContractError, Extract

MAIN_AREAS = ("Indkomstoverførsler", "Botilbud", "Øvrige sociale indsatser", "Beskæftigelsesindsats",
              "Uddannelse", "Sundhed", "Politi og retsvæsen")
PAYERS = ("kommune", "region", "stat")
PRICE_CEILING = 1e8  # kroner per unit; above it a price is a typing error (a year of botilbud is ~1e6)
UNITS = {  # the unit of each priced post
    "beskaeftigelse_uger": "uge", "foertidspension_uger": "uge", "kontanthjaelp_uger": "uge",
    "uddannelse_uger": "uge", "beskaeftigelsesindsats_timer": "time", "psyk_indlagt_dage": "dag",
    "som_indlagt_dage": "dag", "psyk_ambulante_kontakter": "kontakt", "som_ambulante_kontakter": "kontakt",
    **{flag: "aar" for flag in codes.FLAG_COLUMNS}, **{service: "dag" for service in codes.SERVICES},
}
SERVICE_YEAR = ["pnr", "aar", "ydelse"]  # a service of a person in a year
COLUMNS = ("post", "enhed", "kr", "prisaar", "andel_kommune", "andel_region", "andel_stat", "hovedomraade",
           "kilde", "verificeret")


def load_prices(path: Path | str) -> pd.DataFrame:
    """Read and check a price file; a row that breaks the contract is an error naming it."""
    path = Path(path)
    try:
        prices = pd.read_csv(path, dtype={"post": "string", "enhed": "string", "hovedomraade": "string"})
    except (OSError, ValueError) as error:
        raise ContractError(f"{path.name}: not a readable CSV file: {str(error).splitlines()[0]}") from None
    missing = [c for c in COLUMNS if c not in prices.columns]
    if missing:
        raise ContractError(f"{path.name}: required column(s) missing: {', '.join(missing)}")

    def fail(column: str, rule: str, bad: pd.Series) -> None:
        rows = [int(i) + 1 for i in prices.index[np.asarray(bad)][:5]]
        raise ContractError(f"{path.name}, column '{column}': {rule} — row(s) {rows}")

    unknown = ~prices["post"].isin(list(UNITS))
    if unknown.any():
        fail("post", "not a forbrug volume column or a service code", unknown)
    if prices["post"].duplicated().any():
        fail("post", "duplicate post", prices["post"].duplicated(keep=False))
    wrong_unit = prices["enhed"] != prices["post"].map(UNITS)
    if wrong_unit.any():
        fail("enhed", "unit does not match its post", wrong_unit)
    numbers = prices[["kr", "andel_kommune", "andel_region", "andel_stat"]].apply(pd.to_numeric, errors="coerce")
    if numbers.isna().any(axis=None) or (numbers < 0).any(axis=None):
        fail("kr", "prices and payer shares must be non-negative numbers", numbers.isna().any(axis=1) | (numbers < 0).any(axis=1))
    if (numbers["kr"] >= PRICE_CEILING).any():
        fail("kr", f"a price must be below {PRICE_CEILING:,.0f} kr per unit", numbers["kr"] >= PRICE_CEILING)
    shares = numbers[["andel_kommune", "andel_region", "andel_stat"]].sum(axis=1)
    if not np.allclose(shares, 1.0, atol=1e-6):
        fail("andel_kommune", "payer shares must sum to 1", ~np.isclose(shares, 1.0, atol=1e-6))
    if not prices["hovedomraade"].isin(MAIN_AREAS).all():
        fail("hovedomraade", f"must be one of {', '.join(MAIN_AREAS)}", ~prices["hovedomraade"].isin(MAIN_AREAS))
    return prices.assign(**numbers)


def service_days(extract: Extract) -> pd.DataFrame:
    """Days per person, year and service (in no particular order); a service under two reasons
    counts once (largest dage): only those rows are grouped."""
    def compute() -> pd.DataFrame:
        services = extract.ydelser[["pnr", "aar", "ydelse", "dage"]]
        twice = rowkeys.duplicated(services, SERVICE_YEAR)
        merged = services[twice].groupby(SERVICE_YEAR, observed=True, as_index=False)["dage"].max()
        return pd.concat([services[~twice], merged], ignore_index=True)
    return extract.memo("service_days", compute)


def service_costs(days: pd.DataFrame, prices: pd.DataFrame, payer: str | None = None) -> pd.DataFrame:
    """Cost per row of `service_days` (column kr), for all payers or one payer."""
    price = prices.set_index("post")
    per_day = price["kr"] * (price[f"andel_{payer}"] if payer else 1.0)
    return days.assign(kr=days["dage"] * days["ydelse"].astype("string").map(per_day).fillna(0.0).to_numpy())


def volume_costs(forbrug: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    """Cost per person-year and main area of the priced forbrug volumes (one column per area)."""
    priced = prices[prices["post"].isin(codes.VOLUME_COLUMNS + codes.FLAG_COLUMNS)]
    costs = pd.DataFrame({"pnr": forbrug["pnr"], "aar": forbrug["aar"]})
    for area, rows in priced.groupby("hovedomraade"):
        costs[area] = sum(forbrug[row.post].astype("float64") * row.kr for row in rows.itertuples())
    return costs
