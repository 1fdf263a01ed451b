"""SØM budget-economic potentials (METHODS.md §3) at any prices and discount rate, formed from
the result package's consequence estimates (`consequences`) with no microdata.

An item's weight in follow-up year k is its price (times the payer's share) discounted by
(1 + r)^-k; a potential is Σ weight · estimate and its variance wᵀ Σ w. A potential that needs
a hidden estimate is missing. Every number is rounded once, where it is shown.
"""
import numpy as np
import pandas as pd
import scipy.stats

from .consequences import FOLLOW_UP, SCENARIOS
from .params import Params
from .prices import PAYERS, load_prices
from .rounding import half_away, half_away_all

FINANCE_MINISTRY_RATE = 0.035
SENSITIVITY = 0.20
Z = scipy.stats.norm.ppf(0.975)
Tables = dict[str, pd.DataFrame]


def weights(items: pd.DataFrame, prices: pd.DataFrame, rate: float, payer: str | None = None) -> np.ndarray:
    """Each estimate's weight: its post's price (× the payer's share), discounted to the success
    year at `rate`; 0 for posts the price file does not price."""
    price = prices.set_index("post")
    per_unit = price["kr"] * (price[f"andel_{payer}"] if payer else 1.0)
    kr = items["post"].map(per_unit).fillna(0.0).to_numpy(dtype="float64")
    return kr / (1 + rate) ** items["opfoelgningsaar"].to_numpy(dtype="float64")


def _weighted(values: pd.Series, weight: np.ndarray) -> float:
    """Σ weight · value over the items with a weight; NaN if one of them is missing."""
    used = weight != 0
    numbers = values.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)[used]
    return float(np.nan) if np.isnan(numbers).any() else float(weight[used] @ numbers)


def _split(package: Tables, params: Params, column: str, rate: float | None = None) -> pd.DataFrame:
    """Raw potentials by scenario, `column` (hovedomraade or betaler) and follow-up year, unrounded."""
    prices = load_prices(params.enhedspriser)
    rate = params.diskonteringsrente if rate is None else rate
    levels = sorted(prices["hovedomraade"].unique()) if column == "hovedomraade" else list(PAYERS)
    estimates = dict(list(package["som_konsekvens"].groupby(["scenarie", "opfoelgningsaar"])))
    rows = []
    for scenario in SCENARIOS:
        for k in FOLLOW_UP:  # a year without both groups has no estimates: its potentials are missing
            items = estimates.get((scenario, k))
            for level in levels:
                if items is None:
                    rows.append((scenario, level, k, float("nan")))
                    continue
                weight = (weights(items, prices[prices["hovedomraade"] == level], rate) if column == "hovedomraade"
                          else weights(items, prices, rate, payer=level))
                rows.append((scenario, level, k, _weighted(items["forskel_raa"], weight)))
    return pd.DataFrame(rows, columns=["scenarie", column, "opfoelgningsaar", "kr_pr_borger"])


def _comparable(package: Tables, table: pd.DataFrame) -> pd.DataFrame:
    """The rows of the follow-up years that have estimates (both groups present), as the
    four-year totals sum them."""
    years = package["som_konsekvens"][["scenarie", "opfoelgningsaar"]].drop_duplicates()
    return table.merge(years, on=["scenarie", "opfoelgningsaar"])


def _rounded(table: pd.DataFrame, column: str = "kr_pr_borger") -> pd.DataFrame:
    return table.assign(**{column: half_away_all(table[column], 0).astype("Float64")})


def potentials(package: Tables, params: Params) -> pd.DataFrame:
    """som_potentiale: the raw potential per person by scenario, main area and follow-up year."""
    return _rounded(_split(package, params, "hovedomraade"))


def payer_potentials(package: Tables, params: Params) -> pd.DataFrame:
    """som_potentiale_betaler: the raw potential per person by scenario, payer and follow-up year."""
    return _rounded(_split(package, params, "betaler"))


