"""An independent computation of the SØM potentials straight from the microdata, as roret did
before the consequence estimates: each person-year's cost priced from the extract, then
means per group and statsmodels' OLS with person-clustered (CR1) errors on the costs."""
import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from analysis.consequences import COVARIATES, SCENARIOS, cohort
from analysis.prices import PAYERS, load_prices

FOLLOW_UP = (1, 2, 3, 4)


def priced_costs(extract, params, rate: float) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """Per scenario: the cohort, and the cost per present person-year by main area and payer
    (long: pnr, k, hovedomraade, betaler, kr)."""
    prices = load_prices(params.enhedspriser)
    days = extract.ydelser.groupby(["pnr", "aar", "ydelse"], observed=True, as_index=False)["dage"].max()
    result = {}
    for scenario in SCENARIOS:
        people = cohort(extract, params, scenario)
        years = pd.concat([people.assign(k=k, aar=people["referenceaar"] + 1 + k) for k in FOLLOW_UP])
        years = years[years["aar"] <= extract.bopael["aar"].max()]
        years = years.merge(extract.bopael[["pnr", "aar"]].drop_duplicates(), on=["pnr", "aar"])
        rows = []
        for price in prices.itertuples():
            if price.post in extract.forbrug.columns:
                volume = years.merge(extract.forbrug[["pnr", "aar", price.post]], on=["pnr", "aar"])
                amount = volume[price.post].astype(float)
            else:
                volume = years.merge(days[days["ydelse"] == price.post], on=["pnr", "aar"])
                amount = volume["dage"].astype(float)
            for payer in PAYERS:
                kr = amount * price.kr * getattr(price, f"andel_{payer}") / (1 + rate) ** volume["k"]
                rows.append(pd.DataFrame({"pnr": volume["pnr"], "k": volume["k"], "hovedomraade": price.hovedomraade,
                                          "betaler": payer, "kr": kr}))
        result[scenario] = people, years[["pnr", "k"]], pd.concat(rows, ignore_index=True)
    return result


def differences(people, present, costs, by: str | None) -> pd.Series:
    """Mean non-success minus mean success per k (and `by`), over the persons present."""
    keys = ["pnr", "k"] + ([by] if by else [])
    totals = costs.groupby(keys, as_index=False)["kr"].sum()
    grid = present.merge(pd.DataFrame({by: sorted(costs[by].unique())}), how="cross") if by else present
    frame = grid.merge(totals, on=keys, how="left").fillna({"kr": 0.0}).merge(people[["pnr", "succes"]], on="pnr")
    means = frame.groupby(keys[1:] + ["succes"])["kr"].mean().unstack("succes")
    return (means[0] - means[1]).dropna()


def regression(people, present, costs, adjusted: bool) -> tuple[float, float, float]:
    """Four-year potential and its 95 % interval from OLS with a success effect per year."""
    totals = costs.groupby(["pnr", "k"], as_index=False)["kr"].sum()
    frame = present.merge(totals, how="left").fillna({"kr": 0.0}).merge(people, on="pnr")
    both = frame.groupby("k")["succes"].nunique() == 2
    frame = frame[frame["k"].isin(both.index[both])]
    formula = "kr ~ C(k) + C(k):succes" + (f" + {COVARIATES}" if adjusted else "")
    fit = smf.ols(formula, data=frame).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(frame["pnr"])[0]},
                                           use_t=False)
    contrast = np.array([-1.0 if name.endswith(":succes") else 0.0 for name in fit.model.exog_names])
    low, high = np.asarray(fit.t_test(contrast).conf_int(alpha=0.05)).ravel()
    return float(contrast @ fit.params.to_numpy()), float(low), float(high)