def four_year_totals(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """Four-year potential per scenario and `by` (e.g. betaler) from a per-year table: the sum
    over the follow-up years, missing when any of its years is missing."""
    totals = table.groupby(["scenarie", by], sort=False)["kr_pr_borger"].agg(
        lambda years: years.sum() if years.notna().all() else pd.NA)
    return totals.rename("kr_pr_borger_4aar").reset_index()


def _shown(value: float) -> int | None:
    return None if np.isnan(value) else half_away(value)


def covariance(covariances: pd.DataFrame, items: pd.DataFrame, scenario: str, method: str) -> np.ndarray:
    """The symmetric covariance matrix of `items` (one scenario's estimates, in order) from the
    package's pairs; NaN where a pair is hidden or missing."""
    position = {key: i for i, key in enumerate(zip(items["post"], items["opfoelgningsaar"]))}
    block = covariances[(covariances["scenarie"] == scenario) & (covariances["metode"] == method)]
    matrix = np.full((len(items), len(items)), np.nan)
    first, second = ([position[key] for key in zip(block[f"post_{side}"], block[f"opfoelgningsaar_{side}"])]
                     for side in ("1", "2"))
    values = block["kovarians"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    matrix[first, second] = matrix[second, first] = values
    return matrix


def totals(package: Tables, params: Params) -> pd.DataFrame:
    """som_potentiale_samlet: four-year potential per scenario, raw and regression-adjusted, with
    95 % intervals (normal quantiles), over the follow-up years in which both groups are
    present (antal_opfoelgningsaar), for the reference years referenceaar_fra–referenceaar_til."""
    prices = load_prices(params.enhedspriser)
    cohorts = package["som_kohorte"].set_index("scenarie")
    rows = []
    for scenario in SCENARIOS:
        items = package["som_konsekvens"][package["som_konsekvens"]["scenarie"] == scenario]
        weight = weights(items, prices, params.diskonteringsrente)
        used = weight != 0
        for method, column in (("raa", "forskel_raa"), ("justeret", "forskel_justeret")):
            estimate = _weighted(items[column], weight) if len(items) else float("nan")
            variance = covariance(package["som_kovarians"], items, scenario, method)[np.ix_(used, used)]
            half = Z * np.sqrt(weight[used] @ variance @ weight[used]) if used.any() else float("nan")
            rows.append((scenario, method, _shown(estimate), _shown(estimate - half), _shown(estimate + half),
                         cohorts.loc[scenario, "n_succes"], cohorts.loc[scenario, "n_ikke_succes"],
                         items["opfoelgningsaar"].nunique(), *params.som_referenceaar))
    table = pd.DataFrame(rows, columns=["scenarie", "metode", "kr_pr_borger_4aar", "ci_lav", "ci_hoej",
                                        "n_succes", "n_ikke_succes", "antal_opfoelgningsaar",
                                        "referenceaar_fra", "referenceaar_til"])
    return table.astype({"kr_pr_borger_4aar": "Float64", "ci_lav": "Float64", "ci_hoej": "Float64",
                         "n_succes": "Int64", "n_ikke_succes": "Int64"})


def sensitivity(package: Tables, params: Params) -> pd.DataFrame:
    """som_foelsomhed: the raw four-year potential with each main area's prices 20 % higher or
    lower, and discounted at the Finance Ministry's 3.5 % (potentials are linear in prices)."""
    by_area, discounted = (_comparable(package, _split(package, params, "hovedomraade", rate=rate))
                           for rate in (None, FINANCE_MINISTRY_RATE))
    rows = []
    for scenario in SCENARIOS:
        part = by_area[by_area["scenarie"] == scenario]
        base = part["kr_pr_borger"].sum(skipna=False)
        rows.append((scenario, "basis", base))
        for area, years in part.groupby("hovedomraade"):
            change = SENSITIVITY * years["kr_pr_borger"].sum(skipna=False)
            rows += [(scenario, f"{area} +20 %", base + change), (scenario, f"{area} -20 %", base - change)]
        rows.append((scenario, "diskonteret 3,5 %",
                     discounted.loc[discounted["scenarie"] == scenario, "kr_pr_borger"].sum(skipna=False)))
    return _rounded(pd.DataFrame(rows, columns=["scenarie", "variant", "kr_pr_borger_4aar"]), "kr_pr_borger_4aar")


def budget_effect(per_year: pd.Series, successes_per_year: int) -> pd.Series:
    """Budget effect in years 1-4 of `successes_per_year` extra successes each year, given the
    potential per person in follow-up years 1-4 (`per_year`, indexed by k; a missing year
    makes every year that needs it missing)."""
    per_year = per_year.reindex(FOLLOW_UP)
    return pd.Series({year: successes_per_year * per_year.loc[1:year].sum(skipna=False) for year in FOLLOW_UP})


def scenario_calculator(package: Tables, params: Params) -> pd.DataFrame:
    """som_scenarie: the budget effect per year and payer of the parameter `ekstra_succeser`."""
    table = _split(package, params, "betaler")
    rows = []
    for (scenario, payer), part in table.groupby(["scenarie", "betaler"], sort=False):
        effect = budget_effect(part.set_index("opfoelgningsaar")["kr_pr_borger"], params.ekstra_succeser[scenario])
        rows += [(scenario, params.ekstra_succeser[scenario], year, payer, _shown(kr)) for year, kr in effect.items()]
    table = pd.DataFrame(rows, columns=["scenarie", "ekstra_succeser", "aar", "betaler", "kr"])
    return table.astype({"kr": "Float64"})
